"""Raw tree (raw.py) -> the syntax tree of ast.py, deciding what each piece of notation means
from where it stands. Every decision that is a repair of sloppy writing adds a note.

The rules, in one place each:
- scripts on a name: SUB_RULES / classify_sup (layer, transpose, power, tag, index, shape);
- products: adjacent pieces merge first (MERGES: name + (a, b) is a call or an index,
  \\frac{d}{dx} takes the next factor, \\sum takes the rest), then operators nest left to right;
- fractions: FRAC_RULES (derivative, derivative operator, plain division).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction

from lark import Token

from ..errors import NotationError
from .ast import (Add, Call, Cases, Deriv, DerivOp, Div, Dots, Either, Matrix, Max, Mul, Neg, Node, Num,
                  Pow, Prime, Rel, Shorthand, Space, Sum, Sym, Text, Transpose)
from .latex import tex
from .tokens import GREEK
from .raw import (RAdd, RArg, RCall, RCases, RDelta, REither, RFrac, RGroup, RHead, RMatrix, RNabla, RNeg,
                  RNpSum, RPartial, RPost, RProd, RSarg, RStep)


# ---- markers: pieces that only mean something next to their neighbours -------------------
@dataclass(frozen=True)
class _P:                 # \partial x (x may be None: a bare \partial)
    arg: object


@dataclass(frozen=True)
class _DOp:               # \frac{d}{dx}: waits for the factor it applies to
    den: Node
    partial: bool
    repair: str = ""


@dataclass(frozen=True)
class _G:                 # a bracketed list, kept until we know whether it is a group, call or index
    kind: str
    items: tuple
    raw: RGroup


@dataclass(frozen=True)
class _Head:
    kind: str
    scripts: tuple


@dataclass(frozen=True)
class _Grad:              # \nabla f: waits for the argument (x) that says what f's gradient is taken by
    of: Node


@dataclass(frozen=True)
class _Ones:              # \mathbf{1} (a column of ones) or \mathbf{1}^T: waits for the matrix it sums
    transposed: bool = False


@dataclass(frozen=True)
class _Indic:             # \mathbb{1}: waits for its condition [j = y_i], (Z > 0)
    pass




def _word(sym) -> bool:
    """A name of several letters (loss, h1: tokens.words_in), bare: before brackets, a function of them."""
    return isinstance(sym, Sym) and len(sym.name) > 1 and sym.name.isalnum() and not sym.index \
        and sym.layer is None and sym.sublayer is None and not sym.hat and not sym.tag and sym.name not in GREEK


def _number_sub(text: str) -> dict:
    """z_2, W_{12}: a number subscript (a layer or an index, as the section reads it). Two digits or more are kept
    as written too: on a matrix, W_{12} is its element (1, 2) (evaluate reads index_style 'digits:12')."""
    sub = {"sublayer": Num(Fraction(text))}
    if 1 < len(text) <= 3 and text.isdigit():   # a matrix's (or a 3-axis map's) element, not z_{100000000}
        sub["index_style"] = "digits:" + text
    return sub


class Builder:
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

    # ---- scripts on names -------------------------------------------------------------------
    def post(self, raw: RPost) -> Node:
        base = raw.base
        subs = [p[1] for p in raw.posts if p[0] == "sub"]
        sups = [p[1] for p in raw.posts if p[0] == "sup"]
        primes = sum(1 for p in raw.posts if p[0] == "prime")
        if len(subs) > 1 or len(sups) > 1:
            raise NotationError("two subscripts or two superscripts on one symbol")
        first_prime = next((k for k, p in enumerate(raw.posts) if p[0] == "prime"), len(raw.posts))
        if any(p[0] != "prime" for p in raw.posts[first_prime:]):
            raise NotationError("a script after a prime (A'^2) is not supported")
        if isinstance(base, Token) and base.type == "ONES" and not primes:
            # \mathbf{1}_m, \mathbf{1}^T: the subscript only says the length
            if not sups:
                return _Ones()
            if isinstance(self.power_or_transpose(Num(Fraction(1)), sups[0]), Transpose):
                return _Ones(transposed=True)
            raise NotationError("a ones vector \\mathbf{1} with a superscript other than a transpose")
        if isinstance(base, Token) and base.type == "INDIC" and subs and not sups and not primes:
            return _indicator(self.condition(subs[0]))
        if isinstance(base, RGroup) and base.kind == "||":
            return self.norm(base, subs, sups, primes)
        inner = unwrap(base.args[0]) if isinstance(base, RGroup) and base.kind == "{" and len(base.args) == 1 else None
        if isinstance(inner, Token) and inner.type in ("LETTER", "DSH", "HAT", "MCAL"):
            base = inner                          # {dA}^{[l]}: braces around one name only group it
        if isinstance(base, Token) and base.type in ("LETTER", "DSH", "HAT", "MCAL"):
            node = self.named(base, subs[0] if subs else None, sups[0] if sups else None)
        elif isinstance(base, Token) and base.type == "SPACER":
            if subs or not sups:
                raise NotationError("\\mathbb{R} needs its dimensions as a superscript")
            node = Space(self.dims(sups[0]))
        else:
            if subs:
                raise NotationError("a subscript on something that is not a name")
            node = self.build(base)
            if sups:
                node = self.power_or_transpose(node, sups[0])
        for _ in range(primes):
            node = Prime(node)
        return node

    def norm(self, base: RGroup, subs, sups, primes) -> Node:
        """\\|W\\|_F^2, \\|y - a\\|^2, \\|x\\|_2: the Frobenius (Euclidean) norm, squared or not."""
        if primes:
            raise NotationError("a prime on a norm")
        for sub in subs:
            word = sub.token.value if sub.token is not None else None
            if word not in ("F", "2"):
                raise NotationError("only the Frobenius or Euclidean norm (\\|x\\|_F, \\|x\\|_2) is read")
        root = self.build(base)
        if not sups:
            return root
        exp = self.sarg_expr(sups[0])
        if exp == Num(Fraction(2)):
            return root.base
        return Pow(root, exp)

    def condition(self, s: RSarg) -> Node:
        """The subscript of \\mathbb{1}_{y_i = j}: one relation."""
        if s.token is not None or len(s.items) != 1 or s.items[0][1] is None:
            raise NotationError("an indicator \\mathbb{1}_{...} needs a condition such as y_i = j")
        left, op, right = s.items[0]
        return Rel(_rel(op), self.either(left), self.either(right))

    def nabla(self, raw: RNabla) -> Node:
        """\\nabla_{W^{(k)}} J is dJ/dW^{(k)}; Nielsen's \\nabla_a C is the gradient by the output activations a^L."""
        if raw.by is None:
            return _Grad(self.build(raw.of))   # \nabla loss(scores): by the argument written after it
        kind, by = raw.by
        if kind != "sub":
            raise NotationError("\\nabla needs the quantity it differentiates by as a subscript (\\nabla_a C)")
        den = self.sarg_expr(by)
        if den == Sym("a"):
            den = Sym("a", layer=Sym("L"), style="^")
        if not isinstance(den, (Sym, Shorthand)):
            raise NotationError("\\nabla_{...}: the gradient by something that is not a name")
        return Deriv(self.build(raw.of), den, True)

    def named(self, tok: Token, sub: RSarg | None, sup: RSarg | None) -> Node:
        if tok.type == "LETTER" and tok.value == "e" and sup is not None and sub is None:
            return Call("exp", (self.sarg_expr(sup),), bracket="e^")
        sup, example = _split_example(sup)
        if example:
            tok = _one_example_name(tok)
            if sup is None and tok.type == "MCAL":
                if sub is not None:
                    raise NotationError("a per-example loss L^{(i)} with a subscript")
                return Sym(tok.value, font="mathcal")
        sym = self.token(tok)
        shorthand = isinstance(sym, Shorthand)
        if shorthand:
            sym = sym.of
        if sub is not None:
            sym = replace(sym, **self.classify_sub(sub))
        node: Node = sym
        if sup is not None:
            kind, value, style, extra = self.classify_sup(sup)
            if kind == "layer":
                sym = replace(sym, layer=value, style=style)
                node = sym
                if extra == "T":
                    node = Transpose(sym, style="inner")
                elif extra == "prime":
                    node = Prime(sym)
            elif kind == "T":
                node = Transpose(sym, style=style)
            else:
                node = Pow(sym, value)
        if shorthand:
            if isinstance(node, Sym):
                return Shorthand(node)
            if isinstance(node, Transpose) and isinstance(node.arg, Sym):
                return Transpose(Shorthand(node.arg), node.style)
            if isinstance(node, Pow):
                return Pow(Shorthand(node.base), node.exp)
            raise NotationError("cannot read this script on a d-shorthand")
        return node

    def sarg_expr(self, s: RSarg) -> Node:
        if s.token is not None:
            return self.token(s.token)
        if len(s.items) != 1 or s.items[0][1] is not None:
            raise NotationError("a superscript with a comma or relation")
        return self.build(s.items[0][0])

    def classify_sup(self, s: RSarg):
        """-> (kind, value, style, extra): ('layer', node, '[]'|'()'|'^', ''|'T'|'prime'),
        ('T', None, style, ''), ('pow', node, '', '')."""
        if s.token is not None:
            t = s.token
            if t.type == "TOP":
                return ("T", None, "^\\top", "")
            if t.type == "LETTER" and t.value == "T":
                return ("T", None, "^T", "")
            if t.type == "NUM":
                return ("pow", Num(Fraction(t.value)), "", "")
            if t.type == "LETTER":
                return ("layer", Sym(t.value), "^", "")
            raise NotationError(f"cannot read the superscript {t.value!r}")
        if len(s.items) != 1 or s.items[0][1] is not None:
            raise NotationError("a superscript with a comma or relation")
        raw = unwrap(s.items[0][0])
        if isinstance(raw, Token) and raw.type == "TOP":
            return ("T", None, "^\\top", "")
        if isinstance(raw, Token) and raw.type == "LETTER" and raw.value == "T":
            return ("T", None, "^{T}", "")
        bracket, extra = _bracketed(raw)
        if bracket is not None:
            if len(bracket.args) != 1:
                raise NotationError("a layer index with a comma")
            return ("layer", fold(self.arg(bracket.args[0])), "[]" if bracket.kind == "[" else "()", extra)
        node = self.build(raw)
        if _is_index_expr(node) and _has_symbol(node):
            return ("layer", fold(node), "^", "")
        return ("pow", node, "", "")

    def classify_sub(self, s: RSarg) -> dict:
        if s.token is not None:
            t = s.token
            if t.type == "WORD":
                return _word_sub(t.value)
            if t.type == "NUM":
                return _number_sub(t.value)
            if t.type == "LETTER":
                return {"index": (Sym(t.value),)}
            raise NotationError(f"cannot read the subscript {t.value!r}")
        if any(rel is not None for _, rel, _ in s.items):
            raise NotationError("a relation inside a subscript (only \\sum and \\max take i=1)")
        raws = [unwrap(r) for r, _, _ in s.items]
        if len(raws) == 1:
            raw = raws[0]
            if isinstance(raw, Token) and raw.type == "WORD":
                return _word_sub(raw.value)
            if isinstance(raw, Token) and raw.type == "NUM":
                return _number_sub(raw.value)
            if isinstance(raw, RGroup) and raw.kind in ("[", "("):
                return {"index": tuple(fold(self.arg(a)) for a in raw.args),
                        "index_style": "[]" if raw.kind == "[" else "()"}
            if isinstance(raw, RProd) and len(raw.items) == 2 and raw.items[1][0] == "times":
                return {"shape": (fold(self.build(raw.items[0][1])), fold(self.build(raw.items[1][1])))}
            if (isinstance(raw, RProd) and len(raw.items) == 2 and raw.items[1][0] is None
                    and isinstance(raw.items[0][1], Token) and raw.items[0][1].type == "NUM"
                    and isinstance(raw.items[1][1], RGroup) and raw.items[1][1].kind in ("[", "(")):
                g = raw.items[1][1]
                return {"sublayer": Num(Fraction(raw.items[0][1].value)),
                        "index": tuple(fold(self.arg(a)) for a in g.args),
                        "index_style": "[]" if g.kind == "[" else "()"}
            return {"index": (fold(self.build(raw)),)}
        nodes = [fold(self.build(r)) for r in raws]
        if isinstance(nodes[0], Num) and not all(isinstance(n, Num) for n in nodes[1:]):
            return {"sublayer": nodes[0], "index": tuple(nodes[1:])}
        return {"index": tuple(nodes)}

    def dims(self, s: RSarg) -> tuple:
        if s.token is not None:
            return (fold(self.token(s.token)),)
        if len(s.items) == 1:
            raw = unwrap(s.items[0][0])
            if isinstance(raw, RGroup) and raw.kind == "[":
                return tuple(fold(self.arg(a)) for a in raw.args)
            if isinstance(raw, RProd) and len(raw.items) == 2 and raw.items[1][0] == "times":
                return (fold(self.build(raw.items[0][1])), fold(self.build(raw.items[1][1])))
        raise NotationError("\\mathbb{R}^{...}: write the dimensions as [a, b] or a \\times b")

    def power_or_transpose(self, node: Node, s: RSarg) -> Node:
        if s.token is not None and s.token.type in ("TOP", "LETTER") and s.token.value in ("T", "top"):
            return Transpose(node, "^\\top" if s.token.type == "TOP" else "^T")
        if s.token is None and len(s.items) == 1 and s.items[0][1] is None:
            raw = unwrap(s.items[0][0])
            if isinstance(raw, Token) and (raw.type == "TOP" or (raw.type == "LETTER" and raw.value == "T")):
                return Transpose(node, "^\\top" if raw.type == "TOP" else "^{T}")
        bracket, _ = _bracketed(s.items[0][0]) if s.token is None and len(s.items) == 1 else (None, "")
        if bracket is not None and bracket.kind == "[":
            raise NotationError(f"a layer index ^{{[...]}} on {tex(node)}, which is not a name")
        return Pow(node, self.sarg_expr(s))

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


