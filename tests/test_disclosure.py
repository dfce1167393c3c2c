"""Disclosure control: small counts hidden, and never recoverable from what is published."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditrap.disclosure import (
    DisclosurePolicy,
    Grid,
    can_be_worked_out,
    grid_2d,
    protect,
    published_csv_frame,
    read_published,
    resolve_policy,
    shown_sum,
    small_cells,
    small_counts_shown,
    suppression_pattern,
)
from auditrap.grades import GRADES


def values_an_attacker_could_see(grid: Grid, hidden: set[int], cell: int, limit: int) -> set[int]:
    """Every value of ``cell`` in some table of whole counts that fits what is shown: the
    shown cells, every line adding up to its total, and every hidden count at least one
    (zeros are always shown) and at most ``limit``. A plain search (a cell a line fixes is
    worked out, never guessed), for small tables."""
    found: set[int] = set()

    def settle(values: dict[int, int]) -> dict[int, int] | None:
        values = dict(values)
        changed = True
        while changed:
            changed = False
            for line in grid.lines:
                *parts, total = line
                unknown = [k for k in line if k not in values]
                if len(unknown) == 1:
                    k = unknown[0]
                    known = sum(values[p] for p in parts if p != k)
                    values[k] = known if k == total else values[total] - known
                    if values[k] < 1:
                        return None
                    changed = True
                elif not unknown and sum(values[p] for p in parts) != values[total]:
                    return None
        return values

    def search(values: dict[int, int]) -> None:
        values = settle(values)
        if values is None:
            return
        free = [k for k in sorted(hidden) if k not in values]
        if not free:
            found.add(values[cell])
            return
        for guess in range(1, limit + 1):
            search({**values, free[0]: guess})

    search({k: v for k, v in enumerate(grid.values) if k not in hidden})
    return found


def determined_by_brute_force(grid: Grid, hidden: set[int], cell: int) -> bool:
    values = values_an_attacker_could_see(grid, hidden, cell, 2 * grid.values[-1] + 2)
    assert grid.values[cell] in values
    return len(values) == 1


small_tables = st.integers(1, 2).flatmap(
    lambda rows: st.integers(2, 3).flatmap(
        lambda cols: st.lists(
            st.lists(st.sampled_from([0, 0, 1, 2, 3, 5]), min_size=cols, max_size=cols),
            min_size=rows,
            max_size=rows,
        )
    )
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_tables, st.data())
def test_the_cycle_test_agrees_with_brute_force(interior, data):
    grid, _ = grid_2d(interior)
    cells = [k for k, v in enumerate(grid.values) if v > 0]
    if len(cells) < 2:
        return
    hidden = set(data.draw(st.lists(st.sampled_from(cells), min_size=2, max_size=5)))
    for cell in hidden:
        assert can_be_worked_out(grid, hidden, cell) == determined_by_brute_force(
            grid, hidden, cell
        ), (interior, sorted(hidden), cell)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_tables, st.integers(1, 4))
def test_no_hidden_count_can_be_worked_back(interior, threshold):
    grid, _ = grid_2d(interior)
    small = small_cells(grid, threshold)
    hidden = suppression_pattern(grid, small)
    assert small <= hidden
    assert all(grid.values[k] > 0 for k in hidden), "zeros are never hidden"
    for cell in small:
        assert not determined_by_brute_force(grid, hidden, cell), (interior, sorted(hidden))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.lists(st.integers(0, 12), min_size=4, max_size=4),
        min_size=1,
        max_size=8,
    ),
    st.integers(1, 7),
)
def test_larger_tables_are_protected_by_the_cycle_test(interior, threshold):
    grid, _ = grid_2d(interior)
    small = small_cells(grid, threshold)
    hidden = suppression_pattern(grid, small)
    for cell in small:
        assert not can_be_worked_out(grid, hidden, cell) or len(hidden) == sum(
            v > 0 for v in grid.values
        ), "protected, unless every non-zero count is hidden and still not enough"


def by_area(rows: dict[str, list[int]]) -> pd.DataFrame:
    records = [
        {"area": area, "grade": grade, "cases": count}
        for area, counts in rows.items()
        for grade, count in zip(GRADES, counts, strict=True)
    ]
    frame = pd.DataFrame(records)
    totals = frame.groupby("area", sort=False)["cases"].transform("sum")
    frame["percent_of_area"] = (frame["cases"] * 100 / totals + 0.5).astype(int)
    return frame


def distribution(counts: list[int]) -> pd.DataFrame:
    total = sum(counts)
    return pd.DataFrame(
        {
            "grade": list(GRADES),
            "cases": counts,
            "percent": [int(c * 100 / total + 0.5) for c in counts],
        }
    )


def test_grades_by_area_hide_small_counts_and_enough_others():
    tables = {
        "grade_distribution": distribution([2, 13, 11, 4]),
        "grades_by_area": by_area(
            {"North": [0, 6, 5, 1], "Central": [2, 4, 3, 1], "East": [0, 3, 3, 2]}
        ),
    }
    result = protect(tables, DisclosurePolicy(threshold=2, tables=("grades_by_area",)))
    published = result.tables["grades_by_area"]
    shown = published.dropna(subset=["cases"])
    assert not ((shown["cases"] >= 1) & (shown["cases"] <= 2)).any()
    hidden = published[published["cases"].isna()]
    assert len(hidden) >= 2
    # Every area, and every grade with its total in the grade distribution, hides none or
    # at least two.
    assert (hidden.groupby("area").size() >= 2).all()
    grades = result.tables["grade_distribution"]
    for grade in GRADES:
        in_areas = int(published.loc[published["grade"] == grade, "cases"].isna().sum())
        in_total = int(grades.loc[grades["grade"] == grade, "cases"].isna().sum())
        assert in_areas + in_total != 1, grade
    # Only Central had an outstanding case: the grade's total would give it back, so the
    # total is hidden in the grade distribution too, though that table is not covered.
    assert pd.isna(grades.loc[grades["grade"] == "Outstanding", "cases"].iloc[0])
    assert grades["cases"].notna().sum() >= 2
    # Percentages are hidden with their count, and worked out from the published total.
    assert published.loc[published["cases"].isna(), "percent_of_area"].isna().all()
    north_good = published[(published["area"] == "North") & (published["grade"] == "Good")]
    assert int(north_good["percent_of_area"].iloc[0]) == 50  # 6 of 12


def test_one_area_hides_the_grade_totals_with_it():
    """With one area, its counts are the grade distribution's: hidden in one, hidden in both."""
    tables = {
        "grade_distribution": distribution([0, 5, 6, 3]),
        "grades_by_area": by_area({"North": [0, 5, 6, 3]}),
    }
    result = protect(tables, DisclosurePolicy(threshold=4, tables=("grades_by_area",)))
    areas = result.tables["grades_by_area"]["cases"].tolist()
    grades = result.tables["grade_distribution"]["cases"].tolist()
    assert [pd.isna(v) for v in areas] == [pd.isna(v) for v in grades]
    assert pd.isna(grades[3]) and sum(pd.isna(v) for v in grades) >= 2
    assert grades[0] == 0  # zeros are never hidden


