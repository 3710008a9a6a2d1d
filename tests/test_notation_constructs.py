"""One test per notation construct: the exact tree the parser must build (the auditor's contract),
with the documents' own formulas as examples, and the round trip parse -> to_latex -> parse."""
from fractions import Fraction

import pytest

from gradaudit.notation.ast import (Add, Call, Cases, Control, Deriv, DerivOp, Div, Dots, Either, Matrix, Max,
                                    Mul, Neg, Num, Pow, Prime, Rel, Shorthand, Space, Sum, Sym, Text, Transpose)
from gradaudit.notation.latex import to_latex
from gradaudit.notation.parser import parse


def N(k):
    return Num(Fraction(k))


def S(name, **kw):
    return Sym(name, **kw)


def L(name, layer, style="[]", **kw):
    """A name with a layer index: L('W', 2) is W^{[2]}."""
    return Sym(name, layer=N(layer) if isinstance(layer, int) else (S(layer) if isinstance(layer, str) else layer),
               style=style, **kw)


def minus(a, k):
    return Add((a, N(-k)))          # L-1 inside a layer or index (see ast.py)


W2, W3, A1, A2, A3, Z1, Z2, Z3, b3 = (L("W", 2), L("W", 3), L("A", 1), L("A", 2), L("A", 3), L("Z", 1), L("Z", 2),
                                      L("Z", 3), L("b", 3))


def expr(latex):
    parsed = parse(latex)
    assert len(parsed.statements) == 1, parsed
    (step,) = parsed.statements[0].steps
    return step


