"""LaTeX sources (`paper.tex`): every display formula, its `\\label` as its id, its line as its locator.

The structure is read by pylatexenc's LatexWalker, which already knows comments, verbatim
environments, math modes and the arguments of `\\newcommand`, so `%` and `\\%`, `$$` in a listing and
`\\[` in a comment are handled as TeX does. Macros the file defines are expanded by `macros.py`.
`\\input` and `\\include` are never followed: the report names them in a note.
"""
from __future__ import annotations

import bisect
import re
import textwrap
from functools import lru_cache
from pathlib import Path

from pylatexenc.latexwalker import (
    LatexCommentNode,
    LatexEnvironmentNode,
    LatexGroupNode,
    LatexMacroNode,
    LatexMathNode,
    LatexWalker,
    get_default_latex_context_db,
)
from pylatexenc.macrospec import EnvironmentSpec, VerbatimArgsParser

from .. import corpus, frontmatter
from ..errors import GradauditError
from .macros import Macro, expand

HEADER = re.compile(r"^[ \t]*%+[ \t]*gradaudit:[ \t]*$", re.MULTILINE)
DISPLAY_ENVS = {f"{name}{star}" for name in ("equation", "align", "gather", "multline", "eqnarray") for star in ("", "*")}
DEFINE = {"newcommand", "renewcommand", "providecommand"}
NOT_FOLLOWED = {"input", "include", "subfile"}
DROPPED = {"label", "nonumber", "notag", "tag"}     # numbering, not mathematics
MAX_DEPTH = 200                                     # nesting of groups and environments the walker follows


@lru_cache(maxsize=1)
def _context():
    db = get_default_latex_context_db()
    quoted = ("lstlisting", "minted", "comment", "Verbatim")
    db.add_context_category("gradaudit-verbatim", environments=[
        EnvironmentSpec(name, args_parser=VerbatimArgsParser(verbatim_arg_type="verbatim-environment"))
        for name in quoted])
    return db


def header(text: str, path: Path) -> tuple[str | None, int]:
    """The `% gradaudit:` comment block at the top of the file, its comment marks stripped, and its first line
    (None when the file has none)."""
    lines = text.split("\n")
    for number, line in enumerate(lines):
        stripped = line.strip()
        if HEADER.fullmatch(line):
            block = []
            for later in lines[number + 1:]:
                if not later.lstrip().startswith("%"):
                    break
                body = later.lstrip().lstrip("%")
                block.append(body.removeprefix(" "))
            return textwrap.dedent("\n".join(block)), number + 2   # a YAML block may be indented as a whole
        if stripped and not stripped.startswith("%"):
            break
    return None, 1   # no header: the network is inferred from the paper's own forward pass and loss


