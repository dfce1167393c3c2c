"""Redaction of identifiers from the returns' free text, and the patterns the gate shares.

Free text from the returns can carry what names a child or a family: NHS numbers, dates of
birth, postcodes, phone numbers, e-mail addresses and names. Before any edition is made,
each is replaced by a token in plain English ("[NHS number]", "[name]", ...), and the
publication gate (`auditrap.gate`) looks for the same patterns in every public file. The
patterns live here, once, for both.

- NHS numbers: ten digits with a valid check digit (modulus 11), grouped in any way by
  single or double spaces or hyphens, standing on their own (not part of a longer number).
- Dates of birth: a full date within five words after "DOB", "D.O.B.", "date of birth",
  "birth date" or "born" (or just before "(DOB)"), in the usual numeric, ISO and written
  forms. Other dates (meetings, referrals) are kept: the report needs them.
- UK postcodes, in capitals or in lower case, with or without the space.
- UK phone numbers: 0, +44 or 0044, then nine or ten digits in any usual grouping.
- E-mail addresses.
- Listed names: the audit's name list (`read_name_list`), kept outside the published
  folder. Each full name, and each part of it of two or more letters (given names and
  surnames on their own), is found as a whole word (an underscore or a capital after a small
  letter starts one, as in a file name), in any case, possessive or not, with
  any white space between the parts.
- Unlisted names, found by their cues: a title ("Mrs Patel", "Dr Okafor", "PC Jenkins"), a
  relationship or a role before it ("Mum (Tracey)", "the father, Liam Fletcher", "Baby
  Oliver", "school nurse Jo Marsh", "known as Tia"), or after it a possessive relationship
  ("Ellie's mother"), a role or an age in brackets ("Jade (mum)", "Tyler (4)") or an age
  ("Noah, aged 2"). A name with no cue is not found: the name list is the defence for
  names. `docs/redaction.md` has the measured recall, and what is not caught.

Everything here is a pure function. `redact_series` redacts a whole column with one pass of
each pattern over the column's values joined together, not one Python call per value; each
pattern starts with a character class the regular expression engine can skip ahead to.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from auditrap.normalise import Normalised, normalise, normalised

if TYPE_CHECKING:
    import pandas as pd

# --- the kinds of identifier ------------------------------------------------------------


@dataclass(frozen=True)
class IdentifierKind:
    """One kind of identifier: its key, how the gate names it, and its redaction token."""

    key: str
    description: str
    token: str


#: Every kind, in the order redaction takes them: e-mail addresses first (they can hold
#: names and digits), names last.
KINDS: dict[str, IdentifierKind] = {
    kind.key: kind
    for kind in (
        IdentifierKind("email", "an e-mail address", "[e-mail address]"),
        IdentifierKind("nhs", "an NHS number", "[NHS number]"),
        IdentifierKind("phone", "a phone number", "[phone number]"),
        IdentifierKind("dob", "a date of birth", "[date of birth]"),
        IdentifierKind("postcode", "a UK postcode", "[postcode]"),
        IdentifierKind("listed_name", "a listed name", "[name]"),
        IdentifierKind("unlisted_name", "a name", "[name]"),
    )
}

#: The kinds the publication gate looks for: every pattern, and the audit's name list.
#: Unlisted names are found by cues that ordinary report prose can meet, so they are
#: redacted from the free text but do not stop a build.
GATE_KINDS: tuple[str, ...] = ("email", "nhs", "phone", "dob", "postcode", "listed_name")

#: A token this module wrote. It never matches a pattern; a name list part that happens to
#: be one of its words ("Name") is not found inside it.
TOKEN = re.compile(
    r"\[(?:"
    + "|".join(re.escape(k.token[1:-1]) for k in sorted(KINDS.values(), key=lambda k: k.key))
    + r")\]"
)

_LONGEST_TOKEN = max(len(k.token) for k in KINDS.values())


def _trie(words: Iterable[str]) -> str:
    """One regular expression for a set of words, as a trie: "sa(?:rah|m)" for "sarah",
    "sam". Python's engine tries an alternation one branch at a time; a trie tries a letter
    once."""
    root: dict = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:
        branches = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:
            body = f"(?:{body})?" if len(branches) == 1 else body[:-1] + ")?"
        return body

    return emit(root)


# --- numbers ----------------------------------------------------------------------------
# The "not inside a longer word or number" checks are look-behinds written after the first
# character, so that every pattern starts with a character class.

# Between the digits of a number: one or two spaces, or a hyphen, full stop or slash with or
# without a space either side ("943 476 5919", "943-476-5919", "943 - 476 - 5919",
# "943.476.5919", "943/476/5919"). Text is normalised first (`auditrap.normalise`): no-break,
# thin and figure spaces are spaces by then, dashes hyphens and full-width digits digits.
_SEP = r"(?:[ ]{1,2}|[ ]?[\-./][ ]?)"

NHS_NUMBER = re.compile(
    r"\d(?<![^\W_]\d)(?<!\d\.\d)(?<!\d[ \-.,/]\d)(?<!\d[ \-./]{2}\d)(?<!\d[ ][\-./][ ]\d)"
    rf"(?:{_SEP}?\d){{9}}"
    rf"(?!{_SEP}?\d|[^\W_]|[.,]\d)"
)

# After the prefix, nine or ten digits: the first two together, then grouped by spaces,
# hyphens, full stops, slashes or the bracket closing an area code.
_PHONE_SEP = rf"(?:\)[ \-]?|{_SEP})"
PHONE_NUMBER = re.compile(
    rf"(?:\+(?<![^\W_+]\+)44{_SEP}?(?:\(0\)[ \-]?|0)?"  # +44 7700 900123, +44 (0)1632 960123
    r"|0(?<![^\W_+]0)(?<!\d[ \-./,]0)(?<!\d[ \-./]{2}0)044[ \-]?(?:\(0\)[ \-]?|0)?"  # 0044 7700 900123
    r"|\((?<![^\W_]\()0(?=[1-9])"  # (01632) 960123
    r"|0(?<![^\W_+]0)(?<!\d[ \-./,]0)(?<!\d[ \-./]{2}0)(?=[1-9]))"  # 07700 900123, 0161 496 0123
    rf"[1-9]\d(?:{_PHONE_SEP}?\d){{7,8}}"
    rf"(?!{_PHONE_SEP}?\d|[^\W_]|[.,]\d)"
)

# --- dates of birth ---------------------------------------------------------------------

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"(?:0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?"
_YEAR = r"(?:(?:19|20)\d{2}|['’]?\d{2})"
_DATE = (
    r"(?:\d{1,2} ?[/.\-] ?\d{1,2} ?[/.\-] ?(?:\d{4}|\d{2})(?! ?[/.\-]? ?\d)"  # 12/03/2015, 12.3.15
    r"|\d{4}[/.\-]\d{1,2}[/.\-]\d{1,2}(?!\d)"  # 2015-03-12, 2015/3/12
    rf"|{_DAY}(?:\s+of)?[\s\-]+{_MONTH}[\s\-,]+{_YEAR}(?!\d)"  # 3rd of March 2015, 03-Mar-15
    rf"|{_MONTH}\s+{_DAY},?\s+{_YEAR}(?!\d))"  # March 3, 2015
)
# Up to five words between the keyword and the date ("born at home on", "recorded as"),
# never across the end of a sentence.
_BETWEEN = r"(?:(?:[a-z][a-z'’]*|\d{1,2}\s+weeks?)[\s,:\-–]+){0,5}?"
DATE_OF_BIRTH = re.compile(
    r"(?:[dD](?<!\w[dD])(?i:\.?\s?o\.?\s?b\b\.?|ate\s+of\s+birth\b)"
    r"|[bB](?<!\w[bB])(?i:orn\b|irth\s*date\b))"
    rf"(?i:[\s:.\-–(]*{_BETWEEN}(?P<date>{_DATE}))"
)
_DATE_OF = re.compile(r"date\s+of\s+\Z")
# A date just before "(DOB)": "12/03/2015 (DOB)".
DATE_BEFORE_DOB = re.compile(
    r"\d(?<!\w\d)(?:\d?[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})|\d{3}[/.\-]\d{1,2}[/.\-]\d{1,2})"
    r"(?!\d)(?=\s*\(?(?i:d\.?o\.?b)\b)"
)

# --- postcodes --------------------------------------------------------------------------
# The outward code (one or two area letters, the district), an optional space, the inward
# code (a digit and two of the letters inward codes use); in capitals or in lower case. The
# match starts at the district's first digit and looks behind for the area letters. In lower
# case, "2nd", "3rd" and "4th" are not an inward code ("b1 2nd floor"); after a "#" it is a
# colour ("#e5e7eb"), not a postcode.
POSTCODE = re.compile(
    r"\d(?<=[A-Za-z]\d)(?:"
    r"(?:(?<=(?<![^\W_])(?<!#)(?P<upper2>[A-Z]{2})\d)|(?<=(?<![^\W_])(?<!#)(?P<upper1>[A-Z])\d))"
    r"[A-Z\d]?\s?\d[ABD-HJLNP-UW-Z]{2}(?![^\W_])"
    r"|(?:(?<=(?<![^\W_])(?<!#)(?P<lower2>[a-z]{2})\d)|(?<=(?<![^\W_])(?<!#)(?P<lower1>[a-z])\d))"
    r"[a-z\d]?\s?\d(?!(?:st|nd|rd|th)\b)[abd-hjlnp-uw-z]{2}(?![^\W_]))"
)
_AREA_GROUPS = ("upper2", "upper1", "lower2", "lower1")

# --- e-mail addresses -------------------------------------------------------------------
# Found at their "@": the part before it is read backwards from there.
_AT = re.compile(r"@[\w-]+(?:\.[\w-]+)+")
_LOCAL_PART = re.compile(r"[\w.+-]{1,64}\Z")

# --- unlisted names ---------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return text.split()


# Capitalised words next to the cues that are not names: the family, roles and agencies of
# the returns ("Baby Unit", "Named Nurse", "Child Protection") and the words of a heading-
# cased phrase ("Baby Was Not Brought").
NOT_A_NAME = frozenset(
    _words(
        "A An And As Assessment At Aunt Auntie Baby Bank Barnardo Box Boy Brother Care "
        "Centre Child Children Clinic Conference Dad Daughter Did Doctor Early Father Friend "
        "Friendly Gran Grandad Grandfather Grandma Grandmother Group Had Has Health Help "
        "Hospital In Is Lead Led Liaison Loss Manager Mother Mum Named Nan Nana Nanna "
        "Neighbour Not Nurse Nursery Of On Or Parent Parents Partner Plan Police Practice "
        "Protection Room Safeguarding School Service Services Sibling Siblings Sister Social "
        "Son Support Team The Unborn Uncle Unit Visitor Was Were Worker"
    )
)
_NOT = rf"(?!{_trie(NOT_A_NAME)}\b)"
# The rest of a name's word after its capital: "O'Brien", "McAllister", "Mia-Rose", "Jo".
_WORD_REST = r"(?:['’][A-Z])?[a-z]+(?:[A-Z][a-z]+)?(?:-[A-Z][a-z]+)*"
_NAME_WORD = rf"{_NOT}[A-Z]{_WORD_REST}"

# A double-barrelled word in capitals that is not a name: "Multi-Agency", "Non-Accidental",
# "Step-Down", "Follow-Up", "Child-Centred".
_NOT_HYPHENATED = (
    "(?!"
    + _trie(
        _words(
            "Accidental Agency Anti Back Based Centred Check Child Co Cross Day Down Early "
            "East Ex Face Family Follow Front Full Greater Half Health High In Inter Joint "
            "Led Level Long Low Mid Multi Night Non North On Out Over Part Post Pre Re Self "
            "Semi Short Social South Step Sub Term Time Top Under Up Upon Walk Well West Year"
        )
    )
    + r"\b)"
)
_TITLES = _words("Mr Mrs Ms Miss Mx Dr Prof Cllr PC DC DS DI DCI PCSO Sgt Insp")
# Relationships and roles that come just before a name ("Mum (Tracey)", "Baby Oliver").
_RELATIONS = [
    r.replace("_", " ")
    for r in _words(
        "mum mam mom mother dad father stepmum stepmother stepdad stepfather step-mum "
        "step-mother step-dad step-father partner boyfriend girlfriend husband wife "
        "ex-partner grandmother grandfather grandma grandpa grandad granddad gran granny nan "
        "nana nanna nanny aunt auntie aunty uncle brother sister stepbrother stepsister "
        "half-brother half-sister sibling cousin baby son daughter friend neighbour landlord "
        "lodger carer foster_carer social_worker health_visitor school_nurse midwife teacher "
        "key_worker"
    )
]
# ("called" is not a cue: "Mum called Lancashire Constabulary".)
_KNOWN_AS = ["named", "named as", "known as", "aka", "nee", "née"]


def _preceded_by(words: Iterable[str], separators: Iterable[str], case_insensitive: bool) -> str:
    """Look-behinds, checked at a name's capital: one of `words`, then one of `separators`
    (regular expressions, each of one width). Python's look-behinds have a fixed width, so
    the words are grouped by their length."""
    by_length: dict[int, list[str]] = {}
    for word in words:
        by_length.setdefault(len(word), []).append(re.escape(word))
    group = "(?i:" if case_insensitive else "(?:"
    return "|".join(
        rf"(?<=(?<![\w-]){group}{'|'.join(same)}){sep}[A-Z])"
        for same in by_length.values()
        for sep in separators
    )


_CUE_BEFORE = (
    _preceded_by([*_TITLES, *(t + "." for t in _TITLES)], ["[ ]"], case_insensitive=False)
    + "|"
    + _preceded_by(
        [*_RELATIONS, *_KNOWN_AS],
        ["[ (,]", "(?:, |: | \\()", " - "],
        case_insensitive=True,
    )
)
# A quick look first: is the capital just after a word and a separator?
_AFTER_A_WORD = (
    r"(?:(?<=[A-Za-z.][ (,][A-Z])|(?<=[A-Za-z][,:][ ][A-Z])|(?<=[A-Za-z][ ]\([A-Z])"
    r"|(?<=[ ]-[ ][A-Z]))"
)
_RELATION = "(?:" + "|".join(re.escape(r).replace(r"\ ", r"\s+") for r in _RELATIONS) + ")"
_AGE = r"\d{1,2}(?:\s*(?:years?|yrs?|months?|mths?|weeks?)(?:\s+old)?)?"
# What can follow a name and show that it is one: "Jade (mum)", "Tyler (4)", "Noah, aged 2".
_CUE_AFTER = rf"\s*\((?i:{_RELATION}|aged?\s*{_AGE}|{_AGE})\)|,?\s+aged?\s+\d"
# A possessive before a relationship: "Ellie's mother", "Harvey's nursery".
_POSSESSED = (
    rf"['’]s\s+(?i:{_RELATION}|school|nursery|class|GP|bedroom|home|weight|injur(?:y|ies)"
    r"|bruis(?:e|es|ing)|account|behaviour|attendance)\b"
)
UNLISTED_NAME = re.compile(
    # A capital starting a word that could be a name ...
    rf"[A-Z](?=[a-z'’])(?<![\w'’-][A-Z])(?<={_NOT}[A-Z])"
    # ... after a cue: a name of one or two words ("Mrs Patel", "father, Liam Fletcher") ...
    rf"(?:{_AFTER_A_WORD}(?:{_CUE_BEFORE}){_WORD_REST}(?:[ ]{_NAME_WORD})?"
    # ... or before one ("Jade (mum)", "Noah, aged 2") ...
    rf"|{_WORD_REST}(?:[ ]{_NAME_WORD})?(?={_CUE_AFTER})"
    # ... or possessive ("Ellie's mother") ...
    rf"|{_WORD_REST}(?={_POSSESSED})"
    # ... or double-barrelled, wherever it is ("Mia-Rose", "Evie-Leigh").
    rf"|(?<={_NOT_HYPHENATED}[A-Z])[a-z]+(?:-{_NOT_HYPHENATED}[A-Z][a-z]+)+(?![\w-]))"
)


# --- the name list ----------------------------------------------------------------------

_HONORIFICS = {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "rev", "revd"}
_VARIANTS = {"’": "'", "‘": "'", "‐": "-", "‑": "-", "–": "-"}
_APOSTROPHES_AND_DASHES = str.maketrans(_VARIANTS)


def _accent_folds() -> dict[str, str]:
    """Each accented lower-case Latin letter and the letter without its accents ("ë": "e",
    "ł": "l"), so that a listed "Zoe" finds "Zoë" and a listed "Zoë" finds "ZOE"."""
    folds = {"ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ŧ": "t", "ı": "i"}
    for code in (*range(0xC0, 0x250), *range(0x1E00, 0x1F00)):
        ch = chr(code).lower()
        base = unicodedata.normalize("NFD", ch)
        if (
            len(ch) == 1
            and len(base) > 1
            and base[0].isascii()
            and base[0].isalpha()
            and all(unicodedata.combining(mark) for mark in base[1:])
        ):
            folds[ch] = base[0]
    return folds


_ACCENT_FOLDS = _accent_folds()
_ACCENTED = re.compile("[" + "".join(sorted(_ACCENT_FOLDS)) + "]")


def read_name_list(path: Path | None) -> list[str]:
    """The audit's name list: one name a line, UTF-8; `#` comments and blank lines ignored.

    A missing file (or no path) gives an empty list.
    """
    if path is None or not Path(path).is_file():
        return []
    names = []
    for line in Path(path).read_text(encoding="utf-8-sig").splitlines():
        name = line.split("#", 1)[0].strip()
        if name:
            names.append(name)
    return names


def name_parts(names: Iterable[str]) -> list[str]:
    """Each listed name's words of two or more letters, and the pieces of a hyphenated or
    apostrophised word: "Kayleigh-Ann O'Brien" gives "Kayleigh-Ann", "Kayleigh", "Ann",
    "O'Brien" and "Brien". Titles ("Mr", "Dr") are not parts. Longest first."""
    parts: set[str] = set()
    for name in names:
        for word in name.translate(_APOSTROPHES_AND_DASHES).split():
            word = word.strip('.,;:()[]"')
            for piece in {word, *re.split(r"[-']", word)}:
                letters = sum(ch.isalpha() for ch in piece)
                if letters >= 2 and piece.lower().rstrip(".") not in _HONORIFICS:
                    parts.add(piece)
    return sorted(parts, key=lambda p: (-len(p), p.lower()))


@lru_cache(maxsize=64)
def _listed_part_pattern(names: tuple[str, ...]) -> re.Pattern[str] | None:
    """Every part of the listed names, normalised and lowered as the text is (`_lowered`,
    accents folded), as one pattern for lowered text."""
    parts = {_lowered(normalised(p)) for p in name_parts(names)}
    return re.compile(_trie(parts)) if parts else None


def _lowered(text: str) -> str:
    """`text` in lower case with one kind of apostrophe and hyphen, character for character."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a character whose lower case is longer ("İ")
        lowered = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)
    for variant, plain in _VARIANTS.items():  # str.replace is much faster than translate
        if variant in lowered:
            lowered = lowered.replace(variant, plain)
    if not lowered.isascii():  # accents folded, one letter for one: "zoë" reads "zoe"
        lowered = _ACCENTED.sub(lambda m: _ACCENT_FOLDS[m.group()], lowered)
    return lowered


