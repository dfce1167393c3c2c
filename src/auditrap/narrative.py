"""The analyst's narrative is Markdown for readers, not a way into the published page.

Each section of prose (``data/raw/<audit_id>/narrative/*.md``) is read with pandoc's Markdown
reader, the one Quarto uses (``-f markdown``, here with automatic identifiers and HTML
``<div>``/``<span>`` off, so that everything the file says about itself is in what is read),
and its syntax tree is checked against a small allow-list: what a board's report needs, and
nothing that can put markup, code, a request or a file from elsewhere into the web page or
the PDF, whichever engine renders it. ``docs/narrative.md`` is the same list for analysts.

Allowed:

- paragraphs, headings of level 3 and below (``###``: the report's sections are level 2),
  bulleted and numbered lists, definition lists, block quotes, tables, horizontal rules;
- emphasis, strong emphasis, strikeout, superscript, subscript, small capitals, underline,
  quotation marks, line breaks, footnotes;
- links to ``https:`` addresses, and to ``#anchors`` in the report;
- pictures that are files beside the narrative (``![caption](plan.png){fig-alt="..."}``):
  PNG, JPEG, GIF or WebP, named as they are, with alternative text, without hidden details
  (camera, place, author, comments), and no bigger than :data:`MAX_PICTURE_BYTES`;
- callouts: ``::: {.callout-note title="..."}`` (note, tip, important, warning, caution);
- the shortcodes ``{{< var key >}}`` and ``{{< meta key >}}``, and ``{{{< ... >}}}`` to show
  one literally.

Refused, each with the file, the line, what it is and what to do:

- raw HTML, inline or block (``<script>``, ``<iframe>``, event handlers, ``<meta>``...);
- raw blocks and inlines of any format (``{=html}``, ``{=typst}``, ``{=latex}``, raw TeX);
- code, in blocks or inline (Quarto runs ``{python}`` and ``{r}`` code), and maths;
- links to anything but ``https:`` and ``#anchors``: ``http:`` (a report sends its readers
  over an encrypted connection, as the GOV.UK Service Manual asks), ``mailto:`` and ``tel:``
  (an address or a number in a public report is what the gate exists to stop), relative
  paths (no such file is published), ``javascript:``, ``vbscript:``, ``data:``, ``file:``;
- pictures that are not files beside the narrative (a web address, a path, another folder),
  SVG (a drawing can hold scripts, links and hidden text: save it as PNG), a file whose
  contents are not what its name says, a picture without alternative text;
- attributes (``{style="..."}``, ``{onclick=...}``, ``{#id}``, ``{.class}``), except a
  picture's ``fig-alt`` and a callout's ``title``; other divs and spans with attributes;
- citations and cross-references (``@key``), YAML metadata blocks and title blocks, but
  for a finding's heading: a file ``finding-<theme_id>.md`` may start with front matter
  holding exactly one key, ``title:`` (:func:`finding_title`);
- every other shortcode (``include``, ``env``, ``embed``, ``video``, ``pagebreak``...), and
  a shortcode that is never closed.

HTML comments (``<!-- a note to self -->``) are the analyst's notes and are taken out
before anything else (:func:`publishable_text`), as they are from the build: the check reads
exactly what is published. Bidirectional controls (U+202A to U+202E, U+2066 to U+2069,
U+200E, U+200F, U+061C) are taken out too, with a warning.
"""

from __future__ import annotations

import json
import re
import struct
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditrap.normalise import BIDI
from auditrap.problems import WARNING, Problem

__all__ = [
    "MAX_NARRATIVE_BYTES",
    "MAX_PICTURE_BYTES",
    "PICTURE_SUFFIXES",
    "check_narrative",
    "finding_title",
    "narrative_body",
    "narrative_files",
    "publishable_text",
]

#: The largest narrative file read (a section of prose is a few kilobytes).
MAX_NARRATIVE_BYTES = 1_000_000
#: The largest picture accepted: it is written into the web page.
MAX_PICTURE_BYTES = 5_000_000
#: The pictures a narrative can show, by file name ending.
PICTURE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp")
#: The heading levels a narrative can use: the report's sections are level 2.
LOWEST_HEADING_LEVEL = 3
CALLOUTS = ("note", "tip", "important", "warning", "caution")
SHORTCODES = ("var", "meta")

