"""Research exports at scale (issues 6 and 16), for `make bench`: seconds and peak memory per
format, at 10,000 and 100,000 respondents.

`bench_exports(n)` makes `n` completed responses (10 per round, one round per organisation,
every section answered, "weet niet" and free text here and there), their reports and three
action ratings per round, in a throw-away SQLite database in a temporary folder; then it
writes each dataset in each format the way the export jobs do (exports.py: the row count,
then the file with a progress hook) and returns one line per export. The data is made in
bulk (bulk_create, and INSERT … SELECT for the answers), so that making 100k respondents
takes seconds, not the hours of the real path.

The work runs in a child process; its peak memory is measured per export by resetting the
kernel's high-water mark (VmHWM, via /proc/self/clear_refs) before each one.

Run alone: .venv/bin/python tools/bench_exports.py [n] (default: 10,000, then 100,000)
"""

from __future__ import annotations

import gc
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESPONSES_PER_ROUND = 10
RATINGS_PER_ROUND = 3
# The exports measured: every dataset as CSV, the two largest in every format.
MEASURED = [
    ("responses", "csv"),
    ("responses", "xlsx"),
    ("responses", "sav"),
    ("scores", "csv"),
    ("scores", "xlsx"),
    ("scores", "sav"),
    ("practices", "csv"),
    ("needs", "csv"),
    ("ratings", "csv"),
]
TIMEOUT_SECONDS = 1800
# Runs of each export at 10,000 respondents; the fastest is printed.
ROUNDS = 3


