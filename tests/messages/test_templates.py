"""Every shipped template, in every shipped locale, on every channel, for persons and businesses, with and
without an offer and a promise: clean text a finance team would sign."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from arrears.messages.address import PostalAddress
from arrears.messages.catalogue import SHIPPED_LANGUAGES, Catalogue, catalogue
from arrears.messages.render import (
    REPLY_TEMPLATES,
    Business,
    InvoiceLine,
    Message,
    MessageError,
    MessageRequest,
    OfferTerms,
    render_message,
)
from arrears.messages.sms import segments
from arrears.strategy.catalog import StrategyLibrary
from arrears.strategy.schema import Channel

LOCALES = {"en-US": "USD", "en-GB": "GBP", "es-ES": "EUR", "es-MX": "MXN"}
CHANNELS = ("email", "sms", "whatsapp", "voice", "letter")
TODAY = date(2026, 3, 5)
LINK = "https://pay.example.com/pay/0123456789abcdef0123456789abcdef.1775001600.Do9jGKHRhNwjoNfdMQdY3g"
UNSUBSCRIBE = "https://pay.example.com/u/MDljYjBlYWEyNGY0NTZlNTQyMTc2MjFi.d9cEKOoNcA19"
MINI_MIRANDA = "This communication is from a debt collector."
E_OPT_OUT = "To stop receiving these messages, reply STOP or use {unsubscribe_url}."
LEFTOVER = re.compile(r"\{\{|\}\}|\{%|%\}|\{[a-z_]+\}|\$[a-z_]+\b|\bNone\b|\bnan\b|\bundefined\b")
TITLE_AS_FIRST_NAME = re.compile(r"^(Hi|Hola,) (Dr|Dra|Mr|Mrs|Ms|Sr|Sra|Prof)\b")


def request(
    template: str,
    channel: str,
    locale: str,
    kind: str,
    *,
    offer: bool = False,
    promise: bool = False,
    disclosures: tuple[tuple[str, str], ...] = (),
    name: str | None = None,
) -> MessageRequest:
    currency = LOCALES[locale]
    return MessageRequest(
        template=template,
        channel=channel,
        tone="firm",
        business=Business("Northwind Energy Services", "1 Main Street; Springfield, IL 62701", "+1 555 0100"),
        customer_name=name
        or ("Dr. María José García" if kind == "person" else "Acme Industrial Supplies Ltd"),
        customer_kind=kind,
        locale=locale,
        balance_minor=1_970_736,
        currency=currency,
        days_past_due=1,
        today=TODAY,
        invoices=(
            InvoiceLine("INV-1001", date(2026, 1, 1), date(2026, 2, 1), 1_000_000, 970_736, currency),
            InvoiceLine("INV-1002", date(2026, 1, 15), date(2026, 3, 4), 1_000_000, 1_000_000, currency),
        ),
        address=PostalAddress("12 Elm Street", "Apt 4", "Boston", "MA", "02110", "US"),
        offer=OfferTerms(1_931_321, 39_415, date(2026, 3, 12)) if offer else None,
        promise=(500_000, date(2026, 3, 20)) if promise else None,
        link=LINK,
        disclosures=disclosures,
        unsubscribe_url=UNSUBSCRIBE,
        validation_end=date(2026, 4, 9),
        reply="Thank you, we have noted the date you gave us.",
    )


def _problems(message: Message, req: MessageRequest) -> list[str]:
    found = []
    for part in filter(None, (message.subject, message.text, message.html)):
        if LEFTOVER.search(part):
            found.append(f"leftover {LEFTOVER.search(part)}")
    for line in (message.subject or "", *message.text.splitlines()):
        if "  " in line.strip():
            found.append(f"double space in {line!r}")
        if TITLE_AS_FIRST_NAME.search(line):
            found.append(f"title as first name: {line!r}")
    if req.customer_kind == "business" and re.search(r"\b(Hi|Hola,) Acme\b", message.text):
        found.append("a business greeted by its first word")
    return found


@pytest.mark.parametrize("template", catalogue().ids())
@pytest.mark.parametrize("locale", list(LOCALES))
def test_every_template_renders_cleanly_everywhere(template: str, locale: str) -> None:
    problems = []
    for channel in CHANNELS:
        for kind in ("person", "business"):
            for offer, promise in ((False, False), (True, False), (False, True), (True, True)):
                req = request(template, channel, locale, kind, offer=offer, promise=promise)
                message = render_message(req)
                problems += [f"{channel} {kind} offer={offer}: {p}" for p in _problems(message, req)]
                if channel == "sms":
                    assert message.segments == segments(message.text) <= 2, message.text
                if channel == "email":
                    assert message.subject and len(message.subject) <= 78, message.subject
    assert problems == []


@pytest.mark.parametrize("template", catalogue().ids())
@pytest.mark.parametrize("locale", list(LOCALES))
def test_sms_keeps_the_link_the_disclosure_and_one_opt_out_within_two_segments(
    template: str, locale: str
) -> None:
    disclosures = (("from_a_debt_collector", MINI_MIRANDA), ("e_opt_out", E_OPT_OUT))
    reply = template in REPLY_TEMPLATES
    for kind in ("person", "business"):
        req = replace(
            request(template, "sms", locale, kind, offer=True, disclosures=disclosures),
            link=None if reply else LINK,  # an answer to the customer's words carries no link (compose)
        )
        message = render_message(req)
        assert (message.segments or 0) <= 2, message.text
        assert MINI_MIRANDA in message.text
        assert (LINK in message.text) is not reply
        # One opt-out line: the e-opt-out notice (or its short "Reply STOP" form), never both; none in
        # the confirmation of an opt-out.
        assert message.text.count("STOP") == (0 if template == "opt-out-confirmation" else 1), message.text


@pytest.mark.parametrize("locale", list(LOCALES))
@pytest.mark.parametrize("channel", ["email", "sms", "whatsapp"])
def test_the_opt_out_line_appears_exactly_once(locale: str, channel: str) -> None:
    plain = render_message(request("consumer/reminder", channel, locale, "person"))
    with_notice = render_message(
        request("consumer/reminder", channel, locale, "person", disclosures=(("e_opt_out", E_OPT_OUT),))
    )
    if channel == "email":
        assert plain.text.count(UNSUBSCRIBE) == 1 and "STOP" not in plain.text
    else:
        assert plain.text.count("STOP") == 1
    assert with_notice.text.count("STOP") == 1
    confirmation = render_message(request("opt-out-confirmation", channel, locale, "person"))
    assert "STOP" not in confirmation.text and UNSUBSCRIBE not in confirmation.text


@pytest.mark.parametrize("channel", CHANNELS)
def test_required_disclosures_are_carried_on_every_channel(channel: str) -> None:
    notice = "This is Northwind Energy Services, a debt collector. This is an attempt to collect a debt."
    message = render_message(request("consumer/final-notice", channel, "en-US", "person",
                                     disclosures=(("mini_miranda", notice),)))  # fmt: skip
    assert notice in message.text
    if message.html is not None:
        assert notice in message.html


def test_email_carries_the_invoice_summary_offer_and_link_in_the_customers_locale() -> None:
    message = render_message(request("b2b/early-payment-offer", "email", "es-ES", "business", offer=True))
    assert message.html is not None
    for part in (message.text, message.html):
        assert "INV-1001" in part and "INV-1002" in part
        assert "19.707,36\xa0€" in part and "9.707,36\xa0€" in part
        assert "12 de marzo de 2026" in part and "394,15\xa0€" in part
    assert LINK in message.text and f'href="{LINK}"' in message.html
    assert message.subject == "Pague antes del 12 de marzo de 2026 y ahorre 394,15\xa0€"
    assert message.text.startswith("Estimado equipo de cuentas por pagar de Acme Industrial Supplies Ltd:")
    us = render_message(request("b2b/early-payment-offer", "email", "en-US", "business", offer=True))
    assert "$19,707.36" in us.text and "March 12, 2026" in us.text and "1 day past due" in us.text


def test_letter_has_sender_date_postal_address_and_formal_greeting() -> None:
    letter = render_message(request("consumer/final-notice", "letter", "en-GB", "person")).text
    lines = letter.splitlines()
    assert lines[:3] == ["Northwind Energy Services", "1 Main Street", "Springfield, IL 62701"]
    assert "5 March 2026" in lines
    block = lines[lines.index("Dr. María José García") :][:5]
    assert block == ["Dr. María José García", "12 Elm Street", "Apt 4", "Boston, MA 02110", "UNITED STATES"]
    assert "Dear Dr. García," in lines
    business = render_message(request("b2b/final-notice", "letter", "es-MX", "business")).text
    assert "Acme Industrial Supplies Ltd\nA la atención de: Cuentas por pagar\n12 Elm Street" in business


def test_html_escapes_what_customers_and_billing_systems_wrote() -> None:
    message = render_message(
        request("consumer/reminder", "email", "en-US", "person", name="Ana <b>Pérez</b>")
    )
    assert message.html is not None and "<b>" not in message.html and "&lt;b&gt;" in message.html
    assert "Ana" in message.text


def test_unknown_template_and_unfilled_variable_are_errors(tmp_path: Path) -> None:
    with pytest.raises(MessageError, match="unknown template 'consumer/nope'"):
        render_message(request("consumer/nope", "email", "en-US", "person"))
    (tmp_path / "en" / "custom").mkdir(parents=True)
    (tmp_path / "en" / "custom" / "typo.j2").write_text(
        '{% extends "en/_layout.j2" %}{% block body %}You owe {{ balanse }}.{% endblock %}'
    )
    overrides = Catalogue(tmp_path)
    with pytest.raises(MessageError, match=r"custom/typo.*balanse"):
        render_message(request("custom/typo", "email", "en-US", "person"), overrides)


def test_an_override_directory_replaces_a_shipped_template(tmp_path: Path) -> None:
    (tmp_path / "en" / "consumer").mkdir(parents=True)
    (tmp_path / "en" / "consumer" / "reminder.j2").write_text(
        '{% extends "en/_layout.j2" %}{% block subject %}Hello from {{ business_name }}{% endblock %}'
    )
    message = render_message(request("consumer/reminder", "email", "en-US", "person"), Catalogue(tmp_path))
    assert message.subject == "Hello from Northwind Energy Services"


def test_every_language_translates_every_template() -> None:
    shipped = catalogue()
    for lang in SHIPPED_LANGUAGES:
        assert [t for t in shipped.ids() if shipped.language_for(t, lang) != lang] == []
    spanish = render_message(request("consumer/reminder", "email", "es-MX", "person"))
    assert "Saldo pendiente" in spanish.text
    assert render_message(request("consumer/reminder", "email", "en-GB", "person")).text.startswith("Dear")


def test_every_contact_step_of_the_shipped_strategies_has_a_template() -> None:
    shipped = catalogue()
    missing = []
    for loaded in StrategyLibrary.load(None):
        strategy = loaded.strategy
        ids = [s.template for s in strategy.steps if s.channel is not Channel.TASK]
        ids.append(strategy.promise.reminder_template)
        missing += [f"{strategy.name}:{t}" for t in ids if not shipped.has(t)]
    assert missing == []


def test_a_notice_that_says_stop_collecting_is_not_taken_for_the_opt_out_line() -> None:
    validation = (
        "You have the right to dispute all or part of this debt. If you tell us by {validation_period_end} "
        "that you dispute it, we must stop collecting the disputed part until we send you verification."
    )
    message = render_message(
        request(
            "consumer/reminder", "email", "en-US", "person", disclosures=(("validation_notice", validation),)
        )
    )
    assert "If you tell us by April 9, 2026 that you dispute it" in message.text  # the reader's date format
    assert message.text.count(UNSUBSCRIBE) == 1  # the opt-out line is still there, once


def test_an_answer_that_already_carries_a_disclosure_does_not_repeat_it() -> None:
    reply = f"{MINI_MIRANDA} You owe $107. To stop receiving these messages, reply STOP."
    message = render_message(
        replace(
            request("conversation-reply", "sms", "en-US", "person", disclosures=(("d", MINI_MIRANDA),)),
            reply=reply,
            link=None,
        )
    )
    assert message.text.count(MINI_MIRANDA) == 1 and message.text.count("STOP") == 1


@pytest.mark.parametrize("locale", ["en-US", "es-MX"])
def test_a_call_gives_the_number_once_when_a_disclosure_already_gives_it(locale: str) -> None:
    tcpa = "This is an automated call with an artificial voice from Northwind. Reach us at +1 555 0100."
    spoken = render_message(
        request("consumer/call-pay-or-promise", "voice", locale, "person", disclosures=(("tcpa", tcpa),))
    ).text
    assert spoken.count("+1 555 0100") == 1 and tcpa in spoken
    plain = render_message(request("consumer/call-pay-or-promise", "voice", locale, "person")).text
    assert plain.count("+1 555 0100") == 1  # without the notice, the script closes with the number itself


def test_a_link_for_an_agreed_settlement_names_the_agreed_amount_never_the_balance() -> None:
    """An agreed settlement's link (payment-link with an offer): every channel says what was agreed."""
    for locale, agreed, balance in (("en-US", "19,313.21", "19,707.36"), ("es-ES", "19.313,21", "19.707,36")):
        for channel in ("sms", "email", "voice"):
            message = render_message(request("payment-link", channel, locale, "person", offer=True))
            lines = [line for line in message.text.splitlines() if line.strip()]
            said = next(line for line in lines if agreed in line)
            assert balance not in said and ("12" in said), (locale, channel, said)
