"""What the agent says in Spanish: the same replies as replies.py, in the "usted" register, with amounts and
dates written the Spanish way for the customer's region ("1.234,50 €", "243,50 US$", "viernes 6 de marzo").
Built only from the case record and what the customer said, like the English ones."""

from __future__ import annotations

from datetime import date

from babel.dates import format_date

from arrears.agent.dialogue.model import CaseContext, Tone
from arrears.agent.labels import Label
from arrears.core.money import Money
from arrears.messages import formatting


def _spanish_locale(locale: str) -> str:
    region = formatting.locale_of(locale).territory
    return f"es-{region}" if region else "es-ES"


def say_money(money: Money, locale: str = "es-ES") -> str:
    """As written in Spanish for the customer's region; plain spaces, as SMS needs."""
    text = formatting.money(money.minor, money.currency, _spanish_locale(locale))
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def say_date(day: date, locale: str = "es-ES") -> str:
    """ "viernes 6 de marzo": weekday and date as said aloud."""
    return str(format_date(day, "EEEE d 'de' MMMM", locale="es"))


def say_days(count: int, locale: str = "es-ES") -> str:
    return "1 día" if count == 1 else f"{count} días"


def opening(ctx: CaseContext) -> str:
    return (
        f"Hola, le habla un asistente automático en nombre de {ctx.business_name}. "
        f"¿Hablo con {ctx.customer_name}?"
    )


def ask_identity(ctx: CaseContext) -> str:
    return f"Gracias. Para proteger su privacidad, ¿puede confirmarme su {_fact(ctx)}?"


def identity_retry(ctx: CaseContext) -> str:
    return f"Lo siento, no coincide con nuestros datos. ¿Puede decirme de nuevo su {_fact(ctx)}?"


_FACTS = {
    "postcode": "código postal",
    "date_of_birth": "fecha de nacimiento",
    "account_number": "número de cuenta",
}


def _fact(ctx: CaseContext) -> str:
    return _FACTS.get(ctx.identity.kind, ctx.identity.spoken)


def identity_failed() -> str:
    return (
        "Lo siento, no puedo confirmar su identidad, así que no puedo hablar de esta cuenta. Le escribiremos."
    )


def identity_locked(callback_number: str) -> str:
    number = f", o puede llamarnos al {callback_number}" if callback_number else ""
    return (
        "Lo siento, no se ha podido confirmar su identidad después de varios intentos, así que no puedo "
        f"hablar de esta cuenta. Un compañero se pondrá en contacto con usted{number}. Adiós."
    )


def wrong_party() -> str:
    return "Disculpe la molestia. Actualizaremos nuestros datos. Adiós."


def balance(ctx: CaseContext) -> str:
    invoices = ""
    if ctx.invoice_numbers:
        shown = ", ".join(ctx.invoice_numbers[:3])
        several = len(ctx.invoice_numbers) > 1
        invoices = f" por las facturas {shown}" if several else f" por la factura {shown}"
    ask = {
        Tone.FRIENDLY: "¿Podría pagarlo hoy?",
        Tone.FIRM: "¿Puede pagarlo hoy?",
        Tone.FINAL: "Es necesario saldarlo. ¿Puede pagarlo hoy?",
    }[ctx.tone]
    prior = ""
    broken = [p for p in ctx.prior_promises if p.kept is False]
    if broken:
        prior = f" Teníamos un pago acordado para el {say_date(broken[-1].day, ctx.locale)} que no llegó."
    return (
        f"Tiene un saldo de {say_money(ctx.balance, ctx.locale)} con {ctx.business_name}{invoices}, "
        f"con {say_days(ctx.days_overdue)} de retraso.{prior} {ask}"
    )


def answer_question(ctx: CaseContext) -> str:
    invoices = f" Corresponde a {', '.join(ctx.invoice_numbers[:3])}." if ctx.invoice_numbers else ""
    return (
        f"Su saldo es de {say_money(ctx.balance, ctx.locale)}, con {say_days(ctx.days_overdue)} de "
        f"retraso.{invoices} Para cualquier otra duda sobre los cargos le puede ayudar un compañero. "
        "¿Puede pagarlo hoy?"
    )


_CHANNELS = {"sms": "SMS", "whatsapp": "WhatsApp", "email": "correo electrónico", "chat": "el chat"}


def link_sent(channel: str) -> str:
    shown = _CHANNELS.get(channel, channel)
    return f"Le he enviado un enlace de pago seguro por {shown}. Puede pagar allí cuando quiera."


def card_refused(link_channel: str | None) -> str:
    shown = _CHANNELS.get(link_channel, link_channel) if link_channel else ""
    tail = f" En su lugar le he enviado un enlace de pago seguro por {shown}." if link_channel else ""
    return (
        f"Deténgase, por favor: por su seguridad no puedo tomar datos de tarjeta en esta conversación.{tail}"
    )


