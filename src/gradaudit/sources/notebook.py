"""A Jupyter notebook's Markdown cells, read as one Markdown text whose lines the report names by cell and line.

The JSON is read with the standard library (nbformat would validate code cells the audit never reads, and a
notebook a user hands over is data: nothing in it is executed).
"""
from __future__ import annotations

import json
from pathlib import Path

from .. import corpus
from ..errors import GradauditError
from .markdown import load_markdown


def notebook_markdown(path: Path, text: str) -> tuple[str, list, list]:
    """The Markdown cells of a notebook joined into one text, (cell, line) of each of its lines, and the
    offset where each cell starts (Jupyter renders each cell alone: a fence left open ends with its cell)."""
    try:
        nb = json.loads(text)
    except json.JSONDecodeError as exc:
        raise GradauditError(f"not a notebook (invalid JSON: {exc.msg})", file=str(path), line=exc.lineno) from None
    except RecursionError:
        raise GradauditError("not a notebook (JSON nested too deeply)", file=str(path), line=1) from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise GradauditError("not a notebook (no cells)", file=str(path), line=1)
    texts, cell_lines, starts, offset = [], [], [], 0
    for number, cell in enumerate(nb["cells"], start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "markdown":
            continue
        source = cell.get("source", "")
        if isinstance(source, list) and not all(isinstance(piece, str) for piece in source):
            raise GradauditError(f"not a notebook (cell {number}'s source is not text)", file=str(path), line=1)
        cell_text = "".join(source) if isinstance(source, list) else str(source)
        cell_text = cell_text.replace("\r\n", "\n").replace("\r", "\n")
        texts.append(cell_text)
        starts.append(offset)
        offset += len(cell_text) + 1
        cell_lines += [(number, k) for k in range(1, cell_text.count("\n") + 2)]   # the report says cell and line
    return "\n".join(texts), cell_lines, starts


def load_notebook(path: Path, inline: bool = False) -> corpus.Document:
    text, cell_lines, starts = notebook_markdown(path, corpus._read_text(path))
    return load_markdown(path, text, cell_lines=cell_lines, inline=inline, cells=starts)
