"""Quarto's ``include``, ``var`` and ``meta`` shortcodes, as Quarto resolves them.

The built-in engine resolves them here before pandoc reads the document; the same check runs
before Quarto renders, so that a mistake is reported the same way (file and line) whichever
engine renders. The rules are Quarto's (1.7; its source: ``core/handlers/base.ts`` and
``include-standalone.ts`` for includes, ``resources/filters/customnodes/shortcodes.lua`` and
``quarto-pre/shortcodes-handlers.lua`` for the others):

* ``include`` is a block shortcode: a line holding nothing but ``{{< include path >}}`` is
  replaced by the file, whose own include lines are expanded in turn. A relative path is
  relative to the folder of the main document (``report.qmd``), in an included file too:
  Quarto resolves a nested include against the main document, never against the file that
  holds it. A path starting with ``/`` is relative to the project folder (the one with
  ``_quarto.yml``). An included file that does not end with a newline is followed by a
  blank line.
* ``var`` and ``meta`` insert a value of ``_variables.yml`` or of the document's metadata.
  Quarto reads those values as Markdown (a value is text only if it was written escaped:
  :func:`auditrap.render.markdown.escape_metadata`), so the value goes in as the Markdown it
  is. In code (a code span or block) Quarto inserts the value's text: so does this module.
* ``{{{< x >}}}`` and ``{{</* x */>}}`` are Quarto's escapes: they show ``{{< x >}}`` as text.

Stricter than Quarto, for both engines:

* ``include`` reads only files inside the build directory (no ``..`` out of it, no symbolic
  links), and refuses loops and nesting deeper than :data:`MAX_INCLUDE_DEPTH` (Quarto would
  recurse until it crashes); an include that is not on a line of its own is refused (Quarto
  would leave it in the text as an unknown shortcode);
* any other shortcode is an error, as is a ``var`` or ``meta`` whose value is missing,
  empty, a group of values or a list of several (Quarto prints ``?invalid ...`` instead);
* a shortcode inside an attribute block (``{fig-alt="{{< var x >}}"}``) is an error: Quarto
  1.7 writes its own markup into the attribute's quotes, which ends the value early, and
  the attribute is lost.
"""

from __future__ import annotations

import datetime
import math
import re
import string
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

__all__ = ["ShortcodeError", "resolve_shortcodes", "MAX_INCLUDE_DEPTH"]

#: How deep ``{{< include >}}`` may nest (a file that includes a file that includes...).
MAX_INCLUDE_DEPTH = 8

_SUPPORTED = ("var", "meta", "include")
# A line that is one block shortcode, as Quarto's isBlockShortcode() finds it.
_BLOCK = re.compile(r"^\s*\{\{< (?!/\*)(.+?)(?<!\*/) >\}\}\s*$")
# The escaped forms must be tried first: "{{{< x >}}}" also contains "{{< x >}}".
_TOKEN = re.compile(
    r"\{\{\{<(?P<escaped>.*?)>\}\}\}|\{\{</\*(?P<commented>.*?)\*/>\}\}|\{\{<(?P<code>.*?)>\}\}",
    re.DOTALL,
)
_OPEN = re.compile(r"\{\{<")
_KEY = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]*(\.[A-Za-z0-9_][A-Za-z0-9_-]*)*$")
_LINE_END = re.compile(r"\r?\n")
_PARAMETER = re.compile(r'"([^"]*)"|\'([^\']*)\'|([^"\'\s]+)')
_PUNCTUATION_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


class ShortcodeError(ValueError):
    """A shortcode that cannot be resolved; the message names the file and line."""


@dataclass(frozen=True)
class _Context:
    variables: Mapping[str, object]
    metadata: Mapping[str, object]
    base: Path  # the project (build) folder: includes never leave it
    document_dir: PurePosixPath  # the main document's folder, relative to base


def resolve_shortcodes(
    text: str,
    *,
    variables: Mapping[str, object],
    metadata: Mapping[str, object],
    base_dir: Path,
    source: str,
    first_line: int = 1,
    allow_include: bool = True,
) -> str:
    """Resolve ``include``, ``var`` and ``meta`` shortcodes in ``text``, as Quarto does.

    ``base_dir`` is the project folder; ``source`` is the main document's path relative to
    it (e.g. ``"report.qmd"``): relative include paths start from its folder. ``source``
    also names the text in error messages, and ``first_line`` is the line number of the
    first line of ``text`` in it (for a body that follows front matter).
    ``allow_include=False`` refuses ``include`` (metadata values cannot include files).
    Raises :class:`ShortcodeError` for anything it cannot resolve.
    """
    context = _Context(variables, metadata, Path(base_dir).resolve(), PurePosixPath(source).parent)
    if not allow_include:
        return _resolve_inline(text, context, source, first_line - 1, allow_include=False)
    return _expand(text, context, source, chain=(source,), line_offset=first_line - 1, top=True)


