"""The publication gate: no public file may carry an identifier.

It runs last, on the finished public files (the web page, the PDF, every CSV), before
anything is published, and looks for the identifiers that could name a child or a family:
NHS numbers (ten digits with a valid check digit, spaced or not), dates next to "DOB" or
"born", UK postcodes, phone numbers, e-mail addresses, and the names on the audit's name list
(each full name and each part of it). Any hit stops the run, naming the file, the line and
what was found, and nothing is published. The patterns are the ones redaction uses
(`auditrap.redact`), on text normalised the same way (`auditrap.normalise`), so the gate
checks exactly what redaction promised.

It reads every byte that a reader's browser or PDF viewer could show or send, not only the
visible text (`public_pieces`):

- a web page: its text (the page title, script and style text included), every attribute
  of every element (``href`` and ``mailto:`` links, ``data-*``, ``value``, ``title``, ``alt``,
  ``aria-*``, ``content`` of ``<meta>``, ``srcdoc``...), attribute names, comments, CSS (with its
  escapes decoded: ``content: "\\30 7700..."``) and scripts (with their escapes decoded), URLs
  percent-decoded, and the contents of ``data:`` URIs of text types (SVG, HTML, XML, CSS,
  plain text, JSON, scripts: decoded, and an SVG or HTML one read as a page in turn). Fonts
  and raster pictures (PNG, JPEG, GIF, WebP...) are not decoded: their bytes hold no text a
  browser shows; a picture's metadata (EXIF, text chunks) is refused before it can reach a
  page (`auditrap.narrative`).
- a PDF: the text of its pages (as PDFium reads it), and every string of the file's objects:
  the document information (title, subject, keywords, author...), the XMP metadata, link and
  annotation URIs and contents, bookmarks, the alternative and actual text of the structure
  tree, and any embedded file.
- anything else (CSV, JSON): its text.

A listed name is shown only by its initials ("S… W…"): the build log names the file, the
line and the kind, which is enough to find it, without copying the name list into logs.

It also refuses a public bundle that holds a file of the internal edition
(`internal_files_in_public`): a public file that is byte for byte one of the internal
edition's (the internal web page, PDF or a case-level table, copied or renamed), a table with
the columns of an internal table or a column of case references, and any public file that
carries the internal edition's marking (`auditrap.editions`) anywhere the scan reads.
"""

from __future__ import annotations

import base64
import binascii
import csv
import hashlib
import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, unquote_to_bytes

from auditrap.redact import GATE_KINDS, KINDS, find_identifiers, nhs_number_is_valid

__all__ = [
    "Finding",
    "InternalFile",
    "Piece",
    "css_unescaped",
    "html_pieces",
    "internal_files_in_public",
    "marking_findings",
    "mask",
    "nhs_number_is_valid",
    "pdf_pieces",
    "pdf_text",
    "public_pieces",
    "public_text",
    "scan",
    "scan_pieces",
    "scan_text",
]


@dataclass(frozen=True)
class Finding:
    """An identifier found in a public file.

    `text` is what was found, except a listed name, which is masked (see `mask`); `line` is
    the line of the file it is on (1 for the first: for a PDF, the line of its pages' text);
    `where` says where in the file, when it is not the text a reader sees ("the href of
    <a>", "a data: URI in the src of <img>", "the PDF's /Title"), else "".
    """

    file: str
    kind: str
    text: str
    line: int = 1
    where: str = ""

    @property
    def masked(self) -> str:
        """`text` masked (see `mask`), for a log that others may read."""
        return mask(self.text, self.kind)

    @property
    def location(self) -> str:
        """ "line 3", or "line 3, in the href of <a>", or "in the PDF's /Title"."""
        if self.line <= 0:
            return f"in {self.where}"
        return f"line {self.line}" + (f", in {self.where}" if self.where else "")

    def __str__(self) -> str:
        return f"{self.file}, {self.location}: {self.kind} ({self.text})"


