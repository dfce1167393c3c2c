"""Lineage for every number the report states.

Each number in the report is a variable (``{{< var grades.good.count >}}``); its id is the
variable's key. ``lineage.csv`` maps each id to its value, the published table and cell it
appears in, the processed table and the filter that computed it, and, for each input file,
the file's SHA-256 and the spreadsheet rows that contributed. A filter is a pandas query over
the input table's columns, so anyone can re-run it on the raw file and get the same rows.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditrap.grades import GRADES, grade_rank, slug
from auditrap.provenance import sha256

if TYPE_CHECKING:  # imported where used: the render step reads numbers() without pandas
    import pandas as pd

COLUMNS = [
    "id",
    "value",
    "kind",
    "published_table",
    "published_cell",
    "processed_table",
    "filter",
    "input_file",
    "input_sha256",
    "input_rows",
]


@dataclass(frozen=True)
class Source:
    """Rows of one processed table that produce a number."""

    table: str  # cases, returns, actions
    frame: pd.DataFrame  # with source_file and source_row
    filter: str  # a pandas query over the table's columns ("" means every row)


def _q(value: str) -> str:
    return repr(str(value))


#: The tables of tags whose filters pick rows of their own (see :func:`trace`).
TAG_TABLES = ("theme_tags:", "theme_sentences:")
#: Each count of the theme review, as a query over the sentence tags.
REVIEW_QUERIES = {
    "suggested": "origin == 'tagger'",
    "accepted": "origin == 'tagger' and decision == 'accepted'",
    "rejected": "origin == 'tagger' and decision == 'rejected'",
    "added": "decision == 'added'",
    "unreviewed": "origin == 'tagger' and decision == 'unreviewed'",
}


def with_suggested_grades(cases: pd.DataFrame, case_grades: pd.DataFrame) -> pd.DataFrame:
    """The cases with text columns, and each case's ratified and suggested grade as ranks
    (1 Outstanding ... 4 Inadequate), so that filters never need to name a case."""
    suggested = dict(
        zip(
            case_grades["case_id"].astype(str),
            case_grades["suggested_grade"].astype("string"),
            strict=True,
        )
    )
    out = cases.assign(
        ratified_grade=cases["ratified_grade"].astype("string"),
        area=cases["area"].astype("string"),
        returns_suggest=cases["case_id"].astype(str).map(suggested).astype("string"),
    )
    out["ratified_rank"] = grade_rank(out["ratified_grade"]).astype("float64")
    out["suggested_rank"] = grade_rank(out["returns_suggest"]).astype("float64")
    return out


def numbers(
    variables: Mapping[str, Any], prefix: str = "", *, hidden: str | None = None
) -> Iterator[tuple[str, Any]]:
    """Every numeric variable, by dotted key; with ``hidden`` (the disclosure symbol), also
    every count hidden by disclosure control, whose value is that symbol."""
    for key, value in variables.items():
        full = f"{prefix}{key}"
        if full == "disclosure":  # the policy applied, not a number the report states
            continue
        if isinstance(value, Mapping):
            yield from numbers(value, full + ".", hidden=hidden)
        elif _is_number(value) or (hidden is not None and value == hidden):
            yield full, value


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def hidden_symbol(variables: Mapping[str, Any]) -> str | None:
    """The symbol standing for hidden counts, when any count of the report is hidden."""
    symbol = (variables.get("disclosure") or {}).get("symbol")
    if symbol is None:
        return None
    return symbol if any(v == symbol for _, v in numbers(variables, hidden=symbol)) else None


def trace(
    variables: Mapping[str, Any],
    *,
    cases: pd.DataFrame,
    returns: pd.DataFrame,
    actions: pd.DataFrame,
    tags: pd.DataFrame,
    case_grades: pd.DataFrame,
    audit_dir: Path,
    sentence_tags: pd.DataFrame | None = None,
    recommendations: pd.DataFrame | None = None,
    action_plan: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The lineage table of one audit's report.

    A theme's counts come from ``tags`` (theme_tags: one row per return and theme, after
    the analyst's review), the review's counts from ``sentence_tags`` (every suggestion and
    added tag, with its decision). Their filters are written ``<table>: <query>``: the query
    picks that table's rows, and the number counts the returns (or their cases or agencies)
    those rows point to, by source file and row. The numbers of the recommendations and the
    action plan come from ``recommendations`` and ``action_plan``, the typed plan tables.
    """
    import pandas as pd

    cases = with_suggested_grades(cases, case_grades)
    returns = returns.assign(agency=returns["agency"].astype("string"))
    actions = actions.assign(status=actions["status"].astype("string"))

    def rows(source: Source) -> pd.DataFrame:
        frame = source.frame
        if not source.filter or source.filter.startswith(TAG_TABLES):
            return frame
        return frame.query(source.filter, engine="python")

    def cases_where(flt: str) -> Source:
        return Source("cases", cases, flt)

    def theme_returns(query: str) -> Source:
        """The returns that the theme_tags rows the query picks point to."""
        keys = tags.query(query, engine="python")[["source_file", "source_row"]]
        picked = returns.merge(keys, on=["source_file", "source_row"])
        return Source("returns", picked, f"theme_tags: {query}")

    def tagged_sentences(query: str) -> Source:
        """One row per sentence tag the query picks, each with the return it is in."""
        frame = (
            sentence_tags
            if sentence_tags is not None
            else pd.DataFrame(columns=["origin", "decision", "source_file", "source_row"])
        )
        keys = frame.query(query, engine="python")[["source_file", "source_row"]]
        picked = keys.merge(returns, on=["source_file", "source_row"], how="left")
        return Source("returns", picked, f"theme_sentences: {query}")

    area_names = {key: entry["name"] for key, entry in variables["areas"]["by"].items()}
    # id -> (rows, published table, published cell, kind). A kind says how the number comes
    # from its rows: "count" (how many rows), "cases" / "agencies" (how many distinct case
    # ids / agencies among them) or "percent" (of the ratified cases).
    spec: dict[str, tuple[Source, str, str, str]] = {
        "cases.total": (cases_where(""), "", "", "count"),
        "cases.ratified": (
            cases_where("ratified_grade.notna()"),
            "grade_distribution.csv",
            "sum of column cases",
            "count",
        ),
        "cases.not_ratified": (
            cases_where("ratified_grade.isna()"),
            "grade_agreement.csv",
            "outcome=Not yet ratified, column cases",
            "count",
        ),
        "cases.good_or_better": (
            cases_where("ratified_grade in ['Outstanding', 'Good']"),
            "",
            "",
            "count",
        ),
        "cases.below_good": (
            cases_where("ratified_grade in ['Requires improvement', 'Inadequate']"),
            "",
            "",
            "count",
        ),
        "returns.total": (
            Source("returns", returns, ""),
            "returns_by_agency.csv",
            "sum of column returns",
            "count",
        ),
        "agencies.returned": (
            Source("returns", returns, ""),
            "returns_by_agency.csv",
            "count of rows with returns > 0",
            "agencies",
        ),
        "actions.raised": (
            Source("actions", actions, ""),
            "immediate_actions.csv",
            "agency=All agencies, column raised",
            "count",
        ),
        "actions.completed": (
            Source("actions", actions, "status == 'Completed'"),
            "immediate_actions.csv",
            "agency=All agencies, column completed",
            "count",
        ),
        "actions.open": (
            Source("actions", actions, "status == 'Open'"),
            "immediate_actions.csv",
            "agency=All agencies, column open",
            "count",
        ),
        "agreement.as_suggested": (
            cases_where("ratified_rank == suggested_rank"),
            "grade_agreement.csv",
            "outcome=Ratified grade as the returns suggest, column cases",
            "count",
        ),
        "agreement.better": (
            cases_where("ratified_rank < suggested_rank"),
            "grade_agreement.csv",
            "outcome=Ratified grade better than the returns suggest, column cases",
            "count",
        ),
        "agreement.worse": (
            cases_where("ratified_rank > suggested_rank"),
            "grade_agreement.csv",
            "outcome=Ratified grade worse than the returns suggest, column cases",
            "count",
        ),
    }
    for grade in GRADES:
        key = f"grades.{slug(grade)}"
        source = cases_where(f"ratified_grade == {_q(grade)}")
        spec[f"{key}.count"] = (
            source,
            "grade_distribution.csv",
            f"grade={grade}, column cases",
            "count",
        )
        spec[f"{key}.percent"] = (
            source,
            "grade_distribution.csv",
            f"grade={grade}, column percent",
            "percent",
        )
    for key, name in area_names.items():
        spec[f"areas.by.{key}.total"] = (
            cases_where(f"area == {_q(name)}"),
            "grades_by_area.csv",
            f"area={name}, sum of cases",
            "count",
        )
        for grade in GRADES:
            spec[f"areas.by.{key}.{slug(grade)}"] = (
                cases_where(f"area == {_q(name)} and ratified_grade == {_q(grade)}"),
                "grades_by_area.csv",
                f"area={name}, grade={grade}, column cases",
                "count",
            )
    for theme_id in variables["themes"]:
        theme = f"theme_id == {_q(theme_id)}"
        for measure, kind in (("returns", "count"), ("cases", "cases"), ("agencies", "agencies")):
            spec[f"themes.{theme_id}.{measure}"] = (
                theme_returns(theme),
                "theme_counts.csv",
                f"theme_id={theme_id}, column {measure}",
                kind,
            )
        for said in ("concern", "good_practice"):
            for measure, kind in (("returns", "count"), ("cases", "cases")):
                spec[f"themes.{theme_id}.{said}.{measure}"] = (
                    theme_returns(f"{theme} and {said}"),
                    "theme_counts.csv",
                    f"theme_id={theme_id}, column {said}_{measure}",
                    kind,
                )
    for key, query in REVIEW_QUERIES.items():
        spec[f"review.{key}"] = (tagged_sentences(query), "", "", "count")

    if "action_plan" in variables and recommendations is not None and action_plan is not None:
        spec.update(plan_lineage(variables, recommendations, action_plan))

    records = []
    symbol = hidden_symbol(variables)
    for key, value in numbers(variables, hidden=symbol):
        if key.startswith("validation."):  # counted while validating every raw file
            records.append(
                lineage_row(
                    key,
                    value,
                    kind="validation",
                    processed="validation/problems.csv",
                    flt="severity == 'warning'",
                )
            )
            continue
        if key not in spec:  # a number from audit.yaml (audit number, count of areas...)
            records.append(
                lineage_row(
                    key,
                    value,
                    kind="metadata",
                    processed="audit.json",
                    file="audit.yaml",
                    folder=audit_dir,
                )
            )
            continue
        source, table, cell, kind = spec[key]
        picked = rows(source)
        files = sorted(set(picked["source_file"])) or [f"{source.table}.csv"]
        for file in files:
            in_file = picked[picked["source_file"] == file]["source_row"].astype(int)
            records.append(
                lineage_row(
                    key,
                    value,
                    kind=kind,
                    symbol=symbol,
                    table=table,
                    cell=cell,
                    processed=f"{source.table}.parquet",
                    flt=source.filter,
                    file=file,
                    rows=in_file,
                    folder=audit_dir,
                )
            )
    # dtype object: a count stays a whole number beside a p-value (a float column writes 4.0).
    return pd.DataFrame(records, columns=COLUMNS, dtype=object)


