"""Hostile, broken and huge inputs: a clear problem, in bounded time and memory, never a
traceback (issue 13). Each break found by trying about 230 hostile files is fed here, and the
test asserts the message an analyst would read."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.worksheet.formula import ArrayFormula
from typer.testing import CliRunner

from auditrap import pipeline
from auditrap.cli import app
from auditrap.limits import InputLimits
from auditrap.metadata import load_meta
from auditrap.problems import ERROR, WARNING, summary
from auditrap.readers import parse_csv, read_csv_table
from auditrap.schemas import Returns, columns, required_columns
from auditrap.validate import load_audit, mask_problems
from auditrap.workbooks import read_returns_workbook, survey_workbook
from auditrap.yaml_input import load_yaml

from conftest import FIXTURE_AUDIT, ROOT, read_rows, write_rows

HEADER = columns(Returns)


def errors(problems):
    return [p for p in problems if p.severity == ERROR]


def audit_with(tmp_path: Path, name: str = "hostile") -> Path:
    target = tmp_path / "raw" / name
    shutil.copytree(FIXTURE_AUDIT, target)
    return target


def set_yaml(audit_dir: Path, text: str) -> None:
    (audit_dir / "audit.yaml").write_text(text, encoding="utf-8")


META = (FIXTURE_AUDIT / "audit.yaml").read_text(encoding="utf-8")


# --- audit.yaml ---------------------------------------------------------------------------


def meta_problems(tmp_path, text, **limits):
    path = tmp_path / "audit.yaml"
    path.write_text(text, encoding="utf-8")
    meta, problems = load_meta(path, limits=InputLimits(**limits))
    return meta, problems


@pytest.mark.parametrize(
    ("change", "line", "key", "phrase"),
    [
        pytest.param(
            META + "published: 2019-02-30\n",
            14,
            "published",
            "`2019-02-30` is not a real date",
            id="impossible date",
        ),
        pytest.param(
            META.replace("audit_number: 7", "audit_number: true"),
            5,
            "audit_number",
            "must be a whole number",
            id="boolean for a number",
        ),
        pytest.param(
            META + 'title: "Another title"\n',
            14,
            "title",
            "given twice (lines 3 and 14)",
            id="duplicate key",
        ),
        pytest.param(
            META.replace('period: "2021"', "period: [2021, [2022]]"),
            6,
            "period",
            "must be text",
            id="list for text",
        ),
    ],
)
def test_audit_yaml_problems_name_the_line_and_key(tmp_path, change, line, key, phrase):
    meta, problems = meta_problems(tmp_path, change)
    assert meta is None
    located = [p for p in problems if (p.row, p.column) == (line, key)]
    assert located and phrase in located[0].message, problems
    assert f"audit.yaml, line {line}, key {key}" in located[0].line()


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(META.replace('period: "2021"', "period: 2018-13-01"), id="period"),
        pytest.param(META.replace("[Riverside, Hilltop]", "[Riverside, 2019-01-01]"), id="area"),
    ],
)
def test_unquoted_dates_in_text_keys_are_text(tmp_path, change):
    meta, problems = meta_problems(tmp_path, change)
    assert problems == []
    assert meta.period == "2018-13-01" or "2019-01-01" in meta.areas


def test_yes_and_no_stay_text(tmp_path):
    meta, problems = meta_problems(tmp_path, META.replace("[Riverside, Hilltop]", "[Yes, No]"))
    assert problems == [] and meta.areas == ["Yes", "No"]


def test_deep_nesting_is_refused_before_the_stack_runs_out(tmp_path):
    _, problems = meta_problems(tmp_path, "areas: " + "[" * 100_000 + "\n")
    (problem,) = problems
    assert "too deeply nested" in problem.message and "line 1, column 27" in problem.message
    assert "`yaml_depth` under `input_limits` in config.yaml" in problem.message


def test_an_alias_bomb_is_refused_before_it_is_expanded(tmp_path):
    lines = ["areas:", '  - &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"  - &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    text = "\n".join(lines) + "\n"
    assert len(text) < 1_000  # 9**10 values once expanded
    _, problems = meta_problems(tmp_path, text)
    (problem,) = problems
    assert "more than 100,000 values once its aliases" in problem.message
    assert len(problem.line()) < 1_000


def test_an_alias_inside_itself_is_refused(tmp_path):
    _, problems = meta_problems(tmp_path, META + "extra: &loop [1, *loop]\n")
    assert any("never ends" in p.message and p.row == 14 for p in problems), problems


def test_a_big_yaml_file_is_refused_unread(tmp_path):
    _, problems = meta_problems(tmp_path, META + "# " + "x" * 5_000 + "\n", yaml_kb=4)
    assert "more than a hand-written file" in problems[0].message


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("title: [unclosed\n", "not valid YAML at line 2"),
        ("title: a: b\n", "not valid YAML at line 1, column 9"),
        ("title: !!python/object:os.system x\n", "not valid YAML at line 1"),
        ("audit_number: " + "9" * 5_000 + "\n", "cannot be read"),
        ("- just\n- a list\n", "must be a list of `key: value` lines"),
    ],
)
def test_broken_yaml_is_one_clear_problem(tmp_path, text, phrase):
    meta, problems = meta_problems(tmp_path, text)
    assert meta is None
    assert any(phrase in p.message for p in problems), problems


def test_yaml_that_is_not_utf8(tmp_path):
    path = tmp_path / "audit.yaml"
    path.write_bytes("title: caf\u00e9\n".encode("latin-1"))
    assert "not UTF-8" in load_yaml(path).problems[0].message


# --- CSV ----------------------------------------------------------------------------------


def read_returns_csv(path: Path, **limits):
    return read_csv_table(
        path,
        display="returns.csv",
        expected=HEADER,
        required=required_columns(Returns),
        limits=InputLimits(**limits),
    )


def test_a_field_over_the_csv_module_limit_is_a_problem(audit_copy):
    audit_dir = audit_copy()
    path = audit_dir / "returns.csv"
    rows = read_rows(path)
    rows[3][5] = "x" * 200_000
    write_rows(path, rows)
    audit, problems = load_audit(audit_dir, audit_dir.name)
    assert audit is None
    (problem,) = errors(problems)
    assert (problem.file, problem.row, problem.column) == ("returns.csv", 4, "strengths")
    assert "200,000 characters" in problem.message and "`cell_chars`" in problem.message
    assert len(problem.value) < 300  # the value is quoted, cut short


def test_an_unclosed_quote_is_one_problem_where_it_opens(audit_copy):
    audit_dir = audit_copy()
    path = audit_dir / "returns.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[2] = lines[2].replace(",Good,", ',"Good,', 1)
    lines[7] = lines[7].rstrip("\n") + ',"a, quoted value"\n'  # the next quote mark
    path.write_text("".join(lines), encoding="utf-8")
    audit, problems = load_audit(audit_dir, audit_dir.name)
    assert audit is None
    found = errors(problems)
    assert [(p.file, p.row) for p in found if "never closed" in p.message] == [("returns.csv", 3)]
    assert "line 3 of the file" in found[0].message
    # No knock-on problems in the rest of the file: row 8 has one value too many, and
    # row 3's case and agency have no return now.
    assert {p.file for p in found} <= {"returns.csv", "cases.csv"}
    assert {p.row for p in found if p.file == "returns.csv"} == {3, 8}


def test_an_unclosed_quote_at_the_end_of_the_file(tmp_path):
    records, problems = parse_csv('a,b\n1,2\n3,"4\n5,6\n', "x.csv")
    assert records == [["a", "b"], ["1", "2"], [], ["5", "6"]]
    assert [p.row for p in problems] == [3]


def test_a_quote_closed_early_on_one_line_is_read_as_before(tmp_path):
    records, problems = parse_csv('a,b\n1,"2"3\n', "x.csv")
    assert records == [["a", "b"], ["1", "23"]] and problems == []


@pytest.mark.parametrize(
    ("text", "limits", "phrase"),
    [
        ("case_id" + "," * 5_000 + "\n", {"cells": 1_000}, "up to 5,002 cells"),
        ("case_id,agency\n" + "A,B\n" * 50, {"rows": 20}, "more than 20 rows"),
        (",".join(f"c{i}" for i in range(150)) + "\n", {}, "150 columns"),
        ("case_id\n" + "x" * 3_000 + "\n", {"file_mb": 0.001}, "more than an audit's file"),
    ],
)
def test_csv_over_a_limit_is_refused(tmp_path, text, limits, phrase):
    path = tmp_path / "returns.csv"
    path.write_text(text, encoding="utf-8")
    table = read_returns_csv(path, **limits)
    assert any(phrase in p.message for p in errors(table.problems)), table.problems
    assert len(table.frame) <= 20


# --- workbooks ----------------------------------------------------------------------------


def returns_workbook(path: Path, rows: int = 2) -> openpyxl.Workbook:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Returns"
    sheet.append(HEADER)
    source = read_rows(FIXTURE_AUDIT / "returns.csv")
    for row in source[1 : 1 + rows]:
        sheet.append(row)
    book.save(path)
    return book


def read_book(path: Path, **options):
    return read_returns_workbook(
        path,
        display=f"returns/{path.name}",
        expected=HEADER,
        required=required_columns(Returns),
        **options,
    )


def rewrite_part(path: Path, name: str, change) -> None:
    """Rewrite one part of a workbook's zip, keeping the others."""
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    parts[name] = change(parts[name])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, data in parts.items():
            archive.writestr(part, data)


