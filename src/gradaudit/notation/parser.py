"""parse(latex) -> Parsed: the one entry point of the notation parser.

Pipeline: strip display delimiters and tags -> algorithm lines become Control -> tokenize
(tokens.py) -> cut into lines -> repair unbalanced '(' (with a note) -> LALR parse of each line
with grammar.lark, building a raw tree inline (raw.py) -> the syntax tree (build.py) -> lines
joined into Statements (a line opening with '=' continues the chain before it).

Only NotationError ever leaves parse(): any other failure is converted, with the reason.
"""
from __future__ import annotations

import hashlib
import os
import sys
from functools import lru_cache
from importlib import resources
from pathlib import Path

import lark
from lark import Lark, Token
from lark.exceptions import LarkError, UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError
from lark.lexer import Lexer

from ..errors import NotationError
from . import tree
from .ast import Control, Parsed, Statement, Text
from .build import Builder
from .raw import RawBuilder
from .lines import _top, control_text, repair_parens, split_lines, strip_display
from .tokens import MAX_CHARS, _before_text, tokenize

__all__ = ["parse", "NotationError"]


class _TokenListLexer(Lexer):
    """The tokens are made by tokens.py; Lark only has to take them in order."""

    def __init__(self, lexer_conf):
        pass

    def lex(self, data):
        return iter(data)


@lru_cache(maxsize=1)
def _lark() -> Lark:
    grammar = resources.files(__package__).joinpath("grammar.lark").read_text(encoding="utf-8")
    return Lark(grammar, parser="lalr", lexer=_TokenListLexer, transformer=RawBuilder(), cache=_cache_file(grammar))


