"""The workflow is cluster-safe: built through a cluster executor, it makes the same files;
and so does ``auditrap build`` (``make report``), which runs it through Snakemake's API.

No SLURM or Kubernetes here: the cluster-generic executor submits each job (each audit's
group of steps) with a stand-in for ``sbatch`` that runs the job script in the background on
this machine. Snakemake then works as it does on a cluster: it writes job scripts, submits
them, and waits for them to report back through the shared file system.
"""

from __future__ import annotations

import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURE_AUDIT
from test_workflow import make_workspace, snakemake

pytestmark = pytest.mark.e2e

# Runs the job script in its own session, detached from Snakemake, and prints its id, as
# sbatch prints the SLURM job id.
SUBMIT = """#!/bin/bash
setsid bash "$1" </dev/null >>"{log}" 2>&1 &
echo "$!"
"""


def built_files(workspace: Path) -> dict[str, bytes]:
    folders = [workspace / "report" / "_output", workspace / "data" / "processed"]
    return {
        str(path.relative_to(workspace)): path.read_bytes()
        for folder in folders
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="module")
def local_and_cluster(tmp_path_factory):
    audits = {"exploitation-2021": FIXTURE_AUDIT}
    local = make_workspace(tmp_path_factory.mktemp("local"), audits)
    result = snakemake(local)
    assert result.returncode == 0, result.stderr[-3000:]

    jobs = tmp_path_factory.mktemp("jobs")
    submit = jobs / "submit.sh"
    submit.write_text(SUBMIT.format(log=jobs / "jobs.log"))
    submit.chmod(submit.stat().st_mode | stat.S_IXUSR)
    cluster = make_workspace(tmp_path_factory.mktemp("cluster"), audits)
    result = snakemake(
        cluster,
        "--executor",
        "cluster-generic",
        "--cluster-generic-submit-cmd",
        str(submit),
        "--jobs",
        "4",
        "--seconds-between-status-checks",
        "1",
        "--latency-wait",
        "10",
        "--default-resources",
        "mem_mb=1000",
        "runtime=15",
    )
    assert result.returncode == 0, result.stderr[-5000:] + (jobs / "jobs.log").read_text()[-3000:]
    return local, cluster, result


@pytest.fixture(scope="module")
def launched(tmp_path_factory):
    workspace = make_workspace(tmp_path_factory.mktemp("api"), {"exploitation-2021": FIXTURE_AUDIT})
    command = [sys.executable, "-m", "auditrap.cli", "build", "--cores", "2", "--quiet"]
    result = subprocess.run(command, cwd=workspace, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-5000:]
    return workspace


def test_the_jobs_went_through_the_cluster_executor(local_and_cluster):
    _, _, result = local_and_cluster
    # One submission for the audit's steps (its group), one for the programme page.
    assert "Submitted group job" in result.stderr, result.stderr[-3000:]


def test_a_cluster_build_is_byte_identical_to_a_local_build(local_and_cluster):
    local, cluster, _ = local_and_cluster
    here, there = built_files(local), built_files(cluster)
    assert any(name.endswith("manifest.json") for name in here)
    assert sorted(here) == sorted(there)
    differ = [name for name in here if here[name] != there[name]]
    assert not differ, differ


def test_no_output_names_the_folder_or_the_machine_it_was_built_on(local_and_cluster):
    _, cluster, _ = local_and_cluster
    host = socket.gethostname()
    for name, data in built_files(cluster).items():
        assert str(cluster).encode() not in data, name
        if len(host) >= 6:  # a short name turns up by chance in compressed PDF streams
            assert host.encode() not in data, name


def test_auditrap_build_makes_the_same_files_as_snakemake(local_and_cluster, launched):
    local, _, _ = local_and_cluster
    here, there = built_files(local), built_files(launched)
    assert sorted(here) == sorted(there)
    assert not [name for name in here if here[name] != there[name]]


def test_auditrap_build_fails_as_snakemake_does(tmp_path):
    workspace = make_workspace(tmp_path, {"exploitation-2021": FIXTURE_AUDIT})
    cases = workspace / "data" / "raw" / "exploitation-2021" / "cases.csv"
    cases.write_text(
        cases.read_text().replace("CE-2,Hilltop,Outstanding", "CE-2,Hilltop,Brilliant")
    )
    command = [sys.executable, "-m", "auditrap.cli", "build", "--cores", "2"]
    result = subprocess.run(command, cwd=workspace, capture_output=True, text=True, timeout=600)
    assert result.returncode == 1
    assert "cases.csv, row 3, column ratified_grade [Brilliant]" in result.stdout + result.stderr
    assert not (workspace / "report" / "_output" / "exploitation-2021").exists()
