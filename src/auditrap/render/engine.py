"""Render the report (``report.qmd`` in a build directory) to HTML and PDF.

Two engines produce the same report from the same build directory:

* ``quarto``: ``quarto render`` (HTML, and typst for the PDF), when Quarto is installed;
  Quarto 1.7.34 is the oldest version tested (:data:`QUARTO_OLDEST`), and an older one is
  refused;
* ``builtin``: the parts Quarto itself uses, driven from Python, following Quarto's rules:
  its shortcodes (:mod:`.shortcodes`), its metadata and date format, the order of its
  filters, pandoc (from ``pypandoc-binary``) and typst (the ``typst`` wheel), with the same
  templates, styles and Lua filters (which number ``fig-`` and ``tbl-`` ids as Quarto does
  when Quarto is not there to).

Which engine renders is chosen by :func:`resolve_engine` (``auto`` is Quarto when it is on
PATH) and returned as an :class:`Engine`, so that the report and its manifest can say which
engine, and which Quarto, made it. The two engines give the same words in the HTML and the
PDF; what differs is listed in the README ("Rendering engines").

Both refuse to publish a report that would break the accessibility or privacy promises:
no title (PDF/UA-1 needs one), images without alt text, a second level-1 heading, a
picture or font loaded from the network.
"""

from __future__ import annotations

import base64
import contextlib
import datetime
import json
import logging
import os
import platform
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from html import unescape as html_unescape
from html.parser import HTMLParser
from pathlib import Path

import yaml

from auditrap.dates import long_date

from .markdown import escape_metadata
from .shortcodes import ShortcodeError, resolve_shortcodes

__all__ = ["ENGINES", "QUARTO_OLDEST", "Engine", "RenderError", "render_report", "resolve_engine"]

log = logging.getLogger(__name__)

ENGINES = ("auto", "builtin", "quarto")

#: The oldest Quarto the report is tested with; an older one is refused.
QUARTO_OLDEST = (1, 7, 34)

#: The pandoc reader Quarto uses for .qmd files (pandoc Markdown, default extensions).
PANDOC_FROM = "markdown"

#: The fonts every output uses, in ``<assets>/fonts``.
FONT_FAMILY = "Atkinson Hyperlegible"
FONT_FILES = (
    "AtkinsonHyperlegible-Regular.ttf",
    "AtkinsonHyperlegible-Bold.ttf",
    "AtkinsonHyperlegible-Italic.ttf",
    "AtkinsonHyperlegible-BoldItalic.ttf",
)

#: Assets that ``_quarto.yml`` refers to and that Quarto needs next to the document (the
#: learning brief's own template and styles are in ``briefing/``).
QUARTO_ASSETS = ("styles.css", "template.typ", "filters", "partials", "fonts", "briefing")

# Keys of _quarto.yml / front matter that are Quarto or pandoc options, not document
# metadata: they are not passed to pandoc as metadata by the built-in engine.
_OPTION_KEYS = frozenset(
    [
        "project",
        "format",
        "filters",
        "css",
        "template",
        "template-partials",
        "embed-resources",
        "self-contained",
        "minimal",
        "theme",
        "html-math-method",
        "section-divs",
        "anchor-sections",
        "smooth-scroll",
        "link-external-icon",
        "include-before-body",
        "include-after-body",
        "include-in-header",
        "font-paths",
        "pdf-standard",
        "keep-typ",
        "keep-md",
        "execute",
        "engine",
        "jupyter",
        "knitr",
        "output-file",
        "output-dir",
        "metadata-files",
        "toc",
        "toc-depth",
        "toc-location",
        "number-sections",
        "fig-responsive",
        "code-fold",
        "code-tools",
        "page-layout",
    ]
)

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)


class RenderError(RuntimeError):
    """The report could not be rendered; the message says why and what to do."""


@dataclass(frozen=True)
class Engine:
    """The engine that renders: ``name`` is ``"quarto"`` or ``"builtin"``; for Quarto, the
    command that was found and its version."""

    name: str
    quarto: str | None = None
    quarto_version: str | None = None
    #: The pandoc Quarto brings with it (the built-in engine's is pypandoc-binary's).
    pandoc_version: str | None = None

    @property
    def description(self) -> str:
        """In words, for the report's technical note."""
        if self.name == "quarto":
            return f"Quarto {self.quarto_version}"
        return "built-in (pandoc and typst)"

    @property
    def pdf_standard(self) -> str | None:
        """The PDF standard the PDF declares: PDF/UA-1 from the built-in engine; Quarto
        passes ``pdf-standard`` to typst from version 1.9 only."""
        if self.name == "builtin" or _version_tuple(self.quarto_version or "") >= (1, 9):
            return "PDF/UA-1"
        return None

    def record(self) -> dict[str, str | None]:
        """What the manifest records."""
        return {"engine": self.name, "quarto": self.quarto_version}


def _version_tuple(version: str) -> tuple[int, ...]:
    match = re.match(r"^\s*v?(\d+(?:\.\d+)*)", version)
    return tuple(int(n) for n in match.group(1).split(".")) if match else ()


