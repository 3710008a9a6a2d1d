"""The syntax tree of a formula: what the Lark transformer builds and what the auditor reads.

Nodes are frozen dataclasses, so they hash and compare by value: the diagnosis search
edits trees and needs to tell two trees apart cheaply. The parser records notation as
written (which letter, which bracket style of layer index, which product operator); it
does not decide what a symbol means. The auditor resolves names against a section's
architecture and conventions.

Conventions the parser follows (the auditor relies on them):
- a - b is Add((a, Neg(b))); -a is Neg(a).
- Products keep their operator: Mul(factors, op) with op in
  'juxt' (juxtaposition), 'cdot' (\\cdot), 'times' (\\times), 'star' (*), 'odot' (\\odot).
  Mixed operators nest, left to right, as written.
- Layer indices ^{[l]}, ^{(l)}, ^{[L-1]} and ^L (letters) go to Sym.layer; a bare digit
  superscript is Pow (A^2), because only the section knows whether Y_{pool}^2 is a layer.
- Subscripts: words (pool, relu, current, new, out, Tanh) go to Sym.tag; an index list
  (i,j), [i+p,j+q], {1[i,j]} goes to Sym.index (the leading layer number of z_{1[i,j]} to
  Sym.sublayer); a shape n^{[1]} \\times m goes to Sym.shape.
- In layer, index, sublayer, shape and sum/max limit positions a subtracted number is folded
  into the Num: L-1 is Add((Sym('L'), Num(-1))) (elsewhere a - 1 is Add((a, Neg(Num(1))))).
- Sloppy notation is kept, never silently fixed: the node records how it was written
  (Sym.style '{}' for b{[3]}, Deriv.repair, DerivOp.repair) and Statement.notes / Parsed.notes
  say what the parser read into it, so the auditor can report it.

Fields added with the notation parser (additive): Sym.index_style, Call.font, Deriv.repair,
DerivOp.repair, Sum.over, Max.over, Statement.opens_with, Statement.notes, Parsed.notes.
Statement.rels may also hold 'in' (\\in) and the comparisons '!=', '>', '<', '>=', '<=',
which are never claims of equality.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction


@dataclass(frozen=True)
class Node:
    """Base class of every syntax-tree node."""


@dataclass(frozen=True)
class Num(Node):
    value: Fraction


@dataclass(frozen=True)
class Sym(Node):
    """A named quantity: W^{[2]}, A_{n\\times m}^{[1]}, w_{i,j}^{(l)}, Y_{pool}^{[1]}, \\hat{y}_i, x, \\alpha, m."""
    name: str                                  # base name as written: 'W', 'b', 'B', 'A', 'Z', 'X', 'Y', 'J', 'C', 'L', 'w', 'a', 'x', 'alpha', 'N', 'h', ...
    layer: Node | None = None               # Num(2), Sym('l'), Add((Sym('L'), Num(-1))); None when absent
    index: tuple = ()                          # element indices: (Sym('i'), Sym('j')) or (Add(i, p), ...)
    tag: str | None = None                  # textual subscript: 'pool', 'relu', 'current', 'new', 'out', 'in', 'Tanh'
    shape: tuple | None = None              # (rows, cols) from a subscript like n^{[1]} \times m
    sublayer: Node | None = None            # the 1 of z_{1[i,j]} / Z_{1,i-p,j-q}, and the 2 of A_2, Z_1, b_2
    hat: bool = False                          # \hat{y}
    style: str = ""                            # how the layer was written: '[]', '()', '^', '{}' (for printing back); '{}' is b{[3]}, the ^ left out
    font: str = ""                             # 'mathcal' for \mathcal{J}, '' otherwise
    index_style: str = ""                      # '' x_{i,j}; '[]' x_{[i,j]} or Z_1[i,j]; '()' x_{(a,b)}; 'call' Y_{relu}(i, j)


@dataclass(frozen=True)
class Shorthand(Node):
    """dZ^{[3]}, db^{[1]} (the derivative of the loss by that quantity) and [\\Delta b_j^{(l)}]."""
    of: Sym
    style: str = "d"                           # 'd' or 'Delta'


@dataclass(frozen=True)
class Transpose(Node):
    arg: Node
    style: str = "T"                           # '^T', '^{T}', '^\\top', or the T inside A^{[2]T}: 'inner'


@dataclass(frozen=True)
class Neg(Node):
    arg: Node


@dataclass(frozen=True)
class Add(Node):
    terms: tuple


@dataclass(frozen=True)
class Mul(Node):
    factors: tuple
    op: str = "juxt"                           # 'juxt' | 'cdot' | 'times' | 'star' | 'odot'


@dataclass(frozen=True)
class Div(Node):
    num: Node
    den: Node
    style: str = "frac"                        # 'frac' | 'slash'


@dataclass(frozen=True)
class Pow(Node):
    base: Node
    exp: Node


@dataclass(frozen=True)
class Call(Node):
    """f(args): sigma, sig, sigmoid, tanh, log, exp (also e^{x}), relu, max, g, softmax, maxpool, and loss calls J(A, Y).

    prime counts derivative marks (g'(Z), g\\prime\\{Z\\}, \\sigma'(Z)); layer holds g^{[1]'}.
    """
    func: str
    args: tuple
    prime: int = 0
    layer: Node | None = None
    bracket: str = "()"                        # '()', '{}' (g\\{Z\\}), '' (sig x, \\log A), 'e^' (e^{x}, func 'exp')
    font: str = ""                             # 'mathcal' for \mathcal{J}(W,b)


@dataclass(frozen=True)
class Deriv(Node):
    """\\frac{\\partial num}{\\partial den} or \\frac{d num}{d den}."""
    num: Node
    den: Node
    partial: bool = True
    repair: str = ""                           # 'den-partial': written \frac{\partial J}{z}, the denominator's \partial missing


@dataclass(frozen=True)
class DerivOp(Node):
    """The operator \\frac{d}{d den} (or \\frac{\\partial}{\\partial den}) applied to body."""
    den: Node
    body: Node
    partial: bool = False
    repair: str = ""                           # 'frac1': written \frac{1}{\partial x}(...), read as the operator d/dx


@dataclass(frozen=True)
class Prime(Node):
    """(expr)' : the derivative of expr by its one free variable."""
    body: Node


@dataclass(frozen=True)
class Sum(Node):
    """\\sum_{i=1}^{C} body, \\sum_j body, \\sum\\{body\\}, np.sum(body, axis=1, keepdims=True)."""
    body: Node
    index: Sym | None = None
    lower: Node | None = None
    upper: Node | None = None
    axis: int | None = None
    keepdims: bool = False
    style: str = "sigma"                       # 'sigma' | 'np' | 'text' (\\text{sum along rows})
    over: tuple = ()                           # several bound indices without limits: \sum_{p,q}


@dataclass(frozen=True)
class Entry(Node):
    """[M]_{qj}: the entry (q, j) of a matrix expression; its indices are free labels, as a name's are."""
    of: Node
    index: tuple


@dataclass(frozen=True)
class Max(Node):
    """\\max_{a=0}^{p-1} body (a reduction); the two-argument max(0, z) is Call('max', ...)."""
    body: Node
    index: Sym | None = None
    lower: Node | None = None
    upper: Node | None = None
    over: tuple = ()                           # \max_{p,q}: several bound indices without limits


@dataclass(frozen=True)
class Rel(Node):
    """A condition: Z > 0, i \\neq j, l = L, Y(i,j,k) = \\max ..."""
    op: str                                    # '>', '<', '>=', '<=', '!=', '='
    left: Node
    right: Node


@dataclass(frozen=True)
class Cases(Node):
    """\\begin{cases} v_1 & cond_1 \\\\ v_2 & \\text{otherwise} \\end{cases}; cond is a Rel, or None for otherwise."""
    branches: tuple                            # ((value, cond_or_None), ...)


@dataclass(frozen=True)
class Matrix(Node):
    rows: tuple                                # tuple of tuples of nodes; Dots() for \\vdots, \\cdots, \\ddots


@dataclass(frozen=True)
class Dots(Node):
    """\\dots, \\cdots, \\vdots, \\ddots, \\ldots inside a sum or matrix."""
    kind: str = "dots"


@dataclass(frozen=True)
class Space(Node):
    """\\mathbb{R}^{[a, b]}: a shape, used in dimension analyses."""
    dims: tuple


@dataclass(frozen=True)
class Either(Node):
    """'A \\text{ or } \\hat{Y}': two names for one quantity."""
    options: tuple


@dataclass(frozen=True)
class Text(Node):
    """\\text{...} that carries no mathematics the parser understands (kept for the report)."""
    text: str
    reason: str = ""      # why it is not checked, when the reader knows (a line of shape bookkeeping)


@dataclass(frozen=True)
class Statement:
    """One display formula: a chain of expressions joined by relations.

    steps[0] rel[0] steps[1] rel[1] steps[2] ...; rel is '=', ':=', '->' (\\rightarrow), or
    '' for a bare expression. A formula with several lines (aligned, \\\\) gives several
    Statements; an aligned line starting with '&=' continues the previous line's chain.
    """
    steps: tuple
    rels: tuple = ()
    annotation: str = ""                       # trailing \text{...} remarks; 'where ...' when the line followed \text{where}
    opens_with: str = ""                       # the formula opens with a relation ('= a(1-a)'): it continues an earlier chain
    notes: tuple = field(default=(), compare=False)   # what the parser repaired or dropped, for the report


@dataclass(frozen=True)
class Control:
    """'for l = 2 up to L:' / 'if L > 1:' lines of an algorithm: context, not a claim."""
    text: str


@dataclass(frozen=True)
class Parsed:
    """What the parser returns for one formula's LaTeX."""
    statements: tuple                          # of Statement | Control
    latex: str = field(default="", compare=False)
    notes: tuple = field(default=(), compare=False)   # every statement's notes, plus lines skipped (\vdots)
