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


def field_path(loc: tuple[int | str, ...]) -> str:
    """Pydantic's error location as a readable path: ("a", 1, "b") → "a[1].b"."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "(root)"


def load_data_file(
    path: Path, schema: type[Model], error: type[DataFileError] = DataFileError
) -> Model:
    """Read a YAML file and validate it against the schema, or raise `error`."""
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)  # noqa: S506 (safe loader)
    except (OSError, yaml.YAMLError) as problem:
        raise error(f"{path}: cannot be read as YAML: {problem}") from problem
    try:
        return schema.model_validate(raw)
    except ValidationError as problem:
        details = "; ".join(
            f"{field_path(detail['loc'])}: {detail['msg']}" for detail in problem.errors()
        )
        raise error(f"{path}: {details}") from problem
