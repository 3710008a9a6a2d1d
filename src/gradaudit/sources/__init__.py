"""Readers of the files derivations are written in: Markdown notes, notebooks, LaTeX sources.

Each turns a file into a corpus.Document whose formulas know their file and line; the header of
a notes file (front matter, a `% gradaudit:` comment block) is always read by gradaudit.frontmatter.
"""
from __future__ import annotations

import re
from pathlib import Path

from ..errors import GradauditError

DECLARES = re.compile(r"^\s*(architecture|network)\s*:", re.MULTILINE)


def declares_network(path: Path) -> bool:
    """Does this notes file name the network its formulas are about? A pre-commit hook audits only those:
    a file it cannot read, or whose header names no network, is one it has nothing to say about."""
    from .. import corpus, frontmatter
    from .latex import header
    from .markdown import declares_sections
    from .notebook import notebook_markdown
    suffix = path.suffix.lower()
    if suffix not in corpus.NOTES_SUFFIXES:
        return True
    try:
        text = corpus._read_text(path)
        if suffix == ".tex":
            block = header(text, path)[0] or ""   # no '% gradaudit:' block: nothing declared
        else:
            if suffix == ".ipynb":
                text = notebook_markdown(path, text)[0]
            found = frontmatter.split(text)
            block = found[0] if found else ""
            if declares_sections(text):   # a heading's own network: the notes are gradaudit's too
                return True
    except GradauditError:
        return False
    return DECLARES.search(block) is not None