def resolve_engine(engine: str | Engine = "auto") -> Engine:
    """The engine to render with: ``"builtin"``, ``"quarto"`` (Quarto on PATH, at least
    :data:`QUARTO_OLDEST`) or ``"auto"`` (Quarto when it is on PATH, else built-in).

    A Quarto older than the oldest tested is refused, under ``auto`` too: the choice of
    engine must never change silently.
    """
    if isinstance(engine, Engine):
        return engine
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, not {engine!r}.")
    if engine == "builtin":
        return Engine("builtin")
    quarto = shutil.which("quarto")
    if quarto is None:
        if engine == "auto":
            return Engine("builtin")
        raise RenderError(
            "The Quarto engine was asked for (engine: quarto in config.yaml), but 'quarto' "
            "is not on PATH. Install Quarto "
            f"{'.'.join(map(str, QUARTO_OLDEST))} or later (quarto.org), or set engine: "
            "builtin (or auto)."
        )
    version = _quarto_version(quarto)
    oldest = ".".join(map(str, QUARTO_OLDEST))
    if _version_tuple(version) < QUARTO_OLDEST:
        raise RenderError(
            f"The Quarto on PATH ({quarto}) is version {version or 'unknown'}, older than "
            f"{oldest}, the oldest version this report is tested with. Install Quarto "
            f"{oldest} or later, or set engine: builtin in config.yaml (with engine: auto, "
            "take the old Quarto off PATH)."
        )
    return Engine("quarto", quarto, version, _quarto_pandoc_version(quarto))


