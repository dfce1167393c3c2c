"""Assemble one audit's report source: the shared Quarto document plus this audit's parts.

The build folder holds exactly what ``quarto render`` needs (and what the built-in engine
reads the same way): ``report.qmd`` and ``_quarto.yml`` from ``report/``, the generated
``_variables.yml`` and ``_metadata.yml``, the analyst's ``narrative/``, the charts in
``figures/``, and ``_generated/*.md``: the parts of the text whose shape depends on the data
(tables, findings, "to be written" notes). Every number in them is a ``{{< var >}}``
shortcode, so that the report states no number that did not come from the variables file.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from auditrap.dates import long_date
from auditrap.earlier import conclusion_part
from auditrap.earlier import earlier_audits_part as earlier_part
from auditrap.earlier import introduction_part as responds_to_part
from auditrap.editions import INTERNAL_MARKING
from auditrap.glossary import Glossary, terms_used
from auditrap.grades import GRADE_DEFINITIONS, GRADES, slug
from auditrap.lineage import hidden_symbol, numbers
from auditrap.narrative import finding_title, is_finding, narrative_body
from auditrap.render.markdown import escape_attribute, escape_markdown, escape_metadata
from auditrap.tables import PLAN_TABLES, PUBLISHED_TABLES

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


# A "to be written" note as to_be_written() writes it, with the file it asks for as group 1.
_TO_BE_WRITTEN = re.compile(re.escape(to_be_written("\0")).replace(re.escape("\0"), "([^`\n]+)"))
_GENERATED_INCLUDE = re.compile(r"^\{\{<\s*include\s+(_generated/[^\s>]+\.md)\s*>\}\}", re.M)


def to_be_written_in(build_dir: Path, document: str = "report.qmd") -> list[str]:
    """The files a rendered document still asks the analyst for: each "to be written" note
    in the generated parts that ``document`` (in ``build_dir``) includes, in the order the
    reader meets them, each file once. The build records them for the publisher warnings
    (:func:`auditrap.readiness.record_to_be_written`): the notes are read from the Markdown
    the build wrote, never from the rendered page."""
    found: list[str] = []
    source = (Path(build_dir) / document).read_text(encoding="utf-8")
    for name in _GENERATED_INCLUDE.findall(source):
        part = Path(build_dir) / name
        if part.is_file():
            found += _TO_BE_WRITTEN.findall(part.read_text(encoding="utf-8"))
    return list(dict.fromkeys(found))


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
        "could help someone identify a child (see The data behind this report, in About this report).\n"
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


# --- numbers in sentences ----------------------------------------------------------------


def value_of(variables: Mapping[str, Any], key: str) -> Any:
    """The value of a dotted variable key (``cases.total``)."""
    value: Any = variables
    for part in key.split("."):
        value = value[part]
    return value


def amount(variables: Mapping[str, Any], key: str, zero: str = "none") -> str:
    """A count inside a sentence: ``{{< var key >}}``, or a word for nought (``none``), so
    that a sentence reads as it is spoken. Never at a sentence's start: a sentence starts
    with a word ("Of the 15 cases, none...")."""
    return zero if value_of(variables, key) == 0 else var(key)


def verb(variables: Mapping[str, Any], key: str, one: str, many: str) -> str:
    """The verb that agrees with a count: singular for one and for none ("none was"), plural
    for more and for a hidden count."""
    return one if value_of(variables, key) in (0, 1) else many


def in_sentence(title: str) -> str:
    """A heading inside a sentence: its first letter in lower case, unless the first word is
    an abbreviation or a name (``GP coding``, ``CPOMS``)."""
    return title[:1].lower() + title[1:] if re.match(r"[A-Z][a-z]", title) else title


def joined(items: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# --- the status of the report ------------------------------------------------------------


def review_note(variables: Mapping[str, Any]) -> str:
    """A note at the top of a draft: a report is a draft until it is approved (audit.yaml's
    approved_by and approved_on) and while theme suggestions are unreviewed (unless the
    report is final without review)."""
    review = variables.get("review") or {}
    document = variables.get("document") or {"approved": True}
    lines = []
    if not document.get("approved"):
        lines.append(
            "**Draft: not yet approved.** This report has not yet been approved for "
            "publication: its document control (in About this report) says who approved it, "
            "and when, once they have.\n"
        )
    if review.get("draft"):
        many = review["unreviewed"] != 1
        lines.append(
            f"**Draft: {var('review.unreviewed')} theme "
            f"{'suggestions' if many else 'suggestion'} not yet reviewed.** The themes in "
            "this report are found by software that suggests which themes each sentence of "
            "the audit returns speaks of. Until an analyst has checked "
            f"{'every one' if many else 'it'}, the counts of themes are provisional.\n"
        )
    if not lines:
        return ""
    return '::: {.callout-warning title="Not yet final"}\n' + "\n".join(lines) + ":::\n"


# --- the findings ------------------------------------------------------------------------


def report_findings(variables: Mapping[str, Any], narrative: set[str]) -> list[str]:
    """The themes the report presents as findings, in order: audit.yaml's ``findings``
    when it has them; otherwise every theme that at least one return spoke of, or that has
    the analyst's ``finding-<theme_id>.md``, in the taxonomy's order."""
    themes = variables["themes"]
    chosen = (variables.get("audit") or {}).get("findings") or []
    if chosen:
        return [t for t in chosen if t in themes]
    return [t for t, c in themes.items() if c["cases"] != 0 or f"finding-{t}" in narrative]


def finding_titles(
    findings: Sequence[str], theme_titles: Mapping[str, str], own: Mapping[str, str]
) -> dict[str, str]:
    """Each finding's heading: the ``title:`` of its narrative's front matter, else the
    taxonomy's title of the theme."""
    return {t: own.get(t) or theme_titles.get(t, t) for t in findings}


