"""Time the sample audit's builds beside a one-process floor (run by hand)."""

from __future__ import annotations

import argparse
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = [
    "Snakefile",
    "config.yaml",
    "environment.yml",
    "workflow",
    "scripts",
    "report",
    "data/themes.yaml",
    "data/raw/nai-2018",
]


def workspace(target: Path) -> Path:
    for name in WORKFLOW:
        source, destination = ROOT / name, target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, destination, ignore=shutil.ignore_patterns("_output"))
        else:
            shutil.copyfile(source, destination)
    return target


def timed(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - start


def snakemake_times(repeat: int) -> dict[str, list[float]]:
    command = [sys.executable, "-m", "snakemake", "--cores", "2", "--quiet", "all"]
    times: dict[str, list[float]] = {"cold build": [], "no-op rebuild": [], "narrative edit": []}
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as tmp:
            ws = workspace(Path(tmp))
            times["cold build"].append(timed(command, ws))
            times["no-op rebuild"].append(timed(command, ws))
            narrative = ws / "data/raw/nai-2018/narrative/conclusion.md"
            narrative.write_text(narrative.read_text() + "\nAn edit.\n")
            times["narrative edit"].append(timed(command, ws))
    return times


FLOOR = """
import sys, time
from pathlib import Path
start = time.perf_counter()
from auditrap import pipeline as p
ws = Path(sys.argv[1]); proc = ws / "data/processed/nai-2018"
agg = proc / "aggregates"
names = ["grade_distribution", "grades_by_area", "agency_grades", "grade_agreement",
         "immediate_actions", "returns_by_agency"]
p.validate_stage(audit_dir=ws / "data/raw/nai-2018", audit_id="nai-2018", out_dir=proc,
                 report_dir=proc / "validation")
p.aggregate_stage(processed_dir=proc, tables_out=[agg / f"{n}.csv" for n in names],
                  case_grades_out=proc / "case_grades.csv")
p.tag_stage(returns_path=proc / "returns.parquet", taxonomy_paths=[ws / "data/themes.yaml"],
            tags_out=proc / "theme_tags.csv", counts_out=agg / "theme_counts.csv")
p.charts_stage(tables={"grade_distribution": agg / "grade_distribution.csv",
                       "grades_by_area": agg / "grades_by_area.csv"},
               out_dir=proc / "figures", charts_json=proc / "figures/charts.json",
               palette=["#12436D", "#28A197", "#801650", "#F46A25"],
               fonts_dir=ws / "report/fonts")
p.variables_stage(meta_path=proc / "audit.json", tables=[agg / f"{n}.csv" for n in names],
                  theme_counts_path=agg / "theme_counts.csv", out=proc / "variables.yml")
narrative = sorted((ws / "data/raw/nai-2018/narrative").glob("*.md"))
render = dict(
    charts_json=proc / "figures/charts.json",
    internal={"build_dir": proc / "build-internal", "html": proc / "out/internal.html",
              "pdf": proc / "out/internal.pdf", "case_grades": proc / "case_grades.parquet",
              "theme_tags": proc / "theme_tags.parquet", "returns": proc / "returns.parquet",
              "actions": proc / "actions.parquet"},
)
render.update(
    variables_path=proc / "variables.yml", theme_counts_path=agg / "theme_counts.csv",
    figures=sorted((proc / "figures").glob("*.svg")), narrative=narrative,
    meta_path=proc / "audit.json", build_dir=proc / "build", report_dir=ws / "report",
    html_out=proc / "out/nai-2018.html", pdf_out=proc / "out/nai-2018.pdf", engine="builtin",
    # The inputs whose hashes the report lists, as the workflow passes them.
    sources=sorted(p for folder in ("data/raw/nai-2018", "report") for p in (ws / folder).rglob("*")
                   if p.is_file()) + [ws / "data/themes.yaml", ws / "config.yaml"],
)
p.render_stage(**render)  # first render: part of the floor
render_start = time.perf_counter()
p.render_stage(**render)  # the render step alone
end = time.perf_counter()
print(f"{render_start - start:.3f} {end - render_start:.3f}")
"""


def floor_times(repeat: int) -> tuple[list[float], list[float]]:
    floors, renders = [], []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as tmp:
            ws = workspace(Path(tmp))
            start = time.perf_counter()
            out = subprocess.run(
                [sys.executable, "-c", FLOOR, str(ws)], check=True, capture_output=True, text=True
            ).stdout.split()
            # The floor includes interpreter start-up once, as a one-process build would.
            floors.append(time.perf_counter() - start - float(out[1]))
            renders.append(float(out[1]))
    return floors, renders


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    floors, renders = floor_times(args.repeat)
    times = snakemake_times(args.repeat)
    floor = statistics.median(floors)
    render = statistics.median(renders)
    print(
        f"Machine: {platform.machine()}, {platform.python_version()}, "
        f"{len(__import__('os').sched_getaffinity(0))} cores; median of {args.repeat} runs\n"
    )
    print(f"{'measure':<28}{'seconds':>9}{'vs floor':>10}")
    print(f"{'one-process floor':<28}{floor:>9.2f}{1:>10.2f}")
    print(f"{'render step alone':<28}{render:>9.2f}")
    for name, values in times.items():
        value = statistics.median(values)
        print(f"{name:<28}{value:>9.2f}{value / floor:>10.2f}")


if __name__ == "__main__":
    main()
