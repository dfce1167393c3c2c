"""Every number in the published report can be followed back to the raw rows that make it."""

from __future__ import annotations

import csv
import re
import shutil

import pandas as pd
import pytest

from auditrap.aggregate import suggested_grades
from auditrap.lineage import numbers, with_suggested_grades
from auditrap.provenance import sha256
from auditrap.review import tag_and_review
from auditrap.themes import load_taxonomy
from auditrap.validate import load_audit

from conftest import ROOT, SAMPLE_AUDIT
from test_workflow import make_workspace, snakemake

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    workspace = make_workspace(tmp_path_factory.mktemp("lineage"), {"nai-2018": SAMPLE_AUDIT})
    # The sample's programme: its earlier audits' numbers follow back to programme.yaml.
    shutil.copyfile(ROOT / "data" / "programme.yaml", workspace / "data" / "programme.yaml")
    result = snakemake(workspace)
    assert result.returncode == 0, result.stderr[-3000:]
    return workspace


def test_every_number_in_the_html_follows_back_to_raw_rows(built):
    out = built / "report" / "_output" / "nai-2018"
    html = (out / "nai-2018.html").read_text(encoding="utf-8")
    shown = set(re.findall(r'data-lineage="([^"]+)">([^<]*)<', html))
    assert len({key for key, _ in shown}) >= 40
    # The full lineage, with input files and rows, is the internal edition's.
    lineage = pd.read_csv(
        out / "internal" / "data" / "lineage.csv", dtype=str, keep_default_na=False
    )
    audit_dir = built / "data" / "raw" / "nai-2018"
    audit, problems = load_audit(audit_dir, "nai-2018", grade_aliases={})
    raw_csv = {
        name: list(csv.reader((audit_dir / name).open(newline="", encoding="utf-8")))
        for name in (
            "cases.csv",
            "returns.csv",
            "actions.csv",
            "recommendations.csv",
            "action_plan.csv",
        )
    }
    # The theme tags, recomputed from the raw returns and the analyst's review file.
    tagged = tag_and_review(
        audit.returns,
        load_taxonomy(built / "data" / "themes.yaml"),
        audit_dir=audit_dir,
        case_ids=audit.cases["case_id"].tolist(),
        agencies=list(audit.meta.agencies),
    )
    assert tagged.review.problems == []
    tag_tables = {"theme_tags": tagged.tags, "theme_sentences": tagged.sentence_tags}
    # The grade the raw returns suggest for each case, recomputed from the raw rows.
    cases = with_suggested_grades(audit.cases, suggested_grades(audit.cases, audit.returns))
    raw = {
        "cases": cases,
        "returns": audit.returns,
        "actions": audit.actions,
        "recommendations": audit.recommendations,
        "action_plan": audit.action_plan.assign(
            status=audit.action_plan["status"].astype("string")
        ),
    }
    ratified = int(audit.cases["ratified_grade"].notna().sum())

    for key, text in sorted(shown):
        rows = lineage[lineage["id"] == key]
        assert len(rows), f"{key} is not in lineage.csv"
        assert set(rows["value"]) == {text}, key
        for file, digest in zip(rows["input_file"], rows["input_sha256"], strict=True):
            if file:
                assert sha256(audit_dir / file) == digest, (key, file)
        kind, flt = rows["kind"].iloc[0], rows["filter"].iloc[0]
        if kind == "metadata":
            assert set(rows["input_file"]) == {"audit.yaml"}, key
            continue
        if kind == "validation":
            assert int(text) == len([p for p in problems if p.severity == "warning"]), key
            continue
        if kind in ("programme", "findings"):
            # What earlier audits of the board found: from programme.yaml (its lines are the
            # input rows) and the published table of earlier findings.
            earlier = pd.read_csv(out / "data" / "earlier_findings.csv")
            if key == "earlier.recurring":
                assert int(text) == earlier["theme_id"].nunique(), key
            elif key == "earlier.findings":
                assert int(text) == len(audit.meta.findings), key
            elif key == "earlier.count":
                # One input row per entry of programme.yaml, each its line in the file.
                lines = (built / "data" / "programme.yaml").read_text().splitlines()
                assert int(text) == len(rows) == 3, key
                for file, row in zip(rows["input_file"], rows["input_rows"], strict=True):
                    assert file == "../../programme.yaml", key
                    assert "board: Lancashire" in lines[int(row) - 1], (key, row)
            else:
                assert key.startswith("earlier.audits."), key
                assert int(text) == int(key.split(".")[2][1:]), key
                assert int(text) in set(earlier["audit_number"]), key
            continue
        table = raw[rows["processed_table"].iloc[0].removesuffix(".parquet")]
        if flt.startswith(("theme_tags:", "theme_sentences:")):
            name, query = flt.split(":", 1)
            keys = tag_tables[name].query(query, engine="python")[["source_file", "source_row"]]
            picked = keys.merge(table, on=["source_file", "source_row"])
        else:
            picked = table.query(flt, engine="python") if flt else table
        listed = {
            (file, int(r))
            for file, rs in zip(rows["input_file"], rows["input_rows"], strict=True)
            for r in rs.split(";")
            if r
        }
        pairs = zip(picked["source_file"], picked["source_row"].astype(int), strict=True)
        assert listed == set(pairs), key
        # The listed rows, read straight from the raw CSV (the header is row 1), hold the ids.
        first = next(c for c in ("action_id", "recommendation_id", "case_id") if c in picked)
        for file, row, ident in zip(
            picked["source_file"],
            picked["source_row"].astype(int),
            picked[first].astype(str),
            strict=True,
        ):
            if file in raw_csv:
                assert raw_csv[file][row - 1][0] == ident, (key, file, row)
        value = int(text)
        if kind == "count":
            recomputed = len(picked)
        elif kind == "number":  # a recommendation's place in its file
            order = sorted(raw["recommendations"]["source_row"])
            recomputed = order.index(int(picked["source_row"].iloc[0])) + 1
        elif kind in ("cases", "agencies"):
            recomputed = picked["case_id" if kind == "cases" else "agency"].nunique()
        else:  # a percentage of the ratified cases
            recomputed = int(len(picked) * 100 / ratified + 0.5)
        assert recomputed == value, (key, kind, recomputed, value)


