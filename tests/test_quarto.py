"""The report rendered by real Quarto (`engine: quarto`): the same report as the built-in engine's.

One Quarto build (conftest.py's ``quarto_workspace``: the sample audit and the hostile fixture
audit of tests/test_injection.py, in one run) is checked for what the built-in engine's is
checked for: a self-contained HTML page in en-GB that axe-core finds no WCAG 2.2 AA violation
in, an A4 tagged PDF with its title, language and fonts, the publication gate and the manifest,
and a rebuild byte for byte; and the internal edition's marking (title, banner, noindex, every
PDF page's header and footer, the PDF's metadata), which the gate refuses in the public part. Then the two engines are compared: the visible text of the HTML
and the text of the PDF are the same words, but for what each says about the engine that made
it. Quarto's own rules are checked against it too: how includes are laid out.

Found through an explicit path (AUDITRAP_QUARTO, or .ci/quarto/ that `.ci/run` installs);
skipped without one, except in CI where the shared Quarto is there (see conftest.py).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import test_accessibility as accessibility
from pypdf import PdfReader
from test_accessibility import AXE_RUN, DESKTOP, FOCUSED, NARROW, REFLOW, WCAG_TAGS

from auditrap.editions import INTERNAL_MARKING as MARKING
from auditrap.editions import carries_internal_marking
from auditrap.gate import internal_files_in_public, public_text, scan
from auditrap.render import check_html_is_self_contained, resolve_shortcodes

from conftest import SAMPLE_AUDIT, add_sample_programme
from test_workflow import make_workspace, snakemake

pytestmark = [pytest.mark.e2e, pytest.mark.quarto]

# Headless Chromium and axe-core, as tests/test_accessibility.py sets them up.
axe_source = accessibility.axe_source
browser = accessibility.browser

OUT = Path("report") / "_output"
SAMPLE = OUT / "nai-2018"
EDITIONS = {
    "public": ("nai-2018.html", "nai-2018.pdf"),
    "internal": ("internal/nai-2018-internal.html", "internal/nai-2018-internal.pdf"),
}
# What each engine says about itself: in the accessibility statement (every edition), and in
# "How this report was made" (the technical note, and the internal edition's appendix).
QUARTO_PDF = ["as a tagged PDF, with"]
BUILTIN_PDF = ["as a tagged PDF to the PDF/UA-1 standard, with"]
QUARTO_SOFTWARE = [r"pandoc 3\.6\.1 Rendering engine Quarto 1\.7\.34"]
BUILTIN_SOFTWARE = [r"pandoc \d[\d.]* Rendering engine built-in \(pandoc and typst\)"]
QUARTO_WORDS = {"public": QUARTO_PDF, "internal": QUARTO_SOFTWARE + QUARTO_PDF}
BUILTIN_WORDS = {"public": BUILTIN_PDF, "internal": BUILTIN_SOFTWARE + BUILTIN_PDF}


@pytest.fixture(scope="module")
def quarto(quarto_workspace) -> Path:
    return quarto_workspace


@pytest.fixture(scope="module")
def builtin(tmp_path_factory) -> Path:
    """The sample built by the built-in engine, in the same kind of workspace."""
    workspace = make_workspace(tmp_path_factory.mktemp("builtin"), {"nai-2018": SAMPLE_AUDIT})
    add_sample_programme(workspace)
    result = snakemake(workspace)
    assert result.returncode == 0, result.stderr[-4000:]
    return workspace


def words(path: Path) -> str:
    return re.sub(r"\s+", " ", public_text(path)).strip()


def compared(path: Path, engine_words: list[str]) -> str:
    """The words of a page or PDF, but for what its engine says about itself and the size of
    its PDF in the download line (two PDFs of the same pages differ in size: the built-in
    engine's declares PDF/UA-1)."""
    text = without(words(path), engine_words)
    return re.sub(r"(\(\d+ pages?), [\d.]+ [KM]B\)", r"\1, <size>)", text)


def without(text: str, patterns: list[str]) -> str:
    for pattern in patterns:
        found = re.findall(pattern, text)
        assert found, f"{pattern!r} is not in the text"
        text = re.sub(pattern, "<engine>", text)
    return text


# --------------------------------------------------------------------------------------
# What Quarto made


def test_quarto_rendered_and_the_manifest_says_which_quarto(quarto):
    for audit_id in ("nai-2018", "exploitation-2021"):
        manifest = json.loads((quarto / OUT / audit_id / "manifest.json").read_text())
        assert manifest["environment"]["engine"] == "quarto"
        assert manifest["environment"]["quarto"] == "1.7.34"
    log = (quarto / "logs" / "nai-2018" / "render_report.log").read_text()
    assert "with the Quarto 1.7.34 engine" in log
    note = words(quarto / SAMPLE / "nai-2018-technical.html")
    # The technical note: the engine, and Quarto's own pandoc (3.6.1 in 1.7.34).
    assert "pandoc 3.6.1 Rendering engine Quarto 1.7.34" in note


@pytest.mark.parametrize("edition", list(EDITIONS))
def test_html_is_one_self_contained_page_in_en_gb(quarto, edition):
    path = quarto / SAMPLE / EDITIONS[edition][0]
    html = path.read_text(encoding="utf-8")
    check_html_is_self_contained(html, path.name)
    assert re.search(r'<html[^>]*lang="en-GB"', html)
    assert "<script" not in html and "<link" not in html  # styles and fonts inside
    assert html.count("@font-face") == 4 and "data:font/ttf;base64," in html
    assert html.count("<h1") == 1
    assert '<a class="skip-link" href="#quarto-document-content">' in html
    assert '<main id="quarto-document-content"' in html
    # Two charts, each drawn wide and narrow (styles.css shows one), inline.
    assert html.count('<svg class="chart chart-') == 4
    assert "{{<" not in words(path)


def pdf_tool(*args: str) -> str:
    if not shutil.which(args[0]):
        pytest.skip(f"{args[0]} (poppler-utils) is not installed")
    return subprocess.run(list(args), capture_output=True, check=True, text=True).stdout


@pytest.mark.parametrize("edition", list(EDITIONS))
def test_pdf_is_a4_tagged_titled_in_en_gb_with_its_fonts(quarto, edition):
    pdf = quarto / SAMPLE / EDITIONS[edition][1]
    info = pdf_tool("pdfinfo", str(pdf))
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info)
    assert re.search(r"Tagged:\s+yes", info)
    # The internal edition's title starts with its marking (template.typ), as the built-in
    # engine's does.
    marking = f"{MARKING} – " if edition == "internal" else ""
    assert re.search(rf"Title:\s+{marking}Multi-agency audit: Non-Accidental Injuries", info)
    # SOURCE_DATE_EPOCH: the publication date, never the clock.
    assert re.search(r"CreationDate:\s+Fri Mar  1 00:00:00 2019", info)
    for line in pdf_tool("pdffonts", str(pdf)).splitlines()[2:]:
        name, *rest = line.split()
        assert re.fullmatch(r"[A-Z]{6}\+AtkinsonHyperlegible-\w+", name), line
        assert rest[-5] == "yes", f"not embedded: {line}"
    reader = PdfReader(pdf)
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en-GB"
    assert "/StructTreeRoot" in root
    # The alt text of both charts is in the structure tree (typst-alt.lua, as built-in).
    from test_render import struct_alts

    alts = struct_alts(pdf)
    assert len(alts) == 2 and all(a.startswith("Bar chart") for a in alts), alts