def _cache_file(grammar: str):
    """Lark's table cache in the user's own cache folder (not the shared /tmp, where anyone could plant a pickle),
    keyed by the grammar and Lark's version; False (build each time, ~0.3 s) when there is no such folder."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "gradaudit"
    try:
        base.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError:
        return False
    key = hashlib.sha256(f"{lark.__version__}\n{grammar}".encode()).hexdigest()[:16]
    return str(base / f"lark-{key}.pickle")


def warm_parser() -> None:
    """Build (or load from Lark's cache) the LALR tables now, so no formula's time budget pays for them."""
    _lark()


def parse(latex) -> Parsed:
    """Read one formula's LaTeX. Raises NotationError (and nothing else) when it cannot."""
    if isinstance(latex, bytes):
        raise NotationError("the formula must be text (str), not bytes")
    if not isinstance(latex, str):
        raise NotationError(f"the formula must be text (str), not {type(latex).__name__}")
    if len(latex) > MAX_CHARS:
        raise NotationError(f"formula too long: {len(latex)} characters (at most {MAX_CHARS})")
    limit = sys.getrecursionlimit()
    try:
        sys.setrecursionlimit(max(limit, _RECURSION))     # 200 nested brackets need ~1600 frames
        return _parse(latex)
    except NotationError:
        raise
    except RecursionError:
        raise NotationError("formula nested too deeply to read") from None
    except VisitError as e:
        if isinstance(e.orig_exc, NotationError):
            raise e.orig_exc from None
        raise NotationError(f"cannot read the formula: {e.orig_exc}") from None
    except UnexpectedToken as e:
        raise NotationError(_unexpected(e.token, e.expected)) from None
    except UnexpectedEOF as e:
        raise NotationError(f"the formula ends too early (expected one of: {_names(e.expected)})") from None
    except (UnexpectedInput, LarkError) as e:
        raise NotationError(f"cannot read the formula: {str(e).splitlines()[0]}") from None
    except Exception as e:       # the contract: nothing but NotationError leaves parse()
        raise NotationError(f"cannot read the formula ({type(e).__name__}: {e})") from None
    finally:
        sys.setrecursionlimit(limit)


_RECURSION = 6000


_TOKEN_NAMES = {
    "REL": "a relation", "RPAR": "')'", "LPAR": "'('", "RBRACE": "'}'", "LBRACE": "'{'", "RBRACK": "']'",
    "LBRACK": "'['", "COMMA": "','", "AMP": "'&'", "CARET": "'^'", "UNDERSCORE": "'_'", "$END": "the end",
    "ROWSEP": "'\\\\'", "PRIME": "a prime", "TEXT": "\\text", "OR": "\\text{or}", "LETTER": "a name",
    "NUM": "a number", "DSH": "a name", "HAT": "a name", "MCAL": "a name", "FUNC": "a function", "FRAC": "\\frac",
    "SUM": "\\sum", "PARTIAL": "\\partial", "LCURLY": "'\\{'", "RCURLY": "'\\}'", "RNORM": "'\\|'",
    "LNORM": "'\\|'", "IF": "\\text{if}",
}


def _names(expected) -> str:
    """The tokens that would fit, in words, the bracket and script tokens first (they say most)."""
    words = sorted({_TOKEN_NAMES[x] for x in expected if x in _TOKEN_NAMES})
    return ", ".join(words[:6]) if words else "something else"


def _unexpected(tok: Token, expected, text: str = "") -> str:
    """A sentence about the formula: what stops the reading, after which text, and what would fit there."""
    what = "the end of the line" if tok.type == "$END" else repr(tok.value)
    pos = getattr(tok, "start_pos", None)
    if text and pos is not None and tok.type != "$END":
        where = f" after '{_before_text(text, pos)}'" if pos else " at the start"
    else:
        where = ""
    return f"unexpected {what}{where}; the notation allows one of {_names(expected)} there"


def _parse(latex: str) -> Parsed:
    body = strip_display(latex)
    if not body:
        raise NotationError("empty formula")
    control = control_text(body)
    if control is not None:
        return Parsed((Control(control),), latex=latex)
    joiner = _Joiner()
    repairs: list[str] = []
    tokens = tokenize(body, repairs)
    joiner.extra_notes += repairs
    for line in split_lines(tokens):
        if line.tokens and all(t.type == "DOTS" for t in line.tokens):
            joiner.skipped("a line holding only dots (rows left out) was skipped")
            continue
        if not line.tokens:
            joiner.annotate(line.annotation)
            continue
        bookkeeping = _shape_bookkeeping(line, tokens.text)
        if bookkeeping is not None:
            joiner.add("", list(bookkeeping), ["="], "", line, [])
            continue
        repair_parens(line, tokens.text)
        try:
            raw = _lark().parse(line.tokens)
        except UnexpectedToken as e:
            raise NotationError(_unexpected(e.token, e.expected, tokens.text)) from None
        if raw.trail == ":" and raw.steps:
            raw.trail = ""                # 'dZ^{[L]} = A^{[L]} - Y:' a colon that ends the line is punctuation
        if ":" in (raw.lead, raw.trail):
            raise NotationError("a ':' with no shape after it (A : (n, m) is a shape annotation)")
        builder = Builder()
        steps, rels = builder.chain(raw.steps, raw.rels)
        joiner.add(raw.lead, steps, rels, raw.trail, line, builder.notes)
    statements = joiner.finish()
    if not statements:
        raise NotationError("no mathematics in the formula")
    depth = max(_depth(s) for s in statements)
    if depth > MAX_TREE_DEPTH:
        raise NotationError(f"formula nested too deeply: its tree is {depth} levels deep (at most {MAX_TREE_DEPTH})")
    notes = tuple(n for s in statements for n in s.notes) + tuple(joiner.extra_notes)
    return Parsed(tuple(statements), latex=latex, notes=notes)


MAX_TREE_DEPTH = 250

# a line headed 'Dimension:' or 'Shape:' (in math italics, as \text{Shape:} would be) is about sizes
SHAPE_WORDS = {"dimension", "dimensions", "dim", "dims", "shape", "shapes", "size", "sizes"}


def _shape_bookkeeping(line, text: str):
    """'Dimension: \\frac{n^{[l]}}{m} = \\frac{n^{[l]}}{n^{[l-1]}} \\frac{n^{[l-1]}}{m}': a line that its own label says
    states sizes, in a notation of its own (rows over columns), is no equation between values: two Text steps, so
    the line keeps its place among the display's claims and is reported unsupported, saying why. A shape claim
    after the label (Shape: W : (n, m)) is read as one: the label is dropped."""
    toks = line.tokens
    k = next((n for n, t in enumerate(toks) if t.type == "REL" and t.value == ":"), None)
    if k is None or k == 0 or any(t.type not in ("LETTER", "DSH") for t in toks[:k]):
        return None
    word = text[toks[0].start_pos:toks[k].start_pos].strip()
    if not word.isalpha() or word.lower() not in SHAPE_WORDS:
        return None
    rest = toks[k + 1:]
    if any(t.type == "REL" and t.value in (":", "in") for t in _top(rest)):
        line.tokens = rest
        line.annotation = (word + ": " + line.annotation).strip()
        return None
    begin = toks[k + 1].start_pos if rest else len(text)
    stop = text.find("\\\\", begin)
    said = text[begin:stop if stop >= 0 else len(text)]
    reason = (f"a line labelled '{word}:' states sizes, not values: not a claim gradaudit checks "
              "(a shape is checked when written A : (n, m) or A \\in \\mathbb{R}^{n \\times m})")
    return Text(word, reason), Text(" ".join(said.replace("&", " ").split()), reason)


def _depth(statement) -> int:
    """Depth of a statement's trees, without recursion, so that printing and comparing them stay safe."""
    return 1 + max((tree.depth(step) for step in getattr(statement, "steps", ())), default=0)


class _Joiner:
    """Lines -> Statements: a line that opens with a relation (or follows one that ends with
    a relation) continues the chain; \\text{where} starts a new statement."""

    def __init__(self):
        self.done: list[Statement] = []
        self.cur: dict | None = None
        self.dangling = ""
        self.extra_notes: list[str] = []

    def skipped(self, note: str):
        self.extra_notes.append(note)

    def annotate(self, text: str):
        if not text:
            return
        if self.cur is None:
            raise NotationError(f"a remark (\\text{{{text}}}) with no mathematics before it")
        self.cur["annotation"] = (self.cur["annotation"] + " " + text).strip()

    def add(self, lead, steps, rels, trail, line, notes):
        if not steps:                                   # a line that is only '='
            if self.dangling:
                raise NotationError(f"two relations in a row ('{self.dangling}' then '{lead}')")
            self.dangling = lead
            if self.cur is None:
                self.cur = _new(lead)
                self.cur["lead_pending"] = True
            self.cur["notes"] += list(line.notes) + list(notes)
            return
        if lead and self.dangling:
            raise NotationError(f"two relations in a row ('{self.dangling}' then '{lead}')")
        connect = lead or self.dangling
        if line.where or not connect:
            self.flush()
            self.cur = _new("")
            self.cur["steps"] = list(steps)
            self.cur["rels"] = list(rels)
        elif self.cur is None:
            self.cur = _new(connect)
            self.cur["steps"] = list(steps)
            self.cur["rels"] = list(rels)
        elif self.cur.get("lead_pending"):
            self.cur["steps"] = list(steps)
            self.cur["rels"] = list(rels)
            self.cur["lead_pending"] = False
        else:
            self.cur["steps"] += steps
            self.cur["rels"] += [connect] + list(rels)
        self.dangling = trail
        self.cur["notes"] += list(line.notes) + list(notes)
        self.annotate(line.annotation)

    def flush(self):
        if self.cur is not None and self.cur["steps"]:
            c = self.cur
            self.done.append(Statement(tuple(c["steps"]), tuple(c["rels"]), c["annotation"],
                                       opens_with=c["opens_with"], notes=tuple(c["notes"])))
        self.cur = None

    def finish(self) -> list[Statement]:
        if self.dangling:
            raise NotationError(f"the formula ends with '{self.dangling}' and nothing after it")
        self.flush()
        return self.done


def _new(opens_with: str) -> dict:
    return {"steps": [], "rels": [], "annotation": "", "opens_with": opens_with, "notes": []}
