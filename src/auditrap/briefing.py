"""The learning brief: an audit on one A4 page, for practitioners ("7-minute briefing").

Many safeguarding partnerships publish a one-page briefing beside an audit's report, for a
practitioner with a few minutes: what the audit looked at, what it found, what good looks
like, questions to reflect on, and where to read more. This module makes it from the same
variables and narrative as the report:

* ``report/briefing.qmd`` is the shared document (its five sections), rendered with its own
  Quarto project file, typst template (one A4 page, two columns) and styles, all in
  ``report/briefing/``, and the report's filters, partials and fonts;
* the parts of its text whose shape depends on the data are written here, into
  ``_generated/`` of its own build folder, every number a ``{{< var >}}`` shortcode that
  carries its lineage id (:func:`auditrap.document.mark_numbers`), as in the report;
* the analyst writes two sections, ``narrative/what-good-looks-like.md`` and
  ``narrative/questions.md`` (:data:`NARRATIVE_SECTIONS`). A missing one is built with the
  data-driven text (or none) and a visible "to be written" note, like every section of the
  report, and is a publisher warning (recorded for :func:`auditrap.readiness.to_be_written_warnings`).

The engine that renders the report renders the brief (:func:`render_briefing`), as
``<audit_id>-briefing.html`` and ``<audit_id>-briefing.pdf``, published beside the report.
The PDF must be exactly one page: a longer brief stops the build with a message naming the
section to shorten and by about how many words (:func:`check_one_page`), never a second
page or cut text.

The findings, the counts sentence and the "to be written" note are the report's own
(:mod:`auditrap.document`), so that the brief and the report say the same thing in the same
words.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from auditrap.document import (
    counted,
    finding_titles,
    include_narrative,
    mark_numbers,
    markdown_values,
    report_findings,
    theme_counts_sentence,
    to_be_written,
    var,
)
from auditrap.lineage import hidden_symbol, numbers
from auditrap.narrative import finding_title, is_finding, narrative_body
from auditrap.render.markdown import escape_markdown, escape_metadata

#: The brief's document in ``report/``, and the folder of its own template files.
DOCUMENT = "briefing.qmd"
TEMPLATE_DIR = "briefing"

#: The sections of the brief the analyst writes, by narrative file stem, with their headings.
NARRATIVE_SECTIONS: dict[str, str] = {
    "what-good-looks-like": "What good looks like",
    "questions": "Questions for practitioners",
}

#: The most findings the brief lists, in the audit's order; it says how many more the full
#: report has (a one-page brief cannot hold a long list, and must not hide that it is cut).
MOST_FINDINGS = 6

#: The most findings "What good looks like" names when the analyst has not written it.
MOST_GOOD_PRACTICE = 3


def briefing_name(audit_id: str, suffix: str) -> str:
    """The brief's published file name: ``<audit_id>-briefing.html`` (or ``.pdf``)."""
    return f"{audit_id}-briefing.{suffix}"


# --- the parts of the text --------------------------------------------------------------


def brief_findings(variables: Mapping[str, Any], narrative: set[str] = frozenset()) -> list[str]:
    """The report's findings, in its order (:func:`auditrap.document.report_findings`):
    audit.yaml's ``findings`` when it has them; otherwise every theme at least one return
    spoke of, or that has the analyst's ``finding-<theme_id>.md`` (``narrative``: the stems
    of every narrative file of the audit)."""
    return report_findings(variables, set(narrative))


