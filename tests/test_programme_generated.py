"""A second board's programme, generated: two audits with data folders and two earlier
audits in programme.yaml, beside the sample's board. Recurrence, the re-audit comparison and
the overdue counts must come out right from the data alone."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from auditrap.actionplan import action_plan_progress, recommendation_progress
from auditrap.aggregate import grade_distribution
from auditrap.cycle import (
    as_of_date,
    comparison_caveat,
    fisher_exact,
    grade_comparison,
    read_boards,
    reaudit_of,
    recurrence,
    recurring_themes,
    themes_by_audit,
)
from auditrap.themes import load_taxonomy, tag_returns
from auditrap.validate import load_audit

from conftest import FIXTURE_AUDIT, ROOT, SAMPLE_AUDIT, set_cell, write_rows

EASTSHIRE = "Eastshire Children's Safeguarding Partnership"
TAXONOMY = load_taxonomy(ROOT / "data" / "themes.yaml")

PROGRAMME = f"""\
earlier_audits:
  - board: {EASTSHIRE}
    audit_number: 1
    title: "Multi-agency audit: Neglect"
    period: "2016"
    findings: [record-keeping]
  - board: {EASTSHIRE}
    audit_number: 2
    title: "Multi-agency audit: Domestic abuse"
    period: "2017"
    findings: [step-down, health-economy]
"""

PLAN_HEADER = [
    "action_id",
    "recommendation_id",
    "lead_agency",
    "action",
    "target_date",
    "status",
    "completed_date",
    "updated",
    "evidence",
]
RECOMMENDATIONS = [
    ["recommendation_id", "theme_id", "recommendation", "addressed_to"],
    ["R1", "gp-information-sharing", "Tell the GP of every enquiry.", "Children's Social Care"],
    ["R2", "", "Review the screening tool.", "Board"],
]


def _audit_yaml(folder: Path, number: int, topic: str, findings: list[str] | None) -> None:
    text = (folder / "audit.yaml").read_text()
    text = text.replace("Northshire Safeguarding Children Partnership", EASTSHIRE)
    text = re.sub(r"audit_number: \d+", f"audit_number: {number}", text)
    text += f"topic: {topic}\n"
    if findings is not None:
        text += "findings: [" + ", ".join(findings) + "]\n"
    (folder / "audit.yaml").write_text(text)


@pytest.fixture(scope="module")
def programme(tmp_path_factory) -> Path:
    """data/ of a workspace: the sample (Lancashire) and Eastshire's audits 3 and 4."""
    data = tmp_path_factory.mktemp("programme") / "data"
    raw = data / "raw"
    shutil.copytree(SAMPLE_AUDIT, raw / "nai-2018")
    shutil.copyfile(ROOT / "data" / "themes.yaml", data / "themes.yaml")
    (data / "programme.yaml").write_text(
        PROGRAMME + (ROOT / "data" / "programme.yaml").read_text().split("earlier_audits:\n")[1]
    )

    # Audit 3 (2019): findings listed; ratified grades 1 Good, 3 RI, 1 Inadequate.
    earlier = raw / "eastshire-2019"
    shutil.copytree(FIXTURE_AUDIT, earlier)
    _audit_yaml(earlier, 3, "neglect", ["gp-information-sharing", "step-down"])
    for row, grade in zip(
        range(2, 7),
        [
            "Good",
            "Requires improvement",
            "Requires improvement",
            "Requires improvement",
            "Inadequate",
        ],
        strict=True,
    ):
        set_cell(earlier / "cases.csv", row, "ratified_grade", grade)
    write_rows(earlier / "recommendations.csv", RECOMMENDATIONS)
    write_rows(
        earlier / "action_plan.csv",
        [
            PLAN_HEADER,
            # Reviewed again in September 2021: the latest update of the board's plans.
            [
                "E1",
                "R1",
                "Children's Social Care",
                "Notify GPs.",
                "2020-06-30",
                "In progress",
                "",
                "2021-09-30",
                "",
            ],
            [
                "E2",
                "R2",
                "Board",
                "Review the tool.",
                "2020-03-31",
                "Completed",
                "2020-03-01",
                "2020-04-01",
                "",
            ],
        ],
    )

    # Audit 4 (2021): the same topic (written differently), no findings listed: every theme
    # its returns speak of. Its own plan was last updated on 31 August 2021.
    later = raw / "eastshire-2021"
    shutil.copytree(FIXTURE_AUDIT, later)
    _audit_yaml(later, 4, "Neglect ", None)
    write_rows(later / "recommendations.csv", RECOMMENDATIONS)
    write_rows(
        later / "action_plan.csv",
        [
            PLAN_HEADER,
            [
                "L1",
                "R1",
                "Police",
                "Share intelligence.",
                "2021-07-31",
                "Completed",
                "2021-07-20",
                "2021-08-31",
                "",
            ],
            [
                "L2",
                "R1",
                "Police",
                "Train officers.",
                "2021-08-31",
                "In progress",
                "",
                "2021-08-31",
                "",
            ],
            [
                "L3",
                "R2",
                "Board",
                "Agree a tool.",
                "2021-09-29",
                "Not started",
                "",
                "2021-08-31",
                "",
            ],
            [
                "L4",
                "R2",
                "Board",
                "Pilot the tool.",
                "2021-09-30",
                "In progress",
                "",
                "2021-08-31",
                "",
            ],
            [
                "L5",
                "R2",
                "School Nursing",
                "Evaluate.",
                "2022-03-31",
                "Not started",
                "",
                "2021-08-31",
                "",
            ],
        ],
    )
    return data


