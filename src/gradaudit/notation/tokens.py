"""LaTeX -> token lines for the LALR grammar in grammar.lark.

Why a hand-written tokenizer: LaTeX tokens depend on context that a regular lexer cannot see
(`dZ` is the shorthand d of Z but `XW` is X times W; `pool` in a subscript is a tag; `g` is a
function only before an argument; `&` and `\\\\` separate cells inside cases/bmatrix but only
align or break lines elsewhere). Everything the grammar should not care about (spacing, \\left,
environments that only wrap, equation tags) is dropped here. Nothing is evaluated.

Output: a list of tokens; lines.py cuts it into the displayed lines the grammar parses.
"""
from __future__ import annotations

import re

from lark import Token

from ..errors import NotationError
from .lenient import lenient
from .vocabulary import (FUNC_ANYCASE, FUNC_TEXT, FUNC_WORDS, GLUED_FUNC, GREEK, LOSS_WORDS, MATRICES, SIMPLE, SIZED,
                         SPACING, WRAPPERS)
from .words import RUN, current_words, words_in

MAX_CHARS = 20_000
MAX_TOKENS = 5_000
MAX_DEPTH = 200

PUNCT = {"(": "LPAR", ")": "RPAR", "[": "LBRACK", "]": "RBRACK", "{": "LBRACE", "}": "RBRACE", "^": "CARET",
         "_": "UNDERSCORE", ",": "COMMA", "'": "PRIME", "+": "PLUS", "-": "MINUS", "/": "SLASH", "=": "REL",
         "<": "REL", ">": "REL", "&": "AMP"}
DELIMS = {"(": "LPAR", ")": "RPAR", "[": "LBRACK", "]": "RBRACK", "\\{": "LCURLY", "\\}": "RCURLY", "\\|": "NORM",
          "\\Vert": "NORM", "\\lVert": "NORM", "\\rVert": "NORM",
          "\\lbrace": "LCURLY", "\\rbrace": "RCURLY", "\\lbrack": "LBRACK", "\\rbrack": "RBRACK"}
OPENERS = {"LPAR", "LBRACK", "LBRACE", "LCURLY", "BCASES", "BMATRIX", "LNORM"}
CLOSERS = {"RPAR", "RBRACK", "RBRACE", "RCURLY", "ECASES", "EMATRIX", "RNORM"}

def _read_group(s: str, i: int, what: str) -> tuple[str, int]:
    """s[i] must be '{': return (content, index after the matching '}')."""
    while i < len(s) and s[i].isspace():
        i += 1
    if i >= len(s) or s[i] != "{":
        raise NotationError(f"{what} needs a {{...}} argument")
    depth = 0
    for j in range(i, len(s)):
        c = s[j]
        if c == "\\":
            continue
        if c == "{" and (j == 0 or s[j - 1] != "\\"):
            depth += 1
        elif c == "}" and (j == 0 or s[j - 1] != "\\"):
            depth -= 1
            if depth == 0:
                return s[i + 1:j], j + 1
    raise NotationError(f"unbalanced braces: {what} argument is never closed")


def _before_text(s: str, i: int) -> str:
    """What a reader sees just before position i (at most 30 characters), to say where the formula stops reading."""
    head = " ".join(s[:i].split())
    return head if len(head) <= 30 else "..." + head[-30:]


class TokenList(list):
    """The tokens, and the text they were read from (after the lenient rewrites): messages quote it."""
    text: str = ""


