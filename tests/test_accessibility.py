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
from pathlib import Path

import pytest
import yaml

from auditrap.pipeline import StageError, validate_stage

from conftest import FIXTURE_AUDIT, ROOT, SAMPLE_AUDIT, set_cell
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
PAGES = {
    **REPORTS,
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


CHARTS = """() => Array.from(document.querySelectorAll('main figure')).map(figure => {
  const svg = figure.querySelector('svg');
  const next = figure.nextElementSibling;
  const table = next && next.matches('.table-wrap') ? next.querySelector('table') : null;
  return {
    id: figure.id,
    svg: svg !== null,
    role: svg && svg.getAttribute('role'),
    label: svg && svg.getAttribute('aria-label'),
    rows: table ? Array.from(table.querySelectorAll('tbody tr > :first-child'))
      .map(c => c.textContent.trim()) : null,
  };
})"""


@pytest.mark.parametrize("name", list(REPORTS))
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
  caption: table.caption ? table.caption.textContent.trim() : '',
  columns: Array.from(table.querySelectorAll('thead th')).map(c => c.getAttribute('scope')),
  rows: Array.from(table.querySelectorAll('tbody tr')).map(r => {
    const first = r.firstElementChild;
    return first.tagName.toLowerCase() + ':' + first.getAttribute('scope');
  }),
}))"""


@pytest.mark.parametrize("name", list(REPORTS))
def test_report_tables_have_column_and_row_headers(open_page, name):
    tables = open_page(name).evaluate(TABLES)
    assert len(tables) >= 5
    for table in tables:
        assert table["caption"], "every table has a caption"
        assert table["columns"] and set(table["columns"]) == {"col"}, table
        assert table["rows"] and set(table["rows"]) == {"th:row"}, table


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
