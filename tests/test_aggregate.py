"""Aggregation on tiny frames: zeros kept, percentages, the grade the returns suggest."""

from __future__ import annotations

import pandas as pd

from auditrap.aggregate import (
    agency_grades,
    grade_agreement,
    grade_distribution,
    grades_by_area,
    immediate_actions,
    suggested_grades,
)
from auditrap.grades import grade_dtype


def cases(grades, areas=None):
    areas = areas or ["North"] * len(grades)
    return pd.DataFrame(
        {
            "case_id": [f"C{i}" for i in range(len(grades))],
            "area": pd.Categorical(areas, categories=list(dict.fromkeys(areas + ["South"]))),
            "ratified_grade": pd.Categorical(grades, dtype=grade_dtype()),
        }
    )


def test_distribution_keeps_every_grade_with_zeros():
    table = grade_distribution(cases(["Good", "Good", "Inadequate", None]))
    assert table.to_dict("list") == {
        "grade": ["Outstanding", "Good", "Requires improvement", "Inadequate"],
        "cases": [0, 2, 0, 1],
        "percent": [0, 67, 0, 33],
    }


def test_seed_distribution():
    grades = ["Good"] * 5 + ["Requires improvement"] * 6 + ["Inadequate"] * 4
    table = grade_distribution(cases(grades))
    assert list(table["cases"]) == [0, 5, 6, 4]
    assert list(table["percent"]) == [0, 33, 40, 27]


def test_grades_by_area_has_every_area_and_grade():
    table = grades_by_area(cases(["Good", "Inadequate"], ["North", "East"]))
    assert len(table) == 3 * 4  # North, East and the listed but empty South
    south = table[table["area"] == "South"]
    assert south["cases"].sum() == 0
    assert table.query("area == 'East' and grade == 'Inadequate'")["cases"].item() == 1


def test_suggested_grade_is_the_median_taking_the_worse_on_a_tie():
    c = cases(["Good", "Good", "Inadequate"])
    returns = pd.DataFrame(
        {
            "case_id": ["C0", "C0", "C1", "C1", "C1", "C2"],
            "agency": pd.Categorical(["A", "B", "A", "B", "C", "A"]),
            "grade": pd.Categorical(
                ["Good", "Requires improvement", "Outstanding", "Good", "Good", "Inadequate"],
                dtype=grade_dtype(),
            ),
        }
    )
    table = suggested_grades(c, returns)
    assert list(table["suggested_grade"].astype(str)) == [
        "Requires improvement",
        "Good",
        "Inadequate",
    ]
    assert list(table["agrees"]) == [False, True, True]
    agreement = dict(zip(*grade_agreement(table).to_dict("list").values(), strict=True))
    assert agreement["Ratified grade better than the returns suggest"] == 1
    assert agreement["Ratified grade as the returns suggest"] == 2


def test_agency_grades_counts_each_listed_agency():
    returns = pd.DataFrame(
        {
            "agency": pd.Categorical(["Police", "Police"], categories=["Police", "GP"]),
            "grade": pd.Categorical(["Good", "Inadequate"], dtype=grade_dtype()),
        }
    )
    table = agency_grades(returns)
    assert len(table) == 8
    assert table.query("agency == 'GP'")["returns"].sum() == 0


def test_immediate_actions_raised_completed_open():
    actions = pd.DataFrame(
        {
            "agency": pd.Categorical(["Police", "GP", "Police"]),
            "status": pd.Categorical(["Completed", "Open", "Completed"]),
        }
    )
    table = immediate_actions(actions, ["GP", "Police", "School"])
    total = table[table["agency"] == "All agencies"].iloc[0]
    assert (total["raised"], total["completed"], total["open"]) == (3, 2, 1)
    assert "School" not in set(table["agency"])
