"""Tag the free text of the returns with the themes of a YAML taxonomy.

The taxonomy is written for analysts, as named lists of plain words and short phrases (see
``data/themes.yaml`` and docs/themes.md). A theme's ``terms`` are its named lists; each rule
of its ``match`` names some of them, and a sentence speaks of the theme when, for one rule,
it mentions a term of every list the rule names (and none of a list written ``not <name>``).
A rule of ``exclude`` vetoes a match the same way. The code compiles each list to one
regular expression (:func:`term_pattern`), so that matching is vectorised over every
sentence of every return at once.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from auditrap.normalise import strip_bidi_in
from auditrap.problems import did_you_mean

FREE_TEXT_FIELDS = ("strengths", "improvements")

# Sentence ends: . ! ? followed by space and a capital, digit or quote; or a line break.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]?\s+(?=[A-Z0-9\"'(])|[\r\n]+|;\s+(?=[A-Z])")


class Condition(NamedTuple):
    """One named list of a rule, compiled: the sentence must (or, negated, must not) match."""

    pattern: str
    negated: bool = False
    name: str = ""


#: A rule: every condition must hold.
Rule = tuple[Condition, ...]


@dataclass(frozen=True)
class Theme:
    id: str
    title: str
    description: str
    rules: tuple[Rule, ...]
    exclude: tuple[Rule, ...] = ()
    terms: Mapping[str, tuple[str, ...]] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Taxonomy:
    themes: tuple[Theme, ...]
    sources: tuple[str, ...] = field(default=())

    @property
    def ids(self) -> list[str]:
        return [t.id for t in self.themes]

    def by_id(self, theme_id: str) -> Theme:
        return next(t for t in self.themes if t.id == theme_id)


class TaxonomyError(ValueError):
    """The taxonomy file is not usable; the message says where and why."""


_THEME_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_THEME_KEYS = {"id", "title", "description", "terms", "match", "exclude"}

# --- terms, compiled to regular expressions ---------------------------------------------------

#: What ``#`` in a term stands for: a number, in digits or in words.
NUMBER_WORDS = (
    *("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"),
    *("eleven", "twelve", "fifteen", "twenty", "thirty", "forty", "fifty"),
    *("few", "several", "many"),
)
_NUMBER = r"(?:\d+|" + "|".join(NUMBER_WORDS) + r")\b"
# Between the words of a term: spaces, or a hyphen ("step down" finds "step-down").
_BETWEEN = r"[\s-]+"
# "..." between two words of a term: up to four other words may stand there.
_GAP = r"\W+(?:\w+\W+){0,4}?"
_TERM_CHARS = re.compile(r"^[\w'’&./*-]+$")


class TermError(ValueError):
    """A term cannot be compiled; the message says why in an analyst's words."""


def term_pattern(term: str) -> str:
    """The regular expression of one term (case is ignored when it is matched).

    - Words match whole words: ``GP`` finds "GP" and "gp", never "GPS" or "legal".
    - ``*`` at the end of a word matches any ending: ``inform*`` finds "inform", "informed",
      "information".
    - A space, or a hyphen inside a word, matches spaces or a hyphen: ``step down`` and
      ``step-down`` both find "step down", "step-down" and ``step-down`` also "stepdown".
    - ``#`` is a number, in digits or words: ``# days`` finds "3 days" and "three days".
    - ``...`` between two words lets up to four other words stand between them:
      ``not ... told`` finds "not told" and "not been formally told".
    - An apostrophe matches a straight or a curly one.
    """
    words = term.split()
    if not words:
        raise TermError("a term is empty")
    if words[0] == "..." or words[-1] == "...":
        raise TermError(f"`{term}`: `...` can only stand between two words")
    parts: list[str] = []
    gap = False
    for word in words:
        if word == "...":
            if gap:
                raise TermError(f"`{term}`: two `...` in a row")
            gap = True
            continue
        if parts:
            parts.append(_GAP if gap else _BETWEEN)
        gap = False
        parts.append(_word_pattern(word, term))
    return "".join(parts)


