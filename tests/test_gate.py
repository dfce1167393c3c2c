"""The publication gate's patterns: what it must catch, and ordinary report text it must not."""

from __future__ import annotations

import re
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
        # The forms copying from Word, a Mac or a PDF leaves (auditrap.normalise).
        ("NHS 943\u2009476\u20095919.", "an NHS number"),
        ("NHS 943.476.5919", "an NHS number"),
        ("NHS 943 - 476 - 5919", "an NHS number"),
        ("NHS 943\u200b476\u200b5919", "an NHS number"),
        ("NHS ９４３ ４７６ ５９１９", "an NHS number"),
        ("ring 07700\u00a0900\u202f123", "a phone number"),
        ("ring 07700/900/123", "a phone number"),
        ("at PR7\u20099QZ", "a UK postcode"),
        ("DOB 12 / 03 / 2015", "a date of birth"),
        ("mail someone\u00ad@example.org", "an e-mail address"),
        ("Thanks to Sar\u00adah", "a listed name"),
        ("the WHIT\u200bFIELD family", "a listed name"),
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


# --- every byte a browser or a PDF viewer can show or send ---------------------------------


def _svg_data_uri(svg: str, *, base64_encoded: bool) -> str:
    import base64
    from urllib.parse import quote

    if base64_encoded:
        return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
    return "data:image/svg+xml," + quote(svg)


HIDDEN_IN_HTML = {
    "data attribute": '<p data-child="NHS 943 476 5919">Fine.</p>',
    "mailto link": '<a href="mailto:someone@example.org">write</a>',
    "percent-encoded mailto": '<a href="mailto:someone%40example.org">write</a>',
    "tel link": '<a href="tel:07700900123">ring</a>',
    "input value": '<input type="hidden" value="PR7 9QZ">',
    "title attribute": '<abbr title="born 3 March 2015">b.</abbr>',
    "aria label": '<span aria-label="Sarah Whitfield">S.</span>',
    "meta content": '<meta name="keywords" content="Kayleigh O\'Brien">',
    "page title": "<title>Report on Kayleigh</title>",
    "css content": '<style>.x::after { content: "07700 900123"; }</style>',
    "css escapes": '<style>.x::after { content: "\\30 7700 \\39 00123"; }</style>',
    "style attribute": "<p style=\"--x: 'someone@example.org'\">Fine.</p>",
    "script": "<script>var who = 'Sarah Whitfield';</script>",
    "script escapes": "<script>var n = '\\u0039\\x34\\u{33} 476 5919';</script>",
    "event handler": "<p onclick=\"alert('07700 900123')\">x</p>",
    "comment": "<!-- child: Sarah Whitfield -->",
    "inline svg text": "<svg><text x='1' y='2'>Kayleigh</text></svg>",
    "svg desc": "<svg><desc>PR7 9QZ</desc></svg>",
    "attribute name": "<p data-9434765919>Fine.</p>",
    "srcdoc": '<iframe srcdoc="&lt;p&gt;Ring 07700 900123&lt;/p&gt;"></iframe>',
    "data uri text": '<a href="data:text/plain,Sarah%20Whitfield">x</a>',
    "data uri base64 text": '<a href="data:text/plain;base64,U2FyYWggV2hpdGZpZWxk">x</a>',
    "svg data uri": '<img alt="" src="'
    + _svg_data_uri("<svg><text>NHS 943 476 5919</text></svg>", base64_encoded=True)
    + '">',
    "percent-encoded svg data uri": '<img alt="" src="'
    + _svg_data_uri("<svg><title>Kayleigh</title></svg>", base64_encoded=False)
    + '">',
    "svg data uri in css": "<style>.x { background: url('"
    + _svg_data_uri("<svg><text>someone@example.org</text></svg>", base64_encoded=True)
    + "'); }</style>",
    "nested svg in svg": '<img alt="" src="'
    + _svg_data_uri(
        '<svg><image href="'
        + _svg_data_uri("<svg><text>PR7 9QZ</text></svg>", base64_encoded=True)
        + '"/></svg>',
        base64_encoded=True,
    )
    + '">',
    "number split by inline markup": "<p>NHS <b>943</b> 476 <span>5919</span></p>",
    "number split by a NUL": "<p>Ring 07700\x00900123</p>",
}