class _Reader:
    def __init__(self, text: str, path: Path, inline: bool):
        self.text, self.path, self.inline = text, path, inline
        self.newlines = [i for i, c in enumerate(text) if c == "\n"]
        self.macros: dict[str, Macro] = {}
        self.found: list = []     # (line, label, latex)
        self.notes: list = []     # (line, message)

    def line(self, pos: int) -> int:
        return bisect.bisect_left(self.newlines, pos) + 1

    def walk(self, nodes, depth: int = 0) -> None:
        if depth > MAX_DEPTH:
            raise GradauditError(f"groups or environments nested more than {MAX_DEPTH} deep",
                                 file=str(self.path), line=self.line(nodes[0].pos) if nodes else 1)
        nodes = [n for n in nodes if n is not None]
        for k, node in enumerate(nodes):
            if isinstance(node, LatexMacroNode):
                self.macro(node, nodes[k + 1:])
            elif isinstance(node, LatexEnvironmentNode):
                self.check_closed(node, f"\\end{{{node.environmentname}}}", f"\\begin{{{node.environmentname}}}")
                if node.environmentname in DISPLAY_ENVS:
                    self.formula(node, node.nodelist)
                else:
                    self.walk(node.nodelist, depth + 1)
            elif isinstance(node, LatexMathNode):
                closer = {"$$": "$$", "\\[": "\\]", "$": "$", "\\(": "\\)"}[node.delimiters[0]]
                self.check_closed(node, closer, node.delimiters[0])
                if node.displaytype == "display" or self.inline and "=" in _source(node.nodelist):
                    self.formula(node, node.nodelist)
            elif isinstance(node, LatexGroupNode):
                self.walk(node.nodelist, depth + 1)

    def check_closed(self, node, closer: str, opener: str) -> None:
        if not node.latex_verbatim().rstrip().endswith(closer):
            raise GradauditError(f"{opener} is opened here and never closed", file=str(self.path),
                                 line=self.line(node.pos))

    def macro(self, node, following) -> None:
        name, args = node.macroname, node.nodeargd.argnlist if node.nodeargd else []
        if name in DEFINE and len(args) >= 5 and args[1] is not None and args[4] is not None:
            target = _source([args[1]]).strip().strip("{}").strip()
            count = int(_source([args[2]]).strip("[] ") or 0) if args[2] is not None and \
                _source([args[2]]).strip("[] ").isdigit() else 0
            default = _source(args[3].nodelist) if args[3] is not None else None
            if name == "providecommand" and target.lstrip("\\") in self.macros:
                return
            self.define(target, count, default, _group_body(args[4]), node)
        elif name == "def" and following:
            self.define_def(node, following)
        elif name in NOT_FOLLOWED:
            target = _source([args[0]]).strip("{} ") if args and args[0] is not None else "?"
            self.notes.append((self.line(node.pos), f"\\{name}{{{target}}} is not followed: audit {target} on its own"))

    def define(self, target: str, count: int, default, body: str, node) -> None:
        if not re.fullmatch(r"\\[A-Za-z@]+", target):
            self.notes.append((self.line(node.pos), f"\\{node.macroname} of {target[:40]!r} is not read"))
            return
        self.macros[target[1:]] = Macro(count=min(count, 9), default=default, body=body)

    def define_def(self, node, following) -> None:
        """`\\def\\bW{\\mathbf{W}}` and `\\def\\f#1{...}`: pylatexenc reads the name and body as the next nodes."""
        if not following or not isinstance(following[0], LatexMacroNode):
            return
        params = ""
        for later in following[1:]:
            if isinstance(later, LatexGroupNode):
                count = len(re.findall(r"#[1-9]", params))
                if re.fullmatch(r"(?:#[1-9])*", params.replace(" ", "")):
                    self.define("\\" + following[0].macroname, count, None, _group_body(later), node)
                else:   # a delimited parameter text (\def\f(#1){...}) is not expanded
                    self.notes.append((self.line(node.pos), f"\\def\\{following[0].macroname} with delimited "
                                                            "parameters is not expanded"))
                return
            params += later.latex_verbatim()
            if len(params) > 40:
                return

    def formula(self, node, body) -> None:
        labels = [_source(m.nodeargd.argnlist[0].nodelist if isinstance(m.nodeargd.argnlist[0], LatexGroupNode)
                          else [m.nodeargd.argnlist[0]]).strip()
                  for m in body if isinstance(m, LatexMacroNode) and m.macroname == "label"
                  and m.nodeargd and m.nodeargd.argnlist and m.nodeargd.argnlist[0] is not None]
        kept = [n for n in body if not (isinstance(n, LatexMacroNode) and n.macroname in DROPPED)]
        self.found.append((self.line(node.pos), labels, _source(kept).strip()))


def _source(nodes) -> str:
    """The LaTeX of some nodes as written, comments left out (a `%` ends a line's mathematics in TeX)."""
    return "".join(n.latex_verbatim() for n in nodes if n is not None and not isinstance(n, LatexCommentNode))


def _group_body(node) -> str:
    return _source(node.nodelist) if isinstance(node, LatexGroupNode) else _source([node])


def load_latex(path: Path, text: str | None = None, inline: bool = False) -> corpus.Document:
    text = corpus._read_text(path) if text is None else text
    block, first = header(text, path)
    options, lines = ({}, {}) if block is None else frontmatter.parse(block, first, path, known=corpus.NOTES_KEYS,
                                                                      require_network=False)
    declared = "network" in options or "architecture" in options
    formulas = []
    reader = _Reader(text, path, inline)
    try:
        nodes, _, _ = LatexWalker(text, latex_context=_context(), tolerant_parsing=True).get_latex_nodes()
        reader.walk(nodes)
    except RecursionError:
        raise GradauditError("LaTeX nested too deeply (an environment or group never closed?)", file=str(path),
                             line=1) from None
    seen = set()
    for number, (line, labels, latex) in enumerate(reader.found, start=1):
        corpus._check_count(number - 1, path, line)
        fid = labels[0] if labels else f"f{number}"
        fid = corpus._check_id(fid if fid not in seen else f"{fid}#{number}", "formula", path, line)
        seen.add(fid)
        expanded, problem = expand(latex, reader.macros)
        if problem:
            reader.notes.append((line, f"{fid}: {problem}; the formula is audited as written"))
        where = f"line {line}" + (f", labels {', '.join(labels)}" if len(labels) > 1 else "")
        formulas.append(corpus.Formula(id=fid, latex=expanded, file=str(path), line=line, locator=where))
    if declared:
        section = corpus._notes_section(options, lines, path)
        section.formulas = formulas
    elif formulas:
        section = corpus.inferred_section(formulas, options, lines, path)
    else:
        raise corpus.UndeclaredNetwork("no formula and no gradaudit header: nothing to audit", file=str(path), line=1)
    return corpus.Document(path=str(path), document=path.name, title=options.get("title", path.stem),
                           sections=[section], notes=sorted(reader.notes))
