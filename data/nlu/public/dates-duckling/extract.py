"""Extract the single-day examples of Duckling's English time corpus into test.jsonl (stdlib, deterministic).

Usage: git -C <duckling> show <commit>:Duckling/Time/EN/Corpus.hs | python extract.py > test.jsonl

A block ``examples (datetime (Y, M, D, h, m, s) Day) [ "...", ... ]`` (or
``datetimeHoliday (...) Day "name"``) names one calendar day: every string in it becomes a record.
Blocks of any other grain (Second, Minute, Hour, Week, Month, Quarter, Year) and every interval, open
interval and recurring form are dropped. The
reference is the corpus's context: 2013-02-12 04:30 (a Tuesday) for every section but ``diffCorpus``,
whose context is 2013-02-15 04:30. The section (default, negative, latent, diff, all) is kept per record.
"""

from __future__ import annotations

import json
import re
import sys

HEAD = re.compile(
    r"examples\s*\(\s*(?P<kind>datetime|datetimeHoliday)\s*\(\s*(?P<y>-?\d+)\s*,\s*(?P<m>\d+)\s*,\s*"
    r"(?P<d>\d+)\s*,\s*\d+\s*,\s*\d+\s*,\s*\d+\s*\)\s*(?P<grain>[A-Za-z]+)(?:\s*\"[^\"]*\")?\s*\)\s*\["
)
STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')
SECTIONS = (
    ("defaultCorpus ::", "default"),
    ("negativeCorpus ::", "negative"),
    ("latentCorpus ::", "latent"),
    ("diffCorpus ::", "diff"),
    ("allExamples ::", "all"),
)
REFERENCES = {"diff": "2013-02-15T04:30:00"}
DEFAULT_REFERENCE = "2013-02-12T04:30:00"


def section_at(source: str, offset: int) -> str:
    best, name = -1, "default"
    for marker, label in SECTIONS:
        at = source.find(marker)
        if best < at <= offset:
            best, name = at, label
    return name


def block_strings(source: str, start: int) -> list[str]:
    """The string literals of the list opened at ``start`` (just after '['), up to its closing ']'."""
    depth, i, out = 1, start, []
    while depth and i < len(source):
        ch = source[i]
        if ch == '"':
            m = STRING.match(source, i)
            assert m is not None
            out.append(m.group(1).encode().decode("unicode_escape"))
            i = m.end()
            continue
        depth += {"[": 1, "]": -1}.get(ch, 0)
        i += 1
    return out


def main() -> None:
    source = sys.stdin.read()
    for head in HEAD.finditer(source):
        if head.group("grain") != "Day":
            continue
        y, m, d = int(head.group("y")), int(head.group("m")), int(head.group("d"))
        section = section_at(source, head.start())
        for text in block_strings(source, head.end()):
            record = {
                "text": text,
                "reference": REFERENCES.get(section, DEFAULT_REFERENCE),
                "expected": f"{y:04d}-{m:02d}-{d:02d}",
                "section": section,
            }
            print(json.dumps(record, ensure_ascii=False))


if __name__ == "__main__":
    main()
