"""Where each table of a TOML file starts: tomllib keeps no positions, and every message names a line.

`positions(text)` reads a file tomllib has already accepted and returns, for every table and array
element, its key path and line: ("section", 0) for the first [[section]], ("section", 0, "formula", 2)
for its third formula, whether that is written as a [[section.formula]] header or as an inline table
in `formula = [{...}, ...]`; and the line of each table's `latex` key. One pass, strings skipped with
one regular expression each, so a 20 MB file is read in linear time. A text it cannot follow gives
what it found so far: a line is a help, never a reason to fail.
"""
from __future__ import annotations

import bisect
import contextlib
import re

SPACE = re.compile(r"(?:[ \t\r\n]|#[^\n]*)*")
INLINE_SPACE = re.compile(r"[ \t]*")
KEY_PART = re.compile(r"""[A-Za-z0-9_-]+|"[^"\\\n]*(?:\\.[^"\\\n]*)*"|'[^'\n]*'""")
STRINGS = [   # longest delimiters first; a multi-line string may end with up to two extra quotes
    ('"""', re.compile(r'"""[^\\"]*(?:(?:\\.|"(?!""))[^\\"]*)*"""(?:"{0,2})', re.S)),
    ("'''", re.compile(r"'''.*?'''(?:'{0,2})", re.S)),
    ('"', re.compile(r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"')),
    ("'", re.compile(r"'[^'\n]*'")),
]
SCALAR = re.compile(r"[^,\]}\n#]*")


class _Stop(Exception):
    """The text is not what this scanner follows: keep what was found."""


class _Scanner:
    def __init__(self, text: str):
        self.text = text
        self.pos = 0
        self.newlines = [m.start() for m in re.finditer("\n", text)]
        self.starts: dict = {}
        self.latex: dict = {}
        self.counts: dict = {}     # array path -> elements seen (arrays of tables grow across headers)

    def line(self, pos: int | None = None) -> int:
        return bisect.bisect_left(self.newlines, self.pos if pos is None else pos) + 1

    def skip(self, pattern=SPACE) -> None:
        self.pos = pattern.match(self.text, self.pos).end()

    def peek(self, n: int = 1) -> str:
        return self.text[self.pos:self.pos + n]

    def key(self) -> tuple:
        parts = []
        while True:
            self.skip(INLINE_SPACE)
            m = KEY_PART.match(self.text, self.pos)
            if not m:
                raise _Stop
            raw = m.group(0)
            parts.append(raw[1:-1] if raw[0] in "\"'" else raw)
            self.pos = m.end()
            self.skip(INLINE_SPACE)
            if self.peek() != ".":
                return tuple(parts)
            self.pos += 1

    def document(self) -> None:
        table: tuple = ()
        while True:
            self.skip()
            if self.pos >= len(self.text):
                return
            at = self.pos
            if self.peek(2) == "[[":
                self.pos += 2
                name = self.key()
                if self.peek(2) != "]]":
                    raise _Stop
                self.pos += 2
                table = self._element(self._concrete(name[:-1]) + name[-1:], at)
            elif self.peek() == "[":
                self.pos += 1
                name = self.key()
                if self.peek() != "]":
                    raise _Stop
                self.pos += 1
                table = self._concrete(name)
                self.starts.setdefault(table, self.line(at))
            else:
                self.pair(table)

    def _concrete(self, name: tuple) -> tuple:
        """section.formula in a header means the formula array of the last [[section]] so far."""
        out: tuple = ()
        for part in name:
            out += (part,)
            if out in self.counts:
                out += (self.counts[out] - 1,)
        return out

    def _element(self, array: tuple, at: int) -> tuple:
        index = self.counts.get(array, 0)
        self.counts[array] = index + 1
        path = array + (index,)
        self.starts[path] = self.line(at)
        return path

    def pair(self, table: tuple) -> None:
        at = self.pos
        key = self.key()
        if self.peek() != "=":
            raise _Stop
        self.pos += 1
        if key == ("latex",):
            self.latex.setdefault(table, self.line(at))
        self.skip(INLINE_SPACE)
        self.value(table + key)

    def value(self, path: tuple) -> None:
        c = self.peek()
        for opener, pattern in STRINGS:
            if self.text.startswith(opener, self.pos):
                m = pattern.match(self.text, self.pos)
                if not m:
                    raise _Stop
                self.pos = m.end()
                return
        if c == "[":
            self.pos += 1
            while True:
                self.skip()
                if self.peek() == "]":
                    self.pos += 1
                    return
                self.value(self._element(path, self.pos))
                self.skip()
                if self.peek() == ",":
                    self.pos += 1
                elif self.peek() != "]":
                    raise _Stop
        elif c == "{":
            self.pos += 1
            self.starts.setdefault(path, self.line())
            while True:
                self.skip(INLINE_SPACE)
                if self.peek() == "}":
                    self.pos += 1
                    return
                self.pair(path)
                self.skip(INLINE_SPACE)
                if self.peek() == ",":
                    self.pos += 1
                elif self.peek() != "}":
                    raise _Stop
        else:
            m = SCALAR.match(self.text, self.pos)
            if not m.group(0).strip():
                raise _Stop
            self.pos = m.end()


def positions(text: str) -> tuple[dict, dict]:
    """(starts, latex): key path -> line of the table or element, and -> line of its `latex =` key."""
    scanner = _Scanner(text)
    with contextlib.suppress(_Stop, RecursionError):
        scanner.document()
    return scanner.starts, scanner.latex


def formula_line(starts: dict, latex: dict, section: int, formula: int) -> int | None:
    """A formula's line: its `latex =` key, else where its table starts (a formula without latex)."""
    path = ("section", section, "formula", formula)
    return latex.get(path) or starts.get(path)
