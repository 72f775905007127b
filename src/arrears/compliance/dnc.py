"""Do-not-contact lists imported from files: one destination per line or a CSV with the destination first.

The engine stores the normalised entries and passes the ones matching a destination to the gate as
`DoNotContactEntry` facts; normalising here, the same way the gate compares, keeps "+1 (617) 555-0100"
and "+16175550100" the same entry.
"""

from __future__ import annotations

from arrears.compliance.checks import normalise_destination


def parse_dnc(text: str) -> frozenset[str]:
    """Normalised destinations from a list file; blank lines, comments (#) and a header row are skipped."""
    found: set[str] = set()
    for line in text.splitlines():
        cell = line.split(",", 1)[0].strip().strip('"')
        if not cell or cell.startswith("#") or cell.lower() in ("destination", "phone", "email", "number"):
            continue
        found.add(normalise_destination(cell))
    return frozenset(found)
