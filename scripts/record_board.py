"""Snakemake adapter: the publication gate and the manifest of the board's report."""

from auditrap.board_report import board_files, record_board_stage
from auditrap.pipeline import run_stage

inp = snakemake.input  # noqa: F821
params = snakemake.params  # noqa: F821

run_stage(
    snakemake.log[0],  # noqa: F821
    record_board_stage,
    files=board_files(inp.html, inp.pdf, list(inp.tables), inp.lineage, snakemake.wildcards.board),  # noqa: F821
    programme=dict(params.programme),
    as_of=dict(params.as_of) if params.as_of else None,
    inputs=list(inp.sources) + list(inp.config_files),
    names_paths=list(inp.names),
    checked_path=inp.checked,
    variables_path=inp.variables,
    manifest_out=snakemake.output.manifest,  # noqa: F821
    engine_record_path=inp.engine,
    audits=list(params.audits),
    config_files=list(inp.config_files),
    technical_out=snakemake.output.technical,  # noqa: F821
)
