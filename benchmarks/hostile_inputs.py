"""Time and memory of big, broken and hostile inputs (run by hand; figures in
docs/performance.md): validation of many duplicate rows, a 400,000-row workbook, the bombs
that the input limits refuse, and the internal edition's render of big audits."""

from __future__ import annotations

import argparse
import csv
import random
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_times import load, with_audits  # noqa: E402
from generate_audits import generate  # noqa: E402

# Validate one audit folder in a process of its own, as the workflow's analysis job does.
VALIDATE = """
import sys
from pathlib import Path
from auditrap import pipeline as p
raw = Path(sys.argv[1])
try:
    p.validate_stage(audit_dir=raw, audit_id=raw.name, out_dir=Path(sys.argv[2]),
                     report_dir=Path(sys.argv[2]) / "validation")
except p.StageError as exc:
    print(str(exc).splitlines()[0])
else:
    print("valid")
"""

# Read one workbook of returns.
READ_WORKBOOK = """
import sys
from pathlib import Path
from auditrap.schemas import Returns, columns, required_columns
from auditrap.workbooks import read_returns_workbook
table = read_returns_workbook(Path(sys.argv[1]), display="returns/big.xlsx",
    expected=columns(Returns), required=required_columns(Returns), engine=sys.argv[2])
print(len(table.frame), "rows,", len(table.problems), "problems")
"""


def run(script: str, *args: str, cwd: Path) -> tuple[dict[str, float], str]:
    """Wall time and peak memory of a Python script in its own process, and its last line."""
    command = [sys.executable, "-c", script, *args]
    result = subprocess.run(
        ["/usr/bin/time", "-v", *command], cwd=cwd, capture_output=True, text=True
    )
    if result.returncode not in (0, 1) or not result.stdout.strip():
        sys.exit(result.stderr[-3000:])
    return _parse(result.stderr), result.stdout.strip().splitlines()[-1]


def duplicate_audit(target: Path, duplicates: int) -> Path:
    """A generated audit whose returns.csv repeats one (case_id, agency) ``duplicates`` times
    among 100,000 returns."""
    (audit,) = generate(target, audits=1, cases=12_500, returns_per_case=8)
    path = target / audit / "returns.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    for row in rows[2 : 2 + duplicates]:
        row[0], row[1] = rows[1][0], rows[1][1]
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return target / audit


def big_workbook(path: Path, rows: int) -> None:
    """A workbook of ``rows`` distinct returns, written as Excel writes one (shared
    strings, a date style), with openpyxl's streaming writer."""
    import datetime as dt

    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Returns")
    sheet.append(
        ["case_id", "agency", "auditor_role", "return_date", "grade", "strengths", "improvements"]
    )
    rng = random.Random(1)
    grades = ["Outstanding", "Good", "Requires improvement", "Inadequate"]
    for n in range(rows):
        sheet.append(
            [
                f"SYN-{n // 8:06d}",
                f"Agency {n % 8}",
                "Designated safeguarding lead",
                dt.datetime(2021, 1, 1) + dt.timedelta(days=n % 300),
                rng.choice(grades),
                "The referral was screened the same day.",
                "",
            ]
        )
    book.save(path)


