"""SMS segments as carriers count them (3GPP TS 23.038), checked against known boundaries."""

from __future__ import annotations

import pytest

from arrears.messages.sms import encoding, gsm7_lookalike, is_gsm7, segments, septets


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 0),
        ("a" * 160, 1),  # GSM-7: 160 septets in one segment
        ("a" * 161, 2),  # then 153 per segment
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("€" * 80, 1),  # extension characters take two septets each
        ("€" * 81, 2),
        ("[" * 153, 2),
        ("{" * 154, 3),  # 308 septets
        ("á" * 70, 1),  # one character outside GSM-7: UCS-2, 70 per segment
        ("á" * 71, 2),  # then 67 per segment
        ("á" * 134, 2),
        ("á" * 135, 3),
        ("a" * 159 + "á", 3),  # one accent turns a 1-segment text into 3
        ("😀" * 35, 1),  # outside the basic plane: two UTF-16 units each
        ("😀" * 36, 2),
    ],
)
def test_segment_counts_at_the_boundaries(text: str, expected: int) -> None:
    assert segments(text) == expected


def test_gsm7_alphabet_and_extension_table() -> None:
    assert is_gsm7("Hola ¿qué tal? Ñandú está aquí") is False  # ú, á, í are not GSM-7
    assert is_gsm7("Ça coûte £5 @ 10€ {ok}") is False  # û is not
    assert is_gsm7("Ça coute £5 @ 10€ {ok}") is True
    assert septets("€{}") == 6
    assert encoding("días") == "UCS-2" and encoding("dias") == "GSM-7"


def test_lookalikes_keep_what_gsm7_has_and_replace_only_what_it_lacks() -> None:
    assert gsm7_lookalike("Responda “STOP” — días, Ñandú ¿qué?") == 'Responda "STOP" - dias, Ñandu ¿qué?'
    assert is_gsm7(gsm7_lookalike("Último aviso: 1.234,50 € vencido, día 30"))
