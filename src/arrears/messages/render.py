"""One message, rendered: every part a channel needs from a template id and the facts of its moment.

Pure: the shell gathers the facts (case, invoices, street lines, the gate's disclosures, the payment link)
into a `MessageRequest`; this formats them for the customer's locale and renders the template's parts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from jinja2 import TemplateError, TemplateNotFound, UndefinedError

from arrears.messages.address import PostalAddress, address_block
from arrears.messages.catalogue import Catalogue, catalogue
from arrears.messages.formatting import day, days_past_due, language, money
from arrears.messages.names import display_name, salutation
from arrears.messages.sms import MAX_SEGMENTS, gsm7_lookalike, segments

#: What the preview shows where the sent message will carry a link made at send time.
LINK_MARKER = "[secure payment link added when sent]"
#: Disclosure texts are rendered before the send's unsubscribe URL exists; this stands in for it.
UNSUBSCRIBE_SLOT = "{unsubscribe_url}"
UNSUBSCRIBE_MARKER = "[unsubscribe link added when sent]"
#: Likewise the validation period's end, printed as a date in the reader's locale.
VALIDATION_END_SLOT = "{validation_period_end}"

#: Templates that answer the customer's own words: no summary, no link unless the step asks.
REPLY_TEMPLATES = frozenset({"conversation-reply", "opt-out-confirmation"})
_NO_OPT_OUT_LINE = frozenset({"opt-out-confirmation"})  # telling an opted-out person how to opt out: no
#: Disclosures a template already is: the validation notice does not append its own summary.
_IS_THE_DISCLOSURE = {"validation-notice": "validation_notice"}
#: How a text tells its reader to opt out: the STOP keyword (capitals: "stop collecting" is not one) or a
#: word for unsubscribing; and the ids of the profiles' opt-out notices.
_OPT_OUT_WORD = re.compile(r"\bSTOP\b|\b([Uu]nsubscribe|darse de baja)\b")
_OPT_OUT_IDS = frozenset({"e_opt_out", "text_stop_instructions"})
_SPACES = re.compile(r"(?<=\S) {2,}")
_BLANK_LINES = re.compile(r"\n{3,}")
_WHITESPACE = re.compile(r"[ \t\r\n]+")

_PHRASES: dict[str, dict[str, str]] = {
    "en": {
        "sms_opt_out": "Reply STOP to opt out.",
        "email_opt_out": "To stop receiving these emails, use this link: {url}",
        "email_opt_out_reply": "To stop receiving these emails, reply with STOP.",
        "pay": "Pay: {link}",
        "attention": "Attn: Accounts Payable",
    },
    "es": {
        "sms_opt_out": "Responda STOP para darse de baja.",
        "email_opt_out": "Para dejar de recibir estos correos, use este enlace: {url}",
        "email_opt_out_reply": "Para dejar de recibir estos correos, responda STOP.",
        "pay": "Pagar: {link}",
        "attention": "A la atención de: Cuentas por pagar",
    },
}


_NO_END = {
    "en": "30 days after you receive the validation notice",
    "es": "30 días después de recibir el aviso de validación",
}


class MessageError(ValueError):
    """A message that cannot be rendered: an unknown template id, or a variable the template lacks."""


@dataclass(frozen=True, slots=True)
class Business:
    name: str
    address: str | None = None  # printed on letters; lines separated by newlines or commas
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class InvoiceLine:
    number: str
    issued_on: date
    due_on: date
    amount_minor: int
    balance_minor: int
    currency: str


@dataclass(frozen=True, slots=True)
class OfferTerms:
    pay_minor: int
    discount_minor: int
    last_day: date


@dataclass(frozen=True, slots=True)
class MessageRequest:
    template: str
    channel: str  # email | sms | whatsapp | voice | letter
    tone: str
    business: Business
    customer_name: str
    customer_kind: str  # person | business
    locale: str | None
    balance_minor: int
    currency: str
    days_past_due: int
    today: date  # the customer's local date at send time
    invoices: tuple[InvoiceLine, ...] = ()
    address: PostalAddress = field(default_factory=PostalAddress)
    offer: OfferTerms | None = None
    promise: tuple[int, date] | None = None  # amount (minor units, case currency), due day
    link: str | None = None
    disclosures: tuple[tuple[str, str], ...] = ()  # (id, words) in the gate's order
    unsubscribe_url: str | None = None
    validation_end: date | None = None
    reply: str = ""


@dataclass(frozen=True, slots=True)
class Message:
    text: str  # email text part, SMS/WhatsApp body, voice script, letter
    subject: str | None = None
    html: str | None = None
    segments: int | None = None  # SMS only
    extra: dict[str, Any] = field(default_factory=dict)


def render_message(request: MessageRequest, templates: Catalogue | None = None) -> Message:
    """Every part `request.channel` sends; `MessageError` names the template, language and problem."""
    templates = templates or catalogue()
    lang = templates.language_for(request.template, language(request.locale))
    if lang is None:
        raise MessageError(f"unknown template {request.template!r}")
    values = _values(request, lang)
    try:
        if request.channel == "email":
            return Message(
                _tidy(_part(templates, lang, request.template, "text", values)),
                subject=_one_line(_part(templates, lang, request.template, "subject", values)),
                html=_part(templates, lang, request.template, "html", values, html=True).strip(),
            )
        if request.channel in ("sms", "whatsapp"):
            text = _short_text(templates, lang, request, values)
            return Message(text, segments=segments(text))
        part = "letter" if request.channel == "letter" else "voice"
        return Message(_tidy(_part(templates, lang, request.template, part, values)))
    except UndefinedError as exc:
        raise MessageError(f"template {request.template!r} ({lang}): unfilled variable: {exc}") from exc
    except TemplateNotFound as exc:
        raise MessageError(f"template {request.template!r} ({lang}): missing file {exc}") from exc
    except TemplateError as exc:
        raise MessageError(f"template {request.template!r} ({lang}): {exc}") from exc


def _part(
    templates: Catalogue,
    lang: str,
    template_id: str,
    part: str,
    values: Mapping[str, Any],
    *,
    html: bool = False,
) -> str:
    return templates.template(lang, template_id, html=html).render({**values, "part": part})


def _short_text(templates: Catalogue, lang: str, request: MessageRequest, values: dict[str, Any]) -> str:
    """The fullest wording within the SMS limit, never a cut: the opt-out notice as the rules word it,
    else the short "Reply STOP" form (the same notice for a text); then a shorter lead. WhatsApp has no
    segments: it gets the full wording. When nothing fits the shortest goes (`strategy validate` fails it)."""
    phrases = _PHRASES[lang]
    head = [phrases["pay"].format(link=values["link"])] if values["link"] else []
    head += values["disclosures"]
    opt_outs = list(dict.fromkeys([values["opt_out"], phrases["sms_opt_out"] if values["opt_out"] else None]))
    leads = [
        _one_line(_part(templates, lang, request.template, "sms", {**values, "variant": variant}))
        for variant in range(3)
    ]
    if request.channel == "whatsapp":
        return "\n".join([leads[0], *head, *filter(None, opt_outs[:1])])
    candidates: list[str] = []
    for opt_out in opt_outs:
        for lead in leads:
            text = "\n".join([lead, *head, *filter(None, [opt_out])])
            candidates += [text, gsm7_lookalike(text)]
    return next((c for c in candidates if segments(c) <= MAX_SEGMENTS), candidates[-1])


def _one_line(text: str) -> str:
    """Whitespace runs as one space; no-break spaces (between an amount and its symbol) are kept."""
    return _WHITESPACE.sub(" ", text).strip()


def _tidy(text: str) -> str:
    lines = [_SPACES.sub(" ", line.rstrip()) for line in text.strip().splitlines()]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines))


def _says_phone(phone: str | None, disclosures: list[str]) -> bool:
    return bool(phone) and any(phone in text for text in disclosures if phone)


def _values(request: MessageRequest, lang: str) -> dict[str, Any]:
    """Every variable a template may use, formatted for the reader; absent facts are None, never missing."""
    loc, cur = request.locale, request.currency
    disclosures, opt_out = _disclosures(request, lang)
    business = request.business
    formal = request.tone in ("firm", "final")
    name = display_name(request.customer_name, request.customer_kind)
    addressee = [name, _PHRASES[lang]["attention"]] if request.customer_kind == "business" else [name]
    return {
        "business_name": business.name,
        "business_phone": business.phone or None,
        # A disclosure that already gives the number (TCPA's artificial-voice notice) is the call's closing.
        "phone_said": _says_phone(business.phone, disclosures),
        "business_address": [p.strip() for p in re.split(r"[\n;]", business.address or "") if p.strip()],
        "customer_name": name,
        "is_business": request.customer_kind == "business",
        "salutation": salutation(request.customer_name, request.customer_kind, lang, formal=formal),
        "salutation_formal": salutation(request.customer_name, request.customer_kind, lang, formal=True),
        "tone": request.tone,
        "balance": money(request.balance_minor, cur, loc),
        "days": days_past_due(request.days_past_due, loc),
        "days_n": request.days_past_due,
        "today": day(request.today, loc),
        "invoices": [
            {
                "number": i.number,
                "issued": day(i.issued_on, loc, "medium"),
                "due": day(i.due_on, loc, "medium"),
                "amount": money(i.amount_minor, i.currency, loc),
                "balance": money(i.balance_minor, i.currency, loc),
            }
            for i in request.invoices
        ],
        "offer": _offer(request),
        "promise": (
            {"amount": money(request.promise[0], cur, loc), "date": day(request.promise[1], loc)}
            if request.promise
            else None
        ),
        "link": request.link or None,
        "disclosures": disclosures,
        "opt_out": opt_out,
        "validation_end": day(request.validation_end, loc) if request.validation_end else None,
        "reply": request.reply,
        "address_block": address_block(addressee, request.address, loc),
        "variant": 0,
    }


def _offer(request: MessageRequest) -> dict[str, str] | None:
    offer = request.offer
    if offer is None or offer.last_day < request.today:
        return None  # an offer past its last day is not quoted
    loc, cur = request.locale, request.currency
    return {
        "pay": money(offer.pay_minor, cur, loc),
        "saving": money(offer.discount_minor, cur, loc),
        "last_day": day(offer.last_day, loc),
    }


def _disclosures(request: MessageRequest, lang: str) -> tuple[list[str], str | None]:
    """The disclosure texts to print, and the one opt-out line: a disclosure that already tells the reader
    how to stop (Reg F's e-opt-out notice) is that line, so "reply STOP" is never said twice."""
    url = request.unsubscribe_url or UNSUBSCRIBE_MARKER
    ends = day(request.validation_end, request.locale) if request.validation_end else _NO_END[lang]
    texts: list[str] = []
    opt_out: str | None = None
    for disclosure_id, words in request.disclosures:
        words = " ".join(words.replace(UNSUBSCRIBE_SLOT, url).replace(VALIDATION_END_SLOT, ends).split())
        if not words or _IS_THE_DISCLOSURE.get(request.template) == disclosure_id:
            continue
        if words in request.reply:
            continue  # the agent's answer already says it
        if request.channel in ("email", "sms", "whatsapp") and (
            disclosure_id in _OPT_OUT_IDS or _OPT_OUT_WORD.search(words)
        ):
            opt_out = opt_out or words
        elif words not in texts:
            texts.append(words)
    if request.channel not in ("email", "sms", "whatsapp") or request.template in _NO_OPT_OUT_LINE:
        return texts, None
    if opt_out is None and _OPT_OUT_WORD.search(request.reply):
        return texts, None  # the agent's answer already tells how to opt out: once is enough
    if opt_out is None:
        phrases = _PHRASES[lang]
        if request.channel != "email":
            opt_out = phrases["sms_opt_out"]
        elif request.unsubscribe_url:
            opt_out = phrases["email_opt_out"].format(url=request.unsubscribe_url)
        else:
            opt_out = phrases["email_opt_out_reply"]
    return texts, opt_out
