"""Validate one audit's raw files against the contract and make its typed, canonical tables."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from auditrap import schemas
from auditrap.audit_folder import returns_files
from auditrap.grades import GRADES, grade_dtype, grade_lookup, normalise_grades
from auditrap.limits import DEFAULT_LIMITS, InputLimits
from auditrap.metadata import AuditMeta, check_findings, load_meta
from auditrap.problems import ERROR, WARNING, InputError, Problem, cap_problems, did_you_mean
from auditrap.readers import RawTable, concat_tables, read_csv_table

GRADE_COLUMNS = {"cases.csv": "ratified_grade", "returns.csv": "grade"}
#: Where an action plan may be kept: a CSV file, or the workbook the leads update each
#: quarter (``auditrap template --action-plan``); one or the other, never both.
ACTION_PLAN_FILES = ("action_plan.csv", "action_plan.xlsx")


@dataclass
class Audit:
    """One audit, validated: typed tables in the contract's column order."""

    audit_id: str
    meta: AuditMeta
    cases: pd.DataFrame
    returns: pd.DataFrame
    actions: pd.DataFrame
    warnings: list[Problem] = field(default_factory=list)
    files: dict[str, int] = field(default_factory=dict)
    #: recommendations.csv and the action plan, typed (no rows when the audit has none).
    recommendations: pd.DataFrame = field(
        default_factory=lambda: empty_plan_table("recommendations")
    )
    action_plan: pd.DataFrame = field(default_factory=lambda: empty_plan_table("action_plan"))

    @property
    def has_recommendations(self) -> bool:
        return "recommendations.csv" in self.files

    @property
    def has_action_plan(self) -> bool:
        return any(name in self.files for name in ACTION_PLAN_FILES)

    @property
    def published(self) -> dt.date:
        """The publication date: audit.yaml's, else the latest date found in the inputs."""
        if self.meta.published:
            return self.meta.published
        dates = pd.concat(
            [
                self.cases["meeting_date"],
                self.returns["return_date"],
                self.actions["raised_date"],
                self.actions["completed_date"],
                self.action_plan["completed_date"],
                self.action_plan["updated"],
            ]
        ).dropna()
        return dates.max().date() if len(dates) else dt.date(1970, 1, 1)


