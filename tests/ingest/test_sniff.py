"""Encoding and delimiter detection: certain where certain, never a guess that garbles a UTF-8 file."""

from __future__ import annotations

import codecs

from arrears.ingest.sniff import detect_delimiter, detect_encoding


def test_encodings() -> None:
    text = "customer_name,city\nCafé Müller,Köln\n" * 20
    assert detect_encoding(codecs.BOM_UTF8 + text.encode()).label == "utf-8 (BOM)"
    assert detect_encoding(codecs.BOM_UTF16_LE + text.encode("utf-16-le")).codec == "utf-16"
    assert detect_encoding(text.encode()).label == "utf-8"
    assert detect_encoding(text.encode("cp1252")).codec == "cp1252"
    assert detect_encoding(text.encode("cp1252"), "latin-1").label == "latin-1 (given)"
    # Mostly UTF-8 with one bad byte: stays UTF-8 (the bad field is flagged), never re-read as cp1252.
    mixed = text.encode() + b"Caf\xe9\n"
    assert detect_encoding(mixed).codec == "utf-8-sig"
    # A sample cut inside a character is still UTF-8.
    assert detect_encoding("é".encode() * 10 + "é".encode()[:1]).label == "utf-8"


def test_delimiters() -> None:
    assert detect_delimiter(["a;b;c", "1;2;3", "4;5;6"]) == ";"
    assert detect_delimiter(["a\tb\tc", "1\t2,5\t3"]) == "\t"
    assert detect_delimiter(["a,b,c", "1;2,3;4,5"]) == ","
    assert detect_delimiter(['"a, b";c']) == ";"
    assert detect_delimiter(["single"]) == ","
    assert detect_delimiter(["a;b"], "|") == "|"
