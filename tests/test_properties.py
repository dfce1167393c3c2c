"""Property-based tests: every valid audit passes; every single corruption is reported."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditrap.grades import GRADES
from auditrap.validate import load_audit

NAME = (
    st.text(
        alphabet=st.characters(codec="utf-8", categories=("L", "N", "Zs", "Pd")),
        min_size=1,
        max_size=20,
    )
    .map(str.strip)
    .filter(bool)
)
FREE_TEXT = st.text(max_size=80).map(lambda s: s.replace("\x00", ""))
DATE = st.dates(
    min_value=__import__("datetime").date(2015, 1, 1),
    max_value=__import__("datetime").date(2030, 12, 31),
)


@st.composite
def audits(draw):
    areas = draw(st.lists(NAME, min_size=1, max_size=4, unique_by=str.casefold))
    agencies = draw(st.lists(NAME, min_size=1, max_size=5, unique_by=str.casefold))
    n_cases = draw(st.integers(1, 8))
    case_ids = [f"C-{i}" for i in range(1, n_cases + 1)]
    cases = [
        [
            cid,
            draw(st.sampled_from(areas)),
            draw(st.sampled_from(list(GRADES) + [""])),
            draw(DATE).isoformat(),
        ]
        for cid in case_ids
    ]
    returns = []
    for cid in case_ids:
        for agency in draw(st.lists(st.sampled_from(agencies), min_size=1, unique=True)):
            returns.append(
                [
                    cid,
                    agency,
                    draw(st.sampled_from(["", "Team manager"])),
                    draw(DATE).isoformat(),
                    draw(st.sampled_from(GRADES)),
                    draw(FREE_TEXT),
                    draw(FREE_TEXT),
                ]
            )
    actions = []
    for n in range(draw(st.integers(0, 4))):
        raised = draw(DATE)
        done = draw(st.booleans())
        actions.append(
            [
                f"IA-{n}",
                draw(st.sampled_from(case_ids)),
                draw(st.sampled_from(agencies)),
                draw(NAME),
                raised.isoformat(),
                "Completed" if done else "Open",
                raised.isoformat() if done else "",
            ]
        )
    meta = {
        "title": "T",
        "board": "B",
        "audit_number": 1,
        "period": "2020",
        "selection_criteria": "S",
        "areas": areas,
        "agencies": agencies,
    }
    return meta, cases, returns, actions


def write_audit(folder: Path, audit) -> Path:
    meta, cases, returns, actions = audit
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    (folder / "audit.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True), encoding="utf-8")
    tables = {
        "cases.csv": (["case_id", "area", "ratified_grade", "meeting_date"], cases),
        "returns.csv": (
            [
                "case_id",
                "agency",
                "auditor_role",
                "return_date",
                "grade",
                "strengths",
                "improvements",
            ],
            returns,
        ),
        "actions.csv": (
            ["action_id", "case_id", "agency", "action", "raised_date", "status", "completed_date"],
            actions,
        ),
    }
    for name, (header, rows) in tables.items():
        with (folder / name).open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows([header, *rows])
    return folder


FAST = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FAST
@given(audit=audits())
def test_valid_generated_audits_always_pass(tmp_path, audit):
    folder = write_audit(tmp_path / "gen", audit)
    result, problems = load_audit(folder, "gen")
    assert [p for p in problems if p.severity == "error"] == []
    assert result is not None
    assert len(result.cases) == len(audit[1])


def corrupt(audit, kind: str, pick: int):
    meta, cases, returns, actions = (
        dict(audit[0]),
        [r[:] for r in audit[1]],
        [r[:] for r in audit[2]],
        [r[:] for r in audit[3]],
    )
    r = returns[pick % len(returns)]
    c = cases[pick % len(cases)]
    if kind == "grade":
        r[4] = "Excellent"
    elif kind == "blank agency":
        r[1] = ""
    elif kind == "unknown area":
        c[1] = "Nowhere at all 123"
    elif kind == "bad date":
        r[3] = "2019-02-31"
    elif kind == "not a date":
        c[3] = "31/01/2019"
    elif kind == "duplicate case":
        cases.append(c[:])
    elif kind == "unknown case":
        r[0] = "ZZ-999"
    elif kind == "name as case id":
        c[0] = "Jane Smith"
    elif kind == "unknown key":
        meta["colour"] = "red"
    elif kind == "no areas":
        meta["areas"] = []
    elif kind == "open with date" and actions:
        actions[0][5], actions[0][6] = "Open", "2020-01-01"
    elif kind == "open with date":
        r[2], r[4] = "x", "Goood"
    return meta, cases, returns, actions


KINDS = [
    "grade",
    "blank agency",
    "unknown area",
    "bad date",
    "not a date",
    "duplicate case",
    "unknown case",
    "name as case id",
    "unknown key",
    "no areas",
    "open with date",
]


@FAST
@given(audit=audits(), kind=st.sampled_from(KINDS), pick=st.integers(0, 100))
def test_a_single_corruption_is_always_reported(tmp_path, audit, kind, pick):
    folder = write_audit(tmp_path / "gen", corrupt(audit, kind, pick))
    result, problems = load_audit(folder, "gen")  # never raises
    assert result is None
    assert any(p.severity == "error" and p.message for p in problems)


@FAST
@given(
    audit=audits(),
    data=st.binary(min_size=1, max_size=200),
    name=st.sampled_from(["cases.csv", "returns.csv", "actions.csv", "audit.yaml"]),
)
def test_any_bytes_in_any_file_never_crash(tmp_path, audit, data, name):
    folder = write_audit(tmp_path / "gen", audit)
    (folder / name).write_bytes(data)
    result, problems = load_audit(folder, "gen")
    assert result is not None or problems
