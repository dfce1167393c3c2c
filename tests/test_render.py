"""The report rendering engine: shortcodes, safe Markdown, HTML and PDF output."""

from __future__ import annotations

import base64
import datetime
import json
import os
import re
import shutil
import stat
import struct
import subprocess
import sys
import textwrap
import zlib
from html import unescape
from pathlib import Path

import pypandoc
import pytest

from auditrap.render import (
    RenderError,
    ShortcodeError,
    check_html_is_self_contained,
    escape_attribute,
    escape_markdown,
    escape_metadata,
    markdown_table,
    render_report,
    resolve_engine,
    resolve_shortcodes,
)
from auditrap.render.engine import Engine

ROOT = Path(__file__).resolve().parents[1]
ASSETS = ROOT / "report"
SAMPLE = Path(__file__).resolve().parent / "data" / "render"
STAMP = datetime.datetime(2025, 7, 31, 12, 0, tzinfo=datetime.UTC)

FIG_ALT = (
    "Bar chart of the number of cases audited by agency: Police 12, Health 7, "
    "Children's social care 15, Education 8."
)
INJECTIONS = [
    "<script>alert('x')</script> & <b>bold</b>",
    '#read("/etc/passwd")',
    "$x$ costs @ref <label>",
    "`x`{=typst}",
    "{{< include narrative/intro.md >}}",
]

needs_poppler = pytest.mark.skipif(
    not all(shutil.which(t) for t in ("pdfinfo", "pdffonts", "pdftotext")),
    reason="poppler-utils (pdfinfo, pdffonts, pdftotext) is not installed",
)


def pandoc(args: list[str], text: str) -> str:
    result = subprocess.run(
        [pypandoc.get_pandoc_path(), *args],
        input=text.encode(),
        capture_output=True,
        check=True,
    )
    return result.stdout.decode()


def make_build(tmp: Path, name: str = "build") -> Path:
    """A copy of the sample build directory, with the project's _quarto.yml."""
    build = tmp / name
    shutil.copytree(SAMPLE, build)
    shutil.copyfile(ASSETS / "_quarto.yml", build / "_quarto.yml")
    return build


def render(build: Path, out: Path, **kwargs) -> tuple[Path, Path]:
    html, pdf = out / "report.html", out / "report.pdf"
    kwargs.setdefault("engine", "builtin")
    render_report(build, html_out=html, pdf_out=pdf, assets_dir=ASSETS, timestamp=STAMP, **kwargs)
    return html, pdf


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("render")
    return render(make_build(tmp), tmp / "out")


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


# --------------------------------------------------------------------------------------
# escape_markdown and markdown_table


NASTY = [
    "<script>alert(1)</script>",
    "`x`{=typst}",
    '#read("/etc/passwd")',
    "$x$ and $$y$$ and \\(z\\)",
    "@ref [@ref] <label> &amp; &lt;",
    "{{< include x >}} {{< var a >}}",
    "# not a heading",
    "1. not a list",
    "- not a list either",
    "> not a quote",
    "| not | a | table |",
    "**not bold** _not em_ ~~not struck~~ ^sup^ ~sub~",
    "[not a link](http://example.org) ![no](x.png)",
    ":smile: <!-- not a comment -->",
    "back\\slash at the end\\",
    "C:\\Users\\x and 50% of £3.50 -- dash ... ellipsis",
    'Children\'s "social" care',
]


def test_escape_markdown_is_literal_text_through_pandoc():
    doc = "\n\n".join(escape_markdown(s) for s in NASTY)
    ast = json.loads(pandoc(["-f", "markdown", "-t", "json"], doc))
    blocks = ast["blocks"]
    assert [b["t"] for b in blocks] == ["Para"] * len(NASTY)
    for block, original in zip(blocks, NASTY, strict=True):
        kinds = {i["t"] for i in block["c"]}
        assert kinds <= {"Str", "Space"}, (original, kinds)
        text = "".join(i["c"] if i["t"] == "Str" else " " for i in block["c"])
        assert text == original


def test_escape_markdown_flattens_whitespace_and_drops_controls():
    assert escape_markdown("  two\nlines\r\n\tand\u2028more  ") == "two lines and more"
    assert escape_markdown("bell\x07 nul\x00") == "bell nul"
    assert escape_markdown("    code?") == "code\\?"
    with pytest.raises(TypeError):
        escape_markdown(42)  # type: ignore[arg-type]


def test_markdown_table_is_a_captioned_pipe_table_with_escaped_cells():
    table = markdown_table(
        ["Agency", "Cases | total"],
        [["<b>Police</b>", "12"], ["Health *", "7"]],
        "Cases by agency <script>",
        align=["left", "right"],
    )
    assert table.splitlines()[0].startswith("| Agency | Cases \\| total")
    assert "\n\nTable: Cases by agency \\<script\\>\n" in table
    html = pandoc(["-f", "markdown", "-t", "html"], table)
    assert "<caption>Cases by agency &lt;script&gt;</caption>" in html
    assert len(re.findall(r"<th[ >]", html)) == 2
    assert "&lt;b&gt;Police&lt;/b&gt;" in html
    assert "<b>" not in html
    assert "Health *" in html


def test_markdown_table_refuses_bad_shapes():
    with pytest.raises(ValueError, match="cells"):
        markdown_table(["a", "b"], [["1"]], "c")
    with pytest.raises(ValueError, match="heading"):
        markdown_table(["a", " "], [], "c")
    with pytest.raises(ValueError, match="caption"):
        markdown_table(["a"], [], "")


# --------------------------------------------------------------------------------------
# Shortcodes


VARIABLES = {
    "board": {"name": "Northshire \\<Board\\>", "cases": 42, "rate": 57.1, "whole": 3.0},
    "flag": True,
    "nothing": None,
    "one": ["only"],
    "markdown": "*emphasis* and <b>raw</b>",
}
METADATA = {"title": "Audit \\& review", "author": ["A", "B"], "date": datetime.date(2025, 7, 1)}


def resolve(text: str, base: Path, source: str = "report.qmd") -> str:
    return resolve_shortcodes(
        text, variables=VARIABLES, metadata=METADATA, base_dir=base, source=source
    )


def test_var_and_meta_insert_their_values_as_quarto_reads_them(tmp_path):
    # Quarto reads _variables.yml and metadata as Markdown: a value goes in as the Markdown
    # it is (escaped by whoever wrote it), numbers as YAML read them, a list of one as it.
    out = resolve(
        "{{< var board.name >}} had {{< var board.cases >}} cases ({{< var board.rate >}}%,"
        " {{< var board.whole >}}); {{< meta title >}} on {{< meta date >}} {{< var flag >}}"
        " {{< var one >}} {{< var markdown >}}",
        tmp_path,
    )
    assert out == (
        "Northshire \\<Board\\> had 42 cases (57.1%, 3); Audit \\& review on 2025-07-01 true"
        " only *emphasis* and <b>raw</b>"
    )


def test_escaped_values_are_text_through_pandoc(tmp_path):
    # What assemble() writes into _variables.yml (escape_metadata) comes out as the text.
    nasty = [*NASTY, "{{< include /etc/passwd >}}", "{{{< x >}}} }} {{"]
    variables = {"v": [escape_metadata(text) for text in nasty]}
    body = "\n\n".join(f"{{{{< var v.{i} >}}}}" for i in range(len(nasty)))
    out = resolve_shortcodes(
        body, variables=variables, metadata={}, base_dir=tmp_path, source="report.qmd"
    )
    blocks = json.loads(pandoc(["-f", "markdown", "-t", "json"], out))["blocks"]
    assert [pandoc_text(b["c"]) for b in blocks] == nasty
    assert "SECRET" not in out


def pandoc_text(inlines: list) -> str:
    """The text of a list of inlines (Str, Space, and the empty spans of escape_metadata)."""
    parts = []
    for inline in inlines:
        if inline["t"] == "Str":
            parts.append(inline["c"])
        elif inline["t"] == "Space":
            parts.append(" ")
        else:
            assert inline == {"t": "Span", "c": [["", [], []], []]}, inline
    return "".join(parts)