def _name_starts(text: str, start: int) -> bool:
    """Whether a listed name part can start at `text[start]`: at the start of a word, or of
    a word run into others as file names and addresses run them ("returns/Tyler_Whitfield",
    "TylerWhitfield.xlsx": an underscore, or a capital after a small letter)."""
    if not start:
        return True
    before = text[start - 1]
    return not before.isalnum() or (before.islower() and text[start].isupper())


def _name_ends(text: str, end: int) -> bool:
    """Whether a listed name part can end just before `text[end]` (see `_name_starts`)."""
    if end >= len(text):
        return True
    after = text[end]
    return not after.isalnum() or (after.isupper() and text[end - 1].islower())


def _listed_name_spans(text: str, lowered: str, names: tuple[str, ...]) -> list[tuple[int, int]]:
    """Each run of listed name parts in `text` ("Sarah Whitfield", "SARAH  JANE WHITFIELD"),
    whole words (or words run together as in a file name: "Sarah_Whitfield", "SarahWhitfield"),
    in any case (and, with a capital, plural: "the Whitfields"), and not inside
    a token this module wrote."""
    pattern = _listed_part_pattern(names)
    if pattern is None:
        return []
    hits = []
    for m in pattern.finditer(lowered):
        start, end = m.span()
        if not _name_starts(text, start):
            continue
        # A family by its name, with a capital: "the Whitfields", "the Dixons' home".
        plural = end < len(text) and text[end] in "sS" and text[start].isupper()
        if plural and _name_ends(text, end + 1):
            hits.append((start, end + 1))
        elif _name_ends(text, end):
            hits.append((start, end))
    if not hits:
        return []
    runs = [list(hits[0])]
    for start, end in hits[1:]:
        if text[runs[-1][1] : start].isspace():
            runs[-1][1] = end
        else:
            runs.append([start, end])
    return [(start, end) for start, end in runs if not _inside_token(text, start, end)]