def load_audit(
    audit_dir: Path,
    audit_id: str,
    *,
    grade_aliases: Mapping[str, str] | None = None,
    ignored_columns: Sequence[str] = (),
    theme_ids: Sequence[str] | None = None,
    limits: InputLimits = DEFAULT_LIMITS,
    plan: bool = True,
) -> tuple[Audit | None, list[Problem]]:
    """Read and check every file of an audit. Returns the audit (None on error) and problems.

    ``plan=False`` leaves out recommendations.csv and the action plan (as if the audit had
    none): what the audit's board entry reads (:mod:`auditrap.earlier`).

    ``theme_ids`` are the ids of the taxonomy the audit is tagged with (the shared one and
    the audit's own extension): given them, the ``findings`` of audit.yaml and the
    ``theme_id`` of recommendations.csv are checked against them.

    Within ``limits`` (:mod:`auditrap.limits`): a file over one is refused before it is read
    in full, and no more than ``limits.messages_per_rule`` problems of one kind are listed
    for one file.
    """
    problems: list[Problem] = []
    if not audit_dir.is_dir():
        return None, [
            Problem(
                str(audit_dir),
                message=f"The audit folder for '{audit_id}' does "
                "not exist. Check the audit id in config.yaml.",
            )
        ]
    meta, meta_problems = load_meta(audit_dir / "audit.yaml", limits=limits)
    problems += meta_problems

    tables: dict[str, RawTable] = {}
    for name, model in schemas.TABLES.items():
        expected = schemas.columns(model)
        required = schemas.required_columns(model)
        if name == "returns.csv":
            tables[name] = _read_returns(audit_dir, expected, required, ignored_columns, limits)
        else:
            path = audit_dir / name
            if not path.is_file():
                problems.append(
                    Problem(
                        name,
                        message=f"{name} is missing. Every audit needs one "
                        "(a header row alone when there is nothing to list).",
                    )
                )
                tables[name] = concat_tables(name, [], expected)
                continue
            tables[name] = read_csv_table(
                path,
                display=name,
                expected=expected,
                required=required,
                ignored=ignored_columns,
                limits=limits,
            )
    for table in tables.values():
        problems += table.problems

    lookup = grade_lookup(grade_aliases)
    for name, column in GRADE_COLUMNS.items():
        frame = tables[name].frame
        if column in frame:
            frame[column] = normalise_grades(frame[column], lookup).astype("string")
            frame.loc[frame[column] == "", column] = pd.NA
    actions = tables["actions.csv"].frame
    if "status" in actions:
        folded = actions["status"].str.lower().map({s.lower(): s for s in schemas.ACTION_STATUSES})
        actions["status"] = folded.fillna(actions["status"]).astype("string")

    cases = tables["cases.csv"]
    case_ids = (
        cases.frame["case_id"].dropna().unique().tolist()
        if "case_id" in cases.columns_present and cases.ok
        else None
    )
    for name, model in schemas.TABLES.items():
        table = tables[name]
        schema = schemas.audit_schema(
            model,
            areas=meta.areas if meta else [],
            agencies=meta.agencies if meta else [],
            case_ids=case_ids,
            present=table.columns_present,
        )
        if meta is None:
            schema = _without_checks(schema, {"known_area", "known_agency"})
        allowed = {
            "known_area": meta.areas if meta else [],
            "known_agency": meta.agencies if meta else [],
            "known_case": case_ids or [],
            "grade": lookup,
        }
        problems += check_table(table, schema, allowed, limits=limits)

    problems += _cases_without_returns(tables)
    if meta is not None and theme_ids is not None:
        problems += check_findings(meta, list(theme_ids))
    plan_tables, plan_problems = (
        load_plan_tables(
            audit_dir, meta, theme_ids=theme_ids, ignored_columns=ignored_columns, limits=limits
        )
        if plan
        else ({}, [])
    )
    problems += plan_problems
    problems = cap_problems(
        problems, limits.messages_per_rule, limits.how_to_raise("messages_per_rule")
    )
    wanted = {(p.file, p.row) for p in problems if p.row is not None and not p.agency}
    if wanted:
        agency_of = _agency_of_row(tables, wanted) | _lead_of_row(plan_tables)
        problems = [_with_agency(p, agency_of) for p in problems]

    if any(p.severity == ERROR for p in problems) or meta is None:
        return None, problems
    audit = Audit(
        audit_id=audit_id,
        meta=meta,
        cases=_typed_cases(tables["cases.csv"], meta),
        returns=_typed_returns(tables["returns.csv"], meta),
        actions=_typed_actions(tables["actions.csv"], meta),
        warnings=[p for p in problems if p.severity == WARNING],
        files={t.name: len(t.frame) for t in tables.values()}
        | {t.name: len(t.frame) for t in plan_tables.values()},
        recommendations=typed_recommendations(plan_tables.get("recommendations.csv")),
        action_plan=typed_action_plan(plan_tables.get("action_plan.csv")),
    )
    return audit, problems


def validate_audit(audit_dir: Path, audit_id: str, **options) -> Audit:
    """Like :func:`load_audit`, but raises :class:`InputError` listing every problem."""
    audit, problems = load_audit(audit_dir, audit_id, **options)
    if audit is None:
        raise InputError(problems, audit_id=audit_id)
    return audit


def _read_returns(
    audit_dir: Path,
    expected: list[str],
    required: list[str],
    ignored: Sequence[str],
    limits: InputLimits = DEFAULT_LIMITS,
) -> RawTable:
    parts = []
    csv_path = audit_dir / "returns.csv"
    if csv_path.is_file():
        parts.append(
            read_csv_table(
                csv_path,
                display="returns.csv",
                expected=expected,
                required=required,
                ignored=ignored,
                limits=limits,
            )
        )
    workbooks, others = returns_files(audit_dir)
    unread = [
        Problem(
            f"returns/{path.name}",
            message="Only .xlsx workbooks directly in returns/ are read. Save this file from "
            "Excel as 'Excel Workbook (.xlsx)', or move it out of the folder."
            if not path.is_dir()
            else "This folder is not read: only .xlsx workbooks directly in returns/ are. "
            "Move the workbooks in it up into returns/, and remove the folder.",
        )
        for path in others
    ]
    if workbooks:
        from auditrap.workbooks import read_returns_workbook

        for path in workbooks:
            parts.append(
                read_returns_workbook(
                    path,
                    display=f"returns/{path.name}",
                    expected=expected,
                    required=required,
                    ignored=ignored,
                    limits=limits,
                )
            )
    table = concat_tables("returns.csv", parts, expected)
    table.problems += unread
    if not parts:
        table.problems.append(
            Problem(
                "returns.csv",
                message="There are no returns: add "
                "returns.csv or filled-in audit tools in returns/*.xlsx.",
            )
        )
    return table


