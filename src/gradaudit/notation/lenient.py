"""LaTeX as people write it in notes, rewritten into the LaTeX the tokenizer reads, before tokenizing.

Why a text pass: each rewrite here is about how characters are grouped (a name in braces, a bold
letter, a superscript written without its braces or with a bracket left open), which a reader sees
at a glance and the context-free grammar cannot. Two kinds of rewrite:
- notation (no note): {g}^{[l]} is g^{[l]}, \\mathbf{x} is x, \\dot\\sigma is \\sigma';
- repairs (a note each, so a right claim becomes `notation`): A^[l] and a^{[l-1} are A^{[l]} and
  a^{[l-1]}, which render wrongly but which any reader repairs without noticing.
Nothing is evaluated; every rewrite is local and linear in the length of the text.
"""
from __future__ import annotations

import re

# a bold, vector or italic name is the same quantity as the plain letter
BOLD = ("mathbf", "boldsymbol", "bm", "vec", "mathit", "pmb", "mathbfit", "boldsymbol", "bf", "overrightarrow")
# \mathbf{1}, \mathbb{1}: an indicator before a bracket, a ones vector elsewhere
_ONE_RE = re.compile(r"\\(?:mathbf|mathbb|boldsymbol|bm|mathds)\s*(?:\{\s*1\s*\}|1)")
_BOLD_RE = re.compile(r"\\(" + "|".join(sorted(set(BOLD), key=len, reverse=True)) + r")(?![A-Za-z])\s*")
_DOT_RE = re.compile(r"\\dot\s*(?:\{\s*(\\sigma|[fgh])\s*\}|(\\sigma|[fgh]))(?![A-Za-z])")
_WRAPPERS_RE = re.compile(r"\\(?:boxed|underbrace|overbrace|phantom_never)(?![A-Za-z])")
_COLOR_RE = re.compile(r"\\color\s*\{[^{}]*\}|\\textcolor\s*\{[^{}]*\}")
_NAME = r"(?:[A-Za-z]|\\(?:alpha|beta|gamma|delta|epsilon|varepsilon|zeta|eta|theta|lambda|mu|nu|xi|pi|rho|sigma|tau|phi|varphi|chi|psi|omega|Delta|Sigma|Theta|Phi|Psi|Omega)(?![A-Za-z])|\\(?:hat|mathcal)\s*\{\s*[A-Za-z]\s*\})"
_BRACED_NAME_RE = re.compile(r"\{\s*(" + _NAME + r")\s*\}")
# {g^{[l]}}' -> g^{[l]'}: the prime of a name with a bracketed superscript, written outside braces
_BRACED_PRIME_RE = re.compile(r"\{\s*(" + _NAME + r")\s*\^\s*\{\s*(\[[^{}\[\]]*\]|\([^{}()]*\))\s*\}\s*\}\s*('+)")
# A^[l], A^(i): a bracketed superscript without its braces
_BARE_BRACKET_SUP_RE = re.compile(r"\^\s*(\[[^\[\]{}$]*\]|\((?:[A-Za-z0-9+\- ]*)\))")
# A[l-1], b[l], dZ[2]: a layer index without its '^'
_MISSING_CARET_RE = re.compile(r"(?<![A-Za-z\\])((?:d)?[A-Za-z](?:\s*_\s*(?:\{[^{}]*\}|[A-Za-z0-9]))?)\[\s*((?:[lL]|[0-9])(?:\s*[+-]\s*[0-9])?)\s*\]"
                               r"(\s*\^\s*(?:T|\{\s*T\s*\}|\\top|\{\s*\\top\s*\}|\\intercal)(?![A-Za-z]))?")
_CARET_GATE = re.compile(r"[A-Za-z]\s*\[\s*[lL0-9]")
# A^{[l-1]}^T: a second superscript, the transpose, after the layer's (LaTeX's 'double superscript')
_DOUBLE_SUP_RE = re.compile(r"\^\s*\{\s*(\[[^\[\]{}]*\]|\([^(){}]*\))\s*\}\s*\^\s*(?:T|\{\s*T\s*\}|\\top|\{\s*\\top\s*\}|\\intercal)(?![A-Za-z])")


