"""Tag the free text of the returns with the themes of a YAML taxonomy.

A theme's ``match`` is a list of rules; a rule is a list of regular expressions, and a
sentence matches the rule when every expression is found in it (so "GP" and "shared" may
stand anywhere in the sentence, in any order). ``exclude`` expressions veto a match. All
matching is case-insensitive and vectorised over every sentence of every return at once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

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


def _contains(sentences: pd.Series, pattern: str) -> pd.Series:
    # Groups in a taxonomy pattern only group: make them non-capturing for str.contains.
    return sentences.str.contains(
        _CAPTURING_GROUP.sub("(?:", pattern), regex=True, flags=re.IGNORECASE
    )


def match_sentences(sentences: pd.Series, theme: Theme) -> pd.Series:
    """True for each sentence that speaks of the theme."""
    hit = pd.Series(False, index=sentences.index)
    for rule in theme.rules:
        rule_hit = pd.Series(True, index=sentences.index)
        for pattern in rule:
            rule_hit &= _contains(sentences, pattern)
        hit |= rule_hit
    for pattern in theme.exclude:
        hit &= ~_contains(sentences, pattern)
    return hit


def tag_sentences(sentences: Sequence[str], taxonomy: Taxonomy) -> list[set[str]]:
    """The themes each single sentence speaks of (used to measure the tagger)."""
    series = pd.Series(list(sentences), dtype="string").fillna("")
    hits = {t.id: match_sentences(series, t) for t in taxonomy.themes}
    return [{tid for tid, h in hits.items() if h.iloc[i]} for i in range(len(series))]


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
        for theme in taxonomy.themes:
            hit = match_sentences(sentences, theme)
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
    source = returns.loc[tags["return_index"]]
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
