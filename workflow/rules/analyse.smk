# One job per audit does every step on the data, in order, each writing its own files:
#   1. validate: the raw files against the pandera models of the data contract and the
#      cross-file rules; the free text redacted; typed tables written (or every problem
#      listed in validation/report.html and problems.csv).
#   2. aggregate: grade distribution, grades by area, agencies' own grades, the grade the
#      returns suggest beside the ratified one, immediate actions.
#   3. tag themes: the theme taxonomy applied to every sentence of the free text, and the
#      analyst's review of its suggestions (theme_review.csv) applied.
#   4. disclosure control: small counts hidden in the tables to be published.
#   5. charts: Altair, rendered to SVG with vl-convert, from the published tables.
#   6. variables: every number and name the report states; 7. lineage: where each came from.
#   8. the internal edition's case-level appendix (Markdown), and a last check that no
#      published table shows a count the disclosure policy hides.
# They share one process because each Python process spends longer importing pandas,
# pandera and Altair than an audit's steps take (docs/performance.md); the functions are in
# src/auditrap/pipeline.py, one per step. After tagging come the recommendations and the
# action plan's progress (tables without rows for an audit without recommendations.csv:
# what is published is chosen by get_published_tables), and after disclosure control what
# the audit takes from its board (auditrap.earlier): its earlier audits' findings, a
# re-audit's comparison. Its board context (auditrap.boards, read with the workflow) is a
# parameter: Snakemake records it and re-runs the job exactly when it changes.
rule analyse_audit:
    # The source files are ancient(): their dates never count; the stamp lists their hashes
    # and changes exactly when one of them does (see STAMPS in common.smk).
    input:
        sources(get_raw_inputs),
        code=PACKAGE,
        names=sources(get_name_list),
        taxonomy=sources(get_taxonomy_inputs),
        review=sources(get_review_file),
        fonts=sources(FONTS),
        # The board entries of the earlier audits whose findings or grades it needs.
        entries=get_board_entries,
        stamp=stamped("analysis"),
    output:
        # 1. validate
        cases=PROCESSED / "{audit_id}" / "cases.parquet",
        returns=PROCESSED / "{audit_id}" / "returns.parquet",
        actions=PROCESSED / "{audit_id}" / "actions.parquet",
        recommendations=PROCESSED / "{audit_id}" / "recommendations.parquet",
        action_plan=PROCESSED / "{audit_id}" / "action_plan.parquet",
        meta=PROCESSED / "{audit_id}" / "audit.json",
        redactions=PROCESSED / "{audit_id}" / "redactions.csv",
        # 2. aggregate
        aggregates=expand(
            PROCESSED / "{{audit_id}}" / "aggregates" / "{name}.csv",
            name=AGGREGATE_TABLES,
        ),
        case_grades=PROCESSED / "{audit_id}" / "case_grades.csv",
        case_grades_table=PROCESSED / "{audit_id}" / "case_grades.parquet",
        # 3. tag themes
        theme_tags=PROCESSED / "{audit_id}" / "theme_tags.csv",
        theme_tags_table=PROCESSED / "{audit_id}" / "theme_tags.parquet",
        theme_counts=PROCESSED / "{audit_id}" / "aggregates" / "theme_counts.csv",
        theme_sentences=PROCESSED / "{audit_id}" / "theme_sentences.parquet",
        theme_review=PROCESSED / "{audit_id}" / "theme_review.json",
        # 4. disclosure control
        published=expand(
            PROCESSED / "{{audit_id}}" / "published" / "{name}.csv",
            name=PUBLISHED_TABLES,
        ),
        disclosure=PROCESSED / "{audit_id}" / "disclosure.json",
        # the recommendations and the action plan (before disclosure control)
        plan_tables=expand(
            PROCESSED / "{{audit_id}}" / "aggregates" / "{name}.csv", name=PLAN_TABLES
        ),
        plan_published=expand(
            PROCESSED / "{{audit_id}}" / "published" / "{name}.csv", name=PLAN_TABLES
        ),
        action_plan_internal=PROCESSED / "{audit_id}" / "action_plan.csv",
        plan=PROCESSED / "{audit_id}" / "action_plan.json",
        # what the audit takes from its board
        context=PROCESSED / "{audit_id}" / "board-context.json",
        context_tables=expand(
            PROCESSED / "{{audit_id}}" / "published" / "{name}.csv",
            name=CONTEXT_TABLES,
        ),
        context_figures=directory(PROCESSED / "{audit_id}" / "figures-board"),
        # 5. charts
        svg=expand(PROCESSED / "{{audit_id}}" / "figures" / "{chart}.svg", chart=CHARTS),
        charts=PROCESSED / "{audit_id}" / "figures" / "charts.json",
        # 6. variables, 7. lineage
        variables=PROCESSED / "{audit_id}" / "variables.yml",
        lineage=PROCESSED / "{audit_id}" / "lineage.csv",
        public_lineage=PROCESSED / "{audit_id}" / "published" / "lineage.csv",
        # 8. the internal edition's appendix; the tables checked for small counts
        appendix=PROCESSED / "{audit_id}" / "internal-appendix.md",
        disclosure_check=PROCESSED / "{audit_id}" / "disclosure-check.json",
    log:
        "logs/{audit_id}/analyse_audit.log",
    group:
        "audit"
    conda:
        "../../environment.yml"
    resources:
        mem_mb=memory_mb(1000),
        runtime=60,
    params:
        audit_dir=lambda wildcards: RAW / wildcards.audit_id,
        validation_dir=lambda wildcards: PROCESSED / wildcards.audit_id / "validation",
        grade_aliases=config["grade_aliases"],
        ignored_columns=config["ignored_columns"],
        input_limits=config["input_limits"],
        internal_appendix_rows=config["internal_appendix_rows"],
        policy=get_disclosure_policy,
        palette=config["palette"],
        final_without_review=get_final_without_review,
        fonts_dir=REPORT / "fonts",
        # What the audit takes from its board: its earlier audits, the one it re-audits and
        # (with recommendations only, so that an edit re-runs those alone) the as-of date.
        board=get_board_context,
        programme=PROGRAMME,
        raw_dir=RAW,
    script:
        "../../scripts/analyse_audit.py"


# An audit's board entry: what a later audit of its board takes from it (its findings and
# its published grade distribution, auditrap.earlier.entry_stage). It reads the audit's
# returns, cases and immediate actions, never its recommendations, action plan or narrative,
# so an update of the action plan re-runs neither it nor the later audits.
rule board_entry:
    input:
        sources(get_entry_inputs),
        code=PACKAGE,
        names=sources(get_name_list),
        taxonomy=sources(get_taxonomy_inputs),
        review=sources(get_review_file),
        stamp=stamped("entry"),
    output:
        entry=PROCESSED / "{audit_id}" / "board-entry.json",
    log:
        "logs/{audit_id}/board_entry.log",
    conda:
        "../../environment.yml"
    resources:
        mem_mb=memory_mb(1000),
        runtime=30,
    params:
        audit_dir=lambda wildcards: RAW / wildcards.audit_id,
        grade_aliases=config["grade_aliases"],
        ignored_columns=config["ignored_columns"],
        input_limits=config["input_limits"],
        policy=get_disclosure_policy,
    script:
        "../../scripts/board_entry.py"
