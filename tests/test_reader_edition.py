"""The public edition is written for its readers: key messages first, the audit's own
findings, numbered recommendations with the action plan's progress, questions for
practitioners, a glossary of the terms it uses and its document control, every number from
the variables and none at the start of a sentence."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from auditrap.document import (
    MOST_KEY_MESSAGES,
    analyst_key_messages,
    assemble,
    document_control_part,
    generated_parts,
    glossary_part,
    key_messages_part,
    recommendations_part,
    report_findings,
    report_words,
)
from auditrap.glossary import GlossaryEntry
from auditrap.variables import build_variables, plan_variables

from conftest import ROOT
from test_document import CHARTS, _tables_of, resolved
from test_document import variables as document_variables  # noqa: F401 - a fixture

THEMES = ["swift", "records", "gp", "quiet"]


@pytest.fixture
def base(document_variables):  # noqa: F811
    """The small audit of test_document: 5 cases, 4 of them ratified."""
    return document_variables


def theme_counts(concern: list, good: list) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "theme_id": THEMES,
            "theme": ["Swift response", "Record keeping", "GP coding of concerns", "Quiet"],
            "returns": [5, 4, 3, 0],
            "cases": [4, 3, 2, 0],
            "agencies": [2, 2, 1, 0],
            "concern_returns": concern,
            "concern_cases": [min(c, 3) if isinstance(c, int) else c for c in concern],
            "good_practice_returns": good,
            "good_practice_cases": [min(g, 2) if isinstance(g, int) else g for g in good],
        }
    )


def plan_tables(overdue: int = 1) -> dict[str, pd.DataFrame]:
    return {
        "recommendations": pd.DataFrame(
            {
                "number": [1, 2],
                "recommendation_id": ["R1", "R2"],
                "theme_id": ["records", pd.NA],
                "finding": ["Record keeping", pd.NA],
                "recommendation": ["Record *every* medical {{< include x >}}.", "Train staff."],
                "addressed_to": ["Children's Social Care", "Board"],
            }
        ),
        "action_plan_progress": pd.DataFrame(
            {
                "status": ["Completed", "In progress", "Not started"],
                "actions": [1, 2, 0],
                "overdue": [0, overdue, 0],
            }
        ),
        "recommendation_progress": pd.DataFrame(
            {
                "number": [1, 2],
                "recommendation_id": ["R1", "R2"],
                "actions": [2, 1],
                "completed": [1, 0],
                "in_progress": [1, 1],
                "not_started": [0, 0],
                "overdue": [overdue, 0],
            }
        ),
    }


META = {
    "audit_id": "x-1",
    "title": "T",
    "board": "B",
    "period": "2021",
    "audit_number": 12,
    "selection_criteria": "c",
    "published": "2021-07-01",
}


def audit_variables(
    base,
    *,
    meta: dict | None = None,
    concern=(0, 9, 4, 0),
    good=(6, 0, 1, 0),
    plan: bool = True,
    overdue: int = 1,
) -> dict:
    out = build_variables(
        {**META, **(meta or {})},
        _tables_of(base),
        theme_counts(list(concern), list(good)),
    )
    if plan:
        out |= plan_variables(plan_tables(overdue), {"as_of": "2021-09-30"})
    return out


def text_of(part: str, values) -> str:
    """A part as the reader reads it: values in, Markdown's escapes and markup out."""
    text = resolved(part, values)
    return re.sub(r"\\(.)", r"\1", text).replace("**", "").replace("*", "")


def starts_with_a_number(text: str) -> list[str]:
    """Every sentence of ``text`` that starts with a digit: at the start of a paragraph, a
    list item or a table's caption, or after a full stop, a question or an exclamation
    (a heading's number, such as a finding's, is its place, not a sentence)."""
    found = []
    for block in re.split(r"\n\s*\n|\n(?=[-*] )|\n(?=Table: )", text):
        block = re.sub(r"^(?:[-*] |Table: |:::.*\n)", "", block.strip())
        # Headings (a finding's number is its place), table rows and figures are no sentences.
        if block.startswith(("#", "|", "![")):
            continue
        for sentence in re.split(r"(?<=[.!?])\s+", block):
            if re.match(r"\d", sentence):
                found.append(sentence[:80])
    return found