# (id, latex, expected tree of the single expression)
EXPRESSIONS = [
    ("layer", r"W^{[l]}", L("W", "l")),
    ("layer-minus-one-inner-T", r"A^{[l-1]T}", Transpose(L("A", minus(S("l"), 1)), "inner")),
    ("transpose-of-group", r"(A^{[2]})^T", Transpose(A2, "^T")),
    ("inner-transpose", r"A^{[2]T}", Transpose(A2, "inner")),
    ("transpose-X", r"X^T", Transpose(S("X"), "^T")),
    ("transpose-braced", r"X^{T}", Transpose(S("X"), "^{T}")),
    ("transpose-top", r"X^\top", Transpose(S("X"), "^\\top")),
    ("shorthand-dZ", r"dZ^{[3]}", Shorthand(Z3)),
    ("shorthand-db", r"db^{[1]}", Shorthand(L("b", 1))),
    ("partial-derivative", r"\frac{\partial J}{\partial W^{[2]}}", Deriv(S("J"), W2)),
    ("total-derivative", r"\frac{dC}{dW^{[3]}}", Deriv(S("C"), W3, partial=False)),
    ("derivative-of-mathcal-call", r"\frac{\partial \mathcal{J}(W,b)}{\partial A^{[3]}}",
     Deriv(Call("J", (S("W"), S("b")), font="mathcal"), A3)),
    ("derivative-operator", r"\frac{d}{dW^{[3]}} (W^{[3]} A^{[2]} + b^{[3]})",
     DerivOp(W3, Add((Mul((W3, A2)), b3)), partial=False)),
    ("derivative-operator-partial", r"\frac{\partial}{\partial z_1} \left(e^{z_1}\right)",
     DerivOp(S("z", sublayer=N(1)), Call("exp", (S("z", sublayer=N(1)),), bracket="e^"), partial=True)),
    ("g-prime", r"g'(Z^{[2]})", Call("g", (Z2,), prime=1)),
    ("g-backslash-prime-braces", r"g\prime \{Z^{[2]}\}", Call("g", (Z2,), prime=1, bracket="{}")),
    ("g-layer-prime", r"g^{[1]'}(Z^{[1]})", Call("g", (Z1,), prime=1, layer=N(1))),
    ("g-braces", r"g\{Z\}", Call("g", (S("Z"),), bracket="{}")),
    ("sigma", r"\sigma(Z^{(2)})", Call("sigma", (L("Z", 2, "()"),))),
    ("sigma-prime", r"\sigma'(Z)", Call("sigma", (S("Z"),), prime=1)),
    ("sig-bare", r"sig \ x", Call("sig", (S("x"),), bracket="")),
    ("sig-thin-space", r"sig \, z_{j}^{(L)}", Call("sig", (L("z", "L", "()", index=(S("j"),)),), bracket="")),
    ("sig-negative", r"sig(-x)", Call("sig", (Neg(S("x")),))),
    ("sig-product", r"sig x sig(-x)", Mul((Call("sig", (S("x"),), bracket=""), Call("sig", (Neg(S("x")),))))),
    ("sigmoid-word", r"sigmoid(Z^{[2]})", Call("sigmoid", (Z2,))),
    ("sigmoid-text", r"\text{sigmoid}(Z_2)", Call("sigmoid", (S("Z", sublayer=N(2)),))),
    ("tanh", r"\tanh(Z)", Call("tanh", (S("Z"),))),
    ("tanh-word", r"tanh(Z^{[2]})", Call("tanh", (Z2,))),
    ("tanh-squared", r"\tanh^2(Z)", Pow(Call("tanh", (S("Z"),)), N(2))),
    ("one-minus-tanh-squared", r"1 - \tanh(Z)^2", Add((N(1), Neg(Pow(Call("tanh", (S("Z"),)), N(2)))))),
    ("exp", r"e^{x}", Call("exp", (S("x"),), bracket="e^")),
    ("exp-negative-layer", r"e^{-Z^{[3]}}", Call("exp", (Neg(Z3),), bracket="e^")),
    ("log", r"\log(A)", Call("log", (S("A"),))),
    ("log-bare", r"\log A", Call("log", (S("A"),), bracket="")),
    ("max-call", r"\text{Max}(0, z_{1[i,j]})",
     Call("max", (N(0), S("z", sublayer=N(1), index=(S("i"), S("j")), index_style="[]")))),
    ("max-reduction", r"\max_{a=0}^{p-1} y", Max(S("y"), index=S("a"), lower=N(0), upper=minus(S("p"), 1))),
    ("max-over-two", r"\max_{p,q} Y", Max(S("Y"), over=(S("p"), S("q")))),
    ("maxpool", r"maxpool(Y_{relu})", Call("maxpool", (S("Y", tag="relu"),))),
    ("maxpooling-text", r"\text{Maxpooling}(A^1)", Call("maxpool", (Pow(S("A"), N(1)),))),
    ("star", r"A * B", Mul((S("A"), S("B")), "star")),
    ("odot", r"A \odot B", Mul((S("A"), S("B")), "odot")),
    ("cdot", r"A \cdot B", Mul((S("A"), S("B")), "cdot")),
    ("times", r"A \times B", Mul((S("A"), S("B")), "times")),
    ("juxtaposition", r"XW^{[1]}", Mul((S("X"), L("W", 1)))),
    ("mixed-operators-nest-left-to-right", r"W^{[3]T}dZ^{[3]} * g'(Z^{[2]})",
     Mul((Mul((Transpose(W3, "inner"), Shorthand(Z3))), Call("g", (Z2,), prime=1)), "star")),
    ("one-over-m", r"\frac{1}{m}", Div(N(1), S("m"))),
    ("minus-one-over-m-braces", r"-\frac{1}{m}\{Y - A\}", Neg(Mul((Div(N(1), S("m")), Add((S("Y"), Neg(S("A")))))))),
    ("np-sum", r"np.sum(dZ^{[L]}, axis=1, keepdims=True)",
     Sum(Shorthand(L("Z", "L")), axis=1, keepdims=True, style="np")),
    ("sum-limits", r"\sum_{i=1}^{C} y_i", Sum(S("y", index=(S("i"),)), index=S("i"), lower=N(1), upper=S("C"))),
    ("sum-j", r"\sum_j x_j", Sum(S("x", index=(S("j"),)), index=S("j"))),
    ("sum-t-takes-product", r"\sum_{t} a_t b_t",
     Sum(Mul((S("a", index=(S("t"),)), S("b", index=(S("t"),)))), index=S("t"))),
    ("sum-braces", r"\sum\{Y * A\}", Sum(Mul((S("Y"), S("A")), "star"))),
    ("sum-upper-only", r"\sum_i^C e^{z_i}",
     Sum(Call("exp", (S("z", index=(S("i"),)),), bracket="e^"), index=S("i"), upper=S("C"))),
    ("sum-stops-at-plus", r"\sum_i y_i + 1", Add((Sum(S("y", index=(S("i"),)), index=S("i")), N(1)))),
    ("index-and-layer", r"w_{i,j}^{(l)}", L("w", "l", "()", index=(S("i"), S("j")))),
    ("a-j-L", r"a_j^{(L)}", L("a", "L", "()", index=(S("j"),))),
    ("digit-sub-letter-sup", r"z_1^L", L("z", "L", "^", sublayer=N(1))),
    ("letter-superscript-expr", r"n^{L-1}", L("n", minus(S("L"), 1), "^")),
    ("digit-superscript-is-power", r"A^2", Pow(S("A"), N(2))),
    ("bracket-index", r"x_{[i+p,j+q]}", S("x", index=(Add((S("i"), S("p"))), Add((S("j"), S("q")))), index_style="[]")),
    ("paren-index", r"x_{(i+a,j+b)}", S("x", index=(Add((S("i"), S("a"))), Add((S("j"), S("b")))), index_style="()")),
    ("kernel-index", r"K_{(a,b)}", S("K", index=(S("a"), S("b")), index_style="()")),
    ("numeric-bracket-index", r"k_{[0,0]}", S("k", index=(N(0), N(0)), index_style="[]")),
    ("sublayer-bracket-index", r"z_{1[i,j]}", S("z", sublayer=N(1), index=(S("i"), S("j")), index_style="[]")),
    ("sublayer-bracket-index-capital", r"Z_{1[i,j]}", S("Z", sublayer=N(1), index=(S("i"), S("j")), index_style="[]")),
    ("sublayer-comma-index", r"Z_{1,i-p,j-q}",
     S("Z", sublayer=N(1), index=(Add((S("i"), Neg(S("p")))), Add((S("j"), Neg(S("q"))))))),
    ("three-indices", r"x_{i,j,k}", S("x", index=(S("i"), S("j"), S("k")))),
    ("postfix-bracket-index", r"Z_1[i, j]", S("Z", sublayer=N(1), index=(S("i"), S("j")), index_style="[]")),
    ("function-style-index", r"Y_{relu}(i \times s + a, j \times s + b)",
     S("Y", tag="relu", index=(Add((Mul((S("i"), S("s")), "times"), S("a"))), Add((Mul((S("j"), S("s")), "times"), S("b")))),
       index_style="call")),
    ("tag-and-layer", r"Y_{pool}^{[1]}", L("Y", 1, tag="pool")),
    ("tag-current", r"W_{current}^{[1]}", L("W", 1, tag="current")),
    ("tag-new", r"W_{new}^{[1]}", L("W", 1, tag="new")),
    ("tag-Tanh", r"A_{Tanh}^{[l]}", L("A", "l", tag="Tanh")),
    ("tag-out", r"N_{out}", S("N", tag="out")),
    ("hat-index", r"\hat{y}_i", S("y", hat=True, index=(S("i"),))),
    ("hat", r"\hat{Y}", S("Y", hat=True)),
    ("mathcal", r"\mathcal{C}", S("C", font="mathcal")),
    ("shape-subscript", r"Z_{n^{[1]}\times m}^{[1]}", L("Z", 1, shape=(L("n", 1), S("m")))),
    ("space", r"\mathbb{R}^{[n^L,m]}", Space((L("n", "L", "^"), S("m")))),
    ("space-times", r"\mathbb{R}^{n^{[0]}\times m}", Space((L("n", 0), S("m")))),
    ("cases", r"\begin{cases} Z, & \text{if } Z > 0 \\ 0, & \text{otherwise} \end{cases}",
     Cases(((S("Z"), Rel(">", S("Z"), N(0))), (N(0), None)))),
    ("cases-geq-neq", r"\begin{cases} -a_i a_j & \text{if } i \neq j \\ 1 & \text{if } Z \geq 0 \end{cases}",
     Cases(((Neg(Mul((S("a", index=(S("i"),)), S("a", index=(S("j"),))))), Rel("!=", S("i"), S("j"))),
            (N(1), Rel(">=", S("Z"), N(0)))))),
    ("bmatrix-dots", r"\begin{bmatrix} a_1 & \cdots \\ \vdots & \ddots \end{bmatrix}",
     Matrix(((S("a", sublayer=N(1)), Dots("cdots")), (Dots("vdots"), Dots("ddots"))))),
    ("left-right-paren", r"\left( A - Y \right)", Add((S("A"), Neg(S("Y"))))),
    ("left-right-bracket-group", r"\left[\frac{1}{1 + e^{-Z}} \right]",
     Div(N(1), Add((N(1), Call("exp", (Neg(S("Z")),), bracket="e^"))))),
    ("delta-shorthand", r"\left[ \Delta b_j^{(L)} \right]", Shorthand(L("b", "L", "()", index=(S("j"),)), "Delta")),
    ("delta-thin-space", r"\left[\Delta \, a_i^{(L-1)}\right]",
     Shorthand(L("a", minus(S("L"), 1), "()", index=(S("i"),)), "Delta")),
    ("loss-call", r"J(A, Y)", Call("J", (S("A"), S("Y")))),
    ("loss-call-L", r"L(Y, A)", Call("L", (S("Y"), S("A")))),
    ("mathcal-loss-call", r"\mathcal{J}(W,b)", Call("J", (S("W"), S("b")), font="mathcal")),
    ("no-comma-is-product", r"A(1 - A)", Mul((S("A"), Add((N(1), Neg(S("A"))))))),
    ("either", r"A \text{ or } \hat{Y}", Either((S("A"), S("Y", hat=True)))),
    ("prime-of-group", r"(sig \ x)'", Prime(Call("sig", (S("x"),), bracket=""))),
    ("power-minus-one", r"(1 + e^{-Z})^{-1}", Pow(Add((N(1), Call("exp", (Neg(S("Z")),), bracket="e^"))), Neg(N(1)))),
    ("dots-in-sum", r"e^{z_1} + \dots + e^{z_n}",
     Add((Call("exp", (S("z", sublayer=N(1)),), bracket="e^"), Dots("dots"),
          Call("exp", (S("z", index=(S("n"),)),), bracket="e^")))),
    ("text-in-expression", r"x \text{foo} y", Mul((S("x"), Text("foo"), S("y")))),
    ("greek", r"\alpha \frac{\partial J}{\partial W}", Mul((S("alpha"), Deriv(S("J"), S("W"))))),
]


