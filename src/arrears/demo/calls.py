"""Simulated conversations: a simulated customer answers the AI agent turn by turn, in words, on a call
(through Twilio's voice webhooks) or on a text thread (through the messaging webhook and the outbox).

The customer only hears or reads the agent's replies and answers as a person with their persona would, so
a demo conversation exercises the real path: disclosure, verification, balance, the ask, the outcome.
"""

from __future__ import annotations

from dataclasses import dataclass

from arrears.demo.network import Network

MAX_TURNS = 10
GOODBYE = "okay, thank you, bye"


@dataclass(frozen=True)
class CallScript:
    """What this person knows and means to say."""

    name: str
    identity_answer: str
    main_line: str  # what they say when asked to pay (a promise, a dispute, a request for the link...)


def answer(reply: str, script: CallScript, said_main: bool) -> tuple[str, bool]:
    """The customer's next words for an agent reply, and whether the main line has now been said."""
    text = reply.lower()
    if "am i speaking with" in text or "is this " in text:
        return "yes, speaking", said_main
    if "confirm your" in text or "tell me your" in text:
        return script.identity_answer, said_main
    if "is that right" in text or "is that correct" in text or "shall i" in text:
        return "yes that's right", said_main
    if not said_main and ("today" in text or "pay" in text or "help" in text):
        return script.main_line, True
    return GOODBYE, said_main


def simulate_call(network: Network, *, key: str, call_sid: str, customer: str, script: CallScript) -> int:
    """Answer an outbound call and talk it to its end; returns the number of customer turns."""
    spoken = network.answer_call(key, call_sid, customer)
    said_main, turns = False, 0
    while spoken.next_turn is not None and turns < MAX_TURNS:
        words, said_main = answer(spoken.text, script, said_main)
        turns += 1
        spoken = network.say(spoken.next_turn, call_sid, words)
    network.hang_up(key, call_sid, seconds=20 * (turns + 1))
    return turns
