"""Markdown notes and notebooks, read by a Markdown parser (markdown-it-py with mdit-py-plugins).

What is math is what a Markdown renderer with MathJax shows as math: `$$...$$`, `\\[...\\]` and the
equation environments, in paragraphs, lists, block quotes and tables; never in code spans, fenced or
indented code, or HTML comments. A `$$` display ends at a blank line, as a paragraph does, so one left
open is reported where it opens instead of hiding the rest of the notes. The plugins' rules scan ahead for a closing delimiter, which is
quadratic in unclosed openers, so each runs behind a guard that knows where the closers are.
"""
from __future__ import annotations

import bisect
import json
import re
from functools import lru_cache
from pathlib import Path

from markdown_it import MarkdownIt
from mdit_py_plugins.amsmath import amsmath_block, amsmath_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.dollarmath.index import (
    is_escaped,
    math_block_dollar,
    math_inline_dollar,
)

from .. import corpus, frontmatter
from ..errors import GradauditError

# the environments a formula is written in; other amsmath blocks (matrices, alignat) are not read as claims
DISPLAY_ENVS = {f"{name}{star}" for name in ("equation", "align", "gather", "multline", "eqnarray") for star in ("", "*")}
ENV_OPEN = re.compile(r"\\begin\{(equation|align|gather|multline|eqnarray)(\*?)\}")
ALT = {"alt": ["paragraph", "reference", "blockquote", "list", "footnote_def"]}
RAW_HTML_SKIPPED = ("<!--", "<pre", "<script", "<style", "<textarea", "<?", "<!")   # MathJax skips these too


@lru_cache(maxsize=1)
def parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True}).enable("table")
    md.use(dollarmath_plugin, allow_labels=False, allow_space=True, allow_digits=True, allow_blank_lines=False,
           double_inline=True)
    md.use(amsmath_plugin)
    md.block.ruler.at("math_block", _dollar_block(math_block_dollar(False, None, False)), ALT)
    md.block.ruler.at("amsmath", _amsmath_guarded, ALT)
    md.block.ruler.before("math_block", "bracket_block", _bracket_block, ALT)
    md.inline.ruler.at("math_inline", _dollar_inline(math_inline_dollar(True, True, True)))
    md.inline.ruler.before("math_inline", "latex_inline", _latex_inline)
    return md


# ---- guards: a block opener fails at once when no line after it can close it ---------------------------------

def _closing_lines(state, closer: str) -> list[int]:
    """Numbers of the lines whose text ends with `closer`, computed once per document and closer."""
    cache = state.env.setdefault("_gradaudit_closers", {})
    if closer not in cache:
        cache[closer] = [n for n in range(state.lineMax)
                         if state.src[state.bMarks[n]:state.eMarks[n]].rstrip().endswith(closer)]
    return cache[closer]


def _can_close(state, start: int, end: int, closer: str, same_line: bool = True) -> bool:
    lines = _closing_lines(state, closer)
    k = bisect.bisect_left(lines, start if same_line else start + 1)
    return k < len(lines) and lines[k] < end


def _dollar_block(rule):
    def guarded(state, start, end, silent):
        opener = state.src[state.bMarks[start] + state.tShift[start]:state.eMarks[start]].strip()
        if not _can_close(state, start, end, "$$", same_line=len(opener) > 3):
            return False
        count, line = len(state.tokens), state.line
        found = rule(state, start, end, silent)
        if silent:   # the plugin's rule pushes its token even when only asked whether a paragraph ends here
            del state.tokens[count:]
            state.line = line
        return found
    return guarded


def _amsmath_guarded(state, start, end, silent):
    first = state.src[state.bMarks[start] + state.tShift[start]:state.eMarks[start]]
    m = ENV_OPEN.match(first)
    if not m:   # matrices and alignat at the top level are not claims: left to the paragraph they are in
        return False
    return _can_close(state, start, end, f"\\end{{{m.group(1)}{m.group(2)}}}") and amsmath_block(state, start, end, silent)


