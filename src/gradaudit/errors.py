"""The one exception type users see: it names the file, line and formula, and the CLI turns it into exit code 2."""
from __future__ import annotations


class GradauditError(Exception):
    """Bad input or a bad call. Printed as one line, never as a traceback."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None, formula_id: str | None = None):
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.formula_id = formula_id

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = str(self.file)
            if self.line:
                where += f":{self.line}"
            if self.formula_id:
                where += f" [{self.formula_id}]"
            where += ": "
        return where + self.message


class NotationError(GradauditError):
    """The LaTeX of one formula cannot be read; the formula becomes `unsupported`, the audit goes on."""
