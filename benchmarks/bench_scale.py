"""Scale benchmark: a Parquet file of N synthetic leads in, scores, temperature, MQL and SLA out.

1. A seeded synthetic file is generated column by column (numpy and pyarrow; not timed): 300
   industries, 3,600 titles, 200,000 company domains and the free-mail providers, 0-30
   activities per lead (``list<struct<kind, at>>``), half the leads handed off to sales in the
   last three days and some of those answered.
2. ``leadflow.batch.score_file`` runs in a fresh child process with ``--jobs`` workers and
   ``examples/scoring.lf``, the default ``SlaPolicy`` on Mon-Fri 08:00-18:00 Europe/Berlin
   with DE-BE holidays: Parquet in, Parquet out.
3. Measured from outside: wall time, CPU time of the child and its workers (µs per lead), and
   the peak of the summed resident memory of all those processes (sampled every 200 ms).
4. The first rows are compared with the one-record API (``validate_lead``, ``evaluate``,
   ``SlaPolicy.track``) before the figures are reported.

    python benchmarks/bench_scale.py --leads 1000000 [--jobs 2] [--json results/scale-1m.json]
    python benchmarks/bench_scale.py --quick        # 20,000 leads, for CI
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import arguments, versions

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "examples" / "scoring.lf"
NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)


def generate(path: Path, count: int, seed: int, chunk: int) -> None:
    """Write ``count`` synthetic leads to ``path``, ``chunk`` rows per row group."""
    import pyarrow.parquet as pq

    from leadflow.batch.arrow import lead_schema
    from leadflow.batch.synthetic import synthetic_table

    with pq.ParquetWriter(str(path), lead_schema()) as writer:
        for start in range(0, count, chunk):
            table = synthetic_table(min(chunk, count - start), now=NOW, seed=seed, start=start)
            writer.write_table(table, row_group_size=chunk)


def score(source: Path, target: Path, jobs: int, batch_size: int) -> None:
    """The measured run (in a child process of its own)."""
    from leadflow.batch import score_file
    from leadflow.sla import BusinessCalendar, SlaPolicy

    office = BusinessCalendar(
        hours="mon-fri 08:00-18:00", timezone="Europe/Berlin", holidays="DE-BE"
    )
    summary = score_file(
        source,
        target,
        RULES,
        now=NOW,
        jobs=jobs,
        batch_size=batch_size,
        policy=SlaPolicy(),
        calendars=office,
    )
    print(json.dumps({"rows": summary.rows, "errors": summary.errors}))


def _pss(pid: int) -> int:
    """Proportional set size: pages shared by forked workers counted once overall."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def tree_rss(root: int) -> tuple[int, int, int]:
    """(resident bytes, proportional bytes, number of processes) of ``root`` and descendants."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                fields = handle.read().rpartition(")")[2].split()
            parents[int(entry)] = int(fields[1])
            rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    members, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        for child, parent in parents.items():
            if parent == pid and child not in members:
                members.add(child)
                frontier.append(child)
    return sum(rss.get(p, 0) for p in members), sum(_pss(p) for p in members), len(members)


def check_sample(source: Path, target: Path, rows: int) -> int:
    """Compare the first ``rows`` result rows with the one-record API; return mismatches."""
    import pyarrow.parquet as pq

    from leadflow import validate_lead
    from leadflow.batch.arrow import arrow_records
    from leadflow.rules import load
    from leadflow.sla import BusinessCalendar, SlaPolicy

    rules = load(RULES)
    policy = SlaPolicy()
    office = BusinessCalendar(
        hours="mon-fri 08:00-18:00", timezone="Europe/Berlin", holidays="DE-BE"
    )
    inputs = arrow_records(next(pq.ParquetFile(str(source)).iter_batches(batch_size=rows)))
    outputs = next(pq.ParquetFile(str(target)).iter_batches(batch_size=rows)).to_pylist()
    bad = 0
    for record, out in zip(inputs, outputs, strict=True):
        fields = {k: v for k, v in record.items() if k not in ("handed_off_at", "responded_at")}
        result = rules.evaluate(validate_lead(fields), now=NOW)
        same = (
            out["id"] == record["id"]
            and {n: out[n] for n in result.scores} == dict(result.scores)
            and out["temperature"] == result.temperature
            and out["mql"] == result.mql
        )
        handed = record.get("handed_off_at")
        if handed is not None and policy.target(result.temperature or "cold").within:
            status = policy.track(
                result.temperature or "",
                handed,
                now=NOW,
                calendars=office,
                met_at=record.get("responded_at"),
            )
            same = same and out["sla_state"] == status.state.value
            same = same and out["sla_due_at"] == status.due_at
        bad += not same
    return bad


def breakdown(count: int, seed: int, rounds: int) -> dict[str, float]:
    """CPU µs per lead of each step of the batch path, one process, garbage collector off."""
    import gc
    import statistics

    from leadflow import validate_lead
    from leadflow.batch import BatchScorer
    from leadflow.batch.arrow import arrow_records, records_to_batch, result_schema, score_arrow
    from leadflow.batch.columnar import _Activities
    from leadflow.batch.synthetic import synthetic_table
    from leadflow.rules import load
    from leadflow.sla import BusinessCalendar, SlaPolicy

    table = synthetic_table(count, now=NOW, seed=seed)
    (batch,) = table.combine_chunks().to_batches(max_chunksize=count)
    rules = load(RULES)
    policy = SlaPolicy()
    office = BusinessCalendar(
        hours="mon-fri 08:00-18:00", timezone="Europe/Berlin", holidays="DE-BE"
    )
    scorer = BatchScorer(rules, now=NOW, policy=policy, calendars=office)
    records = arrow_records(batch)
    fields = [
        {k: v for k, v in r.items() if k not in ("handed_off_at", "responded_at")} for r in records
    ]
    leads = [validate_lead(f) for f in fields]
    evaluations = [rules.evaluate(lead, now=NOW) for lead in leads]
    handed = [
        (e.temperature, r["handed_off_at"], r.get("responded_at"))
        for e, r in zip(evaluations, records, strict=True)
        if "handed_off_at" in r and e.temperature in ("hot", "warm")
    ]
    rows = [scorer.score(r) for r in records]
    schema = result_schema(scorer)
    columnar = rules._columnar(NOW)
    activities = _Activities(batch.column("activities"), count)
    ages = activities.ages(columnar) or [{}] * count
    counts = activities.counts(columnar) or [[]] * count
    views = []
    for lead in leads:
        view = object.__new__(columnar.fields)
        view.__dict__ = {k: getattr(lead, k) for k in ("id", "email", "title", "industry")}
        view.__dict__.update(employees=lead.employees, country=lead.country)
        views.append(view)

    def measured() -> tuple[Any, Any]:
        found = _Activities(batch.column("activities"), count)
        return found.counts(columnar), found.ages(columnar)

    if [columnar.evaluate(v, c, a).scores for v, c, a in zip(views, counts, ages, strict=True)] != [
        e.scores for e in evaluations
    ]:
        raise SystemExit("the columnar evaluation disagrees with RuleSet.evaluate")
    steps = {
        "Arrow batch -> records (column by column)": lambda: arrow_records(batch),
        "Arrow batch -> records (pyarrow to_pylist, for comparison)": batch.to_pylist,
        "validate_lead (pydantic Lead)": lambda: [validate_lead(f) for f in fields],
        "RuleSet.evaluate": lambda: [rules.evaluate(lead, now=NOW) for lead in leads],
        "RuleSet.score_many (scores only, for comparison)": lambda: rules.score_many(
            leads, now=NOW
        ),
        "SlaPolicy.track (per lead, over all leads)": lambda: [
            policy.track(t, h, now=NOW, calendars=office, met_at=m) for t, h, m in handed
        ],
        "rows -> Arrow result batch": lambda: records_to_batch(rows, schema),  # type: ignore[arg-type]
        "columnar: activities counted and aged for the whole batch (numpy)": measured,
        "columnar: evaluate from fields, counts and ages (no Lead)": lambda: [
            columnar.evaluate(v, c, a) for v, c, a in zip(views, counts, ages, strict=True)
        ],
        "whole score_arrow, one record at a time (columnar=False)": lambda: list(
            score_arrow([batch], scorer, columnar=False)
        ),
        "whole score_arrow, columnar row by row (vectorized=False)": lambda: list(
            score_arrow([batch], scorer, vectorized=False)
        ),
        "whole score_arrow, vectorized per column (the default)": lambda: list(
            score_arrow([batch], scorer)
        ),
    }
    slow_batch = next(score_arrow([batch], scorer, columnar=False))
    if not next(score_arrow([batch], scorer, vectorized=False)).equals(slow_batch):
        raise SystemExit("the columnar fast path disagrees with the one-record way")
    if not next(score_arrow([batch], scorer)).equals(slow_batch):
        raise SystemExit("the vectorized path disagrees with the one-record way")
    times: dict[str, list[float]] = {name: [] for name in steps}
    gc.freeze()
    for _ in range(rounds):  # the steps interleaved, round by round
        for name, step in steps.items():
            gc.disable()
            began = time.process_time()
            step()
            times[name].append((time.process_time() - began) / count * 1e6)
            gc.enable()
    out: dict[str, float] = {name: round(statistics.median(t), 2) for name, t in times.items()}
    slow = times["whole score_arrow, one record at a time (columnar=False)"]
    fast = times["whole score_arrow, columnar row by row (vectorized=False)"]
    vector = times["whole score_arrow, vectorized per column (the default)"]
    out["speed-up of the columnar path (median of the per-round ratios)"] = round(
        statistics.median(a / b for a, b in zip(slow, fast, strict=True)), 2
    )
    out["speed-up of the vectorized path over columnar row by row (median ratio)"] = round(
        statistics.median(a / b for a, b in zip(fast, vector, strict=True)), 2
    )
    out["load average (2 cores, shared with other work)"] = round(os.getloadavg()[0], 1)
    out["activities per lead (mean)"] = round(
        sum(len(r.get("activities", ())) for r in records) / count, 2
    )
    out["leads with a timed SLA (hot or warm, handed off)"] = len(handed)
    return out


def main() -> None:
    parser = arguments(__doc__ or "")
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=5_000)
    parser.add_argument("--row-group", type=int, default=50_000)
    parser.add_argument("--dir", type=Path, help="keep the files here (default: a temp dir)")
    parser.add_argument(
        "--breakdown", action="store_true", help="CPU per lead of each step, one process"
    )
    parser.add_argument("--generate", nargs=2, metavar=("PATH", "COUNT"), help=argparse_hidden())
    parser.add_argument("--score", nargs=2, metavar=("IN", "OUT"), help=argparse_hidden())
    args = parser.parse_args()
    if args.generate:
        generate(Path(args.generate[0]), int(args.generate[1]), args.seed, args.row_group)
        return
    if args.score:
        score(Path(args.score[0]), Path(args.score[1]), args.jobs, args.batch_size)
        return
    if args.breakdown:
        count = 2_000 if args.quick else 10_000
        steps = breakdown(count, args.seed, 3 if args.quick else args.rounds)
        for key, value in steps.items():
            print(f"  {key}: {value}")
        if args.json:
            data = {
                "script": "bench_scale",
                "python": sys.version.split()[0],
                "machine": f"{os.uname().machine}, {sys.platform}, {os.cpu_count()} cores",
                "packages": versions("leadflow", "pyarrow", "numpy"),
                "setup": {"seed": args.seed, "leads": count, "unit": "CPU µs per lead, median"},
                "rows": [],
                "ratios": {},
                "extra": steps,
            }
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        return
    leads = 20_000 if args.quick else args.leads
    row_group = min(args.row_group, leads)
    with tempfile.TemporaryDirectory(dir=args.dir) as scratch:
        source, target = Path(scratch) / "leads.parquet", Path(scratch) / "scored.parquet"
        began = time.perf_counter()
        me = [sys.executable, __file__, "--seed", str(args.seed)]
        subprocess.run(  # noqa: S603 - this script, fixed arguments
            [*me, "--row-group", str(row_group), "--generate", str(source), str(leads)],
            check=True,
        )
        generated = time.perf_counter() - began
        peak, peak_pss, processes = 0, 0, 0
        load_before = os.getloadavg()[0]
        before = os.times()
        began = time.perf_counter()
        child = subprocess.Popen(  # noqa: S603 - this script, fixed arguments
            [
                *me,
                "--jobs",
                str(args.jobs),
                "--batch-size",
                str(args.batch_size),
                "--score",
                str(source),
                str(target),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        done = threading.Event()

        def sample() -> None:
            nonlocal peak, peak_pss, processes
            while not done.is_set():
                total, proportional, count = tree_rss(child.pid)
                peak, peak_pss = max(peak, total), max(peak_pss, proportional)
                processes = max(processes, count)
                time.sleep(0.2)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        out, _ = child.communicate()
        wall = time.perf_counter() - began
        done.set()
        sampler.join()
        after = os.times()
        if child.returncode:
            raise SystemExit(f"the scoring run failed with exit code {child.returncode}")
        summary = json.loads(out.strip().splitlines()[-1])
        cpu = (after.children_user - before.children_user) + (
            after.children_system - before.children_system
        )
        mismatches = check_sample(source, target, min(2_000, leads))
        figures = {
            "leads": leads,
            "jobs": args.jobs,
            "batch size": args.batch_size,
            "row group": row_group,
            "input MB": round(source.stat().st_size / 1e6, 1),
            "output MB": round(target.stat().st_size / 1e6, 1),
            "generation s (not timed below)": round(generated, 1),
            "wall s": round(wall, 2),
            "leads per second": round(leads / wall),
            "CPU µs per lead (all processes)": round(cpu / leads * 1e6, 2),
            "peak RSS of all processes summed, MB": round(peak / 1e6),
            "peak PSS of all processes summed (shared pages once), MB": round(peak_pss / 1e6),
            "processes seen": processes,
            "rows written": summary["rows"],
            "rows with an error": summary["errors"],
            "first rows differing from the one-record API": mismatches,
            "cores": os.cpu_count(),
            "load average before / after (other work on the machine)": (
                f"{load_before:.1f} / {os.getloadavg()[0]:.1f}"
            ),
        }
    print(f"Python {sys.version.split()[0]}")
    for key, value in figures.items():
        print(f"  {key}: {value}")
    if args.json:
        data = {
            "script": "bench_scale",
            "python": sys.version.split()[0],
            "machine": f"{os.uname().machine}, {sys.platform}, {os.cpu_count()} cores",
            "packages": versions("leadflow", "pyarrow", "numpy"),
            "setup": {"seed": args.seed, "rules": "examples/scoring.lf"},
            "rows": [],
            "ratios": {},
            "extra": figures,
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    if mismatches or summary["rows"] != leads:
        raise SystemExit("the scaled run disagrees with the one-record API")


def argparse_hidden() -> str:
    import argparse

    return argparse.SUPPRESS


if __name__ == "__main__":
    main()
