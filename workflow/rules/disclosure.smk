# Disclosure control: small counts hidden before anything is charted, stated or published.
rule control_disclosure:
    input:
        code=PACKAGE,
        tables=rules.aggregate_grades.output.tables,
        theme_counts=rules.tag_themes.output.counts,
    output:
        tables=expand(
            PROCESSED / "{{audit_id}}" / "published" / "{name}.csv",
            name=PUBLISHED_TABLES,
        ),
        disclosure=PROCESSED / "{audit_id}" / "disclosure.json",
    log:
        "logs/{audit_id}/control_disclosure.log",
    group:
        "audit"
    conda:
        "../../environment.yml"
    params:
        policy=get_disclosure_policy,
    script:
        "../../scripts/control_disclosure.py"
