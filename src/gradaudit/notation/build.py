"""Raw tree (raw.py) -> the syntax tree of ast.py, deciding what each piece of notation means
from where it stands. Every decision that is a repair of sloppy writing adds a note.

The rules, in one place each:
- scripts on a name: SUB_RULES / classify_sup (layer, transpose, power, tag, index, shape);
- products: adjacent pieces merge first (MERGES: name + (a, b) is a call or an index,
  \\frac{d}{dx} takes the next factor, \\sum takes the rest), then operators nest left to right;
- fractions: FRAC_RULES (derivative, derivative operator, plain division).
"""
from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

from lark import Token

from ..errors import NotationError
from .ast import (Add, Call, Cases, Deriv, DerivOp, Div, Dots, Either, Matrix, Max, Mul, Neg, Node, Num,
                  Pow, Rel, Shorthand, Space, Sum, Sym, Text)
from .latex import tex
from .pieces import (_bracketed, _DOp, _G, _Grad, _Head, _Indic, _indicator, _Ones, _P, _rel, _substitute, _word, fold,
                     unwrap)
from .scripts import Scripts
from .raw import (RAdd, RArg, RCall, RCases, RDelta, REither, RFrac, RGroup, RHead, RMatrix, RNabla, RNeg,
                  RNpSum, RPartial, RPost, RProd, RStep)


