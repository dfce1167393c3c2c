"""One normalisation of text, before every identifier check and every redaction.

Text copied from Word, a Mac or a PDF carries identifiers in forms that look the same to a
reader but not to a pattern: a name in decomposed Unicode (``Zoe`` and a combining
diaeresis), a soft hyphen or a zero-width space inside a word, an NHS number with thin or
no-break spaces, full-width digits. Before the gate (:mod:`auditrap.gate`) and redaction
(:mod:`auditrap.redact`) look for identifiers, text is put in one form (:func:`normalise`):

1. characters that are never shown are removed: Unicode's default-ignorable code points
   (soft hyphen, zero-width space, joiners, word joiner, byte order mark, variation
   selectors, tag characters) and the bidirectional controls (:data:`BIDI_CONTROLS`);
2. Unicode compatibility normalisation (NFKC): composed letters (``Zoë`` whichever way it was
   typed), full-width and other compatibility forms (``９４３`` is ``943``, ``＠`` is ``@``),
   ligatures, and most odd spaces (no-break, thin, figure, narrow no-break) as a space;
3. what NFKC leaves: the remaining spaces and line or paragraph separators become a space,
   dashes and minus signs a hyphen, middle dots a full stop, fraction and division slashes
   a slash, and digits of any script (Arabic-Indic, Devanagari, ...) ASCII digits.

The patterns then accept the separators people put inside numbers (dots, slashes, spaced
hyphens): that is the patterns' business, in :mod:`auditrap.redact`.

:func:`normalise` keeps a map from the normalised text back to the original, so that what
is found in the normalised text is reported, or replaced, where it is in the original: a
stretch of the original is replaced whole, with every invisible character inside it.

The bidirectional controls are also removed from every input where it is read (audit.yaml,
CSV and workbook cells, the narrative, the theme taxonomy), with a warning, so that no title
or cell can reverse the order in which published text is shown: :func:`strip_bidi` and
:func:`strip_bidi_in`.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

#: The bidirectional formatting characters: embeddings and overrides (U+202A to U+202E),
#: isolates (U+2066 to U+2069) and the marks (U+200E, U+200F, U+061C). A right-to-left
#: override makes a browser or PDF viewer show the text after it backwards.
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
BIDI = re.compile(f"[{BIDI_CONTROLS}]")
#: The same, in the regular expression syntax of RE2 (pyarrow.compute).
BIDI_RE2 = r"[\x{061C}\x{200E}\x{200F}\x{202A}-\x{202E}\x{2066}-\x{2069}]"

# Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt, Unicode 15): characters
# that are shown as nothing at all. The bidirectional controls are among them.
_IGNORABLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff]"
)
# What NFKC leaves as it is, mapped to the plain character a pattern expects.
_SPACES = "\u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\ufe58\ufe63\uff0d"
_DOTS = "\u00b7\u2024\u2027\u2219\u22c5\u30fb\uff0e\uff65"
_SLASHES = "\u2044\u2215\u29f8\uff0f"
_FOLD = str.maketrans(
    {
        **dict.fromkeys(_SPACES, " "),
        **dict.fromkeys(_DASHES, "-"),
        **dict.fromkeys(_DOTS, "."),
        **dict.fromkeys(_SLASHES, "/"),
    }
)
# A digit of another script (any character of category Nd that is not 0 to 9).
_OTHER_DIGIT = re.compile(r"[^\D0-9]")
# Whether a text that is already in NFKC still needs any of the steps above.
_NEEDS_MORE = re.compile(
    _IGNORABLE.pattern[:-1] + _SPACES + _DASHES + _DOTS + _SLASHES + "]|" + _OTHER_DIGIT.pattern
)
_ASCII_BYTES = bytes(range(0x80))
# A stretch of the text normalised as one: a run of characters beyond ASCII and the
# character before it (a combining mark composes with the letter before it).
_CHUNK = re.compile(r"[\s\S]?[^\x00-\x7f]+")


def _normalise_chunk(chunk: str) -> str:
    chunk = _IGNORABLE.sub("", chunk)
    chunk = unicodedata.normalize("NFKC", chunk)
    chunk = _IGNORABLE.sub("", chunk).translate(_FOLD)
    if not chunk.isascii():
        chunk = _OTHER_DIGIT.sub(lambda m: str(unicodedata.decimal(m.group())), chunk)
    return chunk


@dataclass(frozen=True)
class Normalised:
    """A text in the normalised form, and where each part of it came from.

    ``changes`` lists the stretches that differ from the original, in order, each as
    ``(start, end)`` in the normalised text and ``(start, end)`` in the original; every other
    character is the original's, shifted by the changes before it.
    """

    text: str
    original: str
    changes: tuple[tuple[int, int, int, int], ...] = ()
    _starts: tuple[int, ...] = field(default=(), repr=False)

    @property
    def unchanged(self) -> bool:
        return not self.changes

    def _start(self, position: int) -> int:
        at = bisect_right(self._starts, position) - 1
        if at < 0:
            return position
        n0, n1, o0, o1 = self.changes[at]
        return o0 if position < n1 else position - n1 + o1

    def _end(self, position: int) -> int:
        """The original position just after the normalised character ``position - 1``."""
        if position <= 0:
            return 0
        at = bisect_right(self._starts, position - 1) - 1
        if at < 0:
            return position
        n0, n1, o0, o1 = self.changes[at]
        return o1 if position - 1 < n1 else position - n1 + o1

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The stretch of the original that ``text[start:end]`` came from, whole, with the
        invisible characters that touch it on either side (so that a token put in its place
        is not left with a stray joiner or variation selector)."""
        if not self.changes:
            return start, end
        first, last = self._start(start), max(self._start(start), self._end(end))
        # Removed characters are changes of no width in the normalised text.
        for n0, n1, o0, _ in self.changes[bisect_left(self._starts, start) :]:
            if n0 != start or n1 != start:
                break
            first = min(first, o0)
        for n0, n1, _, o1 in self.changes[bisect_left(self._starts, end) :]:
            if n0 != end or n1 != end:
                break
            last = max(last, o1)
        return first, last


