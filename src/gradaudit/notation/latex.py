"""Syntax tree -> canonical LaTeX. parse(to_latex(x)) gives x back (tests/test_notation_constructs.py).

One printer per node type (PRINTERS). Brackets are added where the grammar would otherwise read
the text differently: a sum, a negation or an \\sum inside a product, a power of something
that already carries a superscript, the operand of a derivative operator. Sloppy notation the
tree records (b{[3]}, \\frac{1}{\\partial x}, a missing \\partial) is printed as written, so the
tree survives the round trip; clear the node's repair/style field to print the repaired form.
"""
from __future__ import annotations

from dataclasses import replace

import sys
from fractions import Fraction

from .ast import (Add, Call, Cases, Control, Deriv, DerivOp, Div, Dots, Either, Entry, Matrix, Max, Mul, Neg, Node,
                  Num, Parsed, Pow, Prime, Rel, Shorthand, Space, Statement, Sum, Sym, Text, Transpose)
from .. import primitives
from .vocabulary import GREEK

MUL_OPS = {"juxt": " ", "cdot": " \\cdot ", "times": " \\times ", "star": " * ", "odot": " \\odot "}
REL_TEX = {"=": "=", ":=": ":=", "->": "\\rightarrow", "in": "\\in", "!=": "\\neq", ">": ">", "<": "<",
           ">=": "\\geq", "<=": "\\leq"}
FUNC_TEX = {"sigma": "\\sigma", "tanh": "\\tanh", "log": "\\log", "exp": "\\exp", "max": "\\max", "sig": "sig",
            "g": "g", "sigmoid": "\\text{sigmoid}", "relu": "\\text{relu}", "softmax": "\\text{softmax}",
            "maxpool": "\\text{maxpool}", "flatten": "\\operatorname{flatten}", "leakyrelu": "\\text{leaky ReLU}",
            "sign": "\\operatorname{sign}", "diag": "\\operatorname{diag}", "nabla": "\\nabla"}
FUNC_TEX |= {w: f"\\operatorname{{{w}}}" for w in primitives.WORDS if len(w) > 1 and w not in FUNC_TEX}
primitives.on_register(lambda: FUNC_TEX.update({w: f"\\operatorname{{{w}}}" for w in primitives.WORDS
                                                if len(w) > 1 and w not in FUNC_TEX}))
DOTS_TEX = {"dots": "\\dots", "cdots": "\\cdots", "vdots": "\\vdots", "ddots": "\\ddots"}

# binding strength of what a node prints as: a higher number needs fewer brackets
ADD, NEG, MUL, PREFIX, POW, ATOM = 1, 2, 3, 4, 5, 6


def to_latex(x) -> str:
    """Canonical LaTeX of a Parsed, Statement, Control or node."""
    limit = sys.getrecursionlimit()
    try:
        sys.setrecursionlimit(max(limit, 6000))        # trees from parse() are at most 250 deep
        return _to_latex(x)
    finally:
        sys.setrecursionlimit(limit)


def _to_latex(x) -> str:
    if isinstance(x, Parsed):
        return " \\\\ ".join(_to_latex(s) for s in x.statements)
    if isinstance(x, Control):
        return " \\ ".join(x.text.split())
    if isinstance(x, Statement):
        return _statement(x)
    if isinstance(x, Node):
        return tex(x)
    raise TypeError(f"to_latex cannot print {type(x).__name__}")


def _statement(s: Statement) -> str:
    parts = []
    annotation = s.annotation
    if annotation.startswith("where"):
        parts.append("\\text{where}")
        annotation = annotation[5:].strip()
    if s.opens_with:
        parts.append(REL_TEX[s.opens_with])
    for k, step in enumerate(s.steps):
        if k:
            parts.append(REL_TEX[s.rels[k - 1]])
        parts.append(_step(step))
    if annotation:
        parts.append(f"\\text{{{annotation}}}")
    return " ".join(parts)


def _step(node: Node) -> str:
    if isinstance(node, Sum) and node.style == "text":
        return f"{tex(node.body)} \\text{{sum along rows}}"
    return tex(node)


