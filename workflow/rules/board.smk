# The board's assurance report, one per board with an audit in config.yaml: every audit of the
# board's programme side by side (auditrap.board_report). Four jobs, as an audit's: the
# tables, charts, variables and lineage from the audits' own analyses; the render (the board's
# document, report/board.qmd, with the audit report's template, styles and filters); the
# publication gate, the manifest and the technical note beside the report; the atomic
# publication as report/_output/boards/<slug>/.
# The board's programme and the as-of date of its action plans are parameters (read with the
# workflow, auditrap.boards): Snakemake re-runs the board's jobs exactly when they change.
rule analyse_board:
    input:
        code=PACKAGE,
        audits=get_board_analysis_inputs,
        taxonomy=sources(config["taxonomy"]),
    output:
        tables=expand(
            PROCESSED / "boards" / "{{board}}" / "data" / "{name}.csv",
            name=BOARD_TABLES,
        ),
        figures=directory(PROCESSED / "boards" / "{board}" / "figures"),
        variables=PROCESSED / "boards" / "{board}" / "variables.yml",
        lineage=PROCESSED / "boards" / "{board}" / "lineage.csv",
        checked=PROCESSED / "boards" / "{board}" / "tables-checked.json",
    log:
        "logs/boards/{board}/analyse_board.log",
    group:
        "board"
    conda:
        "../../environment.yml"
    params:
        programme=get_board_programme,
        as_of=get_board_as_of,
        processed_dir=PROCESSED,
        palette=config["palette"],
        fonts_dir=REPORT / "fonts",
        symbol=config["disclosure"].get("symbol", "[c]"),
    script:
        "../../scripts/analyse_board.py"


rule render_board:
    input:
        code=PACKAGE,
        variables=rules.analyse_board.output.variables,
        figures=rules.analyse_board.output.figures,
        narrative=sources(get_board_narrative),
        templates=sources(BOARD_TEMPLATES),
        sources=sources(get_board_sources),
        stamp=get_board_report_stamp,
    output:
        html=PROCESSED / "boards" / "{board}" / "rendered" / "{board}.html",
        pdf=PROCESSED / "boards" / "{board}" / "rendered" / "{board}.pdf",
        engine=PROCESSED / "boards" / "{board}" / "rendered" / "engine.json",
    log:
        "logs/boards/{board}/render_board.log",
    group:
        "board"
    conda:
        "../../environment.yml"
    params:
        build_dir=lambda wildcards: PROCESSED / "boards" / wildcards.board / "build",
        narrative_dir=lambda wildcards: BOARDS_DIR / wildcards.board / "narrative",
        report_dir=REPORT,
        engine=config["engine"],
        accessibility=config["accessibility"],
    script:
        "../../scripts/render_board.py"


# The publication gate (every name on the lists of the board's audits) and the manifest.
rule record_board:
    input:
        code=PACKAGE,
        html=rules.render_board.output.html,
        pdf=rules.render_board.output.pdf,
        engine=rules.render_board.output.engine,
        tables=rules.analyse_board.output.tables,
        lineage=rules.analyse_board.output.lineage,
        checked=rules.analyse_board.output.checked,
        variables=rules.analyse_board.output.variables,
        sources=sources(get_board_sources),
        config_files=sources(CONFIG_FILES),
        names=sources(get_board_names),
        stamps=get_board_stamps,
    output:
        manifest=PROCESSED / "boards" / "{board}" / "rendered" / "manifest.json",
        # How the report was made (software, input hashes, every number's id), beside it:
        # written here from what the manifest records (auditrap.technical).
        technical=PROCESSED
        / "boards"
        / "{board}"
        / "rendered"
        / "{board}-technical.html",
    log:
        "logs/boards/{board}/record_board.log",
    group:
        "board"
    conda:
        "../../environment.yml"
    params:
        programme=get_board_programme,
        as_of=get_board_as_of,
        audits=config["audits"],
    script:
        "../../scripts/record_board.py"


# Published atomically, as an audit's folder: the receipt is the job's output.
rule publish_board:
    input:
        code=PACKAGE,
        manifest=rules.record_board.output.manifest,
        technical=rules.record_board.output.technical,
        html=rules.render_board.output.html,
        pdf=rules.render_board.output.pdf,
        tables=rules.analyse_board.output.tables,
        lineage=rules.analyse_board.output.lineage,
        stamps=get_board_stamps,
    output:
        receipt=board_receipt("{board}"),
    log:
        "logs/boards/{board}/publish_board.log",
    group:
        None if STORAGE_MODE else "board"
    localrule: STORAGE_MODE
    conda:
        "../../environment.yml"
    params:
        folder=lambda wildcards: OUTPUT / "boards" / wildcards.board,
    script:
        "../../scripts/publish_board.py"