@pytest.mark.parametrize("latex,expected", [(x, e) for _, x, e in EXPRESSIONS], ids=[i for i, _, _ in EXPRESSIONS])
def test_construct(latex, expected):
    assert expr(latex) == expected
    assert parse(to_latex(parse(latex))) == parse(latex)


def test_aligned_block_is_one_chain():
    latex = r"""\begin{aligned}
\frac{\partial \mathcal{J}(W,b)}{\partial W^{[2]}} &= dW^{[2]} \\&=
\frac{\partial \mathcal{J}(W,b)}{\partial A^{[3]}} \frac{\partial A^{[3]}}{\partial Z^{[3]}}\\
&=dZ^{[2]}\frac{\partial Z^{[2]}}{\partial W^{[2]}} \\
&= dZ^{[2]} A^{[2]T}
\end{aligned}"""
    (st,) = parse(latex).statements
    assert st.rels == ("=", "=", "=", "=")
    assert st.steps[1] == Shorthand(W2)
    assert st.steps[-1] == Mul((Shorthand(Z2), Transpose(A2, "inner")))


def test_lines_are_separate_statements():
    latex = r"""\begin{equation}
\frac{\partial Z^{[3]}}{\partial W^{[3]}} = A^{[2]} \\
\frac{\partial Z^{[3]}}{\partial b^{[3]}} = 1
\end{equation}"""
    a, b = parse(latex).statements
    assert a.steps == (Deriv(Z3, W3), A2)
    assert b.steps == (Deriv(Z3, b3), N(1))


