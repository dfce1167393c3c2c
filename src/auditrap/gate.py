"""The publication gate: no public file may carry an identifier.

It runs last, on the finished public files (the web page's text, the PDF's text, every CSV),
before anything is published, and looks for the identifiers that could name a child or a
family: NHS numbers (ten digits with a valid check digit, spaced or not), dates next to
"DOB" or "born", UK postcodes, phone numbers, e-mail addresses, and the names on the audit's
name list (each full name and each part of it). Any hit stops the run, naming the file, the
line of its text and what was found, and nothing is published. The patterns are the ones
redaction uses (`auditrap.redact`), so the gate checks exactly what redaction promised.

A listed name is shown only by its initials ("S… W…"): the build log names the file, the
line and the kind, which is enough to find it, without copying the name list into logs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from auditrap.redact import GATE_KINDS, KINDS, find_identifiers, nhs_number_is_valid

__all__ = [
    "Finding",
    "mask",
    "nhs_number_is_valid",
    "pdf_text",
    "public_text",
    "scan",
    "scan_text",
]


@dataclass(frozen=True)
class Finding:
    """An identifier found in a public file.

    `text` is what was found, except a listed name, which is masked (see `mask`); `line` is
    the line of the file's public text it is on (1 for the first).
    """

    file: str
    kind: str
    text: str
    line: int = 1

    @property
    def masked(self) -> str:
        """`text` masked (see `mask`), for a log that others may read."""
        return mask(self.text, self.kind)

    def __str__(self) -> str:
        return f"{self.file}, line {self.line}: {self.kind} ({self.text})"


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


def scan_text(text: str, file: str, names: Sequence[str] = ()) -> list[Finding]:
    """Every identifier in one file's public text: the patterns, and the listed `names`."""
    findings = []
    for found in find_identifiers(text, names, GATE_KINDS):
        kind = KINDS[found.kind].description
        value = text[found.start : found.end]
        if found.kind == "listed_name":
            value = mask(value, kind)
        line = text.count("\n", 0, found.start) + 1
        findings.append(Finding(file, kind, value, line))
    return findings


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
    """The text a reader of one public file can see (HTML text and alt text, PDF text, CSV)."""
    if path.suffix == ".html":
        parser = _Text()
        parser.feed(path.read_text(encoding="utf-8"))
        return "\n".join(parser.parts)
    if path.suffix == ".pdf":
        return pdf_text(path)
    return path.read_text(encoding="utf-8")


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


def scan(files: Iterable[tuple[Path, str]], names: Sequence[str] = ()) -> list[Finding]:
    """Scan each (file, name it is published under) for the patterns and the listed `names`."""
    findings = []
    for path, name in files:
        findings += scan_text(public_text(Path(path)), name, names)
    return findings
