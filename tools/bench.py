"""Performance figures named in issues (printed, never asserted).

Run with `make bench`. Each page is measured side by side with a bare Django view that returns
the same number of bytes through the same client and middleware, so the machine's speed
cancels out: the ratio is what our own work costs.
"""

import logging
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leerkansen.settings")

import django

django.setup()

from django.http import HttpResponse  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.urls import include, path  # noqa: E402

from leerkansen.catalogue.content import load_catalogue  # noqa: E402

BODIES: dict[str, bytes] = {}


def bare_view(request, key):
    return HttpResponse(BODIES[key])


urlpatterns = [
    path("bench/bare/<str:key>/", bare_view),
    path("", include("leerkansen.urls")),
]


def per_second(call, seconds: float = 1.5) -> float:
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        call()
        count += 1
    return count / (time.perf_counter() - start)


def main() -> None:
    logging.disable(logging.WARNING)
    runs = 20
    start = time.perf_counter()
    for _ in range(runs):
        load_catalogue()
    print(f"catalogue load + validation: {(time.perf_counter() - start) / runs * 1000:.1f} ms")

    client = Client(HTTP_HOST="127.0.0.1")
    print(f"{'page':<22} {'req/s':>8} {'bare req/s':>11} {'ratio':>6}  size")
    with override_settings(ROOT_URLCONF=__name__):
        for key, url in enumerate(
            ("/", "/acties/", "/acties/?q=coach", "/acties/1.1/", "/api/v1/catalogue")
        ):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            BODIES[str(key)] = response.content
            rate = per_second(lambda url=url: client.get(url))
            bare = per_second(lambda key=key: client.get(f"/bench/bare/{key}/"))
            size = len(response.content) / 1024
            print(f"{url:<22} {rate:8.0f} {bare:11.0f} {rate / bare:6.0%}  {size:.0f} KiB")


if __name__ == "__main__":
    main()
