"""The one-page learning brief (src/auditrap/briefing.py), as a practitioner and a publisher
would check it.

One build of the sample (which has both of the brief's narrative sections) and the fixture
audit (which has neither) is shared by most tests: the brief is one A4 page, tagged, titled,
in en-GB with its fonts; its web page is self-contained and links the full report, which links
it back; it is in the manifest and `auditrap verify` checks it; every number in it is one of
the report's variables; a missing section is a publisher warning and a visible note. A copy of
that build is then broken: an identifier planted in the brief's narrative stops publication
and nothing published changes. The one-page check is tried with narrative too long to fit,
rendered directly (about a second with the built-in engine). Its accessibility in a browser
is checked with the other pages, in tests/test_accessibility.py; with Quarto, in
tests/test_quarto.py.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import sys
from html import unescape
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from auditrap.briefing import (
    MOST_FINDINGS,
    BriefingTooLong,
    brief_findings,
    good_practice_fallback,
    grades_sentence,
    key_findings_part,
    render_briefing,
)
from auditrap.pipeline import StageError
from auditrap.provenance import sha256
from auditrap.readiness import to_be_written_warnings
from auditrap.render import check_html_is_self_contained
from auditrap.render.engine import resolve_engine

from conftest import FIXTURE_AUDIT, SAMPLE_AUDIT
from test_workflow import html_text, make_workspace, pdf_text, snakemake

pytestmark = pytest.mark.e2e

OUT = Path("report") / "_output"
AUDITS = ("nai-2018", "exploitation-2021")
SECTIONS = [
    "What the audit looked at",
    "Key findings",
    "What good looks like",
    "Questions for practitioners",
    "Where to find the full report",
]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The sample and the fixture audit (no narrative), built in one run."""
    workspace = make_workspace(
        tmp_path_factory.mktemp("briefing"),
        {"nai-2018": SAMPLE_AUDIT, "exploitation-2021": FIXTURE_AUDIT},
    )
    result = snakemake(workspace)
    assert result.returncode == 0, result.stderr[-5000:]
    (workspace / "build.log").write_text(result.stderr)
    return workspace


def brief(workspace: Path, audit_id: str, suffix: str) -> Path:
    return workspace / OUT / audit_id / f"{audit_id}-briefing.{suffix}"


def variables_of(workspace: Path, audit_id: str) -> dict:
    path = workspace / "data" / "processed" / audit_id / "variables.yml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def value(variables: dict, key: str):
    for part in key.split("."):
        variables = variables[part]
    return variables


def pdf_tool(*args: str) -> str:
    if not shutil.which(args[0]):
        pytest.skip(f"{args[0]} (poppler-utils) is not installed")
    return subprocess.run(list(args), capture_output=True, check=True, text=True).stdout


# --------------------------------------------------------------------------------------
# One A4 page, tagged, titled, in en-GB, with its fonts


@pytest.mark.parametrize("audit_id", AUDITS)
def test_the_brief_is_one_a4_page_tagged_titled_in_en_gb_with_its_fonts(built, audit_id):
    pdf = brief(built, audit_id, "pdf")
    info = pdf_tool("pdfinfo", str(pdf))
    assert re.search(r"^Pages:\s+1$", info, re.M), info
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info)
    assert re.search(r"Tagged:\s+yes", info)
    audit = variables_of(built, audit_id)["audit"]
    assert re.search(rf"Title:\s+Learning brief: {re.escape(audit['title'])}$", info, re.M), info
    # The publication date, never the clock (a rebuild is byte for byte the same).
    published = dt.date.fromisoformat(str(audit["published_iso"]))
    assert re.search(rf"CreationDate:.* {published.day} 00:00:00 {published.year}", info), info
    fonts = pdf_tool("pdffonts", str(pdf)).splitlines()[2:]
    assert fonts
    for line in fonts:
        name, *rest = line.split()
        assert re.fullmatch(r"[A-Z]{6}\+AtkinsonHyperlegible-\w+", name), line
        assert rest[-5] == "yes", f"not embedded: {line}"
    root = PdfReader(pdf).trailer["/Root"]
    assert root["/Lang"] == "en-GB"
    assert "/StructTreeRoot" in root
    # Every section is on the page, in order, and nothing is cut: the last words are there.
    text = pdf_text(pdf)
    positions = [text.find(heading) for heading in SECTIONS]
    assert -1 not in positions and positions == sorted(positions), positions
    assert f"{audit_id}.pdf" in text.split("Where to find the full report")[1]


