"""The pre-commit hook as a course repository runs it: `pre-commit try-repo` on a temporary git repository.

pre-commit installs the hook repository (this working tree, copied and committed) into a virtualenv of its
own, as it does for a user; that takes a minute or two, so both runs share one PRE_COMMIT_HOME.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FRONT = "---\narchitecture: d001-mlp-L-g\nshorthand: per-example\n---\n"


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=cwd, check=True,
                   capture_output=True)


def try_repo(hooks: Path, notes: Path, home: Path, *files: str):
    env = {**os.environ, "PRE_COMMIT_HOME": str(home)}
    return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(hooks), "gradaudit", "--files", *files],
                          cwd=notes, env=env, capture_output=True, text=True, timeout=900)


def test_the_hook_fails_on_a_wrong_formula_and_passes_files_that_declare_no_network(tmp_path):
    hooks = tmp_path / "hooks"       # the hook repository: this tree's package as it is now, committed
    hooks.mkdir()
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy(ROOT / name, hooks / name)
    shutil.copytree(ROOT / "src", hooks / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    git(hooks, "init", "-q")
    git(hooks, "add", "-A")
    git(hooks, "commit", "-qm", "hooks")

    notes = tmp_path / "course"      # a course repository with one right and one wrong note
    notes.mkdir()
    (notes / "right.md").write_text(FRONT + "$$dZ^{[L]} = A^{[L]} - Y$$\n")
    (notes / "wrong.md").write_text(FRONT + "$$dZ^{[L]} = Y - A^{[L]}$$\n")
    (notes / "README.md").write_text("# Course notes\n\n$$x = 1$$\n")                  # no network declared
    (notes / "jekyll.md").write_text("---\ntitle: a post\n---\n$$x = 1$$\n")           # a header, but no network
    (notes / "plain.tex").write_text("\\[ dZ^{[L]} = Y - A^{[L]} \\]\n")
    git(notes, "init", "-q")
    git(notes, "add", "-A")

    home = tmp_path / "pre-commit-home"
    passing = try_repo(hooks, notes, home, "right.md", "README.md", "jekyll.md", "plain.tex")
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert "Passed" in passing.stdout
    failing = try_repo(hooks, notes, home, "right.md", "wrong.md", "README.md")
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "Failed" in failing.stdout and "wrong.md:5  f1  ERROR" in failing.stdout, failing.stdout
    assert "README.md" not in failing.stdout.split("hook id")[1]
