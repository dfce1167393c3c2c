"""The report's source: every number comes from the variables, never typed by hand."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from auditrap.document import assemble, generated_parts, metadata
from auditrap.render.markdown import escape_metadata
from auditrap.variables import build_variables, ordinal

from conftest import ROOT, SAMPLE_AUDIT

SHORTCODE = re.compile(r"\{\{<.*?>\}\}")


@pytest.fixture
def variables():
    tables = {
        "grade_distribution": pd.DataFrame(
            {
                "grade": ["Outstanding", "Good", "Requires improvement", "Inadequate"],
                "cases": [1, 2, 0, 1],
                "percent": [25, 50, 0, 25],
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
                "cases": [3, 1, 0, 1],
            }
        ),
        "immediate_actions": pd.DataFrame(
            {
                "agency": ["Police", "All agencies"],
                "raised": [2, 2],
                "completed": [1, 1],
                "open": [1, 1],
            }
        ),
        "grades_by_area": pd.DataFrame(
            {
                "area": ["Hill top"] * 4,
                "grade": ["Outstanding", "Good", "Requires improvement", "Inadequate"],
                "cases": [1, 2, 0, 1],
            }
        ),
        "returns_by_agency": pd.DataFrame({"agency": ["Police", "GP"], "returns": [5, 0]}),
    }
    themes = pd.DataFrame(
        {
            "theme_id": ["step-down"],
            "theme": ["Step down"],
            "returns": [2],
            "cases": [1],
            "agencies": [1],
        }
    )
    meta = {
        "audit_id": "x-1",
        "title": "T",
        "board": "B",
        "period": "2021",
        "audit_number": 12,
        "selection_criteria": "c",
        "published": "2021-07-01",
    }
    return build_variables(meta, tables, themes)


CHARTS = {
    name: {"title": "t", "alt": 'a "quoted" alt'}
    for name in ("grade-distribution", "grades-by-area")
}


def test_variables_count_what_the_tables_say(variables):
    assert variables["cases"] == {
        "total": 5,
        "ratified": 4,
        "not_ratified": 1,
        "good_or_better": 3,
        "below_good": 1,
    }
    assert variables["actions"] == {"raised": 2, "completed": 1, "open": 1}
    assert variables["agencies"] == {"listed": 2, "returned": 1}
    assert variables["audit"]["number_ordinal"] == "twelfth"
    assert variables["audit"]["published"] == "1 July 2021"
    assert variables["areas"]["by"]["hill-top"]["good"] == 2


def test_generated_text_states_no_number_outside_a_shortcode(variables):
    parts = generated_parts(
        variables, narrative=set(), theme_titles={"step-down": "Step down"}, charts=CHARTS
    )
    for name, text in parts.items():
        bare = SHORTCODE.sub("", text)
        bare = re.sub(r"`[^`]*`", "", bare)  # file names in notes
        bare = re.sub(r"\[[^\]]*\]\([^)]*\)", "", bare)  # links to files (named by the audit id)
        bare = re.sub(r"\{#[^}]*\}", "", bare)  # figure attributes (alt text is data-driven)
        bare = re.sub(r"### \d+\\\.", "###", bare)  # finding numbers are positions, not data
        assert not re.search(r"\d", bare), f"{name} types a number: {bare}"


def test_missing_sections_get_a_visible_note_and_present_ones_are_included(variables):
    parts = generated_parts(
        variables, narrative={"conclusion"}, theme_titles={"step-down": "S"}, charts=CHARTS
    )
    assert "To be written" in parts["next-steps.md"]
    assert "narrative/next-steps.md" in parts["next-steps.md"]
    # Relative to report.qmd, as Quarto resolves a nested include.
    assert parts["conclusion.md"].strip() == "{{< include narrative/conclusion.md >}}"
    assert "To be written" in parts["findings.md"]  # a finding without its prose
    assert "remains open" in parts["immediate-actions.md"]  # one action: singular


def test_sample_narrative_types_no_number():
    for path in (SAMPLE_AUDIT / "narrative").glob("*.md"):
        text = re.sub(r"<!--.*?-->", "", path.read_text(), flags=re.S)
        assert not re.search(r"\d", SHORTCODE.sub("", text)), path.name


def test_build_folder_holds_what_quarto_needs(variables, tmp_path):
    narrative = tmp_path / "conclusion.md"
    narrative.write_text("Done.")
    qmd = assemble(
        tmp_path / "build",
        report_dir=ROOT / "report",
        variables=variables,
        narrative_files=[narrative],
        figure_files=[],
        theme_titles={"step-down": "Step down"},
        charts=CHARTS,
    )
    build = qmd.parent
    for name in (
        "report.qmd",
        "_quarto.yml",
        "_variables.yml",
        "_metadata.yml",
        "narrative/conclusion.md",
        "_generated/findings.md",
    ):
        assert (build / name).is_file(), name


def test_the_accessibility_contact_joins_the_variables_as_text(variables, tmp_path):
    import yaml

    contact = "https://www.example.org/contact *not* {{< include x >}}"
    qmd = assemble(
        tmp_path / "build",
        report_dir=ROOT / "report",
        variables=variables,
        narrative_files=[],
        figure_files=[],
        theme_titles={"step-down": "Step down"},
        charts=CHARTS,
        accessibility={"contact": contact},
    )
    written = yaml.safe_load((qmd.parent / "_variables.yml").read_text())
    # Quarto reads every value of _variables.yml as Markdown: text is written escaped.
    assert written["accessibility"] == {"contact": escape_metadata(contact)}
    assert written["cases"] == variables["cases"]  # numbers as they are
    assert written["audit"]["title"] == escape_metadata(variables["audit"]["title"])
    source = (ROOT / "report" / "report.qmd").read_text()
    assert "## Accessibility\n" in source
    assert source.count("{{< var accessibility.contact >}}") == 2


def test_the_accessibility_contact_defaults_in_the_config_schema():
    from snakemake.utils import validate

    schema = str(ROOT / "workflow" / "schemas" / "config.schema.yaml")
    config = {"audits": ["nai-2018"]}
    validate(config, schema, set_default=True)
    contact = config["accessibility"]["contact"]
    assert "website" in contact
    given = {"audits": ["nai-2018"], "accessibility": {}}
    validate(given, schema, set_default=True)
    assert given["accessibility"]["contact"] == contact
    # The default is published: the gate must find nothing in it.
    from auditrap.gate import scan_text

    assert scan_text(contact, "config.yaml") == []


def test_ordinals():
    assert [ordinal(n) for n in (1, 4, 21, 22, 113)] == ["first", "fourth", "21st", "22nd", "113th"]


def test_area_keys_never_collide_or_vanish():
    from auditrap.variables import unique_keys

    assert unique_keys(["North-East", "North East", "北区", "East"], "area") == [
        "north-east",
        "north-east-2",
        "area-3",
        "east",
    ]


def test_programme_page_is_newest_first_by_date_not_by_text():
    from auditrap.programme import PublishedAudit, programme_page

    page = programme_page(
        [
            PublishedAudit("a", "Older", "B", "2020", "9 July 2020", "2020-07-09", 3),
            PublishedAudit("b", "Newer", "B", "2021", "10 January 2021", "2021-01-10", 4),
        ]
    )
    assert page.index("Newer") < page.index("Older")


def resolved(text: str, variables) -> str:
    """The text as the reader sees it: each shortcode replaced by its variable's value."""

    def value(match: re.Match) -> str:
        found = variables
        for part in match.group(1).split("."):
            found = found[part]
        return str(found)

    text = re.sub(r"\[(\{\{< var [^>]+ >\}\})\]\{[^}]*\}", r"\1", text)
    return re.sub(r"\{\{< var ([A-Za-z0-9_.-]+) >\}\}", value, text)


