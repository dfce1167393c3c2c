"""Rendering the report: Quarto shortcodes, safe Markdown, and the HTML/PDF engine."""

from .engine import ENGINES, RenderError, check_html_is_self_contained, render_report
from .markdown import escape_markdown, markdown_table
from .shortcodes import ShortcodeError, resolve_shortcodes

__all__ = [
    "ENGINES",
    "RenderError",
    "ShortcodeError",
    "check_html_is_self_contained",
    "escape_markdown",
    "markdown_table",
    "render_report",
    "resolve_shortcodes",
]
