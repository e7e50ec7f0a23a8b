"""One error hierarchy for the whole tool.

Every error a user can cause is an :class:`InsightbankError`. The CLI prints its
message (never a traceback) and exits with its ``exit_code``.
"""

from __future__ import annotations

from dataclasses import dataclass


class InsightbankError(Exception):
    """Base of every error the tool reports to a user."""

    exit_code = 1


class ConfigError(InsightbankError):
    """The bank URL, a setting or a file path is unusable."""


class NotFoundError(InsightbankError):
    """A record that was asked for does not exist."""

    exit_code = 3


class ValidationError(InsightbankError):
    """A value does not fit the model (empty perspective set, bad date, …)."""

    exit_code = 2


class VocabularyError(ValidationError):
    """A term is not in the controlled vocabulary."""


class ConflictError(InsightbankError):
    """Optimistic concurrency: the record changed since it was read."""

    exit_code = 4


@dataclass(frozen=True)
class Problem:
    """One precise problem in an input file: where, and what."""

    file: str
    row: int | None
    column: str | None
    value: str | None
    message: str

    def __str__(self) -> str:
        place = [self.file]
        if self.row is not None:
            place.append(f"rad/row {self.row}")
        if self.column:
            place.append(f"kolumn/column {self.column!r}")
        where = ", ".join(place)
        shown = f" värde/value {self.value!r}:" if self.value is not None else ""
        return f"{where}:{shown} {self.message}"


class InputFileError(InsightbankError):
    """An input file was refused; nothing was written. Lists every problem found."""

    exit_code = 2

    def __init__(self, problems: list[Problem], limit: int = 20) -> None:
        self.problems = problems
        lines = [str(p) for p in problems[:limit]]
        if len(problems) > limit:
            lines.append(f"… och {len(problems) - limit} till / and {len(problems) - limit} more")
        head = "Importen stoppades, inget skrevs / Import stopped, nothing was written:"
        super().__init__("\n".join([head, *("  " + line for line in lines)]))


class StorageFullError(InsightbankError):
    """The disk (or the database's size limit) is full; the transaction was rolled back."""

    exit_code = 5


class ConnectionLostError(InsightbankError):
    """The database connection broke mid-transaction; the server rolled it back."""

    exit_code = 6


class BackupError(InsightbankError):
    """A backup or restore could not be made (missing tool, wrong file, wrong backend)."""

    exit_code = 7


class IntegrityProblemsError(InsightbankError):
    """``insightbank check`` found problems it could not (or was not asked to) repair."""

    exit_code = 8


class AccessDeniedError(InsightbankError):
    """The database refused the current role (no grant, or row-level security)."""

    exit_code = 9