@pytest.mark.parametrize("audit_id", AUDITS)
def test_the_brief_page_is_self_contained_in_en_gb_with_its_five_sections(built, audit_id):
    path = brief(built, audit_id, "html")
    html = path.read_text(encoding="utf-8")
    check_html_is_self_contained(html, path.name)
    assert re.search(r'<html[^>]*lang="en-GB"', html)
    assert "<script" not in html and "<link" not in html
    assert html.count("@font-face") == 4 and "data:font/ttf;base64," in html
    assert html.count("<h1") == 1
    assert re.findall(r"<h2[^>]*>(.*?)</h2>", html) == SECTIONS
    assert "{{<" not in html_text(path)
    # The web page and the PDF say the same: the PDF's words, in the page's order.
    page, pdf = html_text(path), pdf_text(brief(built, audit_id, "pdf"))
    for heading in SECTIONS:
        assert heading in pdf
    [findings] = re.findall(r"<ol[^>]*>(.*?)</ol>", html, re.S)
    for item in re.findall(r"<li>(.*?)</li>", findings, re.S):
        sentence = re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", item))).strip()
        assert sentence in pdf, sentence
    assert "Download this brief as a PDF (1 page," in page
    # How to ask for another format: config.yaml's contact (here the default), as a sentence.
    assert re.search(r"such as large print or easy read: the board.s .* website\.$", page.strip())
    # The brief's own styles (report/briefing/styles.css) are in the page, after the report's.
    assert html.index("#title-block-header {") < html.index("background: #12436d")


# --------------------------------------------------------------------------------------
# Linked both ways, and from the programme page


@pytest.mark.parametrize("edition", ["public", "internal"])
def test_the_report_links_its_brief_and_the_brief_links_the_report(built, edition):
    out = built / OUT / "nai-2018"
    page = (
        out / "nai-2018.html"
        if edition == "public"
        else out / "internal" / "nai-2018-internal.html"
    )
    header = re.search(
        r'<p class="downloads">(.*?)</p>', page.read_text(encoding="utf-8"), re.S
    ).group(1)
    links = dict(
        (href, re.sub(r"<[^>]+>", "", text))
        for href, text in re.findall(r'<a href="([^"]+)">(.*?)</a>', header)
    )
    [to_brief] = [href for href in links if href.endswith("nai-2018-briefing.html")]
    assert (page.parent / to_brief).resolve() == brief(built, "nai-2018", "html").resolve()
    assert (page.parent / to_brief).is_file()
    assert "learning brief" in links[to_brief]
    # And back: the brief's links to the full report work in the published folder.
    html = brief(built, "nai-2018", "html").read_text(encoding="utf-8")
    for href in ("nai-2018.html", "nai-2018.pdf", "nai-2018-briefing.pdf"):
        assert f'href="{href}"' in html
        assert (out / href).is_file()


def test_the_programme_page_links_every_brief(built):
    page = (built / OUT / "index.html").read_text(encoding="utf-8")
    for audit_id in AUDITS:
        assert f'href="{audit_id}/{audit_id}-briefing.html"' in page
    assert "and a one-page learning brief for practitioners" in page


# --------------------------------------------------------------------------------------
# In the manifest, and verified


