"""Snakemake adapter: publish the board's checked report, data and manifest atomically."""

from pathlib import Path

from auditrap.board_report import board_files
from auditrap.pipeline import publish_stage, run_stage

inp = snakemake.input  # noqa: F821
files = board_files(
    inp.html,
    inp.pdf,
    list(inp.tables),
    inp.lineage,
    snakemake.wildcards.board,  # noqa: F821
    technical=inp.technical,
)
files[Path(inp.manifest)] = "manifest.json"

run_stage(
    snakemake.log[0],  # noqa: F821
    publish_stage,
    files=files,
    output_dir=Path(snakemake.params.folder),  # noqa: F821
    receipt=Path(snakemake.output.receipt),  # noqa: F821
)
