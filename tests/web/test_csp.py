"""Content-Security-Policy (issue 15, item 9): every HTML page carries a policy without
'unsafe-inline' and with a fresh nonce, and no template holds what that policy would refuse
(style attributes, inline event handlers, htmx's eval'd hx-on, inline scripts or styles without
the nonce). tests/browser/test_csp.py checks the same on every screen in a real browser."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

from vinculo.webforms import services as webforms

SRC = Path(__file__).resolve().parents[2] / "src" / "vinculo"
NONCE = re.compile(r"'nonce-([A-Za-z0-9_-]{16,})'")


def directives(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    parts = (part.strip().split(" ", 1) for part in header.split(";") if part.strip())
    return {part[0]: part[1] for part in parts}


def assert_strict(response) -> str:
    """The policy of ``response``: no inline code, no eval, nothing from another origin, not
    framed; returns its nonce."""
    policy = directives(response)
    header = response["Content-Security-Policy"]
    assert "unsafe-inline" not in header and "unsafe-eval" not in header, header
    assert policy["default-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'"
    assert policy["img-src"] == "'self' data:"
    for name in ("script-src", "style-src"):
        assert policy[name].split(" ")[0] == "'self'", policy[name]
    script_nonce = NONCE.search(policy["script-src"])
    style_nonce = NONCE.search(policy["style-src"])
    assert script_nonce and style_nonce and script_nonce.group(1) == style_nonce.group(1)
    return script_nonce.group(1)


def test_a_signed_in_screen_has_the_policy_with_a_fresh_nonce_each_time(ana):
    client = ana.web("pt-br")
    first, second = client.get("/"), client.get("/")
    assert first.status_code == second.status_code == 200
    nonce_1, nonce_2 = assert_strict(first), assert_strict(second)
    assert nonce_1 != nonce_2
    # templates get the same nonce as {{ request.csp_nonce }}
    assert first.wsgi_request.csp_nonce == nonce_1


@pytest.mark.parametrize("path", ["/login/", "/api/v1/docs"])
def test_the_login_page_and_the_api_docs_have_the_policy(db, path):
    response = Client().get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert_strict(response)


def test_an_error_page_has_the_policy(ana):
    response = ana.web().get("/people/999999999/")
    assert response.status_code == 404
    assert_strict(response)


def test_the_hosted_web_form_has_the_policy(ana):
    form = webforms.create_form(
        actor=ana.actor,
        data={
            "name": "Contato",
            "fields": [{"key": "first_name"}, {"key": "email"}],
            "language": "en",
        },
    )
    response = Client().get(f"/f/{form.public_key}")
    assert response.status_code == 200
    assert_strict(response)


def test_json_answers_carry_no_html_policy(ana):
    response = ana.client().get("/api/v1/people")
    assert response.status_code == 200
    assert "Content-Security-Policy" not in response


# What a template must not contain, with the reason shown when it does.
REFUSED = [
    (re.compile(r"""(?<![\w.:-])(style\s*=\s*["'{])""", re.I), "a style attribute (use a class)"),
    (re.compile(r"""(?<![\w.:-])(on[a-z]+\s*=\s*["'{])""", re.I), "an inline event handler"),
    (re.compile(r"""(?<![\w-])(hx-on[:-][^=\s]*\s*=)""", re.I), "hx-on (htmx evals it)"),
    (re.compile(r"""(javascript:)""", re.I), "a javascript: URL"),
    (
        re.compile(
            r"""(<script(?![^>]*\b(?:src|nonce)\s*=)(?![^>]*type="application/json")[^>]*>)""", re.I
        ),
        "an inline <script> without the nonce",
    ),
    (re.compile(r"""(<style(?![^>]*\bnonce\s*=)[^>]*>)""", re.I), "a <style> without the nonce"),
]


def templates() -> list[Path]:
    return sorted(
        path
        for folder in SRC.glob("**/templates")
        for path in folder.glob("**/*")
        if path.suffix in {".html", ".txt"}
    )


def test_no_template_holds_inline_styles_or_handlers():
    assert len(templates()) > 90
    found = []
    for path in templates():
        text = path.read_text(encoding="utf-8")
        for pattern, reason in REFUSED:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                where = path.relative_to(SRC)
                found.append(f"{where}:{line}: {reason}: {match.group(1)}")
    assert not found, "\n".join(found)


def test_the_template_check_catches_each_kind():
    samples = [
        '<p style="color:red">',
        '<p class="x" style="color:red">',
        '<form onsubmit="return confirm()">',
        '<form class="x" {% translate "Sure?" as ask %}onsubmit="return confirm()">',
        "<p {% if x %}style='color:red'{% endif %}>",
        '<div hx-on:htmx:before-swap="x()">',
        '<a href="javascript:void(0)">',
        "<script>alert(1)</script>",
        "<style>p{}</style>",
    ]
    for sample in samples:
        assert any(pattern.search(sample) for pattern, _ in REFUSED), sample
    allowed = [
        '<script src="/static/x.js" defer></script>',
        '<script type="application/json" id="s">{}</script>',
        '<script nonce="{{ request.csp_nonce }}">x()</script>',
        '<style nonce="{{ request.csp_nonce }}">p{}</style>',
        '<input data-onion="1" name="styles">',
        "<p>Based on = the person's choice; style = plain</p>",
    ]
    for sample in allowed:
        assert not any(pattern.search(sample) for pattern, _ in REFUSED), sample