def _qdf(pdf: Path) -> bytes:
    if not shutil.which("qpdf"):
        pytest.skip("qpdf is not installed")
    out = pdf.with_name(pdf.stem + ".qdf.pdf")
    subprocess.run(["qpdf", "--qdf", "--object-streams=disable", str(pdf), str(out)], check=False)
    data = out.read_bytes()
    out.unlink()
    return data


@pytest.mark.browser
@pytest.mark.parametrize("width", [DESKTOP, NARROW])
@pytest.mark.parametrize("edition", list(EDITIONS))
def test_axe_finds_no_wcag_22_aa_violation_in_quartos_page(
    quarto, browser, axe_source, edition, width
):
    page = browser.new_page(viewport={"width": width, "height": 800})
    try:
        page.goto((quarto / SAMPLE / EDITIONS[edition][0]).resolve().as_uri())
        page.add_script_tag(content=axe_source)
        violations = page.evaluate(AXE_RUN, WCAG_TAGS)
        assert page.evaluate(REFLOW)["scrollWidth"] <= width, "scrolls sideways"
        page.keyboard.press("Tab")
        first = page.evaluate(FOCUSED)
        assert first["text"] == "Skip to main content", first["html"]
    finally:
        page.close()
    listed = "\n".join(f"  - {v['id']}: {v['help']} at {v['targets'][:5]}" for v in violations)
    assert not violations, f"axe-core found at {width} px:\n{listed}"