def tex(node: Node) -> str:
    return PRINTERS[type(node)](node)


def strength(node: Node) -> int:
    if isinstance(node, (Add, Either)):
        return ADD
    if isinstance(node, Neg) or (isinstance(node, Num) and node.value < 0):
        return NEG
    if isinstance(node, Mul) or (isinstance(node, Div) and node.style == "slash"):
        return MUL
    if isinstance(node, (Sum, Max)) and node_style(node) != "np":
        return PREFIX
    if isinstance(node, (Pow, Transpose, Prime)):
        return POW
    return ATOM


def node_style(node) -> str:
    return getattr(node, "style", "")


def wrap(node: Node, at_least: int) -> str:
    s = tex(node)
    return s if strength(node) >= at_least else f"({s})"


def _num(n: Num) -> str:
    v = n.value
    if v.denominator == 1:
        return str(v.numerator)
    digits = f"{float(abs(v)):.12g}"
    if Fraction(digits) == abs(v):
        return ("-" if v < 0 else "") + digits
    return f"\\frac{{{v.numerator}}}{{{v.denominator}}}"


def _name(name: str) -> str:
    """\\alpha; a word (loss, h1) as \\mathit{loss}, one name however the document around it is read."""
    if name in GREEK:
        return "\\" + name
    return f"\\mathit{{{name}}}" if len(name) > 1 and name.isalnum() else name


def _index_expr(node: Node) -> str:
    """Layers and indices: L-1 folds to Add((L, Num(-1))) and prints back as L-1."""
    if isinstance(node, Add):
        out = _index_expr(node.terms[0])
        for t in node.terms[1:]:
            if isinstance(t, Num) and t.value < 0:
                out += f"-{_num(Num(-t.value))}"
            elif isinstance(t, Neg):
                out += f"-{wrap(t.arg, MUL)}"
            else:
                out += f"+{tex(t)}"
        return out
    return tex(node)


def _sym_base(s: Sym) -> str:
    base = _name(s.name)
    if s.font == "mathcal":
        base = f"\\mathcal{{{base}}}"
    if s.hat:
        base = f"\\hat{{{base}}}"
    return base


def _sym_sub(s: Sym) -> str:
    if s.tag is not None:
        return s.tag
    if s.shape is not None:
        return f"{_index_expr(s.shape[0])} \\times {_index_expr(s.shape[1])}"
    if s.index_style.startswith("digits:") and len(s.index) + (s.sublayer is not None) == 1:
        return s.index_style[7:]
    idx = ",".join(_index_expr(i) for i in s.index)
    lead = _index_expr(s.sublayer) if s.sublayer is not None else ""
    if s.index_style in ("[]", "()"):
        o, c = s.index_style
        return f"{lead}{o}{idx}{c}"
    if lead and idx:
        return f"{lead},{idx}"
    return lead or idx


def _layer(s: Sym, inner_t: str = "") -> str:
    if s.layer is None:
        return ""
    layer = _index_expr(s.layer)
    if s.style == "()":
        return f"^{{({layer}){inner_t}}}"
    if s.style == "^":
        return f"^{{{layer}}}"
    if s.style == "{}":
        return ""
    return f"^{{[{layer}]{inner_t}}}"


EXAMPLE_STYLES = {"example-last": -1, "example-first": 0}   # x_j^{(i)} read as X's entry (j, i), or (i, j) in rows


def _example_sym(s: Sym, inner_t: str) -> str:
    """x_j^{(i)}, a^{[l](i)}: the example index shown as the notes wrote it, a superscript in parentheses."""
    at = EXAMPLE_STYLES[s.index_style]
    example, units = s.index[at], (s.index[:-1] if at == -1 else s.index[1:])
    out = _sym(replace(s, index=units, index_style="", layer=None), guard=False)
    layer = f"[{_index_expr(s.layer)}]" if s.layer is not None else ""
    return f"{out}^{{{layer}({_index_expr(example)}){inner_t}}}"


