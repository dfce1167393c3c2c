rule tag_themes:
    input:
        returns=rules.validate_audit.output.returns,
        taxonomy=get_taxonomy_inputs,
    output:
        tags=PROCESSED / "{audit_id}" / "theme_tags.csv",
        counts=PROCESSED / "{audit_id}" / "aggregates" / "theme_counts.csv",
    log:
        "logs/{audit_id}/tag_themes.log",
    conda:
        "../../environment.yml"
    script:
        "../../scripts/tag_themes.py"
