"""Readers of the files derivations are written in: Markdown notes, notebooks, LaTeX sources.

Each turns a file into a corpus.Document whose formulas know their file and line; the header of
a notes file (front matter, a `% gradaudit:` comment block) is always read by gradaudit.frontmatter.
"""
