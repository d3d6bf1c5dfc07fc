"""gunicorn's settings for the load test (tools/loadtest/run.py).

The app is loaded once in the master (preload) and warmed there before the workers fork: the
first request of a process loads the catalogue, the questionnaire and the translations, which
took 9 s on the shared 2-core machine. Forked workers inherit all of it, so they serve their
first request as fast as their thousandth.
"""

from pathlib import Path

preload_app = True


def when_ready(server) -> None:
    # Runs in the master after the preload, before any worker is forked.
    from django.db import connections
    from django.template import engines
    from django.template.utils import get_app_template_dirs
    from django.test import Client

    from leerkansen.content.questionnaire_pages import questionnaire_pages
    from leerkansen.survey.models import Role

    for role in Role.values:
        questionnaire_pages(role)
    # Every template compiled once (the cached loader keeps them per process).
    engine = engines["django"]
    for folder in [*engine.dirs, *get_app_template_dirs("templates")]:
        for path in Path(folder).rglob("*.html"):
            try:
                engine.get_template(str(path.relative_to(folder)))
            except Exception:  # a template of an app the pages do not use may not load alone
                continue
    client = Client(SERVER_NAME="127.0.0.1")
    for path in ("/", "/vragenlijst/", "/account/inloggen/", "/acties/"):
        client.get(path)
    # No connection may be shared with the forked workers.
    connections.close_all()
