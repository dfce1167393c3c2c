"""Turn free text into safe pandoc Markdown source.

Everything that reaches the report as *text* (a board name, an agency's comment, a
variable's value) must come out as that text, never as markup. Pandoc Markdown lets any
ASCII punctuation character be escaped with a backslash (the ``all_symbols_escapable``
extension, on by default and in Quarto), so escaping every one of them makes a string
inert: ``<script>`` stays text in HTML, ``#read("x")`` stays text in typst, ``$x$`` is
not maths, ``@ref`` is not a citation and ``{{< include x >}}`` is not a shortcode.

Quarto looks for shortcodes in two more places, where backslashes do not help:

* metadata (the title, ``_metadata.yml``, every value of ``_variables.yml``): Quarto reads
  each value as Markdown, then treats any word ending in ``{{<`` as the start of a
  shortcode (``{{< include /etc/passwd >}}`` in a title stops its filters).
  :func:`escape_metadata` also puts an empty span, ``[]{}``, between two braces in a row,
  so that no word holds ``{{`` or ``}}``: the text is unchanged, and no shortcode can start.
* attribute values (``fig-alt="..."``): Quarto runs every attribute value through its
  shortcode parser, and its escape does not work there (see :func:`escape_attribute`).
"""

from __future__ import annotations

import re
import string
from collections.abc import Sequence

__all__ = ["escape_attribute", "escape_markdown", "escape_metadata", "markdown_table"]

_PUNCTUATION = frozenset(string.punctuation)
# C0/C1 control characters other than whitespace: pandoc and typst have no use for them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Line and paragraph separators, tabs and newlines all become one space: a value is
# inline text and must not be able to start a new block (list, heading, code block...).
_WHITESPACE = re.compile(r"[\s\u2028\u2029]+")


def escape_markdown(text: str) -> str:
    """Return ``text`` as pandoc Markdown that renders as exactly that text.

    Every ASCII punctuation character is backslash-escaped, control characters are
    dropped, and runs of whitespace (newlines included) become a single space, with
    leading and trailing whitespace removed (so the result can never start an indented
    code block or end with a hard line break).
    """
    if not isinstance(text, str):
        raise TypeError(f"escape_markdown() needs a string, not {type(text).__name__}.")
    text = _CONTROL.sub("", text)
    text = _WHITESPACE.sub(" ", text).strip()
    return "".join("\\" + ch if ch in _PUNCTUATION else ch for ch in text)


# Two escaped braces in a row ("\\{\\{" or "\\}\\}"): an empty span goes between them.
_BRACE_PAIR = re.compile(r"(\\[{}])(?=\\([{}]))")


def escape_metadata(text: str) -> str:
    """:func:`escape_markdown`, and no ``{{`` or ``}}`` left in one word: for a value that
    Quarto reads as metadata (a title, a variable), where it looks for shortcodes in the
    words after reading the Markdown. ``{{`` becomes ``{[]{}{``: the same text, with an
    empty span between the braces (written as ``<span></span>`` in HTML, nothing in typst).
    """

    def split(match: re.Match[str]) -> str:
        same = match.group(1)[1] == match.group(2)
        return match.group(1) + "[]{}" if same else match.group(1)

    return _BRACE_PAIR.sub(split, escape_markdown(text))


def escape_attribute(text: str) -> str:
    """``text`` as the inside of a double-quoted attribute value (``fig-alt="..."``) that
    pandoc and Quarto both read back as that text (whitespace folded to one space).

    Quarto looks for shortcodes in attribute values twice: in the document's source, before
    pandoc reads it, and in the value pandoc read. Its escape, ``{{{< ... >}}}``, does not
    survive the first (Quarto 1.7 writes a span into the value, which ends it early and
    loses the attribute), so a ``{{<`` in the text gets a zero-width space (U+200B) between
    the braces and the ``<``: it looks the same and is no shortcode. Backslashes and double
    quotes are escaped for pandoc.
    """
    if not isinstance(text, str):
        raise TypeError(f"escape_attribute() needs a string, not {type(text).__name__}.")
    text = _WHITESPACE.sub(" ", _CONTROL.sub("", text)).strip()
    text = text.replace("{{<", "{{\u200b<")
    return text.replace("\\", "\\\\").replace('"', '\\"')


def markdown_table(
    columns: Sequence[str],
    rows: Sequence[Sequence[str]],
    caption: str,
    *,
    align: Sequence[str] | None = None,
) -> str:
    """A pandoc pipe table with a header row and a ``Table:`` caption.

    Every header, cell and the caption are plain text and are escaped. ``align`` may
    give one of ``"left"``, ``"right"``, ``"center"`` or ``"default"`` per column
    (numbers read best right-aligned). The separator line's dashes are proportional to
    each column's longest entry, so when pandoc has to wrap a wide table the column
    widths follow the content.
    """
    columns = [str(c) for c in columns]
    if not columns:
        raise ValueError("A table needs at least one column.")
    if any(not c.strip() for c in columns):
        raise ValueError("Every table column needs a heading: screen readers announce it.")
    if not caption or not caption.strip():
        raise ValueError("A table needs a caption that says what it shows.")
    aligns = list(align) if align is not None else ["default"] * len(columns)
    if len(aligns) != len(columns):
        raise ValueError(
            f"align has {len(aligns)} entries but the table has {len(columns)} columns."
        )
    markers = {"default": ("", ""), "left": (":", ""), "right": ("", ":"), "center": (":", ":")}
    for a in aligns:
        if a not in markers:
            raise ValueError(f"Unknown alignment {a!r}: use left, right, center or default.")

    header = [escape_markdown(c) for c in columns]
    body: list[list[str]] = []
    for number, row in enumerate(rows, start=1):
        if len(row) != len(columns):
            raise ValueError(
                f"Row {number} of the table has {len(row)} cells but there are "
                f"{len(columns)} columns."
            )
        body.append([escape_markdown("" if cell is None else str(cell)) for cell in row])

    widths = [max(3, len(header[i]), *(len(r[i]) for r in body)) for i in range(len(columns))]
    separator = []
    for width, a in zip(widths, aligns, strict=True):
        left, right = markers[a]
        separator.append(left + "-" * (width - len(left) - len(right)) + right)

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(cells) + " |"

    lines = [line(header), line(separator), *(line(r) for r in body)]
    return "\n".join(lines) + "\n\nTable: " + escape_markdown(caption) + "\n"
