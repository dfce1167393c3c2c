rule render_charts:
    input:
        code=PACKAGE,
        grade_distribution=PROCESSED
        / "{audit_id}"
        / "published"
        / "grade_distribution.csv",
        grades_by_area=PROCESSED / "{audit_id}" / "published" / "grades_by_area.csv",
        disclosure=PROCESSED / "{audit_id}" / "disclosure.json",
        fonts=FONTS,
    output:
        svg=expand(PROCESSED / "{{audit_id}}" / "figures" / "{chart}.svg", chart=CHARTS),
        charts=PROCESSED / "{audit_id}" / "figures" / "charts.json",
    log:
        "logs/{audit_id}/render_charts.log",
    group:
        "audit"
    conda:
        "../../environment.yml"
    params:
        palette=config["palette"],
        fonts_dir=REPORT / "fonts",
    script:
        "../../scripts/render_charts.py"
