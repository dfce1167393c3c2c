"""The board's assurance report: every audit of the board's programme side by side.

What the quality-assurance sub-group takes to the board: the board's audits (those with a
data folder, and the earlier ones of data/programme.yaml), the grades of each, which themes
were findings of which audit, and the recommendations and action-plan progress across the
audits, overdue actions first. It is built like an audit's report: from the audits' own
*published* tables (so nothing an audit's report hides is shown here), every number a
variable with its lineage, the shared Quarto document's template, styles and filters
(``report/board.qmd``), rendered by either engine to HTML and tagged PDF, checked by the
publication gate, recorded in a manifest and published atomically as
``report/_output/boards/<board-slug>/``.

The sub-group's words are the board's narrative, ``data/boards/<board-slug>/narrative/*.md``
(``summary.md``, ``themes.md``, ``action-plan.md``, ``next-steps.md``), checked by
:mod:`auditrap.narrative` like an audit's; a missing section gets a visible "To be written"
note.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from auditrap.grades import GRADES, slug

log = logging.getLogger("auditrap")

#: The board report's tables, each published as ``data/<name>.csv``. themes_by_audit is the
#: contract's: one row per (audit, finding), columns audit_number, title, theme_id.
BOARD_TABLES = (
    "themes_by_audit",
    "audits",
    "grades_by_audit",
    "action_plan_by_audit",
    "recommendations_by_audit",
)
#: The narrative sections the sub-group writes, in the order of the report.
BOARD_SECTIONS = ("summary", "themes", "action-plan", "next-steps")
STATUSES = ("Completed", "In progress", "Not started")
STATUS_KEYS = {"Completed": "completed", "In progress": "in_progress", "Not started": "not_started"}


# -- What the board's report reads of each audit --------------------------------------------


def audit_inputs(processed: Path, audit_id: str) -> dict[str, Path]:
    """The files of an audit's analysis that its board's report reads, by name."""
    folder = Path(processed) / audit_id
    return {
        "meta": folder / "audit.json",
        "theme_tags": folder / "theme_tags.csv",
        "theme_counts": folder / "aggregates" / "theme_counts.csv",
        "grade_distribution": folder / "published" / "grade_distribution.csv",
        "disclosure": folder / "disclosure.json",
        "recommendations": folder / "published" / "recommendations.csv",
        "recommendation_progress": folder / "published" / "recommendation_progress.csv",
        "action_plan_progress": folder / "published" / "action_plan_progress.csv",
        "plan": folder / "action_plan.json",
        "review": folder / "theme_review.json",
    }


def _key(number: int) -> str:
    return f"a{int(number)}"


def _var(key: str) -> str:
    return "{{< var " + key + " >}}"


def _read(audit_id: str, processed: Path) -> dict[str, Any]:
    """One audit's published tables and records, as the board's report uses them."""
    from auditrap.cycle import findings_of
    from auditrap.disclosure import COUNT_COLUMNS, read_published
    from auditrap.metadata import AuditMeta
    from auditrap.safe_csv import read_csv

    paths = audit_inputs(processed, audit_id)
    meta = json.loads(paths["meta"].read_text(encoding="utf-8"))
    disclosure = json.loads(paths["disclosure"].read_text(encoding="utf-8"))
    symbol = disclosure["policy"]["symbol"]

    def published(name: str) -> Any:
        return read_published(read_csv(paths[name]), symbol, COUNT_COLUMNS.get(name, ()))

    counts = read_csv(paths["theme_counts"])
    titles = dict(zip(counts["theme_id"].astype(str), counts["theme"].astype(str), strict=True))
    import pandas as pd

    tags = pd.read_csv(paths["theme_tags"], usecols=["theme_id"], dtype=str)
    fields = {k: v for k, v in meta.items() if k in AuditMeta.model_fields}
    findings = findings_of(AuditMeta.model_validate(fields), tags["theme_id"], list(titles))
    plan = json.loads(paths["plan"].read_text(encoding="utf-8"))
    review = json.loads(paths["review"].read_text(encoding="utf-8"))
    return {
        "meta": meta,
        "symbol": symbol,
        "titles": titles,
        "findings": list(findings),
        "grades": published("grade_distribution"),
        "ratified": disclosure.get("totals", {}).get("grade_distribution", {}).get(""),
        "recommendations": read_csv(paths["recommendations"]),
        "recommendation_progress": published("recommendation_progress"),
        "action_plan_progress": published("action_plan_progress"),
        "plan": plan,
        "draft": bool(review.get("unreviewed")) and not review.get("final_without_review"),
    }


# -- The board's tables, variables and lineage ---------------------------------------------


def board_tables(
    programme: Mapping[str, Any], read: Mapping[str, Mapping[str, Any]], titles: Mapping[str, str]
) -> dict[str, Any]:
    """The board report's tables (:data:`BOARD_TABLES`) from the board's programme and each
    audit's published tables (``read``, by audit id). A count an audit's report hides stays
    hidden (``<NA>``)."""
    import pandas as pd

    rows_themes, rows_audits, rows_grades, rows_plan, rows_recs = [], [], [], [], []
    for audit in programme["audits"]:
        number, title = int(audit["audit_number"]), str(audit["title"])
        data = read.get(str(audit["audit_id"])) if audit["audit_id"] else None
        findings = data["findings"] if data else list(audit["findings"] or [])
        rows_themes += [{"audit_number": number, "title": title, "theme_id": t} for t in findings]
        cases = None
        if data:
            grades = data["grades"]
            cases = data["ratified"]
            if cases is None and not grades["cases"].isna().any():
                cases = int(grades["cases"].sum())
            for g in grades.itertuples(index=False):
                rows_grades.append(
                    {
                        "audit_number": number,
                        "title": title,
                        "grade": str(g.grade),
                        "cases": g.cases,
                        "percent": g.percent,
                    }
                )
            if data["plan"].get("has_recommendations", True) and len(data["recommendations"]):
                for p in data["action_plan_progress"].itertuples(index=False):
                    rows_plan.append(
                        {
                            "audit_number": number,
                            "title": title,
                            "status": str(p.status),
                            "actions": p.actions,
                            "overdue": p.overdue,
                        }
                    )
                progress = data["recommendation_progress"].set_index(
                    data["recommendation_progress"]["recommendation_id"].astype(str)
                )
                for r in data["recommendations"].itertuples(index=False):
                    counts = progress.loc[str(r.recommendation_id)]
                    rows_recs.append(
                        {
                            "audit_number": number,
                            "title": title,
                            "number": int(r.number),
                            "recommendation_id": str(r.recommendation_id),
                            "theme_id": None if pd.isna(r.theme_id) else str(r.theme_id),
                            "finding": None if pd.isna(r.finding) else str(r.finding),
                            "recommendation": str(r.recommendation),
                            "addressed_to": str(r.addressed_to),
                            "actions": counts["actions"],
                            "completed": counts["completed"],
                            "in_progress": counts["in_progress"],
                            "not_started": counts["not_started"],
                            "overdue": counts["overdue"],
                        }
                    )
        rows_audits.append(
            {
                "audit_number": number,
                "title": title,
                "period": str(audit["period"]),
                "recorded": "data folder" if audit["audit_id"] else "programme.yaml",
                "report": f"{audit['audit_id']}/{audit['audit_id']}.html"
                if audit.get("published")
                else None,
                "findings": len(findings),
                "cases": cases,
            }
        )
    recs = pd.DataFrame(
        rows_recs,
        columns=[
            "audit_number",
            "title",
            "number",
            "recommendation_id",
            "theme_id",
            "finding",
            "recommendation",
            "addressed_to",
            "actions",
            "completed",
            "in_progress",
            "not_started",
            "overdue",
        ],
    )
    if len(recs):
        # Overdue actions first (most first), then the latest audit first, in number order.
        late = pd.to_numeric(recs["overdue"], errors="coerce").fillna(0)
        recs = (
            recs.assign(_late=-late, _audit=-recs["audit_number"])
            .sort_values(["_late", "_audit", "number"], kind="stable")
            .drop(columns=["_late", "_audit"])
            .reset_index(drop=True)
        )
    counts = ["cases", "percent", "actions", "overdue", "completed", "in_progress", "not_started"]

    def typed(frame: pd.DataFrame) -> pd.DataFrame:
        for column in frame.columns:
            if column in counts:
                frame[column] = frame[column].astype("Int64")
        return frame

    tables = {
        "themes_by_audit": pd.DataFrame(rows_themes, columns=["audit_number", "title", "theme_id"]),
        "audits": pd.DataFrame(
            rows_audits,
            columns=["audit_number", "title", "period", "recorded", "report", "findings", "cases"],
        ),
        "grades_by_audit": pd.DataFrame(
            rows_grades, columns=["audit_number", "title", "grade", "cases", "percent"]
        ),
        "action_plan_by_audit": pd.DataFrame(
            rows_plan, columns=["audit_number", "title", "status", "actions", "overdue"]
        ),
        "recommendations_by_audit": recs,
    }
    for name, frame in tables.items():
        tables[name] = typed(frame)
        tables[name]["audit_number"] = tables[name]["audit_number"].astype("int64")
    tables["audits"]["cases"] = tables["audits"]["cases"].astype("Int64")
    tables["audits"]["findings"] = tables["audits"]["findings"].astype("int64")
    return tables


def _value(value: Any, symbol: str) -> int | str:
    import pandas as pd

    return symbol if value is None or pd.isna(value) else int(value)


def board_variables(
    programme: Mapping[str, Any],
    tables: Mapping[str, Any],
    read: Mapping[str, Mapping[str, Any]],
    titles: Mapping[str, str],
    *,
    as_of: Mapping[str, Any] | None,
    symbol: str,
    published: dt.date,
) -> dict[str, Any]:
    """The board report's variables: every number and name it states."""
    import pandas as pd

    from auditrap.dates import long_date
    from auditrap.disclosure import shown_sum

    audits = tables["audits"]
    themes = tables["themes_by_audit"]
    grades = tables["grades_by_audit"]
    plan = tables["action_plan_by_audit"]
    recs = tables["recommendations_by_audit"]
    by_theme = themes.groupby("theme_id", sort=False)["audit_number"].apply(list).to_dict()
    order = [t for t in titles if t in by_theme] + [t for t in by_theme if t not in titles]
    variables: dict[str, Any] = {
        "board": {
            "name": programme["board"],
            "slug": programme["slug"],
            "audits": len(audits),
            "with_data": int((audits["recorded"] == "data folder").sum()),
            "recorded": int((audits["recorded"] != "data folder").sum()),
            "first": int(audits["audit_number"].min()),
            "last": int(audits["audit_number"].max()),
            "published": long_date(published),
            "published_iso": published.isoformat(),
        },
        "audits": {},
        "themes": {
            "count": len(by_theme),
            "recurring": sum(1 for ns in by_theme.values() if len(ns) > 1),
            "by": {
                t: {
                    "title": titles.get(t, t),
                    "audits": len(by_theme[t]),
                    "in": [_key(n) for n in by_theme[t]],
                }
                for t in order
            },
        },
        "disclosure": {"symbol": symbol},
    }
    for row in audits.itertuples(index=False):
        key = _key(row.audit_number)
        entry: dict[str, Any] = {
            "number": int(row.audit_number),
            "title": row.title,
            "period": row.period,
            "findings": int(row.findings),
            "has_data": row.recorded == "data folder",
            "report": "" if pd.isna(row.report) else str(row.report),
        }
        mine = grades[grades["audit_number"] == row.audit_number]
        if len(mine):
            counts = {
                str(g): None if pd.isna(c) else int(c)
                for g, c in zip(mine["grade"], mine["cases"], strict=True)
            }
            total = None if pd.isna(row.cases) else int(row.cases)
            entry["cases"] = _value(total, symbol)
            entry["good_or_better"] = _value(
                shown_sum(counts, ["Outstanding", "Good"], total), symbol
            )
            entry["grades"] = {
                slug(str(g.grade)): {
                    "count": _value(g.cases, symbol),
                    "percent": _value(g.percent, symbol),
                }
                for g in mine.itertuples(index=False)
            }
        mine = plan[plan["audit_number"] == row.audit_number]
        if len(mine):
            entry["plan"] = {
                STATUS_KEYS[str(p.status)]: _value(p.actions, symbol)
                for p in mine.itertuples(index=False)
            }
            entry["plan"]["actions"] = _sum(mine["actions"], symbol)
            entry["plan"]["overdue"] = _sum(mine["overdue"], symbol)
            entry["plan"]["recommendations"] = int((recs["audit_number"] == row.audit_number).sum())
        variables["audits"][key] = entry
    variables["plan"] = {
        "audits": int(plan["audit_number"].nunique()) if len(plan) else 0,
        "recommendations": len(recs),
        "actions": _sum(plan["actions"], symbol),
        "overdue": _sum(plan["overdue"], symbol),
        **{
            STATUS_KEYS[s]: _sum(plan.loc[plan["status"] == s, "actions"], symbol) for s in STATUSES
        },
        "as_of": "",
        "as_of_iso": "",
        "late_recommendations": int(
            (recs["overdue"].fillna(0).astype(int) > 0).sum() if len(recs) else 0
        ),
    }
    day = (as_of or {}).get("as_of")
    if day:
        variables["plan"]["as_of"] = long_date(dt.date.fromisoformat(str(day)))
        variables["plan"]["as_of_iso"] = str(day)
    variables["plan"]["by"] = {
        f"{_key(r.audit_number)}-{slug(str(r.recommendation_id)) or 'r'}": {
            "audit": int(r.audit_number),
            "number": int(r.number),
            "text": str(r.recommendation),
            "addressed_to": str(r.addressed_to),
            "actions": _value(r.actions, symbol),
            "completed": _value(r.completed, symbol),
            "overdue": _value(r.overdue, symbol),
        }
        for r in recs.itertuples(index=False)
    }
    return variables


