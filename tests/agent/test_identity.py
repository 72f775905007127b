"""Right-party verification: only an exact, single answer verifies, and failures count across conversations
(the count is an input) until the identity is locked out and a person takes over."""

from __future__ import annotations

from arrears.agent import understand
from arrears.agent.dialogue import (
    CaseContext,
    IdentityCheck,
    IdentityFailed,
    OpenTask,
    Routing,
    Step,
    identity_matches,
    step,
)
from tests.agent.test_dialogue import NOW, ctx, talk

POSTCODE = IdentityCheck("postcode", "10001")


def _postcode(**overrides: object) -> CaseContext:
    return ctx(identity=POSTCODE, **overrides)


def _revealed(result: Step) -> bool:
    return "$243.50" in result.reply or "INV-1001" in result.reply or "overdue" in result.reply


def test_a_message_listing_a_hundred_postcodes_does_not_verify_nor_reveal_the_balance() -> None:
    guesses = ", ".join(str(10000 + n) for n in range(100))
    steps = talk(_postcode(), "yes", guesses)
    assert not steps[-1].state.verified and not _revealed(steps[-1])
    assert not identity_matches(guesses, _postcode())


def test_the_right_answer_among_two_candidates_does_not_verify() -> None:
    assert not identity_matches("10001 or 10002", _postcode())
    assert not identity_matches("it's 10002, no wait 10001", _postcode())
    birthday = ctx()
    assert not identity_matches("July 12th 1984 or July 13th 1984", birthday)
    assert not identity_matches("12/07/1984 or 13/07/1984", birthday)
    assert not identity_matches("1984-07-12, 1985-07-12", birthday)
    steps = talk(_postcode(), "yes", "10001 or 10002")
    assert not steps[-1].state.verified and not _revealed(steps[-1])


def test_the_answer_must_be_the_whole_value_not_a_part_of_a_longer_one() -> None:
    assert not identity_matches("100012", _postcode())
    assert not identity_matches("210001", _postcode())
    uk = ctx(identity=IdentityCheck("postcode", "SW1A 1AA"))
    assert not identity_matches("SW1A 1AAB", uk)
    assert not identity_matches("SW1A", uk)
    assert not identity_matches("1984-12-07", ctx())  # an ISO date has one reading, not two
    assert not identity_matches("the 12th of July", ctx())  # the right day without its year


def test_one_exact_answer_verifies_whatever_its_case_and_spaces() -> None:
    assert identity_matches("it's 10001", _postcode())
    assert identity_matches("10001.", _postcode())
    uk = ctx(identity=IdentityCheck("postcode", "SW1A 1AA"))
    assert identity_matches("sw1a1aa", uk)
    assert identity_matches("My postcode is SW1A 1AA thanks", uk)
    assert identity_matches("SW1A-1AA", ctx(identity=IdentityCheck("postcode", "sw1a1aa")))
    account = ctx(identity=IdentityCheck("account_number", "ACC-778"))
    assert identity_matches("acc 778", account) and not identity_matches("acc 7781", account)
    birthday = ctx()
    assert identity_matches("July 12th 1984", birthday)
    assert identity_matches("12/07/1984", birthday)  # both readings are one stated date
    assert identity_matches("1984-07-12", birthday)


def test_each_wrong_answer_is_reported_to_the_shell_and_a_right_one_verifies_as_before() -> None:
    steps = talk(_postcode(), "yes", "90210", "10001")
    assert IdentityFailed() in steps[2].actions and not _revealed(steps[2])
    assert steps[3].state.verified and "$243.50" in steps[3].reply and "INV-1001" in steps[3].reply
    assert not any(isinstance(a, IdentityFailed) for a in steps[3].actions)


def test_the_failure_that_reaches_the_limit_locks_out_and_asks_a_person() -> None:
    steps = talk(_postcode(failed_identity=2, identity_limit=3), "yes", "90210")
    last = steps[-1]
    assert IdentityFailed() in last.actions
    tasks = [a for a in last.actions if isinstance(a, OpenTask)]
    assert [t.reason for t in tasks] == ["identity_locked"]
    assert last.outcome is not None and last.outcome.routing is Routing.SENT_TO_REVIEW
    assert "555 0100" in last.reply and not _revealed(last)
    assert "$243.50" not in last.outcome.summary


def test_after_lock_out_even_the_right_answer_reveals_nothing() -> None:
    locked = _postcode(failed_identity=3, identity_limit=3)
    steps = talk(locked, "yes", "10001")
    assert all(not s.state.verified and not _revealed(s) for s in steps)
    assert steps[1].outcome is not None and "555 0100" in steps[1].reply  # locked before being asked
    assert not any(isinstance(a, OpenTask) for a in steps[1].actions)
    # Even straight from the verify stage (a conversation that was mid-verification when the lock landed).
    asked = talk(_postcode(), "yes")[-1].state
    late = step(asked, understand("10001", NOW, "voice", default_currency="USD"), locked)
    assert not late.state.verified and not _revealed(late)
    assert not any(isinstance(a, OpenTask) for a in late.actions)  # the task was opened when it locked
