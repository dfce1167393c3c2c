"""Publisher warnings: what the person publishing an audit should put right first.

Each is something that does not stop an ordinary build (the report is still made, so that it
can be read and checked) but must not reach a final one. :func:`publisher_warnings` is the one
place they are gathered: every build ends by printing them (``auditrap build``, and the
workflow's ``onsuccess``/``onerror``), the internal edition lists them in its "Before
publishing" section (:func:`auditrap.editions.internal_front`), and a final build
(``final: true`` in config.yaml, or ``auditrap build --final``) stops at the publication gate,
before anything is published, when an audit has any (``pipeline.record_stage``). Add a new
check here, as one more function in ``CHECKS``, and all three follow.

Each check is a function of the audit id, the workflow's configuration and the project
folder, returning plain sentences that say what is wrong and what to do. It must be quick and
must not fail: it runs for every audit at the end of every build, including a build that
stopped early, so it reads small files only, and a file that is not there yet (an audit not
built so far) gives no warning. What a check needs from a build is recorded by the job that
knows it, in a small file beside its outputs, never found again in the rendered pages:

- the theme review: ``<processed_dir>/<audit_id>/theme_review.json``, written by the tagging
  step (``pipeline.tag_stage``);
- the approval: audit.yaml's keys as validation wrote them,
  ``<processed_dir>/<audit_id>/audit.json``;
- the "to be written" notes: ``<processed_dir>/<audit_id>/<document>.to-be-written.json``,
  one for each document rendered (:func:`record_to_be_written`, from the notes found in the
  document's generated parts by :func:`auditrap.document.to_be_written_in`). A job that
  renders another document of the audit (a learning brief, a board report) writes one more
  such file, and its sections join the warning with no change here. They are kept out of
  ``rendered/``, which a failed build removes, so that the warnings printed after a failed
  build still list them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

NAME_LIST = "names.txt"

#: What the report's accessibility statement says when config.yaml sets no contact (the
#: default of ``accessibility: contact`` in the config schema): a placeholder, published as
#: it is, that sends readers to look for the board's details themselves.
PLACEHOLDER_CONTACT = (
    "the board's business unit, through the contact details on the board's website"
)

#: The end of the name of each file in which a render job records the "to be written" notes
#: of one document (:func:`record_to_be_written`).
TO_BE_WRITTEN = ".to-be-written.json"


def _setting_dir(config: Mapping[str, Any], key: str, default: str) -> Path:
    return Path(str(config.get(key) or default))


def name_list_warnings(audit_id: str, config: Mapping[str, Any], root: Path) -> list[str]:
    """No name list is used: none at all, one in the wrong case (``Names.txt``), or a
    private folder with no ``names.txt``. Without the list, names in the free text are
    redacted only where a cue stands next to one ("Mr", "Mum (...)", "aged 2"), and the
    gate cannot look for the listed names in the public files."""
    shown = _setting_dir(config, "private_dir", "data/private") / audit_id
    folder = root / shown
    try:
        entries = os.listdir(folder)
    except OSError:
        return [
            f"There is no name list ({shown / NAME_LIST}), so names in the free text of the "
            'returns were redacted only where a cue such as "Mr" or "aged 2" stands next '
            "to them, and no public file was checked for the names of the children, family "
            "members and professionals. Add the list, one name a line, and build again (if "
            "the returns name nobody, a names.txt holding only a # comment that says so will "
            "do)."
        ]
    misnamed = sorted(e for e in entries if e.lower() == NAME_LIST and e != NAME_LIST)
    found = []
    for name in misnamed:
        found.append(
            f"The name list {shown / name} is not used: it must be called {NAME_LIST}, in "
            "lower case, so no name on it was redacted or refused. Rename it and build again."
        )
    if NAME_LIST not in entries and not misnamed:
        found.append(
            f"{shown}/ has no {NAME_LIST}, so no listed name was redacted or refused. Add "
            f"the list of names (one a line) as {shown / NAME_LIST}, and build again."
        )
    return found


def accessibility_contact_warnings(
    audit_id: str, config: Mapping[str, Any], root: Path
) -> list[str]:
    """No ``accessibility: contact`` in config.yaml: the report's accessibility statement
    would publish the placeholder, which tells readers to find the board's details
    themselves."""
    contact = str((config.get("accessibility") or {}).get("contact") or "").strip()
    if contact and contact != PLACEHOLDER_CONTACT:
        return []
    return [
        "config.yaml sets no accessibility contact, so the report tells readers who need "
        'another format to use "the contact details on the board\'s website". Set '
        "accessibility: contact: in config.yaml to the web address of the board's contact "
        "page (no e-mail address, phone number or postcode: they are published) and build "
        "again."
    ]


def record_to_be_written(path: Path | str, document: str, sections: Sequence[str]) -> None:
    """Record the "to be written" notes one render job put in one ``document`` ("the
    report", "the learning brief"...): ``sections`` are the narrative files to write,
    relative to the audit's folder (``narrative/conclusion.md``). ``path`` must end with
    :data:`TO_BE_WRITTEN` and sit in ``<processed_dir>/<audit_id>/``."""
    if not str(path).endswith(TO_BE_WRITTEN):
        raise ValueError(f"{path} must end with {TO_BE_WRITTEN}.")
    record = {"document": document, "sections": list(sections)}
    Path(path).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")


def to_be_written_warnings(audit_id: str, config: Mapping[str, Any], root: Path) -> list[str]:
    """Sections of a rendered document still "to be written": the document shows a
    visible note where the analyst's prose should be."""
    processed = _setting_dir(config, "processed_dir", "data/processed") / audit_id
    narrative = _setting_dir(config, "raw_dir", "data/raw") / audit_id
    found = []
    for path in sorted((root / processed).glob(f"*{TO_BE_WRITTEN}")):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
            document, sections = str(record["document"]), [str(s) for s in record["sections"]]
        except (OSError, ValueError, KeyError, TypeError):
            found.append(
                f"{processed / path.name} cannot be read, so whether {audit_id}'s documents "
                "have sections still to be written is not known. Delete it and build again."
            )
            continue
        if not sections:
            continue
        many = len(sections) != 1
        found.append(
            f"{document[:1].upper()}{document[1:]} has {len(sections)} "
            f"{'sections' if many else 'section'} still to be written, shown with a "
            f'"To be written" note: {", ".join(str(narrative / s) for s in sections)}. '
            f"Write {'them' if many else 'it'} (docs/narrative.md says what each section is "
            "for) and build again."
        )
    return found


def theme_review_warnings(audit_id: str, config: Mapping[str, Any], root: Path) -> list[str]:
    """Theme suggestions not yet reviewed: the report is a draft and its theme counts are
    provisional. None when config.yaml allows a final report without the review
    (``theme_review: final_without_review``): that is the board's choice, which the
    method appendix states (and the internal edition notes), not something to put right."""
    from auditrap.tables import final_without_review

    shown = _setting_dir(config, "processed_dir", "data/processed") / audit_id
    try:
        status = json.loads((root / shown / "theme_review.json").read_text(encoding="utf-8"))
        unreviewed = int(status["unreviewed"])
    except OSError:
        return []  # not tagged yet: the build stopped before, and says why
    except (ValueError, KeyError, TypeError):
        return [
            f"{shown / 'theme_review.json'} cannot be read, so whether {audit_id}'s theme "
            "suggestions are reviewed is not known. Delete it and build again."
        ]
    if not unreviewed or final_without_review(dict(config), audit_id):
        return []
    many = unreviewed != 1
    review_file = (
        _setting_dir(config, "raw_dir", "data/raw")
        / audit_id
        / (str(status.get("file") or "") or "theme_review.xlsx")
    )
    return [
        f"{unreviewed:,} theme {'suggestions have' if many else 'suggestion has'} not been "
        "reviewed, so the report says it is a draft and its theme counts are provisional. "
        f"Run auditrap review {audit_id}, accept or reject each suggestion in "
        f"{review_file} and build again; or, to publish without the review, set "
        "theme_review: final_without_review: true in config.yaml (the report's method then "
        "says so)."
    ]


def approval_warnings(audit_id: str, config: Mapping[str, Any], root: Path) -> list[str]:
    """The report is not approved (``approved_by`` and ``approved_on`` in audit.yaml): it is
    a draft, and its document control says so (:func:`auditrap.metadata.approval_problem`).
    Read from the audit's processed ``audit.json``, which validation writes."""
    from auditrap.metadata import approval_problem

    shown = _setting_dir(config, "processed_dir", "data/processed") / audit_id / "audit.json"
    try:
        meta = json.loads((root / shown).read_text(encoding="utf-8"))
    except OSError:
        return []  # not validated yet: the build stopped before, and says why
    except ValueError:
        meta = None
    if not isinstance(meta, dict):
        return [
            f"{shown} cannot be read, so whether {audit_id}'s report is approved is not "
            "known. Delete it and build again."
        ]
    problem = approval_problem(meta)
    return [problem] if problem else []


#: Every check, in the order the warnings are listed. Each takes the audit id, the
#: workflow's configuration and the project folder, and returns plain sentences.
CHECKS: Sequence[Callable[[str, Mapping[str, Any], Path], list[str]]] = (
    name_list_warnings,
    accessibility_contact_warnings,
    to_be_written_warnings,
    theme_review_warnings,
    approval_warnings,
)


def publisher_warnings(
    audit_id: str, config: Mapping[str, Any], root: Path | str = "."
) -> list[str]:
    """Every publisher warning of one audit, as plain sentences (none: ready to publish)."""
    return [warning for check in CHECKS for warning in check(audit_id, config, Path(root))]


def format_warnings(found: Mapping[str, Sequence[str]], *, final: bool) -> str:
    """The warnings of several audits, as the end of a build prints them."""
    lines = []
    for audit_id, warnings in found.items():
        for warning in warnings:
            lines.append(f"  - {audit_id}: {warning}")
    if not lines:
        return ""
    head = (
        "Publisher warnings (a final build refuses to publish until they are put right):"
        if not final
        else "Publisher warnings: this is a final build, so these audits were not published:"
    )
    return "\n".join([head, *lines])