def _environment(folder: str) -> dict[str, str]:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="leerkansen.settings")
    # Always SQLite in the temporary folder: the bench writes millions of rows.
    env.pop("DATABASE_URL", None)
    env.update(
        LEERKANSEN_VAR_DIR=folder,
        DJANGO_DEBUG="0",
        SECRET_KEY="bench-only-" + "x" * 40,
        ALLOWED_HOSTS="127.0.0.1",
        # Production settings refuse the console backend; the bench sends no real mail.
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    return env


def bench_exports(n: int = 100_000) -> list[str]:
    """Make `n` respondents in a throw-away database and measure every export; one line each."""
    folder = tempfile.mkdtemp(prefix="leerkansen-bench-exports-")
    try:
        env = _environment(folder)
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--verbosity", "0"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        result = subprocess.run(
            [sys.executable, __file__, "--child", str(n)],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
        )
        return result.stdout.splitlines()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# The child process ---------------------------------------------------------------------------


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _current_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _reset_peak() -> bool:
    """Set the high-water mark to the present memory use (Linux ≥ 4.0)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _make_data(n: int) -> tuple[int, int]:
    """`n` completed responses with answers, reports and ratings; (rounds, answers)."""
    from django.db import connection, transaction

    from leerkansen.content.questionnaire import get_questionnaire
    from leerkansen.modelversions.services import get_active_model
    from leerkansen.organisations.models import Organisation
    from leerkansen.reports.models import ActionRating, Report
    from leerkansen.survey.models import Assessment, Response

    questionnaire = get_questionnaire()
    model = get_active_model()
    actions = [item.action for item in questionnaire.items("C")]
    sectors = ["C", "F", "G", "P", "Q", "O"]
    sizes = [choice for choice, _label in Organisation.SizeBand.choices]
    rounds = max(1, n // RESPONSES_PER_ROUND)
    with transaction.atomic():
        organisations = Organisation.objects.bulk_create(
            Organisation(
                name=f"Organisatie {index}",
                sector=sectors[index % len(sectors)],
                size_band=sizes[index % len(sizes)],
            )
            for index in range(rounds)
        )
        assessments = Assessment.objects.bulk_create(
            Assessment(
                organisation=organisation,
                questionnaire_version=questionnaire.version,
                roles=["hr", "medewerker"],
                title="Ronde",
                # The responses dataset holds closed rounds only (research/suppression.py).
                status=Assessment.Status.CLOSED,
            )
            for organisation in organisations
        )
        Response.objects.bulk_create(
            (
                Response(
                    assessment=assessments[index % rounds],
                    role="medewerker" if index % 5 else "hr",
                    resume_token_hash=f"{index:064x}",
                    completed_on=date(2026, 1 + index % 12, 1 + index % 28),
                )
                for index in range(n)
            ),
            batch_size=5000,
        )
        # Every item once per response, in one statement: number, code or (E_open) text;
        # "weet niet" (a row without a value) on one in 17 answers of the items that offer it.
        items = []
        for k, item in enumerate(questionnaire.items()):
            numbers = [o.value for o in item.options if isinstance(o.value, int)]
            codes = [o.value for o in item.options if isinstance(o.value, str)]
            items.append(
                (
                    k,
                    item.id,
                    max(numbers) if numbers else 0,
                    codes[k % len(codes)] if codes else "",
                    int(item.allows_dont_know),
                    int(item.scale == "text"),
                )
            )
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE bench_items (k INTEGER, item_id TEXT, top INTEGER, "
                "code TEXT, dont_know INTEGER, free INTEGER)"
            )
            cursor.executemany("INSERT INTO bench_items VALUES (%s, %s, %s, %s, %s, %s)", items)
            cursor.execute(
                """
                INSERT INTO survey_answer (response_id, item_id, number, code, text)
                SELECT r.id, i.item_id,
                  CASE WHEN i.top > 0 AND NOT (i.dont_know = 1 AND (r.id + i.k) % 17 = 0)
                       THEN (r.id * 7 + i.k * 13) % i.top + 1 END,
                  CASE WHEN i.dont_know = 1 AND (r.id + i.k) % 17 = 0 THEN '' ELSE i.code END,
                  CASE WHEN i.free = 1 THEN 'Vrije tekst van respondent ' || r.id ELSE '' END
                FROM survey_response r CROSS JOIN bench_items i
                WHERE i.free = 0 OR r.id % 10 = 0
                """
            )
            cursor.execute("SELECT COUNT(*) FROM survey_answer")
            answers = cursor.fetchone()[0]
            cursor.execute("DROP TABLE bench_items")
        profiles = [profile.id for profile in model.profiles]
        Report.objects.bulk_create(
            (
                Report(
                    assessment=assessment,
                    questionnaire_version=questionnaire.version,
                    model_version=model.version,
                    catalogue_version="bench",
                    response_count=RESPONSES_PER_ROUND,
                    scores={str(c): float((index * 7 + c * 11) % 100) for c in range(1, 10)},
                    profile={
                        "id": profiles[index % len(profiles)],
                        "probability": 0.8,
                        "probabilities": {
                            p: (0.8 if i == index % len(profiles) else 0.2 / (len(profiles) - 1))
                            for i, p in enumerate(profiles)
                        },
                        "nearest_prototype": profiles[index % len(profiles)],
                    },
                    top3=[],
                    needs=[{"challenge": c, "urgency": 3.5} for c in (1, 4, 9)],
                    practices={a: "al" for a in actions[index % 7 :: 3]},
                )
                for index, assessment in enumerate(assessments)
            ),
            batch_size=2000,
        )
        ActionRating.objects.bulk_create(
            (
                ActionRating(
                    assessment=assessment,
                    action_id=actions[(index + offset * 5) % len(actions)],
                    relevance=1 + (index + offset) % 5,
                    feasibility=1 + (index * 3 + offset) % 5,
                    recommended=offset == 0,
                )
                for index, assessment in enumerate(assessments)
                for offset in range(RATINGS_PER_ROUND)
            ),
            batch_size=5000,
        )
    return rounds, answers


def _measure(
    dataset: str, file_format: str, folder: Path
) -> tuple[float, float, float, float, int]:
    """(seconds, CPU seconds, peak MB, MB before, bytes written) of one export."""
    from leerkansen.research import exports
    from leerkansen.research.exports import ExportFilter

    gc.collect()
    reset = _reset_peak()
    before = _current_mb()
    start, cpu = time.perf_counter(), time.process_time()
    export_filter = ExportFilter()
    path = folder / f"{dataset}.{file_format}"
    # As a job writes it (research/jobs.py): the row count first, then the file.
    exports.export_row_count(dataset, export_filter)
    write = {"csv": exports.export_csv_file, "xlsx": exports.export_xlsx}.get(
        file_format, exports.export_sav
    )
    write(path, dataset, export_filter, progress=lambda rows: None)
    size = path.stat().st_size
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    peak = _peak_mb() if reset else float("nan")
    path.unlink(missing_ok=True)
    return seconds, cpu, peak, before, size


def child(n: int) -> None:
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    # Loaded once per process: not part of an export's cost.
    from leerkansen.research import exports  # noqa: F401

    start = time.perf_counter()
    rounds, answers = _make_data(n)
    print(
        f"research exports: {n} respondents in {rounds} rounds, {answers} answers "
        f"(made in {time.perf_counter() - start:.1f} s, SQLite)"
    )
    if n <= 10_000:
        print(f"each export run {ROUNDS} times, the fastest printed")
    print(f"{'export':<18} {'seconds':>8} {'cpu s':>6} {'file MB':>8} {'peak MB':>8} {'+MB':>6}")
    # The machine may be shared: at 10,000 each export runs ROUNDS times and the fastest run
    # counts (the least disturbed one, as timeit does); at 100,000 once.
    rounds_per_export = ROUNDS if n <= 10_000 else 1
    with tempfile.TemporaryDirectory() as folder:
        for dataset, file_format in MEASURED:
            seconds, cpu, peak, before, size = min(
                _measure(dataset, file_format, Path(folder)) for _ in range(rounds_per_export)
            )
            print(
                f"{dataset + ' ' + file_format:<18} {seconds:8.2f} {cpu:6.2f} "
                f"{size / 2**20:8.1f} {peak:8.0f} {peak - before:6.0f}",
                flush=True,
            )
    print(
        "cpu s: the process's CPU time (the database is SQLite, in the process: on a busy "
        "machine closer to the unloaded time than seconds); "
        "peak MB: the process's peak resident memory during the export; +MB: above what it "
        "held before it. CSV and XLSX are written row by row; SPSS spools the rows to a "
        "temporary file once, then writes them in batches. Targets (issue 16): responses "
        "CSV <= 2 s and XLSX <= 5 s at 10,000 (LimeSurvey 6.4: 3.8 s and 7.7 s)."
    )


# The sizes `make bench` measures: LimeSurvey's comparison (10,055 responses) and 10 times it.
SIZES = (10_000, 100_000)

if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(int(sys.argv[2]))
    else:
        for number, size in enumerate([int(sys.argv[1])] if len(sys.argv) > 1 else SIZES):
            print(("\n" if number else "") + "\n".join(bench_exports(size)), flush=True)
