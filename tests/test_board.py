"""The board's programme, built with data alone: a second board (Eastshire: two audits with
data folders, two earlier audits in programme.yaml) beside the sample's board, whose audits
are in the data folder but not built. One module-scoped build is shared by every assertion:

- each audit's report says what earlier audits of its board found (a sentence built from
  the data), compares a re-audit with the audit it re-audits (table, chart and a computed
  caveat) and states what it responds to;
- the board's assurance report (report/_output/boards/<slug>/): every audit side by side,
  its tables, manifest, lineage, "to be written" notes, tagged PDF; the programme page
  links it;
- the DAG stays honest: a dry run after each change plans exactly the jobs that depend on
  it (an action-plan update: that audit's report and its board's report); a cycle (equal
  audit_number) is a clear input error that publishes nothing.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml
from test_programme_generated import EASTSHIRE, programme  # noqa: F401 (a fixture)

from auditrap.board_report import board_tables, narrative_or_note, to_be_written

from conftest import FIXTURE_AUDIT
from test_workflow import html_text, make_workspace, pdf_text, snakemake

SLUG = "eastshire-childrens-safeguarding-partnership"
LANCASHIRE = "lancashire-safeguarding-children-board"
AUDITS = ["eastshire-2019", "eastshire-2021"]
BOARD_OUT = Path("report/_output/boards") / SLUG
REVIEW = "Child E Rapid Review (2020)"
SUMMARY = "The sub-group brings the Board its two neglect audits side by side."


# -- Unit tests of the board's tables and notes ------------------------------------------------


def _read(findings, *, overdue_by_rec, recorded_cases=5):
    """What the board's report reads of one audit (auditrap.board_report._read), made up."""
    recs = pd.DataFrame(
        {
            "number": [1, 2],
            "recommendation_id": ["R1", "R2"],
            "theme_id": ["record-keeping", None],
            "finding": ["Record keeping", None],
            "recommendation": ["Keep records.", "Review the tool."],
            "addressed_to": ["Police", "Board"],
        }
    )
    progress = pd.DataFrame(
        {
            "recommendation_id": ["R1", "R2"],
            "actions": [2, 1],
            "completed": [1, 0],
            "in_progress": [1, 1],
            "not_started": [0, 0],
            "overdue": overdue_by_rec,
        }
    ).astype({c: "Int64" for c in ("actions", "completed", "in_progress", "overdue")})
    return {
        "findings": findings,
        "grades": pd.DataFrame(
            {
                "grade": ["Outstanding", "Good", "Requires improvement", "Inadequate"],
                "cases": pd.array([0, 2, 2, 1], dtype="Int64"),
                "percent": pd.array([0, 40, 40, 20], dtype="Int64"),
            }
        ),
        "ratified": recorded_cases,
        "plan": {"has_recommendations": True},
        "recommendations": recs,
        "recommendation_progress": progress,
        "action_plan_progress": pd.DataFrame(
            {
                "status": ["Completed", "In progress", "Not started"],
                "actions": pd.array([1, 2, 0], dtype="Int64"),
                "overdue": pd.array([0, sum(overdue_by_rec), 0], dtype="Int64"),
            }
        ),
    }


def _programme():
    def entry(number, audit_id, findings=None):
        return {
            "audit_number": number,
            "title": f"Audit {number}",
            "period": str(2015 + number),
            "audit_id": audit_id,
            "findings": findings,
            "published": audit_id is not None,
        }

    return {
        "board": EASTSHIRE,
        "slug": SLUG,
        "audits": [
            entry(1, None, ["record-keeping"]),
            entry(2, "b-2017"),
            entry(3, "c-2018"),
        ],
    }


def test_board_tables_put_overdue_recommendations_first_and_keep_findings_in_order():
    read = {
        "b-2017": _read(["step-down", "record-keeping"], overdue_by_rec=[0, 1]),
        "c-2018": _read(["record-keeping"], overdue_by_rec=[0, 0]),
    }
    tables = board_tables(_programme(), read, {})
    assert tables["themes_by_audit"].values.tolist() == [
        [1, "Audit 1", "record-keeping"],
        [2, "Audit 2", "step-down"],
        [2, "Audit 2", "record-keeping"],
        [3, "Audit 3", "record-keeping"],
    ]
    recs = tables["recommendations_by_audit"]
    # The only recommendation with an overdue action comes first, though its audit is older;
    # then the latest audit first, in the order the audit numbered them.
    assert recs[["audit_number", "recommendation_id", "overdue"]].values.tolist() == [
        [2, "R2", 1],
        [3, "R1", 0],
        [3, "R2", 0],
        [2, "R1", 0],
    ]
    audits = tables["audits"]
    assert audits["recorded"].tolist() == ["programme.yaml", "data folder", "data folder"]
    assert audits["cases"].isna().tolist() == [True, False, False]


def test_a_count_an_audit_hides_stays_hidden_in_the_board_tables():
    hidden = _read(["record-keeping"], overdue_by_rec=[0, 1])
    hidden["grades"]["cases"] = pd.array([0, pd.NA, pd.NA, 1], dtype="Int64")
    hidden["ratified"] = None
    tables = board_tables(_programme(), {"b-2017": hidden, "c-2018": hidden}, {})
    grades = tables["grades_by_audit"]
    assert grades["cases"].isna().sum() == 4  # two per audit, never filled in
    assert tables["audits"]["cases"].isna().all()  # a total with a hidden part is not shown


def test_the_reaudit_heading_holds_no_shortcode():
    """A trailing {...} on a heading line is the heading's attributes: a number's lineage
    span there breaks the render."""
    from auditrap.earlier import reaudit_part

    variables = {
        "reaudit": {"number": 3, "title": "Neglect", "period": "2019", "grades_held": False}
    }
    heading = reaudit_part(variables, {}).splitlines()[0]
    assert heading == "### Compared with audit 3"


def test_earlier_audits_name_each_finding_by_its_heading_in_the_report():
    from auditrap.earlier import earlier_audits_part

    variables = {
        "audit": {"board": "A board", "number": 4},
        "earlier": {
            "count": 1,
            "audits": {"a1": {"number": 1, "title": "Neglect", "period": "2015"}},
            "themes": {
                "step-down": {"title": "Step down to early help", "in": ["a1"]},
                "record-keeping": {"title": "Record keeping", "in": []},
            },
        },
    }
    part = earlier_audits_part(variables, {}, {"step-down": "Step down to the wellbeing service"})
    # The audit's own heading (its finding's front matter), as in its findings section; the
    # taxonomy's title where it has none.
    assert "Step down to the wellbeing service" in part
    assert "Step down to early help" not in part
    assert "Record keeping | None: a new finding" in part.replace("  ", " ")


def test_a_missing_narrative_section_is_a_visible_note_naming_the_file():
    variables = {"board": {"slug": SLUG}}
    note = narrative_or_note(variables, set(), "themes")
    assert note == to_be_written(variables, "themes")
    assert "To be written" in note and f"`data/boards/{SLUG}/`" in note
    assert "`narrative/themes.md`" in note
    assert "To be written" not in narrative_or_note(variables, {"themes"}, "themes")


# -- The generated programme, built ------------------------------------------------------------


@pytest.fixture(scope="module")
def built(programme, tmp_path_factory):  # noqa: F811 (the imported fixture)
    """Eastshire's two audits built, with Lancashire's audit (another board) beside them in
    the data folder but not in config.yaml: one narrative section of the board written, the
    re-audit stating what it responds to."""
    raw = programme / "raw"
    workspace = make_workspace(
        tmp_path_factory.mktemp("board"), {name: raw / name for name in AUDITS}
    )
    shutil.copytree(raw / "nai-2018", workspace / "data" / "raw" / "nai-2018")
    # Every count published, as the sample's board did, so that the comparison has numbers.
    config = yaml.safe_load((workspace / "config.yaml").read_text())
    config["audit_settings"] = {a: {"disclosure": {"tables": []}} for a in AUDITS}
    (workspace / "config.yaml").write_text(yaml.safe_dump(config))
    shutil.copyfile(programme / "programme.yaml", workspace / "data" / "programme.yaml")
    with (workspace / "data" / "raw" / "eastshire-2021" / "audit.yaml").open("a") as f:
        f.write(
            "responds_to:\n"
            f"  - review: {REVIEW}\n"
            '    recommendation: "Audit neglect again to learn whether practice changed."\n'
        )
    narrative = workspace / "data" / "boards" / SLUG / "narrative"
    narrative.mkdir(parents=True)
    (narrative / "summary.md").write_text(SUMMARY + "\n")
    result = snakemake(workspace)
    assert result.returncode == 0, result.stderr[-5000:]
    return workspace


def text_of(path: Path) -> str:
    """What a reader sees (HTML or PDF), typographic apostrophes as typed ones."""
    read = pdf_text if path.suffix == ".pdf" else html_text
    text = read(path).replace("\u2019", "'")
    # A number's lineage span is an element of its own: no space around it in the sentence.
    return re.sub(r"\s+(?=[.,;:)%])", "", text).replace("( ", "(")


def published_tree(workspace: Path) -> dict[str, str]:
    out = workspace / "report" / "_output"
    return {
        str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.rglob("*"))
        if p.is_file()
    }


def board_csv(workspace: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(workspace / BOARD_OUT / "data" / f"{name}.csv", dtype=str)


@pytest.mark.e2e
def test_one_board_report_for_the_board_built_and_none_for_the_other(built):
    out = built / BOARD_OUT
    assert sorted(p.name for p in out.iterdir()) == [
        "data",
        f"{SLUG}-technical.html",
        f"{SLUG}.html",
        f"{SLUG}.pdf",
        "manifest.json",
    ]
    assert sorted(p.name for p in (built / "report" / "_output" / "boards").iterdir()) == [SLUG]
    assert not (built / "data" / "processed" / "nai-2018").exists()  # another board's audit


@pytest.mark.e2e
def test_themes_by_audit_is_the_contracts_table(built):
    table = board_csv(built, "themes_by_audit")
    assert list(table.columns) == ["audit_number", "title", "theme_id"]
    found = {
        int(n): list(group["theme_id"]) for n, group in table.groupby("audit_number", sort=True)
    }
    assert found == {
        1: ["record-keeping"],
        2: ["step-down", "health-economy"],
        3: ["gp-information-sharing", "step-down"],
        # No findings in its audit.yaml: every theme its returns spoke of.
        4: ["swift-response", "health-economy", "gp-information-sharing", "record-keeping"],
    }
    assert set(table.loc[table["audit_number"] == "1", "title"]) == {"Multi-agency audit: Neglect"}


@pytest.mark.e2e
def test_the_board_report_counts_overdue_actions_as_of_the_boards_latest_update(built):
    plan = board_csv(built, "action_plan_by_audit")
    assert plan[["audit_number", "status", "actions", "overdue"]].values.tolist() == [
        ["3", "Completed", "1", "0"],
        ["3", "In progress", "1", "1"],
        ["3", "Not started", "0", "0"],
        ["4", "Completed", "1", "0"],
        ["4", "In progress", "2", "1"],
        ["4", "Not started", "2", "1"],
    ]
    recs = board_csv(built, "recommendations_by_audit")
    assert recs[["audit_number", "recommendation_id", "overdue"]].values.tolist() == [
        ["4", "R1", "1"],
        ["4", "R2", "1"],
        ["3", "R1", "1"],
        ["3", "R2", "0"],
    ]
    variables = yaml.safe_load(
        (built / "data" / "processed" / "boards" / SLUG / "variables.yml").read_text()
    )
    assert variables["plan"]["as_of"] == "30 September 2021"
    assert (variables["plan"]["overdue"], variables["plan"]["late_recommendations"]) == (3, 3)
    assert variables["themes"]["recurring"] == 4
    text = text_of(built / BOARD_OUT / f"{SLUG}.html")
    assert "as of 30 September 2021" in text
    assert "Of the 4 recommendations of the board's audits, 3 have an overdue action" in text


@pytest.mark.e2e
def test_audits_recorded_by_programme_yaml_hold_no_cases_rather_than_hidden_ones(built):
    audits = board_csv(built, "audits")
    assert audits["recorded"].tolist() == [
        "programme.yaml",
        "programme.yaml",
        "data folder",
        "data folder",
    ]
    assert audits["cases"].fillna("").tolist() == ["", "", "5", "5"]
    assert audits["report"].fillna("").tolist()[2:] == [
        "eastshire-2019/eastshire-2019.html",
        "eastshire-2021/eastshire-2021.html",
    ]


@pytest.mark.e2e
def test_every_number_of_the_board_report_has_a_lineage_row(built):
    variables = yaml.safe_load(
        (built / "data" / "processed" / "boards" / SLUG / "variables.yml").read_text()
    )
    lineage = pd.read_csv(built / BOARD_OUT / "data" / "lineage.csv", dtype=str)
    assert lineage["id"].is_unique
    assert {"board.audits", "plan.overdue", "themes.by.step-down.audits"} <= set(lineage["id"])
    assert lineage.set_index("id").loc["plan.overdue", "value"] == "3"
    stated = set(re.findall(r"\{\{< var ([\w.-]+) >\}\}", _board_markdown(built)))
    numeric = {k for k in stated if isinstance(_lookup(variables, k), int)}
    assert numeric and numeric <= set(lineage["id"]), numeric - set(lineage["id"])


def _board_markdown(workspace: Path) -> str:
    build = workspace / "data" / "processed" / "boards" / SLUG / "build"
    return "\n".join(p.read_text() for p in sorted(build.rglob("*.md")))


def _lookup(variables, key):
    value = variables
    for part in key.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


@pytest.mark.e2e
def test_the_board_report_says_what_is_still_to_be_written(built):
    text = text_of(built / BOARD_OUT / f"{SLUG}.html")
    assert SUMMARY in text
    for stem in ("themes", "action-plan", "next-steps"):
        assert f"narrative/{stem}.md" in text
    assert "Add it as narrative/summary.md" not in text
    assert text.count("To be written") == 3


@pytest.mark.e2e
def test_the_board_pdf_is_tagged_and_names_the_board(built):
    from pypdf import PdfReader

    reader = PdfReader(built / BOARD_OUT / f"{SLUG}.pdf")
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert root["/Lang"] == "en-GB"
    text = text_of(built / BOARD_OUT / f"{SLUG}.pdf")
    assert EASTSHIRE in text
    assert "Which themes were findings of which audit" in text


@pytest.mark.e2e
def test_the_manifest_records_every_published_file_of_the_board(built):
    import json

    manifest = json.loads((built / BOARD_OUT / "manifest.json").read_text())
    published = {
        str(p.relative_to(built / BOARD_OUT))
        for p in (built / BOARD_OUT).rglob("*")
        if p.is_file() and p.name != "manifest.json"
    }
    recorded = json.dumps(manifest)
    for name in published:
        assert name in recorded, name
    receipt = built / "data" / "processed" / "boards" / SLUG / "publication.json"
    assert receipt.is_file()


@pytest.mark.e2e
def test_the_board_report_leaves_ids_hashes_and_software_to_its_technical_note(built):
    """The board reads the report; how it was made is in the technical note beside it,
    which the report links in one sentence."""
    from pypdf import PdfReader

    pdf = built / BOARD_OUT / f"{SLUG}.pdf"
    for path in (pdf, built / BOARD_OUT / f"{SLUG}.html"):
        text = text_of(path)
        assert not re.search(r"\b[0-9a-f]{64}\b", text), path.name  # no hash
        assert "SHA-256" not in text and "by id" not in text, path.name
        assert "plan.overdue" not in text and "board.audits" not in text, path.name
        assert "Python" not in text and "pandera" not in text, path.name
        # What stays: the method in short, the data tables, the note in one sentence.
        assert "Where the numbers come from" in text and "themes_by_audit.csv" in text
        assert f"is in its technical note, {SLUG}-technical.html" in text
    assert len(PdfReader(pdf).pages) <= 6
    html = (built / BOARD_OUT / f"{SLUG}.html").read_text(encoding="utf-8")
    assert f'<a href="{SLUG}-technical.html">' in html
    assert '<a href="data/themes_by_audit.csv">' in html


@pytest.mark.e2e
def test_the_technical_note_lists_every_id_and_every_input_of_the_manifest(built):
    import json

    from auditrap.lineage import numbers

    note_path = built / BOARD_OUT / f"{SLUG}-technical.html"
    note = note_path.read_text(encoding="utf-8")
    variables = yaml.safe_load(
        (built / "data" / "processed" / "boards" / SLUG / "variables.yml").read_text()
    )
    listed = dict(re.findall(r'data-lineage="([^"]+)">([^<]*)<', note))
    symbol = variables["disclosure"]["symbol"]
    assert listed == {key: str(value) for key, value in numbers(variables, hidden=symbol)}
    assert {"plan.overdue", "board.audits"} <= set(listed) and listed["plan.overdue"] == "3"
    # Every id the lineage table traces, and every number the web page states.
    lineage = pd.read_csv(built / BOARD_OUT / "data" / "lineage.csv", dtype=str)
    assert set(lineage["id"]) <= set(listed)
    page = (built / BOARD_OUT / f"{SLUG}.html").read_text(encoding="utf-8")
    assert set(re.findall(r'data-lineage="([^"]+)">([^<]*)<', page)) <= set(listed.items())
    # Every input the manifest records, with the hash it records (and nothing else).
    manifest = json.loads((built / BOARD_OUT / "manifest.json").read_text())
    rows = re.findall(
        r'<tr><th scope="row"><code>(.*?)</code></th><td><code class="hash">'
        r"([0-9a-f]{64})</code></td></tr>",
        note,
    )
    assert {name.replace("/<wbr>", "/"): digest for name, digest in rows} == manifest["inputs"]
    assert {"config.yaml", "data/programme.yaml", "report/board.qmd"} <= set(manifest["inputs"])
    assert any(name.startswith("data/raw/eastshire-2021/") for name in manifest["inputs"])
    # The software the manifest records, and how to check the board's folder.
    made_with = manifest["environment"]
    assert f'<th scope="row">Python</th><td>{made_with["python"]}</td>' in note
    assert "<td>built-in (pandoc and typst)</td>" in note
    assert f"auditrap verify report/_output/boards/{SLUG}" in note
    assert f'<a href="{SLUG}.html">' in note
    # Recorded and checked like every published file of the board.
    outputs = manifest["outputs"]
    assert outputs[f"{SLUG}-technical.html"] == hashlib.sha256(note_path.read_bytes()).hexdigest()


@pytest.mark.e2e
def test_verify_passes_on_the_board_folder_and_names_a_changed_technical_note(built):
    import subprocess
    import sys

    def verify() -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "auditrap.cli", "verify", str(BOARD_OUT)],
            cwd=built,
            capture_output=True,
            text=True,
            timeout=300,
        )

    ok = verify()
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert f"intact     output {BOARD_OUT}/{SLUG}-technical.html" in ok.stdout
    note = built / BOARD_OUT / f"{SLUG}-technical.html"
    original = note.read_bytes()
    try:
        note.write_bytes(original.replace(b"<td>", b"<td>0", 1))
        bad = verify()
    finally:
        note.write_bytes(original)
    assert bad.returncode == 1
    assert f"changed    output {BOARD_OUT}/{SLUG}-technical.html" in bad.stdout


@pytest.mark.e2e
def test_the_programme_page_links_the_board_report(built):
    index = (built / "report" / "_output" / "index.html").read_text()
    assert f'href="boards/{SLUG}/{SLUG}.html"' in index


# -- Each audit's report: what earlier audits found, the re-audit, what it responds to ---------


@pytest.mark.e2e
def test_a_rebuild_of_the_later_audit_and_of_the_board_matches_byte_for_byte(built):
    from auditrap import provenance

    # The later audit's manifest records what its board context comes from: programme.yaml
    # and the earlier audit's raw files, so that an auditor sees them and a rebuild has them.
    later, earlier = "eastshire-2021", next(a for a in AUDITS if a != "eastshire-2021")
    manifest = json.loads((built / "report/_output" / later / "manifest.json").read_text())
    assert "data/programme.yaml" in manifest["inputs"]
    assert f"data/raw/{earlier}/cases.csv" in manifest["inputs"]
    for folder in (built / "report/_output" / later, built / BOARD_OUT):
        results = provenance.rebuild(folder, root=built)
        bad = [r for r in results if r[0] not in ("identical", "same-code", "note")]
        assert not bad, (folder, bad)
        assert ("identical", "manifest.json (all but its record of the code)") in results


@pytest.mark.e2e
def test_the_later_audit_says_which_findings_earlier_audits_also_made(built):
    out = built / "report" / "_output" / "eastshire-2021"
    text = text_of(out / "eastshire-2021.html")
    assert (
        "Of this audit's 4 findings, 3 were also findings of earlier audits of the board." in text
    )
    assert (
        "Understanding of how the local health economy is organised was also a finding of audit 2."
        in text
    )
    assert "Information sharing with GPs was also a finding of audit 3." in text
    assert "Record keeping was also a finding of audit 1." in text
    earlier = pd.read_csv(out / "data" / "earlier_findings.csv", dtype=str)
    assert sorted(zip(earlier["theme_id"], earlier["audit_number"], strict=True)) == [
        ("gp-information-sharing", "3"),
        ("health-economy", "2"),
        ("record-keeping", "1"),
    ]
    first = text_of(built / "report" / "_output" / "eastshire-2019" / "eastshire-2019.html")
    assert (
        "Step down from Children's Social Care to early help was also a finding of audit 2."
        in first
    )
    assert "Compared with audit" not in first  # its topic has no earlier audit


@pytest.mark.e2e
def test_the_reaudit_is_compared_with_a_computed_caveat(built):
    out = built / "report" / "_output" / "eastshire-2021"
    grades = pd.read_csv(out / "data" / "reaudit_grades.csv", dtype=str)
    pivot = grades.pivot(index="grade", columns="audit_number", values="cases")
    assert pivot.loc[
        ["Outstanding", "Good", "Requires improvement", "Inadequate"]
    ].values.tolist() == [
        ["0", "1"],
        ["1", "3"],
        ["3", "0"],
        ["1", "1"],
    ]
    text = text_of(out / "eastshire-2021.html")
    assert "Compared with audit 3" in text
    assert "4 of 5 cases (80%) were graded good or better, against 1 of 5 (20%) in audit 3" in text
    assert "may be chance" in text and "p = 0.21" in text
    figures = list(
        (built / "data" / "processed" / "eastshire-2021" / "figures-board").glob("*.svg")
    )
    assert sorted(p.stem for p in figures) == ["reaudit-grades", "reaudit-grades-narrow"]
    lineage = pd.read_csv(out / "data" / "lineage.csv", dtype=str).set_index("id")
    assert lineage.loc["reaudit.caveat.good", "value"] == "4"
    assert lineage.loc["reaudit.caveat.earlier_total", "value"] == "5"
    assert lineage.loc["reaudit.caveat.p", "value"] == "0.21"
    assert lineage.loc["cases.ratified", "value"] == "5"  # whole numbers stay whole


@pytest.mark.e2e
def test_the_introduction_states_what_the_audit_responds_to(built):
    text = text_of(built / "report" / "_output" / "eastshire-2021" / "eastshire-2021.html")
    assert f"This audit responds to a recommendation. {REVIEW} recommended:" in text
    intro = text.index("responds to a recommendation")
    assert intro < text.index("This is audit 4 of") < text.index("This audit has the same topic")


# -- The DAG: exactly what depends on a change -------------------------------------------------


def planned_jobs(workspace: Path) -> set[tuple[str, str]]:
    """The jobs a dry run plans: (rule, its wildcards)."""
    result = snakemake(workspace, "--dry-run")
    assert result.returncode == 0, result.stderr[-3000:]
    text = result.stdout + result.stderr
    jobs, rule, wildcards = set(), None, ""
    for line in (text + "\n").splitlines():
        found = re.match(r"\s*(?:local)?rule (\w+):$", line)
        if found or not line.strip():
            if rule and rule != "all":
                jobs.add((rule, wildcards))
            rule, wildcards = (found.group(1), "") if found else (None, "")
        elif rule and line.strip().startswith("wildcards:"):
            wildcards = line.split(":", 1)[1].strip()
    return jobs


def audit_jobs(audit_id: str) -> set[tuple[str, str]]:
    w = f"audit_id={audit_id}"
    return {
        ("analyse_audit", w),
        ("render_report", w),
        ("record_build", w),
        ("publish_report", w),
    }


BOARD_JOBS = {
    (rule, f"board={SLUG}")
    for rule in ("analyse_board", "render_board", "record_board", "publish_board")
}
PROGRAMME_PAGE = {("publish_programme", "")}


class Edit:
    """Change a file of the workspace, and put it back afterwards."""

    def __init__(self, workspace: Path, name: str):
        self.path = workspace / name
        self.before = self.path.read_bytes() if self.path.exists() else None

    def write(self, text: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(text)

    def restore(self) -> None:
        if self.before is None:
            self.path.unlink()
        else:
            self.path.write_bytes(self.before)


@pytest.fixture
def edit(built):
    made = []

    def edit_(name):
        made.append(Edit(built, name))
        return made[-1]

    yield edit_
    for e in reversed(made):
        e.restore()
    assert planned_jobs(built) == set(), "the workspace is left as it was found"


@pytest.mark.e2e
def test_nothing_to_do_after_the_build(built):
    assert planned_jobs(built) == set()


@pytest.mark.e2e
def test_an_action_plan_update_rebuilds_that_audits_report_and_its_boards_only(built, edit):
    plan = edit("data/raw/eastshire-2021/action_plan.csv")
    # L5 has started; the latest update of the board's plans (30 September) does not move.
    plan.write(plan.before.decode().replace("2022-03-31,Not started", "2022-03-31,In progress"))
    # The board's other audit with a plan records this plan in its manifest (its as-of date is
    # the latest update of the board's plans): its manifest is made again and published, but
    # nothing of it is analysed or rendered again.
    manifest_only = {
        ("record_build", "audit_id=eastshire-2019"),
        ("publish_report", "audit_id=eastshire-2019"),
    }
    assert (
        planned_jobs(built)
        == audit_jobs("eastshire-2021") | BOARD_JOBS | PROGRAMME_PAGE | manifest_only
    )


@pytest.mark.e2e
def test_an_update_that_moves_the_as_of_date_rebuilds_every_plan_of_the_board(built, edit):
    plan = edit("data/raw/eastshire-2019/action_plan.csv")
    plan.write(plan.before.decode().replace("2021-09-30", "2021-10-15"))
    assert (
        planned_jobs(built)
        == audit_jobs("eastshire-2019") | audit_jobs("eastshire-2021") | BOARD_JOBS | PROGRAMME_PAGE
    )


@pytest.mark.e2e
def test_the_earlier_audits_findings_rebuild_the_later_audit_and_the_board(built, edit):
    meta = edit("data/raw/eastshire-2019/audit.yaml")
    meta.write(
        meta.before.decode().replace(
            "findings: [gp-information-sharing, step-down]",
            "findings: [gp-information-sharing, step-down, swift-response]",
        )
    )
    jobs = planned_jobs(built)
    assert ("board_entry", "audit_id=eastshire-2019") in jobs
    assert jobs - {("board_entry", "audit_id=eastshire-2019")} == (
        audit_jobs("eastshire-2019") | audit_jobs("eastshire-2021") | BOARD_JOBS | PROGRAMME_PAGE
    )


@pytest.mark.e2e
def test_the_later_audits_data_never_rebuilds_the_earlier_audit(built, edit):
    cases = edit("data/raw/eastshire-2021/cases.csv")
    assert ",Inadequate" in cases.before.decode()
    cases.write(cases.before.decode().replace(",Inadequate", ",Good", 1))
    jobs = planned_jobs(built)
    assert not any(w == "audit_id=eastshire-2019" for _, w in jobs)
    assert ("analyse_audit", "audit_id=eastshire-2021") in jobs and jobs >= BOARD_JOBS


@pytest.mark.e2e
def test_another_boards_entry_in_programme_yaml_rebuilds_no_analysis_or_render(built, edit):
    entries = edit("data/programme.yaml")
    entries.write(
        entries.before.decode().replace(
            "findings: [health-economy, record-keeping]", "findings: [health-economy]"
        )
    )
    jobs = planned_jobs(built)
    # programme.yaml is a source the board's manifest records (its hash): the manifest is
    # made again and published; nothing is analysed or rendered again.
    assert {rule for rule, _ in jobs} <= {"record_board", "publish_board", "publish_programme"}


@pytest.mark.e2e
def test_a_new_audit_of_the_board_rebuilds_the_board_report_not_the_earlier_audits(built, edit):
    meta = (FIXTURE_AUDIT / "audit.yaml").read_text()
    meta = meta.replace("Northshire Safeguarding Children Partnership", EASTSHIRE)
    meta = re.sub(r"audit_number: \d+", "audit_number: 5", meta)
    folder = built / "data" / "raw" / "eastshire-2023"
    shutil.copytree(FIXTURE_AUDIT, folder)
    try:
        (folder / "audit.yaml").write_text(meta)
        jobs = planned_jobs(built)
        # Analysed for its board (not in config.yaml: not published on its own).
        assert ("analyse_audit", "audit_id=eastshire-2023") in jobs
        # Its "earlier audits" section needs the findings of audit 4, which lists none (the
        # themes its returns spoke of): that audit's board entry, never its analysis.
        earlier = {
            (r, w) for r, w in jobs if w in {"audit_id=eastshire-2019", "audit_id=eastshire-2021"}
        }
        assert earlier == {("board_entry", "audit_id=eastshire-2021")}
        assert jobs >= BOARD_JOBS
        assert not any(rule == "publish_report" for rule, _ in jobs)
    finally:
        shutil.rmtree(folder)


@pytest.mark.e2e
def test_equal_audit_numbers_in_one_board_are_a_clear_error_that_publishes_nothing(built, edit):
    before = published_tree(built)
    meta = edit("data/raw/eastshire-2021/audit.yaml")
    meta.write(meta.before.decode().replace("audit_number: 4", "audit_number: 3"))
    result = snakemake(built)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    message = result.stderr
    assert "audit_number 3" in message, message[-3000:]
    assert "eastshire-2019" in message and "eastshire-2021" in message
    assert published_tree(built) == before


@pytest.mark.e2e
def test_a_board_report_changed_by_hand_is_published_again_and_nothing_else(built):
    page = built / BOARD_OUT / f"{SLUG}.html"
    before = page.read_bytes()
    page.write_bytes(before.replace(b"</main>", b"<p>Edited by hand.</p></main>", 1))
    # Published again from what was built (the receipt no longer matches the folder).
    assert planned_jobs(built) == {("publish_board", f"board={SLUG}"), *PROGRAMME_PAGE}
    result = snakemake(built)
    assert result.returncode == 0, result.stderr[-3000:]
    assert page.read_bytes() == before
    assert planned_jobs(built) == set()


def test_the_as_of_date_of_a_boards_action_plans(programme, tmp_path):  # noqa: F811
    from auditrap.boards import PlanDates, board_as_of, read_programmes

    found = read_programmes(programme / "raw", programme / "programme.yaml")
    eastshire = found.boards[EASTSHIRE]
    dates = PlanDates(None)
    # The latest review of any plan of the board (audit 3's, though audit 4 is the latest).
    assert board_as_of(eastshire, programme / "raw", None, dates)["as_of"] == "2021-09-30"
    assert board_as_of(eastshire, programme / "raw", "2022-04-01", dates) == {
        "as_of": "2022-04-01",
        "configured": True,
        "problems": [],
    }
    # A board with no action plan has no date to report one as of, set in config.yaml or not:
    # setting as_of rebuilds nothing of it.
    shutil.copytree(FIXTURE_AUDIT, tmp_path / "raw" / "exploitation-2021")
    northshire = next(iter(read_programmes(tmp_path / "raw", None).boards.values()))
    assert (
        board_as_of(northshire, tmp_path / "raw", "2022-04-01", dates)
        == board_as_of(northshire, tmp_path / "raw", None, dates)
        == {"as_of": None, "configured": False, "problems": []}
    )
