"""What an optional second reader (an LLM) said about a turn, kept beside the local reading.

Recorded per turn so a team can count how often the second reader agrees with the local model and which
labels it added; it never says what the second reader removed, because rule 3 lets it remove nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from arrears.agent.labels import Label


@dataclass(frozen=True, slots=True)
class SecondOpinion:
    model: str
    """The second reader's model name as configured (ARREARS_LLM_MODEL)."""
    labels: tuple[Label, ...]
    """What it read, main first, before combination."""
    agreed: bool
    """Same main label as the local reading, and the same escalations."""
    added: tuple[Label, ...]
    """Labels the combined reading holds because of it (empty when it changed nothing)."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "labels": [label.value for label in self.labels],
            "agreed": self.agreed,
            "added": [label.value for label in self.added],
        }