def _bracket_block(state, start, end, silent):
    """`\\[ ... \\]` on lines of its own, as Jupyter and MathJax read it (Markdown alone reads `\\[` as `[`)."""
    if state.sCount[start] - state.blkIndent >= 4:
        return False
    begin = state.bMarks[start] + state.tShift[start]
    if not state.src.startswith("\\[", begin):
        return False
    line_text = state.src[begin + 2:state.eMarks[start]].rstrip()
    if line_text.endswith("\\]"):
        last = start
    else:
        if "\\]" in line_text or not _can_close(state, start, end, "\\]", same_line=False):
            return False
        lines = _closing_lines(state, "\\]")
        last = lines[bisect.bisect_left(lines, start + 1)]
    if silent:
        return True
    token = state.push("bracket_block", "math", 0)
    token.block = True
    body = state.getLines(start, last + 1, state.sCount[start], False).strip()
    token.content = body[2:-2]
    token.map = [start, last + 1]
    state.line = last + 1
    return True


# ---- inline rules: each records where it starts, so a formula inside a paragraph knows its line --------------

def _dollar_inline(rule):
    def dollar(state, silent):
        pos, count = state.pos, len(state.tokens)
        double = state.src.startswith("$$", pos)
        if double and not is_escaped(state, pos) and _no_closer_after(state, "$$", pos + 2):
            if not silent:   # a $$ never closed would hide every formula after it: reported, not skipped
                state.push("math_unclosed", "", 0).meta["pos"] = pos
            state.pos = pos + 2
            return True
        if not rule(state, silent):
            return False
        for token in state.tokens[count:]:
            token.meta["pos"] = pos
        return True
    return dollar


def _no_closer_after(state, closer: str, pos: int) -> bool:
    """Is there no `closer` from pos on? One search per closer and paragraph: later openers reuse its answer."""
    memo = state.env.setdefault("_gradaudit_inline", {})
    key = (id(state.src), closer)
    src, start, found = memo.get(key, (None, 0, 0))
    if src is not state.src or pos < start or 0 <= found < pos:
        start, found = pos, state.src.find(closer, pos)
        memo[key] = (state.src, start, found)
    return found < 0


def _latex_inline(state, silent):
    """`\\[...\\]` and `\\begin{equation}...\\end{equation}` inside a paragraph: Markdown reads them as text."""
    pos, src = state.pos, state.src
    if src[pos] != "\\":
        return False
    if src.startswith("\\[", pos):
        closer, body_start = "\\]", pos + 2
    else:
        m = ENV_OPEN.match(src, pos)
        if not m:
            return False
        closer, body_start = f"\\end{{{m.group(1)}{m.group(2)}}}", m.end()
    if _no_closer_after(state, closer, body_start):
        return False
    close = src.find(closer, body_start)
    if not silent:
        token = state.push("latex_inline", "math", 0)
        token.content = src[body_start:close]
        token.meta["pos"] = pos
    state.pos = close + len(closer)
    return True


# ---- the formulas of a document ------------------------------------------------------------------------------

def find_math(text: str, first_line: int = 1, inline: bool = False):
    """(line, latex) of each formula of a Markdown text, in order; `inline` adds `$a = b$` equalities."""
    md = parser()
    env: dict = {}
    for token in md.parse(text, env):
        if token.type in ("math_block", "bracket_block"):
            yield first_line + token.map[0], token.content.strip()
        elif token.type == "amsmath":
            name = token.meta["environment"] + token.meta["numbered"]
            if name in DISPLAY_ENVS:
                body = token.content.strip()
                yield first_line + token.map[0], body[len(f"\\begin{{{name}}}"):-len(f"\\end{{{name}}}")].strip()
        elif token.type == "html_block" and not token.content.lstrip().lower().startswith(RAW_HTML_SKIPPED):
            # a <div> or <details> block is raw text to Markdown, but MathJax shows the math in it
            for inner in md.parseInline(token.content, env):
                yield from _inline_math(inner, first_line + token.map[0], inline)
        elif token.type == "inline":
            yield from _inline_math(token, first_line + token.map[0], inline)


