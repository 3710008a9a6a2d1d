"""A formula's tokens cut into the lines the grammar parses, one per displayed equation.

The display's delimiters and equation tags are stripped first (strip_display), and an algorithm's
control lines (`for l = L down to 1:`) are told apart (control_text). A line ends at a top-level \\\\
or \\newline, at \\quad between complete equations, and at \\text{where ...} followed by more
mathematics; trailing \\text remarks and side conditions
(`for l < L`) become the line's annotation, and brackets a reader would close are closed here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from lark import Token

from ..errors import NotationError
from .tokens import CLOSERS, OPENERS, _before_text

_TAG_RE = re.compile(r"\\tag\*?\s*\{[^{}]*\}")
_EQNUM_RE = re.compile(r"(?:\\q?quad|\\hspace\*?\s*\{[^{}]*\}|\\[ ,;]|~)+\s*\(\s*\d+[a-z]?(?:\s*,\s*\d+)*\s*\)\s*$")
_CONTROL_RE = re.compile(r"^(for|if|while|repeat|until|end)\b.*:?$")
_SPACE_MACRO_RE = re.compile(r"\\(?:[ ,;:!]|q?quad\b|hspace\*?\s*\{[^{}]*\})|~")


def strip_display(text: str) -> str:
    """Remove $$ / $ / \\[ \\] delimiters and equation tags (\\tag{..}, a trailing \\quad (12))."""
    s = text.strip()
    for left, right in (("$$", "$$"), ("\\[", "\\]"), ("\\(", "\\)"), ("$", "$")):
        if s.startswith(left) and s.endswith(right) and len(s) >= len(left) + len(right):
            s = s[len(left):len(s) - len(right)].strip()
            break
    s = _TAG_RE.sub(" ", s)
    s = _EQNUM_RE.sub("", s).strip()
    s = re.sub(r"(?:\\q?quad|\\[ ,;]|~|\s)*$", "", s)
    # the sentence's full stop or comma after a display formula (not the dots of an ellipsis)
    s = re.sub(r"(?<![.\\])[.,;]\s*$", "", s)
    s = re.sub(r"(?:\\q?quad|\\[ ,;]|~|\s)*$", "", s)
    return s


def control_text(s: str) -> str | None:
    """'for \\ l = 2 \\ up \\ to \\ L:' -> 'for l = 2 up to L:' (an algorithm line), else None."""
    plain = " ".join(_SPACE_MACRO_RE.sub(" ", s).split())
    if _CONTROL_RE.match(plain) and plain.endswith(":") and "\\" not in plain:
        return plain
    return None


@dataclass
class Line:
    tokens: list
    annotation: str = ""          # trailing \text{...} remark
    where: bool = False           # the line followed \text{where ...}
    notes: list = field(default_factory=list)


REL_CHAIN = {"=", ":=", "->", "in"}


def split_lines(tokens: list[Token]) -> list[Line]:
    """Cut the token list into lines; trailing \\text remarks become annotations."""
    lines: list[Line] = []
    cur: list[Token] = []
    where = False

    def flush():
        nonlocal cur, where
        cur, condition = _side_condition(cur)
        lines.extend(_split_quads(cur, where))
        if condition and lines:
            lines[-1].annotation = condition   # kept with the line, never read as a relation
        cur, where = [], False

    for tok in _unbracket_where(tokens):
        if tok.type == "LINESEP":
            flush()
        elif tok.type == "WHERE":
            flush()
            where = True
            cur.append(Token("TEXT", tok.value, start_pos=tok.start_pos))
        else:
            cur.append(tok)
    flush()
    out = []
    for line in lines:
        toks = line.tokens
        head = "where"
        if line.where and toks and toks[0].type == "TEXT" and toks[0].value.lower().startswith("where"):
            head = toks[0].value.strip()
            toks = toks[1:]
            if not [t for t in toks if t.type not in ("TEXT", "QUAD")] and out:
                # '\text{where ...}' with no mathematics after it: a remark on the line before
                out[-1].annotation = (out[-1].annotation + " " + head).strip()
                continue
            line.where = bool(toks)
            if not toks:
                continue
        trailing = []
        while toks and toks[-1].type in ("TEXT", "QUAD"):
            t = toks.pop()
            if t.type == "TEXT":
                trailing.insert(0, t.value)
        line.tokens = [t for t in toks if t.type != "QUAD"]
        line.annotation = " ".join(trailing + ([line.annotation] if line.annotation else []))
        if line.where:
            line.annotation = (head + " " + line.annotation).strip()
        heading = []
        while len(line.tokens) > 1 and line.tokens[0].type == "TEXT" \
                and any(t.type == "REL" for t in _top(line.tokens[1:])):
            heading.append(line.tokens.pop(0).value.strip())    # '\text{Forward: } Z = ...': a heading, not a factor
        if heading:
            line.annotation = " ".join(heading + ([line.annotation] if line.annotation else []))
        if line.tokens and line.tokens[0].type == "THEREFORE":
            line.tokens = line.tokens[1:]   # "hence": proper LaTeX, not a repair, so no note
        if any(t.type == "THEREFORE" for t in line.tokens):
            raise NotationError("\\therefore inside a formula is not supported")
        if line.tokens or line.annotation:
            if out and line.tokens and line.tokens[0].type in ("PLUS", "MINUS", "MULOP") and out[-1].tokens \
                    and not line.where:
                # '&- \\frac{1}{m} ...' after a line break goes on with the expression above it
                out[-1].tokens = out[-1].tokens + line.tokens
                out[-1].notes += line.notes
                out[-1].annotation = " ".join(a for a in (out[-1].annotation, line.annotation) if a)
                continue
            out.append(line)
    return out


CONDITION_WORDS = ("for", "if", "when", "whenever", "with", "provided", "as")


def _side_condition(toks: list[Token]):
    """'A = relu(Z) \\text{ for } l < L': a top-level \\text word that opens a side condition after an
    equation ends the equation; the condition is a remark, not a relation to check. (Inside cases the
    same words are IF tokens, so a piecewise definition is untouched.)"""
    depth, seen_relation = 0, False
    for i, t in enumerate(toks):
        if t.type in OPENERS:
            depth += 1
        elif t.type in CLOSERS:
            depth -= 1
        elif depth == 0 and t.type == "REL":
            seen_relation = True
        elif depth == 0 and t.type == "TEXT" and seen_relation and i + 1 < len(toks):
            words = t.value.strip().lstrip(",;:. ").split()
            if words and words[0].lower().strip(",") in CONDITION_WORDS:
                rest = [u for u in toks[i + 1:] if u.type != "QUAD"]
                if any(u.type == "REL" for u in rest):
                    kept = toks[:i]
                    while kept and kept[-1].type in ("QUAD", "PUNCT", "COMMA"):
                        kept.pop()
                    latex = {"<=": "\\le", ">=": "\\ge", "!=": "\\neq", "->": "\\to"}
                    return kept, " ".join([t.value.strip().lstrip(",;:. ")] + [latex.get(u.value, u.value) if u.type == "REL"
                                                              else u.value for u in rest])
    return toks, ""


def _unbracket_where(tokens: list[Token]) -> list[Token]:
    """'a = b \\qquad (\\text{where} \\quad c = d)': a 'where' remark in brackets is the same remark without
    them (the brackets dropped when their ')' closes the line)."""
    out = list(tokens)
    for k, tok in enumerate(tokens):
        if tok.type != "LPAR":
            continue
        j = k + 1
        while j < len(tokens) and tokens[j].type == "QUAD":
            j += 1
        if j >= len(tokens) or tokens[j].type != "WHERE":
            continue
        depth = 0
        for e in range(k, len(tokens)):
            if tokens[e].type == "LINESEP":
                break
            depth += (tokens[e].type in OPENERS) - (tokens[e].type in CLOSERS)
            if depth == 0:
                if all(t.type in ("QUAD", "TEXT") for t in tokens[e + 1:_line_end(tokens, e)]):
                    out[k] = out[e] = None
                break
    return [t for t in out if t is not None]


def _line_end(tokens: list[Token], k: int) -> int:
    while k < len(tokens) and tokens[k].type != "LINESEP":
        k += 1
    return k


def _split_quads(toks: list[Token], where: bool) -> list[Line]:
    """'a = b \\quad c = d': a \\quad between two complete equations separates two statements."""
    parts, cur = [], []
    for t in toks:
        if t.type == "QUAD":
            parts.append(cur)
            cur = []
        else:
            cur.append(t)
    parts.append(cur)
    # '\\quad \\text{and} \\quad' or '\\quad,' between two equations only joins them
    parts = [p for p in parts if p and not all(t.type in ("TEXT", "COMMA") for t in p)]
    if len(parts) > 1 and all(any(t.type == "REL" and t.value in REL_CHAIN for t in _top(p)) for p in parts):
        trimmed = [p[:-1] if p[-1].type == "COMMA" else p for p in parts]   # 'z = Wx, \\quad a = g(z)'
        return [Line(p, where=where and k == 0) for k, p in enumerate(trimmed)]
    return [Line([t for t in toks], where=where)]


def _after(text: str, tok: Token) -> str:
    if not text or tok.start_pos is None:
        return ""
    return f" after '{_before_text(text, tok.start_pos)}'" if tok.start_pos else " at the start"


def _top(tokens: list[Token]):
    """Tokens at nesting depth 0."""
    depth = 0
    for t in tokens:
        if t.type in OPENERS:
            depth += 1
        elif t.type in CLOSERS:
            depth -= 1
        elif depth == 0:
            yield t


def repair_parens(line: Line, text: str = "") -> None:
    """Close a '(' still open at a top-level relation just before it (and drop the ')' that then
    has nothing to close), or at the end of the line. Each repair adds a note."""
    toks = line.tokens
    out: list[Token] = []
    frames: list[list] = [[]]        # per brace/env level: the open '(' tokens
    kinds: list[str] = ["top"]
    pending = 0
    previous = None
    for t in toks:
        ty = t.type
        guarded = ty == "LPAR" and previous is not None and previous.type == "INDIC"   # \mathbb{1}(j = k)
        previous = t
        if guarded or ty in ("LBRACE", "BCASES", "BMATRIX", "LBRACK", "LCURLY"):
            frames.append([])
            kinds.append("INDIC(" if guarded else ty)
        elif ty == "RPAR" and kinds[-1] == "INDIC(" and not frames[-1]:
            frames.pop()
            kinds.pop()
        elif ty in ("RBRACE", "ECASES", "EMATRIX", "RBRACK", "RCURLY"):
            if len(frames) == 1:
                raise NotationError(f"unbalanced '{t.value}'{_after(text, t)}: it closes nothing")
            if frames[-1]:
                raise NotationError(f"the '('{_after(text, frames[-1][-1])} is never closed before '{t.value}'")
            frames.pop()
            kinds.pop()
        elif ty == "LPAR":
            frames[-1].append(t)
        elif ty == "RPAR":
            if frames[-1]:
                frames[-1].pop()
            elif len(frames) == 1 and pending:
                pending -= 1
                line.notes.append(f"the ')' at position {t.start_pos} was dropped: its '(' was closed at the relation before it")
                continue
            else:
                raise NotationError(f"unbalanced ')'{_after(text, t)}: it closes no '('")
        elif ty == "REL" and t.value in REL_CHAIN and len(frames) == 1 and frames[0]:
            for o in reversed(frames[0]):
                out.append(Token("RPAR", ")", start_pos=t.start_pos))
                line.notes.append(f"the '(' at position {o.start_pos} was still open at '{t.value}' and is closed there")
            pending += len(frames[0])
            frames[0] = []
        out.append(t)
    if len(frames) > 1:
        raise NotationError("unbalanced brackets: something opened is never closed")
    for o in reversed(frames[0]):
        out.append(Token("RPAR", ")", start_pos=o.start_pos))
        line.notes.append(f"the '(' at position {o.start_pos} is never closed; closed at the end of the line")
    line.tokens = out