class Builder(Scripts):
    def __init__(self):
        self.notes: list[str] = []

    def note(self, text: str):
        self.notes.append(text)

    # ---- entry points --------------------------------------------------------------------
    def step(self, raw: RStep) -> Node:
        node = self.either(raw.either)
        if raw.textsum is not None:
            node = Sum(body=node, style="text")
        return node

    def either(self, raw: REither) -> Node:
        return self.settle(self.either_loose(raw))

    def either_loose(self, raw: REither):
        if len(raw.items) == 1:
            return self.loose(raw.items[0])
        return Either(tuple(self.build(x) for x in raw.items))

    def chain(self, raw_steps: list, rels: list) -> tuple[list, list]:
        """The steps of one line. 'A : (n, m)' and 'W = (n^{[l]}, n^{[l-1]})' are shape claims, read as
        A \\in \\mathbb{R}^{n \\times m}; any other ':' is a sentence, not a parse error."""
        rels, steps = list(rels), []
        for k, raw in enumerate(raw_steps):
            rel = rels[k - 1] if k else None
            if rel == ":" or (rel == "=" and k == 1 and _is_tuple(raw) and isinstance(steps[0], (Sym, Shorthand))):
                dims = self.shape(raw)
                if dims is None:
                    if rel == ":":
                        raise NotationError("what follows the ':' is not a shape such as (n^{[l]}, m) or "
                                            "n^{[l]} \\times m, so the annotation cannot be read")
                    steps.append(self.step(raw))
                    continue
                steps.append(dims)
                rels[k - 1] = "in"
                continue
            steps.append(self.step(raw))
        return steps, rels

    def shape(self, raw: RStep):
        """(a, b), [a, b], a \\times b, \\mathbb{R}^{...} -> Space, or None when it is not a list of sizes."""
        if raw.textsum is not None:
            return None
        node = unwrap(raw.either)
        if isinstance(node, RGroup) and node.kind in ("(", "[") and len(node.args) == 1:
            node = unwrap(node.args[0])
        if isinstance(node, RGroup) and node.kind in ("(", "[") and len(node.args) >= 2:
            dims = tuple(fold(self.arg(a)) for a in node.args)
        elif isinstance(node, RProd) and len(node.items) >= 2 and all(op == "times" for op, _ in node.items[1:]):
            dims = tuple(fold(self.build(r)) for _, r in node.items)
        else:
            built = self.step(raw)
            return built if isinstance(built, Space) else None
        return Space(dims) if all(_is_size(d) for d in dims) else None

    # ---- dispatch ------------------------------------------------------------------------
    def build(self, raw) -> Node:
        node = self.loose(raw)
        return self.settle(node)

    def settle(self, node) -> Node:
        """A marker standing alone is an error; a one-item group is its content."""
        if isinstance(node, _G):
            if len(node.items) == 1:
                return node.items[0]
            raise NotationError(f"a list {node.kind}a, b, ...{_closer(node.kind)} must follow a function or a named map")
        if isinstance(node, _P):
            raise NotationError("\\partial outside the numerator or denominator of \\frac")
        if isinstance(node, _DOp):
            raise NotationError("a derivative operator \\frac{d}{d...} is applied to nothing")
        if isinstance(node, _Head):
            raise NotationError(f"\\{node.kind} has no body")
        if isinstance(node, _Ones):
            raise NotationError("a ones vector \\mathbf{1} that sums nothing (it must multiply a matrix)")
        if isinstance(node, _Indic):
            raise NotationError("an indicator \\mathbb{1} without its condition [...]")
        if isinstance(node, _Grad):
            return Call("nabla", (node.of,))   # \nabla loss alone: by what is not written (the evaluator says so)
        return node

    def loose(self, raw):
        """Build, but let markers through (the caller merges them with neighbours)."""
        if isinstance(raw, Token):
            return self.token(raw)
        handler = BUILDERS.get(type(raw))
        if handler is None:
            raise NotationError(f"cannot read {type(raw).__name__} here")
        return handler(self, raw)

    def token(self, tok: Token) -> Node:
        t, v = tok.type, tok.value
        if t == "LETTER":
            return Sym(v)
        if t == "NUM":
            return Num(Fraction(v))
        if t == "DSH":
            return Shorthand(Sym(v))
        if t == "HAT":
            return Sym(v, hat=True)
        if t == "MCAL":
            return Sym(v, font="mathcal")
        if t == "DOTS":
            return Dots(v)
        if t == "TEXT":
            return Text(v)
        if t == "SPACER":
            raise NotationError("\\mathbb{R} needs its dimensions as a superscript")
        if t == "ONES":
            return _Ones()
        if t == "INDIC":
            return _Indic()
        if t == "WORD" and len(v) <= 3 and v.isalpha() and v.islower():
            # e^{-(wx + b)}: inside braces a run of letters is lexed as one word; standing as a factor it is the
            # product of its letters, as the same run outside braces is
            return Mul(tuple(Sym(c) for c in v), "juxt")
        if t == "WORD":
            raise NotationError(f"the word {v!r} is only understood as a subscript")
        raise NotationError(f"{v!r} cannot stand here")

    # ---- sums, products -------------------------------------------------------------------
    def add(self, raw: RAdd) -> Node:
        terms = []
        for sign, r in raw.terms:
            node = self.build(r)
            terms.append(node if sign > 0 else Neg(node))
        return Add(tuple(terms))

    def neg(self, raw: RNeg) -> Node:
        return Neg(self.build(raw.arg))

    def group(self, raw: RGroup):
        items = tuple(self.arg(a) for a in raw.args)
        if raw.kind == "||":
            if len(items) != 1:
                raise NotationError("a norm \\| ... \\| of a list")
            return Pow(_squares(items[0]), Div(Num(Fraction(1)), Num(Fraction(2))))
        return _G(raw.kind, items, raw)

    def arg(self, a: RArg) -> Node:
        if a.rels:
            nodes = [self.build(a.first)] + [self.build(r) for _, r in a.rels]
            if len(nodes) == 2:
                return Rel(_rel(a.rels[0][0]), nodes[0], nodes[1])
            raise NotationError("a chain of relations inside brackets")
        return self.build(a.first)

    def product(self, raw: RProd):
        pieces = [(op, r, self.loose(r)) for op, r in raw.items]
        merged = self.merge(pieces)
        if len(merged) == 1 and isinstance(merged[0][1], (_P, _DOp)):
            return merged[0][1]
        return self.nest([(op, self.settle(p)) for op, p in merged])

    def merge(self, pieces):
        """Left to right: combine each piece with the juxtaposed piece after it where a rule applies."""
        out = []
        i = 0
        while i < len(pieces):
            op, raw, node = pieces[i]
            nxt = pieces[i + 1] if i + 1 < len(pieces) and pieces[i + 1][0] is None else None
            if isinstance(node, _Head):
                rest = self.merge(pieces[i + 1:])
                if not rest:
                    raise NotationError(f"\\{node.kind} has no body")
                rest[0] = (None, rest[0][1])
                body = self.nest([(o, self.settle(p)) for o, p in rest])
                out.append((op, self.reduction(node, body)))
                return out
            if nxt is not None:
                combined = self.combine(node, raw, nxt[2], nxt[1])
                if combined is not None:
                    pieces = pieces[:i] + [(op, raw, combined)] + pieces[i + 2:]
                    continue
            out.append((op, node))
            i += 1
        return out

    def combine(self, left, left_raw, right, right_raw):
        """One merge rule per pattern; None when the two pieces are simply multiplied."""
        if isinstance(left, _DOp):
            body = self.settle(right)
            if left.repair:
                self.note(f"\\frac{{1}}{{\\partial {tex(left.den)}}}(...) read as the derivative operator "
                          f"\\frac{{\\partial}}{{\\partial {tex(left.den)}}} applied to (...)")
            return DerivOp(den=left.den, body=body, partial=left.partial, repair=left.repair)
        if isinstance(left, _P) and isinstance(left.arg, Sym):
            inner = self.combine(left.arg, None, right, right_raw)
            if inner is None and isinstance(right, _G) and right.kind == "(" and len(right.items) == 1:
                inner = Mul((left.arg, right.items[0]), "juxt")   # \partial h_\theta(x): of the model at its input
            return _P(inner) if inner is not None else None
        if isinstance(left, _Grad) and isinstance(right, _G) and right.kind == "(" and len(right.items) == 1 \
                and isinstance(right.items[0], Sym):
            return Deriv(left.of, right.items[0], True)   # \nabla loss(scores): the gradient of loss by scores
        if isinstance(left, _Indic) and isinstance(right, _G) and len(right.items) == 1:
            return _indicator(right.items[0])
        if isinstance(right, _Ones) and not right.transposed and not isinstance(left, (_Ones, _Indic, _P, _DOp, _Head)):
            return Sum(self.settle(left), axis=1, keepdims=True, style="np")      # dZ 1: the sum along each row
        if isinstance(left, _Ones) and left.transposed and not isinstance(right, (_Ones, _Indic, _P, _DOp, _Head)):
            return Sum(self.settle(right), axis=0, keepdims=True, style="np")     # 1^T dZ: the sum down each column
        if not isinstance(left, Sym) or not isinstance(right, _G):
            return None
        if right.kind == "(" and (len(right.items) >= 2 or _word(left)):
            return self.apply_name(left, right.items)   # J(A, Y); loss(scores): a word before brackets is applied
        if right.kind == "[" and len(right.items) >= 2 and not left.index:
            return replace(left, index=tuple(fold(x) for x in right.items), index_style="[]")
        inner = unwrap(right.raw.args[0]) if len(right.raw.args) == 1 else None
        if right.kind == "{" and isinstance(inner, RGroup) and inner.kind == "[" and left.layer is None:
            if len(inner.args) != 1:
                return None
            node = replace(left, layer=fold(self.arg(inner.args[0])), style="{}")
            self.note(f"{tex(node)} written without '^' read as the layer index: {tex(replace(node, style='[]'))}")
            return node
        return None

    def apply_name(self, sym: Sym, args: tuple) -> Node:
        """name(a, b): a call (J(A, Y)) or, for a tagged map, function-style indexing (Y_{relu}(i, j))."""
        if sym.tag is not None and not sym.index:
            return replace(sym, index=tuple(fold(a) for a in args), index_style="call")
        if sym.index or sym.shape is not None or sym.sublayer is not None or sym.hat:
            raise NotationError(f"cannot apply the indexed name {sym.name} to a list of arguments")
        return Call(func=sym.name, args=args, layer=sym.layer, font=sym.font)

    def nest(self, items) -> Node:
        """[(None, a), ('cdot', b), (None, c)] -> Mul((Mul((a, b), 'cdot'), c), 'juxt'): runs of one
        operator flatten, a change of operator nests what came before, as written."""
        node, run, run_op = None, [], None
        for op, p in items:
            op = op or "juxt"
            if not run:
                run, run_op = [p], None
                continue
            if op == "slash":
                node = Div(self._close(run, run_op), p, style="slash")
                run, run_op = [node], None
                continue
            if run_op is None or op == run_op:
                run.append(p)
                run_op = op
            else:
                run, run_op = [self._close(run, run_op), p], op
        return self._close(run, run_op)

    @staticmethod
    def _close(run, op):
        return run[0] if len(run) == 1 else Mul(tuple(run), op)

    # ---- reductions, functions ----------------------------------------------------------------
    def reduction(self, head: _Head, body: Node) -> Node:
        index = lower = upper = excluded = None
        over = ()
        for kind, s in head.scripts:
            if kind == "sup":
                if upper is not None:
                    raise NotationError(f"two upper limits on \\{head.kind}")
                upper = fold(self.sarg_expr(s))
                continue
            if index is not None or over:
                raise NotationError(f"two subscripts on \\{head.kind}")
            if s.token is not None:
                index = self.token(s.token)
            elif len(s.items) == 1:
                raw, rel, rhs = s.items[0]
                index = self.build(raw)
                if rel == "in" and head.kind == "sum" and isinstance(self.build(raw), Sym):
                    # \sum_{d \in D_j}: over the units d that unit j feeds, in a dense layer all of the next layer's
                    self.note(f"\\sum_{{{tex(self.build(raw))} \\in {tex(self.build(rhs))}}} read as the sum over "
                              f"every {tex(self.build(raw))} (a dense layer's set)")
                elif rel == "!=" and head.kind == "sum" and isinstance(self.build(raw), Sym):
                    excluded = (self.build(raw), fold(self.build(rhs)))   # \sum_{k \neq i}: every k but i
                elif rel is not None:
                    if rel != "=":
                        raise NotationError(f"\\{head.kind}_{{i {rel} ...}}: only i = start is understood")
                    lower = fold(self.build(rhs))
            else:
                if any(rel is not None for _, rel, _ in s.items):
                    raise NotationError(f"\\{head.kind} with several indices and a relation")
                over = tuple(self.build(r) for r, _, _ in s.items)
            if index is not None and not isinstance(index, Sym):
                raise NotationError(f"the index of \\{head.kind} must be a name")
        cls = Sum if head.kind == "sum" else Max
        if excluded is not None:
            # every term but the one at k = i: the whole sum less that term
            return Add((Sum(body=body, index=index), Neg(_substitute(body, excluded[0].name, excluded[1]))))
        return cls(body=body, index=index, lower=lower, upper=upper, over=over)

    def head(self, raw: RHead):
        return _Head(raw.kind, tuple(raw.scripts))

    def partial(self, raw: RPartial):
        return _P(None if raw.arg is None else self.build(raw.arg))

    def delta(self, raw: RDelta) -> Node:
        node = self.build(raw.arg)
        if not isinstance(node, Sym):
            raise NotationError("\\Delta must be followed by a name (\\Delta b_j^{(l)})")
        return Shorthand(node, style="Delta")

    def call(self, raw: RCall) -> Node:
        func = raw.func.value
        prime, layer, power = 0, None, None
        for p in raw.posts:
            if p[0] == "prime":
                prime += 1
            elif p[0] == "sub":
                raise NotationError(f"a subscript on the function {func}")
            else:
                s = p[1]
                if s.token is not None and s.token.type == "NUM":
                    power = Num(Fraction(s.token.value))
                    continue
                if s.token is None and len(s.items) == 1 and s.items[0][1] is None:
                    bracket, extra = _bracketed(s.items[0][0])
                    if bracket is not None and len(bracket.args) == 1:
                        layer = fold(self.arg(bracket.args[0]))
                        prime += extra == "prime"
                        if extra == "T":
                            raise NotationError(f"a transpose on the function {func}")
                        continue
                    node = self.build(s.items[0][0])
                    if isinstance(node, Num) or (isinstance(node, Neg) and isinstance(node.arg, Num)):
                        power = node
                        continue
                raise NotationError(f"cannot read the superscript of the function {func}")
        args = tuple(self.arg(a) for a in raw.args)
        if func.startswith("np."):
            node = _numpy_call(func[3:], args)
            return Pow(node, power) if power is not None else node
        node: Node = Call(func=func, args=args, prime=prime, layer=layer, bracket=raw.bracket)
        return Pow(node, power) if power is not None else node

    def npsum(self, raw: RNpSum) -> Node:
        axis, keepdims = None, False
        for kw in raw.kwargs:
            key, value = kw.split("=")
            if key == "axis":
                axis = int(value)
            else:
                keepdims = value == "True"
        return Sum(body=self.either(raw.body), axis=axis, keepdims=keepdims, style="np")

    def cases(self, raw: RCases) -> Node:
        branches = []
        for value, cond in raw.rows:
            c = None
            if cond is not None:
                op, left, right = cond
                c = Rel(_rel(op), self.either(left), self.either(right))
            branches.append((self.either(value), c))
        return Cases(tuple(branches))

    def matrix(self, raw: RMatrix) -> Node:
        return Matrix(tuple(tuple(self.either(c) for c in row) for row in raw.rows))

    # ---- fractions ------------------------------------------------------------------------------
    def frac(self, raw: RFrac):
        if len(raw.num) != 1 or len(raw.den) != 1 or raw.num[0].rels or raw.den[0].rels:
            raise NotationError("\\frac with a comma or relation in its numerator or denominator")
        num = self.loose(raw.num[0].first)
        den = self.loose(raw.den[0].first)
        for rule in FRAC_RULES:
            out = rule(self, num, den)
            if out is not None:
                return out
        return Div(self.settle(num), self.settle(den))


