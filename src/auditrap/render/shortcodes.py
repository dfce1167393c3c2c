"""Quarto's ``var``, ``meta`` and ``include`` shortcodes, for the built-in engine.

Quarto resolves these before pandoc sees the document; the built-in engine must give the
same Markdown. Differences from Quarto are deliberate and safer:

* values from ``var`` and ``meta`` are inserted as plain text (escaped Markdown), never
  as markup;
* ``include`` only reads files inside the build directory (no absolute paths, no ``..``,
  no symbolic links that lead out), and include depth is limited;
* any other shortcode is an error rather than being passed through.

``{{{< ... >}}}`` is Quarto's escape and yields the literal ``{{< ... >}}``.
"""

from __future__ import annotations

import datetime
import re
import shlex
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from .markdown import escape_markdown

__all__ = ["ShortcodeError", "resolve_shortcodes", "MAX_INCLUDE_DEPTH"]

#: How deep ``{{< include >}}`` may nest (a file that includes a file that includes...).
MAX_INCLUDE_DEPTH = 8

_SUPPORTED = ("var", "meta", "include")
# The escaped form must be tried first: "{{{< x >}}}" also contains "{{< x >}}".
_TOKEN = re.compile(r"\{\{\{<(?P<escaped>.*?)>\}\}\}|\{\{<(?P<code>.*?)>\}\}", re.DOTALL)
_OPEN = re.compile(r"\{\{<")
_KEY = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]*(\.[A-Za-z0-9_][A-Za-z0-9_-]*)*$")


class ShortcodeError(ValueError):
    """A shortcode that cannot be resolved; the message names the file and line."""


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
    """Resolve ``var``, ``meta`` and ``include`` shortcodes in ``text``.

    ``source`` names the text in error messages (e.g. ``"report.qmd"``) and, for
    includes, is the path (relative to ``base_dir``) whose directory relative include
    paths start from. ``first_line`` is the line number of the first line of ``text``
    in that file (for a body that follows front matter). ``allow_include=False``
    refuses ``include`` (metadata values cannot include files). Raises
    :class:`ShortcodeError` for anything it cannot resolve.
    """
    base = Path(base_dir).resolve()
    return _resolve(
        text,
        variables,
        metadata,
        base,
        source,
        chain=(source,),
        line_offset=first_line - 1,
        allow_include=allow_include,
    )


def _resolve(
    text: str,
    variables: Mapping[str, object],
    metadata: Mapping[str, object],
    base: Path,
    source: str,
    *,
    chain: tuple[str, ...],
    line_offset: int,
    allow_include: bool = True,
) -> str:
    out: list[str] = []
    pos = 0
    for match in _TOKEN.finditer(text):
        _check_no_stray_opening(text, pos, match.start(), source, line_offset)
        out.append(text[pos : match.start()])
        pos = match.end()
        line = line_offset + text.count("\n", 0, match.start()) + 1
        if match.group("escaped") is not None:
            out.append("{{<" + match.group("escaped") + ">}}")
            continue
        raw = match.group(0)
        name, args = _parse(match.group("code"), source, line, raw)
        where = f"{source}, line {line}"
        if name == "var":
            key = _single_key(args, name, where, raw)
            value = _lookup(variables, key)
            if value is _MISSING:
                raise ShortcodeError(
                    f"{where}: the variable {key!r} in {raw} is not defined. Add it to "
                    "_variables.yml (nested keys are written with dots), or correct the "
                    "name."
                )
            out.append(escape_markdown(_as_text(value, key, where, raw, "variable")))
        elif name == "meta":
            key = _single_key(args, name, where, raw)
            value = _lookup(metadata, key)
            if value is _MISSING:
                raise ShortcodeError(
                    f"{where}: the metadata key {key!r} in {raw} is not set. Set it in "
                    "_metadata.yml or the document's front matter, or correct the name."
                )
            out.append(escape_markdown(_as_text(value, key, where, raw, "metadata value")))
        else:  # include
            if not allow_include:
                raise ShortcodeError(
                    f"{where}: {raw} cannot be used here: metadata values cannot include "
                    "files. Put the include in the report body."
                )
            out.append(_include(args, variables, metadata, base, source, where, raw, chain=chain))
    _check_no_stray_opening(text, pos, len(text), source, line_offset)
    out.append(text[pos:])
    return "".join(out)


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
    try:
        parts = shlex.split(body.strip(), posix=True)
    except ValueError as exc:
        raise ShortcodeError(f"{where}: cannot read the shortcode {raw} ({exc}).") from None
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


def _as_text(value: object, key: str, where: str, raw: str, what: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list) and all(
        isinstance(v, str | int | float) and not isinstance(v, bool) for v in value
    ):
        return ", ".join(str(v) for v in value)
    if value is None:
        raise ShortcodeError(f"{where}: the {what} {key!r} in {raw} is empty. Give it a value.")
    raise ShortcodeError(
        f"{where}: the {what} {key!r} in {raw} is a group of values, not a single value. "
        "Name one of its entries with a dotted key."
    )


def _normalise(path: PurePosixPath) -> PurePosixPath | None:
    """Fold '..' parts (as Quarto does, relative to the including file); None if it escapes."""
    parts: list[str] = []
    for part in path.parts:
        if part == "..":
            if not parts:
                return None
            parts.pop()
        elif part != ".":
            parts.append(part)
    return PurePosixPath(*parts) if parts else None


def _include(
    args: list[str],
    variables: Mapping[str, object],
    metadata: Mapping[str, object],
    base: Path,
    source: str,
    where: str,
    raw: str,
    *,
    chain: tuple[str, ...],
) -> str:
    if len(args) != 1:
        raise ShortcodeError(f"{where}: {raw} needs exactly one file path.")
    target = args[0]
    pure = PurePosixPath(target.replace("\\", "/"))
    if pure.is_absolute() or re.match(r"^[A-Za-z]:", target) or target.startswith("~"):
        raise ShortcodeError(
            f"{where}: {raw} uses an absolute path. Include files by a path relative to "
            "the report, inside the build directory."
        )
    relative = _normalise(PurePosixPath(source).parent / pure)
    if relative is None:
        raise ShortcodeError(
            f"{where}: {raw} reaches outside the build directory with '..'. Only files "
            "inside the build directory can be included."
        )
    candidate = base.joinpath(*relative.parts)
    # Refuse symbolic links anywhere on the way, and anything that resolves outside.
    probe = base
    for part in relative.parts:
        probe = probe / part
        if probe.is_symlink():
            raise ShortcodeError(
                f"{where}: {raw} goes through the symbolic link {relative.as_posix()!r}. "
                "Copy the file into the build directory instead."
            )
    resolved = candidate.resolve()
    if not resolved.is_relative_to(base):
        raise ShortcodeError(f"{where}: {raw} points outside the build directory.")
    if not resolved.is_file():
        raise ShortcodeError(
            f"{where}: {raw} names {relative.as_posix()!r}, which does not exist in the "
            "build directory. Check the path (it is relative to the report)."
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
    content = content.replace("\r\n", "\n")
    resolved_text = _resolve(
        content, variables, metadata, base, name, chain=(*chain, name), line_offset=0
    )
    # Keep block structure: an included file is its own block(s).
    return resolved_text.rstrip("\n")
