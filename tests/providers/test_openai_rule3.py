"""Rule 3 over every answer an LLM could give: for local readings of several kinds (a confident collection
intent, an escalation, a card, an open reading) and every one- and two-label answer, the combination only
ever adds caution. Pure: the merge the backend applies to a validated answer."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from arrears.agent import Label, Understanding, understand
from arrears.agent.labels import ESCALATION
from arrears.agent.llm import NEVER_ALONE, LLMAnswer, merge

REF = date(2026, 3, 4)
TURNS = [
    "i will pay $20 on friday",
    "my solicitor deals with all of this now",
    "i lost my job, card 4111 1111 1111 1111",
    "same as always around the 20th, 45 quid",
    "yes thats me",
]
ANSWERS = [(label,) for label in Label] + list(itertools.combinations(Label, 2))


def _open(u: Understanding) -> bool:
    return u.unsure or u.main is Label.UNCLEAR


@pytest.mark.parametrize("text", TURNS)
def test_every_answer_only_adds_caution(text: str) -> None:
    local = understand(text, REF, "chat", default_currency="USD")
    for labels in ANSWERS:
        u = merge(local, LLMAnswer(labels=list(labels)), model="m", reference=REF)
        assert set(local.escalation) <= set(u.labels), labels
        assert u.contains_card == local.contains_card and u.redacted == local.redacted
        assert not (u.unsure and not local.unsure), labels
        new = set(u.labels) - set(local.labels)
        assert not new & NEVER_ALONE, labels
        if not _open(local):
            assert new <= ESCALATION, labels
        if new & ESCALATION and local.main not in ESCALATION:
            assert u.main in ESCALATION, labels
        assert u.second_opinion is not None and set(u.second_opinion.added) == new
        assert u.second_opinion.agreed == (
            labels[0] is local.main and set(labels) & ESCALATION == set(local.escalation)
        )