@pytest.fixture
def theme_variables(variables):
    themes = pd.DataFrame(
        {
            "theme_id": ["both", "good-only", "one-concern", "none", "hidden"],
            "theme": ["Both", "Good only", "One concern", "None", "Hidden"],
            "returns": [4, 2, 1, 0, 9],
            "cases": [3, 1, 1, 0, 8],
            "agencies": [2, 1, 1, 0, 5],
            "concern_returns": [3, 0, 1, 0, 7],
            "concern_cases": [2, 0, 1, 0, 6],
            "good_practice_returns": [1, 2, 0, 0, pd.NA],
            "good_practice_cases": [1, 1, 0, 0, pd.NA],
        }
    )
    out = dict(variables)
    built = build_variables(
        {
            "audit_id": "x-1",
            "title": "T",
            "board": "B",
            "period": "2021",
            "audit_number": 12,
            "selection_criteria": "c",
            "published": "2021-07-01",
        },
        _tables_of(variables),
        themes,
        review={"suggested": 5, "accepted": 3, "rejected": 1, "added": 2, "unreviewed": 1},
    )
    out.update(themes=built["themes"], review=built["review"])
    return out


def _tables_of(variables):
    """The published tables behind the ``variables`` fixture, rebuilt from its values."""
    grades = ["Outstanding", "Good", "Requires improvement", "Inadequate"]
    return {
        "grade_distribution": pd.DataFrame(
            {"grade": grades, "cases": [1, 2, 0, 1], "percent": [25, 50, 0, 25]}
        ),
        "grade_agreement": pd.DataFrame(
            {
                "outcome": [
                    "Ratified grade as the returns suggest",
                    "Ratified grade better than the returns suggest",
                    "Ratified grade worse than the returns suggest",
                    "Not yet ratified",
                ],
                "cases": [3, 1, 0, 1],
            }
        ),
        "immediate_actions": pd.DataFrame(
            {"agency": ["All agencies"], "raised": [2], "completed": [1], "open": [1]}
        ),
        "grades_by_area": pd.DataFrame(
            {"area": ["Hill top"] * 4, "grade": grades, "cases": [1, 2, 0, 1]}
        ),
        "returns_by_agency": pd.DataFrame({"agency": ["Police", "GP"], "returns": [5, 0]}),
    }


