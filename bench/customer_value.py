"""Customer lifetime value (issue 18): the BG/NBD and Gamma-Gamma fits against a reference
implementation on the CDNOW data, and RFM + CLV + churn recomputed for every customer.

1. **CDNOW** (2,357 customers, 39-week calibration; ``tests/fixtures``, from the ``lifetimes``
   package, MIT): fits our models (``vinculo.events.services.clv_models``) and, in the same run,
   the ``lifetimes`` package's ``BetaGeoFitter`` and ``GammaGammaFitter`` when it imports (the
   ``bench`` extra installs it); prints both sets of parameters beside the published ones and
   each fit's time. Without ``lifetimes`` it says so and shows ours and the published ones.
2. **Recompute**: a fresh database gets ``--people`` people (``bulk_create_people``) and
   ``--purchases`` purchases drawn with numpy from a BG/NBD-like process over two years (a
   ``purchase`` tracked event and its purchase row each, written in bulk, not timed), a few
   logged contacts; then ``recompute_rfm`` (RFM, CLV fit and predictions, churn risk, one
   transaction) runs for the whole workspace, timed, against the target (< 60 s).

Writes ``bench/results/<date>-customer_value[-postgres].json`` and ``.md``.

``python -m bench.customer_value [--people 100000 --purchases 1000000]
[--database sqlite|postgres] [--skip-recompute] [--reuse DATA_DIR]``
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np

from bench.run import machine

RESULTS = Path(__file__).resolve().parent / "results"
CDNOW = (
    Path(__file__).resolve().parents[1]
    / "tests"
    / "fixtures"
    / "cdnow_customers_summary_with_transactions.csv"
)
PG_URL = "postgres://postgres@127.0.0.1:5432/bench_clv"
TARGET_SECONDS = 60.0
BATCH = 20_000
PUBLISHED = {
    "r": 0.243,
    "alpha": 4.414,
    "a": 0.793,
    "b": 2.426,
    "p": 6.25,
    "q": 3.74,
    "gamma": 15.44,
}


def _cdnow_arrays() -> dict[str, np.ndarray]:
    with CDNOW.open() as handle:
        rows = list(csv.DictReader(handle))
    return {k: np.array([float(r[k]) for r in rows]) for k in ("x", "t_x", "T", "zbar")}


def _ours(data: dict[str, np.ndarray]) -> dict[str, Any]:
    from vinculo.events.services.clv_models import fit_bgnbd, fit_gamma_gamma

    started = time.perf_counter()
    bg = fit_bgnbd(data["x"], data["t_x"], data["T"])
    bg_seconds = time.perf_counter() - started
    started = time.perf_counter()
    gg = fit_gamma_gamma(data["x"], data["zbar"])
    gg_seconds = time.perf_counter() - started
    return {
        "params": {**bg.params, **gg.params},
        "bgnbd_seconds": round(bg_seconds, 3),
        "gamma_gamma_seconds": round(gg_seconds, 3),
        "bgnbd_log_likelihood": round(bg.log_likelihood, 3),
    }


def _reference(data: dict[str, np.ndarray]) -> dict[str, Any]:
    """The same fits with the lifetimes package, or why not."""
    try:
        import pandas as pd
        from lifetimes import BetaGeoFitter, GammaGammaFitter
    except Exception as exc:  # an import error or an incompatible numpy/scipy
        return {"name": "lifetimes", "error": f"{type(exc).__name__}: {exc}"}
    frame = pd.DataFrame({"x": data["x"], "t_x": data["t_x"], "T": data["T"], "m": data["zbar"]})
    started = time.perf_counter()
    bg = BetaGeoFitter().fit(frame["x"], frame["t_x"], frame["T"])
    bg_seconds = time.perf_counter() - started
    repeat = frame[frame["x"] > 0]
    started = time.perf_counter()
    gg = GammaGammaFitter().fit(repeat["x"], repeat["m"])
    gg_seconds = time.perf_counter() - started
    params = {k: float(v) for k, v in bg.params_.items()}
    params |= {"p": float(gg.params_["p"]), "q": float(gg.params_["q"])}
    params["gamma"] = float(gg.params_["v"])
    import lifetimes

    return {
        "name": f"lifetimes {lifetimes.__version__}",
        "params": params,
        "bgnbd_seconds": round(bg_seconds, 3),
        "gamma_gamma_seconds": round(gg_seconds, 3),
    }


def _setup(database: str, reuse: str | None) -> None:
    """A fresh database (or, with ``reuse``, the one an earlier run left: its data directory for
    SQLite, the bench_clv database for PostgreSQL)."""
    if database == "postgres" and reuse:
        os.environ["DATABASE_URL"] = PG_URL
    elif database == "postgres":
        os.environ["DATABASE_URL"] = PG_URL
        import psycopg

        with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
            c.execute("DROP DATABASE IF EXISTS bench_clv")
            c.execute("CREATE DATABASE bench_clv")
    os.environ["VINCULO_DATA_DIR"] = (
        reuse if reuse and database == "sqlite" else tempfile.mkdtemp(prefix="bench-clv-")
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vinculo.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _workspace(people: int) -> Any:
    from vinculo.contacts.services import bulk_create_people
    from vinculo.core.actor import Source
    from vinculo.workspaces import services
    from vinculo.workspaces.selectors import actor_for

    new = services.create_workspace(
        name="Bench CLV",
        owner_email="bench@clv-bench.com.br",
        owner_password="bench-clv-password-1",  # noqa: S106
    )
    actor = actor_for(new.owner, new.workspace, source=Source.IMPORT)
    actor.workspace.timezone = "America/Sao_Paulo"
    actor.workspace.save(update_fields=["timezone"])
    for start in range(0, people, 10_000):
        bulk_create_people(
            actor=actor,
            rows=[
                {"first_name": f"Pessoa {i}", "email": f"p{i}@cliente{i % 97}.com.br"}
                for i in range(start, min(people, start + 10_000))
            ],
            max_rows=None,
        )
    return actor


def _draw(people: int, purchases: int, day: date, seed: int = 7) -> list[tuple[int, float, float]]:
    """(person index, days before ``day``, amount) for about ``purchases`` purchases: each person
    buys at a Poisson rate (gamma across people) from a first purchase within two years, and
    drops out after each purchase with a beta-distributed chance; amounts gamma per person."""
    rng = np.random.default_rng(seed)
    mean = purchases / people
    rate = rng.gamma(0.9, mean / 0.9 / 200, people)  # purchases per day while alive
    dropout = rng.beta(1.0, 12.0, people)
    first = rng.uniform(0, 730, people)  # days before the analysis date
    level = rng.gamma(3.0, 60.0, people)
    out: list[tuple[int, float, float]] = []
    for i in range(people):
        when = first[i]
        while when >= 0 and len(out) < purchases:
            out.append((i, when, float(rng.gamma(5.0, level[i] / 5.0))))
            if rng.random() < dropout[i]:
                break
            when -= rng.exponential(1 / rate[i])
        if len(out) >= purchases:
            break
    return out


def _purchases(actor: Any, drawn: list[tuple[int, float, float]], day: date) -> None:
    from vinculo.contacts.models import Person
    from vinculo.events.models import Purchase, TrackedEvent

    ws = actor.workspace
    ids = list(Person.objects.for_workspace(ws).order_by("pk").values_list("pk", flat=True))
    end = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)
    for start in range(0, len(drawn), BATCH):
        chunk = drawn[start : start + BATCH]
        moments = [end - timedelta(days=d) for _i, d, _a in chunk]
        events = TrackedEvent.objects.bulk_create(
            TrackedEvent(
                workspace=ws, name="purchase", person_id=ids[i], occurred_at=t, received_at=t
            )
            for (i, _d, _a), t in zip(chunk, moments, strict=True)
        )
        Purchase.objects.bulk_create(
            Purchase(
                workspace=ws,
                event=e,
                person_id=e.person_id,
                amount=Decimal(f"{a:.2f}"),
                currency="BRL",
                occurred_at=e.occurred_at,
            )
            for e, (_i, _d, a) in zip(events, chunk, strict=True)
        )


def _contacts(actor: Any, count: int, day: date) -> None:
    """``count`` logged calls on random people over the last 90 days (bulk)."""
    from vinculo.activities.models import Activity
    from vinculo.contacts.models import Person

    rng = np.random.default_rng(11)
    ids = list(Person.objects.for_workspace(actor.workspace).values_list("pk", flat=True))
    end = datetime.combine(day, datetime.min.time(), tzinfo=UTC)
    Activity.objects.bulk_create(
        (
            Activity(
                workspace=actor.workspace,
                kind="call",
                person_id=int(rng.choice(ids)),
                occurred_at=end - timedelta(days=float(rng.uniform(0, 90))),
            )
            for _ in range(count)
        ),
        batch_size=BATCH,
    )


def _seeded(people: int, purchases: int, day: date) -> tuple[Any, int, float]:
    """The bench workspace (made now unless an earlier run left it), its purchases, seconds."""
    from django.db import connection

    from vinculo.core.actor import Actor
    from vinculo.core.tenancy import Workspace
    from vinculo.events.models import Purchase

    started = time.perf_counter()
    found = Workspace.objects.filter(name="Bench CLV").first()
    if found is not None:
        return Actor.system(found), Purchase.objects.for_workspace(found).count(), 0.0
    actor = _workspace(people)
    drawn = _draw(people, purchases, day)
    _purchases(actor, drawn, day)
    _contacts(actor, people // 10, day)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return Actor.system(actor.workspace), len(drawn), time.perf_counter() - started


def _recompute(people: int, purchases: int, database: str) -> dict[str, Any]:
    from vinculo.contacts.models import Person
    from vinculo.events.models import CustomerValue, CustomerValueModel
    from vinculo.events.services.clv import compute_clv
    from vinculo.events.services.rfm import compute_rfm, recompute_rfm

    day = date(2026, 7, 31)
    system, bought, seeding = _seeded(people, purchases, day)
    actor = system
    people = Person.objects.for_workspace(system.workspace).count()
    started = time.perf_counter()
    recompute_rfm(system, day)
    total = time.perf_counter() - started
    # The parts, for where the time goes (reads only).
    started = time.perf_counter()
    compute_rfm(system, day)
    rfm_seconds = time.perf_counter() - started
    started = time.perf_counter()
    compute_clv(system, day)
    clv_seconds = time.perf_counter() - started
    fit = CustomerValueModel.objects.for_workspace(actor.workspace).get()
    rows = CustomerValue.objects.for_workspace(actor.workspace)
    risks = {r: rows.filter(churn_risk=r).count() for r in ("low", "medium", "high")}
    return {
        "database": database,
        "people": people,
        "purchases": bought,
        "contacts": people // 10,
        "seeding_seconds": round(seeding, 1),
        "customers": rows.count(),
        "recompute_seconds": round(total, 2),
        "compute_rfm_seconds": round(rfm_seconds, 2),
        "compute_clv_seconds": round(clv_seconds, 2),
        "fit_seconds": round(fit.fit_seconds, 2),
        "fit": {name: getattr(fit, name) for name in ("r", "alpha", "a", "b", "p", "q", "gamma")},
        "repeat_buyers": fit.repeat_buyers,
        "warnings": fit.warnings,
        "churn": risks,
        "met": total < TARGET_SECONDS,
    }


def run(
    people: int, purchases: int, database: str, skip_recompute: bool, reuse: str | None
) -> dict[str, Any]:
    about = machine()
    _setup(database, reuse)
    data = _cdnow_arrays()
    result: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": database,
        "cdnow": {
            "customers": len(data["x"]),
            "published": PUBLISHED,
            "ours": _ours(data),
            "reference": _reference(data),
        },
        "machine": about,
    }
    print(json.dumps(result["cdnow"], indent=2), flush=True)
    if not skip_recompute:
        result["recompute"] = _recompute(people, purchases, database)
        print(json.dumps(result["recompute"], indent=2), flush=True)
    result["load_average_at_end"] = list(os.getloadavg())
    return result


def _cdnow_lines(cdnow: dict[str, Any]) -> list[str]:
    ours, ref = cdnow["ours"], cdnow["reference"]
    lines = [
        f"## CDNOW ({cdnow['customers']:,} customers, 39-week calibration, time in weeks)",
        "",
    ]
    if "error" in ref:
        lines += [f"Reference implementation not available: {ref['error']}.", ""]
    header = "| parameter | published | ours |" + (" lifetimes |" if "params" in ref else "")
    lines += [header, "|---|---:|---:|" + ("---:|" if "params" in ref else "")]
    for name, value in cdnow["published"].items():
        row = f"| {name} | {value} | {ours['params'][name]:.4f} |"
        if "params" in ref:
            row += f" {ref['params'][name]:.4f} |"
        lines.append(row)
    lines += [
        "",
        f"Fit time, ours: BG/NBD {ours['bgnbd_seconds']} s, Gamma-Gamma "
        f"{ours['gamma_gamma_seconds']} s (log-likelihood {ours['bgnbd_log_likelihood']}, "
        "published -9582.4).",
    ]
    if "params" in ref:
        lines.append(
            f"Fit time, {ref['name']}: BG/NBD {ref['bgnbd_seconds']} s, Gamma-Gamma "
            f"{ref['gamma_gamma_seconds']} s."
        )
    return lines


def write(result: dict[str, Any]) -> Path:
    RESULTS.mkdir(exist_ok=True)
    suffix = "-postgres" if result["database"] == "postgres" else ""
    stem = f"{result['date'][:10]}-customer_value{suffix}"
    (RESULTS / f"{stem}.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    lines = ["# Customer lifetime value", "", *_cdnow_lines(result["cdnow"]), ""]
    rec = result.get("recompute")
    if rec:
        lines += [
            f"## RFM + CLV + churn recomputed ({rec['database']})",
            "",
            f"{rec['people']:,} people, {rec['purchases']:,} purchases, {rec['contacts']:,} "
            f"logged calls; {rec['customers']:,} customers ({rec['repeat_buyers']:,} repeat "
            f"buyers). Seeding (not timed): "
            + (
                f"{rec['seeding_seconds']} s."
                if rec["seeding_seconds"]
                else "reused the database an earlier run seeded (--reuse)."
            ),
            "",
            f"**recompute_rfm: {rec['recompute_seconds']} s** (target < {TARGET_SECONDS:.0f} s: "
            f"{'met' if rec['met'] else 'missed'}); of which, measured apart: RFM "
            f"{rec['compute_rfm_seconds']} s, CLV inputs + fit + predictions + churn "
            f"{rec['compute_clv_seconds']} s (the two fits {rec['fit_seconds']} s).",
            "",
            f"Fitted (days): {json.dumps(rec['fit'])}; warnings {rec['warnings']}; churn "
            f"{rec['churn']}.",
        ]
    m = result["machine"]
    lines += [
        "",
        f"Machine: {m.get('cpu_model')} x {m.get('cpu_count')} cores, {m.get('ram_gb')} GB RAM, "
        f"load average at start {m.get('load_average_at_start')}, at end "
        f"{result.get('load_average_at_end')} (the machine is shared: other jobs ran).",
    ]
    path = RESULTS / f"{stem}.md"
    path.write_text("\n".join(lines) + "\n")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--purchases", type=int, default=1_000_000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--skip-recompute", action="store_true")
    parser.add_argument(
        "--reuse",
        metavar="DATA_DIR",
        help="reuse an earlier run's seeded database (SQLite: its data directory; PostgreSQL: "
        "any value, bench_clv is kept)",
    )
    args = parser.parse_args()
    result = run(args.people, args.purchases, args.database, args.skip_recompute, args.reuse)
    print(write(result))


if __name__ == "__main__":
    main()
