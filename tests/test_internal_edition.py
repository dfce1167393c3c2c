"""The internal edition is marked so that nobody can take it for the public one, and the
publication gate refuses it, or any file marked as it is, in the public bundle.

Rendered here by the built-in engine from the small sample build (tests/data/render), once
with the internal edition's metadata and once without; tests/test_accessibility.py opens the
sample's internal edition in a browser, tests/test_quarto.py checks Quarto's, and
tests/test_final.py runs the whole workflow.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pypdfium2
import pytest
import yaml
from pypdf import PdfReader, PdfWriter
from test_render import make_build, render

from auditrap.document import (
    assemble,
    internal_appendix,
    metadata,
    to_be_written,
    to_be_written_in,
)
from auditrap.editions import INTERNAL_MARKING, carries_internal_marking, internal_front
from auditrap.gate import internal_files_in_public, public_text
from auditrap.pipeline import StageError, record_stage
from auditrap.render.markdown import escape_metadata

from test_document import CHARTS, variables  # noqa: F401 (a fixture)

MARKING = "OFFICIAL-SENSITIVE: not for publication"


@pytest.fixture(scope="module")
def editions(tmp_path_factory) -> dict[str, tuple[Path, Path]]:
    """The sample build rendered as the public edition and as the internal one (the
    metadata `marking` is all that differs, as auditrap.document.metadata sets it)."""
    tmp = tmp_path_factory.mktemp("editions")
    made = {"public": render(make_build(tmp, "public"), tmp / "public")}
    build = make_build(tmp, "internal")
    meta = yaml.safe_load((build / "_metadata.yml").read_text())
    meta["marking"] = metadata({"audit": AUDIT}, internal=True)["marking"]
    (build / "_metadata.yml").write_text(yaml.safe_dump(meta, allow_unicode=True))
    made["internal"] = render(build, tmp / "internal")
    return made


AUDIT = {
    "id": "x-1",
    "title": "T",
    "board": "B",
    "number_ordinal": "first",
    "period": "2021",
    "published": "1 July 2021",
    "published_iso": "2021-07-01",
}


def test_the_marking_is_the_one_the_issue_and_the_readme_give():
    assert INTERNAL_MARKING == MARKING
    # Escaped, as every metadata value is (Quarto and pandoc read it as Markdown).
    assert metadata({"audit": AUDIT}, internal=True)["marking"] == escape_metadata(MARKING)
    assert "marking" not in metadata({"audit": AUDIT})


# --- the web page -------------------------------------------------------------------------


def test_the_internal_web_page_says_so_in_its_title_a_banner_and_to_search_engines(editions):
    html = editions["internal"][0].read_text(encoding="utf-8")
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert title.startswith(f"{MARKING} – ")  # a browser tab or a list of titles shows it first
    assert '<meta name="robots" content="noindex, nofollow">' in html
    banners = re.findall(r'<header class="protective-marking"[^>]*>\s*<p>(.*?)</p>', html, re.S)
    assert banners == [MARKING]  # one banner, read once
    # The banner is the first thing on the page after the skip link, outside the main content.
    assert html.index('class="skip-link"') < html.index('protective-marking"') < html.index("<main")


def test_the_public_web_page_carries_none_of_it(editions):
    html = editions["public"][0].read_text(encoding="utf-8")
    assert not carries_internal_marking(html)
    assert "noindex" not in html and '<header class="protective-marking"' not in html


# --- the PDF ------------------------------------------------------------------------------


def page_lines(pdf: Path) -> list[list[str]]:
    """Each page's lines of text, from the top of the page to the bottom."""
    document = pypdfium2.PdfDocument(pdf)
    pages = []
    for page in document:
        text = page.get_textpage().get_text_bounded()
        pages.append([line.strip() for line in text.splitlines() if line.strip()])
    document.close()
    return pages