def test_the_publication_gate_reads_what_quarto_made(quarto):
    public = [(quarto / SAMPLE / name, name) for name in EDITIONS["public"]]
    assert scan(public) == []  # the gate passed, so the build published
    # And it reads Quarto's page and PDF: a name it is told to refuse is found in both.
    found = {f.file for f in scan(public, ["Lancashire"])}
    assert found == {"nai-2018.html", "nai-2018.pdf"}
    # Quarto's internal edition is refused in the public part, even as a file of its own
    # (not a copy of one in the bundle): by its marking, in the page and in the PDF.
    assert internal_files_in_public(public, []) == []
    internal = [(quarto / SAMPLE / name, name.rsplit("/", 1)[-1]) for name in EDITIONS["internal"]]
    refused = internal_files_in_public(internal, [])
    assert [f.file for f in refused] == ["nai-2018-internal.html", "nai-2018-internal.pdf"]
    assert all("carries the internal edition's marking" in f.why for f in refused)


# --------------------------------------------------------------------------------------
# The internal edition, marked as the built-in engine marks it


def test_quartos_internal_web_page_is_marked_and_not_indexed(quarto):
    html = (quarto / SAMPLE / EDITIONS["internal"][0]).read_text(encoding="utf-8")
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert title.startswith(f"{MARKING} – Multi-agency audit")
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert re.findall(r'<header class="protective-marking"[^>]*>\s*<p>(.*?)</p>', html) == [MARKING]
    public = (quarto / SAMPLE / EDITIONS["public"][0]).read_text(encoding="utf-8")
    assert "noindex" not in public and not carries_internal_marking(public)


def test_every_page_of_quartos_internal_pdf_is_marked_at_its_top_and_bottom(quarto):
    from test_internal_edition import page_lines

    pages = page_lines(quarto / SAMPLE / EDITIONS["internal"][1])
    for number, lines in enumerate(pages, 1):
        assert lines[0] == MARKING and lines[-1] == MARKING, (number, lines[:2], lines[-2:])
        assert lines[-2] == f"Page {number} of {len(pages)}"
    assert PdfReader(quarto / SAMPLE / EDITIONS["internal"][1]).metadata.subject.startswith(MARKING)
    public = quarto / SAMPLE / EDITIONS["public"][1]
    assert not carries_internal_marking(public_text(public))


@pytest.mark.browser
def test_quartos_internal_banner_stays_on_the_screen_at_400_percent_zoom(quarto, browser):
    page = browser.new_page(viewport={"width": NARROW, "height": 256})
    try:
        page.goto((quarto / SAMPLE / EDITIONS["internal"][0]).resolve().as_uri())
        end = page.evaluate("document.documentElement.scrollHeight") - 256
        for fraction in (0, 0.5, 1):
            page.evaluate(f"window.scrollTo(0, {int(end * fraction)})")
            banner = page.evaluate(accessibility.BANNER)
            assert banner["text"] == MARKING and abs(banner["top"]) < 1 and banner["onTop"]
            assert banner["height"] <= 64
        assert page.locator("body").aria_snapshot().count(MARKING) == 1
    finally:
        page.close()


