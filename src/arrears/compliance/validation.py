"""Validation-notice dates under 12 CFR 1006.34 (us.regf.validation_notice).

The notice states the end of the validation period: 30 days after the consumer receives it, where receipt
may be assumed 5 days after sending, excluding Saturdays, Sundays and the legal public holidays of
5 U.S.C. 6103(a). Observed holiday dates are excluded too: that can only push the end date later, which is
the consumer-friendly (safe) side.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays as holidays_lib

RECEIPT_BUSINESS_DAYS = 5
VALIDATION_DAYS = 30
NOTICE_WITHIN_DAYS = 5


@lru_cache(maxsize=64)
def _federal_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays_lib.country_holidays("US", years=year, observed=True).keys())


def is_federal_business_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _federal_holidays(day.year)


def assumed_receipt_date(sent_on: date) -> date:
    """Sending date + 5 days, counting only weekdays that are not federal holidays."""
    day, counted = sent_on, 0
    while counted < RECEIPT_BUSINESS_DAYS:
        day += timedelta(days=1)
        if is_federal_business_day(day):
            counted += 1
    return day


@lru_cache(maxsize=4096)
def validation_period_end(sent_on: date) -> date:
    """The validation period's end date for a notice sent (or provided electronically) on `sent_on`."""
    return assumed_receipt_date(sent_on) + timedelta(days=VALIDATION_DAYS)


def validation_notice_due(initial_communication_on: date) -> date:
    """The last day the validation notice may be sent: within 5 days after the initial communication."""
    return initial_communication_on + timedelta(days=NOTICE_WITHIN_DAYS)
