"""Markdown notes and notebooks, read by a Markdown parser (markdown-it-py with mdit-py-plugins).

What is math is what a Markdown renderer with MathJax shows as math: `$$...$$`, `\\[...\\]` and the
equation environments, in paragraphs, lists, block quotes and tables; never in code spans, fenced or
indented code, or HTML comments. A `$$` display ends at a blank line, as a paragraph does, so one left
open is reported where it opens instead of hiding the rest of the notes; only where the LaTeX itself is still
open at the blank line (an environment begun, a brace group unclosed) does the display go on to its `$$`, as
renderers that read the math before the Markdown (Jupyter, Typora, MathJax on the page's text) show it. The plugins' rules scan ahead for a closing delimiter, which is
quadratic in unclosed openers, so each runs behind a guard that knows where the closers are.
"""
from __future__ import annotations

import bisect
import re
import textwrap
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

from .. import corpus, frontmatter, infer
from ..errors import GradauditError
from ..notation.words import reading_words, words_in

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
    md.block.ruler.at("math_block", _dollar_block(math_block_dollar(False, None, False),
                                                  math_block_dollar(False, None, True)), ALT)
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


def _dollar_block(rule, across_blank_lines):
    def guarded(state, start, end, silent):
        opener = state.src[state.bMarks[start] + state.tShift[start]:state.eMarks[start]].strip()
        if not _can_close(state, start, end, "$$", same_line=len(opener) > 3):
            return False
        count, line = len(state.tokens), state.line
        found = rule(state, start, end, silent)
        if not found and opener.startswith("$$") and state.sCount[start] - state.blkIndent < 4:
            closer = _open_across_blank_lines(state, start, end)
            found = closer is not None and across_blank_lines(state, start, closer + 1, silent)
        if silent:   # the plugin's rule pushes its token even when only asked whether a paragraph ends here
            del state.tokens[count:]
            state.line = line
        return found
    return guarded


LATEX_GROUP = re.compile(r"\\(begin|end)(?![A-Za-z])|(?<!\\)([{}])")
LENIENT_DISPLAY_LINES = 200   # a display longer than this is not a formula: the scan per opener stays bounded


def _open_across_blank_lines(state, start: int, end: int) -> int | None:
    """The line of the `$$` that closes a display opened at `start` whose LaTeX is open at each of its blank lines
    (inside `\\begin{aligned} ... \\end{aligned}`, say), and balanced at its close; None for any other display.
    A blank line where the LaTeX is complete ends the display: that `$$` is left open and reported."""
    depth, blank = 0, False
    for n in range(start, min(end, start + LENIENT_DISPLAY_LINES)):
        text = state.src[state.bMarks[n]:state.eMarks[n]].strip()
        if n == start:
            text = text[2:]
        elif not text:
            if depth <= 0:
                return None
            blank = True
            continue
        closes = n > start and text.endswith("$$")
        if closes:
            text = text[:-2]
        depth += sum(1 if m.group() in ("\\begin", "{") else -1 for m in LATEX_GROUP.finditer(text))
        if closes:
            return n if blank and depth == 0 else None
    return None


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
    for kind, line, payload in find_parts(text, first_line, inline):
        if kind == "math":
            yield line, payload


SECTION_HEADER = re.compile(r"\A\s*<!--\s*gradaudit\s*:[ \t]*\n?(.*?)-->\s*\Z", re.S)