def test_escape_metadata_leaves_no_word_quarto_would_read_as_a_shortcode():
    for text in ("{{< include /etc/passwd >}}", "a{{<b", "x}}y", "{{{{<", ">}}}"):
        meta = json.loads(
            pandoc(
                ["-f", "markdown", "-t", "json"], f"---\ntitle: '{escape_metadata(text)}'\n---\n"
            )
        )["meta"]["title"]["c"]
        words = [i["c"] for i in meta if i["t"] == "Str"]
        assert not any("{{" in w or "}}" in w for w in words), words
        assert pandoc_text(meta) == text


def test_escape_attribute_reads_back_as_the_text():
    text = 'Children\'s "social" care \\ {{< env HOME >}} {{< x'
    source = f'An ![c](a.png){{fig-alt="{escape_attribute(text)}"}} inline.'
    image = json.loads(pandoc(["-f", "markdown", "-t", "json"], source))["blocks"][0]["c"][2]
    alt = dict(image["c"][0][2])["fig-alt"]
    assert alt == text.replace("{{<", "{{\u200b<")
    assert "{{<" not in alt


def test_quarto_escapes_yield_the_literal_shortcode(tmp_path):
    out = resolve("Write {{{< var board.name >}}} or {{</* pagebreak */>}}.", tmp_path)
    assert json.loads(pandoc(["-f", "markdown", "-t", "json"], out))["blocks"][0]["c"] == [
        {"t": "Str", "c": "Write"},
        {"t": "Space"},
        {"t": "Str", "c": "{{<"},
        {"t": "Space"},
        {"t": "Str", "c": "var"},
        {"t": "Space"},
        {"t": "Str", "c": "board.name"},
        {"t": "Space"},
        {"t": "Str", "c": ">}}"},
        {"t": "Space"},
        {"t": "Str", "c": "or"},
        {"t": "Space"},
        {"t": "Str", "c": "{{<"},
        {"t": "Space"},
        {"t": "Str", "c": "pagebreak"},
        {"t": "Space"},
        {"t": "Str", "c": ">}}."},
    ]


def test_in_code_a_value_is_its_text(tmp_path):
    out = resolve(
        "`{{< var board.name >}}` and\n\n```\n{{< var board.rate >}} {{{< var x >}}}\n```\n",
        tmp_path,
    )
    assert out == "`Northshire <Board>` and\n\n```\n57.1 {{< var x >}}\n```\n"


@pytest.mark.parametrize(
    "text",
    [
        '![c](a.svg){fig-alt="{{< var board.cases >}} cases"}',
        '[x]{data-n="{{< var board.cases >}}"}',
        '::: {.callout-note title="{{< var board.name >}}"}\nx\n:::',
        "## Heading {#h data-x='{{{< var x >}}}'}",
    ],
)
def test_a_shortcode_in_an_attribute_is_refused(tmp_path, text):
    # Quarto 1.7 writes its own markup into the quotes, which loses the attribute.
    with pytest.raises(ShortcodeError, match=r"line 1: .*inside an attribute.*Quarto"):
        resolve(text, tmp_path)


def test_include_paths_start_from_the_main_document_in_included_files_too(tmp_path):
    # Quarto resolves a nested include against the main document, never the including file.
    (tmp_path / "narrative").mkdir()
    (tmp_path / "narrative" / "a.md").write_text(
        "A says {{< var board.cases >}}.\n\n{{< include narrative/b.md >}}\n"
    )
    (tmp_path / "narrative" / "b.md").write_text("B {{{< meta x >}}}\n")
    out = resolve("Start\n\n{{< include narrative/a.md >}}\n\nEnd", tmp_path)
    assert out == "Start\n\nA says 42.\n\nB \\{\\{\\< meta x \\>\\}\\}\n\n\n\n\nEnd"
    # The path Quarto would not find is refused, naming the rule.
    (tmp_path / "narrative" / "a.md").write_text("{{< include b.md >}}\n")
    with pytest.raises(
        ShortcodeError, match=r"narrative/a\.md, line 1: .*'b\.md'.*relative to the report"
    ):
        resolve("{{< include narrative/a.md >}}", tmp_path)


def test_include_keeps_quartos_line_breaks(tmp_path):
    # A file without a final line break is followed by a blank line; an include line in the
    # main document goes with its line break, one in an included file keeps it. (The same
    # source through real Quarto: tests/test_quarto.py.)
    (tmp_path / "narrative").mkdir()
    (tmp_path / "narrative" / "a.md").write_text("P\n{{< include narrative/b.md >}}\nQ\n")
    (tmp_path / "narrative" / "b.md").write_text("B")
    (tmp_path / "narrative" / "x.md").write_text("X")
    out = resolve(INCLUDE_LAYOUT, tmp_path)
    assert out == "S\n\nP\nB\n\n\nQ\n\n\nE\nA\nX\n\nB\n"


INCLUDE_LAYOUT = "S\n\n{{< include narrative/a.md >}}\n\nE\nA\n{{< include narrative/x.md >}}\nB\n"


def test_a_path_starting_with_a_slash_is_relative_to_the_project(tmp_path):
    (tmp_path / "narrative").mkdir()
    (tmp_path / "narrative" / "a.md").write_text("Project root")
    assert resolve("{{< include /narrative/a.md >}}", tmp_path) == "Project root\n\n"
    with pytest.raises(
        ShortcodeError, match=r"'etc/passwd', which does not exist.*build directory"
    ):
        resolve("{{< include /etc/passwd >}}", tmp_path)


def test_include_must_be_on_a_line_of_its_own(tmp_path):
    (tmp_path / "x.md").write_text("X")
    with pytest.raises(ShortcodeError, match=r"line 2: .*must be on a line of its own"):
        resolve("Text\nand {{< include x.md >}} inline.", tmp_path)


@pytest.mark.parametrize(
    ("text", "line", "needle"),
    [
        ("one\ntwo {{< pagebreak >}}", 2, "{{< pagebreak >}}"),
        ("\n\n\n{{< env HOME >}}", 4, "{{< env HOME >}}"),
        ("x {{< kbd Ctrl-C >}}", 1, "only understands var, meta and include"),
    ],
)
def test_unknown_shortcode_is_refused_with_file_and_line(tmp_path, text, line, needle):
    with pytest.raises(ShortcodeError) as info:
        resolve(text, tmp_path)
    message = str(info.value)
    assert message.startswith(f"report.qmd, line {line}:")
    assert needle in message


def test_unknown_variable_and_meta_are_refused(tmp_path):
    unknown = r"report\.qmd, line 3: .*'board\.nmae'.*_variables\.yml"
    with pytest.raises(ShortcodeError, match=unknown):
        resolve("a\nb\n{{< var board.nmae >}}", tmp_path)
    with pytest.raises(ShortcodeError, match=r"line 1: .*'subtitle'.*_metadata\.yml"):
        resolve("{{< meta subtitle >}}", tmp_path)
    with pytest.raises(ShortcodeError, match="group of values"):
        resolve("{{< var board >}}", tmp_path)
    with pytest.raises(ShortcodeError, match=r"list of 2 values.*author\.0"):
        resolve("{{< meta author >}}", tmp_path)
    with pytest.raises(ShortcodeError, match="empty"):
        resolve("{{< var nothing >}}", tmp_path)
    with pytest.raises(ShortcodeError, match="exactly one key"):
        resolve("{{< var a b >}}", tmp_path)