def test_every_pdf_page_of_the_internal_edition_is_marked_at_its_top_and_bottom(editions):
    pages = page_lines(editions["internal"][1])
    assert len(pages) >= 2
    for number, lines in enumerate(pages, 1):
        # Page 1 included: its header is the marking alone, above the title.
        assert lines[0] == MARKING, (number, lines[:3])
        assert lines[-1] == MARKING, (number, lines[-3:])
        assert lines[-2] == f"Page {number} of {len(pages)}"


def test_the_internal_pdfs_title_and_subject_carry_the_marking(editions):
    info = PdfReader(editions["internal"][1]).metadata
    assert info.title.startswith(f"{MARKING} – ")
    assert info.subject.startswith(MARKING)
    public = PdfReader(editions["public"][1]).metadata
    assert not carries_internal_marking(f"{public.title} {public.subject}")
    assert not carries_internal_marking(public_text(editions["public"][1]))


# --- the "Before publishing" section and the appendix -------------------------------------


def test_before_publishing_lists_each_warning_as_text_and_says_what_to_publish_instead():
    text = internal_front("x-1", ["Add *names* <b>now</b> {{< var a >}}.", "Second."])
    assert '::: {.callout-important title="Internal edition: not for publication"}' in text
    assert "[x-1.html](../x-1.html)" in text  # the edition to publish, one folder up
    assert "## Before publishing" in text
    assert "1. Add \\*names\\* \\<b\\>now\\<\\/b\\>" in text and "{{<" not in text
    assert "2. Second\\." in text
    assert "auditrap build \\-\\-final" in text  # never an en dash
    nothing = internal_front("x-1", [])
    assert "Nothing to put right" in nothing and "\n1. " not in nothing


def test_before_publishing_notes_a_review_skipped_on_purpose():
    skipped = {"unreviewed": 3, "final_without_review": True}
    text = internal_front("x-1", [], skipped)
    assert "The theme review was skipped on purpose: {{< var review.unreviewed >}}" in text
    assert "suggestions were not reviewed and count as the software made them" in text
    one = internal_front("x-1", [], {**skipped, "unreviewed": 1})
    assert "suggestion was not reviewed and counts as the software made it" in one
    assert "skipped" not in internal_front("x-1", [], {"unreviewed": 3})  # a warning instead


def test_the_internal_edition_opens_with_its_front_and_the_public_one_does_not(
    variables,  # noqa: F811
    tmp_path,
):
    report = Path(__file__).resolve().parents[1] / "report"
    common = dict(
        report_dir=report,
        variables=variables,
        narrative_files=[],
        figure_files=[],
        theme_titles={"step-down": "Step down"},
        charts=CHARTS,
    )
    public = assemble(tmp_path / "public", **common).parent
    assert (public / "_generated" / "edition.md").read_text() == ""
    front = internal_front("x-1", ["A warning."])
    internal = assemble(tmp_path / "internal", internal="", front=front, **common).parent
    assert (internal / "_generated" / "edition.md").read_text() == front
    # report.qmd includes it before anything else of the body.
    qmd = (internal / "report.qmd").read_text()
    body = qmd.split("---", 2)[2]
    assert body.lstrip().startswith("{{< include _generated/edition.md >}}")


def test_the_sections_to_be_written_are_found_in_the_parts_the_document_includes(
    variables,  # noqa: F811
    tmp_path,
):
    report = Path(__file__).resolve().parents[1] / "report"
    narrative = tmp_path / "narrative"
    narrative.mkdir()
    (narrative / "conclusion.md").write_text("Written.\n")
    build = assemble(
        tmp_path / "build",
        report_dir=report,
        variables=variables,
        narrative_files=[narrative / "conclusion.md"],
        figure_files=[],
        theme_titles={"step-down": "Step down"},
        charts=CHARTS,
    ).parent
    # In the order a reader meets them, each once; the written conclusion is not one.
    assert to_be_written_in(build) == [
        "narrative/key-messages.md",
        "narrative/introduction.md",
        "narrative/finding-step-down.md",
        "recommendations.csv",
        "narrative/next-steps.md",
        "narrative/questions.md",
    ]
    # A note in a part the document does not include is not in the document.
    (build / "_generated" / "unused.md").write_text(to_be_written("narrative/unused.md"))
    assert "narrative/unused.md" not in to_be_written_in(build)
    # An analyst's own words about writing something later are not a note of the build.
    (build / "narrative" / "conclusion.md").write_text('"To be written" later, `x.md`.\n')
    assert "x.md" not in to_be_written_in(build)


