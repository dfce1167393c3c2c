"""An audit's recommendations and the progress of its action plan, as the tables published.

The recommendations are published in full, numbered in file order, each beside the finding
it answers and whom it is addressed to. The action plan is published as counts only: by
status (``action_plan_progress.csv``, exactly the contract's: one row per status in the
order Completed, In progress, Not started, with the columns ``status``, ``actions`` and
``overdue``) and by recommendation (``recommendation_progress.csv``). Every action, with its
lead, dates, status, evidence and whether it is overdue, is for the internal edition only.

An action is overdue when it is not Completed and its target date is before the as-of date
(:func:`auditrap.cycle.as_of_date`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import pandas as pd

from auditrap.cycle import overdue
from auditrap.schemas import PLAN_STATUSES

RECOMMENDATION_COLUMNS = [
    "number",
    "recommendation_id",
    "theme_id",
    "finding",
    "recommendation",
    "addressed_to",
]
PROGRESS_COLUMNS = ["status", "actions", "overdue"]
#: The status columns of the progress by recommendation, in the order of PLAN_STATUSES.
STATUS_COLUMNS = {status: status.lower().replace(" ", "_") for status in PLAN_STATUSES}
RECOMMENDATION_PROGRESS_COLUMNS = [
    "number",
    "recommendation_id",
    "actions",
    *STATUS_COLUMNS.values(),
    "overdue",
]


def published_recommendations(
    recommendations: pd.DataFrame, titles: Mapping[str, str]
) -> pd.DataFrame:
    """``recommendations.csv`` as published: numbered in file order, each with the title of
    the finding it answers (blank when it answers none) and whom it is addressed to."""
    frame = recommendations.sort_values("number", kind="stable")
    theme = frame["theme_id"].astype("string")
    return pd.DataFrame(
        {
            "number": frame["number"].astype("int64"),
            "recommendation_id": frame["recommendation_id"].astype("string"),
            "theme_id": theme,
            "finding": theme.map(lambda t: titles.get(t, t) if pd.notna(t) else pd.NA).astype(
                "string"
            ),
            "recommendation": frame["recommendation"].astype("string"),
            "addressed_to": frame["addressed_to"].astype("string"),
        },
        columns=RECOMMENDATION_COLUMNS,
    ).reset_index(drop=True)


def action_plan_progress(action_plan: pd.DataFrame, as_of: dt.date | None) -> pd.DataFrame:
    """``action_plan_progress.csv``: for each status (Completed, In progress, Not started,
    always all three, in that order) the number of actions and how many are overdue."""
    late = overdue(action_plan, as_of)
    status = action_plan["status"].astype(str)
    return pd.DataFrame(
        {
            "status": list(PLAN_STATUSES),
            "actions": [int((status == s).sum()) for s in PLAN_STATUSES],
            "overdue": [int((late & (status == s)).sum()) for s in PLAN_STATUSES],
        },
        columns=PROGRESS_COLUMNS,
    ).astype({"actions": "int64", "overdue": "int64"})


def recommendation_progress(
    recommendations: pd.DataFrame, action_plan: pd.DataFrame, as_of: dt.date | None
) -> pd.DataFrame:
    """``recommendation_progress.csv``: for each recommendation, in its number's order, how
    many actions answer it, how many are at each status, and how many are overdue."""
    late = overdue(action_plan, as_of)
    status = action_plan["status"].astype(str)
    answers = action_plan["recommendation_id"].astype(str)
    rows = []
    for rec in recommendations.sort_values("number", kind="stable").itertuples():
        mine = answers == str(rec.recommendation_id)
        row = {
            "number": int(rec.number),
            "recommendation_id": str(rec.recommendation_id),
            "actions": int(mine.sum()),
        }
        row |= {column: int((mine & (status == s)).sum()) for s, column in STATUS_COLUMNS.items()}
        row["overdue"] = int((mine & late).sum())
        rows.append(row)
    frame = pd.DataFrame(rows, columns=RECOMMENDATION_PROGRESS_COLUMNS)
    counts = ["number", "actions", *STATUS_COLUMNS.values(), "overdue"]
    return frame.astype({c: "int64" for c in counts} | {"recommendation_id": "string"})


INTERNAL_COLUMNS = [
    "action_id",
    "recommendation",
    "recommendation_id",
    "lead_agency",
    "action",
    "target_date",
    "status",
    "completed_date",
    "updated",
    "overdue",
    "evidence",
]


def internal_action_plan(
    recommendations: pd.DataFrame, action_plan: pd.DataFrame, as_of: dt.date | None
) -> pd.DataFrame:
    """Every action, for the internal edition only: the recommendation's number, the lead,
    the action, the dates, the status, ``Overdue`` where it is (blank otherwise) and the
    evidence (already redacted). Overdue actions first, then by recommendation, in file
    order within each."""
    numbers = dict(
        zip(
            recommendations["recommendation_id"].astype(str),
            recommendations["number"].astype(int),
            strict=True,
        )
    )
    late = overdue(action_plan, as_of)
    frame = pd.DataFrame(
        {
            "action_id": action_plan["action_id"].astype("string"),
            "recommendation": action_plan["recommendation_id"]
            .astype(str)
            .map(numbers)
            .astype("Int64"),
            "recommendation_id": action_plan["recommendation_id"].astype("string"),
            "lead_agency": action_plan["lead_agency"].astype("string"),
            "action": action_plan["action"].astype("string"),
            "target_date": action_plan["target_date"],
            "status": action_plan["status"].astype("string"),
            "completed_date": action_plan["completed_date"],
            "updated": action_plan["updated"],
            "overdue": late.map({True: "Overdue", False: ""}).astype("string"),
            "evidence": action_plan["evidence"].astype("string"),
        },
        columns=INTERNAL_COLUMNS,
    )
    frame["_late"] = ~late
    frame["_order"] = range(len(frame))
    frame = frame.sort_values(["_late", "recommendation", "_order"], kind="stable")
    return frame.drop(columns=["_late", "_order"]).reset_index(drop=True)
