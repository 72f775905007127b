"""Disclosures never go out with raw placeholders, and header disclosures never become spoken words."""

from __future__ import annotations

from arrears.compliance.rendering import fill, render_disclosures
from arrears.compliance.schema import Disclosure


def test_fill_uses_values_and_plain_fallbacks() -> None:
    text = "This is {company}. The validation period ends {validation_period_end}."
    assert fill(text, {"company": "Acme Loans", "validation_period_end": "2026-04-30"}) == (
        "This is Acme Loans. The validation period ends 2026-04-30."
    )
    filled = fill(text, {"company": ""})
    assert "{" not in filled and "the company you owe" in filled


def test_header_only_disclosure_gives_headers_not_text() -> None:
    disclosures = {
        "list_unsubscribe": Disclosure(
            id="list_unsubscribe",
            rule_id="us.regf.eoptout",
            source="RFC 8058",
            text="List-Unsubscribe headers (one-click).",
            headers={"List-Unsubscribe": "<{unsubscribe_url}>"},
        ),
        "mini_miranda": Disclosure(
            id="mini_miranda",
            rule_id="us.regf.mini_miranda",
            source="1006.18(e)",
            text="This is {company}, a debt collector.",
        ),
    }
    rendered = render_disclosures(disclosures, {"company": "Acme", "unsubscribe_url": "https://x/u/1"})
    assert rendered.texts == {"mini_miranda": "This is Acme, a debt collector."}
    assert rendered.headers == {"List-Unsubscribe": "<https://x/u/1>"}


def test_voicemail_wording_and_agent_instructions_are_never_rendered_as_text() -> None:
    disclosures = {
        "limited_content_voicemail": Disclosure(
            id="limited_content_voicemail",
            rule_id="us.regf.limited_content",
            source="1006.2(j)",
            text="Please call {company}.",
            use="voicemail",
        ),
        "right_party_verification": Disclosure(
            id="right_party_verification",
            rule_id="us.regf.third_party",
            source="1006.6",
            text="Confirm {consumer_name}.",
            use="instruction",
        ),
    }
    assert render_disclosures(disclosures, {"company": "Acme"}).texts == {}