def test_the_brief_is_in_the_manifest_and_verify_names_a_changed_one(built):
    out = built / OUT / "nai-2018"
    manifest = json.loads((out / "manifest.json").read_text())
    for suffix in ("html", "pdf"):
        name = f"nai-2018-briefing.{suffix}"
        assert manifest["outputs"][name] == sha256(out / name), name
    # The brief's narrative is an input of the build.
    inputs = manifest["inputs"]
    for stem in ("what-good-looks-like", "questions"):
        assert any(p.endswith(f"nai-2018/narrative/{stem}.md") for p in inputs), stem

    def verify() -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "auditrap.cli", "verify", str(OUT / "nai-2018")],
            cwd=built,
            capture_output=True,
            text=True,
            timeout=300,
        )

    ok = verify()
    assert ok.returncode == 0, ok.stdout + ok.stderr
    pdf = brief(built, "nai-2018", "pdf")
    original = pdf.read_bytes()
    try:
        pdf.write_bytes(original.replace(b"Learning brief", b"Learning briefs", 1))
        bad = verify()
    finally:
        pdf.write_bytes(original)
    assert bad.returncode == 1
    assert "changed    output report/_output/nai-2018/nai-2018-briefing.pdf" in bad.stdout


# --------------------------------------------------------------------------------------
# Every number is one of the report's variables


@pytest.mark.parametrize("audit_id", AUDITS)
def test_every_number_in_the_brief_is_one_of_the_reports_variables(built, audit_id):
    variables = variables_of(built, audit_id)
    html = brief(built, audit_id, "html").read_text(encoding="utf-8")
    main = html[html.index("<h2") : html.index("</main>")]
    shown = re.findall(r'<span data-lineage="([^"]+)">([^<]*)</span>', main)
    assert len(shown) >= 8, shown
    for key, text in shown:
        assert str(value(variables, key)) == text, key
        assert not text.isdigit() or int(text) == value(variables, key)
    # The same numbers are the report's: each key is marked in the report too, or is one of
    # its variables' values (the report and the brief read the same _variables.yml).
    report = (built / OUT / audit_id / f"{audit_id}.html").read_text(encoding="utf-8")
    in_report = dict(re.findall(r'<span data-lineage="([^"]+)">([^<]*)</span>', report))
    for key, text in shown:
        if key in in_report:
            assert in_report[key] == text, key
    # No other number in the brief's own words: take away the marked numbers, the numbered
    # list, and audit.yaml's own text (its period, the reviews it answers, the file names),
    # and no digit is left.
    text = unescape(re.sub(r'<span data-lineage="[^"]+">[^<]*</span>', "", main))
    text = re.sub(r"<[^>]+>", " ", text)
    audit = variables["audit"]
    meta = json.loads((built / "data" / "processed" / audit_id / "audit.json").read_text())
    for own in [
        audit["period"],
        audit["id"],
        *(entry["review"] for entry in meta.get("responds_to") or []),
        *(entry["recommendation"] for entry in meta.get("responds_to") or []),
    ]:
        text = text.replace(str(own), "")
    assert not re.findall(r"\d+", text), re.findall(r".{30}\d+.{30}", text)


def test_the_brief_shows_the_counts_the_variables_hold(built):
    """The brief's words are made from the variables, not written down: changed counts
    change the brief."""
    variables = variables_of(built, "nai-2018")
    text = grades_sentence(variables)
    assert "{{< var grades.good.count >}} good" in text
    assert "none outstanding" in text  # a zero is a word, never a slashed 0
    variables["grades"]["outstanding"]["count"] = 2
    assert "{{< var grades.outstanding.count >}} outstanding" in grades_sentence(variables)
    variables["cases"]["ratified"] = 0
    assert grades_sentence(variables).startswith("None of the {{< var cases.total >}}")


