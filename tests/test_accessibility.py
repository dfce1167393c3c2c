"""Every web page the pipeline makes passes WCAG 2.2 AA checks in a real browser.

The sample audit and the fixture audit are built once, then each page (the public and the
internal edition of both reports, the programme page, and the validation reports, one of
them listing problems) is opened in headless Chromium and checked: axe-core finds no
violation of the WCAG 2.0, 2.1 and 2.2 A and AA rules at desktop width and at 320 CSS px;
the page reflows at 320 CSS px; the skip link comes first and moves the focus to the main
content; whatever has the keyboard's focus shows it; every chart is an image named with its
numbers, with a table of the same numbers beside it.

Needs Debian's `chromium` (/usr/bin/chromium) and axe-core, pinned in tests/browser/
(`npm ci --prefix tests/browser`); `.ci/run` installs both. Without them the tests are
skipped, except in CI (the CI environment variable is set), where they fail.
"""

from __future__ import annotations

import os
import re
from html import unescape
from pathlib import Path

import pytest
import yaml

from auditrap.pipeline import StageError, validate_stage

from conftest import FIXTURE_AUDIT, ROOT, SAMPLE_AUDIT, add_sample_programme, set_cell
from test_workflow import html_text, make_workspace, pdf_text, snakemake

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
# The network is closed and the browser must not try it: no updates, sync or first-run work.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
DESKTOP, NARROW = 1280, 320

# A contact with Markdown and HTML in it: the report must show it as the text it is.
CONTACT = "https://www.example.org/contact-us *not emphasis* <b>not bold</b>"

REPORTS = {
    "nai-2018": "report/_output/nai-2018/nai-2018.html",
    "nai-2018-internal": "report/_output/nai-2018/internal/nai-2018-internal.html",
    "exploitation-2021": "report/_output/exploitation-2021/exploitation-2021.html",
    "exploitation-2021-internal": (
        "report/_output/exploitation-2021/internal/exploitation-2021-internal.html"
    ),
}
# The one-page learning briefs (src/auditrap/briefing.py): the sample's, with both of its
# narrative sections, and the fixture's, with "to be written" notes in their place.
BRIEFS = {
    "nai-2018-briefing": "report/_output/nai-2018/nai-2018-briefing.html",
    "exploitation-2021-briefing": "report/_output/exploitation-2021/exploitation-2021-briefing.html",
}
# The board's assurance report (the sample's programme: its charts, tables and narrative).
BOARD_REPORTS = {
    "board-lancashire": (
        "report/_output/boards/lancashire-safeguarding-children-board/"
        "lancashire-safeguarding-children-board.html"
    ),
}
PAGES = {
    **REPORTS,
    **BRIEFS,
    **BOARD_REPORTS,
    # The technical note published beside each report (hashes, ids, software).
    "nai-2018-technical": "report/_output/nai-2018/nai-2018-technical.html",
    "exploitation-2021-technical": (
        "report/_output/exploitation-2021/exploitation-2021-technical.html"
    ),
    "board-lancashire-technical": (
        "report/_output/boards/lancashire-safeguarding-children-board/"
        "lancashire-safeguarding-children-board-technical.html"
    ),
    "programme": "report/_output/index.html",
    "validation-nai-2018": "data/processed/nai-2018/validation/report.html",
    "validation-with-problems": "data/processed/broken-2021/validation/report.html",
}