def _inside_token(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] lies inside a token this module wrote ("[name]")."""
    opening = text.rfind("[", max(0, start - _LONGEST_TOKEN), start)
    if opening == -1:
        return False
    token = TOKEN.match(text, opening)
    return token is not None and end <= token.end()


# --- finding and replacing --------------------------------------------------------------


@dataclass(frozen=True)
class Identifier:
    """One identifier found in a text: its kind and where it is (`text[start:end]`)."""

    kind: str
    start: int
    end: int


def nhs_number_is_valid(digits: str) -> bool:
    """The NHS number check digit (modulus 11)."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


#: A finder: the spans of one kind of identifier in a text, given the text and `_lowered`.
Spans = Callable[[str, str], Iterable[tuple[int, int]]]


def _email_spans(text: str, lowered: str) -> Iterator[tuple[int, int]]:
    for m in _AT.finditer(text):
        local = _LOCAL_PART.search(text, max(0, m.start() - 64), m.start())
        if local:
            yield local.start(), m.end()


_DIGIT_GROUPS = re.compile(r"\d+")


def _nhs_spans(text: str, lowered: str) -> Iterator[tuple[int, int]]:
    for m in NHS_NUMBER.finditer(text):
        groups = _DIGIT_GROUPS.findall(m.group(0))
        # Digits written one by one ("0 1 2 3 4 5 6 7 8 9", a chart's axis) are a list of
        # numbers, unless "NHS" comes just before them.
        one_by_one = min(len(g) for g in groups) < 2
        if one_by_one and "nhs" not in lowered[max(0, m.start() - 20) : m.start()]:
            continue
        if nhs_number_is_valid("".join(groups)):
            yield m.span()


