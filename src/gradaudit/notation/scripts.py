"""Scripts on a name, decided from where they stand: W^{[l]T} is a layer and a transpose, e^{-z} a power,
Y_{pool} a tag, w_{j,k} an index pair, Z_{m \\times 1} a written size, A^{(i)} an example. The half of the
tree builder (build.py) that reads a name with its sub- and superscripts and primes.
"""
from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

from lark import Token

from ..errors import NotationError
from .ast import (Call, Deriv, Entry, Node, Num,
                  Pow, Prime, Rel, Shorthand, Space, Sym, Transpose)
from .latex import tex
from .raw import (RGroup, RNabla, RPost, RProd, RSarg)
from .pieces import (_bracketed, _Grad, _has_symbol, _indicator, _is_index_expr, _number_sub, _one_example_name, _Ones, _rel, _split_example, _word_sub, fold, unwrap)


class Scripts:
    """The Builder's methods for names with scripts; they call back into the Builder (self.build, self.note)."""

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
                entry = self.classify_sub(subs[0]) if isinstance(base, RGroup) and base.kind in ("(", "[", "\\{") \
                    and len(base.args) == 1 and not primes else {}
                if set(entry) - {"index_style"} != {"index"} or not all(isinstance(i, Sym) for i in entry["index"]):
                    raise NotationError("a subscript on something that is not a name")
                node = Entry(self.build(base), entry["index"])   # [\delta W^T \odot \phi'(U)]_{qj}: its entry qj
                return self.power_or_transpose(node, sups[0]) if sups else node
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
            pair = _unit_and_digit(raw)
            if pair is not None:
                return {"index": pair}
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


def _unit_and_digit(raw):
    """w_{j0}, a_{i1}: a unit letter and a digit written together are two indices (Bishop's bias w_{j0}, the weight
    from the unit fixed at 1), as w_{ji} is; a product j 0 is no index anyone writes."""
    if isinstance(raw, RProd) and len(raw.items) == 2 and all(op is None for op, _ in raw.items):
        (_, letter), (_, digit) = raw.items
        if isinstance(letter, Token) and letter.type == "LETTER" and letter.value in "ijkdpq" \
                and isinstance(digit, Token) and digit.type == "NUM" and len(digit.value) == 1:
            return Sym(letter.value), Num(Fraction(digit.value))
    return None
