"""The collections dialogue: transport-free, so a phone call, an SMS thread or a web chat drive it alike."""

from __future__ import annotations

from arrears.agent.dialogue.identity import identity_matches
from arrears.agent.dialogue.machine import start, step
from arrears.agent.dialogue.model import (
    Action,
    CaseContext,
    ConversationState,
    EndConversation,
    IdentityCheck,
    IdentityFailed,
    MarkWrongNumber,
    OfferSettlement,
    OpenTask,
    Outcome,
    PlanBounds,
    PriorPromise,
    RecordPromise,
    Routing,
    ScheduleCallback,
    SendPaymentLink,
    SettlementBounds,
    Stage,
    Step,
    StopContact,
    Tone,
    Turn,
    Urgency,
    WarmTransfer,
)
from arrears.agent.dialogue.voicemail import voicemail

__all__ = [
    "Action",
    "CaseContext",
    "ConversationState",
    "EndConversation",
    "IdentityCheck",
    "IdentityFailed",
    "MarkWrongNumber",
    "OfferSettlement",
    "OpenTask",
    "Outcome",
    "PlanBounds",
    "PriorPromise",
    "RecordPromise",
    "Routing",
    "ScheduleCallback",
    "SendPaymentLink",
    "SettlementBounds",
    "Stage",
    "Step",
    "StopContact",
    "Tone",
    "Turn",
    "Urgency",
    "WarmTransfer",
    "identity_matches",
    "start",
    "step",
    "voicemail",
]