def ask_date(limit: date, locale: str = "es-ES") -> str:
    return f"¿Para qué fecha puede pagar? Lo más tarde que puedo fijar es el {say_date(limit, locale)}."


def date_out_of_range(limit: date, locale: str = "es-ES") -> str:
    return (
        f"Solo puedo fijar una fecha entre hoy y el {say_date(limit, locale)}. "
        "¿Qué fecha de ese plazo le va bien?"
    )


def ask_amount(ctx: CaseContext) -> str:
    return f"¿Cuánto pagará ese día? ¿Será el total de {say_money(ctx.balance, ctx.locale)}?"


def amount_too_high(ctx: CaseContext) -> str:
    return f"Eso es más que el saldo de {say_money(ctx.balance, ctx.locale)}. ¿Cuánto pagará?"


def read_back(amount: Money, day: date, locale: str = "es-ES") -> str:
    return f"Para confirmar: {say_money(amount, locale)} el {say_date(day, locale)}. ¿Es correcto?"


def promise_recorded(amount: Money, day: date, locale: str = "es-ES") -> str:
    return (
        f"Gracias. He anotado {say_money(amount, locale)} el {say_date(day, locale)}; "
        "le enviaremos un recordatorio. Adiós."
    )


def plan_recorded(amount: Money, count: int, locale: str = "es-ES") -> str:
    return f"Gracias. Su plan de {count} pagos de {say_money(amount, locale)} queda organizado. Adiós."


def objection(first: bool) -> str:
    if first:
        return "Entiendo. ¿Hay algo que le dificulte el pago? Quizá podamos repartirlo en varios pagos."
    return "De acuerdo. Seguiremos en contacto sobre el saldo. Gracias por su tiempo. Adiós."


def reprompt() -> str:
    return "Perdone, no le he entendido. ¿Puede decirlo de otra manera?"


def clarify() -> str:
    return (
        "Quiero asegurarme de entenderle bien. ¿Puede decirme en pocas palabras qué le gustaría hacer: "
        "pagar ahora, acordar una fecha o un plan, o hay algún problema con esta cuenta?"
    )


def unsure_handoff() -> str:
    return (
        "Gracias. Pediré a una persona de nuestro equipo que lo revise y se ponga en contacto con usted. "
        "Adiós."
    )


def give_up() -> str:
    return "Siento que no hayamos podido resolverlo ahora. Volveremos a intentarlo en otro momento. Adiós."


def callback_ok() -> str:
    return "Sin problema, le llamaremos en un momento más oportuno. Adiós."


def paid_claim() -> str:
    return (
        "Gracias por avisarnos. Pediré a nuestro equipo que compruebe el pago y actualice su cuenta. Adiós."
    )


_EMPATHY = {
    Label.DECEASED: "Lamento mucho su pérdida.",
    Label.VULNERABLE: "Siento mucho que esté pasando por esto. Gracias por contármelo.",
    Label.HARDSHIP: "Siento que las cosas estén difíciles ahora. Gracias por contármelo.",
    Label.DISPUTE: "Entiendo que no le parece correcto. Lo revisaremos como es debido.",
    Label.LEGAL: "Entendido.",
    Label.BANKRUPTCY: "Gracias por informarnos.",
    Label.CANCEL_SERVICE: "Entiendo que quiere darse de baja.",
    Label.HUMAN_AGENT: "Por supuesto.",
    Label.CEASE_CONTACT: "Entendido, dejaremos de contactarle por esta vía.",
}


def escalation(label: Label, transfer: bool, callback_number: str) -> str:
    lead = _EMPATHY.get(label, "Gracias por contármelo.")
    if label is Label.CEASE_CONTACT:
        return f"{lead} Un compañero revisará su solicitud. Adiós."
    if transfer:
        return f"{lead} Le paso ahora con un compañero, que tendrá todos los datos."
    number = f" o puede llamarnos al {callback_number}" if callback_number else ""
    return f"{lead} Un compañero le devolverá la llamada{number}. Adiós."


def language_handoff() -> str:
    return "Pediré que le contacte una persona que hable su idioma. Adiós."


def unsubscribed() -> str:
    return "Se ha dado de baja. Adiós."


def ask_who(ctx: CaseContext) -> str:
    return f"¿Hablo con {ctx.customer_name}?"


def ask_pay_today() -> str:
    return "¿Puede pagar el saldo hoy?"


def ask_note() -> str:
    return "¿Lo anoto así?"


def ask_send_link() -> str:
    return "¿Le envío el enlace?"


def ask_date_again() -> str:
    return "¿Para qué fecha puede pagar?"


def ask_amount_again() -> str:
    return "¿Cuánto pagará?"


def thanks_goodbye() -> str:
    return "Gracias, adiós."
