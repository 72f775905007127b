"""Log lines are JSON objects with their fields, and secret-looking fields never print."""

from __future__ import annotations

import json
import logging

from arrears.logs import JsonFormatter


def test_json_lines_carry_fields_and_mask_secrets() -> None:
    record = logging.makeLogRecord(
        {"name": "arrears.test", "levelname": "INFO", "msg": "tick", "planned": 3, "api_key": "arr_x_y"}
    )
    line = json.loads(JsonFormatter().format(record))
    assert line["event"] == "tick" and line["planned"] == 3 and line["level"] == "info"
    assert line["api_key"] == "***"
    assert "arr_x_y" not in json.dumps(line)
