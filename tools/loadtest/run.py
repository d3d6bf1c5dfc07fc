"""The campaign's load test: `make loadtest` (issue 16, item 6).

    python tools/loadtest/run.py [--database-url URL] [--workers 5] [--multiples 1,2,4,6,8]

Sets up production settings (DJANGO_DEBUG=0, its own database, migrated and seeded with a
campaign by seed.py), starts gunicorn and a task worker (`manage.py db_worker`) on loopback,
and drives the real pages with Locust (locustfile.py) at 1×, 2× and 4× the campaign's busiest
hour (campaign.py), stepping further up only until p99 passes the limit or errors appear,
within the multiples given. Prints per step and per request p50/p99 and errors, the server's
CPU per request, the saturation point and, on PostgreSQL, the database's size per response.
Everything is bounded in time and dropped afterwards (the database too, unless --keep).

The database: --database-url, else LOADTEST_DATABASE_URL; a PostgreSQL URL names the database
to create (dropped first if it exists), "sqlite" a throw-away file. `smoke()` is the 30-second
version the suite runs (tests/test_loadtest.py): a small rate, never a timed assertion.

No throttle had to be relaxed: every login succeeds and every link is valid, and only failures
count (organisations/throttle.py, survey/rounds.py).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import campaign  # noqa: E402
from bench import manage  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/leerkansen_loadtest"
P99_LIMIT_MS = 300
# Requires the steps up to this multiple; beyond it, steps up only until saturation.
REQUIRED_MULTIPLE = 4

FULL = {
    "multiples": [1, 2, 4, 6, 8],
    "step_seconds": 80,
    "ramp": 20,
    "pacing": 20.0,
    "think": [0.3, 1.0],
    # Few enough that rounds reach k = 5 responses of a role within the first step, so that
    # reports are published (and their PDFs rendered by the worker) at the campaign's pace.
    "organisations": 60,
    "costs": True,
    # HR admins who can log in (each with an answered round: 2 s each to seed): enough that
    # one admin seldom has several exports at once.
    "hr_organisations": 30,
}
# The suite's smoke test: two steps of 14 s (4 s ramp-up, 10 s measured) at a small rate,
# every request of both journeys exercised.
SMOKE = {
    "multiples": [1, 2],
    "step_seconds": 14,
    "ramp": 4,
    "pacing": 4.0,
    "think": [0.05, 0.2],
    "organisations": 4,
    "hr_organisations": 1,
    "responses_per_second": 0.4,
    "hr_visits_per_second": 0.2,
}


# The cost pass before the load: one user, one request at a time, for 50 s (10 s not measured).
COSTS = {
    "costs": True,
    "multiples": [1],
    "step_seconds": 50,
    "ramp": 10,
    "pacing": 0.0,
    "think": [0.0, 0.0],
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment(database_url: str | None, var: Path) -> dict[str, str]:
    """Production settings on loopback, as tools/bench.py runs them."""
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="leerkansen.settings")
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    env.update(
        LEERKANSEN_VAR_DIR=str(var),
        STATIC_ROOT=str(var / "static"),
        DJANGO_DEBUG="0",
        SECRET_KEY="loadtest-only-" + "x" * 40,
        ALLOWED_HOSTS="127.0.0.1",
        # Production settings refuse the console backend; the load test sends no real mail.
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        SECURE_SSL_REDIRECT="0",
        LOG_LEVEL="WARNING",
    )
    return env


def postgres_admin(url: str):
    """A connection to the server's maintenance database, in autocommit."""
    import psycopg

    parts = urlparse(url)
    return psycopg.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
        dbname="postgres",
        autocommit=True,
    )


def database_name(url: str) -> str:
    return urlparse(url).path.lstrip("/")


