"""Codegen: the derived closed forms as NumPy functions that train real networks.

network.py  compile_network -> Network (init, loss, grads, predict; lambdify with the core's steps as CSE)
printer.py  the NumPy printer for what SymPy's NumPyPrinter lacks (HadamardPower, applyfunc, ones-matrix sums, CNN nodes)
stable.py   the loss rewritten from the logits (log-sigmoid, log-softmax)
kernels.py  stable NumPy kernels: sigmoid, softmax, log-sum-exp, convolution, max-pooling
writer.py   a standalone module that imports only NumPy, formulas as comments
"""
