"""The settings module as production and a local checkout see it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "0",
    "SECRET_KEY": "a-production-secret-that-is-long-and-random-" + "x" * 30,
    "ALLOWED_HOSTS": "leerkansen.example.org",
    "EMAIL_HOST": "smtp.leerkansen.example.org",
}


# Set by this test process (DJANGO_ALLOW_ASYNC_UNSAFE for the browser tests) or the caller's
# shell; the command under test must see only the environment each test gives it.
NOT_INHERITED = {
    "DJANGO_DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "EMAIL_HOST",
    "EMAIL_BACKEND",
}


def run_manage(*args: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    full_env = {key: value for key, value in os.environ.items() if key not in NOT_INHERITED}
    full_env.update(env, LEERKANSEN_VAR_DIR=str(tmp_path), STATIC_ROOT=str(tmp_path / "static"))
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_production_settings(tmp_path):
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV, tmp_path=tmp_path
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = run_manage("check", env=env, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize(
    "mail", [{}, {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}]
)
def test_production_refuses_to_start_with_the_console_mail_backend(tmp_path, mail):
    # The console backend would print invitation and password-reset links to the log.
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "EMAIL_HOST"} | mail
    result = run_manage("check", env=env, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "EMAIL_HOST must be set" in result.stderr


def test_production_starts_with_a_mail_backend_the_deployer_chose(tmp_path):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "EMAIL_HOST"} | {
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"
    }
    result = run_manage("check", env=env, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr


def test_local_checkout_generates_and_keeps_a_secret_key(tmp_path):
    for _ in range(2):
        result = run_manage("check", env={"DJANGO_DEBUG": "1"}, tmp_path=tmp_path)
        assert result.returncode == 0, result.stderr
    key = (tmp_path / "secret_key").read_text()
    assert len(key) >= 50
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"


def test_interface_is_dutch():
    assert settings.LANGUAGE_CODE == "nl"
    assert settings.USE_I18N


@pytest.mark.django_db
def test_sqlite_runs_in_wal_mode_with_a_busy_timeout():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    if settings.DATABASES["default"]["NAME"] in {":memory:", ""} or "memory" in str(
        connection.settings_dict["NAME"]
    ):
        # The test database is in memory; check the configured options instead.
        options = settings.DATABASES["default"]["OPTIONS"]
        assert "journal_mode=WAL" in options["init_command"]
        assert options["timeout"] >= 5
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