def test_errors_in_included_files_name_that_file_and_line(tmp_path):
    (tmp_path / "part.md").write_text("fine\n\nnot {{< var missing >}}\n")
    with pytest.raises(ShortcodeError, match=r"^part\.md, line 3: .*'missing'"):
        resolve("{{< include part.md >}}", tmp_path)
    # After an include line, lines are still counted in the including file.
    (tmp_path / "x.md").write_text("X\nY\n")
    with pytest.raises(ShortcodeError, match=r"^report\.qmd, line 4: .*'missing'"):
        resolve("a\n{{< include x.md >}}\n\n{{< var missing >}}", tmp_path)


def test_body_line_numbers_can_start_after_front_matter(tmp_path):
    with pytest.raises(ShortcodeError, match=r"report\.qmd, line 11:"):
        resolve_shortcodes(
            "x\n{{< nope >}}",
            variables={},
            metadata={},
            base_dir=tmp_path,
            source="report.qmd",
            first_line=10,
        )


def test_unclosed_shortcode_is_refused(tmp_path):
    with pytest.raises(ShortcodeError, match=r"line 2: .*never closed"):
        resolve("ok\n{{< var board.name", tmp_path)


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("../outside.md", "'\\.\\.'"),
        ("narrative/../../outside.md", "'\\.\\.'"),
        ("/../outside.md", "'\\.\\.'"),
        ("C:/outside.md", "forward slashes"),
        ("..\\outside.md", "forward slashes"),
        ("missing.md", "does not exist"),
    ],
)
def test_include_cannot_leave_the_build_directory(tmp_path, path, reason):
    base = tmp_path / "build"
    (base / "narrative").mkdir(parents=True)
    (tmp_path / "outside.md").write_text("SECRET")
    with pytest.raises(ShortcodeError, match=reason):
        resolve(f"{{{{< include {path} >}}}}", base)


def test_include_refuses_symlinks_and_loops(tmp_path):
    base = tmp_path / "build"
    base.mkdir()
    (tmp_path / "outside.md").write_text("SECRET")
    (base / "link.md").symlink_to(tmp_path / "outside.md")
    (tmp_path / "outside_dir").mkdir()
    (tmp_path / "outside_dir" / "x.md").write_text("SECRET")
    (base / "dir").symlink_to(tmp_path / "outside_dir")
    with pytest.raises(ShortcodeError, match="symbolic link"):
        resolve("{{< include link.md >}}", base)
    with pytest.raises(ShortcodeError, match="symbolic link"):
        resolve("{{< include dir/x.md >}}", base)
    (base / "loop.md").write_text("{{< include loop.md >}}")
    with pytest.raises(ShortcodeError, match="includes itself"):
        resolve("{{< include loop.md >}}", base)


def test_include_depth_is_limited(tmp_path):
    for i in range(20):
        (tmp_path / f"f{i}.md").write_text(f"{{{{< include f{i + 1}.md >}}}}")
    (tmp_path / "f20.md").write_text("bottom")
    with pytest.raises(ShortcodeError, match="deep"):
        resolve("{{< include f0.md >}}", tmp_path)


def test_include_is_refused_in_metadata(tmp_path):
    (tmp_path / "x.md").write_text("x")
    with pytest.raises(ShortcodeError, match="metadata values cannot include"):
        resolve_shortcodes(
            "{{< include x.md >}}",
            variables={},
            metadata={},
            base_dir=tmp_path,
            source="title",
            allow_include=False,
        )


# --------------------------------------------------------------------------------------
# The built-in engine on the sample build directory: HTML


def test_html_language_title_and_headings(rendered):
    html = rendered[0].read_text()
    assert '<html lang="en-GB"' in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert html.count("<h1") == 1
    assert '<h1 class="title">Northshire multi-agency safeguarding audit</h1>' in html
    assert "<title>Northshire multi-agency safeguarding audit</title>" in html
    levels = [int(n) for n in re.findall(r"<h([1-6])", html)]
    assert levels[0] == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), levels
    assert '<a class="skip-link" href="#quarto-document-content">' in html
    assert '<main id="quarto-document-content"' in html


def test_html_is_self_contained_with_the_embedded_font(rendered):
    html = rendered[0].read_text()
    check_html_is_self_contained(html)  # raises if anything would be fetched
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", html)
    assert "url(http" not in html and "@import" not in html
    assert html.count("@font-face") == 4
    assert html.count('url("data:font/ttf;base64,') == 4
    assert 'font-family: "Atkinson Hyperlegible", sans-serif;' in html
    assert "mathjax" not in html.lower()
    assert "<script" not in html


def test_html_figure_has_the_fig_alt_as_accessible_name(rendered):
    html = rendered[0].read_text()
    match = re.search(r"<svg ([^>]*)>\s*<title>([^<]*)</title>", html)
    assert match, "the SVG chart should be inline"
    attrs, title = match.groups()
    assert 'role="img"' in attrs
    label = re.search(r'aria-label="([^"]*)"', attrs)
    assert label and unescape(label.group(1)) == FIG_ALT
    assert unescape(title) == FIG_ALT
    assert 'font-family="Atkinson Hyperlegible"' in html
    assert "<figcaption>Cases audited by agency</figcaption>" in html
    assert "data-fig-alt" not in html


def test_html_tables_have_headers_caption_and_a_scroll_region(rendered):
    html = rendered[0].read_text()
    # The caption above the region that scrolls (so it never scrolls out of view), naming
    # the region and the table.
    assert re.search(
        r'<figure class="table-figure">\s*<figcaption id="table-1-caption">\s*'
        r"Cases audited and share graded good or better, by agency\s*</figcaption>\s*"
        r'<div class="table-wrap" role="region" tabindex="0" aria-labelledby="table-1-caption">'
        r'\s*<table aria-labelledby="table-1-caption">',
        html,
    )
    assert "<caption" not in html
    assert "<thead>" in html
    # Column headers, and the first column as row headers (row-headers.lua).
    assert len(re.findall(r'<th [^>]*scope="col"', html)) == 3
    assert len(re.findall(r'<th [^>]*scope="row"', html)) == 4
    assert re.search(r'<th [^>]*scope="row">Police</th>', html)
    assert len(re.findall(r"<th[ >]", html)) == 7


def test_html_shows_variables_and_free_text_literally(rendered):
    # In text, ' and " may be written as they are or as &#39; and &quot;: both are text.
    html = rendered[0].read_text().replace("&#39;", "'").replace("&quot;", '"')
    assert "This audit looked at 42 cases from Northshire Safeguarding Children Partnership" in html
    assert "&lt;script&gt;alert('x')&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in html
    assert '#read("/etc/passwd")' in html
    assert "$x$ costs @ref &lt;label&gt;" in html
    assert "`x`{=typst}" in html
    # A value's {{ has an empty span between its braces (escape_metadata): the same text.
    assert "{<span></span>{&lt; include narrative/intro.md &gt;}<span></span>}" in html
    assert "{{&lt; var board.name &gt;}}" in html
    assert "<b>bold" not in html and "<label>" not in html


def test_stylesheet_meets_the_layout_rules():
    css = (ASSETS / "styles.css").read_text()
    assert "max-width: 70ch" in css
    assert ":focus-visible" in css
    assert re.search(r"img,\s*svg\s*\{\s*max-width: 100%;", css)
    assert re.search(r"\.table-wrap\s*\{\s*overflow-x: auto;", css)
    assert not re.search(r"url\(\s*[\"']?https?:", css)


# --------------------------------------------------------------------------------------
# The built-in engine on the sample build directory: PDF


def pdf_tool(*args: str) -> str:
    result = subprocess.run(list(args), capture_output=True, check=True)
    return result.stdout.decode("utf-8", "replace")


@needs_poppler
def test_pdf_is_a4_tagged_and_titled(rendered):
    info = pdf_tool("pdfinfo", str(rendered[1]))
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info)
    assert re.search(r"Tagged:\s+yes", info)
    assert re.search(r"Title:\s+Northshire multi-agency safeguarding audit", info)
    assert re.search(r"CreationDate:\s+Thu Jul 31 12:00:00 2025", info)