@contextmanager
def database(url: str | None) -> Iterator[None]:
    """A fresh PostgreSQL database named by `url` (dropped after), or nothing for SQLite."""
    if not url:
        yield
        return
    name = database_name(url)
    with postgres_admin(url) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield
    finally:
        if not os.environ.get("LOADTEST_KEEP"):
            with postgres_admin(url) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def prepare(env: dict[str, str], plan: Path, settings: dict) -> dict:
    """Migrate, collect the static files (both at once), seed the campaign; the plan the users
    read."""
    # Hashed names only (the manifest the pages read); compressing 24 MB of Swagger UI with
    # brotli took 75 s, and the load test requests no static file.
    collect = dict(env, DJANGO_SETTINGS_MODULE="collect_settings", PYTHONPATH=str(HERE))
    collecting = subprocess.Popen(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env=collect,
        stdout=subprocess.DEVNULL,
    )
    manage(env, "migrate", "--verbosity", "0")
    if collecting.wait() != 0:
        raise RuntimeError("collectstatic failed")
    # The seeded earlier rounds' PDFs are not the campaign's work: not queued for the worker.
    seed_env = dict(env, REPORT_PDF_AHEAD="0")
    subprocess.run(
        [
            sys.executable,
            str(HERE / "seed.py"),
            str(plan),
            "--organisations",
            str(settings["organisations"]),
            "--hr-organisations",
            str(settings["hr_organisations"]),
        ],
        cwd=ROOT,
        env=seed_env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(plan.read_text())


def wait_for(port: int, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn stopped while starting")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


@contextmanager
def servers(env: dict[str, str], port: int, workers: int, logs: Path) -> Iterator[dict]:
    """gunicorn (sync workers) and one task worker; their pids."""
    gunicorn = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--workers",
            str(workers),
            # Loaded and warmed once, before the workers fork (gunicorn_conf.py).
            "--config",
            str(HERE / "gunicorn_conf.py"),
            "--bind",
            f"127.0.0.1:{port}",
            "--chdir",
            str(ROOT),
            "leerkansen.wsgi:application",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(logs / "gunicorn.log").open("w"),
        start_new_session=True,
    )
    worker = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--queue-name",
            "default,jobs",
            "--no-startup-delay",
            "--no-reload",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(logs / "worker.log").open("w"),
        start_new_session=True,
    )
    try:
        wait_for(port, gunicorn)
        yield {"gunicorn_pid": gunicorn.pid, "worker_pid": worker.pid}
    finally:
        # The measurement is over: no request or task needs to finish. Each server runs in a
        # process group of its own, which goes as a whole (gunicorn's workers too).
        for process in (gunicorn, worker):
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def pages_per_role(plan: dict) -> dict[str, int]:
    return {role: len(variants[0]) for role, variants in plan["pages"].items()}


def locust(
    env: dict[str, str], port: int, config: dict, plan: Path, folder: Path, *users: str
) -> dict:
    """Run the steps headless; their results (locustfile.summary per step), with `users` the
    user classes to run (default: all that are not abstract)."""
    result = folder / "result.json"
    result.unlink(missing_ok=True)
    locust_env = dict(
        env,
        LOADTEST_CONFIG=json.dumps(config),
        LOADTEST_PLAN=str(plan),
        LOADTEST_RESULT=str(result),
    )
    bound = len(config["multiples"]) * config["step_seconds"] + 60
    with (folder / "locust.log").open("a") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "locust",
                "-f",
                str(HERE / "locustfile.py"),
                "--headless",
                "--only-summary",
                "--host",
                f"http://127.0.0.1:{port}",
                "--loglevel",
                "WARNING",
                "--exit-code-on-error",
                "0",
                *users,
            ],
            cwd=HERE,
            env=locust_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        deadline = time.monotonic() + bound
        for line in process.stdout:
            log.write(line)
            if line.startswith(("step ", "cost pass")):
                print("  " + line.rstrip(), flush=True)
            if time.monotonic() > deadline:
                process.kill()
                break
        process.wait()
    if not result.exists():
        raise RuntimeError(f"Locust wrote no results; see {folder / 'locust.log'}")
    return json.loads(result.read_text())