def _without_checks(schema: pa.DataFrameSchema, names: set[str]) -> pa.DataFrameSchema:
    for name, column in schema.columns.items():
        kept = [c for c in column.checks if c.name not in names]
        if len(kept) != len(column.checks):
            schema = schema.update_column(name, checks=kept)
    return schema


def check_table(
    table: RawTable,
    schema: pa.DataFrameSchema,
    allowed: Mapping[str, Sequence[str]],
    *,
    limits: InputLimits = DEFAULT_LIMITS,
) -> list[Problem]:
    """Run one pandera schema lazily and explain every failure in plain English.

    The model's checks across columns (such as one return per case and agency) are run here,
    each a vectorised function of the frame, rather than by pandera's validation: for each
    failing row pandera lists every column's value and reshapes them, which took a minute
    for 100,000 duplicated rows (docs/performance.md). The checks are the model's own.
    """
    if table.frame.empty and not table.columns_present:
        return []
    frame = table.frame[table.columns_present]
    by_column = copy.copy(schema)
    by_column.checks = []
    failures = []
    try:
        by_column.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        failures.append(exc.failure_cases[["index", "check", "column"]])
    for check in schema.checks:
        passed = check(frame).check_output
        failing = frame.index[~passed.to_numpy(dtype=bool)]
        if len(failing):
            failures.append(
                pd.DataFrame(
                    {
                        "index": failing.to_numpy(),
                        "check": check.name,
                        "column": schemas.DATAFRAME_CHECKS[check.name][0],
                    }
                )
            )
    if not failures:
        return []
    return explain_failures(pd.concat(failures, ignore_index=True), table, allowed, limits=limits)


#: Checks whose message names the other rows with the same value(s), by the columns compared.
DUPLICATE_CHECKS = {"one_return_per_agency": ("case_id", "agency")}
#: Other rows named in one message; the rest are counted.
OTHER_ROWS_SHOWN = 5


def explain_failures(
    failures: pd.DataFrame,
    table: RawTable,
    allowed: Mapping[str, Sequence[str]],
    *,
    limits: InputLimits = DEFAULT_LIMITS,
) -> list[Problem]:
    """Turn pandera's failure cases into one problem per (row, check).

    In time linear in the failures: rows with the same value are grouped once, not looked
    up again for each message, and no more than ``limits.messages_per_rule`` problems of one
    check in one file are explained; one more problem counts the rest.
    """
    failures = failures[failures["index"].notna()]  # structural ones: reported by the reader
    if failures.empty:
        return []
    check = failures["check"].astype(str)
    frame_wide = check.map(lambda c: schemas.DATAFRAME_CHECKS.get(c, (None,))[0])
    rows = pd.DataFrame(
        {
            "index": failures["index"].astype("int64").to_numpy(),
            "check": check.to_numpy(),
            # pandera lists a frame-wide failure once per column: fold them into one.
            "column": frame_wide.fillna(failures["column"].astype(str)).to_numpy(),
        }
    ).drop_duplicates()
    origin = table.origin
    rows["file"] = origin["source_file"].to_numpy()[rows["index"].to_numpy()]
    if table.reported_cells:
        where = zip(
            rows["file"],
            origin["source_row"].to_numpy()[rows["index"].to_numpy()],
            rows["column"],
            strict=True,
        )
        rows = rows[[(f, int(r), c) not in table.reported_cells for f, r, c in where]]
    shown = rows.groupby(["file", "check", "column"], sort=False).cumcount() < (
        limits.messages_per_rule
    )
    frame = table.frame
    groups: dict[str, dict] = {}

    def same_as(check: str, column: str) -> dict:
        """Each duplicated value (or pair of values), mapped to the rows holding it."""
        if check not in groups:
            keys = list(DUPLICATE_CHECKS.get(check, (column,)))
            duplicated = frame[keys][frame.duplicated(keys, keep=False)].dropna()
            labels = duplicated.index
            groups[check] = {
                key if isinstance(key, tuple) else (key,): labels[positions]
                for key, positions in duplicated.groupby(keys, sort=False).indices.items()
            }
        return groups[check]

    problems = []
    for index, check_name, column in rows.loc[shown, ["index", "check", "column"]].itertuples(
        index=False, name=None
    ):
        value = frame.at[index, column] if column in frame else None
        value = None if value is None or pd.isna(value) else str(value)
        others = None
        if check_name == "field_uniqueness" or check_name in DUPLICATE_CHECKS:
            key = tuple(frame.loc[index, list(DUPLICATE_CHECKS.get(check_name, (column,)))])
            same = same_as(check_name, column).get(key)
            others = [] if same is None else same[same != index].to_numpy()
        problems.append(
            Problem(
                file=str(origin.at[index, "source_file"]),
                row=int(origin.at[index, "source_row"]),
                column=column,
                value=value,
                message=_message(check_name, column, value, index, table, allowed, others),
            )
        )
    hidden = rows[~shown].groupby(["file", "check", "column"], sort=False).size()
    for (file, _, column), count in hidden.items():
        problems.append(
            Problem(
                file=str(file),
                column=str(column),
                message=f"... and {count:,} more rows of {file} with the same kind of problem "
                f"in column {column} as those listed. Only {limits.messages_per_rule:,} of "
                f"one kind are listed {limits.how_to_raise('messages_per_rule')}: correct "
                "those, or the step that made them all, and check again.",
            )
        )
    return problems


