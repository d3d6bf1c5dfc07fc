"""Loading versioned content files (YAML) into validated pydantic models.

Every content file (catalogue, questionnaire, profile model) fails the same way: one error
that names the file and the field, e.g. "catalogue.yaml: challenges[1].actions[2].title:
Field required".
"""

from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

Model = TypeVar("Model", bound=BaseModel)

# libyaml's C parser when the wheel has it: several times faster on our content files.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class DataFileError(Exception):
    """A content file that cannot be read or does not match its schema."""


class FieldProblems(ValueError):
    """Problems found by a model validator, each at a location below that model.

    Raised inside a validator, so that the error names "sections[1].items[4].id" instead of
    the model's root: pydantic keeps the exception in the error's context.
    """

    def __init__(self, problems: list[tuple[tuple[int | str, ...], str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{field_path(loc)}: {message}" for loc, message in problems))


def field_path(loc: tuple[int | str, ...]) -> str:
    """Pydantic's error location as a readable path: ("a", 1, "b") → "a[1].b"."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "(root)"


def describe(problem: ValidationError) -> str:
    """Every error of a validation, as "field.path: message", joined with "; "."""
    messages = []
    for detail in problem.errors():
        cause = detail.get("ctx", {}).get("error")
        if isinstance(cause, FieldProblems):
            for loc, message in cause.problems:
                messages.append(f"{field_path((*detail['loc'], *loc))}: {message}")
        else:
            message = detail["msg"].removeprefix("Value error, ")
            messages.append(f"{field_path(detail['loc'])}: {message}")
    return "; ".join(messages)


def load_data_file(
    path: Path,
    schema: type[Model],
    error: type[DataFileError] = DataFileError,
    context: dict | None = None,
) -> Model:
    """Read a YAML file and validate it against the schema, or raise `error`.

    `context` reaches the schema's validators (e.g. the catalogue a questionnaire refers to).
    """
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)  # noqa: S506 (safe loader)
    except (OSError, yaml.YAMLError) as problem:
        raise error(f"{path}: cannot be read as YAML: {problem}") from problem
    try:
        return schema.model_validate(raw, context=context)
    except ValidationError as problem:
        raise error(f"{path}: {describe(problem)}") from problem
