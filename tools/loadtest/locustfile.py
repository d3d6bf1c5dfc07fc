"""The campaign's users, driven by tools/loadtest/run.py (`make loadtest`); not run by hand.

Respondents open a shared link of a random organisation, answer every page of their role's
questionnaire and send; HR admins log in, look at their rounds and report and download their
organisation's data. Every HTTP request is one sample, named after its step ("respondent: save
page"); redirects are followed by the next request, not by the client.

The rate is set by the number of users: each user starts one journey (a response, a visit) every
PACING seconds (constant pacing, after a random first delay so that journeys spread evenly),
so users = rate × pacing. StepShape multiplies the users by each step's multiple of the busiest
hour; the first `ramp` seconds of a step let the new users spread out and are not measured.
After the required steps (up to 4×) it goes on stepping up only until a step saturates (p99 over
the limit or any error), within the steps it was given.

Configuration comes from the runner in LOADTEST_CONFIG (JSON) and the seeded plan in the file
named by LOADTEST_PLAN; the per-step results go to the file named by LOADTEST_RESULT.
"""

from __future__ import annotations

import json
import math
import os
import random
import re
import time
from http.cookiejar import DefaultCookiePolicy
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlencode

import gevent
from locust import FastHttpUser, LoadTestShape, events, task

CONFIG = json.loads(os.environ.get("LOADTEST_CONFIG", "{}"))
PLAN = json.loads(Path(os.environ["LOADTEST_PLAN"]).read_text()) if CONFIG else {}
ROLE_MIX = CONFIG.get("role_mix", {})
PACING = CONFIG.get("pacing", 20.0)
THINK = CONFIG.get("think", [0.3, 1.0])
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
# An export job not ready after this long counts as an error.
JOB_SECONDS = 120
# The request type of samples that are no HTTP request (a wait, a journey gone wrong): errors
# count, times are left out of the step's totals.
NOT_HTTP = "NOT_HTTP"


class LoopbackCookies(DefaultCookiePolicy):
    """Production cookies are Secure (the TLS proxy serves https); on loopback the server
    speaks plain http, so send them anyway, as the browser does behind the proxy."""

    def return_ok_secure(self, cookie, request) -> bool:
        return True


class Failed(Exception):
    """Ends a journey; `recorded` when a failed request already counts it as an error."""

    def __init__(self, message: str = "", recorded: bool = False) -> None:
        super().__init__(message)
        self.recorded = recorded


def journey_failed(name: str, failure: Failed) -> None:
    """Count a journey that went wrong without a failed request (an unexpected page, a form
    without its CSRF token) as an error of `name`."""
    if not failure.recorded:
        events.request.fire(
            request_type=NOT_HTTP,
            name=name,
            response_time=0,
            response_length=0,
            exception=failure,
            context={},
        )


