"""The project's own promises: docs generated from the models, pins in step, config valid."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import jsonschema
import yaml

from auditrap.dictionary import data_dictionary

from conftest import ROOT


def test_data_dictionary_is_generated_from_the_models():
    on_disk = (ROOT / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    assert on_disk == data_dictionary(), (
        "run: .venv/bin/auditrap dictionary > docs/data-dictionary.md"
    )


def test_environment_yml_carries_the_lock_file_pins():
    lock = set(
        re.findall(r"^([A-Za-z0-9_.-]+==[^ \\\n]+)", (ROOT / "requirements.lock").read_text(), re.M)
    )
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert set(pip) == lock, "run: make environment.yml"


def _pins(lock: Path) -> dict[str, str]:
    """Each package a lock file pins, by its normalised name, and its version; every pin must
    carry its hashes."""
    text = lock.read_text()
    pins = re.findall(r"^([A-Za-z0-9_.-]+)==([^ \\\n]+)", text, re.M)
    hashed = re.findall(r"^[A-Za-z0-9_.-]+==[^ \\\n]+ \\\n\s+--hash=sha256:", text, re.M)
    assert len(hashed) == len(pins), f"{lock.name}: a pin without --hash; run: make lock"
    return {_name(name): version for name, version in pins}


def _name(requirement: str) -> str:
    name = re.match(r"[A-Za-z0-9_.-]+", requirement)[0]
    return re.sub(r"[-_.]+", "-", name).lower()


#: The cluster executors: Snakemake imports every one installed at each start (0.5 s), so
#: they are pinned only in requirements-cluster.lock (docs/cluster.md).
CLUSTER_ONLY = {"snakemake-executor-plugin-slurm", "snakemake-executor-plugin-kubernetes"}


def test_the_two_locks_pin_the_same_versions():
    lock = _pins(ROOT / "requirements.lock")
    cluster = _pins(ROOT / "requirements-cluster.lock")
    differ = {
        n: (lock[n], cluster[n]) for n in lock.keys() & cluster.keys() if lock[n] != cluster[n]
    }
    assert not differ, f"{differ}; run: make lock"
    assert lock.keys() <= cluster.keys(), "run: make lock"


def test_only_the_cluster_lock_has_the_cluster_executors():
    lock = _pins(ROOT / "requirements.lock")
    cluster = _pins(ROOT / "requirements-cluster.lock")
    assert cluster.keys() >= CLUSTER_ONLY
    assert not CLUSTER_ONLY & lock.keys()
    # The tests' stand-in cluster (tests/test_cluster.py) is an ordinary test dependency.
    assert "snakemake-executor-plugin-cluster-generic" in lock


def test_the_locks_pin_what_pyproject_toml_asks_for():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    lock = _pins(ROOT / "requirements.lock")
    cluster = _pins(ROOT / "requirements-cluster.lock")
    for requirement in project["dependencies"] + extras["test"]:
        assert _name(requirement) in lock, f"{requirement}; run: make lock"
    for requirement in extras["cluster"]:
        assert _name(requirement) in cluster.keys() - lock.keys(), f"{requirement}; run: make lock"


def test_config_is_valid_against_its_schema():
    schema = yaml.safe_load((ROOT / "workflow" / "schemas" / "config.schema.yaml").read_text())
    config = yaml.safe_load((ROOT / "config.yaml").read_text())
    jsonschema.validate(config, schema)
    jsonschema.validate({"audits": ["exploitation-2021"]}, schema)


def test_config_schema_refuses_a_bad_audit_id_and_unknown_keys():
    schema = yaml.safe_load((ROOT / "workflow" / "schemas" / "config.schema.yaml").read_text())
    for bad in ({"audits": ["NAI 2018"]}, {"audits": ["a"], "colour": "red"}, {"audits": []}):
        try:
            jsonschema.validate(bad, schema)
        except jsonschema.ValidationError:
            continue
        raise AssertionError(f"accepted {bad}")
