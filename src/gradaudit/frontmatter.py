"""The header of a notes file: where it is, and the options it sets.

Markdown and notebooks open with a `---` block (as Jekyll, MkDocs and Jupyter Book write it);
other readers (a LaTeX comment block, a cell magic) hand their header text to `parse` the same
way, so every kind of notes file accepts the same keys with the same errors.
"""
from __future__ import annotations

import difflib
import re
from pathlib import Path

from .errors import GradauditError

FRONT = re.compile(r"\A\s*---[ \t]*\n(.*?)\n---\s*\n", re.S)


def split(text: str) -> tuple[str, int, int] | None:
    """(header text, its first line number, the offset where the body starts), or None without a header."""
    m = FRONT.match(text)
    if not m:
        return None
    return m.group(1), text.count("\n", 0, m.start(1)) + 1, m.end()


def parse(block: str, first: int, path: Path, known: set) -> tuple[dict, dict]:
    """The options a header sets and the line of each; `known` are the keys gradaudit reads."""
    options, lines = {}, {}
    for number, line in enumerate(block.splitlines(), start=first):
        if not line.strip() or line.strip().startswith("#"):
            continue
        if ":" not in line:
            raise GradauditError(f"front matter line is not 'key: value': {line.strip()[:60]}", file=str(path), line=number)
        key, value = (s.strip() for s in line.split(":", 1))
        value = re.sub(r"\s+#.*$", "", value)   # a YAML comment after the value
        if key == "alias":   # alias: Y_{relu} = A^{[1]}, one line per name
            name, eq, target = value.partition("=")
            if not eq or not name.strip() or not target.strip():
                raise GradauditError("an alias line reads 'alias: NAME = QUANTITY'", file=str(path), line=number)
            options.setdefault("aliases", {})[name.strip()] = target.strip()
            continue
        if key in options:
            raise GradauditError(f"front matter key '{key}' is given twice (line {lines[key]} and here)",
                                 file=str(path), line=number)
        options[key] = value.strip("'\"")
        lines[key] = number
    if "architecture" not in options:
        raise GradauditError("front matter names no architecture (add 'architecture: ID'; see gradaudit list)",
                             file=str(path), line=1)
    for key in options:
        # other keys (author, date, tags) belong to other tools; a near miss of ours is a typo that would be ignored
        near = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.75)
        if key not in known and key != "aliases" and near:
            raise GradauditError(f"unknown front matter key '{key}': did you mean '{near[0]}'?", file=str(path),
                                 line=lines[key])
    return options, lines