def test_a_finding_says_how_the_returns_spoke_of_it(theme_variables):
    from auditrap.document import theme_counts_sentence

    said = {
        t: resolved(theme_counts_sentence(theme_variables, t), theme_variables).strip()
        for t in theme_variables["themes"]
    }
    assert said == {
        "both": "Raised as a concern in 3 returns about 2 cases; noted as good practice in 1 "
        "return.",
        "good-only": "Noted as good practice in 2 returns about 1 case; not raised as a concern "
        "in any return.",
        "one-concern": "Raised as a concern in 1 return about 1 case; not noted as good practice "
        "in any return.",
        "none": "No audit return spoke of this theme.",
        "hidden": "Raised as a concern in 7 returns about 6 cases; noted as good practice in "
        "[c] returns.",
    }
    # Every number is a variable, none typed.
    for theme in theme_variables["themes"]:
        assert not re.search(
            r"\d", SHORTCODE.sub("", theme_counts_sentence(theme_variables, theme))
        )


def test_the_report_is_a_draft_until_every_suggestion_is_reviewed(theme_variables):
    titles = {t: t for t in theme_variables["themes"]}
    parts = generated_parts(theme_variables, narrative=set(), theme_titles=titles, charts=CHARTS)
    note = resolved(parts["review-status.md"], theme_variables)
    assert "Draft: 1 theme suggestion not yet reviewed." in note
    method = resolved(parts["about.md"], theme_variables)
    assert "The software made 5 suggestions: the analyst accepted 3 and rejected 1" in method
    assert "added 2 themes the software had missed" in method
    # A sentence never starts with a number.
    assert "Of the suggestions, 1 has not yet been reviewed and counts provisionally" in method
    reviewed = dict(theme_variables, review=dict(theme_variables["review"], unreviewed=0))
    reviewed["review"].update(complete=True, draft=False)
    parts = generated_parts(reviewed, narrative=set(), theme_titles=titles, charts=CHARTS)
    # Still a draft: nobody has approved it (audit.yaml has no approved_by, approved_on).
    assert "theme suggestion" not in parts["review-status.md"]
    assert "Draft: not yet approved." in parts["review-status.md"]
    assert "not yet been reviewed" not in parts["about.md"]
    approved = dict(reviewed, document=dict(reviewed["document"], approved=True))
    parts = generated_parts(approved, narrative=set(), theme_titles=titles, charts=CHARTS)
    assert parts["review-status.md"] == ""