def test_newline_and_vdots_lines():
    latex = r"""\begin{aligned}
dZ^{[L]} &= Y - A^{[L]} \\
\vdots
\newline
\newline
dW^{[2]} &= \frac{1}{m}dZ^{[2]}A^{[1]T}\\
\end{aligned}"""
    parsed = parse(latex)
    assert [s.steps[0] for s in parsed.statements] == [Shorthand(L("Z", "L")), Shorthand(W2)]
    assert any("dots" in n for n in parsed.notes)


def test_spacing_macros_are_ignored():
    assert expr(r"A\,B\ C\quad D \qquad E\hspace{2cm}F") == Mul(tuple(S(x) for x in "ABCDEF"))


@pytest.mark.parametrize("latex", [r"W = W - \alpha \frac{\partial J}{\partial W} \quad (15)",
                                   r"W = W - \alpha \frac{\partial J}{\partial W} \tag{27}"])
def test_equation_tags_are_dropped(latex):
    (st,) = parse(latex).statements
    assert st.steps[-1] == Add((S("W"), Neg(Mul((S("alpha"), Deriv(S("J"), S("W")))))))


def test_assignment_and_arrow_relations():
    (st,) = parse(r"W_{new}^{[1]} := W_{current}^{[1]} - \alpha \frac{\partial J}{\partial W_{current}^{[1]}}").statements
    assert st.rels == (":=",)
    (st,) = parse(r"\frac{\partial J}{\partial A} = -\sum_{i=1}^C \frac{y_i}{a_i} \rightarrow \frac{\partial A}{\partial z_j} = 1").statements
    assert st.rels == ("=", "->", "=")


