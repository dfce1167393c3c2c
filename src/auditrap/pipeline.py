"""The stages of the workflow as functions over files: what each Snakemake job runs.

Each stage reads its inputs, calls the pure functions of the package, and writes its
outputs. The scripts in ``scripts/`` only unpack Snakemake's object and call one stage
(:func:`run_stage`) or several in turn (:func:`run_steps`: the analysis job runs every step
on the data in one process), turning an expected failure into a plain message.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import logging
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from auditrap.problems import InputError

# Heavy libraries (pandas, pandera, altair, pandoc, typst) are imported inside the stage
# that needs them: each Snakemake job is a fresh process, so a job pays only for what its
# stages use (the render and record jobs never import pandas).

log = logging.getLogger("auditrap")


class StageError(Exception):
    """An expected failure of a stage: its message says what to do, no traceback needed."""


def refuse_identifiers(findings: Sequence[Any], lead: str, advice: str = "") -> None:
    """Stop the stage when the publication gate found identifiers (``auditrap.gate``
    findings): ``lead`` says what holds them, each is listed masked, then ``advice``."""
    if findings:
        raise StageError(
            f"{lead}, so nothing was published:\n"
            + "\n".join(f"  - {f.file}, {f.location}: {f.kind} ({f.masked})" for f in findings)
            + advice
        )


def refuse_identifiers_in_manifest(
    manifest: Mapping[str, Any], names: Sequence[str], lead: str
) -> None:
    """The manifest is published too (it quotes metadata and file names): the gate reads it
    as it will be written."""
    from auditrap.gate import scan_text

    text = json.dumps(manifest, ensure_ascii=False, indent=1)
    refuse_identifiers(scan_text(text, "manifest.json", names), lead)


def run_stage(log_path: str | os.PathLike | None, stage: Callable[..., Any], **kwargs) -> None:
    """Run one stage with logging to ``log_path``; an expected failure exits with status 1."""
    run_steps(log_path, [(stage, kwargs)])


def run_steps(
    log_path: str | os.PathLike | None,
    steps: Sequence[tuple[Callable[..., Any], Mapping[str, Any]]],
) -> None:
    """Run stages (each a function and its keyword arguments) one after another in this
    process, logging to ``log_path``; the first expected failure stops them and exits with
    status 1.

    One Snakemake job runs several stages this way: each job is a new Python process that
    imports pandas, pandera and Altair again, and for an audit of the sample's size that
    start-up cost more than the stages' own work (docs/performance.md). Each stage still
    reads and writes its own files, so every intermediate table is there to inspect.
    """
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_path:
        Path(log_path).parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(log_path, mode="w", encoding="utf-8"))
    logging.basicConfig(level=logging.INFO, format="%(message)s", handlers=handlers, force=True)
    try:
        for stage, kwargs in steps:
            stage(**kwargs)
    except (InputError, StageError) as exc:
        log.error("%s", exc)
        sys.exit(1)


# --- validate --------------------------------------------------------------------------------


def validate_stage(
    *,
    audit_dir: Path,
    audit_id: str,
    out_dir: Path,
    report_dir: Path,
    grade_aliases: Mapping[str, str] | None = None,
    ignored_columns: Sequence[str] = (),
    names_path: Path | None = None,
    redactions_out: Path | None = None,
    taxonomy_paths: Sequence[Path] = (),
    input_limits: Mapping[str, Any] | None = None,
) -> None:
    """Validate one audit; write its typed tables, or stop with every problem listed.

    Given ``taxonomy_paths`` (the shared taxonomy, and the audit's own extension), the
    findings of audit.yaml and the themes of recommendations.csv are checked against it.

    The free text of the returns and actions is redacted before it is written (see
    :mod:`auditrap.redact`): no later stage, and so no edition, ever sees an identifier the
    patterns or the audit's list of names (``names_path``, kept outside the published folder)
    recognise. ``redactions_out`` gets how many of each kind were redacted, never what.
    """
    from auditrap.limits import InputLimits
    from auditrap.problems import ERROR, problems_frame, problems_html, summary
    from auditrap.redact import read_name_list, redact_tables
    from auditrap.safe_csv import write_csv
    from auditrap.validate import load_audit, mask_problems, write_processed

    report_dir = Path(report_dir)
    # A report of an earlier run must not outlive this one: if this run stops for any
    # reason, no "passed validation" is left behind for the new input.
    for stale in ("report.html", "problems.csv"):
        (report_dir / stale).unlink(missing_ok=True)
    try:
        names = read_name_list(Path(names_path) if names_path else None)
    except (OSError, UnicodeDecodeError) as exc:
        raise StageError(
            f"The list of names to redact, {names_path}, cannot be read ({exc}). Save it as "
            "UTF-8 text, one name a line, and run the report again."
        ) from None
    from auditrap.audit_folder import check_audit_folder
    from auditrap.themes import load_theme_ids

    # Links and other files that are not the audit's own are refused before any is read.
    problems = check_audit_folder(Path(audit_dir))
    audit = None
    theme_ids, taxonomy_problems = load_theme_ids(taxonomy_paths)
    if not problems:
        audit, problems = load_audit(
            Path(audit_dir),
            audit_id,
            grade_aliases=grade_aliases,
            ignored_columns=ignored_columns,
            theme_ids=theme_ids,
            limits=InputLimits.from_settings(input_limits),
        )
    problems += taxonomy_problems
    if audit is not None:
        problems += _ids_naming_people(audit, names)
        problems += _recommendations_naming_people(audit, names)
        problems += _approval_naming_people(audit, names)
        if any(p.severity == ERROR for p in problems):
            audit = None
    # The validation report quotes raw cells, which may hold what redaction removes later.
    problems = mask_problems(problems, names)
    report_dir.mkdir(parents=True, exist_ok=True)
    (report_dir / "report.html").write_text(
        problems_html(problems, audit_id=audit_id), encoding="utf-8"
    )
    write_csv(problems_frame(problems), report_dir / "problems.csv")
    for warning in (p for p in problems if p.severity != ERROR):
        log.warning("Warning: %s", warning.line())
    if audit is None or taxonomy_problems:
        message = summary(problems, audit_id=audit_id)
        message += f"\nThe full list is in {report_dir / 'report.html'} and problems.csv."
        raise StageError(message)
    redacted, redactions = redact_tables(
        {"returns": audit.returns, "actions": audit.actions, "action_plan": audit.action_plan},
        names,
    )
    audit.returns, audit.actions = redacted["returns"], redacted["actions"]
    audit.action_plan = redacted["action_plan"]
    if redactions_out is not None:
        write_csv(redactions, Path(redactions_out))
    if len(redactions):
        log.info(
            "Redacted from the free text: %s.",
            ", ".join(
                f"{n} {kind}"
                for kind, n in redactions.groupby("kind", sort=False)["redactions"].sum().items()
            ),
        )
    write_processed(audit, Path(out_dir))
    log.info(
        "Audit %s is valid: %s.",
        audit_id,
        ", ".join(f"{n} rows in {f}" for f, n in audit.files.items()),
    )


def _ids_naming_people(audit: Any, names: Sequence[str]) -> list:
    """A case or action reference must be pseudonymous: one that holds a listed name, or
    any identifier the patterns know, is an error (it would reach the internal edition)."""
    from auditrap.problems import Problem
    from auditrap.redact import redact_text

    found = []
    for table, column, file in (
        (audit.cases, "case_id", "cases.csv"),
        (audit.actions, "action_id", "actions.csv"),
        (audit.recommendations, "recommendation_id", "recommendations.csv"),
        (audit.action_plan, "action_id", "action_plan.csv"),
    ):
        # A name inside a joined-up reference ("JaydenSmith") is found as words too.
        spaced = table[column].astype(str).str.replace(r"(?<=[a-z])(?=[A-Z])|[_-]", " ", regex=True)
        for position, words in enumerate(spaced):
            if redact_text(str(words), names) != str(words):
                row = table["source_row"].iloc[position] if "source_row" in table else None
                found.append(
                    Problem(
                        file=str(table["source_file"].iloc[position])
                        if "source_file" in table
                        else file,
                        row=None if row is None else int(row),
                        column=column,
                        value=redact_text(str(words), names),
                        message=(
                            f"This {column} holds a name or another identifier. Use a "
                            "pseudonymous reference, such as NAI-04, never a name."
                        ),
                    )
                )
    return found


def _recommendations_naming_people(audit: Any, names: Sequence[str]) -> list:
    """A recommendation is published in full: one holding a listed name, or any identifier
    the patterns know, is an error here, located, rather than at the publication gate."""
    from auditrap.problems import Problem
    from auditrap.redact import redact_text

    found = []
    frame = audit.recommendations
    for text, file, row in zip(
        frame["recommendation"].astype(str),
        frame["source_file"],
        frame["source_row"],
        strict=True,
    ):
        if redact_text(text, names) != text:
            found.append(
                Problem(
                    file=str(file),
                    row=int(row),
                    column="recommendation",
                    value=redact_text(text, names),
                    message="This recommendation holds a name or another identifier (shown "
                    "redacted here), and recommendations are published in full. Rewrite it "
                    "without names or identifying details.",
                )
            )
    return found


def _approval_naming_people(audit: Any, names: Sequence[str]) -> list:
    """Who approved the report is published in its document control: a role or a body,
    never a listed name or another identifier."""
    from auditrap.problems import Problem
    from auditrap.redact import redact_text

    approved_by = audit.meta.approved_by
    if approved_by is None or redact_text(approved_by, names) == approved_by:
        return []
    return [
        Problem(
            file="audit.yaml",
            column="approved_by",
            value=redact_text(approved_by, names),
            message="approved_by holds a name or another identifier (shown redacted here), "
            "and it is published. Name the role or the body that approved the report "
            "(e.g. the Board), never a person.",
        )
    ]


# --- aggregate -------------------------------------------------------------------------------


def aggregate_stage(
    *, processed_dir: Path, tables_out: Sequence[Path], case_grades_out: Path
) -> None:
    from auditrap.aggregate import aggregate_audit
    from auditrap.safe_csv import write_csv
    from auditrap.validate import read_processed

    audit = read_processed(Path(processed_dir))
    result = aggregate_audit(audit.cases, audit.returns, audit.actions, audit.meta.agencies)
    wanted = {Path(p).stem: Path(p) for p in tables_out}
    for name, path in wanted.items():
        write_csv(result.tables[name], path)
    # Case level, for the internal edition: CSV for people, Parquet (typed, unaltered text)
    # for the render step.
    write_csv(result.case_grades, Path(case_grades_out))
    result.case_grades.to_parquet(Path(case_grades_out).with_suffix(".parquet"), index=False)
    log.info("Wrote %d aggregate tables.", len(wanted))


# --- themes ----------------------------------------------------------------------------------


def tag_stage(
    *,
    returns_path: Path,
    taxonomy_paths: Sequence[Path],
    tags_out: Path,
    counts_out: Path,
    audit_dir: Path | None = None,
    cases_path: Path | None = None,
    meta_path: Path | None = None,
    sentence_tags_out: Path | None = None,
    review_out: Path | None = None,
    final_without_review: bool = False,
    ignored_columns: Sequence[str] = (),
) -> None:
    """Tag the returns' sentences with the taxonomy's themes and apply the analyst's review
    (``theme_review.csv`` or ``.xlsx`` in ``audit_dir``; see :mod:`auditrap.review`).

    Writes theme_tags (one row per return and theme, from the tags that count), the theme
    counts, every sentence tag with its decision (``sentence_tags_out``) and how far the
    review has got (``review_out``). A review file with errors stops the run, each problem
    located by file, row and column; a review of a sentence that has since changed is a
    warning, and that sentence's suggestions are unreviewed again.
    """
    import pandas as pd

    from auditrap.problems import WARNING, InputError
    from auditrap.review import review_status, tag_and_review
    from auditrap.safe_csv import write_csv
    from auditrap.themes import TaxonomyError, load_taxonomy, theme_counts

    paths = [Path(p) for p in taxonomy_paths]
    try:
        taxonomy = load_taxonomy(paths[0], paths[1] if len(paths) > 1 else None)
    except TaxonomyError as exc:
        raise StageError(f"The theme taxonomy cannot be used: {exc}") from None
    returns = pd.read_parquet(returns_path)
    case_ids: list[str] = []
    agencies: list[str] = []
    if cases_path is not None:
        case_ids = pd.read_parquet(cases_path, columns=["case_id"])["case_id"].astype(str).tolist()
    if meta_path is not None:
        agencies = list(json.loads(Path(meta_path).read_text(encoding="utf-8"))["agencies"])
    tagged = tag_and_review(
        returns,
        taxonomy,
        audit_dir=Path(audit_dir) if audit_dir is not None else None,
        case_ids=case_ids,
        agencies=agencies,
        ignored_columns=ignored_columns,
    )
    for warning in (p for p in tagged.review.problems if p.severity == WARNING):
        log.warning("Warning: %s", warning.line())
    if not tagged.review.ok:
        raise InputError(tagged.review.problems, audit_id=Path(audit_dir or ".").name)
    tags = tagged.tags
    write_csv(tags, Path(tags_out))
    tags.to_parquet(Path(tags_out).with_suffix(".parquet"), index=False)
    write_csv(theme_counts(tags, taxonomy), Path(counts_out))
    if sentence_tags_out is not None:
        # Parquet only: it can be millions of rows, and the review file is the one people read.
        tagged.sentence_tags.to_parquet(Path(sentence_tags_out), index=False)
    status = review_status(
        tagged.sentence_tags,
        final_without_review=final_without_review,
        review_file=tagged.review.file,
    )
    if review_out is not None:
        Path(review_out).write_text(json.dumps(status, indent=2) + "\n", encoding="utf-8")
    log.info(
        "Tagged %d (return, theme) pairs across %d themes: %d suggestions, %d reviewed "
        "(%d accepted, %d rejected), %d added by the analyst.",
        len(tags),
        len(taxonomy.ids),
        status["suggested"],
        status["suggested"] - status["unreviewed"],
        status["accepted"],
        status["rejected"],
        status["added"],
    )
    if status["unreviewed"]:
        log.warning(
            "Warning: %d theme suggestion%s not yet reviewed, %s. Run `auditrap review %s` "
            "and fill in the review file.",
            status["unreviewed"],
            "" if status["unreviewed"] == 1 else "s",
            "counted as the tagger made them, as config.yaml allows (final_without_review); "
            "the method appendix says so"
            if status["final_without_review"]
            else "so the report is a draft",
            Path(audit_dir or ".").name,
        )


# --- recommendations and the action plan ----------------------------------------------------


def plan_stage(
    *,
    processed_dir: Path,
    theme_counts_path: Path,
    as_of: Mapping[str, Any] | str | dt.date | None,
    board_plans: Sequence[Path] = (),
    tables_out: Sequence[Path],
    internal_out: Path,
    plan_out: Path,
    configured: bool = False,
) -> None:
    """The audit's recommendations as published, and its action plan's progress as of the
    as-of date: ``as_of``, the board's as-of record (:func:`auditrap.boards.board_as_of`:
    ``as_of`` of config.yaml when set, otherwise the latest ``updated`` date in the action
    plans of the board's audits, with any plan whose dates cannot be read), or a date
    (``configured``: it is config.yaml's); ``board_plans``, the raw action plans of the
    board's other audits, are read when ``as_of`` is None. ``tables_out`` are the aggregate
    tables (recommendations, action_plan_progress, recommendation_progress, by file stem),
    ``internal_out`` every action for the internal edition, ``plan_out`` the as-of date.
    An audit without recommendations gets the tables without rows (its progress all zeros),
    and ``has_recommendations`` false."""
    import pandas as pd

    from auditrap.actionplan import (
        action_plan_progress,
        internal_action_plan,
        published_recommendations,
        recommendation_progress,
    )
    from auditrap.cycle import as_of_date, overdue
    from auditrap.safe_csv import write_csv

    folder = Path(processed_dir)
    recommendations = pd.read_parquet(folder / "recommendations.parquet")
    action_plan = pd.read_parquet(folder / "action_plan.parquet")
    if isinstance(as_of, Mapping):
        if as_of.get("problems") and len(recommendations):
            raise StageError(
                "The as-of date of the action plans is the latest `updated` date in the "
                "action plans of the board's audits, and these dates cannot be read:\n"
                + "\n".join(f"  - {p}" for p in as_of["problems"][:10])
                + "\nCorrect them (`auditrap validate data/raw/<audit_id>` checks a folder), "
                "or set as_of in config.yaml."
            )
        day = dt.date.fromisoformat(str(as_of["as_of"])) if as_of.get("as_of") else None
        configured = bool(as_of.get("configured"))
    else:
        configured = bool(as_of)
        day = dt.date.fromisoformat(str(as_of)) if as_of else None
        if day is None:
            others = [_board_action_plan(Path(p)) for p in board_plans]
            day = as_of_date(None, [action_plan, *others])
    tables = {
        "recommendations": published_recommendations(
            recommendations, _theme_titles(Path(theme_counts_path))
        ),
        "action_plan_progress": action_plan_progress(action_plan, day),
        "recommendation_progress": recommendation_progress(recommendations, action_plan, day),
    }
    for path in tables_out:
        write_csv(tables[Path(path).stem], Path(path))
    write_csv(internal_action_plan(recommendations, action_plan, day), Path(internal_out))
    plan = {
        "as_of": None if day is None else day.isoformat(),
        "as_of_from": "config.yaml as_of"
        if configured
        else "the latest updated date in the board's action plans",
        "has_recommendations": bool(len(recommendations)),
        "has_action_plan": bool(len(action_plan)),
        "overdue": int(overdue(action_plan, day).sum()),
    }
    Path(plan_out).write_text(json.dumps(plan, indent=2) + "\n", encoding="utf-8")
    log.info(
        "Recommendations: %d; actions: %d, %d overdue as of %s.",
        len(recommendations),
        len(action_plan),
        plan["overdue"],
        plan["as_of"],
    )


def _board_action_plan(path: Path) -> Any:
    """The typed action plan of another audit of the board, read from its raw files (its
    own analysis checks it in full); a plan with problems stops the run, since the as-of
    date could not be trusted."""
    from auditrap.metadata import load_meta
    from auditrap.problems import ERROR
    from auditrap.validate import load_plan_tables, typed_action_plan

    folder = Path(path).parent
    meta, problems = load_meta(folder / "audit.yaml")
    tables, plan_problems = load_plan_tables(folder, meta)
    errors = [p for p in problems + plan_problems if p.severity == ERROR]
    if errors or "action_plan.csv" not in tables:
        raise StageError(
            f"The as-of date of the action plans is the latest `updated` date in the action "
            f"plans of the board's audits, and the action plan in {folder} has problems:\n"
            + "\n".join(f"  - {p.line()}" for p in errors[:10])
            + f"\nCheck it with `auditrap validate {folder}`, or set as_of in config.yaml."
        )
    return typed_action_plan(tables["action_plan.csv"])


# --- disclosure control ----------------------------------------------------------------------


def disclosure_stage(
    *,
    tables: Sequence[Path],
    policy: Mapping[str, Any],
    tables_out: Sequence[Path],
    summary_out: Path,
) -> None:
    """Hide small counts in the tables to be published (see :mod:`auditrap.disclosure`)."""
    from pydantic import ValidationError

    from auditrap.disclosure import policy_from_settings, protect, published_csv_frame
    from auditrap.safe_csv import read_csv, write_csv

    try:
        applied = policy_from_settings(policy)
    except ValidationError as exc:
        raise StageError(f"The disclosure policy in config.yaml cannot be used: {exc}") from None
    frames = {Path(p).stem: read_csv(Path(p)) for p in tables}
    protected = protect(frames, applied)
    for path in tables_out:
        frame = protected.tables[Path(path).stem]
        write_csv(published_csv_frame(frame, applied.symbol), Path(path))
    Path(summary_out).write_text(
        json.dumps(protected.summary(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    hidden = sum(protected.hidden_cells.values())
    log.info("Disclosure control: %d counts hidden. %s", hidden, applied.describe())


def read_published_tables(paths: Sequence[Path], summary: Path) -> tuple[dict, dict]:
    """The published tables (hidden counts as ``<NA>``) and the disclosure summary."""
    from auditrap.disclosure import COUNT_COLUMNS, read_published
    from auditrap.safe_csv import read_csv

    disclosure = json.loads(Path(summary).read_text(encoding="utf-8"))
    symbol = disclosure["policy"]["symbol"]
    frames = {}
    for path in paths:
        name = Path(path).stem
        frames[name] = read_published(read_csv(Path(path)), symbol, COUNT_COLUMNS.get(name, ()))
    return frames, disclosure


# --- charts ----------------------------------------------------------------------------------


def charts_stage(
    *,
    tables: Mapping[str, Path],
    out_dir: Path,
    charts_json: Path,
    palette: Sequence[str],
    fonts_dir: Path,
    disclosure_path: Path,
) -> None:
    from auditrap import charts

    frames, disclosure = read_published_tables(list(tables.values()), Path(disclosure_path))
    made = {}
    for chart in charts.build_charts(frames, palette, disclosure):
        written = charts.render(chart, Path(out_dir), fonts_dir=Path(fonts_dir))
        made[chart.name] = {
            "title": chart.title,
            "alt": chart.alt,
            **{fmt: p.name for fmt, p in written.items()},
        }
    Path(charts_json).write_text(
        json.dumps(made, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    log.info("Rendered %d charts.", len(made))


# --- variables and report --------------------------------------------------------------------


def variables_stage(
    *,
    meta_path: Path,
    tables: Sequence[Path],
    disclosure_path: Path,
    out: Path,
    review_path: Path | None = None,
    plan_path: Path | None = None,
    context_path: Path | None = None,
) -> None:
    """Write the report's variables from the published tables (hidden counts stay hidden)
    and the status of the theme review (``review_path``, written by :func:`tag_stage`);
    with ``plan_path`` (what the plan step recorded), those of the recommendations and the
    action plan too (when the audit has recommendations); with ``context_path`` (what the
    audit took from its board, :func:`auditrap.earlier.context_stage`), those of its earlier
    audits and of a re-audit."""
    import yaml

    from auditrap.variables import build_variables, plan_variables

    meta = json.loads(Path(meta_path).read_text(encoding="utf-8"))
    frames, disclosure = read_published_tables(tables, Path(disclosure_path))
    review = json.loads(Path(review_path).read_text(encoding="utf-8")) if review_path else None
    variables = build_variables(meta, frames, frames.pop("theme_counts"), disclosure, review)
    if plan_path is not None:
        plan = json.loads(Path(plan_path).read_text(encoding="utf-8"))
        if plan.get("has_recommendations", True):
            variables |= plan_variables(frames, plan, disclosure)
    if context_path is not None:
        from auditrap.earlier import context_variables, theme_entries, with_grades_now

        record = json.loads(Path(context_path).read_text(encoding="utf-8"))
        context = context_variables(
            with_grades_now(record, variables), disclosure["policy"]["symbol"]
        )
        titles = {t: v["title"] for t, v in variables["themes"].items()}
        context["earlier"]["themes"] = theme_entries(record, titles)
        variables |= context
    Path(out).write_text(
        "# The numbers and names the report states, computed from the data by auditrap.\n"
        + yaml.safe_dump(variables, sort_keys=False, allow_unicode=True, width=100),
        encoding="utf-8",
    )
    log.info("Wrote the report variables.")


def lineage_stage(
    *,
    variables_path: Path,
    processed_dir: Path,
    audit_dir: Path,
    out: Path,
    public_out: Path,
    context_path: Path | None = None,
    programme_path: Path | None = None,
    raw_dir: Path | None = None,
) -> None:
    """Write lineage.csv: for every number of the report, where it came from (in full for
    the internal edition, and as it may be published beside the public one). With
    ``context_path``, the numbers the audit took from its board too (their input files are
    ``programme_path`` and the other audits' folders under ``raw_dir``)."""
    import pandas as pd
    import yaml

    from auditrap.lineage import public_lineage, trace
    from auditrap.safe_csv import write_csv

    folder = Path(processed_dir)
    variables = yaml.safe_load(Path(variables_path).read_text(encoding="utf-8"))
    table = trace(
        variables,
        cases=pd.read_parquet(folder / "cases.parquet"),
        returns=pd.read_parquet(folder / "returns.parquet"),
        actions=pd.read_parquet(folder / "actions.parquet"),
        tags=pd.read_parquet(folder / "theme_tags.parquet"),
        case_grades=pd.read_parquet(folder / "case_grades.parquet"),
        audit_dir=Path(audit_dir),
        sentence_tags=(
            pd.read_parquet(folder / "theme_sentences.parquet")
            if (folder / "theme_sentences.parquet").is_file()
            else None
        ),
        recommendations=_read_if_there(folder / "recommendations.parquet"),
        action_plan=_read_if_there(folder / "action_plan.parquet"),
    )
    if context_path is not None:
        from auditrap.earlier import context_lineage

        record = json.loads(Path(context_path).read_text(encoding="utf-8"))
        added = pd.DataFrame(
            context_lineage(
                variables,
                record,
                audit_dir=Path(audit_dir),
                cases=pd.read_parquet(folder / "cases.parquet"),
                processed_dir=folder,
                programme_path=Path(programme_path) if programme_path else None,
                raw_dir=Path(raw_dir) if raw_dir else Path(audit_dir).parent,
            ),
            columns=table.columns,
            # Counts stay whole numbers beside a p-value (a float column would write 4.0).
            dtype=object,
        )
        kept = table[~table["id"].isin(set(added["id"]))].astype({"value": object})
        table = pd.concat([kept, added], ignore_index=True)
    write_csv(table, Path(out))
    write_csv(public_lineage(table), Path(public_out))
    log.info("Traced %d numbers.", table["id"].nunique())


def _read_if_there(path: Path) -> Any:
    import pandas as pd

    return pd.read_parquet(path) if Path(path).is_file() else None


def render_stage(
    *,
    variables_path: Path,
    theme_counts_path: Path,
    figures: Sequence[Path],
    charts_json: Path,
    narrative: Sequence[Path],
    meta_path: Path,
    build_dir: Path,
    report_dir: Path,
    html_out: Path,
    pdf_out: Path,
    engine: str,
    accessibility: Mapping[str, str],
    internal: Mapping[str, Path] | None = None,
    sources: Sequence[Path] = (),
    audit_dir: Path | None = None,
    engine_out: Path | None = None,
    briefing: Mapping[str, Path] | None = None,
    context_path: Path | None = None,
    context_figures: Path | None = None,
    technical_out: Path | None = None,
    glossary: Sequence[Path] = (),
    to_be_written_out: Path | None = None,
    settings: Mapping[str, Any] | None = None,
) -> None:
    """Render the public edition and, given ``internal`` (the case-level tables and the
    internal outputs), the board's internal edition from the same document; given
    ``briefing`` (its ``build_dir``, ``html`` and ``pdf``), the one-page learning brief with
    the same engine (:func:`auditrap.briefing.briefing_stage`). ``sources``
    are the input files listed, with their hashes, in "How this report was made" (the
    technical note, ``technical_out``, published beside the report, and the internal
    edition's appendix); ``accessibility`` is the ``accessibility`` block of config.yaml
    (its ``contact``). ``glossary`` are the board's glossary and the audit's own, when they
    exist (the report lists the terms its text uses). ``context_path`` and
    ``context_figures`` are what the audit took from its board
    (:func:`auditrap.earlier.context_stage`): its comparison chart, when it has one.
    ``engine`` is config.yaml's ``engine``; the engine that renders (and its Quarto version)
    is stated in the technical note and, given ``engine_out``, written there as JSON for the
    manifest.

    The sections still "to be written" are recorded in ``to_be_written_out`` (see
    :mod:`auditrap.readiness`); the internal edition opens with the audit's publisher
    warnings, from ``settings`` (the workflow's configuration), under "Before publishing".

    The narrative (its ``.md`` sections and pictures) is checked first, whichever engine
    renders it: see :func:`check_narrative_stage`."""

    import yaml

    from auditrap.document import assemble, provenance_part
    from auditrap.provenance import environment, sha256
    from auditrap.render.engine import RenderError, render_report, resolve_engine
    from auditrap.render.shortcodes import ShortcodeError

    check_narrative_stage(audit_dir=audit_dir, narrative=narrative)
    try:
        chosen = resolve_engine(engine)
    except RenderError as exc:
        raise StageError(f"The report could not be rendered: {exc}") from None
    variables = yaml.safe_load(Path(variables_path).read_text(encoding="utf-8"))
    titles = _theme_titles(Path(theme_counts_path))
    meta = json.loads(Path(meta_path).read_text(encoding="utf-8"))
    published = dt.date.fromisoformat(meta["published"])
    inputs = {Path(p).as_posix(): sha256(Path(p)) for p in sorted(sources, key=str)}
    made_with = environment(Path.cwd() / "requirements.lock")
    parts = dict(
        report_dir=Path(report_dir),
        variables=variables,
        narrative_files=[Path(p) for p in narrative],
        figure_files=[Path(p) for p in figures]
        + (sorted(Path(context_figures).glob("*.svg")) if context_figures else []),
        theme_titles=titles,
        charts=json.loads(Path(charts_json).read_text(encoding="utf-8"))
        | _context_charts(context_path),
        accessibility=accessibility,
        provenance=provenance_part(
            meta["audit_id"], inputs, made_with, chosen.description, pandoc=chosen.pandoc_version
        ),
        glossary=read_glossary(glossary),
    )
    if technical_out is not None:
        from auditrap.technical import technical_note

        note = technical_note(
            variables,
            inputs=inputs,
            environment=made_with,
            engine=chosen.description,
            pandoc=chosen.pandoc_version,
        )
        _replace(note.encode("utf-8"), Path(technical_out))
    # The learning brief first: its sections still to be written are then recorded before
    # the internal edition lists the publisher warnings ("Before publishing").
    if briefing is not None:
        from auditrap.briefing import briefing_stage

        briefing_stage(
            variables_path=variables_path,
            theme_counts_path=theme_counts_path,
            meta_path=meta_path,
            narrative=narrative,
            report_dir=report_dir,
            build_dir=briefing["build_dir"],
            html_out=briefing["html"],
            pdf_out=briefing["pdf"],
            engine=chosen,
            accessibility=accessibility,
            to_be_written_out=briefing.get("to_be_written"),
        )
    editions = [(Path(build_dir), None, Path(html_out), Path(pdf_out))]
    if internal is not None:
        editions.append(
            (
                Path(internal["build_dir"]),
                Path(internal["appendix"]).read_text(encoding="utf-8"),
                Path(internal["html"]),
                Path(internal["pdf"]),
            )
        )
    for folder, appendix, html, pdf in editions:
        front = ""
        if appendix is not None:
            front = _internal_front(meta["audit_id"], variables, settings, accessibility)
        assemble(folder, internal=appendix, front=front, **parts)
        if appendix is None and to_be_written_out is not None:
            from auditrap.document import to_be_written_in
            from auditrap.readiness import record_to_be_written

            record_to_be_written(to_be_written_out, "the report", to_be_written_in(folder))
        try:
            render_report(
                folder,
                html_out=html,
                pdf_out=pdf,
                assets_dir=Path(report_dir),
                timestamp=dt.datetime(
                    published.year, published.month, published.day, tzinfo=dt.UTC
                ),
                engine=chosen,
            )
        except (RenderError, ShortcodeError) as exc:
            raise StageError(f"The report could not be rendered: {exc}") from None
        log.info("Rendered %s and %s with the %s engine.", html, pdf, chosen.description)
    if engine_out is not None:
        Path(engine_out).write_text(json.dumps(chosen.record(), sort_keys=True) + "\n")


def _context_charts(context_path: Path | None) -> dict[str, Any]:
    from auditrap.earlier import context_charts

    return context_charts(None, context_path)


def _internal_front(
    audit_id: str,
    variables: Mapping[str, Any],
    settings: Mapping[str, Any] | None,
    accessibility: Mapping[str, str],
) -> str:
    """The internal edition's opening: not for publication, and "Before publishing" with
    the audit's publisher warnings (read after the public edition recorded its notes)."""
    from auditrap.editions import internal_front
    from auditrap.readiness import publisher_warnings

    config = {"accessibility": dict(accessibility), **dict(settings or {})}
    return internal_front(audit_id, publisher_warnings(audit_id, config), variables.get("review"))


def read_glossary(paths: Sequence[Path]) -> Any:
    """The board's glossary and the audit's own (``paths``: the board's first; a file not
    there is skipped), checked: a problem stops the render, each named with its file, entry
    and key."""
    from auditrap.glossary import load_glossary
    from auditrap.problems import ERROR

    shown = [(Path(p), Path(p).as_posix()) for p in paths]
    glossary, problems = load_glossary(shown)
    for warning in (p for p in problems if p.severity != ERROR):
        log.warning("Warning: %s", warning.line())
    errors = [p for p in problems if p.severity == ERROR]
    if errors:
        raise StageError(
            "The glossary cannot be used as it is, so nothing was published:\n"
            + "\n".join(f"  - {p.line()}" for p in errors)
            + "\nCorrect the files named above (data/glossary.yaml explains its layout) and "
            "run the report again."
        )
    return glossary


def check_narrative_stage(*, audit_dir: Path | None, narrative: Sequence[Path]) -> None:
    """Refuse links in the audit's folder and anything in the narrative that the allow-list
    of :mod:`auditrap.narrative` does not allow (raw HTML, raw blocks, code, links other
    than https:, pictures that are not beside it...), naming each file and line; log the
    warnings (direction controls taken out). Runs before the narrative is read for the
    build, whichever engine renders."""
    from auditrap.audit_folder import check_audit_folder
    from auditrap.narrative import NarrativeError, check_narrative
    from auditrap.problems import ERROR

    folder = Path(audit_dir) if audit_dir else None
    problems = check_audit_folder(folder) if folder else []
    if not problems:
        try:
            problems = check_narrative([Path(p) for p in narrative])
        except NarrativeError as exc:
            raise StageError(str(exc)) from None
    for warning in (p for p in problems if p.severity != ERROR):
        log.warning("Warning: %s", warning.line())
    errors = [p for p in problems if p.severity == ERROR]
    if errors:
        where = f" ({folder.as_posix()})" if folder else ""
        raise StageError(
            f"The narrative{where} cannot be published as it is, so nothing was published:\n"
            + "\n".join(f"  - {p.line()}" for p in errors)
            + "\nSee docs/narrative.md for what the narrative can hold, correct the files "
            "named above and run the report again."
        )


def _theme_titles(theme_counts: Path) -> dict[str, str]:
    """Each theme's title by its id, from theme_counts.csv."""
    import csv

    with theme_counts.open(encoding="utf-8", newline="") as handle:
        return {row["theme_id"]: row["theme"] for row in csv.DictReader(handle)}


def appendix_stage(
    *,
    case_grades_path: Path,
    returns_path: Path,
    theme_tags_path: Path,
    actions_path: Path,
    theme_counts_path: Path,
    out: Path,
    theme_sentences_path: Path | None = None,
    max_rows: int | None = None,
) -> None:
    """Write the internal edition's case-level appendix (Markdown, every value escaped) from
    the case-level tables, for the render step to include; ``theme_sentences_path`` (every
    sentence tag and its decision) gives the list of suggestions not yet reviewed, and a
    part longer than ``max_rows`` is summarised (:func:`auditrap.document.internal_appendix`)."""
    import pandas as pd

    from auditrap.document import internal_appendix

    titles = _theme_titles(Path(theme_counts_path))
    returns = pd.read_parquet(returns_path, columns=["case_id", "agency", "grade"])
    text = internal_appendix(
        pd.read_parquet(case_grades_path),
        returns.astype(str),
        pd.read_parquet(theme_tags_path),
        pd.read_parquet(actions_path),
        titles,
        pd.read_parquet(theme_sentences_path) if theme_sentences_path else None,
        max_rows=max_rows,
    )
    Path(out).write_text(text, encoding="utf-8")
    log.info("Wrote the internal edition's case-level appendix.")


def _listing(variables_path: Path) -> dict[str, Any]:
    """What the programme page shows of one audit, from its report variables: recorded in
    the audit's manifest, so that the page can list every published audit from its
    published folder alone."""
    import yaml

    variables = yaml.safe_load(Path(variables_path).read_text(encoding="utf-8"))
    audit = variables["audit"]
    return {
        "title": audit["title"],
        "board": audit["board"],
        "period": str(audit["period"]),
        "published": audit["published"],
        "published_iso": str(audit["published_iso"]),
        "cases": variables["cases"]["total"],
    }


def published_audits(output_dir: Path) -> tuple[list, list[str]]:
    """Every audit published under ``output_dir`` (a folder with a manifest.json recording
    what the programme page shows), whichever run built it; and a note for each folder that
    could not be listed."""
    from auditrap.programme import PublishedAudit
    from auditrap.tables import PUBLISHED_TABLES

    audits, notes = [], []
    folders = sorted(Path(output_dir).iterdir()) if Path(output_dir).is_dir() else []
    for folder in folders:
        manifest_path = folder / "manifest.json"
        if folder.name.startswith(".") or not manifest_path.is_file() or folder.is_symlink():
            continue
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
            listing = manifest["publication"]
            if manifest["audit_id"] != folder.name:
                raise KeyError("audit_id")
            outputs = manifest["outputs"]
            audits.append(
                PublishedAudit(
                    audit_id=folder.name,
                    title=listing["title"],
                    board=listing["board"],
                    period=str(listing["period"]),
                    published=listing["published"],
                    published_iso=str(listing["published_iso"]),
                    cases=listing["cases"],
                    tables=tuple(t for t in PUBLISHED_TABLES if f"data/{t}.csv" in outputs),
                    briefing=f"{folder.name}-briefing.html" in outputs,
                )
            )
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            notes.append(
                f"{folder} is not listed on the programme page: its manifest.json does not "
                "say what to list (it was built by an older version of auditrap, or edited). "
                "Build that audit again to list it."
            )
    return audits, notes


def published_boards(output_dir: Path) -> tuple[list, list[str]]:
    """Every board's assurance report published under ``output_dir``/boards (a folder with a
    manifest.json recording what the programme page shows), and a note for each folder that
    could not be listed."""
    from auditrap.programme import PublishedBoard

    boards, notes = [], []
    base = Path(output_dir) / "boards"
    folders = sorted(base.iterdir()) if base.is_dir() else []
    for folder in folders:
        manifest_path = folder / "manifest.json"
        if folder.name.startswith(".") or not manifest_path.is_file() or folder.is_symlink():
            continue
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
            listing = manifest["publication"]
            if manifest.get("kind") != "board" or listing["slug"] != folder.name:
                raise KeyError("slug")
            boards.append(
                PublishedBoard(
                    slug=folder.name,
                    name=str(listing["name"]),
                    audits=int(listing["audits"]),
                    first=int(listing["first"]),
                    last=int(listing["last"]),
                    published=str(listing["published"]),
                    published_iso=str(listing["published_iso"]),
                )
            )
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            notes.append(
                f"{folder} is not listed on the programme page: its manifest.json does not "
                "say what to list. Build that board's audits again to list it."
            )
    return boards, notes


def write_programme(
    *, output_dir: Path, build_dir: Path, engine: str, root: Path | None = None
) -> dict[str, Any]:
    """Make the programme page listing every audit published under ``output_dir``, and its
    manifest, in ``build_dir`` (``index.html``, ``manifest.json``); return the manifest.
    Also what ``verify --rebuild`` runs to check a published programme page."""
    from auditrap.gate import html_pieces, scan_pieces
    from auditrap.programme import programme_page
    from auditrap.provenance import page_manifest, write_manifest

    output_dir, build_dir = Path(output_dir), Path(build_dir)
    root = Path.cwd() if root is None else Path(root)
    audits, notes = published_audits(output_dir)
    boards, board_notes = published_boards(output_dir)
    for note in notes + board_notes:
        log.warning("%s", note)
    page = programme_page(audits, boards)
    findings = scan_pieces(html_pieces(page), "index.html")
    if findings:
        raise StageError(
            "The programme page would publish what look like identifiers (in an audit's "
            "title, board or period), so it was not written:\n"
            + "\n".join(f"  - {f.kind} ({f.masked})" for f in findings)
        )
    build_dir.mkdir(parents=True, exist_ok=True)
    _replace(page.encode("utf-8"), build_dir / "index.html")
    manifest = page_manifest(
        kind="programme",
        root=root,
        inputs=[output_dir / a.audit_id / "manifest.json" for a in audits]
        + [output_dir / "boards" / b.slug / "manifest.json" for b in boards],
        outputs={"index.html": build_dir / "index.html"},
        engine=engine,
        lock_file=root / "requirements.lock",
    )
    write_manifest(manifest, build_dir / "manifest.json")
    log.info("Listed %d audits.", len(audits))
    return manifest


def programme_stage(
    *, output_dir: Path, build_dir: Path, receipt: Path, engine: str = "auto"
) -> None:
    """Publish the programme page, ``<output_dir>/index.html``, listing every audit published
    under ``output_dir`` (read from each published manifest, so that an audit built by an
    earlier run, with another config file, is listed too), with its own manifest,
    ``<output_dir>/manifest.json`` (:func:`write_programme`); then the ``receipt`` of both."""
    from auditrap.publish import PublishError, publish_files, write_receipt

    output_dir, build_dir = Path(output_dir), Path(build_dir)
    write_programme(output_dir=output_dir, build_dir=build_dir, engine=engine)
    try:
        publish_files(
            output_dir,
            {build_dir / "index.html": "index.html", build_dir / "manifest.json": "manifest.json"},
        )
        write_receipt(Path(receipt), output_dir, names=["index.html", "manifest.json"])
    except PublishError as exc:
        raise StageError(str(exc)) from None


def published_files(files: Any, audit_id: str) -> dict[Path, str]:
    """Each finished file of one audit, mapped to the name it is published under (relative to
    ``report/_output/<audit_id>/``). ``files`` has these names as attributes: the named
    input of the record and publish rules, which share these names."""
    names = {
        "html": f"{audit_id}.html",
        "pdf": f"{audit_id}.pdf",
        "briefing_html": f"{audit_id}-briefing.html",
        "briefing_pdf": f"{audit_id}-briefing.pdf",
        "technical": f"{audit_id}-technical.html",
        "internal_html": f"internal/{audit_id}-internal.html",
        "internal_pdf": f"internal/{audit_id}-internal.pdf",
        "case_grades": "internal/data/case_grades.csv",
        "theme_tags": "internal/data/theme_tags.csv",
        "lineage": "data/lineage.csv",
        "internal_lineage": "internal/data/lineage.csv",
    }
    found = {Path(getattr(files, key)): name for key, name in names.items()}
    found.update({Path(p): f"data/{Path(p).name}" for p in files.tables})
    # An audit with recommendations also publishes them and its action plan's progress.
    found.update({Path(p): f"data/{Path(p).name}" for p in getattr(files, "plan_tables", [])})
    return found


def record_stage(
    *,
    files: Mapping[Path, str],
    audit_id: str,
    inputs: Sequence[Path],
    meta_path: Path,
    manifest_out: Path,
    engine: str,
    disclosure_check_path: Path,
    names_path: Path | None = None,
    engine_record_path: Path | None = None,
    variables_path: Path | None = None,
    config_files: Sequence[Path] = (),
    final: bool = False,
    settings: Mapping[str, Any] | None = None,
    context_path: Path | None = None,
) -> None:
    """Check the finished files and record the build, before anything is published.

    The publication gate scans every public file for identifiers and makes sure every public
    table is one the small-count check passed (``disclosure_check_path``, written by
    :func:`check_disclosure_stage`); then the manifest records the hashes of every input and
    output. A failure here stops the run with the published folder as it was (Snakemake
    removes a failed job's outputs, so this must not be the publishing job itself).
    ``context_path`` is what the audit took from its board (recorded as ``board``).
    ``engine_record_path`` is what the render step wrote about the engine that rendered
    (:func:`render_stage`'s ``engine_out``); without it, ``engine`` is recorded as given. The
    audit's publisher warnings (:func:`auditrap.readiness.publisher_warnings`, from
    ``settings``, the workflow's configuration) are logged; in a ``final`` build they stop it.
    """
    from auditrap.gate import public_pieces, scan_pieces
    from auditrap.provenance import ManifestError, build_manifest, write_manifest
    from auditrap.readiness import publisher_warnings

    warnings = publisher_warnings(audit_id, settings or {}) if settings is not None else []
    for warning in warnings:
        log.warning("Publisher warning: %s", warning)
    if final and warnings:
        raise StageError(
            f"This is a final build, and '{audit_id}' has publisher warnings, so nothing was "
            "published:\n"
            + "\n".join(f"  - {w}" for w in warnings)
            + "\nPut them right and run the final build again."
        )

    public = [(path, name) for path, name in files.items() if not name.startswith("internal/")]
    internal = [(path, name) for path, name in files.items() if name.startswith("internal/")]
    pieces = {name: public_pieces(Path(path)) for path, name in public}
    _check_no_internal_file_is_public(public, internal, pieces, audit_id)
    _check_tables_were_checked(public, Path(disclosure_check_path), audit_id)
    from auditrap.redact import read_name_list

    names = read_name_list(Path(names_path) if names_path else None)
    findings = [f for name, read in pieces.items() for f in scan_pieces(read, name, names)]
    refuse_identifiers(
        findings,
        f"The public edition of '{audit_id}' contains what look like identifiers",
        "\nRemove them from the narrative or the data and run the report again.",
    )
    root = Path.cwd()
    try:
        manifest = build_manifest(
            audit_id=audit_id,
            root=root,
            inputs=[Path(p) for p in inputs],
            outputs={name: Path(path) for path, name in files.items()},
            audit_meta=json.loads(Path(meta_path).read_text(encoding="utf-8")),
            engine=json.loads(Path(engine_record_path).read_text(encoding="utf-8"))
            if engine_record_path
            else {"engine": engine, "quarto": None},
            lock_file=root / "requirements.lock",
            publication=_listing(Path(variables_path)) if variables_path else None,
            config_files=[Path(p) for p in config_files],
        )
    except ManifestError as exc:
        raise StageError(f"The build of '{audit_id}' cannot be recorded: {exc}") from None
    if context_path is not None:
        # What the audit took from its board, beyond its own folder (``verify --rebuild``
        # makes it again from the board's folders and programme.yaml).
        context = json.loads(Path(context_path).read_text(encoding="utf-8"))
        manifest["board"] = {k: v for k, v in context.items() if k != "charts"}
    refuse_identifiers_in_manifest(
        manifest,
        names,
        f"The manifest of '{audit_id}' would publish what look like identifiers (in "
        "audit.yaml or a file name)",
    )
    write_manifest(manifest, Path(manifest_out))
    log.info("Checked %d public files; recorded the build.", len(public))


def check_disclosure_stage(
    *, tables: Sequence[Path], summary: Path, audit_id: str, out: Path
) -> None:
    """No count the disclosure policy hides may be shown in a table to be published: the
    finished CSVs are read back and checked cell by cell. ``out`` records the SHA-256 of each
    table checked, so that the publication gate (:func:`record_stage`) can refuse a table
    that changed afterwards."""
    from auditrap.disclosure import policy_from_settings, small_counts_shown
    from auditrap.provenance import sha256
    from auditrap.safe_csv import read_csv

    policy = policy_from_settings(json.loads(Path(summary).read_text(encoding="utf-8"))["policy"])
    shown = []
    for path in tables:
        shown += small_counts_shown(read_csv(Path(path)), Path(path).stem, policy)
    if shown:
        raise StageError(
            f"The published tables of '{audit_id}' show counts that the disclosure policy "
            "hides, so nothing was published:\n"
            + "\n".join(f"  - {s}" for s in shown)
            + "\nThis is a fault of auditrap, not of the data: please report it."
        )
    checked = {Path(p).name: sha256(Path(p)) for p in sorted(tables, key=lambda p: Path(p).name)}
    Path(out).write_text(json.dumps({"checked": checked}, indent=2) + "\n", encoding="utf-8")
    log.info("Checked %d tables for small counts left shown.", len(checked))


def _check_no_internal_file_is_public(
    public: Sequence[tuple[Path, str]],
    internal: Sequence[tuple[Path, str]],
    pieces: Mapping[str, Any],
    audit_id: str,
) -> None:
    """No file of the internal edition (or anything marked as one) may be in the public
    part: a copy made by hand, a renamed table or a marking in the narrative all stop here."""
    from auditrap.gate import internal_files_in_public

    found = internal_files_in_public(public, internal, dict(pieces))
    if found:
        raise StageError(
            f"The public edition of '{audit_id}' holds the internal edition, which must never "
            "be published, so nothing was published:\n"
            + "\n".join(f"  - {f}." for f in found)
            + "\nThe internal edition (internal/ in the published folder) holds case-level "
            "detail for the board only: never copy or rename its files into the public part. "
            f"Delete data/processed/{audit_id}/rendered/ and run the report again, which "
            "renders the public edition afresh; if the narrative or audit.yaml says "
            '"OFFICIAL-SENSITIVE", take it out: that marking is the internal edition\'s alone.'
        )


def _check_tables_were_checked(
    public: Sequence[tuple[Path, str]], record: Path, audit_id: str
) -> None:
    """Every public table must be byte for byte one the small-count check passed."""
    from auditrap.provenance import sha256

    checked = json.loads(Path(record).read_text(encoding="utf-8"))["checked"]
    unchecked = [
        name
        for path, name in public
        if name.startswith("data/")
        and name.endswith(".csv")
        and checked.get(Path(name).name) != sha256(Path(path))
    ]
    if unchecked:
        raise StageError(
            f"These tables of '{audit_id}' are not the ones checked for small counts (they "
            "changed after the check, or were never checked), so nothing was published: "
            + ", ".join(unchecked)
            + ". Do not edit the files under data/processed by hand; delete data/processed/"
            f"{audit_id}/ and run the report again."
        )


def publish_stage(*, files: Mapping[Path, str], output_dir: Path, receipt: Path) -> None:
    """Publish the checked, recorded files as the folder ``output_dir``, atomically (see
    :func:`auditrap.publish.publish_folder`), then write the ``receipt`` of what was
    published. Nothing here can fail for a reason of the data: that was all checked before;
    a full disk stops it with a plain message and the previous publication intact."""
    from auditrap.publish import PublishError, publish_folder, write_receipt

    try:
        publish_folder(Path(output_dir), files)
        write_receipt(Path(receipt), Path(output_dir))
    except PublishError as exc:
        raise StageError(str(exc)) from None
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
            raise StageError(
                f"There is not enough space on the disk to record the publication of "
                f"{output_dir} ({exc.strerror}); it was published and will be checked again "
                "on the next run. Free some space and run the report again."
            ) from None
        raise
    log.info("Published %d files as %s.", len(files), output_dir)


def _replace(data: bytes, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    partial.write_bytes(data)
    os.replace(partial, target)