@pytest.mark.parametrize("html", HIDDEN_IN_HTML.values(), ids=HIDDEN_IN_HTML.keys())
def test_the_gate_reads_every_byte_of_a_page(tmp_path, html):
    page = tmp_path / "page.html"
    page.write_text(f"<!DOCTYPE html><html><head></head><body>{html}</body></html>")
    findings = scan([(page, "page.html")], NAMES)
    assert findings, html
    assert {f.file for f in findings} == {"page.html"}


def test_a_finding_says_where_in_the_page_it_is(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        "<html><body>\n<p>Fine.</p>\n"
        '<a href="mailto:someone@example.org">write</a>\n'
        '<img alt="" src="'
        + _svg_data_uri("<svg><text>07700 900123</text></svg>", base64_encoded=True)
        + '">\n</body></html>'
    )
    assert [(f.kind, f.line, f.where) for f in scan([(page, "page.html")], NAMES)] == [
        ("an e-mail address", 3, "the href of <a>"),
        ("a phone number", 4, "a data: URI (image/svg+xml) in the src of <img>"),
    ]
    assert scan([(page, "page.html")], NAMES)[0].location == "line 3, in the href of <a>"


def test_fonts_pictures_and_ordinary_page_markup_are_not_findings(tmp_path):
    """The sample's page holds four fonts and charts as data: URIs and inline SVG: none of it
    is text, and none of its numbers is an identifier."""
    import base64

    noise = base64.b64encode(b"9434765919 07700 900123 PR7 9QZ" * 50).decode()
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><style>@font-face { src: url(data:font/ttf;base64,"
        + noise
        + "); } .a { color: #e5e7eb; margin: 0.5rem 1.25rem; }</style></head><body>"
        f'<img alt="A chart" src="data:image/png;base64,{noise}">'
        '<svg viewBox="0 0 600 250"><path d="M0,115.16L12.34,56.78Z" '
        'transform="translate(30.5,0)"/><text>0 1 2 3 4 5 6 7 8 9 10</text></svg>'
        '<span data-lineage="grades.good.count">5</span>'
        "<p>sha256 00c8ce5c1d6912d42fa6f909ab03df5a89675bb1bb26915b6148d4b127c53b14</p>"
        "</body></html>"
    )
    assert scan([(page, "page.html")], NAMES) == []


PLANTED_PDF_METADATA = r"""
#set document(title: "Audit of Kayleigh", author: "someone@example.org", keywords: ("PR7 9QZ",))
#set text(font: "Atkinson Hyperlegible", size: 10pt, lang: "en", region: "gb")
Nothing to see here. #link("tel:07700900123")[Ring us.] #link("https://example.org/9434765919")[Read.]

#figure(image(bytes("<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'/>"), alt: "Sarah at home"))
"""


def test_the_gate_reads_a_pdfs_metadata_links_and_alt_text(tmp_path):
    pdf = _pdf(tmp_path, PLANTED_PDF_METADATA)
    assert not any(
        kind in re.sub(r"\s+", " ", pdf_text(pdf))
        for kind in ("Kayleigh", "example.org", "PR7", "07700", "9434765919", "Sarah")
    )
    findings = scan([(pdf, "report.pdf")], NAMES)
    assert {f.kind for f in findings} == {
        "a listed name",
        "an e-mail address",
        "a UK postcode",
        "a phone number",
        "an NHS number",
    }, findings
    assert all(f.line == 0 and f.where.startswith("the PDF") for f in findings)
    assert "S…" in {f.text for f in findings}  # the figure's alt text
