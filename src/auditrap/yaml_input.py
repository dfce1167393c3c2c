"""Reading the YAML files people write (audit.yaml, a theme taxonomy), every problem reported.

One loader for every YAML input, stricter than ``yaml.safe_load`` where YAML's guesses would
let a mistake through or cost without bound:

* values are text, whole numbers, decimal numbers, lists, mappings or blank: ``true``,
  ``yes`` and ``no`` stay text (``audit_number: true`` is reported, never read as 1), and so
  do dates (``published: 2019-02-30`` is checked by whoever reads it, and can be reported as
  not a real date instead of stopping the reader);
* a key given twice in one mapping is an error naming both lines (YAML would keep the last
  one silently);
* the file's size, how deeply it nests and how many values it holds once every alias
  (``*name``) is expanded are limited (:class:`auditrap.limits.InputLimits`), so that a small
  file of nested anchors cannot build gigabytes, and ``[`` repeated 100,000 times is refused
  at the twenty-first, before Python's stack runs out;
* every problem carries the line (and, for a syntax error, the column) where it is.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from auditrap.limits import DEFAULT_LIMITS, InputLimits
from auditrap.normalise import strip_bidi_in
from auditrap.problems import WARNING, Problem

_TEXT_TAGS = ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")
_MERGE = "tag:yaml.org,2002:merge"


class _OverLimit(yaml.YAMLError):
    def __init__(self, message: str, mark: yaml.Mark | None) -> None:
        super().__init__(message)
        self.message = message
        self.problem_mark = mark


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader (the pure-Python one, whose composer can be limited), with
    booleans and dates read as text and the nesting depth limited."""

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag not in _TEXT_TAGS]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def __init__(self, stream: str, limits: InputLimits) -> None:
        super().__init__(stream)
        self.max_depth = limits.yaml_depth
        self.depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        self.depth += 1
        try:
            if self.depth > self.max_depth:
                raise _OverLimit(
                    f"lists and mappings nest more than {self.max_depth} deep",
                    self.peek_event().start_mark,
                )
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


# An explicit tag (`!!bool yes`, `!!timestamp 2019-02-30`) gives text too.
for _tag in _TEXT_TAGS:
    _Loader.add_constructor(_tag, yaml.SafeLoader.construct_yaml_str)