def _inline_math(token, line: int, inline: bool):
    counted = 0
    for child in token.children or ():
        if "pos" not in child.meta:
            continue
        line += token.content.count("\n", counted, child.meta["pos"])   # counted on: linear in the paragraph
        counted = child.meta["pos"]
        if child.type == "math_unclosed":
            raise GradauditError("a $$ display is opened here and never closed", line=line)
        if child.type in ("math_inline_double", "latex_inline") or inline and child.type == "math_inline" and "=" in child.content:
            yield line, child.content.strip()


def load_markdown(path: Path, text: str | None = None, cell_lines=None, inline: bool = False,
                  cells: list | None = None) -> corpus.Document:
    """A notes file; a notebook passes its Markdown cells joined (`cells`: where each starts), each read alone."""
    text = corpus._read_text(path) if text is None else text
    header = frontmatter.split(text)
    if header is None:
        raise GradauditError("no front matter: start the file with ---, a line 'architecture: ID', and ---",
                             file=str(path), line=1)
    block, first, start = header
    options, lines = frontmatter.parse(block, first, path, known=corpus.NOTES_KEYS)
    section = corpus._notes_section(options, lines, path)
    bounds = [0, len(text) + 1] if cells is None else cells + [len(text) + 1]
    pieces = [(max(a, start), b - 1) for a, b in zip(bounds, bounds[1:]) if b - 1 > start]
    number, counted, line_of_a = 0, 0, 1
    try:
        for a, b in pieces:
            line_of_a += text.count("\n", counted, a)   # counted on from the last cell: linear in the cells
            counted = a
            for line, latex in find_math(text[a:b], line_of_a, inline):
                corpus._check_count(number, path, line)
                number += 1
                where = f"line {line}" if cell_lines is None else "cell {}, line {}".format(*cell_lines[line - 1])
                section.formulas.append(corpus.Formula(id=f"f{number}", latex=latex, file=str(path), line=line,
                                                       locator=where))
    except GradauditError as exc:
        if exc.file is None:
            exc.file = str(path)
        raise
    except RecursionError:   # markdown-it bounds its nesting; this is the net under it
        raise GradauditError("Markdown nested too deeply", file=str(path), line=first) from None
    return corpus.Document(path=str(path), document=path.name, title=options.get("title", path.stem),
                           sections=[section])


def notebook_markdown(path: Path, text: str) -> tuple[str, list, list]:
    """The Markdown cells of a notebook joined into one text, (cell, line) of each of its lines, and the
    offset where each cell starts (Jupyter renders each cell alone: a fence left open ends with its cell)."""
    try:
        nb = json.loads(text)
    except json.JSONDecodeError as exc:
        raise GradauditError(f"not a notebook (invalid JSON: {exc.msg})", file=str(path), line=exc.lineno) from None
    except RecursionError:
        raise GradauditError("not a notebook (JSON nested too deeply)", file=str(path), line=1) from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise GradauditError("not a notebook (no cells)", file=str(path), line=1)
    texts, cell_lines, starts, offset = [], [], [], 0
    for number, cell in enumerate(nb["cells"], start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "markdown":
            continue
        source = cell.get("source", "")
        if isinstance(source, list) and not all(isinstance(piece, str) for piece in source):
            raise GradauditError(f"not a notebook (cell {number}'s source is not text)", file=str(path), line=1)
        cell_text = "".join(source) if isinstance(source, list) else str(source)
        cell_text = cell_text.replace("\r\n", "\n").replace("\r", "\n")
        texts.append(cell_text)
        starts.append(offset)
        offset += len(cell_text) + 1
        cell_lines += [(number, k) for k in range(1, cell_text.count("\n") + 2)]   # the report says cell and line
    return "\n".join(texts), cell_lines, starts


def load_notebook(path: Path, inline: bool = False) -> corpus.Document:
    text, cell_lines, starts = notebook_markdown(path, corpus._read_text(path))
    return load_markdown(path, text, cell_lines=cell_lines, inline=inline, cells=starts)