def _joined(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _lower_first(title: str) -> str:
    """A heading inside a sentence: its first letter in lower case, unless it starts with
    an abbreviation or a name (``GP coding``, ``CPOMS``)."""
    return title[:1].lower() + title[1:] if re.match(r"[A-Z][a-z]", title) else title


def looked_at_part(variables: Mapping[str, Any], meta: Mapping[str, Any]) -> str:
    """What the audit looked at: its topic, cases, agencies and period, and the reviews or
    recommendations it answers (audit.yaml's ``responds_to``)."""
    lines = []
    topic = meta.get("topic")
    if topic:
        lines.append(f"- **Topic:** {escape_markdown(str(topic))}")
    lines.append(
        f"- **Cases:** {counted(variables, 'cases.total', 'case', 'cases')}, chosen as "
        f"{escape_markdown(str(meta['selection_criteria']))}"
    )
    agencies = [escape_markdown(str(a)) for a in meta.get("agencies") or []]
    listed = counted(variables, "agencies.listed", "agency", "agencies")
    every = variables["agencies"]["returned"] == variables["agencies"]["listed"]
    lines.append(
        f"- **Agencies:** {counted(variables, 'returns.total', 'audit return', 'audit returns')} "
        + (
            f"from all {listed} asked"
            if every
            else f"from {var('agencies.returned')} of the {listed} asked"
        )
        + f": {_joined(agencies)}"
    )
    lines.append(
        f"- **Period:** {escape_markdown(str(meta['period']))}, the board's "
        f"{escape_markdown(str(variables['audit']['number_ordinal']))} multi-agency audit"
    )
    for entry in meta.get("responds_to") or []:
        lines.append(
            f"- **It answers:** {escape_markdown(str(entry['review']))}, which recommended: "
            f"“{escape_markdown(str(entry['recommendation']))}”"
        )
    return "\n".join(lines) + "\n"


def grades_sentence(variables: Mapping[str, Any]) -> str:
    """The ratified grades in one sentence, each number a variable, none at the start."""
    if not variables["cases"]["ratified"]:
        return (
            f"None of the {counted(variables, 'cases.total', 'case has', 'cases have')} been "
            "given a ratified grade at a multi-agency meeting yet.\n"
        )

    def grade(key: str, words: str) -> str:
        count = variables["grades"][key]["count"]
        return ("none " if count == 0 else var(f"grades.{key}.count") + " ") + words

    return (
        f"Of the {counted(variables, 'cases.ratified', 'case', 'cases')} graded at the "
        f"multi-agency meetings, {grade('outstanding', 'outstanding')}, "
        f"{grade('good', 'good')}, {grade('requires-improvement', 'requiring improvement')} "
        f"and {grade('inadequate', 'inadequate')}.\n"
    )


def key_findings_part(
    variables: Mapping[str, Any], findings: Sequence[str], titles: Mapping[str, str]
) -> str:
    """The grades, then each finding with what the returns said of it (concerns and good
    practice), numbered as in the report; at most :data:`MOST_FINDINGS`, then how many more
    the full report has."""
    lines = [grades_sentence(variables)]
    if not findings:
        lines.append("The audit returns spoke of none of the themes of the taxonomy.\n")
        return "\n".join(lines)
    shown = list(findings)[:MOST_FINDINGS]
    for number, theme_id in enumerate(shown, start=1):
        lines.append(
            f"{number}. **{escape_markdown(titles.get(theme_id, theme_id))}.** "
            + theme_counts_sentence(variables, theme_id)
        )
    rest = len(findings) - len(shown)
    if rest:
        lines.append(
            f"\nThe full report describes {rest} more finding{'s' if rest != 1 else ''}.\n"
        )
    return "\n".join(lines)


def good_practice_fallback(
    variables: Mapping[str, Any], findings: Sequence[str], titles: Mapping[str, str]
) -> str:
    """Without the analyst's text: the findings the returns noted most often as good
    practice (a hidden count cannot be ranked, so it is left out)."""
    noted = [
        (t, variables["themes"][t]["good_practice"]["returns"])
        for t in findings
        if isinstance(variables["themes"][t]["good_practice"]["returns"], int)
        and variables["themes"][t]["good_practice"]["returns"] > 0
    ]
    noted.sort(key=lambda item: -item[1])
    if not noted:
        return "The audit returns noted no good practice in the audit's findings.\n"
    named = [
        f"{escape_markdown(_lower_first(titles.get(t, t)))} (in "
        f"{counted(variables, f'themes.{t}.good_practice.returns', 'return', 'returns')})"
        for t, _ in noted[:MOST_GOOD_PRACTICE]
    ]
    return f"The audit returns noted good practice most often in {_joined(named)}.\n"


def narrative_or_note(narrative: set[str], stem: str, fallback: str = "") -> str:
    """The analyst's section; else the data's text, if any, and the "to be written" note."""
    if stem in narrative:
        return include_narrative(stem)
    return (fallback + "\n" if fallback else "") + to_be_written(f"narrative/{stem}.md")


def full_report_part(variables: Mapping[str, Any], *, contact: str = "") -> str:
    """Where to find the full report: the files published beside the brief, named and
    linked relative to it (its address on the board's website is not known here); then,
    given config.yaml's accessibility ``contact``, how to ask for another format (the
    contact is shown from the variables, as text; a full stop follows unless it ends one)."""
    audit = variables["audit"]
    audit_id = audit["id"]  # [a-z0-9-]: safe in a link and in the text
    text = (
        f"The full report, *{escape_markdown(audit['title'])}*, has the charts, each finding "
        "in full, the recommendations and the data behind every number. It is published "
        f"beside this brief as a web page, [{audit_id}.html]({audit_id}.html), and a PDF, "
        f"[{audit_id}.pdf]({audit_id}.pdf), by {escape_markdown(audit['board'])}.\n"
    )
    if contact:
        text += (
            "\nTo ask for this brief in another format, such as large print or easy read: "
            f"{var('accessibility.contact')}"
            + ("" if re.search(r"[.!?]\s*$", contact) else ".")
            + "\n"
        )
    return text


def status_note(variables: Mapping[str, Any]) -> str:
    """The brief's "Not yet final" box, when the report is (the same conditions as
    :func:`auditrap.document.review_note`, in the brief's words): not yet approved, or with
    theme suggestions not yet reviewed."""
    review = variables.get("review") or {}
    document = variables.get("document") or {"approved": True}
    lines = []
    if not document.get("approved"):
        lines.append(
            "**Draft: not yet approved.** The report this brief comes from has not yet been "
            "approved for publication.\n"
        )
    if review.get("draft"):
        many = review["unreviewed"] != 1
        lines.append(
            f"**Draft: {var('review.unreviewed')} theme "
            f"{'suggestions' if many else 'suggestion'} not yet reviewed.** Until an analyst "
            f"has checked {'every one' if many else 'it'}, the counts of themes in this brief "
            "are provisional.\n"
        )
    if not lines:
        return ""
    return '::: {.callout-warning title="Not yet final"}\n' + "\n".join(lines) + ":::\n"


def briefing_parts(
    variables: Mapping[str, Any],
    meta: Mapping[str, Any],
    narrative: set[str],
    theme_titles: Mapping[str, str],
    *,
    contact: str = "",
    own_titles: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The generated Markdown parts of the brief, by file name (``_generated/``).
    ``narrative`` is the stems of every narrative file of the audit (a finding's own file
    makes it a finding, as in the report); ``own_titles`` the findings' headings from their
    narrative's front matter, so that the brief names each finding as the report does."""
    findings = brief_findings(variables, narrative)
    titles = finding_titles(findings, theme_titles, own_titles or {})
    return {
        "review-status.md": status_note(variables),
        "looked-at.md": looked_at_part(variables, meta),
        "key-findings.md": key_findings_part(variables, findings, titles),
        "what-good-looks-like.md": narrative_or_note(
            narrative,
            "what-good-looks-like",
            good_practice_fallback(variables, findings, titles),
        ),
        "questions.md": narrative_or_note(narrative, "questions"),
        "full-report.md": full_report_part(variables, contact=contact),
    }


def briefing_downloads(audit_id: str) -> list[dict[str, Any]]:
    """The links at the top of the brief's web page (as :func:`auditrap.document.downloads`
    gives the report's): its PDF, with pages and size, and the full report."""
    return [
        {
            "text": "Download this brief as a PDF",
            "href": briefing_name(audit_id, "pdf"),
            "pdf": True,
        },
        {"text": "read the full report", "href": f"{audit_id}.html"},
    ]


def briefing_metadata(variables: Mapping[str, Any]) -> dict[str, Any]:
    """The brief's title block: every value from audit.yaml escaped, as the report's."""
    audit = variables["audit"]
    iso = str(audit.get("published_iso", ""))
    return {
        "title": escape_metadata(f"Learning brief: {audit['title']}"),
        "subtitle": escape_metadata(
            f"What the {audit['number_ordinal']} multi-agency audit, {audit['period']}, "
            "found: a seven-minute read"
        ),
        "author": escape_metadata(audit["board"]),
        "date": iso
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", iso)
        else escape_metadata(str(audit["published"])),
        "lang": "en-GB",
        "downloads": [
            {**link, "text": escape_metadata(link["text"]), "href": escape_metadata(link["href"])}
            for link in briefing_downloads(audit["id"])
        ],
    }


# --- the build folder -------------------------------------------------------------------


def assemble_briefing(
    build_dir: Path,
    *,
    report_dir: Path,
    variables: Mapping[str, Any],
    meta: Mapping[str, Any],
    narrative_files: Sequence[Path],
    theme_titles: Mapping[str, str],
    accessibility: Mapping[str, str] | None = None,
) -> Path:
    """Write the brief's build folder: ``report.qmd`` (the brief's document, under the name
    the render engine reads) and ``_quarto.yml`` from ``report/``, the generated parts, the
    analyst's sections and the pictures beside the narrative, and ``_variables.yml`` and
    ``_metadata.yml``. Returns the path of its ``report.qmd``."""
    build_dir = Path(build_dir)
    report_dir = Path(report_dir)
    if build_dir.exists():
        shutil.rmtree(build_dir)
    (build_dir / "_generated").mkdir(parents=True)
    (build_dir / "narrative").mkdir()
    shutil.copyfile(report_dir / DOCUMENT, build_dir / "report.qmd")
    shutil.copyfile(report_dir / TEMPLATE_DIR / "_quarto.yml", build_dir / "_quarto.yml")
    numeric = {key for key, _ in numbers(variables, hidden=hidden_symbol(variables))}
    narrative = set()
    own_titles: dict[str, str] = {}
    for path in map(Path, narrative_files):
        if path.suffix != ".md":
            # A picture a section shows: found from the main document, as in the report.
            shutil.copyfile(path, build_dir / path.name)
            continue
        narrative.add(path.stem)
        raw = path.read_text(encoding="utf-8-sig")
        if is_finding(path) and finding_title(raw):
            own_titles[path.stem.removeprefix("finding-")] = str(finding_title(raw))
        if path.stem in NARRATIVE_SECTIONS:
            (build_dir / "narrative" / path.name).write_text(
                mark_numbers(narrative_body(raw), numeric), encoding="utf-8"
            )
    contact = str((accessibility or {}).get("contact") or "")
    for name, text in briefing_parts(
        variables, meta, narrative, theme_titles, contact=contact, own_titles=own_titles
    ).items():
        (build_dir / "_generated" / name).write_text(mark_numbers(text, numeric), encoding="utf-8")
    shown = {**variables, "accessibility": dict(accessibility)} if accessibility else variables
    _write_yaml(build_dir / "_variables.yml", markdown_values(shown))
    _write_yaml(build_dir / "_metadata.yml", briefing_metadata(variables))
    return build_dir / "report.qmd"


def _write_yaml(path: Path, data: Mapping[str, Any]) -> None:
    path.write_text(
        "# Generated by auditrap from the audit's data: do not edit.\n"
        + yaml.safe_dump(dict(data), sort_keys=False, allow_unicode=True, width=100),
        encoding="utf-8",
    )


# --- one page ---------------------------------------------------------------------------


class BriefingTooLong(ValueError):
    """The brief does not fit on one A4 page; the message says what to shorten."""


@dataclass(frozen=True)
class Overflow:
    """How far a brief runs past its first page: the words printed on later pages, and the
    section each later page starts in."""

    pages: int
    words: int
    sections: tuple[str, ...]


def _words(text: str) -> int:
    return len(re.findall(r"\w+", text))


def overflow(pdf: Path) -> Overflow:
    """Read the rendered PDF: its pages, and the words and headings past the first page."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        texts = []
        for page in document:
            textpage = page.get_textpage()
            texts.append(textpage.get_text_range())
            textpage.close()
            page.close()
    finally:
        document.close()
    later = "\n".join(texts[1:])
    headings = tuple(
        h
        for h in ("What the audit looked at", "Key findings", *NARRATIVE_SECTIONS.values())
        if h in later
    )
    return Overflow(pages=len(texts), words=_words(later), sections=headings)


def section_words(build_dir: Path, stem: str) -> int:
    """The words of one of the analyst's sections, as written (without its notes to self)."""
    path = Path(build_dir) / "narrative" / f"{stem}.md"
    return _words(path.read_text(encoding="utf-8")) if path.is_file() else 0


def check_one_page(pdf: Path, build_dir: Path, audit_id: str) -> None:
    """Raise :class:`BriefingTooLong` unless the brief's PDF is exactly one page. The
    message names the analyst's section to shorten (the longest of those written, or the
    findings when neither is) and by about how many words: those printed past the page."""
    found = overflow(Path(pdf))
    if found.pages <= 1:
        return
    written = {
        stem: section_words(build_dir, stem)
        for stem in NARRATIVE_SECTIONS
        if (Path(build_dir) / "narrative" / f"{stem}.md").is_file()
    }
    over = max(found.words, 1)
    lines = [
        f"The learning brief of '{audit_id}' does not fit on one A4 page: about {over} "
        f"word{'s' if over != 1 else ''} run onto a second page, so nothing was published."
    ]
    if written:
        longest = max(written, key=lambda stem: written[stem])
        lines.append(
            f'Shorten narrative/{longest}.md ("{NARRATIVE_SECTIONS[longest]}", now '
            f"{written[longest]} words) by about {over} words"
            + (
                ", or shorten "
                + " or ".join(
                    f"narrative/{s}.md ({written[s]} words)" for s in written if s != longest
                )
                + " instead"
                if len(written) > 1
                else ""
            )
            + ", and run the report again."
        )
    else:
        lines.append(
            "The analyst has written none of its sections, so the findings are what is too "
            f"long: list fewer in audit.yaml's findings (the brief shows at most {MOST_FINDINGS}), "
            "or shorten the audit's selection criteria or its responds_to entries, and run "
            "the report again."
        )
    raise BriefingTooLong("\n".join(lines))


# --- rendering --------------------------------------------------------------------------


def render_briefing(
    build_dir: Path,
    *,
    report_dir: Path,
    variables: Mapping[str, Any],
    meta: Mapping[str, Any],
    narrative_files: Sequence[Path],
    theme_titles: Mapping[str, str],
    html_out: Path,
    pdf_out: Path,
    engine: Any,
    published: dt.date,
    accessibility: Mapping[str, str] | None = None,
    to_be_written_out: Path | None = None,
) -> None:
    """Assemble and render the brief with ``engine`` (an :class:`auditrap.render.Engine`),
    then check that its PDF is one page. Raises the engine's ``RenderError`` or
    :class:`BriefingTooLong`; a brief that is too long leaves neither file behind. Its
    sections still "to be written" are recorded, before it is rendered, in
    ``to_be_written_out`` (for the publisher warnings, as the report's are:
    :func:`auditrap.readiness.record_to_be_written`)."""
    from auditrap.document import to_be_written_in
    from auditrap.readiness import record_to_be_written
    from auditrap.render.engine import render_report

    assemble_briefing(
        build_dir,
        report_dir=report_dir,
        variables=variables,
        meta=meta,
        narrative_files=narrative_files,
        theme_titles=theme_titles,
        accessibility=accessibility,
    )
    if to_be_written_out is not None:
        record_to_be_written(to_be_written_out, "the learning brief", to_be_written_in(build_dir))
    render_report(
        Path(build_dir),
        html_out=Path(html_out),
        pdf_out=Path(pdf_out),
        assets_dir=Path(report_dir),
        timestamp=dt.datetime(published.year, published.month, published.day, tzinfo=dt.UTC),
        engine=engine,
    )
    try:
        check_one_page(Path(pdf_out), Path(build_dir), str(variables["audit"]["id"]))
    except BriefingTooLong:
        Path(html_out).unlink(missing_ok=True)
        Path(pdf_out).unlink(missing_ok=True)
        raise


def briefing_stage(
    *,
    variables_path: Path,
    theme_counts_path: Path,
    meta_path: Path,
    narrative: Sequence[Path],
    report_dir: Path,
    build_dir: Path,
    html_out: Path,
    pdf_out: Path,
    engine: Any,
    accessibility: Mapping[str, str] | None = None,
    to_be_written_out: Path | None = None,
) -> None:
    """The brief as a stage of the workflow: read the report's variables, the theme titles
    and audit.yaml's metadata (as the analysis wrote them), render the brief with ``engine``
    (config.yaml's ``engine``, or the :class:`~auditrap.render.Engine` the report was
    rendered with) and check it is one page. An expected failure is a
    :class:`~auditrap.pipeline.StageError` saying what to do."""
    import json

    from auditrap.pipeline import StageError, log
    from auditrap.render.engine import RenderError, resolve_engine
    from auditrap.render.shortcodes import ShortcodeError

    variables = yaml.safe_load(Path(variables_path).read_text(encoding="utf-8"))
    meta = json.loads(Path(meta_path).read_text(encoding="utf-8"))
    with Path(theme_counts_path).open(encoding="utf-8", newline="") as handle:
        import csv

        titles = {row["theme_id"]: row["theme"] for row in csv.DictReader(handle)}
    try:
        chosen = resolve_engine(engine)
        render_briefing(
            Path(build_dir),
            report_dir=Path(report_dir),
            variables=variables,
            meta=meta,
            narrative_files=[Path(p) for p in narrative],
            theme_titles=titles,
            html_out=Path(html_out),
            pdf_out=Path(pdf_out),
            engine=chosen,
            published=dt.date.fromisoformat(str(meta["published"])),
            accessibility=accessibility,
            to_be_written_out=Path(to_be_written_out) if to_be_written_out else None,
        )
    except (RenderError, ShortcodeError) as exc:
        raise StageError(f"The learning brief could not be rendered: {exc}") from None
    except BriefingTooLong as exc:
        raise StageError(str(exc)) from None
    log.info(
        "Rendered the learning brief, %s and %s, with the %s engine.",
        html_out,
        pdf_out,
        chosen.description,
    )
