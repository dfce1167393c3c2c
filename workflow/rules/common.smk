# Configuration checks and the input functions shared by the rules.
import datetime
import functools
import os
import shutil
import sys
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


from auditrap.audit_folder import returns_files

# The aggregate tables behind every figure and number; each is published as data/<name>.csv.
from auditrap.tables import (
    AGGREGATE_TABLES,
    CONTEXT_TABLES,
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
# Relative to the project where they are inside it (the stamps and manifests are the same on
# any machine); a --configfile outside it is refused by the manifest (auditrap.provenance).
CONFIG_FILES = [
    (
        os.path.relpath(p)
        if Path(p).resolve().is_relative_to(Path.cwd().resolve())
        else str(p)
    )
    for p in workflow.configfiles
]
FONTS = sorted(str(p) for p in (REPORT / "fonts").glob("*.ttf"))
# The package the scripts call: every step depends on it, so that a change to the code
# rebuilds what it made (Snakemake tracks the scripts' own code, not what they import).
# Relative to the working directory, as every path of the workflow is, so that a cluster job
# or a container that mounts the project elsewhere reads the same files.
PACKAGE_FILES = sorted(
    os.path.relpath(p) for p in Path(workflow.basedir, "src", "auditrap").rglob("*.py")
)
# Each step depends on one file that records them all (a content stamp, below), not on each
# module: Snakemake checks every input of every waiting job at each scheduling round, and
# thirty inputs more for every job made a build of many audits slow.
PACKAGE = str(PROCESSED / "code-version.txt")
# The content stamps (auditrap.sources): Snakemake decides by modification times, so a raw
# file replaced by an older-dated one (a zip extracted, `cp -p`, `rsync -a`, a backup
# restored) would not rebuild the report, and a file only touched would. Every source file
# is therefore declared ancient() (its date never counts), and each job depends instead on a
# stamp listing the SHA-256 of its sources, rewritten only when one of them changes. They
# are written here, when the workflow is read and before Snakemake compares any dates, so
# that a --dry-run sees them too. Neither a per-job "check" rule (a --dry-run cannot run it,
# so it would not tell the truth) nor a checkpoint (it re-evaluates the whole DAG) does this;
# `ensure(sha256=...)` checks outputs, not inputs. A stamp per consumer keeps a narrative edit
# from re-running the analysis, and an edit to config.yaml from re-rendering.
#   stamps/<audit_id>/analysis.sha256: the audit's raw files and theme review, its name list
#       (and its private folder's listing), the theme taxonomy, the chart fonts;
#   stamps/<audit_id>/report.sha256: the audit's narrative and the report's templates;
#   stamps/config.sha256: the config files;
#   stamps/publications.sha256: the published audits this run does not build (the programme
#       page lists them too);
#   code-version.txt: the package's modules.
# (all under data/processed; an audit's own folder there is made only when it is built.)
# A stamp rewritten back to what a job last ran with (an edit undone before the next build)
# re-runs nothing either: Snakemake records the checksum of each small input and ignores a
# newer date when it matches.
#
# With a default storage provider (the Kubernetes profile, docs/cluster.md) every input is
# read from the bucket, where these local stamps are not: there the dates of the objects in
# the bucket decide (each copy into it gets a new one), and the publishing steps run where
# Snakemake runs, so that the published folders are written, atomically, into this project.
STORAGE_MODE = bool(
    getattr(workflow.storage_settings, "default_storage_provider", None)
)
STAMPS = PROCESSED / "stamps"
CONFIG_STAMP = str(STAMPS / "config.sha256")
PUBLICATIONS_STAMP = str(STAMPS / "publications.sha256")


def stamp(audit_id, name):
    """An audit's stamp, under data/processed/stamps/<audit_id>/: the audit's own folder
    under data/processed is made only when it is built."""
    return str(STAMPS / audit_id / f"{name}.sha256")


def stamped(name):
    """A job's input: the audit's stamp ``name`` (none with a storage provider)."""
    return lambda wildcards: [] if STORAGE_MODE else [stamp(wildcards.audit_id, name)]


def sources(files):
    """Source files as a job's input: ancient() (their dates never count, their stamp does),
    except with a storage provider, where their dates are all there is."""
    return files if STORAGE_MODE else ancient(files)


def receipt(audit_id):
    """What publish_report leaves once the audit's folder is published (auditrap.publish)."""
    return str(PROCESSED / audit_id / "publication.json")


PROGRAMME_RECEIPT = str(PROCESSED / "programme-publication.json")


def memory_mb(base_mb):
    """A job's memory for a cluster scheduler: ``base_mb``, plus 20 MB for each MB of input
    (an audit of 100,000 returns, 40 MB of CSV, peaks at about 1.25 GB in the analysis job:
    see docs/performance.md), and as much again on each retry."""

    def memory(wildcards, input, attempt):
        return int((base_mb + 20 * input.size_mb) * attempt)

    return memory


def raw_files(audit_id):
    """Every raw file of one audit (returns/*.xlsx, recommendations and the action plan
    included), so that any edit re-runs."""
    folder = RAW / audit_id
    files = [folder / "audit.yaml", folder / "cases.csv", folder / "actions.csv"]
    # The workbooks exactly as validation reads them (School.XLSX too, never Excel's lock
    # file ~$School.xlsx), and any other file in returns/, which validation refuses (a
    # folder there is in the analysis stamp's listing: record_sources).
    workbooks, others = returns_files(folder)
    files += sorted(folder.glob("returns.csv")) + workbooks
    files += [path for path in others if not path.is_dir()]
    files += [folder / name for name in ("recommendations.csv", *ACTION_PLAN_FILES)]
    return [str(f) for f in files if f.exists()] or [str(folder / "audit.yaml")]


# Where an audit's action plan may be: action_plan.csv, or the workbook the leads update.
ACTION_PLAN_FILES = ("action_plan.csv", "action_plan.xlsx")
# The audits with recommendations: their analysis takes the board's as-of date, and their
# report publishes the recommendations and the action plan's progress. Found when the
# workflow is read, so adding recommendations.csv to an audit takes effect on the next run.
PLAN_AUDITS = sorted(p.parent.name for p in RAW.glob("*/recommendations.csv"))


def get_raw_inputs(wildcards):
    return raw_files(wildcards.audit_id)


def taxonomy_files(audit_id):
    extension = RAW / audit_id / "themes.yaml"
    return [config["taxonomy"]] + ([str(extension)] if extension.exists() else [])


def glossary_files(audit_id):
    """The board's glossary and the audit's own, those that exist (the board's first)."""
    files = [Path(config["glossary"]), RAW / audit_id / "glossary.yaml"]
    return [str(f) for f in files if f.is_file()]


def get_glossary_inputs(wildcards):
    return glossary_files(wildcards.audit_id)


def get_plan_tables(wildcards):
    """The published recommendations and action-plan progress of an audit that has them."""
    if wildcards.audit_id not in PLAN_AUDITS:
        return []
    return [
        str(PROCESSED / wildcards.audit_id / "published" / f"{name}.csv")
        for name in PLAN_TABLES
    ]


def get_taxonomy_inputs(wildcards):
    return taxonomy_files(wildcards.audit_id)


def review_files(audit_id):
    """The analyst's review of the theme tags (theme_review.xlsx or .csv), when there is one."""
    folder = RAW / audit_id
    return [str(folder / name) for name in REVIEW_FILES if (folder / name).is_file()]


def get_review_file(wildcards):
    return review_files(wildcards.audit_id)


def get_final_without_review(wildcards):
    """Whether this audit may be final with theme suggestions unreviewed (config.yaml)."""
    return final_without_review(config, wildcards.audit_id)


def name_list(audit_id):
    """The audit's list of names to redact, when it has one: exactly
    <private_dir>/<audit_id>/names.txt, in lower case on every system (a Names.txt is not
    used, and is a publisher warning: auditrap.readiness). It is kept under private_dir,
    never in the published folder (see docs/redaction.md)."""
    folder = Path(config["private_dir"], audit_id)
    try:
        listed = "names.txt" in os.listdir(folder)
    except OSError:
        listed = False
    return (
        [str(folder / "names.txt")]
        if listed and (folder / "names.txt").is_file()
        else []
    )


def get_name_list(wildcards):
    return name_list(wildcards.audit_id)


def get_disclosure_policy(wildcards):
    """The disclosure policy of one audit: config.yaml's, with the audit's own settings."""
    return disclosure_settings(config, wildcards.audit_id)


def narrative_inputs(audit_id):
    """The narrative's sections (*.md) and the pictures beside them (docs/narrative.md)."""
    from auditrap.narrative import narrative_files

    return [str(p) for p in narrative_files(RAW / audit_id / "narrative")]


def get_narrative(wildcards):
    return narrative_inputs(wildcards.audit_id)


REPORT_TEMPLATES = sorted(
    str(p)
    for p in REPORT.rglob("*")
    if p.is_file() and "_output" not in p.parts and p != REPORT / "board.qmd"
)
# The board's assurance report shares them all but the audit's own document.
BOARD_TEMPLATES = sorted(
    [p for p in REPORT_TEMPLATES if Path(p) != REPORT / "report.qmd"]
    + [str(REPORT / "board.qmd")]
)


def get_report_templates(wildcards):
    """The shared document and everything it is rendered with."""
    return REPORT_TEMPLATES


def audit_sources(audit_id):
    return sorted(
        set(raw_files(audit_id))
        | set(taxonomy_files(audit_id))
        | set(review_files(audit_id))
        | set(glossary_files(audit_id))
        | set(narrative_inputs(audit_id))
        | set(REPORT_TEMPLATES)
        | set(context_files(audit_id))
    )


def context_files(audit_id):
    """The files what the audit takes from its board comes from (board_context below):
    programme.yaml when its board has earlier audits, the raw files of the earlier audits'
    board entries. Recorded in the manifest, so that `auditrap verify --rebuild`
    has them and an auditor sees them."""
    files = []
    if PROGRAMME.is_file() and board_context(audit_id).get("earlier"):
        files.append(str(PROGRAMME))
    for earlier in entries_needed(PROGRAMMES, audit_id):
        if earlier != audit_id:
            files += entry_files(earlier)
    return sorted(set(files) - set(raw_files(audit_id)))


def board_plan_files(audit_id):
    """For an audit with an action plan whose as-of date is not config.yaml's: the board's
    other action plans (and their audits' audit.yaml), whose latest update the date is.
    Recorded in the audit's manifest (record_build), not rendered from: a new audit of the
    board makes the earlier audits' manifests again, and re-renders only if it moves the date
    (board_context, a parameter)."""
    board = PROGRAMMES.board_of(audit_id)
    if not board or audit_id not in PLAN_AUDITS or config.get("as_of"):
        return []
    files = []
    for other in board.with_data:
        folder = RAW / str(other.audit_id)
        plans = [str(p) for p in plan_files(folder)]
        files += [str(folder / "audit.yaml")] + plans if plans else []
    return sorted(set(files) - set(raw_files(audit_id)))


def get_board_plan_files(wildcards):
    return board_plan_files(wildcards.audit_id)


def get_audit_sources(wildcards):
    """Every source file of one audit's report (listed, with its hash, in the report and in
    its manifest)."""
    return audit_sources(wildcards.audit_id)


def get_stamps(wildcards):
    """Every stamp one audit's publication follows. The publish step depends on them all:
    Snakemake keeps a job's existing outputs when only its inputs are missing, so after a
    failure (see forget_rendered_reports) the receipt must itself be out of date with the
    changed source for the next run to walk the chain back to the failing step."""
    if STORAGE_MODE:
        return get_audit_sources(wildcards) + CONFIG_FILES
    return [
        stamp(wildcards.audit_id, "analysis"),
        stamp(wildcards.audit_id, "report"),
        CONFIG_STAMP,
        PACKAGE,
    ]


def forget_rendered_reports():
    """After a failed run, remove the rendered (not yet published) reports.

    Snakemake removes the outputs of a failed job but keeps the files made from them earlier.
    Without this, the next run would publish the old rendered report for the changed input.
    With the rendered reports gone, it must rebuild them from the start of the chain, and it
    fails again for as long as the input is wrong. Published files are never touched.
    """
    for rendered in [
        *PROCESSED.glob("*/rendered"),
        *PROCESSED.glob("boards/*/rendered"),
    ]:
        shutil.rmtree(rendered, ignore_errors=True)


def get_published_outputs():
    """The receipts of every audit's publication and of the programme page: the published
    folders themselves are never a job's output (Snakemake deletes a job's outputs before it
    runs and after it fails), see auditrap.publish."""
    return (
        [receipt(audit_id) for audit_id in config["audits"]]
        + [board_receipt(slug) for slug in BOARDS]
        + [PROGRAMME_RECEIPT]
    )


def publisher_warnings_at_end(log):
    """Print every audit's publisher warnings (auditrap.readiness) as the build ends.
    `auditrap build` prints them itself, after a build that had nothing to do as well.
    """
    if os.environ.get("AUDITRAP_BUILD"):
        return
    from auditrap.readiness import format_warnings, publisher_warnings

    found = {a: publisher_warnings(a, config) for a in config["audits"]}
    if any(found.values()):
        print(format_warnings(found, final=config["final"]), file=sys.stderr)


# -- The boards' programmes (auditrap.boards) ------------------------------------------------
# Read once, here: every audit folder's audit.yaml and data/programme.yaml. A programme that
# cannot be read (programme.yaml broken, two audits of a board being built with the same
# audit_number, two boards sharing a folder) stops the workflow, naming file, line and key.
from auditrap.boards import (
    PlanDates,
    plan_files,
    audit_context,
    board_as_of,
    board_programme,
    entries_needed,
    problems_message,
    read_programmes,
    taxonomy_ids,
)
from auditrap.sources import Hasher

PROGRAMME = Path(config["programme"])
BOARDS_DIR = Path(config["boards_dir"])
if "boards" in config["audits"]:
    raise WorkflowError(
        "An audit cannot be called 'boards': that is the folder of the boards' assurance "
        f"reports in {OUTPUT}/. Rename the folder {RAW / 'boards'} and its entry in "
        "config.yaml (audits:)."
    )
PROGRAMMES = read_programmes(
    RAW,
    PROGRAMME if PROGRAMME.is_file() else None,
    programme_display=PROGRAMME.as_posix(),
    theme_ids=taxonomy_ids(Path(config["taxonomy"])),
)
if PROGRAMMES.fatal(config["audits"]):
    raise WorkflowError(problems_message(PROGRAMMES.fatal(config["audits"])))
# Analysed: the audits of config.yaml and every other audit with a data folder of their
# boards (for the board's report and the later audits); only those of config.yaml are
# published.
ANALYSED = PROGRAMMES.analysed(config["audits"])
# The boards with an audit in config.yaml, by slug: each gets an assurance report.
BOARDS = {board.slug: board for board in PROGRAMMES.built_boards(config["audits"])}
HASHER = Hasher()
# The as-of date of each board's action plans (config.yaml's as_of, else the latest update),
# the record a job takes as a parameter: an update that does not move it re-runs nothing
# but its own audit (and its board's report).
PLAN_DATES = PlanDates(STAMPS / "plan-dates.json", HASHER)
AS_OF = {
    board.name: board_as_of(board, RAW, config.get("as_of"), PLAN_DATES)
    for board in BOARDS.values()
}
# The audits whose board entry a later audit reads (auditrap.earlier.entry_stage).
ENTRY_AUDITS = sorted({e for a in ANALYSED for e in entries_needed(PROGRAMMES, a)})


def board_context(audit_id):
    """What the audit takes from the rest of its board (auditrap.boards.audit_context): a
    parameter of its analysis, recorded by Snakemake, which re-runs the job exactly when it
    changes. Only an audit with recommendations takes the as-of date."""
    board = PROGRAMMES.board_of(audit_id)
    as_of = AS_OF.get(board.name) if board and audit_id in PLAN_AUDITS else None
    if board and audit_id in PLAN_AUDITS and as_of is None:
        as_of = board_as_of(board, RAW, config.get("as_of"), PLAN_DATES)
    return audit_context(PROGRAMMES, audit_id, as_of=as_of)


def get_board_context(wildcards):
    return board_context(wildcards.audit_id)


def get_board_entries(wildcards):
    return [
        str(PROCESSED / a / "board-entry.json")
        for a in entries_needed(PROGRAMMES, wildcards.audit_id)
    ]


def entry_files(audit_id):
    """The raw files of an audit's board entry: all but its recommendations and action plan."""
    plan = {"recommendations.csv", *ACTION_PLAN_FILES}
    return [f for f in raw_files(audit_id) if Path(f).name not in plan]


def get_entry_inputs(wildcards):
    return entry_files(wildcards.audit_id)


def published_tables(audit_id):
    """The tables one audit publishes as data/*.csv: the aggregate tables; with
    recommendations, the recommendations and the action plan's progress; with earlier audits
    of its board, what they found; for a re-audit of an audit with data, the grades of both.
    """
    names = list(PUBLISHED_TABLES)
    if audit_id in PLAN_AUDITS:
        names += PLAN_TABLES
    context = board_context(audit_id)
    if context.get("earlier"):
        names.append("earlier_findings")
    if any(
        a["audit_number"] == context.get("reaudit") and a["audit_id"]
        for a in context.get("earlier", [])
    ):
        names.append("reaudit_grades")
    return [str(PROCESSED / audit_id / "published" / f"{name}.csv") for name in names]


def get_published_tables(wildcards):
    return published_tables(wildcards.audit_id)


# -- The board's assurance report (workflow/rules/board.smk) --------------------------------
from auditrap.board_report import BOARD_TABLES, audit_inputs

PROGRAMME_STAMP = str(STAMPS / "programme.sha256")


def board_receipt(slug):
    """What publish_board leaves once the board's folder is published."""
    return str(PROCESSED / "boards" / slug / "publication.json")


def board_report_stamp(slug):
    """The board's narrative and templates (under data/processed/stamps/boards/<slug>/)."""
    return str(STAMPS / "boards" / slug / "report.sha256")


def board_members(slug):
    """The board's audits with a data folder, in audit_number order."""
    return [a.audit_id for a in BOARDS[slug].with_data]


def get_board_programme(wildcards):
    return board_programme(PROGRAMMES, BOARDS[wildcards.board], config["audits"])


def get_board_as_of(wildcards):
    return AS_OF[BOARDS[wildcards.board].name]


def get_board_analysis_inputs(wildcards):
    return [
        str(path)
        for audit_id in board_members(wildcards.board)
        for path in audit_inputs(PROCESSED, audit_id).values()
    ]


def board_narrative(slug):
    from auditrap.narrative import narrative_files

    return [str(p) for p in narrative_files(BOARDS_DIR / slug / "narrative")]


def get_board_narrative(wildcards):
    return board_narrative(wildcards.board)


def board_sources(slug):
    """Every source of the board's report (listed in it, and in its manifest): programme.yaml,
    each of its audits' raw files, taxonomy and theme review, its narrative and templates.
    """
    files = set(board_narrative(slug)) | set(BOARD_TEMPLATES)
    if PROGRAMME.is_file():
        files.add(str(PROGRAMME))
    for audit_id in board_members(slug):
        files |= set(raw_files(audit_id)) | set(taxonomy_files(audit_id))
        files |= set(review_files(audit_id))
    return sorted(files)


def get_board_sources(wildcards):
    return board_sources(wildcards.board)


def get_board_names(wildcards):
    return [
        n for audit_id in board_members(wildcards.board) for n in name_list(audit_id)
    ]


def get_board_report_stamp(wildcards):
    return [] if STORAGE_MODE else [board_report_stamp(wildcards.board)]


def get_board_stamps(wildcards):
    """Every stamp the board's publication follows (see get_stamps)."""
    if STORAGE_MODE:
        return board_sources(wildcards.board) + CONFIG_FILES
    return [
        *(stamp(a, "analysis") for a in board_members(wildcards.board)),
        board_report_stamp(wildcards.board),
        PROGRAMME_STAMP,
        CONFIG_STAMP,
        PACKAGE,
    ]


def record_sources():
    """Write the content stamps (see STAMPS above), and forget the receipt of any published
    folder that no longer matches it, so that it is published again. Only in the process
    that runs the workflow: a cluster job reads the workflow again, and must change nothing.
    """
    from auditrap.publish import receipt_problem
    from auditrap.sources import Hasher, stamp_text, write_stamp

    hasher = HASHER
    write_stamp(PACKAGE, stamp_text(PACKAGE_FILES, hasher))
    write_stamp(CONFIG_STAMP, stamp_text(CONFIG_FILES, hasher))
    PLAN_DATES.save()
    for audit_id in ENTRY_AUDITS:
        private = Path(config["private_dir"], audit_id)
        listing = sorted(os.listdir(private)) if private.is_dir() else []
        entry = (
            entry_files(audit_id) + taxonomy_files(audit_id) + review_files(audit_id)
        )
        write_stamp(
            stamp(audit_id, "entry"),
            stamp_text(
                entry + name_list(audit_id), hasher, extra=[f"private: {listing}"]
            ),
        )
    for audit_id in ANALYSED:
        private = Path(config["private_dir"], audit_id)
        listing = sorted(os.listdir(private)) if private.is_dir() else []
        analysis = (
            raw_files(audit_id) + taxonomy_files(audit_id) + review_files(audit_id)
        )
        analysis += name_list(audit_id)
        unread = [p.name for p in returns_files(RAW / audit_id)[1] if p.is_dir()]
        write_stamp(
            stamp(audit_id, "analysis"),
            stamp_text(
                analysis + FONTS,
                hasher,
                extra=[f"private: {listing}"]
                + ([f"returns/: {unread}"] if unread else []),
            ),
        )
        if audit_id not in config["audits"]:
            continue  # analysed for its board; not rendered or published
        rendered_from = (
            narrative_inputs(audit_id) + glossary_files(audit_id) + REPORT_TEMPLATES
        )
        write_stamp(stamp(audit_id, "report"), stamp_text(rendered_from, hasher))
        # The board's other action plans, which the audit's manifest records (record_build).
        write_stamp(
            stamp(audit_id, "plans"), stamp_text(board_plan_files(audit_id), hasher)
        )
        problem = receipt_problem(receipt(audit_id), OUTPUT / audit_id)
        if problem:
            print(f"{problem}: publishing {audit_id} again.", file=sys.stderr)
            Path(receipt(audit_id)).unlink(missing_ok=True)
    write_stamp(
        PROGRAMME_STAMP,
        stamp_text([PROGRAMME] if PROGRAMME.is_file() else [], hasher),
    )
    for slug in BOARDS:
        made_from = board_narrative(slug) + BOARD_TEMPLATES
        write_stamp(board_report_stamp(slug), stamp_text(made_from, hasher))
        problem = receipt_problem(board_receipt(slug), OUTPUT / "boards" / slug)
        if problem:
            print(f"{problem}: publishing the board's report again.", file=sys.stderr)
            Path(board_receipt(slug)).unlink(missing_ok=True)
    others = [
        folder / "manifest.json"
        for folder in (sorted(OUTPUT.iterdir()) if OUTPUT.is_dir() else [])
        if folder.name not in config["audits"]
        and folder.name != "boards"
        and not folder.name.startswith(".")
        and (folder / "manifest.json").is_file()
    ]
    others += [
        folder / "manifest.json"
        for folder in (
            sorted((OUTPUT / "boards").iterdir())
            if (OUTPUT / "boards").is_dir()
            else []
        )
        if folder.name not in BOARDS
        and not folder.name.startswith(".")
        and (folder / "manifest.json").is_file()
    ]
    write_stamp(PUBLICATIONS_STAMP, stamp_text(others, hasher))
    problem = receipt_problem(PROGRAMME_RECEIPT, OUTPUT)
    if problem:
        print(f"{problem}: publishing the programme page again.", file=sys.stderr)
        Path(PROGRAMME_RECEIPT).unlink(missing_ok=True)


if workflow.is_main_process and not STORAGE_MODE:
    record_sources()