def test_trailing_where_remark_is_annotation():
    (st,) = parse(r"dZ^{[1]}= W^{[2]T}dZ^{[2]}*g'(Z^{[2]}) \ \  \ \text{where * indicates point-wise multiplication}").statements
    assert st.annotation == "where * indicates point-wise multiplication"
    assert st.steps[-1] == Mul((Mul((Transpose(W2, "inner"), Shorthand(Z2))), Call("g", (Z2,), prime=1)), "star")


def test_where_with_mathematics_is_its_own_statement():
    latex = r"\frac{\partial J}{\partial K} &= \frac{\partial J}{\partial Z_1} \cdot \frac{\partial Z_1}{\partial K} && \text{where } \frac{\partial Z_1}{\partial K} = X"
    a, b = parse(latex).statements
    assert b.steps == (Deriv(S("Z", sublayer=N(1)), S("K")), S("X"))
    assert b.annotation == "where"
    assert parse(to_latex(parse(latex))) == parse(latex)


def test_sum_along_rows_text():
    (st,) = parse(r"dW^{[3]}&= \frac{1}{m} (Y-A^{[3]}) \text{sum along rows}").statements
    assert st.steps[1] == Sum(Mul((Div(N(1), S("m")), Add((S("Y"), Neg(A3))))), style="text")
    (st,) = parse(r"&= dZ^{[2]} \hspace{2cm} \text{sum along rows}\\").statements
    assert st.opens_with == "=" and st.steps == (Sum(Shorthand(Z2), style="text"),)


@pytest.mark.parametrize("latex,text", [(r"for \ l = 2 \ up \ to \ L:", "for l = 2 up to L:"),
                                        (r"$$if \ L > 1:$$", "if L > 1:"),
                                        (r"for \ l = L - 1 \ down \ to \ 2:", "for l = L - 1 down to 2:")])
def test_control_lines(latex, text):
    assert parse(latex).statements == (Control(text),)
    assert parse(to_latex(parse(latex))).statements == (Control(text),)