def _sum(values: Any, symbol: str) -> int | str:
    return symbol if values.isna().any() else int(values.sum())


def board_lineage(variables: Mapping[str, Any], programme: Mapping[str, Any]) -> Any:
    """Where each number of the board's report comes from: the board's published table and
    cell, the audit's own published table (``<audit_id>/published/<table>.csv``, or
    data/programme.yaml for an audit recorded there) and the filter that gives it."""
    import pandas as pd

    from auditrap.lineage import PUBLIC_COLUMNS, numbers

    symbol = variables["disclosure"]["symbol"]
    ids = {_key(a["audit_number"]): a for a in programme["audits"]}
    records = []

    def add(key, value, kind, table, cell, processed, flt) -> None:
        records.append(
            {
                "id": key,
                "value": value,
                "kind": "hidden" if value == symbol else kind,
                "published_table": table,
                "published_cell": cell,
                "processed_table": processed,
                "filter": flt,
            }
        )

    for key, value in numbers(variables, hidden=symbol):
        parts = key.split(".")
        if parts[0] == "audits":
            audit = ids[parts[1]]
            where = (
                f"{audit['audit_id']}/published/"
                if audit["audit_id"]
                else str(audit["source_file"])
            )
            n = audit["audit_number"]
            field = parts[2]
            if field == "number":
                add(
                    key,
                    value,
                    "programme",
                    "audits.csv",
                    f"audit_number={n}",
                    f"{audit['audit_id']}/audit.json" if audit["audit_id"] else where,
                    "audit_number" if audit["audit_id"] else f"line {audit['source_row']}",
                )
            elif field == "findings":
                add(
                    key,
                    value,
                    "count",
                    "themes_by_audit.csv",
                    f"rows with audit_number={n}",
                    f"{audit['audit_id']}/board-context.json" if audit["audit_id"] else where,
                    "findings of the audit",
                )
            elif field in ("cases", "good_or_better"):
                grades = "['Outstanding', 'Good']" if field == "good_or_better" else "all grades"
                add(
                    key,
                    value,
                    "count",
                    "grades_by_audit.csv",
                    f"audit_number={n}, sum of column cases ({grades})",
                    f"{where}grade_distribution.csv",
                    "grade in ['Outstanding', 'Good']" if field == "good_or_better" else "",
                )
            elif field == "grades":
                label = next(g for g in GRADES if slug(g) == parts[3])
                column = "cases" if parts[4] == "count" else "percent"
                add(
                    key,
                    value,
                    "count" if column == "cases" else "percent",
                    "grades_by_audit.csv",
                    f"audit_number={n}, grade={label}, column {column}",
                    f"{where}grade_distribution.csv",
                    f"grade == {label!r}",
                )
            elif field == "plan":
                measure = parts[3]
                status = {v: k for k, v in STATUS_KEYS.items()}.get(measure)
                if status:
                    add(
                        key,
                        value,
                        "count",
                        "action_plan_by_audit.csv",
                        f"audit_number={n}, status={status}, column actions",
                        f"{where}action_plan_progress.csv",
                        f"status == {status!r}",
                    )
                elif measure == "recommendations":
                    add(
                        key,
                        value,
                        "count",
                        "recommendations_by_audit.csv",
                        f"rows with audit_number={n}",
                        f"{where}recommendations.csv",
                        "",
                    )
                else:
                    add(
                        key,
                        value,
                        "count",
                        "action_plan_by_audit.csv",
                        f"audit_number={n}, sum of column {measure}",
                        f"{where}action_plan_progress.csv",
                        "",
                    )
        elif parts[0] == "plan" and parts[1] == "by":
            entry = variables["plan"]["by"][parts[2]]
            audit = next(a for a in programme["audits"] if a["audit_number"] == entry["audit"])
            add(
                key,
                value,
                "number" if parts[3] == "number" else "count",
                "recommendations_by_audit.csv",
                f"audit_number={entry['audit']}, number={entry['number']}, column {parts[3]}",
                f"{audit['audit_id']}/published/recommendation_progress.csv"
                if parts[3] != "number"
                else f"{audit['audit_id']}/published/recommendations.csv",
                f"number == {entry['number']}",
            )
        elif parts[0] == "plan":
            table = (
                "recommendations_by_audit.csv"
                if parts[1] in ("recommendations", "late_recommendations")
                else "action_plan_by_audit.csv"
            )
            status = {v: k for k, v in STATUS_KEYS.items()}.get(parts[1])
            cell = (
                f"status={status}, sum of column actions"
                if status
                else "rows with overdue > 0"
                if parts[1] == "late_recommendations"
                else "count of rows"
                if parts[1] == "recommendations"
                else "count of distinct audit_number"
                if parts[1] == "audits"
                else f"sum of column {parts[1]}"
            )
            add(
                key,
                value,
                "count",
                table,
                cell,
                "each audit's published/action_plan_progress.csv",
                f"status == {status!r}" if status else "",
            )
        elif parts[0] == "themes":
            if parts[1] == "by":
                add(
                    key,
                    value,
                    "count",
                    "themes_by_audit.csv",
                    f"rows with theme_id={parts[2]}",
                    "themes_by_audit.csv",
                    f"theme_id == {parts[2]!r}",
                )
            else:
                add(
                    key,
                    value,
                    "count",
                    "themes_by_audit.csv",
                    "themes in more than one audit"
                    if parts[1] == "recurring"
                    else "count of distinct theme_id",
                    "themes_by_audit.csv",
                    "",
                )
        else:  # board.*: the programme
            add(
                key,
                value,
                "programme",
                "audits.csv",
                {
                    "audits": "count of rows",
                    "with_data": "rows with recorded=data folder",
                    "recorded": "rows with recorded=programme.yaml",
                    "first": "smallest audit_number",
                    "last": "largest audit_number",
                }.get(parts[1], ""),
                "the board's programme",
                "",
            )
    return pd.DataFrame(records, columns=PUBLIC_COLUMNS)


