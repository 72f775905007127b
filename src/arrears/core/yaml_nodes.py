"""Where a value sits in a YAML document, so a validation error can name the file's line."""

from __future__ import annotations

import yaml


def child(node: yaml.Node, part: str | int) -> yaml.Node | None:
    """The node under a mapping key or a sequence index, or None when the document has none there."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                return value  # type: ignore[no-any-return]
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        return node.value[part]  # type: ignore[no-any-return]
    return None
