"""The two editions of a report, and the marking that tells them apart.

Every audit is rendered twice from the same document: the public edition, to publish, and the
board's internal edition, which adds case-level detail and must never be published. A web team
working fast must not be able to take one for the other, so the internal edition carries its
protective marking, :data:`INTERNAL_MARKING`, wherever a reader or a program looks first:

- the web page: its ``<title>`` (a browser's tab, a search result, a file list of titles), a
  banner that stays at the top of the screen whatever the reader scrolls to, and
  ``<meta name="robots" content="noindex, nofollow">`` (partials/report.html, styles.css);
- the PDF: the running header and footer of every page, the first included, and the PDF's
  title and subject (template.typ);
- its first section, "Before publishing" (:func:`internal_front`): that it is not the edition
  to publish, which one is, and the publisher warnings of the audit
  (:mod:`auditrap.readiness`), each with what to do.

The templates show the marking whenever the document's metadata has ``marking``
(:func:`auditrap.document.metadata` sets it for the internal edition only). The publication
gate (:func:`auditrap.gate.internal_files_in_public`) refuses a public file that carries the
marking (:func:`carries_internal_marking`), so that an internal file copied or renamed into
the public part is never published.

This module imports nothing heavy: the gate reads it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

#: The protective marking of the internal edition (the Government Security Classifications'
#: OFFICIAL with its SENSITIVE handling caveat), and what it asks of whoever holds the file.
INTERNAL_MARKING = "OFFICIAL-SENSITIVE: not for publication"

#: How the gate recognises the marking, in text already normalised (auditrap.normalise: odd
#: dashes made a hyphen, odd spaces a space, invisible characters removed): in any case, with
#: hyphens, spaces or nothing between the two words.
MARKING_PATTERN = re.compile(r"official[\s_-]*sensitive", re.IGNORECASE)


def carries_internal_marking(text: str) -> bool:
    """Whether ``text`` carries the internal edition's marking, however it was retyped."""
    from auditrap.normalise import normalised

    return bool(MARKING_PATTERN.search(normalised(text)))


def internal_front(
    audit_id: str, warnings: Sequence[str], review: Mapping[str, Any] | None = None
) -> str:
    """The first section of the internal edition (Markdown): that this edition is not for
    publication and which one is, then "Before publishing": the audit's publisher warnings
    (plain sentences, escaped here), each something to put right before a final build, or
    that there are none. ``review`` (the report variables' ``review``) adds a note when the
    theme review was skipped on purpose (``final_without_review``), which is no warning."""
    from auditrap.render.markdown import escape_markdown

    public = f"{audit_id}.html"  # an audit id is [a-z0-9-]: nothing to escape
    lines = [
        '::: {.callout-important title="Internal edition: not for publication"}',
        "**This is the board's internal edition.** It holds case-level detail about children "
        "and families, for the board and its auditors only. Do not publish it, upload it to a "
        "website or send it outside the board.",
        "",
        f"The edition to publish is the public one, [{public}](../{public}) and its PDF, in "
        "the folder above this one.",
        ":::",
        "",
        "## Before publishing",
        "",
    ]
    if warnings:
        lines += [
            escape_markdown(
                "Put these right before the public edition is published. A final build "
                "(auditrap build --final) refuses to publish the report until they are."
            ),
            "",
            *(f"{n}. {escape_markdown(w)}" for n, w in enumerate(warnings, 1)),
            "",
        ]
    else:
        lines += [
            "Nothing to put right: the checks of a final build found no publisher warning.",
            "",
        ]
    review = review or {}
    if review.get("final_without_review") and review.get("unreviewed"):
        count = int(review["unreviewed"])
        lines += [
            "The theme review was skipped on purpose: {{< var review.unreviewed >}} theme "
            f"{'suggestion was' if count == 1 else 'suggestions were'} not reviewed and "
            f"{'counts' if count == 1 else 'count'} as the software made "
            f"{'it' if count == 1 else 'them'}, as config.yaml allows "
            "(`theme_review: final_without_review`). The public edition's method says so.",
            "",
        ]
    return "\n".join(lines)
