"""The `arrears nlu` line contract, driven through the real CLI entry point."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from arrears.agent.learned import load_combiner
from arrears.cli.main import app


def run(lines: list[str]) -> list[dict[str, object]]:
    result = CliRunner().invoke(app, ["nlu"], input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines()]


def test_answers_in_order_with_the_contract_fields() -> None:
    out = run(
        [
            json.dumps(
                {"text": "i will pay $80 next friday", "reference": "2026-03-04T10:00", "channel": "sms"}
            ),
            json.dumps({"text": "wrong number", "reference": "2026-03-04T10:00:00", "channel": "sms"}),
        ]
    )
    model = load_combiner()
    confidence = out[0].pop("confidence")
    assert isinstance(confidence, float)
    assert out[0] == {
        "labels": ["promise_to_pay"],
        "date": "2026-03-13",
        "amount": "80.00",
        "currency": "USD",
        "contains_card": False,
        "redacted": "i will pay $80 next friday",
        "unsure": False,
        "model": f"{model.version}+{model.digest}",
    }
    assert model.thresholds.confident <= confidence <= 1.0
    assert out[1]["labels"] == ["wrong_party"]


def test_bad_lines_give_errors_naming_line_and_field_and_processing_continues() -> None:
    out = run(
        [
            "{not json",
            json.dumps({"text": 3, "reference": "2026-03-04T10:00", "channel": "sms"}),
            json.dumps({"text": "hi", "reference": "yesterday", "channel": "sms"}),
            json.dumps(["a list"]),
            json.dumps({"text": "card 4242 4242 4242 4242", "reference": "2026-03-04", "channel": "chat"}),
        ]
    )
    assert [o.get("line") for o in out[:4]] == [1, 2, 3, 4]
    assert [o.get("field") for o in out[:4]] == ["line", "text", "reference", "line"]
    assert out[4]["contains_card"] is True
    assert "4242" not in str(out[4]["redacted"])


def test_chat_plays_a_promise_to_the_end() -> None:
    turns = "yes it is me\n31 january 1980\ni can pay 100 on the 28th\nyes\n"
    result = CliRunner().invoke(app, ["chat", "--balance", "250.00"], input=turns)
    assert result.exit_code == 0, result.output
    assert '"routing": "booked"' in result.output
    assert '"minor": 10000' in result.output