def test_quad_separates_complete_equations():
    latex = r"C = \frac{1}{2} \sum_{t} \left( a_{t}^{(L)} - y_{t} \right)^{2} \qquad a_{j}^{(L)} = sig \, z_{j}^{(L)} \qquad z_{j}^{(L)} = b_{j}^{(L)} + \sum_{t} w_{t,j}^{(L)} a_{t}^{(L-1)}"
    a, b, c = parse(latex).statements
    assert a.steps[0] == S("C") and b.steps[0] == L("a", "L", "()", index=(S("j"),))
    assert c.steps[1] == Add((L("b", "L", "()", index=(S("j"),)),
                              Sum(Mul((L("w", "L", "()", index=(S("t"), S("j"))), L("a", minus(S("L"), 1), "()", index=(S("t"),)))),
                                  index=S("t"))))


def test_leading_relation_continues_a_chain():
    (st,) = parse(r"$$= a_{j}^{(L)} \left(1 - a_{j}^{(L)}\right)$$").statements
    assert st.opens_with == "="
    a = L("a", "L", "()", index=(S("j"),))
    assert st.steps == (Mul((a, Add((N(1), Neg(a))))),)


def test_leading_therefore_is_read_as_hence():
    """A leading \\therefore is proper LaTeX ("hence"): dropped without a repair note, which would make it notation."""
    parsed = parse(r"\therefore (sig x)' = sig x sig(-x)")
    assert parsed.statements[0].steps[0] == Prime(Call("sig", (S("x"),), bracket=""))
    assert not parsed.notes


# ---- sloppy notation: kept in the tree, reported in notes ---------------------------------------

def test_layer_without_caret():
    parsed = parse(r"Z^{[3]} = W^{[3]}A^{[2]}+b{[3]}")
    assert parsed.statements[0].steps[1] == Add((Mul((W3, A2)), L("b", 3, "{}")))
    assert parsed.notes == ("b{[3]} written without '^' read as the layer index: b^{[3]}",)
    assert to_latex(parsed).endswith("b{[3]}")


def test_unbalanced_paren_closed_at_next_relation():
    parsed = parse(r"\frac{\partial A^{[2]}}{\partial Z^{[2]}} = \frac{d}{dZ^{[2]}} (sigmoid(Z^{[2]}) = A^{[2]}(1 - A^{[2]})")
    (st,) = parsed.statements
    assert st.steps == (Deriv(A2, Z2), DerivOp(Z2, Call("sigmoid", (Z2,))), Mul((A2, Add((N(1), Neg(A2))))))
    assert len(parsed.notes) == 1 and "closed there" in parsed.notes[0]


def test_relation_inside_parentheses_is_lifted():
    parsed = parse(r"\frac{d}{dZ^{[2]}} \left( sigmoid(Z^{[2]}) = A^{[2]} (1 - A^{[2]}) \right)")
    (st,) = parsed.statements
    assert st.steps == (DerivOp(Z2, Call("sigmoid", (Z2,))), Mul((A2, Add((N(1), Neg(A2))))))
    assert len(parsed.notes) == 2


def test_one_over_partial_as_derivative_operator():
    parsed = parse(r"\frac{\partial Z^{[3]}}{\partial A^{[2]}} =\frac{1}{\partial A^{[2]}} (W^{[3]}A^{[2]}+b^{[3]})= W^{[3]}")
    (st,) = parsed.statements
    assert st.steps[1] == DerivOp(A2, Add((Mul((W3, A2)), b3)), partial=True, repair="frac1")
    assert any("derivative operator" in n for n in parsed.notes)


def test_missing_partial_in_denominator():
    parsed = parse(r"\frac{\partial J}{z_{1[0,0]}}")
    z = S("z", sublayer=N(1), index=(N(0), N(0)), index_style="[]")
    assert parsed.statements[0].steps[0] == Deriv(S("J"), z, repair="den-partial")
    assert parsed.notes and "no \\partial" in parsed.notes[0]


def test_notes_do_not_break_round_trip_equality():
    parsed = parse(r"\frac{\partial Z^{[2]}}{\partial A^{[1]}} =\frac{1}{\partial A^{[1]}} (W^{[2]}A^{[1]}+b{[2]})= W^{[2]}")
    assert parse(to_latex(parsed)) == parsed