# --- key messages ----------------------------------------------------------------------------


def test_key_messages_come_from_the_data_with_the_date_of_the_action_plan(base):
    v = audit_variables(base)
    titles = {t: v["themes"][t]["title"] for t in report_findings(v, set())}
    part = text_of(key_messages_part(v, set(), titles), v)
    bullets = [line[2:] for line in part.splitlines() if line.startswith("- ")]
    assert bullets == [
        "Of the 4 cases graded so far, 3 were graded good or better and 1 required "
        "improvement or was inadequate.",
        "Concerns were raised most often about record keeping (in 9 returns) and GP coding of "
        "concerns (in 4 returns).",
        "As of 30 September 2021, 1 of the 3 actions of the action plan was completed and 1 "
        "was overdue.",
        "Good practice was noted most often in swift response (in 6 returns).",
        "Of the 2 immediate actions raised at the multi-agency meetings, 1 is still open.",
    ]
    # No analyst's file: a visible note says what to write.
    assert "To be written" in part and "narrative/key-messages.md" in part


def test_the_analysts_key_messages_lead_and_the_data_fills_up_to_five(base):
    v = audit_variables(base)
    titles = {t: v["themes"][t]["title"] for t in report_findings(v, set())}
    analyst = "Some prose first.\n\n- One.\n* Two.\n1. Three.\n   - a sub-point\n"
    assert analyst_key_messages(analyst) == 3
    part = key_messages_part(v, {"key-messages"}, titles, analyst_messages=3)
    assert part.startswith("{{< include narrative/key-messages.md >}}\n")
    assert part.count("\n- ") == MOST_KEY_MESSAGES - 3
    assert "To be written" not in part
    full = key_messages_part(v, {"key-messages"}, titles, analyst_messages=6)
    assert full.strip() == "{{< include narrative/key-messages.md >}}"


def test_a_recurring_finding_becomes_a_key_message(base):
    v = audit_variables(base, plan=False)
    titles = {t: v["themes"][t]["title"] for t in report_findings(v, set())}
    part = text_of(key_messages_part(v, set(), titles, recurring=["records", "gp"]), v)
    assert (
        "Earlier audits of the board also found concerns about record keeping and GP coding "
        "of concerns." in part
    )


def test_a_hidden_count_is_never_ranked_nor_shown_as_a_number(base):
    v = audit_variables(base, concern=(pd.NA, 9, 4, 0), good=(pd.NA, 0, 1, 0))
    titles = {t: v["themes"][t]["title"] for t in report_findings(v, set())}
    part = text_of(key_messages_part(v, set(), titles), v)
    assert "swift response" not in part.lower()
    assert "Good practice was noted most often in GP coding of concerns (in 1 return)." in part


# --- no sentence starts with a number ------------------------------------------------------


