"""Precision and recall of the theme tagger on the labelled sentences, theme by theme.

    .venv/bin/python benchmarks/theme_accuracy.py                # the taxonomy of this checkout
    .venv/bin/python benchmarks/theme_accuracy.py --ref 8bebbc2  # the code and taxonomy of a commit

``--ref`` scores an earlier layout (say the regular-expression taxonomy before the term
lists) with that commit's own ``src/auditrap/themes.py`` and ``data/themes.yaml``, taken from
git into a temporary folder, on the labelled sets of this checkout. It also times tagging all
the labelled sentences 20 times over. Figures are recorded in docs/themes.md.
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
THEMES = [
    "swift-response",
    "cp-medical-recording",
    "health-economy",
    "gp-information-sharing",
    "record-keeping",
    "step-down",
]


def load_module(ref: str | None, folder: Path):
    """The themes module and taxonomy file of this checkout, or of a git commit."""
    if ref is None:
        from auditrap import themes

        return themes, ROOT / "data" / "themes.yaml"
    for path in ("src/auditrap/themes.py", "data/themes.yaml"):
        text = subprocess.run(
            ["git", "show", f"{ref}:{path}"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout
        (folder / Path(path).name).write_text(text, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("themes_at_ref", folder / "themes.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["themes_at_ref"] = module
    spec.loader.exec_module(module)
    return module, folder / "themes.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ref", help="a git commit whose themes.py and themes.yaml to score")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        themes, taxonomy_file = load_module(args.ref, Path(tmp))
        taxonomy = themes.load_taxonomy(taxonomy_file)
        everything: list[tuple[set, set]] = []
        print(f"{'set':10}" + "".join(f"{t[:14]:>16}" for t in THEMES))
        for path in sorted(DATA.glob("theme_sentences_*.csv")):
            frame = pd.read_csv(path, keep_default_na=False)
            expected = [set(filter(None, t.split(";"))) for t in frame["themes"]]
            found = themes.tag_sentences(frame["sentence"].tolist(), taxonomy)
            everything += list(zip(expected, found, strict=True))
            scores = themes.precision_recall(expected, found, THEMES)
            name = path.stem.removeprefix("theme_sentences_")
            print(
                f"{name:10}"
                + "".join(f"{s['precision']:>8.2f}{s['recall']:>8.2f}" for s in scores.values())
            )
        expected, found = zip(*everything, strict=True)
        scores = themes.precision_recall(expected, found, THEMES)
        print(
            f"{'all':10}"
            + "".join(f"{s['precision']:>8.2f}{s['recall']:>8.2f}" for s in scores.values())
        )
        labelled = [
            s for f in DATA.glob("theme_sentences_*.csv") for s in pd.read_csv(f)["sentence"]
        ]
        # Each sentence 20 times, made distinct (each distinct sentence is matched once).
        sentences = [f"{s} ({n})" for n in range(20) for s in labelled]
        start = time.process_time()
        themes.tag_sentences(sentences, taxonomy)
        seconds = time.process_time() - start
        print(f"tagged {len(sentences):,} distinct sentences in {seconds:.2f} s of CPU")


if __name__ == "__main__":
    main()