class _Lexer:
    """One pass over the string; see the module docstring."""

    def __init__(self, s: str, words: frozenset = frozenset()):
        self.s = s
        self.words = words               # multi-letter names (see words_in)
        self.out: list[Token] = []
        self.braces: list[str] = []      # 'script' | 'group' | env name
        self.envs: list[str] = []        # cases / matrix / wrapper, with the brace depth at which it opened
        self.env_depth: list[int] = []
        self.depth = 0                   # brackets of every kind open at this point
        self.norms: list[int] = []       # the depth inside each open \| ... \|

    # -- helpers -------------------------------------------------------------
    def emit(self, type_: str, value: str, pos: int):
        if type_ == "NORM":      # \| opens a norm, the next \| at the same depth closes it
            if self.norms and self.norms[-1] == self.depth:
                self.norms.pop()
                type_ = "RNORM"
            else:
                self.norms.append(self.depth + 1)
                type_ = "LNORM"
        self.out.append(Token(type_, value, start_pos=pos))
        if len(self.out) > MAX_TOKENS:
            raise NotationError(f"formula too long: more than {MAX_TOKENS} tokens")
        if type_ in OPENERS:
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise NotationError(f"brackets nested deeper than {MAX_DEPTH} levels")
        elif type_ in CLOSERS:
            self.depth = max(0, self.depth - 1)

    def prev_type(self) -> str:
        return self.out[-1].type if self.out else ""

    def in_script(self) -> bool:
        return bool(self.braces) and self.braces[-1] == "script"

    def cell_env(self) -> str:
        """'cases' / 'matrix' when & and \\\\ belong to such an environment at this brace depth."""
        if self.envs and self.envs[-1] in ("cases", "matrix") and self.env_depth[-1] == len(self.braces):
            return self.envs[-1]
        return ""

    def next_nonspace(self, i: int) -> int:
        s = self.s
        while i < len(s):
            if s[i].isspace():
                i += 1
            elif s.startswith("\\left", i) and not s[i + 5:i + 6].isalpha():
                i += 5
            elif s[i] == "\\" and i + 1 < len(s) and s[i + 1] in " ,;!":
                i += 2
            else:
                break
        return i

    def looks_applied(self, i: int) -> bool:
        """Does an argument follow at s[i] (for g and max): '(', ', \\prime, \\{, or ^{..'..}?"""
        s = self.s
        j = self.next_nonspace(i)
        if j >= len(s):
            return False
        if s[j] in "('" or s.startswith("\\prime", j) or s.startswith("\\{", j):
            return True
        if s[j] == "^":
            k = self.next_nonspace(j + 1)
            if k < len(s) and s[k] == "{":
                try:
                    content, after = _read_group(s, k, "^")
                except NotationError:
                    return False
                if "'" in content or "\\prime" in content:
                    return True
                after = self.next_nonspace(after)
                return after < len(s) and s[after] in "('"        # g^{[l]}(Z^{[l]})
            return k < len(s) and s[k] == "'"
        return False

    # -- main loop -------------------------------------------------------------
    def run(self) -> list[Token]:
        s, i, n = self.s, 0, len(self.s)
        while i < n:
            c = s[i]
            if c.isspace() or c == "~":
                i += 1
            elif c == "\\":
                i = self.macro(i)
            elif c.isascii() and c.isdigit():
                m = re.match(r"[0-9]+(?:\.[0-9]+)?", s[i:])
                text = m.group(0)
                if self.prev_type() in ("CARET", "UNDERSCORE"):
                    text = text[0]
                self.emit("NUM", text, i)
                i += len(text)
            elif c.isascii() and c.isalpha():
                i = self.letters(i)
            elif c == ":" and s.startswith(":=", i):
                self.emit("REL", ":=", i)
                i += 2
            elif c == ":":
                i = self.colon(i)
            elif c == ";":
                i = self.semicolon(i)
            elif c == "*":
                self.emit("MULOP", "star", i)
                i += 1
            elif c == "." and s.startswith("...", i):
                self.emit("DOTS", "dots", i)
                i += 3
            elif c == "." and (SENTENCE_END.match(s, i + 1) or STRAY_BEFORE_DOTS.match(s, i + 1)):
                i += 1   # 'A = B.' at the end of a line or a display: the sentence's full stop, not notation
            elif c in PUNCT:
                i = self.punct(c, i)
            else:
                raise NotationError(f"unexpected character {c!r} after '{_before_text(s, i)}': it is not part of "
                                    "the notation gradaudit reads")
        if self.braces:
            raise NotationError("unbalanced braces: a '{' is never closed")
        if self.envs:
            raise NotationError(f"\\begin{{{self.envs[-1]}}} is never ended")
        return self.out

    def colon(self, i: int) -> int:
        """A : (n, m) at the top level is a shape annotation (read as \\in); elsewhere a ':' is a slice."""
        if self.braces or self.depth or self.cell_env():
            raise NotationError("a ':' inside brackets (a slice or a range) is not something gradaudit reads")
        self.emit("REL", ":", i)
        return i + 1

    def semicolon(self, i: int) -> int:
        """'a = b; c = d' separates two statements; f(x; theta) separates arguments."""
        if self.braces or self.depth:
            self.emit("COMMA", ",", i)
        elif not self.cell_env():
            self.emit("LINESEP", ";", i)
        return i + 1

    def punct(self, c: str, i: int) -> int:
        t = PUNCT[c]
        if c == "," and not self.braces and not self.depth and not self.cell_env() and SENTENCE_END.match(self.s, i + 1):
            return i + 1   # 'A = B, \\': the sentence's comma at the end of a line, as a full stop there is
        if c == "{":
            self.braces.append("script" if self.prev_type() in ("CARET", "UNDERSCORE") else "group")
            self.check_depth()
        elif c == "}":
            if not self.braces:
                raise NotationError(f"unbalanced braces: the '}}' after '{_before_text(self.s, i)}' closes nothing")
            if self.envs and self.env_depth[-1] > len(self.braces) - 1:
                raise NotationError(f"the '}}' after '{_before_text(self.s, i)}' closes a brace opened before \\begin{{{self.envs[-1]}}}")
            self.braces.pop()
        elif c == "&":
            if not self.cell_env():
                return i + 1        # alignment marker of aligned/equation: no meaning
        elif c in "=<>":
            value = c
            if c in "<>" and self.s.startswith("=", i + 1):
                self.emit("REL", c + "=", i)
                return i + 2
            self.emit("REL", value, i)
            return i + 1
        self.emit(t, c, i)
        return i + 1

    def check_depth(self):
        depth = len(self.braces) + len(self.envs)
        if depth > MAX_DEPTH:
            raise NotationError(f"brackets nested deeper than {MAX_DEPTH} levels")

    def letters(self, i: int) -> int:
        s = self.s
        if s.startswith("np.sum", i):
            self.emit("NPSUM", "np.sum", i)
            return i + 6
        m = re.match(r"(?:np|numpy)\.(divide|multiply|dot|matmul|exp|log|tanh|maximum)\b", s[i:])
        if m and self.looks_applied_paren(i + m.end()):
            self.emit("FUNC", "np." + m.group(1), i)    # code in a display: np.divide(Y, A) is Y / A
            return i + m.end()
        m = re.match(r"(axis\s*=\s*-?\d+|keepdims\s*=\s*(?:True|False))", s[i:])
        if m:
            self.emit("KWARG", re.sub(r"\s+", "", m.group(0)), i)
            return i + len(m.group(0))
        run = re.match(r"[A-Za-z]+", s[i:]).group(0)
        if self.prev_type() in ("CARET", "UNDERSCORE"):      # unbraced script: one letter only
            self.emit("LETTER", run[0], i)
            return i + 1
        word = re.match(RUN, s[i:]).group(0)
        if word in self.words:
            self.emit("LETTER", word, i)
            return i + len(word)
        end = i + len(run)
        if self.in_script():
            self.emit("WORD" if len(run) > 1 else "LETTER", run, i)
            return end
        if run == "sum" and self.looks_applied_paren(end):
            self.emit("SUM", "sum", i)   # sum(dZ), as code writes it: \\sum(dZ), a sum with no limits
            return end
        glued = GLUED_FUNC.fullmatch(run)
        if glued and self.looks_applied_paren(end):   # yln(a): y \\ln(a), italic letters are a product
            for k, ch in enumerate(glued.group(1)):
                self.emit("LETTER", ch, i + k)
            self.emit("FUNC", FUNC_WORDS[glued.group(2)], i + len(glued.group(1)))
            return end
        if run.lower() == "leaky" and self.leaky_relu(end):
            self.emit("FUNC", "leakyrelu", i)
            return self.leaky_relu(end)
        if run in LOSS_WORDS:
            self.emit("LETTER", run, i)
        elif run in FUNC_WORDS:
            self.emit("FUNC", FUNC_WORDS[run], i)
        elif run.lower() in FUNC_ANYCASE and (run.lower() not in ("sign", "sgn", "diag") or self.looks_applied(end)):
            self.emit("FUNC", FUNC_ANYCASE[run.lower()], i)
        elif run == "max":
            self.emit("FUNC" if self.looks_applied_paren(end) else "MAX", "max", i)
        elif run in ("g", "f", "h") and self.looks_applied(end):
            self.emit("FUNC", run, i)
        elif run[0] == "d" and len(run) > 1:
            self.emit("DSH", run[1], i)
            for k, ch in enumerate(run[2:]):
                self.emit("LETTER", ch, i + 2 + k)
        else:
            for k, ch in enumerate(run):
                tail = re.match(RUN, s[i + k:]).group(0)
                if k and tail in self.words:         # xW1: x times the name W1
                    self.emit("LETTER", tail, i + k)
                    return i + k + len(tail)
                self.emit("LETTER", ch, i + k)
        return end

    def leaky_relu(self, i: int) -> int:
        """'leaky ReLU(z)': the index after ReLU, or 0 when 'leaky' is not followed by it."""
        m = re.match(r"(?:\s|\\[ ,;:!]|_)*(relu)", self.s[i:], re.IGNORECASE)
        return i + m.end() if m else 0

    def looks_applied_paren(self, i: int) -> bool:
        j = self.next_nonspace(i)
        sized = re.match(r"\\(big|Big|bigg|Bigg|left)[lr]?\s*(?=\()", self.s[j:])   # \max\big( is \max(
        if sized:
            j += sized.end()
        return j < len(self.s) and self.s[j] == "("

    def macro(self, i: int) -> int:
        s = self.s
        m = re.match(r"\\([A-Za-z]+\*?|.)", s[i:])
        if not m:
            raise NotationError("a lone backslash ends the formula")
        name, end = m.group(1), i + len(m.group(0))
        if name.endswith("*") and name[:-1] not in ("hspace",):
            name, end = name[:-1], end - 1
        if name in SPACING:
            return end
        if name in ("hspace", "hspace*", "vspace", "vspace*", "tag"):
            _, end = _read_group(s, end, "\\" + name)
            if name.startswith("hspace") and not self.braces and not self.cell_env():
                self.emit("QUAD", "hspace", i)
            return end
        if name in SIZED:
            return self.sized(name, end)
        if name in ("begin", "end"):
            return self.environment(name, end, i)
        if name in ("text", "textrm", "textit", "mathrm", "operatorname", "textbf", "mbox", "mathsf", "textsf",
                    "texttt", "mathtt", "textnormal"):
            content, end = _read_group(s, end, "\\" + name)
            self.text(content.strip(), i, end)
            return end
        if name in ("hat", "widehat", "mathcal", "mathbb"):
            content, end = _read_group(s, end, "\\" + name)
            content = content.strip()
            if name == "mathbb":
                if content != "R":
                    raise NotationError(f"\\mathbb{{{content}}} is not supported (only \\mathbb{{R}})")
                self.emit("SPACER", "R", i)
            elif re.fullmatch(r"[A-Za-z]", content) or (content.startswith("\\") and content[1:] in GREEK):
                self.emit("HAT" if "hat" in name else "MCAL", content.lstrip("\\"), i)
            else:
                raise NotationError(f"\\{name}{{{content}}}: only a single letter is supported")
            return end
        if name == "max":
            self.emit("FUNC" if self.looks_applied_paren(end) else "MAX", "max", i)
            return end
        if name in ("phi", "varphi") and self.looks_applied(end):
            self.emit("FUNC", "phi", i)   # \phi(u), \phi'(u): the activation function, as g(z) is
            return end
        if name in GREEK:
            self.emit("LETTER", name, i)
            return end
        if name == "ell":
            # \ell: a layer l written in script where layers go (W^{[\ell]}), else one example's loss, as \mathcal{L}
            script = self.in_script() or self.prev_type() in ("CARET", "UNDERSCORE")
            self.emit(*(("LETTER", "l") if script else ("MCAL", "L")), i)
            return end
        if name in SIMPLE:
            t, v = SIMPLE[name]
            if t == "QUAD":
                if self.braces or self.cell_env():
                    return end
            elif t == "LINESEP" and self.cell_env():
                t = "ROWSEP"
            elif t == "LINESEP" and self.braces:
                raise NotationError(f"a line break \\{name} inside braces, after '{_before_text(s, i)}'")
            elif t == "LCURLY":
                self.check_depth()
            self.emit(t, v, i)
            if name == "\\":          # \\[2pt]
                mm = re.match(r"\s*\[[^\]]*\d[^\]]*\]", s[end:])
                if mm:
                    end += len(mm.group(0))
            return end
        raise NotationError(f"unknown macro \\{name}")

    def sized(self, name: str, end: int) -> int:
        s = self.s
        j = end
        while j < len(s) and s[j].isspace():
            j += 1
        for d, t in sorted(DELIMS.items(), key=lambda kv: -len(kv[0])):
            if s.startswith(d, j):
                if t == "LCURLY":
                    self.check_depth()
                self.emit(t, d, j)
                return j + len(d)
        if s.startswith(".", j):
            return j + 1
        raise NotationError(f"\\{name} must be followed by a delimiter ( ) [ ] \\{{ \\}} or .")

    def environment(self, kind: str, end: int, pos: int) -> int:
        env, end = _read_group(self.s, end, "\\" + kind)
        env = env.strip()
        if kind == "begin":
            if env == "cases":
                role = "cases"
            elif env in MATRICES:
                role = "matrix"
            elif env in WRAPPERS:
                role = "wrapper"
            else:
                raise NotationError(f"unsupported environment {env!r}")
            self.envs.append(role)
            self.env_depth.append(len(self.braces))
            self.check_depth()
            if role == "cases":
                self.emit("BCASES", env, pos)
            elif role == "matrix":
                self.emit("BMATRIX", env, pos)
            return end
        role = "cases" if env == "cases" else "matrix" if env in MATRICES else "wrapper" if env in WRAPPERS else None
        if not self.envs or self.envs[-1] != role or self.env_depth[-1] != len(self.braces):
            raise NotationError(f"\\end{{{env}}} does not match an open \\begin")
        self.envs.pop()
        self.env_depth.pop()
        if role == "cases":
            self.emit("ECASES", env, pos)
        elif role == "matrix":
            self.emit("EMATRIX", env, pos)
        return end

    def text(self, content: str, pos: int, end: int):
        low = content.lower()
        low = re.sub(r"^[\s,;:.]+", "", low)     # '\text{, where ...}': the punctuation before a remark
        if self.in_script() or self.prev_type() in ("CARET", "UNDERSCORE"):
            if content in ("T", "\\top", "\\intercal"):          # ^{\mathsf{T}}, ^\mathrm{T}: a transpose
                self.emit("LETTER", "T", pos)
                return
            if not re.fullmatch(r"[A-Za-z]+", content):
                raise NotationError(f"\\text{{{content}}} in a sub/superscript: only a word is supported")
            self.emit("WORD", content, pos)
        elif low in FUNC_TEXT or re.sub(r"[\s\-_]+", " ", low) in FUNC_TEXT:
            f = FUNC_TEXT.get(low) or FUNC_TEXT[re.sub(r"[\s\-_]+", " ", low)]
            self.emit("FUNC" if f != "max" or self.looks_applied_paren(end) else "MAX", f, pos)
        elif low == "if":
            self.emit("IF", "if", pos)
        elif low in ("otherwise", "else", "otherwise."):
            self.emit("OTHERWISE", "otherwise", pos)
        elif low == "or":
            self.emit("OR", "or", pos)
        elif low.startswith("sum along") or low in ("sum over rows", "sum over columns"):
            self.emit("TEXTSUM", content, pos)
        elif low.startswith("where"):
            self.emit("WHERE", re.sub(r"^[\s,;:.]+", "", content), pos)
        elif content == "":
            return
        elif content in self.words:
            self.emit("LETTER", content, pos)     # \\mathrm{loss}: a name the notes use as one quantity
        else:
            self.emit("TEXT", content, pos)


