"""The report's variables: every number and name the prose states, made from the data.

The report reads them through Quarto shortcodes (``{{< var grades.good.count >}}``), so that
no number in the published text is ever typed by hand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pandas as pd

from auditrap.dates import long_date
from auditrap.grades import GRADES, slug

ORDINALS = [
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
    "thirteenth",
    "fourteenth",
    "fifteenth",
    "sixteenth",
    "seventeenth",
    "eighteenth",
    "nineteenth",
    "twentieth",
]


def ordinal(n: int) -> str:
    """``4`` -> ``"fourth"``; past twenty, ``"21st"``."""
    if 1 <= n <= len(ORDINALS):
        return ORDINALS[n - 1]
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def unique_keys(names: list[str], fallback: str) -> list[str]:
    """A variable key per name: its slug, made unique ("north-east", "north-east-2"), or
    ``fallback-N`` for a name with no letters or digits a key can hold (e.g. non-Latin)."""
    keys: list[str] = []
    for n, name in enumerate(names, start=1):
        key = slug(name) or f"{fallback}-{n}"
        base, suffix = key, 2
        while key in keys:
            key, suffix = f"{base}-{suffix}", suffix + 1
        keys.append(key)
    return keys


def build_variables(
    meta: Mapping[str, Any],
    tables: Mapping[str, pd.DataFrame],
    theme_counts: pd.DataFrame,
) -> dict[str, Any]:
    """The nested mapping written to ``_variables.yml``."""
    distribution = tables["grade_distribution"]
    total_ratified = int(distribution["cases"].sum())
    agreement = dict(
        zip(
            tables["grade_agreement"]["outcome"],
            tables["grade_agreement"]["cases"].astype(int),
            strict=True,
        )
    )
    not_ratified = agreement.get("Not yet ratified", 0)
    actions = tables["immediate_actions"]
    all_actions = actions[actions["agency"] == "All agencies"].iloc[0]
    by_area = tables["grades_by_area"]
    returns = tables["returns_by_agency"]
    published = dt.date.fromisoformat(str(meta["published"]))

    grades = {
        slug(row.grade): {"label": row.grade, "count": int(row.cases), "percent": int(row.percent)}
        for row in distribution.itertuples()
    }
    areas: dict[str, Any] = {}
    groups = list(by_area.groupby("area", sort=False))
    for key, (area, part) in zip(unique_keys([a for a, _ in groups], "area"), groups, strict=True):
        counts = dict(zip(part["grade"], part["cases"].astype(int), strict=True))
        entry: dict[str, Any] = {"name": area, "total": sum(counts.values())}
        entry.update({slug(g): counts.get(g, 0) for g in GRADES})
        areas[key] = entry

    return {
        "audit": {
            "id": meta["audit_id"],
            "title": meta["title"],
            "board": meta["board"],
            "period": meta["period"],
            "number": int(meta["audit_number"]),
            "number_ordinal": ordinal(int(meta["audit_number"])),
            "selection_criteria": meta["selection_criteria"],
            "published": long_date(published),
            "published_iso": published.isoformat(),
        },
        "cases": {
            "total": total_ratified + not_ratified,
            "ratified": total_ratified,
            "not_ratified": not_ratified,
            "good_or_better": grades["outstanding"]["count"] + grades["good"]["count"],
            "below_good": grades["requires-improvement"]["count"] + grades["inadequate"]["count"],
        },
        "grades": grades,
        "areas": {"count": len(areas), "by": areas},
        "returns": {"total": int(returns["returns"].sum())},
        "agencies": {
            "listed": len(returns),
            "returned": int((returns["returns"] > 0).sum()),
        },
        "agreement": {
            "as_suggested": agreement.get("Ratified grade as the returns suggest", 0),
            "better": agreement.get("Ratified grade better than the returns suggest", 0),
            "worse": agreement.get("Ratified grade worse than the returns suggest", 0),
        },
        "actions": {
            "raised": int(all_actions["raised"]),
            "completed": int(all_actions["completed"]),
            "open": int(all_actions["open"]),
        },
        "validation": {"warnings": len(meta.get("warnings", []))},
        "themes": {
            row.theme_id: {
                "title": row.theme,
                "returns": int(row.returns),
                "cases": int(row.cases),
                "agencies": int(row.agencies),
            }
            for row in theme_counts.itertuples()
        },
    }
