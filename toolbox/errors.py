"""Problems in content and the one exception hierarchy of the library.

Every problem a user can cause (a bad record, a bad query, a missing index) is described by a
:class:`Problem` and raised as a :class:`ToolboxError`. The CLI and the web layer turn these into
messages and exit codes; nothing below them prints.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Literal, Self

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a file, at a position a text editor can jump to.

    ``line`` and ``column`` are 1-based; 0 means "the whole file".
    """

    path: str
    line: int
    column: int
    field: str
    message: str
    hint: str = ""
    severity: Severity = "error"

    @property
    def location(self) -> str:
        if self.line:
            return f"{self.path}:{self.line}:{self.column}"
        return self.path

    def format(self) -> str:
        """``path:line:col: field: message`` plus an indented hint line."""
        head = self.location + ":"
        if self.severity == "warning":
            head += " warning:"
        if self.field:
            head += f" {self.field}:"
        text = f"{head} {self.message}"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.path, p.line, p.column, p.field, p.message))


def did_you_mean(value: str, known: Iterable[str], *, list_all: bool = False) -> str:
    """A hint naming the closest known value, or listing the choices when none is close (all of
    them with ``list_all``, else up to twelve; longer lists are vocabulary values)."""
    from difflib import SequenceMatcher  # only when something is wrong: keeps it off the search path

    choices = sorted(set(known))
    # short codes ('ge' vs 'de') differ in a larger share of their letters
    cutoff = 0.5 if len(value) <= 3 else 0.6
    folded = value.lower()

    def closeness(choice: str) -> tuple[float, int]:
        # ties are broken by letters in the same place: 'ge' is closer to 'de' than to 'en'
        c = choice.lower()
        return SequenceMatcher(None, folded, c).ratio(), sum(a == b for a, b in zip(folded, c, strict=False))

    best = max(choices, key=closeness, default=None)
    if best is not None and closeness(best)[0] >= cutoff:
        return f"did you mean '{best}'?"
    if len(choices) <= 12 or list_all:
        return "expected one of: " + ", ".join(choices)
    return f"expected one of {len(choices)} known values (see methods/vocabulary.yaml)"


class ProblemList:
    """Problems that list at most ``limit`` per file; the others are only counted, into one
    closing problem at the first of them (an error if any of them is). Nobody reads thousands
    of problems, and working out "did you mean" for 45,000 unknown keys took 30 s: callers ask
    :meth:`full` before computing a hint."""

    def __init__(self, limit: int | None = None) -> None:
        self.limit = limit
        self.listed: list[Problem] = []
        self._per_file: dict[str, int] = {}
        self._unlisted: dict[str, tuple[int, int, int, Severity]] = {}  # path -> count, line, column, severity

    def full(self, path: str) -> bool:
        return self.limit is not None and self._per_file.get(path, 0) >= self.limit

    def add(self, problem: Problem) -> None:
        if self.full(problem.path):
            self.count(problem.path, problem.line, problem.column, problem.severity)
        else:
            self._per_file[problem.path] = self._per_file.get(problem.path, 0) + 1
            self.listed.append(problem)

    def count(self, path: str, line: int, column: int, severity: Severity) -> None:
        """One more problem of ``path`` beyond the limit (its position counts if it is the first)."""
        n, first_line, first_column, worst = self._unlisted.get(path, (0, line, column, severity))
        self._unlisted[path] = (n + 1, first_line, first_column, "error" if "error" in (worst, severity) else "warning")

    def all(self) -> list[Problem]:
        """The listed problems, then one closing problem per file that had more."""
        return [*self.listed, *(Problem(path, line, column, "", f"{n:,} more problem{'s' if n != 1 else ''} from "
                                        "here on, not listed", "correct the problems above and check again", worst)
                                for path, (n, line, column, worst) in self._unlisted.items())]


def unknown_values(axis: str, values: Iterable[str], known: Iterable[str]) -> list[Problem]:
    """One problem per value of ``axis`` that is not among ``known``, each with a 'did you mean'."""
    choices = list(known)
    return [Problem("", 0, 0, axis, f"unknown {axis} value '{v}'", did_you_mean(v, choices))
            for v in values if v not in choices]


def article(word: str) -> str:
    """'a' or 'an' before ``word`` (for messages such as 'expected an audience value')."""
    return "an" if word[:1].lower() in "aeiou" else "a"


class ToolboxError(Exception):
    """Base of every error the library raises on purpose."""

    exit_code = 1

    def __init__(self, message: str, problems: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.problems = tuple(problems)

    @classmethod
    def about(cls, field: str, message: str, hint: str = "") -> Self:
        """The error for one problem of an option or argument (no file): ``field`` names it."""
        return cls(message, [Problem("", 0, 0, field, message, hint)])


class ContentError(ToolboxError):
    """Records, vocabulary or a recipe could not be loaded; ``problems`` says why."""


class UsageError(ToolboxError):
    """The caller asked for something that cannot be done (unknown id, bad option value)."""

    exit_code = 2


class QueryError(UsageError):
    """A search query or filter value is not valid."""


class IndexUnavailable(ToolboxError):
    """The search index is missing, locked or unreadable."""
