"""Reading an inbound e-mail without the database: the new words above each mail client's quoted history,
automatic replies told apart from people, and the messages a reply answers."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from arrears.interactions.email_text import (
    answered_ids,
    is_auto_reply,
    is_robot,
    new_text,
    plain_body,
    sender_address,
)


def _mail(**headers: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = headers.pop("From", "Dana Reyes <Dana.Reyes@Example.org>")
    message["Subject"] = headers.pop("Subject", "Re: Your account")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content("hello")
    return message


@pytest.mark.parametrize(
    "body",
    [
        # Gmail, its attribution wrapped over two lines
        "I can pay 100 on Friday.\n\nOn Tue, Mar 10, 2026 at 10:00 AM Brightwater Energy <\n"
        "billing@mail.brightwater.example> wrote:\n> Your balance is 243.50 USD.\n> Reply STOP to opt out.\n",
        # Apple Mail
        "I can pay 100 on Friday.\n\nOn 10 Mar 2026, at 10:00, Brightwater Energy wrote:\n\n> Reply STOP\n",
        # Outlook
        "I can pay 100 on Friday.\n\nFrom: Brightwater Energy <billing@mail.brightwater.example>\n"
        "Sent: Tuesday, March 10, 2026 10:00 AM\nTo: Dana Reyes\nSubject: Your account\n\nReply STOP",
        "I can pay 100 on Friday.\n\n-----Original Message-----\nReply STOP to opt out.",
        # a signature and a phone's footer
        "I can pay 100 on Friday.\n\n-- \nDana Reyes\n+1 212 555 0143",
        "I can pay 100 on Friday.\n\nSent from my iPhone\n\n> Reply STOP",
        # interleaved quoting keeps only the customer's lines
        "> Can you pay the balance?\nI can pay 100 on Friday.\n> Reply STOP to opt out.\n",
    ],
    ids=["gmail", "apple", "outlook", "original-message", "signature", "iphone", "interleaved"],
)
def test_only_the_new_words_are_kept(body: str) -> None:
    assert new_text(body) == "I can pay 100 on Friday."


def test_a_reply_that_is_all_quote_has_no_new_words() -> None:
    assert new_text("On Tue, Mar 10, 2026 Brightwater wrote:\n> Reply STOP") == ""


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto_Submitted": "auto-replied"},
        {"Auto_Submitted": "auto-generated"},
        {"X_Autoreply": "yes"},
        {"Precedence": "bulk"},
        {"Subject": "Automatic reply: Your account", "X_Auto_Response_Suppress": "All"},
        {"Subject": "Out of Office: Your account"},
        {"Subject": "Abwesenheitsnotiz: Ihr Konto"},
    ],
)
def test_automatic_replies_are_recognised(headers: dict[str, str]) -> None:
    assert is_auto_reply(_mail(**headers))


@pytest.mark.parametrize(
    "headers",
    [{}, {"Auto_Submitted": "no"}, {"Subject": "Re: Automatic payments - can I set them up?"}],
)
def test_a_person_writing_is_not_an_automatic_reply(headers: dict[str, str]) -> None:
    assert not is_auto_reply(_mail(**headers))


def test_the_answered_messages_come_from_in_reply_to_then_references_newest_first() -> None:
    message = _mail(In_Reply_To="<b@ours>", References="<a@ours> <b@ours>")
    assert answered_ids(message) == ("b@ours", "a@ours")


def test_the_sender_is_the_from_address_lower_cased_else_the_envelope() -> None:
    assert sender_address(_mail()) == "dana.reyes@example.org"
    assert sender_address(_mail(From="undisclosed-recipients:;"), "Dana@Example.org") == "dana@example.org"


def test_a_mailer_daemon_or_the_null_sender_is_a_robot() -> None:
    assert is_robot(_mail(From="MAILER-DAEMON@mx.example.net"))
    assert is_robot(_mail(From="undisclosed-recipients:;"), "<>")
    assert not is_robot(_mail(), "")


def test_an_html_only_message_is_read_as_text() -> None:
    message = EmailMessage()
    message.set_content("<p>I can pay<br>on Friday &amp; not before</p><style>p{}</style>", subtype="html")
    assert plain_body(message).split() == ["I", "can", "pay", "on", "Friday", "&", "not", "before"]
