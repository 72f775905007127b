"""The endpoints file (ARREARS_WEBHOOK_ENDPOINTS): which URLs hear which events, signed with which secrets.

    - name: erp                       # the destination is "webhook:erp" (its cursor, its dead letters)
      url: https://erp.example.com/hooks/arrears
      secrets: [whsec_NEW..., whsec_OLD...]   # during a rotation both sign; the first alone afterwards
      events: [payment.applied, promise.made] # or ["*"] for every kind

Every mistake is reported with the file, the line and the field, before anything is sent.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from arrears.core.yaml_nodes import child
from arrears.feed import EventKind

_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,47}$")
_KINDS = {k.value for k in EventKind}
_FIELDS = {"name", "url", "secrets", "events"}


class EndpointsError(ValueError):
    """The endpoints file is wrong; the message names the file, line and field."""


@dataclass(frozen=True, slots=True)
class Endpoint:
    name: str
    url: str
    secrets: tuple[bytes, ...]  # decoded keys, the newest first
    events: frozenset[str] | None  # None: every kind

    def accepts(self, kind: str) -> bool:
        return self.events is None or kind in self.events


def load_endpoints(path: Path) -> list[Endpoint]:
    """Read and validate the file; raises EndpointsError naming the first problem's line and field."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise EndpointsError(f"{path}: cannot read the webhook endpoints file ({exc.strerror})") from None
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise EndpointsError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, list) or root is None:
        raise EndpointsError(
            f"{path}:1: expected a list of endpoints (- name: ..., url: ..., secrets: [...])"
        )
    endpoints = [_endpoint(path, root, i, item) for i, item in enumerate(data)]
    seen: set[str] = set()
    for i, endpoint in enumerate(endpoints):
        if endpoint.name in seen:
            raise _error(path, root, [i, "name"], f"endpoint name {endpoint.name!r} is used twice")
        seen.add(endpoint.name)
    return endpoints


def _error(path: Path, root: yaml.Node, parts: list[str | int], message: str) -> EndpointsError:
    node: yaml.Node | None = root
    line = root.start_mark.line + 1
    for part in parts:
        node = child(node, part) if node is not None else None
        if node is not None:
            line = node.start_mark.line + 1
    where = ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in parts)
    return EndpointsError(f"{path}:{line}: {where}: {message}")


def _endpoint(path: Path, root: yaml.Node, i: int, item: Any) -> Endpoint:
    if not isinstance(item, dict):
        raise _error(path, root, [i], "each endpoint is a mapping with name, url, secrets and events")
    unknown = sorted(set(map(str, item)) - _FIELDS)
    if unknown:
        raise _error(path, root, [i, unknown[0]], f"unknown field (expected {', '.join(sorted(_FIELDS))})")
    name = item.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise _error(path, root, [i, "name"], "name: 1-48 lowercase letters, digits, - or _ (e.g. erp)")
    url = item.get("url")
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise _error(
            path, root, [i, "url"], "url: an absolute http(s) URL such as https://erp.example.com/hook"
        )
    secrets = tuple(_secret(path, root, i, j, s) for j, s in enumerate(_list(path, root, i, item, "secrets")))
    if not secrets:
        raise _error(path, root, [i, "secrets"], "secrets: at least one whsec_... secret")
    return Endpoint(name, str(url), secrets, _events(path, root, i, item))


def _list(path: Path, root: yaml.Node, i: int, item: dict[str, Any], key: str) -> list[Any]:
    value = item.get(key)
    if not isinstance(value, list):
        raise _error(path, root, [i, key], f"{key}: a list, e.g. [...]")
    return value


def _secret(path: Path, root: yaml.Node, i: int, j: int, value: Any) -> bytes:
    """A Standard Webhooks secret: "whsec_" and the base64 of 24 to 64 random bytes."""
    problem = "a secret is whsec_ followed by base64 of 24-64 random bytes (openssl rand -base64 32)"
    if not isinstance(value, str) or not value.startswith("whsec_"):
        raise _error(path, root, [i, "secrets", j], problem)
    try:
        key = base64.b64decode(value.removeprefix("whsec_"), validate=True)
    except (binascii.Error, ValueError):
        raise _error(path, root, [i, "secrets", j], problem) from None
    if not 24 <= len(key) <= 64:
        raise _error(path, root, [i, "secrets", j], problem)
    return key


def _events(path: Path, root: yaml.Node, i: int, item: dict[str, Any]) -> frozenset[str] | None:
    if "events" not in item:
        return None
    events = _list(path, root, i, item, "events")
    if events == ["*"]:
        return None
    for j, kind in enumerate(events):
        if kind not in _KINDS:
            known = ", ".join(sorted(_KINDS))
            raise _error(path, root, [i, "events", j], f"unknown event type {kind!r} (one of {known}, or *)")
    return frozenset(events)
