# Configuration checks and the input functions shared by the rules.
import datetime
import functools
import os
import shutil
from pathlib import Path

from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

# A date written unquoted in YAML (as_of: 2019-09-01) is read as a date: JSON Schema wants text.
for _key, _value in list(config.items()):
    if isinstance(_value, datetime.date):
        config[_key] = _value.isoformat()
validate(config, schema="../schemas/config.schema.yaml", set_default=True)
if config.get("as_of"):
    try:
        datetime.date.fromisoformat(config["as_of"])
    except ValueError:
        raise WorkflowError(
            f"as_of in config.yaml, {config['as_of']}, is not a real date: check the day "
            "and month (YYYY-MM-DD), or remove the key to use the latest date the action "
            "plans were updated."
        )

from auditrap.palette import SEQUENTIAL_PALETTE, palette_problems

# The default palette's checks are in the tests; any other is checked here (about 0.4 s).
if tuple(config["palette"]) != SEQUENTIAL_PALETTE and (
    _palette_problems := palette_problems(config["palette"])
):
    raise WorkflowError(
        "The chart colours in config.yaml (palette) cannot be used:\n"
        + "".join(f"  - {problem}.\n" for problem in _palette_problems)
        + "Give four colours, from Outstanding to Inadequate, each darker than the one "
        "before, or remove palette to use the default."
    )

for _audit_id in config["audits"]:
    if not Path(config["raw_dir"], _audit_id, "audit.yaml").is_file():
        raise WorkflowError(
            f"The audit '{_audit_id}' listed in config.yaml has no folder "
            f"{Path(config['raw_dir'], _audit_id)}/ with an audit.yaml. Check the spelling of "
            "the audit id, or add the folder (see README: How to add an audit)."
        )

RAW = Path(config["raw_dir"])
PROCESSED = Path(config["processed_dir"])
OUTPUT = Path(config["output_dir"])
REPORT = Path(config["report_dir"])


wildcard_constraints:
    audit_id=r"[a-z0-9][a-z0-9-]{0,63}",


# The aggregate tables behind every figure and number; each is published as data/<name>.csv.
from auditrap.tables import (
    AGGREGATE_TABLES,
    PLAN_TABLES,
    PUBLISHED_TABLES,
    REVIEW_FILES,
    disclosure_settings,
    final_without_review,
)

# Each chart is drawn wide (the PDF, wide screens) and narrow (phones): see charts.py.
CHARTS = [
    "grade-distribution",
    "grade-distribution-narrow",
    "grades-by-area",
    "grades-by-area-narrow",
]
CONFIG_FILES = [str(p) for p in workflow.configfiles]
FONTS = sorted(str(p) for p in (REPORT / "fonts").glob("*.ttf"))
# The package the scripts call: every step depends on it, so that a change to the code
# rebuilds what it made (Snakemake tracks the scripts' own code, not what they import).
# Relative to the working directory, as every path of the workflow is, so that a cluster job
# or a container that mounts the project elsewhere reads the same files.
PACKAGE_FILES = sorted(
    os.path.relpath(p) for p in Path(workflow.basedir, "src", "auditrap").rglob("*.py")
)
# Each step depends on one file that records them all (rule record_code_version), not on
# each module: Snakemake checks every input of every waiting job at each scheduling round,
# and thirty inputs more for every job made a build of many audits slow.
PACKAGE = str(PROCESSED / "code-version.txt")


def memory_mb(base_mb):
    """A job's memory for a cluster scheduler: ``base_mb``, plus 20 MB for each MB of input
    (an audit of 100,000 returns, 40 MB of CSV, peaks at about 1.25 GB in the analysis job:
    see docs/performance.md), and as much again on each retry."""

    def memory(wildcards, input, attempt):
        return int((base_mb + 20 * input.size_mb) * attempt)

    return memory


def get_raw_inputs(wildcards):
    """Every raw file of one audit (returns/*.xlsx, recommendations and the action plan
    included), so that any edit re-runs."""
    folder = RAW / wildcards.audit_id
    files = [folder / "audit.yaml", folder / "cases.csv", folder / "actions.csv"]
    files += sorted(folder.glob("returns.csv")) + sorted(folder.glob("returns/*.xlsx"))
    files += [folder / name for name in ("recommendations.csv", *ACTION_PLAN_FILES)]
    return [str(f) for f in files if f.exists()] or [str(folder / "audit.yaml")]


# Where an audit's action plan may be: action_plan.csv, or the workbook the leads update.
ACTION_PLAN_FILES = ("action_plan.csv", "action_plan.xlsx")
# The audits with recommendations: their analysis also writes the recommendations and the
# action plan's progress (rule analyse_audit_with_plan). Found when the workflow is read, so
# adding recommendations.csv to an audit switches it over on the next run.
PLAN_AUDITS = sorted(p.parent.name for p in RAW.glob("*/recommendations.csv"))
_PLAN_IDS = "|".join(PLAN_AUDITS) or "(?!)"
PLAN_AUDIT = rf"(?:{_PLAN_IDS})"
NO_PLAN_AUDIT = rf"(?!(?:{_PLAN_IDS})(?![a-z0-9-]))[a-z0-9][a-z0-9-]{{0,63}}"


