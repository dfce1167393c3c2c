"""Assemble one audit's report source: the shared Quarto document plus this audit's parts.

The build folder holds exactly what ``quarto render`` needs (and what the built-in engine
reads the same way): ``report.qmd`` and ``_quarto.yml`` from ``report/``, the generated
``_variables.yml`` and ``_metadata.yml``, the analyst's ``narrative/``, the charts in
``figures/``, and ``_generated/*.md``: the parts of the text whose shape depends on the data
(tables, findings, "to be written" notes). Every number in them is a ``{{< var >}}``
shortcode, so that the report states no number that did not come from the variables file.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from auditrap.earlier import conclusion_part, earlier_audits_part, introduction_part
from auditrap.grades import GRADE_DEFINITIONS, GRADES, slug
from auditrap.lineage import hidden_symbol, numbers
from auditrap.narrative import publishable_text
from auditrap.render.markdown import escape_attribute, escape_markdown, escape_metadata
from auditrap.tables import PUBLISHED_TABLES

VAR_SHORTCODE = re.compile(r"(?<!\{)\{\{<\s*var\s+([A-Za-z0-9_.-]+)\s*>\}\}(?!\})")


def mark_numbers(text: str, numeric: set[str]) -> str:
    """Give every number its lineage id: ``[{{< var k >}}]{data-lineage="k"}``, so that in the
    HTML each number names the row of ``data/lineage.csv`` it comes from."""

    def mark(match: re.Match) -> str:
        key = match.group(1)
        before = text[text.rfind("\n", 0, match.start()) + 1 : match.start()]
        # Only in running text: not inside an attribute block ({fig-alt="..."}), a quoted link
        # title or a code span, where a span would show as markup or be lost.
        in_text = (
            before.count("{") - before.count("}") <= 0
            and before.count('"') % 2 == 0
            and before.count("`") % 2 == 0
        )
        if key in numeric and in_text:
            return f'[{match.group(0)}]{{data-lineage="{key}"}}'
        return match.group(0)

    return VAR_SHORTCODE.sub(mark, text)


#: Report template files copied into each build.
TEMPLATE_FILES = ("report.qmd", "_quarto.yml")


def var(key: str) -> str:
    return "{{< var " + key + " >}}"


def to_be_written(path: str) -> str:
    return (
        '::: {.callout-warning title="To be written"}\n'
        "The analyst has not written this part yet. Add it as "
        f"`{path}` in the audit's folder and run the report again.\n"
        ":::\n"
    )


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def table(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    caption: str,
    align: Sequence[str] | None = None,
    widths: Sequence[int] | None = None,
    ident: str | None = None,
) -> str:
    """A pandoc pipe table. Header is escaped; caption and cells are given as source.

    ``widths`` are relative column widths; pandoc uses them when a row is too long for one
    line, so that long free text wraps in its own wide column rather than in narrow ones.
    ``ident`` (``tbl-...``, by default made from the caption) numbers the table: Quarto's
    crossref, html-figures.lua and typst all write "Table 1: caption".
    """
    ident = ident or "tbl-" + slug(VAR_SHORTCODE.sub("", caption))
    align = align or ["l"] + ["r"] * (len(header) - 1)
    widths = widths or [3] * len(header)
    rule = [
        "-" * w + ":" if a == "r" else ":" + "-" * w for a, w in zip(align, widths, strict=True)
    ]
    lines = [_row([escape_markdown(h) for h in header]), _row(rule)]
    lines += [_row(r) for r in rows]
    return "\n".join(lines) + f"\n\nTable: {caption} {{#{ident}}}\n"


def include_narrative(stem: str) -> str:
    """The include of the analyst's section. Quarto resolves an include inside an included
    file (these parts are in _generated/) against the main document, report.qmd, so the
    path starts from there."""
    return "{{< include narrative/" + stem + ".md >}}\n"


def narrative_or_note(narrative: set[str], stem: str, fallback: str = "") -> str:
    """The analyst's prose; else the data-driven fallback and a visible note."""
    if stem in narrative:
        return include_narrative(stem)
    return (fallback + "\n\n" if fallback else "") + to_be_written(f"narrative/{stem}.md")


def optional_narrative(narrative: set[str], stem: str) -> str:
    return include_narrative(stem) if stem in narrative else ""