def missing_tools() -> list[str]:
    missing = []
    if not CHROMIUM.is_file():
        missing.append(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    if not AXE.is_file():
        missing.append(
            f"axe-core is not installed at {AXE.relative_to(ROOT)} (npm ci --prefix tests/browser)"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright package is not installed (make setup)")
    return missing


@pytest.fixture(scope="module")
def axe_source() -> str:
    """axe-core's source; skips (fails in CI) when the browser tools are not installed."""
    missing = missing_tools()
    if missing:
        reason = "Browser accessibility tests need: " + "; ".join(missing) + "."
        if os.environ.get("CI"):
            pytest.fail(reason + " CI must run them: .ci/run installs both.", pytrace=False)
        pytest.skip(reason)
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def built(axe_source, tmp_path_factory) -> Path:
    """Both audits built in one run, and the validation report of an audit with problems."""
    workspace = make_workspace(
        tmp_path_factory.mktemp("a11y"),
        {"nai-2018": SAMPLE_AUDIT, "exploitation-2021": FIXTURE_AUDIT},
    )
    add_sample_programme(workspace)  # the earlier audits' sections, the board's report
    config_file = workspace / "config.yaml"
    config = yaml.safe_load(config_file.read_text())
    config["accessibility"] = {"contact": CONTACT}
    config_file.write_text(yaml.safe_dump(config))
    result = snakemake(workspace)
    assert result.returncode == 0, result.stderr[-5000:]

    broken = tmp_path_factory.mktemp("raw") / "broken-2021"
    make_broken_audit(broken)
    with pytest.raises(StageError):
        validate_stage(
            audit_dir=broken,
            audit_id="broken-2021",
            out_dir=workspace / "data" / "processed" / "broken-2021",
            report_dir=workspace / "data" / "processed" / "broken-2021" / "validation",
        )
    return workspace


def make_broken_audit(folder: Path) -> None:
    """The fixture audit with mistakes, one of them a long value with no spaces in it."""
    import shutil

    shutil.copytree(FIXTURE_AUDIT, folder)
    set_cell(folder / "cases.csv", 2, "area", "Riversdie")
    set_cell(folder / "returns.csv", 2, "grade", "Requires Improvment")
    set_cell(folder / "returns.csv", 3, "return_date", "2021-02-30")
    set_cell(folder / "returns.csv", 4, "agency", "Childrens-Social-Care-Exploitation-Team-" * 3)


@pytest.fixture(scope="module")
def browser(axe_source):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture
def open_page(browser, built):
    """Open one of the pages at a given width; closed after the test."""
    opened = []

    def open_(name: str, width: int = DESKTOP):
        page = browser.new_page(viewport={"width": width, "height": 800})
        opened.append(page)
        path = built / PAGES[name]
        assert path.is_file(), f"{PAGES[name]} was not made"
        page.goto(path.resolve().as_uri())
        return page

    yield open_
    for page in opened:
        page.close()


# --------------------------------------------------------------------------------------
# axe-core


AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {
    runOnly: {type: 'tag', values: tags},
    resultTypes: ['violations'],
  });
  return result.violations.map(v => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    targets: v.nodes.map(n => n.target.flat().join(' ')),
  }));
}"""


@pytest.mark.parametrize("width", [DESKTOP, NARROW])
@pytest.mark.parametrize("name", list(PAGES))
def test_axe_finds_no_wcag_22_aa_violation(open_page, axe_source, name, width):
    page = open_page(name, width)
    page.add_script_tag(content=axe_source)
    violations = page.evaluate(AXE_RUN, WCAG_TAGS)
    listed = "\n".join(
        f"  - {v['id']} ({v['impact']}): {v['help']}\n      at: " + "; ".join(v["targets"][:10])
        for v in violations
    )
    assert not violations, f"axe-core found in {PAGES[name]} at {width} px:\n{listed}"


# --------------------------------------------------------------------------------------
# Reflow at 320 CSS px (WCAG 1.4.10)


REFLOW = """() => {
  const width = window.innerWidth;
  const describe = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (el.className && typeof el.className === 'string' ? '.' + el.className.trim().replace(/\\s+/g, '.') : '');
  const scroller = el => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const overflow = getComputedStyle(a).overflowX;
      if ((overflow === 'auto' || overflow === 'scroll') && a.getBoundingClientRect().right <= width + 1) {
        return a;
      }
    }
    return null;
  };
  const wide = [];
  const regions = new Map();
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    if (box.left >= -1 && box.right <= width + 1) continue;
    const region = scroller(el);
    if (region === null) {
      wide.push(describe(el) + ' spans ' + Math.round(box.left) + ' to ' + Math.round(box.right) + ' px');
    } else {
      regions.set(region, {
        region: describe(region),
        tabindex: region.getAttribute('tabindex'),
        role: region.getAttribute('role'),
        label: region.getAttribute('aria-label') || region.getAttribute('aria-labelledby'),
      });
    }
  }
  return {
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: width,
    wide: wide.slice(0, 20),
    regions: Array.from(regions.values()),
  };
}"""


@pytest.mark.parametrize("name", list(PAGES))
def test_page_reflows_at_320_css_px(open_page, name):
    page = open_page(name, NARROW)
    found = page.evaluate(REFLOW)
    assert found["scrollWidth"] <= found["innerWidth"], (
        f"{PAGES[name]} scrolls sideways at {NARROW} px: it is {found['scrollWidth']} px wide"
    )
    assert not found["wide"], f"wider than the screen, outside a scrolling region: {found['wide']}"
    for region in found["regions"]:
        # A region that scrolls by itself must be reachable and scrollable by keyboard, and
        # say what it holds.
        assert region["tabindex"] == "0", f"{region['region']} scrolls but cannot be focused"
        assert region["role"] == "region" and region["label"], f"{region} has no label"


# --------------------------------------------------------------------------------------
# Keyboard: the skip link, and a visible focus indicator (WCAG 2.4.1, 2.4.7)


FOCUSED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  return {
    tag: el.tagName.toLowerCase(),
    id: el.id,
    text: (el.textContent || '').trim().slice(0, 60),
    href: el.getAttribute('href'),
    html: el.outerHTML.slice(0, 120),
    outlineStyle: style.outlineStyle,
    outlineWidth: parseFloat(style.outlineWidth) || 0,
    outlineColor: style.outlineColor,
    boxShadow: style.boxShadow,
    width: box.width,
    height: box.height,
  };
}"""


