rule write_variables:
    input:
        meta=rules.validate_audit.output.meta,
        tables=rules.aggregate_grades.output.tables,
        theme_counts=rules.tag_themes.output.counts,
    output:
        variables=PROCESSED / "{audit_id}" / "variables.yml",
    log:
        "logs/{audit_id}/write_variables.log",
    conda:
        "../../environment.yml"
    script:
        "../../scripts/write_variables.py"


rule render_report:
    input:
        variables=rules.write_variables.output.variables,
        theme_counts=rules.tag_themes.output.counts,
        figures=rules.render_charts.output.svg,
        charts=rules.render_charts.output.charts,
        narrative=get_narrative,
        templates=get_report_templates,
        meta=rules.validate_audit.output.meta,
    output:
        html=PROCESSED / "{audit_id}" / "rendered" / "{audit_id}.html",
        pdf=PROCESSED / "{audit_id}" / "rendered" / "{audit_id}.pdf",
    log:
        "logs/{audit_id}/render_report.log",
    conda:
        "../../environment.yml"
    params:
        build_dir=lambda wildcards: PROCESSED / wildcards.audit_id / "build",
        report_dir=REPORT,
        engine=config["engine"],
    script:
        "../../scripts/render_report.py"


rule publish_report:
    input:
        html=rules.render_report.output.html,
        pdf=rules.render_report.output.pdf,
        tables=rules.aggregate_grades.output.tables,
        theme_counts=rules.tag_themes.output.counts,
        sources=get_audit_sources,
    output:
        html=OUTPUT / "{audit_id}" / "{audit_id}.html",
        pdf=OUTPUT / "{audit_id}" / "{audit_id}.pdf",
        tables=expand(
            OUTPUT / "{{audit_id}}" / "data" / "{name}.csv", name=PUBLISHED_TABLES
        ),
    log:
        "logs/{audit_id}/publish_report.log",
    conda:
        "../../environment.yml"
    script:
        "../../scripts/publish_report.py"