def test_the_internal_tables_write_dates_in_the_long_form():
    actions = pd.DataFrame(
        {
            "action_id": ["IA-01", "IA-02"],
            "case_id": ["C1", "C2"],
            "agency": ["GP", "Police"],
            "action": ["Call.", "Visit."],
            "raised_date": pd.to_datetime(["2021-06-15", "2021-06-01"]),
            "status": ["Completed", "Open"],
            "completed_date": [pd.Timestamp("2021-07-01"), pd.NaT],
        }
    )
    empty = pd.DataFrame(columns=["case_id", "area", "ratified_grade", "suggested_grade", "agrees"])
    text = internal_appendix(
        empty,
        pd.DataFrame(columns=["case_id", "agency", "grade"]),
        pd.DataFrame(columns=["case_id", "agency", "theme_id", "field", "sentence"]),
        actions,
        {},
    )
    row = next(line for line in text.splitlines() if "IA\\-01" in line)
    assert "15\u00a0June 2021" in row and "1\u00a0July 2021" in row  # the day kept with its month
    assert "2021-06-15" not in text and "2021\\-06\\-15" not in text
    open_row = next(line for line in text.splitlines() if "IA\\-02" in line)
    assert open_row.rstrip(" |").endswith("Open")  # no completion date: blank


# --- the gate -----------------------------------------------------------------------------


def bundle(tmp_path: Path, editions) -> tuple[list, list]:
    """A public and an internal part, as record_stage gets them, with a table each."""
    public_html, public_pdf = editions["public"]
    internal_html, internal_pdf = editions["internal"]
    (tmp_path / "grade_distribution.csv").write_text("grade,cases\nGood,5\n")
    (tmp_path / "case_grades.csv").write_text("case_id,area,ratified_grade\nC1,North,Good\n")
    public = [
        (public_html, "x-1.html"),
        (public_pdf, "x-1.pdf"),
        (tmp_path / "grade_distribution.csv", "data/grade_distribution.csv"),
    ]
    internal = [
        (internal_html, "internal/x-1-internal.html"),
        (internal_pdf, "internal/x-1-internal.pdf"),
        (tmp_path / "case_grades.csv", "internal/data/case_grades.csv"),
    ]
    return public, internal


def test_the_public_bundle_as_built_holds_no_internal_file(tmp_path, editions):
    assert internal_files_in_public(*bundle(tmp_path, editions)) == []


@pytest.mark.parametrize(
    "source, name",
    [
        ("internal/x-1-internal.html", "x-1.html"),  # copied over the public page
        ("internal/x-1-internal.pdf", "x-1.pdf"),
        ("internal/x-1-internal.pdf", "data/report.pdf"),  # renamed, anywhere
        ("internal/data/case_grades.csv", "data/grade_distribution.csv"),
    ],
)
def test_a_copy_of_an_internal_file_is_refused_whatever_its_name(tmp_path, editions, source, name):
    public, internal = bundle(tmp_path, editions)
    path = dict((n, p) for p, n in internal)[source]
    copy = tmp_path / "copy" / Path(name).name
    copy.parent.mkdir()
    shutil.copyfile(path, copy)
    public = [(p, n) for p, n in public if n != name] + [(copy, name)]
    [found] = internal_files_in_public(public, internal)
    assert found.file == name
    assert str(found) == f"{name} is a copy of {source}, a file of the internal edition"