#: pandoc's Markdown reader as Quarto uses it, with nothing inferred that the file does not
#: say itself, and HTML <div> and <span> read as the raw HTML they are.
PANDOC_READER = "markdown-auto_identifiers-native_divs-native_spans"

_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
# Shortcodes, as the built-in engine finds them (render/shortcodes.py): the escaped form
# first, since "{{{< x >}}}" also contains "{{< x >}}".
_SHORTCODE = re.compile(r"\{\{\{<(?P<escaped>.*?)>\}\}\}|\{\{<(?P<code>.*?)>\}\}", re.S)
_KEY = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_][A-Za-z0-9_-]*)*")
_PICTURE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_ANCHOR = re.compile(r"#[A-Za-z][A-Za-z0-9_.:-]*")


def narrative_files(folder: Path) -> list[Path]:
    """The narrative's sections (``*.md``) and pictures in ``folder``, sorted by name."""
    if not Path(folder).is_dir():
        return []
    return sorted(
        p
        for p in Path(folder).iterdir()
        if (p.suffix == ".md" or p.suffix.lower() in PICTURE_SUFFIXES)
        and not p.name.startswith(".")
    )


def publishable_text(text: str) -> str:
    """A narrative section as it is published: without the analyst's HTML comments and
    without bidirectional controls. The check reads this, and the build is made of it."""
    return BIDI.sub("", _HTML_COMMENT.sub("", text))


#: The keys a finding's front matter may set: its heading, and nothing else.
FRONT_MATTER_KEYS = ("title",)
#: The longest heading a finding's title may give (a heading, not a paragraph).
MAX_TITLE_CHARACTERS = 200
_FRONT_MATTER = re.compile(
    r"\A[ \t\n]*---[ \t]*\n(?P<yaml>.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S
)


def is_finding(path: Path | str) -> bool:
    """Whether a narrative file is a finding's (``finding-<theme_id>.md``)."""
    return Path(path).name.startswith("finding-") and Path(path).suffix == ".md"


def _split_front_matter(text: str) -> tuple[str | None, str]:
    """The YAML of a section's front matter (None when it has none) and the rest of its
    text, with the front matter's lines left blank so that line numbers stay the same."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return None, text
    return match.group("yaml"), "\n" * match.group(0).count("\n") + text[match.end() :]


def narrative_body(text: str) -> str:
    """A section's published text (:func:`publishable_text`) without a finding's front
    matter, which the build must not pass on: included mid-document, it would set the
    report's own title."""
    return _split_front_matter(publishable_text(text))[1]


def finding_title(text: str) -> str | None:
    """The heading a finding's front matter gives (``title: ...``), or None. The text
    must have passed :func:`check_section`."""
    source, _ = _split_front_matter(publishable_text(text))
    if source is None:
        return None
    import yaml

    data = yaml.safe_load(source)
    title = data.get("title") if isinstance(data, dict) else None
    return " ".join(title.split()) if isinstance(title, str) and title.strip() else None


def _front_matter_problems(source: str) -> list[_Finding]:
    """What is wrong with a finding's front matter: only ``title:``, one line of text."""
    import yaml

    try:
        data = yaml.safe_load(source)
    except yaml.YAMLError as exc:
        return [
            _Finding(
                f"front matter that is not valid YAML ({getattr(exc, 'problem', exc)})",
                "Write it as one line, title: followed by the heading, and put the heading in "
                'quotes if it holds a colon: title: "Step down: the handover".',
                "---",
            )
        ]
    if not isinstance(data, dict) or not data:
        return [
            _Finding(
                "front matter that is not a title: line",
                "Write one line between the --- lines, title: followed by the finding's "
                "heading, or remove the block.",
                "---",
            )
        ]
    found = []
    for key in data:
        if str(key) not in FRONT_MATTER_KEYS:
            found.append(
                _Finding(
                    f"the front matter key {key}:",
                    "Remove it: a finding's front matter sets its title: and nothing else "
                    "(the report's own details come from audit.yaml).",
                    f"{key}:",
                )
            )
    title = data.get("title")
    if "title" in data and not (isinstance(title, str) and title.strip()):
        found.append(
            _Finding(
                "a title: that is not text",
                "Write the heading as text after title:, in quotes if it holds a colon or "
                'starts with a number: title: "Step down to early help".',
                "title:",
            )
        )
    elif isinstance(title, str) and len(" ".join(title.split())) > MAX_TITLE_CHARACTERS:
        found.append(
            _Finding(
                f"a title: longer than {MAX_TITLE_CHARACTERS} characters",
                "Shorten it: it is the finding's heading; the finding's text says the rest.",
                "title:",
            )
        )
    return found