def _other_rows(table: RawTable, others: Sequence[int], *, with_file: bool) -> str:
    """ "row 4, row 9 and 3 more": the other rows, as a spreadsheet numbers them."""
    named = []
    for i in others[:OTHER_ROWS_SHOWN]:
        row = f"row {table.origin.at[i, 'source_row']}"
        named.append(f"{table.origin.at[i, 'source_file']} {row}" if with_file else row)
    more = len(others) - len(named)
    return ", ".join(named) + (f" and {more:,} more" if more > 0 else "")


def _message(
    check: str,
    column: str,
    value: str | None,
    index: int,
    table: RawTable,
    allowed: Mapping[str, Sequence[str]],
    others: Sequence[int] | None = None,
) -> str:
    frame = table.frame
    if check == "not_nullable":
        return f"{column} is blank, but every row needs one."
    if check == "field_uniqueness":
        return (
            f"The {column} `{value}` appears more than once (also "
            f"{_other_rows(table, [] if others is None else others, with_file=False)}). Each must be unique."
        )
    if check.startswith("str_matches"):
        return (
            f"`{value}` is not a valid case reference: use up to 32 letters, digits, "
            "- or _, starting with a letter or digit. It must never be a name."
        )
    if check == "iso_date":
        shaped = (
            value is not None and pd.Series([value]).str.fullmatch(schemas.ISO_DATE_PATTERN).iloc[0]
        )
        if shaped:
            return f"`{value}` is not a real date. Check the day and month."
        return f"`{value}` is not a date written YYYY-MM-DD, e.g. 2018-11-05."
    if check.startswith("isin") and column in ("grade", "ratified_grade"):
        return (
            f"`{value}` is not a grade{did_you_mean(value or '', allowed['grade'])} "
            f"The grades are {', '.join(GRADES)}."
        )
    if check.startswith("isin") and column == "status" and table.name in ACTION_PLAN_FILES:
        return (
            f"`{value}` is not a status of the action plan"
            f"{did_you_mean(value or '', schemas.PLAN_STATUSES)} Use Not started, In progress "
            "or Completed, written exactly so."
        )
    if check == "known_lead":
        return (
            f"`{value}` is not one of this audit's agencies, or Board"
            f"{did_you_mean(value or '', allowed[check])} The agencies are listed in audit.yaml: "
            "correct the value, or add the agency there if it is new."
        )
    if check == "known_recommendation":
        return (
            f"`{value}` is not a recommendation_id in recommendations.csv"
            f"{did_you_mean(value or '', allowed[check])} Every action must answer one of the "
            "audit's recommendations."
        )
    if check == "known_theme":
        return (
            f"`{value}` is not a theme id of the taxonomy{did_you_mean(value or '', allowed[check])} "
            "Leave it blank, or use one of the ids in data/themes.yaml (or the audit's own "
            "themes.yaml)."
        )
    if check == "completed_date_if_plan_completed":
        if frame.at[index, "status"] == "Completed":
            return "The action is Completed but has no completed_date: add the date it was done."
        return (
            f"The action is {frame.at[index, 'status']} but has a completed_date: clear the "
            "date, or set the status to Completed."
        )
    if check == "completed_not_after_updated":
        return (
            f"The completed_date `{value}` is after `updated` "
            f"`{frame.at[index, 'updated']}`, the date the row was last reviewed. Check both "
            "dates: updated is the date of the review that recorded the action as completed."
        )
    if check.startswith("isin") and column == "status":
        return (
            f"`{value}` is not a status{did_you_mean(value or '', schemas.ACTION_STATUSES)} "
            "Use Open or Completed."
        )
    if check in ("known_area", "known_agency"):
        kind = check.removeprefix("known_")
        return (
            f"`{value}` is not one of this audit's {kind} names"
            f"{did_you_mean(value or '', allowed[check])} The {kind} names are listed in "
            "audit.yaml: correct the value, or add it there if it is new."
        )
    if check == "known_case":
        suggestion = did_you_mean(value or "", allowed["known_case"])
        return (
            f"`{value}` is not a case_id in cases.csv{suggestion} Every row must refer "
            "to an audited case."
        )
    if check == "one_return_per_agency":
        row = frame.loc[index]
        return (
            f"{row['agency']} has more than one return for case {row['case_id']} "
            f"(also {_other_rows(table, [] if others is None else others, with_file=True)}). Keep one return per "
            "case and agency."
        )
    if check == "completed_date_if_completed":
        if frame.at[index, "status"] == "Completed":
            return "The action is Completed but has no completed_date: add the date it was done."
        return (
            "The action is Open but has a completed_date: clear the date, or set the "
            "status to Completed."
        )
    if check == "completed_not_before_raised":
        return (
            f"The completed_date `{value}` is before the raised_date "
            f"`{frame.at[index, 'raised_date']}`. Check both dates."
        )
    return f"`{value}` breaks the rule {check}."