def normalise(text: str) -> Normalised:
    """``text`` in the one normalised form (see the module's description), with its map."""
    if text.isascii():
        return Normalised(text, text)
    if unicodedata.is_normalized("NFKC", text):
        # The characters beyond ASCII, in a string of their own (fast: no ASCII byte is ever
        # part of a longer UTF-8 sequence), are all the rest of the steps could change.
        beyond = text.encode("utf-8").translate(None, _ASCII_BYTES).decode("utf-8")
        if not _NEEDS_MORE.search(beyond):
            return Normalised(text, text)
    pieces: list[str] = []
    changes: list[tuple[int, int, int, int]] = []
    last = 0  # the end of the original copied so far
    length = 0  # the length of the normalised text so far
    for match in _CHUNK.finditer(text):
        chunk = match.group()
        new = _normalise_chunk(chunk)
        if new == chunk:
            continue
        o0, o1 = match.span()
        pieces.append(text[last:o0])
        length += o0 - last
        # Character by character where the chunk normalises that way (nearly always), so
        # that a find next to a changed character maps back to just its own characters.
        each = [_normalise_chunk(ch) for ch in chunk]
        if "".join(each) == new:
            for offset, (old, replacement) in enumerate(zip(chunk, each, strict=True)):
                if replacement != old:
                    changes.append(
                        (length, length + len(replacement), o0 + offset, o0 + offset + 1)
                    )
                length += len(replacement)
        else:
            changes.append((length, length + len(new), o0, o1))
            length += len(new)
        pieces.append(new)
        last = o1
    if not changes:
        return Normalised(text, text)
    pieces.append(text[last:])
    return Normalised("".join(pieces), text, tuple(changes), tuple(change[0] for change in changes))


def normalised(text: str) -> str:
    """Just the normalised text (for a name list, a keyword)."""
    return normalise(text).text


# --- bidirectional controls in the inputs --------------------------------------------------


def strip_bidi(text: str) -> tuple[str, int]:
    """``text`` without bidirectional controls, and how many there were."""
    cleaned, count = BIDI.subn("", text)
    return cleaned, count


def strip_bidi_in(data: Any, key: str = "") -> tuple[Any, list[str]]:
    """Remove bidirectional controls from every string of a structure read from YAML (keys
    and values); returns the cleaned structure and the dotted key of each value that held
    any (``areas.2``, ``title``)."""
    found: list[str] = []

    def clean(value: Any, where: str) -> Any:
        if isinstance(value, str):
            cleaned, count = strip_bidi(value)
            if count:
                found.append(where or "(the document)")
            return cleaned
        if isinstance(value, dict):
            out = {}
            for k, v in value.items():
                name = strip_bidi(k)[0] if isinstance(k, str) else k
                path = f"{where}.{name}" if where else str(name)
                if name != k:
                    found.append(path)
                out[name] = clean(v, path)
            return out
        if isinstance(value, list):
            return [
                clean(v, f"{where}.{i + 1}" if where else str(i + 1)) for i, v in enumerate(value)
            ]
        return value

    return clean(data, key), found


def bidi_positions(text: str) -> Iterator[int]:
    """Where each bidirectional control is in ``text``."""
    for match in BIDI.finditer(text):
        yield match.start()