def test_a_long_list_of_findings_is_cut_and_says_so():
    themes = {
        f"t{i}": {
            "cases": 1,
            "concern": {"returns": 1, "cases": 1},
            "good_practice": {"returns": 1},
        }
        for i in range(MOST_FINDINGS + 3)
    }
    variables = {
        "audit": {"findings": []},
        "themes": {**themes, "quiet": {"cases": 0}},
        "cases": {"ratified": 0, "total": 9},
        "grades": {},
    }
    findings = brief_findings(variables)
    assert findings == list(themes)
    # As the report's: a theme no return spoke of is a finding when the analyst wrote it up.
    assert brief_findings(variables, {"finding-quiet"}) == [*themes, "quiet"]
    # audit.yaml's own list, in its order, keeps only themes the data has.
    variables["audit"]["findings"] = ["t2", "t0", "nowhere"]
    assert brief_findings(variables) == ["t2", "t0"]
    part = key_findings_part(variables, findings, {t: f"Theme {t}" for t in themes})
    assert part.count("**Theme t") == MOST_FINDINGS
    assert "The full report describes 3 more findings." in part


def test_without_the_analysts_section_good_practice_comes_from_the_data():
    variables = {
        "themes": {
            "a": {"good_practice": {"returns": 2}},
            "b": {"good_practice": {"returns": 9}},
            "c": {"good_practice": {"returns": "[c]"}},  # hidden: cannot be ranked
            "d": {"good_practice": {"returns": 0}},
        }
    }
    text = good_practice_fallback(variables, ["a", "b", "c", "d"], {"b": "Record keeping"})
    assert text.startswith("The audit returns noted good practice most often in record keeping")
    assert "{{< var themes.b.good_practice.returns >}}" in text
    assert " c " not in text and "themes.c" not in text and "themes.d" not in text
    assert "noted no good practice" in good_practice_fallback(variables, ["d"], {})


# --------------------------------------------------------------------------------------
# A missing section: a note in the brief, and a publisher warning


def test_a_missing_section_is_a_note_in_the_brief_and_a_publisher_warning(built):
    text = html_text(brief(built, "exploitation-2021", "html"))
    assert text.count("The analyst has not written this part yet.") == 2
    assert "narrative/what-good-looks-like.md" in text and "narrative/questions.md" in text
    # The data's own text stands in for "What good looks like".
    assert "The audit returns noted good practice most often in" in text
    # Recorded by the render job, and listed at the end of the build.
    processed = built / "data" / "processed"
    record = json.loads(
        (processed / "exploitation-2021" / "briefing.to-be-written.json").read_text()
    )
    assert record == {
        "document": "the learning brief",
        "sections": ["narrative/what-good-looks-like.md", "narrative/questions.md"],
    }
    log = (built / "build.log").read_text()
    assert re.search(
        r"exploitation-2021: The learning brief has 2 sections still to be written, shown with "
        r'a "To be written" note: data/raw/exploitation-2021/narrative/what-good-looks-like\.md, '
        r"data/raw/exploitation-2021/narrative/questions\.md\.",
        log,
    ), log[-3000:]
    assert "nai-2018: The learning brief" not in log
    sample = json.loads((processed / "nai-2018" / "briefing.to-be-written.json").read_text())
    assert sample["sections"] == []
    assert "The analyst has not written this part yet." not in html_text(
        brief(built, "nai-2018", "html")
    )


def test_the_brief_records_what_is_still_to_be_written_before_it_renders(built, tmp_path):
    """One section written, one not: the record (and so the warning) names the one missing,
    and it is written even when the render then fails (here: too long for one page)."""
    record = tmp_path / "briefing.to-be-written.json"
    render_sample_brief(built, tmp_path, {"questions": QUESTIONS}, to_be_written_out=record)
    assert json.loads(record.read_text())["sections"] == ["narrative/what-good-looks-like.md"]
    config = {"processed_dir": str(tmp_path / "processed"), "raw_dir": "data/raw"}
    (tmp_path / "processed" / "a").mkdir(parents=True)
    record.rename(tmp_path / "processed" / "a" / record.name)
    [warning] = to_be_written_warnings("a", config, tmp_path)
    assert warning.startswith("The learning brief has 1 section still to be written")
    assert "data/raw/a/narrative/what-good-looks-like.md. Write it" in warning
    again = tmp_path / "again.to-be-written.json"
    with pytest.raises(BriefingTooLong):
        render_sample_brief(
            built, tmp_path, {"what-good-looks-like": LONG_PRACTICE}, to_be_written_out=again
        )
    assert json.loads(again.read_text())["sections"] == ["narrative/questions.md"]