def find_parts(text: str, first_line: int = 1, inline: bool = False):
    """The parts of a Markdown text that matter, in order: ('math', line, latex), ('heading', line, (level, title))
    and ('header', line, (yaml, lines from the opener to the yaml)) for a section's own network, written `<!-- gradaudit: ... -->` or as a
    ```gradaudit fenced block."""
    md = parser()
    env: dict = {}
    tokens = md.parse(text, env)
    for k, token in enumerate(tokens):
        if token.type == "heading_open" and k + 1 < len(tokens):
            yield "heading", first_line + token.map[0], (int(token.tag[1:]), tokens[k + 1].content.strip())
        elif token.type == "fence" and token.info.strip().lower() == "gradaudit":
            yield "header", first_line + token.map[0], (token.content, 1)
        elif token.type in ("math_block", "bracket_block"):
            yield "math", first_line + token.map[0], token.content.strip()
        elif token.type == "amsmath":
            name = token.meta["environment"] + token.meta["numbered"]
            if name in DISPLAY_ENVS:
                body = token.content.strip()
                yield "math", first_line + token.map[0], body[len(f"\\begin{{{name}}}"):-len(f"\\end{{{name}}}")].strip()
        elif token.type == "html_block" and SECTION_HEADER.match(token.content):
            block = SECTION_HEADER.match(token.content).group(1)
            starts_on_next = token.content.lstrip().split("\n", 1)[0].strip().endswith(":")
            yield "header", first_line + token.map[0], (block, 1 if starts_on_next else 0)
        elif token.type == "html_block" and not token.content.lstrip().lower().startswith(RAW_HTML_SKIPPED):
            # a <div> or <details> block is raw text to Markdown, but MathJax shows the math in it
            for inner in md.parseInline(token.content, env):
                for line, latex in _inline_math(inner, first_line + token.map[0], inline):
                    yield "math", line, latex
        elif token.type == "inline":
            for line, latex in _inline_math(token, first_line + token.map[0], inline):
                yield "math", line, latex


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
    """A notes file; a notebook passes its Markdown cells joined (`cells`: where each starts), each read alone.

    The front matter's network is the file's; a heading whose section declares its own network
    (`<!-- gradaudit: ... -->` or a ```gradaudit block under it) starts a section audited in that network,
    and so are its sub-headings, until a heading of the same or a higher level. The formulas no declared
    network covers are audited in the network their own forward pass and loss define (corpus.inferred_section).
    """
    text = corpus._read_text(path) if text is None else text
    header = frontmatter.split(text)
    file_options, file_lines, start = None, {}, 0
    if header is not None:
        block, first, start = header
        file_options, file_lines = frontmatter.parse(block, first, path, known=corpus.NOTES_KEYS,
                                                     require_network=False)
    bounds = [0, len(text) + 1] if cell_lines is None or cells is None else cells + [len(text) + 1]
    pieces = [(max(a, start), b - 1) for a, b in zip(bounds, bounds[1:], strict=False) if b - 1 > start]
    sections = _Sections(path, file_options, file_lines)
    number, counted, line_of_a = 0, 0, 1
    try:
        for a, b in pieces:
            line_of_a += text.count("\n", counted, a)   # counted on from the last cell: linear in the cells
            counted = a
            for kind, line, payload in find_parts(text[a:b], line_of_a, inline):
                if kind == "heading":
                    sections.heading(line, *payload)
                elif kind == "header":
                    sections.declare(line, *payload)
                else:
                    corpus._check_count(number, path, line)
                    number += 1
                    where = f"line {line}" if cell_lines is None else "cell {}, line {}".format(*cell_lines[line - 1])
                    heading = f"{sections.title_line}:{sections.title}" if sections.headings else ""
                    sections.add(corpus.Formula(id=f"f{number}", latex=payload, file=str(path), line=line,
                                                locator=where, heading=heading))
    except GradauditError as exc:
        if exc.file is None:
            exc.file = str(path)
        raise
    except RecursionError:   # markdown-it bounds its nesting; this is the net under it
        raise GradauditError("Markdown nested too deeply", file=str(path), line=1) from None
    title = (file_options or {}).get("title", path.stem)
    return corpus.Document(path=str(path), document=path.name, title=title, sections=sections.read_words())


