"""How a message greets its reader: a person by name, a business by its company name.

Names arrive as billing systems store them ("DR. JOHN SMITH", "Smith, John", "Acme Ltd", "Dr."), so they go
through ``nameparser`` instead of ``name.split()[0]``: a title is never taken for a first name, a business is
never greeted as if its first word were a person, and a name we cannot use gives a neutral greeting.
"""

from __future__ import annotations

from dataclasses import dataclass

from nameparser import HumanName

#: Spanish titles whose salutation agrees in the feminine.
_FEMININE_TITLES = {"sra", "srta", "dra", "licda"}
#: English titles as a Spanish letter writes them.
_ES_TITLES = {"mr": "Sr.", "ms": "Sra.", "mrs": "Sra.", "miss": "Srta.", "dr": "Dr.", "prof": "Prof."}


@dataclass(frozen=True, slots=True)
class ParsedName:
    title: str
    first: str  # empty when only an initial is known: "Hi J.," greets nobody
    given: str  # the first name as written, initials included
    last: str
    full: str  # the name as it should be printed (case fixed when the source shouted or whispered)


def parse(name: str | None) -> ParsedName:
    """A person's name split by ``nameparser``; an all-caps or all-lowercase name is capitalised."""
    text = " ".join((name or "").split())
    human = HumanName(text)
    if text and (text.isupper() or text.islower()):
        human.capitalize(force=True)
    first = human.first if len(human.first.rstrip(".")) > 1 else ""  # an initial is not a first name
    full = " ".join(p for p in (human.title, human.first, human.middle, human.last, human.suffix) if p)
    return ParsedName(human.title, first, human.first, human.last, full)


def display_name(name: str | None, kind: str) -> str:
    """The addressee as printed on a letter or an email's greeting line."""
    if kind == "business":
        return " ".join((name or "").split())
    return parse(name).full


def salutation(name: str | None, kind: str, language: str = "en", *, formal: bool = False) -> str:
    """The greeting line, punctuated for the language: "Hi Ana," / "Dear Dr. Smith," / "Hola, Ana:"."""
    if kind == "business":
        return _business(" ".join((name or "").split()), language, formal)
    return _person(parse(name), language, formal)


def _business(company: str, language: str, formal: bool) -> str:
    if language == "es":
        if not company:
            return "Estimado equipo de cuentas por pagar:" if formal else "Hola:"
        if formal:
            return f"Estimado equipo de cuentas por pagar de {company}:"
        return f"Hola, equipo de {company}:"
    if not company:
        return "Dear Accounts Payable team," if formal else "Hello,"
    return f"Dear Accounts Payable team at {company}," if formal else f"Hello {company} team,"


def _person(name: ParsedName, language: str, formal: bool) -> str:
    titled = f"{name.title} {name.last}" if name.title and name.last else ""
    full = " ".join(p for p in (name.given, name.last) if p)
    if language == "es":
        if titled:
            title = _ES_TITLES.get(name.title.rstrip(".").lower(), name.title)
            feminine = title.rstrip(".").lower() in _FEMININE_TITLES
            return f"{'Estimada' if feminine else 'Estimado'} {title} {name.last}:"
        if not formal and name.first:
            return f"Hola, {name.first}:"
        return f"Buenos días, {full}:" if full else "Buenos días:"
    if titled and (formal or not name.first):
        return f"Dear {titled},"
    if not formal and name.first:
        return f"Hi {name.first},"
    if full and name.last:
        return f"Dear {full},"
    return "Hello,"
