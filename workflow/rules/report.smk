# Render both editions of one audit's report.
rule render_report:
    input:
        code=PACKAGE,
        variables=rules.analyse_audit.output.variables,
        theme_counts=rules.analyse_audit.output.theme_counts,
        figures=rules.analyse_audit.output.svg,
        charts=rules.analyse_audit.output.charts,
        narrative=sources(get_narrative),
        templates=sources(get_report_templates),
        meta=rules.analyse_audit.output.meta,
        appendix=rules.analyse_audit.output.appendix,
        context=rules.analyse_audit.output.context,
        context_figures=rules.analyse_audit.output.context_figures,
        # Read by the publisher warnings in the internal edition (auditrap.readiness).
        theme_review=rules.analyse_audit.output.theme_review,
        glossary=sources(get_glossary_inputs),
        sources=sources(get_audit_sources),
        stamp=stamped("report"),
    output:
        html=PROCESSED / "{audit_id}" / "rendered" / "{audit_id}.html",
        pdf=PROCESSED / "{audit_id}" / "rendered" / "{audit_id}.pdf",
        # The one-page learning brief, rendered in the same job (auditrap.briefing).
        briefing_html=PROCESSED / "{audit_id}" / "rendered" / "{audit_id}-briefing.html",
        briefing_pdf=PROCESSED / "{audit_id}" / "rendered" / "{audit_id}-briefing.pdf",
        # The learning brief's sections still to be written (as the report's, below).
        briefing_to_be_written=PROCESSED / "{audit_id}" / "briefing.to-be-written.json",
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
        # The sections still to be written, for the publisher warnings (auditrap.readiness):
        # outside rendered/, so that the warnings after a failed build still list them.
        to_be_written=PROCESSED / "{audit_id}" / "report.to-be-written.json",
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
        briefing_build_dir=lambda wildcards: PROCESSED
        / wildcards.audit_id
        / "build-briefing",
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
# output and the published report stays as it was. In a final build (`final: true`, or
# `auditrap build --final`) any publisher warning (auditrap.readiness) stops it here too.
rule record_build:
    input:
        code=PACKAGE,
        html=rules.render_report.output.html,
        pdf=rules.render_report.output.pdf,
        briefing_html=rules.render_report.output.briefing_html,
        briefing_pdf=rules.render_report.output.briefing_pdf,
        technical=rules.render_report.output.technical,
        internal_html=rules.render_report.output.internal_html,
        internal_pdf=rules.render_report.output.internal_pdf,
        engine=rules.render_report.output.engine,
        to_be_written=rules.render_report.output.to_be_written,
        briefing_to_be_written=rules.render_report.output.briefing_to_be_written,
        theme_review=rules.analyse_audit.output.theme_review,
        case_grades=rules.analyse_audit.output.case_grades,
        theme_tags=rules.analyse_audit.output.theme_tags,
        tables=get_published_tables,
        plan_tables=get_plan_tables,
        lineage=rules.analyse_audit.output.public_lineage,
        internal_lineage=rules.analyse_audit.output.lineage,
        disclosure_check=rules.analyse_audit.output.disclosure_check,
        context=rules.analyse_audit.output.context,
        meta=rules.analyse_audit.output.meta,
        variables=rules.analyse_audit.output.variables,
        sources=sources(get_audit_sources),
        board_plans=sources(get_board_plan_files),
        plans_stamp=stamped("plans"),
        config_files=sources(CONFIG_FILES),
        names=sources(get_name_list),
        stamp=[] if STORAGE_MODE else CONFIG_STAMP,
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
        final=config["final"],
    script:
        "../../scripts/record_build.py"


# Publish one audit: its finished files become report/_output/<audit_id>/ in one atomic swap
# (auditrap.publish.publish_folder): readers see the complete previous build until the
# complete new one replaces it. The folder is not this job's output, because Snakemake
# deletes a job's outputs before it runs and after it fails: the output is a receipt under
# data/processed recording every file published, and a folder that is missing or no longer
# matches its receipt is published again on the next run (record_sources in common.smk).
rule publish_report:
    input:
        code=PACKAGE,
        manifest=rules.record_build.output.manifest,
        html=rules.render_report.output.html,
        pdf=rules.render_report.output.pdf,
        briefing_html=rules.render_report.output.briefing_html,
        briefing_pdf=rules.render_report.output.briefing_pdf,
        technical=rules.render_report.output.technical,
        internal_html=rules.render_report.output.internal_html,
        internal_pdf=rules.render_report.output.internal_pdf,
        case_grades=rules.analyse_audit.output.case_grades,
        theme_tags=rules.analyse_audit.output.theme_tags,
        tables=get_published_tables,
        lineage=rules.analyse_audit.output.public_lineage,
        internal_lineage=rules.analyse_audit.output.lineage,
        plan_tables=get_plan_tables,
        stamps=get_stamps,
    output:
        receipt=receipt("{audit_id}"),
    log:
        "logs/{audit_id}/publish_report.log",
    group:
        None if STORAGE_MODE else "audit"
    # With a storage provider the published folder must be written where Snakemake runs
    # (see STORAGE_MODE in common.smk); on a shared file system it goes with the audit's group.
    localrule: STORAGE_MODE
    conda:
        "../../environment.yml"
    params:
        folder=lambda wildcards: OUTPUT / wildcards.audit_id,
    script:
        "../../scripts/publish_report.py"


# The programme page lists every audit published under report/_output, those of this run and
# any other (each read from its published manifest), and gets a manifest of its own. It runs
# where Snakemake runs, never waiting in a cluster's queue.
localrules:
    publish_programme,


rule publish_programme:
    input:
        code=PACKAGE,
        published=expand(receipt("{audit_id}"), audit_id=config["audits"]),
        boards=[board_receipt(slug) for slug in BOARDS],
        others=[] if STORAGE_MODE else PUBLICATIONS_STAMP,
    output:
        receipt=PROGRAMME_RECEIPT,
    log:
        "logs/publish_programme.log",
    conda:
        "../../environment.yml"
    params:
        output_dir=OUTPUT,
        build_dir=PROCESSED / "programme",
        engine=config["engine"],
    script:
        "../../scripts/publish_programme.py"
