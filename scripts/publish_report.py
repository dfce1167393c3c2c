"""Snakemake adapter: publish one audit's checked report, data, internal edition and manifest."""

from pathlib import Path

from auditrap.pipeline import publish_stage, published_files, run_stage

files = published_files(snakemake.input, snakemake.wildcards.audit_id)  # noqa: F821
files[Path(snakemake.input.manifest)] = "manifest.json"  # noqa: F821

run_stage(
    snakemake.log[0],  # noqa: F821
    publish_stage,
    files=files,
    output_dir=Path(snakemake.params.folder),  # noqa: F821
    receipt=Path(snakemake.output.receipt),  # noqa: F821
)