# macros that take no {argument}: a brace after them is a group (\sigma {e}, \log {x})
NO_ARGUMENT = {"sigma", "log", "ln", "exp", "tanh", "cdot", "times", "odot", "ast", "circ", "partial", "sum", "max",
               "quad", "qquad", "left", "right", "big", "Big", "bigg", "Bigg", "alpha", "eta", "lambda"}


# \frac{\mathrm{d} J}{\mathrm{d} W}: an upright d is the d of a derivative
_UPRIGHT_D_RE = re.compile(r"\\(?:mathrm|text|textrm|operatorname|mathit)\s*\{\s*d\s*\}\s*(?=[A-Za-z\\])")
# A^{[l-1]}{}^T: the empty group LaTeX users put before a second superscript
_EMPTY_GROUP_SUP_RE = re.compile(r"\^\s*\{\s*(\[[^\[\]{}]*\]|\([^(){}]*\))\s*\}\s*\{\s*\}\s*\^\s*(?:T|\{\s*T\s*\}|\\top|\{\s*\\top\s*\}|\\intercal)(?![A-Za-z])")
# W.shape = (n, m), W.shape: (n, m): code's way of writing a shape claim
# \frac12, \frac1m, \frac1{2m}: TeX takes a single character as an argument without braces
_FRAC_CHARS_RE = re.compile(r"\\([dt]?frac)\s*([0-9A-Za-z])\s*([0-9A-Za-z](?![A-Za-z])|(?=\{))")
# a = \overset{def}{=} b, \stackrel{\text{def}}{=}: equal by definition, a '=' with a word over it
_OVERSET_EQ_RE = re.compile(r"\\(?:overset|stackrel)\s*\{(?:[^{}]|\{(?:[^{}]|\{[^{}]*\})*\})*\}\s*\{\s*=\s*\}")
# g: \mathbb{R} \mapsto \mathbb{R}: a function's signature written before its definition
_SIGNATURE_RE = re.compile(r"(?<![A-Za-z\\])(?:[A-Za-z]|\\sigma)\s*:\s*\\mathbb\s*\{?\s*R\s*\}?(?:\^\s*\{?[^{}\s]*\}?)?"
                           r"\s*\\(?:mapsto|to|rightarrow)\s*\\mathbb\s*\{?\s*R\s*\}?(?:\^\s*\{?[^{}\s]*\}?)?")
_SHAPE_RE = re.compile(r"\.\s*shape\s*(?:==?|:)(?!=)")
# \text{np.sum}(dZ, \text{axis}=1, \text{keepdims}=\text{True}): NumPy's words set upright are the same code
_CODE_WORD_RE = re.compile(r"\\(?:text|texttt|mathrm|mathtt|operatorname)\s*\{\s*((?:np|numpy)\.[A-Za-z_]+|axis|keepdims|True|False)\s*\}")
# \sum_{\forall x} C_x: 'for all x' under a sum is the sum over x, which is what \sum_x says
_FORALL_SUM_RE = re.compile(r"(\\sum\s*_\s*\{)\s*\\forall(?![A-Za-z])\s*")