def lineage_row(
    key: str,
    value: Any,
    *,
    kind: str,
    processed: str,
    symbol: str | None = None,
    table: str = "",
    cell: str = "",
    flt: str = "",
    file: str = "",
    rows: Any = (),
    folder: Path | str | None = None,
) -> dict[str, Any]:
    """One row of lineage.csv (:data:`COLUMNS`): a number's id and value, its kind
    ("hidden" when the value is the disclosure ``symbol``), where it is published, the
    processed table and filter it is counted with, and the input file (relative to
    ``folder``, hashed when it is there) and rows it comes from."""
    path = Path(folder) / file if folder is not None and file else None
    return {
        "id": key,
        "value": value,
        "kind": "hidden" if symbol is not None and value == symbol else kind,
        "published_table": table,
        "published_cell": cell,
        "processed_table": processed,
        "filter": flt,
        "input_file": file,
        "input_sha256": sha256(path) if path is not None and path.is_file() else "",
        "input_rows": ";".join(str(r) for r in sorted(rows)),
    }


def plan_lineage(
    variables: Mapping[str, Any], recommendations: pd.DataFrame, action_plan: pd.DataFrame
) -> dict[str, tuple[Source, str, str, str]]:
    """Where the numbers of the recommendations and the action plan come from: each a filter
    over the typed table (``action_plan.parquet``; overdue compares ``target_date`` with the
    as-of date). A recommendation's number is its place in file order (kind ``number``)."""
    plan = action_plan.assign(status=action_plan["status"].astype("string"))
    as_of = variables["action_plan"].get("as_of_iso") or ""
    late = f"status != 'Completed' and target_date < {_q(as_of)}" if as_of else "index < 0"
    statuses = {
        "completed": "Completed",
        "in_progress": "In progress",
        "not_started": "Not started",
    }
    spec: dict[str, tuple[Source, str, str, str]] = {
        "recommendations.count": (
            Source("recommendations", recommendations, ""),
            "recommendations.csv",
            "count of rows",
            "count",
        ),
        "action_plan.actions": (
            Source("action_plan", plan, ""),
            "action_plan_progress.csv",
            "sum of column actions",
            "count",
        ),
        "action_plan.overdue": (
            Source("action_plan", plan, late),
            "action_plan_progress.csv",
            "sum of column overdue",
            "count",
        ),
    }
    for key, status in statuses.items():
        spec[f"action_plan.{key}"] = (
            Source("action_plan", plan, f"status == {_q(status)}"),
            "action_plan_progress.csv",
            f"status={status}, column actions",
            "count",
        )
    for key, entry in variables["recommendations"]["by"].items():
        rec = _q(entry["id"])
        cell = f"recommendation_id={entry['id']}"
        spec[f"recommendations.by.{key}.number"] = (
            Source("recommendations", recommendations, f"recommendation_id == {rec}"),
            "recommendations.csv",
            f"{cell}, column number",
            "number",
        )
        mine = f"recommendation_id == {rec}"
        spec[f"recommendations.by.{key}.actions"] = (
            Source("action_plan", plan, mine),
            "recommendation_progress.csv",
            f"{cell}, column actions",
            "count",
        )
        for column, status in statuses.items():
            spec[f"recommendations.by.{key}.{column}"] = (
                Source("action_plan", plan, f"{mine} and status == {_q(status)}"),
                "recommendation_progress.csv",
                f"{cell}, column {column}",
                "count",
            )
        spec[f"recommendations.by.{key}.overdue"] = (
            Source("action_plan", plan, f"{mine} and {late}" if as_of else late),
            "recommendation_progress.csv",
            f"{cell}, column overdue",
            "count",
        )
    return spec


#: The columns of the lineage published beside the public edition.
PUBLIC_COLUMNS = COLUMNS[:7]


def public_lineage(lineage: pd.DataFrame) -> pd.DataFrame:
    """The lineage published beside the public edition: one row per number, with its value,
    the published table and cell, and the filter that computed it over the processed table.

    The input rows, and which input files contributed, are left out: laid side by side, the
    row lists of two numbers (an area's cases and a grade's cases) give back the count of
    their overlap, a cross-table no one published, and the files that contributed to a hidden
    count say something about it. The full lineage, rows and files with their hashes, is in
    the internal edition; the manifest has the hash of every input.
    """
    return lineage[PUBLIC_COLUMNS].drop_duplicates(subset=["id"]).reset_index(drop=True)
