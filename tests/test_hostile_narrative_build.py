"""End to end, on one workspace run four times: a build with a picture beside the narrative,
direction controls in the title and the cells, and identifiers in the forms copying leaves;
then a link in the audit's folder, a hostile narrative, and an identifier hidden in a link
and in odd spaces. Each later run fails with a message naming the file, and changes nothing
that was published."""

from __future__ import annotations

import hashlib
import re
import shutil

import pandas as pd
import pytest
import yaml
from pypdf import PdfReader

from auditrap.gate import html_pieces
from auditrap.normalise import BIDI_CONTROLS, normalised

from conftest import FIXTURE_AUDIT, read_rows, write_rows
from test_narrative import png
from test_workflow import html_text, make_workspace, pdf_text, snakemake

pytestmark = pytest.mark.e2e

AUDIT = "exploitation-2021"
TITLE = "Multi-agency audit: Child exploitation"
PICTURE_ALT = "Diagram of how a referral moves between the agencies."


def published_state(workspace) -> dict[str, str]:
    out = workspace / "report" / "_output"
    return {
        p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    workspace = make_workspace(tmp_path_factory.mktemp("hostile-narrative"), {AUDIT: FIXTURE_AUDIT})
    audit = workspace / "data" / "raw" / AUDIT
    meta = yaml.safe_load((audit / "audit.yaml").read_text())
    # A right-to-left override that would show the title's end backwards.
    meta["title"] = "Multi-agency audit: \u202eChild exploitation\u202c"
    (audit / "audit.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True))
    returns = read_rows(audit / "returns.csv")
    strengths = returns[0].index("strengths")
    returns[1][strengths] = (
        "Seen with Zoe\u0308 Whit\u00adfield; NHS 943\u2009476\u20095919 \u2067noted\u2069."
    )
    returns[2][strengths] = (
        "Mum rang from ０７７００ ９００１２３ and wrote to zoe\u200b@example.org."
    )
    write_rows(audit / "returns.csv", returns)
    private = workspace / "data" / "private" / AUDIT
    private.mkdir(parents=True)
    (private / "names.txt").write_text("# fictional\nZoë Whitfield\n")
    narrative = audit / "narrative"
    narrative.mkdir()
    (narrative / "referral-flow.png").write_bytes(png())
    (narrative / "introduction.md").write_text(
        "<!-- a note to self, never published -->\n"
        "The audit looked at {{< var cases.total >}} cases; see "
        "[the guidance](https://www.gov.uk/government/publications).\n\n"
        f'![How a referral moves](referral-flow.png){{fig-alt="{PICTURE_ALT}"}}\n\n'
        "A \u202dmarked\u202c word.\n"
    )

    results = {"good": snakemake(workspace)}
    results["published"] = published_state(workspace)

    # A link in the audit's folder: refused by the analysis before any file is read.
    # (An analyst links a newer version kept elsewhere: Snakemake sees a changed input.)
    shutil.move(audit / "cases.csv", workspace / "cases.csv")
    elsewhere = workspace / "elsewhere-cases.csv"
    elsewhere.write_text((workspace / "cases.csv").read_text() + "\n")
    (audit / "cases.csv").symlink_to(elsewhere)
    results["link"] = snakemake(workspace)
    results["after link"] = published_state(workspace)
    (audit / "cases.csv").unlink()
    shutil.move(workspace / "cases.csv", audit / "cases.csv")

    # A hostile narrative: refused by the render job before the build is assembled.
    good_intro = (narrative / "introduction.md").read_text()
    (narrative / "introduction.md").write_text(
        good_intro
        + "\n<script>fetch('https://x.example/')</script>\n\n"
        + '[Read more](javascript:alert(1))\n\n`#read("/etc/passwd")`{=typst}\n\n'
        + "{{< include /etc/passwd >}}\n"
    )
    results["hostile"] = snakemake(workspace)
    results["after hostile"] = published_state(workspace)

    # Allowed Markdown hiding identifiers: in a link's address and in odd spaces.
    (narrative / "introduction.md").write_text(
        good_intro
        + "\nSee [the record](https://www.example.org/case?nhs=9434765919).\n\n"
        + "Ring 07700\u00a0900\u2009123 for more.\n"
    )
    results["hidden"] = snakemake(workspace)
    results["after hidden"] = published_state(workspace)
    results["workspace"] = workspace
    return results


def test_the_good_build_publishes(runs):
    assert runs["good"].returncode == 0, runs["good"].stderr[-4000:]


def test_a_right_to_left_override_in_the_title_does_not_reverse_the_published_text(runs):
    out = runs["workspace"] / "report" / "_output" / AUDIT
    html = (out / f"{AUDIT}.html").read_text(encoding="utf-8")
    assert not any(ch in html for ch in BIDI_CONTROLS)
    assert f"<title>{TITLE}</title>" in html
    assert re.search(rf'<h1 class="title">{TITLE}</h1>', html)
    assert TITLE in pdf_text(out / f"{AUDIT}.pdf")
    assert not any(ch in pdf_text(out / f"{AUDIT}.pdf") for ch in BIDI_CONTROLS)
    assert PdfReader(out / f"{AUDIT}.pdf").metadata.title == TITLE
    assert TITLE in (runs["workspace"] / "report" / "_output" / "index.html").read_text()
    internal = (out / "internal" / f"{AUDIT}-internal.html").read_text(encoding="utf-8")
    assert not any(ch in internal for ch in BIDI_CONTROLS)


def test_the_direction_controls_were_warned_about_with_file_row_and_column(runs):
    log = (runs["workspace"] / "logs" / AUDIT / "analyse_audit.log").read_text()
    assert re.search(r"audit\.yaml, line \d+, key title: Invisible direction controls", log)
    assert re.search(r"returns\.csv, row 2, column strengths.*direction controls", log)
    render_log = (runs["workspace"] / "logs" / AUDIT / "render_report.log").read_text()
    assert "narrative/introduction.md, line 6" in render_log
    assert "direction controls" in render_log


def test_the_picture_beside_the_narrative_is_in_both_editions(runs):
    out = runs["workspace"] / "report" / "_output" / AUDIT
    html = (out / f"{AUDIT}.html").read_text(encoding="utf-8")
    assert re.search(rf'<img src="data:image/png;base64,[^"]+" alt="{PICTURE_ALT}"', html)
    assert "a note to self" not in html
    assert "How a referral moves" in html_text(out / f"{AUDIT}.html")
    manifest = (out / "manifest.json").read_text()
    assert "narrative/referral-flow.png" in manifest  # an input, with its hash


def test_identifiers_in_copied_forms_are_redacted_from_the_returns(runs):
    out = runs["workspace"] / "report" / "_output" / AUDIT
    for path in (out / "internal").rglob("*.*"):
        if path.suffix not in (".html", ".csv", ".pdf"):
            continue
        text = html_text(path) if path.suffix != ".pdf" else pdf_text(path)
        flat = normalised(text)
        for needle in ("Whitfield", "943 476 5919", "07700 900123", "zoe@example.org", "Zoë"):
            assert needle.lower() not in flat.lower(), (path.name, needle)
    returns = pd.read_parquet(
        runs["workspace"] / "data" / "processed" / AUDIT / "returns.parquet", columns=["strengths"]
    )
    strengths = " ".join(returns["strengths"].dropna())
    for token in ("[name]", "[NHS number]", "[phone number]", "[e-mail address]"):
        assert token in strengths


def test_a_link_in_the_audit_folder_stops_the_build_and_changes_nothing(runs):
    result = runs["link"]
    assert result.returncode != 0
    assert "cases.csv: This is a symbolic link" in result.stderr
    assert "copy it, do not link it" in result.stderr
    assert runs["after link"] == runs["published"]


def test_a_hostile_narrative_stops_the_build_with_each_problem_and_changes_nothing(runs):
    result = runs["hostile"]
    assert result.returncode != 0
    err = result.stderr
    assert "The narrative" in err and "nothing was published" in err
    assert re.search(r"narrative/introduction\.md, line \d+: The narrative holds raw HTML", err)
    assert "a link to 'javascript:alert(1)'" in err
    assert "a raw typst block or inline" in err
    assert "The shortcode {{< include /etc/passwd >}} is not one the narrative can use" in err
    assert "root:x" not in err
    assert runs["after hostile"] == runs["published"]


def test_an_identifier_in_a_link_or_odd_spaces_is_stopped_by_the_gate(runs):
    result = runs["hidden"]
    assert result.returncode != 0
    err = result.stderr
    assert re.search(rf"{AUDIT}\.html, line \d+, in the href of <a>: an NHS number \(…919\)", err)
    assert re.search(rf"{AUDIT}\.html, line \d+: a phone number \(…123\)", err)
    assert re.search(rf"{AUDIT}\.pdf, in the PDF's /URI: an NHS number", err)
    assert "9434765919" not in err
    assert runs["after hidden"] == runs["published"]


def test_the_published_page_has_no_piece_with_a_control_or_a_comment(runs):
    out = runs["workspace"] / "report" / "_output" / AUDIT
    pieces = html_pieces((out / f"{AUDIT}.html").read_text(encoding="utf-8"))
    assert not [p for p in pieces if p.where.startswith("an HTML comment")]
