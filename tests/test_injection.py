"""Text from the input is data, never markup: hostile values come out literally, end to end."""

from __future__ import annotations

import csv
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from conftest import FIXTURE_AUDIT
from test_workflow import html_text, make_workspace, pdf_text, snakemake

pytestmark = pytest.mark.e2e

ATTACKS = {
    "html": "<script>alert(1)</script>",
    "img": "<img src=x onerror=alert(2)>",
    "raw typst": '`#read("/etc/passwd")`{=typst}',
    "raw html block": "```{=html}",
    "shortcode": "{{< include /etc/passwd >}}",
    "typst code": '#read("/etc/hostname")',
    "maths": "$x^2$ @ref <label>",
    "svg": "<svg onload=alert(3)>",
}


def event_handlers(html: str) -> list[tuple[str, str]]:
    """Every (element, attribute) of the page that would run script: on...= attributes. Text
    that merely reads "onload=" (escaped, in a text node or an attribute's value) is not one."""

    class Finder(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.found: list[tuple[str, str]] = []

        def handle_starttag(self, tag, attrs):
            self.found += [(tag, name) for name, _ in attrs if name.lower().startswith("on")]

    finder = Finder()
    finder.feed(html)
    return finder.found


def make_hostile(audit: Path) -> None:
    """Put every attack into the audit's metadata (title, board, areas), its area names in the
    data, and its free text (a sentence the tagger quotes as evidence, an action's text)."""
    meta = yaml.safe_load((audit / "audit.yaml").read_text())
    meta["title"] = f"Audit {ATTACKS['html']} {ATTACKS['shortcode']}"
    meta["board"] = f"Board {ATTACKS['typst code']} {ATTACKS['raw typst']}"
    meta["selection_criteria"] = f"{ATTACKS['img']} {ATTACKS['maths']}"
    hostile_area = f"Hill {ATTACKS['raw html block']} {ATTACKS['html']} {ATTACKS['svg']}"
    meta["areas"] = ["Riverside", hostile_area]
    (audit / "audit.yaml").write_text(yaml.safe_dump(meta), encoding="utf-8")
    with (audit / "cases.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    for row in rows[1:]:
        if row[1] == "Hilltop":
            row[1] = hostile_area
    with (audit / "cases.csv").open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    for name, rows_of in (("returns.csv", 5), ("actions.csv", 3)):
        with (audit / name).open(newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
        for n, attack in enumerate(ATTACKS.values()):
            row = rows[1 + n % (len(rows) - 1)]
            if name == "returns.csv":
                row[rows_of] = f"The GP was not told about the strategy discussion {attack} today."
            else:
                row[rows_of] = f"Tell the GP {attack}"
        with (audit / name).open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(rows)


@pytest.fixture(scope="module", params=["builtin", "quarto"])
def hostile_build(request, tmp_path_factory):
    """The hostile audit published by each engine (Quarto's build is shared with
    tests/test_quarto.py, and skipped where there is no Quarto to test: see conftest.py)."""
    if request.param == "quarto":
        workspace = request.getfixturevalue("quarto_workspace")
        return workspace / "report" / "_output" / "exploitation-2021"
    workspace = make_workspace(
        tmp_path_factory.mktemp("hostile"), {"exploitation-2021": FIXTURE_AUDIT}
    )
    make_hostile(workspace / "data" / "raw" / "exploitation-2021")
    result = snakemake(workspace)
    assert result.returncode == 0, result.stderr[-4000:]
    return workspace / "report" / "_output" / "exploitation-2021"


def test_html_shows_every_attack_as_text_and_runs_none(hostile_build):
    html = (hostile_build / "exploitation-2021.html").read_text(encoding="utf-8")
    assert not re.search(r"<script\b", html, flags=re.I)
    assert not re.search(r"<img[^>]*onerror", html, flags=re.I)
    text = html_text(hostile_build / "exploitation-2021.html")
    for name in ("html", "img", "shortcode", "typst code", "maths", "svg"):
        assert ATTACKS[name] in text, name
    assert event_handlers(html) == []


def test_pdf_shows_the_attacks_literally_and_reads_no_file(hostile_build):
    text = pdf_text(hostile_build / "exploitation-2021.pdf")
    for name in ("html", "shortcode", "typst code"):
        assert ATTACKS[name] in text, name
    assert "root:x:0:0" not in text
    hostname = Path("/etc/hostname").read_text().strip()
    assert f"Board {hostname}" not in text


def test_the_learning_brief_shows_the_attacks_as_text_and_runs_none(hostile_build):
    # The brief shows the title, the board and the selection criteria (not the areas).
    path = hostile_build / "exploitation-2021-briefing.html"
    html = path.read_text(encoding="utf-8")
    assert not re.search(r"<script\b", html, flags=re.I)
    assert not re.search(r"<img[^>]*onerror", html, flags=re.I)
    assert event_handlers(html) == []
    text = html_text(path)
    pdf = pdf_text(path.with_suffix(".pdf"))
    for name in ("html", "img", "shortcode", "typst code", "maths"):
        assert ATTACKS[name] in text, name
    for name in ("html", "shortcode", "typst code"):
        assert ATTACKS[name] in pdf, name
    hostname = Path("/etc/hostname").read_text().strip()
    assert "root:x:0:0" not in pdf + text and f"Board {hostname}" not in pdf


def test_internal_edition_quotes_free_text_literally(hostile_build):
    internal = hostile_build / "internal"
    html = (internal / "exploitation-2021-internal.html").read_text(encoding="utf-8")
    assert not re.search(r"<script\b", html, flags=re.I)
    assert not re.search(r"<img[^>]*onerror", html, flags=re.I)
    html_words = html_text(internal / "exploitation-2021-internal.html")
    pdf_words = pdf_text(internal / "exploitation-2021-internal.pdf")
    for attack in ATTACKS.values():
        assert attack in html_words, attack
    for name in ("html", "img", "shortcode", "typst code", "raw typst"):
        assert ATTACKS[name] in pdf_words, name
    assert "root:x:0:0" not in pdf_words + html_words


def test_public_edition_carries_no_free_text(hostile_build):
    text = html_text(hostile_build / "exploitation-2021.html")
    assert "The GP was not told about the strategy discussion" not in text
    assert "Tell the GP" not in text
