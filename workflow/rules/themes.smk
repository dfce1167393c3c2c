rule tag_themes:
    input:
        code=PACKAGE,
        returns=rules.validate_audit.output.returns,
        taxonomy=get_taxonomy_inputs,
    output:
        tags=PROCESSED / "{audit_id}" / "theme_tags.csv",
        tags_table=PROCESSED / "{audit_id}" / "theme_tags.parquet",
        counts=PROCESSED / "{audit_id}" / "aggregates" / "theme_counts.csv",
    log:
        "logs/{audit_id}/tag_themes.log",
    group:
        "audit"
    conda:
        "../../environment.yml"
    resources:
        mem_mb=memory_mb(1000),
        runtime=30,
    script:
        "../../scripts/tag_themes.py"