def test_verify_finds_every_file_intact_and_a_rebuild_identical(quarto, quarto_env):
    result = subprocess.run(
        [sys.executable, "-m", "auditrap.cli", "verify", str(SAMPLE), "--rebuild"],
        cwd=quarto,
        capture_output=True,
        text=True,
        env=quarto_env,
        timeout=1800,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "changed" not in result.stdout and "missing" not in result.stdout
    for name in (*EDITIONS["public"], *EDITIONS["internal"], "data/grade_distribution.csv"):
        assert re.search(rf"identical\s+output {re.escape(name)}", result.stdout), name


# --------------------------------------------------------------------------------------
# The same report as the built-in engine's


@pytest.mark.parametrize("edition", list(EDITIONS))
def test_the_two_engines_show_the_same_words_in_the_html(quarto, builtin, edition):
    name = EDITIONS[edition][0]
    from_quarto = compared(quarto / SAMPLE / name, QUARTO_WORDS[edition])
    from_builtin = compared(builtin / SAMPLE / name, BUILTIN_WORDS[edition])
    assert from_quarto == from_builtin


def test_the_two_technical_notes_differ_only_in_the_engine(quarto, builtin):
    name = "nai-2018-technical.html"
    assert compared(quarto / SAMPLE / name, QUARTO_SOFTWARE) == compared(
        builtin / SAMPLE / name, BUILTIN_SOFTWARE
    )


@pytest.mark.parametrize("edition", list(EDITIONS))
def test_the_two_engines_print_the_same_words_in_the_pdf(quarto, builtin, edition):
    name = EDITIONS[edition][1]
    # The same words on the same pages: the contents list's page numbers agree too.
    from_quarto = compared(quarto / SAMPLE / name, QUARTO_WORDS[edition])
    from_builtin = compared(builtin / SAMPLE / name, BUILTIN_WORDS[edition])
    assert from_quarto == from_builtin
    assert len(PdfReader(quarto / SAMPLE / name).pages) == len(
        PdfReader(builtin / SAMPLE / name).pages
    )


# The one-page learning brief (src/auditrap/briefing.py), rendered by the same engine as the
# report; it says nothing about its engine, so the two engines' words are the same outright.
BRIEF = ("nai-2018-briefing.html", "nai-2018-briefing.pdf")


def test_quartos_learning_brief_is_one_tagged_a4_page_with_its_fonts(quarto):
    html_path, pdf = (quarto / SAMPLE / name for name in BRIEF)
    html = html_path.read_text(encoding="utf-8")
    check_html_is_self_contained(html, html_path.name)
    assert re.search(r'<html[^>]*lang="en-GB"', html) and html.count("<h1") == 1
    info = pdf_tool("pdfinfo", str(pdf))
    assert re.search(r"^Pages:\s+1$", info, re.M), info
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info)
    assert re.search(r"Tagged:\s+yes", info)
    assert re.search(r"Title:\s+Learning brief: Multi-agency audit: Non-Accidental Injuries", info)
    for line in pdf_tool("pdffonts", str(pdf)).splitlines()[2:]:
        assert line.split()[-5] == "yes", f"not embedded: {line}"
    assert PdfReader(pdf).trailer["/Root"]["/Lang"] == "en-GB"


@pytest.mark.parametrize("name", BRIEF)
def test_the_two_engines_give_the_learning_brief_the_same_words(quarto, builtin, name):
    assert compared(quarto / SAMPLE / name, []) == compared(builtin / SAMPLE / name, [])


def test_the_builtin_pdf_declares_pdf_ua_1_and_quarto_1_7s_does_not(quarto, builtin):
    # Quarto 1.7 ignores pdf-standard (1.9 passes it to typst): the difference the report's
    # accessibility statement and the README state.
    def declared(pdf: Path) -> bool:
        return b"pdfuaid:part" in _qdf(pdf)

    assert declared(builtin / SAMPLE / "nai-2018.pdf")
    assert not declared(quarto / SAMPLE / "nai-2018.pdf")


# --------------------------------------------------------------------------------------
# The board's assurance report, rendered by Quarto

BOARD = OUT / "boards" / "lancashire-safeguarding-children-board"
BOARD_FILES = (
    "lancashire-safeguarding-children-board.html",
    "lancashire-safeguarding-children-board.pdf",
)


def test_the_boards_report_is_rendered_by_quarto(quarto):
    manifest = json.loads((quarto / BOARD / "manifest.json").read_text())
    assert manifest["environment"]["engine"] == "quarto"
    html_path, pdf = (quarto / BOARD / name for name in BOARD_FILES)
    html = html_path.read_text(encoding="utf-8")
    check_html_is_self_contained(html, html_path.name)
    assert re.search(r'<html[^>]*lang="en-GB"', html) and html.count("<h1") == 1
    assert "<script" not in html and "<link" not in html
    text = words(html_path)
    assert "{{<" not in text and "To be written" not in text  # the sample's narrative, whole
    assert "Information sharing with GPs has been a finding of 3 of the Board's 4 audits" in (
        text.replace("\u2019", "'")
    )
    info = pdf_tool("pdfinfo", str(pdf))
    assert re.search(r"Tagged:\s+yes", info) and re.search(r"\(A4\)", info)
    root = PdfReader(pdf).trailer["/Root"]
    assert root["/Lang"] == "en-GB" and "/StructTreeRoot" in root
    # The hostile audit's board (tests/test_injection.py) has its own report, built too.
    assert len(list((quarto / OUT / "boards").iterdir())) == 2


def test_the_two_engines_show_the_same_words_in_the_boards_report(quarto, builtin):
    name = BOARD_FILES[0]
    # The board's report says which engine made it as the public edition does: in its
    # accessibility statement ("How this report was made" is in its technical note).
    assert compared(quarto / BOARD / name, QUARTO_WORDS["public"]) == compared(
        builtin / BOARD / name, BUILTIN_WORDS["public"]
    )


