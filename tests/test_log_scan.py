"""The suite's log scan finds what must never be logged, and lets ordinary lines through."""

from __future__ import annotations

import logging

from tests.log_scan import LogScan, findings


def test_personal_data_and_secrets_are_found() -> None:
    assert findings("sent to +12125550143") == ["phone number"]
    assert findings("reply from dana.reyes+ar@example.co.uk") == ["e-mail address"]
    assert findings("key arr_0a1b2c3d4e5f_abcdefghijklmnopqrstuvwxyz012345") == ["API key"]
    assert findings("IntegrityError [parameters: ('+1...',)]") == ["SQL parameters"]
    assert findings("card 4111 1111 1111 1111 refused") == ["card-like number"]


def test_ordinary_lines_pass() -> None:
    for line in (
        "planned 2000 cases in 1.92 s",
        "outbox 9f3c2a7b1e4d4c0f8a6b5e3d2c1b0a99 sent",
        "order 4111 1111 1111 1112 is not a card",  # fails the Luhn check
        "GET /pay/{token} 200",
    ):
        assert findings(line) == [], line


def test_a_record_with_a_phone_in_its_extra_fields_is_a_leak() -> None:
    scan = LogScan()
    record = logging.makeLogRecord({"name": "arrears.engine", "msg": "sent", "destination": "+12125550143"})
    scan.emit(record)
    assert scan.lines == 1 and [kind for kind, _ in scan.leaks] == ["phone number"]
