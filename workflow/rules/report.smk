# Render both editions of one audit's report.
rule render_report:
    input:
        code=PACKAGE,
        variables=rules.analyse_audit.output.variables,
        theme_counts=rules.analyse_audit.output.theme_counts,
        figures=rules.analyse_audit.output.svg,
        charts=rules.analyse_audit.output.charts,
        narrative=get_narrative,
        templates=get_report_templates,
        meta=rules.analyse_audit.output.meta,
        appendix=rules.analyse_audit.output.appendix,
        glossary=get_glossary_inputs,
        sources=get_audit_sources,
    output:
        html=PROCESSED / "{audit_id}" / "rendered" / "{audit_id}.html",
        pdf=PROCESSED / "{audit_id}" / "rendered" / "{audit_id}.pdf",
        # How the report was made (software, input hashes, every number's id), beside it.
        technical=PROCESSED / "{audit_id}" / "rendered" / "{audit_id}-technical.html",
        internal_html=PROCESSED
        / "{audit_id}"
        / "rendered"
        / "internal"
        / "{audit_id}-internal.html",
        internal_pdf=PROCESSED
        / "{audit_id}"
        / "rendered"
        / "internal"
        / "{audit_id}-internal.pdf",
        # Which engine rendered (and which Quarto), for the manifest.
        engine=PROCESSED / "{audit_id}" / "rendered" / "engine.json",
    log:
        "logs/{audit_id}/render_report.log",
    group:
        "audit"
    conda:
        "../../environment.yml"
    resources:
        mem_mb=memory_mb(2000),
        runtime=30,
    params:
        build_dir=lambda wildcards: PROCESSED / wildcards.audit_id / "build",
        internal_build_dir=lambda wildcards: PROCESSED
        / wildcards.audit_id
        / "build-internal",
        report_dir=REPORT,
        audit_dir=lambda wildcards: RAW / wildcards.audit_id,
        engine=config["engine"],
        accessibility=config["accessibility"],
    script:
        "../../scripts/render_report.py"


# The publication gate scans every public file and checks every public table is one the
# small-count check passed; then the manifest records every input and output. A job of its
# own, apart from the render, because the manifest records config.yaml: an edit there
# (another audit added, say) re-runs this quick step for every audit, not the render. Nothing
# here writes to report/_output: if the gate stops the build, Snakemake removes this job's
# output and the published report stays as it was.
rule record_build:
    input:
        code=PACKAGE,
        html=rules.render_report.output.html,
        pdf=rules.render_report.output.pdf,
        technical=rules.render_report.output.technical,
        internal_html=rules.render_report.output.internal_html,
        internal_pdf=rules.render_report.output.internal_pdf,
        engine=rules.render_report.output.engine,
        case_grades=rules.analyse_audit.output.case_grades,
        theme_tags=rules.analyse_audit.output.theme_tags,
        tables=rules.analyse_audit.output.published,
        plan_tables=get_plan_tables,
        lineage=rules.analyse_audit.output.public_lineage,
        internal_lineage=rules.analyse_audit.output.lineage,
        disclosure_check=rules.analyse_audit.output.disclosure_check,
        meta=rules.analyse_audit.output.meta,
        sources=get_audit_sources,
        config_files=CONFIG_FILES,
        names=get_name_list,
    output:
        manifest=PROCESSED / "{audit_id}" / "rendered" / "manifest.json",
    log:
        "logs/{audit_id}/record_build.log",
    group:
        "audit"
    conda:
        "../../environment.yml"
    params:
        engine=config["engine"],
    script:
        "../../scripts/record_build.py"


rule publish_report:
    input:
        code=PACKAGE,
        manifest=rules.record_build.output.manifest,
        html=rules.render_report.output.html,
        pdf=rules.render_report.output.pdf,
        technical=rules.render_report.output.technical,
        internal_html=rules.render_report.output.internal_html,
        internal_pdf=rules.render_report.output.internal_pdf,
        case_grades=rules.analyse_audit.output.case_grades,
        theme_tags=rules.analyse_audit.output.theme_tags,
        tables=rules.analyse_audit.output.published,
        lineage=rules.analyse_audit.output.public_lineage,
        internal_lineage=rules.analyse_audit.output.lineage,
        sources=get_audit_sources,
    output:
        manifest=OUTPUT / "{audit_id}" / "manifest.json",
        html=OUTPUT / "{audit_id}" / "{audit_id}.html",
        pdf=OUTPUT / "{audit_id}" / "{audit_id}.pdf",
        technical=OUTPUT / "{audit_id}" / "{audit_id}-technical.html",
        tables=expand(
            OUTPUT / "{{audit_id}}" / "data" / "{name}.csv", name=PUBLISHED_TABLES
        ),
        internal_html=OUTPUT / "{audit_id}" / "internal" / "{audit_id}-internal.html",
        internal_pdf=OUTPUT / "{audit_id}" / "internal" / "{audit_id}-internal.pdf",
        case_grades=OUTPUT / "{audit_id}" / "internal" / "data" / "case_grades.csv",
        theme_tags=OUTPUT / "{audit_id}" / "internal" / "data" / "theme_tags.csv",
        lineage=OUTPUT / "{audit_id}" / "data" / "lineage.csv",
        internal_lineage=OUTPUT / "{audit_id}" / "internal" / "data" / "lineage.csv",
    log:
        "logs/{audit_id}/publish_report.log",
    wildcard_constraints:
        audit_id=NO_PLAN_AUDIT,
    group:
        "audit"
    conda:
        "../../environment.yml"
    script:
        "../../scripts/publish_report.py"


# An audit with recommendations also publishes them and its action plan's progress.
use rule publish_report as publish_report_with_plan with:
    input:
        **rules.publish_report.input,
        plan_tables=get_plan_tables,
    output:
        **rules.publish_report.output,
        plan_tables=expand(
            OUTPUT / "{{audit_id}}" / "data" / "{name}.csv", name=PLAN_TABLES
        ),
    wildcard_constraints:
        audit_id=PLAN_AUDIT,


# The programme page only lists what was published: it runs where Snakemake runs, never
# waiting in a cluster's queue.
localrules:
    publish_programme,


rule publish_programme:
    input:
        code=PACKAGE,
        variables=expand(
            PROCESSED / "{audit_id}" / "variables.yml", audit_id=config["audits"]
        ),
        published=expand(
            OUTPUT / "{audit_id}" / "manifest.json", audit_id=config["audits"]
        ),
    output:
        index=OUTPUT / "index.html",
    log:
        "logs/publish_programme.log",
    conda:
        "../../environment.yml"
    script:
        "../../scripts/publish_programme.py"