def test_the_boards_technical_notes_differ_only_in_the_engine_and_config(quarto, builtin):
    name = "lancashire-safeguarding-children-board-technical.html"
    # The board's note lists every input of its manifest, config.yaml among them: the two
    # workspaces' differ (the engine, and the Quarto workspace's second audit).
    config = [r"config\.yaml [0-9a-f]{64}"]
    assert compared(quarto / BOARD / name, QUARTO_SOFTWARE + config) == compared(
        builtin / BOARD / name, BUILTIN_SOFTWARE + config
    )


@pytest.mark.browser
@pytest.mark.parametrize("width", [DESKTOP, NARROW])
def test_axe_finds_no_violation_in_quartos_board_report(quarto, browser, axe_source, width):
    page = browser.new_page(viewport={"width": width, "height": 800})
    try:
        page.goto((quarto / BOARD / BOARD_FILES[0]).resolve().as_uri())
        page.add_script_tag(content=axe_source)
        violations = page.evaluate(AXE_RUN, WCAG_TAGS)
        assert page.evaluate(REFLOW)["scrollWidth"] <= width, "scrolls sideways"
    finally:
        page.close()
    listed = "\n".join(f"  - {v['id']}: {v['help']} at {v['targets'][:5]}" for v in violations)
    assert not violations, f"axe-core found at {width} px:\n{listed}"


# --------------------------------------------------------------------------------------
# Quarto's rules, which the built-in engine follows


def test_includes_are_laid_out_as_quarto_lays_them_out(quarto_env, tmp_path):
    # Paragraph breaks around included files, nested includes resolved against the main
    # document: Quarto's layout, and the built-in engine's (the same source as the unit test
    # in tests/test_render.py).
    from test_render import INCLUDE_LAYOUT, pandoc

    (tmp_path / "narrative").mkdir()
    (tmp_path / "narrative" / "a.md").write_text("P\n{{< include narrative/b.md >}}\nQ\n")
    (tmp_path / "narrative" / "b.md").write_text("B")
    (tmp_path / "narrative" / "x.md").write_text("X")
    (tmp_path / "_quarto.yml").write_text("project:\n  type: default\n")
    (tmp_path / "report.qmd").write_text("---\ntitle: T\n---\n\n" + INCLUDE_LAYOUT)
    result = subprocess.run(
        ["quarto", "render", "report.qmd", "--to", "plain"],
        cwd=tmp_path,
        env=quarto_env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    by_quarto = (tmp_path / "report.txt").read_text().split("\n\n")
    resolved = resolve_shortcodes(
        INCLUDE_LAYOUT, variables={}, metadata={}, base_dir=tmp_path, source="report.qmd"
    )
    by_builtin = pandoc(["-f", "markdown", "-t", "plain"], resolved).split("\n\n")
    assert [p.strip() for p in by_quarto if p.strip()][-5:] == ["S", "P B", "Q", "E A X", "B"]
    assert [p.strip() for p in by_builtin if p.strip()] == ["S", "P B", "Q", "E A X", "B"]


# --------------------------------------------------------------------------------------
# How the tests find Quarto (no Quarto needed)


def test_quarto_is_found_only_through_an_explicit_path(tmp_path, monkeypatch):
    from conftest import find_quarto

    monkeypatch.setenv("PATH", "/usr/bin:/bin")  # a quarto on PATH is never what is tested
    monkeypatch.setenv("AUDITRAP_QUARTO", str(tmp_path / "nowhere"))
    quarto, why = find_quarto()
    assert quarto is None and "no quarto command at AUDITRAP_QUARTO=" in why
    install = tmp_path / "install"
    (install / "bin").mkdir(parents=True)
    command = install / "bin" / "quarto"
    command.write_text("#!/bin/sh\necho 'cannot start' >&2\nexit 3\n")
    command.chmod(0o755)
    monkeypatch.setenv("AUDITRAP_QUARTO", str(install))  # the folder of bin/ will do
    quarto, why = find_quarto()
    assert quarto is None and "--version failed: cannot start" in why
    command.write_text("#!/bin/sh\necho 1.7.34\n")
    assert find_quarto() == (command, "")
    monkeypatch.setenv("AUDITRAP_QUARTO", str(command))  # and so will the command itself
    assert find_quarto() == (command, "")
