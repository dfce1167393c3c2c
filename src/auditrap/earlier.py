"""What an audit's report says of its board's other audits: what earlier audits found, the
re-audit comparison, and what the audit responds to.

Three steps, each a function over files (the workflow's jobs call them):

- :func:`entry_stage` (rule ``board_entry``): an audit's *board entry*, what a later audit of
  its board takes from it: its findings (audit.yaml's ``findings``, else the themes its
  returns spoke of, after the analyst's review) and its published grade distribution (under
  its own disclosure policy). It reads the audit's returns, cases and immediate actions, never
  its recommendations, action plan or narrative, so an update of the action plan leaves the
  later audits alone.
- :func:`context_stage` (in the analysis job): from the audit's *context* (what the workflow
  read of its board, :func:`auditrap.boards.audit_context`) and the entries of the earlier
  audits it needs, the tables ``earlier_findings.csv`` (for each finding of this audit, each
  earlier audit of the board where it was also a finding) and ``reaudit_grades.csv`` (a
  re-audit's grades beside the earlier audit's), the comparison chart, and
  ``board-context.json``, everything the audit took from its board, which the manifest
  records.
- :func:`context_variables` and :func:`context_lineage`: the numbers the report states, each
  a variable with its lineage; :func:`introduction_part`, :func:`earlier_audits_part` and
  :func:`conclusion_part`: the report's generated text.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from auditrap.grades import GRADES, slug

log = logging.getLogger("auditrap")

EARLIER_COLUMNS = ["theme_id", "theme", "audit_number", "title", "period"]
REAUDIT_COLUMNS = ["audit_number", "period", "grade", "cases", "percent"]
#: The comparison chart's name (its narrow drawing adds ``-narrow``).
REAUDIT_CHART = "reaudit-grades"


# -- An audit's board entry ------------------------------------------------------------------


def entry_stage(
    *,
    audit_dir: Path,
    audit_id: str,
    out: Path,
    taxonomy_paths: Sequence[Path],
    names_path: Path | None = None,
    grade_aliases: Mapping[str, str] | None = None,
    ignored_columns: Sequence[str] = (),
    input_limits: Mapping[str, Any] | None = None,
    policy: Mapping[str, Any] | None = None,
) -> None:
    """Write the audit's board entry (``board-entry.json``): see the module's docstring.

    The audit is validated as its own analysis validates it (without the plan files), so a
    problem stops this step with the same messages; its grade distribution is aggregated and
    protected exactly as its own report publishes it."""
    import pandas as pd

    from auditrap.aggregate import aggregate_audit
    from auditrap.cycle import findings_of
    from auditrap.disclosure import policy_from_settings, protect, published_csv_frame
    from auditrap.limits import InputLimits
    from auditrap.pipeline import StageError
    from auditrap.problems import InputError
    from auditrap.redact import read_name_list, redact_tables
    from auditrap.review import tag_and_review
    from auditrap.safe_csv import read_csv, write_csv
    from auditrap.themes import TaxonomyError, load_taxonomy, theme_counts
    from auditrap.validate import load_audit

    paths = [Path(p) for p in taxonomy_paths]
    try:
        taxonomy = load_taxonomy(paths[0], paths[1] if len(paths) > 1 else None)
    except TaxonomyError as exc:
        raise StageError(f"The theme taxonomy cannot be used: {exc}") from None
    audit, problems = load_audit(
        Path(audit_dir),
        audit_id,
        grade_aliases=grade_aliases,
        ignored_columns=ignored_columns,
        theme_ids=taxonomy.ids,
        limits=InputLimits.from_settings(input_limits),
        plan=False,
    )
    if audit is None:
        raise InputError(problems, audit_id=audit_id)
    names = read_name_list(Path(names_path) if names_path else None)
    redacted, _ = redact_tables({"returns": audit.returns, "actions": audit.actions}, names)
    returns = redacted["returns"]
    tagged = tag_and_review(
        returns,
        taxonomy,
        audit_dir=Path(audit_dir),
        case_ids=audit.cases["case_id"].astype(str).tolist(),
        agencies=list(audit.meta.agencies),
        ignored_columns=ignored_columns,
    )
    if not tagged.review.ok:
        raise InputError(tagged.review.problems, audit_id=audit_id)
    tags = tagged.tags
    findings = findings_of(audit.meta, tags["theme_id"].astype(str), taxonomy.ids)
    tables = aggregate_audit(audit.cases, returns, redacted["actions"], audit.meta.agencies).tables
    tables["theme_counts"] = theme_counts(tags, taxonomy)
    applied = policy_from_settings(policy or {})
    # Through CSV, as the analysis writes and reads its tables, so that the protection
    # sees exactly the same frames.
    with tempfile.TemporaryDirectory() as tmp:
        frames = {}
        for name, frame in tables.items():
            write_csv(frame, Path(tmp) / f"{name}.csv")
            frames[name] = read_csv(Path(tmp) / f"{name}.csv")
    protected = protect(frames, applied)
    distribution = published_csv_frame(protected.tables["grade_distribution"], applied.symbol)
    rows = {
        grade: sorted(
            int(r)
            for r, g in zip(audit.cases["source_row"], audit.cases["ratified_grade"], strict=True)
            if pd.notna(g) and str(g) == grade
        )
        for grade in GRADES
    }

    def value(cell: Any) -> int | None:
        return None if str(cell) == applied.symbol else int(cell)

    total = protected.totals.get("grade_distribution", {}).get("")
    if total is None and all(str(c) != applied.symbol for c in distribution["cases"]):
        total = int(pd.to_numeric(distribution["cases"]).sum())
    entry = {
        "audit_id": audit_id,
        "board": audit.meta.board,
        "audit_number": audit.meta.audit_number,
        "title": audit.meta.title,
        "period": audit.meta.period,
        "topic": audit.meta.topic,
        "findings": list(findings),
        "findings_from": "audit.yaml" if audit.meta.findings is not None else "tags",
        "unreviewed": int(tagged.sentence_tags["decision"].eq("unreviewed").sum()),
        "symbol": applied.symbol,
        "ratified": total,
        "grades": [
            {
                "grade": str(row.grade),
                "cases": value(row.cases),
                "percent": value(row.percent),
                "rows": rows[str(row.grade)],
            }
            for row in distribution.itertuples(index=False)
        ],
    }
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_text(json.dumps(entry, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    log.info(
        "Board entry of %s: audit %d, %d findings (from %s).",
        audit_id,
        audit.meta.audit_number,
        len(findings),
        entry["findings_from"],
    )


# -- An audit's context, resolved ------------------------------------------------------------


def _entry_grades(entry: Mapping[str, Any]) -> Any:
    import pandas as pd

    return pd.DataFrame(
        {
            "grade": [g["grade"] for g in entry["grades"]],
            "cases": pd.array([g["cases"] for g in entry["grades"]], dtype="Int64"),
            "percent": pd.array([g["percent"] for g in entry["grades"]], dtype="Int64"),
        }
    )


def resolve(
    context: Mapping[str, Any], entries: Mapping[str, Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """The earlier audits of the context, each with its findings (from its board entry when
    its audit.yaml lists none)."""
    from auditrap.pipeline import StageError

    earlier = []
    for audit in context.get("earlier", []):
        audit = dict(audit)
        if audit["findings"] is None:
            entry = entries.get(str(audit["audit_id"]))
            if entry is None:  # the workflow always gives it: a fault, not the data's
                raise StageError(f"The board entry of {audit['audit_id']} was not given.")
            audit["findings"] = list(entry["findings"])
            audit["findings_from"] = "tags"
        else:
            audit["findings_from"] = "audit.yaml" if audit["audit_id"] else "programme.yaml"
        earlier.append(audit)
    return earlier


def _programme_audit(entry: Mapping[str, Any], board: str) -> Any:
    from auditrap.cycle import ProgrammeAudit

    return ProgrammeAudit(
        board=board,
        audit_number=int(entry["audit_number"]),
        title=str(entry["title"]),
        period=str(entry["period"]),
        findings=tuple(entry["findings"]),
        topic=entry.get("topic"),
        audit_id=entry.get("audit_id"),
    )


def context_stage(
    *,
    context: Mapping[str, Any],
    entries: Sequence[Path],
    meta_path: Path,
    theme_tags_path: Path,
    theme_counts_path: Path,
    grade_distribution_path: Path,
    disclosure_path: Path,
    out: Path,
    tables_out: Sequence[Path],
    figures_dir: Path,
    palette: Sequence[str],
    fonts_dir: Path | None = None,
) -> None:
    """Write what the audit takes from its board (see the module's docstring):
    ``board-context.json`` (``out``), the tables ``earlier_findings`` and ``reaudit_grades``
    (``tables_out``, by file stem; written for every audit, without rows when they do not
    apply) and, for a re-audit whose earlier audit has grades, the comparison chart in
    ``figures_dir`` (made empty otherwise)."""
    import shutil

    import pandas as pd

    from auditrap import charts
    from auditrap.cycle import (
        Board,
        comparison_caveat,
        earlier_findings,
        findings_of,
        grade_comparison,
        recurrence,
    )
    from auditrap.metadata import AuditMeta
    from auditrap.pipeline import read_published_tables
    from auditrap.safe_csv import read_csv, write_csv

    meta = json.loads(Path(meta_path).read_text(encoding="utf-8"))
    counts = read_csv(Path(theme_counts_path))
    titles = dict(zip(counts["theme_id"].astype(str), counts["theme"].astype(str), strict=True))
    tags = pd.read_csv(theme_tags_path, usecols=["theme_id"], dtype=str)
    fields = {k: v for k, v in meta.items() if k in AuditMeta.model_fields}
    own = findings_of(AuditMeta.model_validate(fields), tags["theme_id"], list(titles))
    loaded = {
        json.loads(Path(p).read_text(encoding="utf-8"))["audit_id"]: json.loads(
            Path(p).read_text(encoding="utf-8")
        )
        for p in entries
    }
    earlier = resolve(context, loaded)
    board_name = str(context.get("board") or meta["board"])
    me = _programme_audit(
        {
            "audit_number": meta["audit_number"],
            "title": meta["title"],
            "period": meta["period"],
            "findings": own,
            "topic": meta.get("topic"),
            "audit_id": meta["audit_id"],
        },
        board_name,
    )
    board = Board(
        board_name,
        str(context.get("slug", "")),
        tuple(
            sorted(
                [*(_programme_audit(a, board_name) for a in earlier), me],
                key=lambda a: a.audit_number,
            )
        ),
    )
    found = recurrence(board, me)
    table = earlier_findings(board, me, titles)
    frames, disclosure = read_published_tables(
        [Path(grade_distribution_path)], Path(disclosure_path)
    )
    now = frames["grade_distribution"]
    symbol = disclosure["policy"]["symbol"]
    reaudit: dict[str, Any] | None = None
    comparison = pd.DataFrame(columns=REAUDIT_COLUMNS)
    figures_dir = Path(figures_dir)
    if figures_dir.exists():
        shutil.rmtree(figures_dir)
    figures_dir.mkdir(parents=True)
    made: dict[str, Any] = {}
    if context.get("reaudit") is not None:
        target = next(a for a in earlier if a["audit_number"] == context["reaudit"])
        reaudit = {
            "audit_number": target["audit_number"],
            "title": target["title"],
            "period": target["period"],
            "audit_id": target["audit_id"],
            "source_file": target["source_file"],
            "source_row": target["source_row"],
            "grades_held": target["audit_id"] is not None,
        }
        if target["audit_id"] is not None:
            entry = loaded[str(target["audit_id"])]
            then = _entry_grades(entry)
            then_audit = _programme_audit(target, board_name)
            comparison = grade_comparison(then_audit, then, me, now)
            caveat = comparison_caveat(then_audit, then, now)
            total = disclosure.get("totals", {}).get("grade_distribution", {}).get("")
            if total is None and not now["cases"].isna().any():
                total = int(now["cases"].sum())
            reaudit |= {
                "then_symbol": entry["symbol"],
                "then": entry["grades"],
                "then_total": entry["ratified"],
                "now_total": total,
                "caveat": caveat.numbers,
                "tested": caveat.p_value is not None,
                "no_grades": caveat.p_value is None and 0 in (caveat.total, caveat.earlier_total),
                "p_value": caveat.p_value,
            }
            chart = reaudit_chart(reaudit, now, meta["period"], palette, symbol)
            written = charts.render(chart, figures_dir, fonts_dir=fonts_dir)
            made[chart.name] = {
                "title": chart.title,
                "alt": chart.alt,
                **{fmt: p.name for fmt, p in written.items()},
            }
    wanted = {Path(p).stem: Path(p) for p in tables_out}
    write_csv(table[EARLIER_COLUMNS], wanted["earlier_findings"])
    write_csv(_published(comparison, symbol), wanted["reaudit_grades"])
    record = {
        "board": board_name,
        "slug": context.get("slug"),
        "audit_number": meta["audit_number"],
        "findings": list(own),
        "findings_from": "audit.yaml" if meta.get("findings") is not None else "tags",
        "earlier": earlier,
        "recurrence": {t: [a.audit_number for a in audits] for t, audits in found.items()},
        "reaudit": reaudit,
        "responds_to": meta.get("responds_to") or [],
        "as_of": context.get("as_of"),
        "charts": made,
    }
    Path(out).write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    log.info(
        "Earlier audits of the board: %d; %d of %d findings recur%s.",
        len(earlier),
        sum(1 for v in found.values() if v),
        len(own),
        f"; a re-audit of audit {reaudit['audit_number']}" if reaudit else "",
    )


def _published(frame: Any, symbol: str) -> Any:
    from auditrap.disclosure import published_csv_frame

    return published_csv_frame(frame, symbol) if len(frame) else frame


def reaudit_chart(
    reaudit: Mapping[str, Any], now: Any, period: str, palette: Sequence[str], symbol: str
) -> Any:
    """The re-audit's grades beside the earlier audit's, as small multiples."""
    import pandas as pd

    from auditrap.cycle_charts import grade_panels_chart

    then_label = f"Audit {reaudit['audit_number']} ({reaudit['period']})"
    now_label = f"This audit ({period})"
    grades = pd.concat(
        [
            pd.DataFrame(
                {
                    "panel": then_label,
                    "grade": [g["grade"] for g in reaudit["then"]],
                    "cases": pd.array([g["cases"] for g in reaudit["then"]], dtype="Int64"),
                }
            ),
            pd.DataFrame(
                {"panel": now_label, "grade": now["grade"].astype(str), "cases": now["cases"]}
            ),
        ],
        ignore_index=True,
    )
    return grade_panels_chart(
        grades,
        [then_label, now_label],
        name=REAUDIT_CHART,
        what="this audit and the earlier audit of the board on the same topic",
        palette=palette,
        totals={then_label: reaudit.get("then_total"), now_label: reaudit.get("now_total")},
        symbol=symbol,
    )


def context_charts(figures_dir: Path | None, context_path: Path | None) -> dict[str, Any]:
    """The comparison chart's title, alt text and files, for the render step."""
    if context_path is None or not Path(context_path).is_file():
        return {}
    return dict(json.loads(Path(context_path).read_text(encoding="utf-8")).get("charts", {}))


# -- The numbers the report states ----------------------------------------------------------


def audit_key(number: int) -> str:
    """The variable key of an earlier audit: ``a`` and its number (unique in a board)."""
    return f"a{int(number)}"


def context_variables(record: Mapping[str, Any], symbol: str = "[c]") -> dict[str, Any]:
    """The report's variables of the board's other audits: ``earlier`` (the earlier audits,
    this audit's findings and which recur), ``reaudit`` (the comparison: each grade's count
    and percentage in both audits, and the caveat's numbers) and ``responds_to``."""
    earlier = record.get("earlier", [])
    recurrence = record.get("recurrence", {})
    variables: dict[str, Any] = {
        "earlier": {
            "count": len(earlier),
            "findings": len(record.get("findings", [])),
            "recurring": sum(1 for numbers in recurrence.values() if numbers),
            "audits": {
                audit_key(a["audit_number"]): {
                    "number": int(a["audit_number"]),
                    "title": a["title"],
                    "period": str(a["period"]),
                }
                for a in earlier
            },
        },
        "responds_to": [
            {"review": r["review"], "recommendation": r["recommendation"]}
            for r in record.get("responds_to", [])
        ],
    }
    reaudit = record.get("reaudit")
    if reaudit:
        entry: dict[str, Any] = {
            "number": int(reaudit["audit_number"]),
            "title": reaudit["title"],
            "period": str(reaudit["period"]),
            "grades_held": bool(reaudit["grades_held"]),
        }
        if reaudit["grades_held"]:

            def shown(value: Any, hidden: str) -> int | str:
                return hidden if value is None else int(value)

            entry["grades"] = {}
            now = {g["grade"]: g for g in reaudit.get("now", [])}
            for g in reaudit["then"]:
                entry["grades"][slug(g["grade"])] = {
                    "label": g["grade"],
                    "then": shown(g["cases"], reaudit["then_symbol"]),
                    "then_percent": shown(g["percent"], reaudit["then_symbol"]),
                }
                if g["grade"] in now:
                    entry["grades"][slug(g["grade"])] |= {
                        "now": shown(now[g["grade"]]["cases"], symbol),
                        "now_percent": shown(now[g["grade"]]["percent"], symbol),
                    }
            entry["caveat"] = {
                k: (_p_number(v) if k == "p" else v) for k, v in reaudit["caveat"].items()
            }
            # The test's exact p-value, as text (never stated: the caveat's words depend on
            # which side of 0.05 it falls and how many times in 10 it is).
            entry["p_exact"] = "" if reaudit.get("p_value") is None else repr(reaudit["p_value"])
            entry["no_grades"] = bool(reaudit.get("no_grades"))
        variables["reaudit"] = entry
    return variables


def _p_number(text: str) -> float | int | str:
    """A p-value as the caveat writes it, as a number where the number reads the same."""
    try:
        number = float(text)
    except ValueError:
        return text  # "< 0.001"
    if number == int(number) and "." not in text:
        return int(number)
    return number if repr(number) == text else text


def with_grades_now(record: dict[str, Any], variables: Mapping[str, Any]) -> dict[str, Any]:
    """The record with this audit's published grades (from its variables), for
    :func:`context_variables`."""
    reaudit = record.get("reaudit")
    if reaudit and reaudit.get("grades_held"):
        reaudit["now"] = [
            {"grade": g["label"], "cases": _none(g["count"]), "percent": _none(g["percent"])}
            for g in variables["grades"].values()
        ]
    return record


def _none(value: Any) -> int | None:
    return value if isinstance(value, int) else None


def context_lineage(
    variables: Mapping[str, Any],
    record: Mapping[str, Any],
    *,
    audit_dir: Path,
    cases: Any,
    processed_dir: Path,
    programme_path: Path | None,
    raw_dir: Path,
) -> list[dict[str, Any]]:
    """The lineage of the numbers of :func:`context_variables`: an earlier audit's number
    from data/programme.yaml (the entry's line) or its audit.yaml; a re-audit's counts from
    this audit's cases and the earlier audit's cases (through its board entry); the
    caveat's numbers from those counts. Input files are given relative to the audit's
    folder, as the rest of its lineage."""
    from auditrap.lineage import hidden_symbol, lineage_row, numbers

    audit_dir = Path(audit_dir)
    symbol = hidden_symbol(variables)
    records: list[dict[str, Any]] = []

    def add(key, value, kind, table, cell, processed, flt, file="", rows=()) -> None:
        records.append(
            lineage_row(
                key,
                value,
                kind=kind,
                symbol=symbol,
                table=table,
                cell=cell,
                processed=processed,
                flt=flt,
                file=file,
                rows=rows,
                folder=audit_dir,
            )
        )

    def source(audit: Mapping[str, Any]) -> tuple[str, list[int]]:
        if audit.get("audit_id"):
            target = Path(raw_dir) / str(audit["audit_id"]) / "audit.yaml"
            return os.path.relpath(target, audit_dir), []
        target = Path(programme_path or "data/programme.yaml")
        row = audit.get("source_row")
        return os.path.relpath(target, audit_dir), [int(row)] if row else []

    earlier = {audit_key(a["audit_number"]): a for a in record.get("earlier", [])}
    by_key = dict(numbers(variables, hidden=symbol))
    for key, value in by_key.items():
        parts = key.split(".")
        if parts[0] == "earlier" and len(parts) == 4 and parts[1] == "audits":
            file, rows = source(earlier[parts[2]])
            add(
                key,
                value,
                "programme",
                "earlier_findings.csv",
                f"audit_number={value}",
                "board-context.json",
                f"audit_number == {value}",
                file,
                rows,
            )
        elif key == "earlier.count":
            for audit in earlier.values():
                file, rows = source(audit)
                add(
                    key,
                    value,
                    "programme",
                    "",
                    "",
                    "board-context.json",
                    "earlier audits of the board",
                    file,
                    rows,
                )
            if not earlier:
                add(
                    key,
                    value,
                    "programme",
                    "",
                    "",
                    "board-context.json",
                    "earlier audits of the board",
                )
        elif key == "earlier.findings":
            add(
                key,
                value,
                "findings",
                "",
                "",
                "board-context.json",
                "findings of this audit",
                "audit.yaml" if record.get("findings_from") == "audit.yaml" else "",
            )
        elif key == "earlier.recurring":
            add(
                key,
                value,
                "findings",
                "earlier_findings.csv",
                "count of distinct theme_id",
                "earlier_findings.csv",
                "",
            )
        elif parts[0] == "reaudit":
            records += _reaudit_lineage(
                key,
                value,
                variables,
                record,
                add,
                source,
                cases=cases,
                processed_dir=processed_dir,
                raw_dir=raw_dir,
                audit_dir=audit_dir,
            )
    return records


def _reaudit_lineage(
    key, value, variables, record, add, source, *, cases, processed_dir, raw_dir, audit_dir
) -> list:
    """Rows of :func:`context_lineage` for the numbers of the re-audit comparison."""
    reaudit = record["reaudit"]
    parts = key.split(".")
    number = reaudit["audit_number"]
    if key == "reaudit.number":
        file, rows = source(reaudit)
        add(
            key,
            value,
            "programme",
            "reaudit_grades.csv",
            f"audit_number={value}",
            "board-context.json",
            "",
            file,
            rows,
        )
        return []
    then_id = reaudit.get("audit_id")
    entry_table = f"../{then_id}/board-entry.json" if then_id else ""
    then_cases = os.path.relpath(Path(raw_dir) / str(then_id) / "cases.csv", audit_dir)
    then_rows = {g["grade"]: g.get("rows", []) for g in reaudit.get("then", [])}

    def now_rows(grades: Sequence[str]) -> list[int]:
        picked = cases[cases["ratified_grade"].astype("string").isin(list(grades))]
        return picked["source_row"].astype(int).tolist()

    def quoted(grades: Sequence[str]) -> str:
        return "[" + ", ".join(repr(g) for g in grades) + "]"

    if parts[1] == "grades":
        label = variables["reaudit"]["grades"][parts[2]]["label"]
        measure = parts[3]
        flt = f"ratified_grade == {label!r}"
        kind = "percent" if measure.endswith("percent") else "count"
        if measure.startswith("then"):
            add(
                key,
                value,
                kind,
                "reaudit_grades.csv",
                f"audit_number={number}, grade={label}, column "
                + ("percent" if kind == "percent" else "cases"),
                entry_table,
                flt,
                then_cases,
                then_rows.get(label, []),
            )
        else:
            add(
                key,
                value,
                kind,
                "reaudit_grades.csv",
                f"audit_number={record['audit_number']}, grade={label}, column "
                + ("percent" if kind == "percent" else "cases"),
                "cases.parquet",
                flt,
                "cases.csv",
                now_rows([label]),
            )
        return []
    name = parts[2]
    good = ["Outstanding", "Good"]
    every = list(GRADES)
    spec = {
        "good": (
            "count",
            "cases.parquet",
            f"ratified_grade in {quoted(good)}",
            "cases.csv",
            now_rows(good),
        ),
        "total": ("count", "cases.parquet", "ratified_grade.notna()", "cases.csv", now_rows(every)),
        "share": (
            "percent",
            "cases.parquet",
            f"ratified_grade in {quoted(good)}",
            "cases.csv",
            now_rows(good),
        ),
        "earlier_good": (
            "count",
            entry_table,
            f"ratified_grade in {quoted(good)}",
            then_cases,
            [r for g in good for r in then_rows.get(g, [])],
        ),
        "earlier_total": (
            "count",
            entry_table,
            "ratified_grade.notna()",
            then_cases,
            [r for g in every for r in then_rows.get(g, [])],
        ),
        "earlier_share": (
            "percent",
            entry_table,
            f"ratified_grade in {quoted(good)}",
            then_cases,
            [r for g in good for r in then_rows.get(g, [])],
        ),
        "cases": (
            "statistic",
            "reaudit_grades.csv",
            "difference in the share good or better, as cases of this audit",
            "",
            [],
        ),
        "times": (
            "statistic",
            "reaudit_grades.csv",
            "Fisher's exact test (two-sided) of the cases good or better, in tenths",
            "",
            [],
        ),
        "p": (
            "statistic",
            "reaudit_grades.csv",
            "Fisher's exact test (two-sided) of the cases good or better",
            "",
            [],
        ),
        "earlier_number": ("programme", "board-context.json", "", *source(reaudit)),
    }
    kind, processed, flt, file, rows = spec[name]
    add(key, value, kind, "", "", processed, flt, file, rows)
    return []


# -- The report's text ------------------------------------------------------------------------


def in_sentence(title: str) -> str:
    """A theme's title inside a sentence: its first letter in lower case, unless the first
    word is an abbreviation ("GP", "CPOMS")."""
    first = title.split(" ", 1)[0]
    if len(first) > 1 and first[1:2].isupper():
        return title
    return title[:1].lower() + title[1:]


def _var(key: str) -> str:
    return "{{< var " + key + " >}}"


def _audits(keys: Sequence[str]) -> str:
    """``audit 2`` or ``audits 1, 2 and 3``, each number a variable."""
    numbers = [_var(f"earlier.audits.{k}.number") for k in keys]
    if len(numbers) == 1:
        return f"audit {numbers[0]}"
    return "audits " + ", ".join(numbers[:-1]) + " and " + numbers[-1]


def theme_entries(
    record: Mapping[str, Any], titles: Mapping[str, str]
) -> dict[str, dict[str, Any]]:
    """For each finding of this audit, in order: its title and the keys of the earlier
    audits where it was also a finding (the variables' ``earlier.themes``)."""
    return {
        theme: {
            "title": titles.get(theme, theme),
            "in": [audit_key(n) for n in numbers],
        }
        for theme, numbers in record.get("recurrence", {}).items()
    }


def introduction_part(variables: Mapping[str, Any]) -> str:
    """What the audit responds to (audit.yaml's ``responds_to``), for the introduction:
    empty when it says nothing."""
    from auditrap.render.markdown import escape_markdown

    responds = variables.get("responds_to") or []
    if not responds:
        return ""
    if len(responds) == 1:
        r = responds[0]
        return (
            "This audit responds to a recommendation. "
            f"{escape_markdown(r['review'])} recommended: "
            f"\u201c{escape_markdown(r['recommendation'])}\u201d\n"
        )
    lines = ["This audit responds to these recommendations:\n"]
    lines += [
        f"- {escape_markdown(r['review'])} recommended: "
        f"\u201c{escape_markdown(r['recommendation'])}\u201d"
        for r in responds
    ]
    return "\n".join(lines) + "\n"


def recurring_sentences(variables: Mapping[str, Any]) -> str:
    """The conclusion's sentence on the findings earlier audits of the board also made,
    built from the data ("Information sharing with GPs was also a finding of audits 1 and
    3."); empty when the board has no earlier audit."""
    from auditrap.render.markdown import escape_markdown

    earlier = variables.get("earlier") or {}
    if not earlier.get("count"):
        return ""
    themes = earlier.get("themes", {})
    findings = _var("earlier.findings")
    noun = "finding" if earlier["findings"] == 1 else "findings"
    recurring = [(t, e) for t, e in themes.items() if e["in"]]
    if not recurring:
        return (
            f"None of this audit's {findings} {noun} was a finding of an earlier audit of "
            "the board.\n"
        )
    were = "was" if earlier["recurring"] == 1 else "were"
    also = "a finding" if earlier["recurring"] == 1 else "findings"
    sentences = [
        f"Of this audit's {findings} {noun}, {_var('earlier.recurring')} {were} also {also} "
        "of earlier audits of the board."
    ]
    for _, entry in recurring:
        title = escape_markdown(entry["title"])
        sentences.append(f"{title} was also a finding of {_audits(entry['in'])}.")
    return " ".join(sentences) + "\n"


def conclusion_part(variables: Mapping[str, Any], narrative: str) -> str:
    """The conclusion: the sentence built from the data on recurring findings, then the
    analyst's conclusion (``narrative``, its include or its "to be written" note)."""
    sentence = recurring_sentences(variables)
    return (sentence + "\n" if sentence else "") + narrative


def earlier_audits_part(
    variables: Mapping[str, Any],
    charts: Mapping[str, Mapping[str, str]],
    titles: Mapping[str, str] | None = None,
) -> str:
    """The section "What earlier audits found", heading included: the board's earlier
    audits, for each finding of this audit the earlier audits where it was also a finding
    (named by ``titles``, the findings' headings in the report, else the taxonomy's title),
    and for a re-audit its grades beside the earlier audit's. Empty when the board has no
    earlier audit."""
    from auditrap.document import table
    from auditrap.render.markdown import escape_markdown

    earlier = variables.get("earlier") or {}
    if not earlier.get("count"):
        return ""
    lines = ["## What earlier audits found\n"]
    many = earlier["count"] != 1
    lines.append(
        f"This is audit {_var('audit.number')} of {escape_markdown(variables['audit']['board'])}. "
        f"{'These earlier audits' if many else 'This earlier audit'} of the board "
        f"{'are' if many else 'is'} recorded with {'their' if many else 'its'} findings:\n"
    )
    lines.append(
        table(
            ["Audit", "Title", "Period"],
            [
                [
                    _var(f"earlier.audits.{key}.number"),
                    escape_markdown(a["title"]),
                    escape_markdown(str(a["period"])),
                ]
                for key, a in earlier["audits"].items()
            ],
            "The board's earlier audits",
            align=["r", "l", "l"],
            widths=[8, 50, 10],
            ident="tbl-earlier-audits",
        )
    )
    themes = earlier.get("themes", {})
    rows = [
        [
            escape_markdown((titles or {}).get(theme) or entry["title"]),
            _audits(entry["in"]).capitalize() if entry["in"] else "None: a new finding",
        ]
        for theme, entry in themes.items()
    ]
    if rows:
        lines.append(
            "For each finding of this audit, the earlier audits of the board where it was "
            "also a finding:\n"
        )
        lines.append(
            table(
                ["Finding of this audit", "Also a finding of"],
                rows,
                "This audit's findings in the board's earlier audits",
                align=["l", "l"],
                widths=[50, 25],
                ident="tbl-earlier-findings",
            )
        )
    lines.append(reaudit_part(variables, charts))
    return "\n".join(line for line in lines if line) + "\n"


def reaudit_part(variables: Mapping[str, Any], charts: Mapping[str, Mapping[str, str]]) -> str:
    """For a re-audit, its grades beside the earlier audit's (chart, table and the caveat,
    every number a variable); for a re-audit of an audit recorded without its grades, a
    sentence saying so. Empty otherwise."""
    from auditrap.cycle import ComparisonCaveat
    from auditrap.document import figure, table
    from auditrap.render.markdown import escape_markdown

    reaudit = variables.get("reaudit")
    if not reaudit:
        return ""
    title = escape_markdown(reaudit["title"])
    period = escape_markdown(str(reaudit["period"]))
    # The number itself in the heading: a trailing {...} of a heading line is the heading's
    # attributes, so the lineage span of a variable cannot be there (the sentences below
    # give the number its variable).
    heading = f"### Compared with audit {int(reaudit['number'])}\n"
    if not reaudit.get("grades_held"):
        return "\n".join(
            [
                heading,
                f"This audit has the same topic as audit {_var('reaudit.number')}, "
                f"\u201c{title}\u201d ({period}). That audit was published before the board "
                "kept its audits' data, and is recorded by its findings alone, so its grades "
                "cannot be shown beside this audit's.\n",
            ]
        )
    grades = reaudit["grades"]
    then_label = f"Audit {reaudit['number']} ({reaudit['period']})"
    rows = []
    for key, g in grades.items():
        rows.append(
            [
                escape_markdown(g["label"]),
                _var(f"reaudit.grades.{key}.then"),
                _var(f"reaudit.grades.{key}.then_percent") + _percent(g["then_percent"]),
                _var(f"reaudit.grades.{key}.now"),
                _var(f"reaudit.grades.{key}.now_percent") + _percent(g.get("now_percent")),
            ]
        )
    caveat = reaudit.get("caveat", {})
    numbers = {k: v for k, v in caveat.items()}
    stand_in = ComparisonCaveat(
        earlier_number=int(numbers.get("earlier_number", reaudit["number"])),
        earlier_good=numbers.get("earlier_good"),
        earlier_total=numbers.get("earlier_total"),
        good=numbers.get("good"),
        total=numbers.get("total"),
        p_value=float(reaudit["p_exact"]) if reaudit.get("p_exact") else None,
    )
    if "p" not in numbers and reaudit.get("no_grades"):
        stand_in = ComparisonCaveat(stand_in.earlier_number, 0, 0, 0, 0, None)
    words = stand_in.words(lambda key: _var(f"reaudit.caveat.{key}"))
    parts = [
        heading,
        f"This audit has the same topic as audit {_var('reaudit.number')}, \u201c{title}\u201d "
        f"({period}), so it is a re-audit: its ratified grades are shown beside that audit's, "
        "as each audit published them.\n",
    ]
    if REAUDIT_CHART in charts:
        parts.append(
            figure(
                charts[REAUDIT_CHART],
                "fig-reaudit-grades",
                f"Ratified grades of this audit and of audit {reaudit['number']}",
            )
        )
    parts.append(
        table(
            [
                "Grade",
                f"{then_label}: cases",
                "Percentage",
                "This audit: cases",
                "Percentage",
            ],
            rows,
            f"Ratified grades of this audit and of audit {reaudit['number']}",
            ident="tbl-reaudit-grades",
        )
    )
    parts.append(words + "\n")
    return "\n".join(parts)


def _percent(value: Any) -> str:
    return "%" if isinstance(value, int | float) else ""