def lenient(s: str, notes: list) -> str:
    """The rewrites of the module docstring, in order; notes gets one sentence per repair. Each runs only when
    the text holds what it looks for (a cheap substring test), so plain formulas pay almost nothing."""
    if "shape" in s:
        s = _SHAPE_RE.sub(" : ", s)
    if "\\" in s:
        if "axis" in s or "np." in s or "numpy." in s:
            s = _CODE_WORD_RE.sub(r"\1", s)
        if "forall" in s:
            s = _FORALL_SUM_RE.sub(r"\1", s)
        if "set" in s or "stackrel" in s:
            s = _OVERSET_EQ_RE.sub("=", s)
        if "mathbb" in s and ":" in s:
            s = _SIGNATURE_RE.sub(" ", s)
        if "frac" in s:
            s = _FRAC_CHARS_RE.sub(lambda m: f"\\{m.group(1)}{{{m.group(2)}}}" + (f"{{{m.group(3)}}}" if m.group(3) else ""), s)
        if "{d}" in s or "{ d" in s:
            s = _UPRIGHT_D_RE.sub("d", s)
        if "color" in s:
            s = _COLOR_RE.sub(" ", s)
        if "brace" in s or "boxed" in s:
            s = _WRAPPERS_RE.sub(" ", s)
        if "1" in s:
            s = _ONE_RE.sub(lambda m: "\\onesvec " if not _followed_by_bracket(s, m.end()) else "\\indicator ", s)
        s = _unbold(s)
        if "\\dot" in s:
            s = _DOT_RE.sub(lambda m: (m.group(1) or m.group(2)) + "'", s)
        if "cdot" in s:
            s = _index_slices(s)
    if "|" in s or "\\mid" in s:
        s = _given_arguments(s)
    if "^-(" in s.replace(" ", ""):
        s = _negative_exponents(s, notes)
    if "{}" in s.replace(" ", ""):
        s = _EMPTY_GROUP_SUP_RE.sub(lambda m: "^{" + m.group(1) + "T}", s)
    if "'" in s:
        s = _BRACED_PRIME_RE.sub(lambda m: f"{m.group(1)}^{{{m.group(2)}{m.group(3)}}}", s)
    if "partial" in s and "{" in s:
        s = _EMPTY_PARTIAL_RE.sub(r"\\partial ", s)
    if "{(" in s.replace(" ", ""):
        s = _braced_arguments(s)
    s = _unbrace_names(s)
    if s[:1] == "{" or s.lstrip()[:1] == "{":
        s = _outer_braces(s)
    if "^[" in s or "^(" in s or "^ " in s:
        s = _bare_bracket_superscripts(s, notes)
    if "[" in s and _CARET_GATE.search(s):
        s = _missing_carets(s, notes)
    if "}^" in s or "} ^" in s:
        s = _double_superscripts(s, notes)
    if not _balanced(s):
        s = _open_script_brackets(s, notes)
    return s


_SLICE_RE = re.compile(r"_\s*\{\s*(?:([A-Za-z])\s*\\cdot|\\cdot\s*([A-Za-z]))\s*\}")


def _index_slices(s: str) -> str:
    """U_{q\\cdot}, W_{\\cdot j}: row q, column j, every entry along the dotted axis. The dot becomes one free index
    (a letter the formula does not use), the same in the whole formula, so a claim about rows reads entry by entry."""
    if not _SLICE_RE.search(s):
        return s
    free = next((c for c in "cpsvr" if not re.search(rf"(?<![A-Za-z\\]){c}(?![A-Za-z])", s)), None)
    if free is None:
        return s
    return _SLICE_RE.sub(lambda m: f"_{{{m.group(1)},{free}}}" if m.group(1) else f"_{{{free},{m.group(2)}}}", s)


_NEG_EXP_RE = re.compile(r"\^\s*-\s*\(")


def _negative_exponents(s: str, notes: list) -> str:
    """e^-(x w + b): TeX raises the '-' alone; the bracket after it is the rest of the exponent the author meant."""
    out, i = [], 0
    for m in _NEG_EXP_RE.finditer(s):
        if m.start() < i:
            continue
        depth, k = 0, m.end() - 1
        while k < len(s):
            depth += (s[k] == "(") - (s[k] == ")")
            if depth == 0:
                break
            k += 1
        if k >= len(s):
            continue
        group = s[m.end() - 1:k + 1]
        out.append(s[i:m.start()] + "^{-" + group + "}")
        notes.append(f"'^-{group}' read as ^{{-{group}}}: the bracket is the rest of the exponent")
        i = k + 1
    return "".join(out) + s[i:]


def _given_arguments(s: str) -> str:
    """C(y, \\hat{y} | X, w, b), p(y \\mid x; \\theta): what follows a bar inside a function's brackets is what the
    value is conditioned on or parameterised by, not another argument; the value is the function of what comes
    before the bar. A bar outside brackets or one of two (|x|, \\| x \\|, (1 + |x|)) is left alone."""
    out, i, depth = [], 0, []
    while i < len(s):
        c = s[i]
        if c == "\\":
            word = re.match(r"\\(?:[A-Za-z]+|.)", s[i:]).group(0)
            if word == "\\mid" and depth and depth[-1][0] == "(":
                i = _skip_to_close(s, i + len(word))
                continue
            out.append(word)
            i += len(word)
            continue
        if c == "|" and depth and depth[-1][0] == "(":
            close = _skip_to_close(s, i + 1)
            inside = s[depth[-1][1] + 1:close].replace("\\|", "")
            if close > i and inside.count("|") == 1:
                i = close
                continue
        if c in "({[":
            depth.append((c, i))
        elif c in ")}]" and depth:
            depth.pop()
        out.append(c)
        i += 1
    return "".join(out)