@needs_poppler
def test_pdf_uses_only_the_embedded_report_font(rendered):
    lines = pdf_tool("pdffonts", str(rendered[1])).splitlines()[2:]
    assert lines, "the PDF has no fonts"
    for line in lines:
        name, *rest = line.split()
        assert re.fullmatch(r"[A-Z]{6}\+AtkinsonHyperlegible-\w+", name), line
        assert rest[-5] == "yes", f"not embedded: {line}"  # the 'emb' column


@needs_poppler
def test_pdf_text_has_variables_and_literal_free_text(rendered):
    text = pdf_tool("pdftotext", "-enc", "UTF-8", str(rendered[1]), "-")
    flat = squash(text)
    for value in ("42cases", "NorthshireSafeguardingChildrenPartnership", "ApriltoJune2025"):
        assert value in flat
    for injection in INJECTIONS:
        assert squash(injection) in flat, injection
    assert "{{<varboard.name>}}" in flat
    assert "Page1of2" in flat


def struct_alts(pdf: Path) -> list[str]:
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    root = reader.trailer["/Root"]
    found: list[str] = []
    seen: set[int] = set()

    def walk(node) -> None:
        node = node.get_object() if hasattr(node, "get_object") else node
        if id(node) in seen:
            return
        seen.add(id(node))
        if isinstance(node, dict):
            if "/Alt" in node and node.get("/S") == "/Figure":
                found.append(str(node["/Alt"]))
            kids = node.get("/K")
            if kids is not None:
                walk(kids)
        elif isinstance(node, list):
            for kid in node:
                walk(kid)

    walk(root["/StructTreeRoot"])
    return found


def test_pdf_figure_alt_text_is_in_the_structure_tree(rendered):
    assert struct_alts(rendered[1]) == [FIG_ALT]


def test_pdf_headings_keep_the_hierarchy(rendered):
    from pypdf import PdfReader

    reader = PdfReader(rendered[1])
    kinds: list[str] = []

    def walk(node) -> None:
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, dict):
            if str(node.get("/S", "")).startswith("/H"):
                kinds.append(str(node["/S"]))
            if "/K" in node:
                walk(node["/K"])
        elif isinstance(node, list):
            for kid in node:
                walk(kid)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    assert kinds == ["/H1", "/H2", "/H2", "/H3", "/H2"]
    # The table keeps its header row (typst's table.header -> THead/TH).
    structure = _qdf(rendered[1])
    assert b"/S /THead" in structure and structure.count(b"/S /TH\n") == 3
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    # PDF bookmarks follow the sections (the title and contents are not bookmarked).
    top = [o.title for o in reader.outline if not isinstance(o, list)]
    nested = [o.title for o in reader.outline if isinstance(o, list) for o in o]
    assert top == ["Summary", "Free text from the audit returns"]
    assert nested == ["Findings by agency"]


TYPST_TRICKS = [
    "a // not a comment",
    "a /* not */ a comment",
    "= not a heading",
    "- not a list",
    "+ not a list",
    "1. not a numbered list",
    "x ~ y",
    "en -- dash --- em",
    "under_score *star* `tick`",
    "back \\ slash \\u{41}",
    "<a> $m$ #f @c [b] {c} ^s^",
    "#set text(red)",
    '#import "@preview/x:1.0.0": *',
    "/ term: description",
    "'single' \"double\"",
]


@needs_poppler
def test_free_text_reaches_the_pdf_literally(tmp_path):
    build = make_build(tmp_path)
    body = "\n\n".join(escape_markdown(t) for t in TYPST_TRICKS)
    (build / "report.qmd").write_text(f"---\ntitle: Tricks\n---\n\n## Free text\n\n{body}\n")
    _, pdf = render(build, tmp_path / "out")
    text = pdf_tool("pdftotext", "-enc", "UTF-8", str(pdf), "-")
    flat = squash(text)
    for trick in TYPST_TRICKS:
        assert squash(trick) in flat, trick


def _qdf(pdf: Path) -> bytes:
    """The PDF uncompressed (qpdf --qdf), so its structure can be searched as text."""
    if not shutil.which("qpdf"):
        pytest.skip("qpdf is not installed")
    out = pdf.with_suffix(".qdf.pdf")
    subprocess.run(
        ["qpdf", "--qdf", "--object-streams=disable", str(pdf), str(out)],
        capture_output=True,
        check=False,
    )
    return out.read_bytes()


CALLOUT_TITLE = "To be *written* #read(x) <b>y</b> ])"


def test_callouts_are_boxed_notes_with_their_title_read_as_quarto_reads_it(tmp_path):
    # The title is Markdown, as Quarto reads it: emphasis is emphasis, typst code is text.
    build = make_build(tmp_path)
    title = CALLOUT_TITLE.replace("\\", "\\\\").replace('"', '\\"')
    (build / "report.qmd").write_text(
        "---\ntitle: Callouts\n---\n\n## One\n\n"
        f'::: {{.callout-warning title="{title}"}}\nThe **body** of the note.\n:::\n\n'
        "::: callout-note\nNo title given.\n:::\n\n"
        "::: callout-tip\n### A heading as title\n\nThe tip.\n:::\n"
    )
    html, pdf = render(build, tmp_path / "out")
    page = html.read_text()
    assert (
        '<div class="callout callout-warning" role="note" aria-labelledby="callout-1-title">'
        in page
    )
    # Raw HTML in Markdown is HTML, as anywhere in the report's Markdown: titles are written
    # by the analyst or the template, never taken from the data.
    assert (
        '<div id="callout-1-title" class="callout-title">\nTo be <em>written</em> '
        "#read(x) <b>y</b> ])\n</div>"
    ) in page
    assert "<p>The <strong>body</strong> of the note.</p>" in page
    assert '<div id="callout-2-title" class="callout-title">\nNote\n</div>' in page
    assert '<div id="callout-3-title" class="callout-title">\nA heading as title\n</div>' in page
    assert "<h3" not in page  # the heading became the title
    assert "title=" not in page.split("<body>", 1)[1]  # no tooltip left over
    typ = (build / "report.typ").read_text()
    assert (
        '#callout(kind: "warning", title: [To be #emph[written] \\#read(x) y \\])], body: [' in typ
    )
    assert '#callout(kind: "note", title: [Note], body: [' in typ
    assert '#callout(kind: "tip", title: [A heading as title], body: [' in typ
    text = pypdf_text(pdf)
    assert squash("To be written #read(x) y ])") in squash(text)
    assert "The body of the note." in text


def pypdf_text(pdf: Path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(pdf).pages)


def test_hyphens_in_a_row_are_written_escaped_whichever_pandoc_writes_the_typst(tmp_path):
    # Typst reads "--" as an en dash. Pandoc 3.6 (Quarto 1.7's) writes an escaped "--" bare,
    # pandoc 3.9 half escaped: typst-alt.lua writes both hyphens escaped, in the text, a
    # table and a caption, so the two engines hand typst the same markup and a command
    # prints as it is typed. The author's own dashes stay dashes.
    build = make_build(tmp_path)
    (build / "report.qmd").write_text(
        "---\ntitle: Hyphens\n---\n\n## One\n\n"
        "Run auditrap build \\-\\-final, then 2018 -- 2019.\n\n"
        "| Option |\n|---|\n| \\-\\-cores |\n\n: Options such as \\-\\-final\n"
    )
    _, pdf = render(build, tmp_path / "out")
    typ = (build / "report.typ").read_text()
    assert "auditrap build \\-\\-final," in typ
    assert "[\\-\\-cores]" in typ and "Options such as \\-\\-final" in typ
    text = squash(pypdf_text(pdf))
    assert squash("Run auditrap build --final, then 2018 \u2013 2019.") in text
    assert squash("--cores") in text and squash("Options such as --final") in text