def test_a_final_build_without_review_says_so_in_the_method(theme_variables):
    final = dict(theme_variables)
    final["review"] = dict(
        theme_variables["review"], unreviewed=3, final_without_review=True, draft=False
    )
    titles = {t: t for t in theme_variables["themes"]}
    parts = generated_parts(final, narrative=set(), theme_titles=titles, charts=CHARTS)
    assert "theme suggestion" not in parts["review-status.md"]
    method = resolved(parts["about.md"], final)
    assert "**The tags were not all reviewed:** 3 suggestions were not checked" in method


def test_the_review_flags_follow_the_status():
    from auditrap.variables import _review

    assert _review(None) == {
        "suggested": 0,
        "accepted": 0,
        "rejected": 0,
        "added": 0,
        "unreviewed": 0,
        "complete": True,
        "final_without_review": False,
        "draft": False,
    }
    waiting = _review({"suggested": 4, "unreviewed": 2, "final_without_review": False})
    assert waiting["draft"] and not waiting["complete"]
    final = _review({"suggested": 4, "unreviewed": 2, "final_without_review": True})
    assert final["final_without_review"] and not final["draft"]
    # The switch says nothing when every suggestion is reviewed.
    assert not _review({"unreviewed": 0, "final_without_review": True})["final_without_review"]


def test_the_internal_appendix_lists_unreviewed_suggestions_as_text(monkeypatch):
    from auditrap import document

    tags = pd.DataFrame(
        {
            "case_id": ["C1", "C1", "C2", "C3"],
            "agency": ["GP", "GP", "Police", "School"],
            "field": ["improvements", "strengths", "improvements", "strengths"],
            "sentence": ["*Not* told <b>x</b> {{< var a >}}", "Told.", "Late.", "Logged."],
            "theme_id": ["gp", "gp", "swift", "rk"],
            "origin": ["tagger", "tagger", "tagger", "analyst"],
            "decision": ["unreviewed", "accepted", "unreviewed", "added"],
        }
    )
    lines = document.unreviewed_suggestions(tags, {"gp": "GP sharing", "swift": "Swift"})
    text = "\n".join(lines)
    assert "\\*Not\\* told" in text and "<b>" not in text and "{{<" not in text
    assert "| C2 | Police | improvements | Swift | Late\\. |" in text
    assert "Told." not in text and "Logged." not in text  # reviewed and added tags
    monkeypatch.setattr(document, "UNREVIEWED_LISTED", 1)
    text = "\n".join(document.unreviewed_suggestions(tags, {}))
    assert "The first 1 of 2 are listed here" in text and "Late\\." not in text
    reviewed = tags.assign(decision="accepted")
    assert "None: the analyst has reviewed every theme" in "\n".join(
        document.unreviewed_suggestions(reviewed, {})
    )


def test_metadata_is_text_that_quarto_reads_back_as_the_text(variables):
    hostile = {**variables["audit"], "title": "Audit {{< include /etc/passwd >}} <b>x</b>"}
    meta = metadata({**variables, "audit": hostile})
    assert meta["title"] == escape_metadata(hostile["title"])
    assert "{{" not in meta["title"] and "}}" not in meta["title"]
    # The date is ISO, shown in _quarto.yml's date-format (as Quarto shows it).
    assert meta["date"] == variables["audit"]["published_iso"]
