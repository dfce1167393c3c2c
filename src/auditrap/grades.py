"""The Ofsted/CQC four-point grade scale and how free-typed grades map onto it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

#: The four grades, best to worst, in line with Ofsted and CQC.
GRADES: tuple[str, ...] = ("Outstanding", "Good", "Requires improvement", "Inadequate")

#: One-line definitions, used in the report's method appendix and the audit tool.
GRADE_DEFINITIONS: dict[str, str] = {
    "Outstanding": "Practice exceeded what is expected and made a real difference to the child.",
    "Good": "Practice met what is expected and kept the child safe.",
    "Requires improvement": "Practice kept the child safe but fell short of good in some ways.",
    "Inadequate": "Practice left the child at risk or fell well short of what is expected.",
}


@cache
def grade_dtype() -> pd.CategoricalDtype:
    """An ordered categorical dtype: comparisons and sorts follow the scale, best first.
    A function, so that this module (read by the render step) does not import pandas."""
    import pandas as pd

    return pd.CategoricalDtype(categories=list(GRADES), ordered=True)


_SPACE = re.compile(r"\s+")


def slug(label: str) -> str:
    """A stable key for a label: ``"Requires improvement"`` -> ``"requires-improvement"``."""
    return re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")


def grade_lookup(aliases: Mapping[str, str] | None = None) -> dict[str, str]:
    """Map every accepted spelling (folded: lower case, single spaces) to its grade."""
    lookup = {_fold(g): g for g in GRADES}
    for alias, grade in (aliases or {}).items():
        if grade not in GRADES:
            raise ValueError(
                f"The grade alias {alias!r} points to {grade!r}, which is not a grade."
            )
        lookup[_fold(alias)] = grade
    return lookup


def _fold(value: str) -> str:
    return _SPACE.sub(" ", value.strip()).lower()


def normalise_grades(values: pd.Series, lookup: Mapping[str, str]) -> pd.Series:
    """Canonical grade labels; values that are not a grade (or alias) are left as typed."""
    folded = values.fillna("").astype(str).str.strip().str.replace(_SPACE, " ", regex=True)
    mapped = folded.str.lower().map(lookup)
    return mapped.where(mapped.notna(), folded)


def grade_rank(grades: pd.Series) -> pd.Series:
    """1 for Outstanding ... 4 for Inadequate; <NA> where blank."""
    import pandas as pd

    codes = pd.Series(pd.Categorical(grades, dtype=grade_dtype()).codes, index=grades.index)
    return codes.astype("Int64").where(codes >= 0) + 1


def grade_from_rank(rank: pd.Series) -> pd.Series:
    """The inverse of :func:`grade_rank`."""
    labels = {i + 1: g for i, g in enumerate(GRADES)}
    return rank.map(labels).astype(grade_dtype())