# --------------------------------------------------------------------------------------
# Gated: an identifier in the brief's narrative stops publication


@pytest.mark.parametrize(
    ("stem", "planted", "found"),
    [
        (
            "what-good-looks-like",
            "- **Calling back.** The duty worker rang the family on 07700 900123.\n",
            r"a phone number",
        ),
        (
            "questions",
            "- Would you have spoken to Jessica Thornley yourself?\n",
            r"a listed name \(J… T…\)",
        ),
    ],
)
def test_an_identifier_in_the_briefs_narrative_stops_publication(
    built, tmp_path, stem, planted, found
):
    # A copy of the shared build, so that only the render and what follows run again.
    workspace = tmp_path / "workspace"
    shutil.copytree(built, workspace, symlinks=True)
    private = workspace / "data" / "private" / "nai-2018"
    private.mkdir(parents=True, exist_ok=True)
    (private / "names.txt").write_text("# fictional\nJessica Thornley\n")
    published = workspace / OUT
    before = {p: p.read_bytes() for p in published.rglob("*") if p.is_file()}
    path = workspace / "data" / "raw" / "nai-2018" / "narrative" / f"{stem}.md"
    path.write_text(path.read_text(encoding="utf-8") + planted, encoding="utf-8")
    result = snakemake(workspace)
    assert result.returncode != 0
    assert re.search(rf"nai-2018-briefing\.html, line \d+: {found}", result.stderr), result.stderr[
        -3000:
    ]
    assert re.search(rf"nai-2018-briefing\.pdf, line \d+: {found}", result.stderr)
    assert "900123" not in result.stderr and "Thornley" not in result.stderr
    assert "Traceback" not in result.stderr
    after = {p: p.read_bytes() for p in published.rglob("*") if p.is_file()}
    assert after == before


# --------------------------------------------------------------------------------------
# One page, or a clear message


def render_sample_brief(
    workspace: Path,
    tmp_path: Path,
    narrative: dict[str, str],
    to_be_written_out: Path | None = None,
    **meta,
):
    """Render the sample's brief straight from its built variables, with the given narrative
    sections, by the built-in engine (about a second)."""
    processed = workspace / "data" / "processed" / "nai-2018"
    variables = yaml.safe_load((processed / "variables.yml").read_text(encoding="utf-8"))
    audit_meta = {**json.loads((processed / "audit.json").read_text()), **meta}
    folder = tmp_path / "narrative"
    folder.mkdir(exist_ok=True)
    files = []
    for stem, text in narrative.items():
        (folder / f"{stem}.md").write_text(text, encoding="utf-8")
        files.append(folder / f"{stem}.md")
    html, pdf = tmp_path / "brief.html", tmp_path / "brief.pdf"
    render_briefing(
        tmp_path / "build",
        report_dir=workspace / "report",
        variables=variables,
        meta=audit_meta,
        narrative_files=files,
        theme_titles={t: t.replace("-", " ").capitalize() for t in variables["themes"]},
        html_out=html,
        pdf_out=pdf,
        engine=resolve_engine("builtin"),
        published=dt.date(2019, 3, 1),
        to_be_written_out=to_be_written_out,
    )
    return html, pdf


LONG_PRACTICE = "".join(
    f"- **Practice {i}.** A health visitor who saw bruising on a baby who could not yet crawl "
    "knew it is never normal, followed the bruising protocol and referred that morning.\n"
    for i in range(1, 26)
)
QUESTIONS = "- Who else needs to know today?\n- Where would a colleague find the outcome?\n"


def test_a_brief_that_fits_is_one_page(built, tmp_path):
    html, pdf = render_sample_brief(
        built,
        tmp_path,
        {"what-good-looks-like": LONG_PRACTICE[:400] + "\n", "questions": QUESTIONS},
    )
    assert len(PdfReader(pdf).pages) == 1 and html.is_file()


