"""The order of the URL patterns (leerkansen/urls.py) may change for speed only while no
pattern hides another: every named URL of ours, reversed with sample values, must resolve to
itself."""

from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

OURS = {"catalogue", "reports", "plans", "rounds", "organisations", "survey", "research"}
OURS |= {"jobs", "api_v1", "paper"}
SAMPLES = {
    "IntConverter": 7,
    "PathConverter": "a/b",
    "UUIDConverter": "12345678-1234-4234-8234-123456789abc",
}


def named_patterns(patterns, namespace="", converters=None):
    """(namespaced name, the converters of every part of its route) of each named pattern."""
    converters = converters or {}
    for entry in patterns:
        found = {**converters, **getattr(entry.pattern, "converters", {})}
        if isinstance(entry, URLResolver):
            inner = ":".join(part for part in (namespace, entry.namespace or "") if part)
            yield from named_patterns(entry.url_patterns, inner, found)
        elif isinstance(entry, URLPattern) and entry.name:
            yield (f"{namespace}:{entry.name}" if namespace else entry.name), found


def test_every_named_url_of_ours_resolves_to_itself():
    checked = []
    for name, converters in named_patterns(get_resolver().url_patterns):
        if name.split(":")[0] not in OURS:
            continue
        kwargs = {key: SAMPLES.get(type(c).__name__, "abc123") for key, c in converters.items()}
        url = reverse(name, kwargs=kwargs)
        assert resolve(url).view_name == name, f"{url} resolves to another page than {name}"
        checked.append(name)
    assert {"reports:report", "reports:demo_report", "plans:progress", "api_v1:catalogue"} <= set(
        checked
    )