# --------------------------------------------------------------------------------------
# Includes


def _lines(text: str) -> Iterator[tuple[int, int, int]]:
    """(start, end without the line break, end with it) of each line, split on \\n or \\r\\n."""
    start = 0
    for match in _LINE_END.finditer(text):
        yield start, match.start(), match.end()
        start = match.end()
    yield start, len(text), len(text)


def _expand(
    text: str,
    context: _Context,
    source: str,
    *,
    chain: tuple[str, ...],
    line_offset: int,
    top: bool,
) -> str:
    """Replace each include line of ``text`` by the included file, and resolve the rest.

    In the main document the include line goes with its line break; in an included file the
    line break stays (Quarto's two code paths differ so).
    """
    out: list[str] = []
    pending = 0  # where the text not yet resolved starts
    pending_line = 1  # the line number of that place
    for number, (start, end, after) in enumerate(_lines(text), start=1):
        match = _BLOCK.match(text[start:end])
        if not match:
            continue
        line = line_offset + number
        raw = text[start:end].strip()
        name, args = _parse(match.group(1), source, line, raw)
        if name != "include":
            continue
        out.append(
            _resolve_inline(text[pending:start], context, source, line_offset + pending_line - 1)
        )
        out.append(_include(args, context, f"{source}, line {line}", raw, chain=chain))
        pending, pending_line = (after, number + 1) if top else (end, number)
    out.append(_resolve_inline(text[pending:], context, source, line_offset + pending_line - 1))
    return "".join(out)


def _include(
    args: list[str], context: _Context, where: str, raw: str, *, chain: tuple[str, ...]
) -> str:
    if len(args) != 1:
        raise ShortcodeError(f"{where}: {raw} needs exactly one file path.")
    target = args[0]
    if re.match(r"^[A-Za-z]:", target) or target.startswith(("~", "\\")) or "\\" in target:
        raise ShortcodeError(
            f"{where}: {raw} is not a path Quarto reads the same way everywhere. Write the "
            "path with forward slashes, relative to the report (report.qmd)."
        )
    pure = PurePosixPath(target)
    # Quarto: "/x" is relative to the project folder, anything else to the main document's.
    relative = _normalise(
        PurePosixPath(*pure.parts[1:]) if pure.is_absolute() else context.document_dir / pure
    )
    if relative is None:
        raise ShortcodeError(
            f"{where}: {raw} reaches outside the build directory with '..'. Only files "
            "inside the build directory can be included."
        )
    base = context.base
    # Refuse symbolic links anywhere on the way, and anything that resolves outside.
    probe = base
    for part in relative.parts:
        probe = probe / part
        if probe.is_symlink():
            raise ShortcodeError(
                f"{where}: {raw} goes through the symbolic link {relative.as_posix()!r}. "
                "Copy the file into the build directory instead."
            )
    resolved = base.joinpath(*relative.parts).resolve()
    if not resolved.is_relative_to(base):
        raise ShortcodeError(f"{where}: {raw} points outside the build directory.")
    if not resolved.is_file():
        start = "the build directory" if pure.is_absolute() else "the report (report.qmd)"
        raise ShortcodeError(
            f"{where}: {raw} names {relative.as_posix()!r}, which does not exist in the "
            f"build directory. Check the path: it is relative to {start}, in an included "
            "file too, as Quarto reads it."
        )
    name = relative.as_posix()
    if name in chain:
        loop = " -> ".join((*chain, name))
        raise ShortcodeError(f"{where}: {raw} includes itself ({loop}). Remove the loop.")
    if len(chain) > MAX_INCLUDE_DEPTH:
        raise ShortcodeError(
            f"{where}: {raw} nests includes more than {MAX_INCLUDE_DEPTH} deep "
            f"({' -> '.join(chain)}). Flatten the includes."
        )
    try:
        content = resolved.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ShortcodeError(f"{where}: {raw}: {name!r} is not UTF-8 text.") from None
    expanded = _expand(content, context, name, chain=(*chain, name), line_offset=0, top=False)
    return expanded + ("\n" if content.endswith("\n") else "\n\n")


def _normalise(path: PurePosixPath) -> PurePosixPath | None:
    """Fold '.' and '..' parts; None if the path leaves its root (or is empty)."""
    parts: list[str] = []
    for part in path.parts:
        if part == "..":
            if not parts:
                return None
            parts.pop()
        elif part not in (".", "/"):
            parts.append(part)
    return PurePosixPath(*parts) if parts else None


