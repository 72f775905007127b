"""Loading strategy files: YAML in, a validated `Strategy` out, or an error naming file, line and field.

PyYAML's composed node tree keeps the line of every key and value; pydantic reports error locations as key
paths. Walking the path through the node tree turns "steps.2.channel" into "consumer.yaml:31", which is what
a person fixing the file needs.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from arrears.core.yaml_nodes import child as child_node
from arrears.strategy.schema import Strategy


@dataclass(frozen=True, slots=True)
class StrategyIssue:
    source: str
    line: int | None  # 1-based; None when the problem has no place in the file (e.g. an empty file)
    field: str  # dotted path such as "steps[2].channel"; "" for the whole document
    message: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line is not None else self.source
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class StrategyError(ValueError):
    """A strategy file that cannot be used; `issues` lists every problem found, each with its place."""

    def __init__(self, issues: list[StrategyIssue]) -> None:
        self.issues = tuple(issues)
        super().__init__("invalid strategy:\n" + "\n".join(f"  {issue}" for issue in issues))


@dataclass(frozen=True, slots=True)
class LoadedStrategy:
    """A strategy with its identity: (name, version) plus a hash of its meaning, and where it came from."""

    strategy: Strategy
    content_hash: str
    source: str

    @property
    def key(self) -> tuple[str, int]:
        return (self.strategy.name, self.strategy.version)


def content_hash(strategy: Strategy) -> str:
    """Hash of the validated content, not the bytes: comments and formatting do not make a new version."""
    canonical = json.dumps(strategy.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def load_strategy(source: Path | str, *, name: str | None = None) -> LoadedStrategy:
    """Load from a path, or from YAML text when given a `str` (`name` labels it in messages)."""
    if isinstance(source, Path):
        label = name or str(source)
        try:
            text = source.read_text(encoding="utf-8")
        except OSError as exc:
            raise StrategyError([StrategyIssue(label, None, "", f"cannot read: {exc.strerror}")]) from exc
    else:
        label, text = name or "<text>", source
    return parse_strategy(text, label)


def parse_strategy(text: str, label: str) -> LoadedStrategy:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark is not None else None
        raise StrategyError([StrategyIssue(label, line, "", f"not valid YAML: {exc.problem}")]) from exc
    if root is None:
        raise StrategyError([StrategyIssue(label, None, "", "the file is empty")])
    duplicates = list(_duplicate_keys(root, label))
    if duplicates:
        raise StrategyError(duplicates)
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise StrategyError(
            [StrategyIssue(label, root.start_mark.line + 1, "", "expected a mapping at the top")]
        )
    try:
        strategy = Strategy.model_validate(data)
    except ValidationError as exc:
        errors = _without_echoes(exc.errors(include_url=False))
        raise StrategyError([_issue(label, root, error) for error in errors]) from exc
    return LoadedStrategy(strategy, content_hash(strategy), label)


def _without_echoes(errors: list[ErrorDetails]) -> list[ErrorDetails]:
    """Drop "list too short" when its items failed: the item errors are the real news."""
    locs = [tuple(e["loc"]) for e in errors]

    def echoed(error: ErrorDetails) -> bool:
        loc = tuple(error["loc"])
        return error["type"] == "too_short" and any(len(o) > len(loc) and o[: len(loc)] == loc for o in locs)

    return [e for e in errors if not echoed(e)]


def _issue(label: str, root: yaml.Node, error: ErrorDetails) -> StrategyIssue:
    node, path = _locate(root, tuple(error["loc"]))
    message = error["msg"]
    value = error["input"]
    if error["type"] in ("enum", "literal_error", "string_pattern_mismatch") and isinstance(
        value, (str, int)
    ):
        message = f"{message} (got {value!r})"
    return StrategyIssue(label, node.start_mark.line + 1, _dotted(path), message)


def _locate(root: yaml.Node, loc: tuple[str | int, ...]) -> tuple[yaml.Node, list[str | int]]:
    """Follow a pydantic location through the node tree as far as it goes.

    Parts that are not in the document (a discriminator tag such as "handoff", a missing required key)
    are skipped, so the error points at the nearest enclosing node that does exist.
    """
    node: yaml.Node = root
    path: list[str | int] = []
    for part in loc:
        child = child_node(node, part)
        if child is None:
            if isinstance(part, str) and isinstance(node, yaml.MappingNode) and part not in _tags():
                path.append(part)  # a missing key: name it, point at its parent
            continue
        node = child
        path.append(part)
    return node, path


def _tags() -> frozenset[str]:
    return frozenset({"handoff", "placement", "function-after", "model"})


def _dotted(path: list[str | int]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _duplicate_keys(node: yaml.Node, label: str, path: tuple[str | int, ...] = ()) -> list[StrategyIssue]:
    """PyYAML keeps the last of two equal keys silently; in a strategy that hides a mistake, so refuse."""
    issues: list[StrategyIssue] = []
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            name = str(key.value)
            if name in seen:
                issues.append(
                    StrategyIssue(label, key.start_mark.line + 1, _dotted([*path, name]), "key given twice")
                )
            seen.add(name)
            issues += _duplicate_keys(value, label, (*path, name))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            issues += _duplicate_keys(item, label, (*path, index))
    return issues
