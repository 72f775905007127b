"""RFC 3464 delivery status notifications as the common relays write them (Postfix, Exchange Online,
Gmail, Amazon SES): the failed recipient, the status and the original Message-ID are read from each, and
only a permanent failure about the mailbox condemns the address."""

from __future__ import annotations

from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import pytest

from arrears.interactions.bounces import Bounce, read_dsn

SAMPLES = Path(__file__).parent / "dsn"
OURS = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678@mail.brightwater.example"
KEY = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678"


def _read(name: str) -> Bounce | None:
    return read_dsn(BytesParser(policy=policy.default).parsebytes((SAMPLES / name).read_bytes()))


@pytest.mark.parametrize(
    ("sample", "recipient", "status", "key"),
    [
        ("postfix.eml", "dana.reyes@example.org", "5.1.1", KEY),
        ("exchange_online.eml", "dana.reyes@contoso.com", "5.1.10", KEY),
        ("gmail.eml", "dana.reyes@gmail.com", "5.1.1", None),
        ("ses.eml", "dana.reyes@example.net", "5.1.1", KEY),
    ],
)
def test_a_hard_bounce_names_the_recipient_the_status_and_our_message(
    sample: str, recipient: str, status: str, key: str | None
) -> None:
    bounce = _read(sample)
    assert bounce is not None
    assert (bounce.action, bounce.status, bounce.recipient) == ("failed", status, recipient)
    assert bounce.message_ids == (OURS,)
    assert bounce.idempotency_key == key
    assert bounce.hard and bounce.condemns_address
    assert status in bounce.reason and "@" not in bounce.reason  # no address in what is stored as a reason


def test_the_envelope_id_is_read_when_the_relay_returns_it() -> None:
    bounce = _read("ses.eml")
    assert bounce is not None and bounce.envelope_id == KEY


def test_a_delay_is_a_soft_bounce() -> None:
    bounce = _read("postfix_delayed.eml")
    assert bounce is not None
    assert (bounce.action, bounce.status, bounce.message_ids) == ("delayed", "4.4.1", (OURS,))
    assert not bounce.hard and not bounce.condemns_address


@pytest.mark.parametrize(
    ("action", "status", "hard", "condemns"),
    [
        ("failed", "5.1.1", True, True),  # no such user
        ("failed", "5.2.1", True, True),  # mailbox disabled
        ("failed", "5.4.4", True, True),  # no route to the domain
        ("failed", "5.7.1", True, False),  # refused by policy (spam filter): the address may be fine
        ("failed", "5.6.0", True, False),  # content refused
        ("failed", "4.4.7", False, False),  # gave up on a temporary failure: not proof the address is dead
        ("delayed", "4.2.2", False, False),
        ("failed", "", False, False),  # no status: never condemned on a guess
    ],
)
def test_only_a_permanent_failure_about_the_mailbox_condemns_it(
    action: str, status: str, hard: bool, condemns: bool
) -> None:
    bounce = Bounce(action, status, "d@example.org", None, (), None, None)
    assert (bounce.hard, bounce.condemns_address) == (hard, condemns)


def test_a_message_that_is_no_delivery_report_is_not_a_bounce() -> None:
    reply = EmailMessage()
    reply["From"], reply["Subject"] = "dana.reyes@example.org", "Re: Your account"
    reply.set_content("I will pay on Friday.")
    assert read_dsn(reply) is None
    receipt = BytesParser(policy=policy.default).parsebytes(
        b'Content-Type: multipart/report; report-type=disposition-notification; boundary="b"\n\n'
        b"--b\nContent-Type: message/disposition-notification\n\n"
        b"Disposition: manual-action/MDN-sent-manually; displayed\n\n--b--\n"
    )
    assert read_dsn(receipt) is None  # a read receipt (RFC 8098) is not a delivery failure