PRIMES = re.compile(r"\^\s*\{\s*((?:\\prime\s*)+|'+)\s*\}|\^\s*\\prime(?![A-Za-z])")


# Unicode a text may type directly, as the LaTeX it stands for
UNICODE = {"\u2212": "-", "\u00d7": "\\times ", "\u22c5": "\\cdot ", "\u00b7": "\\cdot ", "\u2299": "\\odot ",
           "\u2202": "\\partial ", "\u2211": "\\sum ", "\u03c3": "\\sigma ", "\u03b1": "\\alpha ",
           "\u03b7": "\\eta ", "\u03b4": "\\delta ", "\u0394": "\\Delta ", "\u2264": "\\le ", "\u2265": "\\ge ",
           "\u2260": "\\neq ", "\u2192": "\\to ", "\u22a4": "^T", "\u2032": "'", "\u00bd": "\\frac{1}{2}", "\u1d40": "^T",
           "\u2026": "\\dots ", "\u22ef": "\\cdots "}
UNICODE_RE = re.compile("|".join(map(re.escape, UNICODE)))


STRAY_BEFORE_DOTS = re.compile(r"\s*\\[lc]?dots(?![A-Za-z])")   # '+ .\u2026 +': a dot typed before an ellipsis
SENTENCE_END = re.compile(r"\s*(?:\\\\|\\end\{|\\\]|\$|\Z)")


def tokenize(s: str, notes: list | None = None) -> list[Token]:
    """Tokens of one formula; the repairs made on the way (a missing '^' or ']') are appended to notes."""
    s = UNICODE_RE.sub(lambda m: UNICODE[m.group(0)], s)
    # g^{\prime}(z) and g^\prime(z) are g'(z): the superscript is only a prime
    s = PRIMES.sub(lambda m: "'" * ((m.group(1).count("\\prime") or m.group(1).count("'")) if m.group(1) else 1), s)
    words = current_words() | words_in([s])        # the formula's own evidence, before \\mathit{h1} loses its wrapper
    s = lenient(s, notes if notes is not None else [])
    out = TokenList(_Lexer(s, words).run())
    out.text = s
    return out
