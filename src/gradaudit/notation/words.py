r"""Multi-letter names (loss, scores, h1, W2): which runs of letters the notes use as one quantity.

In italic mathematics `ab` is the product a b, so a run of letters is one name only on evidence that the notes
use it as one quantity: declared (`names:`), wrapped as one (\mathit{h1}), differentiated (\partial{scores_0}),
assigned (`loss(scores) = ...`), subscripted as a whole (trueprob_0: a product of eight letters with an index on
the last is no one's notation), or a letter with digit suffixes in a family (W1 and W2). The evidence of a
whole document holds in each of its formulas (words_in, reading_words); a formula's own evidence always does.
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from contextvars import ContextVar

from .vocabulary import FUNC_ANYCASE, FUNC_TEXT, FUNC_WORDS, GREEK

NOT_WORDS = {"max", "min", "sum", "prod", "arg", "argmax", "argmin", "lim", "det", "tr", "np", "numpy", "axis",
             "keepdims", "if", "for", "and", "or", "where", "otherwise", "else", "with", "when", "then", "of", "to",
             "in", "is", "the", "all", "each", "let", "end", "up", "mean", "shape", "True", "False"}
RUN = r"[A-Za-z]+[0-9]*"
_WRAPPED_WORD_RE = re.compile(r"\\(?:mathit|mathrm)\s*\{\s*(" + RUN + r")(?![A-Za-z0-9])")
_PARTIAL_WORD_RE = re.compile(r"\\partial\s*\{?\s*(" + RUN + r")(?![A-Za-z0-9])")
_ASSIGNED_WORD_RE = re.compile(r"(?:^|\\\\|&|\\begin\{[a-z*]+\}|\$)\s*(" + RUN + r")\s*(?:\([^()=]*\))?\s*(?:=|:=|\\equiv\b)")
_SUBSCRIPTED_WORD_RE = re.compile(r"(?<![A-Za-z0-9\\])([A-Za-z]{3,})\s*_")
_DIGIT_NAME_RE = re.compile(r"(?<![A-Za-z0-9\\^_])([A-Za-z]+)([0-9]+)(?![0-9])")
_WORDS: ContextVar[frozenset] = ContextVar("gradaudit_words", default=frozenset())


def _wordlike(run: str, wrapped: bool = False) -> bool:
    """A run that may name a quantity: no function, keyword, Greek letter or d-shorthand; three letters at least,
    or a letter with digits, or two letters wrapped as one name (\\mathit{ab})."""
    letters = run.rstrip("0123456789")
    if len(run) < 2 or not letters or letters in NOT_WORDS or run in GREEK:
        return False
    low = letters.lower()
    if low in FUNC_ANYCASE or low in FUNC_TEXT or letters in FUNC_WORDS:
        return False
    if run == letters and len(run) < 3 and not wrapped:
        return False   # xy, Wx: two letters are a product unless declared or wrapped
    return not (letters[0] == "d" and len(letters) > 1)   # dZ, dW1, dscores: the shorthand d of a name


def words_in(texts, declared=()) -> frozenset:
    """The words the notes use as names (see above): declared names that are words, and what their formulas show."""
    found = {w for w in declared if re.fullmatch(RUN, w) and len(w) > 1 and w not in GREEK}
    families: dict = {}
    for text in texts:
        for rx in (_WRAPPED_WORD_RE, _PARTIAL_WORD_RE, _ASSIGNED_WORD_RE, _SUBSCRIPTED_WORD_RE):
            found.update(w for w in rx.findall(text) if _wordlike(w, rx is _WRAPPED_WORD_RE))
        for letters, digits in _DIGIT_NAME_RE.findall(text):
            families.setdefault(letters, set()).add(digits)
    found.update(letters + d for letters, ds in families.items() if len(ds) > 1 and _wordlike(letters + "1")
                 for d in ds)
    return frozenset(found)


@contextmanager
def reading_words(words):
    """Read every formula inside as the notes whose words these are."""
    token = _WORDS.set(frozenset(words))
    try:
        yield
    finally:
        _WORDS.reset(token)


def current_words() -> frozenset:
    """The words of the notes being read (reading_words), or none."""
    return _WORDS.get()
