"""The `vinculo` command: createworkspace, token, check, and `serve --demo` end to end."""

from __future__ import annotations

import io
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client

from vinculo.core.tenancy import ApiToken, Membership, Role, Workspace

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_createworkspace_prints_a_one_time_password_that_works(db):
    out = _run("createworkspace", "Sorveteria Sol", "--owner", "Sol@Sol.test")
    password = re.search(r"One-time password \(shown once\): (\S+)", out).group(1)
    workspace = Workspace.objects.get(slug="sorveteria-sol")
    assert Membership.objects.get(workspace=workspace).role == Role.OWNER
    assert Client().login(username="sol@sol.test", password=password)


def test_createworkspace_explains_bad_input(db):
    with pytest.raises(CommandError, match="owner_email"):
        _run("createworkspace", "X", "--owner", "not-an-email")
    with pytest.raises(CommandError, match="default_currency"):
        _run("createworkspace", "X", "--owner", "x@x.test", "--currency", "ABC")
    assert not Workspace.objects.exists()


def test_token_create_prints_a_working_token_once(ana):
    out = _run("token", "create", "--workspace", ana.workspace.slug, "--user", ana.user.email)
    token = out.strip()
    assert token.startswith("vk_")
    response = Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/v1/me")
    assert response.status_code == 200
    listed = _run("token", "list", "--workspace", ana.workspace.slug, "--user", ana.user.email)
    assert token not in listed
    token_id = ApiToken.objects.get(prefix=token.split("_")[1]).pk
    _run(
        "token",
        "revoke",
        str(token_id),
        "--workspace",
        ana.workspace.slug,
        "--user",
        ana.user.email,
    )
    assert Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/v1/me").status_code == 401


def test_token_refuses_outsiders(ana, carla):
    with pytest.raises(CommandError, match="not a member"):
        _run("token", "create", "--workspace", ana.workspace.slug, "--user", carla.user.email)


def test_check_reports_health(db):
    out = _run("healthcheck")
    for name in ("database", "migrations", "tasks", "outbox"):
        assert re.search(rf"ok\s+{name}", out), out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="serves the embedded SQLite default")
def test_serve_demo_serves_a_working_login(tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VINCULO_", "DATABASE_URL"))}
    env.update(VINCULO_DATA_DIR=str(tmp_path / "var"), PYTHONPATH=str(ROOT / "src"))
    process = subprocess.Popen(
        [sys.executable, "-m", "vinculo", "serve", "--demo", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        health = None
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:  # noqa: S310
                    health = response.status
                    break
            except OSError:
                time.sleep(0.3)
        assert health == 200
        with urllib.request.urlopen(f"{base}/login/", timeout=5) as response:  # noqa: S310
            assert 'name="password"' in response.read().decode()
        assert (tmp_path / "var" / "vinculo.sqlite3").exists()
        assert (tmp_path / "var" / "secret_key").exists()
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    assert f"{base}/login/" in output
    assert "demo@vinculo.local" in output


def test_processes_starting_together_on_a_new_data_dir_share_one_secret_key(tmp_path):
    """Web and workers may start at the same moment on a fresh data dir: exactly one of them
    writes the key, every one of them signs with it. (Two `vinculo worker` processes started
    together once failed here with FileExistsError; the window is narrow, so this guards the
    invariant rather than reproducing the race every time.)"""
    env = {k: v for k, v in os.environ.items() if not k.startswith("VINCULO_")}
    env.update(VINCULO_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="vinculo.settings")
    # Each process imports everything the settings need, then waits for the same instant to
    # read them, so the six first reads of the data dir really overlap.
    code = (
        "import sys, time, secrets, os, dj_database_url, vinculo.core.env\n"
        "time.sleep(max(0.0, float(sys.argv[1]) - time.time()))\n"
        "from vinculo import settings\n"
        "print(settings.SECRET_KEY)"
    )
    start = str(time.time() + 3)
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", code, start], env=env, stdout=subprocess.PIPE, text=True
        )
        for _ in range(6)
    ]
    keys = {p.communicate(timeout=60)[0].strip() for p in processes}
    assert all(p.returncode == 0 for p in processes)
    assert keys == {(tmp_path / "secret_key").read_text().strip()}
    assert sorted(f.name for f in tmp_path.iterdir() if "secret" in f.name) == ["secret_key"]
