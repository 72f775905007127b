"""Message text from a template id, the case as it stands at send time, and the gate's disclosures.

Templates are rendered at dispatch, not at planning, so a message never quotes a balance that a payment
made in between has changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from string import Template
from typing import Any

import yaml

from arrears.core.money import format_minor

#: Generic texts by tone, used when a strategy names a template this deployment does not define.
_BY_TONE: dict[str, tuple[str, str]] = {
    "friendly": (
        "A quick reminder about your account",
        "Hi $name, this is a friendly reminder that $balance is past due on your account "
        "($days days). If you have already paid, thank you and please ignore this message.",
    ),
    "neutral": (
        "Your account is past due",
        "Hi $name, your account has a past-due balance of $balance ($days days). "
        "Please pay or reply to agree a date that works for you.",
    ),
    "firm": (
        "Action needed: past-due balance",
        "Hi $name, your balance of $balance is now $days days past due. "
        "Please pay today, or reply to arrange a payment date.",
    ),
    "final": (
        "Final notice before your account moves on",
        "Hi $name, this is a final notice: $balance is $days days past due. "
        "Please pay or contact us now so we can keep this with our own team.",
    ),
}


@lru_cache(maxsize=1)
def templates() -> dict[str, tuple[str, str]]:
    """The shipped template catalogue (templates.yaml beside this module)."""
    text = resources.files("arrears.engine").joinpath("templates.yaml").read_text(encoding="utf-8")
    loaded: dict[str, dict[str, str]] = yaml.safe_load(text)
    return {key: (value["subject"], value["body"]) for key, value in loaded.items()}


#: Purposes whose message answers or confirms something the customer wrote: no payment link is added.
_NO_LINK_PURPOSES = ("reply", "opt_out_confirmation", "cease_confirmation")


def wants_payment_link(channel: str, payload: Mapping[str, Any]) -> bool:
    """A step that asks for a link gets one; so does every written collection message (a link is the one
    safe way to pay); an answer to the customer's own words or a confirmation does not."""
    if payload.get("payment_link"):
        return True
    return channel in ("sms", "email", "whatsapp") and payload.get("purpose") not in _NO_LINK_PURPOSES


@dataclass(frozen=True, slots=True)
class RenderedMessage:
    subject: str
    body: str
    headers: dict[str, str]


def render(
    *,
    template: str,
    tone: str,
    channel: str,
    customer_name: str,
    balance_minor: int,
    currency: str,
    days_past_due: int,
    payload: Mapping[str, Any],
    disclosures: Mapping[str, str],
    payment_link: str | None,
    promise: tuple[str, str] | None = None,
    extra_headers: Mapping[str, str] | None = None,
) -> RenderedMessage:
    subject, text = templates().get(template) or _BY_TONE.get(tone) or _BY_TONE["neutral"]
    values = {
        "name": customer_name.split(" ")[0] if customer_name else "there",
        "balance": f"{format_minor(balance_minor, currency)} {currency}",
        "days": str(days_past_due),
        "promise_amount": promise[0] if promise else "",
        "promise_date": promise[1] if promise else "",
        "validation_end": str(payload.get("validation_period_end") or ""),
        "reply": str(payload.get("text") or ""),
    }
    parts = [Template(text).safe_substitute(values)]
    offer = payload.get("offer")
    if isinstance(offer, dict):
        parts.append(
            f"Pay {format_minor(int(offer['pay_minor']), currency)} {currency} by {offer['expires_on']} "
            f"and we will waive {format_minor(int(offer['discount_minor']), currency)} {currency}."
        )
    if payment_link:
        parts.append(f"Pay securely: {payment_link}")
    decision = payload.get("decision") or {}
    for disclosure_id in decision.get("disclosures", []):
        text_for = disclosures.get(disclosure_id)
        if text_for:
            parts.append(text_for)
    headers: dict[str, str] = {}
    if channel == "email":
        # One-click unsubscribe on every email; a profile's own headers (Reg F e-opt-out) take precedence.
        headers["List-Unsubscribe"] = "<mailto:unsubscribe@arrears.local>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        headers.update(extra_headers or {})
    separator = "\n\n" if channel == "email" else " "
    return RenderedMessage(subject, separator.join(parts), headers)