def test_an_edited_internal_table_is_refused_by_its_columns(tmp_path, editions):
    public, internal = bundle(tmp_path, editions)
    edited = tmp_path / "edited.csv"
    edited.write_text("case_id,area,ratified_grade\nC9,East,Inadequate\n")
    cases = tmp_path / "cases.csv"
    cases.write_text("\ufeffarea,case_id\nNorth,C1\n")  # another table with case references
    [by_columns, by_case] = internal_files_in_public(
        [*public, (edited, "data/grades.csv"), (cases, "data/areas.csv")], internal
    )
    assert str(by_columns) == (
        "data/grades.csv has the columns of internal/data/case_grades.csv, a table of the "
        "internal edition"
    )
    assert "data/areas.csv has a column of case references (case_id)" in str(by_case)


@pytest.mark.parametrize(
    "marked",
    [
        "<title>OFFICIAL-SENSITIVE: not for publication – T</title>",  # the title only
        '<p data-edition="official sensitive">A public page.</p>',  # an attribute
        "<p>OFFICIAL\u2011SENSITIVE (a no-break hyphen)</p>",
        "<p>Official\u200b-Sensitive, retyped</p>",
        "<style>p::after { content: 'OFFICIAL-\\53 ENSITIVE' }</style>",  # a CSS escape
    ],
)
def test_a_public_page_marked_as_internal_is_refused_however_the_marking_is_written(
    tmp_path, editions, marked
):
    public, internal = bundle(tmp_path, editions)
    page = tmp_path / "x-1.html"
    page.write_text(f"<!DOCTYPE html><html><head></head><body>{marked}</body></html>")
    public = [(page, "x-1.html"), *public[1:]]
    [found] = internal_files_in_public(public, internal)
    assert found.file == "x-1.html"
    assert found.why.startswith("carries the internal edition's marking")


def test_a_public_pdf_marked_only_in_its_metadata_is_refused(tmp_path, editions):
    public, internal = bundle(tmp_path, editions)
    writer = PdfWriter(clone_from=editions["public"][1])
    writer.add_metadata({"/Subject": "OFFICIAL-SENSITIVE"})
    marked = tmp_path / "marked.pdf"
    with marked.open("wb") as handle:
        writer.write(handle)
    [found] = internal_files_in_public([public[0], (marked, "x-1.pdf"), public[2]], internal)
    assert found.file == "x-1.pdf" and "in the PDF's /Subject" in found.why


def test_the_narrative_cannot_carry_the_marking_into_a_public_csv(tmp_path, editions):
    public, internal = bundle(tmp_path, editions)
    table = tmp_path / "themes.csv"
    table.write_text("theme,cases\nOfficial - Sensitive handling,2\n")
    [found] = internal_files_in_public([*public, (table, "data/theme_counts.csv")], internal)
    assert found.file == "data/theme_counts.csv"


def test_record_stage_refuses_the_bundle_saying_what_happened_and_what_to_do(tmp_path, editions):
    public, internal = bundle(tmp_path, editions)
    copied = tmp_path / "copied.html"
    shutil.copyfile(editions["internal"][0], copied)
    files = {path: name for path, name in [(copied, "x-1.html"), *public[1:], *internal]}
    manifest = tmp_path / "manifest.json"
    with pytest.raises(StageError) as caught:
        record_stage(
            files=files,
            audit_id="x-1",
            inputs=[],
            meta_path=tmp_path / "meta.json",
            manifest_out=manifest,
            engine="builtin",
            # Never read: the internal file is refused before the small-count check, so a
            # renamed internal table is named for what it is.
            disclosure_check_path=tmp_path / "absent.json",
        )
    message = str(caught.value)
    assert message.startswith(
        "The public edition of 'x-1' holds the internal edition, which must never be "
        "published, so nothing was published:"
    )
    assert (
        "  - x-1.html is a copy of internal/x-1-internal.html, a file of the internal edition."
        in message
    )
    assert "never copy or rename its files into the public part" in message
    assert "Delete data/processed/x-1/rendered/ and run the report again" in message
    assert not manifest.exists()