def transparent(colour: str) -> bool:
    return colour == "transparent" or bool(re.search(r"rgba\([^)]*,\s*0\)$", colour))


@pytest.mark.parametrize("name", list(PAGES))
def test_skip_link_comes_first_and_moves_focus_to_the_main_content(open_page, name):
    page = open_page(name)
    page.keyboard.press("Tab")
    first = page.evaluate(FOCUSED)
    assert first["tag"] == "a" and first["text"] == "Skip to main content", first["html"]
    assert first["width"] > 1 and first["height"] > 1, "the skip link stays hidden when focused"
    target = first["href"].removeprefix("#")
    page.keyboard.press("Enter")
    focused = page.evaluate(FOCUSED)
    assert focused["tag"] == "main" and focused["id"] == target, focused["html"]


@pytest.mark.parametrize("name", list(PAGES))
def test_whatever_has_keyboard_focus_shows_it(open_page, name):
    page = open_page(name)
    seen = []
    for _ in range(500):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused["tag"] == "body" or (seen and focused["html"] == seen[0]["html"]):
            break  # past the last one
        seen.append(focused)
    assert seen, "nothing on the page can be reached with the keyboard"

    def shows_focus(f: dict) -> bool:
        outline = (
            f["outlineStyle"] != "none"
            and f["outlineWidth"] > 0
            and not transparent(f["outlineColor"])
        )
        return outline or f["boxShadow"] not in ("none", "")

    hidden = [f["html"] for f in seen if not shows_focus(f)]
    assert not hidden, f"no visible focus indicator on: {hidden[:10]}"


# --------------------------------------------------------------------------------------
# Charts and tables (WCAG 1.1.1, 1.3.1)


CHARTS = """() => Array.from(document.querySelectorAll('main figure:has(svg)')).map(figure => {
  const svg = figure.querySelector('svg');
  const next = figure.nextElementSibling;
  const table = next ? next.querySelector('.table-wrap > table') : null;
  return {
    id: figure.id,
    svg: svg !== null,
    role: svg && svg.getAttribute('role'),
    label: svg && svg.getAttribute('aria-label'),
    rows: table ? Array.from(table.querySelectorAll('tbody tr > :first-child'))
      .map(c => c.textContent.trim()) : null,
  };
})"""