def test_narrative_too_long_for_one_page_stops_with_a_message_and_leaves_no_brief(built, tmp_path):
    with pytest.raises(BriefingTooLong) as caught:
        render_sample_brief(
            built, tmp_path, {"what-good-looks-like": LONG_PRACTICE, "questions": QUESTIONS}
        )
    message = str(caught.value)
    assert "The learning brief of 'nai-2018' does not fit on one A4 page" in message
    assert "so nothing was published" in message
    words = re.search(r"about (\d+) words? run onto a second page", message)
    assert words and int(words.group(1)) > 10, message
    assert re.search(
        r'Shorten narrative/what-good-looks-like\.md \("What good looks like", now \d+ words\) '
        rf"by about {words.group(1)} words, or shorten narrative/questions\.md \(\d+ words\) "
        "instead, and run the report again.",
        message,
    ), message
    # Neither a two-page PDF nor its web page is left behind to be published.
    assert not (tmp_path / "brief.pdf").exists() and not (tmp_path / "brief.html").exists()


def test_without_the_analysts_sections_an_overflow_names_the_findings(built, tmp_path):
    long_review = " ".join(["An independent review of practice across the partnership"] * 40)
    with pytest.raises(BriefingTooLong) as caught:
        render_sample_brief(
            built,
            tmp_path,
            {},
            responds_to=[{"review": long_review, "recommendation": long_review}],
        )
    message = str(caught.value)
    assert "The analyst has written none of its sections" in message
    assert f"the brief shows at most {MOST_FINDINGS}" in message


def test_the_workflow_reports_an_overlong_brief_plainly_and_publishes_nothing(built, tmp_path):
    workspace = tmp_path / "workspace"
    shutil.copytree(built, workspace, symlinks=True)
    published = workspace / OUT
    before = {p: p.read_bytes() for p in published.rglob("*") if p.is_file()}
    path = workspace / "data" / "raw" / "nai-2018" / "narrative" / "what-good-looks-like.md"
    path.write_text(LONG_PRACTICE, encoding="utf-8")
    result = snakemake(workspace)
    assert result.returncode != 0
    assert "The learning brief of 'nai-2018' does not fit on one A4 page" in result.stderr
    assert "Shorten narrative/what-good-looks-like.md" in result.stderr
    assert "Traceback" not in result.stderr
    assert {p: p.read_bytes() for p in published.rglob("*") if p.is_file()} == before


def test_a_stage_error_wraps_the_overflow(monkeypatch, built, tmp_path):
    import auditrap.briefing as briefing

    def too_long(*args, **kwargs):
        raise BriefingTooLong("The learning brief of 'x' does not fit on one A4 page.")

    monkeypatch.setattr(briefing, "render_briefing", too_long)
    processed = built / "data" / "processed" / "nai-2018"
    with pytest.raises(StageError, match="does not fit on one A4 page"):
        briefing.briefing_stage(
            variables_path=processed / "variables.yml",
            theme_counts_path=next(processed.rglob("theme_counts.csv")),
            meta_path=processed / "audit.json",
            narrative=[],
            report_dir=built / "report",
            build_dir=tmp_path / "build",
            html_out=tmp_path / "b.html",
            pdf_out=tmp_path / "b.pdf",
            engine="builtin",
        )


@pytest.mark.parametrize(
    ("stem", "text"),
    [
        ("what-good-looks-like", "- <b onmouseover=alert(1)>Acting</b> the same day.\n"),
        ("questions", "- Who needs to know? See [the record](file:///etc/passwd).\n"),
    ],
)
def test_the_briefs_sections_are_checked_as_every_narrative_file_is(tmp_path, stem, text):
    from auditrap.pipeline import check_narrative_stage

    path = tmp_path / "narrative" / f"{stem}.md"
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    with pytest.raises(StageError) as caught:
        check_narrative_stage(audit_dir=None, narrative=[path])
    assert f"{stem}.md, line 1" in str(caught.value), str(caught.value)


