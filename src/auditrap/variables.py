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
from auditrap.disclosure import shown_sum
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
    disclosure: Mapping[str, Any] | None = None,
    review: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The nested mapping written to ``_variables.yml``.

    ``tables`` are the published tables: a count hidden by disclosure control is ``<NA>``
    and its variable is the policy's symbol (a string; every number is an int). A sum of
    published counts is stated only when it gives no hidden count away (see
    :func:`auditrap.disclosure.shown_sum`). ``disclosure`` is the summary written by the
    disclosure step; without it, nothing was hidden. ``review`` is the theme review's
    status (:func:`auditrap.review.review_status`); without it, nothing was suggested.
    """
    disclosure = disclosure or {"policy": {"symbol": "[c]"}, "statement": "", "totals": {}}
    symbol = disclosure["policy"]["symbol"]
    totals = disclosure.get("totals", {})

    def shown(value: Any) -> int | str:
        return symbol if value is None or pd.isna(value) else int(value)

    def line_total(name: str, frame: pd.DataFrame, column: str, key: str = "") -> int | None:
        if name in totals and key in totals[name]:
            return totals[name][key]
        values = frame[column]
        return None if values.isna().any() else int(values.sum())

    distribution = tables["grade_distribution"]
    grade_counts = {
        row.grade: None if pd.isna(row.cases) else int(row.cases)
        for row in distribution.itertuples()
    }
    ratified = line_total("grade_distribution", distribution, "cases")
    agreement_table = tables["grade_agreement"]
    agreement = {
        row.outcome: None if pd.isna(row.cases) else int(row.cases)
        for row in agreement_table.itertuples()
    }
    not_ratified = agreement.get("Not yet ratified", 0)
    actions = tables["immediate_actions"]
    all_actions = actions[actions["agency"] == "All agencies"].iloc[0]
    by_area = tables["grades_by_area"]
    returns = tables["returns_by_agency"]
    published = dt.date.fromisoformat(str(meta["published"]))

    grades = {
        slug(row.grade): {
            "label": row.grade,
            "count": shown(row.cases),
            "percent": shown(row.percent),
        }
        for row in distribution.itertuples()
    }
    areas: dict[str, Any] = {}
    groups = list(by_area.groupby("area", sort=False))
    for key, (area, part) in zip(unique_keys([a for a, _ in groups], "area"), groups, strict=True):
        counts = dict(zip(part["grade"], part["cases"], strict=True))
        total = line_total("grades_by_area", part, "cases", str(area))
        entry: dict[str, Any] = {"name": area, "total": shown(total)}
        entry.update({slug(g): shown(counts.get(g, 0)) for g in GRADES})
        areas[key] = entry
    agencies_hidden = returns["returns"].isna().any()
    returns_total = line_total("returns_by_agency", returns, "returns")

    good_or_better = shown_sum(grade_counts, ["Outstanding", "Good"], ratified)
    below_good = shown_sum(grade_counts, ["Requires improvement", "Inadequate"], ratified)
    cases_total = None if ratified is None or not_ratified is None else ratified + not_ratified
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
            # The audit's findings, in its order (theme ids); empty: every theme spoken of.
            "findings": [str(t) for t in meta.get("findings") or []],
        },
        "document": document_control(meta, _review(review)),
        "cases": {
            "total": shown(cases_total),
            "ratified": shown(ratified),
            "not_ratified": shown(not_ratified),
            "good_or_better": shown(good_or_better),
            "below_good": shown(below_good),
        },
        "grades": grades,
        "areas": {"count": len(areas), "by": areas},
        "returns": {"total": shown(returns_total)},
        "agencies": {
            "listed": len(returns),
            "returned": symbol if agencies_hidden else int((returns["returns"] > 0).sum()),
        },
        "agreement": {
            "as_suggested": shown(agreement.get("Ratified grade as the returns suggest", 0)),
            "better": shown(agreement.get("Ratified grade better than the returns suggest", 0)),
            "worse": shown(agreement.get("Ratified grade worse than the returns suggest", 0)),
        },
        "actions": {
            "raised": shown(all_actions["raised"]),
            "completed": shown(all_actions["completed"]),
            "open": shown(all_actions["open"]),
        },
        "validation": {"warnings": len(meta.get("warnings", []))},
        "themes": {
            row.theme_id: {
                "title": row.theme,
                "returns": shown(row.returns),
                "cases": shown(row.cases),
                "agencies": shown(row.agencies),
                "concern": {
                    "returns": shown(getattr(row, "concern_returns", 0)),
                    "cases": shown(getattr(row, "concern_cases", 0)),
                },
                "good_practice": {
                    "returns": shown(getattr(row, "good_practice_returns", 0)),
                    "cases": shown(getattr(row, "good_practice_cases", 0)),
                },
            }
            for row in theme_counts.itertuples()
        },
        "review": _review(review),
        "disclosure": {
            "symbol": symbol,
            "statement": disclosure.get("statement", ""),
            "hidden": sum(disclosure.get("hidden_cells", {}).values()),
        },
    }


def document_control(meta: Mapping[str, Any], review: Mapping[str, Any]) -> dict[str, Any]:
    """The report's document control, from audit.yaml: its version, who approved it and
    when, and when it will next be reviewed (each blank when not given). The report is
    ``Final`` once it is approved and no theme suggestion waits for review, else ``Draft``."""

    def day(key: str) -> str:
        value = meta.get(key)
        return long_date(dt.date.fromisoformat(str(value))) if value else ""

    approved = bool(meta.get("approved_by") and meta.get("approved_on"))
    return {
        "status": "Final" if approved and not review.get("draft") else "Draft",
        "approved": approved,
        "version": str(meta.get("version") or ""),
        "approved_by": str(meta.get("approved_by") or ""),
        "approved_on": day("approved_on"),
        "next_review": day("next_review"),
    }


def _review(status: Mapping[str, Any] | None) -> dict[str, Any]:
    """How far the analyst's review of the theme tags has got: the counts of suggestions
    (numbers, each with its lineage), whether it is complete, and whether the report is
    final without it (config.yaml ``theme_review: final_without_review``)."""
    status = dict(status or {})
    unreviewed = int(status.get("unreviewed", 0))
    final_without_review = bool(status.get("final_without_review", False)) and unreviewed > 0
    return {
        "suggested": int(status.get("suggested", 0)),
        "accepted": int(status.get("accepted", 0)),
        "rejected": int(status.get("rejected", 0)),
        "added": int(status.get("added", 0)),
        "unreviewed": unreviewed,
        "complete": unreviewed == 0,
        "final_without_review": final_without_review,
        "draft": unreviewed > 0 and not final_without_review,
    }


def plan_variables(
    tables: Mapping[str, pd.DataFrame],
    plan: Mapping[str, Any],
    disclosure: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The report's variables of the recommendations and the action plan's progress.

    ``tables`` are the published ``recommendations``, ``action_plan_progress`` and
    ``recommendation_progress`` (a hidden count is ``<NA>``); ``plan`` is what the plan step
    recorded (the as-of date). Each recommendation is keyed by the slug of its id
    (``recommendations.by.r1.actions``). A total is stated only when it gives no hidden
    count away.
    """
    disclosure = disclosure or {"policy": {"symbol": "[c]"}, "totals": {}}
    symbol = disclosure["policy"]["symbol"]
    totals = disclosure.get("totals", {}).get("action_plan_progress", {})

    def shown(value: Any) -> int | str:
        return symbol if value is None or pd.isna(value) else int(value)

    recommendations = tables["recommendations"]
    progress = tables["action_plan_progress"]
    by_rec = tables["recommendation_progress"].set_index(
        tables["recommendation_progress"]["recommendation_id"].astype(str)
    )
    by_status = {
        str(row.status): (row.actions, row.overdue) for row in progress.itertuples(index=False)
    }

    def total(column: str) -> int | None:
        if column in totals:
            return totals[column]
        values = progress[column]
        return None if values.isna().any() else int(values.sum())

    ids = [str(r) for r in recommendations["recommendation_id"]]
    entries: dict[str, Any] = {}
    for key, row in zip(
        unique_keys(ids, "recommendation"), recommendations.itertuples(), strict=True
    ):
        counts = by_rec.loc[str(row.recommendation_id)]
        theme = row.theme_id
        entries[key] = {
            "number": int(row.number),
            "id": str(row.recommendation_id),
            # As published in recommendations.csv: the report states them in full.
            "text": str(row.recommendation),
            "theme_id": "" if pd.isna(theme) else str(theme),
            "finding": "" if pd.isna(row.finding) else str(row.finding),
            "addressed_to": str(row.addressed_to),
            "actions": shown(counts["actions"]),
            "completed": shown(counts["completed"]),
            "in_progress": shown(counts["in_progress"]),
            "not_started": shown(counts["not_started"]),
            "overdue": shown(counts["overdue"]),
        }
    as_of = plan.get("as_of")
    return {
        "recommendations": {"count": len(recommendations), "by": entries},
        "action_plan": {
            "as_of": long_date(dt.date.fromisoformat(as_of)) if as_of else "",
            "as_of_iso": as_of or "",
            "actions": shown(total("actions")),
            "completed": shown(by_status["Completed"][0]),
            "in_progress": shown(by_status["In progress"][0]),
            "not_started": shown(by_status["Not started"][0]),
            "overdue": shown(total("overdue")),
        },
    }
