"""The publication gate: no public file may carry an identifier.

It runs last, on the finished public files (the web page's text, the PDF's text, every CSV),
before anything is published, and looks for the identifiers that could name a child or a
family: NHS numbers (ten digits with a valid check digit, spaced or not), dates next to
"DOB" or "born", UK postcodes, phone numbers and e-mail addresses. Any hit stops the run,
naming the file and what was found, and nothing is published.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

# Not inside a longer word or number (a full stop ending the sentence is fine).
_NHS = re.compile(r"(?<!\w)(?<!\d\.)(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?!\w|\.\d)")
_PATTERNS = {
    "a date of birth": re.compile(
        r"\b(?:DOB|D\.O\.B\.?|date of birth|born)\b[:\s]*(?:on\s+)?"
        r"(?:\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{4}-\d{2}-\d{2}|\d{1,2}\s+[A-Z][a-z]+\s+\d{4})",
        re.IGNORECASE,
    ),
    "a UK postcode": re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s?\d[ABD-HJLNP-UW-Z]{2}\b"),
    "an e-mail address": re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"),
    "a phone number": re.compile(r"(?<!\w)(?<!\d\.)(?:\+44\s?|0)(?:\d\s?){9,10}(?!\w|\.\d)"),
}


@dataclass(frozen=True)
class Finding:
    file: str
    kind: str
    text: str


def nhs_number_is_valid(digits: str) -> bool:
    """The NHS number check digit (modulus 11)."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


def scan_text(text: str, file: str) -> list[Finding]:
    findings = []
    for match in _NHS.finditer(text):
        if nhs_number_is_valid("".join(match.groups())):
            findings.append(Finding(file, "an NHS number", match.group(0)))
    for kind, pattern in _PATTERNS.items():
        findings += [Finding(file, kind, m.group(0)) for m in pattern.finditer(text)]
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
        from pypdf import PdfReader

        return "\n".join(page.extract_text() for page in PdfReader(path).pages)
    return path.read_text(encoding="utf-8")


def scan(files: Iterable[tuple[Path, str]]) -> list[Finding]:
    """Scan each (file, name it is published under)."""
    findings = []
    for path, name in files:
        findings += scan_text(public_text(Path(path)), name)
    return findings