@pytest.mark.parametrize("name", [*REPORTS, *BOARD_REPORTS])
def test_charts_are_images_named_with_their_numbers_beside_a_table(open_page, name):
    page = open_page(name)
    charts = page.evaluate(CHARTS)
    assert len(charts) >= 2, "the report has its two charts"
    for chart in charts:
        assert chart["svg"] and chart["role"] == "img", f"{chart['id']} is not an SVG image"
        assert chart["label"] and re.search(r"\d", chart["label"]), (
            f"{chart['id']} has no accessible name stating its numbers: {chart['label']!r}"
        )
        # The browser computes the same name (role img, name stating numbers).
        named = page.locator(f"#{chart['id']}").get_by_role("img", name=re.compile(r"\d"))
        assert named.count() == 1, chart["id"]
        assert chart["rows"], f"{chart['id']} has no data table beside it"
        for row in chart["rows"]:
            assert row in chart["label"], f"{chart['id']}: '{row}' is in its table, not its name"


TABLES = """() => Array.from(document.querySelectorAll('main table')).map(table => ({
  caption: (table.caption ? table.caption.textContent :
    (document.getElementById(table.getAttribute('aria-labelledby')) || {}).textContent || '')
    .trim(),
  columns: Array.from(table.querySelectorAll('thead th')).map(c => c.getAttribute('scope')),
  rows: Array.from(table.querySelectorAll('tbody tr')).map(r => {
    const first = r.firstElementChild;
    return first.tagName.toLowerCase() + ':' + first.getAttribute('scope');
  }),
}))"""


@pytest.mark.parametrize("name", [*REPORTS, *BOARD_REPORTS])
def test_report_tables_have_column_and_row_headers(open_page, name):
    tables = open_page(name).evaluate(TABLES)
    # The grades, the grades by area, the grade scale and the document control; the sample
    # adds its action plan's progress, the internal editions their case-level tables.
    assert len(tables) >= (5 if name.startswith("nai-2018") else 4)
    for table in tables:
        assert table["caption"], "every table has a caption that names it"
        assert table["columns"] and set(table["columns"]) == {"col"}, table
        assert table["rows"] and set(table["rows"]) == {"th:row"}, table


# --------------------------------------------------------------------------------------
# Charts readable on a phone (WCAG 1.4.4, 1.4.10): no chart text under 12 CSS px


#: Widths either side of the 40em (640 px) switch between the narrow and the wide drawing.
CHART_WIDTHS = [NARROW, 480, 639, 640, 800, DESKTOP]

CHART_TEXT = """() => Array.from(document.querySelectorAll('main figure:has(svg)')).map(figure => {
  const shown = Array.from(figure.querySelectorAll('svg')).filter(
    svg => svg.getClientRects().length > 0);
  const sizes = shown.flatMap(svg => Array.from(svg.querySelectorAll('text'))
    .filter(t => t.textContent.trim() && t.getClientRects().length > 0)
    .map(t => {
      const m = t.getScreenCTM();
      const scale = Math.min(Math.hypot(m.a, m.b), Math.hypot(m.c, m.d));
      return {text: t.textContent.trim(), px: parseFloat(getComputedStyle(t).fontSize) * scale};
    }));
  const box = shown.length ? shown[0].getBoundingClientRect() : null;
  return {
    id: figure.id,
    shown: shown.map(svg => svg.getAttribute('class')),
    sizes: sizes,
    right: box ? box.right : null,
  };
})"""


@pytest.mark.parametrize("width", CHART_WIDTHS)
@pytest.mark.parametrize("name", [*REPORTS, *BOARD_REPORTS])
def test_every_chart_shows_one_drawing_with_no_text_under_12_css_px(open_page, name, width):
    page = open_page(name, width)
    figures = page.evaluate(CHART_TEXT)
    assert len(figures) >= 2, "the report has its two charts"
    for figure in figures:
        # One drawing shows, the narrow one on narrow screens; the other is display: none,
        # so a screen reader meets one image with one name.
        expected = "chart chart-narrow" if width < 640 else "chart chart-wide"
        assert figure["shown"] == [expected], (figure["id"], width, figure["shown"])
        named = page.locator(f"#{figure['id']}").get_by_role("img")
        assert named.count() == 1, f"{figure['id']}: {named.count()} images for readers"
        assert figure["sizes"], f"{figure['id']} shows no text"
        small = [s for s in figure["sizes"] if s["px"] < 12]
        assert not small, f"{figure['id']} at {width} px: text under 12 CSS px: {small[:5]}"
        assert figure["right"] <= width, f"{figure['id']} is wider than the screen"


