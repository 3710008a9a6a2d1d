"""The Lark transformer: grammar.lark's parse tree -> a raw tree that still knows how things were
written (which bracket, which script, which operator).

Why a raw stage: what a piece of LaTeX means depends on where it stands (^{[l-1]T} is a layer
and a transpose on W but a power on e; (a, b) is an argument list after J but an index list
after Y_{relu}), and that is decided in build.py with the whole context in view. The callbacks
run inside the LALR parser (Lark's transformer= option), so no recursion happens here.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from lark import Token, Transformer


@dataclass
class RPost:            # atom with sub/superscripts and primes, in the order written
    base: object
    posts: list


@dataclass
class RSarg:            # the argument of ^ or _: one token, or {items}
    token: Token | None = None
    items: list = field(default_factory=list)      # of (raw, rel_op | None, raw | None)


@dataclass
class RGroup:
    kind: str           # '(' '[' '\\{' '{'
    args: list          # of RArg


@dataclass
class RArg:
    first: object
    rels: list          # of (op, raw)


@dataclass
class RProd:
    items: list         # of (op | None, raw); None is juxtaposition


@dataclass
class RAdd:
    terms: list         # of (sign, raw)


@dataclass
class RNeg:
    arg: object


@dataclass
class RHead:            # \sum / \max with its limits, waiting for its body
    kind: str
    scripts: list


@dataclass
class RPartial:
    arg: object


@dataclass
class RDelta:
    arg: object


@dataclass
class RNabla:           # \nabla_{x} f: the gradient of f by x
    by: object          # the subscript (an RSarg)
    of: object


@dataclass
class RFrac:
    num: list
    den: list


@dataclass
class RCall:
    func: Token
    posts: list
    bracket: str
    args: list


@dataclass
class RNpSum:
    body: object
    kwargs: list


@dataclass
class RCases:
    rows: list          # of (value, cond) with cond None or (op, left, right)


@dataclass
class RMatrix:
    rows: list


@dataclass
class REither:
    items: list


@dataclass
class RStep:
    either: REither
    textsum: Token | None


@dataclass
class RLine:
    lead: str           # a relation the line opens with, or ''
    steps: list
    rels: list
    trail: str          # a relation the line ends with, or ''


@dataclass
class _Op:              # a product operator between two factors (atoms are Tokens too)
    name: str


class RawBuilder(Transformer):
    """One callback per grammar rule/alias; each returns a raw node."""

    def lead_chain(self, c):
        rel, line = c
        line.lead = rel.value
        return line

    def start(self, c):
        return c[0]

    def lead_only(self, c):
        return RLine(c[0].value, [], [], "")

    def chain(self, c):
        steps = [x for x in c if isinstance(x, RStep)]
        rels = [x.value for x in c if isinstance(x, Token)]
        trail = rels.pop() if len(rels) == len(steps) else ""
        return RLine("", steps, rels, trail)

    def step(self, c):
        return RStep(c[0], c[1] if len(c) > 1 else None)

    def either(self, c):
        return REither([x for x in c if not (isinstance(x, Token) and x.type == "OR")])

    def add(self, c):
        return self._sum(c[0], +1, c[2])

    def minus(self, c):
        return self._sum(c[0], -1, c[2])

    @staticmethod
    def _sum(left, sign, right):
        if isinstance(left, RAdd):
            left.terms.append((sign, right))
            return left
        return RAdd([(+1, left), (sign, right)])

    def neg(self, c):
        return RNeg(c[1])

    def pos(self, c):
        return c[1]

    def product(self, c):
        items, op = [], None
        for x in c:
            if isinstance(x, _Op):
                op = x.name
            else:
                items.append((op if items else None, x))
                op = None
        return RProd(items)

    def prodop(self, c):
        return _Op("slash" if c[0].type == "SLASH" else c[0].value)

    def sumhead(self, c):
        return RHead("sum", c[1:])

    def maxhead(self, c):
        return RHead("max", c[1:])

    def partial(self, c):
        return RPartial(c[1] if len(c) > 1 else None)

    def delta(self, c):
        return RDelta(c[1])

    def postfix(self, c):
        if len(c) == 1:
            return c[0]
        return RPost(c[0], [p if isinstance(p, tuple) else ("prime",) for p in c[1:]])

    def superscript(self, c):
        return ("sup", c[1])

    def subscript(self, c):
        return ("sub", c[1])

    def sarg(self, c):
        return RSarg(token=c[0])

    def sarg_braced(self, c):
        return RSarg(items=c[1])

    def sitems(self, c):
        return [x for x in c if not isinstance(x, Token)]

    def sitem(self, c):
        if len(c) == 1:
            return (c[0], None, None)
        return (c[0], c[1].value, c[2])

    def paren(self, c):
        return RGroup("(", c[1])

    def brack(self, c):
        return RGroup("[", c[1])

    def curly(self, c):
        return RGroup("\\{", c[1])

    def brace(self, c):
        return RGroup("{", c[1])

    def args(self, c):
        return [x for x in c if not isinstance(x, Token)]

    def arg(self, c):
        rels = [(c[k].value, c[k + 1]) for k in range(1, len(c), 2)]
        return RArg(c[0], rels)

    def nabla(self, c):
        return RNabla(c[1], c[2])

    def nabla_bare(self, c):
        return RNabla(None, c[1])

    def norm(self, c):
        return RGroup("||", c[1])

    def frac(self, c):
        return RFrac(c[2], c[5])

    def call(self, c):
        func, *posts, (bracket, args) = c
        return RCall(func, [p if isinstance(p, tuple) else ("prime",) for p in posts], bracket, args)

    def fargs_paren(self, c):
        return ("()", c[1])

    def fargs_curly(self, c):
        return ("{}", c[1])

    def fargs_bare(self, c):
        return ("", [RArg(c[0], [])])

    def bare(self, c):
        if len(c) == 1:
            return c[0]
        return RPost(c[0], c[1:])

    def npsum(self, c):
        body = c[2]
        kwargs = [x.value for x in c if isinstance(x, Token) and x.type == "KWARG"]
        return RNpSum(body, kwargs)

    def cases(self, c):
        return RCases([x for x in c if not isinstance(x, Token)])

    def crow_if(self, c):
        rest = [x for x in c if not isinstance(x, Token) or x.type == "REL"]
        value, left, rel, right = rest
        return (value, (rel.value, left, right))

    def crow_otherwise(self, c):
        return (c[0], None)

    def crow_rel(self, c):
        return self.crow_if(c)

    def matrix(self, c):
        return RMatrix([x for x in c if not isinstance(x, Token)])

    def mrow(self, c):
        return [x for x in c if not isinstance(x, Token)]

    def __default_token__(self, token):
        return token