def _phone_spans(text: str, lowered: str) -> Iterator[tuple[int, int]]:
    for m in PHONE_NUMBER.finditer(text):
        yield m.span()


def _dob_spans(text: str, lowered: str) -> list[tuple[int, int]]:
    # The keywords are rare: find them by plain substring search of the lower-cased text,
    # then match the patterns where each is.
    found = set()
    for keyword in ("dob", "d.o.b", "d. o. b", "d o b", "born", "birth"):
        at = lowered.find(keyword)
        while at != -1:
            starts = [at]
            if keyword == "birth":  # "date of birth"
                before = _DATE_OF.search(lowered, max(0, at - 16), at)
                starts += [before.start()] if before else []
            for start in starts:
                m = DATE_OF_BIRTH.match(text, start)
                if m:
                    found.add(m.span("date"))
            if keyword.startswith("d"):  # "12/03/2015 (DOB)"
                for m in DATE_BEFORE_DOB.finditer(text, max(0, at - 32), at + 16):
                    if m.end() <= at:
                        found.add(m.span())
            at = lowered.find(keyword, at + 1)
    return sorted(found)


def _postcode_spans(text: str, lowered: str) -> Iterator[tuple[int, int]]:
    for m in POSTCODE.finditer(text):
        area = next(g for g in _AREA_GROUPS if m.group(g) is not None)
        yield m.start(area), m.end()