def _word_pattern(word: str, term: str) -> str:
    if word == "#":
        return r"\b" + _NUMBER
    if not _TERM_CHARS.match(word) or not re.search(r"\w", word):
        raise TermError(
            f"`{term}`: write terms as plain words and short phrases (letters, digits, "
            "hyphens and apostrophes; `*` at the end of a word, `#` for a number, `...` for "
            "a few words)"
        )
    if "*" in word[:-1]:
        raise TermError(f"`{term}`: `*` can only end a word (as in `inform*`)")
    out = []
    body, wildcard = (word[:-1], True) if word.endswith("*") else (word, False)
    for n, char in enumerate(body):
        if char in "'’":
            out.append("'")  # curly apostrophes are straightened before matching
        elif char == "-" and 0 < n < len(body) - 1:
            out.append("[\\s-]?")
        else:
            out.append(re.escape(char))
    text = "".join(out)
    start = r"\b" if re.match(r"\w", body) else ""
    end = r"\w*" if wildcard else (r"\b" if re.search(r"\w$", body) else "")
    return start + text + end


def list_pattern(terms: Sequence[str]) -> str:
    """One regular expression finding any of the terms."""
    return "(?:" + "|".join(term_pattern(t) for t in terms) + ")"


# --- reading the taxonomy ----------------------------------------------------------------------


@dataclass
class _Draft:
    """A theme as read, before its rules are compiled (an extension may still add to it)."""

    id: str
    title: str
    description: str
    terms: dict[str, list[str]]
    match: list[tuple[list[str], str]]  # (list names, where)
    exclude: list[tuple[list[str], str]]


def load_taxonomy(path: Path, extension: Path | None = None) -> Taxonomy:
    """Read the shared taxonomy, and an audit's own extension of it when there is one.

    An extension (same layout) may add themes, or add to a shared theme by naming its id:
    terms to its lists (a list of the same name) or new lists, rules and exclusions.
    """
    drafts: dict[str, _Draft] = {}
    sources = []
    for source in (path, extension):
        if source is None or not source.is_file():
            continue
        sources.append(str(source))
        for draft in _parse(source):
            old = drafts.get(draft.id)
            if old is None:
                drafts[draft.id] = draft
                continue
            old.title = draft.title or old.title
            old.description = draft.description or old.description
            for name, terms in draft.terms.items():
                old.terms.setdefault(name, []).extend(terms)
            old.match += draft.match
            old.exclude += draft.exclude
    if not drafts:
        raise TaxonomyError(f"{path}: the theme taxonomy is missing or lists no themes.")
    return Taxonomy(tuple(_compile_theme(d) for d in drafts.values()), tuple(sources))


def _compile_theme(draft: _Draft) -> Theme:
    patterns: dict[str, str] = {}
    for name, terms in draft.terms.items():
        patterns[name] = list_pattern(terms)

    def rule(names: list[str], where: str) -> Rule:
        conditions = []
        for name in names:
            negated = name.startswith("not ")
            key = name[4:].strip() if negated else name
            if key not in patterns:
                raise TaxonomyError(
                    f"{where}: `{key}` is not one of the theme's term lists"
                    f"{did_you_mean(key, list(patterns))} The lists are: "
                    + ", ".join(patterns)
                    + "."
                )
            conditions.append(Condition(patterns[key], negated, name))
        if all(c.negated for c in conditions):
            raise TaxonomyError(
                f"{where}: a rule needs at least one list a sentence must mention, not only "
                "`not` lists."
            )
        # Lists to find first, then those to rule out: each runs on fewer sentences.
        return tuple(sorted(conditions, key=lambda c: c.negated))

    return Theme(
        draft.id,
        draft.title,
        draft.description,
        tuple(rule(names, where) for names, where in draft.match),
        tuple(rule(names, where) for names, where in draft.exclude),
        {name: tuple(terms) for name, terms in draft.terms.items()},
    )


