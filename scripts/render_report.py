"""Snakemake adapter: render one audit's report to HTML and PDF, then check and record it."""

from types import SimpleNamespace

from auditrap import pipeline as p

inp = snakemake.input  # noqa: F821
out = snakemake.output  # noqa: F821
params = snakemake.params  # noqa: F821
audit_id = snakemake.wildcards.audit_id  # noqa: F821
finished = SimpleNamespace(
    html=out.html,
    pdf=out.pdf,
    internal_html=out.internal_html,
    internal_pdf=out.internal_pdf,
    case_grades=inp.case_grades,
    theme_tags=inp.theme_tags,
    tables=inp.tables,
    lineage=inp.lineage,
    internal_lineage=inp.internal_lineage,
)

p.run_steps(
    snakemake.log[0],  # noqa: F821
    [
        (
            p.render_stage,
            dict(
                variables_path=inp.variables,
                theme_counts_path=inp.theme_counts,
                figures=list(inp.figures),
                charts_json=inp.charts,
                narrative=list(inp.narrative),
                meta_path=inp.meta,
                build_dir=params.build_dir,
                report_dir=params.report_dir,
                html_out=out.html,
                pdf_out=out.pdf,
                engine=params.engine,
                accessibility=dict(params.accessibility),
                sources=list(inp.sources),
                internal={
                    "build_dir": params.internal_build_dir,
                    "html": out.internal_html,
                    "pdf": out.internal_pdf,
                    "appendix": inp.appendix,
                },
            ),
        ),
        (
            p.record_stage,
            dict(
                files=p.published_files(finished, audit_id),
                audit_id=audit_id,
                inputs=list(inp.sources) + list(inp.config_files),
                meta_path=inp.meta,
                manifest_out=out.manifest,
                engine=params.engine,
                names_path=inp.names[0] if inp.names else None,
            ),
        ),
    ],
)