def mask(text: str, kind: str) -> str:
    """A form of a found identifier that helps find it without repeating it.

    A name keeps its initials ("S… W…"); an NHS number or a phone number keeps its last
    three digits; an e-mail address keeps its domain; a postcode its outward code; a date
    its year.
    """
    if kind in (KINDS["listed_name"].description, KINDS["unlisted_name"].description):
        return " ".join(word[0] + "…" for word in text.split())
    if kind in (KINDS["nhs"].description, KINDS["phone"].description):
        return "…" + "".join(ch for ch in text if ch.isdigit())[-3:]
    if kind == KINDS["email"].description:
        return "…@" + text.rpartition("@")[2]
    if kind == KINDS["postcode"].description:
        return text.split()[0] + " …" if " " in text.strip() else text[:-3] + "…"
    words = text.replace("/", " ").replace("-", " ").replace(".", " ").split()
    return "…" + (words[-1] if words and words[-1].isdigit() else "")


@dataclass(frozen=True)
class Piece:
    """A stretch of a public file's text, as it is scanned.

    `line` is the line of the file where it starts (0 when it has no line, as a PDF's
    metadata); `lines` gives, for a piece put together from parts of several lines, the
    offset in `text` at which each part starts and that part's line; `where` is "" for the
    text a reader sees, else says where in the file the piece is (see `Finding.where`).
    """

    text: str
    line: int = 1
    where: str = ""
    lines: tuple[tuple[int, int], ...] = field(default=(), repr=False)

    def line_of(self, offset: int) -> int:
        """The line of the file of `text[offset]`."""
        if self.line <= 0:
            return 0
        start, line = 0, self.line
        if self.lines:
            at = bisect_right([o for o, _ in self.lines], offset) - 1
            if at >= 0:
                start, line = self.lines[at]
        return line + self.text.count("\n", start, offset)


def scan_text(text: str, file: str, names: Sequence[str] = ()) -> list[Finding]:
    """Every identifier in one file's text: the patterns, and the listed `names`."""
    return scan_pieces([Piece(text)], file, names)


def scan_pieces(pieces: Iterable[Piece], file: str, names: Sequence[str] = ()) -> list[Finding]:
    """Every identifier in the pieces of one file, each found once.

    The pieces are scanned together, joined by a character that every pattern takes for the
    end of a text (as `redact.redact_series` does), so that a page of thousands of pieces
    costs a few passes of the patterns, not a few thousand. A NUL inside a piece is dropped
    first, as a browser drops it from a page's text."""
    kept = [
        replace(piece, text=piece.text.replace(_JOIN, "")) if _JOIN in piece.text else piece
        for piece in pieces
        if piece.text and not piece.text.isspace()
    ]
    starts, offset = [], 0
    for piece in kept:
        starts.append(offset)
        offset += len(piece.text) + 1
    joined = _JOIN.join(piece.text for piece in kept)
    findings: list[Finding] = []
    seen = set()
    for found in find_identifiers(joined, names, GATE_KINDS):
        at = bisect_right(starts, found.start) - 1
        piece, start = kept[at], found.start - starts[at]
        kind = KINDS[found.kind].description
        value = piece.text[start : found.end - starts[at]]
        if found.kind == "listed_name":
            value = mask(value, kind)
        finding = Finding(file, kind, value, piece.line_of(start), piece.where)
        if finding not in seen:
            seen.add(finding)
            findings.append(finding)
    return findings


_JOIN = "\x00"


# --- what a reader sees (tests and people read it; the gate reads everything) ---------------


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script"):
            self.skip += 1
        # Attribute text a reader meets too: alt text, labels, titles.
        self.parts += [v for k, v in attrs if k in ("alt", "aria-label", "title") and v]

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def public_text(path: Path) -> str:
    """The text a reader of one public file can see (HTML text and alt text, PDF text, CSV).

    The gate reads more than this: see `public_pieces`."""
    if path.suffix == ".html":
        parser = _Text()
        parser.feed(path.read_text(encoding="utf-8"))
        return "\n".join(parser.parts)
    if path.suffix == ".pdf":
        return pdf_text(path)
    return path.read_text(encoding="utf-8")


# --- everything a browser can show or send ------------------------------------------------