def _substitute(node, name: str, value):
    """node with the bare name `name` (an index, not a quantity) replaced by value wherever it is written."""
    if isinstance(node, Sym) and node.name == name and node.layer is None and not node.index and not node.tag:
        return value
    if not isinstance(node, Node):
        return node
    changes = {}
    for key, v in node.__dict__.items():
        if isinstance(v, Node):
            new = _substitute(v, name, value)
        elif isinstance(v, tuple):
            new = tuple(_substitute(x, name, value) if isinstance(x, Node) else
                        tuple(_substitute(y, name, value) for y in x) if isinstance(x, tuple) else x for x in v)
        else:
            continue
        if new != v:
            changes[key] = new
    return replace(node, **changes) if changes else node


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

REL_OPS = {"=": "=", ":=": ":=", "->": "->", "in": "in", "!=": "!=", ">": ">", "<": "<", ">=": ">=", "<=": "<="}


def _rel(op: str) -> str:
    return REL_OPS[op]


def _closer(kind: str) -> str:
    return {"(": ")", "[": "]", "\\{": "\\}", "{": "}"}[kind]


def unwrap(raw):
    """The grammar wraps every expression in REither and RProd; see through one-item wrappers."""
    while True:
        if isinstance(raw, REither) and len(raw.items) == 1:
            raw = raw.items[0]
        elif isinstance(raw, RProd) and len(raw.items) == 1:
            raw = raw.items[0][1]
        elif isinstance(raw, RArg) and not raw.rels:
            raw = raw.first
        else:
            return raw


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


