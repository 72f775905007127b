"""Mapping files: presets load, and a wrong file is refused with its file, line and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from arrears.ingest import MappingError, load_mapping, preset_names
from arrears.ingest.mapping import Constant, parse_mapping


def test_presets_load() -> None:
    assert preset_names() == ["quickbooks-aging", "stripe-invoices", "xero-aged-receivables"]
    quickbooks = load_mapping("quickbooks-aging")
    assert quickbooks.defaults["currency"] == "USD"  # `currency:` is the default for the column
    assert quickbooks.headers("invoice_id") == ["Num", "No.", "Invoice No."]
    assert quickbooks.headers("email") == ["email"]  # unnamed columns are read under their own name


def test_constants_and_defaults_need_no_header() -> None:
    mapping = parse_mapping(
        "columns:\n  currency: {value: EUR}\n  customer_id: Kunde\ndefaults:\n  country: DE\n", "m.yaml"
    )
    assert isinstance(mapping.columns["currency"], Constant)
    required = mapping.required_headers()
    assert "currency" not in required and required["customer_id"] == ["Kunde"]
    assert parse_mapping("defaults:\n  country: Germany\n", "m.yaml").defaults == {"country": "DE"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("columns:\n  custmer_id: Customer\n", "m.yaml:2: columns: unknown import columns: custmer_id"),
        ("dates:\n  - MM/YYYY\n", "m.yaml:2: dates: date format 'MM/YYYY' needs a year, a month and a day"),
        ("currency: DOLLARS\n", "m.yaml:1: currency: unknown currency 'DOLLARS'"),
        ("header_rows: 3\n", "m.yaml:1: header_rows: Extra inputs are not permitted"),
        ("decimal: ','\nthousands: ','\n", "m.yaml:1: (top): `decimal` and `thousands` must differ"),
        ("skip_rows_matching:\n  - 'Total('\n", "m.yaml:2: skip_rows_matching: not a regular expression"),
        ("delimiter: ':'\n", "m.yaml:1: delimiter: expected auto, a comma, a semicolon, tab or |"),
        ("encoding: klingon\n", "m.yaml:1: encoding: unknown encoding 'klingon'"),
        (
            "defaults:\n  country: Narnia\n",
            "m.yaml:2: defaults: country: not a country code or name: 'Narnia'",
        ),
        ("columns: [\n", "m.yaml:2: not valid YAML"),
        ("- a\n", "m.yaml: expected a mapping of keys"),
    ],
)
def test_bad_mappings_name_file_line_and_key(text: str, message: str) -> None:
    with pytest.raises(MappingError) as raised:
        parse_mapping(text, "m.yaml")
    assert message in str(raised.value)


def test_a_path_or_an_unknown_name(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("name: mine\ncolumns:\n  customer_id: Client\n", encoding="utf-8")
    assert load_mapping(str(path)).name == "mine"
    with pytest.raises(MappingError, match="not a preset \\(presets: quickbooks-aging"):
        load_mapping("quickbooks")
