"""The technical note beside the report: how it was made, every number by its id, the input
files' hashes and the software, as one self-contained, escaped web page."""

from __future__ import annotations

import re

from auditrap.lineage import numbers
from auditrap.technical import technical_note

from test_document import variables  # noqa: F401 - a fixture


def note(values, **overrides):
    args = dict(
        inputs={"data/raw/x-1/cases.csv": "ab" * 32, "report/report.qmd": "cd" * 32},
        environment={"python": "3.11.7", "pandoc": "3.9", "packages": {"pandas": "3.1.1"}},
        engine="built-in (pandoc and typst)",
    )
    return technical_note(values, **{**args, **overrides})


def test_the_note_lists_every_number_by_id_with_its_lineage(variables):  # noqa: F811
    html = note(variables)
    shown = dict(re.findall(r'<span data-lineage="([^"]+)">([^<]*)</span>', html))
    assert shown == {key: str(value) for key, value in numbers(variables)}
    assert len(shown) > 20
    assert '<a href="data/lineage.csv">' in html and '<a href="manifest.json">' in html
    assert '<a href="x-1.html">' in html  # back to the report


def test_the_note_lists_the_inputs_and_the_software(variables):  # noqa: F811
    html = note(variables)
    assert "ab" * 32 in html and "data/<wbr>raw/<wbr>x-1/<wbr>cases.csv" in html
    assert "<td>built-in (pandoc and typst)</td>" in html
    assert '<th scope="row">pandas</th><td>3.1.1</td>' in html
    assert "auditrap verify report/_output/x-1" in html


def test_the_note_is_one_accessible_self_contained_page(variables):  # noqa: F811
    html = note(variables)
    assert re.search(r'<html lang="en-GB">', html)
    assert html.count("<h1>") == 1 and '<a class="skip-link" href="#main">' in html
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html)  # nothing from elsewhere
    assert "<script" not in html
    # Every table has a caption, column headers and row headers, in a labelled region.
    assert html.count("<caption>") == html.count("<table>") == 3
    assert html.count('role="region"') == 3


def test_every_value_is_text(variables):  # noqa: F811
    hostile = dict(variables, audit=dict(variables["audit"], title='<script>x</script> "t"'))
    html = note(hostile, inputs={"<b>bad</b>.csv": "00"}, engine="<i>engine</i>")
    assert "<script>x" not in html and "&lt;script&gt;x&lt;/script&gt; &quot;t&quot;" in html
    assert "<b>bad</b>" not in html and "<i>engine</i>" not in html


def board_variables():
    """What a board's assurance report states (auditrap.board_report.board_variables), in
    short: a hidden count among them."""
    return {
        "board": {
            "name": "Eastshire <Partnership>",
            "slug": "eastshire-partnership",
            "audits": 4,
            "published": "30 September 2021",
        },
        "plan": {"overdue": 3, "actions": 7},
        "themes": {"recurring": 2},
        "grades": {"good": "[c]"},
        "disclosure": {"symbol": "[c]"},
    }


def test_the_board_note_lists_its_numbers_inputs_and_software():
    from auditrap.technical import board_technical_note

    html = board_technical_note(
        board_variables(),
        inputs={"config.yaml": "ef" * 32, "data/programme.yaml": "01" * 32},
        environment={"python": "3.11.7", "pandoc": "3.9", "packages": {"pandas": "3.1.1"}},
        engine="Quarto 1.7.34",
        pandoc="3.6.1",
    )
    shown = dict(re.findall(r'<span data-lineage="([^"]+)">([^<]*)</span>', html))
    assert shown == {
        "board.audits": "4",
        "plan.overdue": "3",
        "plan.actions": "7",
        "themes.recurring": "2",
        "grades.good": "[c]",
    }
    assert "ef" * 32 in html and "data/<wbr>programme.yaml" in html
    assert '<th scope="row">pandoc</th><td>3.6.1</td>' in html
    assert "<td>Quarto 1.7.34</td>" in html
    assert "auditrap verify report/_output/boards/eastshire-partnership" in html
    assert '<a href="eastshire-partnership.html">' in html
    assert "Eastshire &lt;Partnership&gt;" in html and "<Partnership>" not in html
    assert html.count("<caption>") == html.count('role="region"') == 3