def run(settings: dict, database_url: str | None, workers: int, keep_folder: bool = False) -> dict:
    """Set up, load, tear down; the results with the plan's rates and sizes."""
    folder = Path(tempfile.mkdtemp(prefix="leerkansen-loadtest-"))
    env = environment(database_url, folder)
    port = free_port()
    try:
        with database(database_url):
            plan_file = folder / "plan.json"
            started = time.monotonic()
            plan = prepare(env, plan_file, settings)
            setup_seconds = time.monotonic() - started
            pages = pages_per_role(plan)
            base = campaign.rates(1, pages)
            responses = settings.get("responses_per_second", base.responses_per_second)
            visits = settings.get("hr_visits_per_second", base.hr_visits_per_second)
            config = {
                key: settings[key] for key in ("multiples", "step_seconds", "ramp", "pacing")
            } | {
                "think": settings["think"],
                "role_mix": campaign.ROLE_MIX,
                "respondent_users": responses * settings["pacing"],
                "hr_users": visits * settings["pacing"],
                "p99_limit_ms": P99_LIMIT_MS,
                "required_multiple": settings.get("required_multiple", REQUIRED_MULTIPLE),
                "database_name": database_name(database_url) if database_url else "",
            }
            started = time.monotonic()
            with servers(env, port, workers, folder) as pids:
                serving = time.monotonic()
                costs = (
                    locust(env, port, config | pids | COSTS, plan_file, folder, "CostUser")["costs"]
                    if settings.get("costs")
                    else {}
                )
                results = locust(env, port, config | pids, plan_file, folder)
                loaded = time.monotonic()
            phases = {
                "set-up": setup_seconds,
                "start": serving - started,
                "load": loaded - serving,
                "stop": time.monotonic() - loaded,
            }
            results |= {
                "workers": workers,
                "pages_per_role": pages,
                "responses_per_second_1x": responses,
                "hr_visits_per_second_1x": visits,
                "requests_per_response": campaign.requests_per_response(pages),
                "setup_seconds": setup_seconds,
                "costs": costs,
                "phases": phases,
                "sizes": database_sizes(database_url) if database_url else None,
                "logs": str(folder),
            }
            return results
    finally:
        if not keep_folder:
            shutil.rmtree(folder, ignore_errors=True)


def database_sizes(url: str) -> dict:
    """Tables by total size (pg_total_relation_size: rows, TOAST and indexes) with their rows,
    and the completed responses they hold."""
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as connection:
        rows = connection.execute(
            "SELECT c.relname, pg_total_relation_size(c.oid), pg_indexes_size(c.oid) "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind = 'r' AND n.nspname = 'public' ORDER BY 2 DESC LIMIT 12"
        ).fetchall()
        tables = []
        for name, total, indexes in rows:
            count = connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
            tables.append({"table": name, "rows": count, "bytes": total, "index_bytes": indexes})
        completed = connection.execute(
            "SELECT count(*) FROM survey_response WHERE completed_on IS NOT NULL"
        ).fetchone()[0]
        started = connection.execute("SELECT count(*) FROM survey_response").fetchone()[0]
        total = connection.execute("SELECT pg_database_size(current_database())").fetchone()[0]
        reports = connection.execute(
            "SELECT count(*), avg(octet_length(html)), count(pdf), avg(octet_length(pdf)) "
            "FROM reports_report"
        ).fetchone()
    return {
        "tables": tables,
        "completed": completed,
        "started": started,
        "database_bytes": total,
        "reports": {
            "count": reports[0],
            "html_bytes": float(reports[1] or 0),
            "pdfs": reports[2],
            "pdf_bytes": float(reports[3] or 0),
        },
    }


def smoke(database_url: str | None) -> dict:
    """The suite's 30-second version: a small rate, two steps, 2 gunicorn workers."""
    return run(SMOKE | {"required_multiple": 99}, database_url, workers=2)


# Printing -------------------------------------------------------------------------------------


