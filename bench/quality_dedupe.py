"""Duplicate detection benchmark: Vínculo's matcher against splink, in the same run.

For each data set (see :mod:`bench.dedupe_data`: ``crm``, the public ``febrl3``, generated
Brazilian ``people`` without email/phone/CPF and ``companies``) and each size, the records are
generated once (not timed), then each matcher runs in its own process
(:mod:`bench.dedupe_child`), so that its time and peak memory are its own:

* ``vinculo``: the product's matching engine (``vinculo.quality.matching``), pairs at the review
  threshold the engine chooses;
* ``splink``: splink 5 on DuckDB, set up as its documentation recommends
  (:mod:`bench.dedupe_splink`), pairs at ``match_probability >= 0.5``.

Both are timed from the records in memory to the pairs. Reported per (data set, N, matcher):
precision, recall and F1 of the pairs against the ground truth, pairs found, true pairs, seconds,
peak RSS; for Vínculo its blocking recall estimate and its threshold; for both, the best F1 any
threshold would give (for information: it needs the ground truth).

``--mode db`` (``crm`` only) runs the product end to end instead of the engine alone: people
loaded through ``bulk_create_people`` into a fresh SQLite database, then the
``detect_duplicates`` service; every stored ``DuplicateCandidate`` is a pair found.

Run: ``.venv/bin/python -m bench.quality_dedupe --datasets febrl3 people --sizes 10000 100000``
(``make bench`` runs the whole set). Writes ``bench/results/<date>-quality_dedupe.json`` and
``.md``; a later run the same day replaces the rows it measured again and keeps the others.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from bench.dedupe_companies import companies
from bench.dedupe_data import Dataset, crm, febrl3, people
from bench.run import machine

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DATASETS = ("febrl3", "crm", "people", "companies")
GENERATED: dict[str, Callable[[int, int], Dataset]] = {
    "crm": crm,
    "people": people,
    "companies": companies,
}
TARGETS = {
    "f1": 0.99,
    "f1_below_splink": 0.005,
    "people_100k_seconds": 60.0,
    "people_1m_seconds": 600.0,
    "people_1m_peak_mib": 2048.0,
}


# --- scoring -----------------------------------------------------------------------------------


def _codes(left: np.ndarray, right: np.ndarray, n: int) -> np.ndarray:
    return np.minimum(left, right) * n + np.maximum(left, right)


def metrics(found: dict[str, np.ndarray], truth: np.ndarray, n: int) -> dict[str, Any]:
    """Precision, recall and F1 of the pairs the matcher answers (``chosen``), and the best F1
    any threshold on its probabilities would give."""
    codes = _codes(found["left"], found["right"], n)
    hit = np.isin(codes, truth)
    chosen = found["chosen"]
    unique_chosen, first = np.unique(codes[chosen], return_index=True)
    hits = int(hit[chosen][first].sum())
    answered = len(unique_chosen)
    precision = hits / answered if answered else 0.0
    recall = hits / len(truth) if len(truth) else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    out: dict[str, Any] = {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "pairs_found": answered,
        "true_pairs": len(truth),
    }
    if len(codes):
        _unique, first_all = np.unique(codes, return_index=True)
        prob = found["probability"][first_all]
        order = np.argsort(-prob, kind="stable")
        cum = np.cumsum(hit[first_all][order])
        best_f1 = 2 * cum / (np.arange(1, len(order) + 1) + len(truth))
        best = int(np.argmax(best_f1))
        out["best_f1"] = round(float(best_f1[best]), 4)
        out["best_threshold"] = round(float(prob[order][best]), 4)
        out["pairs_scored_true"] = int(cum[-1])  # true pairs among all it scored
    return out


# --- running -----------------------------------------------------------------------------------


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    paths = [str(ROOT), str(ROOT / "src")]
    if env.get("PYTHONPATH"):
        paths.append(env["PYTHONPATH"])
    env["PYTHONPATH"] = os.pathsep.join(paths)
    return env


def run_child(engine: str, data: Path, work: Path, seed: int, timeout: float) -> dict[str, Any]:
    """Run one matcher in its own process; ``{"error": …}`` when it fails or times out."""
    out = work / engine
    cmd = [sys.executable, "-m", "bench.dedupe_child", "--engine", engine, "--data", str(data),
           "--out", str(out), "--seed", str(seed)]  # fmt: skip
    started = time.perf_counter()
    try:
        env = {**_child_env(), "DEDUPE_WORK_DIR": str(work)}
        done = subprocess.run(
            cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    wall = time.perf_counter() - started
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
        return {"error": f"exit {done.returncode}: " + " | ".join(tail)}
    info = json.loads(out.with_suffix(".json").read_text())
    info["process_wall_seconds"] = round(wall, 2)
    with np.load(out.with_suffix(".npz")) as arrays:
        info["_found"] = {k: arrays[k] for k in arrays.files}
    return info


def bench_dataset(
    dataset: Dataset, engines: list[str], args: argparse.Namespace, gen_seconds: float
) -> list[dict[str, Any]]:
    n = len(dataset)
    truth = dataset.truth()
    work = Path(tempfile.mkdtemp(prefix="vinculo-dedupe-bench-"))
    results = []
    try:
        data = work / "records.pickle"
        with data.open("wb") as handle:
            pickle.dump(dataset.payload(), handle, protocol=pickle.HIGHEST_PROTOCOL)
        for engine in engines:
            base = {
                "dataset": dataset.name,
                "public": dataset.public,
                "n": n,
                "engine": "vinculo" if engine == "vinculo-db" else engine,
                "mode": "db" if engine == "vinculo-db" else "memory",
                "generate_seconds": round(gen_seconds, 2),
            }
            if engine == "splink" and args.no_splink_above and n > args.no_splink_above:
                result = {**base, "skipped": f"--no-splink-above {args.no_splink_above:,}"}
                results.append(result)
                say(result)
                continue
            info = run_child(engine, data, work, args.seed, args.timeout)
            if "error" in info:
                result = {**base, "error": info["error"]}
            else:
                found = info.pop("_found")
                info.pop("engine", None)
                result = {**base, **metrics(found, truth, n), **info}
            results.append(result)
            say(result)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return results


def say(result: dict[str, Any]) -> None:
    short = {k: v for k, v in result.items() if k not in ("blocking", "stages", "thresholds")}
    print(json.dumps(short), flush=True)


def checks(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The targets, per (data set, N): Vínculo's F1 at least 0.99 and splink's minus 0.005,
    its time at most splink's; people at 100,000 under 60 s, at 1,000,000 under 10 min and
    2 GiB."""
    by_key: dict[tuple, dict[str, dict[str, Any]]] = {}
    for r in results:
        by_key.setdefault((r["dataset"], r["n"], r["mode"]), {})[r["engine"]] = r
    splink_of = {(r["dataset"], r["n"]): r for r in results if r["engine"] == "splink"}
    out = []
    for (name, n, mode), engines in sorted(by_key.items()):
        ours = engines.get("vinculo")
        if not ours or "f1" not in ours:
            continue
        theirs = splink_of.get((name, n))
        items: list[tuple[str, bool | None]] = [("F1 >= 0.99", ours["f1"] >= TARGETS["f1"])]
        if theirs and "f1" in theirs:
            items.append(("F1 >= splink F1 - 0.005", ours["f1"] >= theirs["f1"] - 0.005))
            items.append(("seconds <= splink seconds", ours["seconds"] <= theirs["seconds"]))
        else:
            reason = (theirs or {}).get("skipped") or (theirs or {}).get("error") or "not run"
            items.append((f"vs splink: {reason}", None))
        if name == "people" and n == 100_000:
            items.append(("under 60 s", ours["seconds"] < TARGETS["people_100k_seconds"]))
        if name == "people" and n == 1_000_000:
            items.append(("under 10 min", ours["seconds"] < TARGETS["people_1m_seconds"]))
            items.append(("peak under 2 GiB", ours["peak_rss_mib"] < TARGETS["people_1m_peak_mib"]))
        out.append({"dataset": name, "n": n, "mode": mode, "checks": items})
    return out


