"""Turn free text into safe pandoc Markdown source.

Everything that reaches the report as *text* (a board name, an agency's comment, a
variable's value) must come out as that text, never as markup. Pandoc Markdown lets any
ASCII punctuation character be escaped with a backslash (the ``all_symbols_escapable``
extension, on by default and in Quarto), so escaping every one of them makes a string
inert: ``<script>`` stays text in HTML, ``#read("x")`` stays text in typst, ``$x$`` is
not maths, ``@ref`` is not a citation and ``{{< include x >}}`` is not a shortcode.
"""

from __future__ import annotations

import re
import string
from collections.abc import Sequence

__all__ = ["escape_markdown", "markdown_table"]

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