#: A reference written as one word: "JaydenSmith", "smith_j", "NAI-Smith".
_JOINED_WORD = re.compile(r"[A-Za-z0-9]+(?:(?:[_-]|(?<=[a-z])(?=[A-Z]))[A-Za-z0-9]+)+")
_WORD_BREAK = re.compile(r"(?<=[a-z])(?=[A-Z])|[_-]")


def mask_identifiers(text: str, names: Sequence[str] = ()) -> str:
    """``text`` with every identifier the redaction patterns or the name list find replaced
    by its token, as in the free text; a name joined up in one word (a case reference
    "JaydenSmith") is found too, as :func:`auditrap.redact.redact_text` alone would not."""
    from auditrap.redact import redact_text

    text = redact_text(text, names)

    def mask(found: re.Match) -> str:
        spaced = _WORD_BREAK.sub(" ", found.group(0))
        redacted = redact_text(spaced, names)
        return found.group(0) if redacted == spaced else redacted

    return _JOINED_WORD.sub(mask, text)


def mask_problems(problems: Sequence[Problem], names: Sequence[str] = ()) -> list[Problem]:
    """Problems as they may be shown or written: a problem quotes raw cells (and a header,
    and the values it suggests), which may hold what redaction removes from the free text."""
    masked = []
    for problem in problems:
        masked.append(
            dataclasses.replace(
                problem,
                value=None if problem.value is None else mask_identifiers(problem.value, names),
                column=None if problem.column is None else mask_identifiers(problem.column, names),
                message=mask_identifiers(problem.message, names),
            )
        )
    return masked


def _cases_without_returns(tables: dict[str, RawTable]) -> list[Problem]:
    cases, returns = tables["cases.csv"], tables["returns.csv"]
    if "case_id" not in cases.columns_present or "case_id" not in returns.columns_present:
        return []
    missing = cases.frame["case_id"].notna() & ~cases.frame["case_id"].isin(
        returns.frame["case_id"].dropna().unique()
    )
    missing = missing.to_numpy(dtype=bool)
    return [
        Problem(
            "cases.csv",
            row=int(row),
            column="case_id",
            value=str(case_id),
            message="No agency returned an audit tool for this case. Add its returns, or "
            "remove the case from cases.csv.",
        )
        for row, case_id in zip(
            cases.origin["source_row"].to_numpy()[missing],
            cases.frame["case_id"].to_numpy()[missing],
            strict=True,
        )
    ]


