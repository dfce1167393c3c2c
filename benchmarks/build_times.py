"""Time the builds on this machine (run by hand): the sample audit beside a one-process floor,
one audit of 100,000 returns stage by stage, and many audits in one run."""

from __future__ import annotations

import argparse
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate_audits import generate  # noqa: E402

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
    # Every step depends on the package's code, as in the project (workflow/rules/common.smk).
    "src/auditrap",
]


def workspace(target: Path, audits: dict[str, Path] | None = None) -> Path:
    """A copy of the workflow; with ``audits``, the generated audits instead of the sample."""
    for name in WORKFLOW:
        if audits is not None and name.startswith("data/raw/"):
            continue
        source, destination = ROOT / name, target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(
                source, destination, ignore=shutil.ignore_patterns("_output", "__pycache__")
            )
        else:
            shutil.copyfile(source, destination)
    return target


def with_audits(target: Path, audits: int, cases: int, returns_per_case: int) -> Path:
    """A workspace whose config.yaml lists ``audits`` generated audits, and only those."""
    ws = workspace(target, audits={})
    ids = generate(
        ws / "data" / "raw", audits=audits, cases=cases, returns_per_case=returns_per_case
    )
    config = yaml.safe_load((ws / "config.yaml").read_text())
    config["audits"] = ids
    (ws / "config.yaml").write_text(yaml.safe_dump(config))
    return ws


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str], cwd: Path, check: bool = True) -> tuple[float, float]:
    """Wall time and CPU time (user + system, the command and everything it started)."""
    cpu, start = children_cpu(), time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if check and result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed in {cwd}:\n{result.stderr[-5000:]}")
    return time.perf_counter() - start, children_cpu() - cpu


# The two ways to build: Snakemake's command line, and `auditrap build` (what `make report`
# runs), the same workflow through Snakemake's API without its job-rate limiter.
COMMANDS = {
    "snakemake -c2": [sys.executable, "-m", "snakemake", "--cores", "2", "--quiet", "all"],
    "auditrap build -c2": [sys.executable, "-m", "auditrap.cli", "build", "--cores", "2", "-q"],
}


def snakemake_times(repeat: int, command: list[str]) -> dict[str, list[tuple[float, float]]]:
    times: dict[str, list[tuple[float, float]]] = {
        "cold build": [],
        "no-op rebuild": [],
        "narrative edit": [],
    }
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
from types import SimpleNamespace
start = time.perf_counter()
import yaml
from auditrap import pipeline as p
from auditrap.tables import AGGREGATE_TABLES, PUBLISHED_TABLES
ws = Path(sys.argv[1]); proc = ws / "data/processed/nai-2018"
agg, published = proc / "aggregates", proc / "published"
schema = yaml.safe_load((ws / "workflow/schemas/config.schema.yaml").read_text())
config = {**{key: value["default"] for key, value in schema["properties"].items()
             if "default" in value}, **yaml.safe_load((ws / "config.yaml").read_text())}
policy = {**config["disclosure"],
          **config.get("audit_settings", {}).get("nai-2018", {}).get("disclosure", {})}
p.validate_stage(audit_dir=ws / "data/raw/nai-2018", audit_id="nai-2018", out_dir=proc,
                 report_dir=proc / "validation")
p.aggregate_stage(processed_dir=proc, tables_out=[agg / f"{n}.csv" for n in AGGREGATE_TABLES],
                  case_grades_out=proc / "case_grades.csv")
p.tag_stage(returns_path=proc / "returns.parquet", taxonomy_paths=[ws / "data/themes.yaml"],
            tags_out=proc / "theme_tags.csv", counts_out=agg / "theme_counts.csv",
            audit_dir=ws / "data/raw/nai-2018", cases_path=proc / "cases.parquet",
            meta_path=proc / "audit.json", sentence_tags_out=proc / "theme_sentences.parquet",
            review_out=proc / "theme_review.json")
p.disclosure_stage(tables=[agg / f"{n}.csv" for n in PUBLISHED_TABLES], policy=policy,
                   tables_out=[published / f"{n}.csv" for n in PUBLISHED_TABLES],
                   summary_out=proc / "disclosure.json")
p.charts_stage(tables={"grade_distribution": published / "grade_distribution.csv",
                       "grades_by_area": published / "grades_by_area.csv"},
               out_dir=proc / "figures", charts_json=proc / "figures/charts.json",
               palette=config["palette"], fonts_dir=ws / "report/fonts",
               disclosure_path=proc / "disclosure.json")
