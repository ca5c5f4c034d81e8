"""Behind a TLS proxy, HSTS, the language cookie, and bodies over the size limit (issue 15.9)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from tests.api import problem

SRC = Path(__file__).resolve().parents[2] / "src"
LIMIT = 2_621_440


def _settings_with(**env: str) -> dict:
    code = (
        "import json, vinculo.settings as s; print(json.dumps({"
        "'proxy': getattr(s, 'SECURE_PROXY_SSL_HEADER', None), 'hsts': s.SECURE_HSTS_SECONDS,"
        "'lang_secure': s.LANGUAGE_COOKIE_SECURE, 'lang_httponly': s.LANGUAGE_COOKIE_HTTPONLY,"
        "'upload': s.DATA_UPLOAD_MAX_MEMORY_SIZE}))"
    )
    environ = {**os.environ, "PYTHONPATH": str(SRC), **env}
    out = subprocess.run(
        [sys.executable, "-c", code], env=environ, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_proxy_header_hsts_and_secure_language_cookie_come_from_the_environment(tmp_path):
    plain = _settings_with(VINCULO_DATA_DIR=str(tmp_path))
    assert plain["proxy"] is None and plain["hsts"] == 0 and plain["lang_secure"] is False
    assert plain["upload"] == LIMIT
    behind = _settings_with(
        VINCULO_DATA_DIR=str(tmp_path),
        VINCULO_PROXY_SSL_HEADER="X-Forwarded-Proto",
        VINCULO_HSTS_SECONDS="31536000",
        VINCULO_SECURE_COOKIES="true",
    )
    assert behind["proxy"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert behind["hsts"] == 31536000
    assert behind["lang_secure"] is True and behind["lang_httponly"] is True


@override_settings(
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"), SECURE_HSTS_SECONDS=31536000
)
def test_behind_a_tls_proxy_the_app_knows_it_is_on_https_and_sends_hsts(client, db):
    secure = client.get("/login/", HTTP_X_FORWARDED_PROTO="https")
    assert secure["Strict-Transport-Security"] == "max-age=31536000"
    plain = client.get("/login/")
    assert "Strict-Transport-Security" not in plain


@override_settings(LANGUAGE_COOKIE_SECURE=True)
def test_the_language_cookie_is_secure_and_http_only_when_cookies_are_secure(client, db):
    response = client.post("/language/", {"language": "en"})
    cookie = response.cookies["django_language"]
    assert cookie["secure"] is True and cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_an_api_body_over_the_limit_is_a_413_problem_naming_the_limit(ana):
    body = json.dumps({"first_name": "Ana", "notes": "x" * (LIMIT + 10)})
    response = ana.client().post("/api/v1/people", data=body, content_type="application/json")
    doc = problem(response, 413)
    assert doc["limit_bytes"] == LIMIT
    assert "2.5 MB" in doc["detail"] and f"{LIMIT} bytes" in doc["detail"]
    pt = ana.client("pt-br").post("/api/v1/people", data=body, content_type="application/json")
    assert "2,5 MB" in problem(pt, 413)["detail"]


def test_a_web_form_over_the_limit_is_a_readable_413_page(ana):
    response = ana.web().post("/people/new/", {"first_name": "Ana", "notes": "x" * (LIMIT + 10)})
    assert response.status_code == 413
    page = response.content.decode()
    assert "<h1>Too much data</h1>" in page and "2.5 MB" in page


@pytest.mark.django_db(transaction=True)
def test_an_import_file_bigger_than_the_body_limit_still_uploads(ana):
    rows = "".join(f"Pessoa {i};p{i}@exemplo.com.br;{'n' * 40}\n" for i in range(60_000))
    content = ("Nome;E-mail;Obs\n" + rows).encode()
    assert len(content) > LIMIT
    response = ana.web().post(
        "/quality/imports/new/",
        {"object_type": "people", "file": SimpleUploadedFile("grande.csv", content)},
    )
    assert response.status_code == 302, response.content[:500]