SCROLLING_TABLES = """() => Array.from(document.querySelectorAll('main .table-wrap')).map(region => {
  const style = getComputedStyle(region);
  const figure = region.closest('figure');
  const caption = figure ? figure.querySelector(':scope > figcaption') : null;
  return {
    label: (document.getElementById(region.getAttribute('aria-labelledby')) || {}).textContent,
    scrolls: region.scrollWidth > region.clientWidth + 1,
    images: style.backgroundImage,
    attachment: style.backgroundAttachment,
    captionRight: caption ? caption.getBoundingClientRect().right : null,
    captionInside: caption ? region.contains(caption) : null,
  };
})"""


@pytest.mark.parametrize("name", list(REPORTS))
def test_a_table_that_scrolls_shows_it_and_keeps_its_caption_in_view(open_page, name):
    regions = open_page(name, NARROW).evaluate(SCROLLING_TABLES)
    scrolling = [r for r in regions if r["scrolls"]]
    # The grades by area (six columns) cannot fit 320 px: it must scroll, and say so.
    assert any("by audit area" in (r["label"] or "") for r in scrolling), regions
    for region in scrolling:
        # A shadow on the edge where the table is cut off: two shadows that stay put
        # (scroll) under two white covers that move with the table (local).
        assert region["images"].count("radial-gradient") == 2, region
        assert region["images"].count("linear-gradient") == 2, region
        assert region["attachment"] == "local, local, scroll, scroll", region
    for region in regions:
        if region["label"]:
            # The caption sits above the scrolling region, never cut off with the table.
            assert region["captionInside"] is False, region
            assert region["captionRight"] <= NARROW, region


def captions_in(text: str) -> list[str]:
    return re.findall(r"(?:Figure|Table) \d+: .*?(?= (?:Figure|Table) \d+: |$)", text)


def test_the_samples_board_report_is_for_its_readers_and_at_most_6_pages(built):
    """The sample's board report (its whole programme) leaves the ids, hashes and software
    to its technical note, as the audit report does: at most 6 A4 pages (10 before)."""
    from pypdf import PdfReader

    board = built / BOARD_REPORTS["board-lancashire"]
    pdf = board.with_suffix(".pdf")
    text = pdf_text(pdf)
    assert not re.search(r"\b[0-9a-f]{64}\b", text) and "SHA-256" not in text
    assert "by id" not in text and "plan.overdue" not in text
    assert "lancashire-safeguarding-children-board-technical.html" in text
    assert len(PdfReader(pdf).pages) <= 6


@pytest.mark.parametrize("edition", ["public", "internal"])
@pytest.mark.parametrize("audit_id", ["nai-2018", "exploitation-2021"])
def test_figures_and_tables_are_numbered_alike_in_the_html_and_the_pdf(built, audit_id, edition):
    out = built / "report" / "_output" / audit_id
    stem = out / audit_id if edition == "public" else out / "internal" / f"{audit_id}-internal"
    html = stem.with_suffix(".html").read_text(encoding="utf-8")
    captions = [
        re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", c))).strip()
        for c in re.findall(r"<figcaption[^>]*>(.*?)</figcaption>", html, re.S)
    ]
    labels = [re.match(r"(Figure|Table) (\d+): (.+)", c) for c in captions]
    assert all(labels), f"every caption is numbered: {captions}"
    for kind in ("Figure", "Table"):
        numbers = [int(m.group(2)) for m in labels if m.group(1) == kind]
        assert numbers == list(range(1, len(numbers) + 1)), (kind, numbers)
    assert len([m for m in labels if m.group(1) == "Figure"]) == 2
    # The PDF numbers the same figures and tables, with the same words, in the same order.
    pdf = pdf_text(stem.with_suffix(".pdf"))
    for caption in captions:
        assert caption in pdf, f"{caption!r} is not in the PDF"
    positions = [pdf.index(c) for c in captions]
    assert positions == sorted(positions)
    # No caption repeats the one before it (a chart's and its table's were near-identical).
    texts = [m.group(3) for m in labels]
    assert len(set(texts)) == len(texts), texts