def _parse(path: Path) -> list[_Draft]:
    from auditrap.yaml_input import load_yaml

    # The loader every hand-written YAML file is read with: its limits, no guessed booleans
    # or dates, and a key given twice is an error.
    read = load_yaml(path, display=str(path))
    if read.problems:
        raise TaxonomyError(" ".join(p.line() for p in read.problems))
    data = read.data
    # A theme's title is published: direction controls would show it backwards.
    data, with_controls = strip_bidi_in(data)
    for key in with_controls:
        logging.getLogger("auditrap").warning(
            "Warning: %s, key %s: invisible direction controls (which make a browser show "
            "text backwards) were taken out. Check that it reads as you meant it.",
            path,
            key,
        )
    entries = (data or {}).get("themes") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise TaxonomyError(f"{path}: expected a list under the key `themes:`.")
    drafts = []
    for n, entry in enumerate(entries, start=1):
        where = f"{path}, theme {n}"
        if not isinstance(entry, dict) or "id" not in entry:
            raise TaxonomyError(f"{where}: each theme needs an `id:`.")
        unknown = set(entry) - _THEME_KEYS
        if unknown:
            raise TaxonomyError(
                f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))}; "
                f"the keys are {', '.join(sorted(_THEME_KEYS))}."
            )
        theme_id = str(entry["id"])
        if not _THEME_ID.match(theme_id):
            raise TaxonomyError(
                f"{where}: the id `{theme_id}` must be lower-case letters, digits and hyphens."
            )
        where = f"{path}, theme {theme_id}"
        drafts.append(
            _Draft(
                theme_id,
                str(entry.get("title") or ""),
                str(entry.get("description") or ""),
                _terms(entry.get("terms"), where),
                _rules(entry.get("match"), f"{where}, match"),
                _rules(entry.get("exclude"), f"{where}, exclude"),
            )
        )
    return drafts


def _terms(value: Any, where: str) -> dict[str, list[str]]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise TaxonomyError(
            f"{where}: `terms:` must name each list, e.g. `terms: {{gp: [GP, the surgery]}}`."
        )
    out: dict[str, list[str]] = {}
    for name, terms in value.items():
        name = str(name).strip()
        if not name or name.startswith("not "):
            raise TaxonomyError(f"{where}: the list name `{name}` cannot start with `not`.")
        if isinstance(terms, str):
            terms = [terms]
        if not isinstance(terms, list) or not terms:
            raise TaxonomyError(f"{where}, list `{name}`: give a list of words and phrases.")
        texts = [str(t) for t in terms if t is not None]
        for term in texts:
            try:
                term_pattern(term)
            except TermError as exc:
                raise TaxonomyError(f"{where}, list `{name}`: {exc}.") from None
        out[name] = texts
    return out


