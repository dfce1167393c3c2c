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
    conda:
        "../../environment.yml"
    script:
        "../../scripts/tag_themes.py"