p.variables_stage(meta_path=proc / "audit.json",
                  tables=[published / f"{n}.csv" for n in PUBLISHED_TABLES],
                  disclosure_path=proc / "disclosure.json", out=proc / "variables.yml",
                  review_path=proc / "theme_review.json")
p.lineage_stage(variables_path=proc / "variables.yml", processed_dir=proc,
                audit_dir=ws / "data/raw/nai-2018", out=proc / "lineage.csv",
                public_out=published / "lineage.csv")
p.appendix_stage(case_grades_path=proc / "case_grades.parquet",
                 returns_path=proc / "returns.parquet",
                 theme_tags_path=proc / "theme_tags.parquet", actions_path=proc / "actions.parquet",
                 theme_counts_path=agg / "theme_counts.csv", out=proc / "internal-appendix.md",
                 theme_sentences_path=proc / "theme_sentences.parquet")
p.check_disclosure_stage(tables=[*(published / f"{n}.csv" for n in PUBLISHED_TABLES),
                                 published / "lineage.csv"],
                         summary=proc / "disclosure.json", audit_id="nai-2018",
                         out=proc / "disclosure-check.json")
narrative = sorted((ws / "data/raw/nai-2018/narrative").glob("*.md"))
render = dict(
    charts_json=proc / "figures/charts.json",
    internal={"build_dir": proc / "build-internal", "html": proc / "out/internal.html",
              "pdf": proc / "out/internal.pdf", "appendix": proc / "internal-appendix.md"},
)
render.update(
    variables_path=proc / "variables.yml", theme_counts_path=agg / "theme_counts.csv",
    figures=sorted((proc / "figures").glob("*.svg")), narrative=narrative,
    meta_path=proc / "audit.json", build_dir=proc / "build", report_dir=ws / "report",
    html_out=proc / "out/nai-2018.html", pdf_out=proc / "out/nai-2018.pdf", engine="builtin",
    accessibility=config["accessibility"],
    # The inputs whose hashes the report lists, as the workflow passes them.
    sources=sorted(p for folder in ("data/raw/nai-2018", "report") for p in (ws / folder).rglob("*")
                   if p.is_file()) + [ws / "data/themes.yaml", ws / "config.yaml"],
)
p.render_stage(**render)  # first render: part of the floor
finished = SimpleNamespace(
    html=proc / "out/nai-2018.html", pdf=proc / "out/nai-2018.pdf",
    internal_html=proc / "out/internal.html", internal_pdf=proc / "out/internal.pdf",
    case_grades=proc / "case_grades.csv", theme_tags=proc / "theme_tags.csv",
    tables=[published / f"{n}.csv" for n in PUBLISHED_TABLES],
    lineage=published / "lineage.csv", internal_lineage=proc / "lineage.csv")
p.record_stage(files=p.published_files(finished, "nai-2018"), audit_id="nai-2018",
               inputs=render["sources"], meta_path=proc / "audit.json",
               manifest_out=proc / "manifest.json", engine="builtin",
               disclosure_check_path=proc / "disclosure-check.json")
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
            # In the workspace, as the workflow runs: a manifest records paths inside the project.
            out = subprocess.run(
                [sys.executable, "-c", FLOOR, str(ws)],
                check=True,
                capture_output=True,
                text=True,
                cwd=ws,
            ).stdout.split()
            # The floor includes interpreter start-up once, as a one-process build would.
            floors.append(time.perf_counter() - start - float(out[1]))
            renders.append(float(out[1]))
    return floors, renders


# One stage of one large audit, called as the workflow's script calls it, in its own process.
LARGE_STAGE = """
import sys
from pathlib import Path
from auditrap import pipeline as p
from auditrap.tables import AGGREGATE_TABLES
stage, ws, audit_id = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
raw, proc = ws / "data/raw" / audit_id, ws / "data/processed" / audit_id
agg = proc / "aggregates"
if stage == "validate":
    p.validate_stage(audit_dir=raw, audit_id=audit_id, out_dir=proc,
                     report_dir=proc / "validation")
elif stage == "aggregate":
    p.aggregate_stage(processed_dir=proc, tables_out=[agg / f"{n}.csv" for n in AGGREGATE_TABLES],
                      case_grades_out=proc / "case_grades.csv")
elif stage == "tag":
    p.tag_stage(returns_path=proc / "returns.parquet", taxonomy_paths=[ws / "data/themes.yaml"],
                tags_out=proc / "theme_tags.csv", counts_out=agg / "theme_counts.csv",
                audit_dir=raw, cases_path=proc / "cases.parquet", meta_path=proc / "audit.json",
                sentence_tags_out=proc / "theme_sentences.parquet",
                review_out=proc / "theme_review.json")
"""


