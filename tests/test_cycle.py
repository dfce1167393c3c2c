"""The board's learning cycle as data: programme.yaml, boards, what recurs, re-audits, the
as-of date and overdue actions, and the tables published from them."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from auditrap.actionplan import (
    action_plan_progress,
    internal_action_plan,
    published_recommendations,
    recommendation_progress,
)
from auditrap.cycle import (
    Board,
    ProgrammeAudit,
    also_found,
    as_of_date,
    board_slug,
    build_boards,
    comparison_caveat,
    earlier_findings,
    fisher_exact,
    grade_comparison,
    join_words,
    load_programme,
    overdue,
    reaudit_of,
    recurrence,
    recurring_themes,
    themes_by_audit,
)
from auditrap.disclosure import DisclosurePolicy, protect, small_counts_shown

from conftest import ROOT

THEMES = [
    "swift-response",
    "cp-medical-recording",
    "health-economy",
    "gp-information-sharing",
    "record-keeping",
    "step-down",
]
BOARD = "Eastshire Children's Safeguarding Partnership"


# -- The board's slug ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Lancashire Safeguarding Children Board", "lancashire-safeguarding-children-board"),
        ("Children's Safeguarding Partnership", "childrens-safeguarding-partnership"),
        ("Children\u2019s  Partnership", "childrens-partnership"),  # a curly apostrophe
        ("Bath & North East Somerset", "bath-and-north-east-somerset"),
        ("Bath&NE Somerset", "bath-and-ne-somerset"),
        ("Île-de-France Protection de l'Enfance", "ile-de-france-protection-de-lenfance"),
        ("Powys Bwrdd Diogelu — Ŵyr", "powys-bwrdd-diogelu-wyr"),
        ("  Straße   Board  ", "strasse-board"),
        ("St. Helens (2019) -- Board", "st-helens-2019-board"),
        ("LSCB", "lscb"),
    ],
)
def test_board_slug(name, slug):
    assert board_slug(name) == slug


def test_a_board_name_with_no_latin_letter_still_gets_a_stable_slug():
    assert re.fullmatch(r"board-[0-9a-f]{8}", board_slug("Συμβούλιο"))
    assert board_slug("Συμβούλιο") == board_slug(" Συμβούλιο ")
    assert board_slug("Συμβούλιο") != board_slug("Σύμβουλος")


@given(st.text(max_size=60))
def test_every_slug_is_lower_case_words_joined_by_hyphens(name):
    slug = board_slug(name)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug)
    assert board_slug(slug) == slug or slug.startswith("board-")


# -- data/programme.yaml ---------------------------------------------------------------------


def write_programme(tmp_path, text: str):
    path = tmp_path / "programme.yaml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD = f"""\
earlier_audits:
  - board: {BOARD}
    audit_number: 1
    title: "Multi-agency audit: Neglect"
    period: 2016
    findings: [gp-information-sharing, record-keeping]
  - board: {BOARD}
    audit_number: 2
    title: "Multi-agency audit: Domestic abuse"
    period: "2017"
    findings: [step-down]