def _rules(value: Any, where: str) -> list[tuple[list[str], str]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise TaxonomyError(f"{where}: expected a list of rules, each a list of list names.")
    rules = []
    for n, rule in enumerate(value, start=1):
        names = [rule] if isinstance(rule, str) else rule
        if not isinstance(names, list) or not names or not all(isinstance(x, str) for x in names):
            raise TaxonomyError(
                f"{where}, rule {n}: a rule is a list of the theme's list names, e.g. "
                "`[gp, sharing]`."
            )
        rules.append(([x.strip() for x in names], f"{where}, rule {n}"))
    return rules


def split_sentences(text: pd.Series) -> pd.Series:
    """One row per sentence, indexed like ``text`` (a return's index repeats)."""
    sentences = text.fillna("").astype(str).str.split(_SENTENCE_END, regex=True).explode()
    sentences = sentences.str.strip()
    return sentences[sentences.str.len() > 0]


# --- matching many sentences at once --------------------------------------------------------
#
# Tens of thousands of returns make hundreds of thousands of sentences. Each term list is one
# regular expression that RE2 reads exactly as Python's ``re`` does (words, ``\b``, ``\w``,
# spaces and escaped punctuation only), so it runs in RE2, vectorised by Arrow
# (``pyarrow.compute.match_substring_regex``), on every sentence where the two engines cannot
# differ; the few others (a letter, digit or space outside ASCII, where Python's ``\w``,
# ``\b`` and case folding are Unicode and RE2's are ASCII) go through Python's ``re``. A
# rule's next list runs only on the sentences its earlier lists kept, a theme's next rule
# only on the sentences no earlier rule matched, an exclusion only on the hits, and each
# distinct sentence is matched once. Curly apostrophes are straightened first, so that
# ``child's`` finds "child’s". The result is exactly that of ``re.search`` on every sentence.

# Where RE2 and Python's re could read a sentence differently: a letter, digit or space
# outside ASCII, or a control character other than tab.
_RE2_UNSAFE = re.compile(r"[^\W\x00-\x7f]|[^\S\x00-\x7f]|[\x00-\x08\x0a-\x1f\x7f]")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'"})


def matching_text(sentence: str) -> str:
    """The sentence as the patterns see it: curly apostrophes straightened."""
    return sentence.translate(_APOSTROPHES)


@functools.cache
def _python(pattern: str) -> re.Pattern:
    return re.compile(pattern, re.IGNORECASE)


class _Sentences:
    """The distinct sentences of a series, ready for both regular expression engines."""

    def __init__(self, sentences: pd.Series) -> None:
        import pyarrow as pa

        self.index = sentences.index
        codes, uniques = pd.factorize(sentences.astype(object), use_na_sentinel=False)
        self.codes = codes
        self.values = np.asarray([matching_text(str(s)) for s in uniques], dtype=object)
        self.safe = np.fromiter(
            (_RE2_UNSAFE.search(s) is None for s in self.values), bool, len(self.values)
        )
        self.arrow = pa.array(self.values, type=pa.large_string())

    def __len__(self) -> int:
        return len(self.values)

    def search(self, pattern: str, rows: np.ndarray) -> np.ndarray:
        """For the distinct sentences at ``rows``: does the pattern match anywhere in it?"""
        import pyarrow as pa
        import pyarrow.compute as pc

        safe = self.safe[rows]
        found = np.zeros(len(rows), bool)
        python = _python(pattern)
        for n in np.flatnonzero(~safe):
            found[n] = python.search(self.values[rows[n]]) is not None
        where = np.flatnonzero(safe)
        if len(where):
            # Matching every distinct sentence is cheaper than picking out most of them.
            picked = rows[where] if 4 * len(where) < len(self) else None
            text = self.arrow if picked is None else self.arrow.take(pa.array(picked))
            matched = pc.match_substring_regex(text, pattern, ignore_case=True)
            matched = matched.to_numpy(zero_copy_only=False)
            found[where] = matched if picked is not None else matched[rows[where]]
        return found


def _apply(sentences: _Sentences, rule: Rule, candidates: np.ndarray) -> np.ndarray:
    """The candidates (distinct sentence numbers) that satisfy every condition of the rule."""
    for condition in rule:
        if not len(candidates):
            break
        found = sentences.search(condition.pattern, candidates)
        candidates = candidates[found != condition.negated]
    return candidates


def _match(sentences: _Sentences, theme: Theme) -> np.ndarray:
    """True for each distinct sentence that speaks of the theme."""
    hit = np.zeros(len(sentences), bool)
    for rule in theme.rules:
        hit[_apply(sentences, rule, np.flatnonzero(~hit))] = True
    for rule in theme.exclude:
        hits = np.flatnonzero(hit)
        if not len(hits):
            break
        hit[_apply(sentences, rule, hits)] = False
    return hit


def match_sentences(sentences: pd.Series, theme: Theme) -> pd.Series:
    """True for each sentence that speaks of the theme."""
    distinct = _Sentences(sentences.fillna(""))
    return pd.Series(_match(distinct, theme)[distinct.codes], index=sentences.index)


def tag_sentences(sentences: Sequence[str], taxonomy: Taxonomy) -> list[set[str]]:
    """The themes each single sentence speaks of (used to measure the tagger)."""
    series = pd.Series(list(sentences), dtype="string").fillna("")
    distinct = _Sentences(series)
    hits = {t.id: _match(distinct, t)[distinct.codes] for t in taxonomy.themes}
    return [{tid for tid, h in hits.items() if h[i]} for i in range(len(series))]


#: What a sentence says of a theme, by the field it was written in.
FIELD_KIND = {"strengths": "good_practice", "improvements": "concern"}

#: The columns of a table of sentences (one row per sentence of a return's free text).
SENTENCE_COLUMNS = [
    "case_id",
    "agency",
    "field",
    "position",
    "sentence",
    "source_file",
    "source_row",
]


def return_sentences(returns: pd.DataFrame) -> pd.DataFrame:
    """Every sentence of the returns' free text: the return it is in (``return_index``),
    its field, its position in the field (1 for the first sentence) and its text.
    :func:`with_source` adds the return's case, agency, source file and row."""
    parts = []
    for order, field_name in enumerate(FREE_TEXT_FIELDS):
        if field_name not in returns:
            continue
        sentences = split_sentences(returns[field_name])
        if sentences.empty:
            continue
        parts.append(
            pd.DataFrame(
                {
                    "return_index": sentences.index,
                    "order": order,
                    "field": field_name,
                    "position": sentences.groupby(level=0).cumcount().to_numpy() + 1,
                    "sentence": sentences.to_numpy(),
                }
            )
        )
    if not parts:
        empty = {c: pd.Series(dtype="string") for c in ["return_index", "field", "sentence"]}
        for column in ("return_index", "order", "position"):
            empty[column] = pd.Series(dtype="int64")
        return pd.DataFrame(empty)[["return_index", "order", "field", "position", "sentence"]]
    return pd.concat(parts, ignore_index=True)


def suggest_tags(
    returns: pd.DataFrame, taxonomy: Taxonomy, sentences: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The tagger's suggestions: one row per (sentence, theme) that the taxonomy matches,
    in the order of the returns, their fields (strengths first), sentences and themes.
    ``sentences`` are :func:`return_sentences` of the returns, when already made."""
    columns = ["return_index", *SENTENCE_COLUMNS[:5], "theme_id", *SENTENCE_COLUMNS[5:]]
    if sentences is None:
        sentences = return_sentences(returns)
    parts = []
    if len(sentences):
        distinct = _Sentences(sentences["sentence"])
        for rank, theme in enumerate(taxonomy.themes):
            hit = _match(distinct, theme)[distinct.codes]
            if hit.any():
                parts.append(sentences[hit].assign(theme_id=theme.id, theme_order=rank))
    if not parts:
        empty = {c: pd.Series(dtype="string") for c in columns}
        for column in ("return_index", "position", "source_row"):
            empty[column] = pd.Series(dtype="int64")
        return pd.DataFrame(empty)
    tags = pd.concat(parts, ignore_index=True)
    tags = tags.sort_values(["return_index", "order", "position", "theme_order"], kind="stable")
    return with_source(tags, returns)[columns].reset_index(drop=True)


def with_source(rows: pd.DataFrame, returns: pd.DataFrame) -> pd.DataFrame:
    """``rows`` (with ``return_index``) with the case, agency and source of their return."""
    source = returns[["case_id", "agency", "source_file", "source_row"]].loc[rows["return_index"]]
    return rows.assign(
        case_id=source["case_id"].astype(str).to_numpy(),
        agency=source["agency"].astype(str).to_numpy(),
        source_file=source["source_file"].astype(str).to_numpy(),
        source_row=source["source_row"].astype("int64").to_numpy(),
    )


#: The columns of theme_tags (one row per return and theme), in order.
TAG_COLUMNS = [
    "case_id",
    "agency",
    "theme_id",
    "field",
    "sentence",
    "concern",
    "good_practice",
    "reviewed",
    "source_file",
    "source_row",
]


def theme_tags(sentence_tags: pd.DataFrame, taxonomy: Taxonomy) -> pd.DataFrame:
    """One row per (return, theme) from the sentence tags that count (``counted``): the first
    sentence is the evidence (strengths before improvements); ``concern`` when a sentence of
    the improvements speaks of the theme, ``good_practice`` when one of the strengths does;
    ``reviewed`` when every sentence tag behind the row was confirmed by the analyst."""
    tags = sentence_tags[sentence_tags["counted"].astype(bool)]
    if tags.empty:
        frame = pd.DataFrame({c: pd.Series(dtype="string") for c in TAG_COLUMNS})
        return frame.astype(
            {"concern": bool, "good_practice": bool, "reviewed": bool, "source_row": "int64"}
        )
    order = {tid: n for n, tid in enumerate(taxonomy.ids)}
    tags = tags.assign(
        theme_order=tags["theme_id"].map(order),
        field_order=tags["field"].map({f: n for n, f in enumerate(FREE_TEXT_FIELDS)}),
        is_concern=tags["field"] == "improvements",
        is_good=tags["field"] == "strengths",
        is_reviewed=tags["decision"] != "unreviewed",
    )
    keys = ["source_file", "source_row", "theme_id"]
    grouped = tags.groupby(keys, sort=False)
    flags = pd.DataFrame(
        {
            "concern": grouped["is_concern"].any(),
            "good_practice": grouped["is_good"].any(),
            "reviewed": grouped["is_reviewed"].all(),
        }
    )
    first = tags.sort_values(
        ["source_file", "source_row", "theme_order", "field_order", "position"], kind="stable"
    ).drop_duplicates(keys, keep="first")
    out = first.join(flags, on=keys)
    return out[TAG_COLUMNS].reset_index(drop=True)


#: The count columns of theme_counts, after theme_id and theme. The first three are the
#: data contract's; the rest say what the returns said of the theme.
COUNT_MEASURES = (
    "returns",
    "cases",
    "agencies",
    "concern_returns",
    "concern_cases",
    "good_practice_returns",
    "good_practice_cases",
)


def theme_counts(tags: pd.DataFrame, taxonomy: Taxonomy) -> pd.DataFrame:
    """For each theme (zeros included): how many returns, cases and agencies speak of it, and
    how many returns and cases raised it as a concern or noted it as good practice."""
    ids = pd.Index(taxonomy.ids, name="theme_id")

    def counts(frame: pd.DataFrame, prefix: str = "") -> pd.DataFrame:
        grouped = frame.groupby("theme_id")
        out = {f"{prefix}returns": grouped.size(), f"{prefix}cases": grouped["case_id"].nunique()}
        if not prefix:
            out["agencies"] = grouped["agency"].nunique()
        return pd.DataFrame(out).reindex(ids, fill_value=0)

    table = pd.concat(
        [
            counts(tags),
            counts(tags[tags["concern"].astype(bool)], "concern_"),
            counts(tags[tags["good_practice"].astype(bool)], "good_practice_"),
        ],
        axis=1,
    ).fillna(0)
    table = table[list(COUNT_MEASURES)].astype("int64").reset_index()
    table.insert(1, "theme", [taxonomy.by_id(t).title for t in table["theme_id"]])
    return table


def precision_recall(
    expected: Sequence[set[str]], found: Sequence[set[str]], theme_ids: Sequence[str]
) -> Mapping[str, dict[str, float]]:
    """Per-theme precision and recall of ``found`` against the labels ``expected``."""
    scores = {}
    for tid in theme_ids:
        tp = sum(1 for e, f in zip(expected, found, strict=True) if tid in e and tid in f)
        fp = sum(1 for e, f in zip(expected, found, strict=True) if tid not in e and tid in f)
        fn = sum(1 for e, f in zip(expected, found, strict=True) if tid in e and tid not in f)
        scores[tid] = {
            "precision": tp / (tp + fp) if tp + fp else 1.0,
            "recall": tp / (tp + fn) if tp + fn else 1.0,
            "support": tp + fn,
        }
    return scores


def tag_returns(returns: pd.DataFrame, taxonomy: Taxonomy) -> pd.DataFrame:
    """theme_tags from the tagger's suggestions alone, as if none had been reviewed yet
    (:func:`auditrap.review.tag_and_review` applies the analyst's review)."""
    suggestions = suggest_tags(returns, taxonomy)
    return theme_tags(suggestions.assign(counted=True, decision="unreviewed"), taxonomy)


def load_theme_ids(taxonomy_paths: Sequence[Path]) -> tuple[list[str] | None, list]:
    """The theme ids of the taxonomy (the shared file, then the audit's extension), for
    validation to check findings against; None when no taxonomy is given. A taxonomy that
    cannot be read is a problem located at its file, reported with the audit's others."""
    from auditrap.problems import Problem

    paths = [Path(p) for p in taxonomy_paths]
    if not paths:
        return None, []
    try:
        return load_taxonomy(paths[0], paths[1] if len(paths) > 1 else None).ids, []
    except TaxonomyError as exc:
        return None, [Problem(str(paths[0]), message=f"The theme taxonomy cannot be used: {exc}")]