def test_a_hidden_grade_total_is_hidden_in_the_areas_too():
    tables = {
        "grade_distribution": distribution([1, 9, 8, 6]),
        "grades_by_area": by_area({"North": [1, 5, 4, 3], "South": [0, 4, 4, 3]}),
    }
    policy = DisclosurePolicy(threshold=1, tables=("grade_distribution",))
    result = protect(tables, policy)
    grades = result.tables["grade_distribution"]
    assert grades["cases"].isna().sum() == 2  # Outstanding 1, and one more
    hidden_grades = set(grades.loc[grades["cases"].isna(), "grade"])
    areas = result.tables["grades_by_area"]
    for grade in hidden_grades:
        # Were every area's count of this grade shown, they would add up to the hidden total.
        assert areas.loc[areas["grade"] == grade, "cases"].isna().any()


def test_nothing_is_hidden_without_a_table_in_the_policy():
    tables = {"grade_distribution": distribution([0, 5, 6, 4])}
    result = protect(tables, DisclosurePolicy(threshold=4, tables=()))
    assert result.tables["grade_distribution"]["cases"].tolist() == [0, 5, 6, 4]
    assert not result.any_hidden
    assert "No count" in DisclosurePolicy(tables=()).describe()


def test_rounding_rounds_the_tables_that_share_totals():
    tables = {
        "grade_distribution": distribution([0, 12, 7, 3]),
        "grades_by_area": by_area({"North": [0, 6, 4, 1], "South": [0, 6, 3, 2]}),
    }
    policy = DisclosurePolicy(threshold=0, rounding=5, tables=("grade_distribution",))
    result = protect(tables, policy)
    assert result.tables["grade_distribution"]["cases"].tolist() == [0, 10, 5, 5]
    assert (result.tables["grades_by_area"]["cases"] % 5 == 0).all()
    assert result.totals["grade_distribution"][""] == 20  # 22, rounded on its own
    assert result.tables["grade_distribution"]["percent"].tolist() == [0, 50, 25, 25]


def test_theme_counts_hide_small_counts_only():
    themes = pd.DataFrame(
        {
            "theme_id": ["a", "b"],
            "theme": ["A", "B"],
            "returns": [7, 2],
            "cases": [5, 1],
            "agencies": [3, 0],
        }
    )
    result = protect(
        {"theme_counts": themes}, DisclosurePolicy(threshold=3, tables=("theme_counts",))
    )
    out = result.tables["theme_counts"]
    assert out["returns"].tolist()[0] == 7 and pd.isna(out["returns"].tolist()[1])
    assert pd.isna(out["agencies"].tolist()[0]) and out["agencies"].tolist()[1] == 0