# --------------------------------------------------------------------------------------
# var and meta, in text, code and attribute values


def _resolve_inline(
    text: str, context: _Context, source: str, line_offset: int, *, allow_include: bool = True
) -> str:
    out: list[str] = []
    pos = 0
    places = _Places(text)
    for match in _TOKEN.finditer(text):
        _check_no_stray_opening(text, pos, match.start(), source, line_offset)
        out.append(text[pos : match.start()])
        pos = match.end()
        line = line_offset + text.count("\n", 0, match.start()) + 1
        place = places.at(match.start())
        if place == "attribute":
            snippet = match.group(0)[:60]
            raise ShortcodeError(
                f"{source}, line {line}: {snippet} is inside an attribute ({{...}}). Quarto "
                "1.7 cannot read a shortcode there: it loses the attribute (a figure its "
                "alternative text). Write the words themselves in the attribute."
            )
        escaped = match.group("escaped")
        if escaped is None:
            escaped = match.group("commented")
        if escaped is not None:
            out.append(_as_literal("{{<" + escaped + ">}}", place))
            continue
        raw = match.group(0)
        name, args = _parse(match.group("code"), source, line, raw)
        where = f"{source}, line {line}"
        if name == "include":
            if not allow_include:
                raise ShortcodeError(
                    f"{where}: {raw} cannot be used here: metadata values cannot include "
                    "files. Put the include in the report body."
                )
            raise ShortcodeError(
                f"{where}: {raw} must be on a line of its own: Quarto includes a file only "
                "in place of a whole line. Put it on its own line, with a blank line before "
                "and after."
            )
        key = _single_key(args, name, where, raw)
        if name == "var":
            value = _lookup(context.variables, key)
            if value is _MISSING:
                raise ShortcodeError(
                    f"{where}: the variable {key!r} in {raw} is not defined. Add it to "
                    "_variables.yml (nested keys are written with dots), or correct the "
                    "name."
                )
            what = "variable"
        else:
            value = _lookup(context.metadata, key)
            if value is _MISSING:
                raise ShortcodeError(
                    f"{where}: the metadata key {key!r} in {raw} is not set. Set it in "
                    "_metadata.yml or the document's front matter, or correct the name."
                )
            what = "metadata value"
        out.append(_as_inserted(_as_markdown(value, key, where, raw, what), place))
    _check_no_stray_opening(text, pos, len(text), source, line_offset)
    out.append(text[pos:])
    return "".join(out)


class _Places:
    """Which parts of a Markdown text are code (fenced blocks, code spans) and which are
    attribute blocks (``{#id key="value"}`` after a span, link, image, code span, on a
    fenced div's line or at the end of a heading)."""

    _FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})", re.M)
    _TICKS = re.compile(r"(?<!\\)`+")
    _ATTRIBUTES = re.compile(r"(?<=[\])`])\{|^(?::{3,}|#{1,6}[^\n{]*?) *(?=\{)", re.M)

    def __init__(self, text: str) -> None:
        self.regions: list[tuple[int, int, str]] = []
        code = self._fenced_blocks(text)
        self.regions += [(a, b, "code") for a, b in code]
        self._braces = [
            m.end() - 1 if m.group(0).endswith("{") else m.end()
            for m in self._ATTRIBUTES.finditer(text)
        ]
        position = 0
        for start, end in [*code, (len(text), len(text))]:
            self._spans_and_attributes(text, position, start)
            position = end

    def _fenced_blocks(self, text: str) -> list[tuple[int, int]]:
        blocks = []
        position = 0
        while opening := self._FENCE.search(text, position):
            fence = opening.group(1)
            closing = re.compile(
                rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$", re.M
            ).search(text, text.find("\n", opening.end()) + 1 or len(text))
            position = closing.end() if closing else len(text)
            # The info string ({=html}, {.python}) belongs to the block: code too.
            blocks.append((opening.start(), position))
        return blocks

    def _spans_and_attributes(self, text: str, start: int, end: int) -> None:
        position = start
        while position < end:
            ticks = self._TICKS.search(text, position, end)
            brace = next((b for b in self._braces if position <= b < end), None)
            if ticks and (brace is None or ticks.start() < brace):
                closing = re.compile(rf"(?<!`){ticks.group(0)}(?!`)").search(text, ticks.end(), end)
                if not closing:
                    position = ticks.end()
                    continue
                self.regions.append((ticks.end(), closing.start(), "code"))
                position = closing.end()
            elif brace is not None:
                close = _closing_brace(text, brace, end)
                self.regions.append((brace, close, "attribute"))
                position = close
            else:
                return

    def at(self, index: int) -> str:
        for start, end, kind in self.regions:
            if start <= index < end:
                return kind
        return "text"


