"""What the small stand-alone web pages (the programme page, the validation report) share.

They follow the report's own rules (WCAG 2.2 AA): a skip link first, a visible focus
indicator, and no sideways scrolling at 320 CSS px: a wide table scrolls inside its own
labelled region, which the keyboard can reach.
"""

from __future__ import annotations

import html

#: The first thing on every page; it moves the focus to <main id="main" tabindex="-1">.
SKIP_LINK = '<a class="skip-link" href="#main">Skip to main content</a>'

#: Colours as the report's (text 19.4:1, secondary 7.0:1, links 5.2:1 on white).
STYLE = (
    "<style>"
    "body{font-family:sans-serif;line-height:1.5;color:#0b0c0c;background:#fff;"
    "max-width:70rem;margin:1rem auto;padding:0 1rem;overflow-wrap:break-word}"
    "main:focus{outline:none}"
    "table{border-collapse:collapse;width:100%}"
    "th,td{border:1px solid #505a5f;padding:.4rem;text-align:left;vertical-align:top}"
    "caption{text-align:left;font-weight:bold;margin-bottom:.5rem}"
    "a{color:#1d70b8}a:visited{color:#4c2c92}"
    ":focus-visible{outline:3px solid #0b0c0c;outline-offset:2px;box-shadow:0 0 0 6px #fd0}"
    "a:focus-visible{outline:3px solid transparent;outline-offset:0;color:#0b0c0c;"
    "background:#fd0;box-shadow:0 -2px #fd0,0 4px #0b0c0c;text-decoration:none}"
    # position:relative keeps the visually hidden text inside the region that scrolls.
    ".wrap{overflow-x:auto;position:relative;max-width:100%;margin:0 0 1.5rem}"
    ".visually-hidden{position:absolute;width:1px;height:1px;margin:0;padding:0;"
    "overflow:hidden;clip-path:inset(50%);white-space:nowrap;border:0}"
    ".skip-link{position:absolute;left:0;top:0;z-index:10;padding:.5rem 1rem;"
    "background:#fd0;color:#0b0c0c;font-weight:700}"
    ".skip-link:not(:focus):not(:active){clip-path:inset(50%);height:1px;width:1px;"
    "overflow:hidden;white-space:nowrap;padding:0}"
    "</style>"
)


def table_region(label: str) -> str:
    """The opening tag of a table's own scrolling region, labelled and reachable by keyboard
    (so that a keyboard user can scroll it too)."""
    return f'<div class="wrap" role="region" tabindex="0" aria-label="{html.escape(label)}">'
