"""The technical note published beside each report: ``<audit_id>-technical.html`` beside an
audit's report, ``<slug>-technical.html`` beside a board's assurance report.

The report is written for its readers (parents, practitioners, inspectors, the board); how
it was made is for the few who check it: the software and its versions, the SHA-256 hash of
every input file, how to check a copy against its ``manifest.json``, and every number of
the report by its id (as ``data/lineage.csv`` traces it). The report links this note in one
sentence ("About this report").

The note is one self-contained, accessible web page like the programme page (a skip link,
a visible focus, tables in their own labelled scrolling regions, nothing fetched), made
from the same variables as the report; every value in it is escaped. It is a public file:
the publication gate scans it, and the manifest records it.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

from auditrap.document import software_rows
from auditrap.lineage import hidden_symbol, numbers
from auditrap.pages import SKIP_LINK, STYLE, table_region

#: What this page adds to the shared style: code in the tables, and long file names and
#: hashes broken where they can be (after a slash; a hash anywhere) rather than off screen.
EXTRA_STYLE = (
    "<style>"
    "code{font-family:monospace;font-size:1rem}"
    ".hash{overflow-wrap:anywhere;word-break:break-all}"
    "td,th{overflow-wrap:anywhere}"
    "</style>"
)


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _path(name: str) -> str:
    """A file name that may break after each slash (``<wbr>``), escaped."""
    return "/<wbr>".join(_esc(part) for part in name.split("/"))


def _table(caption: str, header: tuple[str, str], rows: list[tuple[str, str]]) -> str:
    """A two-column table in its own labelled scrolling region; the first cell of each row
    is its header. The cells are given as HTML (already escaped)."""
    body = "".join(f'<tr><th scope="row">{a}</th><td>{b}</td></tr>' for a, b in rows)
    return (
        table_region(caption)
        + f"<table><caption>{_esc(caption)}</caption>"
        + f'<thead><tr><th scope="col">{_esc(header[0])}</th>'
        + f'<th scope="col">{_esc(header[1])}</th></tr></thead>'
        + f"<tbody>{body}</tbody></table></div>"
    )


def technical_page(
    *,
    title: str,
    opening: str,
    made: str,
    folder: str,
    numbers_text: str,
    ids: Sequence[tuple[str, Any]],
    inputs: Mapping[str, str],
    environment: Mapping[str, Any],
    engine: str,
    pandoc: str | None = None,
) -> str:
    """A technical note's HTML: ``opening`` and ``made`` (its first paragraphs, already
    HTML), how to check a copy of the published ``folder`` (under ``report/_output``),
    ``numbers_text`` (where each number comes from, HTML) and three tables: every number of
    ``ids`` (id, value) with its lineage, the SHA-256 of each of ``inputs`` (as the
    manifest names them) and the software (``environment``, ``engine`` and ``pandoc``, as
    in :func:`auditrap.document.software_rows`). Every value is escaped here; the HTML
    given is the caller's."""
    id_rows = [
        (
            f"<code>{_esc(key)}</code>",
            f'<span data-lineage="{_esc(key)}">{_esc(value)}</span>',
        )
        for key, value in ids
    ]
    files = [
        (f"<code>{_path(name)}</code>", f'<code class="hash">{_esc(digest)}</code>')
        for name, digest in inputs.items()
    ]
    software = [
        (_esc(name), _esc(version))
        for name, version in software_rows(environment, engine, pandoc=pandoc)
    ]
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en-GB"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{_esc(title)}</title>",
            STYLE,
            EXTRA_STYLE,
            "</head><body>",
            SKIP_LINK,
            '<main id="main" tabindex="-1">',
            f"<h1>{_esc(title)}</h1>",
            opening,
            "<h2>How the report was made</h2>",
            made,
            "<h2>Checking a copy of the report</h2>",
            '<p>The report is published with <a href="manifest.json">manifest.json</a>, which '
            "records the SHA-256 hash of every input and every published file, and the software "
            "that made them. Anyone with a copy of the project's files can check a published "
            f"copy with <code>auditrap verify report/_output/{_esc(folder)}</code>: it works "
            "out the hash of every file again and names any that differs; with "
            "<code>--rebuild</code> it also builds the report again and compares it byte for "
            "byte.</p>",
            "<h2>Where each number comes from</h2>",
            numbers_text,
            _table("Every number in the report, by id", ("Id", "Value"), id_rows),
            "<h2>The input files</h2>",
            _table(
                "The inputs of the report and their SHA-256 hashes",
                ("Input file", "SHA-256"),
                files,
            ),
            "<h2>The software</h2>",
            _table("The software that made the report", ("Software", "Version"), software),
            "</main></body></html>",
            "",
        ]
    )


