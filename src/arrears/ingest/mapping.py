"""Mapping files: how an accounting system's export becomes our import columns.

A mapping names, for each of our columns, the export's header (or candidate headers, or a constant), the
date formats, decimal and thousands separators, the encoding and delimiter, defaults for blank values, and
which rows are not data (report titles, subtotals). Presets for common exports ship in `mappings/`; a
user's own file is validated the same way, and every problem names the file, line and key, so the person
fixing it does not have to guess.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from arrears.core.money import is_currency
from arrears.core.yaml_nodes import child as child_node
from arrears.ingest.columns import BY_NAME, REQUIRED
from arrears.ingest.values import DateFormatError, DateParser, country_code

_PRESETS = "mappings"
_DELIMITERS = frozenset({",", ";", "\t", "|"})


class MappingError(ValueError):
    """A mapping file that cannot be used; the message lists every problem with its place."""


class Constant(BaseModel):
    """The same value on every row (e.g. the currency of an export that has no currency column)."""

    model_config = ConfigDict(extra="forbid")
    value: str


Headers = Annotated[list[Annotated[str, Field(min_length=1)]], Field(min_length=1)]
ColumnSpec = Annotated[str, Field(min_length=1)] | Headers | Constant


class SkipRule(BaseModel):
    """Skip a row when `pattern` matches (from the start, ignoring case) the cell under `column` (or under
    the first of several candidate headers the file has)."""

    model_config = ConfigDict(extra="forbid")
    column: Annotated[str, Field(min_length=1)] | Headers
    pattern: str

    @property
    def headers(self) -> list[str]:
        return [self.column] if isinstance(self.column, str) else list(self.column)

    @field_validator("pattern")
    @classmethod
    def _regex(cls, value: str) -> str:
        return _compiles(value)


def _compiles(pattern: str) -> str:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"not a regular expression: {exc}") from None
    return pattern


class Mapping(BaseModel):
    """A validated mapping. `columns` maps our column -> the export's header(s) or a constant; our columns
    the mapping does not name are read from a header of the same name, when the export has one."""

    model_config = ConfigDict(extra="forbid")

    name: str = ""
    description: str = ""
    columns: dict[str, ColumnSpec] = Field(default_factory=dict)
    dates: list[str] = Field(default_factory=lambda: ["YYYY-MM-DD"], min_length=1)
    decimal: Literal[".", ","] = "."
    thousands: Literal[",", ".", " ", "'", ""] = ","
    currency: str | None = None
    defaults: dict[str, str] = Field(default_factory=dict)
    encoding: str = "auto"
    delimiter: str = "auto"
    header_row: int | Literal["auto"] = "auto"
    skip_rows_matching: list[str | SkipRule] = Field(default_factory=list)
    line_items: bool = False

    @field_validator("columns", "defaults")
    @classmethod
    def _known_columns(cls, value: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(value) - set(BY_NAME))
        if unknown:
            raise ValueError(f"unknown import columns: {', '.join(unknown)} (see docs/import.md)")
        return value

    @field_validator("defaults")
    @classmethod
    def _default_country(cls, value: dict[str, str]) -> dict[str, str]:
        country = value.get("country")
        if country is not None:
            code = country_code(country)
            if code is None:
                raise ValueError(f"country: not a country code or name: {country!r}")
            value = {**value, "country": code}
        return value

    @field_validator("dates")
    @classmethod
    def _date_formats(cls, value: list[str]) -> list[str]:
        for text in value:
            try:
                DateParser([text])
            except DateFormatError as exc:
                raise ValueError(str(exc)) from None
        return value

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str | None) -> str | None:
        if value is not None and not is_currency(value.upper()):
            raise ValueError(f"unknown currency {value!r} (expected ISO 4217, e.g. USD)")
        return value.upper() if value is not None else None

    @field_validator("delimiter")
    @classmethod
    def _delimiter(cls, value: str) -> str:
        value = "\t" if value in ("tab", "\\t") else value
        if value != "auto" and value not in _DELIMITERS:
            raise ValueError("expected auto, a comma, a semicolon, tab or |")
        return value

    @field_validator("encoding")
    @classmethod
    def _encoding(cls, value: str) -> str:
        if value != "auto":
            import codecs

            try:
                codecs.lookup(value)
            except LookupError:
                raise ValueError(f"unknown encoding {value!r}") from None
        return value

    @field_validator("header_row")
    @classmethod
    def _header_row(cls, value: int | str) -> int | str:
        if isinstance(value, int) and value < 1:
            raise ValueError("the first line is 1")
        return value

    @field_validator("skip_rows_matching")
    @classmethod
    def _patterns(cls, value: list[str | SkipRule]) -> list[str | SkipRule]:
        for item in value:
            if isinstance(item, str):
                _compiles(item)
        return value

    @model_validator(mode="after")
    def _separators(self) -> Mapping:
        if self.decimal == self.thousands:
            raise ValueError("`decimal` and `thousands` must differ")
        if self.currency is not None:
            self.defaults.setdefault("currency", self.currency)
        return self

    def headers(self, column: str) -> list[str]:
        """The export headers that may hold `column`, in order of preference (its own name last)."""
        spec = self.columns.get(column)
        if isinstance(spec, Constant):
            return []
        named = [spec] if isinstance(spec, str) else list(spec or [])
        return [*named, column] if spec is None else named

    def required_headers(self) -> dict[str, list[str]]:
        """Our required columns that must come from the file (no constant, no default): their headers."""
        return {
            name: self.headers(name)
            for name in REQUIRED
            if not isinstance(self.columns.get(name), Constant) and name not in self.defaults
        }


def preset_names() -> list[str]:
    folder = resources.files("arrears.ingest").joinpath(_PRESETS)
    return sorted(entry.name[:-5] for entry in folder.iterdir() if entry.name.endswith(".yaml"))


def preset_text(name: str) -> str:
    """A preset's YAML as shipped: a starting point for a mapping of one's own."""
    if name not in preset_names():
        raise MappingError(f"{name}: not a preset (presets: {', '.join(preset_names())})")
    return resources.files("arrears.ingest").joinpath(_PRESETS, f"{name}.yaml").read_text(encoding="utf-8")


def load_mapping(name_or_path: str) -> Mapping:
    """A preset by name (`quickbooks-aging`) or a YAML file by path; raises `MappingError`."""
    if name_or_path in preset_names():
        return parse_mapping(preset_text(name_or_path), f"{name_or_path} (preset)")
    path = Path(name_or_path)
    if not path.is_file():
        known = ", ".join(preset_names())
        raise MappingError(f"{name_or_path}: no such mapping file, and not a preset (presets: {known})")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise MappingError(f"{name_or_path}: cannot read: {exc}") from exc
    return parse_mapping(text, str(path))


def parse_mapping(text: str, label: str) -> Mapping:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark is not None else 0
        raise MappingError(f"{label}:{line}: not valid YAML: {exc.problem}") from exc
    data = yaml.safe_load(text) if root is not None else None
    if not isinstance(data, dict):
        raise MappingError(f"{label}: expected a mapping of keys (columns:, dates:, ...) at the top")
    try:
        mapping = Mapping.model_validate(data)
    except ValidationError as exc:
        assert root is not None
        problems = [_place(label, root, error) for error in exc.errors(include_url=False)]
        raise MappingError("invalid mapping:\n" + "\n".join(f"  {p}" for p in problems)) from exc
    if not mapping.name:
        mapping = mapping.model_copy(update={"name": label})
    return mapping


def _place(label: str, root: yaml.Node, error: Any) -> str:
    """`file:line: key.path: message`, the line that of the deepest node the error's path reaches."""
    node, path = root, list[str]()
    for part in error["loc"]:
        child = child_node(node, part)
        if child is None:
            continue  # a union's branch name, or a missing key: point at the parent
        node, path = child, [*path, str(part)]
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{label}:{node.start_mark.line + 1}: {'.'.join(path) or '(top)'}: {message}"
