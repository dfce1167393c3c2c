"""The publication gate's patterns: what it must catch, and ordinary report text it must not."""

from __future__ import annotations

import subprocess
import sys

import pytest

from auditrap.gate import Finding, nhs_number_is_valid, pdf_text, scan, scan_text
from auditrap.redact import GATE_KINDS, KINDS

from conftest import ROOT

NAMES = ["Sarah Jane Whitfield", "Kayleigh-Ann O'Brien"]


@pytest.mark.parametrize(
    "text, kind",
    [
        ("NHS number 943 476 5919.", "an NHS number"),
        ("ref 9434765919", "an NHS number"),
        ("NHS 999-526-0182, seen", "an NHS number"),
        ("DOB: 12/03/2015", "a date of birth"),
        ("born 3 March 2015", "a date of birth"),
        ("dob 5/6/2017 given", "a date of birth"),
        ("Date of birth recorded as 2015-03-12", "a date of birth"),
        ("living at LA1 4XY with mother", "a UK postcode"),
        ("moved to pr1 9ab", "a UK postcode"),
        ("ring 07700 900123", "a phone number"),
        ("ring +44 1632 960123", "a phone number"),
        ("ring (01632) 960123", "a phone number"),
        ("ring +44 (0)1632 960789", "a phone number"),
        ("write to someone@example.org", "an e-mail address"),
        ("Thanks to Sarah for her help", "a listed name"),
        ("the WHITFIELD family", "a listed name"),
        ("Kayleigh's school", "a listed name"),
        ("Ms O’Brien", "a listed name"),
    ],
)
def test_identifiers_are_found(text, kind):
    assert kind in {f.kind for f in scan_text(text, "x.html", NAMES)}


@pytest.mark.parametrize(
    "text",
    [
        "0 of the 15 cases were graded as outstanding.",
        "Published 1 March 2019 by the board for the period 2018.",
        "NHS-ish 943 476 5918 fails its check digit",
        "grades.requires-improvement.count 6",
        "00c8ce5c1d6912d42fa6f909ab03df5a89675bb1bb26915b6148d4b127c53b14",
        "data/grade_distribution.csv returns.csv,2;3;4",
        "The strategy meeting on 14/05/2018 at 10:30; 75% within 24 hours; Section 47.",
        "Mum ([name]) gave [date of birth] and [NHS number]; [postcode], [phone number].",
        "0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15",
        "Multi-agency working: Children's Social Care, Police, Health Visiting, GP.",
        "Annual planning at Brienz; the Annex.",
    ],
)
def test_ordinary_report_text_passes(text):
    assert scan_text(text, "x.html", NAMES) == []


def test_a_finding_says_where_it_is_and_masks_a_listed_name():
    text = "Introduction\nSee Sarah Whitfield.\nCall 07700 900123."
    assert scan_text(text, "report.html", NAMES) == [
        Finding("report.html", "a listed name", "S… W…", 2),
        Finding("report.html", "a phone number", "07700 900123", 3),
    ]
    finding = scan_text(text, "report.html", NAMES)[1]
    assert str(finding) == "report.html, line 3: a phone number (07700 900123)"
    assert finding.masked == "…123"


def test_without_a_name_list_names_pass():
    assert scan_text("Thanks to Sarah Whitfield", "x.html") == []


def test_scan_reads_each_public_file(tmp_path):
    html = tmp_path / "a.html"
    html.write_text(
        '<html><head><style>.x{content:"07700 900123"}</style></head>'
        '<body><p>Fine.</p><img alt="Sarah at home"></body></html>',
        encoding="utf-8",
    )
    table = tmp_path / "t.csv"
    table.write_text("grade,count\nGood,5\n", encoding="utf-8")
    findings = scan([(html, "a.html"), (table, "data/t.csv")], NAMES)
    # The CSS is read too: a browser shows what `content:` says.
    assert [(f.file, f.kind, f.where) for f in findings] == [
        ("a.html", "a phone number", "<style>"),
        ("a.html", "a listed name", "the alt of <img>"),
    ]


def test_nhs_check_digit():
    assert nhs_number_is_valid("9434765919")
    assert not nhs_number_is_valid("9434765918")
    assert not nhs_number_is_valid("123")


# One identifier of each kind the gate looks for, set the ways a report sets text: in a page
# footer, a heading, a paragraph, bold, table cells, and a column so narrow that "step-down"
# breaks at its hyphen and "Sarah Whitfield" across two lines.
PLANTED_PDF = r"""
#set text(font: "Atkinson Hyperlegible", size: 10pt, lang: "en", region: "gb")
#set page(paper: "a4", footer: [Questions to someone\@example.org])
= Thanks to Kayleigh

Ring 07700 900123 today, or give NHS *943 476 5919* in bold.

#table(columns: 3, [Area], [Postcode], [Recorded], [North], [LA1 4XY], [DOB 12/03/2015])

#block(width: 2.2cm)[The step-down plan was agreed with Sarah Whitfield in March.]
"""


def _pdf(tmp_path, markup: str):
    import typst

    source = tmp_path / "planted.typ"
    source.write_text(markup, encoding="utf-8")
    pdf = tmp_path / "planted.pdf"
    pdf.write_bytes(typst.compile(str(source), font_paths=[str(ROOT / "report" / "fonts")]))
    return pdf


def test_the_gate_finds_every_kind_of_identifier_planted_in_a_pdf(tmp_path):
    pdf = _pdf(tmp_path, PLANTED_PDF)
    findings = scan([(pdf, "report.pdf")], NAMES)
    assert {f.kind for f in findings} == {KINDS[kind].description for kind in GATE_KINDS}, findings
    assert {f.file for f in findings} == {"report.pdf"}
    # The heading is the first line of the first page.
    assert Finding("report.pdf", "a listed name", "K…", 1) in findings
    assert "S… W…" in {f.text for f in findings}  # the name wrapped onto two lines, found whole


def test_pdf_text_reads_lines_as_a_reader_does(tmp_path):
    text = pdf_text(_pdf(tmp_path, PLANTED_PDF))
    assert "\r" not in text and "\x02" not in text
    assert "Ring 07700 900123 today, or give NHS 943 476 5919 in bold." in text.splitlines()
    # A hyphen that ends a line joins the two halves of the word, as the reader reads it.
    assert "step-down" in text
    assert "Thanks to Kayleigh" in text.splitlines()


def test_the_gate_does_not_import_pandas():
    """The gate runs in every build; it needs redaction's patterns, not pandas (0.3 s)."""
    code = "import sys, auditrap.gate; print('pandas' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr
