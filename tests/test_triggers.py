"""The report follows its inputs' content, never their dates: a file whose bytes changed is
always rebuilt from, however old its date (a zip extracted, ``cp -p``, a backup restored); a
file whose bytes did not change (``touch``) never causes a rebuild; and a published folder
that was changed or removed by hand is published again. A dry run says so beforehand."""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from auditrap import provenance

from conftest import FIXTURE_AUDIT, ROOT
from test_workflow import make_workspace, snakemake

pytestmark = pytest.mark.e2e

AUDIT = "exploitation-2021"
OLD = 978_307_200  # 2001-01-01: older than anything a build makes
OUT = Path("report/_output") / AUDIT


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """One audit built once, with the package's code and a name list in the project as in a
    real checkout; every test leaves it as it found it (nothing to do)."""
    workspace = make_workspace(tmp_path_factory.mktemp("triggers"), {AUDIT: FIXTURE_AUDIT})
    shutil.copytree(
        ROOT / "src" / "auditrap",
        workspace / "src" / "auditrap",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    private = workspace / "data" / "private" / AUDIT
    private.mkdir(parents=True)
    (private / "names.txt").write_text("# fictional\nJessica Thornley\n")
    narrative = workspace / "data" / "raw" / AUDIT / "narrative"
    narrative.mkdir()
    (narrative / "conclusion.md").write_text("Agencies now listen to children's views.\n")
    result = snakemake(workspace)
    assert result.returncode == 0, result.stderr[-3000:]
    return workspace


def planned(workspace: Path, *, auditrap: bool = False) -> set[str]:
    """The rules a dry run says would run."""
    if auditrap:
        command = [sys.executable, "-m", "auditrap.cli", "build", "--dry-run", "--quiet"]
        result = subprocess.run(command, cwd=workspace, capture_output=True, text=True)
    else:
        result = snakemake(workspace, "--dry-run", "--quiet", "rules")
    assert result.returncode == 0, result.stderr[-3000:]
    text = result.stdout + result.stderr
    if "Nothing to be done" in text:
        return set()
    return set(re.findall(r"^(\w+)\s+\d+$", text, flags=re.M)) - {"total"}


def replace_keeping_an_old_date(path: Path, data: bytes) -> None:
    """New bytes with a date older than every output, as `cp -p` of an old file gives."""
    source = path.with_name(f".{path.name}.new")
    source.write_bytes(data)
    os.utime(source, (OLD, OLD))
    subprocess.run(["cp", "-p", str(source), str(path)], check=True)
    source.unlink()
    assert path.stat().st_mtime == OLD


SOURCES = {
    # a source file: the first rules that must run when its bytes change
    f"data/raw/{AUDIT}/cases.csv": {"analyse_audit", "render_report", "record_build"},
    f"data/raw/{AUDIT}/audit.yaml": {"analyse_audit"},
    "data/themes.yaml": {"analyse_audit"},
    f"data/private/{AUDIT}/names.txt": {"analyse_audit"},
    f"data/raw/{AUDIT}/narrative/conclusion.md": {"render_report", "record_build"},
    "report/styles.css": {"render_report"},
    "config.yaml": {"record_build"},
    "src/auditrap/tables.py": {"analyse_audit", "render_report"},
}
NOT_AGAIN = {
    f"data/raw/{AUDIT}/narrative/conclusion.md": {"analyse_audit"},
    "report/styles.css": {"analyse_audit"},
    "config.yaml": {"analyse_audit", "render_report"},
}


def test_touching_every_source_rebuilds_nothing(workspace):
    for name in SOURCES:
        path = workspace / name
        os.utime(path, None)  # touch: now
    assert planned(workspace) == set()
    for name in SOURCES:
        os.utime(workspace / name, (OLD, OLD))  # and an old date
    assert planned(workspace) == set()
    assert planned(workspace, auditrap=True) == set()


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_new_bytes_with_an_old_date_rebuild_and_reverting_them_does_not(workspace, name):
    path = workspace / name
    original = path.read_bytes()
    # A trailing comment or blank line: valid in every one of these formats.
    comment = (
        b"\n" if name.endswith(".md") else b"\n/* x */\n" if name.endswith(".css") else b"\n# x\n"
    )
    replace_keeping_an_old_date(path, original + comment)
    rules = planned(workspace)
    assert SOURCES[name] <= rules, rules
    assert not NOT_AGAIN.get(name, set()) & rules, rules
    assert "publish_report" in rules
    # The same bytes as the last build, whatever the date: nothing to do.
    replace_keeping_an_old_date(path, original)
    assert planned(workspace) == set()


def test_the_returns_workbooks_the_build_follows_are_the_ones_it_reads(workspace):
    """A workbook named School.XLSX is read as returns: adding or editing it rebuilds. Excel's
    lock file (~$school.xlsx, there while someone has the workbook open) is not read:
    it rebuilds nothing. A folder put in returns/ is refused by validation, so the build
    must run it."""
    returns = workspace / "data" / "raw" / AUDIT / "returns"
    returns.mkdir(exist_ok=True)
    try:
        (returns / "~$school.xlsx").write_bytes(b"\x0bAnalyst PC")
        assert planned(workspace) == set()
        (returns / "School.XLSX").write_bytes(b"not yet a workbook")
        assert "analyse_audit" in planned(workspace)
        (returns / "School.XLSX").unlink()
        assert planned(workspace) == set()
        (returns / "School").mkdir()
        assert "analyse_audit" in planned(workspace)
    finally:
        shutil.rmtree(returns)
    assert planned(workspace) == set()


def test_an_older_dated_replacement_is_published(workspace):
    """cases.csv replaced by an older-dated copy with a different grade (a zip of returns
    extracted), then a backup restored with its old dates (`cp -a`): each is validated and
    published, by snakemake and by auditrap build (make report)."""
    cases = workspace / "data" / "raw" / AUDIT / "cases.csv"
    original = cases.read_bytes()
    backup = workspace.parent / "backup"
    subprocess.run(["cp", "-a", str(workspace / "data" / "raw" / AUDIT), str(backup)], check=True)
    os.utime(cases, (OLD, OLD))
    replace_keeping_an_old_date(
        cases, original.replace(b"CE-1,Riverside,Good", b"CE-1,Riverside,Inadequate")
    )
    result = snakemake(workspace)
    assert result.returncode == 0, result.stderr[-3000:]
    assert published_grade(workspace, "CE-1") == "Inadequate"

    # A backup restored over it, every file with its old date.
    shutil.rmtree(workspace / "data" / "raw" / AUDIT)
    subprocess.run(["cp", "-a", str(backup), str(workspace / "data" / "raw" / AUDIT)], check=True)
    os.utime(cases, (OLD, OLD))
    result = subprocess.run(
        [sys.executable, "-m", "auditrap.cli", "build", "--cores", "2", "--quiet"],
        cwd=workspace,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert published_grade(workspace, "CE-1") == "Good"
    assert cases.read_bytes() == original
    results = provenance.verify(workspace / OUT, root=workspace)
    assert all(status in provenance.PASSING for status, _ in results), results
    assert planned(workspace) == set()


def published_grade(workspace: Path, case_id: str) -> str:
    """A case's ratified grade as the published internal edition's table states it."""
    table = workspace / OUT / "internal" / "data" / "case_grades.csv"
    return next(
        r["ratified_grade"] for r in csv.DictReader(table.open()) if r["case_id"] == case_id
    )


@pytest.mark.parametrize(
    "tamper",
    ["change a file", "add a file", "remove the manifest", "remove the folder"],
)
def test_a_published_folder_changed_by_hand_is_published_again(workspace, tamper):
    folder = workspace / OUT
    before = {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    if tamper == "change a file":
        page = folder / f"{AUDIT}.html"
        page.write_bytes(page.read_bytes().replace(b"</html>", b"<p>added</p></html>"))
    elif tamper == "add a file":
        (folder / "data" / "extra.csv").write_text("a,b\n")
    elif tamper == "remove the folder":
        shutil.rmtree(folder)
    else:
        (folder / "manifest.json").unlink()
    # Only the copy runs again (and the programme page, which lists it), never the render.
    assert planned(workspace) == {"publish_report", "publish_programme", "all"}
    result = snakemake(workspace)
    assert result.returncode == 0, result.stderr[-3000:]
    after = {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    assert after == before
    assert planned(workspace) == set()
