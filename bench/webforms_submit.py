"""Web forms: public submits per second (new people, then the same people again: updates) and
tracking page views per second, through the real endpoints (Django's whole request stack, no
network) on a fresh database.

``python -m bench.webforms_submit [--submits 2000] [--views 5000]``; uses ``VINCULO_DATA_DIR``
(or a temporary directory) and ``DATABASE_URL`` when set. The rate limits are lifted and the
form's minimum time is 0 for the run. Writes ``bench/results/<date>-webforms-<db>.json`` and
``.md`` with the machine and the sizes.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
HOST = "127.0.0.1"


def _setup() -> None:
    if not os.environ.get("VINCULO_DATA_DIR"):
        os.environ["VINCULO_DATA_DIR"] = tempfile.mkdtemp(prefix="bench-webforms-")
    for name in ("RATE_PER_IP", "RATE_PER_FORM", "RATE_COLLECT"):
        os.environ[f"VINCULO_WEBFORMS_{name}"] = "100000000/60"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vinculo.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _workspace() -> Any:
    from vinculo.core.actor import Source
    from vinculo.webforms import services, tracking
    from vinculo.workspaces import services as workspaces
    from vinculo.workspaces.selectors import actor_for

    stamp = datetime.now(UTC).strftime("%H%M%S%f")
    new = workspaces.create_workspace(
        name=f"Bench forms {stamp}",
        owner_email=f"bench-{stamp}@forms.test",
        owner_password="bench-forms-password-1",  # noqa: S106
    )
    actor = actor_for(new.owner, new.workspace, source=Source.API)
    form = services.create_form(
        actor=actor,
        data={
            "name": "Bench",
            "fields": [
                {"key": "first_name", "required": True},
                {"key": "email", "required": True},
                {"key": "city"},
            ],
            "consent_enabled": True,
            "consent_text": "Quero receber e-mails.",
            "tags": ["bench"],
            "lifecycle_stage": "lead",
            "min_seconds": 0,
        },
    )
    site = tracking.update_tracking_site(actor=actor, data={"allowed_domains": ["bench.test"]})
    return form, site


def _submits(form: Any, n: int, round_: str) -> float:
    from django.test import Client

    from vinculo.webforms.services import render_token

    client = Client(HTTP_HOST=HOST)
    url = f"/f/{form.public_key}/submit"
    token = render_token(form)
    start = time.perf_counter()
    for i in range(n):
        response = client.post(
            url,
            {
                "fields": {
                    "first_name": f"Pessoa {i}",
                    "email": f"p{i}@empresa-bench.com.br",
                    "city": round_,
                },
                "consent": True,
                "token": token,
                "visitor_id": f"bench-visitor-{i:08d}",
            },
            content_type="application/json",
            REMOTE_ADDR=f"10.0.{i // 250 % 250}.{i % 250}",
        )
        if response.status_code != 201:
            raise RuntimeError(f"submit {i}: {response.status_code} {response.content[:300]!r}")
    return time.perf_counter() - start


def _views(site: Any, n: int) -> float:
    from django.test import Client

    client = Client(HTTP_HOST=HOST)
    start = time.perf_counter()
    for i in range(n):
        body = {
            "key": site.public_key,
            "visitor_id": f"anon-visitor-{i % 500:06d}",
            "event_id": f"e{i}",
            "url": f"https://bench.test/page/{i % 50}",
            "title": "Página",
        }
        response = client.post(
            "/t/collect",
            json.dumps(body),
            content_type="text/plain",
            HTTP_ORIGIN="https://bench.test",
            REMOTE_ADDR="10.1.0.1",
        )
        if response.status_code != 204:
            raise RuntimeError(f"view {i}: {response.status_code} {response.content[:300]!r}")
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submits", type=int, default=2000)
    parser.add_argument("--views", type=int, default=5000)
    args = parser.parse_args(argv)
    _setup()
    from django.db import connection

    from bench.run import machine
    from vinculo.contacts.models import Person

    form, site = _workspace()
    created = _submits(form, args.submits, "Recife")
    updated = _submits(form, args.submits, "Olinda")
    people = Person.objects.for_workspace(form.workspace_id).count()
    if people != args.submits:
        raise RuntimeError(f"expected {args.submits} people, found {people}")
    viewed = _views(site, args.views)
    report = {
        "benchmark": "webforms",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": connection.vendor,
        "submits": args.submits,
        "views": args.views,
        "seconds": {"submit_new": created, "submit_existing": updated, "page_views": viewed},
        "per_second": {
            "submit_new": round(args.submits / created, 1),
            "submit_existing": round(args.submits / updated, 1),
            "page_views": round(args.views / viewed, 1),
        },
        "machine": machine(),
    }
    RESULTS.mkdir(exist_ok=True)
    base = RESULTS / f"{datetime.now(UTC):%Y-%m-%d}-webforms-{connection.vendor}"
    base.with_suffix(".json").write_text(json.dumps(report, indent=2))
    rate = report["per_second"]
    base.with_suffix(".md").write_text(
        "# Web forms: public submits and tracking page views\n\n"
        f"{report['date']}, {report['database']}, one process, Django test client (whole request "
        "stack, no network); machine: "
        f"{report['machine'].get('cpu_model')} x {report['machine'].get('cpu_count')}, "
        f"load average at start {report['machine'].get('load_average_at_start')} (a shared "
        "machine: figures scale with the load)\n\n"
        "| what | count | seconds | per second |\n|---|---|---|---|\n"
        f"| submit, new person (consent, tags, tracked event, visitor link, domain event) | "
        f"{args.submits} | {created:.1f} | {rate['submit_new']} |\n"
        f"| submit, same people again (match by email, fill blanks) | {args.submits} | "
        f"{updated:.1f} | {rate['submit_existing']} |\n"
        f"| tracking page view (`/t/collect`) | {args.views} | {viewed:.1f} | "
        f"{rate['page_views']} |\n"
    )
    print(json.dumps(report["per_second"]))
    return report


if __name__ == "__main__":
    main()