#: Elements that end a line of text: what is on either side of one is never read as one
#: number or one name.
_BLOCKS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "br",
        "button",
        "caption",
        "col",
        "colgroup",
        "dd",
        "details",
        "dialog",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "head",
        "header",
        "hr",
        "html",
        "img",
        "input",
        "label",
        "legend",
        "li",
        "main",
        "meta",
        "nav",
        "noscript",
        "ol",
        "optgroup",
        "option",
        "p",
        "pre",
        "script",
        "section",
        "select",
        "style",
        "summary",
        "svg",
        "table",
        "tbody",
        "td",
        "template",
        "text",
        "textarea",
        "tfoot",
        "th",
        "thead",
        "title",
        "tr",
        "ul",
        "desc",
        "foreignobject",
        "g",
    ]
)
#: Attributes whose value is a URL: percent-decoded too.
_URL_ATTRIBUTES = frozenset(
    [
        "href",
        "xlink:href",
        "src",
        "srcset",
        "action",
        "formaction",
        "poster",
        "data",
        "background",
        "cite",
        "ping",
        "longdesc",
        "codebase",
        "manifest",
        "lowsrc",
        "dynsrc",
        "icon",
        "profile",
        "content",
    ]
)
#: How deep a page inside a page is read (an SVG in a data: URI in an SVG ...).
_MAX_DEPTH = 4
# Raster pictures and fonts: their bytes are not text that a browser shows.
_BINARY_TYPES = re.compile(
    r"(?:image/(?!svg)|font/|audio/|video/|application/(?:font|x-font|vnd\.ms-fontobject))"
)
_MARKUP_TYPES = re.compile(r"(?:image/svg|text/html|application/xhtml|text/xml|application/xml)")
_DATA_URI = re.compile(r"(?i)data:")
_URI_END = re.compile(r"[\s)]")
_CSS_COMMENT = re.compile(r"/\*.*?(?:\*/|\Z)", re.S)
_CSS_ESCAPE = re.compile(r"\\(?:([0-9a-fA-F]{1,6})[ \t\r\n\f]?|\r\n|\n|(.))", re.S)
_JS_ESCAPE = re.compile(r"\\(?:u\{([0-9a-fA-F]{1,6})\}|u([0-9a-fA-F]{4})|x([0-9a-fA-F]{2}))")


def _char(code: int) -> str:
    return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"


def css_unescaped(css: str) -> str:
    """CSS text with its comments removed and its escapes decoded (``\\30`` is "0")."""
    css = _CSS_COMMENT.sub(" ", css)

    def decode(match: re.Match[str]) -> str:
        if match.group(1):
            return _char(int(match.group(1), 16))
        return match.group(2) or ""

    return _CSS_ESCAPE.sub(decode, css)


def _js_unescaped(script: str) -> str:
    def decode(match: re.Match[str]) -> str:
        return _char(int(next(g for g in match.groups() if g), 16))

    return _JS_ESCAPE.sub(decode, script)


def _split_data_uris(text: str) -> tuple[str, list[str]]:
    """`text` with every ``data:`` URI taken out, and the URIs. A URI runs to the quote that
    opened it, else to white space, a bracket or a semicolon followed by a space."""
    uris: list[str] = []
    pieces: list[str] = []
    last = 0
    for match in _DATA_URI.finditer(text):
        if match.start() < last:
            continue
        before = text[match.start() - 1] if match.start() else ""
        if before and before in "\"'":
            end = text.find(before, match.end())
        else:
            stop = _URI_END.search(text, match.end())
            end = stop.start() if stop else -1
        end = len(text) if end == -1 else end
        pieces.append(text[last : match.start()])
        uris.append(text[match.start() : end])
        last = end
    pieces.append(text[last:])
    return " ".join(pieces), uris