class _Sections:
    """Routes each formula to the section of the nearest enclosing heading that declares a network, else the file's."""

    def __init__(self, path: Path, options, lines):
        self.path = path
        self.options, self.lines = options or {}, lines
        declared = "network" in self.options or "architecture" in self.options
        self.file = corpus._notes_section(options, lines, path) if declared else None
        self.stack = []           # (level, Section or None): the open headings, outermost first
        self.order = []           # every section that gets a formula, in first-use order (None: the inferred one)
        self.undeclared = []      # (formula, headings above it) no declared network covers: their network is inferred
        self.headings = []        # (level, title, line) of the open headings, outermost first
        self.ids = {"notes"}

    def current(self):
        for _, section in reversed(self.stack):
            if section is not None:
                return section
        return self.file

    def heading(self, line: int, level: int, title: str) -> None:
        while self.stack and self.stack[-1][0] >= level:
            self.stack.pop()
            self.headings.pop()
        self.stack.append((level, None))
        self.headings.append((level, title, line))
        self.title, self.title_line = title, line

    def declare(self, line: int, block: str, offset: int) -> None:
        """The block opened at `line`; its YAML starts `offset` lines later."""
        if not self.stack:
            raise GradauditError("a section's gradaudit block belongs under a heading (the file's network goes in "
                                 "the front matter)", file=str(self.path), line=line)
        level, existing = self.stack[-1]
        if existing is not None:
            raise GradauditError("this heading's section already declares its network", file=str(self.path), line=line)
        options, lines = frontmatter.parse(_dedent(block), line + offset, self.path, known=corpus.NOTES_KEYS)
        inherited = {k: v for k, v in self.options.items() if k not in ("network", "architecture")}
        section = corpus._notes_section({**inherited, **options}, {**self.lines, **lines}, self.path)
        section.id = self._unique(_slug(self.title))
        section.heading = self.title
        self.stack[-1] = (level, section)

    def add(self, formula) -> None:
        section = self.current()
        if section is None:
            if not self.undeclared:
                self.order.append(None)
            self.undeclared.append((formula, tuple(self.headings)))
            return
        if not any(s is section for s in self.order):
            self.order.append(section)
        section.formulas.append(formula)

    def read_words(self) -> list:
        """The sections, read knowing the multi-letter names the whole file uses (words.words_in): `loss` is one
        quantity in the forward pass that defines it and in every claim after it."""
        formulas = [f for section in self.order if section is not None for f in section.formulas]
        formulas += [f for f, _ in self.undeclared]
        declared = set(self.options.get("aliases", {})) | {name for section in self.order if section is not None
                                                            for name in section.aliases}
        words = words_in([f.latex for f in formulas], declared)
        with reading_words(words):
            built = self.built()
        for section in built:
            section.words = words | words_in((), section.aliases)
        return built

    def built(self) -> list:
        if not self.order:
            if self.file is None:
                raise corpus.UndeclaredNetwork("no formula and no network: nothing to audit (notes declare their "
                                               "network in front matter, or write their forward pass and loss)",
                                               file=str(self.path), line=1)
            return [self.file]
        read, unread = [], []
        for section in self.order:
            if section is not None:
                # a declared network read in the notes' own names
                (read if corpus.adopt_inferred_names(section) else unread).append(section)
                corpus.read_shorthand(section)
                corpus.read_target_letter(section)
        for section in unread:
            corpus.adopt_document_letters(section, read)
        if self.undeclared:
            at = self.order.index(None)
            self.order[at:at + 1] = self._inferred()
        return self.order

    def _inferred(self) -> list:
        """The sections of the formulas no declared network covers, each in the network it defines: notes that
        move from logistic regression to a two-layer network under their own headings define one network per
        heading (a heading without a forward pass of its own, such as a backward pass, continues the one before).
        When the headings do not split the forward passes cleanly, the whole file defines one network."""
        every = [f for f, _ in self.undeclared]
        groups = _split_by_headings(self.undeclared)
        if len(groups) >= 2:
            sections, failed = [], []
            for title, formulas in groups:
                try:
                    section = corpus.inferred_section(formulas, self.options, self.lines, self.path, context=every)
                except corpus.UndeclaredNetwork as exc:
                    section = corpus.Section(id="", architecture=None, formulas=list(formulas), undetermined=exc.message)
                    failed.append(section)
                section.id, section.heading = self._unique(_slug(title)), title
                sections.append(section)
            if len(failed) < len(sections):
                return sections   # a heading whose network cannot be inferred: its formulas are unsupported, saying why
        try:
            return [corpus.inferred_section(every, self.options, self.lines, self.path)]
        except corpus.UndeclaredNetwork as exc:
            if all(section is None for section in self.order):
                raise   # nothing in the file says what network it derives: exit 2, saying what to declare
            rest = corpus.Section(id=self._unique("undeclared"), architecture=None, formulas=every,
                                  undetermined=exc.message)
            return [rest]   # the headings that declare their networks are audited; these formulas are unsupported

    def _unique(self, base: str) -> str:
        name, k = base, 2
        while name in self.ids:
            name, k = f"{base}-{k}", k + 1
        self.ids.add(name)
        return name


def _split_by_headings(items) -> list:
    """[(title, formulas)]: at the shallowest heading level where two headings each write a layer of a forward
    pass, one group per such heading, with the headings after it that write none; [] if no level splits so."""
    layered = [infer.defines_layer(f) for f, _ in items]
    levels = sorted({level for _, path in items for level, _, _ in path})
    for level in levels:
        keys = [next(((title, line) for lvl, title, line in path if lvl == level), None) for _, path in items]
        starts = {k for k, has in zip(keys, layered, strict=True) if has and k is not None}
        if len(starts) < 2:
            continue
        groups, current = [], None
        for (formula, _), k in zip(items, keys, strict=True):
            if k in starts and (current is None or current[0] != k):
                current = (k, [])
                groups.append(current)
            if current is None:   # formulas before the first forward pass: with the first group
                current = (k or ("notes", 0), [])
                groups.append(current)
            current[1].append(formula)
        merged = []
        for k, formulas in groups:
            if merged and k not in starts:
                merged[-1][1].extend(formulas)
            else:
                merged.append((k, formulas))
        if len(merged) >= 2 and merged[0][0] not in starts:   # a preamble joins the first forward pass
            merged[1] = (merged[1][0], merged[0][1] + merged[1][1])
            merged.pop(0)
        return [(k[0], formulas) for k, formulas in merged]
    return []


def declares_sections(text: str) -> bool:
    """Does some heading of the text declare its own network? Then the front matter need not."""
    return re.search(r"<!--\s*gradaudit\s*:|^\s*(```|~~~)\s*gradaudit\s*$", text, re.M | re.I) is not None


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60] or "section"


def _dedent(block: str) -> str:
    return textwrap.dedent(block)