@pytest.fixture(scope="module")
def audits(programme):
    loaded = {}
    for folder in sorted((programme / "raw").iterdir()):
        audit, problems = load_audit(folder, folder.name, theme_ids=TAXONOMY.ids)
        assert audit is not None, [p.line() for p in problems]
        loaded[folder.name] = audit
    return loaded


@pytest.fixture(scope="module")
def boards(programme, audits):
    def spoken(audit_id):
        return tag_returns(audits[audit_id].returns, TAXONOMY)["theme_id"]

    found, problems = read_boards(
        {name: programme / "raw" / name for name in audits},
        programme / "programme.yaml",
        TAXONOMY.ids,
        spoken,
    )
    assert problems == []
    return found


def test_the_boards_are_kept_apart(boards):
    assert set(boards) == {EASTSHIRE, "Lancashire Safeguarding Children Board"}
    eastshire = boards[EASTSHIRE]
    assert eastshire.slug == "eastshire-childrens-safeguarding-partnership"
    assert [(a.audit_number, a.audit_id) for a in eastshire.audits] == [
        (1, None),
        (2, None),
        (3, "eastshire-2019"),
        (4, "eastshire-2021"),
    ]


def test_recurrence_of_each_finding(boards):
    eastshire = boards[EASTSHIRE]
    latest = eastshire.audit("eastshire-2021")
    # No findings in audit.yaml: the themes its returns speak of, in the taxonomy's order.
    assert latest.findings == (
        "swift-response",
        "health-economy",
        "gp-information-sharing",
        "record-keeping",
    )
    numbers = {
        t: [a.audit_number for a in found] for t, found in recurrence(eastshire, latest).items()
    }
    # Swift response was a finding of Lancashire's audit 4 only: another board never counts.
    assert numbers == {
        "swift-response": [],
        "health-economy": [2],
        "gp-information-sharing": [3],
        "record-keeping": [1],
    }
    earlier = eastshire.audit("eastshire-2019")
    assert recurring_themes(eastshire, earlier) == ("step-down",)
    lancashire = boards["Lancashire Safeguarding Children Board"]
    assert recurring_themes(lancashire, lancashire.audit("nai-2018")) == (
        "health-economy",
        "gp-information-sharing",
        "record-keeping",
    )
    table = themes_by_audit(eastshire)
    assert table.groupby("audit_number")["theme_id"].count().to_dict() == {1: 1, 2: 2, 3: 2, 4: 4}


def test_the_reaudit_comparison(boards, audits):
    eastshire = boards[EASTSHIRE]
    latest = eastshire.audit("eastshire-2021")
    earlier = reaudit_of(eastshire, latest)
    assert earlier.audit_id == "eastshire-2019"
    then = grade_distribution(audits["eastshire-2019"].cases)
    now = grade_distribution(audits["eastshire-2021"].cases)
    table = grade_comparison(earlier, then, latest, now)
    assert table.pivot(index="grade", columns="audit_number", values="cases").loc[
        ["Outstanding", "Good", "Requires improvement", "Inadequate"]
    ].values.tolist() == [[0, 1], [1, 3], [3, 0], [1, 1]]
    caveat = comparison_caveat(earlier, then, now)
    assert (caveat.good, caveat.total, caveat.earlier_good, caveat.earlier_total) == (4, 5, 1, 5)
    assert caveat.p_value == pytest.approx(fisher_exact(4, 1, 1, 4)) == pytest.approx(0.2063492)
    assert caveat.cases_difference == 3
    assert "4 of 5 cases (80%)" in caveat.text and "1 of 5 (20%) in audit 3" in caveat.text
    assert "about 3 cases of this audit's 5" in caveat.text and "p = 0.21" in caveat.text
    assert reaudit_of(eastshire, earlier) is None


