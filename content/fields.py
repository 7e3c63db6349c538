"""Typed reading of a pack's YAML: each value checked, each problem reported at its line.

A `YamlDoc` remembers the line of every key and list item; `Fields` reads one mapping of it
field by field, so a missing, mistyped or unknown field becomes a `PackError` at the right line.
"""

import re
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

import yaml


class PackError(Exception):
    """One problem in one pack file, shown as `file:line: message` like a compiler error."""

    def __init__(self, file: str, line: int, message: str):
        super().__init__(message)
        self.file, self.line, self.message = file, line, message

    def __str__(self):
        return f"{self.file}:{self.line}: {self.message}"


class Origin(NamedTuple):
    file: str
    line: int


def display_path(path: Path) -> str:
    """The path relative to the working directory when it lies below it, so editors open it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


class YamlDoc:
    """A parsed YAML document that knows the line of every mapping key and list item."""

    def __init__(self, file: str, text: str, errors: list, first_line: int = 1):
        self.file, self.errors, self.first_line = file, errors, first_line
        self.lines = {(): first_line}
        self.data = None
        self.valid = True
        try:
            loader = yaml.SafeLoader(text)
            try:
                node = loader.get_single_node()
                if node is not None:
                    self._index(node, ())
                    self.data = loader.construct_document(node)
            finally:
                loader.dispose()
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
            problem = getattr(exc, "problem", None) or str(exc)
            line = first_line + mark.line if mark else first_line
            errors.append(PackError(file, line, f"YAML syntax error: {problem}"))
            self.valid = False

    def _index(self, node, path: tuple):
        self.lines.setdefault(path, self.first_line + node.start_mark.line)
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    continue
                key_path = (*path, key_node.value)
                duplicate = key_path in self.lines
                self.lines[key_path] = self.first_line + key_node.start_mark.line
                if duplicate:
                    # PyYAML silently keeps the last of two equal keys; the author meant one.
                    self.error(f"duplicate key '{key_node.value}'", key_path)
                self._index(value_node, key_path)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self._index(item, (*path, index))

    def line(self, path: tuple) -> int:
        while path not in self.lines:
            path = path[:-1]
        return self.lines[path]

    def error(self, message: str, path: tuple = ()):
        # After a syntax error the data is missing, not wrong: one error is enough.
        if self.valid:
            self.errors.append(PackError(self.file, self.line(path), message))


class Fields:
    """Typed reads from one YAML mapping; a missing or wrong value is reported at its line.

    Text lengths come from the model field of the same name, so a pack never fails on save.
    """

    def __init__(self, doc: YamlDoc, path: tuple, value, what: str):
        self.doc, self.path = doc, path
        self.used: set[str] = set()
        self.data = value if isinstance(value, dict) else {}
        if not isinstance(value, dict):
            doc.error(f"{what} must be a mapping of fields", path)

    def line(self, *subpath) -> int:
        return self.doc.line((*self.path, *subpath))

    def error(self, message: str, *subpath):
        self.doc.error(message, (*self.path, *subpath))

    def raw(self, key: str, required: bool):
        self.used.add(key)
        value = self.data.get(key)
        if value is None and required:
            self.error(f"missing required field '{key}'")
        return value

    def text(self, key: str, model=None, *, required=True) -> str:
        value = self.raw(key, required)
        if value is None:
            return ""
        if not isinstance(value, str):
            self.error(f"'{key}' must be text", key)
            return ""
        value = value.strip()
        max_length = model and model._meta.get_field(key).max_length
        if required and not value:
            self.error(f"'{key}' must not be empty", key)
        elif max_length and len(value) > max_length:
            self.error(f"'{key}' has {len(value)} characters; at most {max_length} fit", key)
        return value

    def code(self, key: str, model, pattern: re.Pattern, rule: str) -> str:
        value = self.text(key, model)
        if value and not pattern.match(value):
            self.error(f"'{key}' {value!r} is not valid: use {rule}", key)
        return value

    def choice(self, key: str, choices) -> str:
        value = self.text(key)
        if value and value not in choices.values:
            self.error(f"'{key}' {value!r} is not one of: {', '.join(choices.values)}", key)
        return value

    def whole_number(self, key: str, low: int, high: int) -> int:
        value = self.raw(key, required=True)
        if value is None:
            return 0
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.error(f"'{key}' must be a whole number from {low} to {high}, not {value!r}", key)
            return 0
        return value

    def hours(self, key: str, model) -> Decimal:
        field = model._meta.get_field(key)
        step = Decimal(1).scaleb(-field.decimal_places)
        limit = Decimal(10) ** (field.max_digits - field.decimal_places)
        value = self.raw(key, required=False)
        if value is None:
            return field.default
        hours = None
        if isinstance(value, int | float) and not isinstance(value, bool):
            hours = Decimal(str(value))
        if hours is None or not 0 <= hours < limit or hours != hours.quantize(step):
            self.error(f"'{key}' must be hours from 0 to {limit - step}, in steps of {step}", key)
            return field.default
        return hours

    def flag(self, key: str, default: bool) -> bool:
        value = self.raw(key, required=False)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.error(f"'{key}' must be true or false", key)
            return default
        return value

    def names(self, key: str, *, required=False) -> list[str]:
        value = self.raw(key, required)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            self.error(f"'{key}' must be a list of names", key)
            return []
        return value

    def items(self, key: str, what: str) -> list["Fields"]:
        """A required list of mappings; it may be empty, as an unfinished course in the admin."""
        value = self.raw(key, required=True)
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(f"'{key}' must be a list of {what} entries", key)
            return []
        return [
            Fields(self.doc, (*self.path, key, index), item, what)
            for index, item in enumerate(value)
        ]

    def mapping(self, key: str, what: str) -> "Fields | None":
        value = self.raw(key, required=False)
        return None if value is None else Fields(self.doc, (*self.path, key), value, what)

    def finish(self):
        for key in self.data:
            if key not in self.used:
                self.error(f"unknown field '{key}'", key)


class PackContext:
    """What reading any one file of a pack needs: where problems go, the names the pack has
    taken so far, and the competencies files may link to."""

    def __init__(self, root: Path, known_competencies=frozenset()):
        self.root = root
        self.errors: list[PackError] = []
        self.competency_codes = set(known_competencies)
        # A code may be defined in a framework file that failed to parse; say nothing then.
        self.frameworks_unreadable = False
        self.taken: dict[str, dict[str, Origin]] = {}

    def error(self, path: Path | str, line: int, message: str):
        file = path if isinstance(path, str) else display_path(path)
        self.errors.append(PackError(file, line, message))

    def read_text(self, path: Path) -> str | None:
        try:
            return path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            self.error(path, 1, f"not UTF-8 text ({exc.reason})")
            return None

    def load(self, path: Path) -> YamlDoc | None:
        """The parsed file, or None if it cannot be read or parsed (the error is recorded)."""
        text = self.read_text(path)
        doc = None if text is None else YamlDoc(display_path(path), text, self.errors)
        return doc if doc and doc.valid else None

    def claim(self, namespace: str, name: str, origin: Origin, what: str):
        """Record a name that must be unique in its namespace across the whole pack, or report
        where it was taken."""
        registry = self.taken.setdefault(namespace, {})
        if name in registry:
            first = registry[name]
            message = f"{what} '{name}' is already used at {first.file}:{first.line}"
            self.error(origin.file, origin.line, message)
        elif name:
            registry[name] = origin

    def unknown_competency(self, code: str) -> bool:
        return code not in self.competency_codes and not self.frameworks_unreadable

    def check_competencies(self, doc: YamlDoc, codes: list[str], path: tuple):
        """Report each code under `path` that no framework of the pack or the site defines."""
        for index, code in enumerate(codes):
            if self.unknown_competency(code):
                message = f"competency '{code}' is in no framework of the pack or the site"
                doc.error(message, (*path, index))
