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
# src/auditrap/pipeline.py, one per step. An audit with recommendations has one more step,
# after tagging: its recommendations and action plan's progress (rule
# analyse_audit_with_plan, below).
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
        board_plans=sources(get_board_action_plans),
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
    wildcard_constraints:
        audit_id=NO_PLAN_AUDIT,
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
        # Only an audit with recommendations reads it: an edit re-runs those alone.
        as_of=lambda wildcards: (
            config.get("as_of") if wildcards.audit_id in PLAN_AUDITS else None
        ),
    script:
        "../../scripts/analyse_audit.py"


# The same job for an audit with recommendations.csv: the plan step (after tagging) writes
# the recommendations as published, the action plan's progress by status and by
# recommendation as of the as-of date, and every action for the internal edition.
use rule analyse_audit as analyse_audit_with_plan with:
    output:
        **rules.analyse_audit.output,
        plan_tables=expand(
            PROCESSED / "{{audit_id}}" / "aggregates" / "{name}.csv", name=PLAN_TABLES
        ),
        plan_published=expand(
            PROCESSED / "{{audit_id}}" / "published" / "{name}.csv", name=PLAN_TABLES
        ),
        action_plan_internal=PROCESSED / "{audit_id}" / "action_plan.csv",
        plan=PROCESSED / "{audit_id}" / "action_plan.json",
    wildcard_constraints:
        audit_id=PLAN_AUDIT,
