"""The programme page: every published audit of the board, in one accessible list."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from auditrap.pages import SKIP_LINK, STYLE, table_region
from auditrap.tables import PUBLISHED_TABLES


@dataclass(frozen=True)
class PublishedAudit:
    audit_id: str
    title: str
    board: str
    period: str
    published: str  # long date, as shown
    published_iso: str  # for ordering
    cases: int | str  # the disclosure symbol, should the total be hidden
    tables: tuple[str, ...] = PUBLISHED_TABLES  # the data files it published
    briefing: bool = False  # whether it published a learning brief (auditrap.briefing)


@dataclass(frozen=True)
class PublishedBoard:
    """A board's assurance report, as the programme page lists it."""

    slug: str
    name: str
    audits: int
    first: int
    last: int
    published: str  # long date, as shown
    published_iso: str


def boards_section(boards: Sequence[PublishedBoard]) -> list[str]:
    """The programme page's list of the boards' assurance reports (none: nothing)."""
    esc = html.escape
    if not boards:
        return []
    rows = []
    for b in sorted(boards, key=lambda b: (b.name, b.slug)):
        base = f"boards/{esc(b.slug)}/{esc(b.slug)}"
        span = f"{b.first} to {b.last}" if b.first != b.last else f"{b.first}"
        rows.append(
            "<tr>"
            f'<th scope="row">{esc(b.name)}</th>'
            f"<td>{esc(span)}</td><td>{esc(b.published)}</td>"
            f'<td><a href="{base}.html">Web page '
            f'<span class="visually-hidden">for {esc(b.name)}</span></a><br>'
            f'<a href="{base}.pdf">PDF '
            f'<span class="visually-hidden">for {esc(b.name)}</span></a></td>'
            f'<td><a href="boards/{esc(b.slug)}/data/themes_by_audit.csv">themes_by_audit'
            f'<span class="visually-hidden"> for {esc(b.name)}</span></a></td></tr>'
        )
    return [
        "<h2>Assurance reports for the board</h2>",
        "<p>Each board's audits side by side: the grades of each, the themes that keep "
        "coming back, and the recommendations and action plans, overdue actions first.</p>",
        table_region("Assurance reports for the board") + "<table>",
        "<caption>Assurance reports for the board</caption>",
        '<thead><tr><th scope="col">Board</th><th scope="col">Audits</th>'
        '<th scope="col">Date</th><th scope="col">Report</th>'
        '<th scope="col">Data (CSV)</th></tr></thead>',
        "<tbody>",
        *rows,
        "</tbody></table></div>",
    ]


def programme_page(
    audits: Sequence[PublishedAudit], board_reports: Sequence[PublishedBoard] = ()
) -> str:
    """``report/_output/index.html``: links to each audit's HTML, PDF and data (public only),
    and to each board's assurance report."""
    esc = html.escape
    boards = sorted({a.board for a in audits})
    heading = "Published multi-agency audits" + (f": {boards[0]}" if len(boards) == 1 else "")
    rows = []
    for a in sorted(audits, key=lambda a: (a.published_iso, a.audit_id), reverse=True):
        data = ", ".join(
            f'<a href="{esc(a.audit_id)}/data/{name}.csv">{esc(name)}</a>' for name in a.tables
        )
        rows.append(
            "<tr>"
            f'<th scope="row">{esc(a.title)}</th>'
            f"<td>{esc(a.period)}</td><td>{esc(a.published)}</td><td>{esc(str(a.cases))}</td>"
            f'<td><a href="{esc(a.audit_id)}/{esc(a.audit_id)}.html">Web page '
            f'<span class="visually-hidden">for {esc(a.title)}</span></a><br>'
            f'<a href="{esc(a.audit_id)}/{esc(a.audit_id)}.pdf">PDF '
            f'<span class="visually-hidden">for {esc(a.title)}</span></a>'
            + (
                f'<br><a href="{esc(a.audit_id)}/{esc(a.audit_id)}-briefing.html">Learning '
                f'brief <span class="visually-hidden">for {esc(a.title)}</span></a>'
                if a.briefing
                else ""
            )
            + "</td>"
            f"<td>{data}</td></tr>"
        )
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en-GB"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{esc(heading)}</title>",
            STYLE,
            "</head><body>",
            SKIP_LINK,
            '<main id="main" tabindex="-1">',
            f"<h1>{esc(heading)}</h1>",
            f"<p>{len(audits)} audit report{'s' if len(audits) != 1 else ''}, newest first. "
            "Each is published as a web page and a PDF, with the data behind every number"
            + (
                ", and a one-page learning brief for practitioners"
                if audits and all(a.briefing for a in audits)
                else ""
            )
            + ".</p>",
            table_region("Published audit reports") + "<table>",
            "<caption>Published audit reports</caption>",
            '<thead><tr><th scope="col">Audit</th><th scope="col">Period</th>'
            '<th scope="col">Published</th><th scope="col">Cases</th>'
            '<th scope="col">Report</th><th scope="col">Data (CSV)</th></tr></thead>',
            "<tbody>",
            *rows,
            "</tbody></table></div>",
            *boards_section(board_reports),
            "</main></body></html>",
            "",
        ]
    )