# --- reading ----------------------------------------------------------------------------


class NarrativeError(RuntimeError):
    """pandoc could not be run: a fault of the installation, not of the narrative."""


def _parse(text: str) -> dict[str, Any]:
    import pypandoc

    try:
        result = subprocess.run(
            [pypandoc.get_pandoc_path(), "--sandbox", f"--from={PANDOC_READER}", "--to=json"],
            input=text.encode("utf-8"),
            capture_output=True,
            timeout=120,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise NarrativeError(f"pandoc could not be run to read the narrative: {exc}") from None
    if result.returncode != 0:
        raise NarrativeError(
            "pandoc could not read the narrative: " + result.stderr.decode("utf-8", "replace")
        )
    return json.loads(result.stdout)


# --- the check --------------------------------------------------------------------------


@dataclass
class _Finding:
    what: str  # what was found, in words
    todo: str  # what to do about it
    needle: str = ""  # text to look for in the file, to give its line


class _Checker:
    """Walks one section's syntax tree and collects what the allow-list refuses."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.found: list[_Finding] = []
        self.pictures: list[str] = []

    def refuse(self, what: str, todo: str, needle: str = "") -> None:
        self.found.append(_Finding(what, todo, needle))

    # Attributes: [id, [classes], [[key, value]]].
    def attributes(self, attr: list, where: str, keys: Sequence[str] = ()) -> None:
        ident, classes, pairs = attr
        if ident:
            self.refuse(
                f"{where} with an identifier ({{#{ident}}})",
                "Remove it: the report numbers and names its own parts.",
                "#" + ident,
            )
        if classes:
            self.refuse(
                f"{where} with a class ({' '.join('.' + c for c in classes)})",
                "Remove it: the report's look is the same for every audit.",
                "." + classes[0],
            )
        for key, _ in pairs:
            if key not in keys:
                self.refuse(
                    f"{where} with the attribute {key}=",
                    "Remove it: attributes can change what the page does"
                    + (" (only fig-alt is allowed on a picture)." if "fig-alt" in keys else "."),
                    key + "=",
                )

    def blocks(self, blocks: list) -> None:
        for block in blocks:
            self.block(block)

    def inlines(self, inlines: list) -> None:
        for inline in inlines:
            self.inline(inline)

    def block(self, node: dict) -> None:
        kind, content = node["t"], node.get("c")
        if kind in ("Para", "Plain"):
            self.inlines(content)
        elif kind == "LineBlock":
            for line in content:
                self.inlines(line)
        elif kind == "Header":
            level, attr, inlines = content
            if level < LOWEST_HEADING_LEVEL:
                self.refuse(
                    f"a level-{level} heading ({'#' * level} ...)",
                    "Start a heading in the narrative with ### (or more #): the report's own "
                    "sections are level 2.",
                    _plain(inlines),
                )
            self.attributes(attr, "a heading")
            self.inlines(inlines)
        elif kind == "BlockQuote":
            self.blocks(content)
        elif kind in ("BulletList", "OrderedList"):
            for item in content if kind == "BulletList" else content[1]:
                self.blocks(item)
        elif kind == "DefinitionList":
            for term, definitions in content:
                self.inlines(term)
                for definition in definitions:
                    self.blocks(definition)
        elif kind == "HorizontalRule":
            pass
        elif kind == "Table":
            attr, caption, _specs, head, bodies, foot = content
            self.attributes(attr, "a table")
            self.blocks(caption[1])
            for row in head[1] + [r for b in bodies for r in b[2] + b[3]] + foot[1]:
                for cell in row[1]:
                    self.blocks(cell[4])
        elif kind == "Figure":
            attr, caption, body = content
            self.attributes(attr, "a picture")
            self.blocks(caption[1])
            self.blocks(body)
        elif kind == "Div":
            self.div(content)
        elif kind == "RawBlock":
            self.raw(content[0], content[1])
        elif kind == "CodeBlock":
            self.refuse(
                "a block of code",
                "The report shows no code (and Quarto would run a {python} or {r} block). "
                "Write it as ordinary text, without the ``` fence or the four-space indent.",
                content[1].split("\n", 1)[0],
            )
        else:  # pragma: no cover - a block type of a later pandoc
            self.refuse(f"a {kind} block", "Write it as ordinary paragraphs or lists.")

    def div(self, content: list) -> None:
        (ident, classes, pairs), blocks = content
        callout = [c for c in classes if c.startswith("callout-")]
        if len(classes) == 1 and callout and callout[0][8:] in CALLOUTS:
            self.attributes([ident, [], pairs], "a callout", keys=("title",))
        else:
            self.refuse(
                "a div (::: {...}) that is not a callout",
                'Only callouts are allowed: ::: {.callout-note title="..."} (or tip, '
                "important, warning, caution), then the text, then :::. Remove the other "
                ":::-lines.",
                "." + classes[0] if classes else ":::",
            )
        self.blocks(blocks)

    def raw(self, form: str, text: str) -> None:
        first = text.strip().split("\n", 1)[0]
        if form == "html":
            self.refuse(
                f"raw HTML ({first[:60]})",
                "HTML is not allowed in the narrative: write it in Markdown (for emphasis "
                "*word*, for a link [words](https://...)). To show a < as text, write \\<.",
                first,
            )
        else:
            self.refuse(
                f"a raw {form} block or inline ({first[:60]})",
                "Raw blocks ({=html}, {=typst}, {=latex}) and TeX commands are not allowed: "
                "write the text in Markdown.",
                first,
            )

    def inline(self, node: dict) -> None:
        kind, content = node["t"], node.get("c")
        if kind in ("Str", "Space", "SoftBreak", "LineBreak"):
            return
        if kind in (
            "Emph",
            "Strong",
            "Strikeout",
            "Superscript",
            "Subscript",
            "SmallCaps",
            "Underline",
        ):
            self.inlines(content)
        elif kind == "Quoted":
            self.inlines(content[1])
        elif kind == "Note":
            self.blocks(content)
        elif kind == "Span":
            self.attributes(content[0], "a span ([...]{...})")
            self.inlines(content[1])
        elif kind == "Link":
            self.link(content)
        elif kind == "Image":
            self.image(content)
        elif kind == "RawInline":
            self.raw(content[0], content[1])
        elif kind == "Code":
            self.refuse(
                f"inline code (`{content[1][:40]}`)",
                "The report shows no code (and Quarto runs `{python} ...` and `r ...`). Write "
                "it as ordinary text, without the backticks.",
                content[1],
            )
        elif kind == "Math":
            self.refuse(
                f"maths (${content[1][:40]}$)",
                "Write it in words, or escape each dollar sign as \\$.",
                content[1],
            )
        elif kind == "Cite":
            keys = ", ".join("@" + c["citationId"] for c in content[0])
            self.refuse(
                f"a citation or cross-reference ({keys})",
                "The report has no bibliography or numbered cross-references: write it in "
                "words, or write \\@ for a literal @.",
                "@" + content[0][0]["citationId"],
            )
        else:  # pragma: no cover - an inline type of a later pandoc
            self.refuse(f"a {kind}", "Write it as ordinary text.")

    def link(self, content: list) -> None:
        attr, inlines, (target, _title) = content
        # pandoc marks an autolink (<https://...>, <someone@example.org>) with a class.
        ident, classes, pairs = attr
        self.attributes([ident, [c for c in classes if c not in ("uri", "email")], pairs], "a link")
        self.inlines(inlines)
        if _ANCHOR.fullmatch(target):
            return
        scheme = target.split(":", 1)[0].lower() if ":" in target else ""
        if scheme == "https" and re.fullmatch(
            r"https://[^\s/?#@]+\.[^\s/?#@]+(?:[/?#]\S*)?", target, re.I
        ):
            return
        why = {
            "http": "it is not encrypted: use the https:// address (almost every site has one)",
            "mailto": "an e-mail address in a public report is what the publication gate "
            "stops: link to a contact page instead",
            "tel": "a phone number in a public report is what the publication gate stops: link "
            "to a contact page instead",
            "https": "it is not a plain web address (it has spaces, a user name or no site)",
            "": "it is not a web address: no such file is published beside the report",
        }.get(scheme, f"{scheme}: links can run code or open files, never on a report's page")
        self.refuse(
            f"a link to {target[:80]!r}",
            f"A link can go to an https:// address or to a #section of the report; {why}.",
            target.removeprefix("mailto:"),
        )

    def image(self, content: list) -> None:
        attr, caption, (src, _title) = content
        self.attributes(attr, "a picture", keys=("fig-alt",))
        self.inlines(caption)
        alt = dict(attr[2]).get("fig-alt", "").strip() or _plain(caption).strip()
        if not alt:
            self.refuse(
                f"a picture without alternative text ({src})",
                'Describe what it shows: ![caption](picture.png){fig-alt="what it shows"}.',
                src,
            )
        self.pictures.append(src)


def _plain(inlines: list) -> str:
    """The text of some inlines, roughly as a reader sees it."""
    out: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if value.get("t") == "Str":
                out.append(value["c"])
            elif value.get("t") in ("Space", "SoftBreak", "LineBreak"):
                out.append(" ")
            else:
                walk(value.get("c"))
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(inlines)
    return "".join(out)


def _shortcodes(text: str) -> Iterator[tuple[int, str, str]]:
    """(offset, shortcode, problem) for each shortcode a narrative cannot use."""
    last = 0
    for match in _SHORTCODE.finditer(text):
        stray = text.find("{{<", last, match.start())
        if stray != -1:
            yield stray, text[stray : stray + 40].split("\n", 1)[0], "is never closed with >}}"
        last = match.end()
        if match.group("escaped") is not None:
            continue
        words = match.group("code").split()
        name = words[0] if words else ""
        if name not in SHORTCODES:
            yield match.start(), match.group(0), "is not one the narrative can use"
        elif len(words) != 2 or not _KEY.fullmatch(words[1]):
            yield match.start(), match.group(0), "needs exactly one key, such as cases.total"
    stray = text.find("{{<", last)
    if stray != -1:
        yield stray, text[stray : stray + 40].split("\n", 1)[0], "is never closed with >}}"


def _line_of(text: str, needle: str, after: int = 0) -> tuple[int | None, int]:
    """The line of the first ``needle`` in ``text`` at or after ``after`` (else anywhere),
    and where it was found."""
    from urllib.parse import unquote

    for candidate in (needle, unquote(needle), *needle.split()[:1]):
        if not candidate:
            continue
        at = text.find(candidate, after)
        if at == -1:
            at = text.find(candidate)
        if at != -1:
            return text.count("\n", 0, at) + 1, at
    return None, after


def _picture_problems(folder: Path, src: str) -> str | None:
    """What is wrong with the picture ``src`` of a narrative in ``folder``, or None."""
    suffix = Path(src).suffix.lower()
    if ":" in src or "/" in src or "\\" in src:
        return (
            f"The picture {src!r} is not a file beside the narrative. Save the picture in the "
            "narrative folder and refer to it by its name alone: ![caption](plan.png)."
        )
    if not _PICTURE_NAME.fullmatch(src):
        return (
            f"The picture {src!r} has a name the report cannot use. Name the file with "
            "letters, digits, hyphens and underscores only (referral-flow.png), and refer to "
            "it by that name."
        )
    if suffix == ".svg":
        return (
            f"The picture {src!r} is an SVG drawing, which can hold scripts, links and hidden "
            "text. Save it as a PNG picture and use that."
        )
    if suffix not in PICTURE_SUFFIXES:
        return (
            f"The picture {src!r} is not in a format the report can show. Save it as PNG "
            "(.png), JPEG (.jpg), GIF (.gif) or WebP (.webp)."
        )
    path = folder / src
    if not path.is_file() or path.is_symlink():
        return (
            f"The picture {src!r} is not in the narrative folder. Put the file there, beside "
            "the .md files, with exactly that name."
        )
    if path.stat().st_size > MAX_PICTURE_BYTES:
        return (
            f"The picture {src!r} is larger than {MAX_PICTURE_BYTES // 1_000_000} MB. Save a "
            "smaller copy (a picture in a report rarely needs to be wider than 1,500 pixels)."
        )
    data = path.read_bytes()
    kind = _picture_format(data)
    expected = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".gif": "GIF", ".webp": "WebP"}
    if kind != expected[suffix]:
        return (
            f"The picture {src!r} is named as a {expected[suffix]} file, but its contents are "
            f"{'a ' + kind + ' picture' if kind else 'not a picture the report can show'}. "
            "Save it again in the format its name says."
        )
    hidden = _hidden_details(data, kind)
    if hidden:
        return (
            f"The picture {src!r} carries hidden details ({hidden}), which would be published "
            "with it and can name a place, a person or a device. Save a copy without them (a "
            "screenshot of the picture, or 'export' with metadata switched off) and use that."
        )
    return None


def _picture_format(data: bytes) -> str | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WebP"
    return None


def _hidden_details(data: bytes, kind: str) -> str | None:
    """The metadata a picture carries (EXIF, XMP, IPTC, comments, text), in words, or None
    when it carries none. A picture too damaged to read counts as carrying some."""
    try:
        if kind == "PNG":
            return _png_details(data)
        if kind == "JPEG":
            return _jpeg_details(data)
        if kind == "GIF":
            return _gif_details(data)
        return _webp_details(data)
    except (IndexError, struct.error):
        return "a part that cannot be read"


def _png_details(data: bytes) -> str | None:
    position, found = 8, set()
    while position + 8 <= len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        chunk = data[position + 4 : position + 8]
        if chunk in (b"tEXt", b"zTXt", b"iTXt"):
            found.add("text notes")
        elif chunk == b"eXIf":
            found.add("EXIF: camera, date, perhaps the place")
        if chunk == b"IEND":
            break
        position += 12 + length
    return ", ".join(sorted(found)) or None


def _jpeg_details(data: bytes) -> str | None:
    names = {
        0xE1: "EXIF or XMP: camera, date, perhaps the place",
        0xEC: "picture information (APP12)",
        0xED: "IPTC: captions, people, places",
        0xFE: "a comment",
    }
    position, found = 2, set()
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            raise IndexError("not a marker")
        marker = data[position + 1]
        if marker in (0xD9, 0xDA):  # end of image, start of the picture's data
            break
        if marker == 0xFF or 0xD0 <= marker <= 0xD7 or marker == 0x01:
            position += 1 if marker == 0xFF else 2
            continue
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        if marker in names:
            found.add(names[marker])
        position += 2 + length
    return ", ".join(sorted(found)) or None


def _gif_details(data: bytes) -> str | None:
    found = set()
    flags = data[10]
    position = 13 + (3 * 2 ** ((flags & 7) + 1) if flags & 0x80 else 0)

    def skip_sub_blocks(at: int) -> int:
        while data[at]:
            at += data[at] + 1
        return at + 1

    while position < len(data):
        block = data[position]
        if block == 0x3B:  # the end
            break
        if block == 0x21:
            label = data[position + 1]
            if label == 0xFE:
                found.add("a comment")
            elif label == 0xFF and data[position + 3 : position + 14] != b"NETSCAPE2.0":
                found.add("application data such as XMP")
            position = skip_sub_blocks(position + 2)
        elif block == 0x2C:
            flags = data[position + 9]
            position += 10 + (3 * 2 ** ((flags & 7) + 1) if flags & 0x80 else 0)
            position = skip_sub_blocks(position + 1)
        else:
            raise IndexError("not a GIF block")
    return ", ".join(sorted(found)) or None


def _webp_details(data: bytes) -> str | None:
    position, found = 12, set()
    while position + 8 <= len(data):
        chunk = data[position : position + 4]
        (length,) = struct.unpack("<I", data[position + 4 : position + 8])
        if chunk == b"EXIF":
            found.add("EXIF: camera, date, perhaps the place")
        elif chunk == b"XMP ":
            found.add("XMP")
        position += 8 + length + (length & 1)
    return ", ".join(sorted(found)) or None


def check_section(path: Path, text: str | None = None) -> list[Problem]:
    """Every problem of one narrative section (a ``.md`` file), refusals as errors and the
    bidirectional controls taken out as a warning. ``text`` is the file's text when it has
    been read already."""
    shown = f"narrative/{path.name}"
    if text is None:
        if path.stat().st_size > MAX_NARRATIVE_BYTES:
            return [
                Problem(
                    shown,
                    message=f"This section is larger than {MAX_NARRATIVE_BYTES // 1_000_000} "
                    "MB, which no section of prose is. Check that it is the right file.",
                )
            ]
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            return [
                Problem(
                    shown,
                    message=f"This is not UTF-8 text (byte offset {exc.start}). Save it as "
                    "UTF-8 (in Word: Save as, Plain text, Unicode (UTF-8)).",
                )
            ]
    text = text.replace("\r\n", "\n")
    problems = []
    bidi_lines = sorted({text.count("\n", 0, m.start()) + 1 for m in BIDI.finditer(text)})
    if bidi_lines:
        problems.append(
            Problem(
                shown + f", line {', '.join(map(str, bidi_lines[:10]))}",
                message="Invisible direction controls (which make a browser show text "
                "backwards) were taken out. Check that the text reads as you meant it.",
                severity=WARNING,
            )
        )
    published = publishable_text(text)
    if "<!--" in published:
        problems.append(
            Problem(
                _at(shown, published, "<!--"),
                message="An HTML comment (<!--) is never closed with -->. Close it, or the "
                "rest of the section would be hidden.",
            )
        )
        return problems
    checker = _Checker(path.parent)
    front_matter, body = _split_front_matter(published)
    if front_matter is not None and is_finding(path):
        for found in _front_matter_problems(front_matter):
            problems.append(
                Problem(
                    _at(shown, published, found.needle),
                    message=f"The narrative holds {found.what}. {found.todo}",
                )
            )
        published = body
    tree = _parse(published)
    if tree.get("meta"):
        checker.refuse(
            "a metadata block (--- ... --- or a % title line)",
            (
                "The only one a finding can have is at the very top of its file, holding "
                "one line, title: followed by its heading: remove this one."
                if is_finding(path)
                else "The narrative sets no document options: remove the block (the title "
                "and the other details come from audit.yaml; only a finding's file can set "
                "its own heading, with title:)."
            ),
            "---" if "---" in published else "%",
        )
    checker.blocks(tree.get("blocks", []))
    cursor = 0
    for found in checker.found:
        line, cursor = _line_of(published, found.needle, cursor)
        problems.append(
            Problem(
                shown + (f", line {line}" if line else ""),
                message=f"The narrative holds {found.what}. {found.todo}",
            )
        )
    for src in checker.pictures:
        message = _picture_problems(path.parent, src)
        if message:
            problems.append(Problem(_at(shown, published, src), message=message))
    for offset, code, why in _shortcodes(published):
        line = published.count("\n", 0, offset) + 1
        problems.append(
            Problem(
                f"{shown}, line {line}",
                message=f"The shortcode {code} {why}. The narrative can use "
                "{{< var key >}} (a number or name from the data) and {{< meta key >}}; "
                "write {{{< ... >}}} to show one as text.",
            )
        )
    return problems


def _at(shown: str, text: str, needle: str) -> str:
    line, _ = _line_of(text, needle)
    return shown + (f", line {line}" if line else "")


def check_narrative(files: Sequence[Path]) -> list[Problem]:
    """Every problem of an audit's narrative: each ``.md`` section checked against the
    allow-list (see the module's description). Pictures are checked where a section shows
    them; a picture no section shows is never published."""
    return [p for path in files if Path(path).suffix == ".md" for p in check_section(Path(path))]
