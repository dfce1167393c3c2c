"""The programme page: every published audit of the board, in one accessible list."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from auditrap.tables import PUBLISHED_TABLES


@dataclass(frozen=True)
class PublishedAudit:
    audit_id: str
    title: str
    board: str
    period: str
    published: str  # long date, as shown
    published_iso: str  # for ordering
    cases: int


def programme_page(audits: Sequence[PublishedAudit]) -> str:
    """``report/_output/index.html``: links to each audit's HTML, PDF and data (public only)."""
    esc = html.escape
    boards = sorted({a.board for a in audits})
    heading = "Published multi-agency audits" + (f": {boards[0]}" if len(boards) == 1 else "")
    rows = []
    for a in sorted(audits, key=lambda a: (a.published_iso, a.audit_id), reverse=True):
        data = ", ".join(
            f'<a href="{esc(a.audit_id)}/data/{name}.csv">{esc(name)}</a>'
            for name in PUBLISHED_TABLES
        )
        rows.append(
            "<tr>"
            f'<th scope="row">{esc(a.title)}</th>'
            f"<td>{esc(a.period)}</td><td>{esc(a.published)}</td><td>{a.cases}</td>"
            f'<td><a href="{esc(a.audit_id)}/{esc(a.audit_id)}.html">Web page '
            f'<span class="visually-hidden">for {esc(a.title)}</span></a><br>'
            f'<a href="{esc(a.audit_id)}/{esc(a.audit_id)}.pdf">PDF '
            f'<span class="visually-hidden">for {esc(a.title)}</span></a></td>'
            f"<td>{data}</td></tr>"
        )
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en-GB"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{esc(heading)}</title>",
            "<style>body{font-family:sans-serif;line-height:1.5;color:#0b0c0c;max-width:70rem;"
            "margin:1rem auto;padding:0 1rem}table{border-collapse:collapse;width:100%}"
            "th,td{border:1px solid #505a5f;padding:.4rem;text-align:left;vertical-align:top}"
            "caption{text-align:left;font-weight:bold;margin-bottom:.5rem}a{color:#1d70b8}"
            "a:focus{outline:3px solid #fd0;background:#fd0;color:#0b0c0c}"
            ".wrap{overflow-x:auto}.visually-hidden{position:absolute;width:1px;height:1px;"
            "overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}</style>",
            "</head><body><main>",
            f"<h1>{esc(heading)}</h1>",
            f"<p>{len(audits)} audit report{'s' if len(audits) != 1 else ''}, newest first. "
            "Each is published as a web page and a PDF, with the data behind every number.</p>",
            '<div class="wrap"><table><caption>Published audit reports</caption>',
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