def _word_sub(word: str) -> dict:
    """w_{jk}, \\delta_{ij}, W_{jd}, y_{qj}: two or three unit indices written without commas (Nielsen, Bishop,
    a note naming the next layer's unit d or the example q); any other word (pool, relu, out, in) is a tag."""
    if 2 <= len(word) <= 3 and set(word) <= set("ijkdpq") and set(word) & set("ijk"):
        return {"index": tuple(Sym(c) for c in word)}
    return {"tag": word}


def _is_example(raw) -> bool:
    """(i): the example superscript of Ng's notation, a^{[l](i)}, y^{(i)}."""
    raw = unwrap(raw)
    if not (isinstance(raw, RGroup) and raw.kind == "(" and len(raw.args) == 1):
        return False
    inner = unwrap(raw.args[0])
    return isinstance(inner, Token) and inner.type == "LETTER" and inner.value == "i"


def _split_example(sup: RSarg | None):
    """^{[l](i)} -> (^{[l]}, True); ^{(i)} -> (None, True); anything else -> (sup, False)."""
    if sup is None or sup.token is not None or len(sup.items) != 1 or sup.items[0][1] is not None:
        return sup, False
    raw = unwrap(sup.items[0][0])
    if _is_example(raw):
        return None, True
    if isinstance(raw, RProd) and all(op is None for op, _ in raw.items) and any(_is_example(r) for _, r in raw.items):
        rest = [(None, r) for _, r in raw.items if not _is_example(r)]
        if len(rest) == len(raw.items) - 1 and rest:
            kept = rest[0][1] if len(rest) == 1 else RProd(rest)
            return RSarg(items=[(kept, None, None)]), True
    return sup, False