@pytest.mark.parametrize(
    "counts",
    [
        # The seed: none outstanding.
        {"grades": [0, 5, 6, 4], "agreement": [12, 1, 2, 0], "actions": (10, 10, 0)},
        # Ones and noughts everywhere.
        {"grades": [1, 0, 1, 0], "agreement": [1, 0, 1, 3], "actions": (1, 0, 1)},
        {"grades": [0, 0, 0, 0], "agreement": [0, 0, 0, 2], "actions": (0, 0, 0)},
        {"grades": [2, 3, 0, 1], "agreement": [5, 0, 1, 1], "actions": (3, 1, 2)},
    ],
)
@pytest.mark.parametrize("overdue", [0, 1, 2])
def test_no_generated_sentence_starts_with_a_number(counts, overdue):
    grades = ["Outstanding", "Good", "Requires improvement", "Inadequate"]
    ratified = sum(counts["grades"])
    raised, completed, open_ = counts["actions"]
    tables = {
        "grade_distribution": pd.DataFrame(
            {
                "grade": grades,
                "cases": counts["grades"],
                "percent": [round(100 * c / ratified) if ratified else 0 for c in counts["grades"]],
            }
        ),
        "grade_agreement": pd.DataFrame(
            {
                "outcome": [
                    "Ratified grade as the returns suggest",
                    "Ratified grade better than the returns suggest",
                    "Ratified grade worse than the returns suggest",
                    "Not yet ratified",
                ],
                "cases": counts["agreement"],
            }
        ),
        "immediate_actions": pd.DataFrame(
            {
                "agency": ["All agencies"],
                "raised": [raised],
                "completed": [completed],
                "open": [open_],
            }
        ),
        "grades_by_area": pd.DataFrame(
            {"area": ["North"] * 4, "grade": grades, "cases": counts["grades"]}
        ),
        "returns_by_agency": pd.DataFrame({"agency": ["GP"], "returns": [1]}),
    }
    v = build_variables(
        META,
        tables,
        theme_counts([0, 1, 4, 0], [1, 0, 0, 0]),
        review={"suggested": 3, "accepted": 1, "rejected": 1, "added": 1, "unreviewed": 1},
    )
    v |= plan_variables(plan_tables(overdue), {"as_of": "2021-09-30"})
    parts = generated_parts(v, set(), {t: t for t in THEMES}, CHARTS)
    for name, part in parts.items():
        assert starts_with_a_number(text_of(part, v)) == [], name


def test_the_seed_sentence_reads_as_it_is_spoken(base):
    v = audit_variables(base)
    v["grades"]["outstanding"]["count"] = 0
    parts = generated_parts(v, set(), {t: t for t in THEMES}, CHARTS)
    assert text_of(parts["scoring-summary.md"], v).strip() == (
        "Of the 4 cases, none was graded outstanding; 2 were graded good, none requiring "
        "improvement and 1 inadequate."
    )


# --- the audit's own findings -------------------------------------------------------------


def test_the_audit_chooses_its_findings_and_their_order(base):
    v = audit_variables(base, meta={"findings": ["quiet", "gp", "swift"]})
    assert report_findings(v, set()) == ["quiet", "gp", "swift"]
    parts = generated_parts(
        v,
        {"finding-gp"},
        {t: t.title() for t in THEMES},
        CHARTS,
        own_titles={"gp": "GP coding of safeguarding concerns"},
    )
    findings = parts["findings.md"]
    headings = re.findall(r"^### (.*)$", findings, re.M)
    assert headings == ["1\\. Quiet", "2\\. GP coding of safeguarding concerns", "3\\. Swift"]
    # A finding nobody spoke of still says so; records, spoken of but not chosen, is left out.
    assert "No audit return spoke of this theme." in findings
    assert "Records" not in findings


def test_without_chosen_findings_every_theme_spoken_of_is_one(base):
    v = audit_variables(base)
    assert report_findings(v, set()) == ["swift", "records", "gp"]
    assert report_findings(v, {"finding-quiet"}) == THEMES


# --- recommendations and the action plan ------------------------------------------------------


def test_recommendations_are_numbered_addressed_and_beside_their_finding(base):
    v = audit_variables(base)
    titles = {t: v["themes"][t]["title"] for t in report_findings(v, set())}
    part = recommendations_part(v, titles)
    assert "{{< include" not in part.replace("\\{\\{\\< include", "")  # the text is text
    shown = text_of(part, v)
    assert "The audit makes 2 recommendations" in shown
    assert "R1. Record every medical {{< include x >}}." in shown
    assert "Addressed to: Children's Social Care. Answers finding 2." in shown
    # R2 answers no finding: whom it is addressed to only.
    assert re.search(r"R2\. Train staff\.\\?\s+Addressed to: Board\.\n", shown)
    assert (
        "As of 30 September 2021, the date the action plan was last reviewed, 1 of its 3 "
        "actions was completed, 2 were in progress and none had not started. Of these, 1 was "
        "overdue: not completed by its target date." in shown
    )
    assert "| Total | 3 | 1 | 2 | 0 | 1 |" in shown
    assert "Table: Progress of the action plan by recommendation, as of 30 September 2021" in shown
    # Beside the finding: the finding names the recommendation that answers it.
    findings = generated_parts(v, set(), titles, CHARTS)["findings.md"]
    assert "Answered by recommendation R{{< var recommendations.by.r1.number >}}." in findings