def gnu_time(command: list[str], cwd: Path) -> dict[str, float]:
    """Wall and CPU seconds and peak memory (MB) of a command, from ``/usr/bin/time -v``."""
    result = subprocess.run(
        ["/usr/bin/time", "-v", *command], cwd=cwd, capture_output=True, text=True, check=True
    )

    def field(name: str) -> str:
        return re.search(rf"{re.escape(name)}: (.+)", result.stderr).group(1).strip()

    clock = [
        float(part) for part in field("Elapsed (wall clock) time (h:mm:ss or m:ss)").split(":")
    ]
    wall = sum(value * 60**power for power, value in enumerate(reversed(clock)))
    return {
        "wall": wall,
        "cpu": float(field("User time (seconds)")) + float(field("System time (seconds)")),
        "peak_mb": int(field("Maximum resident set size (kbytes)")) / 1024,
    }


def large_times(returns: int, repeat: int) -> dict[str, list[dict[str, float]]]:
    """Validate, aggregate and tag one audit of ``returns`` returns (8 per case)."""
    times: dict[str, list[dict[str, float]]] = {"validate": [], "aggregate": [], "tag": []}
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as tmp:
            ws = with_audits(Path(tmp), 1, cases=returns // 8, returns_per_case=8)
            for stage in times:
                command = [sys.executable, "-c", LARGE_STAGE, stage, str(ws), "synthetic-001"]
                times[stage].append(gnu_time(command, ws))
    return times


def many_times(
    counts: list[int], repeat: int, command: list[str]
) -> dict[int, list[tuple[float, float]]]:
    """Cold builds of 1, 10, 100 ... generated audits (15 cases, 75 returns each) in one run."""
    times: dict[int, list[tuple[float, float]]] = {n: [] for n in counts}
    for _ in range(repeat):
        for n in counts:
            with tempfile.TemporaryDirectory() as tmp:
                ws = with_audits(Path(tmp), n, cases=15, returns_per_case=5)
                # An audit that the publication gate stops must not stop the others.
                times[n].append(timed([*command, "--keep-going"], ws, check=False))
                published = len(list(ws.glob("report/_output/*/manifest.json")))
                if published < n:
                    print(f"  ({n - published} of {n} audits failed and were not published)")
    return times


def stamp_times(counts: list[int], repeat: int) -> dict[int, list[float]]:
    """What reading the workflow now adds to every run (a no-op included): the content stamps
    of every audit's sources and the check of every published folder against its receipt
    (workflow/rules/common.smk, record_sources), for N published copies of the sample, timed
    in one process as CPU seconds. The files are the ones the workflow hashes."""
    from auditrap.publish import receipt_problem, write_receipt
    from auditrap.sources import Hasher, stamp_text

    results: dict[int, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        ws = workspace(Path(tmp))
        timed(COMMANDS["auditrap build -c2"], ws)  # the sample, built and published once
        raw, out = ws / "data" / "raw", ws / "report" / "_output"
        templates = sorted(
            p for p in (ws / "report").rglob("*") if p.is_file() and "_output" not in p.parts
        )
        for n in range(1, max(counts)):
            shutil.copytree(raw / "nai-2018", raw / f"copy-{n}")
            shutil.copytree(out / "nai-2018", out / f"copy-{n}")
            write_receipt(ws / f"receipt-{n}.json", out / f"copy-{n}")
        write_receipt(ws / "receipt-0.json", out / "nai-2018")
        ids = ["nai-2018"] + [f"copy-{n}" for n in range(1, max(counts))]
        for count in counts:
            results[count] = []
            for _ in range(repeat):
                start = time.process_time()
                hasher = Hasher()
                for k, audit_id in enumerate(ids[:count]):
                    folder = raw / audit_id
                    data = [
                        folder / name
                        for name in ("audit.yaml", "cases.csv", "actions.csv", "returns.csv")
                        if (folder / name).is_file()
                    ] + sorted(folder.glob("returns/*.xlsx"))
                    stamp_text(data + [ws / "data/themes.yaml"], hasher)
                    stamp_text(sorted((folder / "narrative").glob("*.md")) + templates, hasher)
                    receipt_problem(ws / f"receipt-{k}.json", out / audit_id)
                results[count].append(time.process_time() - start)
    return results


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def median(values: list[float]) -> float:
    return statistics.median(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measure (median)")
    parser.add_argument(
        "--only",
        choices=["sample", "large", "many", "stamps"],
        action="append",
        help="measure only these (default: all three)",
    )
    parser.add_argument("--returns", type=int, default=100_000, help="returns of the large audit")
    parser.add_argument(
        "--audits", type=int, nargs="+", default=[1, 10, 100], help="audit counts of one run"
    )
    parser.add_argument(
        "--many-repeat", type=int, default=1, help="runs of each audit count (default 1)"
    )
    parser.add_argument(
        "--command",
        choices=list(COMMANDS),
        action="append",
        help="how to build (default: both)",
    )
    args = parser.parse_args()
    sections = args.only or ["sample", "large", "many", "stamps"]
    cpu = re.search(r"model name\s*: (.+)", Path("/proc/cpuinfo").read_text())
    memory = re.search(r"MemTotal:\s*(\d+)", Path("/proc/meminfo").read_text())
    print(
        f"Machine: {len(os.sched_getaffinity(0))} cores ({cpu.group(1) if cpu else '?'}, "
        f"{platform.machine()}), {int(memory.group(1)) / 1024**2:.0f} GiB; "
        f"Python {platform.python_version()}; {time.strftime('%Y-%m-%d %H:%M')}\n"
        "Seconds; CPU is user + system time of every process. Timings taken while others use "
        "the machine are noisy: compare the load averages.\n"
    )
    commands = {name: COMMANDS[name] for name in args.command or COMMANDS}
    if "sample" in sections:
        print(f"The sample audit, median of {args.repeat} runs ({load()})")
        floors, renders = floor_times(args.repeat)
        floor, render = median(floors), median(renders)
        print(f"  {'measure':<42}{'wall':>8}{'CPU':>8}{'wall/floor':>12}")
        print(f"  {'one-process floor':<42}{floor:>8.2f}{'':>8}{1:>12.2f}")
        print(f"  {'render step alone':<42}{render:>8.2f}")
        for label, command in commands.items():
            times = snakemake_times(args.repeat, command)
            for name, values in times.items():
                wall, cpu_time = median([w for w, _ in values]), median([c for _, c in values])
                row = f"{name}, {label}"
                print(f"  {row:<42}{wall:>8.2f}{cpu_time:>8.2f}{wall / floor:>12.2f}")
            narrative = median([w for w, _ in times["narrative edit"]])
            print(f"  {'  narrative edit / render step alone':<42}{narrative / render:>8.2f}")
        print(f"  ({load()})\n")
    if "large" in sections:
        print(f"One audit of {args.returns:,} returns, median of {args.repeat} runs ({load()})")
        large = large_times(args.returns, args.repeat)
        print(f"  {'stage':<12}{'wall':>8}{'CPU':>8}{'peak MB':>10}")
        total = 0.0
        for stage, runs in large.items():
            wall = median([r["wall"] for r in runs])
            total += wall
            print(
                f"  {stage:<12}{wall:>8.2f}{median([r['cpu'] for r in runs]):>8.2f}"
                f"{max(r['peak_mb'] for r in runs):>10.0f}"
            )
        print(f"  {'together':<12}{total:>8.2f} ({load()})\n")
    if "stamps" in sections:
        print(f"Reading the workflow: content stamps and receipt checks ({load()})")
        stamps = stamp_times(args.audits, args.repeat)
        print(f"  {'published audits':>16}{'CPU (s)':>9}{'per audit (ms)':>16}")
        for count, runs in stamps.items():
            print(f"  {count:>16}{median(runs):>9.3f}{median(runs) / count * 1000:>16.1f}")
        print(f"  ({load()})\n")
    for label, command in commands.items() if "many" in sections else ():
        print(f"Many audits in one run, {label}, median of {args.many_repeat} ({load()})")
        many = many_times(args.audits, args.many_repeat, command)
        walls = {n: median([w for w, _ in runs]) for n, runs in many.items()}
        print(f"  {'audits':>6}{'wall':>9}{'CPU':>9}{'wall per audit':>16}{'marginal':>10}")
        first = min(walls)
        for n, runs in many.items():
            marginal = (walls[n] - walls[first]) / (n - first) if n != first else float("nan")
            print(
                f"  {n:>6}{walls[n]:>9.2f}{median([c for _, c in runs]):>9.2f}"
                f"{walls[n] / n:>16.2f}{marginal:>10.2f}"
            )
        print(f"  marginal: extra wall time per extra audit, from {first} audit(s) ({load()})\n")


if __name__ == "__main__":
    main()