def bombs(folder: Path, fixture: Path) -> dict[str, Path]:
    """One audit folder per bomb, each a copy of ``fixture`` with one file made hostile."""
    made = {}

    def audit(name: str) -> Path:
        target = folder / name
        shutil.copytree(fixture, target)
        made[name] = target
        return target

    lines = ["areas:", '  - &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"  - &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    (audit("yaml-aliases") / "audit.yaml").write_text("\n".join(lines) + "\n")
    (audit("yaml-nesting") / "audit.yaml").write_text("areas: " + "[" * 100_000 + "\n")
    target = audit("csv-field") / "returns.csv"
    target.write_text(
        target.read_text() + 'CE-1,Police,x,2021-05-01,Good,"' + "x" * 200_000 + '"\n'
    )
    (audit("csv-commas") / "returns.csv").write_text("case_id" + "," * 20_000_000 + "\n")
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(
        ["case_id", "agency", "auditor_role", "return_date", "grade", "strengths", "improvements"]
    )
    book.active["ZZ200000"] = "x"
    (audit("workbook-dimension") / "returns").mkdir()
    book.save(made["workbook-dimension"] / "returns" / "big.xlsx")
    (audit("workbook-zip-bomb") / "returns").mkdir()
    with (
        zipfile.ZipFile(
            made["workbook-zip-bomb"] / "returns" / "bomb.xlsx", "w", zipfile.ZIP_DEFLATED
        ) as archive,
        archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part,
    ):
        for _ in range(200):  # 2 GB of XML, written 10 MB at a time
            part.write(b"<" * 10_000_000)
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--only",
        choices=["duplicates", "workbook", "bombs", "render"],
        action="append",
        help="measure only these (default: all)",
    )
    parser.add_argument("--render-returns", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--workbook-rows", type=int, default=400_000)
    parser.add_argument(
        "--appendix-rows",
        type=int,
        help="internal_appendix_rows for the render (default: config.yaml's); a large value "
        "lists every case, as before the appendix was summarised",
    )
    args = parser.parse_args()
    sections = args.only or ["duplicates", "workbook", "bombs", "render"]
    root = Path(__file__).resolve().parents[1]
    if "duplicates" in sections:
        print(f"Validation of 100,000 returns with repeated (case_id, agency) rows ({load()})")
        for duplicates in (2_000, 100_000 - 1):
            with tempfile.TemporaryDirectory() as tmp:
                audit = duplicate_audit(Path(tmp) / "raw", duplicates)
                measured, said = run(VALIDATE, str(audit), str(Path(tmp) / "out"), cwd=root)
                print(
                    f"  {duplicates + 1:>7,} rows of one (case_id, agency): "
                    f"{measured['wall']:.2f} s, {measured['peak_mb']:.0f} MB: {said}"
                )
    if "workbook" in sections:
        print(f"A workbook of {args.workbook_rows:,} returns ({load()})")
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "big.xlsx"
            big_workbook(path, args.workbook_rows)
            print(f"  {path.stat().st_size / 1e6:.1f} MB on disk")
            for engine in ("auto", "openpyxl"):
                measured, said = run(READ_WORKBOOK, str(path), engine, cwd=root)
                print(
                    f"  read ({engine}): {measured['wall']:.2f} s, "
                    f"{measured['peak_mb']:.0f} MB: {said}"
                )
    if "bombs" in sections:
        print(f"Bombs, each refused by a limit ({load()})")
        with tempfile.TemporaryDirectory() as tmp:
            fixture = root / "tests" / "data" / "audits" / "exploitation-2021"
            for name, audit in bombs(Path(tmp), fixture).items():
                size = sum(p.stat().st_size for p in audit.rglob("*") if p.is_file())
                measured, said = run(VALIDATE, str(audit), str(Path(tmp) / "out"), cwd=root)
                print(
                    f"  {name:<20} {size / 1e3:>9,.0f} KB: {measured['wall']:.2f} s, "
                    f"{measured['peak_mb']:.0f} MB: {said}"
                )
    if "render" in sections:
        print(f"The render of both editions of big audits ({load()})")
        for returns in args.render_returns:
            with tempfile.TemporaryDirectory() as tmp:
                ws = with_audits(Path(tmp), 1, cases=returns // 8, returns_per_case=8)
                if args.appendix_rows:
                    config = yaml.safe_load((ws / "config.yaml").read_text())
                    config["internal_appendix_rows"] = args.appendix_rows
                    (ws / "config.yaml").write_text(yaml.safe_dump(config))
                processed = Path("data/processed/synthetic-001")

                def analysis(target: Path) -> list[str]:
                    return [sys.executable, "-m", "snakemake", str(target), "--cores", "1"]

                made = subprocess.run(
                    analysis(processed / "internal-appendix.md"),
                    cwd=ws,
                    capture_output=True,
                    text=True,
                )
                if made.returncode:
                    sys.exit(made.stderr[-3000:])
                target = processed / "rendered/internal/synthetic-001-internal.html"
                result = subprocess.run(
                    ["/usr/bin/time", "-v", *analysis(target)],
                    cwd=ws,
                    capture_output=True,
                    text=True,
                    timeout=1800,
                )
                if result.returncode:
                    print(f"  {returns:>7,} returns: failed: {result.stderr[-500:]}")
                    continue
                measured = _parse(result.stderr)
                appendix = (ws / processed / "internal-appendix.md").stat().st_size
                print(
                    f"  {returns:>7,} returns: {measured['wall']:.2f} s, "
                    f"{measured['peak_mb']:.0f} MB peak in one process; appendix "
                    f"{appendix / 1e3:,.0f} KB; internal HTML {(ws / target).stat().st_size / 1e6:.1f} MB"
                )
    print(f"({load()})")


def _parse(stderr: str) -> dict[str, float]:
    import re

    def field(name: str) -> str:
        return re.search(rf"{re.escape(name)}: (.+)", stderr).group(1).strip()

    clock = [float(x) for x in field("Elapsed (wall clock) time (h:mm:ss or m:ss)").split(":")]
    return {
        "wall": sum(v * 60**p for p, v in enumerate(reversed(clock))),
        "peak_mb": int(field("Maximum resident set size (kbytes)")) / 1024,
    }


if __name__ == "__main__":
    main()
