"""Load YAML while remembering the line of every value, for error messages."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

Location = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)


class RuleFileError(ValueError):
    """A rule, lexicon or sources file is broken. Names the file, the line and the field."""

    def __init__(self, path: Path | str, line: int | None, field: str, message: str) -> None:
        self.path = str(path)
        self.line = line
        self.field = field
        self.message = message
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {field}: {message}" if field else f"{where}: {message}")


def _line_map(node: yaml.Node, path: Location, lines: dict[Location, int]) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.start_mark)
            lines[path + (key,)] = key_node.start_mark.line + 1
            _line_map(value_node, path + (key,), lines)
            lines[path + (key,)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _line_map(item, path + (index,), lines)


# libyaml's parser when PyYAML was built with it: the same documents and marks, about
# ten times faster than the pure-Python one (rule loading is most of start-up).
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlDocument:
    """A parsed YAML file and the line on which each value starts."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise RuleFileError(path, None, "", f"cannot read file: {exc}") from exc
        loader = _SafeLoader(text)
        try:
            node = loader.get_single_node()
            self.data: Any = loader.construct_document(node) if node is not None else None
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            raise RuleFileError(path, mark.line + 1 if mark else None, "", f"invalid YAML: {exc.problem}") from exc
        finally:
            loader.dispose()
        self.lines: dict[Location, int] = {}
        if node is not None:
            _line_map(node, (), self.lines)

    def validated(self, model: type[M]) -> M:
        """The document as ``model``, or a RuleFileError naming the line and field of the problem."""
        try:
            return model.model_validate(self.data)
        except ValidationError as exc:
            raise self.validation_error(exc) from None

    def line_of(self, location: Location) -> int | None:
        """The line of the deepest part of ``location`` that exists in the file."""
        loc = tuple(location)
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return self.lines.get(())

    def error(self, location: Location, message: str) -> RuleFileError:
        field = ".".join(str(part) for part in location)
        return RuleFileError(self.path, self.line_of(location), field, message)

    def validation_error(self, exc: ValidationError, prefix: Location = ()) -> RuleFileError:
        """A RuleFileError for the most specific problem, listing the others after it.

        Problems at a line of their own (an unknown key, a bad value) come before
        missing fields, which can only point at the top of the mapping.
        """
        errors = sorted(exc.errors(include_url=False), key=lambda error: error["type"] == "missing")
        first, rest = errors[0], errors[1:]
        message = first["msg"]
        if rest:
            others = ", ".join(
                f"{'.'.join(str(p) for p in self._clean(error['loc']))}: {error['msg']}" for error in rest[:4]
            )
            message += f" (also: {others}{', ...' if len(rest) > 4 else ''})"
        return self.error(prefix + self._clean(first["loc"]), message)

    @staticmethod
    def _clean(loc: tuple) -> Location:
        # pydantic adds union member names (e.g. 'str', 'ExampleCase') to loc; they are
        # not keys in the document, so drop them for the line lookup and the message.
        return tuple(part for part in loc if not (isinstance(part, str) and (part[:1].isupper() or part == "str")))
