"""A rulebook refused: each problem with its file and line, in Vietnamese."""

from dataclasses import dataclass

from thidua.core.errors import DomainError


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self):
        return f"Bộ quy tắc {self.file}, dòng {self.line}: {self.message}"


class RulebookError(DomainError):
    """A rulebook file (or the set of them) that cannot be used; nothing is loaded."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__(*(str(p) for p in self.problems))


class RulebookNotFound(DomainError):
    """No rulebook covers the date asked: the object exists, the date is outside every
    legal period the product knows — 422, naming the periods that exist."""

    status = 422