def _sym(s: Sym, inner_t: str = "", guard: bool = True) -> str:
    if s.index_style in EXAMPLE_STYLES and s.index:
        return _example_sym(s, inner_t)
    out = _sym_base(s)
    if guard and s.name in ("g", "e") and not s.hat and not s.font and s.style != "{}":
        out = "{" + out + "}"          # keep a plain g or e from reading as a function / exp
    if s.style == "{}" and s.layer is not None:
        out += f"{{[{_index_expr(s.layer)}]}}"
    sub = _sym_sub(s)
    if sub and s.index_style != "call":
        out += f"_{{{sub}}}"
    elif s.index_style == "call":
        out += f"_{{{s.tag}}}" if s.tag else ""
    out += _layer(s, inner_t)
    if s.index_style == "call":
        out += "(" + ", ".join(_index_expr(i) for i in s.index) + ")"
    return out


def _plain_sym(node: Node) -> bool:
    """A name with no superscript: X^T and A^{2} can be written without brackets."""
    return isinstance(node, Sym) and node.layer is None and node.index_style != "call"


def _transpose(t: Transpose) -> str:
    if t.style == "inner" and isinstance(t.arg, Sym) and t.arg.layer is not None and t.arg.style in ("[]", "()"):
        return _sym(t.arg, "T")
    if t.style == "inner" and isinstance(t.arg, Shorthand) and t.arg.of.layer is not None:
        return "d" + _sym(t.arg.of, "T", guard=False)
    mark = {"^T": "^T", "^{T}": "^{T}", "^\\top": "^\\top"}.get(t.style, "^T")
    base = tex(t.arg) if _plain_sym(t.arg) else f"({tex(t.arg)})"
    return base + mark


def _pow(p: Pow) -> str:
    if _plain_sym(p.base) and isinstance(p.exp, Num) and p.exp.value >= 0 or isinstance(p.base, Shorthand) and p.base.of.layer is None and isinstance(p.exp, Num) or isinstance(p.base, Call) and p.base.bracket in ("()", "{}") and p.base.func in FUNC_TEX or isinstance(p.base, Num) and p.base.value >= 0:
        base = tex(p.base)
    else:
        base = f"({tex(p.base)})"
    return f"{base}^{{{tex(p.exp)}}}"


def _add(a: Add) -> str:
    out = tex(a.terms[0]) if strength(a.terms[0]) > ADD else f"({tex(a.terms[0])})"
    for t in a.terms[1:]:
        if isinstance(t, Neg):
            out += " - " + wrap(t.arg, NEG)
        elif isinstance(t, Num) and t.value < 0:
            out += " - " + _num(Num(-t.value))
        else:
            out += " + " + wrap(t, NEG if not isinstance(t, Neg) else ATOM)
    return out


def _neg(n: Neg) -> str:
    return "-" + wrap(n.arg, NEG)           # --x reads back as Neg(Neg(x))


def _mul(m: Mul) -> str:
    parts = []
    last = len(m.factors) - 1
    for k, f in enumerate(m.factors):
        need = PREFIX if k == last else PREFIX + 1     # \sum takes the rest of the product
        parts.append(wrap(f, need))
    return MUL_OPS[m.op].join(parts)


def _div(d: Div) -> str:
    if d.style == "slash":
        return f"{wrap(d.num, MUL)} / {wrap(d.den, MUL + 1)}"
    return f"\\frac{{{tex(d.num)}}}{{{tex(d.den)}}}"


def _partial_operand(node: Node) -> str:
    """\\partial takes one atom: a name (with its scripts or argument list) or a bracketed group."""
    bare = isinstance(node, (Sym, Shorthand)) or (isinstance(node, Call) and node.bracket != "")
    return tex(node) if bare else f"({tex(node)})"


def _deriv(d: Deriv) -> str:
    if not d.partial:
        return f"\\frac{{d{_sym(d.num, guard=False)}}}{{d{_sym(d.den, guard=False)}}}"
    den = tex(d.den) if d.repair == "den-partial" else f"\\partial {_partial_operand(d.den)}"
    return f"\\frac{{\\partial {_partial_operand(d.num)}}}{{{den}}}"


