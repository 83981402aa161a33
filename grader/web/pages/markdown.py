"""Markdown (a kit's README) as HTML that is safe to put in a page: raw HTML in the text is
escaped, not passed through (markdown-it's `html` option off), links with a script-capable
scheme (`javascript:`, `vbscript:`, `file:`, `data:`) are not made links (markdown-it's
link validation), and every link opens without handing the page to its target. The page's
Content-Security-Policy (grader/web/pages/csp.py) is the second wall."""

from __future__ import annotations

from typing import Any

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict


def _link_open(renderer: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict,
               env: EnvType) -> str:
    tokens[idx].attrSet("rel", "noopener noreferrer nofollow")
    return renderer.renderToken(tokens, idx, options, env)


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.add_render_rule("link_open", _link_open)
    return md


_MD = _parser()


def render_markdown(text: str) -> str:
    """`text` as safe HTML (see the module's docstring)."""
    html: Any = _MD.render(text)
    return str(html)
