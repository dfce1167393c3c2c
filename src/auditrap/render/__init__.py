"""Rendering the report: Quarto shortcodes, safe Markdown, and the HTML/PDF engine."""

from .engine import (
    ENGINES,
    Engine,
    RenderError,
    check_html_is_self_contained,
    render_report,
    resolve_engine,
)
from .markdown import escape_attribute, escape_markdown, escape_metadata, markdown_table
from .shortcodes import ShortcodeError, resolve_shortcodes

__all__ = [
    "ENGINES",
    "Engine",
    "RenderError",
    "ShortcodeError",
    "check_html_is_self_contained",
    "escape_attribute",
    "escape_markdown",
    "escape_metadata",
    "markdown_table",
    "render_report",
    "resolve_engine",
    "resolve_shortcodes",
]
