"""The data contract as pandera models: the single source of truth for columns and rules.

Every column is read as text and checked as text, so that a problem can be reported with
the value exactly as the analyst typed it. The checks that depend on the audit (its areas,
agencies and cases) are added at run time by :func:`audit_schema`. The typed tables that the
later stages read are made by :mod:`auditrap.validate` once these checks pass.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from auditrap.grades import GRADES

CASE_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$"
AUDIT_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,63}$"
ISO_DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
ACTION_STATUSES = ("Open", "Completed")
#: The statuses of an action of the action plan, in the order the progress table lists them.
PLAN_STATUSES = ("Completed", "In progress", "Not started")
#: Besides the audit's agencies, a recommendation may be addressed to (and an action led by)
#: the board itself.
BOARD = "Board"


def is_real_iso_date(values: pd.Series) -> pd.Series:
    """True where a value is written ``YYYY-MM-DD`` and is a real calendar date."""
    text = values.astype("string")
    shaped = text.str.fullmatch(ISO_DATE_PATTERN).fillna(False).astype(bool)
    parsed = pd.to_datetime(text.where(shaped), format="%Y-%m-%d", errors="coerce")
    return shaped & parsed.notna()


def _iso_date_check() -> pa.Check:
    return pa.Check(is_real_iso_date, name="iso_date", ignore_na=True)


class Cases(pa.DataFrameModel):
    """cases.csv: one row per audited case, with the multi-agency outcome."""

    case_id: Series[str] = pa.Field(
        str_matches=CASE_ID_PATTERN,
        unique=True,
        description="A pseudonymous case reference, never a name: letters, digits, - and _.",
    )
    area: Series[str] = pa.Field(description="The audit area (locality): one of audit.yaml areas.")
    ratified_grade: Series[str] = pa.Field(
        nullable=True,
        isin=list(GRADES),
        description="The grade ratified at the multi-agency meeting; blank if not yet ratified.",
    )
    meeting_date: Series[str] = pa.Field(
        nullable=True,
        description="Date of the multi-agency auditor meeting, YYYY-MM-DD.",
    )

    class Config:
        strict = True
        coerce = True

    @pa.check("meeting_date", name="iso_date", ignore_na=True)
    def meeting_date_is_iso(cls, values: Series[str]) -> Series[bool]:
        return is_real_iso_date(values)


class Returns(pa.DataFrameModel):
    """returns.csv and returns/*.xlsx: one row per single-agency audit return."""

    case_id: Series[str] = pa.Field(
        description="The case this return is about: its reference in the audit's case list."
    )
    agency: Series[str] = pa.Field(
        description="The agency making the return: one of the audit's agencies."
    )
    auditor_role: Series[str] = pa.Field(
        nullable=True, description="The single-agency auditor's role, never a name."
    )
    return_date: Series[str] = pa.Field(description="Date the return was completed, YYYY-MM-DD.")
    grade: Series[str] = pa.Field(
        isin=list(GRADES), description="The agency's own grade of its involvement."
    )
    strengths: Series[str] = pa.Field(nullable=True, description="Free text: strengths.")
    improvements: Series[str] = pa.Field(
        nullable=True, description="Free text: areas for improvement."
    )

    class Config:
        strict = True
        coerce = True

    @pa.check("return_date", name="iso_date")
    def return_date_is_iso(cls, values: Series[str]) -> Series[bool]:
        return is_real_iso_date(values)

    @pa.dataframe_check(name="one_return_per_agency")
    def one_return_per_case_and_agency(cls, df: pd.DataFrame) -> Series[bool]:
        return ~df.duplicated(subset=["case_id", "agency"], keep=False)


class Actions(pa.DataFrameModel):
    """actions.csv: the immediate actions raised by the audit."""

    action_id: Series[str] = pa.Field(unique=True, description="A unique reference.")
    case_id: Series[str] = pa.Field(description="The case_id of cases.csv the action is about.")
    agency: Series[str] = pa.Field(description="The agency that owns the action.")
    action: Series[str] = pa.Field(description="Free text: what must be done.")
    raised_date: Series[str] = pa.Field(description="Date the action was raised, YYYY-MM-DD.")
    status: Series[str] = pa.Field(isin=list(ACTION_STATUSES), description="Open or Completed.")
    completed_date: Series[str] = pa.Field(
        nullable=True, description="Date completed, YYYY-MM-DD; blank while Open."
    )

    class Config:
        strict = True
        coerce = True

    @pa.check("raised_date", name="iso_date")
    def raised_date_is_iso(cls, values: Series[str]) -> Series[bool]:
        return is_real_iso_date(values)

    @pa.check("completed_date", name="iso_date", ignore_na=True)
    def completed_date_is_iso(cls, values: Series[str]) -> Series[bool]:
        return is_real_iso_date(values)

    @pa.dataframe_check(name="completed_date_if_completed")
    def completed_date_if_and_only_if_completed(cls, df: pd.DataFrame) -> Series[bool]:
        completed = df["status"].eq("Completed")
        has_date = df["completed_date"].notna()
        # A status that is not a status at all is reported by its own check.
        known = df["status"].isin(ACTION_STATUSES)
        return ~known | (completed == has_date)

    @pa.dataframe_check(name="completed_not_before_raised")
    def completed_not_before_raised(cls, df: pd.DataFrame) -> Series[bool]:
        raised = pd.to_datetime(df["raised_date"], format="%Y-%m-%d", errors="coerce")
        completed = pd.to_datetime(df["completed_date"], format="%Y-%m-%d", errors="coerce")
        return ~(completed < raised)


class Recommendations(pa.DataFrameModel):
    """recommendations.csv (optional): the audit's recommendations, numbered in file order."""

    recommendation_id: Series[str] = pa.Field(
        unique=True, description="A reference unique in the audit, e.g. R1."
    )
    theme_id: Series[str] = pa.Field(
        nullable=True,
        description="The finding it answers: a theme id of the taxonomy (data/themes.yaml).",
    )
    recommendation: Series[str] = pa.Field(
        description="The recommendation, published in full: no names or identifying details."
    )
    addressed_to: Series[str] = pa.Field(
        description="Whom it is addressed to: one of the audit's agencies, or Board."
    )

    class Config:
        strict = True
        coerce = True


class ActionPlan(pa.DataFrameModel):
    """action_plan.csv (optional; needs recommendations.csv): the action plan against the
    recommendations, as last reviewed by the board's quality-assurance sub-group."""

    action_id: Series[str] = pa.Field(unique=True, description="A reference unique in the audit.")
    recommendation_id: Series[str] = pa.Field(
        description="The recommendation the action answers: its recommendation_id in "
        "recommendations.csv."
    )
    lead_agency: Series[str] = pa.Field(
        description="The agency leading the action: one of the audit's agencies, or Board."
    )
    action: Series[str] = pa.Field(description="What will be done.")
    target_date: Series[str] = pa.Field(description="When it should be done by, YYYY-MM-DD.")
    status: Series[str] = pa.Field(
        isin=list(PLAN_STATUSES), description="Not started, In progress or Completed."
    )
    completed_date: Series[str] = pa.Field(
        nullable=True,
        description="Date completed, YYYY-MM-DD, not after updated; blank unless Completed.",
    )
    updated: Series[str] = pa.Field(description="Date the row was last reviewed, YYYY-MM-DD.")
    evidence: Series[str] = pa.Field(
        nullable=True,
        description="Free text: what shows the action made a difference. Internal edition "
        "only, redacted like the returns.",
    )

    class Config:
        strict = True
        coerce = True

    @pa.check("target_date", name="iso_date")
    def target_date_is_iso(cls, values: Series[str]) -> Series[bool]:
        return is_real_iso_date(values)

    @pa.check("completed_date", name="iso_date", ignore_na=True)
    def completed_date_is_iso(cls, values: Series[str]) -> Series[bool]:
        return is_real_iso_date(values)

    @pa.check("updated", name="iso_date")
    def updated_is_iso(cls, values: Series[str]) -> Series[bool]:
        return is_real_iso_date(values)

    @pa.dataframe_check(name="completed_date_if_plan_completed")
    def completed_date_if_and_only_if_completed(cls, df: pd.DataFrame) -> Series[bool]:
        completed = df["status"].eq("Completed")
        has_date = df["completed_date"].notna()
        # A status that is not a status at all is reported by its own check.
        known = df["status"].isin(PLAN_STATUSES)
        return ~known | (completed == has_date)

    @pa.dataframe_check(name="completed_not_after_updated")
    def completed_not_after_updated(cls, df: pd.DataFrame) -> Series[bool]:
        updated = pd.to_datetime(df["updated"], format="%Y-%m-%d", errors="coerce")
        completed = pd.to_datetime(df["completed_date"], format="%Y-%m-%d", errors="coerce")
        return ~(completed > updated)


#: The contract's tables, by file name.
TABLES: dict[str, type[pa.DataFrameModel]] = {
    "cases.csv": Cases,
    "returns.csv": Returns,
    "actions.csv": Actions,
}

#: The optional tables of the learning cycle: an audit's recommendations and its action plan.
PLAN_TABLES: dict[str, type[pa.DataFrameModel]] = {
    "recommendations.csv": Recommendations,
    "action_plan.csv": ActionPlan,
}

#: For each data-frame-wide check: the column it is reported against, and the columns it reads.
DATAFRAME_CHECKS: dict[str, tuple[str, tuple[str, ...]]] = {
    "one_return_per_agency": ("agency", ("case_id", "agency")),
    "completed_date_if_completed": ("completed_date", ("status", "completed_date")),
    "completed_not_before_raised": ("completed_date", ("raised_date", "completed_date")),
    "completed_date_if_plan_completed": ("completed_date", ("status", "completed_date")),
    "completed_not_after_updated": ("completed_date", ("updated", "completed_date")),
}


def columns(model: type[pa.DataFrameModel]) -> list[str]:
    """The contract's column names of a table, in contract order."""
    return list(model.to_schema().columns)


def required_columns(model: type[pa.DataFrameModel]) -> list[str]:
    """Columns that must be present (they may not be blank)."""
    return [name for name, col in model.to_schema().columns.items() if not col.nullable]


def _isin(values: Iterable[str], name: str) -> pa.Check:
    """A named membership check, so that its failures can be explained by name."""
    allowed = set(values)
    return pa.Check(lambda s: s.isin(allowed), name=name, ignore_na=True)


def audit_schema(
    model: type[pa.DataFrameModel],
    *,
    areas: Iterable[str],
    agencies: Iterable[str],
    case_ids: Iterable[str] | None,
    present: Iterable[str],
) -> pa.DataFrameSchema:
    """The model's schema with this audit's allowed values, limited to the columns present.

    A missing column is reported once by the reader; checking the rest still finds every
    other problem in the same run.
    """
    schema = model.to_schema()
    allowed = {
        "area": ("area", sorted(areas, key=str)),
        "agency": ("agency", list(agencies)),
    }
    for column, (kind, values) in allowed.items():
        if column in schema.columns:
            schema = schema.update_column(column, checks=[_isin(values, f"known_{kind}")])
    if case_ids is not None and model is not Cases:
        schema = schema.update_column("case_id", checks=[_isin(case_ids, "known_case")])
    missing = [c for c in schema.columns if c not in set(present)]
    if missing:
        schema = schema.remove_columns(missing)
        # A frame-wide check needs all the columns it reads; skip those that cannot run.
        schema.checks = [
            c for c in schema.checks if not set(DATAFRAME_CHECKS[c.name][1]) & set(missing)
        ]
    return schema


def plan_schema(
    model: type[pa.DataFrameModel],
    *,
    agencies: Iterable[str],
    recommendation_ids: Iterable[str] | None,
    theme_ids: Iterable[str] | None,
    present: Iterable[str],
) -> pa.DataFrameSchema:
    """The schema of recommendations.csv or action_plan.csv with this audit's allowed values:
    whom a recommendation is addressed to and who leads an action (an agency, or the board),
    the recommendations an action may answer and the taxonomy's theme ids (each skipped when
    None: not known, because its own file has problems reported already)."""
    schema = model.to_schema()
    checks = {
        "addressed_to": _isin([*agencies, BOARD], "known_lead"),
        "lead_agency": _isin([*agencies, BOARD], "known_lead"),
    }
    if recommendation_ids is not None:
        checks["recommendation_id"] = _isin(recommendation_ids, "known_recommendation")
    if theme_ids is not None:
        checks["theme_id"] = _isin(theme_ids, "known_theme")
    for column, check in checks.items():
        if column in schema.columns and not (
            column == "recommendation_id" and model is Recommendations
        ):
            schema = schema.update_column(column, checks=[*schema.columns[column].checks, check])
    missing = [c for c in schema.columns if c not in set(present)]
    if missing:
        schema = schema.remove_columns(missing)
        schema.checks = [
            c for c in schema.checks if not set(DATAFRAME_CHECKS[c.name][1]) & set(missing)
        ]
    return schema