def test_a_hidden_count_of_concerns_or_good_practice_hides_the_themes_total():
    themes = pd.DataFrame(
        {
            "theme_id": ["a", "b", "c"],
            "theme": ["A", "B", "C"],
            "returns": [9, 9, 2],
            "cases": [8, 8, 2],
            "agencies": [5, 5, 2],
            "concern_returns": [5, 9, 2],
            "concern_cases": [5, 8, 2],
            "good_practice_returns": [4, 0, 0],  # a: 9 - 5 = 4, so 4 would show through
            "good_practice_cases": [3, 0, 0],
        }
    )
    result = protect(
        {"theme_counts": themes}, DisclosurePolicy(threshold=4, tables=("theme_counts",))
    )
    out = result.tables["theme_counts"].set_index("theme_id")
    assert out.loc["a", ["good_practice_returns", "returns"]].isna().all()
    assert out.loc["a", ["good_practice_cases", "cases"]].isna().all()
    assert out.loc["a", "concern_returns"] == 5
    # Nothing hidden in b: its total stays; zeros are shown.
    assert out.loc["b"].drop("theme").tolist() == [9, 8, 5, 9, 8, 0, 0]
    assert out.loc["c"].drop("theme").isna().tolist() == [
        True,
        True,
        True,
        True,
        True,
        False,
        False,
    ]
    assert result.hidden_cells["theme_counts"] == 4 + 5
    assert (
        small_counts_shown(
            published_csv_frame(result.tables["theme_counts"], "[c]"),
            "theme_counts",
            DisclosurePolicy(threshold=4, tables=("theme_counts",)),
        )
        == []
    )


def test_immediate_actions_keep_their_totals_consistent():
    actions = pd.DataFrame(
        {
            "agency": ["Police", "GP", "School", "All agencies"],
            "raised": [6, 1, 3, 10],
            "completed": [5, 1, 3, 9],
            "open": [1, 0, 0, 1],
        }
    )
    result = protect(
        {"immediate_actions": actions}, DisclosurePolicy(threshold=1, tables=("immediate_actions",))
    )
    out = result.tables["immediate_actions"]
    for column in ("completed", "open", "raised"):
        assert out[column].isna().sum() != 1 or column == "raised"
    body = out[out["agency"] != "All agencies"]
    assert not ((body[["completed", "open"]] == 1).fillna(False)).any().any()


def test_sums_are_stated_only_when_they_give_nothing_away():
    counts = {"Outstanding": None, "Good": None, "Requires improvement": 6, "Inadequate": 4}
    # Both hidden counts are in the sum: it is the total less the others, known anyway.
    assert shown_sum(counts, ["Outstanding", "Good"], 15) == 5
    # Only one of them: the sum would give the hidden count back.
    assert shown_sum(counts, ["Good", "Requires improvement"], 15) is None
    assert shown_sum(counts, ["Requires improvement", "Inadequate"], 15) == 10
    assert shown_sum(counts, ["Outstanding", "Good"], None) is None


def test_published_csv_round_trip():
    frame = pd.DataFrame({"grade": ["Good", "Inadequate"], "cases": pd.array([5, None], "Int64")})
    written = published_csv_frame(frame, "[c]")
    assert written["cases"].tolist() == ["5", "[c]"]
    back = read_published(written, "[c]", ["cases"])
    assert back["cases"].tolist()[0] == 5 and pd.isna(back["cases"].tolist()[1])


def test_the_last_check_finds_a_small_count_left_shown():
    frame = pd.DataFrame(
        {
            "area": ["North", "North"],
            "grade": ["Good", "Inadequate"],
            "cases": ["[c]", "2"],
            "percent_of_area": ["[c]", "40"],
        }
    )
    policy = DisclosurePolicy(threshold=4, tables=("grades_by_area",))
    assert small_counts_shown(frame, "grades_by_area", policy) == [
        "grades_by_area.csv, row area=North, grade=Inadequate, column cases"
    ]
    assert small_counts_shown(frame, "grade_distribution", policy) == []


def test_an_audit_overrides_the_configured_policy():
    config = {
        "disclosure": {
            "threshold": 4,
            "symbol": "[c]",
            "rounding": 1,
            "tables": ["grades_by_area"],
        },
        "audit_settings": {"nai-2018": {"disclosure": {"tables": []}}, "other": {}},
    }
    assert resolve_policy(config, "nai-2018").tables == ()
    assert resolve_policy(config, "other").tables == ("grades_by_area",)
    assert resolve_policy(config, "new").threshold == 4


@pytest.mark.parametrize("threshold", [1, 4, 7])
def test_the_statement_names_the_rule(threshold):
    text = DisclosurePolicy(threshold=threshold, tables=("grades_by_area",)).describe()
    assert "[c]" in text and "grades by audit area" in text
    assert (f"1 to {threshold}" if threshold > 1 else "from 1 are") in text


@pytest.mark.parametrize("symbol", ["5", "0", " 1.5", "-3"])
def test_a_symbol_that_reads_as_a_number_is_refused(symbol):
    with pytest.raises(ValueError, match="reads as a number"):
        DisclosurePolicy(symbol=symbol)