@functools.cache
def _board_of(audit_id):
    """The board text of an audit's audit.yaml (None when it cannot be read: the audit's own
    validation says why)."""
    import yaml

    try:
        meta = yaml.safe_load(
            (RAW / audit_id / "audit.yaml").read_text(encoding="utf-8-sig")
        )
        return str(meta["board"]).strip()
    except Exception:
        return None


def get_board_action_plans(wildcards):
    """The action plans of the other audits (with a data folder) of this audit's board: the
    as-of date of the action plans is the latest date any of them was updated, unless
    config.yaml sets as_of."""
    if config.get("as_of") or wildcards.audit_id not in PLAN_AUDITS:
        return []
    board = _board_of(wildcards.audit_id)
    plans = []
    for folder in sorted(p for p in RAW.iterdir() if p.is_dir()):
        if (
            folder.name != wildcards.audit_id
            and board
            and _board_of(folder.name) == board
        ):
            plans += [
                str(folder / n) for n in ACTION_PLAN_FILES if (folder / n).is_file()
            ]
    return plans


def get_taxonomy_inputs(wildcards):
    extension = RAW / wildcards.audit_id / "themes.yaml"
    return [config["taxonomy"]] + ([str(extension)] if extension.exists() else [])


def get_glossary_inputs(wildcards):
    """The board's glossary and the audit's own, those that exist (the board's first)."""
    files = [Path(config["glossary"]), RAW / wildcards.audit_id / "glossary.yaml"]
    return [str(f) for f in files if f.is_file()]


def get_plan_tables(wildcards):
    """The published recommendations and action-plan progress of an audit that has them."""
    if wildcards.audit_id not in PLAN_AUDITS:
        return []
    return [
        str(PROCESSED / wildcards.audit_id / "published" / f"{name}.csv")
        for name in PLAN_TABLES
    ]


def get_review_file(wildcards):
    """The analyst's review of the theme tags (theme_review.xlsx or .csv), when there is one."""
    folder = RAW / wildcards.audit_id
    return [str(folder / name) for name in REVIEW_FILES if (folder / name).is_file()]


def get_final_without_review(wildcards):
    """Whether this audit may be final with theme suggestions unreviewed (config.yaml)."""
    return final_without_review(config, wildcards.audit_id)


def get_name_list(wildcards):
    """The audit's list of names to redact, when it has one. It is kept under private_dir,
    never in the published folder (see docs/redaction.md)."""
    path = Path(config["private_dir"], wildcards.audit_id, "names.txt")
    return [str(path)] if path.is_file() else []


def get_disclosure_policy(wildcards):
    """The disclosure policy of one audit: config.yaml's, with the audit's own settings."""
    return disclosure_settings(config, wildcards.audit_id)


def get_narrative(wildcards):
    """The narrative's sections (*.md) and the pictures beside them (docs/narrative.md)."""
    from auditrap.narrative import narrative_files

    return [str(p) for p in narrative_files(RAW / wildcards.audit_id / "narrative")]


def get_report_templates(wildcards):
    """The shared document and everything it is rendered with."""
    files = [p for p in REPORT.rglob("*") if p.is_file() and "_output" not in p.parts]
    return sorted(str(p) for p in files)


def get_audit_sources(wildcards):
    """Every source file of one audit's report: the publish step depends on them directly.

    Snakemake keeps a job's existing outputs when only its inputs are missing, so after a
    failure (see forget_rendered_reports) the published report must itself be out of date
    with the changed source for the next run to walk the chain back to the failing step.
    """
    return sorted(
        set(get_raw_inputs(wildcards))
        | set(get_taxonomy_inputs(wildcards))
        | set(get_review_file(wildcards))
        | set(get_glossary_inputs(wildcards))
        | set(get_narrative(wildcards))
        | set(get_report_templates(wildcards))
    )


def forget_rendered_reports():
    """After a failed run, remove the rendered (not yet published) reports.

    Snakemake removes the outputs of a failed job but keeps the files made from them earlier.
    Without this, the next run would publish the old rendered report for the changed input.
    With the rendered reports gone, it must rebuild them from the start of the chain, and it
    fails again for as long as the input is wrong. Published files are never touched.
    """
    for rendered in PROCESSED.glob("*/rendered"):
        shutil.rmtree(rendered, ignore_errors=True)


def get_published_outputs():
    outputs = [str(OUTPUT / "index.html")]
    for audit_id in config["audits"]:
        folder = OUTPUT / audit_id
        outputs += [str(folder / f"{audit_id}.html"), str(folder / f"{audit_id}.pdf")]
        outputs += [str(folder / f"{audit_id}-technical.html")]
        outputs += [str(folder / "data" / f"{name}.csv") for name in PUBLISHED_TABLES]
        if audit_id in PLAN_AUDITS:
            outputs += [str(folder / "data" / f"{name}.csv") for name in PLAN_TABLES]
        outputs += [str(folder / "internal" / f"{audit_id}-internal.html")]
        outputs += [str(folder / "manifest.json")]
    return outputs