@pytest.mark.parametrize("edition", ["public", "internal"])
@pytest.mark.parametrize("audit_id", ["nai-2018", "exploitation-2021"])
def test_the_page_links_its_pdf_its_data_and_its_learning_brief(
    built, open_page, audit_id, edition
):
    from pypdf import PdfReader

    name = audit_id if edition == "public" else f"{audit_id}-internal"
    page = open_page(name, NARROW)
    links = page.evaluate(
        """() => Array.from(document.querySelectorAll('#title-block-header .downloads a'))
          .map(a => ({text: a.textContent, href: a.getAttribute('href'),
                      top: a.getBoundingClientRect().top}))"""
    )
    html = built / PAGES[name]
    pdf_name = f"{name}.pdf"
    brief = ("../" if edition == "internal" else "") + f"{audit_id}-briefing.html"
    assert [link["href"] for link in links] == [pdf_name, "#data-tables", brief]
    pdf = html.parent / pdf_name
    pages = len(PdfReader(pdf).pages)
    size = round(pdf.stat().st_size / 1024)
    assert links[0]["text"] == f"Download this report as a PDF ({pages} pages, {size} KB)"
    assert links[1]["text"] == "the data behind it (CSV)"
    # Its one-page learning brief, published beside the public edition.
    assert links[2]["text"] == "its one-page learning brief"
    assert (html.parent / brief).is_file()
    # Near the top: on a phone, within the first screen.
    assert links[0]["top"] < 800
    # The data section lists the published CSV files, each a relative link that works in
    # the published folder.
    csv_links = page.evaluate(
        """() => Array.from(document.querySelectorAll('#data-tables ~ ul a, section#data-tables a'))
          .map(a => a.getAttribute('href'))"""
    )
    assert csv_links and all(h.endswith(".csv") for h in csv_links), csv_links
    if edition == "public":
        for href in csv_links:
            assert (html.parent / href).is_file(), href


# --------------------------------------------------------------------------------------
# The accessibility statement, in every edition, HTML and PDF


@pytest.mark.parametrize("audit_id", ["nai-2018", "exploitation-2021"])
def test_every_edition_has_the_accessibility_section_with_the_configured_contact(built, audit_id):
    out = built / "report" / "_output" / audit_id
    editions = [out / f"{audit_id}.html", out / "internal" / f"{audit_id}-internal.html"]
    editions += [out / f"{audit_id}.pdf", out / "internal" / f"{audit_id}-internal.pdf"]
    for edition in editions:
        text = html_text(edition) if edition.suffix == ".html" else pdf_text(edition)
        for words in (
            "Ask for this report in another format",
            "Accessibility statement",
            "partially compliant with the Web Content Accessibility Guidelines version 2.2",
            "axe-core",
            "320 CSS pixels",
            "PDF/UA-1",
            "Equality and Human Rights Commission",
            "Equality Advisory and Support Service",
            "This statement was prepared on",
        ):
            assert words in text, f"{edition.name} lacks '{words}'"
        # The contact from config.yaml, twice (formats, problems), as literal text.
        assert text.count(CONTACT) == 2, f"{edition.name}: the contact is not shown as text"
    html = (out / f"{audit_id}.html").read_text(encoding="utf-8")
    assert "<h2>Accessibility</h2>" in html
    assert "<b>not bold</b>" not in html and "<em>not emphasis</em>" not in html


# --------------------------------------------------------------------------------------
# The internal edition's protective marking: on every screen, never in the way


MARKING = "OFFICIAL-SENSITIVE: not for publication"
INTERNAL = ["nai-2018-internal", "exploitation-2021-internal"]
#: A phone, a desktop, and a 1280 x 1024 screen zoomed to 400% (WCAG 1.4.10).
SCREENS = [(NARROW, 640), (DESKTOP, 800), (NARROW, 256)]

BANNER = """() => {
  const banner = document.querySelector('.protective-marking');
  if (!banner) return null;
  const box = banner.getBoundingClientRect();
  const style = getComputedStyle(banner);
  const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
  return {
    text: banner.textContent.trim(), top: box.top, bottom: box.bottom, height: box.height,
    width: box.width, color: style.color, background: style.backgroundColor,
    onTop: hit !== null && banner.contains(hit),
    scrollY: window.scrollY, scrollHeight: document.documentElement.scrollHeight,
  };
}"""