def _unlisted_name_spans(text: str, lowered: str) -> Iterator[tuple[int, int]]:
    for m in UNLISTED_NAME.finditer(text):
        yield m.span()


def _finders(names: Sequence[str]) -> dict[str, Spans]:
    listed = tuple(names)
    return {
        "email": _email_spans,
        "nhs": _nhs_spans,
        "phone": _phone_spans,
        "dob": _dob_spans,
        "postcode": _postcode_spans,
        "listed_name": lambda text, lowered: _listed_name_spans(text, lowered, listed),
        "unlisted_name": _unlisted_name_spans,
    }


def find_identifiers(
    text: str, names: Sequence[str] = (), kinds: Iterable[str] = tuple(KINDS)
) -> list[Identifier]:
    """Every identifier of the given kinds in `text`, in the order of the text.

    The text is normalised first (`auditrap.normalise`: invisible characters removed, odd
    spaces, dashes and digits made plain, Unicode composed), and each identifier found is
    given where it is in `text` itself: `text[start:end]`, with any invisible characters
    inside it. Each kind is looked for in the whole text, so one stretch may be found as two
    kinds (a listed name inside an e-mail address); redaction takes the kinds in the order of
    `KINDS`, each on what the kinds before it left.
    """
    norm = normalise(text)
    finders, lowered = _finders(names), _lowered(norm.text)
    found = {
        (kind, *norm.span(s, e)) for kind in kinds for s, e in finders[kind](norm.text, lowered)
    }
    return sorted(
        (Identifier(kind, s, e) for kind, s, e in found), key=lambda i: (i.start, i.end, i.kind)
    )


