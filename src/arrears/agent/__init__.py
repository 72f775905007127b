"""The conversation agent: what a customer turn means (``understand``) and what to say next (``dialogue``).

Pure: no I/O, no clock (the reference time is an argument). The optional LLM backend lives at the edge in
``arrears.providers.openai.backend`` and is never imported from here.
"""

from __future__ import annotations

from arrears.agent.labels import ESCALATION, PRECEDENCE, Label, is_escalation
from arrears.agent.understand import Understanding, understand

__all__ = ["ESCALATION", "PRECEDENCE", "Label", "Understanding", "is_escalation", "understand"]
