"""Expanding the macros a LaTeX file defines (`\\newcommand{\\bW}{\\mathbf{W}}`, `\\def\\dd#1{...}`).

Papers name their notation once and use the name in every formula, so a formula is audited with its
macros replaced by what they stand for. A macro that calls itself, or grows its text at each pass,
would never finish: expansion stops after MAX_PASSES passes or MAX_CHARS characters and says which.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

MAX_PASSES = 32            # each pass replaces every macro once; real notation nests two or three deep
MAX_CHARS = 20_000         # the parser refuses longer formulas anyway
NAME = re.compile(r"\\([A-Za-z@]+)|\\.", re.DOTALL)


@dataclass
class Macro:
    count: int                 # arguments, 0..9
    default: str | None        # the first argument's default: it is then optional, written [..]
    body: str


def expand(latex: str, macros: dict[str, Macro]) -> tuple[str, str]:
    """(the expanded LaTeX, '') or, past a bound, (the LaTeX as written, what went wrong)."""
    if not macros or len(latex) > MAX_CHARS:   # an overlong formula is the parser's to refuse
        return latex, ""
    text = latex
    for _ in range(MAX_PASSES):
        try:
            text, changed = _pass(text, macros)
        except _TooLong:
            return latex, f"its macros expand past {MAX_CHARS} characters"
        if not changed:
            return text, ""
    return latex, f"its macros still expand after {MAX_PASSES} passes (a macro that uses itself?)"


class _TooLong(Exception):
    pass


def _pass(text: str, macros: dict[str, Macro]) -> tuple[str, bool]:
    out, pos, changed, size = [], 0, False, 0
    for m in NAME.finditer(text):
        if m.start() < pos:
            continue    # inside an argument already consumed
        macro = macros.get(m.group(1) or "")
        if macro is None:
            continue
        args, end = _arguments(text, m.end(), macro)
        if args is None:
            continue
        piece = text[pos:m.start()] + _substitute(macro.body, args)
        out.append(piece)
        size += len(piece)
        if size > MAX_CHARS:
            raise _TooLong
        pos, changed = end, True
    out.append(text[pos:])
    result = "".join(out)
    if len(result) > MAX_CHARS:
        raise _TooLong
    return result, changed


def _arguments(text: str, pos: int, macro: Macro):
    """The macro's arguments read from pos: each a {group} or one token; (None, pos) when they are not there."""
    args = []
    count = macro.count
    if macro.default is not None and count:
        at = _skip_space(text, pos)
        if at < len(text) and text[at] == "[":
            close = _matching(text, at, "[", "]")
            if close < 0:
                return None, pos
            args.append(text[at + 1:close])
            pos = close + 1
        else:
            args.append(macro.default)
        count -= 1
    for _ in range(count):
        at = _skip_space(text, pos)
        if at >= len(text):
            return None, pos
        if text[at] == "{":
            close = _matching(text, at, "{", "}")
            if close < 0:
                return None, pos
            args.append(text[at + 1:close])
            pos = close + 1
        else:
            m = NAME.match(text, at)
            end = m.end() if m else at + 1
            args.append(text[at:end])
            pos = end
    return args, pos


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\n":
        pos += 1
    return pos


def _matching(text: str, at: int, opener: str, closer: str) -> int:
    depth = 0
    for k in range(at, len(text)):
        c = text[k]
        if c == "\\":
            continue
        if c == opener and (k == 0 or text[k - 1] != "\\"):
            depth += 1
        elif c == closer and (k == 0 or text[k - 1] != "\\"):
            depth -= 1
            if depth == 0:
                return k
    return -1


def _substitute(body: str, args: list[str]) -> str:
    return re.sub(r"##|#([1-9])", lambda m: "#" if m.group(0) == "##" else
                  (args[int(m.group(1)) - 1] if int(m.group(1)) <= len(args) else m.group(0)), body)