def corrupt_deflate(path: Path) -> None:
    """Damage the compressed bytes of the sheet, leaving the zip's directory intact."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for at in range(start + 10, start + 60):
        data[at] ^= 0x5A
    path.write_bytes(bytes(data))


BROKEN = {
    "truncated zip": lambda p: p.write_bytes(p.read_bytes()[:300]),
    "sheet XML": lambda p: rewrite_part(p, "xl/worksheets/sheet1.xml", lambda d: d[:-40]),
    "workbook XML": lambda p: rewrite_part(p, "xl/workbook.xml", lambda d: d[:-30]),
    "styles": lambda p: rewrite_part(p, "xl/styles.xml", lambda d: d.replace(b"<", b"<<", 3)),
    "styles of the wrong kind": lambda p: rewrite_part(
        p, "xl/styles.xml", lambda d: d.replace(b'numFmtId="0"', b'numFmtId="x"')
    ),
    "deflate stream": corrupt_deflate,
    "missing sheet part": lambda p: rewrite_part(
        p, "xl/_rels/workbook.xml.rels", lambda d: d.replace(b"sheet1.xml", b"sheet9.xml")
    ),
}


@pytest.mark.parametrize("name", list(BROKEN))
def test_a_damaged_workbook_is_a_problem_not_a_traceback(tmp_path, name):
    path = tmp_path / "agency.xlsx"
    returns_workbook(path)
    BROKEN[name](path)
    for engine in ("auto", "openpyxl"):
        table = read_book(path, engine=engine)
        (problem,) = table.problems
        assert problem.file == "returns/agency.xlsx"
        assert re.search(r"cannot be read|damaged|not in the file", problem.message), problem
        assert "Excel Workbook (.xlsx)" in problem.message


def test_a_workbook_declaring_a_huge_sheet_is_refused_before_loading(tmp_path):
    path = tmp_path / "agency.xlsx"
    book = returns_workbook(path)
    book.active["ZZ200000"] = "x"
    book.save(path)
    assert path.stat().st_size < 20_000
    table = read_book(path)
    (problem,) = table.problems
    assert "declares cells up to ZZ200000" in problem.message
    assert "702 columns" in problem.message and "`columns`" in problem.message


def test_a_sheet_whose_dimension_lies_is_still_refused(tmp_path):
    path = tmp_path / "agency.xlsx"
    book = returns_workbook(path)
    book.active["G1040000"] = "x"
    book.save(path)
    rewrite_part(
        path,
        "xl/worksheets/sheet1.xml",
        lambda d: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:G3"', d),
    )
    (problem,) = read_book(path).problems
    assert "reaches cells up to G1040000" in problem.message and "`rows`" in problem.message


def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<" * 5_000_000)
    assert path.stat().st_size < 20_000
    (problem,) = read_book(path, limits=InputLimits(unpacked_mb=1)).problems
    assert "unpacks to 5.0 MB" in problem.message


def test_an_array_formula_is_named_and_counted_once(audit_copy):
    audit_dir = audit_copy()
    rows = read_rows(audit_dir / "returns.csv")
    write_rows(audit_dir / "returns.csv", [rows[0], *rows[3:]])
    (audit_dir / "returns").mkdir()
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Returns"
    for row in rows[:3]:
        sheet.append(row)
    sheet["E2"] = ArrayFormula("E2:E3", '=IF(1,"Good","Inadequate")')
    book.save(audit_dir / "returns" / "agency.xlsx")
    audit, problems = load_audit(audit_dir, audit_dir.name)
    assert audit is None
    (problem,) = errors(problems)
    assert problem.value == '=IF(1,"Good","Inadequate")'
    assert "The cells E2:E3 of sheet Returns are filled by one array formula" in problem.message
    assert "1 problem in 1 file." in summary(problems, audit_id="x")


def test_a_formula_is_one_problem_not_two(audit_copy):
    audit_dir = audit_copy()
    rows = read_rows(audit_dir / "returns.csv")
    write_rows(audit_dir / "returns.csv", [rows[0], *rows[2:]])
    (audit_dir / "returns").mkdir()
    book = openpyxl.Workbook()
    book.active.append(rows[0])
    book.active.append([*rows[1][:4], "=A1", *rows[1][5:]])
    book.save(audit_dir / "returns" / "agency.xlsx")
    _, problems = load_audit(audit_dir, audit_dir.name)
    (problem,) = errors(problems)
    assert "holds a formula" in problem.message and problem.value == "=A1"


def test_hidden_sheet_rows_and_columns_are_read_with_warnings(tmp_path):
    path = tmp_path / "agency.xlsx"
    book = returns_workbook(path, rows=5)
    sheet = book.active
    sheet.sheet_state = "hidden"
    book.create_sheet("Cover")
    book.active = 1
    for row in (3, 5):
        sheet.row_dimensions[row].hidden = True
    sheet.column_dimensions["F"].hidden = True
    book.save(path)
    table = read_book(path)
    assert len(table.frame) == 5  # every return is read
    warnings = [p.message for p in table.problems if p.severity == WARNING]
    assert errors(table.problems) == []
    assert any("Sheet Returns, which holds the returns, is hidden" in w for w in warnings), warnings
    assert any(w.startswith("Rows 3, 5 of sheet Returns are hidden") for w in warnings)
    assert any(w.startswith("Columns F of sheet Returns are hidden") for w in warnings)


def tricky_workbook(path: Path, epoch_1904: bool = False) -> None:
    import datetime as dt

    book = openpyxl.Workbook()
    if epoch_1904:
        book.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    sheet = book.active
    sheet.title = "Renamed"
    sheet["B3"] = "Case ID"
    for at, name in enumerate(HEADER[1:], start=3):
        sheet.cell(row=3, column=at, value=name)
    values = [
        ["CE-1", "Police", 1234, dt.datetime(2021, 5, 1), "Good", "  spaced  ", None],
        ["CE-2", "Police", "   ", 44317, "good", 3.5, True],
        ["CE-3", "Police", dt.time(12, 30), dt.datetime(2021, 5, 1, 9, 30), "RI", 10.0, 2**40],
        ["CE-4", "Police", None, "2021-05-01", "Inadequate", "=not a formula", "x"],
    ]
    for row, cells in enumerate(values, start=4):
        for at, value in enumerate(cells, start=2):
            cell = sheet.cell(row=row, column=at, value=value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # text that looks like a formula, as Excel stores it
    sheet.cell(row=9, column=2, value="   ")  # a trailing row of spaces
    book.save(path)


@pytest.mark.parametrize("epoch_1904", [False, True])
def test_calamine_and_openpyxl_read_the_same_table(tmp_path, epoch_1904):
    path = tmp_path / "tricky.xlsx"
    tricky_workbook(path, epoch_1904)
    assert all(sheet.plain for sheet in survey_workbook(path).sheets)
    fast, slow = read_book(path, engine="calamine"), read_book(path, engine="openpyxl")
    pd.testing.assert_frame_equal(fast.frame, slow.frame)
    pd.testing.assert_frame_equal(fast.origin, slow.origin)
    assert fast.problems == slow.problems
    serial = "2025-05-02" if epoch_1904 else "2021-05-01"  # 44317 days in each date system
    assert list(fast.frame["return_date"]) == [
        "2021-05-01",
        serial,
        "2021-05-01T09:30:00",
        "2021-05-01",
    ]
    assert list(fast.origin["source_row"]) == [4, 5, 6, 7]


# --- validation: linear, capped, masked ---------------------------------------------------


def test_every_duplicate_row_is_reported_with_a_bounded_message(audit_copy):
    audit_dir = audit_copy()
    path = audit_dir / "returns.csv"
    rows = read_rows(path)
    write_rows(path, rows + [rows[1]] * 40)
    audit, problems = load_audit(audit_dir, audit_dir.name)
    duplicates = [p for p in problems if "more than one return" in p.message]
    assert len(duplicates) == 41  # every row of the group, the first included
    assert all("and 35 more)" in p.message for p in duplicates)
    assert max(len(p.message) for p in duplicates) < 400


def test_problems_of_one_kind_are_capped_with_a_count(audit_copy):
    audit_dir = audit_copy()
    path = audit_dir / "returns.csv"
    rows = read_rows(path)
    for row in rows[1:]:
        row[4] = "Brilliant"
    write_rows(path, rows)
    limits = InputLimits(messages_per_rule=5)
    _, problems = load_audit(audit_dir, audit_dir.name, limits=limits)
    grades = [p for p in problems if p.column == "grade"]
    assert len(grades) == 6
    (more,) = [p for p in grades if p.row is None]
    assert f"and {len(rows) - 1 - 5:,} more rows of returns.csv" in more.message
    assert "`messages_per_rule`" in more.message


def test_messages_never_echo_a_name_joined_into_a_reference(audit_copy, tmp_path):
    audit_dir = audit_copy()
    rows = read_rows(audit_dir / "returns.csv")
    rows[1][0] = "JaydenSmith"  # not a case of cases.csv, and a name
    write_rows(audit_dir / "returns.csv", rows)
    _, problems = load_audit(audit_dir, audit_dir.name)
    assert any("JaydenSmith" in (p.value or "") + p.message for p in problems)
    masked = mask_problems(problems, ["Jayden Smith"])
    shown = " ".join(f"{p.value} {p.column} {p.message}" for p in masked)
    assert "Smith" not in shown and "Jayden" not in shown
    assert "[name]" in shown
    # auditrap validate reads the audit's name list as the workflow does.
    private = tmp_path / "private"
    (private / audit_dir.name).mkdir(parents=True)
    (private / audit_dir.name / "names.txt").write_text("Jayden Smith\n")
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump({"audits": [audit_dir.name], "private_dir": str(private)}))
    result = CliRunner().invoke(app, ["validate", str(audit_dir), "--config", str(config)])
    assert result.exit_code == 1
    assert "Smith" not in result.output and "[name]" in result.output


def test_a_failed_validation_leaves_no_stale_passed_report(audit_copy, tmp_path, monkeypatch):
    audit_dir = audit_copy()
    out = tmp_path / "out"
    options = dict(audit_dir=audit_dir, audit_id=audit_dir.name, out_dir=out)
    pipeline.validate_stage(**options, report_dir=out / "validation")
    report = out / "validation" / "report.html"
    assert "passed validation" in report.read_text()

    def crash(*args, **kwargs):
        raise RuntimeError("an unexpected failure")

    monkeypatch.setattr("auditrap.validate.load_audit", crash)
    with pytest.raises(RuntimeError):
        pipeline.validate_stage(**options, report_dir=out / "validation")
    assert not report.exists() and not (out / "validation" / "problems.csv").exists()


# --- no traceback, whatever the input -----------------------------------------------------

YAML_PIECES = st.sampled_from(
    [
        "title",
        "areas",
        "audit_number",
        ":",
        ": ",
        "- ",
        "[",
        "]",
        "{",
        "}",
        ",",
        "&a ",
        "*a",
        "!!",
        "'",
        '"',
        "#",
        "|",
        ">",
        "? ",
        "\n",
        "\n  ",
        "\t",
        "2019-02-30",
        "true",
        "~",
        "%YAML 1.1\n",
        "---\n",
        "...\n",
        "<<: *a",
        "\\",
        "\x00",
        "\ufeff",
        "é",
    ]
)
CSV_PIECES = st.sampled_from(
    [
        "case_id",
        "agency",
        "CE-1",
        "Police",
        "Good",
        ",",
        '"',
        '""',
        "\n",
        "\r\n",
        "\r",
        " ",
        "2021-05-01",
        "=SUM(A1)",
        "\x00",
        "\ufeff",
        "\u2028",
        "x" * 50,
        ",,,,,",
    ]
)


@given(text=st.lists(YAML_PIECES, max_size=60).map("".join))
@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_any_audit_yaml_gives_a_problem_list_not_a_traceback(tmp_path, text):
    path = tmp_path / "audit.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    meta, problems = load_meta(path)
    assert meta is not None or errors(problems)
    assert all(p.message and len(p.line()) < 2_000 for p in problems)


@given(
    text=st.lists(CSV_PIECES, max_size=80).map("".join),
    name=st.sampled_from(["cases.csv", "returns.csv", "actions.csv"]),
)
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_any_csv_gives_a_problem_list_not_a_traceback(tmp_path_factory, text, name):
    audit_dir = tmp_path_factory.mktemp("fuzz") / "fuzz"
    shutil.copytree(FIXTURE_AUDIT, audit_dir)
    (audit_dir / name).write_text(text, encoding="utf-8", newline="")
    audit, problems = load_audit(audit_dir, "fuzz")
    assert audit is not None or errors(problems)
    assert all(p.message for p in problems)


BROKEN_AUDITS = {
    "yaml-bomb": (
        lambda d: set_yaml(
            d,
            "areas:\n  - &a [x, x, x, x, x, x, x, x, x, x]\n"
            + "".join(
                f"  - &a{i} [" + ",".join(["*a" if i == 0 else f"*a{i - 1}"] * 10) + "]\n"
                for i in range(8)
            ),
        ),
        "more than 100,000 values once its aliases",
    ),
    "yaml-nesting": (lambda d: set_yaml(d, "areas: " + "[" * 100_000), "too deeply nested"),
    "yaml-date": (lambda d: set_yaml(d, META + "published: 2019-02-30\n"), "is not a real date"),
    "csv-quote": (
        lambda d: (d / "cases.csv").write_text(
            (d / "cases.csv").read_text().replace("CE-2,", 'CE-2,"', 1)
        ),
        "is never closed",
    ),
    "workbook-damaged": (
        lambda d: (d / "returns").mkdir() or (d / "returns" / "a.xlsx").write_bytes(b"PK\x03\x04"),
        "cannot be read as an Excel workbook",
    ),
}


def break_audit(folder: Path, name: str) -> Path:
    target = folder / name
    shutil.copytree(FIXTURE_AUDIT, target)
    BROKEN_AUDITS[name][0](target)
    return target


@pytest.mark.parametrize("name", list(BROKEN_AUDITS))
def test_auditrap_validate_prints_the_problem_and_no_traceback(tmp_path, name):
    audit_dir = break_audit(tmp_path, name)
    result = CliRunner().invoke(app, ["validate", str(audit_dir), "--config", "absent.yaml"])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert BROKEN_AUDITS[name][1] in result.output
    assert "Traceback" not in result.output


@pytest.mark.e2e
def test_the_workflow_stops_each_broken_audit_with_its_problem_and_no_traceback(tmp_path):
    from test_workflow import make_workspace, snakemake

    folder = tmp_path / "broken"
    audits = {name: break_audit(folder, name) for name in BROKEN_AUDITS}
    # Copies of one audit would all be audit 7 of one board, itself an error that stops the
    # whole run (two audits each earlier than the other), and a later audit of a board waits
    # for the earlier ones' findings: each copy is its own board's.
    board = b'board: "Northshire Safeguarding Children Partnership"'
    for number, audit in enumerate(audits.values(), start=1):
        meta = audit / "audit.yaml"
        if meta.is_file() and meta.stat().st_size < 100_000:
            text = meta.read_bytes()
            meta.write_bytes(text.replace(board, board[:-1] + b' %d"' % number))
    workspace = make_workspace(tmp_path / "ws", audits)
    result = snakemake(workspace, "--keep-going")
    assert result.returncode != 0
    for name, (_, phrase) in BROKEN_AUDITS.items():
        log = (workspace / "logs" / name / "analyse_audit.log").read_text()
        assert phrase in log, (name, log[-2000:])
        assert "Traceback" not in log, (name, log[-3000:])
        report = workspace / "data/processed" / name / "validation" / "report.html"
        assert "stopped the run" in report.read_text()
        assert not (workspace / "report/_output" / name).exists()


# --- an area name that looks like markup ---------------------------------------------------


def run_html_figures(folder: Path, svg_name: str) -> subprocess.CompletedProcess:
    import pypandoc

    return subprocess.run(
        [
            pypandoc.get_pandoc_path(),
            "--to=html5",
            f"--lua-filter={ROOT / 'report' / 'filters' / 'html-figures.lua'}",
        ],
        input=f'![x]({svg_name}){{fig-alt="x"}}\n'.encode(),
        cwd=folder,
        capture_output=True,
        check=False,
    )


def test_an_area_name_that_looks_like_markup_is_drawn_as_text(tmp_path):
    from auditrap import charts
    from auditrap.aggregate import grades_by_area
    from auditrap.grades import grade_dtype

    name = "<svg onload=alert(1)> javascript:x url(http://example.org/x) @import"
    cases = pd.DataFrame(
        {
            "case_id": ["A", "B"],
            "area": pd.Categorical([name, "North"], categories=[name, "North"]),
            "ratified_grade": pd.Categorical(["Good", "Good"], dtype=grade_dtype()),
        }
    )
    charts.render(charts.grades_by_area_chart(grades_by_area(cases)), tmp_path)
    result = run_html_figures(tmp_path, "grades-by-area.svg")
    assert result.returncode == 0, result.stderr.decode()
    html = result.stdout.decode()
    assert "&lt;svg onload=alert(1)&gt; javascript:x" in html
    from test_injection import event_handlers

    assert event_handlers(html) == []
    # A real event handler, script or outside reference in the markup is still refused.
    for bad, phrase in [
        ('<rect onclick="x()" width="1" height="1"/>', "event handler"),
        ("<script>alert(1)</script>", "contains '<script'"),
        ('<image href="http://example.org/x.png"/>', "refers to 'http://example.org/x.png'"),
        ('<rect style="fill:url(http://e.org/#x)"/>', "refers to 'http://e.org/#x'"),
    ]:
        (tmp_path / "bad.svg").write_text(f'<svg xmlns="http://www.w3.org/2000/svg">{bad}</svg>')
        result = run_html_figures(tmp_path, "bad.svg")
        assert result.returncode != 0 and phrase in result.stderr.decode(), bad


def test_each_limit_is_in_config_yaml_and_the_schema_with_the_same_default():
    from dataclasses import fields

    schema = yaml.safe_load((ROOT / "workflow/schemas/config.schema.yaml").read_text())
    described = schema["properties"]["input_limits"]["properties"]
    configured = yaml.safe_load((ROOT / "config.yaml").read_text())["input_limits"]
    for limit in fields(InputLimits):
        assert described[limit.name]["default"] == limit.default, limit.name
        assert described[limit.name]["description"], limit.name
        assert configured[limit.name] == limit.default, limit.name
    assert set(described) == set(configured) == {f.name for f in fields(InputLimits)}
    assert InputLimits.from_settings(configured) == InputLimits()


def test_a_sheet_written_with_a_namespace_prefix_is_surveyed_the_general_way():
    from auditrap.workbooks import _scan

    plain = b'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="AB7"><f>1+1</f></c></row>'
    prefixed = (
        b'<x:row r="1"><x:c t="s" r="A1"><x:v>0</x:v></x:c>'
        b'<x:c r="AB7"><x:f>1+1</x:f></x:c></x:row><x:mergeCell ref="A1:A2"/>'
    )
    for xml in (plain, prefixed):
        found = _scan(xml)
        assert (found.cells, found.rows, found.last_row, found.last_column) == (2, 1, 7, 28)
        assert found.formulas
    assert _scan(prefixed).merged and not _scan(plain).merged


def test_a_big_internal_appendix_is_summarised_and_names_the_full_tables():
    from auditrap.document import internal_appendix
    from auditrap.grades import grade_dtype

    n = 30
    grades = pd.Categorical(["Good", None, "Inadequate"] * (n // 3), dtype=grade_dtype())
    case_grades = pd.DataFrame(
        {
            "case_id": [f"CASE{i}" for i in range(n)],
            "area": "North",
            "ratified_grade": grades,
            "suggested_grade": pd.Categorical(["Good"] * n, dtype=grade_dtype()),
            "agrees": [g != "Inadequate" for g in grades],
        }
    )
    agency_grades = pd.DataFrame(
        {"case_id": case_grades["case_id"], "agency": "Police", "grade": "Good"}
    )
    tags = pd.DataFrame(
        {
            "case_id": case_grades["case_id"],
            "agency": "Police",
            "theme_id": "swift-response",
            "field": "strengths",
            "sentence": [f"Sentence {i}." for i in range(n)],
        }
    )
    actions = pd.DataFrame(
        {
            "action_id": [f"IA{i}" for i in range(n)],
            "case_id": case_grades["case_id"],
            "agency": "Police",
            "action": "Tell the GP.",
            "raised_date": pd.Timestamp("2021-05-01"),
            "status": ["Open", "Completed"] * (n // 2),
            "completed_date": None,
        }
    )
    titles = {"swift-response": "Swift response"}
    listed = internal_appendix(case_grades, agency_grades, tags, actions, titles, max_rows=n)
    assert "CASE29" in listed and "Sentence 29" in listed and "IA29" in listed
    summary_text = internal_appendix(
        case_grades, agency_grades, tags, actions, titles, max_rows=n - 1
    )
    assert "CASE29" not in summary_text and "IA29" not in summary_text
    assert "Sentence 2" not in summary_text
    assert "There are 30 cases, more than the 29 this appendix lists" in summary_text
    assert "`internal/data/case_grades.csv`" in summary_text
    assert "`internal/data/theme_tags.csv`" in summary_text
    assert "| Inadequate | 10 |" in summary_text  # ratified Inadequate, returns suggest Good
    assert "| Not ratified | 10 |" in summary_text
    assert "| Swift response | 30 | 30 |" in summary_text
    assert "| Police | 15 | 15 |" in summary_text  # Completed, Open
    assert "differs from what the returns suggest in 10 cases" in summary_text


def test_programme_yaml_is_read_with_the_same_loader(tmp_path):
    from auditrap.cycle import load_programme

    path = tmp_path / "programme.yaml"
    entry = "  - board: A board\n    audit_number: {n}\n    title: An audit\n    period: '2016'\n"
    path.write_text("earlier_audits:\n" + entry.format(n="true"), encoding="utf-8")
    _, problems = load_programme(path)
    assert errors(problems), "audit_number: true must not be read as 1"
    path.write_text("earlier_audits:\n" + entry.format(n=2) + "earlier_audits: []\n")
    _, problems = load_programme(path)
    assert any("given twice" in p.message for p in problems), problems
    path.write_text("earlier_audits: " + "[" * 100_000 + "\n")
    _, problems = load_programme(path)
    assert any("too deeply nested" in p.message for p in problems), problems