def _quarto_pandoc_version(quarto: str) -> str | None:
    """The version of the pandoc Quarto runs: QUARTO_PANDOC if set, else the one in Quarto's
    bin/tools/ (where every Quarto release keeps it), else what ``quarto pandoc`` says."""
    tools = Path(quarto).resolve().parent / "tools"
    candidates = [os.environ.get("QUARTO_PANDOC", "")]
    candidates += [
        str(tools / arch / "pandoc") for arch in (platform.machine(), "x86_64", "aarch64")
    ]
    candidates += [str(tools / "pandoc"), str(tools / "pandoc.exe")]
    found = next((c for c in candidates if c and Path(c).is_file()), None)
    command = [found, "--version"] if found else [quarto, "pandoc", "--version"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.match(r"pandoc(?:\.exe)?\s+(\S+)", result.stdout.strip())
    return match.group(1) if result.returncode == 0 and match else None


def _quarto_version(quarto: str) -> str:
    try:
        result = subprocess.run(
            [quarto, "--version"], capture_output=True, text=True, timeout=120, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RenderError(f"{quarto} --version could not be run: {exc}") from None
    lines = result.stdout.strip().splitlines()
    if result.returncode != 0 or not lines:
        raise RenderError(
            f"{quarto} --version failed (exit code {result.returncode}), so the Quarto on "
            f"PATH cannot be used: {result.stderr.strip()[-500:]}"
        )
    return lines[-1].strip()


@dataclass(frozen=True)
class _Document:
    """A report.qmd with its shortcodes resolved and its metadata merged, per format."""

    markdown: dict[str, str]  # format -> pandoc input (front matter + body)
    options: dict[str, dict[str, object]]  # format -> merged options/metadata
    title: str


# --------------------------------------------------------------------------------------
# Public API


def render_report(
    build_dir: Path,
    *,
    html_out: Path,
    pdf_out: Path,
    assets_dir: Path,
    timestamp: datetime.datetime,
    engine: str | Engine = "auto",
) -> Engine:
    """Render ``<build_dir>/report.qmd`` to ``html_out`` and ``pdf_out``; returns the engine
    that rendered.

    ``assets_dir`` holds the template, styles, Lua filters and fonts (``report/`` in
    the repository). ``timestamp`` is the creation date written into the PDF (it is the
    only date; nothing comes from the clock; a naive datetime is taken as UTC), so the
    same inputs give byte-identical files. ``engine`` is ``"auto"`` (Quarto if it is
    on PATH, else built-in), ``"builtin"``, ``"quarto"``, or an :class:`Engine` from
    :func:`resolve_engine`. Raises :class:`RenderError` for every expected failure.
    """
    if not isinstance(engine, Engine) and engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, not {engine!r}.")
    build_dir = Path(build_dir).resolve()
    assets_dir = Path(assets_dir).resolve()
    html_out = Path(html_out).resolve()
    pdf_out = Path(pdf_out).resolve()
    timestamp = _utc(timestamp)
    if not (build_dir / "report.qmd").is_file():
        raise RenderError(f"There is no report.qmd in {build_dir}: nothing to render.")
    if not assets_dir.is_dir():
        raise RenderError(f"The report assets folder {assets_dir} does not exist.")
    fonts_dir = _check_fonts(assets_dir)
    _check_no_symlinks_out(build_dir)

    chosen = resolve_engine(engine)
    _state_engine(build_dir, chosen)
    # Shortcodes, metadata and title are checked for both engines, so a mistake is
    # reported the same way (with file and line) whichever engine renders.
    document = _load_document(build_dir, assets_dir)
    html_out.parent.mkdir(parents=True, exist_ok=True)
    pdf_out.parent.mkdir(parents=True, exist_ok=True)
    if chosen.name == "quarto":
        _render_quarto(chosen, build_dir, assets_dir, html_out, pdf_out, timestamp)
    else:
        _render_builtin_html(document, build_dir, assets_dir, html_out)
        _render_builtin_pdf(document, build_dir, assets_dir, fonts_dir, pdf_out, timestamp)
    _write_pdf_details(html_out, pdf_out)
    check_html_is_self_contained(html_out.read_text(encoding="utf-8"), html_out.name)
    return chosen


def _state_engine(build_dir: Path, engine: Engine) -> None:
    """Add what the report says about the engine that makes it to ``_variables.yml``, as
    ``engine.name`` ("Quarto 1.7.34") and ``engine.pdf`` (what kind of PDF it makes, for the
    accessibility statement), written as Quarto reads variables: Markdown, escaped."""
    path = build_dir / "_variables.yml"
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    variables = _read_yaml(path)
    pdf = "a tagged PDF"
    if engine.pdf_standard:
        pdf += f" to the {engine.pdf_standard} standard"
    variables["engine"] = {
        "name": escape_metadata(engine.description),
        "pdf": escape_metadata(pdf),
    }
    header = "".join(line + "\n" for line in text.splitlines() if line.startswith("#"))
    body = yaml.safe_dump(variables, sort_keys=False, allow_unicode=True, width=100)
    path.write_text(header + body, encoding="utf-8")


# --------------------------------------------------------------------------------------
# Reading the build directory


def _read_yaml(path: Path, *, required: bool = False) -> dict[str, object]:
    if not path.is_file():
        if required:
            raise RenderError(f"{path.name} is missing from {path.parent}.")
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise RenderError(f"{path.name} is not valid YAML: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise RenderError(f"{path.name} must be a mapping of keys to values.")
    return data


def _split_front_matter(text: str) -> tuple[dict[str, object], str, int]:
    """(front matter, body, line number of the body's first line)."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text, 1
    try:
        front = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        raise RenderError(f"The front matter of report.qmd is not valid YAML: {exc}") from None
    if not isinstance(front, dict):
        raise RenderError("The front matter of report.qmd must be a mapping of keys to values.")
    return front, text[match.end() :], text.count("\n", 0, match.end()) + 1


def _deep_merge(base: Mapping[str, object], over: Mapping[str, object]) -> dict[str, object]:
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _deep_merge(merged[key], value)  # type: ignore[arg-type]
        else:
            merged[key] = value
    return merged


def _format_options(config: Mapping[str, object], fmt: str) -> dict[str, object]:
    formats = config.get("format")
    if isinstance(formats, Mapping):
        options = formats.get(fmt)
        if isinstance(options, Mapping):
            return dict(options)
    return {}


def _load_document(build_dir: Path, assets_dir: Path) -> _Document:
    quarto_yml = build_dir / "_quarto.yml"
    project = _read_yaml(quarto_yml if quarto_yml.is_file() else assets_dir / "_quarto.yml")
    variables = _read_yaml(build_dir / "_variables.yml")
    directory_meta = _read_yaml(build_dir / "_metadata.yml")
    text = (build_dir / "report.qmd").read_text(encoding="utf-8").replace("\r\n", "\n")
    front, body, body_line = _split_front_matter(text)

    markdown: dict[str, str] = {}
    options: dict[str, dict[str, object]] = {}
    title = ""
    for fmt in ("html", "typst"):
        # Quarto's precedence: project (_quarto.yml, then its format: options) <
        # directory (_metadata.yml) < the document's own front matter.
        merged: dict[str, object] = {k: v for k, v in project.items() if k != "format"}
        merged = _deep_merge(merged, _format_options(project, fmt))
        merged = _deep_merge(merged, {k: v for k, v in directory_meta.items() if k != "format"})
        merged = _deep_merge(merged, _format_options(directory_meta, fmt))
        merged = _deep_merge(merged, {k: v for k, v in front.items() if k != "format"})
        merged = _deep_merge(merged, _format_options(front, fmt))
        merged.setdefault("lang", "en-GB")

        metadata = _resolve_metadata(merged, variables, build_dir)
        title = _plain(metadata.get("title"))
        if not title.strip():
            raise RenderError(
                "The report has no title. Every report needs one: it is the page's <h1> "
                "and <title>, and PDF/UA-1 refuses a PDF without a document title. Set "
                "'title:' in _metadata.yml (or in the front matter of report.qmd)."
            )
        try:
            resolved_body = resolve_shortcodes(
                body,
                variables=variables,
                metadata=metadata,
                base_dir=build_dir,
                source="report.qmd",
                first_line=body_line,
            )
        except ShortcodeError as exc:
            raise RenderError(str(exc)) from exc
        document_meta = {
            k: _jsonable(v) for k, v in sorted(metadata.items()) if k not in _OPTION_KEYS
        }
        _present_for_pandoc(document_meta)
        front_block = json.dumps(document_meta, ensure_ascii=False, indent=1, sort_keys=True)
        markdown[fmt] = f"---\n{front_block}\n---\n\n{resolved_body}"
        options[fmt] = metadata
    return _Document(markdown=markdown, options=options, title=title)


def _resolve_metadata(
    merged: dict[str, object], variables: Mapping[str, object], build_dir: Path
) -> dict[str, object]:
    """Resolve shortcodes in every string value of the metadata (no includes)."""

    def walk(value: object, key: str) -> object:
        if isinstance(value, str):
            if "{{<" not in value:
                return value
            try:
                return resolve_shortcodes(
                    value,
                    variables=variables,
                    metadata=merged,
                    base_dir=build_dir,
                    source=f"document metadata '{key}'",
                    allow_include=False,
                )
            except ShortcodeError as exc:
                raise RenderError(str(exc)) from exc
        if isinstance(value, Mapping):
            return {k: walk(v, f"{key}.{k}") for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, f"{key}.{i}") for i, v in enumerate(value)]
        return value

    return {k: walk(v, k) for k, v in merged.items()}


def _present_for_pandoc(meta: dict[str, object]) -> None:
    """Shape metadata as Quarto presents it: an ISO date written in the ``date-format`` of
    the metadata (Quarto leaves it as it is in a project without one), and authors given as
    ``{name: ...}`` by name."""
    date = meta.get("date")
    pattern = meta.get("date-format")
    if isinstance(date, str) and pattern:
        match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", date.strip())
        if match:
            year, month, day = (int(g) for g in match.groups())
            with contextlib.suppress(ValueError):  # not a real date: left as written
                meta["date"] = format_date(datetime.date(year, month, day), str(pattern))
    authors = meta.get("author")
    if isinstance(authors, dict | list):
        listed = authors if isinstance(authors, list) else [authors]
        meta["author"] = [a.get("name", "") if isinstance(a, dict) else a for a in listed]


_DATE_TOKENS = re.compile(r"\[([^\]]*)\]|YYYY|YY|MMMM|MMM|MM|M|DD|D|dddd|ddd|[A-Za-z]")
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def format_date(day: datetime.date, pattern: str) -> str:
    """``day`` in Quarto's ``date-format`` (dayjs tokens, English names): ``D MMMM YYYY``
    is ``1 March 2019``; ``iso`` is ``2019-03-01``. Quarto's locale-dependent names
    (``long``, ``short``...) are not supported: write the tokens."""
    if pattern == "iso":
        return day.isoformat()
    month = long_date(day).split(" ")[1]
    values = {
        "YYYY": f"{day.year:04d}",
        "YY": f"{day.year % 100:02d}",
        "MMMM": month,
        "MMM": month[:3],
        "MM": f"{day.month:02d}",
        "M": str(day.month),
        "DD": f"{day.day:02d}",
        "D": str(day.day),
        "dddd": _WEEKDAYS[day.weekday()],
        "ddd": _WEEKDAYS[day.weekday()][:3],
    }

    def token(match: re.Match[str]) -> str:
        if match.group(1) is not None:
            return match.group(1)
        if match.group(0) not in values:
            raise RenderError(
                f"date-format {pattern!r} is not one the built-in engine can write: use "
                "YYYY, MMMM, MMM, MM, M, DD, D, dddd and ddd (as in 'D MMMM YYYY'), or 'iso'."
            )
        return values[match.group(0)]

    return _DATE_TOKENS.sub(token, pattern)


def _jsonable(value: object) -> object:
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def _plain(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return " ".join(_plain(v) for v in value)
    return str(value)


def _utc(timestamp: datetime.datetime) -> datetime.datetime:
    if not isinstance(timestamp, datetime.datetime):
        raise TypeError("timestamp must be a datetime.datetime.")
    if timestamp.tzinfo is None:
        return timestamp.replace(tzinfo=datetime.UTC)
    return timestamp.astimezone(datetime.UTC)


def _check_fonts(assets_dir: Path) -> Path:
    fonts_dir = assets_dir / "fonts"
    missing = [name for name in FONT_FILES if not (fonts_dir / name).is_file()]
    if missing:
        raise RenderError(
            f"The report font is missing: {', '.join(missing)} not found in {fonts_dir}. "
            f"Restore the {FONT_FAMILY} font files (they are in the repository's "
            "report/fonts folder)."
        )
    return fonts_dir


def _check_no_symlinks_out(build_dir: Path) -> None:
    for root, dirs, files in os.walk(build_dir):
        for name in (*dirs, *files):
            path = Path(root, name)
            if path.is_symlink() and not path.resolve().is_relative_to(build_dir):
                raise RenderError(
                    f"{path.relative_to(build_dir)} in the build directory is a symbolic "
                    "link to somewhere outside it. Copy the file in instead."
                )


# --------------------------------------------------------------------------------------
# The built-in engine


def _pandoc_path() -> str:
    try:
        import pypandoc

        return pypandoc.get_pandoc_path()
    except (ImportError, OSError) as exc:
        raise RenderError(
            "pandoc is not available: install the project's dependencies "
            f"(pypandoc-binary) and try again. ({exc})"
        ) from None


def _run_pandoc(args: list[str], markdown: str, build_dir: Path, what: str) -> None:
    command = [_pandoc_path(), *args]
    try:
        result = subprocess.run(
            command,
            input=markdown.encode("utf-8"),
            cwd=build_dir,
            capture_output=True,
            timeout=600,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RenderError(f"pandoc could not be run to make the {what}: {exc}") from None
    stderr = result.stderr.decode("utf-8", "replace").strip()
    # A Lua filter's own message is what matters; its stack traceback is noise.
    stderr = stderr.split("\nstack traceback:", 1)[0].strip()
    if result.returncode != 0:
        raise RenderError(
            f"pandoc could not turn report.qmd into the {what} (exit code "
            f"{result.returncode}). pandoc said:\n{stderr}"
        )
    if stderr:
        log.warning("pandoc (%s): %s", what, stderr)


def _common_pandoc_args(options: Mapping[str, object]) -> list[str]:
    args = [f"--from={PANDOC_FROM}"]
    if options.get("toc"):
        args += ["--toc", f"--toc-depth={int(options.get('toc-depth') or 3)}"]
    shift = options.get("shift-heading-level-by")
    if shift:
        args.append(f"--shift-heading-level-by={int(str(shift))}")
    return args


#: Quarto's entry points for filters, in the order it runs them; "quarto" is where its own
#: filters run. A filter listed before "quarto" runs at pre-quarto, one after at post-render.
_ENTRY_POINTS = (
    "pre-ast",
    "post-ast",
    "pre-quarto",
    "quarto",
    "post-quarto",
    "pre-render",
    "post-render",
    "pre-finalize",
    "post-finalize",
)


def _lua_filters(options: Mapping[str, object], assets_dir: Path) -> list[str]:
    """The ``--lua-filter`` arguments: the filters of ``_quarto.yml`` in the order Quarto
    runs them (by entry point, then as listed). What Quarto's own filters do that the report
    needs, the report's filters do when Quarto is not there (html-figures.lua numbers
    figures and tables as Quarto's cross-referencing does; callouts.lua draws callouts)."""
    listed = options.get("filters") or []
    if not isinstance(listed, list) or "quarto" not in listed:
        raise RenderError(
            "_quarto.yml must list the report's filters under format: html: and typst:, "
            "with 'quarto' among them (where Quarto's own filters run)."
        )
    at_quarto = listed.index("quarto")
    placed: list[tuple[int, int, str]] = []
    for position, entry in enumerate(listed):
        if entry == "quarto":
            continue
        if isinstance(entry, Mapping):
            path, at = str(entry.get("path", "")), str(entry.get("at", ""))
        else:
            path, at = str(entry), "pre-quarto" if position < at_quarto else "post-render"
        if at not in _ENTRY_POINTS or not path.endswith(".lua"):
            raise RenderError(
                f"The filter {entry!r} in _quarto.yml is not one the built-in engine can run: "
                f"give a Lua file, at one of {', '.join(_ENTRY_POINTS)}."
            )
        placed.append((_ENTRY_POINTS.index(at), position, path))
    return [f"--lua-filter={assets_dir / path}" for _, _, path in sorted(placed)]


def _render_builtin_html(
    document: _Document, build_dir: Path, assets_dir: Path, html_out: Path
) -> None:
    options = document.options["html"]
    with tempfile.TemporaryDirectory(prefix="auditrap-html-") as tmp:
        style = Path(tmp, "style.html")
        style.write_text(_embedded_stylesheets(assets_dir, options.get("css")), encoding="utf-8")
        out = Path(tmp, "report.html")
        args = [
            *_common_pandoc_args(options),
            "--to=html5",
            "--standalone",
            # No --embed-resources: the page is one file already (_embedded_stylesheet
            # inlines the styles and fonts; html-figures.lua writes charts as inline SVG
            # and pictures as data: URIs), and pandoc's embedding pass only re-wrote it,
            # in two thirds of pandoc's time. check_html_is_self_contained still refuses
            # a page that would load anything.
            # No reader or writer may touch the network or files not named here; the
            # Lua filters (not sandboxed) read the figures and check their paths.
            "--sandbox",
            "--section-divs",
            "--wrap=none",
            f"--template={assets_dir / str(options.get('template') or 'partials/report.html')}",
            f"--include-in-header={style}",
            *_lua_filters(options, assets_dir),
            f"--output={out}",
        ]
        _run_pandoc(args, document.markdown["html"], build_dir, "HTML page")
        _replace(out, html_out)


def _embedded_stylesheets(assets_dir: Path, listed: object = None) -> str:
    """The stylesheets ``css:`` lists (as Quarto embeds them, in order; styles.css when it
    lists none), each in a <style> element."""
    names = listed if isinstance(listed, list) else [listed] if listed else ["styles.css"]
    return "".join(_embedded_stylesheet(assets_dir, str(name)) for name in names)


def _embedded_stylesheet(assets_dir: Path, name: str = "styles.css") -> str:
    """One stylesheet with its fonts inlined as data: URIs, in a <style> element."""
    css_path = (assets_dir / name).resolve()
    if not css_path.is_relative_to(assets_dir) or not css_path.is_file():
        raise RenderError(f"The report stylesheet {name} is not a file in {assets_dir}.")
    css = css_path.read_text(encoding="utf-8")

    def inline(match: re.Match[str]) -> str:
        target = match.group(2)
        if target.startswith("data:") or target.startswith("#"):
            return match.group(0)
        path = (css_path.parent / target).resolve()
        if not path.is_relative_to(assets_dir) or not path.is_file():
            raise RenderError(f"{name} refers to {target!r}, which is not a file in {assets_dir}.")
        mime = {
            ".ttf": "font/ttf",
            ".otf": "font/otf",
            ".woff2": "font/woff2",
            ".woff": "font/woff",
            ".svg": "image/svg+xml",
            ".png": "image/png",
        }
        kind = mime.get(path.suffix.lower())
        if kind is None:
            raise RenderError(f"{name} refers to {target!r}, which cannot be embedded.")
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        return f'url("data:{kind};base64,{data}")'

    css = re.sub(r"""url\(\s*(["']?)([^"')]+)\1\s*\)""", inline, css)
    if re.search(r"@import", css):
        raise RenderError(f"{name} must not @import other stylesheets.")
    if "</style" in css.lower():
        raise RenderError(f"{name} must not contain '</style'.")
    return f"<style>\n{css}\n</style>\n"


def _render_builtin_pdf(
    document: _Document,
    build_dir: Path,
    assets_dir: Path,
    fonts_dir: Path,
    pdf_out: Path,
    timestamp: datetime.datetime,
) -> None:
    options = document.options["typst"]
    typ = build_dir / "report.typ"
    args = [
        *_common_pandoc_args(options),
        "--to=typst",
        "--standalone",
        "--wrap=none",  # as Quarto's typst format
        f"--template={assets_dir / str(options.get('template') or 'template.typ')}",
        *_lua_filters(options, assets_dir),
        f"--output={typ}",
    ]
    for key in ("papersize", "mainfont", "fontsize", "section-numbering"):
        value = options.get(key)
        if value not in (None, ""):
            args.append(f"--variable={key}={value}")
    _run_pandoc(args, document.markdown["typst"], build_dir, "PDF (typst source)")
    mainfont = str(options.get("mainfont") or FONT_FAMILY)
    _compile_typst(typ, build_dir, fonts_dir, mainfont, pdf_out, timestamp)


def _compile_typst(
    typ: Path,
    build_dir: Path,
    fonts_dir: Path,
    mainfont: str,
    pdf_out: Path,
    timestamp: datetime.datetime,
) -> None:
    try:
        import typst
    except ImportError as exc:  # pragma: no cover - a dependency of the project
        raise RenderError(f"The typst package is not installed: {exc}") from None
    # Only the report's own fonts: no system fonts and none of typst's embedded ones, so
    # the PDF cannot silently fall back to another typeface.
    fonts = typst.Fonts(
        include_system_fonts=False, include_embedded_fonts=False, font_paths=[str(fonts_dir)]
    )
    families = fonts.families()
    if mainfont not in families:
        raise RenderError(
            f"The PDF font {mainfont!r} was not found in {fonts_dir} (found: "
            f"{', '.join(families) or 'no fonts'}). Restore the font files."
        )
    tmp_pdf = pdf_out.with_name(f".{pdf_out.name}.partial")
    try:
        _, warnings = typst.compile_with_warnings(
            str(typ),
            output=str(tmp_pdf),
            root=str(build_dir),
            font_paths=fonts,
            ignore_system_fonts=True,
            pdf_standards=["ua-1"],
            timestamp=timestamp,
        )
    except typst.TypstError as exc:
        tmp_pdf.unlink(missing_ok=True)
        raise RenderError(_typst_message(exc, typ)) from None
    except RuntimeError as exc:
        tmp_pdf.unlink(missing_ok=True)
        raise RenderError(f"typst could not make the PDF from {typ.name}: {exc}") from None
    for warning in warnings:
        log.warning("typst: %s", getattr(warning, "message", warning))
    os.replace(tmp_pdf, pdf_out)


def _typst_message(exc: Exception, typ: Path) -> str:
    message = getattr(exc, "message", None) or str(exc)
    parts = [f"typst could not make the PDF from {typ.name}: {message}"]
    diagnostic = getattr(exc, "diagnostic", None)
    if diagnostic and diagnostic != message:
        parts.append(str(diagnostic))
    for hint in getattr(exc, "hints", None) or []:
        parts.append(f"hint: {hint}")
    if "title" in message.lower():
        parts.append("Set 'title:' in _metadata.yml (or the front matter of report.qmd).")
    if "alt" in message.lower():
        parts.append('Give every image alternative text with {fig-alt="..."}.')
    return "\n".join(parts)


#: Where the web page's link to its PDF says how long and large the PDF is: the title
#: block (partials/report.html) leaves it empty, and the engine fills it in once the PDF
#: is made (the page is rendered first, so that its filters report a mistake first).
PDF_DETAILS = '<span class="pdf-details"></span>'


def pdf_details(pdf: Path) -> str | None:
    """ "12 pages, 310 KB": what a reader needs to know before downloading the PDF; None
    when the file cannot be read as a PDF."""
    import pypdfium2

    try:
        pages = len(pypdfium2.PdfDocument(pdf))
    except pypdfium2.PdfiumError:
        return None
    size = pdf.stat().st_size
    shown = f"{size / 1024**2:.1f} MB" if size >= 1024**2 else f"{max(1, round(size / 1024))} KB"
    return f"{pages} page{'' if pages == 1 else 's'}, {shown}"


def _write_pdf_details(html_out: Path, pdf_out: Path) -> None:
    html = html_out.read_text(encoding="utf-8")
    details = pdf_details(pdf_out) if PDF_DETAILS in html else None
    if details:
        filled = html.replace(PDF_DETAILS, PDF_DETAILS.replace("><", f"> ({details})<"), 1)
        tmp = html_out.with_name(f".{html_out.name}.partial")
        tmp.write_text(filled, encoding="utf-8")
        os.replace(tmp, html_out)


def _replace(source: Path, target: Path) -> None:
    tmp = target.with_name(f".{target.name}.partial")
    shutil.copyfile(source, tmp)
    os.replace(tmp, target)


# --------------------------------------------------------------------------------------
# The Quarto engine


def _render_quarto(
    engine: Engine,
    build_dir: Path,
    assets_dir: Path,
    html_out: Path,
    pdf_out: Path,
    timestamp: datetime.datetime,
) -> None:
    """``quarto render report.qmd``: one run makes every format of ``_quarto.yml`` (HTML and
    typst), as Quarto starts slowly (a few seconds before it reads the document)."""
    assert engine.quarto is not None
    _stage_quarto_assets(build_dir, assets_dir)
    env = dict(os.environ)
    # typst reads the PDF creation date from SOURCE_DATE_EPOCH.
    env["SOURCE_DATE_EPOCH"] = str(int(timestamp.timestamp()))
    output_dir = build_dir
    project = _read_yaml(build_dir / "_quarto.yml").get("project")
    if isinstance(project, Mapping) and project.get("output-dir"):
        output_dir = (build_dir / str(project["output-dir"])).resolve()
    made = {"report.html": html_out, "report.pdf": pdf_out}
    for name in made:
        (output_dir / name).unlink(missing_ok=True)
    command = [engine.quarto, "render", "report.qmd"]
    try:
        result = subprocess.run(
            command, cwd=build_dir, env=env, capture_output=True, timeout=1800, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RenderError(f"quarto could not be run: {exc}") from None
    if result.returncode != 0:
        said = result.stderr.decode("utf-8", "replace")
        if not said.strip():
            said = result.stdout.decode("utf-8", "replace")
        raise RenderError(
            f"quarto render report.qmd failed (exit code {result.returncode}). Quarto "
            f"said:\n{_quarto_message(said)}"
        )
    for name, target in made.items():
        produced = output_dir / name
        if not produced.is_file():
            raise RenderError(
                f"quarto render finished but did not write {produced}. Check the formats "
                "(html and typst) and output-dir in _quarto.yml."
            )
        shutil.move(str(produced), str(target))


def _quarto_message(stderr: str) -> str:
    """What matters in Quarto's output: the error, without the colours, the options Quarto
    echoes before it and the Lua stack traceback after it."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", stderr)
    starts = [text.find(m) for m in ("Error running filter", "ERROR:", "error:", "Error:")]
    found = [i for i in starts if i >= 0]
    if found:
        text = text[min(found) :]
    text = re.split(r"\n\s*stack traceback:", text, maxsplit=1)[0]
    return text.strip()[-3000:]


def _stage_quarto_assets(build_dir: Path, assets_dir: Path) -> None:
    """Copy the template, styles, filters and fonts that _quarto.yml names into the
    build directory (Quarto resolves them relative to the project)."""
    for name in QUARTO_ASSETS:
        source = assets_dir / name
        target = build_dir / name
        if not source.exists():
            continue
        if source.is_dir():
            shutil.copytree(source, target, dirs_exist_ok=True)
        else:
            shutil.copyfile(source, target)
    if not (build_dir / "_quarto.yml").is_file():
        shutil.copyfile(assets_dir / "_quarto.yml", build_dir / "_quarto.yml")


# --------------------------------------------------------------------------------------
# Output checks


# Everything below 0x21 (controls and the space), which browsers strip from either end of a
# URL; tabs and line breaks inside a URL are removed ("jav\tascript:").
_URL_TRIM = "".join(map(chr, range(0x21)))
_CSS_URL_FUNCTIONS = re.compile(
    r"(?i)(?<![\w-])(?:url|src|image|image-set|-webkit-image-set|cross-fade|-webkit-cross-fade)\("
)
_CSS_STRING = re.compile(r"""(["'])(.*?)(?:\1|$)""", re.S)


def _url(value: str) -> str:
    """A URL as a browser reads it: tabs and line breaks removed, ends trimmed."""
    return re.sub(r"[\t\n\r]", "", value).strip(_URL_TRIM)


def _stays_in_page(url: str) -> bool:
    """Whether a URL (already through `_url`) fetches nothing: a data: URI or a fragment."""
    return url == "" or url.startswith("#") or url[:5].lower() == "data:"


def _srcset_urls(srcset: str) -> list[str]:
    """The URLs of a srcset, as the HTML standard splits it: each candidate is a run of
    characters up to white space (a data: URI may hold commas), then its descriptors up to
    a comma."""
    urls, position = [], 0
    while position < len(srcset):
        while position < len(srcset) and (srcset[position].isspace() or srcset[position] == ","):
            position += 1
        start = position
        while position < len(srcset) and not srcset[position].isspace():
            position += 1
        url = srcset[start:position].rstrip(",")
        if url:
            urls.append(url)
        if srcset[start:position].endswith(","):
            continue
        depth = 0
        while position < len(srcset) and (srcset[position] != "," or depth):
            depth += {"(": 1, ")": -1}.get(srcset[position], 0)
            position += 1
    return urls


def _css_fetches(css: str) -> list[str]:
    """What a piece of CSS would fetch: every url(), src(), image(), image-set() and
    cross-fade() argument that is not a data: URI or a fragment, and any @import. Comments
    are removed and escapes decoded first (``u\\72l(`` is ``url(``). A CSS string that
    merely reads like one (``content: "url(https://...)"``) is taken for one: the check errs
    on the side of refusing."""
    from auditrap.gate import css_unescaped

    found = []
    for text in {css, html_unescape(css)}:
        text = css_unescaped(text)
        if "@import" in text.lower():
            found.append("@import")
        for match in _CSS_URL_FUNCTIONS.finditer(text):
            depth, position = 1, match.end()
            while position < len(text) and depth:
                depth += {"(": 1, ")": -1}.get(text[position], 0)
                position += 1
            argument = text[match.end() : position - 1]
            name = match.group(0)[:-1].lower()
            if name in ("url", "src") and argument.strip()[:1] not in ("'", '"'):
                targets = [argument]
            else:
                targets = [m.group(2) for m in _CSS_STRING.finditer(argument)]
                if name in ("url", "src") and not targets:
                    targets = [argument]
            for target in targets:
                if not _stays_in_page(_url(target)):
                    found.append(f"{name}({_url(target)[:80]})")
    return found


class _ResourceFinder(HTMLParser):
    """Collect every way the page could fetch something by itself, or run code that could
    (the links a reader follows, <a href> and <area href>, are not fetches)."""

    # Attributes whose value is a URL the browser fetches by itself.
    _FETCHING = {
        "src",
        "poster",
        "data",
        "background",
        "action",
        "formaction",
        "manifest",
        "codebase",
        "ping",
        "lowsrc",
        "dynsrc",
        "archive",
        "classid",
        "icon",
        "longdesc",
    }
    # Elements that load another document, change where relative URLs point, or run code:
    # never in a report, whatever their attributes say.
    _REFUSED = {
        "script",
        "iframe",
        "frame",
        "frameset",
        "object",
        "embed",
        "applet",
        "portal",
        "fencedframe",
        "base",
        "link",
    }

    def __init__(self, where: str = "") -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_style = False
        self._prefix = f"{where}: " if where else ""

    def _add(self, item: str) -> None:
        self.found.append(self._prefix + item)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._REFUSED:
            self._add(f"<{tag}>")
        named = {name: value or "" for name, value in attrs}
        if tag == "meta" and named.get("http-equiv", "").strip().lower() not in (
            "",
            "content-type",
            "x-ua-compatible",
        ):
            self._add(f"<meta http-equiv={named['http-equiv'][:40]!r}>")
        if tag in ("animate", "set") and named.get("attributename", "").lower() in (
            "href",
            "xlink:href",
            "src",
        ):
            self._add(f"<{tag} attributeName={named['attributename']!r}>")
        for name, value in attrs:
            value = value or ""
            url = _url(value)
            if name.startswith("on"):
                self._add(f"<{tag} {name}=...> (an event handler can run code)")
            elif name in ("srcset", "imagesrcset"):
                for candidate in _srcset_urls(value):
                    if not _stays_in_page(_url(candidate)):
                        self._add(f"<{tag} {name}={_url(candidate)[:80]!r}>")
            elif name in self._FETCHING or (
                name in {"href", "xlink:href"} and tag not in {"a", "area"}
            ):
                if not _stays_in_page(url):
                    self._add(f"<{tag} {name}={url[:80]!r}>")
            elif name == "style":
                self.found += [
                    f"{self._prefix}{item} in <{tag} style>" for item in _css_fetches(value)
                ]
            elif name == "srcdoc":
                inner = _ResourceFinder(f"{self._prefix}<{tag} srcdoc>")
                inner.feed(value)
                inner.close()
                self.found += inner.found
            if url[:11].lower() == "javascript:" or url[:9].lower() == "vbscript:":
                self._add(f"<{tag} {name}={url[:40]!r}> (a script URL)")
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.found += [f"{self._prefix}{item} in <style>" for item in _css_fetches(data)]


def check_html_is_self_contained(html: str, name: str = "the HTML page") -> None:
    """Raise :class:`RenderError` if the page would load anything from anywhere, or holds
    what could (a script, an event handler, a frame, a <base>, a refresh)."""
    finder = _ResourceFinder()
    finder.feed(html)
    finder.close()
    if finder.found:
        listed = "\n".join(f"  {item}" for item in finder.found[:20])
        raise RenderError(
            f"{name} would load resources from outside the page (or holds what could), which "
            f"the report must never do (privacy, and it must work offline):\n{listed}\nRemove them from "
            "the Markdown (or the raw HTML in it), or save the file into the build "
            "directory and refer to it by a relative path."
        )