def _data_uri_pieces(uri: str, line: int, where: str, depth: int) -> list[Piece]:
    """What a ``data:`` URI holds, as pieces: a page or picture in SVG or HTML is read as a
    page; other text as text; fonts and raster pictures are skipped."""
    header, comma, payload = uri[5:].partition(",")
    if not comma:
        return [Piece(uri, line, where)]
    media = header.split(";")[0].strip().lower() or "text/plain"
    where = f"a data: URI ({media}) in {where}"
    if _BINARY_TYPES.match(media):
        return [Piece(header, line, where)]
    if header.lower().rstrip().endswith(";base64"):
        try:
            encoded = re.sub(r"[^A-Za-z0-9+/_-]", "", unquote(payload))
            data = base64.b64decode(encoded + "=" * (-len(encoded) % 4), altchars=None)
        except (binascii.Error, ValueError):
            return [Piece(payload, line, where)]
    else:
        data = unquote_to_bytes(payload)
    text = data.decode("utf-8", errors="replace")
    if _MARKUP_TYPES.match(media) and depth < _MAX_DEPTH:
        inner = html_pieces(text, where=where, depth=depth + 1)
        return [Piece(header, line, where), *(replace(p, line=line, lines=()) for p in inner)]
    if media == "text/css":
        return _css_pieces(text, line, where, depth + 1)
    return [Piece(header, line, where), Piece(text, line, where)]


def _css_pieces(css: str, line: int, where: str, depth: int) -> list[Piece]:
    text, uris = _split_data_uris(css_unescaped(css))
    pieces = [Piece(text, line, where)]
    for uri in uris:
        pieces += _data_uri_pieces(uri, line, where, depth)
    return pieces


def _value_pieces(value: str, line: int, where: str, depth: int, *, url: bool) -> list[Piece]:
    """An attribute's value: itself, its data: URIs' contents, and percent-decoded when it
    is a URL (``mailto:someone%40example.org``)."""
    text, uris = _split_data_uris(value)
    if value.lstrip().lower().startswith("data:") and not url:
        text, uris = "", [value.strip()]
    pieces = [Piece(text, line, where)]
    if url and "%" in text:
        pieces.append(Piece(unquote(text), line, where))
    for uri in uris:
        pieces += _data_uri_pieces(uri, line, where, depth)
    return pieces


class _Everything(HTMLParser):
    """Every piece of a page that a browser can show or send."""

    def __init__(self, where: str = "", depth: int = 0) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[Piece] = []
        self.prefix = f"{where}: " if where else ""
        self.depth = depth
        self.flow: list[str] = []
        self.flow_lines: list[tuple[int, int]] = []
        self.flow_length = 0
        self.raw: str | None = None  # the element whose text is script or style

    def _where(self, text: str) -> str:
        return (self.prefix + text) if text else self.prefix.rstrip(": ")

    def _flush(self) -> None:
        if self.flow:
            self.pieces.append(
                Piece(
                    "".join(self.flow),
                    self.flow_lines[0][1],
                    self._where(""),
                    tuple(self.flow_lines),
                )
            )
        self.flow, self.flow_lines, self.flow_length = [], [], 0

    def handle_starttag(self, tag, attrs):
        line = self.getpos()[0]
        if tag in _BLOCKS:
            self._flush()
        names = " ".join(name for name, _ in attrs)
        self.pieces.append(Piece(f"{tag} {names}", line, self._where(f"the tag <{tag}>")))
        for name, value in attrs:
            if not value:
                continue
            where = self._where(f"the {name} of <{tag}>")
            if name == "style":
                self.pieces += _css_pieces(value, line, where, self.depth)
            elif name == "srcdoc" and self.depth < _MAX_DEPTH:
                inner = html_pieces(value, where=where, depth=self.depth + 1)
                self.pieces += [replace(p, line=line, lines=()) for p in inner]
            elif name.startswith("on"):
                self.pieces.append(Piece(_js_unescaped(value), line, where))
            else:
                url = name in _URL_ATTRIBUTES
                self.pieces += _value_pieces(value, line, where, self.depth, url=url)
        if tag in ("script", "style"):
            self.raw = tag

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in ("script", "style"):
            self.raw = None

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.raw = None
        if tag in _BLOCKS:
            self._flush()

    def handle_data(self, data):
        line = self.getpos()[0]
        if self.raw == "style":
            self.pieces += _css_pieces(data, line, self._where("<style>"), self.depth)
            return
        if self.raw == "script":
            self.pieces += _value_pieces(
                _js_unescaped(data), line, self._where("<script>"), self.depth, url=False
            )
            return
        self.flow_lines.append((self.flow_length, line))
        self.flow.append(data)
        self.flow_length += len(data)

    def handle_comment(self, data):
        self.pieces.append(Piece(data, self.getpos()[0], self._where("an HTML comment")))

    def handle_decl(self, decl):
        self.pieces.append(Piece(decl, self.getpos()[0], self._where("a declaration")))

    def handle_pi(self, data):
        self.pieces.append(Piece(data, self.getpos()[0], self._where("a processing instruction")))

    def unknown_decl(self, data):
        self.pieces.append(Piece(data, self.getpos()[0], self._where("a CDATA section")))

    def close(self):
        super().close()
        self._flush()


