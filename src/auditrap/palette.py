"""The colours of the grades in the charts, and the rules a palette must keep.

The four grades are ordered (best to worst), so the UK Analysis Function's colour guidance
asks for a sequential scale, not its categorical palette: tints of one colour that get
darker in order, so that "Inadequate" reads as the heaviest and "Outstanding" as the
lightest, in colour, in greyscale and for colour-blind readers alike.

The default is the Analysis Function's sequential palette (dark blue ``#12436D`` and mid
blue ``#2073BC``), with its light blue darkened to ``#4C99D5`` (the guidance's
``#6BACE6`` has only 2.4:1 contrast with white) and a darker navy, ``#081B36``, added for
the fourth grade. Each has at least 3:1 contrast with the white background (WCAG 2.2,
1.4.11), and every two grades differ by a CIEDE2000 colour difference of 12 or more, in
colour, printed in grey, and as readers with protanopia, deuteranopia or tritanopia see
them. Bars never touch (white gaps between them) and carry their number as a label, so
colour is never the only sign of a grade.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

from auditrap.grades import GRADES

#: Outstanding, Good, Requires improvement, Inadequate: lightest to darkest.
SEQUENTIAL_PALETTE: tuple[str, ...] = ("#4C99D5", "#2073BC", "#12436D", "#081B36")

#: The chart background, as in the HTML page and the PDF.
BACKGROUND = "#FFFFFF"
#: WCAG 2.2 non-text contrast (1.4.11): each bar against the background.
MIN_CONTRAST = 3.0
#: CIEDE2000 difference of any two grades, however they are seen (about 1 is just
#: noticeable; 10 or more tells two bars apart at a glance).
MIN_DIFFERENCE = 10.0
#: How readers see the colours: in print, in grey; and the three kinds of dichromacy,
#: simulated at full severity (Viénot 1999 for protanopia and deuteranopia, Brettel 1997
#: for tritanopia, coloraide's methods).
VISIONS = {
    "in greyscale": "grey",
    "with protanopia": "protan",
    "with deuteranopia": "deutan",
    "with tritanopia": "tritan",
}

_HEX = re.compile(r"^#[0-9A-Fa-f]{6}$")


def seen(colour: str, vision: str):
    """A colour as a reader sees it: ``"normal"``, ``"grey"`` (CIE L* kept, no chroma), or
    simulated ``"protan"``, ``"deutan"``, ``"tritan"`` (a coloraide ``Color``)."""
    from coloraide import Color

    c = Color(colour)
    if vision == "normal":
        return c
    if vision == "grey":
        return c.convert("lch-d65").set("chroma", 0)
    return c.filter(vision)


def contrast(a: str, b: str) -> float:
    """WCAG 2.2 contrast ratio of two colours, from 1 to 21."""
    return seen(a, "normal").contrast(b, method="wcag21")


def lightness(colour: str) -> float:
    """CIE 1976 L* (0 black, 100 white): the grey a colour prints as."""
    return seen(colour, "normal").convert("lab-d65")["lightness"]


def difference(a: str, b: str, vision: str = "normal") -> float:
    """CIEDE2000 difference of two colours as a reader with ``vision`` sees them."""
    return seen(a, vision).delta_e(seen(b, vision), method="2000")


def palette_problems(palette: Sequence[str], background: str = BACKGROUND) -> list[str]:
    """What is wrong with a palette of grade colours (best grade first), in words an
    analyst can act on; empty when it is fit for the charts. Uses coloraide, which takes a
    fifth of a second to import: the workflow checks only a palette other than the
    default, whose checks are in the tests."""
    if len(palette) != len(GRADES) or not all(
        isinstance(c, str) and _HEX.match(c) for c in palette
    ):
        return [
            f"it must be {len(GRADES)} colours written as #RRGGBB, one for each grade "
            f"({', '.join(GRADES)}), not {list(palette)!r}"
        ]
    problems = []
    named = list(zip(GRADES, palette, strict=True))
    for grade, colour in named:
        ratio = contrast(colour, background)
        if ratio < MIN_CONTRAST:
            problems.append(
                f"{colour} ({grade}) is too light: {ratio:.1f}:1 against the white "
                f"background, under the {MIN_CONTRAST:.0f}:1 that WCAG 2.2 asks of a chart's "
                "bars. Use a darker colour"
            )
    for (better, a), (worse, b) in itertools.pairwise(named):
        if lightness(b) >= lightness(a):
            problems.append(
                f"{b} ({worse}) is not darker than {a} ({better}): the grades are ordered, so "
                "each colour must be darker than the one before (a sequential scale, as the "
                "Analysis Function's colour guidance asks for ordered values)"
            )
    for (one, a), (other, b) in itertools.combinations(named, 2):
        for words, vision in {"": "normal", **VISIONS}.items():
            found = difference(a, b, vision)
            if found < MIN_DIFFERENCE:
                problems.append(
                    f"{a} ({one}) and {b} ({other}) look too alike"
                    + (f" {words}" if words else "")
                    + f" (a CIEDE2000 difference of {found:.1f}, under "
                    f"{MIN_DIFFERENCE:.0f}): make them differ more in lightness"
                )
                break
    return problems