def technical_note(
    variables: Mapping[str, Any],
    *,
    inputs: Mapping[str, str],
    environment: Mapping[str, Any],
    engine: str,
    pandoc: str | None = None,
) -> str:
    """The technical note of an audit's report. ``inputs`` maps each input file (as the
    manifest names it) to its SHA-256; ``environment`` and ``engine`` (with ``pandoc``,
    Quarto's own when Quarto rendered) are what made the report, as in
    :func:`auditrap.document.provenance_part`.
    """
    audit = variables["audit"]
    audit_id = audit["id"]  # [a-z0-9-], as validated
    report = f"{audit_id}.html"
    read = variables["cases"]["total"], variables["returns"]["total"]
    return technical_page(
        title=f"Technical note: {audit['title']}",
        opening=(
            f'<p>This note goes with the report <a href="{_esc(report)}">{_esc(audit["title"])}'
            f"</a> of {_esc(audit['board'])}, published on {_esc(audit['published'])}. It is "
            "for anyone who wants to check how the report was made: to read what the audit "
            "found, read the report.</p>"
        ),
        made=(
            "<p>The report was built by auditrap, a reproducible pipeline, from the input files "
            f"listed below. Validation read {_esc(read[0])} cases, {_esc(read[1])} single-agency "
            f"returns and {_esc(variables['actions']['raised'])} immediate actions, with "
            f"{_esc(variables['validation']['warnings'])} warnings. The same inputs always give "
            "the same report, byte for byte.</p>"
        ),
        folder=audit_id,
        numbers_text=(
            "<p>Every number in the report has an id, the name of the variable it was computed "
            'as; in the web page each number carries it. <a href="data/lineage.csv">'
            "lineage.csv</a>, published beside the report, gives for each id its value, the "
            "published table and cell, and the filter that computed it over the input table. "
            "The board's internal edition adds the input files and the rows that "
            "contributed.</p>"
        ),
        ids=numbers(variables, hidden=hidden_symbol(variables)),
        inputs=inputs,
        environment=environment,
        engine=engine,
        pandoc=pandoc,
    )


def board_technical_note(
    variables: Mapping[str, Any],
    *,
    inputs: Mapping[str, str],
    environment: Mapping[str, Any],
    engine: str,
    pandoc: str | None = None,
) -> str:
    """The technical note of a board's assurance report (:mod:`auditrap.board_report`),
    ``<slug>-technical.html`` beside it: its ``inputs`` are those its manifest records."""
    board = variables["board"]
    slug = board["slug"]  # [a-z0-9-], as validated
    report = f"{slug}.html"
    return technical_page(
        title=f"Technical note: what the board's audits found, {board['name']}",
        opening=(
            f'<p>This note goes with the assurance report <a href="{_esc(report)}">What the '
            f"board's audits found</a> of {_esc(board['name'])}, published on "
            f"{_esc(board['published'])}. It is for anyone who wants to check how the report "
            "was made: to read what the board's audits found, read the report.</p>"
        ),
        made=(
            "<p>The report was built by auditrap, a reproducible pipeline, from the input files "
            f"listed below: the board's programme of {_esc(board['audits'])} audits, the data "
            "folder of each of its audits that has one, and the sub-group's narrative. It reads the "
            "tables each audit's own report published, so nothing an audit's report hides is "
            "shown. The same inputs always give the same report, byte for byte.</p>"
        ),
        folder=f"boards/{slug}",
        numbers_text=(
            "<p>Every number in the report has an id, the name of the variable it was computed "
            'as; in the web page each number carries it. <a href="data/lineage.csv">'
            "lineage.csv</a>, published beside the report, gives for each id its value, the "
            "report's table and cell, and the audit's table and filter it comes from.</p>"
        ),
        ids=numbers(variables, hidden=variables["disclosure"]["symbol"]),
        inputs=inputs,
        environment=environment,
        engine=engine,
        pandoc=pandoc,
    )