def _merged(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans in order, overlapping ones made one."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _redact(text: str, names: Sequence[str], counts: Counter[str]) -> str:
    norm = normalise(text)
    if norm.unchanged:
        return _redact_normalised(text, names, counts, None)
    # Found in the normalised text, replaced in the original: each token takes the place of
    # the whole stretch of the original its identifier came from (see `_Placed`).
    placed = _Placed()
    _redact_normalised(norm.text, names, counts, placed)
    return _replace_original(norm, placed)


def _redact_normalised(
    text: str, names: Sequence[str], counts: Counter[str], placed: _Placed | None
) -> str:
    """Redact `text`, kind after kind, recording in `placed` what each token stands for."""
    lowered = _lowered(text)  # kept in step with `text`, for the finders that search it
    for kind, finder in _finders(names).items():
        spans = _merged(finder(text, lowered))
        if not spans:
            continue
        counts[kind] += len(spans)
        token = KINDS[kind].token
        if placed is not None:
            placed.replace(spans, token)
        text = _replace(text, spans, token)
        lowered = _replace(lowered, spans, token.lower())
    return text


class _Placed:
    """The tokens placed in a text as it is redacted kind after kind: for each, where it is
    now and the stretch of the text before redaction that it replaced (a later kind's find
    can take in an earlier token, which then stands for the stretch of both)."""

    def __init__(self) -> None:
        self.tokens: list[tuple[int, int, int, int, str]] = []  # now, then, token
        self._starts: list[int] = []

    def _before(self, position: int, *, end: bool) -> int:
        """Where a position of the text now was before redaction (`end`: the position just
        after a stretch, which maps to the end of a token it falls at)."""
        at = bisect_right(self._starts, position - 1 if end else position) - 1
        if at < 0:
            return position
        now0, now1, then0, then1, _ = self.tokens[at]
        if position < now1 or (end and position == now1):
            return then1 if end else then0
        return position - now1 + then1

    def replace(self, spans: list[tuple[int, int]], token: str) -> None:
        """Record `token` replacing each of `spans` (positions of the text now)."""
        new = [(s, e, self._before(s, end=False), self._before(e, end=True)) for s, e in spans]
        # An earlier token that a new find overlaps is taken into it.
        taken = set()
        for s, e, _, _ in new:
            at = max(0, bisect_right(self._starts, s) - 1)
            while at < len(self.tokens) and self.tokens[at][0] < e:
                if s < self.tokens[at][1]:
                    taken.add(at)
                at += 1
        kept = [(*old, False) for i, old in enumerate(self.tokens) if i not in taken]
        shift = 0
        tokens = []
        for s, e, then0, then1, tok, is_new in sorted(
            [*kept, *((s, e, t0, t1, token, True) for s, e, t0, t1 in new)]
        ):
            length = len(tok) if is_new else e - s
            tokens.append((s + shift, s + shift + length, then0, then1, tok))
            shift += length - (e - s)
        self.tokens = tokens
        self._starts = [token[0] for token in tokens]


def _replace_original(norm: Normalised, placed: _Placed) -> str:
    """The original text with each placed token instead of the stretch it stands for."""
    stretches: list[tuple[int, int, str]] = []
    for _, _, then0, then1, token in placed.tokens:
        start, end = norm.span(then0, then1)
        if stretches and start < stretches[-1][1]:  # two finds in one changed character
            stretches[-1] = (stretches[-1][0], max(end, stretches[-1][1]), stretches[-1][2])
        else:
            stretches.append((start, end, token))
    pieces, last = [], 0
    for start, end, token in stretches:
        pieces += [norm.original[last:start], token]
        last = end
    return "".join([*pieces, norm.original[last:]])


def _replace(text: str, spans: list[tuple[int, int]], token: str) -> str:
    pieces, last = [], 0
    for start, end in spans:
        pieces += [text[last:start], token]
        last = end
    return "".join([*pieces, text[last:]])


def redact_text(text: str, names: Sequence[str] = ()) -> str:
    """`text` with every identifier replaced by its token ("[NHS number]", "[name]", ...)."""
    return _redact(text, names, Counter())


# The separator of a column's values while they are redacted together: no free text holds
# it, no pattern matches it, and to every pattern it is the end of a text.
_JOIN = "\x00"


def redact_series(values: pd.Series, names: Sequence[str] = ()) -> tuple[pd.Series, pd.DataFrame]:
    """Redact a column of free text: the redacted column, and how many of each kind went.

    Missing values stay missing; the index, name and dtype are kept. The counts (a frame of
    `kind` and `redactions`, one row per kind in the order of `KINDS`) are for the
    validation and method summaries: they never hold what was redacted.
    """
    import pandas as pd  # here, not at the top: the gate uses the patterns without pandas

    present = values.notna().to_numpy()
    texts = [str(v) for v in values[present].tolist()]
    counts: Counter[str] = Counter()
    if not any(_JOIN in t for t in texts):
        redacted = _redact(_JOIN.join(texts), names, counts).split(_JOIN) if texts else []
    else:
        redacted = [_redact(t, names, counts) for t in texts]
    out = values.astype(object)
    out[present] = redacted
    if isinstance(values.dtype, pd.StringDtype):
        out = out.astype(values.dtype)
    summary = pd.DataFrame({"kind": list(KINDS), "redactions": [counts[kind] for kind in KINDS]})
    return out, summary


#: The free-text columns of each validated table, redacted before any stage reads them.
FREE_TEXT = {
    "returns": ("auditor_role", "strengths", "improvements"),
    "actions": ("action",),
    "action_plan": ("action", "evidence"),
}


def redact_tables(
    tables: Mapping[str, pd.DataFrame], names: Sequence[str] = ()
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """Redact every free-text column of the validated tables (see `FREE_TEXT`).

    Returns the tables with their free text redacted and the count of redactions by table,
    column and kind (never what was redacted), for the validation summary.
    """
    import pandas as pd

    out = dict(tables)
    rows = []
    for table, columns in FREE_TEXT.items():
        if table not in out:
            continue
        frame = out[table].copy()
        for column in columns:
            if column not in frame:
                continue
            frame[column], counts = redact_series(frame[column], names)
            rows += [
                {"table": table, "column": column, "kind": kind, "redactions": int(n)}
                for kind, n in zip(counts["kind"], counts["redactions"], strict=True)
                if n
            ]
        out[table] = frame
    summary = pd.DataFrame(rows, columns=["table", "column", "kind", "redactions"])
    return out, summary