def figure(chart: Mapping[str, str], ident: str, caption: str) -> str:
    """A chart (``fig-...``, numbered "Figure 1: caption" as Quarto's crossref does): its
    headline title is inside the image, so the caption says what it shows. The web page
    shows its narrow drawing on narrow screens (``narrow``, html-figures.lua)."""
    alt = escape_attribute(chart["alt"])
    file = chart.get("svg") or ident.removeprefix("fig-") + ".svg"
    narrow = f' narrow="figures/{chart["narrow_svg"]}"' if chart.get("narrow_svg") else ""
    return f'![{escape_markdown(caption)}](figures/{file}){{#{ident} fig-alt="{alt}"{narrow}}}\n'


def percent_sign(value: Any) -> str:
    """The % after a percentage; none after the symbol of a hidden one."""
    return "%" if isinstance(value, int | float) else ""


def hidden_note(variables: Mapping[str, Any], subtree: str) -> str:
    """A note under a table with hidden counts, saying what the symbol means."""
    symbol = hidden_symbol(variables)
    if symbol is None or not any(
        v == symbol for _, v in numbers(variables[subtree], hidden=symbol)
    ):
        return ""
    return (
        f"\n{escape_markdown(symbol)} marks a count that is not shown, because so small a number "
        "could help someone identify a child (see Small numbers in the appendix on method and data).\n"
    )


def counted(variables: Mapping[str, Any], key: str, one: str, many: str) -> str:
    """``{{< var key >}}`` followed by the noun that agrees with its value."""
    value: Any = variables
    for part in key.split("."):
        value = value[part]
    return f"{var(key)} {one if value == 1 else many}"


def theme_counts_sentence(variables: Mapping[str, Any], theme_id: str) -> str:
    """What the returns said of a theme: "Raised as a concern in N returns about M cases;
    noted as good practice in K returns.", with each number a variable and the words
    agreeing with it (a hidden count reads as more than one)."""
    key = f"themes.{theme_id}"
    counts = variables["themes"][theme_id]

    def n(name: str, one: str, many: str) -> str:
        return counted(variables, f"{key}.{name}", one, many)

    concern = counts["concern"]["returns"] != 0
    good = counts["good_practice"]["returns"] != 0
    raised = (
        f"raised as a concern in {n('concern.returns', 'return', 'returns')} "
        f"about {n('concern.cases', 'case', 'cases')}"
    )
    noted = f"noted as good practice in {n('good_practice.returns', 'return', 'returns')}"
    if concern and good:
        sentence = f"{raised}; {noted}."
    elif concern:
        sentence = f"{raised}; not noted as good practice in any return."
    elif good:
        sentence = (
            f"{noted} about {n('good_practice.cases', 'case', 'cases')}; "
            "not raised as a concern in any return."
        )
    else:
        sentence = "no audit return spoke of this theme."
    return sentence[0].upper() + sentence[1:] + "\n"


def review_note(variables: Mapping[str, Any]) -> str:
    """While theme suggestions are unreviewed (and the report is not final without review),
    a note at the top of the report saying it is a draft."""
    review = variables.get("review") or {}
    if not review.get("draft"):
        return ""
    many = review["unreviewed"] != 1
    return (
        '::: {.callout-warning title="Not yet final"}\n'
        f"**Draft: {var('review.unreviewed')} theme "
        f"{'suggestions' if many else 'suggestion'} not yet reviewed.** The themes in this "
        "report are found by software that suggests which themes each sentence of the audit "
        f"returns speaks of. Until an analyst has checked {'every one' if many else 'it'}, "
        "the counts of themes are provisional.\n"
        ":::\n"
    )