def _closing_brace(text: str, start: int, end: int) -> int:
    """The end of the attribute block starting at ``start`` (quoted values may hold '}')."""
    quote = None
    index = start + 1
    while index < end:
        char = text[index]
        if quote:
            if char == "\\":
                index += 1
            elif char == quote:
                quote = None
        elif char in "\"'":
            quote = char
        elif char == "}":
            return index + 1
        elif char == "\n" and text.startswith("\n", index + 1):
            break  # a blank line ends any attribute block
        index += 1
    return index


def _as_literal(shown: str, place: str) -> str:
    """An escaped shortcode: its text (escaped in Markdown text, as it is in code)."""
    if place == "text":
        return "".join("\\" + c if c in string.punctuation else c for c in shown)
    return shown


def _as_inserted(markdown: str, place: str) -> str:
    """A value (Markdown) as it goes in: as Markdown in text, as its text in code."""
    return markdown if place == "text" else _text_of(markdown)


def _text_of(markdown: str) -> str:
    """The text of a value written as escaped text (what escape_metadata makes): empty spans
    dropped, backslash escapes undone."""
    return _PUNCTUATION_ESCAPE.sub(r"\1", markdown.replace("[]{}", ""))


def _check_no_stray_opening(text: str, start: int, end: int, source: str, offset: int) -> None:
    stray = _OPEN.search(text, start, end)
    if stray:
        line = offset + text.count("\n", 0, stray.start()) + 1
        snippet = text[stray.start() : stray.start() + 40].split("\n", 1)[0]
        raise ShortcodeError(
            f"{source}, line {line}: the shortcode starting {snippet!r} is never closed "
            "with '>}}'. Close it, or write '{{{< ... >}}}' to show the text literally."
        )


def _parse(body: str, source: str, line: int, raw: str) -> tuple[str, list[str]]:
    where = f"{source}, line {line}"
    # Quarto's parameters: words, or "quoted" or 'quoted' strings (no backslash escapes).
    tokens = list(_PARAMETER.finditer(body))
    gaps = zip(
        [0, *(t.end() for t in tokens)], [*(t.start() for t in tokens), len(body)], strict=True
    )
    if any(body[start:end].strip() for start, end in gaps):
        raise ShortcodeError(
            f"{where}: cannot read the shortcode {raw}: a quote is not closed. Close it."
        )
    parts = [t.group(1) if t.group(1) is not None else t.group(2) or t.group(3) for t in tokens]
    if not parts:
        raise ShortcodeError(f"{where}: the shortcode {raw} is empty. Remove it.")
    name, args = parts[0], parts[1:]
    if name not in _SUPPORTED:
        raise ShortcodeError(
            f"{where}: the shortcode {raw} is not supported. The report engine only "
            "understands var, meta and include. Remove it, or write "
            "'{{{< ... >}}}' to show it literally."
        )
    return name, args


def _single_key(args: list[str], name: str, where: str, raw: str) -> str:
    if len(args) != 1:
        raise ShortcodeError(
            f"{where}: {raw} needs exactly one key, like {{{{< {name} board.name >}}}}."
        )
    key = args[0]
    if not _KEY.match(key):
        raise ShortcodeError(
            f"{where}: {key!r} in {raw} is not a valid key: use letters, digits, '_' "
            "and '-', with dots between nested keys."
        )
    return key


_MISSING = object()


def _lookup(mapping: Mapping[str, object], dotted: str) -> object:
    node: object = mapping
    for part in dotted.split("."):
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return _MISSING
    return node


def _as_markdown(value: object, key: str, where: str, raw: str, what: str) -> str:
    """A value as Quarto shows it: text is Markdown (on one line); true and false; numbers
    as YAML read them (1.0 is 1); a list of one value is that value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value == int(value):
            return str(int(value))
        return repr(value)
    if isinstance(value, str):
        return re.sub(r"\s+", " ", value).strip()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list) and len(value) == 1:
        return _as_markdown(value[0], key, where, raw, what)
    if value is None or (isinstance(value, list) and not value):
        raise ShortcodeError(f"{where}: the {what} {key!r} in {raw} is empty. Give it a value.")
    if isinstance(value, list):
        raise ShortcodeError(
            f"{where}: the {what} {key!r} in {raw} is a list of {len(value)} values; Quarto "
            "shows only a single value. Name one entry with a dotted key (such as "
            f"{key}.0), or make the value one text."
        )
    raise ShortcodeError(
        f"{where}: the {what} {key!r} in {raw} is a group of values, not a single value. "
        "Name one of its entries with a dotted key."
    )
