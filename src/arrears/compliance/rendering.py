"""Disclosure texts as they are said or written: placeholders filled, headers apart from words.

Profiles write disclosures with placeholders ({company}, {unsubscribe_url}, ...) so one profile serves every
tenant. A placeholder with no value is never sent raw: it falls back to a plain wording.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field

from arrears.compliance.schema import Disclosure

FALLBACKS = {
    "company": "the company you owe",
    "creditor": "the company you owe",
    "callback_number": "the number on your statement",
    "agent_name": "the accounts team",
    "company_neutral_name": "the accounts team",
    "consumer_name": "the account holder",
    "validation_period_end": "30 days after you receive the validation notice",
    "unsubscribe_url": "the link in this message",
    "unsubscribe_mailto": "unsubscribe@invalid",
    "language_services": "ask us for help in another language",
}


@dataclass(frozen=True, slots=True)
class RenderedDisclosures:
    texts: dict[str, str] = field(default_factory=dict)  # id -> words to say or write
    headers: dict[str, str] = field(default_factory=dict)  # email headers (List-Unsubscribe)


class _Values(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return FALLBACKS.get(key, key.replace("_", " "))


def fill(template: str, values: Mapping[str, str]) -> str:
    return string.Formatter().vformat(template, (), _Values({k: v for k, v in values.items() if v}))


def render_disclosures(
    disclosures: Mapping[str, Disclosure], values: Mapping[str, str]
) -> RenderedDisclosures:
    """Every disclosure of a policy, filled; header-only disclosures give headers and no words."""
    texts: dict[str, str] = {}
    headers: dict[str, str] = {}
    for key, disclosure in disclosures.items():
        if disclosure.use != "say":
            continue  # voicemail wording and agent instructions are never read out in a message or call
        if disclosure.headers:
            headers.update({name: fill(value, values) for name, value in disclosure.headers.items()})
        else:
            texts[key] = fill(disclosure.text, values)
    return RenderedDisclosures(texts, headers)