def _skip_to_close(s: str, i: int) -> int:
    """The index of the ')' that closes the bracket open at i (unchanged i when there is none)."""
    level = 0
    for j in range(i, len(s)):
        if s[j] in "({[" and s[j - 1] != "\\":
            level += 1
        elif s[j] in ")}]" and s[j - 1] != "\\":
            if level == 0:
                return j if s[j] == ")" else i
            level -= 1
    return i


def _followed_by_bracket(s: str, i: int) -> bool:
    j = i
    while j < len(s) and s[j].isspace():
        j += 1
    if s.startswith("_", j):                   # \mathbb{1}_{y_i = j}: the condition as a subscript; \mathbf{1}_m a length
        group = re.match(r"_\s*\{([^{}]*)\}", s[j:])
        return bool(group) and bool(re.search(r"[=<>]|\\n?eq|\\ne\b|\\[lg]e", group.group(1)))
    return s.startswith(("[", "(", "\\{", "\\left", "\\big", "\\Big"), j)


def _unbold(s: str) -> str:
    """\\mathbf{W} -> {W}, \\vec x -> x (the braces go later, when they hold one name)."""
    if not any(("\\" + b) in s for b in ("math", "bold", "bm", "vec", "pmb", "bf", "overrightarrow")):
        return s
    out, i = [], 0
    for m in _BOLD_RE.finditer(s):
        if m.start() < i:
            continue
        out.append(s[i:m.start()])
        i = m.end()
        if i < len(s) and s[i] == "{":
            out.append("{")
            i += 1
        elif i < len(s) and s[i] == "\\":                 # \bm\delta
            word = re.match(r"\\[A-Za-z]+", s[i:])
            if word:
                out.append(" " + word.group(0) + " ")
                i += len(word.group(0))
        elif i < len(s):
            out.append(" " + s[i] + " ")
            i += 1
    out.append(s[i:])
    return "".join(out)


def _before(s: str, i: int) -> str:
    """The text just before position i (its last 24 characters), without spaces: what decides whether a brace
    is a group."""
    j = i - 1
    while j >= 0 and s[j].isspace():
        j -= 1
    return s[max(0, j - 23):j + 1]


def _unbrace_names(s: str) -> str:
    """{g}^{[l]}, {a}_j: braces around one name are only grouping, unless they are a macro's
    argument (\\frac{d}{dx}, \\text{a}) or a script (x^{T})."""
    for _ in range(3):                               # {{a}} takes two passes
        out, last = [], 0
        for m in _BRACED_NAME_RE.finditer(s):
            head = _before(s, m.start())
            macro = re.search(r"\\([A-Za-z]+)$", head)
            if head.endswith(("^", "_", "}", "]")) or (macro and macro.group(1) not in NO_ARGUMENT):
                continue
            if m.group(1) in ("e", "g") and not macro and not re.match(r"\s*\^\s*\{?\s*[\[(]", s[m.end():]):
                continue     # {e}^{x}, {g}(x): the printer's way to say the letter, not exp or the activation
            out.append(s[last:m.start()])
            out.append(" " + m.group(1) + " ")
            last = m.end()
        if not out:
            return s
        s = "".join(out) + s[last:]
    return s


# \frac{\partial{}}{\partial{W}}: an empty group after \partial is the bare operator \partial
_EMPTY_PARTIAL_RE = re.compile(r"\\partial\s*\{\s*\}")
_BRACED_ARGUMENT_RE = re.compile(r"\\(?:log|ln|exp|tanh|sigma)(?![A-Za-z])\s*(?=\{\s*\()")


def _braced_arguments(s: str) -> str:
    r"""\log{(x + 1)}: braces around a function's bracketed argument only group it, and render as \log(x + 1)."""
    out, i = [], 0
    for m in _BRACED_ARGUMENT_RE.finditer(s):
        if m.start() < i:
            continue
        close = _matching(s, m.end())
        inner = s[m.end() + 1:close].strip() if close > 0 else ""
        if not inner.startswith("(") or _paren_end(inner) != len(inner) - 1:
            continue
        out.append(s[i:m.end()] + inner)
        i = close + 1
    out.append(s[i:])
    return "".join(out)