def html_pieces(html: str, *, where: str = "", depth: int = 0) -> list[Piece]:
    """Every piece of a web page (or an SVG) that a browser can show or send (see the
    module's description). `where` names the page when it is inside another."""
    parser = _Everything(where, depth)
    parser.feed(html)
    parser.close()
    return parser.pieces


def pdf_text(path: Path) -> str:
    """The text of a PDF as PDFium reads it: page after page, each line of a page on a line.

    PDFium (pypdfium2) reads a report in a few tens of milliseconds, where pypdf took a third
    of a second. It ends lines with "\r\n", made "\n" here, and marks a hyphen that ends a
    line as "\x02", made "-" here with the two lines joined: "sub-" at the end of one line and
    "group" at the start of the next read "sub-group", as a reader reads them.
    """
    import pypdfium2 as pdfium

    pages = []
    document = pdfium.PdfDocument(path)
    try:
        for page in document:
            text_page = page.get_textpage()
            try:
                pages.append(text_page.get_text_bounded())
            finally:
                text_page.close()
                page.close()
    finally:
        document.close()
    return "\n".join(pages).replace("\r\n", "\n").replace("\r", "\n").replace("\x02", "-")


# The PDF objects whose strings are not text: the file's random identifier, and the keys
# that only say how the file is laid out.
_PDF_SKIP = frozenset(["/ID", "/Length", "/Filter", "/DecodeParms", "/W", "/Index", "/Prev"])


def pdf_pieces(path: Path) -> list[Piece]:
    """Every piece of a PDF that a viewer can show or send: its pages' text, and every
    string of its objects (metadata, bookmarks, links, annotations, alternative text, the
    XMP metadata and embedded files, decoded)."""
    from pypdf import PdfReader
    from pypdf.generic import (
        ArrayObject,
        ByteStringObject,
        DictionaryObject,
        IndirectObject,
        StreamObject,
        TextStringObject,
    )

    pieces = [Piece(pdf_text(path))]
    reader = PdfReader(path)
    seen: set[tuple[int, int]] = set()
    stack: list[tuple[object, str]] = [(reader.trailer, "the PDF")]
    while stack:
        obj, where = stack.pop()
        if isinstance(obj, IndirectObject):
            key = (obj.idnum, obj.generation)
            if key in seen:
                continue
            seen.add(key)
            obj = obj.get_object()
        if isinstance(obj, TextStringObject | ByteStringObject):
            text = (
                str(obj)
                if isinstance(obj, TextStringObject)
                else obj.original_bytes.decode("latin-1")
            )
            pieces.append(Piece(text, 0, where))
        elif isinstance(obj, DictionaryObject):
            if isinstance(obj, StreamObject) and obj.get("/Type") in ("/Metadata", "/EmbeddedFile"):
                text = obj.get_data().decode("utf-8", errors="replace")
                pieces += [Piece(p.text, 0, f"{where} (decoded)", ()) for p in html_pieces(text)]
            for key, value in obj.items():
                if key not in _PDF_SKIP:
                    stack.append((value, f"the PDF's {key}"))
        elif isinstance(obj, ArrayObject):
            stack += [(item, where) for item in obj]
    return pieces


def public_pieces(path: Path) -> list[Piece]:
    """Every piece of one public file that a reader's browser or PDF viewer could show or
    send (see the module's description)."""
    path = Path(path)
    if path.suffix == ".html":
        return html_pieces(path.read_text(encoding="utf-8"))
    if path.suffix == ".pdf":
        return pdf_pieces(path)
    return [Piece(path.read_text(encoding="utf-8"))]


