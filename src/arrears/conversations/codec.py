"""``ConversationState`` to JSON and back, so a conversation survives between webhook calls.

The state holds only redacted customer text (the dialogue stores ``Understanding.redacted``), so the JSON
is safe to keep. Decoding is strict: a row that does not decode is a bug, not something to paper over.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from arrears.agent.dialogue import ConversationState, Stage, Turn
from arrears.agent.labels import Label
from arrears.core.money import Money

VERSION = 1


def encode(state: ConversationState) -> dict[str, Any]:
    return {
        "v": VERSION,
        "stage": state.stage.value,
        "verified": state.verified,
        "attempts": state.attempts,
        "labels": [label.value for label in state.labels],
        "draft_day": state.draft_day.isoformat() if state.draft_day else None,
        "draft_amount": (
            {"minor": state.draft_amount.minor, "currency": state.draft_amount.currency}
            if state.draft_amount
            else None
        ),
        "draft_instalments": state.draft_instalments,
        "draft_every_days": state.draft_every_days,
        "countered": state.countered,
        "objection": state.objection,
        "link_sent": state.link_sent,
        "clarifying": state.clarifying,
        "transcript": [[turn.speaker, turn.text] for turn in state.transcript],
        "language": state.language,
    }


def decode(data: dict[str, Any]) -> ConversationState:
    if data.get("v") != VERSION:
        raise ValueError(f"conversation state version {data.get('v')!r} is not {VERSION}")
    amount = data["draft_amount"]
    return ConversationState(
        stage=Stage(data["stage"]),
        verified=bool(data["verified"]),
        attempts=int(data["attempts"]),
        labels=tuple(Label(value) for value in data["labels"]),
        draft_day=date.fromisoformat(data["draft_day"]) if data["draft_day"] else None,
        draft_amount=Money(int(amount["minor"]), str(amount["currency"])) if amount else None,
        draft_instalments=int(data["draft_instalments"]),
        # Absent in states stored before negotiation: a monthly draft, no counter-offer made.
        draft_every_days=_optional_int(data.get("draft_every_days")),
        countered=str(data["countered"]) if data.get("countered") is not None else None,
        objection=data["objection"],
        link_sent=bool(data["link_sent"]),
        clarifying=bool(data.get("clarifying", False)),  # absent in states stored before it existed
        transcript=tuple(Turn(str(speaker), str(text)) for speaker, text in data["transcript"]),
        language=str(data.get("language") or "en"),  # states stored before languages were English
    )


def _optional_int(value: Any) -> int | None:
    return None if value is None else int(value)


def transcript_text(turns: tuple[Turn, ...]) -> str:
    """The transcript as stored on the interaction: one "speaker: text" line per turn."""
    return "\n".join(f"{turn.speaker}: {turn.text}" for turn in turns)
