"""The project's own promises: docs generated from the models, pins in step, config valid."""

from __future__ import annotations

import re

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
