"""The pure half of the optional LLM backend: the prompt, the answer schema, and how an answer may change
the deterministic result.

The model only ever sees the redacted turn (no card data leaves the process). Its answer is validated
against ``LLMAnswer``; anything that fails validation is discarded. Merging is conservative: the model may
add labels and fill slots the rules left empty, but it can never remove an escalation label the rules found,
never change card detection, and never replace a date or amount the rules already read.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from arrears.agent.amounts import decimal_string
from arrears.agent.labels import ESCALATION, Label, rank
from arrears.agent.understand import Understanding
from arrears.core.money import MoneyError, is_currency, parse_minor

SYSTEM_PROMPT = (
    "You label one customer turn in a debt-collection conversation. Answer with a JSON object only: "
    '{"labels": [...], "date": "YYYY-MM-DD" or null, "amount": "123.45" or null, "currency": "ISO 4217" or '
    "null}. Labels (main first): " + ", ".join(label.value for label in Label) + ". The date is the day the "
    "customer promises to pay or says they paid, resolved against the reference date; null if none. The "
    "amount is money the customer names; null if none."
)


class LLMAnswer(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    labels: list[Label] = Field(min_length=1, max_length=6)
    date: dt.date | None = None
    amount: Decimal | None = Field(default=None, ge=0, le=Decimal("1e12"))
    currency: str | None = None

    @field_validator("currency")
    @classmethod
    def _iso(cls, value: str | None) -> str | None:
        if value is not None and not is_currency(value.upper()):
            raise ValueError("not an ISO 4217 code")
        return value.upper() if value else None


def build_messages(u: Understanding, reference: dt.date, channel: str) -> list[dict[str, str]]:
    user = json.dumps(
        {
            "text": u.redacted,
            "reference": reference.isoformat(),
            "channel": channel,
            "rules_said": [label.value for label in u.labels],
        },
        ensure_ascii=False,
    )
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": user}]


def parse_answer(content: str) -> LLMAnswer:
    """The model's message content to a validated answer; raises on anything malformed."""
    text = content.strip()
    if text.startswith("```"):
        text = text.strip("`").removeprefix("json").strip()
    data: Any = json.loads(text)
    return LLMAnswer.model_validate(data)


def merge(u: Understanding, answer: LLMAnswer) -> Understanding:
    labels = list(dict.fromkeys(answer.labels))
    for label in u.labels:
        if label in ESCALATION and label not in labels:
            labels.append(label)
    if Label.UNCLEAR in labels and len(labels) > 1:
        labels.remove(Label.UNCLEAR)
    main = labels[0]
    ordered = (main, *sorted((label for label in labels[1:]), key=rank))
    if any(label in ESCALATION for label in ordered) and main not in ESCALATION:
        # The model may not demote an escalation below a collection intent.
        ordered = tuple(sorted(ordered, key=rank))
    day = u.date or answer.date
    amount, minor, currency = u.amount, u.amount_minor, u.currency
    if amount is None and answer.amount is not None:
        currency = answer.currency or u.currency
        amount = decimal_string(answer.amount, currency)
        try:
            minor = parse_minor(amount, currency) if currency else None
        except MoneyError:
            minor = None
    return replace(u, labels=ordered, date=day, amount=amount, amount_minor=minor, currency=currency)