def test_overdue_counts_as_of_the_boards_latest_update(audits):
    plans = [audits[a].action_plan for a in ("eastshire-2019", "eastshire-2021")]
    as_of = as_of_date(None, plans)
    assert as_of == dt.date(2021, 9, 30)  # from the other audit's plan
    later = audits["eastshire-2021"]
    progress = action_plan_progress(later.action_plan, as_of)
    assert progress.values.tolist() == [
        ["Completed", 1, 0],
        ["In progress", 2, 1],  # L2 (due 31 August); L4 is due on the as-of day itself
        ["Not started", 2, 1],  # L3 (due 29 September)
    ]
    by_rec = recommendation_progress(later.recommendations, later.action_plan, as_of)
    assert by_rec[["recommendation_id", "actions", "overdue"]].values.tolist() == [
        ["R1", 2, 1],
        ["R2", 3, 1],
    ]
    # With its own plan alone (the wrong reading of the contract) nothing would be overdue.
    own = as_of_date(None, [later.action_plan])
    assert action_plan_progress(later.action_plan, own)["overdue"].sum() == 0
    # as_of in config.yaml wins.
    assert action_plan_progress(later.action_plan, dt.date(2022, 4, 1))["overdue"].tolist() == [
        0,
        2,
        2,
    ]
    earlier = audits["eastshire-2019"]
    assert action_plan_progress(earlier.action_plan, as_of)["overdue"].sum() == 1


def test_an_equal_audit_number_is_an_input_error_naming_both(programme, audits, tmp_path):
    text = (
        (programme / "programme.yaml").read_text().replace("audit_number: 2", "audit_number: 3", 1)
    )
    broken = tmp_path / "programme.yaml"
    broken.write_text(text)
    _, problems = read_boards(
        {name: programme / "raw" / name for name in audits},
        broken,
        TAXONOMY.ids,
        lambda audit_id: [],
    )
    assert len(problems) == 1
    assert "have the audit_number 3" in problems[0].message
    assert (
        "eastshire-2019" in problems[0].message
        and "data/programme.yaml, line 7" in problems[0].message
    )


# -- The analysis job, across the board's audits ----------------------------------------------


@pytest.mark.e2e
def test_the_analysis_job_takes_the_as_of_date_from_the_boards_plans(programme, tmp_path):
    from test_workflow import make_workspace, snakemake

    workspace = make_workspace(
        tmp_path / "ws", {name.name: name for name in sorted((programme / "raw").iterdir())}
    )
    shutil.copyfile(programme / "programme.yaml", workspace / "data" / "programme.yaml")
    target = "data/processed/eastshire-2021/variables.yml"
    result = snakemake(workspace, target)
    assert result.returncode == 0, result.stderr[-3000:]
    # Only this audit's analysis ran: of the audit it re-audits, only its board entry (its
    # findings and grades); its plan was read for the as-of date, never analysed.
    assert re.findall(r"wildcards: audit_id=([\w-]+)", result.stderr) == [
        "eastshire-2019",
        "eastshire-2021",
    ]
    assert "rule board_entry:" in result.stderr and "rule analyse_audit:" in result.stderr
    earlier = workspace / "data" / "processed" / "eastshire-2019"
    assert sorted(p.name for p in earlier.iterdir()) == ["board-entry.json"]
    published = workspace / "data" / "processed" / "eastshire-2021" / "published"
    progress = pd.read_csv(published / "action_plan_progress.csv")
    assert progress.values.tolist() == [
        ["Completed", 1, 0],
        ["In progress", 2, 1],
        ["Not started", 2, 1],
    ]
    variables = (workspace / target).read_text()
    assert "as_of: 30 September 2021" in variables and "overdue: 2" in variables
    # An update of the other audit's plan is an input of this audit's analysis.
    plan = workspace / "data" / "raw" / "eastshire-2019" / "action_plan.csv"
    plan.write_text(plan.read_text().replace("2021-09-30", "2021-10-15"))
    dry = snakemake(workspace, target, "--dry-run", "--quiet", "rules")
    assert re.search(r"^analyse_audit\s+1$", dry.stdout, flags=re.M), dry.stdout + dry.stderr
    # ... unless config.yaml sets as_of.
    config = workspace / "config.yaml"
    config.write_text(config.read_text() + "as_of: 2022-04-01\n")
    assert snakemake(workspace, target).returncode == 0
    progress = pd.read_csv(published / "action_plan_progress.csv")
    assert progress["overdue"].tolist() == [0, 2, 2]