def recommendations_of(variables: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The audit's recommendations by variable key, in number order (none: empty)."""
    by = (variables.get("recommendations") or {}).get("by") or {}
    return dict(sorted(by.items(), key=lambda item: item[1]["number"]))


def recommendation_label(key: str) -> str:
    """``R`` and the recommendation's number (its place in recommendations.csv)."""
    return "R" + var(f"recommendations.by.{key}.number")


def answered_by(variables: Mapping[str, Any], theme_id: str) -> str:
    """ "Answered by recommendation R2." under a finding, when a recommendation answers it."""
    labels = [
        recommendation_label(key)
        for key, rec in recommendations_of(variables).items()
        if rec.get("theme_id") == theme_id
    ]
    if not labels:
        return ""
    noun = "recommendation" if len(labels) == 1 else "recommendations"
    return f"Answered by {noun} {joined(labels)}.\n"


def findings_part(
    variables: Mapping[str, Any], narrative: set[str], titles: Mapping[str, str]
) -> str:
    """The findings: each numbered, with its heading, what the returns said of it (counts
    of concerns and of good practice), the analyst's text and the recommendation that
    answers it."""
    blocks = []
    for number, theme_id in enumerate(titles, start=1):
        blocks += [
            f"### {number}\\. {escape_markdown(titles[theme_id])}\n",
            theme_counts_sentence(variables, theme_id),
            narrative_or_note(narrative, f"finding-{theme_id}"),
        ]
        answer = answered_by(variables, theme_id)
        if answer:
            blocks.append(answer)
    if not blocks:
        blocks.append("The audit returns spoke of none of the themes of the taxonomy.\n")
    return "\n".join(blocks) + "\n"


def earlier_audits_part(
    variables: Mapping[str, Any],
    charts: Mapping[str, Mapping[str, str]] | None = None,
    titles: Mapping[str, str] | None = None,
) -> str:
    """What earlier audits of the board found, and a re-audit's comparison
    (:func:`auditrap.earlier.earlier_audits_part`), each finding named by its heading in the
    report (``titles``): report.qmd includes it right after the findings, with its own
    heading; empty when the board has no earlier audit."""
    return earlier_part(variables, charts or {}, titles)


# --- key messages ------------------------------------------------------------------------

#: The most key messages the report opens with (the analyst's and the data's together).
MOST_KEY_MESSAGES = 5


def grades_message(variables: Mapping[str, Any]) -> str | None:
    """The grade headline: how many cases were graded good or better, and how many not."""
    if variables["cases"]["ratified"] == 0:
        return (
            f"None of the {counted(variables, 'cases.total', 'case', 'cases')} has yet been "
            "given a ratified grade at a multi-agency meeting."
        )
    graded = counted(variables, "cases.ratified", "case", "cases")
    if variables["cases"]["not_ratified"] not in (0, None):
        graded += " graded so far"
    return (
        f"Of the {graded}, {amount(variables, 'cases.good_or_better')} "
        f"{verb(variables, 'cases.good_or_better', 'was', 'were')} graded good or better and "
        f"{amount(variables, 'cases.below_good')} "
        "required improvement or "
        f"{verb(variables, 'cases.below_good', 'was', 'were')} inadequate."
    )


def _ranked(variables: Mapping[str, Any], findings: Sequence[str], kind: str) -> list[str]:
    """The findings by how many returns spoke of them as ``kind`` (concern or
    good_practice), most first (a tie in the report's order); a hidden count is left out,
    since it cannot be ranked."""
    counted_ = [
        (t, variables["themes"][t][kind]["returns"])
        for t in findings
        if isinstance(variables["themes"][t][kind]["returns"], int)
        and variables["themes"][t][kind]["returns"] > 0
    ]
    return [t for t, _ in sorted(counted_, key=lambda item: -item[1])]


def concerns_message(
    variables: Mapping[str, Any], titles: Mapping[str, str], most: int = 2
) -> str | None:
    """The findings raised most often as concerns."""
    top = _ranked(variables, list(titles), "concern")[:most]
    if not top:
        return None
    about = [
        f"{escape_markdown(in_sentence(titles[t]))} (in "
        f"{counted(variables, f'themes.{t}.concern.returns', 'return', 'returns')})"
        for t in top
    ]
    return f"Concerns were raised most often about {joined(about)}."


def good_practice_message(variables: Mapping[str, Any], titles: Mapping[str, str]) -> str | None:
    """The finding noted most often as good practice."""
    top = _ranked(variables, list(titles), "good_practice")[:1]
    if not top:
        return None
    t = top[0]
    return (
        f"Good practice was noted most often in {escape_markdown(in_sentence(titles[t]))} "
        f"(in {counted(variables, f'themes.{t}.good_practice.returns', 'return', 'returns')})."
    )


def recurring_message(titles: Mapping[str, str], recurring: Sequence[str]) -> str | None:
    """The findings that earlier audits of the board also made (issue 16 gives them)."""
    found = [escape_markdown(in_sentence(titles[t])) for t in recurring if t in titles]
    if not found:
        return None
    return f"Earlier audits of the board also found concerns about {joined(found)}."


def action_plan_message(variables: Mapping[str, Any]) -> str | None:
    """The progress of the action plan, with its as-of date: how many actions are complete,
    and how many overdue."""
    plan = variables.get("action_plan") or {}
    if not plan or plan.get("actions") in (0, None) or not plan.get("as_of"):
        return None
    return (
        f"As of {var('action_plan.as_of')}, {amount(variables, 'action_plan.completed')} of the "
        f"{counted(variables, 'action_plan.actions', 'action', 'actions')} of the action plan "
        f"{verb(variables, 'action_plan.completed', 'was', 'were')} completed and "
        f"{amount(variables, 'action_plan.overdue')} "
        f"{verb(variables, 'action_plan.overdue', 'was', 'were')} overdue."
    )


def immediate_actions_message(variables: Mapping[str, Any]) -> str | None:
    """Whether the immediate actions raised at the meetings are done."""
    actions = variables["actions"]
    if actions["raised"] == 0:
        return None
    if actions["open"] == 0:
        if actions["raised"] == 1:
            return "The immediate action raised at the multi-agency meetings has been completed."
        return (
            f"All {var('actions.raised')} immediate actions raised at the multi-agency "
            "meetings have been completed."
        )
    return (
        f"Of the {counted(variables, 'actions.raised', 'immediate action', 'immediate actions')} "
        f"raised at the multi-agency meetings, {amount(variables, 'actions.open')} "
        f"{verb(variables, 'actions.open', 'is', 'are')} still open."
    )


def data_key_messages(
    variables: Mapping[str, Any], titles: Mapping[str, str], recurring: Sequence[str] = ()
) -> list[str]:
    """The key messages the data gives, most important first: the grades, the concerns
    raised most, what earlier audits also found, the action plan's progress, the good
    practice noted most, the immediate actions."""
    messages = [
        grades_message(variables),
        concerns_message(variables, titles),
        recurring_message(titles, recurring),
        action_plan_message(variables),
        good_practice_message(variables, titles),
        immediate_actions_message(variables),
    ]
    return [m for m in messages if m]


def analyst_key_messages(text: str) -> int:
    """How many top-level list items the analyst's key-messages.md holds."""
    return len(re.findall(r"^(?:[-*+]|\d+[.)])[ \t]+\S", text, re.M))


def key_messages_part(
    variables: Mapping[str, Any],
    narrative: set[str],
    titles: Mapping[str, str],
    *,
    analyst_messages: int = 0,
    recurring: Sequence[str] = (),
) -> str:
    """The key messages on the first page: the analyst's (``key-messages.md``) first, then
    the data's, five at most together; without the analyst's file, the data's and a
    visible "to be written" note."""
    room = max(MOST_KEY_MESSAGES - analyst_messages, 0)
    data = "".join(f"- {m}\n" for m in data_key_messages(variables, titles, recurring)[:room])
    if "key-messages" in narrative:
        return include_narrative("key-messages") + ("\n" + data if data else "")
    return data + "\n" + to_be_written("narrative/key-messages.md")


# --- the sections of the seed ------------------------------------------------------------


def introduction_part(variables: Mapping[str, Any], narrative: set[str]) -> str:
    fallback = (
        f"The audit looked at {counted(variables, 'cases.total', 'case', 'cases')}, chosen "
        f"on the criteria: {var('audit.selection_criteria')}"
    )
    # What the audit responds to, from audit.yaml, leads the introduction (auditrap.earlier).
    responds = responds_to_part(variables)
    return (responds + "\n" if responds else "") + narrative_or_note(
        narrative, "introduction", fallback
    )


def scoring_summary_part(variables: Mapping[str, Any]) -> str:
    """The seed's sentence on the grades, every number from the data, none at the start of
    a sentence: "Of the 15 cases, none was graded outstanding; 5 were graded good, 6
    requiring improvement and 4 inadequate." """
    if not variables["cases"]["ratified"]:
        return (
            f"None of the {counted(variables, 'cases.total', 'case has', 'cases have')} been "
            "ratified at a multi-agency meeting yet, so there are no grades to report.\n"
        )

    def key(grade: str) -> str:
        return f"grades.{grade}.count"

    return (
        f"Of the {counted(variables, 'cases.ratified', 'case', 'cases')}, "
        f"{amount(variables, key('outstanding'))} "
        f"{verb(variables, key('outstanding'), 'was', 'were')} graded outstanding; "
        f"{amount(variables, key('good'))} {verb(variables, key('good'), 'was', 'were')} "
        f"graded good, {amount(variables, key('requires-improvement'))} requiring "
        f"improvement and {amount(variables, key('inadequate'))} inadequate.\n"
    )


def grade_distribution_part(
    variables: Mapping[str, Any], charts: Mapping[str, Mapping[str, str]]
) -> str:
    ratification = ""
    if variables["cases"]["not_ratified"]:
        ratification = (
            f"Of the {var('cases.total')} cases, {var('cases.not_ratified')} had not yet been "
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
    return (
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


def grades_by_area_part(
    variables: Mapping[str, Any], charts: Mapping[str, Mapping[str, str]]
) -> str:
    area_rows = [
        [escape_markdown(area["name"])]
        + [var(f"areas.by.{key}.{slug(g)}") for g in GRADES]
        + [var(f"areas.by.{key}.total")]
        for key, area in variables["areas"]["by"].items()
    ]
    return (
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


def immediate_actions_part(variables: Mapping[str, Any], narrative: set[str]) -> str:
    actions = variables["actions"]

    def n(key: str, one: str, many: str) -> str:
        return counted(variables, key, one, many)

    if actions["raised"] == 0:
        text = "No immediate actions were raised at the multi-agency auditor meetings.\n"
    elif actions["open"] == 0:
        text = (
            "As a result of the multi-agency auditor meetings, "
            f"{n('actions.raised', 'immediate action was', 'immediate actions were')} raised. "
            "All immediate actions which were identified have been completed.\n"
        )
    else:
        text = (
            "As a result of the multi-agency auditor meetings, "
            f"{n('actions.raised', 'immediate action was', 'immediate actions were')} raised: "
            f"{amount(variables, 'actions.completed')} "
            f"{verb(variables, 'actions.completed', 'has', 'have')} been completed and "
            f"{n('actions.open', 'remains', 'remain')} open.\n"
        )
    return optional_narrative(narrative, "immediate-actions") + "\n" + text


# --- recommendations and the action plan --------------------------------------------------


def recommendations_part(variables: Mapping[str, Any], titles: Mapping[str, str]) -> str:
    """The audit's recommendations, numbered R1, R2... in file order, each with whom it is
    addressed to and the finding it answers; then the action plan's progress, per
    recommendation and in total, by status, with the overdue actions as of the as-of date.
    Without recommendations.csv, a visible "to be written" note."""
    recommendations = recommendations_of(variables)
    if not recommendations:
        return to_be_written("recommendations.csv")
    numbers = {t: n for n, t in enumerate(titles, start=1)}
    blocks = [
        f"The audit makes "
        f"{counted(variables, 'recommendations.count', 'recommendation', 'recommendations')}, "
        "each addressed to the agency, or the Board, that must act on it.\n"
    ]
    for key, rec in recommendations.items():
        about = f"Addressed to: {escape_markdown(rec['addressed_to'])}."
        theme = rec.get("theme_id")
        if theme in numbers:
            about += f" Answers finding {numbers[theme]}."
        elif theme:
            about += f" Answers the theme {escape_markdown(rec.get('finding') or theme)}."
        blocks.append(
            f"**{recommendation_label(key)}\\.** {escape_markdown(rec['text'])}\\\n*{about}*\n"
        )
    blocks.append(action_plan_progress_part(variables))
    return "\n".join(blocks)


def action_plan_progress_part(variables: Mapping[str, Any]) -> str:
    """The action plan's progress as of its as-of date: a sentence, and a table by
    recommendation with a total row."""
    plan = variables.get("action_plan") or {}
    if plan.get("actions") in (0, None) or not plan.get("as_of"):
        return (
            "The action plan against these recommendations has not been agreed yet; its "
            "progress will be reported here.\n"
        )
    columns = ("actions", "completed", "in_progress", "not_started", "overdue")
    rows = [
        [recommendation_label(key)] + [var(f"recommendations.by.{key}.{c}") for c in columns]
        for key in recommendations_of(variables)
    ]
    rows.append(["Total"] + [var(f"action_plan.{c}") for c in columns])
    overdue = (
        "None was overdue."
        if value_of(variables, "action_plan.overdue") == 0
        else f"Of these, {var('action_plan.overdue')} "
        f"{verb(variables, 'action_plan.overdue', 'was', 'were')} overdue: not completed by "
        "its target date."
    )
    return (
        f"As of {var('action_plan.as_of')}, the date the action plan was last reviewed, "
        f"{amount(variables, 'action_plan.completed')} of its "
        f"{counted(variables, 'action_plan.actions', 'action', 'actions')} "
        f"{verb(variables, 'action_plan.completed', 'was', 'were')} completed, "
        f"{amount(variables, 'action_plan.in_progress')} "
        f"{verb(variables, 'action_plan.in_progress', 'was', 'were')} in progress and "
        f"{amount(variables, 'action_plan.not_started')} had not started. {overdue}\n\n"
        + table(
            ["Recommendation", "Actions", "Completed", "In progress", "Not started", "Overdue"],
            rows,
            f"Progress of the action plan by recommendation, as of {var('action_plan.as_of')}",
            ident="tbl-action-plan-progress",
            widths=[20, 9, 11, 11, 11, 9],
        )
        + hidden_note(variables, "action_plan")
    )


# --- learning, glossary and the report itself ---------------------------------------------


def questions_part(narrative: set[str]) -> str:
    """The reflective questions for practitioners (a "7-minute briefing"'s)."""
    return narrative_or_note(narrative, "questions")


def glossary_part(entries: Sequence[Any]) -> str:
    """The glossary's terms that the report uses, one short paragraph each, the term in
    bold (every word escaped: the glossary is data), in two columns in the PDF."""
    if not entries:
        return "This report uses none of the terms of the board's glossary.\n"
    terms = "\n".join(
        f"**{escape_markdown(entry.shown)}:** {escape_markdown(entry.definition)}\n"
        for entry in entries
    )
    # Two columns on the A4 page (typst-alt.lua), one on the web page.
    return f"::: {{.columns-2}}\n{terms}:::\n"


def document_control_part(variables: Mapping[str, Any]) -> str:
    """The report's document control: its version and status, who approved it and when,
    when it is next reviewed, and its publication date."""
    document = variables.get("document") or {}
    rows = [
        ["Version", var("document.version") if document.get("version") else "Not given"],
        ["Status", var("document.status")],
        [
            "Approved by",
            var("document.approved_by") if document.get("approved_by") else "Not yet approved",
        ],
        [
            "Approved on",
            var("document.approved_on") if document.get("approved_on") else "Not yet approved",
        ],
        ["Next review", var("document.next_review") if document.get("next_review") else "Not set"],
        ["Published", var("audit.published")],
    ]
    return table(
        ["Item", "Detail"],
        rows,
        "Document control",
        align=["l", "l"],
        ident="tbl-document-control",
        widths=[16, 40],
    )


#: The heading of the section of About this report that lists the published CSV files.
DATA_TABLES = "data-tables"


def technical_note_name(audit_id: str) -> str:
    """The technical note's file name, published beside the report."""
    return f"{audit_id}-technical.html"


def data_part(variables: Mapping[str, Any]) -> str:
    """The data published beside the report: the disclosure policy that applies to it (its
    small numbers), and every table behind its charts and numbers."""
    tables = list(PUBLISHED_TABLES)
    if recommendations_of(variables):
        tables += list(PLAN_TABLES)
    links = ", ".join(f"[{escape_markdown(t)}.csv](data/{t}.csv)" for t in tables)
    small_numbers = (
        escape_markdown(variables.get("disclosure", {}).get("statement", ""))
        or "No count in this report is suppressed or rounded."
    )
    return (
        f"### The data behind this report {{#{DATA_TABLES}}}\n\n"
        f"{small_numbers}\n\n"
        "The tables behind every chart and number of this report are published beside it as "
        f"CSV files, grades by their labels: {links}.\n"
    )


def technical_note_sentence(variables: Mapping[str, Any], *, internal: bool = False) -> str:
    """The one sentence that links the technical note (relative to the page: the internal
    edition is one folder down)."""
    note = technical_note_name(variables["audit"]["id"])  # the id is [a-z0-9-]
    href = ("../" if internal else "") + note
    return (
        "How this report was made (the software, its input files and where each of its "
        f"numbers comes from) is in its technical note, [{escape_markdown(note)}]({href}).\n"
    )


def about_part(variables: Mapping[str, Any], *, internal: bool = False) -> str:
    """ "About this report": how the audit was done, in short; small numbers; the data and
    the technical note; the document control."""

    def n(key: str, one: str, many: str) -> str:
        return counted(variables, key, one, many)

    definitions = [[escape_markdown(g), escape_markdown(GRADE_DEFINITIONS[g])] for g in GRADES]
    return "\n".join(
        [
            "### How the audit was done\n",
            "The report is built from "
            f"{n('returns.total', 'single-agency audit return', 'single-agency audit returns')} "
            f"from {n('agencies.returned', 'agency', 'agencies')} about "
            f"{n('cases.total', 'case', 'cases')} in {n('areas.count', 'audit area', 'audit areas')}, "
            "the grade ratified for each case at a multi-agency auditor meeting, and "
            f"{n('actions.raised', 'immediate action', 'immediate actions')}.\n",
            "Each agency graded its own involvement, and the multi-agency meeting ratified one "
            "grade per case, on the four-point scale that Ofsted and the Care Quality "
            "Commission use.\n",
            table(["Grade", "What it means"], definitions, "The grade scale", align=["l", "l"]),
            "The grade the returns suggest for a case is the median of the agencies' own "
            "grades (the worse of two, when it falls between them). The meeting ratified that "
            f"grade for {amount(variables, 'agreement.as_suggested')} "
            f"{'case' if value_of(variables, 'agreement.as_suggested') == 1 else 'cases'}, a "
            f"better one for {amount(variables, 'agreement.better')} and a worse one for "
            f"{amount(variables, 'agreement.worse')}, after discussing the case.\n",
            "The findings come from the free text of the returns. Software suggests which "
            "themes each sentence speaks of, from a shared list of themes and their key "
            "words; an analyst confirms or rejects each suggestion and adds what it missed. A "
            "theme is raised as a concern when a return's areas for improvement speak of it, "
            "and noted as good practice when its strengths do.",
            review_method(variables),
            technical_note_sentence(variables, internal=internal),
            data_part(variables),
            "### Document control\n",
            document_control_part(variables),
        ]
    )


def generated_parts(
    variables: Mapping[str, Any],
    narrative: set[str],
    theme_titles: Mapping[str, str],
    charts: Mapping[str, Mapping[str, str]],
    *,
    own_titles: Mapping[str, str] | None = None,
    analyst_messages: int = 0,
    recurring: Sequence[str] = (),
    internal: bool = False,
) -> dict[str, str]:
    """The generated Markdown parts of the report, by file name, each made by the function
    of its section (so that another document, a learning brief say, can reuse them).

    ``charts`` gives each chart's headline title and alt text (``charts.json``);
    ``own_titles`` the findings' headings from their narrative's front matter;
    ``analyst_messages`` how many key messages the analyst wrote (key-messages.md);
    ``recurring`` the findings earlier audits of the board also made.
    """
    titles = finding_titles(report_findings(variables, narrative), theme_titles, own_titles or {})
    return {
        "review-status.md": review_note(variables),
        "key-messages.md": key_messages_part(
            variables,
            narrative,
            titles,
            analyst_messages=analyst_messages,
            recurring=recurring,
        ),
        "introduction.md": introduction_part(variables, narrative),
        "scoring.md": optional_narrative(narrative, "scoring"),
        "scoring-summary.md": scoring_summary_part(variables),
        "grade-distribution.md": grade_distribution_part(variables, charts),
        "grades-by-area.md": grades_by_area_part(variables, charts),
        "areas.md": optional_narrative(narrative, "areas"),
        "immediate-actions.md": immediate_actions_part(variables, narrative),
        "findings.md": findings_part(variables, narrative, titles),
        "earlier-audits.md": earlier_audits_part(variables, charts, titles),
        "recommendations.md": recommendations_part(variables, titles),
        # The sentence on the findings earlier audits also made leads the conclusion.
        "conclusion.md": conclusion_part(variables, narrative_or_note(narrative, "conclusion")),
        "next-steps.md": narrative_or_note(narrative, "next-steps"),
        "questions.md": questions_part(narrative),
        "about.md": about_part(variables, internal=internal),
    }


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
    """A date cell in the report's long form, ``15 June 2021``; blank when there is none.
    The day stays with its month (a no-break space), so that a narrow column breaks the
    date only before the year."""
    if not _cell(value):
        return ""
    try:
        return long_date(dt.date.fromisoformat(str(value)[:10])).replace(" ", "\u00a0", 1)
    except ValueError:
        return _cell(value)


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
            f" Of the suggestions, {n('unreviewed', 'has', 'have')} not yet been reviewed and "
            f"{'counts' if review['unreviewed'] == 1 else 'count'} provisionally: this report "
            "is a draft."
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
                widths=[8, 8, 13, 32, 13, 11, 13],
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


def software_rows(
    environment: Mapping[str, Any], engine: str, *, pandoc: str | None = None
) -> list[tuple[str, str]]:
    """The software that made a report, as (name, version): Python, pandoc, the rendering
    engine, and the key packages installed."""
    packages = environment.get("packages", {})
    return [
        ("Python", str(environment.get("python"))),
        ("pandoc", str(pandoc or environment.get("pandoc"))),
        ("Rendering engine", engine),
        *((name, str(packages[name])) for name in KEY_PACKAGES if packages.get(name)),
    ]


def provenance_part(
    audit_id: str,
    inputs: Mapping[str, str],
    environment: Mapping[str, Any],
    engine: str,
    *,
    pandoc: str | None = None,
) -> str:
    """The internal edition's appendix "How this report was made": input hashes, software,
    how to verify (the public edition's technical note says the same: auditrap.technical).

    ``engine`` names the engine that rendered, with its Quarto version (``Quarto 1.7.34``);
    ``pandoc`` is the version of the pandoc that made the report when it is not the one of
    ``environment`` (Quarto brings its own)."""
    rows = [[escape_markdown(name), f"`{digest}`"] for name, digest in inputs.items()]
    software = [
        [escape_markdown(name), escape_markdown(version)]
        for name, version in software_rows(environment, engine, pandoc=pandoc)
    ]
    return "\n".join(
        [
            "## Appendix: how this report was made\n",
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
        # The one-page learning brief, published beside the public edition.
        {
            "text": "its one-page learning brief",
            "href": ("../" if internal else "") + f"{audit_id}-briefing.html",
        },
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
        # The internal edition's protective marking: the templates show it in the page's
        # <title>, a banner, the PDF's header, footer and metadata (auditrap.editions).
        **({"marking": escape_metadata(INTERNAL_MARKING)} if internal else {}),
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
    glossary: Glossary | None = None,
    recurring: Sequence[str] = (),
    front: str = "",
) -> Path:
    """Write the build folder for one audit; returns the path of its ``report.qmd``.

    ``internal`` is the case-level appendix of the internal edition; the public edition
    (None) gets an empty appendix file, so that the same document serves both. The
    internal edition also carries ``provenance`` ("How this report was made"), which the
    public edition leaves to its technical note.
    ``accessibility`` (the ``accessibility`` block of config.yaml) joins the variables as
    ``accessibility.contact``: like every variable it is text, escaped where it is shown.
    ``glossary`` is the board's glossary (and the audit's own): the report lists the terms
    its text uses. ``recurring`` are the findings earlier audits also made.
    (The render engine adds ``engine``: what the report says about the engine that made it.)
    ``front`` opens the document (the internal edition's "Before publishing":
    :func:`auditrap.editions.internal_front`); the public edition has none.
    """
    if build_dir.exists():
        shutil.rmtree(build_dir)
    (build_dir / "_generated").mkdir(parents=True)
    (build_dir / "narrative").mkdir()
    (build_dir / "figures").mkdir()
    for name in TEMPLATE_FILES:
        shutil.copyfile(report_dir / name, build_dir / name)
    texts: dict[str, str] = {}
    own_titles: dict[str, str] = {}
    for path in narrative_files:
        if path.suffix != ".md":
            # A picture beside the narrative: at the top of the build, since a picture in an
            # included file is found from the including document (report.qmd), in Quarto
            # as in the built-in engine. Its name ends as a picture's does, so it can never
            # replace a file of the build.
            shutil.copyfile(path, build_dir / path.name)
            continue
        # As checked (auditrap.narrative): without the analyst's notes to self (HTML
        # comments), direction controls and a finding's front matter (its title).
        raw = path.read_text(encoding="utf-8-sig")
        texts[path.stem] = narrative_body(raw)
        if is_finding(path) and finding_title(raw):
            own_titles[path.stem.removeprefix("finding-")] = str(finding_title(raw))
    for path in figure_files:
        shutil.copyfile(path, build_dir / "figures" / path.name)
    narrative = set(texts)
    numeric = {key for key, _ in numbers(variables, hidden=hidden_symbol(variables))}
    for stem, text in texts.items():
        (build_dir / "narrative" / f"{stem}.md").write_text(
            mark_numbers(text, numeric), encoding="utf-8"
        )
    if not recurring:
        # The findings earlier audits of the board also made (auditrap.earlier's variables).
        earlier = (variables.get("earlier") or {}).get("themes", {})
        recurring = [theme for theme, entry in earlier.items() if entry.get("in")]
    parts = generated_parts(
        variables,
        narrative,
        theme_titles,
        charts,
        own_titles=own_titles,
        analyst_messages=analyst_key_messages(texts.get("key-messages", "")),
        recurring=recurring,
        internal=internal is not None,
    )
    parts["glossary.md"] = glossary_part(
        terms_used(
            glossary or Glossary(()),
            [report_words((report_dir / "report.qmd").read_text(encoding="utf-8"), variables)]
            + [report_words(t, variables) for t in (*parts.values(), *texts.values())]
            + [report_words(str(v), variables) for v in metadata(variables).values()],
        )
    )
    for name, text in parts.items():
        (build_dir / "_generated" / name).write_text(mark_numbers(text, numeric), encoding="utf-8")
    (build_dir / "_generated" / "internal.md").write_text(internal or "", encoding="utf-8")
    (build_dir / "_generated" / "edition.md").write_text(
        mark_numbers(front, numeric), encoding="utf-8"
    )
    (build_dir / "_generated" / "provenance.md").write_text(
        provenance if internal is not None else "", encoding="utf-8"
    )
    shown = {**variables, "accessibility": dict(accessibility)} if accessibility else variables
    _write_yaml(build_dir / "_variables.yml", markdown_values(shown))
    _write_yaml(build_dir / "_metadata.yml", metadata(variables, internal=internal is not None))
    return build_dir / "report.qmd"


_INCLUDE = re.compile(r"\{\{<\s*include\s+[^>]*>\}\}")
_COMMENT = re.compile(r"<!--.*?-->", re.S)


def report_words(source: str, variables: Mapping[str, Any]) -> str:
    """The words of a piece of the report's source as a reader sees them, near enough to
    find the glossary's terms in: each ``{{< var >}}`` replaced by its value, includes,
    comments, front matter and Markdown's backslash escapes taken out."""

    def value(match: re.Match) -> str:
        try:
            return str(value_of(variables, match.group(1)))
        except (KeyError, TypeError):
            return ""

    text = _COMMENT.sub(" ", source)
    text = re.sub(r"\A---\n.*?\n---\n", " ", text, flags=re.S)
    text = _INCLUDE.sub(" ", text)
    text = VAR_SHORTCODE.sub(value, text)
    return re.sub(r"\\(.)", r"\1", text)


def _write_yaml(path: Path, data: Mapping[str, Any]) -> None:
    path.write_text(
        "# Generated by auditrap from the audit's data: do not edit.\n"
        + yaml.safe_dump(dict(data), sort_keys=False, allow_unicode=True, width=100),
        encoding="utf-8",
    )
