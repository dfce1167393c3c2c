"""The glossary: the board's terms and an audit's own, checked like every input, and only the
terms a report uses are listed."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditrap.glossary import load_glossary, terms_used

from conftest import ROOT, SAMPLE_AUDIT

BOARD = ROOT / "data" / "glossary.yaml"


def load(*files: Path):
    return load_glossary([(f, f.name) for f in files])


def write(tmp_path: Path, text: str, name: str = "glossary.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shared_and_the_sample_glossaries_are_valid():
    glossary, problems = load(BOARD, SAMPLE_AUDIT / "glossary.yaml")
    assert problems == []
    shown = {e.shown for e in glossary.entries}
    # The seed's abbreviations and the words of its findings.
    for name in (
        "CQC (Care Quality Commission)",
        "Ofsted",
        "SCR (Serious case review)",
        "NAI (Non-accidental injury)",
        "CPOMS",
        "Child protection medical",
        "Strategy discussion",
        "Section 47 enquiry",
        "Early help",
        "Step down",
        "MASH (Multi-Agency Safeguarding Hub)",
        "GP (General practitioner)",
        "Health visitor",
        "Ratified grade",
        "Child and Family Wellbeing Service",  # the sample audit's own
    ):
        assert name in shown, name
    # Plain English: a sentence or two each.
    assert all(len(e.definition) <= 600 for e in glossary.entries)


def test_only_the_terms_a_report_uses_are_listed_in_alphabetical_order():
    glossary, _ = load(BOARD)
    text = (
        "The GPs were told. Two health visitors' notes; a CP medical; the case was "
        "stepped down; the SCR of Child LE. Non-Accidental Injuries (NAI) audit nai-2018."
    )
    used = [e.shown for e in terms_used(glossary, [text])]
    assert used == [
        "Child protection medical",
        "GP (General practitioner)",
        "Health visitor",
        "NAI (Non-accidental injury)",
        "SCR (Serious case review)",
        "Step down",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "The gp surgery.",  # an abbreviation is found only in capitals
        "The mash was cold.",
        "nai-2018",  # an audit id is not an abbreviation
        "Multi-agency audits of GPSs.",  # a longer word is another word
        "The ratification.",  # nor a word that starts with a term
        "Scrutiny.",
    ],
)
def test_a_word_that_is_not_the_term_is_not_listed(text):
    glossary, _ = load(BOARD)
    assert [e.term for e in terms_used(glossary, [text])] == []


def test_forms_match_across_hyphens_line_breaks_and_case(tmp_path):
    glossary, problems = load(
        write(
            tmp_path,
            "terms:\n  - term: Step down\n    definition: Moving support to early help.\n"
            "  - term: Early help\n    definition: Support as soon as problems start.\n",
        )
    )
    assert problems == []
    assert len(terms_used(glossary, ["a step-down plan"])) == 1
    assert len(terms_used(glossary, ["EARLY\nHELP services"])) == 1


def test_an_audit_entry_replaces_the_board_entry_for_the_same_term(tmp_path):
    board = write(tmp_path, "terms:\n  - term: Early help\n    definition: Board words.\n")
    audit = write(
        tmp_path,
        "terms:\n  - term: early help\n    definition: Our local words.\n",
        "audit.yaml",
    )
    glossary, problems = load(board, audit)
    assert problems == []
    assert [e.definition for e in glossary.entries] == ["Our local words."]


def test_a_missing_file_gives_no_terms(tmp_path):
    glossary, problems = load(tmp_path / "absent.yaml")
    assert glossary.entries == () and problems == []


@pytest.mark.parametrize(
    "text, row, column, words",
    [
        # A definition holding a colon, unquoted.
        ("terms:\n  - term: CQC\n    definition: The regulator: of care\n", 3, None, "quotes"),
        ("terms: CQC\n", None, "terms", "must be a list"),
        ("term:\n  - term: X\n", None, "term", "did you mean `terms`"),
        ("- term: X\n", None, None, "not laid out as expected"),
        ("terms:\n  - just words\n", 2, None, "not a set of `key: value` lines"),
        ("terms:\n  - term: X\n", 2, "definition", "the key definition is missing: add it"),
        (
            "terms:\n  - term: X\n    defintion: Y.\n    definition: Y.\n",
            3,
            "defintion",
            "did you mean `definition`",
        ),
        ("terms:\n  - term: X\n    definition: ''\n", 3, "definition", "must not be empty"),
        (
            "terms:\n  - term: X\n    definition: " + "word " * 130 + "\n",
            3,
            "definition",
            "longer than 600 characters",
        ),
        ("terms:\n  - term: X\n    also: CP\n    definition: Y.\n", 3, "also", "must be a list"),
        (
            "terms:\n  - term: X\n    definition: Y.\n  - term: x\n    definition: Z.\n",
            4,
            "term",
            "has two entries in this file",
        ),
        (
            "terms:\n  - term: Care\n    abbreviation: CQC\n    definition: Y.\n"
            "  - term: Other\n    also: [CQC]\n    definition: Z.\n",
            5,
            "also",
            "stands for two terms",
        ),
    ],
)
def test_each_mistake_is_located_and_says_what_to_do(tmp_path, text, row, column, words):
    _, problems = load(write(tmp_path, text))
    assert problems, text
    problem = problems[0]
    assert problem.file == "glossary.yaml"
    assert words in problem.message, problem.message
    assert (problem.row, problem.column) == (row, column), problem


def test_every_problem_of_a_file_at_once(tmp_path):
    _, problems = load(
        write(
            tmp_path,
            "terms:\n  - term: A\n  - definition: B.\n  - term: C\n    definition: D.\n    x: 1\n",
        )
    )
    assert [p.row for p in problems] == [2, 3, 6]


def test_direction_controls_are_taken_out_with_a_warning(tmp_path):
    glossary, problems = load(write(tmp_path, "terms:\n  - term: A\u202eB\n    definition: C.\n"))
    assert [p.severity for p in problems] == ["warning"]
    assert glossary.entries[0].term == "AB"


def test_the_validate_command_checks_both_glossaries(tmp_path):
    import shutil

    from typer.testing import CliRunner

    from auditrap.cli import app

    from conftest import FIXTURE_AUDIT

    audit_dir = tmp_path / FIXTURE_AUDIT.name
    shutil.copytree(FIXTURE_AUDIT, audit_dir)
    write(audit_dir, "terms:\n  - term: Exploitation team\n    defintion: A team.\n")
    board = write(
        tmp_path, "terms:\n  - term: MASH\n    definition: A team.\n    also: 3\n", "b.yaml"
    )
    config = write(tmp_path, f"audits: [x]\nglossary: {board}\n", "config.yaml")
    result = CliRunner().invoke(app, ["validate", str(audit_dir), "--config", str(config)])
    assert result.exit_code == 1
    assert "glossary.yaml, line 3, key defintion [defintion]" in result.output
    assert "did you mean `definition`" in result.output
    assert "b.yaml, line 4, key also" in result.output
