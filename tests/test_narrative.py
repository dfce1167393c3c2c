"""The narrative is Markdown for readers, not a way in: each trick an analyst's file could
play on the published page is refused, with the file, the line and what to do; what the
report needs passes; a picture beside the narrative reaches both editions."""

from __future__ import annotations

import base64
import datetime
import re
import struct
import zlib
from pathlib import Path

import pytest

from auditrap.narrative import check_narrative, check_section, narrative_files, publishable_text
from auditrap.pipeline import StageError, check_narrative_stage
from auditrap.problems import ERROR, WARNING

from conftest import ROOT, SAMPLE_AUDIT
from test_document import CHARTS, variables  # noqa: F401 - a fixture, used below


def png(extra_chunks: bytes = b"") -> bytes:
    """A real 2 x 1 PNG picture, with any extra chunks before its pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 1, 8, 2, 0, 0, 0))
    pixels = chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00\x00\x00\xff"))
    return b"\x89PNG\r\n\x1a\n" + header + extra_chunks + pixels + chunk(b"IEND", b"")


def png_chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def jpeg(*segments: tuple[int, bytes]) -> bytes:
    """The start of a JPEG file: SOI, the given segments, then the start of the picture."""
    out = b"\xff\xd8"
    for marker, data in segments:
        out += bytes([0xFF, marker]) + struct.pack(">H", len(data) + 2) + data
    return out + b"\xff\xda\x00\x02" + b"\x00" * 16 + b"\xff\xd9"


def gif(*extensions: bytes) -> bytes:
    screen = b"GIF89a" + struct.pack("<HHBBB", 1, 1, 0, 0, 0)
    image = b"\x2c" + struct.pack("<HHHHB", 0, 0, 1, 1, 0) + b"\x02\x02\x44\x01\x00"
    return screen + b"".join(extensions) + image + b"\x3b"


def webp(*chunks: tuple[bytes, bytes]) -> bytes:
    body = b"WEBP" + b"".join(
        k + struct.pack("<I", len(d)) + d + b"\x00" * (len(d) & 1) for k, d in chunks
    )
    return b"RIFF" + struct.pack("<I", len(body)) + body


def problems_of(tmp_path: Path, text: str, **pictures: bytes) -> list[str]:
    folder = tmp_path / "narrative"
    folder.mkdir(exist_ok=True)
    for name, data in pictures.items():
        (folder / name.replace("_", ".")).write_bytes(data)
    (folder / "introduction.md").write_text(text, encoding="utf-8")
    return [p.line() for p in check_narrative(narrative_files(folder)) if p.severity == ERROR]


# --- what the report needs passes ----------------------------------------------------------

ALLOWED = """\
<!-- Notes to self are taken out before anything else. -->
The audit looked at {{< var cases.total >}} cases for {{< meta title >}}; *emphasis*,
**strong**, ~~struck~~, ^super^script, ~sub~script, "quoted", [small caps]{.smallcaps},
[underlined]{.underline}, a line\\
break, a footnote[^1] and [GOV.UK](https://www.gov.uk/guidance?x=1#part) and
[the method](#appendix-method-and-data), and {{{< var shown.as.text >}}}.

### A heading of level three

#### And of level four

- a bulleted list
  1. with a numbered one inside

> A block quote.

Term
: Its definition.

| Area | Cases |
|------|------:|
| North | {{< var areas.count >}} |

Table: Cases by area

---

::: {.callout-note title="A note"}
In a callout.
:::

::: callout-warning
Another, without a title.
:::

![The meeting room](room.png){fig-alt="Plan of the room where the meeting was held."}

Text with a picture inline: ![a small plan](room.png) in it.

[^1]: The footnote.
"""


def test_the_markdown_the_report_needs_passes(tmp_path):
    assert problems_of(tmp_path, ALLOWED, room_png=png()) == []


def test_the_sample_narrative_passes():
    assert check_narrative(narrative_files(SAMPLE_AUDIT / "narrative")) == []


# --- each trick is refused, with the line and what to do -----------------------------------

REFUSED = {
    "script": ("Fine.\n\n<script>alert(1)</script>\n", 3, "raw HTML"),
    "inline html with an event handler": ('See <b onclick="x()">this</b>.\n', 1, "raw HTML"),
    "img onerror": ("<img src=x onerror=alert(2)>\n", 1, "raw HTML"),
    "meta refresh": (
        '<meta http-equiv="refresh" content="0;url=https://x.example">\n',
        1,
        "raw HTML",
    ),
    "iframe srcdoc": ('<iframe srcdoc="&lt;script&gt;"></iframe>\n', 1, "raw HTML"),
    "html div": (
        "<div style=\"background:image-set('https://x.example' 1x)\">x</div>\n",
        1,
        "raw HTML",
    ),
    "html span": ("<span>plain</span>\n", 1, "raw HTML"),
    "style element": ("<style>p{background:url(https://x.example)}</style>\n", 1, "raw HTML"),
    "svg": ('<svg><image href="https://x.example/a.png"/></svg>\n', 1, "raw HTML"),
    "unclosed comment": ("Fine.\n<!-- never closed\nhidden\n", 2, "never closed"),
    "comment splicing a tag": ("<scr<!-- -->ipt>alert(1)</script>\n", 1, "raw HTML"),
    "raw html block": ("```{=html}\n<iframe></iframe>\n```\n", 2, "raw HTML"),
    "raw html inline": ("A `<b>x</b>`{=html} here.\n", 1, "raw HTML"),
    "raw typst block": ('```{=typst}\n#read("/etc/passwd")\n```\n', 2, "raw typst"),
    "raw typst inline": ('A `#read("/etc/hostname")`{=typst}.\n', 1, "raw typst"),
    "raw latex": ("```{=latex}\n\\input{/etc/passwd}\n```\n", 2, "raw latex"),
    "raw tex command": ("Text \\newpage more.\n", 1, "raw tex"),
    "python cell": ("```{python}\nimport os\n```\n", 1, "inline code"),
    "code block": ("```\ncode\n```\n", 2, "a block of code"),
    "indented code": ("Para.\n\n    indented code\n", 3, "a block of code"),
    "inline python": ("Now `{python} 1+1` here.\n", 1, "inline code"),
    "inline code": ("Use `names.txt` here.\n", 1, "inline code"),
    "maths": ("Cost $x^2$ here.\n", 1, "maths"),
    "citation": ("As @fig-cases shows.\n", 1, "citation"),
    "level-2 heading": ("Fine.\n\n## Appendix\n", 3, "level-2 heading"),
    "heading attributes": ('### Heading {style="color:red"}\n', 1, "attribute style="),
    "heading id": ("### Heading {#TOC}\n", 1, "identifier"),
    "heading class": ("### Heading {.hidden}\n", 1, "class"),
    "span attributes": ('[x]{style="background:url(https://x.example)"}\n', 1, "attribute style="),
    "span data attribute": ('[x]{data-nhs="9434765919"}\n', 1, "attribute data-nhs="),
    "span class": ("[x]{.visually-hidden}\n", 1, "class"),
    "div not a callout": (
        '::: {.content-visible when-format="html"}\nx\n:::\n',
        1,
        "not a callout",
    ),
    "hidden div": ("::: {.hidden}\nx\n:::\n", 1, "not a callout"),
    "callout with other attributes": (
        '::: {.callout-note title="x" style="display:none"}\nx\n:::\n',
        1,
        "attribute style=",
    ),
    "link attributes": ('[x](https://x.example){onclick="y()"}\n', 1, "attribute onclick="),
    "javascript link": ("[x](javascript:alert(1))\n", 1, "javascript"),
    "javascript autolink": ("<javascript:alert(1)>\n", 1, "javascript"),
    "vbscript link": ("[x](vbscript:msgbox)\n", 1, "vbscript"),
    "data link": ("[x](data:text/html,<script>alert(1)</script>)\n", 1, "data:"),
    "file link": ("[x](file:///etc/passwd)\n", 1, "file:"),
    "http link": ("[x](http://example.org/)\n", 1, "not encrypted"),
    "mailto link": ("[x](mailto:someone@example.org)\n", 1, "e-mail address"),
    "email autolink": ("<someone@example.org>\n", 1, "e-mail address"),
    "tel link": ("[x](tel:07700900123)\n", 1, "phone number"),
    "relative link": ("[x](../../config.yaml)\n", 1, "no such file"),
    "https with a user": ("[x](https://user:pass@x.example/)\n", 1, "user name"),
    "reference link": ("[x][ref]\n\n[ref]: javascript:alert(1)\n", 3, "javascript"),
    "remote picture": ('![x](https://x.example/a.png){fig-alt="x"}\n', 1, "not a file beside"),
    "picture in another folder": ('![x](../../secret.png){fig-alt="x"}\n', 1, "not a file beside"),
    "absolute picture": ('![x](/etc/hosts.png){fig-alt="x"}\n', 1, "not a file beside"),
    "picture in figures": ('![x](figures/chart.png){fig-alt="x"}\n', 1, "not a file beside"),
    "svg picture": ('![x](plan.svg){fig-alt="x"}\n', 1, "SVG drawing"),
    "missing picture": ('![x](missing.png){fig-alt="x"}\n', 1, "not in the narrative folder"),
    "picture of another format": ('![x](scan.bmp){fig-alt="x"}\n', 1, "not in a format"),
    "picture without alt text": ("![](room.png)\n", 1, "without alternative text"),
    "picture attributes": ('![x](room.png){fig-alt="x" onerror="y()"}\n', 1, "attribute onerror="),
    "picture id": ('![x](room.png){#fig-room fig-alt="x"}\n', 1, "identifier"),
    "metadata block": (
        "---\nheader-includes: <script>alert(1)</script>\n---\n\nText.\n",
        1,
        "metadata",
    ),
    "title block": ("% A title\n\nText.\n", 1, "metadata"),
    "include shortcode": ("{{< include /etc/passwd >}}\n", 1, "shortcode {{< include"),
    "include inside the build": (
        "x\n\n{{< include ../_variables.yml >}}\n",
        3,
        "shortcode {{< include",
    ),
    "env shortcode": ("Home is {{< env HOME >}}.\n", 1, "shortcode {{< env"),
    "video shortcode": ("{{< video https://x.example/v.mp4 >}}\n", 1, "shortcode {{< video"),
    "pagebreak shortcode": ("{{< pagebreak >}}\n", 1, "shortcode {{< pagebreak"),
    "var without a key": ("{{< var >}}\n", 1, "exactly one key"),
    "var with two keys": ("{{< var a b >}}\n", 1, "exactly one key"),
    "unclosed shortcode": ("Text {{< var cases.total\n", 1, "never closed"),
}


@pytest.mark.parametrize("text, line, what", REFUSED.values(), ids=REFUSED.keys())
def test_each_trick_is_refused_with_its_line_and_what_to_do(tmp_path, text, line, what):
    found = problems_of(tmp_path, text, room_png=png(), scan_bmp=b"BM not a bitmap really")
    assert found, text
    assert any(what in p for p in found), found
    assert any(p.startswith(f"narrative/introduction.md, line {line}:") for p in found), found
    for problem in found:
        # Each says what to do, in words: a verb of advice after the description.
        advice = r"\b(write|remove|save|put|start|describe|only|close|use|a link can|the narrative can)\b"
        assert re.search(advice, problem, re.I), problem


@pytest.mark.parametrize(
    "name, data, what",
    [
        ("room.png", png(png_chunk(b"tEXt", b"Author\x00Jo Bloggs")), "text notes"),
        ("room.png", png(png_chunk(b"iTXt", b"Comment\x00\x00\x00en\x00\x00Sarah")), "text notes"),
        ("room.png", png(png_chunk(b"eXIf", b"MM\x00*GPS")), "EXIF"),
        ("room.jpg", jpeg((0xE0, b"JFIF\x00\x01\x01"), (0xE1, b"Exif\x00\x00MM\x00*")), "EXIF"),
        ("room.jpg", jpeg((0xED, b"Photoshop 3.0\x008BIM")), "IPTC"),
        ("room.jpg", jpeg((0xFE, b"taken at 12 Hill Street")), "a comment"),
        ("room.gif", gif(b"\x21\xfe\x05hello\x00"), "a comment"),
        ("room.gif", gif(b"\x21\xff\x0bXMP DataXMP\x03abc\x00"), "XMP"),
        ("room.webp", webp((b"VP8 ", b"\x00" * 10), (b"EXIF", b"MM\x00*")), "EXIF"),
        ("room.webp", webp((b"VP8 ", b"\x00" * 10), (b"XMP ", b"<x:xmpmeta/>")), "XMP"),
        ("room.png", b"GIF89a not a png", "named as a PNG file"),
        ("room.jpg", png(), "named as a JPEG file, but its contents are a PNG picture"),
    ],
)
def test_a_picture_with_hidden_details_or_another_format_is_refused(tmp_path, name, data, what):
    found = problems_of(
        tmp_path, f'![x]({name}){{fig-alt="A plan"}}\n', **{name.replace(".", "_"): data}
    )
    assert len(found) == 1 and what in found[0], found
    assert "line 1" in found[0]


@pytest.mark.parametrize(
    "name, data",
    [
        ("room.png", png()),
        ("room.jpg", jpeg((0xE0, b"JFIF\x00\x01\x01"), (0xE2, b"ICC_PROFILE\x00"))),
        ("room.gif", gif(b"\x21\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00")),
        ("room.webp", webp((b"VP8 ", b"\x00" * 10))),
    ],
)
def test_a_plain_picture_of_each_format_passes(tmp_path, name, data):
    assert problems_of(tmp_path, f"![A plan]({name})\n", **{name.replace(".", "_"): data}) == []


def test_a_picture_that_is_a_link_is_refused(tmp_path):
    secret = tmp_path / "secret.png"
    secret.write_bytes(png())
    folder = tmp_path / "narrative"
    folder.mkdir()
    (folder / "room.png").symlink_to(secret)
    (folder / "introduction.md").write_text("![A plan](room.png)\n")
    found = [p.line() for p in check_narrative(narrative_files(folder))]
    assert any("not in the narrative folder" in p for p in found), found


def test_a_section_that_is_not_utf8_or_too_big_is_a_clear_problem(tmp_path):
    folder = tmp_path / "narrative"
    folder.mkdir()
    (folder / "introduction.md").write_bytes("Caf\xe9 ".encode("cp1252"))
    (folder / "conclusion.md").write_bytes(b"x" * 1_000_001)
    found = {p.file: p.message for p in check_narrative(narrative_files(folder))}
    assert "not UTF-8" in found["narrative/introduction.md"]
    assert "larger than 1 MB" in found["narrative/conclusion.md"]


# --- direction controls --------------------------------------------------------------------


def test_direction_controls_are_taken_out_with_a_warning_naming_the_lines(tmp_path):
    folder = tmp_path / "narrative"
    folder.mkdir()
    path = folder / "introduction.md"
    path.write_text("Fine.\n\nThe \u202eecnetnes\u202c is backwards.\n\u2067x\u2069\n")
    found = check_section(path)
    assert [(p.file, p.severity) for p in found] == [
        ("narrative/introduction.md, line 3, 4", WARNING)
    ]
    assert "direction controls" in found[0].message
    assert publishable_text(path.read_text()) == "Fine.\n\nThe ecnetnes is backwards.\nx\n"


def test_publishable_text_drops_notes_to_self_and_is_what_is_checked():
    text = "A <!-- note\nover lines --> B <!-- another --> C"
    assert publishable_text(text) == "A  B  C"


# --- the pipeline runs the check before rendering, whichever engine ------------------------


def test_the_render_stage_refuses_a_bad_narrative_before_building(tmp_path):
    audit = tmp_path / "raw" / "x-1"
    (audit / "narrative").mkdir(parents=True)
    (audit / "narrative" / "introduction.md").write_text("Fine.\n\n<script>alert(1)</script>\n")
    (audit / "narrative" / "conclusion.md").write_text("[x](javascript:alert(1))\n")
    with pytest.raises(StageError) as info:
        check_narrative_stage(audit_dir=audit, narrative=narrative_files(audit / "narrative"))
    message = str(info.value)
    assert "nothing was published" in message
    assert "narrative/introduction.md, line 3: The narrative holds raw HTML" in message
    assert "narrative/conclusion.md, line 1: The narrative holds a link to 'javascript:" in message
    assert "docs/narrative.md" in message


def test_the_render_stage_refuses_a_link_in_the_audit_folder(tmp_path):
    audit = tmp_path / "raw" / "x-1"
    (audit / "narrative").mkdir(parents=True)
    (audit / "narrative" / "introduction.md").symlink_to("/etc/passwd")
    with pytest.raises(StageError, match=r"narrative/introduction\.md: This is a symbolic link"):
        check_narrative_stage(audit_dir=audit, narrative=narrative_files(audit / "narrative"))


def test_render_stage_checks_the_narrative_for_every_engine():
    """The check is a step of render_stage itself, before the engine is chosen."""
    import inspect

    from auditrap import pipeline

    source = inspect.getsource(pipeline.render_stage)
    assert source.index("check_narrative_stage(") < source.index("assemble(")
    assert source.index("check_narrative_stage(") < source.index("render_report(")


# --- a picture beside the narrative reaches both editions ----------------------------------


def test_a_picture_beside_the_narrative_reaches_the_page_and_the_pdf(tmp_path, variables):  # noqa: F811
    """document.assemble once copied only the .md files: a picture never reached the build."""
    import shutil

    from auditrap.document import assemble
    from auditrap.gate import pdf_pieces
    from auditrap.render.engine import check_html_is_self_contained, render_report

    folder = tmp_path / "narrative"
    folder.mkdir()
    picture = png()
    (folder / "room.png").write_bytes(picture)
    (folder / "introduction.md").write_text(
        "<!-- note -->\nThe room:\n\n"
        '![The meeting room](room.png){fig-alt="Plan of the room where the meeting was held."}\n'
    )
    assert check_narrative(narrative_files(folder)) == []
    charts = tmp_path / "figures"
    charts.mkdir()
    for name in CHARTS:
        shutil.copyfile(
            ROOT / "tests" / "data" / "render" / "figures" / "cases-by-agency.svg",
            charts / f"{name}.svg",
        )
    qmd = assemble(
        tmp_path / "build",
        report_dir=ROOT / "report",
        variables=variables,
        narrative_files=narrative_files(folder),
        figure_files=sorted(charts.iterdir()),
        theme_titles={"step-down": "Step down"},
        charts=CHARTS,
        accessibility={"contact": "https://www.example.org/contact"},
    )
    assert (qmd.parent / "room.png").read_bytes() == picture
    assert "<!--" not in (qmd.parent / "narrative" / "introduction.md").read_text()
    html, pdf = tmp_path / "out" / "r.html", tmp_path / "out" / "r.pdf"
    render_report(
        qmd.parent,
        html_out=html,
        pdf_out=pdf,
        assets_dir=ROOT / "report",
        timestamp=datetime.datetime(2021, 7, 1, tzinfo=datetime.UTC),
        engine="builtin",
    )
    page = html.read_text()
    check_html_is_self_contained(page)
    embedded = re.findall(r'<img src="data:image/png;base64,([^"]+)" alt="Plan of the room', page)
    assert [base64.b64decode(d) for d in embedded] == [picture]
    alts = [p.text for p in pdf_pieces(pdf) if p.where == "the PDF's /Alt"]
    assert "Plan of the room where the meeting was held." in alts


# --- a finding's own heading -----------------------------------------------------------------


def finding_problems(tmp_path: Path, text: str, name: str = "finding-step-down.md") -> list[str]:
    folder = tmp_path / "narrative"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return [p.line() for p in check_narrative([folder / name]) if p.severity == ERROR]


def test_a_finding_sets_its_heading_in_front_matter_and_nothing_else(tmp_path):
    from auditrap.narrative import finding_title, narrative_body

    text = (
        '<!-- a note -->\n---\ntitle: "Step down: to the Child and Family Wellbeing service"\n'
        "---\n\nThe audit found *delays*.\n"
    )
    assert finding_problems(tmp_path, text) == []
    assert finding_title(text) == "Step down: to the Child and Family Wellbeing service"
    body = narrative_body(text)
    # The block is not passed on (mid-document it would set the report's title); the
    # lines stay, so that a problem further down keeps its line number.
    assert "title:" not in body and "---" not in body
    assert body.count("\n") == text.count("\n") and body.rstrip().endswith("*delays*.")


@pytest.mark.parametrize(
    "text, line, words",
    [
        ("---\ntitle: X\nheader-includes: <script>\n---\n\nText.\n", 3, "key header-includes:"),
        ("---\ntitle: X\nlang: fr\n---\n\nText.\n", 3, "key lang:"),
        ("---\ntitle: [1, 2]\n---\n\nText.\n", 2, "a title: that is not text"),
        ("---\ntitle: ''\n---\n\nText.\n", 2, "a title: that is not text"),
        ("---\ntitle: " + "long " * 50 + "\n---\n\nText.\n", 2, "longer than 200"),
        ("---\ntitle: a: b\n---\n\nText.\n", 1, "not valid YAML"),
        ("---\njust words\n---\n\nText.\n", 1, "not a title: line"),
        # A second block, further down, is refused: it would set the report's own options.
        ("---\ntitle: X\n---\n\nText.\n\n---\nlang: fr\n---\n", 7, "very top of its file"),
    ],
)
def test_a_finding_front_matter_other_than_a_title_is_refused(tmp_path, text, line, words):
    found = finding_problems(tmp_path, text)
    assert found, text
    assert any(words in p for p in found), found
    assert any(f"narrative/finding-step-down.md, line {line}:" in p for p in found), found


def test_other_sections_set_no_title(tmp_path):
    found = finding_problems(tmp_path, "---\ntitle: Mine\n---\n\nText.\n", "conclusion.md")
    assert len(found) == 1 and "only a finding's file can set its own heading" in found[0]


def test_the_title_is_the_heading_of_the_finding_in_the_build(tmp_path, variables):  # noqa: F811
    from auditrap.document import assemble

    folder = tmp_path / "narrative"
    folder.mkdir()
    (folder / "finding-step-down.md").write_text(
        '---\ntitle: "Step down *process* {{< include x >}}"\n---\n\nWhat we found.\n'
    )
    qmd = assemble(
        tmp_path / "build",
        report_dir=ROOT / "report",
        variables=variables,
        narrative_files=[folder / "finding-step-down.md"],
        figure_files=[],
        theme_titles={"step-down": "Step down"},
        charts=CHARTS,
    )
    build = qmd.parent
    findings = (build / "_generated" / "findings.md").read_text()
    # The analyst's title, as text (escaped), in place of the taxonomy's.
    assert "### 1\\. Step down \\*process\\* \\{\\{\\< include x \\>\\}\\}" in findings
    written = (build / "narrative" / "finding-step-down.md").read_text()
    assert "title:" not in written and "What we found." in written
