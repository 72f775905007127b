"""Greetings: a person by name (never a title as a first name), a business by its company name."""

from __future__ import annotations

import pytest

from arrears.messages.names import display_name, salutation


@pytest.mark.parametrize(
    ("name", "informal", "formal"),
    [
        ("Ana Pérez", "Hi Ana,", "Dear Ana Pérez,"),
        ("Dr. John Smith", "Hi John,", "Dear Dr. Smith,"),
        ("DR. JOHN SMITH", "Hi John,", "Dear Dr. Smith,"),
        ("Smith, John", "Hi John,", "Dear John Smith,"),
        ("J. Smith", "Dear J. Smith,", "Dear J. Smith,"),
        ("Dr.", "Hello,", "Hello,"),
        ("Mr", "Hello,", "Hello,"),
        ("", "Hello,", "Hello,"),
        ("   ", "Hello,", "Hello,"),
    ],
)
def test_english_greetings_of_persons(name: str, informal: str, formal: str) -> None:
    assert salutation(name, "person", "en") == informal
    assert salutation(name, "person", "en", formal=True) == formal


@pytest.mark.parametrize(
    ("name", "informal", "formal"),
    [
        ("Ana Pérez", "Hola, Ana:", "Buenos días, Ana Pérez:"),
        ("Sra. Ana López", "Estimada Sra. López:", "Estimada Sra. López:"),
        ("Ms. Ana Pérez", "Estimada Sra. Pérez:", "Estimada Sra. Pérez:"),
        ("Dr. John Smith", "Estimado Dr. Smith:", "Estimado Dr. Smith:"),
        ("Dr.", "Buenos días:", "Buenos días:"),
    ],
)
def test_spanish_greetings_of_persons(name: str, informal: str, formal: str) -> None:
    assert salutation(name, "person", "es") == informal
    assert salutation(name, "person", "es", formal=True) == formal


def test_businesses_are_greeted_by_company_name_never_by_its_first_word() -> None:
    assert salutation("Acme Ltd", "business", "en") == "Hello Acme Ltd team,"
    assert salutation("Acme Ltd", "business", "en", formal=True) == "Dear Accounts Payable team at Acme Ltd,"
    assert salutation("Acme Ltd", "business", "es") == "Hola, equipo de Acme Ltd:"
    assert salutation("", "business", "en") == "Hello,"
    assert "Hi Acme" not in salutation("Acme Ltd", "business", "en")


def test_printed_names_fix_shouting_but_keep_a_business_as_written() -> None:
    assert display_name("DR. JOHN SMITH", "person") == "Dr. John Smith"
    assert display_name("ACME LTD", "business") == "ACME LTD"
