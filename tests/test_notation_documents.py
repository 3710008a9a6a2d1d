"""Every display formula and table cell of the five source documents, verbatim, parsed and round-tripped.

Copied from /work/shared/documents/ (display $$...$$, \\begin{equation} blocks, and the $...$ of
002's tab-separated table rows). A few cells are not formulas on their own (a table cell split
in two halves, the data-point notation of Table 1): those must fail with a clear NotationError.
"""
import pytest

from gradaudit.errors import NotationError
from gradaudit.notation.latex import to_latex
from gradaudit.notation.parser import parse

DOCUMENT_FORMULAS = [
    ("000", "display", r"""\frac{dC}{dW^{[3]}}"""),
    ("000", "display", r"""\frac{dC}{dW^{[3]}} = \frac{\partial C}{\partial Z^{[3]}} \frac{\partial Z^{[3]}}{\partial W^{[3]}}"""),
    ("000", "display", r"""\frac{\partial C}{\partial Z^{[3]}} = (A^{[3]} - Y)"""),
    ("000", "display", r"""\frac{\partial Z^{[3]}}{\partial W^{[3]}} = \frac{d}{dW^{[3]}} (W^{[3]} A^{[2]} + b^{[3]}) = A^{[2]}"""),
    ("000", "display", r"""\frac{dC}{dW^{[3]}} = (A^{[3]} - Y)A^{[2]}"""),
    ("000", "display", r"""\frac{dC}{dh^{[3]}}"""),
    ("000", "display", r"""\frac{dC}{db^{[3]}} = \frac{\partial C}{\partial Z^{[3]}} \frac{\partial Z^{[3]}}{\partial b^{[3]}}"""),
    ("000", "display", r"""\frac{\partial Z^{[3]}}{\partial b^{[3]}} = \frac{d}{db^{[3]}} (W^{[3]} A^{[2]} + b^{[3]}) = 1"""),
    ("000", "display", r"""\frac{dC}{db^{[3]}} = (A^{[3]} - Y)"""),
    ("000", "display", r"""\frac{dC}{dW^{[2]}} = \frac{\partial C}{\partial Z^{[3]}} \frac{\partial Z^{[3]}}{\partial A^{[2]}} \frac{\partial A^{[2]}}{\partial Z^{[2]}} \frac{\partial Z^{[2]}}{\partial W^{[2]}}"""),
    ("000", "display", r"""\frac{\partial Z^{[3]}}{\partial A^{[2]}} = \frac{d}{dA^{[2]}} \left( W^{[3]} A^{[2]} + b^{[3]} \right) = W^{[3]}"""),
    ("000", "display", r"""\frac{\partial A^{[2]}}{\partial Z^{[2]}} = \frac{d}{dZ^{[2]}} \left( sigmoid(Z^{[2]}) = A^{[2]} (1 - A^{[2]}) \right)"""),
    ("000", "display", r"""\frac{\partial Z^{[2]}}{\partial W^{[2]}} = \frac{d}{dW^{[2]}} (W^{[2]} A^{[1]} + b^{[2]}) = A^{[1]}"""),
    ("000", "display", r"""\frac{dC}{dW^{[2]}} = (A^{[3]} - Y) W^{[3]} A^{[2]} (1 - A^{[2]}) A^{[1]}"""),
    ("000", "display", r"""\frac{dC}{db^{[2]}} = \frac{\partial C}{\partial Z^{[3]}} \frac{\partial Z^{[3]}}{\partial A^{[2]}} \frac{\partial A^{[2]}}{\partial Z^{[2]}} \frac{\partial Z^{[2]}}{\partial b^{[2]}}"""),
    ("000", "display", r"""\frac{\partial Z^{[2]}}{\partial b^{[2]}} = \frac{d}{db^{[2]}} \left( W^{[2]} A^{[1]} + b^{[2]} \right) = 1"""),
    ("000", "display", r"""\frac{dC}{db^{[2]}} = (A^{[3]} - Y) W^{[3]} A^{[2]} (1 - A^{[2]})"""),
    ("000", "display", r"""\frac{dC}{dW^{[1]}} = \frac{\partial C}{\partial Z^{[3]}} \frac{\partial Z^{[3]}}{\partial A^{[2]}} \frac{\partial A^{[2]}}{\partial Z^{[2]}} \frac{\partial Z^{[2]}}{\partial A^{[1]}} \frac{\partial A^{[1]}}{\partial Z^{[1]}} \frac{\partial Z^{[1]}}{\partial W^{[1]}}"""),
    ("000", "display", r"""\frac{\partial Z^{[3]}}{\partial A^{[2]}} = \frac{d}{dA^{[2]}} (W^{[3]}A^{[2]} + b^{[3]}) = W^{[3]}"""),
    ("000", "display", r"""\frac{\partial A^{[2]}}{\partial Z^{[2]}} = \frac{d}{dZ^{[2]}} (sigmoid(Z^{[2]}) = A^{[2]}(1 - A^{[2]})"""),
    ("000", "display", r"""\frac{\partial Z^{[2]}}{\partial A^{[1]}} = \frac{d}{dA^{[1]}} (W^{[2]}A^{[1]} + b^{[2]}) = W^{[2]}"""),
    ("000", "display", r"""\frac{\partial A^{[1]}}{\partial Z^{[1]}} = \frac{d}{dZ^{[1]}} (sigmoid(Z^{[1]}) = A^{[1]}(1 - A^{[1]})"""),
    ("000", "display", r"""\frac{\partial Z^{[1]}}{\partial W^{[1]}} = \frac{d}{dW^{[1]}} (W^{[1]}A^{[0]} + b^{[1]}) = A^{[0]} = X"""),
    ("000", "display", r"""\frac{dC}{db^{[1]}} = \frac{\partial C}{\partial Z^{[3]}} \frac{\partial Z^{[3]}}{\partial A^{[2]}} \frac{\partial A^{[2]}}{\partial Z^{[2]}} \frac{\partial Z^{[2]}}{\partial A^{[1]}} \frac{\partial A^{[1]}}{\partial Z^{[1]}} \frac{\partial Z^{[1]}}{\partial b^{[1]}}"""),
    ("000", "display", r"""\frac{\partial Z^{[3]}}{\partial A^{[2]}} = \frac{d}{dA^{[2]}} (W^{[3]} A^{[2]} + b^{[3]}) = W^{[3]}"""),
    ("000", "display", r"""\frac{\partial A^{[2]}}{\partial Z^{[2]}} = \frac{d}{dZ^{[2]}} (sigmoid(Z^{[2]}) = A^{[2]} (1 - A^{[2]})"""),
    ("000", "display", r"""\frac{\partial Z^{[2]}}{\partial A^{[1]}} = \frac{d}{dA^{[1]}} (W^{[2]} A^{[1]} + b^{[2]}) = W^{[2]}"""),
    ("000", "display", r"""\frac{\partial A^{[1]}}{\partial Z^{[1]}} = \frac{d}{dZ^{[1]}} (sigmoid(Z^{[1]}) = A^{[1]} (1 - A^{[1]})"""),
    ("000", "display", r"""\frac{\partial Z^{[1]}}{\partial b^{[1]}} = \frac{d}{db^{[1]}} (W^{[1]} A^{[0]} + b^{[1]}) = 1"""),
    ("000", "display", r"""\frac{dC}{db^{[1]}} = (A^{[3]} - Y) W^{[3]} A^{[2]} (1 - A^{[2]}) W^{[2]} A^{[1]} (1 - A^{[1]})"""),
    ("000", "display", r"""\frac{\partial A^{[2]}}{\partial Z^{[2]}} = \frac{d}{dZ^{[2]}} \left( \tanh(Z^{[2]}) = (1 - \tanh^2(Z^{[2]}) \right)"""),
    ("000", "display", r"""\frac{dC}{dW^{[2]}} = (A^{[3]} - Y) W^{[3]} (1 - \tanh^2(Z^{[2]})) A^{[1]}"""),
    ("000", "display", r"""\frac{\partial A^{[2]}}{\partial Z^{[2]}} = \frac{d}{dZ^{[2]}} \left( \tanh(Z^{[2]}) = (1 - \tanh^2(Z^{[2]})) \right)"""),
    ("000", "display", r"""\frac{dC}{dh^{[2]}} = (A^{[3]} - Y) W^{[3]} (1 - \tanh^2(Z^{[2]}))"""),
    ("000", "display", r"""\frac{dC}{dW^{[1]}} = \frac{\partial C}{\partial Z^{[3]}} \frac{\partial Z^{[3]}}{\partial A^{[2]}} \frac{\partial A^{[2]}}{\partial Z^{[2]}} \frac{\partial Z^{[1]}}{\partial A^{[1]}} \frac{\partial Z^{[1]}}{\partial W^{[1]}}"""),
    ("000", "display", r"""\frac{\partial A^{[2]}}{\partial Z^{[2]}} = \frac{d}{dZ^{[2]}} (tanh(Z^{[2]}) = (1 - \tanh^2(Z^{[2]}))"""),
    ("000", "display", r"""\frac{\partial A^{[1]}}{\partial Z^{[1]}} = \frac{d}{dZ^{[1]}} (tanh(Z^{[1]}) = (1 - \tanh^2(Z^{[1]}))"""),
    ("000", "display", r"""\frac{\partial Z^{[1]}}{\partial W^{[1]}} = \frac{d}{dW^{[1]}} (W^{[1]} A^{[0]} + b^{[1]}) = A^{[0]} = X"""),
    ("000", "display", r"""\frac{dC}{dW^{[1]}} = (A^{[3]} - Y) W^{[3]} (1 - \tanh^2(Z^{[2]})) W^{[2]} (1 - \tanh^2(Z^{[1]}))X"""),
    ("000", "display", r"""\frac{dC}{db^{[1]}} = \frac{\partial C}{\partial Z^{[3]}} \frac{\partial Z^{[3]}}{\partial A^{[2]}} \frac{\partial Z^{[2]}}{\partial Z^{[2]}} \frac{\partial A^{[1]}}{\partial A^{[1]}} \frac{\partial Z^{[1]}}{\partial b^{[1]}}"""),
    ("000", "display", r"""\frac{\partial A^{[2]}}{\partial Z^{[2]}} = \frac{d}{dZ^{[2]}} (tanh(Z^{[2]})) = (1 - \tanh^2(Z^{[2]}))"""),
    ("000", "display", r"""\frac{\partial A^{[1]}}{\partial Z^{[1]}} = \frac{d}{dZ^{[1]}} (tanh(Z^{[1]})) = (1 - \tanh^2(Z^{[1]}))"""),
    ("000", "display", r"""\frac{dC}{db^{[1]}} = (A^{[3]} - Y) W^{[3]} A^{[2]} (1 - \tanh^2(Z^{[2]})) W^{[2]} (1 - \tanh^2(Z^{[1]}))"""),
    ("001", "display", r"""A^{[3]} = \frac{1}{1+e^{-Z^{[3]}}}"""),
    ("001", "equation", r"""\begin{equation}
Z_{n^{[1]}\times m}^{[1]} = W^{[1]}_{n^{[1]}\times n^{[0]} }A^{[0]}_{n^{[0]}\times m}+b_{n^{[1]}\times 1}^{[1]} \\
A_{n^{[1]}\times m }^{[1]} = g\{A_{n^{[1]}\times m}^{[1]}\} 
\end{equation}"""),
    ("001", "equation", r"""\begin{equation}
Z_{n^{[2]}\times m}^{[2]} = W_{n^{[2]}\times n^{[1]} }^{[2]}A_{n^{[1]}\times m}^{[1]}+b_{n^{[2]}\times 1 }^{[2]} \\
A_{n^{[2]}\times m}^{[2]} = g\{Z_{n^{[2]}\times m}^{[2]}\}
\end{equation}"""),
    ("001", "equation", r"""\begin{equation}
Z_{n^{[3]}\times m}^{[3]} = W_{n^{[3]}\times n^{[2]} }^{[3]}A_{n^{[2]}\times m }^{[2]}+b_{n^{[3]}\times m}^{[3]}\\
A_{n^{[3]}\times m}^{[3]} = g\{Z_{n^{[3]}\times m}^{[3]}\}
\end{equation}"""),
    ("001", "equation", r"""\begin{equation}
\mathcal{J}(W,b) = -\frac{1}{m}\sum\{Y_{n^{[L]}\times m} * \log(A_{n^{[L]}\times m}^{[L]})+
(1-Y_{n^{[L]}\times m}) * \log(1-A_{n^{[L]}\times m}^{[L]})\}
\end{equation}"""),
    ("001", "equation", r"""\begin{equation}
\mathcal{J}(W,b) = -\frac{1}{m}\sum\{Y_{n^{[3]}\times m} * \log(A_{n^{[3]}\times m}^{[3]})+
(1-Y_{n^{[3]}\times m}) * \log(1-A_{n^{[3]}\times m}^{[3]})\}
\end{equation}"""),
    ("001", "equation", r"""\begin{equation}
\frac{\partial \mathcal{J}(W,b)}{\partial A^{[3]}} = 
dA^{[3]}=
-\frac{1}{m}\{\frac{Y}{A^{[3]}}+\frac{1-Y}{1-A^{[3]}} \} =
-\frac{1}{m}\{\frac{Y-A^{[3]}}{A^{[3]}(1-A^{[3]})} \}
\end{equation}"""),
    ("001", "equation", r"""\begin{equation}
\frac{\partial A^{[3]}}{\partial Z^{[3]}} = A^{[3]}(1-A^{[3]})
\end{equation}"""),
    ("001", "equation", r"""\begin{equation}
\frac{\partial \mathcal{J}(W,b)}{\partial Z^{[3]}} = 
dZ^{[3]}=
\frac{\partial \mathcal{J}(W,b)}{\partial A^{[3]}} \frac{\partial A^{[3]}}{\partial Z^{[3]}} =
\frac{1}{m}(A^{[3]}-Y)
\end{equation}"""),
    ("001", "equation", r"""\begin{equation}
\frac{\partial Z^{[3]}}{\partial W^{[3]}} = A^{[2]} \\
\frac{\partial Z^{[3]}}{\partial b^{[3]}} = 1
\end{equation}"""),
    ("001", "equation", r"""\begin{equation}
\begin{aligned}
\frac{\partial \mathcal{J}(W,b)}{\partial W^{[3]}} &=\frac{\partial \mathcal{J}(W,b)}{\partial A^{[3]}}
\frac{\partial A^{[3]}}{\partial Z^{[3]}}
\frac{\partial Z^{[3]}}{\partial b^{[3]}}\\
&=dZ^{[3]}\frac{\partial Z^{[3]}}{\partial b^{[3]}}\\
dW^{[3]}&= \frac{1}{m} (Y-A^{[3]}) A^{[2]T}
\end{aligned}
\end{equation}"""),
    ("001", "equation", r"""\begin{equation}
\begin{aligned}
\frac{\partial \mathcal{J}(W,b)}{\partial b^{[3]}} &=\frac{\partial \mathcal{J}(W,b)}{\partial A^{[3]}}
\frac{\partial A^{[3]}}{\partial Z^{[3]}}
\frac{\partial Z^{[3]}}{\partial W^{[3]}}\\
&=dZ^{[3]}\frac{\partial Z^{[3]}}{\partial W^{[3]}}\\
dW^{[3]}&= \frac{1}{m} (Y-A^{[3]}) \text{sum along rows}
\end{aligned}
\end{equation}"""),
    ("001", "equation", r"""\begin{equation}
\frac{\partial Z^{[3]}}{\partial A^{[2]}} =\frac{1}{\partial A^{[2]}} (W^{[3]}A^{[2]}+b{[3]})= W^{[3]}
\end{equation}"""),
    ("001", "equation", r"""\begin{equation}
\frac{\partial \mathcal{J}(W,b)}{\partial A^{[3]}} = 
dA^{[2]}=
\frac{\partial \mathcal{J}(W,b)}{\partial A^{[3]}} \frac{\partial A^{[3]}}{\partial Z^{[3]}}\frac{\partial Z^{[3]}}{\partial A^{[2]}} =
dZ^{[3]}\frac{\partial Z^{[3]}}{\partial A^{[2]}}=
dZ^{[3]}W^{[3]}=W^{[3]T}dZ^{[3]}
\end{equation}"""),
    ("001", "equation", r"""\begin{equation}
\frac{\partial A^{[2]}}{\partial Z^{[2]}} = g\prime \{Z^{[2]}\}
\end{equation}"""),
    ("001", "equation", r"""\begin{equation}
\frac{\partial \mathcal{J}(W,b)}{\partial Z^{[3]}} = 
dZ^{[2]}=
\frac{\partial \mathcal{J}(W,b)}{\partial A^{[3]}} \frac{\partial A^{[3]}}{\partial Z^{[3]}}\frac{\partial Z^{[3]}}{\partial A^{[2]}} \frac{\partial A^{[2]}}{\partial Z^{[2]}}=
dA^{[2]}\frac{\partial A^{[2]}}{\partial Z^{[2]}}=
W^{[3]T}dZ^{[3]}*g'(Z^{[3]}) \ \  \ \text{where * indicates point-wise multiplication and ' repesent derivative}
\end{equation}"""),
    ("001", "equation", r"""\begin{equation}
\frac{\partial Z^{[2]}}{\partial W^{[2]}} = A^{[1]} \\
\frac{\partial Z^{[2]}}{\partial b^{[2]}} = 1
\end{equation}"""),
    ("001", "equation", r"""\begin{equation}
\begin{aligned}
\frac{\partial \mathcal{J}(W,b)}{\partial W^{[2]}} &= dW^{[2]} \\&= 
\frac{\partial \mathcal{J}(W,b)}{\partial A^{[3]}} \frac{\partial A^{[3]}}{\partial Z^{[3]}}\frac{\partial Z^{[3]}}{\partial A^{[2]}} \frac{\partial A^{[2]}}{\partial Z^{[2]}}
\frac{\partial Z^{[2]}}{\partial W^{[2]}}\\
&=dZ^{[2]}\frac{\partial Z^{[2]}}{\partial W^{[2]}} \\
&= dZ^{[2]} A^{[2]T}
\end{aligned}
\end{equation}"""),
    ("001", "equation", r"""\begin{equation}
\begin{aligned}
\frac{\partial \mathcal{J}(W,b)}{\partial b^{[2]}} &= db^{[2]} \\&= 
\frac{\partial \mathcal{J}(W,b)}{\partial A^{[3]}} \frac{\partial A^{[3]}}{\partial Z^{[3]}}\frac{\partial Z^{[3]}}{\partial A^{[2]}} \frac{\partial A^{[2]}}{\partial Z^{[2]}}
\frac{\partial Z^{[2]}}{\partial b^{[2]}}\\
&=dZ^{[2]}\frac{\partial Z^{[2]}}{\partial b^{[2]}} \\
&= dZ^{[2]} \hspace{2cm} \text{sum along rows}\\
\end{aligned}
\end{equation}"""),
    ("001", "equation", r"""\begin{equation}
\frac{\partial Z^{[2]}}{\partial A^{[1]}} =\frac{1}{\partial A^{[1]}} (W^{[2]}A^{[1]}+b{[2]})= W^{[2]}
\end{equation}"""),
    ("001", "equation", r"""\begin{equation}
\frac{\partial \mathcal{J}(W,b)}{\partial A^{[1]}} = 
dA^{[1]}=
\frac{\partial \mathcal{J}(W,b)}{\partial A^{[3]}} 
\frac{\partial A^{[3]}}{\partial Z^{[3]}}
\frac{\partial Z^{[3]}}{\partial A^{[2]}} 
\frac{\partial A^{[2]}}{\partial Z^{[2]}}
\frac{\partial Z^{[2]}}{\partial A^{[1]}}=
dZ^{[2]}\frac{\partial Z^{[2]}}{\partial A^{[1]}}=
dZ^{[2]}W^{[2]}=W^{[2]T}dZ^{[2]}
\end{equation}"""),
    ("001", "equation", r"""\begin{equation}
\frac{\partial A^{[1]}}{\partial Z^{[1]}} = g\prime \{Z^{[1]}\}
\end{equation}"""),
    ("001", "equation", r"""\begin{equation}
\frac{\partial \mathcal{J}(W,b)}{\partial Z^{[1]}} = 
dZ^{[1]}=
\frac{\partial \mathcal{J}(W,b)}{\partial A^{[3]}} 
\frac{\partial A^{[3]}}{\partial Z^{[3]}}
\frac{\partial Z^{[3]}}{\partial A^{[2]}} 
\frac{\partial A^{[2]}}{\partial Z^{[2]}}
\frac{\partial Z^{[2]}}{\partial A^{[1]}}
\frac{\partial A^{[1]}}{\partial Z^{[1]}}=
dA^{[1]}\frac{\partial A^{[1]}}{\partial Z^{[1]}}=
W^{[2]T}dZ^{[2]}*g'(Z^{[2]}) \ \  \ \text{where * indicates point-wise multiplication and ' repesent derivative}
\end{equation}"""),
    ("001", "equation", r"""\begin{equation}
\frac{\partial Z^{[1]}}{\partial W^{[1]}} = A^{[0]} \\
\frac{\partial Z^{[1]}}{\partial b^{[1]}} = 1
\end{equation}"""),
    ("001", "equation", r"""\begin{equation}
\begin{aligned}
\frac{\partial \mathcal{J}(W,b)}{\partial W^{[1]}} &= dW^{[1]} \\&= 
\frac{\partial \mathcal{J}(W,b)}{\partial A^{[3]}} 
\frac{\partial A^{[3]}}{\partial Z^{[3]}}
\frac{\partial Z^{[3]}}{\partial A^{[2]}} 
\frac{\partial A^{[2]}}{\partial Z^{[2]}}
\frac{\partial Z^{[2]}}{\partial A^{[1]}}
\frac{\partial A^{[1]}}{\partial Z^{[1]}}
\frac{\partial Z^{[1]}}{\partial W^{[1]}}\\
&=dZ^{[1]}\frac{\partial Z^{[1]}}{\partial W^{[1]}} \\
&= dZ^{[1]} A^{[0]T}
\end{aligned}
\end{equation}"""),
    ("001", "equation", r"""\begin{equation}
\begin{aligned}
\frac{\partial \mathcal{J}(W,b)}{\partial W^{[1]}} &= db^{[1]} \\&= 
\frac{\partial \mathcal{J}(W,b)}{\partial A^{[3]}} 
\frac{\partial A^{[3]}}{\partial Z^{[3]}}
\frac{\partial Z^{[3]}}{\partial A^{[2]}} 
\frac{\partial A^{[2]}}{\partial Z^{[2]}}
\frac{\partial Z^{[2]}}{\partial A^{[1]}}
\frac{\partial A^{[1]}}{\partial Z^{[1]}}
\frac{\partial Z^{[1]}}{\partial b^{[1]}}\\
&=dZ^{[1]}\frac{\partial Z^{[1]}}{\partial b^{[1]}} \\
&= dZ^{[1]} \hspace{2cm} \text{sum along rows}\\
\end{aligned}
\end{equation}"""),
    ("001", "equation", r"""\begin{equation}
\begin{aligned}
dZ^{[L]} &= Y - A^{[L]} \\
dW^{[L]} &= \frac{1}{m}dZ^{[L]}A^{[L-1]T}\\
db^{[L]} &= \frac{1}{m}np.sum(dZ^{[L]}, axis=1, keepdims=True)\\
\newline
dZ^{[L-1]} &= W^{[L]T}dZ^{[L]} * g^{[L-1]'}(Z^{[L-1]})\\
dW^{[L-1]} &= \frac{1}{m}dZ^{[L-1]}A^{[L-2]T}\\
db^{[L-1]} &= \frac{1}{m}np.sum(dZ^{[L-1]}, axis=1, keepdims=True)\\
\vdots
\newline
\newline
dZ^{[2]} &= W^{[3]T}dZ^{[3]} * g^{[2]'}(Z^{[2]})\\
dW^{[2]} &= \frac{1}{m}dZ^{[2]}A^{[1]T}\\
db^{[2]} &= \frac{1}{m}np.sum(dZ^{[2]}, axis=1, keepdims=True)\\
\newline
\newline
dZ^{[1]} &= W^{[2]T}dZ^{[2]} * g^{[1]'}(Z^{[1]})\\
dW^{[1]} &= \frac{1}{m}dZ^{[1]}A^{[0]T}\\
db^{[1]} &= \frac{1}{m}np.sum(dZ^{[1]}, axis=1, keepdims=True)\\
\end{aligned}
\end{equation}"""),
    ("001", "equation", r"""\begin{equation}
\begin{aligned}
dZ^{[L]}  \rightarrow \mathbb{R}^{[n^L,m]} &=\mathbb{R}^{[n^L,m]} - \mathbb{R}^{[n^L,m]} \\
dW^{[L]} \rightarrow \mathbb{R}^{[n^L,n^{L-1}]}  &=  \mathbb{R}^{[n^L,m]}  \mathbb{R}^{[m, n^{L-1}]} \\
db^{[L]} \rightarrow \mathbb{R}^{[n^L,1]} &= \frac{1}{m}np.sum(\mathbb{R}^{[n^L,m]}, axis=1, keepdims=True)\\
\newline
dZ^{[L-1]} \rightarrow \mathbb{R}^{[n^{L-1},m]} &= \mathbb{R}^{[n^{L-1},n^L]}\mathbb{R}^{[n^L,m]} * \mathbb{R}^{[n^{L-1},m]}\\
dW^{[L-1]} \rightarrow \mathbb{R}^{[n^{L-1},n^{L-2}]} &= \frac{1}{m}\mathbb{R}^{[n^{L-1},m]}\mathbb{R}^{[m,n^{L-2}]}\\
db^{[L-1]} \rightarrow \mathbb{R}^{[n^{L-1},1]} &= \frac{1}{m}np.sum(\mathbb{R}^{[n^{L-1},m]}, axis=1, keepdims=True)\\
\vdots
\newline
\newline
dZ^{[2]} \rightarrow \mathbb{R}^{[n^{2},m]} &= \mathbb{R}^{[n^{2},n^3]}\mathbb{R}^{[n^3,m]} * \mathbb{R}^{[n^{2},m]}\\
dW^{[2]} \rightarrow \mathbb{R}^{[n^{2},n^{1}]} &= \frac{1}{m}\mathbb{R}^{[n^{2},m]}\mathbb{R}^{[m,n^{1}]}\\
db^{[2]} \rightarrow \mathbb{R}^{[n^{2},1]} &= \frac{1}{m}np.sum(\mathbb{R}^{[n^{2},m]}, axis=1, keepdims=True)\\
\newline
\newline
dZ^{[1]} \rightarrow \mathbb{R}^{[n^{1},m]} &= \mathbb{R}^{[n^{1},n^2]}\mathbb{R}^{[n^2,m]} * \mathbb{R}^{[n^{1},m]}\\
dW^{[1]} \rightarrow \mathbb{R}^{[n^{1},n^{0}]} &= \frac{1}{m}\mathbb{R}^{[n^{1},m]}\mathbb{R}^{[m,n^{0}]}\\
db^{[1]} \rightarrow \mathbb{R}^{[n^{1},1]} &= \frac{1}{m}np.sum(\mathbb{R}^{[n^{1},m]}, axis=1, keepdims=True)\\
\end{aligned}
\end{equation}"""),
    ("002", "display", r"""\frac{\partial J}{\partial W} = \frac{\partial J}{\partial G} \cdot \frac{\partial G}{\partial W} \quad (1)"""),
    ("002", "display", r"""\frac{\partial J}{\partial G} = \frac{\partial J}{\partial W} \cdot \frac{\partial W}{\partial G} \quad (2)"""),
    ("002", "display", r"""\frac{\partial J}{\partial C} = \frac{\partial J}{\partial W} \cdot \frac{\partial W}{\partial C} \quad (3)"""),
    ("002", "display", r"""\frac{\partial J}{\partial A} = \frac{\partial J}{\partial G} \cdot \frac{\partial G}{\partial A} \quad (4)"""),
    ("002", "display", r"""\frac{\partial J}{\partial B} = \frac{\partial J}{\partial G} \cdot \frac{\partial G}{\partial B} \quad (5)"""),
    ("002", "display", r"""Z = W^T \cdot X + b \quad (7)"""),
    ("002", "display", r"""A \text{ or } \hat{Y} = \frac{1}{1 + e^{-Z}} \quad (8)"""),
    ("002", "display", r"""J(A, Y) = Y \log(A) + (1 - Y) \log(1 - A) \quad (9)"""),
    ("002", "display", r"""\frac{\partial J}{\partial A} = -\frac{Y}{A} + \frac{1 - Y}{1 - A} \quad (10)"""),
    ("002", "display", r"""\frac{\partial J}{\partial Z} = \frac{\partial J}{\partial A} \cdot \frac{\partial A}{\partial Z} \quad (11)"""),
    ("002", "display", r"""\begin{aligned} \frac{\partial A}{\partial Z} \sigma(Z) &= \frac{\partial A}{\partial Z} \left[\frac{1}{1 + e^{-Z}} \right] \\ &= \frac{\partial A}{\partial Z} (1 + e^{-Z})^{-1} \\ &= -(1 + e^{-Z})^{-2} (-e^{-Z}) \\ &= \frac{e^{-Z}}{(1 + e^{-Z})^2} \\ &= \frac{1}{1 + e^{-Z}} \cdot \frac{e^{-Z}}{1 + e^{-Z}} \\ &= \frac{1}{1 + e^{-Z}} \cdot \frac{(1 + e^{-Z}) - 1}{1 + e^{-Z}} \\ &= \frac{1}{1 + e^{-Z}} \cdot \left(\frac{1 + e^{-Z}}{1 + e^{-Z}} - \frac{1}{1 + e^{-Z}} \right) \\ &= \frac{1}{1 + e^{-Z}} \cdot \left(1 - \frac{1}{1 + e^{-Z}} \right) \\ &= \sigma(Z) \cdot (1 - \sigma(Z)) \\ &= A(1 - A) \end{aligned} \quad (12)"""),
    ("002", "display", r"""\frac{\partial J}{\partial W} = \frac{\partial J}{\partial Z} \cdot \frac{\partial Z}{\partial W} \quad (13)"""),
    ("002", "display", r"""\frac{\partial J}{\partial b} = \frac{\partial J}{\partial Z} \cdot \frac{\partial Z}{\partial b} \quad (14)"""),
    ("002", "display", r"""\begin{aligned} \frac{\partial J}{\partial W} &= -\frac{Y}{A} + \frac{1-Y}{1-A} A(1-A)X \\ \frac{\partial J}{\partial b} &= -\frac{Y}{A} + \frac{1-Y}{1-A} A(1-A) \end{aligned}"""),
    ("002", "display", r"""W = W - \alpha \frac{\partial J}{\partial W} \quad (15)"""),
    ("002", "display", r"""b = b - \alpha \frac{\partial J}{\partial b} \quad (16)"""),
    ("002", "display", r"""A_{Tanh}^{[l]} = \frac{e^{Z^{[l]}} - e^{-Z^{[l]}}}{e^{Z^{[l]}} + e^{-Z^{[l]}}} \quad (17)"""),
    ("002", "display", r"""\begin{aligned} \frac{\partial A}{\partial Z} &= \frac{(e^Z + e^{-Z})(e^Z + e^{-Z}) - (e^Z - e^{-Z})(e^Z - e^{-Z})}{(e^Z + e^{-Z})^2} \\ &= \frac{(e^{2Z} + e^{-2Z}) - (e^{2Z} - e^{-2Z})}{(e^{2Z} + e^{-2Z})} \\ &= \frac{(e^{2Z} + e^{-2Z})}{(e^{2Z} + e^{-2Z})} - \frac{(e^{2Z} - e^{-2Z})}{(e^{2Z} + e^{-2Z})} \\ &= 1 - \tanh(Z)^2 = 1 - A^2 \end{aligned} \quad (18)"""),
    ("002", "display", r"""A = \begin{cases} Z, & \text{if } Z > 0 \\ 0, & \text{otherwise} \end{cases} \quad (19)"""),
    ("002", "display", r"""\frac{\partial A}{\partial Z} = \begin{cases} 1, & \text{if } Z > 0 \\ 0, & \text{otherwise} \end{cases} \quad (20)"""),
    ("002", "display", r"""A = \begin{bmatrix} \frac{e^{z_1}}{\sum_i^C e^{z_i}} \\ \frac{e^{z_2}}{\sum_i^C e^{z_i}} \\ \vdots \\ \frac{e^{z_C}}{\sum_i^C e^{z_i}} \end{bmatrix} \quad (20)"""),
    ("002", "display", r"""L(Y, A) = - \sum_{i=1}^C Y_i \log(A_i) \quad (21)"""),
    ("002", "display", r"""\frac{\partial L}{\partial A} = - \sum_{i=1}^C y_i \log(a_i) \quad (22)"""),
    ("002", "display", r"""\frac{\partial A}{\partial Z} = \begin{bmatrix} \frac{\partial a_1}{\partial z_1} & \frac{\partial a_1}{\partial z_2} & \cdots & \frac{\partial a_1}{\partial z_c} \\ \frac{\partial a_2}{\partial z_1} & \frac{\partial a_2}{\partial z_2} & \cdots & \frac{\partial a_2}{\partial z_c} \\ \vdots & \vdots & \ddots & \vdots \\ \frac{\partial a_c}{\partial z_1} & \frac{\partial a_c}{\partial z_2} & \cdots & \frac{\partial a_c}{\partial z_c} \end{bmatrix} \quad (23)"""),
    ("002", "display", r"""\begin{aligned} \frac{\partial a_1}{\partial z_1} &= \frac{\partial}{\partial z_1} \left(\frac{e^{z_1}}{e^{z_1} + e^{z_2} + e^{z_3} + \dots + e^{z_n}} \right) \\ &= \frac{e^{z_1} \cdot \frac{\partial}{\partial z_1}(e^{z_1})}{(e^{z_1} + e^{z_2} + e^{z_3} + \dots + e^{z_n})^2} \\ &= \frac{e^{z_1}(e^{z_1} + e^{z_2} + e^{z_3} + \dots + e^{z_n})}{(e^{z_1} + e^{z_2} + e^{z_3} + \dots + e^{z_n})^2} \\ &= \frac{e^{z_1}}{e^{z_1} + e^{z_2} + e^{z_3} + \dots + e^{z_n}} \cdot \frac{e^{z_1} + e^{z_2} + e^{z_3} + \dots + e^{z_n} - e^{z_1}}{e^{z_1} + e^{z_2} + e^{z_3} + \dots + e^{z_n}} \\ &= a_1(1 - a_1) \end{aligned} \quad (24)"""),
    ("002", "display", r"""\begin{aligned} \frac{\partial a_1}{\partial z_2} &= \frac{\partial}{\partial z_2} \left(\frac{e^{z_1}}{e^{z_1} + e^{z_2} + e^{z_3} + \dots + e^{z_n}} \right) \\ &= \frac{e^{z_1} \cdot \frac{\partial}{\partial z_2}(e^{z_2})}{(e^{z_1} + e^{z_2} + e^{z_3} + \dots + e^{z_n})^2} \\ &= \frac{-e^{z_1} e^{z_2}}{(e^{z_1} + e^{z_2} + e^{z_3} + \dots + e^{z_n})^2} \\ &= -a_1 a_2 \end{aligned} \quad (25)"""),
    ("002", "display", r"""\begin{aligned} \frac{\partial a_2}{\partial z_1} &= \frac{\partial}{\partial z_1} \left(\frac{e^{z_2}}{e^{z_1} + e^{z_2} + e^{z_3} + \dots + e^{z_n}} \right) \\ &= \frac{e^{z_2} \cdot \frac{\partial}{\partial z_1}(e^{z_1})}{(e^{z_1} + e^{z_2} + e^{z_3} + \dots + e^{z_n})^2} \\ &= \frac{-e^{z_1} e^{z_2}}{(e^{z_1} + e^{z_2} + e^{z_3} + \dots + e^{z_n})^2} \\ &= -a_1 a_2 \end{aligned} \quad (26)"""),
    ("002", "display", r"""\begin{aligned}
\frac{\partial a_2}{\partial z_2} &= \frac{\partial}{\partial z_2} \left(\frac{e^{z_2}}{e^{z_1} + e^{z_2} + e^{z_3} + \dots + e^{z_n}} \right) \\
&= \frac{e^{z_2} \cdot \frac{\partial}{\partial z_2}(e^{z_2})}{(e^{z_1} + e^{z_2} + e^{z_3} + \dots + e^{z_n})^2} \\
&= \frac{e^{z_2}(e^{z_2} + e^{z_1} + e^{z_3} + \dots + e^{z_n})}{(e^{z_1} + e^{z_2} + e^{z_3} + \dots + e^{z_n})^2} \\
&= \frac{e^{z_2}}{e^{z_1} + e^{z_2} + e^{z_3} + \dots + e^{z_n}} \cdot \frac{e^{z_1} + e^{z_2} + e^{z_3} + \dots + e^{z_n} - e^{z_2}}{e^{z_1} + e^{z_2} + e^{z_3} + \dots + e^{z_n}} \\
&= a_2(1 - a_2)
\end{aligned} \tag{27}"""),
    ("002", "display", r"""\frac{\partial a_i}{\partial z_j} = \begin{cases} -a_i a_j & \text{if } i \neq j \\ a_i(1 - a_j) & \text{if } i = j \end{cases} \tag{28}"""),
    ("002", "display", r"""\frac{\partial A}{\partial Z} = \begin{bmatrix} \frac{\partial a_1}{\partial z_1} & \frac{\partial a_1}{\partial z_2} & \dots & \frac{\partial a_1}{\partial z_n} \\ \frac{\partial a_2}{\partial z_1} & \frac{\partial a_2}{\partial z_2} & \dots & \frac{\partial a_2}{\partial z_n} \\ \vdots & \vdots & \ddots & \vdots \\ \frac{\partial a_c}{\partial z_1} & \frac{\partial a_c}{\partial z_2} & \dots & \frac{\partial a_c}{\partial z_c} \end{bmatrix} = \begin{bmatrix} a_1(1 - a_1) & -a_1 a_2 & \dots & -a_1 a_c \\ -a_1 a_2 & a_2(1 - a_2) & \dots & -a_2 a_c \\ \vdots & \vdots & \ddots & \vdots \\ -a_c a_1 & -a_c a_2 & \dots & a_c(1 - a_c) \end{bmatrix} \tag{28}"""),
    ("002", "display", r"""\begin{aligned}
\frac{\partial J}{\partial z_j} &= \frac{\partial J}{\partial A} \cdot \frac{\partial A}{\partial z_j} \\
\frac{\partial J}{\partial A} &= -\sum_{i=1}^C \frac{y_i}{a_i} \rightarrow \frac{\partial A}{\partial z_j} = \sum_{i=1}^C \frac{\partial a_i}{\partial z_j}
\end{aligned} \tag{22}"""),
    ("002", "display", r"""= \left(-\sum_{i=1}^C \frac{y_i}{a_i} \right) \cdot \sum_{i=1}^C \frac{\partial a_i}{\partial z_j}"""),
    ("002", "display", r"""\begin{aligned}
&= \sum_{i=1}^C \frac{y_i}{a_i} a_i a_j i \neq j - \frac{y_i}{a_i} a_i (1 - a_i) \\
&= \sum_{i=1}^C y_i a_j + y_i a_i - y_i \rightarrow a_j \sum_{i=1}^C y_i + \sum_{i=1}^C y_i a_i - \sum_{i=1}^C y_i \\
&= a_j \sum_{i=1}^C y_i + \sum_{i=1}^C y_i a_i - 1 \\
&= a_j - y_j
\end{aligned} \tag{29}"""),
    ("002", "display", r"""\frac{\partial J}{\partial Z} = A - Y \quad (30)"""),
    ("002", "display", r"""\frac{\partial J}{\partial W} = \frac{\partial J}{\partial Z} \cdot \frac{\partial Z}{\partial W} = (A - Y) \cdot A^{[L-1]} \quad (31)"""),
    ("002", "display", r"""\frac{\partial J}{\partial b^{[L]}} = \frac{\partial J}{\partial Z} \cdot \frac{\partial Z}{\partial b^{[L]}} = (A - Y) \cdot 1 = A - Y \quad (32)"""),
    ("002", "display", r"""W_{new}^{[L]} = W_{current}^{[L]} - \alpha \frac{\partial J}{\partial W^{[L]}} \quad (33)"""),
    ("002", "display", r"""b_{new}^{[L]} = b_{current}^{[L]} - \alpha \frac{\partial J}{\partial b^{[L]}} \quad (34)"""),
    ("002", "display", r"""z_{1[i,j]} = B + \sum_{a=0}^{k-1} \sum_{b=0}^{k-1} x_{(i+a,j+b)} * K_{(a,b)} \quad (35)"""),
    ("002", "display", r"""A_{1[i,j]} = \text{Max}(0, z_{1[i,j]}) \quad (36)"""),
    ("002", "display", r"""y_{pool}(i, j) = \max_{a=0}^{p-1} \max_{b=0}^{p-1} y_{relu}(i \times s + a, j \times s + b) \quad (37)"""),
    ("002", "display", r"""Y_{pool} = \text{maxpool}(Y_{relu}) \quad (38)"""),
    ("002", "display", r"""Z_2 = Y_{pool} \cdot W + b_2 \quad (39)"""),
    ("002", "display", r"""A_2 = \text{sigmoid}(Z_2) \quad (40)"""),
    ("002", "display", r"""J(A_2, Y) = -Y \log(A_2) - (1 - Y) \log(1 - A_2) \quad (41)"""),
    ("002", "display", r"""\frac{\partial J}{\partial A_2} = -\frac{Y}{A_2} + \frac{1 - Y}{1 - A_2} \quad (42)"""),
    ("002", "display", r"""\frac{\partial A_2}{\partial Z_2} = A_2(1 - A_2) \quad (43)"""),
    ("002", "display", r"""\frac{\partial A_2}{\partial Z_2} = A_2(1 - A_2) \quad (44)"""),
    ("002", "display", r"""\frac{\partial J}{\partial Z_2} = \frac{\partial J}{\partial A_2} \cdot \frac{\partial A_2}{\partial Z_2} = \frac{\partial J}{\partial A_2} \cdot A_2(1 - A_2) \quad (45)"""),
    ("002", "display", r"""\frac{\partial J}{\partial W} = \frac{\partial J}{\partial Z_2} \cdot \frac{\partial Z_2}{\partial W} = \frac{\partial J}{\partial Z_2} \cdot Y_{pool} \quad (46)"""),
    ("002", "display", r"""\frac{\partial J}{\partial b_2} = \frac{\partial J}{\partial Z_2} \cdot \frac{\partial Z_2}{\partial b_2} = \frac{\partial J}{\partial Z_2} \cdot 1 \quad (47)"""),
    ("002", "display", r"""\frac{\partial J}{\partial Y_{pool}} = \frac{\partial J}{\partial Z_2} \cdot \frac{\partial Z_2}{\partial Y_{pool}} = \frac{\partial J}{\partial Z_2} \cdot W \quad (48)"""),
    ("002", "display", r"""\frac{\partial J}{\partial Y_{relu}} = \frac{\partial J}{\partial Y_{pool}} \cdot \frac{\partial Y_{pool}}{\partial Y_{relu}} = \frac{\partial J}{\partial Y_{pool}} \cdot M \quad (49)"""),
    ("002", "display", r"""\frac{\partial Y_{pool}}{\partial Y_{relu}} = M_{i,j,k} = \begin{cases} 1 & \text{if } Y_{relu}(i, j, k) = \max_{p,q} Y_{relu}(p, q, k) \\ 0 & \text{otherwise} \end{cases} \quad (50)"""),
    ("002", "display", r"""\frac{\partial J}{\partial Z_1} = \frac{\partial J}{\partial Y_{relu}} \cdot \frac{\partial Y_{relu}}{\partial Z_1} = \frac{\partial J}{\partial Y_{relu}} \cdot \begin{cases} 1 & \text{if } z_{1[i,j,k]} > 0 \\ 0 & \text{otherwise} \end{cases} \quad (51)"""),
    ("002", "display", r"""\begin{aligned} Z_{1[0,0]} &= x_{[0,0]}k_{[0,0]} + x_{[0,1]}k_{[0,1]} + \dots + x_{[0+k-1,0+k-1]}k_{[k-1,k-1]} + b_1 \\ Z_{1[0,1]} &= x_{[0,1]}k_{[0,0]} + x_{[0,2]}k_{[0,1]} + \dots + x_{[0+k-1,0+k-1]}k_{[k-1,k-1]} + b_1 \\ Z_{1[1,0]} &= x_{[1,0]}k_{[0,0]} + x_{[1,1]}k_{[0,1]} + \dots + x_{[1+K-1,2+k-1]}k_{[k-1,k-1]} + b_1 \\ Z_{1[1,1]} &= x_{[1,1]}k_{[0,0]} + x_{[1,2]}k_{[0,1]} + \dots + x_{[2+k-1,2+k-1]}k_{[k-1,k-1]} + b_1 \\ &\vdots \\ Z_{1[i,j]} &= x_{[i+0,j+0]}k_{[0,0]} + x_{[i+0,1+j]}k_{[0,1]} + \dots + x_{[i+k-1,j+k-1]}k_{[k-1,k-1]} + b_1 \end{aligned}"""),
    ("002", "display", r"""\frac{\partial J}{\partial k_{[0,0]}} = \frac{\partial J}{\partial z_{1[0,0]}} \cdot \frac{\partial z_{1[0,0]}}{\partial x_{[0,0]}} + \frac{\partial J}{\partial z_{1[0,1]}} \cdot \frac{\partial z_{1[0,1]}}{\partial x_{[0,1]}} + \frac{\partial J}{\partial z_{1[1,0]}} \cdot \frac{\partial z_{1[1,0]}}{\partial x_{[1,0]}} + \dots + \frac{\partial J}{\partial z_{1[n_H-1, n_W-1]}} \cdot \frac{\partial z_{1[n_H-1, n_W-1]}}{\partial x_{[0+n_H-1, 0+n_W-1]}} \quad (53)"""),
    ("002", "display", r"""\frac{\partial J}{\partial k_{[0,1]}} = \frac{\partial J}{\partial z_{1[0,0]}} \cdot \frac{\partial z_{1[0,0]}}{\partial x_{[0,1]}} + \frac{\partial J}{\partial z_{1[0,1]}} \cdot \frac{\partial z_{1[0,1]}}{\partial x_{[0,2]}} + \frac{\partial J}{\partial z_{1[1,0]}} \cdot \frac{\partial z_{1[1,0]}}{\partial x_{[1,1]}} + \dots + \frac{\partial J}{\partial z_{1[n_H-1, n_W-1]}} \cdot \frac{\partial z_{1[n_H-1, n_W-1]}}{\partial x_{[0+n_H-1, 1+n_W-1]}} \quad (54)"""),
    ("002", "display", r"""\begin{aligned} \frac{\partial J}{\partial b_1} &= \frac{\partial J}{\partial Z_1} \cdot \frac{\partial Z_1}{\partial b_1} \\ &= \frac{\partial J}{\partial Z_1} \cdot 1 \\ &= \sum_{i=1}^{n_H} \sum_{j=1}^{n_W} \frac{\partial J}{\partial Z_1[i, j]} \end{aligned} \quad (52)"""),
    ("002", "display", r"""z_{1[i,j]} = b_1 + \sum_{a=0}^{k-1} \sum_{b=0}^{k-1} x_{(i+a, j+b)} * K_{(a,b)} \quad (35)"""),
    ("002", "display", r"""\begin{aligned}
\frac{\partial J}{\partial K} &= \frac{\partial J}{\partial Z_1} \cdot \frac{\partial Z_1}{\partial K} && \text{where } \frac{\partial Z_1}{\partial K} = X \\
\frac{\partial J}{\partial K} &= \frac{\partial J}{\partial Z_1} \cdot X \\
&= \\
\frac{\partial J}{\partial k_{[p,q]}} &= \sum_{i=0}^{n_H-1} \sum_{j=0}^{n_W-1} \frac{\partial J}{\partial z_{1[i,j]}} \cdot x_{[i+p,j+q]}
\end{aligned} \tag{55}"""),
    ("002", "display", r"""\begin{aligned}
Z_{1[0,0]} &= x_{[0,0]}k_{[0,0]} + x_{[0,1]}k_{[0,1]} + \cdots + x_{[0+k-1,0+k-1]}k_{[k-1,k-1]} + b_1 \\
Z_{1[0,1]} &= x_{[0,1]}k_{[0,0]} + x_{[0,2]}k_{[0,1]} + \cdots + x_{[0+k-1,0+k-1]}k_{[k-1,k-1]} + b_1 \\
Z_{1[1,0]} &= x_{[1,0]}k_{[0,0]} + x_{[1,1]}k_{[0,1]} + \cdots + x_{[1+k-1,2+k-1]}k_{[k-1,k-1]} + b_1 \\
Z_{1[1,1]} &= x_{[1,1]}k_{[0,0]} + x_{[1,2]}k_{[0,1]} + \cdots + x_{[2+k-1,2+k-1]}k_{[k-1,k-1]} + b_1 \\
&\vdots \\
Z_{1[i,j]} &= x_{[i+0,j+0]}k_{[0,0]} + x_{[i+0,1+j]}k_{[0,1]} + \cdots + x_{[i+k-1,j+k-1]}k_{[k-1,k-1]} + b_1
\end{aligned}"""),
    ("002", "display", r"""\frac{\partial J}{\partial x_{[0,0]}} = \frac{\partial J}{\partial z_{1[0,0]}} \cdot \frac{\partial z_{1[0,0]}}{\partial x_{[0,0]}} = \frac{\partial J}{\partial z_{1[0,0]}} \cdot k_{[0,0]} \tag{58}"""),
    ("002", "display", r"""\frac{\partial J}{\partial x_{[0,1]}} = \frac{\partial J}{z_{1[0,0]}} \cdot \frac{\partial z_{1[0,0]}}{x_{[0,1]}} + \frac{\partial J}{z_{1[0,1]}} \cdot \frac{\partial z_{1[0,1]}}{x_{[0,1]}} = \frac{\partial J}{z_{1[0,0]}} \cdot k_{[0,1]} + \frac{\partial J}{z_{1[0,1]}} \cdot k_{[0,0]} \tag{59}"""),
    ("002", "display", r"""\frac{\partial J}{\partial x_{[1,0]}} = \frac{\partial J}{\partial z_{1[1,0]}} \cdot \frac{\partial z_{1[1,0]}}{\partial x_{[1,0]}} = \frac{\partial J}{\partial z_{1[1,0]}} \cdot k_{[0,0]} \tag{60}"""),
    ("002", "display", r"""\frac{\partial J}{\partial x_{[1,1]}} = \frac{\partial J}{\partial z_{1[1,0]}} \cdot \frac{\partial z_{1[1,0]}}{\partial x_{[1,0]}} + \frac{\partial J}{\partial z_{1[1,1]}} \cdot \frac{\partial z_{1[1,1]}}{\partial x_{[1,0]}} = \frac{\partial J}{\partial z_{1[1,0]}} k_{[0,1]} + \frac{\partial J}{\partial z_{1[1,1]}} k_{[0,0]} \tag{61}"""),
    ("002", "display", r"""\frac{\partial J}{\partial X} = \frac{\partial J}{\partial Z_1} \cdot \frac{\partial Z_1}{\partial X} \rightarrow \frac{\partial J}{\partial x_{i,j,k}} = \sum_{p=0}^{M-1} \sum_{q=0}^{N-1} k_{p,q} \frac{\partial J}{\partial Z_{1,i-p,j-q}} \quad (62)"""),
    ("002", "table", r"""J(y, \hat{y})"""),
    ("002", "table", r"""(x^{(i)}, y^{(i)}) \in \mathcal{D}"""),
    ("002", "table", r"""\frac{\partial A}{\partial Z}"""),
    ("002", "table", r"""\frac{\partial J}{\partial A}"""),
    ("002", "table", r"""\frac{\partial J}{\partial b}"""),
    ("002", "table", r"""\frac{\partial J}{\partial W}"""),
    ("002", "table", r"""\frac{\partial J}{\partial Y_{pool}}"""),
    ("002", "table", r"""\frac{\partial J}{\partial Z}"""),
    ("002", "table", r"""W_{current}^{[1]}"""),
    ("002", "table", r"""b_{current}^{[1]}"""),
    ("002", "table", r"""Z^{[1]} = XW^{[1]} + b^{[1]}"""),
    ("002", "table", r"""A^{[1]} = \frac{e^{Z^{[1]}} - e^{-Z^{[1]}}}{e^{Z^{[1]}} + e^{-Z^{[1]}}}"""),
    ("002", "table", r"""W_{new}^{[1]} := W_{current}^{[1]} - \alpha \frac{\partial J}{\partial W_{current}^{[1]}}"""),
    ("002", "table", r"""\frac{\partial J}{\partial W_{current}^{[1]}} = \frac{\partial J}{\partial Z^{[1]}} \cdot \frac{\partial Z^{[1]}}{\partial W_{current}^{[1]}} = \frac{\partial J}{\partial Z^{[1]}} \cdot X^T"""),
    ("002", "table", r"""b_{new}^{[1]} := b_{current}^{[1]} - \alpha \frac{\partial J}{\partial b_{current}^{[1]}}"""),
    ("002", "table", r"""\frac{\partial J}{\partial b_{current}^{[1]}} = \frac{\partial J}{\partial Z^{[1]}} \cdot \frac{\partial Z^{[1]}}{\partial b_{current}^{[1]}} = \frac{\partial J}{\partial Z^{[1]}} \cdot 1"""),
    ("002", "table", r"""\frac{\partial J}{\partial Z^{[1]}} = \frac{\partial J}{\partial A^{[1]}} \cdot \frac{\partial A^{[1]}}{\partial Z^{[1]}} = \frac{\partial J}{\partial A^{[1]}} \cdot (1 - (A^{[1]})^2)"""),
    ("002", "table", r"""\frac{\partial J}{\partial A^{[1]}} = \frac{\partial J}{\partial Z^{[2]}} \cdot \frac{\partial Z^{[2]}}{\partial A^{[1]}} = \frac{\partial J}{\partial Z^{[2]}} \cdot W^{[2]}"""),
    ("002", "table", r"""W_{current}^{[2]}"""),
    ("002", "table", r"""b_{current}^{[2]}"""),
    ("002", "table", r"""Z^{[2]} = A^{[1]}W^{[2]} + b^{[2]}"""),
    ("002", "table", r"""A^{[2]} = \frac{1}{1 + e^{-Z^{[2]}}}"""),
    ("002", "table", r"""W_{new}^{[2]} := W_{current}^{[2]} - \alpha \frac{\partial J}{\partial W_{current}^{[2]}}"""),
    ("002", "table", r"""\frac{\partial J}{\partial W_{current}^{[2]}} = \frac{\partial J}{\partial Z^{[2]}} \cdot \frac{\partial Z^{[2]}}{\partial W_{current}^{[2]}} = \frac{\partial J}{\partial Z^{[2]}} \cdot A^{[2]}"""),
    ("002", "table", r"""b_{new}^{[2]} := b_{current}^{[2]} - \alpha \frac{\partial J}{\partial b_{current}^{[2]}}"""),
    ("002", "table", r"""\frac{\partial J}{\partial b_{current}^{[2]}} = \frac{\partial J}{\partial Z^{[2]}} \cdot \frac{\partial Z^{[2]}}{\partial b_{current}^{[2]}} = \frac{\partial J}{\partial Z^{[2]}} \cdot 1"""),
    ("002", "table", r"""\frac{\partial J}{\partial Z^{[2]}} = \frac{\partial J}{\partial A^{[2]}} \cdot \frac{\partial A^{[2]}}{\partial Z^{[2]}} = \frac{\partial J}{\partial A^{[2]}} \cdot A^{[2]}(1 - A^{[2]})"""),
    ("002", "table", r"""\frac{\partial J}{\partial A^{[2]}} = -\frac{Y}{A^{[2]}} + \frac{1 - Y}{1 - A^{[2]}}"""),
    ("002", "table", r"""J(A^{[2]}, Y) = Y \log(A^{[2]}) + (1 - Y) \log(1 - A^{[2]})"""),
    ("002", "table", r"""A^{[1]} = \begin{cases} Z^{[1]}, & \text{if } Z^{[1]} \geq 0 \\ 0, & \text{otherwise} \end{cases}"""),
    ("002", "table", r"""\frac{\partial J}{\partial Z^{[1]}} = \frac{\partial J}{\partial A^{[1]}} \cdot \frac{\partial A^{[1]}}{\partial Z^{[1]}} = \frac{\partial J}{\partial A^{[1]}} \cdot \begin{cases} 1, & \text{if } Z^{[1]} > 0 \\ 0, & \text{otherwise} \end{cases}"""),
    ("002", "table", r"""w_{current}^{[1]}"""),
    ("002", "table", r"""z^{[1]} = XW^{[1]} + b^{[1]}"""),
    ("002", "table", r"""A^{[1]} = \begin{cases} Z^{[1]}, & \text{if } Z^{[1]} > 0 \\ 0, & \text{otherwise} \end{cases}"""),
    ("002", "table", r"""\frac{\partial J}{\partial W^{[1]}} = \frac{\partial J}{\partial Z^{[1]}} \cdot \frac{\partial Z^{[1]}}{\partial W^{[1]}} = \frac{\partial J}{\partial Z^{[1]}} \cdot X"""),
    ("002", "table", r"""\frac{\partial J}{\partial b^{[1]}} = \frac{\partial J}{\partial Z^{[1]}} \cdot \frac{\partial Z^{[1]}}{\partial b^{[1]}} = \frac{\partial J}{\partial Z^{[1]}} \cdot 1"""),
    ("002", "table", r"""w_{current}^{[2]}"""),
    ("002", "table", r"""A^{[2]} = \begin{cases} Z^{[2]}, & \text{if } Z^{[2]} > 0 \\ 0, & \text{otherwise} \end{cases}"""),
    ("002", "table", r"""\frac{\partial J}{\partial W^{[2]}} = \frac{\partial J}{\partial Z^{[2]}} \cdot \frac{\partial Z^{[2]}}{\partial W^{[2]}} = \frac{\partial J}{\partial Z^{[2]}} \cdot (A^{[2]})^T"""),
    ("002", "table", r"""\frac{\partial J}{\partial b^{[2]}} = \frac{\partial J}{\partial Z^{[2]}} \cdot \frac{\partial Z^{[2]}}{\partial b^{[2]}} = \frac{\partial J}{\partial Z^{[2]}} \cdot 1"""),
    ("002", "table", r"""\frac{\partial J}{\partial Z^{[2]}} = \frac{\partial J}{\partial A^{[2]}} \cdot \frac{\partial A^{[2]}}{\partial Z^{[2]}} = \frac{\partial J}{\partial A^{[2]}} \cdot \begin{cases} 1, & \text{if } Z^{[2]} > 0 \\ 0, & \text{otherwise} \end{cases}"""),
    ("002", "table", r"""\frac{\partial J}{\partial A^{[2]}} = \frac{\partial J}{\partial Z^{[3]}} \cdot \frac{\partial Z^{[3]}}{\partial A^{[2]}} = \frac{\partial J}{\partial Z^{[3]}} \cdot W^{[3]}"""),
    ("002", "table", r"""w_{current}^{[L-1]}"""),
    ("002", "table", r"""b_{current}^{[L-1]}"""),
    ("002", "table", r"""Z^{[L-1]} = A^{[L-2]}W^{[L-1]} + b^{[L-1]}"""),
    ("002", "table", r"""A^{[L-1]} = \begin{cases} Z^{[L-1]}, & \text{if } Z^{[L-1]} > 0 \\ 0, & \text{otherwise} \end{cases}"""),
    ("002", "table", r"""W_{new}^{[L-1]} := W_{current}^{[L-1]} - \alpha \frac{\partial J}{\partial W_{current}^{[L-1]}}"""),
    ("002", "table", r"""\frac{\partial J}{\partial W^{[L-1]}} = \frac{\partial J}{\partial Z^{[L-1]}} \cdot \frac{\partial Z^{[L-1]}}{\partial W^{[L-1]}} = \frac{\partial J}{\partial Z^{[L-1]}} \cdot (A^{[L-1]})^T"""),
    ("002", "table", r"""b_{new}^{[L-1]} := b_{current}^{[L-1]} - \alpha \frac{\partial J}{\partial b_{current}^{[L-1]}}"""),
    ("002", "table", r"""\frac{\partial J}{\partial b^{[L-1]}} = \frac{\partial J}{\partial Z^{[L-1]}} \cdot \frac{\partial Z^{[L-1]}}{\partial b^{[L-1]}} = \frac{\partial J}{\partial Z^{[L-1]}} \cdot 1"""),
    ("002", "table", r"""\frac{\partial J}{\partial Z^{[L-1]}} = \frac{\partial J}{\partial A^{[L-1]}} \cdot \frac{\partial A^{[L-1]}}{\partial Z^{[L-1]}} = \frac{\partial J}{\partial A^{[L-1]}} \cdot \begin{cases} 1, & \text{if } Z^{[L-1]} > 0 \\ 0, & \text{otherwise} \end{cases}"""),
    ("002", "table", r"""\frac{\partial J}{\partial A^{[L-1]}} = \frac{\partial J}{\partial Z^{[L]}} \cdot \frac{\partial Z^{[L]}}{\partial A^{[L-1]}} = \frac{\partial J}{\partial Z^{[L]}} \cdot W^{[L]}"""),
    ("002", "table", r"""w_{current}^{[L]}"""),
    ("002", "table", r"""b_{current}^{[L]}"""),
    ("002", "table", r"""z^{[L]} = XW^{[L]} + b^{[L]}"""),
    ("002", "table", r"""A^{[L]} = \frac{1}{1+e^{-z^L}}"""),
    ("002", "table", r"""W_{new}^{[L]} := W_{current}^{[L]} - \alpha \frac{\partial J}{\partial W_{current}^{[L]}}"""),
    ("002", "table", r"""\frac{\partial J}{\partial W_{current}^{[L]}} = \frac{\partial J}{\partial Z^{[L]}} \cdot \frac{\partial Z^{[L]}}{\partial W_{current}^{[L]}} = \frac{\partial J}{\partial Z^{[L]}} \cdot A^{[L]}"""),
    ("002", "table", r"""b_{new}^{[L]} := b_{current}^{[L]} - \alpha \frac{\partial J}{\partial b_{current}^{[L]}}"""),
    ("002", "table", r"""\frac{\partial J}{\partial b_{current}^{[L]}} = \frac{\partial J}{\partial Z^{[L]}} \cdot \frac{\partial Z^{[L]}}{\partial b_{current}^{[L]}} = \frac{\partial J}{\partial Z^{[L]}} \cdot 1"""),
    ("002", "table", r"""\frac{\partial J}{\partial Z^{[L]}} = \frac{\partial J}{\partial A^{[L]}} \cdot \frac{\partial A^{[L]}}{\partial Z^{[L]}} = \frac{\partial J}{\partial A^{[L]}} \cdot A^{[L]}(1 - A^{[L]})"""),
    ("002", "table", r"""\frac{\partial J}{\partial A^{[L]}} = -\frac{Y}{A^{[L]}} + \frac{1-Y}{1-A^{[L]}}"""),
    ("002", "table", r"""J(A^{[L]}, Y) = Y \log(A^{[L]}) + (1 - Y) \log(1 - A^{[L]})"""),
    ("002", "table", r"""Z^{[L]} = XW^{[L]} + b^{[L]}"""),
    ("002", "table", r"""A = \begin{bmatrix} \frac{e^{z_1^L}}{\sum_i^C e^{z_i^L}} \\ \frac{e^{z_2^L}}{\sum_i^C e^{z_i^L}} \\ \vdots \\ \frac{e^{z_C^L}}{\sum_i^C e^{z_i^L}} \end{bmatrix}"""),
    ("002", "table", r"""\frac{\partial J}{\partial Z^{[L]}} = \frac{\partial J}{\partial A^{[L]}} \cdot \frac{\partial A^{[L]}}{\partial Z^{[L]}} = A^L - Y"""),
    ("002", "table", r"""\frac{\partial J}{\partial A^{[L]}} = -\sum_{i=1}^C y_i \log(a_i^L)"""),
    ("002", "table", r"""L(Y, A^{[L]}) = -\sum_{i=1}^C y_i \log(a_i^L)"""),
    ("002", "table", r"""K_{current}^{[1]}"""),
    ("002", "table", r"""Z^{[1]} = X * K^{[1]} + b^{[1]}"""),
    ("002", "table", r"""K_{new}^{[1]} := K_{current}^{[1]} - \alpha \frac{\partial J}{\partial K_{current}^{[1]}}"""),
    ("002", "table", r"""\frac{\partial J}{\partial K^{[1]}} = \frac{\partial J}{\partial Z^{[1]}} \cdot \frac{\partial Z^{[1]}}{\partial K^{[1]}} = \frac{\partial J}{\partial Z^{[1]}} \cdot X"""),
    ("002", "table", r"""\frac{\partial J}{\partial Z^{[1]}} = \frac{\partial J}{\partial A^{[1]}} \cdot \frac{\partial A^{[1]}}{\partial Z^{[1]}} ="""),
    ("002", "table", r"""\frac{\partial J}{\partial A^{[1]}} \cdot \begin{cases} 1, & \text{if } Z^{[1]} > 0 \\ 0, & \text{otherwise} \end{cases}"""),
    ("002", "table", r"""\frac{\partial J}{\partial A^{[1]}} = \frac{\partial J}{\partial Y_{pool}^{[1]}} \cdot \frac{\partial Y_{pool}^{[1]}}{\partial A^{[1]}} = \frac{\partial J}{\partial Y_{pool}^{[1]}} \cdot M^{[1]}"""),
    ("002", "table", r"""Y_{pool}^1 = \text{Maxpooling}(A^1)"""),
    ("002", "table", r"""\frac{\partial J}{\partial Y_{pool}^1} = \frac{\partial J}{\partial Z^{[2]}} \cdot \frac{\partial Z^{[2]}}{\partial Y_{pool}^1} = \frac{\partial J}{\partial Z^{[2]}} \cdot K^{[2]}"""),
    ("002", "table", r"""K_{current}^{[2]}"""),
    ("002", "table", r"""Z^{[2]} = Y_{pool}^1 * K^{[2]} + b^{[2]}"""),
    ("002", "table", r"""K_{new}^{[2]} := K_{current}^{[2]} - \alpha \frac{\partial J}{\partial K_{current}^{[2]}}"""),
    ("002", "table", r"""\frac{\partial J}{\partial K^{[2]}} = \frac{\partial J}{\partial Z^{[2]}} \cdot \frac{\partial Z^{[2]}}{\partial K^{[2]}} = \frac{\partial J}{\partial Z^{[2]}} \cdot Y_{pool}^1"""),
    ("002", "table", r"""\frac{\partial J}{\partial Z^{[2]}} = \frac{\partial J}{\partial A^{[2]}} \cdot \frac{\partial A^{[2]}}{\partial Z^{[2]}} ="""),
    ("002", "table", r"""\frac{\partial J}{\partial A^{[2]}} \cdot \begin{cases} 1, & \text{if } Z^{[2]} > 0 \\ 0, & \text{otherwise} \end{cases}"""),
    ("002", "table", r"""\frac{\partial J}{\partial A^{[2]}} = \frac{\partial J}{\partial Y_{pool}^2} \cdot \frac{\partial Y_{pool}^2}{\partial A^{[2]}} = \frac{\partial J}{\partial Y_{pool}^2} \cdot M^{[2]}"""),
    ("002", "table", r"""Y_{pool}^2 = \text{Maxpooling}(A^{[2]})"""),
    ("002", "table", r"""\frac{\partial J}{\partial Y_{pool}^2} = \frac{\partial J}{\partial Z^{[3]}} \cdot \frac{\partial Z^{[3]}}{\partial Y_{pool}^2} = \frac{\partial J}{\partial Z^{[3]}} \cdot W^{[3]}"""),
    ("002", "table", r"""W_{current}^{[L-1]}"""),
    ("002", "table", r"""Z^{[L-1]} = Y_{pool}^{[L-2]} * W^{[L-1]} + b^{[L-1]}"""),
    ("002", "table", r"""\frac{\partial J}{\partial W^{[L-1]}} = \frac{\partial J}{\partial Z^{[L-1]}} \cdot \frac{\partial Z^{[L-1]}}{\partial W^{[L-1]}} ="""),
    ("002", "table", r"""\frac{\partial J}{\partial Z^{[L-1]}} \cdot Y_{pool}^{[L-1]}"""),
    ("002", "table", r"""\frac{\partial J}{\partial Z^{[L-1]}} = \frac{\partial J}{\partial A^{[L-1]}} \cdot \frac{\partial A^{[L-1]}}{\partial Z^{[L-1]}} ="""),
    ("002", "table", r"""\frac{\partial J}{\partial A^{[L-1]}} \cdot \begin{cases} 1, & \text{if } Z^{[L-1]} > 0 \\ 0, & \text{otherwise} \end{cases}"""),
    ("002", "table", r"""W_{current}^{[L]}"""),
    ("002", "table", r"""Z^{[L]} = A^{[L-1]} * W^{[L]} + b^{[L]}"""),
    ("002", "table", r"""A^{[L]} = \begin{bmatrix} \frac{e^{z_1^L}}{\sum_i^C e^{z_i^L}} \\ \frac{e^{z_2^L}}{\sum_i^C e^{z_i^L}} \\ \vdots \\ \frac{e^{z_C^L}}{\sum_i^C e^{z_i^L}} \end{bmatrix}"""),
    ("002", "table", r"""\frac{\partial J}{\partial A^{[L]}} = - \sum_{i=1}^C y_i \log(a_i^L)"""),
    ("002", "table", r"""L(Y, A^{[L]}) = - \sum_{i=1}^C y_i \log(a_i^L)"""),
    ("003", "display", r"""\frac{\partial C}{\partial A^{(2)}} = \frac{2}{N_{out}} \sum_{i=1}^{N_{out}} (\hat{y}_i - y_i)"""),
    ("003", "display", r"""\frac{\partial C}{\partial Z^{(2)}} = \frac{\partial C}{\partial A^{(2)}} \cdot \frac{\partial A^{(2)}}{\partial Z^{(2)}}"""),
    ("003", "display", r"""\frac{\partial A^{(2)}}{\partial Z^{(2)}} = \sigma'(Z^{(2)}) = \sigma(Z^{(2)}) \cdot (1 - \sigma(Z^{(2)}))"""),
    ("003", "display", r"""\frac{\partial C}{\partial Z^{(2)}} = \frac{\partial C}{\partial A^{(2)}} \cdot A^{(2)} \cdot (1 - A^{(2)})"""),
    ("003", "display", r"""\frac{\partial C}{\partial W^{(2)}} = \frac{\partial C}{\partial Z^{(2)}} \cdot \frac{\partial Z^{(2)}}{\partial W^{(2)}} = \frac{\partial C}{\partial Z^{(2)}} \cdot A^{(1)}"""),
    ("003", "display", r"""\frac{\partial C}{\partial B^{(2)}} = \sum_{i=1}^{N_{out}} \frac{\partial C}{\partial Z^{(2)}}"""),
    ("003", "display", r"""\frac{\partial C}{\partial A^{(1)}} = \frac{\partial C}{\partial Z^{(2)}} \cdot \frac{\partial Z^{(2)}}{\partial A^{(1)}} = \frac{\partial C}{\partial Z^{(2)}} \cdot W^{(2)}"""),
    ("003", "display", r"""\frac{\partial C}{\partial Z^{(1)}} = \frac{\partial C}{\partial A^{(1)}} \cdot \frac{\partial A^{(1)}}{\partial Z^{(1)}} = \frac{\partial C}{\partial A^{(1)}} \cdot A^{(1)} \cdot (1 - A^{(1)})"""),
    ("003", "display", r"""\frac{\partial C}{\partial W^{(1)}} = \frac{\partial C}{\partial Z^{(1)}} \cdot A^{(0)}"""),
    ("003", "display", r"""\frac{\partial C}{\partial B^{(1)}} = \sum_{i=1}^{N_{in}} \frac{\partial C}{\partial Z^{(1)}}"""),
    ("004", "display", r"""sig \ x = \frac{1}{1 + e^{-x}} = \frac{e^x}{1 + e^x}"""),
    ("004", "display", r"""(sig \ x)' = \left(\frac{1}{1 + e^{-x}}\right)' = -\frac{-e^{-x}}{(1 + e^{-x})^2} = \frac{1}{1 + e^{-x}} \frac{e^{-x}}{1 + e^{-x}} = sig \ x \ sig(-x)"""),
    ("004", "display", r"""1 - sig \ x = 1 - \frac{e^x}{1 + e^x} = \frac{1 + e^x - e^x}{1 + e^x} = \frac{1}{1 + e^x} = sig(-x)"""),
    ("004", "display", r"""\therefore (sig x)' = sig x sig(-x) = sig x (1 - sig x)"""),
    ("004", "display", r"""C = \frac{1}{2} \sum_{t} \left( a_{t}^{(L)} - y_{t} \right)^{2} \qquad a_{j}^{(L)} = sig \, z_{j}^{(L)} \qquad z_{j}^{(L)} = b_{j}^{(L)} + \sum_{t} w_{t,j}^{(L)} a_{t}^{(L-1)}"""),
    ("004", "display", r"""\frac{\partial C}{\partial a_{j}^{(L)}} = a_{j}^{(L)} - y_{j} \quad \frac{\partial a_{j}^{(L)}}{\partial z_{j}^{(L)}} = sig \, z_{j}^{(L)} \left(1 - sig \, z_{j}^{(L)}\right) \quad \frac{\partial z_{j}^{(L)}}{\partial b_{j}^{(L)}} = 1 \quad \frac{\partial z_{j}^{(L)}}{\partial w_{i,j}^{(L)}} = a_{i}^{(L-1)} \quad \frac{\partial z_{j}^{(L)}}{\partial a_{i}^{(L-1)}} = w_{i,j}^{(L)}"""),
    ("004", "display", r"""= a_{j}^{(L)} \left(1 - a_{j}^{(L)}\right)"""),
    ("004", "display", r"""\left[\Delta b_{j}^{(L)}\right] = \frac{\partial C}{\partial b_{j}^{(L)}} = \frac{\partial C}{\partial a_{j}^{(L)}} \frac{\partial a_{j}^{(L)}}{\partial z_{j}^{(L)}} \frac{\partial z_{j}^{(L)}}{\partial b_{j}^{(L)}} = \frac{\partial C}{\partial a_{j}^{(L)}} \frac{\partial a_{j}^{(L)}}{\partial z_{j}^{(L)}} = \left(a_{j}^{(L)} - y_{j}\right) a_{j}^{(L)} \left(1 - a_{j}^{(L)}\right)"""),
    ("004", "display", r"""\left[ \Delta w_{i,j}^{(L)} \right] = \frac{\partial C}{\partial w_{i,j}^{(L)}} = \frac{\partial C}{\partial a_j^{(L)}} \frac{\partial a_j^{(L)}}{\partial z_j^{(L)}} \frac{\partial z_j^{(L)}}{\partial w_{i,j}^{(L)}} = \frac{\partial C}{\partial a_j^{(L)}} \frac{\partial a_j^{(L)}}{\partial z_j^{(L)}} a_i^{(L-1)} = \left[ \Delta b_j^{(L)} \right] a_i^{(L-1)}"""),
    ("004", "display", r"""\left[\Delta \, a_i^{(L-1)}\right] = \frac{\partial \mathcal{C}}{\partial a_i^{(L-1)}} = \sum_j \frac{\partial \mathcal{C}}{\partial a_j^{(L)}} \frac{\partial a_j^{(L)}}{\partial z_j^{(L)}} \frac{\partial z_j^{(L)}}{\partial a_i^{(L-1)}} = \sum_j \frac{\partial \mathcal{C}}{\partial a_j^{(L)}} \frac{\partial a_j^{(L)}}{\partial z_j^{(L)}} w_{i,j}^{(L)} = \sum_j \left[\Delta \, b_j^{(L)}\right] w_{i,j}^{(L)}"""),
    ("004", "display", r"""a_j^{(L-1)} = sig z_j^{(L-1)}"""),
    ("004", "display", r"""\frac{\partial a_{j}^{(L-1)}}{\partial z_{j}^{(L-1)}} = a_{j}^{(L-1)} \left(1 - a_{j}^{(L-1)}\right) \quad \frac{\partial z_{j}^{(L-1)}}{\partial b_{j}^{(L-1)}} = 1 \quad \frac{\partial z_{j}^{(L-1)}}{\partial w_{i,j}^{(L-1)}} = a_{i}^{(L-2)} \quad \frac{\partial z_{j}^{(L-1)}}{\partial a_{i}^{(L-2)}} = w_{i,j}^{(L-1)}"""),
    ("004", "display", r"""\left[ \Delta \, b_j^{(L-1)} \right] = \frac{\partial \mathcal{C}}{\partial b_j^{(L-1)}} = \frac{\partial \mathcal{C}}{\partial a_j^{(L-1)}} \frac{\partial a_j^{(L-1)}}{\partial z_j^{(L-1)}} \frac{\partial z_j^{(L-1)}}{\partial b_j^{(L-1)}} = \frac{\partial \mathcal{C}}{\partial a_j^{(L-1)}} \frac{\partial a_j^{(L-1)}}{\partial z_j^{(L-1)}} = \left[ \Delta \, a_j^{(L-1)} \right] a_j^{(L-1)} \left( 1 - a_j^{(L-1)} \right)"""),
    ("004", "display", r"""\left[\Delta w_{i,j}^{(L-1)}\right] = \frac{\partial C}{\partial w_{i,j}^{(L-1)}} = \frac{\partial C}{\partial a_j^{(L-1)}} \frac{\partial a_j^{(L-1)}}{\partial z_j^{(L-1)}} \frac{\partial z_j^{(L-1)}}{\partial w_{i,j}^{(L-1)}} = \frac{\partial C}{\partial a_j^{(L-1)}} \frac{\partial a_j^{(L-1)}}{\partial z_j^{(L-1)}} a_i^{(L-2)} = \left[\Delta b_j^{(L-1)}\right] a_i^{(L-2)}"""),
    ("004", "display", r"""\left[\Delta a_{i}^{(L-2)}\right] = \frac{\partial C}{\partial a_{i}^{(L-2)}} = \sum_{j} \frac{\partial C}{\partial a_{j}^{(L-1)}} \frac{\partial a_{j}^{(L-1)}}{\partial z_{j}^{(L-1)}} \frac{\partial z_{j}^{(L-1)}}{\partial a_{i}^{(L-2)}} = \sum_{j} \frac{\partial C}{\partial a_{j}^{(L-1)}} \frac{\partial a_{j}^{(L-1)}}{\partial z_{j}^{(L-1)}} w_{i,j}^{(L-1)} = \sum_{j} \left[\Delta b_{j}^{(L-1)}\right] w_{i,j}^{(L-1)}"""),
    ("004", "display", r"""a_j^{(l)} = sig\left(b_j^{(l)} + \sum_i w_{i,j}^{(l)} a_i^{(l-1)}\right)"""),
    ("004", "display", r"""\left[ \Delta b_{j}^{(l)} \right] = \begin{cases} \left( a_{j}^{(l)} - y_{j} \right) a_{j}^{(l)} \left( 1 - a_{j}^{(l)} \right) & \text{if } l = L \\ \left[ \Delta a_{j}^{(l)} \right] a_{j}^{(l)} \left( 1 - a_{j}^{(l)} \right) & \text{if } l < L \end{cases}"""),
    ("004", "display", r"""\left[ \Delta w_{i,j}^{(l)} \right] = \left[ \Delta b_{j}^{(l)} \right] a_{i}^{(l-1)}"""),
    ("004", "display", r"""\left[ \Delta a_{i}^{(l-1)} \right] = \sum_{j} \left[ \Delta b_{j}^{(l)} \right] w_{i,j}^{(l)}"""),
    ("004", "display", r"""a_{j}^{(1)} = sig \left( b_{j}^{(1)} + \sum_{l} w_{i,j}^{(1)} x_{l} \right)"""),
    ("004", "display", r"""for \ l = 2 \ up \ to \ L:"""),
    ("004", "display", r"""a_{j}^{(l)} = sig \left( b_{j}^{(l)} + \sum_{l} w_{i,j}^{(l)} a_{i}^{(l-1)} \right)"""),
    ("004", "display", r"""\left[ \Delta b_{j}^{(L)} \right] = \left( a_{j}^{(L)} - y_{j} \right) a_{j}^{(L)} \left( 1 - a_{j}^{(L)} \right)"""),
    ("004", "display", r"""\left[ \Delta w_{i,j}^{(L)} \right] = \left[ \Delta b_{j}^{(L)} \right] a_{i}^{(L-1)}"""),
    ("004", "display", r"""if \ L > 1:"""),
    ("004", "display", r"""\left[ \Delta a_{i}^{(L-1)} \right] = \sum_{j} \left[ \Delta b_{j}^{(L)} \right] w_{i,j}^{(L)}"""),
    ("004", "display", r"""for \ l = L - 1 \ down \ to \ 2:"""),
    ("004", "display", r"""\left[ \Delta b_{j}^{(l)} \right] = \left[ \Delta a_{j}^{(l)} \right] a_{j}^{(l)} \left( 1 - a_{j}^{(l)} \right)"""),
    ("004", "display", r"""\left[ \Delta b_{j}^{(1)} \right] = \left[ \Delta a_{j}^{(1)} \right] a_{j}^{(1)} \left( 1 - a_{j}^{(1)} \right)"""),
    ("004", "display", r"""\left[ \Delta w_{i,j}^{(1)} \right] = \left[ \Delta b_{j}^{(1)} \right] x_{i}"""),
]