def luminance(colour: str) -> float:
    red, green, blue = (int(v) / 255 for v in re.findall(r"\d+", colour)[:3])
    linear = [
        c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (red, green, blue)
    ]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, two: str) -> float:
    high, low = sorted((luminance(one), luminance(two)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("screen", SCREENS, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("name", INTERNAL)
def test_the_internal_editions_banner_is_on_every_screen_whatever_is_scrolled_to(
    browser, built, name, screen
):
    width, height = screen
    page = browser.new_page(viewport={"width": width, "height": height})
    try:
        page.goto((built / PAGES[name]).resolve().as_uri())
        end = page.evaluate("document.documentElement.scrollHeight") - height
        for fraction in (0, 0.1, 0.25, 0.5, 0.75, 0.9, 1):
            page.evaluate(f"window.scrollTo(0, {int(end * fraction)})")
            banner = page.evaluate(BANNER)
            assert banner and banner["text"] == MARKING, (fraction, banner)
            assert abs(banner["top"]) < 1 and banner["onTop"], (fraction, banner)
            assert banner["width"] == width  # across the screen, never wider
            # Small enough to leave the page most of the screen, even at 400% zoom.
            assert banner["height"] <= height / 4, banner
        assert contrast(banner["color"], banner["background"]) >= 7, banner
        # Said once to a screen reader: one landmark, read once in the page's order.
        tree = page.locator("body").aria_snapshot()
        assert tree.count(MARKING) == 1, tree[:500]
        assert '- banner "Protective marking"' in tree
    finally:
        page.close()


FOCUS_SEEN = """() => {
  const el = document.activeElement;
  const box = el.getBoundingClientRect();
  const banner = document.querySelector('.protective-marking').getBoundingClientRect();
  return {html: el.outerHTML.slice(0, 80), top: box.top, bottom: box.bottom,
          bannerBottom: banner.bottom, skip: el.classList.contains('skip-link')};
}"""


@pytest.mark.parametrize("screen", [(NARROW, 256), (DESKTOP, 800)], ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("name", INTERNAL)
def test_the_banner_never_hides_what_has_focus_or_a_heading_jumped_to(browser, built, name, screen):
    width, height = screen
    page = browser.new_page(viewport={"width": width, "height": height})
    try:
        page.goto((built / PAGES[name]).resolve().as_uri())
        # Every link of the contents: the heading it jumps to shows below the banner.
        targets = page.evaluate(
            "() => Array.from(document.querySelectorAll('#TOC a')).map(a => a.hash.slice(1))"
        )
        assert "before-publishing" in targets
        for target in targets:
            page.evaluate(f"document.getElementById({target!r}).scrollIntoView()")
            top = page.evaluate(f"document.getElementById({target!r}).getBoundingClientRect().top")
            bottom = page.evaluate(BANNER)["bottom"]
            assert top >= bottom, f"#{target} is under the banner ({top} < {bottom})"
        # Whatever the keyboard reaches (WCAG 2.4.11): the skip link shows over the banner.
        page.evaluate("window.scrollTo(0, 0)")
        for _ in range(80):
            page.keyboard.press("Tab")
            focused = page.evaluate(FOCUS_SEEN)
            if focused["skip"]:
                continue
            if focused["html"].startswith("<body"):
                break
            # Never hidden (WCAG 2.4.11); and wholly below the banner when it fits there (a
            # table taller than a zoomed-in screen cannot).
            assert focused["bottom"] > focused["bannerBottom"], focused
            fits = focused["bottom"] - focused["top"] <= height - focused["bannerBottom"]
            assert focused["top"] >= focused["bannerBottom"] - 1 or not fits, focused
    finally:
        page.close()


def test_the_public_editions_have_no_banner_and_may_be_indexed(open_page):
    for name in ("nai-2018", "exploitation-2021"):
        page = open_page(name, NARROW)
        assert page.evaluate(BANNER) is None
        assert page.locator('meta[name="robots"]').count() == 0
        assert "OFFICIAL" not in page.title()
        internal = open_page(f"{name}-internal", NARROW)
        assert internal.title().startswith(f"{MARKING} – ")
        robots = internal.locator('meta[name="robots"]').get_attribute("content")
        assert robots == "noindex, nofollow"