def print_results(results: dict) -> None:
    steps = results["steps"]
    base = results["responses_per_second_1x"]
    print(
        f"\nBusiest hour (1×): {base * 3600:,.0f} responses/h = {base:.2f} responses/s, "
        f"{results['hr_visits_per_second_1x'] * 3600:,.0f} HR visits/h; "
        f"{results['requests_per_response']:.1f} requests per response "
        f"(pages per role {results['pages_per_role']}); gunicorn: {results['workers']} workers; "
        f"set-up (migrate, static files, seed) {results['setup_seconds']:.0f} s"
    )
    if results.get("costs"):
        print("\nCPU per request, one at a time (ms; gunicorn worker + PostgreSQL backend):")
        print(f"  {'request':<30} {'count':>6} {'app':>7} {'database':>8} {'total':>7}")
        for name, row in results["costs"].items():
            print(
                f"  {name:<30} {row['count']:>6} {row['app_ms']:>7.1f} {row['database_ms']:>8.1f} "
                f"{row['app_ms'] + row['database_ms']:>7.1f}"
            )
    for step in steps:
        cpu = step["cpu_seconds"]
        print(f"\n{step['multiple']:g}× ({step['seconds']:.0f} s measured)")
        print(f"  {'request':<30} {'count':>6} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6}")
        for name, row in step["by_name"].items():
            print(
                f"  {name:<30} {row['count']:>6} {row['p50']:>7.0f} {row['p99']:>7.0f} "
                f"{row['errors']:>6}"
            )
        if step["requests"] and cpu:
            per = ", ".join(
                f"{group} {seconds * 1000 / step['requests']:.1f}"
                for group, seconds in sorted(cpu.items())
            )
            busy = sum(cpu.values()) / step["seconds"] if step["seconds"] else 0
            print(f"  CPU ms per request: {per} (cores busy: {busy:.2f})")
        for message, count in step["error_messages"].items():
            print(f"  error ×{count}: {message}")
    print(
        f"\n{'step':>5} {'target resp/s':>13} {'resp/s':>7} {'HR/s':>5} {'req/s':>6} "
        f"{'p50 ms':>7} {'p99 ms':>7} {'errors':>6}"
    )
    saturation = None
    for step in steps:
        saturated = step["p99"] > P99_LIMIT_MS or step["errors"] > 0
        if saturated and saturation is None:
            saturation = step
        print(
            f"{step['multiple']:>4g}× {base * step['multiple']:>13.2f} "
            f"{step['responses_per_second']:>7.2f} {step['hr_visits_per_second']:>5.2f} "
            f"{step['requests_per_second']:>6.1f} {step['p50']:>7.0f} {step['p99']:>7.0f} "
            f"{step['errors']:>6}{'  saturated' if saturated else ''}"
        )
    by_multiple = {step["multiple"]: step for step in steps}
    one, four = by_multiple.get(1), by_multiple.get(4)
    if saturation:
        print(
            f"\nSaturation point: {saturation['multiple']:g}× the busiest hour "
            f"({saturation['requests_per_second']:.0f} req/s measured: p99 "
            f"{saturation['p99']:.0f} ms, {saturation['errors']} errors)"
        )
    else:
        print(f"\nNo saturation up to {steps[-1]['multiple']:g}× (the highest step run)")
    if one:
        ok = one["p99"] <= P99_LIMIT_MS and one["errors"] == 0
        print(
            f"Target busiest hour p99 ≤ {P99_LIMIT_MS} ms and 0 errors: "
            f"{'met' if ok else 'NOT met'}"
        )
    if four:
        print(f"Target 4× without errors: {'met' if four['errors'] == 0 else 'NOT met'}")
    sizes = results.get("sizes")
    if sizes:
        completed = sizes["completed"] or 1
        print(
            f"\nDatabase after the run: {sizes['database_bytes'] / 2**20:.0f} MiB, "
            f"{sizes['completed']:,} completed responses ({sizes['started']:,} started)"
        )
        reports = sizes["reports"]
        print(
            f"  reports: {reports['count']}, HTML {reports['html_bytes'] / 1024:.0f} KiB each; "
            f"{reports['pdfs']} PDFs stored, {reports['pdf_bytes'] / 1024:.0f} KiB each"
        )
        print(f"  {'table':<36} {'rows':>9} {'MiB':>7} {'index MiB':>9} {'bytes/response':>14}")
        for table in sizes["tables"]:
            print(
                f"  {table['table']:<36} {table['rows']:>9,} {table['bytes'] / 2**20:>7.1f} "
                f"{table['index_bytes'] / 2**20:>9.1f} {table['bytes'] / completed:>14,.0f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description="The campaign's load test (issue 16).")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("LOADTEST_DATABASE_URL", DEFAULT_DATABASE_URL),
        help='PostgreSQL URL of a database to create and drop, or "sqlite"',
    )
    parser.add_argument("--workers", type=int, default=5, help="gunicorn sync workers")
    parser.add_argument("--multiples", default=",".join(map(str, FULL["multiples"])))
    parser.add_argument("--step-seconds", type=int, default=FULL["step_seconds"])
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    settings = FULL | {
        "multiples": [float(m) for m in args.multiples.split(",")],
        "step_seconds": args.step_seconds,
    }
    url = None if args.database_url == "sqlite" else args.database_url
    print(
        f"Load test: {len(settings['multiples'])} steps of at most {settings['step_seconds']} s "
        f"at {args.multiples} × the busiest hour, through gunicorn ({args.workers} workers) and "
        f"{'PostgreSQL' if url else 'SQLite'}; machine load before: {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    results = run(settings, url, args.workers, keep_folder=bool(os.environ.get("LOADTEST_KEEP")))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    print_results(results)
    print(f"\nMachine load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