# cells that are not a formula on their own: (substring, what the error must say)
NOT_FORMULAS = {
    r"(x^{(i)}, y^{(i)}) \in \mathcal{D}": "must follow a function",
    r"\frac{\partial A^{[1]}}{\partial Z^{[1]}} =": "ends with '='",
    r"\frac{\partial A^{[2]}}{\partial Z^{[2]}} =": "ends with '='",
    r"\frac{\partial Z^{[L-1]}}{\partial W^{[L-1]}} =": "ends with '='",
    r"\frac{\partial A^{[L-1]}}{\partial Z^{[L-1]}} =": "ends with '='",
}


def _expected_failure(latex):
    for tail, reason in NOT_FORMULAS.items():
        if latex.endswith(tail):
            return reason
    return None


def test_there_are_many_document_formulas():
    assert len(DOCUMENT_FORMULAS) >= 200
    assert sum(1 for d, kind, _ in DOCUMENT_FORMULAS if d == "002" and kind == "table") >= 60


@pytest.mark.parametrize("doc,kind,latex", DOCUMENT_FORMULAS, ids=[f"{d}-{k}-{i}" for i, (d, k, _) in enumerate(DOCUMENT_FORMULAS)])
def test_document_formula_parses_and_round_trips(doc, kind, latex):
    reason = _expected_failure(latex)
    if reason is not None:
        with pytest.raises(NotationError, match=reason):
            parse(latex)
        return
    parsed = parse(latex)
    assert parsed.statements
    again = parse(to_latex(parsed))
    assert again == parsed
    # the canonical text is a fixed point
    assert to_latex(again) == to_latex(parsed)