def generated_parts(
    variables: Mapping[str, Any],
    narrative: set[str],
    theme_titles: Mapping[str, str],
    charts: Mapping[str, Mapping[str, str]],
) -> dict[str, str]:
    """The generated Markdown parts of the report, by file name.

    ``charts`` gives each chart's headline title and alt text (``charts.json``).
    """
    parts: dict[str, str] = {}
    symbol = hidden_symbol(variables)

    def n(key: str, one: str, many: str) -> str:
        return counted(variables, key, one, many)

    intro_fallback = (
        f"{n('cases.total', 'case was', 'cases were')} chosen for the audit based on the "
        f"criteria: {var('audit.selection_criteria')}"
    )
    # What the audit responds to, from audit.yaml, leads the introduction (auditrap.earlier).
    responds = introduction_part(variables)
    parts["introduction.md"] = (responds + "\n" if responds else "") + narrative_or_note(
        narrative, "introduction", intro_fallback
    )
    parts["review-status.md"] = review_note(variables)
    parts["scoring.md"] = optional_narrative(narrative, "scoring")
    parts["areas.md"] = optional_narrative(narrative, "areas")

    if variables["cases"]["ratified"]:
        # The seed report's sentence, every number from the data.
        parts["scoring-summary.md"] = (
            f"{var('grades.outstanding.count')} of the {n('cases.ratified', 'case', 'cases')} "
            f"{'was' if variables['cases']['ratified'] == 1 else 'were'} graded as outstanding. "
            f"{var('grades.good.count')} {'was' if variables['grades']['good']['count'] == 1 else 'were'} "
            f"classed as good, {var('grades.requires-improvement.count')} requiring improvement "
            f"and {var('grades.inadequate.count')} inadequate.\n"
        )
    else:
        parts["scoring-summary.md"] = (
            f"None of the {n('cases.total', 'case has', 'cases have')} been ratified at a "
            "multi-agency meeting yet, so there are no grades to report.\n"
        )
    ratification = ""
    if variables["cases"]["not_ratified"]:
        ratification = (
            f"{var('cases.not_ratified')} of the {var('cases.total')} cases had not yet been "
            "ratified at a multi-agency meeting and are not counted in the grades below.\n\n"
        )
    grade_rows = [
        [
            escape_markdown(g),
            var(f"grades.{slug(g)}.count"),
            var(f"grades.{slug(g)}.percent")
            + percent_sign(variables["grades"][slug(g)]["percent"]),
        ]
        for g in GRADES
    ]
    parts["grade-distribution.md"] = (
        ratification
        + figure(
            charts["grade-distribution"], "fig-grade-distribution", "Ratified grades of the cases"
        )
        + "\n"
        + table(
            ["Grade", "Cases", "Percentage of cases"],
            grade_rows,
            "Number and percentage of cases at each grade",
            ident="tbl-grade-distribution",
        )
        + hidden_note(variables, "grades")
    )

    area_rows = []
    for key, area in variables["areas"]["by"].items():
        area_rows.append(
            [escape_markdown(area["name"])]
            + [var(f"areas.by.{key}.{slug(g)}") for g in GRADES]
            + [var(f"areas.by.{key}.total")]
        )
    parts["grades-by-area.md"] = (
        figure(charts["grades-by-area"], "fig-grades-by-area", "Ratified grades by audit area")
        + "\n"
        + table(
            ["Area", *GRADES, "Total"],
            area_rows,
            "Number of cases at each grade, by audit area",
            ident="tbl-grades-by-area",
        )
        + hidden_note(variables, "areas")
    )

    actions = variables["actions"]
    if actions["raised"] == 0:
        action_text = "No immediate actions were raised at the multi-agency auditor meetings.\n"
    elif actions["open"] == 0:
        action_text = (
            "As a result of the multi-agency auditor meetings, "
            f"{n('actions.raised', 'immediate action was', 'immediate actions were')} raised. "
            "All immediate actions which were identified have been completed.\n"
        )
    else:
        action_text = (
            "As a result of the multi-agency auditor meetings, "
            f"{n('actions.raised', 'immediate action was', 'immediate actions were')} raised: "
            f"{n('actions.completed', 'has', 'have')} been completed and "
            f"{n('actions.open', 'remains', 'remain')} open.\n"
        )
    parts["immediate-actions.md"] = (
        optional_narrative(narrative, "immediate-actions") + "\n" + action_text
    )

    findings = []
    themes = variables["themes"]
    number = 0
    for theme_id, counts in themes.items():
        stem = f"finding-{theme_id}"
        if counts["cases"] == 0 and stem not in narrative:
            continue
        number += 1
        findings.append(f"### {number}\\. {escape_markdown(theme_titles[theme_id])}\n")
        findings.append(theme_counts_sentence(variables, theme_id))
        findings.append(narrative_or_note(narrative, stem))
    if not findings:
        findings.append("The audit returns spoke of none of the themes of the taxonomy.\n")
    theme_rows = [
        [
            escape_markdown(theme_titles[t]),
            var(f"themes.{t}.cases"),
            var(f"themes.{t}.returns"),
            var(f"themes.{t}.agencies"),
        ]
        for t in themes
    ]
    parts["findings.md"] = (
        "\n".join(findings)
        + "\n"
        + table(
            ["Theme", "Cases", "Returns", "Agencies"],
            theme_rows,
            "Themes found in the audit returns",
            widths=[52, 8, 8, 9],
        )
    )

    # What earlier audits of the board found, and the re-audit comparison; the sentence on
    # the findings they also made leads the conclusion (auditrap.earlier).
    parts["earlier-audits.md"] = earlier_audits_part(variables, charts)
    parts["conclusion.md"] = conclusion_part(variables, narrative_or_note(narrative, "conclusion"))
    parts["next-steps.md"] = narrative_or_note(narrative, "next-steps")

    definitions = [[escape_markdown(g), escape_markdown(GRADE_DEFINITIONS[g])] for g in GRADES]
    agreement_rows = [
        ["The ratified grade is the one the returns suggest", var("agreement.as_suggested")],
        ["The ratified grade is better than the returns suggest", var("agreement.better")],
        ["The ratified grade is worse than the returns suggest", var("agreement.worse")],
    ]
    parts["method.md"] = "\n".join(
        [
            "### The data\n",
            "The report is built from "
            f"{n('returns.total', 'single-agency audit return', 'single-agency audit returns')} "
            f"from {n('agencies.returned', 'agency', 'agencies')} about "
            f"{n('cases.total', 'case', 'cases')} in {n('areas.count', 'audit area', 'audit areas')}, "
            "the grade ratified for each case at a multi-agency auditor meeting, and "
            f"{n('actions.raised', 'immediate action', 'immediate actions')}.",
            "",
            "### The grades\n",
            "Each agency graded its own involvement, and the multi-agency meeting ratified one grade "
            "per case, on the four-point scale that Ofsted and the Care Quality Commission use.\n",
            table(["Grade", "What it means"], definitions, "The grade scale", align=["l", "l"]),
            "The grade the returns suggest for a case is the median of the agencies' own grades; "
            "when the median falls between two grades, the worse one is taken. The meeting may "
            "ratify a different grade after discussing the case.\n",
            table(
                ["Outcome", "Cases"],
                agreement_rows,
                "Ratified grades beside the grades the returns suggest",
            ),
            "### The themes\n",
            "Findings come from the free text of the returns (strengths and areas for improvement). "
            "Software matches each sentence against a shared list of themes and their key words, "
            "so that the same theme is recognised across audits, and suggests the themes each "
            "sentence speaks of. An analyst then reads every suggestion, confirms or rejects it, "
            "and adds any theme the software missed. A theme is raised as a concern when a "
            "return's areas for improvement speak of it, and noted as good practice when its "
            "strengths do. The counts say how many returns, cases and agencies spoke of each "
            "theme, and in which way; the analyst writes each finding from the sentences.\n",
            review_method(variables),
            "### Small numbers\n",
            escape_markdown(variables.get("disclosure", {}).get("statement", ""))
            or "No count in this report is suppressed or rounded.",
            "",
            f"### Data tables {{#{DATA_TABLES}}}\n",
            "The tables behind every chart and number of this report are published beside it as "
            "CSV files, grades by their labels:\n",
            *[f"- [{escape_markdown(t)}.csv](data/{t}.csv)" for t in PUBLISHED_TABLES],
            "",
            "### Where each number comes from\n",
            "Every number in this report has an id, the name of the variable it was computed "
            "as. [lineage.csv](data/lineage.csv), published beside the report, gives for each id "
            "its value, the published table and cell, and the filter that computed it over the "
            "input table. The board's internal edition adds the input files, with their hashes, "
            "and the rows that contributed. In the web page each number carries its id.\n",
            table(
                ["Id", "Value"],
                [[f"`{key}`", var(key)] for key, _ in numbers(variables, hidden=symbol)],
                "Every number in this report, by id",
                widths=[60, 12],
            ),
        ]
    )
    return parts


