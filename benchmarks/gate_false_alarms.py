"""False alarms of the publication gate and of redaction on ordinary report text (run by hand).

The gate reads every piece of a page and a PDF that a browser or a viewer can show or send
(`auditrap.gate.public_pieces`): attributes, CSS, inline SVG, data: URIs, PDF metadata. This
scans every published file of the given output folders (both editions, HTML, PDF and CSV,
and each audit's manifest) with no name list, as the gate would, and prints for each kind of
file the files, the pieces read, the findings (each one a false alarm: the audits hold no
identifiers) and the time taken; then runs redaction over the free text of the given raw
audits and counts the values it changed (each one a false alarm too).

    .venv/bin/python benchmarks/generate_audits.py --audits 4 --cases 40 \\
        --returns-per-case 5 --out /tmp/bench/raw
    # build them with the sample, then:
    .venv/bin/python benchmarks/gate_false_alarms.py --output /tmp/bench/ws/report/_output \\
        --raw /tmp/bench/ws/data/raw

The figures are recorded in ``docs/redaction.md``.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from auditrap.gate import public_pieces, scan_pieces  # noqa: E402
from auditrap.redact import FREE_TEXT, redact_text  # noqa: E402


def scan_outputs(output: Path) -> None:
    rows: dict[str, list[float]] = defaultdict(lambda: [0, 0, 0, 0.0])
    alarms = []
    for path in sorted(p for p in output.rglob("*") if p.is_file()):
        if path.suffix not in (".html", ".pdf", ".csv", ".json"):
            continue
        edition = "internal" if "internal" in path.relative_to(output).parts else "public"
        if path.name == "workflow-report.html":
            continue  # Snakemake's own report of the run, never published
        kind = f"{edition} {path.suffix[1:]}"
        started = time.perf_counter()
        pieces = public_pieces(path)
        findings = scan_pieces(pieces, path.relative_to(output).as_posix())
        row = rows[kind]
        row[0] += 1
        row[1] += len(pieces)
        row[2] += len(findings)
        row[3] += time.perf_counter() - started
        alarms += findings
    print("| files | count | pieces read | findings | seconds |")
    print("|---|---:|---:|---:|---:|")
    for kind, (files, pieces, findings, seconds) in sorted(rows.items()):
        print(f"| {kind} | {files} | {pieces:,} | {findings} | {seconds:.2f} |")
    for finding in alarms:
        print(f"  false alarm: {finding}")


def redact_raw(raw: Path) -> None:
    values = changed = 0
    for audit in sorted(p for p in raw.iterdir() if p.is_dir()):
        for table, columns in FREE_TEXT.items():
            path = audit / f"{table}.csv"
            if not path.is_file():
                continue
            with path.open(encoding="utf-8-sig", newline="") as handle:
                for row in csv.DictReader(handle):
                    for column in columns:
                        text = row.get(column) or ""
                        if text:
                            values += 1
                            if redact_text(text) != text:
                                changed += 1
                                print(f"  changed: {audit.name}/{table}.csv {column}: {text[:80]}")
    print(f"Redaction: {values:,} free-text values of {raw}, {changed} changed.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, action="append", default=[])
    parser.add_argument("--raw", type=Path, action="append", default=[])
    args = parser.parse_args()
    for output in args.output:
        scan_outputs(output)
    for raw in args.raw:
        redact_raw(raw)


if __name__ == "__main__":
    main()
