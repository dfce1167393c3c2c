"""Time the action plan's steps on this machine (run by hand): validating recommendations and
an action plan of many actions, the published tables and their disclosure control, and the
action-plan workbook written and read back.

    .venv/bin/python benchmarks/action_plans.py [--sizes 100 10000 100000]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import shutil
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "raw" / "nai-2018"
STATUSES = ("Completed", "In progress", "Not started")


def plan_rows(
    n: int, recommendations: list[str], leads: list[str], seed: int = 1
) -> list[list[str]]:
    rng = random.Random(seed)
    start = dt.date(2019, 3, 1)
    rows = []
    for i in range(1, n + 1):
        status = rng.choice(STATUSES)
        target = start + dt.timedelta(days=rng.randrange(30, 400))
        updated = start + dt.timedelta(days=rng.randrange(0, 200))
        done = updated - dt.timedelta(days=rng.randrange(0, 30)) if status == "Completed" else None
        rows.append(
            [
                f"AP-{i:06d}",
                rng.choice(recommendations),
                rng.choice(leads),
                "Agree and deliver the change the recommendation asks for.",
                target.isoformat(),
                status,
                done.isoformat() if done else "",
                updated.isoformat(),
                "Checked at the sub-group's review." if rng.random() < 0.5 else "",
            ]
        )
    return rows


def timed(label: str, function, repeat: int = 3):
    best, result = float("inf"), None
    for _ in range(repeat):
        began = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - began)
    print(f"  {label:<46} {best * 1000:9.1f} ms")
    return result


def measure(n: int, folder: Path, meta, recommendations: list[str], header: str, tmp: Path) -> None:
    """Time each step for an action plan of ``n`` actions."""
    from auditrap.actionplan import action_plan_progress, recommendation_progress
    from auditrap.cycle import as_of_date
    from auditrap.disclosure import DisclosurePolicy, protect
    from auditrap.template import write_action_plan_template
    from auditrap.validate import load_plan_tables, typed_action_plan, typed_recommendations

    print(f"{n:,} actions")
    with (folder / "action_plan.csv").open("w", newline="", encoding="utf-8") as handle:
        handle.write(header + "\n")
        csv.writer(handle, lineterminator="\n").writerows(
            plan_rows(n, recommendations, [*meta.agencies, "Board"])
        )
    tables, problems = timed(
        "read and check (recommendations, plan)", lambda: load_plan_tables(folder, meta)
    )
    assert not [p for p in problems if p.severity == "error"], problems[:3]
    plan = typed_action_plan(tables["action_plan.csv"])
    recs = typed_recommendations(tables["recommendations.csv"])
    as_of = as_of_date(None, [plan])
    progress = timed(
        "progress by status and by recommendation",
        lambda: {
            "action_plan_progress": action_plan_progress(plan, as_of),
            "recommendation_progress": recommendation_progress(recs, plan, as_of),
        },
    )
    policy = DisclosurePolicy(
        threshold=4, tables=("action_plan_progress", "recommendation_progress")
    )
    timed("disclosure control (both tables listed)", lambda: protect(progress, policy))
    if n <= 10_000:
        book = tmp / "plan.xlsx"
        timed(
            "action-plan workbook written",
            lambda: write_action_plan_template(
                meta,
                tables["recommendations.csv"].frame,
                tables["action_plan.csv"].frame,
                book,
            ),
            repeat=1,
        )
        (folder / "action_plan.csv").rename(folder / "action_plan.csv.bak")
        shutil.copyfile(book, folder / "action_plan.xlsx")
        timed(
            "action-plan workbook read and checked",
            lambda: load_plan_tables(folder, meta),
            repeat=1,
        )
        (folder / "action_plan.xlsx").unlink()
        (folder / "action_plan.csv.bak").rename(folder / "action_plan.csv")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 10_000, 100_000])
    args = parser.parse_args()

    from auditrap.metadata import load_meta

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "nai-2018"
        shutil.copytree(SAMPLE, folder)
        meta, _ = load_meta(folder / "audit.yaml")
        with (folder / "recommendations.csv").open(encoding="utf-8") as handle:
            recommendations = [row[0] for row in csv.reader(handle)][1:]
        header = (SAMPLE / "action_plan.csv").read_text(encoding="utf-8").splitlines()[0]
        for n in args.sizes:
            measure(n, folder, meta, recommendations, header, Path(tmp))


if __name__ == "__main__":
    main()
