"""The fast path of validation: accept a clean row in a few microseconds, hand any doubt to `validate_row`.

The thorough rules in `arrears.ingest.validate` cost about 60 microseconds a row, mostly spent on
columns that repeat: a customer's name, zone, contacts and consents are the same on each of its
invoices. So this path, compiled once per file header, (1) validates the customer, contact and consent
columns once per distinct tuple of their values and shares the result (a small cache, cleared when it
fills, so memory stays flat), and (2) checks the invoice columns with cheap tests: known currency, plain
decimals, dates from a cache of checked dates, lengths. A row that passes is exactly what the thorough
path would return; anything unusual (a blank required column, `1,234.56`, a bad date, a bad byte) goes
to `validate_row`, which decides and names every error. The fast path never writes an error itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from operator import itemgetter
from sys import intern

from arrears.core.money import currency_exponent, is_currency
from arrears.ingest.columns import BY_NAME, COLUMNS, CONSENT_COLUMNS
from arrears.ingest.customers_fast import quick_base, quick_consents
from arrears.ingest.rows import CUSTOMER_FIELDS, CustomerFacts, InvoiceRow, RowError
from arrears.ingest.validate import UNSTORABLE, customer_facts, plain_minor, validate_row

#: Columns the invoice part reads itself; every other documented column belongs to the customer part.
_INVOICE_COLUMNS = (
    "customer_id",
    "account_id",
    "invoice_id",
    "invoice_number",
    "currency",
    "amount",
    "balance",
    "issued_on",
    "due_on",
    "agency_placement_allowed",
    "strategy",
)
_CUSTOMER_COLUMNS = tuple(c.name for c in COLUMNS if c.name not in _INVOICE_COLUMNS)
_CONSENT_COLUMNS = frozenset({*CONSENT_COLUMNS, "consent_source", "consent_at"})
_BOOLEANS = {"true": True, "yes": True, "y": True, "1": True}
_BOOLEANS.update({"false": False, "no": False, "n": False, "0": False})
_NAME = CUSTOMER_FIELDS.index("name")
_MISSING = object()
#: Entries kept before a cache is emptied: enough for the customers of several batches, and bounded.
CACHE_LIMIT = 2_048


def _limit(name: str) -> int:
    length = BY_NAME[name].max_length
    assert length is not None
    return length


_ID_LIMIT = _limit("invoice_id")
_NUMBER_LIMIT = _limit("invoice_number")
_STRATEGY_LIMIT = _limit("strategy")


class FastValidator:
    """`validate(line, values)` for the records of one file, whose columns are `header` (in order)."""

    def __init__(self, header: Sequence[str]) -> None:
        where = {name: i for i, name in enumerate(header)}
        self._width = len(header)
        self._header = list(header)
        # Absent optional columns read an empty string appended to the row.
        at = {name: where.get(name, len(header)) for name in _INVOICE_COLUMNS}
        self._pad = any(index == len(header) for index in at.values())
        self._invoice_values = itemgetter(*(at[name] for name in _INVOICE_COLUMNS[:9]))
        self._account_values = itemgetter(*(at[name] for name in _INVOICE_COLUMNS[9:]))
        present = [name for name in _CUSTOMER_COLUMNS if name in where]
        self._customer_names = present
        self._customer_key: Callable[[Sequence[str]], tuple[str, ...]] = _key_getter(
            [where[name] for name in present]
        )
        self._facts: dict[tuple[str, ...], CustomerFacts | object | None] = {}
        self._base_key = _key_getter([where[name] for name in present if name not in _CONSENT_COLUMNS])
        self._bases: dict[tuple[str, ...], object] = {}
        self._dates: dict[str, bool] = {}
        self._exponents: dict[str, int | None] = {}

    def validate(self, line: int, values: list[str]) -> InvoiceRow | list[RowError]:
        row = self._fast(line, values)
        if row is not None:
            return row
        return validate_row(line, dict(zip(self._header, values, strict=True)))

    def _fast(self, line: int, values: list[str]) -> InvoiceRow | None:
        joined = "".join(values)
        if "\ufffd" in joined or UNSTORABLE.search(joined):
            return None
        if self._pad:
            values = [*values, ""]  # what absent optional columns read
        customer_ext, account_ext, invoice_ext, number, currency, amount_text, balance_text, issued, due = (
            value.strip() for value in self._invoice_values(values)
        )
        if not (customer_ext and account_ext and invoice_ext):
            return None
        if len(customer_ext) > _ID_LIMIT or len(account_ext) > _ID_LIMIT or len(invoice_ext) > _ID_LIMIT:
            return None
        currency = currency.upper()
        exponent = self._exponents.get(currency, -1)
        if exponent == -1:
            exponent = self._exponent(currency)
        if exponent is None:
            return None
        amount = plain_minor(amount_text, exponent)
        balance = plain_minor(balance_text, exponent)
        if amount is None or balance is None or balance > amount:
            return None
        dates = self._dates
        if (
            due < issued
            or not (dates.get(issued) or self._date(issued))
            or not (dates.get(due) or self._date(due))
        ):
            return None
        number = number or invoice_ext
        # One shared object per currency and date, instead of one per row: less memory per batch.
        currency, issued, due = intern(currency), intern(issued), intern(due)
        agency_text, strategy_text = self._account_values(values)
        strategy = strategy_text.strip() or None
        if len(number) > _NUMBER_LIMIT or (strategy is not None and len(strategy) > _STRATEGY_LIMIT):
            return None
        agency: bool | None = None
        flag = agency_text.strip()
        if flag:
            agency = _BOOLEANS.get(flag.lower())
            if agency is None:
                return None
        facts = self._facts.get(self._customer_key(values), _MISSING)
        if facts is _MISSING:
            facts = self._customer(values)
        if facts is None:
            return None
        assert isinstance(facts, CustomerFacts)
        return InvoiceRow(
            line,
            invoice_ext,
            account_ext,
            customer_ext,
            number,
            currency,
            amount,
            balance,
            issued,
            due,
            agency,
            strategy,
            facts,
        )

    def _exponent(self, currency: str) -> int | None:
        if currency in self._exponents:
            return self._exponents[currency]
        exponent = currency_exponent(currency) if is_currency(currency) else None
        if len(self._exponents) < 1000:
            self._exponents[currency] = exponent
        return exponent

    def _date(self, text: str) -> bool:
        known = self._dates.get(text)
        if known is None:
            known = len(text) == 10 and text[4] == "-" and text[7] == "-"
            if known:
                try:
                    known = date.fromisoformat(text).isoformat() == text
                except ValueError:
                    known = False
            if len(self._dates) >= CACHE_LIMIT:
                self._dates.clear()
            self._dates[text] = known
        return known

    def _customer(self, values: list[str]) -> CustomerFacts | None:
        key = self._customer_key(values)
        raw = dict(zip(self._customer_names, key, strict=True))
        # Shared fields and contacts across a customer's consent variants: computed once, and the
        # batch merge recognises them by identity.
        base_key = self._base_key(values)
        base = self._bases.get(base_key, _MISSING)
        if base is _MISSING:
            base = quick_base(raw)
            if len(self._bases) >= CACHE_LIMIT:
                self._bases.clear()
            self._bases[base_key] = base
        facts: CustomerFacts | list[RowError] | None = None
        if base is not None:
            assert isinstance(base, tuple)
            fields, contacts = base
            consents = quick_consents(raw, contacts)
            if consents is not None:
                facts = CustomerFacts(fields, contacts, consents)
        if facts is None:
            facts = customer_facts(0, raw)
        # The name is required: a row without one goes to the thorough path, which says so.
        checked = facts if isinstance(facts, CustomerFacts) and facts.fields[_NAME] else None
        if len(self._facts) >= CACHE_LIMIT:
            self._facts.clear()
        self._facts[key] = checked
        return checked


def _key_getter(indexes: list[int]) -> Callable[[Sequence[str]], tuple[str, ...]]:
    """A C-level getter of the customer columns as one tuple (itemgetter returns a bare value for one)."""
    if len(indexes) > 1:
        return itemgetter(*indexes)
    if len(indexes) == 1:
        index = indexes[0]
        return lambda values: (values[index],)
    return lambda values: ()