def _frac_derivative(b: Builder, num, den):
    if isinstance(num, _P) and isinstance(den, _P) and den.arg is not None:
        if num.arg is None:
            return _DOp(den.arg, True)
        return Deriv(num.arg, den.arg, True)
    return None


def _frac_missing_partial(b: Builder, num, den):
    if isinstance(num, _P) and num.arg is not None and isinstance(den, (Sym, Shorthand)):
        node = Deriv(num.arg, den, True, repair="den-partial")
        b.note(f"{tex(node)}: the denominator has no \\partial; read as {tex(replace(node, repair=''))}")
        return node
    return None


def _frac_total(b: Builder, num, den):
    if isinstance(den, Shorthand) and den.style == "d":
        if num == Sym("d"):
            return _DOp(den.of, False)
        if isinstance(num, Shorthand) and num.style == "d":
            return Deriv(num.of, den.of, False)
        if isinstance(num, Mul) and len(num.factors) >= 2 and num.factors[0] == Sym("d"):
            # \frac{d\sigma(x)}{dx}: the total derivative of the expression after the d
            body = num.factors[1] if len(num.factors) == 2 else Mul(num.factors[1:], num.op)
            return DerivOp(den.of, body, False)
    return None


def _frac_spaced_d(b: Builder, num, den):
    """\frac{d a^L_k}{d z^L_k}: a d written apart from the name it differentiates, above and below."""
    def after_d(x):
        if isinstance(x, Mul) and x.op == "juxt" and len(x.factors) == 2 and x.factors[0] == Sym("d") \
                and isinstance(x.factors[1], Sym):
            return x.factors[1]
        return None
    top, bottom = after_d(num), after_d(den)
    if top is not None and bottom is not None:
        return Deriv(top, bottom, False)
    return None