def test_typst_alt_text_and_captions_are_escaped(tmp_path):
    build = make_build(tmp_path)
    alt = 'He said "hi" \\ #read("/etc/passwd") $x$ ]) <l>'
    escaped = alt.replace("\\", "\\\\").replace('"', '\\"')
    (build / "report.qmd").write_text(
        "---\ntitle: Escapes\n---\n\n## One\n\n"
        '![Caption with #emph[x] and "quotes"](figures/cases-by-agency.svg)'
        f'{{fig-alt="{escaped}"}}\n'
    )
    html, pdf = render(build, tmp_path / "out")
    assert struct_alts(pdf) == [alt]
    typ = (build / "report.typ").read_text()
    assert 'alt: "He said \\"hi\\" \\\\ #read(\\"/etc/passwd\\") $x$ ]) <l>"' in typ
    assert 'caption: [Caption with \\#emph\\[x\\] and "quotes"]' in typ


# --------------------------------------------------------------------------------------
# Reproducibility


def test_two_renders_are_byte_identical(rendered, tmp_path):
    html, pdf = render(make_build(tmp_path, "elsewhere"), tmp_path / "again")
    assert html.read_bytes() == rendered[0].read_bytes()
    assert pdf.read_bytes() == rendered[1].read_bytes()


# --------------------------------------------------------------------------------------
# Errors


def test_missing_title_is_a_clear_error(tmp_path):
    build = make_build(tmp_path)
    text = (build / "report.qmd").read_text()
    (build / "report.qmd").write_text(re.sub(r"^title:.*\n", "", text, flags=re.M))
    with pytest.raises(RenderError, match=r"no title.*PDF/UA-1.*_metadata\.yml"):
        render(build, tmp_path / "out")


def test_metadata_title_is_used_when_the_front_matter_has_none(tmp_path):
    build = make_build(tmp_path)
    text = (build / "report.qmd").read_text()
    (build / "report.qmd").write_text(re.sub(r"^title:.*\n", "", text, flags=re.M))
    with (build / "_metadata.yml").open("a") as f:
        f.write('title: "Report for {{< var board.short_name >}}"\n')
    html, _ = render(build, tmp_path / "out")
    assert '<h1 class="title">Report for Northshire</h1>' in html.read_text()


def test_unknown_shortcode_in_the_report_names_file_and_line(tmp_path):
    build = make_build(tmp_path)
    text = (build / "report.qmd").read_text()
    (build / "report.qmd").write_text(text + "\n{{< pagebreak >}}\n")
    line = text.count("\n") + 2
    with pytest.raises(RenderError, match=rf"report\.qmd, line {line}: .*pagebreak"):
        render(build, tmp_path / "out")


def test_missing_font_is_a_clear_error(tmp_path):
    assets = tmp_path / "assets"
    shutil.copytree(ASSETS, assets)
    (assets / "fonts" / "AtkinsonHyperlegible-Bold.ttf").unlink()
    with pytest.raises(RenderError, match="font is missing: AtkinsonHyperlegible-Bold.ttf"):
        render_report(
            make_build(tmp_path),
            html_out=tmp_path / "r.html",
            pdf_out=tmp_path / "r.pdf",
            assets_dir=assets,
            timestamp=STAMP,
            engine="builtin",
        )


def test_pandoc_filter_failure_is_a_render_error(tmp_path):
    build = make_build(tmp_path)
    with (build / "report.qmd").open("a") as f:
        f.write("\n# A second level-1 heading\n")
    with pytest.raises(RenderError) as info:
        render(build, tmp_path / "out")
    message = str(info.value)
    assert "pandoc could not turn report.qmd into the HTML page" in message
    assert "start sections with ## instead" in message
    assert "stack traceback" not in message