# --- writing -----------------------------------------------------------------------------------


def _key(r: dict[str, Any]) -> tuple:
    return (r["dataset"], r["n"], r["engine"], r["mode"])


def write(results: list[dict[str, Any]], host: dict[str, Any], about: dict[str, str]) -> Path:
    """Merge into today's files: rows measured again replace the old ones."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    today = datetime.now(UTC).date().isoformat()
    stem = RESULTS / f"{today}-quality_dedupe"
    previous: dict[str, Any] = {}
    if stem.with_suffix(".json").exists():
        previous = json.loads(stem.with_suffix(".json").read_text())
    merged = {_key(r): r for r in previous.get("results", [])}
    merged.update({_key(r): r for r in results})
    order = {name: i for i, name in enumerate(DATASETS)}
    rows = sorted(
        merged.values(),
        key=lambda r: (order.get(r["dataset"], 9), r["n"], r["mode"], r["engine"] != "vinculo"),
    )
    runs = previous.get("runs", [])
    runs.append({"date": datetime.now(UTC).isoformat(timespec="seconds"), "machine": host})
    payload = {
        "benchmark": "quality_dedupe",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": host,
        "runs": runs,
        "targets": TARGETS,
        "datasets": {**previous.get("datasets", {}), **about},
        "results": rows,
        "checks": checks(rows),
    }
    stem.with_suffix(".json").write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    stem.with_suffix(".md").write_text(markdown(payload, today))
    return stem


def _fmt(value: Any, digits: int = 3) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _load(r: dict[str, Any]) -> str:
    load = r.get("load_average")
    return f"{load[0]:.1f}-{load[1]:.1f}" if load else "-"


def markdown(payload: dict[str, Any], today: str) -> str:
    host = payload["machine"]
    lines = [
        f"# Duplicate detection: Vínculo against splink — {today}",
        "",
        f"Machine: {host['cpu_model']}, {host['cpu_count']} cores, {host['ram_gb']} GB RAM, "
        f"Python {host['python']}; load average at start {host['load_average_at_start']}.",
        "",
        "Each matcher runs in its own process; seconds run from the records in memory to the "
        "pairs (data generation excluded), peak is the process's peak resident set (`VmHWM`, "
        "records included); "
        "*CPU s* is the process's CPU time, all threads (DuckDB runs splink on every core, "
        "Vínculo's engine compares strings on every core too); *load* is the machine's "
        "1-minute load average before and "
        "after the run (the machine may be shared: then wall times stretch, CPU times less). "
        "Vínculo answers at the review threshold its engine chooses, splink at "
        "`match_probability >= 0.5`; *best F1* is what the best threshold would give (for "
        "information: choosing it needs the ground truth). *(db)*: the product end to end, people "
        "loaded through the services into a fresh SQLite database, then the `detect_duplicates` "
        "service (the same engine reading from the database and storing its candidates), timed "
        "alone; every stored candidate is a pair found.",
        "",
    ]
    checks_of = {(c["dataset"], c["n"], c["mode"]): c["checks"] for c in payload["checks"]}
    by_dataset: dict[str, list[dict[str, Any]]] = {}
    for r in payload["results"]:
        by_dataset.setdefault(r["dataset"], []).append(r)
    for name, rows in by_dataset.items():
        lines += [f"## {name}", "", payload["datasets"].get(name, ""), ""]
        lines += [
            "| N | matcher | precision | recall | F1 | pairs found | true pairs | seconds | "
            "CPU s | peak MiB | blocking recall est. | threshold | best F1 | load |",
            "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        ]
        for r in rows:
            who = r["engine"] + (" (db)" if r["mode"] == "db" else "")
            if "f1" not in r:
                lines.append(
                    f"| {r['n']:,} | {who} | {r.get('skipped') or r.get('error')} "
                    "| | | | | | | | | | | |"
                )
                continue
            lines.append(
                f"| {r['n']:,} | {who} | {_fmt(r['precision'], 4)} | {_fmt(r['recall'], 4)} | "
                f"**{_fmt(r['f1'], 4)}** | {_fmt(r['pairs_found'])} | {_fmt(r['true_pairs'])} | "
                f"{_fmt(r['seconds'], 1)} | {_fmt(r.get('cpu_seconds'), 1)} | "
                f"{_fmt(r['peak_rss_mib'], 0)} | "
                f"{_fmt(r.get('blocking_recall_estimate'), 4)} | {_fmt(r.get('threshold'), 3)} | "
                f"{_fmt(r.get('best_f1'), 4)} | {_load(r)} |"
            )
        lines.append("")
        for (dataset, n, mode), items in sorted(checks_of.items()):
            if dataset != name:
                continue
            text = ", ".join(
                f"{label}: {'met' if ok else '**missed**'}" if ok is not None else label
                for label, ok in items
            )
            lines.append(f"- {n:,}{' (db)' if mode == 'db' else ''}: {text}")
        lines.append("")
    return "\n".join(lines)


# --- main --------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", choices=DATASETS, default=list(DATASETS))
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[10_000, 100_000], help="generated data sets"
    )
    parser.add_argument("--mode", choices=["memory", "db"], default="memory", help="db: crm only")
    parser.add_argument(
        "--engines",
        nargs="+",
        choices=["vinculo", "splink"],
        help="default: both in memory mode; Vínculo alone in db mode (its splink row is the one "
        "of the memory run, same records)",
    )
    parser.add_argument(
        "--no-splink-above", type=int, default=0, help="skip splink above this N (0: never skip)"
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds per matcher run")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    engines = list(args.engines or (["vinculo"] if args.mode == "db" else ["vinculo", "splink"]))
    if args.mode == "db":
        if args.datasets != ["crm"] and "crm" not in args.datasets:
            parser.error("--mode db runs the crm data set only")
        args.datasets = ["crm"]
        engines = ["vinculo-db" if e == "vinculo" else e for e in engines]
    host = machine()
    results: list[dict[str, Any]] = []
    about: dict[str, str] = {}
    for name in args.datasets:
        sizes = [0] if name == "febrl3" else args.sizes
        for n in sizes:
            started = time.perf_counter()
            dataset = febrl3() if name == "febrl3" else GENERATED[name](n, args.seed)
            gen_seconds = time.perf_counter() - started
            about[name] = dataset.about
            print(f"# {name}: {len(dataset):,} records, generated in {gen_seconds:.1f} s")
            results += bench_dataset(dataset, engines, args, gen_seconds)
            del dataset
    for c in checks(results):
        print(c, flush=True)
    if not args.no_write:
        stem = write(results, host, about)
        print(f"written: {stem.relative_to(ROOT)}.json, .md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