EXAMPLE_NAMES = {"A": "a", "Z": "z", "X": "x", "Y": "y", "a": "a", "z": "z", "x": "x", "y": "y"}
LOSS_LETTERS = {"L", "J", "C", "E"}


def _one_example_name(tok: Token) -> Token:
    """The name of example i's column: a^{[l](i)} is the vector a^{[l]} of one example (lowercase, as Ng writes
    it); L^{(i)} and \\mathcal{L}^{(i)} are one example's loss \\mathcal{L}."""
    if tok.type in ("LETTER", "DSH", "HAT") and tok.value in EXAMPLE_NAMES:
        return Token(tok.type, EXAMPLE_NAMES[tok.value], start_pos=tok.start_pos)
    if tok.type in ("LETTER", "MCAL") and tok.value in LOSS_LETTERS:
        return Token("MCAL", "L", start_pos=tok.start_pos)
    raise NotationError(f"the example superscript (i) on {tok.value}: gradaudit reads (i) on A, Z, X, Y, their "
                        "gradients and the loss")


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


def _indicator(cond: Node) -> Node:
    """\\mathbb{1}[cond]: 1 where the condition holds, else 0. \\mathbb{1}[j = y] with y the class label is the
    one-hot label's entry y_j."""
    if not isinstance(cond, Rel):
        raise NotationError("an indicator \\mathbb{1}[...] needs a condition such as j = y_i or Z > 0")
    sides = (cond.left, cond.right)
    labels = [x for x in sides if isinstance(x, Sym) and x.name == "y" and x.layer is None and not x.hat]
    if cond.op == "=" and labels:
        label = labels[0]
        other = sides[1] if label is sides[0] else sides[0]
        if label.index or not isinstance(other, Sym) or other.index or other.layer is not None:
            raise NotationError(f"the indicator \\mathbb{{1}}[{tex(cond.left)} = {tex(cond.right)}] of a class label "
                                "per example (y_i) is not read; write the one-hot label's entry instead")
        return Sym("y", index=(other,))
    return Cases(((Num(Fraction(1)), cond), (Num(Fraction(0)), None)))


