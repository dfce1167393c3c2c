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


def programme_page(audits: Sequence[PublishedAudit]) -> str:
    """``report/_output/index.html``: links to each audit's HTML, PDF and data (public only)."""
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
            "</main></body></html>",
            "",
        ]
    )