# -- The board's analysis ----------------------------------------------------------------------


def board_analysis_stage(
    *,
    programme: Mapping[str, Any],
    as_of: Mapping[str, Any] | None,
    processed_dir: Path,
    taxonomy_path: Path,
    out_dir: Path,
    figures_dir: Path,
    variables_out: Path,
    lineage_out: Path,
    checked_out: Path,
    palette: Sequence[str],
    fonts_dir: Path | None = None,
    symbol: str = "[c]",
) -> None:
    """The board's tables, charts, variables and lineage, from its programme (the workflow's
    record, :func:`auditrap.boards.board_programme`) and each of its audits' analysis under
    ``processed_dir``. ``checked_out`` records the SHA-256 of each table written, so that
    the publication gate refuses one changed afterwards."""
    import pandas as pd

    from auditrap import charts
    from auditrap.cycle_charts import grade_panels_chart, progress_chart, themes_grid_chart
    from auditrap.provenance import sha256
    from auditrap.safe_csv import write_csv

    read = {
        str(a["audit_id"]): _read(str(a["audit_id"]), Path(processed_dir))
        for a in programme["audits"]
        if a["audit_id"]
    }
    titles = _taxonomy_titles(Path(taxonomy_path))
    for data in read.values():
        for theme, title in data["titles"].items():
            titles.setdefault(theme, title)
    tables = board_tables(programme, read, titles)
    symbols = {d["symbol"] for d in read.values()}
    symbol = symbols.pop() if len(symbols) == 1 else symbol
    dates = [dt.date.fromisoformat(str(d["meta"]["published"])) for d in read.values()]
    if as_of and as_of.get("as_of"):
        dates.append(dt.date.fromisoformat(str(as_of["as_of"])))
    published = max(dates)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    from auditrap.disclosure import published_csv_frame

    checked = {}
    for name, frame in tables.items():
        path = out_dir / f"{name}.csv"
        out = published_csv_frame(frame, symbol)
        if name == "audits" and out["cases"].dtype == "string":
            # An audit recorded by programme.yaml alone has no cases held: blank, never the
            # symbol of a count hidden by disclosure control.
            out.loc[(frame["recorded"] == "programme.yaml").to_numpy(), "cases"] = ""
        write_csv(out, path)
        checked[path.name] = sha256(path)
    variables = board_variables(
        programme, tables, read, titles, as_of=as_of, symbol=symbol, published=published
    )
    write_csv(board_lineage(variables, programme), Path(lineage_out))
    checked[Path(lineage_out).name] = sha256(Path(lineage_out))
    Path(checked_out).write_text(
        json.dumps({"checked": checked}, indent=2) + "\n", encoding="utf-8"
    )

    figures_dir = Path(figures_dir)
    if figures_dir.exists():
        shutil.rmtree(figures_dir)
    figures_dir.mkdir(parents=True)
    made = {}
    label = {
        int(r.audit_number): f"Audit {r.audit_number} ({r.period})"
        for r in tables["audits"].itertuples()
    }
    grades = tables["grades_by_audit"]
    drawn = []
    if len(grades):
        numbers = list(dict.fromkeys(int(n) for n in grades["audit_number"]))
        frame = grades.assign(panel=[label[int(n)] for n in grades["audit_number"]])
        totals = {
            label[int(r.audit_number)]: None if pd.isna(r.cases) else int(r.cases)
            for r in tables["audits"].itertuples()
            if int(r.audit_number) in numbers
        }
        drawn.append(
            grade_panels_chart(
                frame,
                [label[n] for n in numbers],
                name="grades-by-audit",
                what="the board's audits",
                palette=palette,
                totals=totals,
                symbol=symbol,
            )
        )
    themes = tables["themes_by_audit"]
    if len(themes):
        order = list(variables["themes"]["by"])
        drawn.append(
            themes_grid_chart(
                themes.assign(theme=[titles.get(t, t) for t in themes["theme_id"]]),
                [int(n) for n in tables["audits"]["audit_number"]],
                [titles.get(t, t) for t in order],
                palette=palette,
            )
        )
    plan = tables["action_plan_by_audit"]
    if len(plan):
        numbers = list(dict.fromkeys(int(n) for n in plan["audit_number"]))
        drawn.append(
            progress_chart(
                plan.assign(panel=[label[int(n)] for n in plan["audit_number"]]),
                [label[n] for n in numbers],
                palette=palette,
                symbol=symbol,
            )
        )
    for chart in drawn:
        written = charts.render(chart, figures_dir, fonts_dir=fonts_dir)
        made[chart.name] = {
            "title": chart.title,
            "alt": chart.alt,
            **{fmt: p.name for fmt, p in written.items()},
        }
    (figures_dir / "charts.json").write_text(
        json.dumps(made, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    import yaml

    variables["drafts"] = [
        {"number": int(d["meta"]["audit_number"]), "title": d["meta"]["title"]}
        for d in read.values()
        if d["draft"]
    ]
    Path(variables_out).write_text(
        "# The numbers and names the board's report states, computed from the data by auditrap.\n"
        + yaml.safe_dump(variables, sort_keys=False, allow_unicode=True, width=100),
        encoding="utf-8",
    )
    log.info(
        "Board %s: audits %d, themes %d (%d recurring), recommendations %d.",
        programme["board"],
        variables["board"]["audits"],
        variables["themes"]["count"],
        variables["themes"]["recurring"],
        variables["plan"]["recommendations"],
    )


def _taxonomy_titles(path: Path) -> dict[str, str]:
    """Each theme's title by its id, in the taxonomy's order (empty when unreadable)."""
    from auditrap.themes import TaxonomyError, load_taxonomy

    try:
        taxonomy = load_taxonomy(path)
    except (TaxonomyError, OSError):
        return {}
    return {t: taxonomy.by_id(t).title for t in taxonomy.ids}


# -- The board's report: its text ----------------------------------------------------------------


def _audits_words(keys: Sequence[str]) -> str:
    numbers = [_var(f"audits.{k}.number") for k in keys]
    if len(numbers) == 1:
        return f"audit {numbers[0]}"
    return "audits " + ", ".join(numbers[:-1]) + " and " + numbers[-1]


def _n(variables: Mapping[str, Any], key: str, one: str, many: str) -> str:
    value: Any = variables
    for part in key.split("."):
        value = value[part]
    return f"{_var(key)} {one if value == 1 else many}"


def _in_sentence(title: str) -> str:
    from auditrap.earlier import in_sentence

    return in_sentence(title)


def to_be_written(variables: Mapping[str, Any], stem: str) -> str:
    """The visible note of a section the sub-group has not written yet."""
    slug_ = variables["board"]["slug"]
    return (
        '::: {.callout-warning title="To be written"}\n'
        "The quality-assurance sub-group has not written this part yet. Add it as "
        f"`narrative/{stem}.md` in the board's folder (`data/boards/{slug_}/`) and run the "
        "report again.\n"
        ":::\n"
    )


def narrative_or_note(variables: Mapping[str, Any], narrative: set[str], stem: str) -> str:
    """The sub-group's section, or the "to be written" note."""
    from auditrap.document import include_narrative

    return include_narrative(stem) if stem in narrative else to_be_written(variables, stem)


def status_part(variables: Mapping[str, Any]) -> str:
    """Notes at the top: audits whose theme review is not finished (their findings are
    provisional)."""
    from auditrap.render.markdown import escape_markdown

    drafts = variables.get("drafts") or []
    if not drafts:
        return ""
    listed = "; ".join(f"audit {d['number']}, {escape_markdown(d['title'])}" for d in drafts)
    return (
        '::: {.callout-warning title="Not yet final"}\n'
        f"**Draft:** the themes of {listed} are not yet all reviewed by an analyst, so the "
        "findings drawn from them are provisional.\n:::\n"
    )


def summary_part(variables: Mapping[str, Any], narrative: set[str]) -> str:
    """The summary: the sub-group's (summary.md, else a "to be written" note), then the
    data's key facts."""
    from auditrap.render.markdown import escape_markdown

    board = variables["board"]
    facts = [
        f"The board's programme has {_n(variables, 'board.audits', 'audit', 'audits')}, "
        f"from audit {_var('board.first')} to audit {_var('board.last')}: "
        f"{_var('board.with_data')} with {'its' if board['with_data'] == 1 else 'their'} data "
        f"and {_var('board.recorded')} recorded by {'its' if board['recorded'] == 1 else 'their'} "
        "findings alone."
    ]
    themes = variables["themes"]
    recurring = [(t, e) for t, e in themes["by"].items() if e["audits"] > 1]
    if recurring:
        facts.append(
            f"Of the {_n(variables, 'themes.count', 'theme', 'themes')} found, "
            f"{_var('themes.recurring')} {'was a finding' if len(recurring) == 1 else 'were findings'} "
            "of more than one audit: "
            + "; ".join(
                f"{escape_markdown(_in_sentence(e['title']))} ({_audits_words(e['in'])})"
                for _, e in recurring
            )
            + "."
        )
    else:
        facts.append("No theme was a finding of more than one audit.")
    plan = variables["plan"]
    if plan["recommendations"]:
        as_of = f"As of {_var('plan.as_of')}, " if plan["as_of"] else ""
        facts.append(
            f"{as_of}the action plans of {_n(variables, 'plan.audits', 'audit', 'audits')} "
            f"hold {_n(variables, 'plan.actions', 'action', 'actions')}: "
            f"{_var('plan.completed')} completed, {_var('plan.in_progress')} in progress and "
            f"{_var('plan.not_started')} not started; "
            f"{_n(variables, 'plan.overdue', 'action is', 'actions are')} overdue."
        )
        facts[-1] = facts[-1][0].upper() + facts[-1][1:]
    else:
        facts.append("None of the board's audits has recommendations yet.")
    return (
        narrative_or_note(variables, narrative, "summary")
        + "\n"
        + "In figures:\n\n"
        + "".join(f"- {f}\n" for f in facts)
    )


def audits_part(variables: Mapping[str, Any]) -> str:
    """The board's audits, one row each, with a link to each report published."""
    from auditrap.document import table
    from auditrap.render.markdown import escape_markdown

    rows = []
    for key, a in variables["audits"].items():
        title = escape_markdown(a["title"])
        if a["report"]:
            title = f"[{title}](../../{a['report']})"
        rows.append(
            [
                _var(f"audits.{key}.number"),
                title,
                escape_markdown(str(a["period"])),
                _var(f"audits.{key}.findings"),
                _var(f"audits.{key}.cases") if "cases" in a else "Not held",
            ]
        )
    text = table(
        ["Audit", "Title", "Period", "Findings", "Cases graded"],
        rows,
        "The board's audits",
        align=["r", "l", "l", "r", "r"],
        widths=[7, 45, 9, 9, 9],
        ident="tbl-audits",
    )
    recorded = [k for k, a in variables["audits"].items() if not a["has_data"]]
    note = ""
    if recorded:
        many = len(recorded) != 1
        note = (
            f"\n{_audits_words(recorded).capitalize()} {'were' if many else 'was'} published "
            "before the board kept its audits' data: "
            f"{'they are' if many else 'it is'} recorded by {'their' if many else 'its'} "
            "findings alone, without grades or an action plan.\n"
        )
    return text + note


def grades_part(variables: Mapping[str, Any], charts: Mapping[str, Mapping[str, str]]) -> str:
    from auditrap.document import figure, table
    from auditrap.render.markdown import escape_markdown

    with_grades = {k: a for k, a in variables["audits"].items() if "grades" in a}
    if not with_grades:
        return "None of the board's audits has grades held here.\n"
    parts = []
    if "grades-by-audit" in charts:
        parts.append(
            figure(
                charts["grades-by-audit"],
                "fig-grades-by-audit",
                "Ratified grades of each audit of the board",
            )
        )
    rows = [
        [f"Audit {_var(f'audits.{k}.number')}"]
        + [_var(f"audits.{k}.grades.{slug(g)}.count") for g in GRADES]
        + [_var(f"audits.{k}.cases")]
        for k in with_grades
    ]
    parts.append(
        table(
            ["Audit", *GRADES, "Cases graded"],
            rows,
            "Number of cases at each grade, by audit",
            ident="tbl-grades-by-audit",
        )
    )
    symbol = variables["disclosure"]["symbol"]
    if any(g["count"] == symbol for a in with_grades.values() for g in a["grades"].values()):
        parts.append(
            f"{escape_markdown(symbol)} marks a count that the audit's own report does not "
            "show, because so small a number could help someone identify a child.\n"
        )
    parts.append(
        "Each audit's grades are as its own report published them. Audits of different "
        "subjects look at different children, chosen in different ways, so a difference "
        "between two audits' grades says little on its own.\n"
    )
    return "\n".join(parts)


def themes_part(
    variables: Mapping[str, Any], narrative: set[str], charts: Mapping[str, Mapping[str, str]]
) -> str:
    from auditrap.document import figure, table
    from auditrap.render.markdown import escape_markdown

    themes = variables["themes"]["by"]
    if not themes:
        return "None of the board's audits recorded a finding.\n\n" + narrative_or_note(
            variables, narrative, "themes"
        )
    audits = list(variables["audits"])
    parts = [
        "Each audit's findings are the themes its report gave as findings (for an audit "
        "whose report did not list them, every theme its returns spoke of). A theme that "
        "keeps coming back, audit after audit, is learning that has not yet changed practice.\n"
    ]
    if "themes-by-audit" in charts:
        parts.append(
            figure(
                charts["themes-by-audit"],
                "fig-themes-by-audit",
                "Which themes were findings of which audit",
            )
        )
    rows = [
        [escape_markdown(e["title"])]
        + ["Yes" if a in e["in"] else "No" for a in audits]
        + [_var(f"themes.by.{t}.audits")]
        for t, e in themes.items()
    ]
    parts.append(
        table(
            ["Theme", *(f"Audit {variables['audits'][a]['number']}" for a in audits), "Audits"],
            rows,
            "Themes that were findings of each audit",
            align=["l"] + ["l"] * len(audits) + ["r"],
            widths=[40] + [7] * len(audits) + [7],
            ident="tbl-themes-by-audit",
        )
    )
    parts.append(narrative_or_note(variables, narrative, "themes"))
    return "\n".join(p for p in parts if p)


def action_plan_part(
    variables: Mapping[str, Any], narrative: set[str], charts: Mapping[str, Mapping[str, str]]
) -> str:
    from auditrap.document import figure, table
    from auditrap.render.markdown import escape_markdown

    plan = variables["plan"]
    if not plan["recommendations"]:
        return (
            "None of the board's audits has recommendations or an action plan yet.\n\n"
            + narrative_or_note(variables, narrative, "action-plan")
        )
    as_of = (
        f"as of {_var('plan.as_of')}, the latest date an action plan of the board was "
        "reviewed (or the date the board set)"
        if plan["as_of"]
        else "with no action plan reviewed yet"
    )
    parts = [
        f"An action is overdue when it is not completed and its target date has passed, {as_of}.\n"
    ]
    if "action-plan-progress" in charts:
        parts.append(
            figure(
                charts["action-plan-progress"],
                "fig-action-plan-progress",
                "Actions of each audit's action plan by status",
            )
        )
    rows = []
    for key, a in variables["audits"].items():
        if "plan" not in a:
            continue
        rows.append(
            [f"Audit {_var(f'audits.{key}.number')}"]
            + [
                _var(f"audits.{key}.plan.{m}")
                for m in (
                    "recommendations",
                    "actions",
                    "completed",
                    "in_progress",
                    "not_started",
                    "overdue",
                )
            ]
        )
    parts.append(
        table(
            [
                "Audit",
                "Recommendations",
                "Actions",
                "Completed",
                "In progress",
                "Not started",
                "Overdue",
            ],
            rows,
            "The action plan of each audit, by status",
            ident="tbl-action-plan-by-audit",
        )
    )
    late = plan["late_recommendations"]
    parts.append(
        (
            f"Of the {_n(variables, 'plan.recommendations', 'recommendation', 'recommendations')}"
            f" of the board's audits, {_var('plan.late_recommendations')} "
            f"{'has' if late == 1 else 'have'} an overdue action: "
            f"{'it comes' if late == 1 else 'they come'} first below."
            if late
            else "No recommendation has an overdue action."
        )
        + " Each recommendation is listed with the audit that made it and whom it is "
        "addressed to.\n"
    )
    rec_rows = []
    for key, r in plan["by"].items():
        audit_key = _key(r["audit"])
        text = escape_markdown(str(r.get("text", "")))
        rec_rows.append(
            [
                _var(f"audits.{audit_key}.number"),
                _var(f"plan.by.{key}.number"),
                text,
                escape_markdown(r.get("addressed_to", "")),
                _var(f"plan.by.{key}.actions"),
                _var(f"plan.by.{key}.completed"),
                _var(f"plan.by.{key}.overdue"),
            ]
        )
    parts.append(
        table(
            ["Audit", "No.", "Recommendation", "Addressed to", "Actions", "Completed", "Overdue"],
            rec_rows,
            "Recommendations across the board's audits, those with overdue actions first",
            align=["r", "r", "l", "l", "r", "r", "r"],
            widths=[6, 5, 43, 16, 9, 12, 9],
            ident="tbl-recommendations-by-audit",
        )
    )
    parts.append(narrative_or_note(variables, narrative, "action-plan"))
    return "\n".join(parts)


def method_part(variables: Mapping[str, Any]) -> str:
    """How the report was made, in short; the technical note, in one sentence; the data
    tables (as the audit report's "About this report")."""
    from auditrap.document import technical_note_name
    from auditrap.render.markdown import escape_markdown

    note = technical_note_name(variables["board"]["slug"])  # the slug is [a-z0-9-]
    return "\n".join(
        [
            "### Where the numbers come from\n",
            "This report is built by auditrap from the board's audits: for each audit with "
            "its data, the tables its own report published (so nothing an audit's report "
            "hides is shown here), its findings and its action plan as the sub-group last "
            "reviewed it; for each earlier audit recorded in the board's programme file, its "
            "findings. Every number has an id, the variable it was computed as; "
            "[lineage.csv](data/lineage.csv) gives for each its value, this report's table "
            "and cell, and the audit's table and filter it comes from.\n",
            "How this report was made (the software, its input files and where each of its "
            f"numbers comes from) is in its technical note, [{escape_markdown(note)}]({note}).\n",
            "### Data tables {#data-tables}\n",
            "The tables behind every chart and number are published beside the report as CSV "
            "files:\n",
            *[f"- [{escape_markdown(t)}.csv](data/{t}.csv)" for t in BOARD_TABLES],
            "",
        ]
    )


def board_parts(
    variables: Mapping[str, Any],
    narrative: set[str],
    charts: Mapping[str, Mapping[str, str]],
) -> dict[str, str]:
    """The generated Markdown parts of the board's report, by file name."""
    return {
        "status.md": status_part(variables),
        "summary.md": summary_part(variables, narrative),
        "audits.md": audits_part(variables),
        "grades.md": grades_part(variables, charts),
        "themes.md": themes_part(variables, narrative, charts),
        "action-plan.md": action_plan_part(variables, narrative, charts),
        "next-steps.md": narrative_or_note(variables, narrative, "next-steps"),
        "method.md": method_part(variables),
    }


# -- Assembling, rendering, recording and publishing -------------------------------------------

#: The board's document in report/, copied into its build folder as report.qmd.
BOARD_DOCUMENT = "board.qmd"


def board_metadata(variables: Mapping[str, Any]) -> dict[str, Any]:
    """The document metadata (escaped as Quarto reads it: see :func:`auditrap.document.metadata`)."""
    from auditrap.render.markdown import escape_metadata

    board = variables["board"]
    slug_ = board["slug"]
    plan = variables["plan"]
    subtitle = (
        f"Assurance report on audits {board['first']} to {board['last']}"
        if board["first"] != board["last"]
        else f"Assurance report on audit {board['first']}"
    )
    if plan["as_of"]:
        subtitle += f", with the action plans as of {plan['as_of']}"
    return {
        "title": escape_metadata(f"What the board's audits found: {board['name']}"),
        "subtitle": escape_metadata(subtitle),
        "author": escape_metadata(board["name"]),
        "date": board["published_iso"],
        "lang": "en-GB",
        "downloads": [
            {
                "text": "Download this report as a PDF",
                "href": escape_metadata(f"{slug_}.pdf"),
                "pdf": True,
            },
            {"text": "the data behind it (CSV)", "href": "#data-tables"},
        ],
    }


def assemble_board(
    build_dir: Path,
    *,
    report_dir: Path,
    variables: Mapping[str, Any],
    narrative_files: Sequence[Path],
    figures_dir: Path,
    accessibility: Mapping[str, str] | None = None,
) -> Path:
    """Write the board's build folder: ``report.qmd`` (report/board.qmd), ``_quarto.yml``,
    the generated parts, the sub-group's narrative, the charts and the variables; returns
    the path of its ``report.qmd``."""
    from auditrap.document import _write_yaml, mark_numbers, markdown_values
    from auditrap.lineage import hidden_symbol, numbers
    from auditrap.narrative import publishable_text

    build_dir = Path(build_dir)
    if build_dir.exists():
        shutil.rmtree(build_dir)
    (build_dir / "_generated").mkdir(parents=True)
    (build_dir / "narrative").mkdir()
    (build_dir / "figures").mkdir()
    shutil.copyfile(Path(report_dir) / BOARD_DOCUMENT, build_dir / "report.qmd")
    shutil.copyfile(Path(report_dir) / "_quarto.yml", build_dir / "_quarto.yml")
    numeric = {key for key, _ in numbers(variables, hidden=hidden_symbol(variables))}
    for path in narrative_files:
        path = Path(path)
        if path.suffix != ".md":
            shutil.copyfile(path, build_dir / path.name)
            continue
        text = publishable_text(path.read_text(encoding="utf-8-sig"))
        (build_dir / "narrative" / path.name).write_text(
            mark_numbers(text, numeric), encoding="utf-8"
        )
    charts = {}
    if Path(figures_dir).is_dir():
        for svg in sorted(Path(figures_dir).glob("*.svg")):
            shutil.copyfile(svg, build_dir / "figures" / svg.name)
        listed = Path(figures_dir) / "charts.json"
        if listed.is_file():
            charts = json.loads(listed.read_text(encoding="utf-8"))
    narrative = {Path(p).stem for p in narrative_files if Path(p).suffix == ".md"}
    for name, text in board_parts(variables, narrative, charts).items():
        (build_dir / "_generated" / name).write_text(mark_numbers(text, numeric), encoding="utf-8")
    shown = {**variables, "accessibility": dict(accessibility)} if accessibility else variables
    _write_yaml(build_dir / "_variables.yml", markdown_values(shown))
    _write_yaml(build_dir / "_metadata.yml", board_metadata(variables))
    return build_dir / "report.qmd"


def render_board_stage(
    *,
    variables_path: Path,
    figures_dir: Path,
    narrative: Sequence[Path],
    narrative_dir: Path | None,
    build_dir: Path,
    report_dir: Path,
    html_out: Path,
    pdf_out: Path,
    engine: str,
    accessibility: Mapping[str, str],
    engine_out: Path | None = None,
) -> None:
    """Render the board's report to HTML and PDF with the chosen engine, after checking the
    sub-group's narrative as an audit's is checked (:mod:`auditrap.narrative`). ``engine_out``
    records the engine that rendered, for the manifest and the technical note (which the
    record step writes: :func:`record_board_stage`)."""
    import yaml

    from auditrap.pipeline import StageError, check_narrative_stage
    from auditrap.render.engine import RenderError, render_report, resolve_engine
    from auditrap.render.shortcodes import ShortcodeError

    check_narrative_stage(audit_dir=None, narrative=narrative)
    if narrative_dir is not None and Path(narrative_dir).is_dir():
        from auditrap.audit_folder import check_audit_folder
        from auditrap.problems import ERROR

        errors = [p for p in check_audit_folder(Path(narrative_dir).parent) if p.severity == ERROR]
        if errors:
            raise StageError(
                f"The board's folder ({Path(narrative_dir).parent.as_posix()}) cannot be used "
                "as it is, so nothing was published:\n"
                + "\n".join(f"  - {p.line()}" for p in errors)
            )
    try:
        chosen = resolve_engine(engine)
    except RenderError as exc:
        raise StageError(f"The board's report could not be rendered: {exc}") from None
    variables = yaml.safe_load(Path(variables_path).read_text(encoding="utf-8"))
    assemble_board(
        Path(build_dir),
        report_dir=Path(report_dir),
        variables=variables,
        narrative_files=[Path(p) for p in narrative],
        figures_dir=Path(figures_dir),
        accessibility=accessibility,
    )
    day = dt.date.fromisoformat(variables["board"]["published_iso"])
    try:
        render_report(
            Path(build_dir),
            html_out=Path(html_out),
            pdf_out=Path(pdf_out),
            assets_dir=Path(report_dir),
            timestamp=dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC),
            engine=chosen,
        )
    except (RenderError, ShortcodeError) as exc:
        raise StageError(f"The board's report could not be rendered: {exc}") from None
    log.info("Rendered %s and %s with the %s engine.", html_out, pdf_out, chosen.description)
    if engine_out is not None:
        # With the engine in words and the pandoc that made the report, for the technical note.
        record = chosen.record() | {
            "description": chosen.description,
            "pandoc": chosen.pandoc_version,
        }
        Path(engine_out).write_text(json.dumps(record, sort_keys=True) + "\n")


def board_files(
    html: Path,
    pdf: Path,
    tables: Sequence[Path],
    lineage: Path,
    slug_: str,
    technical: Path | None = None,
) -> dict:
    """Each finished file of the board's report, mapped to its name in the published folder
    (its technical note, ``technical``, once the record step has written it)."""
    from auditrap.document import technical_note_name

    files = {
        Path(html): f"{slug_}.html",
        Path(pdf): f"{slug_}.pdf",
        Path(lineage): "data/lineage.csv",
    }
    if technical is not None:
        files[Path(technical)] = technical_note_name(slug_)
    files.update({Path(p): f"data/{Path(p).name}" for p in tables})
    return files


def record_board_stage(
    *,
    files: Mapping[Path, str],
    programme: Mapping[str, Any],
    as_of: Mapping[str, Any] | None,
    inputs: Sequence[Path],
    names_paths: Sequence[Path],
    checked_path: Path,
    variables_path: Path,
    manifest_out: Path,
    engine_record_path: Path,
    audits: Sequence[str],
    config_files: Sequence[Path] = (),
    technical_out: Path | None = None,
) -> None:
    """The publication gate for the board's report (every public file scanned for
    identifiers and for every name on the lists of the board's audits; every table the one
    its analysis wrote), then its manifest (:func:`auditrap.provenance.page_manifest`, with
    what the programme page lists of it). Given ``technical_out``, the report's technical
    note (:func:`auditrap.technical.board_technical_note`) is written there from the
    manifest's own record of the inputs and the software, so that it lists exactly what the
    manifest records; it passes the same gate and the manifest records it."""
    import yaml

    from auditrap.gate import scan
    from auditrap.pipeline import (
        StageError,
        _check_tables_were_checked,
        refuse_identifiers,
        refuse_identifiers_in_manifest,
    )
    from auditrap.provenance import ManifestError, page_manifest, write_manifest
    from auditrap.redact import read_name_list

    slug_ = programme["slug"]
    _check_tables_were_checked(
        [(p, n) for p, n in files.items()], Path(checked_path), f"boards/{slug_}"
    )
    names = sorted({n for p in names_paths for n in read_name_list(Path(p))})
    findings = scan(list(files.items()), names)
    refuse_identifiers(
        findings,
        f"The board's report ({slug_}) contains what look like identifiers",
        "\nRemove them from the board's narrative or the audits' data and run the report again.",
    )
    engine = json.loads(Path(engine_record_path).read_text(encoding="utf-8"))
    root = Path.cwd()
    variables = yaml.safe_load(Path(variables_path).read_text(encoding="utf-8"))
    try:
        manifest = page_manifest(
            kind="board",
            root=root,
            inputs=[Path(p) for p in inputs],
            outputs={name: Path(path) for path, name in files.items()},
            engine=str(engine.get("engine")),
            lock_file=root / "requirements.lock",
        )
    except ManifestError as exc:
        raise StageError(f"The board's report ({slug_}) cannot be recorded: {exc}") from None
    manifest["environment"]["quarto"] = engine.get("quarto")
    if technical_out is not None:
        from auditrap.document import technical_note_name
        from auditrap.provenance import sha256
        from auditrap.technical import board_technical_note

        note_name = technical_note_name(slug_)
        Path(technical_out).write_text(
            board_technical_note(
                variables,
                inputs=manifest["inputs"],
                environment=manifest["environment"],
                engine=str(engine.get("description") or engine.get("engine")),
                pandoc=engine.get("pandoc"),
            ),
            encoding="utf-8",
        )
        refuse_identifiers(
            scan([(Path(technical_out), note_name)], names),
            f"The technical note of the board's report ({slug_}) contains what look like "
            "identifiers",
        )
        manifest["outputs"][note_name] = sha256(Path(technical_out))
        manifest["outputs"] = dict(sorted(manifest["outputs"].items()))
    manifest["board"] = {
        "name": programme["board"],
        "slug": slug_,
        "audits": [dict(a) for a in programme["audits"]],
        "as_of": dict(as_of) if as_of else None,
    }
    manifest["built_with"] = sorted(audits)
    manifest["publication"] = {
        "name": programme["board"],
        "slug": slug_,
        "audits": variables["board"]["audits"],
        "first": variables["board"]["first"],
        "last": variables["board"]["last"],
        "published": variables["board"]["published"],
        "published_iso": variables["board"]["published_iso"],
    }
    if config_files:
        manifest["config_files"] = [Path(p).as_posix() for p in config_files]
    refuse_identifiers_in_manifest(
        manifest,
        names,
        f"The manifest of the board's report ({slug_}) would publish what look like identifiers",
    )
    write_manifest(manifest, Path(manifest_out))
    log.info(
        "Checked %d public files of the board's report; recorded the build.",
        len(files) + (technical_out is not None),
    )