def test_the_technical_note_lists_every_id_the_report_states(built):
    """The ids are for those who check the report: its technical note lists them all, with
    their values; the reader's PDF does not."""
    import yaml

    from test_workflow import pdf_text

    out = built / "report" / "_output" / "nai-2018"
    note = (out / "nai-2018-technical.html").read_text(encoding="utf-8")
    assert "Every number in the report, by id" in note
    listed = dict(re.findall(r'data-lineage="([^"]+)">([^<]*)<', note))
    processed = built / "data" / "processed" / "nai-2018"
    variables = yaml.safe_load((processed / "variables.yml").read_text(encoding="utf-8"))
    assert listed == {key: str(value) for key, value in numbers(variables)}
    # Every number the web page states is among them, with the same value.
    html = (out / "nai-2018.html").read_text(encoding="utf-8")
    assert set(re.findall(r'data-lineage="([^"]+)">([^<]*)<', html)) <= set(listed.items())
    assert "grades.requires-improvement.count" not in pdf_text(out / "nai-2018.pdf")


def test_every_number_of_the_action_plan_follows_back_to_raw_rows(built):
    """The recommendations and the action plan's numbers: each filter, re-applied to the
    typed raw rows, gives the rows listed and the number stated."""
    import yaml

    processed = built / "data" / "processed" / "nai-2018"
    lineage = pd.read_csv(processed / "lineage.csv", dtype=str, keep_default_na=False)
    variables = yaml.safe_load((processed / "variables.yml").read_text(encoding="utf-8"))
    audit_dir = built / "data" / "raw" / "nai-2018"
    audit, _ = load_audit(audit_dir, "nai-2018", grade_aliases={})
    raw = {
        "action_plan.parquet": audit.action_plan.assign(
            status=audit.action_plan["status"].astype("string")
        ),
        "recommendations.parquet": audit.recommendations,
    }
    rows = lineage[lineage["processed_table"].isin(raw)]
    stated = {
        key for key, _ in numbers(variables) if key.startswith(("recommendations.", "action_plan."))
    }
    assert set(rows["id"]) == stated and len(stated) == 1 + 6 * 6 + 5
    assert variables["action_plan"]["overdue"] == 1
    for key, group in rows.groupby("id"):
        table = raw[group["processed_table"].iloc[0]]
        flt = group["filter"].iloc[0]
        picked = table.query(flt, engine="python") if flt else table
        listed = {
            (file, int(r))
            for file, rs in zip(group["input_file"], group["input_rows"], strict=True)
            for r in rs.split(";")
            if r
        }
        assert listed == set(zip(picked["source_file"], picked["source_row"], strict=True)), key
        for file, digest in zip(group["input_file"], group["input_sha256"], strict=True):
            assert sha256(audit_dir / file) == digest, key
        raw_rows = list(csv.reader((audit_dir / "action_plan.csv").open(encoding="utf-8")))
        if group["processed_table"].iloc[0] == "action_plan.parquet":
            for row, ident in zip(picked["source_row"], picked["action_id"], strict=True):
                assert raw_rows[row - 1][0] == ident, key
        value, kind = int(group["value"].iloc[0]), group["kind"].iloc[0]
        if kind == "number":  # a recommendation's place in the file
            order = sorted(audit.recommendations["source_row"])
            assert value == order.index(int(picked["source_row"].iloc[0])) + 1, key
        else:
            assert kind == "count" and value == len(picked), key


def test_the_samples_conclusion_names_the_recurring_findings_from_data(built):
    """The seed report's conclusion ("similar recommendations to those ... of previous audits
    ... information sharing, record keeping and understanding of health") comes from
    programme.yaml and the audit's findings, each audit number a variable."""
    html = (built / "report" / "_output" / "nai-2018" / "nai-2018.html").read_text()
    text = re.sub(r"<[^>]+>", "", html)
    text = re.sub(r"\s+", " ", text).replace("\u2019", "'")
    assert (
        "Of this audit's 6 findings, 3 were also findings of earlier audits of the board." in text
    )
    for sentence in (
        "Understanding of how the local health economy is organised was also a finding of "
        "audits 2 and 3.",
        "Information sharing with GPs was also a finding of audits 1 and 3.",
        "Record keeping was also a finding of audits 1 and 2.",
    ):
        assert sentence in text, sentence
    assert 'data-lineage="earlier.audits.a3.number"' in html
    earlier = pd.read_csv(
        built / "report" / "_output" / "nai-2018" / "data" / "earlier_findings.csv"
    )
    assert sorted(set(earlier["theme_id"])) == [
        "gp-information-sharing",
        "health-economy",
        "record-keeping",
    ]