def _derivop(d: DerivOp) -> str:
    if d.repair == "frac1":
        head = f"\\frac{{1}}{{\\partial {_partial_operand(d.den)}}}"
    elif d.partial:
        head = f"\\frac{{\\partial}}{{\\partial {_partial_operand(d.den)}}}"
    else:
        head = f"\\frac{{d}}{{d{_sym(d.den, guard=False)}}}"
    return f"{head} ({tex(d.body)})"


def _call(c: Call) -> str:
    if c.func == "exp" and c.bracket == "e^" and len(c.args) == 1:
        return f"e^{{{tex(c.args[0])}}}"
    if c.func in FUNC_TEX:
        head = FUNC_TEX[c.func]
    else:
        head = _name(c.func)
        if c.font == "mathcal":
            head = f"\\mathcal{{{head}}}"
    if c.layer is not None:
        head += "^{[" + _index_expr(c.layer) + "]" + "'" * c.prime + "}"
    else:
        head += "'" * c.prime
    args = ", ".join(tex(a) for a in c.args)
    if c.bracket == "{}":
        return f"{head}\\{{{args}\\}}"
    if c.bracket == "":
        return f"{head} {args}"
    return f"{head}({args})"


def _limits(index, lower, upper, over) -> str:
    out = ""
    if over:
        out += "_{" + ",".join(tex(o) for o in over) + "}"
    elif index is not None:
        out += "_{" + tex(index) + (f"={_index_expr(lower)}" if lower is not None else "") + "}"
    if upper is not None:
        out += "^{" + _index_expr(upper) + "}"
    return out


def _sum(s: Sum) -> str:
    if s.style == "np":
        kw = ""
        if s.axis is not None:
            kw += f", axis={s.axis}"
        if s.keepdims:
            kw += ", keepdims=True"
        return f"np.sum({tex(s.body)}{kw})"
    if s.style == "text":
        return f"({tex(s.body)} \\text{{sum along rows}})"
    return f"\\sum{_limits(s.index, s.lower, s.upper, s.over)} {wrap(s.body, MUL)}"


def _max(m: Max) -> str:
    lim = _limits(m.index, m.lower, m.upper, m.over)
    body = wrap(m.body, MUL)
    if not lim and body.startswith("("):
        body = "{" + body + "}"
    return f"\\max{lim} {body}"


def _rel(r: Rel) -> str:
    return f"{tex(r.left)} {REL_TEX[r.op]} {tex(r.right)}"


def _cases(c: Cases) -> str:
    rows = []
    for value, cond in c.branches:
        rows.append(f"{tex(value)} & " + ("\\text{otherwise}" if cond is None else f"\\text{{if }} {tex(cond)}"))
    return "\\begin{cases} " + " \\\\ ".join(rows) + " \\end{cases}"


def _matrix(m: Matrix) -> str:
    rows = [" & ".join(tex(x) for x in row) for row in m.rows]
    return "\\begin{bmatrix} " + " \\\\ ".join(rows) + " \\end{bmatrix}"


def _shorthand(s: Shorthand) -> str:
    if s.style == "Delta":
        return f"\\left[\\Delta {tex(s.of)}\\right]"
    return "d" + _sym(s.of, guard=False)


PRINTERS = {
    Num: _num, Sym: _sym, Shorthand: _shorthand, Transpose: _transpose, Neg: _neg, Add: _add, Mul: _mul,
    Div: _div, Pow: _pow, Call: _call, Deriv: _deriv, DerivOp: _derivop,
    Prime: lambda p: f"({tex(p.body)})'",
    Entry: lambda e: f"\\left[{tex(e.of)}\\right]_{{{','.join(_index_expr(i) for i in e.index)}}}", Sum: _sum, Max: _max, Rel: _rel, Cases: _cases,
    Matrix: _matrix, Dots: lambda d: DOTS_TEX.get(d.kind, "\\dots"),
    Space: lambda s: "\\mathbb{R}^{[" + ", ".join(_index_expr(d) for d in s.dims) + "]}",
    Either: lambda e: " \\text{ or } ".join(wrap(o, ADD + 1) if isinstance(o, Either) else tex(o) for o in e.options), Text: lambda t: f"\\text{{{t.text}}}",
}