@dataclass
class YamlFile:
    """A YAML file as read: its data (None when it could not be read) and the problems.

    ``lines`` maps the path of each key and list item (a tuple such as ``("areas", 2)``) to
    the line it is on, so that a later check can say where a value is.
    """

    display: str
    data: Any = None
    problems: list[Problem] = field(default_factory=list)
    lines: dict[tuple, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def without_direction_controls(self) -> tuple[Any, list[Problem]]:
        """The data with every direction control taken out of its keys and values (they
        would make a published title or name show backwards), and a warning for each value
        that held any, at the line of its key."""
        data, with_controls = strip_bidi_in(self.data)
        return data, [
            Problem(
                self.display,
                row=self.line_of((key.split(".")[0],)),
                column=key,
                message="Invisible direction controls (which make a browser show text "
                "backwards) were taken out of this value. Check that it reads as you meant it.",
                severity=WARNING,
            )
            for key in with_controls
        ]

    def line_of(self, path: tuple) -> int | None:
        """The line of ``path``, or of the nearest enclosing key that has one."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return None


def load_yaml(
    path: Path, *, display: str | None = None, limits: InputLimits = DEFAULT_LIMITS
) -> YamlFile:
    """Read one YAML file, reporting every problem instead of raising."""
    display = display or path.name
    result = YamlFile(display)

    def refuse(message: str, line: int | None = None) -> YamlFile:
        result.problems.append(Problem(display, row=line, message=message))
        return result

    try:
        size = path.stat().st_size
        if size > limits.yaml_bytes:
            return refuse(
                f"{display} is {size:,} bytes, more than a hand-written file of settings "
                f"needs {limits.how_to_raise('yaml_kb')}. Check that it is the right file."
            )
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return refuse(f"{display} is not UTF-8 text (byte offset {exc.start}). Save it as UTF-8.")
    except OSError as exc:
        return refuse(f"{display} cannot be read ({exc.strerror or exc}).")

    try:
        loader = _Loader(text, limits)
    except yaml.YAMLError as exc:  # a character YAML does not allow, such as NUL
        return refuse(*_syntax_message(exc, display))
    try:
        try:
            node = loader.get_single_node()
        except _OverLimit as exc:
            mark = exc.problem_mark
            return refuse(
                f"{display} is too deeply nested: {exc.message} at line {mark.line + 1}, "
                f"column {mark.column + 1} {limits.how_to_raise('yaml_depth')}. Check the "
                "brackets and the indentation.",
                mark.line + 1,
            )
        except yaml.YAMLError as exc:
            return refuse(*_syntax_message(exc, display))
        if node is None:
            return result
        over, line = _too_many_values(node, limits.yaml_values)
        if over == "cycle":
            return refuse(
                f"{display} has an alias (*name) inside the value its anchor (&name) names, "
                "so the value never ends. Write the value out instead.",
                line,
            )
        if over:
            return refuse(
                f"{display} holds more than {limits.yaml_values:,} values once its aliases "
                f"(*name) are expanded {limits.how_to_raise('yaml_values')}. It may repeat "
                "anchors (&name) and aliases inside each other; write the values out instead.",
                node.start_mark.line + 1,
            )
        _walk(node, (), result)
        try:
            result.data = loader.construct_document(node)
        except yaml.YAMLError as exc:
            return refuse(*_syntax_message(exc, display))
        except (ValueError, TypeError, OverflowError) as exc:
            # Python refuses some values YAML allows, such as a number of 5,000 digits.
            return refuse(f"{display} holds a value that cannot be read ({exc}).")
    finally:
        loader.dispose()
    return result


def _syntax_message(exc: yaml.YAMLError, display: str) -> tuple[str, int | None]:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    return (
        f"{display} is not valid YAML{where}: {problem}. Check the indentation, and put "
        "in quotes any text that contains a colon, a # or starts with a bracket.",
        mark.line + 1 if mark else None,
    )


def _too_many_values(root: Node, limit: int) -> tuple[str | None, int]:
    """``"cycle"`` or ``"size"`` (and the line) when the document is endless or too big
    once aliases are expanded, else None.

    Counts every value as often as it is used, in time linear in the file's size (each
    node's expanded count is worked out once), and finds an alias that contains itself.
    """
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if key in sizes and not children_done:
            continue
        children = _children(node)
        if not children_done:
            if key in open_nodes:
                return "cycle", node.start_mark.line + 1
            open_nodes.add(key)
            stack.append((node, True))
            stack.extend((child, False) for child in children if id(child) not in sizes)
            continue
        open_nodes.discard(key)
        sizes[key] = 1 + sum(sizes[id(child)] for child in children)
        if sizes[key] > limit:
            return "size", node.start_mark.line + 1
    return None, 0


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def _walk(node: Node, path: tuple, result: YamlFile) -> None:
    """Record the line of every key and item, and report keys given twice."""
    result.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, SequenceNode):
        for index, child in enumerate(node.value):
            _walk(child, (*path, index), result)
    elif isinstance(node, MappingNode):
        seen: dict[Hashable, int] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, ScalarNode) or key_node.tag == _MERGE:
                continue
            key = key_node.value
            if key in seen:
                where = ".".join(str(p) for p in (*path, key))
                result.problems.append(
                    Problem(
                        result.display,
                        row=line,
                        column=where,
                        value=key,
                        message=f"The key `{key}` is given twice (lines {seen[key]} and "
                        f"{line}); YAML would keep only the last. Keep one and delete the "
                        "other.",
                    )
                )
                continue
            seen[key] = line
            result.lines.setdefault((*path, key), line)
            _walk(value_node, (*path, key), result)