def _frac_one_over_partial(b: Builder, num, den):
    if num == Num(Fraction(1)) and isinstance(den, _P) and den.arg is not None:
        return _DOp(den.arg, True, repair="frac1")
    return None


FRAC_RULES = (_frac_derivative, _frac_missing_partial, _frac_total, _frac_spaced_d, _frac_one_over_partial)

BUILDERS = {
    RAdd: Builder.add, RNeg: Builder.neg, RGroup: Builder.group, RProd: Builder.product, RPost: Builder.post,
    RHead: Builder.head, RPartial: Builder.partial, RDelta: Builder.delta, RCall: Builder.call,
    RNpSum: Builder.npsum, RCases: Builder.cases, RMatrix: Builder.matrix, RFrac: Builder.frac, RNabla: Builder.nabla,
    REither: Builder.either_loose,
}

def _closer(kind: str) -> str:
    return {"(": ")", "[": "]", "\\{": "\\}", "{": "}"}[kind]


def _numpy_call(name: str, args: tuple) -> Node:
    """np.divide(a, b) is a / b, np.multiply the elementwise product, np.dot the matrix product, np.maximum(0, z)
    the max: the mathematics the code computes."""
    two = {"divide": lambda a, b: Div(a, b), "multiply": lambda a, b: Mul((a, b), "odot"),
           "dot": lambda a, b: Mul((a, b)), "matmul": lambda a, b: Mul((a, b)),
           "maximum": lambda a, b: Call("max", (a, b))}
    one = {"exp": "exp", "log": "log", "tanh": "tanh"}
    if name in two and len(args) == 2:
        return two[name](*args)
    if name in one and len(args) == 1:
        return Call(one[name], args)
    raise NotationError(f"np.{name} with {len(args)} arguments")


def _is_tuple(raw: RStep) -> bool:
    node = unwrap(raw.either)
    return raw.textsum is None and isinstance(node, RGroup) and node.kind == "(" and len(node.args) >= 2


def _is_size(node) -> bool:
    """A size: a number, a lowercase length (m, n_x), a layer's width n^{[l]}, or sums and products of them."""
    if isinstance(node, Num):
        return True
    if isinstance(node, Sym):
        return node.name == "n" or (len(node.name) == 1 and node.name.islower() and node.layer is None)
    if isinstance(node, Pow):
        return isinstance(node.base, Sym) and node.base.name == "n"
    if isinstance(node, (Add, Mul)):
        return all(_is_size(x) for x in (node.terms if isinstance(node, Add) else node.factors))
    if isinstance(node, Neg):
        return _is_size(node.arg)
    return False


def _squares(node: Node) -> Node:
    """The sum of the squares of every entry: \\|x\\|^2."""
    return Sum(Mul((node, node), "odot"), style="np")