def test_no_overdue_action_is_said_in_words(base):
    v = audit_variables(base, overdue=0)
    shown = text_of(recommendations_part(v, {t: t for t in THEMES}), v)
    assert "None was overdue." in shown


def test_without_recommendations_a_visible_note(base):
    v = audit_variables(base, plan=False)
    part = recommendations_part(v, {t: t for t in THEMES})
    assert "To be written" in part and "recommendations.csv" in part


# --- document control and the glossary --------------------------------------------------------


def test_document_control_says_who_approved_the_report_and_when(base):
    approved = audit_variables(
        base,
        meta={
            "version": "1.2",
            "approved_by": "The Board's quality assurance sub-group",
            "approved_on": "2021-06-20",
            "next_review": "2022-06-30",
        },
    )
    table = text_of(document_control_part(approved), approved)
    for row in (
        "| Version | 1.2 |",
        "| Status | Final |",
        "| Approved by | The Board's quality assurance sub-group |",
        "| Approved on | 20 June 2021 |",
        "| Next review | 30 June 2022 |",
        "| Published | 1 July 2021 |",
    ):
        assert row in table, row
    assert (
        generated_parts(approved, set(), {t: t for t in THEMES}, CHARTS)["review-status.md"] == ""
    )
    draft = audit_variables(base)
    table = text_of(document_control_part(draft), draft)
    assert "| Status | Draft |" in table and "| Approved by | Not yet approved |" in table
    note = generated_parts(draft, set(), {t: t for t in THEMES}, CHARTS)["review-status.md"]
    assert "Draft: not yet approved." in note


def test_the_glossary_is_text_never_markup():
    entry = GlossaryEntry(
        term="Strategy *discussion*", abbreviation="SD", definition="A <b>meeting</b> {{< x >}}."
    )
    part = glossary_part([entry])
    assert part == (
        "**SD \\(Strategy \\*discussion\\*\\):** A \\<b\\>meeting\\<\\/b\\> \\{\\{\\< x \\>\\}\\}\\.\n"
    )
    assert "none of the terms" in glossary_part([])


def test_the_glossary_lists_the_terms_the_build_uses(tmp_path, base):
    from auditrap.glossary import Glossary

    folder = tmp_path / "narrative"
    folder.mkdir()
    (folder / "conclusion.md").write_text("The CPOMS records helped.\n")
    glossary = Glossary(
        (
            GlossaryEntry(term="CPOMS", definition="A school system."),
            GlossaryEntry(
                term="Multi-Agency Safeguarding Hub", abbreviation="MASH", definition="A team."
            ),
            GlossaryEntry(
                term="Care Quality Commission", abbreviation="CQC", definition="A regulator."
            ),
        )
    )
    qmd = assemble(
        tmp_path / "build",
        report_dir=ROOT / "report",
        variables=audit_variables(base),
        narrative_files=[folder / "conclusion.md"],
        figure_files=[],
        theme_titles={t: t for t in THEMES},
        charts=CHARTS,
        glossary=glossary,
    )
    listed = (qmd.parent / "_generated" / "glossary.md").read_text()
    # CPOMS from the narrative, CQC from the method (the grades of Ofsted and the CQC).
    assert "**CPOMS:**" in listed and "**CQC \\(Care Quality Commission\\):**" in listed
    assert "MASH" not in listed


def test_report_words_are_what_a_reader_reads(base):
    text = "The {{< var audit.board >}} GP\\'s {{< include narrative/x.md >}} <!-- MASH -->"
    assert report_words(text, {"audit": {"board": "Riverside Board"}}) == (
        "The Riverside Board GP's    "
    )
