"""The report's source: every number comes from the variables, never typed by hand."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from auditrap.document import assemble, generated_parts
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
        bare = re.sub(r"\{#[^}]*\}", "", bare)  # figure attributes (alt text is data-driven)
        bare = re.sub(r"### \d+\\\.", "###", bare)  # finding numbers are positions, not data
        assert not re.search(r"\d", bare), f"{name} types a number: {bare}"


def test_missing_sections_get_a_visible_note_and_present_ones_are_included(variables):
    parts = generated_parts(
        variables, narrative={"conclusion"}, theme_titles={"step-down": "S"}, charts=CHARTS
    )
    assert "To be written" in parts["next-steps.md"]
    assert "narrative/next-steps.md" in parts["next-steps.md"]
    assert parts["conclusion.md"].strip() == "{{< include ../narrative/conclusion.md >}}"
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
    assert written["accessibility"] == {"contact": contact}  # escaped where it is shown
    assert written["cases"] == variables["cases"]
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