def test_the_built_in_engine_embeds_every_listed_stylesheet_in_order(tmp_path):
    """The brief's _quarto.yml lists the report's styles.css and its own, as Quarto embeds
    them; the built-in engine embeds both, in that order, and nothing outside report/."""
    from auditrap.render.engine import RenderError, _embedded_stylesheets

    (tmp_path / "styles.css").write_text("main { color: #0b0c0c; }\n")
    (tmp_path / "briefing").mkdir()
    (tmp_path / "briefing" / "styles.css").write_text("main h2 { color: #12436d; }\n")
    (tmp_path.parent / "outside.css").write_text("body { display: none; }\n")
    both = _embedded_stylesheets(tmp_path, ["styles.css", "briefing/styles.css"])
    assert both.count("<style>") == 2
    assert both.index("#0b0c0c") < both.index("#12436d")
    assert _embedded_stylesheets(tmp_path, None).count("<style>") == 1  # styles.css alone
    for name in ("../outside.css", "briefing/missing.css", "/etc/passwd"):
        with pytest.raises(RenderError, match="is not a file in"):
            _embedded_stylesheets(tmp_path, [name])


def test_the_contact_for_another_format_ends_its_sentence_once():
    from auditrap.briefing import full_report_part

    variables = {"audit": {"id": "a-1", "title": "An audit", "board": "A board"}}
    assert "accessibility" not in full_report_part(variables)
    for contact, ending in [
        ("https://www.example.org/contact-us", "{{< var accessibility.contact >}}.\n"),
        ("our website.", "{{< var accessibility.contact >}}\n"),
    ]:
        text = full_report_part(variables, contact=contact)
        assert text.endswith(ending), text
        assert contact not in text  # shown from the variables, as text, never as Markdown


def test_the_brief_names_the_findings_as_the_report_does(built):
    """The same findings, in the same order, under the same headings: the audit's own (a
    finding's narrative front matter), else the taxonomy's."""
    for audit_id in AUDITS:
        report = (built / OUT / audit_id / f"{audit_id}.html").read_text(encoding="utf-8")
        headings = [
            unescape(re.sub(r"<[^>]+>", "", h))
            for h in re.findall(r"<h3[^>]*>\d+\. (.*?)</h3>", report, re.S)
        ]
        html = brief(built, audit_id, "html").read_text(encoding="utf-8")
        [findings] = re.findall(r"<ol[^>]*>(.*?)</ol>", html, re.S)
        named = [unescape(t) for t in re.findall(r"<li><p><strong>(.*?)\.</strong>", findings)]
        assert headings and named == headings[: len(named)], (named, headings)
    # The sample's own headings, where they differ from the taxonomy's.
    sample = html_text(brief(built, "nai-2018", "html"))
    assert (
        "Step down process from Children's Social Care to Child and Family Wellbeing service"
        in (sample)
    )


def test_a_draft_brief_says_so_in_its_own_words():
    from auditrap.briefing import status_note

    final = {"document": {"approved": True}, "review": {"draft": False, "unreviewed": 0}}
    assert status_note(final) == ""
    draft = {"document": {"approved": False}, "review": {"draft": True, "unreviewed": 1}}
    note = status_note(draft)
    assert note.startswith('::: {.callout-warning title="Not yet final"}')
    assert "The report this brief comes from has not yet been approved" in note
    assert "{{< var review.unreviewed >}} theme suggestion not yet reviewed" in note
    assert "About this report" not in note  # a section of the report, not of the brief


def test_the_fixtures_brief_is_marked_as_a_draft(built):
    text = html_text(brief(built, "exploitation-2021", "html"))
    assert text.index("Not yet final") < text.index("What the audit looked at")
    assert "theme suggestions not yet reviewed" in text
    assert "Not yet final" not in html_text(brief(built, "nai-2018", "html"))