INTERNAL_NOTICE = (
    "Internal edition for the board and its auditors: it holds case-level detail and "
    "must not be published."
)


def _cell(value: Any) -> str:
    """One table cell from data: blank for missing, escaped text otherwise."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    text = str(value)
    return "" if text in ("nan", "<NA>", "NaT", "None") else escape_markdown(text)


def _date(value: Any) -> str:
    """A date cell: ``2021-06-15``, blank when there is none."""
    text = _cell(value)
    return _cell(str(value)[:10]) if text else ""


def review_method(variables: Mapping[str, Any]) -> str:
    """The method appendix on the review of the theme tags: how it went, and whether the
    report was made final without it."""
    review = variables.get("review") or {}
    if not review.get("suggested") and not review.get("added"):
        return "The software suggested no theme for any sentence of the returns.\n"

    def n(key: str, one: str, many: str) -> str:
        return counted(variables, f"review.{key}", one, many)

    text = (
        f"The software made {n('suggested', 'suggestion', 'suggestions')}: the analyst "
        f"accepted {var('review.accepted')} and rejected {var('review.rejected')}, and added "
        f"{n('added', 'theme', 'themes')} the software had missed."
    )
    if review.get("final_without_review"):
        text += (
            f" **The tags were not all reviewed:** {n('unreviewed', 'suggestion was', 'suggestions were')} "
            "not checked by an analyst and count as the software made them, because the board "
            "chose to publish this report without waiting for the review."
        )
    elif review.get("unreviewed"):
        text += (
            f" {n('unreviewed', 'suggestion has', 'suggestions have')} not yet been reviewed and "
            "count provisionally: this report is a draft."
        )
    return text + "\n"


def internal_appendix(
    case_grades: Any,
    agency_grades: Any,
    tags: Any,
    actions: Any,
    theme_titles: Mapping[str, str],
    sentence_tags: Any = None,
    max_rows: int | None = None,
) -> str:
    """The internal edition's case-level appendix. Every value is data, so every value is
    escaped where it becomes document source: free text cannot become markup.

    A part with more than ``max_rows`` rows (cases, theme evidence sentences, immediate
    actions) is summarised instead of listed, and says where the full table is: an audit of
    thousands of cases would otherwise make a document of thousands of pages that takes
    pandoc gigabytes and many minutes (docs/performance.md).
    """
    lines = [
        "## Appendix: case-level detail (internal)\n",
        f'::: {{.callout-important title="Not for publication"}}\n**{INTERNAL_NOTICE}**\n:::\n',
        "### Cases\n",
    ]
    if max_rows is not None and len(case_grades) > max_rows:
        lines += _cases_summary(case_grades, max_rows)
    else:
        lines += _cases_listed(case_grades, agency_grades)
    lines.append("### Themes and their evidence\n")
    if max_rows is not None and len(tags) > max_rows:
        lines += _themes_summary(tags, theme_titles, max_rows)
    else:
        lines += _themes_listed(tags, theme_titles)
    lines += unreviewed_suggestions(sentence_tags, theme_titles)
    lines.append("### Immediate actions\n")
    if max_rows is not None and len(actions) > max_rows:
        lines += _actions_summary(actions, max_rows)
    else:
        lines += _actions_listed(actions)
    return "\n".join(lines) + "\n"


def _too_many(count: int, what: str, max_rows: int) -> str:
    return (
        f"There are {count:,} {what}, more than the {max_rows:,} this appendix lists "
        "(`internal_appendix_rows` in config.yaml), so they are counted here"
    )


def _cases_summary(case_grades: Any, max_rows: int) -> list[str]:
    import pandas as pd

    from auditrap.grades import GRADES

    ratified = case_grades["ratified_grade"].astype("string").fillna("Not ratified")
    suggested = case_grades["suggested_grade"].astype("string").fillna("None")
    counts = pd.crosstab(ratified, suggested)
    order = [g for g in (*GRADES, "Not ratified") if g in counts.index]
    columns = [g for g in (*GRADES, "None") if g in counts.columns]
    counts = counts.reindex(index=order, columns=columns, fill_value=0)
    differing = int((~case_grades["agrees"].astype(bool)).sum())
    return [
        _too_many(len(case_grades), "cases", max_rows)
        + ". Each case, with its ratified grade beside the grade its returns suggest, is in "
        "the table `internal/data/case_grades.csv` published with this edition.\n",
        table(
            ["Ratified grade", *(f"Returns suggest {c}" for c in columns)],
            [[escape_markdown(i), *(str(int(n)) for n in row)] for i, row in counts.iterrows()],
            "Cases by ratified grade and by the grade their returns suggest",
            align=["l"] + ["r"] * len(columns),
        ),
        f"The ratified grade differs from what the returns suggest in {differing:,} "
        f"case{'' if differing == 1 else 's'}.\n",
    ]


def _cases_listed(case_grades: Any, agency_grades: Any) -> list[str]:
    lines = []
    # Each case's agencies and their grades, in the order of the returns.
    own = agency_grades["agency"].astype(str) + ": " + agency_grades["grade"].astype(str)
    details = own.groupby(agency_grades["case_id"].astype(str), sort=False).agg("; ".join)
    rows = []
    for case in case_grades.itertuples(index=False):
        detail = details.get(str(case.case_id), "")
        rows.append(
            [
                _cell(case.case_id),
                _cell(case.area),
                _cell(case.ratified_grade) or "Not ratified",
                _cell(case.suggested_grade),
                "" if not _cell(case.ratified_grade) else "Yes" if case.agrees else "**No**",
                _cell(detail),
            ]
        )
    lines.append(
        table(
            ["Case", "Area", "Ratified grade", "Returns suggest", "Same", "Agencies' own grades"],
            rows,
            "Each case's ratified grade beside the grade its returns suggest",
            align=["l"] * 6,
            widths=[8, 9, 13, 13, 6, 51],
        )
    )
    differing = case_grades[~case_grades["agrees"].astype(bool)]
    if len(differing):
        lines.append(
            "Cases where the ratified grade differs from what the returns suggest: "
            + ", ".join(_cell(c) for c in differing["case_id"])
            + ".\n"
        )
    return lines


def _themes_summary(tags: Any, theme_titles: Mapping[str, str], max_rows: int) -> list[str]:
    rows = []
    for theme_id, title in theme_titles.items():
        found = tags[tags["theme_id"] == theme_id]
        if len(found):
            rows.append(
                [escape_markdown(title), f"{len(found):,}", f"{found['case_id'].nunique():,}"]
            )
    return [
        _too_many(len(tags), "sentences of evidence", max_rows)
        + ". Each sentence, with its case, agency and field, is in the table "
        "`internal/data/theme_tags.csv` published with this edition.\n",
        table(
            ["Theme", "Sentences", "Cases"],
            rows,
            "Sentences of evidence for each theme, and the cases they come from",
            align=["l", "r", "r"],
        ),
    ]


def _themes_listed(tags: Any, theme_titles: Mapping[str, str]) -> list[str]:
    lines = []
    for theme_id, title in theme_titles.items():
        found = tags[tags["theme_id"] == theme_id]
        if found.empty:
            continue
        lines.append(f"#### {escape_markdown(title)}\n")
        for tag in found.itertuples(index=False):
            said = _said(tag)
            lines.append(
                f"- {_cell(tag.case_id)}, {_cell(tag.agency)} ({_cell(tag.field)}{said}): "
                f"{_cell(tag.sentence)}"
            )
        lines.append("")
    return lines


def _actions_summary(actions: Any, max_rows: int) -> list[str]:
    import pandas as pd

    counts = pd.crosstab(actions["agency"].astype(str), actions["status"].astype(str)).sort_index()
    statuses = list(counts.columns)
    return [
        _too_many(len(actions), "immediate actions", max_rows)
        + " by owner and status. Each action, with its text and dates, is in the audit's "
        "`actions.csv`.\n",
        table(
            ["Owner", *statuses],
            [[escape_markdown(i), *(f"{int(n):,}" for n in row)] for i, row in counts.iterrows()],
            "Immediate actions by owner and status",
            align=["l"] + ["r"] * len(statuses),
        ),
    ]


def _actions_listed(actions: Any) -> list[str]:
    lines = []
    action_rows = [
        [
            _cell(a.action_id),
            _cell(a.case_id),
            _cell(a.agency),
            _cell(a.action),
            _date(a.raised_date),
            _cell(a.status),
            _date(a.completed_date),
        ]
        for a in actions.itertuples(index=False)
    ]
    if action_rows:
        lines.append(
            table(
                ["Action", "Case", "Owner", "What must be done", "Raised", "Status", "Completed"],
                action_rows,
                "Immediate actions, with owner and status",
                align=["l"] * 7,
                widths=[7, 7, 14, 36, 12, 11, 12],
            )
        )
    else:
        lines.append("No immediate actions were raised.\n")
    return lines


def _said(tag: Any) -> str:
    """How the return spoke of the theme, after the field of the evidence shown."""
    concern, good = bool(getattr(tag, "concern", False)), bool(getattr(tag, "good_practice", False))
    said = {
        (True, True): "; raised as a concern and noted as good practice",
        (True, False): "; raised as a concern",
        (False, True): "; noted as good practice",
    }.get((concern, good), "")
    if hasattr(tag, "reviewed") and not bool(tag.reviewed):
        said += "; not yet reviewed"
    return said


#: At most this many unreviewed suggestions are listed in the internal edition (the review
#: file lists them all): an audit of tens of cases has a few hundred.
UNREVIEWED_LISTED = 1000


def unreviewed_suggestions(sentence_tags: Any, theme_titles: Mapping[str, str]) -> list[str]:
    """The internal appendix's list of the tagger's suggestions nobody has reviewed yet."""
    if sentence_tags is None:
        return []
    waiting = sentence_tags[
        (sentence_tags["origin"] == "tagger") & (sentence_tags["decision"] == "unreviewed")
    ]
    lines = ["### Theme suggestions not yet reviewed\n"]
    if waiting.empty:
        lines.append("None: the analyst has reviewed every theme the software suggested.\n")
        return lines
    lines.append(
        "The software suggested these themes and no analyst has yet confirmed or rejected "
        "them; they count provisionally. Review them in the audit's theme_review.csv (run "
        "`auditrap review` to write it as a workbook).\n"
    )
    rows = [
        [
            _cell(t.case_id),
            _cell(t.agency),
            _cell(t.field),
            _cell(theme_titles.get(t.theme_id, t.theme_id)),
            _cell(t.sentence),
        ]
        for t in waiting.head(UNREVIEWED_LISTED).itertuples(index=False)
    ]
    lines.append(
        table(
            ["Case", "Agency", "Field", "Theme suggested", "Sentence"],
            rows,
            "Theme suggestions not yet reviewed",
            align=["l"] * 5,
            widths=[8, 14, 11, 20, 47],
        )
    )
    if len(waiting) > UNREVIEWED_LISTED:
        lines.append(
            f"The first {UNREVIEWED_LISTED:,} of {len(waiting):,} are listed here; the review "
            "file lists them all.\n"
        )
    return lines


#: The software whose versions the report states (Python and the tools are always shown).
KEY_PACKAGES = (
    "snakemake",
    "pandas",
    "pandera",
    "altair",
    "vl-convert-python",
    "pyarrow",
    "openpyxl",
    "pypandoc-binary",
    "typst",
)


def provenance_part(
    audit_id: str,
    inputs: Mapping[str, str],
    environment: Mapping[str, Any],
    engine: str,
    *,
    pandoc: str | None = None,
) -> str:
    """The appendix "How this report was made": input hashes, software, how to verify.

    ``engine`` names the engine that rendered, with its Quarto version (``Quarto 1.7.34``);
    ``pandoc`` is the version of the pandoc that made the report when it is not the one of
    ``environment`` (Quarto brings its own)."""
    rows = [[escape_markdown(name), f"`{digest}`"] for name, digest in inputs.items()]
    packages = environment.get("packages", {})
    software = [
        ["Python", escape_markdown(str(environment.get("python")))],
        ["pandoc", escape_markdown(str(pandoc or environment.get("pandoc")))],
        ["Rendering engine", escape_markdown(engine)],
    ]
    software += [
        [escape_markdown(name), escape_markdown(str(packages[name]))]
        for name in KEY_PACKAGES
        if packages.get(name)
    ]
    return "\n".join(
        [
            "### How this report was made\n",
            "This report was built by auditrap, a reproducible pipeline, from the input files below. "
            f"Validation read {var('cases.total')} cases, {var('returns.total')} single-agency "
            f"returns and {var('actions.raised')} immediate actions, with "
            f"{var('validation.warnings')} warnings. The same inputs always give the same report, "
            "byte for byte.\n",
            "To check that a copy of this report is the one the pipeline made from these inputs, "
            f"run `auditrap verify report/_output/{audit_id}` in the project "  # the id is [a-z0-9-]
            "folder: it recomputes the hash of every input and output recorded in the report's "
            "`manifest.json` and names any file that differs; `--rebuild` also rebuilds the "
            "report and compares it byte for byte.\n",
            table(
                ["Input file", "SHA-256"],
                rows,
                "The inputs of this report and their hashes",
                align=["l", "l"],
                widths=[34, 64],
            ),
            table(
                ["Software", "Version"],
                software,
                "The software that made this report",
                align=["l", "l"],
            ),
        ]
    )


#: The heading of the method appendix that lists the published CSV files.
DATA_TABLES = "data-tables"


def downloads(audit_id: str, *, internal: bool = False) -> list[dict[str, Any]]:
    """The links at the top of the web page, in order, as ``{text, href}``, relative to the
    page (the published folder, report/_output/<audit_id>/, or its internal/ folder). The
    HTML template joins them with " · "; ``pdf: true`` adds the PDF's number of pages and
    size, which the render engine measures after making it. Add a link here (a learning
    brief, say) and every edition carries it."""
    pdf = f"{audit_id}-internal.pdf" if internal else f"{audit_id}.pdf"
    return [
        {"text": "Download this report as a PDF", "href": pdf, "pdf": True},
        {"text": "the data behind it (CSV)", "href": f"#{DATA_TABLES}"},
    ]


def metadata(variables: Mapping[str, Any], *, internal: bool = False) -> dict[str, Any]:
    """The document metadata. Pandoc and Quarto read metadata strings as Markdown, and Quarto
    looks for shortcodes in them, so the values from audit.yaml are escaped for both: a title
    is text, never markup or a shortcode. The date is the ISO date, which the report shows in
    the ``date-format`` of _quarto.yml."""
    audit = variables["audit"]
    edition = " (internal edition: not for publication)" if internal else ""
    links = [
        {**link, "text": escape_metadata(link["text"]), "href": escape_metadata(link["href"])}
        for link in downloads(audit["id"], internal=internal)
    ]
    iso = str(audit.get("published_iso", ""))
    return {
        "title": escape_metadata(audit["title"]),
        "subtitle": escape_metadata(
            f"The {audit['number_ordinal']} multi-agency audit, {audit['period']}" + edition
        ),
        "author": escape_metadata(audit["board"]),
        "date": iso
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", iso)
        else escape_metadata(audit["published"]),
        "lang": "en-GB",
        "downloads": links,
    }


def markdown_values(value: Any) -> Any:
    """The variables as _variables.yml holds them for Quarto, which reads every value as
    Markdown and looks for shortcodes in it: each text escaped (numbers and true/false as
    they are), so that a value is shown as the text it is."""
    if isinstance(value, Mapping):
        return {key: markdown_values(v) for key, v in value.items()}
    if isinstance(value, list):
        return [markdown_values(v) for v in value]
    if isinstance(value, str):
        return escape_metadata(value)
    return value


def assemble(
    build_dir: Path,
    *,
    report_dir: Path,
    variables: Mapping[str, Any],
    narrative_files: Sequence[Path],
    figure_files: Sequence[Path],
    theme_titles: Mapping[str, str],
    charts: Mapping[str, Mapping[str, str]],
    internal: str | None = None,
    provenance: str = "",
    accessibility: Mapping[str, str] | None = None,
) -> Path:
    """Write the build folder for one audit; returns the path of its ``report.qmd``.

    ``internal`` is the case-level appendix of the internal edition; the public edition
    (None) gets an empty appendix file, so that the same document serves both.
    ``accessibility`` (the ``accessibility`` block of config.yaml) joins the variables as
    ``accessibility.contact``: like every variable it is text, escaped where it is shown.
    (The render engine adds ``engine``: what the report says about the engine that made it.)
    """
    if build_dir.exists():
        shutil.rmtree(build_dir)
    (build_dir / "_generated").mkdir(parents=True)
    (build_dir / "narrative").mkdir()
    (build_dir / "figures").mkdir()
    for name in TEMPLATE_FILES:
        shutil.copyfile(report_dir / name, build_dir / name)
    for path in narrative_files:
        if path.suffix != ".md":
            # A picture beside the narrative: at the top of the build, since a picture in an
            # included file is found from the including document (report.qmd), in Quarto
            # as in the built-in engine. Its name ends as a picture's does, so it can never
            # replace a file of the build.
            shutil.copyfile(path, build_dir / path.name)
            continue
        # As checked (auditrap.narrative): without the analyst's notes to self (HTML
        # comments) and without direction controls.
        text = publishable_text(path.read_text(encoding="utf-8-sig"))
        (build_dir / "narrative" / path.name).write_text(text, encoding="utf-8")
    for path in figure_files:
        shutil.copyfile(path, build_dir / "figures" / path.name)
    narrative = {p.stem for p in narrative_files if p.suffix == ".md"}
    numeric = {key for key, _ in numbers(variables, hidden=hidden_symbol(variables))}
    for path in (build_dir / "narrative").glob("*.md"):
        path.write_text(mark_numbers(path.read_text(encoding="utf-8"), numeric), encoding="utf-8")
    for name, text in generated_parts(variables, narrative, theme_titles, charts).items():
        (build_dir / "_generated" / name).write_text(mark_numbers(text, numeric), encoding="utf-8")
    (build_dir / "_generated" / "internal.md").write_text(internal or "", encoding="utf-8")
    (build_dir / "_generated" / "provenance.md").write_text(provenance, encoding="utf-8")
    shown = {**variables, "accessibility": dict(accessibility)} if accessibility else variables
    _write_yaml(build_dir / "_variables.yml", markdown_values(shown))
    _write_yaml(build_dir / "_metadata.yml", metadata(variables, internal=internal is not None))
    return build_dir / "report.qmd"


def _write_yaml(path: Path, data: Mapping[str, Any]) -> None:
    path.write_text(
        "# Generated by auditrap from the audit's data: do not edit.\n"
        + yaml.safe_dump(dict(data), sort_keys=False, allow_unicode=True, width=100),
        encoding="utf-8",
    )
