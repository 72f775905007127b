"""How a CSV file is written: its encoding and delimiter, found from its first bytes where that is safe.

Safe means a guess that cannot silently garble a file that reads correctly today: a byte-order mark is
certain; a sample that is valid UTF-8 stays UTF-8; only a sample that is not UTF-8 and has no UTF-8
multi-byte sequence at all (the mark of a legacy single-byte file, as Excel on Windows writes cp1252) is
handed to charset-normalizer, and its answer is taken only from a short list of such encodings. Anything
else is read as UTF-8, undecodable bytes flagged per field as before. The delimiter is the one that
splits the header line, confirmed by `csv.Sniffer` where the sample lets it decide.
"""

from __future__ import annotations

import codecs
import csv
import re
from dataclasses import dataclass

SAMPLE_BYTES = 1 << 16
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig", "utf-8 (BOM)"),
    (codecs.BOM_UTF16_LE, "utf-16", "utf-16 (BOM)"),
    (codecs.BOM_UTF16_BE, "utf-16", "utf-16 (BOM)"),
)
#: Legacy encodings charset-normalizer may choose (its names); anything else is not trusted.
_LEGACY = frozenset({"cp1252", "latin_1", "iso8859_15", "cp1250", "iso8859_2", "mac_roman"})
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")
DELIMITERS = ",;\t|"


@dataclass(frozen=True)
class Encoding:
    codec: str  # what the text reader uses
    label: str  # what the summary says


def detect_encoding(sample: bytes, given: str | None = None) -> Encoding:
    """The encoding to read the file with: `given` (an option or the mapping), else detected."""
    if given and given != "auto":
        return Encoding(given, f"{given} (given)")
    for bom, codec, label in _BOMS:
        if sample.startswith(bom):
            return Encoding(codec, label)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        pass
    else:
        return Encoding("utf-8-sig", "utf-8")
    if sample.count(b"\x00") > len(sample) // 4:
        guess = _guess(sample)  # UTF-16 without a BOM: only charset-normalizer can tell the byte order
        if guess is not None and guess.startswith("utf_16"):
            return Encoding(guess, f"{guess} (detected)")
    elif not _UTF8_MULTIBYTE.search(sample):
        guess = _guess(sample)
        if guess in _LEGACY:
            return Encoding(guess, f"{guess} (detected)")
    return Encoding("utf-8-sig", "utf-8 (some bytes are not UTF-8; pass --encoding)")


def _guess(sample: bytes) -> str | None:
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    if best is None:
        return None
    # Encodings that read these bytes identically are equally right; Windows' Western one is the
    # likeliest writer of a legacy export, so it wins a tie.
    if "cp1252" in best.could_be_from_charset:
        return "cp1252"
    return str(best.encoding)


def decoded_sample(sample: bytes, codec: str) -> str:
    """The sample as text, a character cut at its end dropped."""
    return codecs.getincrementaldecoder(codec)(errors="replace").decode(sample, final=False)


def detect_delimiter(lines: list[str], given: str | None = None) -> str:
    """`given`, else the delimiter of `lines` (the header line first): the one `csv.Sniffer` finds when it
    also splits the header, else the first of `, ; tab |` the header contains, else a comma."""
    if given and given != "auto":
        return given
    if not lines:
        return ","
    header = lines[0]
    try:
        found = csv.Sniffer().sniff("\n".join(lines[:20]), delimiters=DELIMITERS).delimiter
    except csv.Error:
        found = ""
    if found and len(next(csv.reader([header], delimiter=found))) > 1:
        return found
    for candidate in DELIMITERS:
        if candidate in header:
            return candidate
    return ","


def describe(delimiter: str) -> str:
    return {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}.get(delimiter, repr(delimiter))
