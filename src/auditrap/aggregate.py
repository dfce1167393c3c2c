"""Aggregate a validated audit into the tables behind every figure and number of the report."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from auditrap.grades import GRADES, grade_dtype, grade_from_rank, grade_rank


@dataclass
class Aggregates:
    """The aggregate tables of one audit, keyed by the file name they are published under."""

    tables: dict[str, pd.DataFrame]
    case_grades: pd.DataFrame  # case level: internal only


def percent(part: pd.Series, whole: int | float) -> pd.Series:
    """Whole-number percentages (0 when the whole is 0), rounded half away from zero."""
    if not whole:
        return pd.Series(0, index=part.index, dtype="int64")
    return (part * 100 / whole + 0.5).astype("int64")


def grade_distribution(cases: pd.DataFrame) -> pd.DataFrame:
    """Ratified grades over cases: all four grades, zeros included, best first."""
    counts = cases["ratified_grade"].astype(grade_dtype()).value_counts(sort=False)
    counts = counts.reindex(list(GRADES), fill_value=0)
    frame = pd.DataFrame({"grade": list(GRADES), "cases": counts.to_numpy(dtype="int64")})
    frame["percent"] = percent(frame["cases"], int(frame["cases"].sum()))
    return frame


def grades_by_area(cases: pd.DataFrame) -> pd.DataFrame:
    """Ratified grades by audit area, every area and grade present (long form)."""
    areas = list(cases["area"].cat.categories)
    table = pd.crosstab(
        cases["area"].astype(pd.CategoricalDtype(areas)),
        cases["ratified_grade"].astype(grade_dtype()),
        dropna=False,
    ).reindex(index=areas, columns=list(GRADES), fill_value=0)
    long = table.stack().rename("cases").reset_index()
    long.columns = ["area", "grade", "cases"]
    long["area"] = long["area"].astype(str)
    long["grade"] = long["grade"].astype(str)
    totals = long.groupby("area", sort=False)["cases"].transform("sum")
    long["percent_of_area"] = (long["cases"] * 100 / totals.where(totals > 0) + 0.5).fillna(0)
    long["percent_of_area"] = long["percent_of_area"].astype("int64")
    return long.astype({"cases": "int64"})


def agency_grades(returns: pd.DataFrame) -> pd.DataFrame:
    """Single-agency self-grades by agency, every listed agency and grade present."""
    agencies = list(returns["agency"].cat.categories)
    table = pd.crosstab(
        returns["agency"].astype(pd.CategoricalDtype(agencies)),
        returns["grade"].astype(grade_dtype()),
        dropna=False,
    ).reindex(index=agencies, columns=list(GRADES), fill_value=0)
    long = table.stack().rename("returns").reset_index()
    long.columns = ["agency", "grade", "returns"]
    return long.astype({"agency": str, "grade": str, "returns": "int64"})


def suggested_grades(cases: pd.DataFrame, returns: pd.DataFrame) -> pd.DataFrame:
    """The grade the single-agency returns suggest for each case, beside the ratified one.

    The suggestion is the median of the agencies' grades on the four-point scale; when the
    median falls between two grades, the worse one is taken (the cautious reading).
    """
    ranks = grade_rank(returns["grade"]).astype("float64")
    median = ranks.groupby(returns["case_id"].astype(str)).quantile(0.5, interpolation="higher")
    counts = returns.groupby(returns["case_id"].astype(str)).size()
    frame = cases[["case_id", "area", "ratified_grade"]].copy()
    frame["case_id"] = frame["case_id"].astype(str)
    frame["returns"] = frame["case_id"].map(counts).fillna(0).astype("int64")
    frame["suggested_grade"] = grade_from_rank(
        frame["case_id"].map(median).astype("Int64")
    ).to_numpy()
    frame["suggested_grade"] = frame["suggested_grade"].astype(grade_dtype())
    ratified = frame["ratified_grade"].astype(grade_dtype())
    frame["agrees"] = ratified.isna() | (ratified == frame["suggested_grade"])
    frame["agrees"] = frame["agrees"].astype(bool)
    return frame.reset_index(drop=True)


def grade_agreement(case_grades: pd.DataFrame) -> pd.DataFrame:
    """How often the ratified grade matched what the returns suggested (counts only)."""
    ratified = case_grades["ratified_grade"].notna()
    better = grade_rank(case_grades["ratified_grade"]) < grade_rank(case_grades["suggested_grade"])
    worse = grade_rank(case_grades["ratified_grade"]) > grade_rank(case_grades["suggested_grade"])
    rows = [
        ("Ratified grade as the returns suggest", int((ratified & case_grades["agrees"]).sum())),
        ("Ratified grade better than the returns suggest", int(better.fillna(False).sum())),
        ("Ratified grade worse than the returns suggest", int(worse.fillna(False).sum())),
        ("Not yet ratified", int((~ratified).sum())),
    ]
    return pd.DataFrame(rows, columns=["outcome", "cases"])


def immediate_actions(actions: pd.DataFrame, agencies: list[str]) -> pd.DataFrame:
    """Immediate actions raised, completed and open, by owning agency, with a total row."""
    status = actions["status"].astype(str)
    by_agency = (
        pd.DataFrame(
            {
                "agency": actions["agency"].astype(str),
                "raised": 1,
                "completed": (status == "Completed").astype("int64"),
                "open": (status == "Open").astype("int64"),
            }
        )
        .groupby("agency", sort=False)
        .sum()
    )
    by_agency = by_agency.reindex(agencies, fill_value=0)
    by_agency = by_agency[by_agency["raised"] > 0]
    total = pd.DataFrame([by_agency.sum()], index=["All agencies"])
    if by_agency.empty:
        total = pd.DataFrame([{"raised": 0, "completed": 0, "open": 0}], index=["All agencies"])
    out = pd.concat([by_agency, total]).rename_axis("agency").reset_index()
    return out.astype({"raised": "int64", "completed": "int64", "open": "int64"})


def returns_by_agency(returns: pd.DataFrame, agencies: list[str]) -> pd.DataFrame:
    """How many audit tools each agency returned, and for how many cases."""
    counts = returns["agency"].astype(str).value_counts().reindex(agencies, fill_value=0)
    return pd.DataFrame({"agency": agencies, "returns": counts.to_numpy(dtype="int64")})


def aggregate_audit(
    cases: pd.DataFrame, returns: pd.DataFrame, actions: pd.DataFrame, agencies: list[str]
) -> Aggregates:
    """Every aggregate table of the report."""
    case_grades = suggested_grades(cases, returns)
    tables = {
        "grade_distribution": grade_distribution(cases),
        "grades_by_area": grades_by_area(cases),
        "agency_grades": agency_grades(returns),
        "grade_agreement": grade_agreement(case_grades),
        "immediate_actions": immediate_actions(actions, agencies),
        "returns_by_agency": returns_by_agency(returns, agencies),
    }
    return Aggregates(tables=tables, case_grades=case_grades)