def _agency_of_row(
    tables: dict[str, RawTable], wanted: set[tuple[str, int]]
) -> dict[tuple[str, int], str]:
    """Which agency each ``wanted`` (file, row) of returns and actions belongs to, to group
    problems by agency."""
    agency_of = {}
    rows = {row for _, row in wanted}
    for name in ("returns.csv", "actions.csv"):
        table = tables[name]
        if "agency" not in table.frame:
            continue
        near = table.origin["source_row"].isin(rows).to_numpy(dtype=bool)
        for (file, row), agency in zip(
            table.origin[["source_file", "source_row"]][near].itertuples(index=False, name=None),
            table.frame["agency"][near],
            strict=True,
        ):
            if not pd.isna(agency):
                agency_of[(file, int(row))] = str(agency)
    return agency_of


def _with_agency(problem: Problem, agency_of: dict[tuple[str, int], str]) -> Problem:
    if problem.row is None or problem.agency:
        return problem
    agency = agency_of.get((problem.file, problem.row))
    if agency is None:
        return problem
    return Problem(
        problem.file,
        problem.row,
        problem.column,
        problem.value,
        problem.message,
        problem.severity,
        agency,
    )


def load_plan_tables(
    audit_dir: Path,
    meta: AuditMeta | None,
    *,
    theme_ids: Sequence[str] | None = None,
    ignored_columns: Sequence[str] = (),
    limits: InputLimits = DEFAULT_LIMITS,
) -> tuple[dict[str, RawTable], list[Problem]]:
    """Read and check the optional recommendations.csv and the action plan (action_plan.csv
    or action_plan.xlsx) of an audit against the contract and across files: every problem,
    located. The tables are keyed ``recommendations.csv`` and ``action_plan.csv`` (whichever
    file the plan came from, its rows name it); a file the audit does not have is left out.
    """
    problems: list[Problem] = []
    tables: dict[str, RawTable] = {}
    recommendations_path = Path(audit_dir) / "recommendations.csv"
    if recommendations_path.is_file():
        tables["recommendations.csv"] = read_csv_table(
            recommendations_path,
            display="recommendations.csv",
            expected=schemas.columns(schemas.Recommendations),
            required=schemas.required_columns(schemas.Recommendations),
            ignored=ignored_columns,
            limits=limits,
        )
    plan_files = [name for name in ACTION_PLAN_FILES if (Path(audit_dir) / name).is_file()]
    if len(plan_files) > 1:
        problems.append(
            Problem(
                "action_plan.xlsx",
                message="There are two action plans, action_plan.csv and action_plan.xlsx. "
                "Keep the one the sub-group last reviewed and move the other out of the folder.",
            )
        )
    elif plan_files:
        tables["action_plan.csv"] = read_action_plan(
            Path(audit_dir) / plan_files[0], ignored_columns=ignored_columns, limits=limits
        )
        if "recommendations.csv" not in tables:
            problems.append(
                Problem(
                    plan_files[0],
                    message=f"{plan_files[0]} needs recommendations.csv: every action answers "
                    "a recommendation. Add recommendations.csv (recommendation_id, theme_id, "
                    "recommendation, addressed_to), or move the action plan out of the folder.",
                )
            )
    for table in tables.values():
        problems += table.problems

    recommendations = tables.get("recommendations.csv")
    recommendation_ids = (
        recommendations.frame["recommendation_id"].dropna().unique().tolist()
        if recommendations is not None
        and "recommendation_id" in recommendations.columns_present
        and recommendations.ok
        else None
    )
    agencies = list(meta.agencies) if meta else []
    allowed = {
        "known_lead": [*agencies, schemas.BOARD],
        "known_recommendation": recommendation_ids or [],
        "known_theme": list(theme_ids or []),
    }
    for name, model in schemas.PLAN_TABLES.items():
        if name not in tables:
            continue
        schema = schemas.plan_schema(
            model,
            agencies=agencies,
            recommendation_ids=recommendation_ids,
            theme_ids=theme_ids,
            present=tables[name].columns_present,
        )
        if meta is None:
            schema = _without_checks(schema, {"known_lead"})
        problems += check_table(tables[name], schema, allowed, limits=limits)
    problems += _recommendations_without_actions(tables)
    return tables, problems


