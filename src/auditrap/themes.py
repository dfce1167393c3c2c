"""Tag the free text of the returns with the themes of a YAML taxonomy.

A theme's ``match`` is a list of rules; a rule is a list of regular expressions, and a
sentence matches the rule when every expression is found in it (so "GP" and "shared" may
stand anywhere in the sentence, in any order). ``exclude`` expressions veto a match. All
matching is case-insensitive and vectorised over every sentence of every return at once.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from auditrap.normalise import strip_bidi_in

FREE_TEXT_FIELDS = ("strengths", "improvements")

# Sentence ends: . ! ? followed by space and a capital, digit or quote; or a line break.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]?\s+(?=[A-Z0-9\"'(])|[\r\n]+|;\s+(?=[A-Z])")


@dataclass(frozen=True)
class Theme:
    id: str
    title: str
    description: str
    rules: tuple[tuple[str, ...], ...]
    exclude: tuple[str, ...] = ()


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
_THEME_KEYS = {"id", "title", "description", "match", "exclude"}


def load_taxonomy(path: Path, extension: Path | None = None) -> Taxonomy:
    """Read the shared taxonomy, and an audit's own extension of it when there is one.

    An extension may add themes, or add rules and exclusions to a shared theme by naming
    its id.
    """
    themes: dict[str, Theme] = {}
    sources = []
    for source in (path, extension):
        if source is None or not source.is_file():
            continue
        sources.append(str(source))
        for theme in _parse(source):
            if theme.id in themes:
                old = themes[theme.id]
                theme = Theme(
                    theme.id,
                    theme.title or old.title,
                    theme.description or old.description,
                    old.rules + theme.rules,
                    old.exclude + theme.exclude,
                )
            themes[theme.id] = theme
    if not themes:
        raise TaxonomyError(f"{path}: the theme taxonomy is missing or lists no themes.")
    return Taxonomy(tuple(themes.values()), tuple(sources))


def _parse(path: Path) -> list[Theme]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise TaxonomyError(f"{path}: not valid YAML ({exc}).") from None
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
    themes = []
    for n, entry in enumerate(entries, start=1):
        where = f"{path}, theme {n}"
        if not isinstance(entry, dict) or "id" not in entry:
            raise TaxonomyError(f"{where}: each theme needs an `id:`.")
        unknown = set(entry) - _THEME_KEYS
        if unknown:
            raise TaxonomyError(
                f"{where}: unknown key(s) {', '.join(sorted(unknown))}; "
                f"the keys are {', '.join(sorted(_THEME_KEYS))}."
            )
        theme_id = str(entry["id"])
        if not _THEME_ID.match(theme_id):
            raise TaxonomyError(
                f"{where}: the id `{theme_id}` must be lower-case letters, digits and hyphens."
            )
        rules = []
        for rule in entry.get("match") or []:
            patterns = (rule,) if isinstance(rule, str) else tuple(str(p) for p in rule)
            for pattern in patterns:
                _compile(pattern, where)
            rules.append(patterns)
        exclude = tuple(str(p) for p in entry.get("exclude") or [])
        for pattern in exclude:
            _compile(pattern, where)
        themes.append(
            Theme(
                theme_id,
                str(entry.get("title") or ""),
                str(entry.get("description") or ""),
                tuple(rules),
                exclude,
            )
        )
    return themes


def _compile(pattern: str, where: str) -> re.Pattern:
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise TaxonomyError(
            f"{where}: the pattern `{pattern}` is not a valid regular expression ({exc})."
        ) from None


def split_sentences(text: pd.Series) -> pd.Series:
    """One row per sentence, indexed like ``text`` (a return's index repeats)."""
    sentences = text.fillna("").astype(str).str.split(_SENTENCE_END, regex=True).explode()
    sentences = sentences.str.strip()
    return sentences[sentences.str.len() > 0]


_CAPTURING_GROUP = re.compile(r"(?<!\\)\((?!\?)")


def _python_pattern(pattern: str) -> str:
    # Groups in a taxonomy pattern only group: make them non-capturing.
    return _CAPTURING_GROUP.sub("(?:", pattern)


# --- matching many sentences at once --------------------------------------------------------
#
# A taxonomy pattern means what Python's ``re`` makes of it, case ignored. Tens of thousands
# of returns make hundreds of thousands of sentences, and Python's ``re`` tries each of the
# taxonomy's long alternations at every position of every sentence. So each pattern is
# split at its top-level ``|``: the alternatives that RE2 reads exactly as Python does run
# in RE2 (Arrow's vectorised ``match_substring_regex``), on the sentences where the two
# engines cannot differ (``_RE2_UNSAFE`` finds the others); the rest (look-arounds, say) run
# in Python's ``re``, only on the sentences RE2 did not already match. A rule's next pattern
# runs only on the sentences every earlier pattern matched, a theme's next rule only on the
# sentences no earlier rule matched, an exclusion only on the hits, and each distinct
# sentence is matched once. The result is exactly that of ``re.search`` on every sentence.

# Where RE2 and Python's re could read a sentence differently: a letter, digit or space
# outside ASCII (Python's \w, \s, \b and case folding are Unicode, RE2's are ASCII), or a
# control character other than tab.
_RE2_UNSAFE = re.compile(r"[^\W\x00-\x7f]|[^\S\x00-\x7f]|[\x00-\x08\x0a-\x1f\x7f]")
# Pattern text whose meaning differs between the engines ({,n}, POSIX classes, a leading
# ] in a class), or a global inline flag, which must stay at the start of the whole pattern.
_RE2_DIFFERENT = re.compile(r"\{,|\[:|\[\^?\]|\(\?#|[^\x00-\x7f]")
_GLOBAL_FLAGS = re.compile(r"\(\?[aiLmsux]+\)")


def _token(pattern: str, i: int) -> tuple[int, bool]:
    """Where the token of a pattern that starts at ``i`` ends, and whether it is syntax (a
    bracket or a bar): an escape (``\\(``) and a character class (``[|)]``) are one token
    each, and never syntax."""
    if pattern[i] == "\\":
        return i + 2, False
    if pattern[i] != "[":
        return i + 1, True
    j = i + 1
    if pattern[j : j + 1] == "^":
        j += 1
    if pattern[j : j + 1] == "]":
        j += 1  # a ] first in a class is a literal
    while j < len(pattern):
        if pattern[j] == "\\":
            j += 2
        elif pattern[j] == "]":
            return j + 1, False
        else:
            j += 1
    return len(pattern), False


def _alternatives(pattern: str) -> list[str]:
    """The top-level alternatives of a pattern: ``a|(b|c)|d`` -> ``a``, ``(b|c)``, ``d``."""
    if _GLOBAL_FLAGS.search(pattern):
        return [pattern]
    parts, depth, start, i = [], 0, 0, 0
    while i < len(pattern):
        end, syntax = _token(pattern, i)
        if syntax:
            depth += {"(": 1, ")": -1}.get(pattern[i], 0)
            if pattern[i] == "|" and depth == 0:
                parts.append(pattern[start:i])
                start = end
        i = end
    parts.append(pattern[start:])
    return parts


def _re2_reads(alternative: str) -> bool:
    if _RE2_DIFFERENT.search(alternative):
        return False
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        pc.match_substring_regex(pa.array([""]), alternative, ignore_case=True)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return False  # look-arounds, back-references and the like: Python's re only
    return True


_LOOKAROUND = ("(?=", "(?!", "(?<=", "(?<!")


def _group_end(pattern: str, start: int) -> int:
    """The index just past the group that opens at ``start`` (escapes and classes skipped)."""
    depth, i = 0, start
    while i < len(pattern):
        end, syntax = _token(pattern, i)
        if syntax and pattern[i] in "()":
            depth += 1 if pattern[i] == "(" else -1
            if depth == 0:
                return end
        i = end
    return len(pattern)


def _without_lookarounds(pattern: str) -> str:
    """The pattern with its look-around assertions removed: it matches wherever the pattern
    does (an assertion only narrows a match), so where it fails, the pattern fails too."""
    kept, i = [], 0
    while i < len(pattern):
        if pattern.startswith(_LOOKAROUND, i):
            i = _group_end(pattern, i)
            continue
        end, _ = _token(pattern, i)
        kept.append(pattern[i:end])
        i = end
    return "".join(kept)


@dataclass(frozen=True)
class _Compiled:
    python: re.Pattern  # the whole pattern
    re2: str | None  # the alternatives RE2 reads as Python does
    rest: re.Pattern | None  # the others
    rest_filter: str | None  # for RE2: true wherever ``rest`` may match


@functools.cache
def _compiled(pattern: str) -> _Compiled:
    pattern = _python_pattern(pattern)
    fast, slow = [], []
    for alternative in _alternatives(pattern):
        (fast if _re2_reads(alternative) else slow).append(alternative)
    broader = [_without_lookarounds(a) for a in slow]
    return _Compiled(
        python=re.compile(pattern, re.IGNORECASE),
        re2="|".join(fast) if fast else None,
        rest=re.compile("|".join(slow), re.IGNORECASE) if slow else None,
        rest_filter="|".join(broader) if slow and all(map(_re2_reads, broader)) else None,
    )


class _Sentences:
    """The distinct sentences of a series, ready for both regular expression engines."""

    def __init__(self, sentences: pd.Series) -> None:
        import pyarrow as pa

        self.index = sentences.index
        codes, uniques = pd.factorize(sentences.astype(object), use_na_sentinel=False)
        self.codes = codes
        self.values = np.asarray(uniques, dtype=object)
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

        compiled = _compiled(pattern)
        fast = compiled.re2 is not None or compiled.rest_filter is not None
        safe = self.safe[rows] if fast else np.zeros(len(rows), bool)
        found = np.zeros(len(rows), bool)
        for n in np.flatnonzero(~safe):
            found[n] = compiled.python.search(self.values[rows[n]]) is not None
        where = np.flatnonzero(safe)
        if len(where):
            # Matching every distinct sentence is cheaper than picking out most of them.
            picked = rows[where] if 4 * len(where) < len(self) else None
            text = self.arrow if picked is None else self.arrow.take(pa.array(picked))

            def re2(regex: str) -> np.ndarray:
                matched = pc.match_substring_regex(text, regex, ignore_case=True)
                matched = matched.to_numpy(zero_copy_only=False)
                return matched if picked is not None else matched[rows[where]]

            if compiled.re2 is not None:
                found[where] = re2(compiled.re2)
            if compiled.rest is not None:
                maybe = ~found[where]
                if compiled.rest_filter is not None:
                    maybe &= re2(compiled.rest_filter)
                for n in where[maybe]:
                    found[n] = compiled.rest.search(self.values[rows[n]]) is not None
        return found


def _match(sentences: _Sentences, theme: Theme) -> np.ndarray:
    """True for each distinct sentence that speaks of the theme."""
    hit = np.zeros(len(sentences), bool)
    for rule in theme.rules:
        candidates = np.flatnonzero(~hit)
        for pattern in rule:
            if not len(candidates):
                break
            candidates = candidates[sentences.search(pattern, candidates)]
        hit[candidates] = True
    for pattern in theme.exclude:
        hits = np.flatnonzero(hit)
        if not len(hits):
            break
        hit[hits[sentences.search(pattern, hits)]] = False
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


def tag_returns(returns: pd.DataFrame, taxonomy: Taxonomy) -> pd.DataFrame:
    """One row per (return, theme): the first sentence that speaks of it is the evidence."""
    columns = ["case_id", "agency", "theme_id", "field", "sentence", "source_file", "source_row"]
    parts = []
    for order, field_name in enumerate(FREE_TEXT_FIELDS):
        if field_name not in returns:
            continue
        sentences = split_sentences(returns[field_name])
        if sentences.empty:
            continue
        position = sentences.groupby(level=0).cumcount()
        distinct = _Sentences(sentences)
        for theme in taxonomy.themes:
            hit = _match(distinct, theme)[distinct.codes]
            if not hit.any():
                continue
            found = pd.DataFrame(
                {
                    "return_index": sentences.index[hit],
                    "theme_id": theme.id,
                    "field": field_name,
                    "sentence": sentences[hit].to_numpy(),
                    "order": order,
                    "position": position[hit].to_numpy(),
                }
            )
            parts.append(found)
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="string") for c in columns})
    tags = pd.concat(parts, ignore_index=True)
    theme_order = {tid: n for n, tid in enumerate(taxonomy.ids)}
    tags["theme_order"] = tags["theme_id"].map(theme_order)
    tags = tags.sort_values(["return_index", "theme_order", "order", "position"], kind="stable")
    tags = tags.drop_duplicates(["return_index", "theme_id"], keep="first")
    source = returns[["case_id", "agency", "source_file", "source_row"]].loc[tags["return_index"]]
    out = pd.DataFrame(
        {
            "case_id": source["case_id"].astype(str).to_numpy(),
            "agency": source["agency"].astype(str).to_numpy(),
            "theme_id": tags["theme_id"].to_numpy(),
            "field": tags["field"].to_numpy(),
            "sentence": tags["sentence"].to_numpy(),
            "source_file": source["source_file"].astype(str).to_numpy(),
            "source_row": source["source_row"].astype("int64").to_numpy(),
        }
    )
    return out.reset_index(drop=True)


def theme_counts(tags: pd.DataFrame, taxonomy: Taxonomy) -> pd.DataFrame:
    """For each theme: how many returns, cases and agencies speak of it (zeros included)."""
    grouped = tags.groupby("theme_id")
    counts = pd.DataFrame(
        {
            "returns": grouped.size(),
            "cases": grouped["case_id"].nunique(),
            "agencies": grouped["agency"].nunique(),
        }
    ).reindex(taxonomy.ids, fill_value=0)
    counts = counts.rename_axis("theme_id").reset_index()
    counts.insert(1, "theme", [taxonomy.by_id(t).title for t in counts["theme_id"]])
    return counts.astype({"returns": "int64", "cases": "int64", "agencies": "int64"})


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