class Visitor(FastHttpUser):
    abstract = True

    def on_start(self) -> None:
        self.client.cookiejar.set_policy(LoopbackCookies())
        # Spread the journeys over the pacing interval instead of starting them together.
        gevent.sleep(random.uniform(0, PACING))
        self.next_journey = time.monotonic()

    def wait_time(self) -> float:
        """Until this user's next journey: one every PACING seconds counted from its own first,
        whatever a journey took. (Locust's constant_pacing counts the first from the user's
        spawn, so the random first delay shortened the first wait and every user with a short
        delay began its second journey at the same moment: the load came in waves.)"""
        self.next_journey += PACING
        return max(0.0, self.next_journey - time.monotonic())

    def think(self) -> None:
        gevent.sleep(random.uniform(*THINK))

    def call(
        self, method: str, path: str, name: str, expect: int | tuple, data: dict | None = None
    ):
        """One request without following a redirect; a failure unless the status is `expect`
        (and, for a redirect, a Location). Returns the response; raises Failed on failure,
        which ends the journey."""
        body = urlencode(data) if data is not None else None
        with self.client.request(
            method,
            path,
            name=name,
            data=body,
            headers=FORM if body else None,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            expected = expect if isinstance(expect, tuple) else (expect,)
            if response.status_code not in expected:
                where = response.headers.get("Location", "")
                response.failure(
                    f"{method} {name}: HTTP {response.status_code}, not {expect}"
                    + (f" (to {where.split('?')[0]})" if where else "")
                )
                raise Failed(recorded=True)
            if response.status_code == 302 and not response.headers.get("Location"):
                response.failure(f"{method} {name}: a redirect without a Location")
                raise Failed(recorded=True)
            response.success()
        return response

    @staticmethod
    def token(response) -> str:
        found = CSRF.search(response.text or "")
        if not found:
            raise Failed("a form without its CSRF token")
        return found.group(1)


class Respondent(Visitor):
    weight = CONFIG.get("respondent_users", 1)

    @task
    def respond(self) -> None:
        self.client.cookiejar.clear()
        role = random.choices(list(ROLE_MIX), weights=list(ROLE_MIX.values()))[0]
        link = random.choice(PLAN["links"])[role]
        pages = random.choice(PLAN["pages"][role])
        try:
            path = self.call("GET", link, "respondent: open link", 302).headers["Location"]
            for section_id, fields in pages:
                expected = f"/vragenlijst/stap/{section_id}/"
                if path != expected:
                    raise Failed(f"went to {path.split('?')[0]}, not {expected}")
                page = self.call("GET", path, "respondent: page", 200)
                self.think()
                form = {"csrfmiddlewaretoken": self.token(page), **fields, "navigate": "next"}
                path = self.call("POST", path, "respondent: save page", 302, form).headers[
                    "Location"
                ]
            overview = self.call("GET", path, "respondent: overview", 200)
            self.think()
            form = {"csrfmiddlewaretoken": self.token(overview)}
            thanks = self.call("POST", path, "respondent: send", 302, form).headers["Location"]
            self.call("GET", thanks, "respondent: thank-you page", 200)
        except Failed as failure:
            journey_failed("respondent: journey", failure)


class HRAdmin(Visitor):
    weight = CONFIG.get("hr_users", 1)

    @task
    def visit(self) -> None:
        self.client.cookiejar.clear()
        admin = random.choice(PLAN["admins"])
        try:
            login = self.call("GET", "/account/inloggen/", "hr: login page", 200)
            self.think()
            form = {
                "csrfmiddlewaretoken": self.token(login),
                "username": admin["email"],
                "password": PLAN["password"],
            }
            home = self.call("POST", "/account/inloggen/", "hr: log in", 302, form)
            page = self.call("GET", home.headers["Location"], "hr: dashboard", 200)
            self.think()
            self.call("GET", "/organisatie/rondes/", "hr: rounds", 200)
            self.think()
            self.call("GET", f"/organisatie/rondes/{admin['round']}/", "hr: round", 200)
            self.think()
            page = self.call("GET", f"/rapport/{admin['report']}/", "hr: report", 200)
            self.think()
            page = self.start_export()
            form = {"csrfmiddlewaretoken": self.token(page)}
            self.call("POST", "/account/uitloggen/", "hr: log out", 302, form)
        except Failed as failure:
            journey_failed("hr: visit", failure)

    def start_export(self):
        """The HR admin's export: the organisation's data download (POST, a zip of CSVs).

        Either a direct download (200, the file) or a background job (302 to the job's page):
        then the page, its state polled every second as the page's script does, and the file
        once it is ready. The wait from the POST until the file is ready is recorded as
        "hr: export ready" (not an HTTP request: left out of the step's totals). Returns a
        page with a CSRF token to log out from.
        """
        page = self.call("GET", "/organisatie/gegevens/", "hr: data page", 200)
        self.think()
        form = {"csrfmiddlewaretoken": self.token(page)}
        started = time.perf_counter()
        answer = self.call(
            "POST", "/organisatie/gegevens/download.zip", "hr: data download", (200, 302), form
        )
        if answer.status_code == 302:
            job = answer.headers["Location"]
            self.call("GET", job, "hr: job page", 200)
            deadline = time.monotonic() + JOB_SECONDS
            status = ""
            while status not in ("done", "failed") and time.monotonic() < deadline:
                gevent.sleep(1)
                state = self.call("GET", f"{job}stand/", "hr: job state", 200)
                status = json.loads(state.text or "{}").get("status", "")
            wait = (time.perf_counter() - started) * 1000
            error = (
                None
                if status == "done"
                else Failed(f"export job {status or 'not done'}", recorded=True)
            )
            events.request.fire(
                request_type=NOT_HTTP,
                name="hr: export ready",
                response_time=wait,
                response_length=0,
                exception=error,
                context={},
            )
            if error:
                raise error
            self.call("GET", f"{job}download/", "hr: job download", 200)
        return page


class CostUser(Respondent, HRAdmin):
    """The cost pass (run.py --costs): one user, a response then an HR visit, again and again,
    so that the server handles one request at a time and its CPU between two requests is the
    CPU of the one that just ended (see cost_of)."""

    abstract = not CONFIG.get("costs")
    tasks: ClassVar[list] = [Respondent.respond, HRAdmin.visit]


# Results --------------------------------------------------------------------------------------

STATE = {"step": -1, "measuring": False}
SAMPLES: list[list[tuple[str, float, str, bool]]] = []  # per step: (name, ms, error, is HTTP)
CPU: list[dict[str, float]] = []  # per step, seconds of CPU per process group, measured part
WINDOWS: list[float] = []  # per step, seconds measured


COSTS: dict[str, list[tuple[float, float]]] = {}  # name: (app CPU ms, database CPU ms)
COST_STATE: dict = {"pids": {}, "listed": 0.0, "last": {}}


def schedstat_ms(pid: int) -> float | None:
    """CPU time of the process's main thread in ms, to the nanosecond (/proc/<pid>/schedstat)."""
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e6
    except (OSError, ValueError, IndexError):
        return None


@events.request.add_listener
def cost_of(request_type, name, exception=None, **kwargs) -> None:
    """In the cost pass: the CPU the server's processes used since the previous request."""
    if not CONFIG.get("costs") or request_type == NOT_HTTP:
        return
    if time.monotonic() - COST_STATE["listed"] > 2:
        COST_STATE["pids"] = {
            pid: group for pid, group in cpu_groups().items() if group in ("gunicorn", "postgres")
        }
        COST_STATE["listed"] = time.monotonic()
    spent = {"gunicorn": 0.0, "postgres": 0.0}
    now = {}
    for pid, group in COST_STATE["pids"].items():
        value = schedstat_ms(pid)
        if value is None:
            continue
        now[pid] = value
        before = COST_STATE["last"].get(pid)
        if before is not None:
            spent[group] += value - before
    complete = set(now) <= set(COST_STATE["last"])
    COST_STATE["last"] = now
    if STATE["measuring"] and complete and not exception:
        COSTS.setdefault(name, []).append((spent["gunicorn"], spent["postgres"]))


@events.request.add_listener
def record(request_type, name, response_time, exception=None, **kwargs) -> None:
    if STATE["measuring"]:
        sample = (name, response_time, str(exception or ""), request_type != NOT_HTTP)
        SAMPLES[STATE["step"]].append(sample)


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (share 0.99: the value 99% of the samples do not exceed)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = math.ceil(share * len(ordered) - 1e-9)
    return ordered[min(len(ordered), max(rank, 1)) - 1]


def summary(step: int) -> dict:
    samples = SAMPLES[step]
    seconds = WINDOWS[step] if step < len(WINDOWS) else 0.0
    names: dict[str, list[float]] = {}
    errors: dict[str, int] = {}
    messages: dict[str, int] = {}
    for name, ms, error, _http in samples:
        names.setdefault(name, []).append(ms)
        if error:
            errors[name] = errors.get(name, 0) + 1
            messages[error] = messages.get(error, 0) + 1
    requests = [sample for sample in samples if sample[3]]
    times = [ms for _name, ms, _error, _http in requests]
    sent = sum(1 for name, _ms, error, _http in samples if name == "respondent: send" and not error)
    visits = sum(1 for name, _ms, error, _http in samples if name == "hr: log out" and not error)
    return {
        "multiple": CONFIG["multiples"][step],
        "seconds": seconds,
        "requests": len(requests),
        "requests_per_second": len(requests) / seconds if seconds else 0.0,
        "responses_per_second": sent / seconds if seconds else 0.0,
        "hr_visits_per_second": visits / seconds if seconds else 0.0,
        "p50": percentile(times, 0.50),
        "p99": percentile(times, 0.99),
        "errors": sum(errors.values()),
        "error_messages": dict(sorted(messages.items(), key=lambda kv: -kv[1])[:5]),
        "cpu_seconds": CPU[step] if step < len(CPU) else {},
        "by_name": {
            name: {
                "count": len(values),
                "p50": percentile(values, 0.50),
                "p99": percentile(values, 0.99),
                "errors": errors.get(name, 0),
            }
            for name, values in sorted(names.items())
        },
    }


def saturated(result: dict) -> bool:
    return result["p99"] > CONFIG["p99_limit_ms"] or result["errors"] > 0


# CPU of the server's processes (gunicorn workers, task worker, this database's PostgreSQL
# backends), sampled every second so that a process that ends between samples loses little.


def cpu_groups() -> dict[int, str]:
    """pid → group of every process to count."""
    groups: dict[int, str] = {}
    master, worker, database = (
        CONFIG.get("gunicorn_pid"),
        CONFIG.get("worker_pid"),
        CONFIG.get("database_name"),
    )
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        pid = int(entry)
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            if pid == os.getpid():
                groups[pid] = "locust"
            elif pid == worker or parent == worker:
                groups[pid] = "task worker"
            elif parent == master:
                groups[pid] = "gunicorn"
            elif database and stat.split(" (", 1)[1].startswith("postgres"):
                command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
                if f" {database} " in command:
                    groups[pid] = "postgres"
        except (OSError, ValueError, IndexError):
            continue
    return groups


def cpu_of(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def sample_cpu() -> None:
    seen: dict[int, float] = {}
    while True:
        for pid, group in cpu_groups().items():
            now = cpu_of(pid)
            if now is None:
                continue
            before = seen.get(pid)
            seen[pid] = now
            if before is not None and STATE["measuring"]:
                bucket = CPU[STATE["step"]]
                bucket[group] = bucket.get(group, 0.0) + now - before
        gevent.sleep(1)


class StepShape(LoadTestShape):
    """Steps of CONFIG["step_seconds"], at CONFIG["multiples"] times the busiest hour."""

    def __init__(self) -> None:
        super().__init__()
        self.stopped_after: int | None = None
        self.measure_start = 0.0
        if CONFIG.get("gunicorn_pid"):
            gevent.spawn(sample_cpu)

    def tick(self):
        run_time = self.get_run_time()
        step = int(run_time // CONFIG["step_seconds"])
        if step != STATE["step"]:
            if STATE["step"] >= 0:
                self.close_step(STATE["step"])
            if step >= len(CONFIG["multiples"]) or self.stopped_after is not None:
                STATE["measuring"] = False
                return None
            STATE.update(step=step, measuring=False)
            SAMPLES.append([])
            CPU.append({})
        if not STATE["measuring"] and run_time - step * CONFIG["step_seconds"] >= CONFIG["ramp"]:
            STATE["measuring"] = True
            self.measure_start = time.monotonic()
        users = CONFIG["respondent_users"] + CONFIG["hr_users"]
        count = 1 if CONFIG.get("costs") else max(2, round(users * CONFIG["multiples"][step]))
        return count, count

    def close_step(self, step: int) -> None:
        WINDOWS.append(time.monotonic() - self.measure_start if STATE["measuring"] else 0.0)
        STATE["measuring"] = False
        result = summary(step)
        label = "cost pass (one request at a time)" if CONFIG.get("costs") else f"step {step + 1}"
        print(
            f"{label}: {result['multiple']:g}× — "
            f"{result['requests_per_second']:.1f} req/s, "
            f"p50 {result['p50']:.0f} ms, p99 {result['p99']:.0f} ms, {result['errors']} errors",
            flush=True,
        )
        required = CONFIG["multiples"][step] >= CONFIG["required_multiple"]
        if required and saturated(result):
            self.stopped_after = step


@events.quitting.add_listener
def write_results(environment, **kwargs) -> None:
    if not CONFIG:
        return
    steps = [summary(step) for step in range(len(WINDOWS))]
    costs = {
        name: {
            "count": len(values),
            "app_ms": sum(app for app, _db in values) / len(values),
            "database_ms": sum(db for _app, db in values) / len(values),
        }
        for name, values in sorted(COSTS.items())
    }
    Path(os.environ["LOADTEST_RESULT"]).write_text(json.dumps({"steps": steps, "costs": costs}))