def png_picture() -> bytes:
    """A real 2 x 1 PNG (a red and a blue pixel), made here rather than kept as a binary."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 2, 1, 8, 2, 0, 0, 0)  # 8-bit RGB
    pixels = zlib.compress(b"\x00\xff\x00\x00\x00\x00\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


PICTURE_ALT = "Plan of the room where the multi-agency audit meeting was held."


def test_a_picture_in_the_narrative_is_inside_the_page(tmp_path):
    build = make_build(tmp_path)
    png = png_picture()
    (build / "figures" / "meeting-room.png").write_bytes(png)
    with (build / "narrative" / "intro.md").open("a") as f:
        f.write(f'\n![The meeting room](figures/meeting-room.png){{fig-alt="{PICTURE_ALT}"}}\n')
    html, pdf = render(build, tmp_path / "out")
    page = html.read_text()
    check_html_is_self_contained(page)  # raises if anything would be fetched
    pictures = re.findall(r'<img src="data:image/png;base64,([^"]+)" alt="([^"]*)"', page)
    assert [(base64.b64decode(data), unescape(alt)) for data, alt in pictures] == [
        (png, PICTURE_ALT)
    ]
    assert "meeting-room.png" not in page
    assert "<figcaption>The meeting room</figcaption>" in page
    # The PDF shows the same picture, with the same alternative text.
    assert struct_alts(pdf) == [PICTURE_ALT, FIG_ALT]


NOT_IN_THE_BUILD = r"is not a file in the build directory\. Save the picture into figures/"
FORMATS = r"Save a chart as SVG \(\.svg\) and a picture as PNG \(\.png\), JPEG"


@pytest.mark.parametrize(
    ("markdown", "message"),
    [
        (
            '![Remote](https://example.org/chart.png){fig-alt="x"}',
            rf"'https://example\.org/chart\.png' {NOT_IN_THE_BUILD}",
        ),
        (
            '![Remote](http://example.org/chart.png){fig-alt="x"}',
            rf"'http://example\.org/chart\.png' {NOT_IN_THE_BUILD}",
        ),
        (
            '![Remote](//cdn.example/chart.png){fig-alt="x"}',
            rf"'//cdn\.example/chart\.png' {NOT_IN_THE_BUILD}",
        ),
        ('![Absolute](/etc/hosts){fig-alt="x"}', r"'/etc/hosts' uses an absolute path"),
        ('![Up](../chart.svg){fig-alt="x"}', r"'\.\./chart\.svg' reaches outside"),
        (
            '![Bitmap](figures/scan.bmp){fig-alt="x"}',
            rf"'figures/scan\.bmp' is not in a format the report can show\. {FORMATS}",
        ),
        (
            '![Document](figures/scan.pdf){fig-alt="x"}',
            rf"'figures/scan\.pdf' is not in a format the report can show\. {FORMATS}",
        ),
        (
            '![No ending](figures/scan){fig-alt="x"}',
            rf"'figures/scan' is not in a format the report can show\. {FORMATS}",
        ),
        (
            '![Renamed](figures/scan.png){fig-alt="x"}',
            rf"'figures/scan\.png' is named as a PNG file, but its contents are not a PNG "
            rf"picture\. {FORMATS}",
        ),
        (
            '![Missing](figures/missing.jpg){fig-alt="x"}',
            r"'figures/missing\.jpg' does not exist in the build directory\. Check its name",
        ),
    ],
)
def test_images_must_be_local_files_in_a_format_the_report_can_show(tmp_path, markdown, message):
    build = make_build(tmp_path)
    for name in ("scan.bmp", "scan.pdf", "scan", "scan.png"):
        (build / "figures" / name).write_bytes(b"BM\x00\x00 a bitmap, not a PNG")
    with (build / "report.qmd").open("a") as f:
        f.write(f"\n{markdown}\n")
    with pytest.raises(RenderError) as info:
        render(build, tmp_path / "out")
    # Refused with its own message while making the web page, before typst sees it.
    assert "pandoc could not turn report.qmd into the HTML page" in str(info.value)
    assert re.search(rf"The image {message}", str(info.value)), str(info.value)
    assert not (tmp_path / "out" / "report.html").exists()


@pytest.mark.parametrize(
    ("src", "message"),
    [
        ("https://example.org/chart.png", NOT_IN_THE_BUILD),
        ("//cdn.example/chart.png", NOT_IN_THE_BUILD),
        ("/etc/hosts.png", NOT_IN_THE_BUILD),
        ("figures/../../secret.png", "reaches outside the build directory with '\\.\\.'"),
    ],
)
def test_html_figures_reads_only_files_in_the_build_directory_on_its_own(tmp_path, src, message):
    # checks.lua refuses these first; html-figures.lua reads files outside pandoc's
    # sandbox, so it must refuse them even without checks.lua in front of it.
    result = subprocess.run(
        [
            pypandoc.get_pandoc_path(),
            "--to=html5",
            f"--lua-filter={ASSETS / 'filters' / 'html-figures.lua'}",
        ],
        input=f'![x]({src}){{fig-alt="x"}}\n'.encode(),
        cwd=tmp_path,
        capture_output=True,
        check=False,
    )
    assert result.returncode != 0
    assert re.search(message, result.stderr.decode()), result.stderr.decode()


def test_labelled_figures_work_but_cross_references_are_refused(tmp_path):
    build = make_build(tmp_path)
    qmd = build / "report.qmd"
    qmd.write_text(qmd.read_text().replace('{fig-alt="', '{#fig-cases fig-alt="'))
    html, _ = render(build, tmp_path / "out")
    assert '<figure id="fig-cases">' in html.read_text()
    assert ") <fig-cases>" in (build / "report.typ").read_text()
    with qmd.open("a") as f:
        f.write("\nAs @fig-cases shows.\n")
    with pytest.raises(RenderError, match="@fig-cases.*not support"):
        render(build, tmp_path / "out2")


def figcaptions(html: str) -> list[str]:
    return [
        re.sub(r"[ \t\n]+", " ", unescape(re.sub(r"<[^>]+>", "", c))).strip(" ")
        for c in re.findall(r"<figcaption[^>]*>(.*?)</figcaption>", html, re.S)
    ]


def test_figures_and_tables_are_numbered_in_the_html_as_in_the_pdf(tmp_path):
    """As Quarto's crossref numbers them: a figure with a fig- id and a table with a tbl-
    id, "Figure 1: caption" with a no-break space; unlabelled ones are not numbered."""
    build = make_build(tmp_path)
    qmd = build / "report.qmd"
    figure = re.search(r"!\[Cases audited by agency\].*\n", qmd.read_text()).group(0)
    second = figure.replace("Cases audited by agency", "Cases again").replace(
        '{fig-alt="', '{#fig-again fig-alt="'
    )
    qmd.write_text(
        qmd.read_text().replace('{fig-alt="', '{#fig-cases fig-alt="', 1)
        + "\n"
        + second
        + "\n| Area | Cases |\n|---|--:|\n| North | 3 |\n\nTable: Cases by area {#tbl-areas}\n"
        + "\n| Area | Cases |\n|---|--:|\n| South | 4 |\n\nTable: Not numbered\n"
    )
    table = build / "_generated" / "findings-table.md"
    table.write_text(table.read_text().replace("by agency\n", "by agency {#tbl-agencies}\n"))
    html, pdf = render(build, tmp_path / "out")
    text = html.read_text()
    assert figcaptions(text) == [
        "Table\xa01: Cases audited and share graded good or better, by agency",
        "Figure\xa01: Cases audited by agency",
        "Figure\xa02: Cases again",
        "Table\xa02: Cases by area",
        "Not numbered",
    ]
    assert '<figure class="table-figure" id="tbl-areas">' in text or (
        '<figure id="tbl-areas" class="table-figure">' in text
    )
    assert 'aria-labelledby="tbl-areas-caption"' in text
    # typst writes the same words, no-break space included, and leaves the same one out.
    pdf = pypdf_text(pdf)
    assert re.findall(r"(?:Figure|Table)\xa0\d+: [^\n]+", pdf) == figcaptions(text)[:4]
    assert "Not numbered" in pdf


def test_a_chart_drawn_twice_is_written_twice_and_named_once(tmp_path):
    build = make_build(tmp_path)
    # Both drawings define the same id, as two vl-convert drawings of a chart do.
    wide = build / "figures" / "cases-by-agency.svg"
    svg = re.sub(
        r"(<svg[^>]*>)",
        r'\1<defs><clipPath id="clip"><rect width="9" height="9"/></clipPath></defs>'
        r'<g clip-path="url(#clip)"></g>',
        wide.read_text(),
        count=1,
    )
    wide.write_text(svg)
    (build / "figures" / "cases-narrow.svg").write_text(svg)
    qmd = build / "report.qmd"
    qmd.write_text(
        qmd.read_text().replace('{fig-alt="', '{narrow="figures/cases-narrow.svg" fig-alt="')
    )
    html, pdf = render(build, tmp_path / "out")
    text = html.read_text()
    svgs = re.findall(r"<svg ([^>]*)>", text)
    assert [re.search(r'class="([^"]*)"', a).group(1) for a in svgs] == [
        "chart chart-wide",
        "chart chart-narrow",
    ]
    labels = {unescape(re.search(r'aria-label="([^"]*)"', a).group(1)) for a in svgs}
    assert labels == {FIG_ALT}
    ids = re.findall(r'\sid="([^"]*)"', text)
    assert len(ids) == len(set(ids)), "the two drawings' ids must not clash"
    assert re.findall(r'clip-path="url\(#(chart\d-clip)\)"', text) == ["chart1-clip", "chart2-clip"]
    assert "narrow" not in (build / "report.typ").read_text()  # the PDF has the wide one
    assert struct_alts(pdf) == [FIG_ALT]


@pytest.mark.parametrize(
    ("narrow", "message"),
    [
        ("figures/cases.png", "not an SVG file"),
        ("../secret.svg", "outside the build directory"),
        ("https://example.org/x.svg", "not a file in the build directory"),
        ("figures/missing.svg", "does not exist"),
    ],
)
def test_a_narrow_drawing_must_be_an_svg_in_the_build_directory(tmp_path, narrow, message):
    build = make_build(tmp_path)
    qmd = build / "report.qmd"
    qmd.write_text(qmd.read_text().replace('{fig-alt="', f'{{narrow="{narrow}" fig-alt="'))
    with pytest.raises(RenderError, match=message):
        render(build, tmp_path / "out")


def test_the_title_block_links_the_pdf_with_its_pages_and_size(tmp_path):
    build = make_build(tmp_path)
    meta = build / "_metadata.yml"
    meta.write_text(
        meta.read_text()
        + "downloads:\n"
        + "  - {text: Download this report as a PDF, href: report.pdf, pdf: true}\n"
        + "  - {text: the data behind it (CSV), href: '#data'}\n"
    )
    html, pdf = render(build, tmp_path / "out")
    line = re.search(r'<p class="downloads">(.*?)</p>', html.read_text(), re.S).group(1)
    from pypdf import PdfReader

    pages = len(PdfReader(pdf).pages)
    size = round(pdf.stat().st_size / 1024)
    assert line == (
        '<a href="report.pdf">Download this report as a PDF<span class="pdf-details"> '
        f"({pages} page{'' if pages == 1 else 's'}, {size} KB)</span></a> · "
        '<a href="#data">the data behind it (CSV)</a>'
    )
    assert "Download this report" not in pypdf_text(pdf)


def test_image_without_alt_text_is_refused(tmp_path):
    build = make_build(tmp_path)
    with (build / "report.qmd").open("a") as f:
        f.write("\nText ![](figures/cases-by-agency.svg) here.\n")
    with pytest.raises(RenderError, match="no alternative text"):
        render(build, tmp_path / "out")


def test_raw_html_loading_a_remote_resource_is_refused(tmp_path):
    build = make_build(tmp_path)
    with (build / "report.qmd").open("a") as f:
        f.write('\n<img src="https://tracker.example/p.gif" alt="">\n')
    with pytest.raises(RenderError, match="tracker.example"):
        render(build, tmp_path / "out")


def test_typst_failure_is_a_render_error(tmp_path):
    build = make_build(tmp_path)
    with (build / "report.qmd").open("a") as f:
        f.write('\n```{=typst}\n#panic("boom from typst")\n```\n')
    with pytest.raises(RenderError, match=r"typst could not make the PDF.*boom from typst"):
        render(build, tmp_path / "out")


def test_symlink_out_of_the_build_directory_is_refused(tmp_path):
    build = make_build(tmp_path)
    (tmp_path / "secret.png").write_bytes(b"x")
    (build / "figures" / "leak.png").symlink_to(tmp_path / "secret.png")
    with pytest.raises(RenderError, match="symbolic link"):
        render(build, tmp_path / "out")


def test_self_contained_check():
    check_html_is_self_contained('<a href="https://www.gov.uk/">GOV.UK</a><img src="data:x">')
    for bad in (
        '<img src="https://x.example/a.png">',
        '<link rel="stylesheet" href="//cdn.example/x.css">',
        '<script src="mathjax.js"></script>',
        '<div style="background: url(https://x.example/b.png)"></div>',
        "<style>@import 'x.css';</style>",
        '<svg><image href="http://x.example/c.png"/></svg>',
    ):
        with pytest.raises(RenderError):
            check_html_is_self_contained(bad)


FETCHES = {
    "css image-set": "<p style=\"background-image: image-set('https://x.example/a.png' 1x)\">x</p>",
    "css -webkit-image-set": "<style>p { background: -webkit-image-set(url(//x.example/a.png) 1x); }</style>",
    "css image()": "<style>p { background: image('https://x.example/a.png'); }</style>",
    "css cross-fade": "<style>p { background: cross-fade(url(data:,) 50%, 'https://x.example/b.png'); }</style>",
    "css src()": "<style>p { background: src('https://x.example/a.png'); }</style>",
    "css @import string": '<style>@import "https://x.example/x.css";</style>',
    "css @import escaped": "<style>@\\69mport url(x.css);</style>",
    "css font-face src": "<style>@font-face { font-family: x; src: url(https://x.example/f.woff2); }</style>",
    "css url without quotes": "<style>p { cursor: url(https://x.example/c.cur), auto; }</style>",
    "css url escaped": "<style>p { background: u\\72l(https://x.example/a.png); }</style>",
    "css url entity in svg style": "<svg><style>p { background: &#117;rl(https://x.example/a.png); }</style></svg>",
    "css comment inside": "<style>p { background: url(/**/https://x.example/a.png); }</style>",
    "svg use href": '<svg><use href="https://x.example/sprite.svg#a"/></svg>',
    "svg use xlink:href": '<svg><use xlink:href="sprite.svg#a"/></svg>',
    "svg image": '<svg><image xlink:href="https://x.example/c.png"/></svg>',
    "svg feImage": '<svg><filter><feImage href="https://x.example/c.png"/></filter></svg>',
    "svg animate href": '<svg><a><animate attributeName="href" to="https://x.example/"/></a></svg>',
    "svg set href": '<svg><image href="#a"><set attributeName="xlink:href" to="//x.example/c.png"/></image></svg>',
    "meta refresh": '<meta http-equiv="refresh" content="0;url=https://x.example/">',
    "meta csp report": '<meta http-equiv="Content-Security-Policy" content="report-uri https://x.example/">',
    "iframe srcdoc": '<iframe srcdoc="&lt;img src=https://x.example/p.gif&gt;"></iframe>',
    "srcdoc on its own": '<div srcdoc="&lt;img src=https://x.example/p.gif&gt;"></div>',
    "link": '<link rel="preconnect" href="https://x.example/">',
    "link with a data uri": '<link rel="stylesheet" href="data:text/css,@import%20url(https://x.example/x.css)">',
    "object": '<object data="data:text/html,hello"></object>',
    "embed": '<embed src="https://x.example/a.swf">',
    "base": '<base href="https://x.example/">',
    "ping": '<a href="#top" ping="https://x.example/track">top</a>',
    "inline script": "<script>fetch('https://x.example/')</script>",
    "event handler": '<img src="data:," alt="" onerror="fetch(\'https://x.example/\')">',
    "javascript link": '<a href="jav&#x09;ascript:fetch(1)">x</a>',
    "srcset second candidate": '<img alt="" src="data:," srcset="data:image/png;base64,AAAA 1x, https://x.example/b.png 2x">',
    "srcset data uri with commas then url": '<img alt="" srcset="data:image/svg+xml,a,b 1x,https://x.example/c.png 2x">',
    "url with leading control": '<img alt="" src="\x01 https://x.example/a.png">',
    "video poster": '<video poster="https://x.example/p.jpg"></video>',
    "input image": '<input type="image" src="https://x.example/b.png" alt="go">',
    "body background": '<body background="https://x.example/bg.png"></body>',
    "form action": '<form action="https://x.example/"><button>Send</button></form>',
    "track": '<video><track src="https://x.example/c.vtt"></video>',
}


@pytest.mark.parametrize("html", FETCHES.values(), ids=FETCHES.keys())
def test_the_self_containment_check_catches_every_way_a_page_can_fetch(html):
    with pytest.raises(RenderError, match="would load resources"):
        check_html_is_self_contained(f"<!DOCTYPE html><html><body>{html}</body></html>")


def test_what_stays_in_the_page_passes_the_self_containment_check():
    check_html_is_self_contained(
        "<html><head><meta charset='utf-8'><meta http-equiv='Content-Type' content='text/html'>"
        "<style>@font-face { font-family: x; src: url(data:font/ttf;base64,AAAA) format('truetype'), "
        "local('Arial'); } p { background: url('#grad') image-set('data:image/png;base64,AA' 1x); "
        "content: 'see the data'; }</style></head><body>"
        '<a href="https://www.gov.uk/">GOV.UK</a> <a href="#top">top</a> <area href="https://x.example/">'
        '<img alt="" src="data:image/png;base64,AAAA" srcset="data:image/png;base64,AA 1x, data:image/png;base64,BB 2x">'
        '<svg><use href="#a"/><image href="data:image/png;base64,AA"/><a xlink:href="https://x.example/">x</a></svg>'
        "</body></html>"
    )


def test_bad_engine_name():
    with pytest.raises(ValueError, match="engine"):
        render_report(
            SAMPLE,
            html_out=Path("x"),
            pdf_out=Path("y"),
            assets_dir=ASSETS,
            timestamp=STAMP,
            engine="latex",
        )


# --------------------------------------------------------------------------------------
# The Quarto engine, with a stand-in `quarto` on PATH


FAKE_QUARTO = textwrap.dedent(
    """\
    #!{python}
    import json, os, sys
    from pathlib import Path
    if sys.argv[1:] == ["--version"]:
        print(os.environ.get("FAKE_QUARTO_VERSION", "1.7.34"))
        sys.exit(0)
    if sys.argv[1:] == ["pandoc", "--version"]:
        print("pandoc 3.6.1\\nFeatures: +server +lua")
        sys.exit(0)
    log = Path(os.environ["FAKE_QUARTO_LOG"])
    calls = json.loads(log.read_text()) if log.exists() else []
    calls.append({{"args": sys.argv[1:], "cwd": os.getcwd(),
                  "epoch": os.environ.get("SOURCE_DATE_EPOCH")}})
    log.write_text(json.dumps(calls))
    if os.environ.get("FAKE_QUARTO_FAIL"):
        sys.stdout.write("[typst]: Compiling report.typ to report.pdf...\\n")
        sys.stderr.write("\\x1b[31mERROR: something in report.qmd went wrong\\x1b[39m\\n")
        sys.exit(1)
    Path("report.html").write_text(
        '<!DOCTYPE html><html lang="en-GB"><body><h1>Quarto</h1></body></html>')
    Path("report.pdf").write_bytes(b"%PDF-1.7 fake")
    """
)


@pytest.fixture
def fake_quarto(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "quarto"
    script.write_text(FAKE_QUARTO.format(python=sys.executable))
    script.chmod(script.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    log = tmp_path / "quarto-calls.json"
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_QUARTO_LOG", str(log))
    return log


def test_auto_engine_runs_quarto_render_when_quarto_is_on_path(tmp_path, fake_quarto):
    build = make_build(tmp_path)
    html, pdf = out = tmp_path / "out" / "report.html", tmp_path / "out" / "report.pdf"
    engine = render_report(
        build, html_out=html, pdf_out=pdf, assets_dir=ASSETS, timestamp=STAMP, engine="auto"
    )
    assert engine == Engine("quarto", shutil.which("quarto"), "1.7.34", "3.6.1")
    assert engine.description == "Quarto 1.7.34" and engine.pdf_standard is None
    calls = json.loads(fake_quarto.read_text())
    # One run makes both formats of _quarto.yml: Quarto starts slowly.
    assert [c["args"] for c in calls] == [["render", "report.qmd"]]
    assert all(Path(c["cwd"]) == build.resolve() for c in calls)
    assert all(c["epoch"] == str(int(STAMP.timestamp())) for c in calls)
    assert html.read_text().startswith("<!DOCTYPE html>")
    assert pdf.read_bytes() == b"%PDF-1.7 fake"
    assert all(p.is_file() for p in out)
    assert not (build / "report.html").exists() and not (build / "report.pdf").exists()
    # The files _quarto.yml names were staged next to the document for Quarto.
    for name in (
        "styles.css",
        "template.typ",
        "filters/typst-alt.lua",
        "filters/html-figures.lua",
        "partials/skip-link.html",
        "partials/report.html",
        "fonts/AtkinsonHyperlegible-Regular.ttf",
    ):
        assert (build / name).is_file(), name


def test_quarto_failure_is_a_render_error_with_what_quarto_said(tmp_path, fake_quarto, monkeypatch):
    monkeypatch.setenv("FAKE_QUARTO_FAIL", "1")
    with pytest.raises(RenderError) as info:
        render(make_build(tmp_path), tmp_path / "out", engine="quarto")
    message = str(info.value)
    assert "quarto render report.qmd failed (exit code 1)" in message
    assert message.endswith("ERROR: something in report.qmd went wrong")  # no colour codes


@pytest.mark.parametrize("engine", ["quarto", "auto"])
@pytest.mark.parametrize("version", ["1.7.33", "1.6.40", "0.9", "not a version"])
def test_a_quarto_older_than_the_oldest_tested_is_refused(
    tmp_path, fake_quarto, monkeypatch, engine, version
):
    monkeypatch.setenv("FAKE_QUARTO_VERSION", version)
    with pytest.raises(RenderError, match=rf"is version {version}, older than 1\.7\.34.*builtin"):
        render(make_build(tmp_path), tmp_path / "out", engine=engine)
    assert not fake_quarto.exists()  # never asked to render


@pytest.mark.parametrize("version", ["1.7.34", "1.8.26", "1.9.0", "99.1"])
def test_quarto_from_the_oldest_tested_on_is_used(fake_quarto, monkeypatch, version):
    monkeypatch.setenv("FAKE_QUARTO_VERSION", version)
    engine = resolve_engine("quarto")
    assert engine.quarto_version == version
    assert engine.record() == {"engine": "quarto", "quarto": version}
    # Quarto passes pdf-standard to typst from 1.9 on.
    assert engine.pdf_standard == (None if version < "1.9" else "PDF/UA-1")


def test_quarto_engine_still_checks_shortcodes_first(tmp_path, fake_quarto):
    build = make_build(tmp_path)
    with (build / "report.qmd").open("a") as f:
        f.write("\n{{< include ../../etc/passwd >}}\n")
    with pytest.raises(RenderError, match="outside"):
        render(build, tmp_path / "out", engine="quarto")
    assert not fake_quarto.exists()


def test_quarto_engine_without_quarto_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(RenderError, match="'quarto' is not on PATH.*1\\.7\\.34 or later"):
        render(make_build(tmp_path), tmp_path / "out", engine="quarto")


def test_auto_engine_falls_back_to_builtin(tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None)
    html, pdf = render(make_build(tmp_path), tmp_path / "out", engine="auto")
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert "Atkinson Hyperlegible" in html.read_text()
    assert resolve_engine("auto") == Engine("builtin")
    assert Engine("builtin").pdf_standard == "PDF/UA-1"


def test_the_builtin_engine_runs_the_filters_of_quarto_yml_where_quarto_runs_them():
    import yaml

    from auditrap.render.engine import _lua_filters

    config = yaml.safe_load((ASSETS / "_quarto.yml").read_text())
    for fmt, last in (("html", "html-figures.lua"), ("typst", "typst-alt.lua")):
        filters = [
            Path(a.split("=", 1)[1]).name for a in _lua_filters(config["format"][fmt], ASSETS)
        ]
        # checks before Quarto's own filters; callouts at post-quarto; the rest after
        # (post-render).
        assert filters == ["checks.lua", "callouts.lua", "row-headers.lua", last]
    with pytest.raises(RenderError, match="'quarto' among them"):
        _lua_filters({"filters": ["filters/checks.lua"]}, ASSETS)
    with pytest.raises(RenderError, match="not one the built-in engine can run"):
        _lua_filters({"filters": ["quarto", {"path": "f.lua", "at": "somewhere"}]}, ASSETS)


def test_quarto_project_file_is_valid_and_names_existing_assets():
    import yaml

    config = yaml.safe_load((ASSETS / "_quarto.yml").read_text())
    assert config["project"]["type"] == "default"
    assert config["lang"] == "en-GB"
    assert config["date-format"] == "D MMMM YYYY"
    html, typ = config["format"]["html"], config["format"]["typst"]
    assert html["embed-resources"] is True
    assert (ASSETS / html["css"]).is_file()
    assert (ASSETS / html["template"]).is_file()
    assert all((ASSETS / p).is_file() for p in html["template-partials"])
    assert typ["papersize"] == "a4"
    assert typ["shift-heading-level-by"] == 0  # sections stay level 2 under the title
    assert typ["mainfont"] == "Atkinson Hyperlegible"
    assert (ASSETS / typ["template"]).is_file()
    assert (ASSETS / typ["font-paths"]).is_dir()
    for fmt in (html, typ):
        assert "quarto" in fmt["filters"]
        for entry in fmt["filters"]:
            if entry != "quarto":
                path = entry["path"] if isinstance(entry, dict) else entry
                assert (ASSETS / path).is_file(), path


def test_filters_stop_the_render_in_quarto_too():
    # Quarto replaces error() in filters with a function that only logs: a check that
    # called it would let the render go on. Every filter stops with assert instead.
    for path in (ASSETS / "filters").glob("*.lua"):
        code = re.sub(r"--\[\[.*?\]\]|--[^\n]*", "", path.read_text(), flags=re.S)
        assert not re.search(r"(?<![\w.:])error\s*\(", code), path.name


def test_the_engine_states_itself_in_the_variables(tmp_path, fake_quarto, monkeypatch):
    import yaml

    # What report.qmd's accessibility statement and a narrative can say about the PDF: the
    # engine that makes it writes it, escaped as every variable is.
    build = make_build(tmp_path, "builtin")
    render(build, tmp_path / "out")
    stated = yaml.safe_load((build / "_variables.yml").read_text())["engine"]
    assert stated == {
        "name": escape_metadata("built-in (pandoc and typst)"),
        "pdf": escape_metadata("a tagged PDF to the PDF/UA-1 standard"),
    }
    assert yaml.safe_load((build / "_variables.yml").read_text())["audit"]["cases"] == 42
    build = make_build(tmp_path, "quarto")
    render(build, tmp_path / "out", engine="quarto")
    stated = yaml.safe_load((build / "_variables.yml").read_text())["engine"]
    assert stated == {"name": "Quarto 1\\.7\\.34", "pdf": "a tagged PDF"}  # 1.7: not PDF/UA-1
