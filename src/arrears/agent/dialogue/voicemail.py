"""The limited-content voicemail: a machine (or anyone else) may hear it, so it names the caller's business
and a number to call, and nothing about a debt (the CFPB Regulation F limited-content message)."""

from __future__ import annotations

from arrears.agent.dialogue.model import CaseContext


def voicemail(ctx: CaseContext) -> str:
    number = f" on {ctx.callback_number}" if ctx.callback_number else ""
    return (
        f"Hello, this is a message for {ctx.customer_name} from {ctx.business_name}. "
        f"Please call us back{number}. Thank you."
    )