def _bracketed(raw):
    """[l], (l), [l]T, [l]' -> (the RGroup, '' | 'T' | 'prime'); anything else -> (None, '')."""
    raw = unwrap(raw)
    if isinstance(raw, RGroup) and raw.kind in ("[", "("):
        return raw, ""
    if (isinstance(raw, RProd) and len(raw.items) == 2 and raw.items[1][0] is None
            and isinstance(raw.items[0][1], RGroup) and raw.items[0][1].kind in ("[", "(")
            and isinstance(raw.items[1][1], Token) and (raw.items[1][1].type == "TOP" or (
                raw.items[1][1].type == "LETTER" and raw.items[1][1].value == "T"))):
        return raw.items[0][1], "T"                # A^{[l]T}, h^{(k-1)\top}
    if (isinstance(raw, RPost) and isinstance(raw.base, RGroup) and raw.base.kind in ("[", "(")
            and raw.posts == [("prime",)]):
        return raw.base, "prime"
    if (isinstance(raw, RPost) and isinstance(raw.base, RGroup) and raw.base.kind in ("[", "(")
            and len(raw.posts) == 1 and raw.posts[0][0] == "sup" and _is_transpose_sarg(raw.posts[0][1])):
        return raw.base, "T"                    # A^{[l-1]^T}: the transpose written as a script of the layer
    return None, ""


def _is_transpose_sarg(s: RSarg) -> bool:
    if s.token is not None:
        return s.token.type == "TOP" or (s.token.type == "LETTER" and s.token.value == "T")
    if len(s.items) == 1 and s.items[0][1] is None:
        t = unwrap(s.items[0][0])
        return isinstance(t, Token) and (t.type == "TOP" or (t.type == "LETTER" and t.value == "T"))
    return False


def _is_index_expr(node) -> bool:
    """Names, numbers, sums and differences of them: what a layer or index is made of."""
    if isinstance(node, Num):
        return True
    if isinstance(node, Sym):
        return node.layer is None and not node.index and node.shape is None
    if isinstance(node, Neg):
        return _is_index_expr(node.arg)
    if isinstance(node, Add):
        return all(_is_index_expr(t) for t in node.terms)
    return False


def _has_symbol(node) -> bool:
    if isinstance(node, Sym):
        return True
    if isinstance(node, Neg):
        return _has_symbol(node.arg)
    if isinstance(node, Add):
        return any(_has_symbol(t) for t in node.terms)
    return False


def fold(node: Node) -> Node:
    """L - 1 -> Add((L, Num(-1))): the form layers and indices take (see ast.py)."""
    if isinstance(node, Add):
        return Add(tuple(Num(-t.arg.value) if isinstance(t, Neg) and isinstance(t.arg, Num) else t
                         for t in node.terms))
    return node