def read_action_plan(
    path: Path, *, ignored_columns: Sequence[str] = (), limits: InputLimits = DEFAULT_LIMITS
) -> RawTable:
    """The action plan as text, from action_plan.csv or the workbook action_plan.xlsx."""
    expected = schemas.columns(schemas.ActionPlan)
    required = schemas.required_columns(schemas.ActionPlan)
    if path.suffix.lower() == ".xlsx":
        from auditrap.workbooks import read_action_plan_workbook

        table = read_action_plan_workbook(
            path,
            display=path.name,
            expected=expected,
            required=required,
            ignored=ignored_columns,
            limits=limits,
        )
    else:
        table = read_csv_table(
            path,
            display=path.name,
            expected=expected,
            required=required,
            ignored=ignored_columns,
            limits=limits,
        )
    table.name = path.name
    return table


def _recommendations_without_actions(tables: dict[str, RawTable]) -> list[Problem]:
    """A warning for each recommendation that no action of the action plan answers."""
    recommendations, plan = tables.get("recommendations.csv"), tables.get("action_plan.csv")
    if recommendations is None or plan is None:
        return []
    if "recommendation_id" not in recommendations.columns_present or not plan.ok:
        return []
    if "recommendation_id" not in plan.columns_present:
        return []
    answered = set(plan.frame["recommendation_id"].dropna())
    ids = recommendations.frame["recommendation_id"]
    return [
        Problem(
            "recommendations.csv",
            row=int(recommendations.origin.at[i, "source_row"]),
            column="recommendation_id",
            value=str(ids.at[i]),
            message=f"No action of {plan.name} answers this recommendation yet. Add one when "
            "the sub-group agrees it.",
            severity=WARNING,
        )
        for i in ids.index[ids.notna() & ~ids.isin(answered)]
    ]


def _lead_of_row(tables: dict[str, RawTable]) -> dict[tuple[str, int], str]:
    """The lead agency of each row of the action plan, to group its problems by agency."""
    table = tables.get("action_plan.csv")
    if table is None or "lead_agency" not in table.frame:
        return {}
    return {
        (str(file), int(row)): str(lead)
        for (file, row), lead in zip(
            table.origin[["source_file", "source_row"]].itertuples(index=False, name=None),
            table.frame["lead_agency"],
            strict=True,
        )
        if not pd.isna(lead)
    }


#: The typed columns of the plan tables, for an audit that has none (and for Parquet's sake).
_PLAN_COLUMNS = {
    "recommendations": {
        "number": "int64",
        "recommendation_id": "string",
        "theme_id": "string",
        "recommendation": "string",
        "addressed_to": "string",
    },
    "action_plan": {
        "action_id": "string",
        "recommendation_id": "string",
        "lead_agency": "string",
        "action": "string",
        "target_date": "datetime64[s]",
        "status": pd.CategoricalDtype(list(schemas.PLAN_STATUSES)),
        "completed_date": "datetime64[s]",
        "updated": "datetime64[s]",
        "evidence": "string",
    },
}


def empty_plan_table(name: str) -> pd.DataFrame:
    """The typed ``recommendations`` or ``action_plan`` table with no rows."""
    columns = {**_PLAN_COLUMNS[name], "source_file": "string", "source_row": "int64"}
    return pd.DataFrame({c: pd.Series(dtype=d) for c, d in columns.items()})


def typed_recommendations(table: RawTable | None) -> pd.DataFrame:
    if table is None:
        return empty_plan_table("recommendations")
    f = table.frame
    blank = pd.Series(pd.NA, index=f.index, dtype="string")
    return pd.DataFrame(
        {
            "number": pd.Series(range(1, len(f) + 1), index=f.index, dtype="int64"),
            "recommendation_id": f["recommendation_id"].astype("string"),
            "theme_id": f.get("theme_id", blank).astype("string"),
            "recommendation": f["recommendation"].astype("string"),
            "addressed_to": f["addressed_to"].astype("string"),
            "source_file": table.origin["source_file"].astype("string"),
            "source_row": table.origin["source_row"].astype("int64"),
        }
    )


def typed_action_plan(table: RawTable | None) -> pd.DataFrame:
    if table is None:
        return empty_plan_table("action_plan")
    f = table.frame
    blank = pd.Series(pd.NA, index=f.index, dtype="string")
    return pd.DataFrame(
        {
            "action_id": f["action_id"].astype("string"),
            "recommendation_id": f["recommendation_id"].astype("string"),
            "lead_agency": f["lead_agency"].astype("string"),
            "action": f["action"].astype("string"),
            "target_date": _dates(f["target_date"]),
            "status": pd.Categorical(f["status"], categories=list(schemas.PLAN_STATUSES)),
            "completed_date": _dates(f.get("completed_date", blank)),
            "updated": _dates(f["updated"]),
            "evidence": f.get("evidence", blank).astype("string"),
            "source_file": table.origin["source_file"].astype("string"),
            "source_row": table.origin["source_row"].astype("int64"),
        }
    )