def scan(files: Iterable[tuple[Path, str]], names: Sequence[str] = ()) -> list[Finding]:
    """Scan each (file, name it is published under) for the patterns and the listed `names`."""
    findings = []
    for path, name in files:
        findings += scan_pieces(public_pieces(Path(path)), name, names)
    return findings


# --- the internal edition in the public bundle ----------------------------------------------


@dataclass(frozen=True)
class InternalFile:
    """A public file that is, or holds, the internal edition: ``file`` is the name it would be
    published under, ``why`` says in plain words how it was recognised."""

    file: str
    why: str

    def __str__(self) -> str:
        return f"{self.file} {self.why}"


#: A column that only the internal edition's tables have: the public edition carries no case
#: references.
CASE_COLUMNS = frozenset(["case_id"])


def marking_findings(pieces: Iterable[Piece], file: str) -> list[Finding]:
    """Every place in the pieces of one file that carries the internal edition's marking
    (`auditrap.editions.MARKING_PATTERN`), found in the normalised text as identifiers are,
    so that no retyping (odd dashes, invisible characters, another case) hides it."""
    from auditrap.editions import MARKING_PATTERN
    from auditrap.normalise import normalise

    kept = [piece for piece in pieces if piece.text and not piece.text.isspace()]
    starts, offset = [], 0
    for piece in kept:
        starts.append(offset)
        offset += len(piece.text) + 1
    joined = _JOIN.join(piece.text.replace(_JOIN, "") for piece in kept)
    norm = normalise(joined)
    found = []
    for match in MARKING_PATTERN.finditer(norm.text):
        start, end = norm.span(*match.span())
        at = bisect_right(starts, start) - 1
        piece, begin = kept[at], start - starts[at]
        text = piece.text[begin : end - starts[at]]
        found.append(
            Finding(file, "the internal edition's marking", text, piece.line_of(begin), piece.where)
        )
    return found


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _csv_header(path: Path) -> tuple[str, ...]:
    try:
        with Path(path).open(encoding="utf-8-sig", newline="") as handle:
            return tuple(next(csv.reader(handle), []))
    except (OSError, UnicodeDecodeError, csv.Error):
        return ()


def internal_files_in_public(
    public: Sequence[tuple[Path, str]],
    internal: Sequence[tuple[Path, str]],
    pieces: dict[str, list[Piece]] | None = None,
) -> list[InternalFile]:
    """Every public file (each a path and the name it is published under) that is, or holds,
    a file of the internal edition (``internal``, the same): a byte-for-byte copy of one, a
    table with the columns of an internal table or a column of case references, or any file
    that carries the internal edition's marking where a reader or a program could see it
    (its text, the page's title and attributes, the PDF's header, footer and metadata).
    ``pieces`` are the public files' pieces (`public_pieces`) by name, when the caller
    has read them already."""
    copies = {_sha256(path): name for path, name in internal}
    tables = {
        header: name
        for path, name in internal
        if Path(name).suffix == ".csv" and (header := _csv_header(path))
    }
    found = []
    for path, name in public:
        copy = copies.get(_sha256(path))
        if copy:
            found.append(InternalFile(name, f"is a copy of {copy}, a file of the internal edition"))
            continue
        if Path(name).suffix == ".csv" or Path(path).suffix == ".csv":
            header = _csv_header(path)
            if header in tables:
                found.append(
                    InternalFile(
                        name,
                        f"has the columns of {tables[header]}, a table of the internal edition",
                    )
                )
                continue
            case = sorted(CASE_COLUMNS.intersection(header))
            if case:
                found.append(
                    InternalFile(
                        name,
                        f"has a column of case references ({', '.join(case)}), which only the "
                        "internal edition holds",
                    )
                )
                continue
        read = pieces[name] if pieces and name in pieces else public_pieces(Path(path))
        marked = marking_findings(read, name)
        if marked:
            where = "; ".join(sorted({m.location for m in marked})[:3])
            found.append(
                InternalFile(
                    name,
                    f'carries the internal edition\'s marking ("{marked[0].text}", {where})',
                )
            )
    return found