def _paren_end(s: str) -> int:
    """The index of the ')' that closes the '(' at s[0], or -1."""
    depth = 0
    for j, c in enumerate(s):
        depth += (c == "(") - (c == ")")
        if depth == 0:
            return j
    return -1


def _outer_braces(s: str) -> str:
    """{\\Large dZ = A - Y}: braces around the whole display only set its size."""
    t = s.strip()
    if t.startswith("{") and t.endswith("}") and _matching(t, 0) == len(t) - 1:
        return t[1:-1]
    return s


def _matching(s: str, i: int) -> int:
    depth = 0
    for j in range(i, len(s)):
        if s[j] == "{" and (j == 0 or s[j - 1] != "\\"):
            depth += 1
        elif s[j] == "}" and (j == 0 or s[j - 1] != "\\"):
            depth -= 1
            if depth == 0:
                return j
    return -1


def _bare_bracket_superscripts(s: str, notes: list) -> str:
    def fix(m):
        notes.append(f"'^{m.group(1)}' written without braces read as ^{{{m.group(1)}}}")
        return "^{" + m.group(1) + "}"
    return _BARE_BRACKET_SUP_RE.sub(fix, s)


def _missing_carets(s: str, notes: list) -> str:
    def fix(m):
        name, layer, t = m.group(1), m.group(2), "T" if m.group(3) else ""
        notes.append(f"{name}[{layer}] written without '^' read as the layer index: {name}^{{[{layer}]}}")
        return f"{name}^{{[{layer}]{t}}}"
    return _MISSING_CARET_RE.sub(fix, s)


def _double_superscripts(s: str, notes: list) -> str:
    def fix(m):
        notes.append(f"two superscripts ^{{{m.group(1)}}}^T read as one: ^{{{m.group(1)}T}}")
        return "^{" + m.group(1) + "T}"
    return _DOUBLE_SUP_RE.sub(fix, s)


def _open_script_brackets(s: str, notes: list) -> str:
    """a^{[l-1} -> a^{[l-1]}, a^{l-1]} -> a^{[l-1]}, a^{[l] + b -> a^{[l]} + b: a layer bracket left open
    or a script brace never closed, inside one superscript."""
    out, i = [], 0
    for m in re.finditer(r"\^\s*\{", s):
        if m.start() < i:
            continue
        start = m.end()
        close = _matching(s, m.end() - 1)
        if close < 0:
            inner = re.match(r"\s*((?:\[[^\[\]{}]*\]|\([^(){}]*\))(?:\s*(?:T|'|\\top(?![A-Za-z])))*)", s[start:])
            if inner:
                end = start + inner.end()
                notes.append(f"the superscript '{{{inner.group(1)}' is never closed; closed after {inner.group(1)}")
                out.append(s[i:end] + "}")
                i = end
            continue
        content = s[start:close]
        fixed = _balance(content)
        if fixed != content:
            notes.append(f"the layer index ^{{{content}}} has an unbalanced bracket; read as ^{{{fixed}}}")
            out.append(s[i:start] + fixed)
            i = close
    out.append(s[i:])
    return "".join(out)


def _balanced(s: str) -> bool:
    """Every bracket of each kind closed as often as opened: nothing for _open_script_brackets to repair."""
    braces = s.count("{") - s.count("\\{") == s.count("}") - s.count("\\}")
    return braces and s.count("[") == s.count("]") and s.count("(") == s.count(")")


def _balance(content: str) -> str:
    c = content.strip()
    for open_, close in (("[", "]"), ("(", ")")):
        if c.count(open_) == 1 and c.count(close) == 0 and c.startswith(open_):
            k = len(c)
            while k > 1 and c[k - 1] in "T'":            # [l-1T -> [l-1]T
                k -= 1
            return c[:k] + close + c[k:]
        if c.count(close) == 1 and c.count(open_) == 0 and re.fullmatch(r"[A-Za-z0-9+\- ]+\][T']*", c):
            return open_ + c
    return content