"""


def test_the_programme_file_is_read_in_order(tmp_path):
    audits, problems = load_programme(write_programme(tmp_path, GOOD), THEMES)
    assert problems == []
    assert [(a.audit_number, a.period, a.findings) for a in audits] == [
        (1, "2016", ("gp-information-sharing", "record-keeping")),
        (2, "2017", ("step-down",)),
    ]
    assert [a.source_row for a in audits] == [2, 7]
    assert not any(a.has_data for a in audits)


def test_no_programme_file_means_no_earlier_audits(tmp_path):
    assert load_programme(tmp_path / "absent.yaml", THEMES) == ([], [])


PROGRAMME_CASES = {
    "unknown key in an entry": (
        GOOD.replace("    period: 2016\n", "    period: 2016\n    finding: [x]\n"),
        (6, "finding"),
        "Entry 1 of earlier_audits (Eastshire Children's Safeguarding Partnership, audit 1): "
        "`finding` is not a key of an earlier audit; did you mean `findings`?",
    ),
    "missing key": (
        GOOD.replace('    title: "Multi-agency audit: Domestic abuse"\n', ""),
        (7, "title"),
        "Entry 2 of earlier_audits (Eastshire Children's Safeguarding Partnership, audit 2): "
        "the key title is missing",
    ),
    "audit number not a number": (
        GOOD.replace("audit_number: 2", "audit_number: two"),
        (8, "audit_number"),
        "audit_number must be a whole number",
    ),
    "audit number zero": (
        GOOD.replace("audit_number: 1", "audit_number: 0"),
        (3, "audit_number"),
        "must be 1 or more",
    ),
    "unknown theme": (
        GOOD.replace("[step-down]", "[step-downn]"),
        (11, "findings"),
        "did you mean `step-down`",
    ),
    "theme badly written": (
        GOOD.replace("[step-down]", "[Step down]"),
        (11, "findings"),
        "finding 1 is not written as a theme id",
    ),
    "unknown top-level key": (
        GOOD.replace("earlier_audits:", "earlier_audit:"),
        (None, "earlier_audit"),
        "did you mean `earlier_audits`",
    ),
    "entry not a mapping": (
        "earlier_audits:\n  - just a title\n",
        (2, None),
        "Entry 1 of earlier_audits is not a set of `key: value` lines",
    ),
    "not valid YAML": (
        GOOD.replace('title: "Multi-agency audit: Neglect"', "title: Audit: Neglect: x"),
        (4, None),
        "not valid YAML",
    ),
    "list expected": (
        "earlier_audits: none\n",
        (None, "earlier_audits"),
        "must be a list",
    ),
}


@pytest.mark.parametrize("name", list(PROGRAMME_CASES))
def test_each_programme_rule_is_enforced(tmp_path, name):
    text, (row, column), phrase = PROGRAMME_CASES[name]
    audits, problems = load_programme(
        write_programme(tmp_path, text), THEMES, display="data/programme.yaml"
    )
    located = [
        p for p in problems if (p.file, p.row, p.column) == ("data/programme.yaml", row, column)
    ]
    assert located, f"{name}: nothing at row {row} column {column}: {problems}"
    assert any(phrase in p.message for p in located), located


def test_direction_controls_are_taken_out_with_a_warning(tmp_path):
    text = GOOD.replace('"Multi-agency audit: Neglect"', '"Multi-agency audit: \u202eNeglect"')
    audits, problems = load_programme(write_programme(tmp_path, text), THEMES)
    assert audits[0].title == "Multi-agency audit: Neglect"
    assert [(p.severity, p.column) for p in problems] == [("warning", "earlier_audits.1.title")]


def test_every_programme_problem_at_once(tmp_path):
    text = GOOD.replace("audit_number: 2", "audit_number: two").replace(
        "[gp-information-sharing, record-keeping]", "[gp-info-sharing]"
    )
    _, problems = load_programme(write_programme(tmp_path, text), THEMES)
    assert {p.column for p in problems} == {"audit_number", "findings"}


def test_the_sample_programme_is_valid():
    from auditrap.themes import load_taxonomy

    ids = load_taxonomy(ROOT / "data" / "themes.yaml").ids
    audits, problems = load_programme(ROOT / "data" / "programme.yaml", ids)
    assert problems == []
    assert [a.audit_number for a in audits] == [1, 2, 3]


# -- Boards, recurrence, re-audits -----------------------------------------------------------


def audit(number, findings, *, board=BOARD, topic=None, audit_id=None, row=None):
    return ProgrammeAudit(
        board=board,
        audit_number=number,
        title=f"Audit {number}",
        period=str(2014 + number),
        findings=tuple(findings),
        topic=topic,
        audit_id=audit_id,
        source_file=f"{audit_id}/audit.yaml" if audit_id else "data/programme.yaml",
        source_row=row,
    )


def eastshire() -> Board:
    audits = [
        audit(
            4,
            ["gp-information-sharing", "step-down", "swift-response"],
            topic="Neglect",
            audit_id="neglect-2022",
        ),
        audit(1, ["gp-information-sharing", "record-keeping"], row=2),
        audit(3, ["step-down"], topic="neglect ", audit_id="neglect-2020"),
        audit(2, ["record-keeping", "step-down"], row=7),
        audit(5, ["gp-information-sharing"], topic="neglect", audit_id="neglect-2024"),
    ]
    boards, problems = build_boards(audits)
    assert problems == []
    return boards[BOARD]


def test_a_board_orders_its_audits_by_number():
    board = eastshire()
    assert [a.audit_number for a in board.audits] == [1, 2, 3, 4, 5]
    assert board.slug == "eastshire-childrens-safeguarding-partnership"
    assert [a.audit_id for a in board.with_data] == ["neglect-2020", "neglect-2022", "neglect-2024"]


def test_a_theme_recurs_when_an_earlier_audit_of_the_board_found_it():
    board = eastshire()
    latest = board.audit("neglect-2022")
    assert recurrence(board, latest) == {
        "gp-information-sharing": (board.audits[0],),
        "step-down": (board.audits[1], board.audits[2]),
        "swift-response": (),
    }
    assert recurring_themes(board, latest) == ("gp-information-sharing", "step-down")
    # A later audit's findings never count, nor the audit's own.
    assert recurring_themes(board, board.audits[0]) == ()
    table = earlier_findings(board, latest, {"step-down": "Step down"})
    assert list(table.columns) == ["theme_id", "theme", "audit_number", "title", "period"]
    assert table[["theme_id", "audit_number"]].values.tolist() == [
        ["gp-information-sharing", 1],
        ["step-down", 2],
        ["step-down", 3],
    ]


def test_another_board_never_counts():
    board = eastshire()
    other = audit(1, ["swift-response"], board="Westshire Safeguarding Partnership")
    boards, _ = build_boards(
        [
            *board.audits,
            other,
            audit(9, ["swift-response"], board="Westshire Safeguarding Partnership"),
        ]
    )
    assert recurring_themes(boards[BOARD], boards[BOARD].audit("neglect-2022")) == (
        "gp-information-sharing",
        "step-down",
    )


def test_themes_by_audit_is_one_row_per_audit_and_finding():
    table = themes_by_audit(eastshire())
    assert list(table.columns) == ["audit_number", "title", "theme_id"]
    assert table.values.tolist()[:3] == [
        [1, "Audit 1", "gp-information-sharing"],
        [1, "Audit 1", "record-keeping"],
        [2, "Audit 2", "record-keeping"],
    ]
    assert len(table) == 2 + 2 + 1 + 3 + 1


def test_the_sentence_of_a_recurring_finding_is_built_from_data():
    board = eastshire()
    found = recurrence(board, board.audit("neglect-2022"))
    assert (
        also_found("Step down", found["step-down"])
        == "Step down was also a finding of audits 2 and 3."
    )
    assert (
        also_found("GPs", found["gp-information-sharing"]) == "GPs was also a finding of audit 1."
    )
    assert also_found("Swift", found["swift-response"]) == ""
    assert join_words(["a", "b", "c"]) == "a, b and c"


def test_equal_audit_numbers_in_one_board_are_an_error_naming_both():
    data_folder = audit(2, ["step-down"], audit_id="neglect-2020")
    entry = audit(2, ["record-keeping"], row=7)
    _, problems = build_boards([data_folder, entry, audit(2, ["x"], board="Another board")])
    assert len(problems) == 1
    message = problems[0].message
    assert (
        "Two audits of Eastshire Children's Safeguarding Partnership have the audit_number 2"
        in message
    )
    assert "neglect-2020" in message and "data/programme.yaml, line 7" in message
    assert "earlier than the other" in message
    assert problems[0].column == "audit_number"


def test_two_boards_sharing_a_slug_is_an_error():
    _, problems = build_boards(
        [audit(1, [], board="Eastshire Board"), audit(1, [], board="eastshire  board")]
    )
    assert (
        len(problems) == 1
        and "would share the folder boards/eastshire-board/" in problems[0].message
    )


def test_a_reaudit_is_compared_with_the_latest_earlier_audit_of_its_topic():
    board = eastshire()
    assert reaudit_of(board, board.audit("neglect-2022")).audit_id == "neglect-2020"
    assert reaudit_of(board, board.audit("neglect-2024")).audit_id == "neglect-2022"
    assert reaudit_of(board, board.audit("neglect-2020")) is None
    assert reaudit_of(board, board.audits[0]) is None  # no topic


# -- The re-audit comparison and its caveat --------------------------------------------------


def distribution(counts):
    grades = ["Outstanding", "Good", "Requires improvement", "Inadequate"]
    total = sum(c for c in counts if c is not None) or 1
    return pd.DataFrame(
        {
            "grade": grades,
            "cases": pd.array(counts, dtype="Int64"),
            "percent": pd.array(
                [None if c is None else int(c * 100 / total + 0.5) for c in counts], dtype="Int64"
            ),
        }
    )


@pytest.mark.parametrize(
    ("table", "p"),
    [
        ((3, 1, 1, 3), 0.4857142857),  # Fisher's tea-tasting lady
        ((1, 9, 11, 3), 0.0027594562),  # the example in R's and SciPy's documentation
        ((0, 5, 5, 0), 0.0079365079),
        ((0, 0, 0, 0), 1.0),
        ((5, 0, 5, 0), 1.0),
    ],
)
def test_fisher_exact_matches_the_published_values(table, p):
    assert fisher_exact(*table) == pytest.approx(p, rel=1e-7)


@given(*[st.integers(0, 12)] * 4)
def test_fisher_exact_is_a_probability_whatever_the_order(a, b, c, d):
    p = fisher_exact(a, b, c, d)
    assert 0 < p <= 1
    assert p == pytest.approx(fisher_exact(c, d, a, b))
    assert p == pytest.approx(fisher_exact(b, a, d, c))


def test_the_caveat_says_a_small_difference_may_be_chance():
    earlier = audit(3, [], audit_id="neglect-2020")
    caveat = comparison_caveat(earlier, distribution([0, 3, 6, 3]), distribution([1, 4, 6, 4]))
    assert (caveat.good, caveat.total, caveat.earlier_good, caveat.earlier_total) == (5, 15, 3, 12)
    assert caveat.p_value == pytest.approx(fisher_exact(5, 10, 3, 9))
    assert caveat.cases_difference == 1  # 33% against 25%: about 1 case of 15
    text = caveat.text
    assert (
        "5 of 15 cases (33%) were graded good or better, against 3 of 12 (25%) in audit 3" in text
    )
    assert "about 1 case of this audit's 15" in text
    assert "may be chance" in text and "p = 0.70" in text and "about 7 times in 10" in text
    assert "not evidence that practice changed" in text


def test_the_caveat_of_a_large_difference_says_it_is_unlikely_to_be_chance():
    earlier = audit(3, [], audit_id="neglect-2020")
    caveat = comparison_caveat(earlier, distribution([0, 1, 5, 6]), distribution([2, 10, 2, 1]))
    assert caveat.p_value < 0.05
    assert "less than 1 time in 20" in caveat.text and "cannot show why" in caveat.text


def test_the_caveat_never_tests_hidden_counts():
    earlier = audit(3, [], audit_id="neglect-2020")
    caveat = comparison_caveat(
        earlier, distribution([None, 3, 6, None]), distribution([1, 4, 6, 4])
    )
    assert caveat.p_value is None and caveat.cases_difference is None
    assert "hidden to protect children's privacy" in caveat.text
    assert not re.search(r"\d", caveat.text)


def test_the_grades_side_by_side():
    earlier, now = audit(3, [], audit_id="a"), audit(4, [], audit_id="b")
    table = grade_comparison(
        earlier, distribution([0, 3, 6, None]), now, distribution([1, 4, 6, 4])
    )
    assert list(table.columns) == ["audit_number", "period", "grade", "cases", "percent"]
    assert table["audit_number"].tolist() == [3] * 4 + [4] * 4
    assert table["cases"].isna().tolist() == [False, False, False, True] + [False] * 4


# -- The as-of date and overdue actions -------------------------------------------------------


def plan(rows):
    """An action plan, typed as validation makes it, from (id, rec, status, target, updated)."""
    frame = pd.DataFrame(
        rows, columns=["action_id", "recommendation_id", "status", "target_date", "updated"]
    )
    frame["status"] = pd.Categorical(
        frame["status"], categories=["Completed", "In progress", "Not started"]
    )
    for column in ("target_date", "updated"):
        frame[column] = pd.to_datetime(frame[column]).astype("datetime64[s]")
    frame["lead_agency"] = "Board"
    frame["action"] = "Do it."
    frame["completed_date"] = pd.NaT
    frame["evidence"] = pd.array([None] * len(frame), dtype="string")
    return frame


PLAN = plan(
    [
        ("A1", "R1", "Completed", "2021-01-31", "2021-03-31"),
        ("A2", "R1", "In progress", "2021-02-28", "2021-03-31"),
        ("A3", "R2", "Not started", "2021-03-31", "2021-03-31"),
        ("A4", "R2", "In progress", "2021-06-30", "2021-03-15"),
        ("A5", "R1", "Not started", "2021-01-01", "2021-03-01"),
    ]
)
RECOMMENDATIONS = pd.DataFrame(
    {
        "number": [1, 2, 3],
        "recommendation_id": ["R1", "R2", "R3"],
        "theme_id": pd.array(["step-down", None, "nope"], dtype="string"),
        "recommendation": ["First.", "Second.", "=Third."],
        "addressed_to": ["Board", "Police", "Board"],
    }
)


def test_the_as_of_date_is_the_configured_one_or_the_latest_update_never_the_clock():
    other = plan([("B1", "R1", "In progress", "2021-01-01", "2021-05-02")])
    assert as_of_date(None, [PLAN]) == dt.date(2021, 3, 31)
    assert as_of_date(None, [PLAN, other]) == dt.date(2021, 5, 2)
    assert as_of_date(dt.date(2020, 12, 31), [PLAN, other]) == dt.date(2020, 12, 31)
    assert as_of_date(None, [PLAN.iloc[0:0]]) is None


def test_overdue_is_not_completed_and_due_before_the_as_of_date():
    flags = overdue(PLAN, dt.date(2021, 3, 31))
    # A1 is Completed (never overdue); A3 is due on the day itself (not before it).
    assert flags.tolist() == [False, True, False, False, True]
    assert not overdue(PLAN, None).any()


def test_the_progress_table_is_exactly_the_contracts():
    table = action_plan_progress(PLAN, dt.date(2021, 3, 31))
    assert list(table.columns) == ["status", "actions", "overdue"]
    assert table.values.tolist() == [
        ["Completed", 1, 0],
        ["In progress", 2, 1],
        ["Not started", 2, 1],
    ]
    empty = action_plan_progress(PLAN.iloc[0:0], None)
    assert empty.values.tolist() == [
        ["Completed", 0, 0],
        ["In progress", 0, 0],
        ["Not started", 0, 0],
    ]


def test_progress_by_recommendation():
    table = recommendation_progress(RECOMMENDATIONS, PLAN, dt.date(2021, 3, 31))
    assert list(table.columns) == [
        "number",
        "recommendation_id",
        "actions",
        "completed",
        "in_progress",
        "not_started",
        "overdue",
    ]
    assert table.values.tolist() == [
        [1, "R1", 3, 1, 1, 1, 2],
        [2, "R2", 2, 0, 1, 1, 0],
        [3, "R3", 0, 0, 0, 0, 0],
    ]


def test_the_published_recommendations_are_numbered_beside_their_finding():
    table = published_recommendations(RECOMMENDATIONS, {"step-down": "Step down to early help"})
    assert list(table.columns) == [
        "number",
        "recommendation_id",
        "theme_id",
        "finding",
        "recommendation",
        "addressed_to",
    ]
    assert table["finding"].iloc[0] == "Step down to early help"
    assert pd.isna(table["finding"].iloc[1])  # it answers no finding
    assert table["finding"].iloc[2] == "nope"  # an id the titles do not know stays itself
    assert table["number"].tolist() == [1, 2, 3]
    assert table["recommendation"].iloc[2] == "=Third."  # text, quoted only when written


def test_the_internal_action_plan_lists_overdue_actions_first_and_marks_them():
    table = internal_action_plan(RECOMMENDATIONS, PLAN, dt.date(2021, 3, 31))
    assert table["action_id"].tolist() == ["A2", "A5", "A1", "A3", "A4"]
    assert table["overdue"].tolist() == ["Overdue", "Overdue", "", "", ""]
    assert table["recommendation"].tolist() == [1, 1, 1, 2, 2]


# -- Disclosure control of the plan's tables --------------------------------------------------


def test_the_plan_tables_pass_through_unchanged_unless_the_policy_lists_them():
    as_of = dt.date(2021, 3, 31)
    tables = {
        "action_plan_progress": action_plan_progress(PLAN, as_of),
        "recommendation_progress": recommendation_progress(RECOMMENDATIONS, PLAN, as_of),
    }
    result = protect(tables, DisclosurePolicy())
    for name, frame in tables.items():
        assert result.tables[name].values.tolist() == frame.values.tolist(), name
        assert result.hidden_cells[name] == 0


def test_small_action_counts_are_hidden_when_the_policy_lists_the_plan_tables():
    as_of = dt.date(2021, 3, 31)
    tables = {
        "action_plan_progress": action_plan_progress(PLAN, as_of),
        "recommendation_progress": recommendation_progress(RECOMMENDATIONS, PLAN, as_of),
    }
    policy = DisclosurePolicy(
        threshold=1, tables=("action_plan_progress", "recommendation_progress")
    )
    result = protect(tables, policy)
    by_rec = result.tables["recommendation_progress"]
    # Every 1 is hidden, with enough others that none can be worked back.
    for column in ("completed", "in_progress", "not_started"):
        assert not (by_rec[column] == 1).fillna(False).any()
    for name, frame in result.tables.items():
        shown = frame.astype(object).where(frame.notna(), "[c]")
        assert small_counts_shown(shown, name, policy) == [], name
    for line in by_rec[["completed", "in_progress", "not_started"]].to_numpy().tolist():
        assert sum(pd.isna(v) for v in line) != 1


def test_the_caveat_when_an_audit_has_no_ratified_grades():
    earlier = audit(3, [], audit_id="neglect-2020")
    caveat = comparison_caveat(earlier, distribution([0, 0, 0, 0]), distribution([1, 4, 6, 4]))
    assert caveat.p_value is None
    assert caveat.text == (
        "One of the two audits has no ratified grades yet, so this audit cannot be compared "
        "with audit 3."
    )
