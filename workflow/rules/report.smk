rule write_variables:
    input:
        code=PACKAGE,
        meta=rules.validate_audit.output.meta,
        tables=rules.control_disclosure.output.tables,
        disclosure=rules.control_disclosure.output.disclosure,
    output:
        variables=PROCESSED / "{audit_id}" / "variables.yml",
    log:
        "logs/{audit_id}/write_variables.log",
    group:
        "audit"
    conda:
        "../../environment.yml"
    script:
        "../../scripts/write_variables.py"


rule trace_lineage:
    input:
        code=PACKAGE,
        variables=rules.write_variables.output.variables,
        cases=rules.validate_audit.output.cases,
        returns=rules.validate_audit.output.returns,
        actions=rules.validate_audit.output.actions,
        tags=rules.tag_themes.output.tags_table,
        case_grades=rules.aggregate_grades.output.case_grades_table,
        raw=get_raw_inputs,
    output:
        lineage=PROCESSED / "{audit_id}" / "lineage.csv",
        public_lineage=PROCESSED / "{audit_id}" / "published" / "lineage.csv",
    log:
        "logs/{audit_id}/trace_lineage.log",
    group:
        "audit"
    conda:
        "../../environment.yml"
    resources:
        mem_mb=memory_mb(1000),
        runtime=30,
    params:
        audit_dir=lambda wildcards: RAW / wildcards.audit_id,
    script:
        "../../scripts/trace_lineage.py"


rule render_report:
    input:
        code=PACKAGE,
        variables=rules.write_variables.output.variables,
        theme_counts=rules.tag_themes.output.counts,
        figures=rules.render_charts.output.svg,
        charts=rules.render_charts.output.charts,
        narrative=get_narrative,
        templates=get_report_templates,
        meta=rules.validate_audit.output.meta,
        case_grades=rules.aggregate_grades.output.case_grades_table,
        theme_tags=rules.tag_themes.output.tags_table,
        returns=rules.validate_audit.output.returns,
        actions=rules.validate_audit.output.actions,
        sources=get_audit_sources,
    output:
        html=PROCESSED / "{audit_id}" / "rendered" / "{audit_id}.html",
        pdf=PROCESSED / "{audit_id}" / "rendered" / "{audit_id}.pdf",
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
        engine=config["engine"],
        accessibility=config["accessibility"],
    script:
        "../../scripts/render_report.py"


rule record_build:
    input:
        code=PACKAGE,
        html=rules.render_report.output.html,
        pdf=rules.render_report.output.pdf,
        internal_html=rules.render_report.output.internal_html,
        internal_pdf=rules.render_report.output.internal_pdf,
        case_grades=rules.aggregate_grades.output.case_grades,
        theme_tags=rules.tag_themes.output.tags,
        tables=rules.control_disclosure.output.tables,
        disclosure=rules.control_disclosure.output.disclosure,
        lineage=rules.trace_lineage.output.public_lineage,
        internal_lineage=rules.trace_lineage.output.lineage,
        sources=get_audit_sources,
        config_files=CONFIG_FILES,
        meta=rules.validate_audit.output.meta,
        names=get_name_list,
    output:
        manifest=PROCESSED / "{audit_id}" / "manifest.json",
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
        internal_html=rules.render_report.output.internal_html,
        internal_pdf=rules.render_report.output.internal_pdf,
        case_grades=rules.aggregate_grades.output.case_grades,
        theme_tags=rules.tag_themes.output.tags,
        tables=rules.control_disclosure.output.tables,
        disclosure=rules.control_disclosure.output.disclosure,
        lineage=rules.trace_lineage.output.public_lineage,
        internal_lineage=rules.trace_lineage.output.lineage,
        sources=get_audit_sources,
    output:
        manifest=OUTPUT / "{audit_id}" / "manifest.json",
        html=OUTPUT / "{audit_id}" / "{audit_id}.html",
        pdf=OUTPUT / "{audit_id}" / "{audit_id}.pdf",
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
    group:
        "audit"
    conda:
        "../../environment.yml"
    script:
        "../../scripts/publish_report.py"


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