def _dates(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values, format="%Y-%m-%d", errors="coerce").astype("datetime64[s]")


def _typed_cases(table: RawTable, meta: AuditMeta) -> pd.DataFrame:
    f = table.frame
    return pd.DataFrame(
        {
            "case_id": f["case_id"].astype("string"),
            "area": pd.Categorical(f["area"], categories=meta.areas),
            "ratified_grade": pd.Categorical(f.get("ratified_grade"), dtype=grade_dtype()),
            "meeting_date": _dates(f.get("meeting_date", pd.Series(pd.NA, index=f.index))),
            "source_file": table.origin["source_file"].astype("string"),
            "source_row": table.origin["source_row"].astype("int64"),
        }
    )


def _typed_returns(table: RawTable, meta: AuditMeta) -> pd.DataFrame:
    f = table.frame
    blank = pd.Series(pd.NA, index=f.index, dtype="string")
    return pd.DataFrame(
        {
            "case_id": f["case_id"].astype("string"),
            "agency": pd.Categorical(f["agency"], categories=meta.agencies),
            "auditor_role": f.get("auditor_role", blank).astype("string"),
            "return_date": _dates(f["return_date"]),
            "grade": pd.Categorical(f["grade"], dtype=grade_dtype()),
            "strengths": f.get("strengths", blank).astype("string"),
            "improvements": f.get("improvements", blank).astype("string"),
            "source_file": table.origin["source_file"].astype("string"),
            "source_row": table.origin["source_row"].astype("int64"),
        }
    )


def _typed_actions(table: RawTable, meta: AuditMeta) -> pd.DataFrame:
    f = table.frame
    return pd.DataFrame(
        {
            "action_id": f["action_id"].astype("string"),
            "case_id": f["case_id"].astype("string"),
            "agency": pd.Categorical(f["agency"], categories=meta.agencies),
            "action": f["action"].astype("string"),
            "raised_date": _dates(f["raised_date"]),
            "status": pd.Categorical(f["status"], categories=list(schemas.ACTION_STATUSES)),
            "completed_date": _dates(f.get("completed_date", pd.Series(pd.NA, index=f.index))),
            "source_file": table.origin["source_file"].astype("string"),
            "source_row": table.origin["source_row"].astype("int64"),
        }
    )


def write_processed(audit: Audit, out_dir: Path) -> None:
    """Write the typed tables (Parquet keeps their types) and the audit's metadata."""
    out_dir.mkdir(parents=True, exist_ok=True)
    audit.cases.to_parquet(out_dir / "cases.parquet", index=False)
    audit.returns.to_parquet(out_dir / "returns.parquet", index=False)
    audit.actions.to_parquet(out_dir / "actions.parquet", index=False)
    # Written for every audit (without rows when it has none), so the files are always there.
    audit.recommendations.to_parquet(out_dir / "recommendations.parquet", index=False)
    audit.action_plan.to_parquet(out_dir / "action_plan.parquet", index=False)
    meta = audit.meta.model_dump(mode="json")
    meta["audit_id"] = audit.audit_id
    meta["published"] = audit.published.isoformat()
    meta["rows_read"] = audit.files
    meta["warnings"] = [p.line() for p in audit.warnings]
    (out_dir / "audit.json").write_text(
        json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )


def read_processed(processed_dir: Path) -> Audit:
    """Read back what :func:`write_processed` wrote."""
    meta = json.loads((processed_dir / "audit.json").read_text(encoding="utf-8"))
    fields = {k: v for k, v in meta.items() if k in AuditMeta.model_fields}
    fields["published"] = meta["published"]
    return Audit(
        audit_id=meta["audit_id"],
        meta=AuditMeta.model_validate(fields),
        cases=pd.read_parquet(processed_dir / "cases.parquet"),
        returns=pd.read_parquet(processed_dir / "returns.parquet"),
        actions=pd.read_parquet(processed_dir / "actions.parquet"),
        files=meta.get("rows_read", {}),
        **{
            name: pd.read_parquet(processed_dir / f"{name}.parquet")
            for name in ("recommendations", "action_plan")
            if (processed_dir / f"{name}.parquet").is_file()
        },
    )
