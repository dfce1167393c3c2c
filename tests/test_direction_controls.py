"""Bidirectional controls in any input are taken out, with a warning that names the file, the
row or key and the column: a right-to-left override in a title, a cell or a theme must never
make the published text read backwards (the rendered pages are checked end to end in
test_workflow.py)."""

from __future__ import annotations

import logging

import openpyxl
import pytest
import yaml

from auditrap.normalise import BIDI_CONTROLS, strip_bidi, strip_bidi_in
from auditrap.themes import load_taxonomy
from auditrap.validate import load_audit

from conftest import ROOT, read_rows, set_cell, write_rows

RLO, PDF_, RLI, PDI, LRM, RLM, ALM = (
    "\u202e",
    "\u202c",
    "\u2067",
    "\u2069",
    "\u200e",
    "\u200f",
    "\u061c",
)


def warnings_of(problems):
    return [p for p in problems if p.severity == "warning" and "direction controls" in p.message]


def test_every_bidirectional_control_is_known():
    assert set(BIDI_CONTROLS) == {
        *map(chr, range(0x202A, 0x202F)),
        *map(chr, range(0x2066, 0x206A)),
        "\u200e",
        "\u200f",
        "\u061c",
    }
    assert strip_bidi(f"a{RLO}b{PDF_}c{LRM}{ALM}") == ("abc", 4)


def test_strip_bidi_in_names_each_key_and_item():
    data = {"title": f"x{RLO}y", "areas": ["ok", f"{RLI}z{PDI}"], f"k{RLM}": "v"}
    cleaned, keys = strip_bidi_in(data)
    assert cleaned == {"title": "xy", "areas": ["ok", "z"], "k": "v"}
    assert sorted(keys) == ["areas.2", "k", "title"]


def test_csv_cells_and_headers_lose_their_controls_with_a_warning(audit_copy):
    audit = audit_copy()
    rows = read_rows(audit / "returns.csv")
    rows[0][5] = f"{RLO}strengths"  # the header
    rows[2][5] = f"The worker {RLO}detisiv{PDF_} weekly."
    rows[4][6] = f"Plan {RLI}agreed{PDI}."
    rows[5][6] = f"{LRM}Shared."
    write_rows(audit / "returns.csv", rows)
    set_cell(audit / "cases.csv", 2, "area", f"{RLM}Riverside")
    loaded, problems = load_audit(audit, audit.name)
    assert loaded is not None, [p.line() for p in problems if p.severity == "error"]
    found = {(p.file, p.row, p.column) for p in warnings_of(problems)}
    assert found == {
        ("returns.csv", 1, None),
        ("returns.csv", 3, "strengths"),
        ("returns.csv", 5, "improvements"),
        ("cases.csv", 2, "area"),
    }
    rows_message = next(p for p in warnings_of(problems) if p.column == "improvements").message
    assert "rows 5, 6" in rows_message
    text = "".join(loaded.returns[["strengths", "improvements"]].fillna("").to_numpy().ravel())
    assert not any(ch in text for ch in BIDI_CONTROLS)
    assert "The worker detisiv weekly." in text
    assert set(loaded.cases["area"].astype(str)) == {"Riverside", "Hilltop"}  # read as the area


def test_workbook_cells_lose_their_controls_with_a_warning(audit_copy):
    audit = audit_copy()
    rows = read_rows(audit / "returns.csv")
    moved = rows[1]
    write_rows(audit / "returns.csv", [r for i, r in enumerate(rows) if i != 1])
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(rows[0])
    moved[5] = f"{RLO}Good work{PDF_}"
    sheet.append(moved)
    (audit / "returns").mkdir()
    book.save(audit / "returns" / "agency.xlsx")
    loaded, problems = load_audit(audit, audit.name)
    assert loaded is not None
    assert [(p.file, p.row, p.column) for p in warnings_of(problems)] == [
        ("returns/agency.xlsx", 2, "strengths")
    ]
    assert "Good work" in set(loaded.returns["strengths"].astype(str))


def test_audit_yaml_values_lose_their_controls_with_a_warning(audit_copy):
    audit = audit_copy()
    meta = yaml.safe_load((audit / "audit.yaml").read_text())
    meta["title"] = f"Multi-agency audit: {RLO}noitatiolpxe dlihC{PDF_}"
    meta["board"] = f"{LRM}Northshire Safeguarding Children Partnership"
    meta["areas"] = ["Riverside", f"{RLI}Hilltop{PDI}"]
    (audit / "audit.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True))
    loaded, problems = load_audit(audit, audit.name)
    assert loaded is not None, [p.line() for p in problems]
    assert sorted((p.file, p.column) for p in warnings_of(problems)) == [
        ("audit.yaml", "areas.2"),
        ("audit.yaml", "board"),
        ("audit.yaml", "title"),
    ]
    assert loaded.meta.title == "Multi-agency audit: noitatiolpxe dlihC"
    assert loaded.meta.areas == ["Riverside", "Hilltop"]


def test_a_theme_taxonomy_loses_its_controls_with_a_warning(tmp_path, caplog):
    taxonomy = yaml.safe_load((ROOT / "data" / "themes.yaml").read_text())
    taxonomy["themes"][0]["title"] = f"{RLO}nwod petS{PDF_}"
    path = tmp_path / "themes.yaml"
    path.write_text(yaml.safe_dump(taxonomy, allow_unicode=True))
    with caplog.at_level(logging.WARNING, logger="auditrap"):
        loaded = load_taxonomy(path)
    assert loaded.themes[0].title == "nwod petS"
    assert f"{path}, key themes.1.title: invisible direction controls" in caplog.text


@pytest.mark.parametrize("control", list(BIDI_CONTROLS), ids=lambda c: f"U+{ord(c):04X}")
def test_each_control_is_taken_out_of_a_cell(audit_copy, control):
    audit = audit_copy()
    set_cell(audit / "actions.csv", 2, "action", f"Refer{control} to the GP")
    loaded, problems = load_audit(audit, audit.name)
    assert loaded is not None
    assert "Refer to the GP" in set(loaded.actions["action"].astype(str))
    assert [(p.file, p.row, p.column) for p in warnings_of(problems)] == [
        ("actions.csv", 2, "action")
    ]
