"""The pieces the tree builder's two halves share (build.py, scripts.py): markers that mean something only
next to their neighbours, and small readings of raw nodes (unwrap, fold, a bracketed index, an indicator).
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from lark import Token

from ..errors import NotationError
from .ast import (Add, Cases, Neg, Node, Num,
                  Rel, Sym)
from .latex import tex
from .raw import (RArg, REither, RGroup, RPost, RProd, RSarg)
from .tree import transform
from .vocabulary import GREEK


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


REL_OPS = {"=": "=", ":=": ":=", "->": "->", "in": "in", "!=": "!=", ">": ">", "<": "<", ">=": ">=", "<=": "<="}


def _rel(op: str) -> str:
    return REL_OPS[op]


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


def _word(sym) -> bool:
    """A name of several letters (loss, h1: words.words_in), bare: before brackets, a function of them."""
    return isinstance(sym, Sym) and len(sym.name) > 1 and sym.name.isalnum() and not sym.index \
        and sym.layer is None and sym.sublayer is None and not sym.hat and not sym.tag and sym.name not in GREEK


def _number_sub(text: str) -> dict:
    """z_2, W_{12}: a number subscript (a layer or an index, as the section reads it). Two digits or more are kept
    as written too: on a matrix, W_{12} is its element (1, 2) (evaluate reads index_style 'digits:12')."""
    sub = {"sublayer": Num(Fraction(text))}
    if 1 < len(text) <= 3 and text.isdigit():   # a matrix's (or a 3-axis map's) element, not z_{100000000}
        sub["index_style"] = "digits:" + text
    return sub


def _word_sub(word: str) -> dict:
    """w_{jk}, \\delta_{ij}, W_{jd}, y_{qj}, S_{ic}: two or three unit indices written without commas (Nielsen, Bishop,
    a note naming the next layer's unit d, the example q or the class c, U_{qd}); any other word (pool, relu, out,
    in) is a tag."""
    if 2 <= len(word) <= 3 and set(word) <= set("ijkdpqc") and (set(word) & set("ijk") or word[0] == "q"):
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


def _substitute(node, name: str, value):
    """node with the bare name `name` (an index, not a quantity) replaced by value wherever it is written."""
    return transform(node, lambda n: value if isinstance(n, Sym) and n.name == name and n.layer is None
                     and not n.index and not n.tag else n)
