"""Measure understanding against the evaluation corpora (../shared/eval by default).

    .venv/bin/python bench/nlu_eval.py [EVAL_DIR]

Prints main-label accuracy, per-label precision/recall, escalation recall/precision, date accuracy (intents
corpus, and dates-recognizers-text.jsonl with dateparser's search_dates side by side), amount accuracy
(intents, amounts-recognizers-text.jsonl) and card detection (corpus cards plus generated Luhn-valid and
Luhn-failing numbers). Scoring rules are stated next to each figure; nothing in the corpora is edited.

A separate block scores the project's own paraphrase sets (tests/agent/data): the dev half, looked at while
improving the lexicon; the locked half, written first and only ever measured; and a late probe written after
the locked half had been measured, by the same author but in phrasings deliberately unlike the lexicon's,
also only measured. The locked half and the late probe together estimate how understanding generalises.
A last block shows each set with the rules alone and with the learned fallback (arrears.agent.learned).
"""

from __future__ import annotations

import json
import random
import sys
import time
import warnings
from collections import Counter
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from arrears.agent import ESCALATION, understand
from arrears.agent.amounts import find_amount
from arrears.agent.cards import luhn_ok
from arrears.agent.dates import prepare, resolve_date
from arrears.agent.numbers import digitise
from arrears.agent.scoring import score
from arrears.agent.text import canonical

ROOT = Path(__file__).resolve().parent.parent
ESC = {label.value for label in ESCALATION}
NO_DATE = {"not resolved", "0001-01-01"}  # Recognizers-Text's markers for an impossible date


def load(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def ratio(a: int, b: int) -> float:
    return a / b if b else float("nan")


def intents(records: list[dict[str, Any]], name: str) -> None:
    main_ok = date_ok = amount_ok = 0
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    esc_tp = esc_fp = esc_fn = 0
    card_tp = card_fp = card_fn = 0
    for r in records:
        u = understand(r["text"], datetime.fromisoformat(r["reference"]), r["channel"])
        got = [label.value for label in u.labels]
        want = r["labels"]
        main_ok += got[0] == want[0]
        for label in set(got) | set(want):
            if label in got and label in want:
                tp[label] += 1
            elif label in got:
                fp[label] += 1
            else:
                fn[label] += 1
        g_esc, w_esc = bool(set(got) & ESC), bool(set(want) & ESC)
        esc_tp += g_esc and w_esc
        esc_fp += g_esc and not w_esc
        esc_fn += w_esc and not g_esc
        date_ok += (u.date.isoformat() if u.date else None) == r["date"]
        amount_ok += u.amount == r["amount"]
        card_tp += u.contains_card and r["contains_card"]
        card_fp += u.contains_card and not r["contains_card"]
        card_fn += r["contains_card"] and not u.contains_card
    n = len(records)
    print(f"\n== {name}: {n} turns")
    print(f"main-label accuracy        {ratio(main_ok, n):.3f}")
    print(f"escalation recall          {ratio(esc_tp, esc_tp + esc_fn):.3f}  (turn has any escalation label)")
    print(f"escalation precision       {ratio(esc_tp, esc_tp + esc_fp):.3f}")
    print(f"date accuracy              {ratio(date_ok, n):.3f}  (exact slot, null must be null)")
    print(f"amount accuracy            {ratio(amount_ok, n):.3f}  (exact decimal string, null must be null)")
    card_p, card_r = ratio(card_tp, card_tp + card_fp), ratio(card_tp, card_tp + card_fn)
    print(f"card precision / recall    {card_p:.3f} / {card_r:.3f}")
    print("per label                  precision recall  support")
    for label in sorted(set(tp) | set(fn) | set(fp)):
        p, rc = ratio(tp[label], tp[label] + fp[label]), ratio(tp[label], tp[label] + fn[label])
        print(f"  {label:<24} {p:8.3f} {rc:7.3f} {tp[label] + fn[label]:6d}")


PARAPHRASES = (
    ("dev half (looked at while improving)", ROOT / "tests" / "agent" / "data" / "paraphrases.jsonl"),
    (
        "locked half (written first, measured only)",
        ROOT / "tests" / "agent" / "data" / "paraphrases_locked.jsonl",
    ),
    (
        "late probe (written after locked, measured only)",
        ROOT / "tests" / "agent" / "data" / "late_probe.jsonl",
    ),
)


def paraphrases() -> None:
    print("\n== paraphrase sets (tests/agent/data): main label, escalation, date and amount slots")
    print(f"{'set':<48} {'turns':>5} {'main':>6} {'esc R':>6} {'esc P':>6} {'date':>6} {'amount':>6}")
    for name, path in PARAPHRASES:
        if not path.exists():
            continue
        s = score(load(path))
        print(
            f"{name:<48} {s.n:5d} {s.main_accuracy:6.3f} {s.escalation_recall:6.3f} "
            f"{s.escalation_precision:6.3f} {s.date_accuracy:6.3f} {s.amount_accuracy:6.3f}"
        )


def _model_scores(records: list[dict[str, Any]], model: bool) -> tuple[str, str]:
    """Main label, escalation recall/precision, unsure share, and recall of each escalation label, with the
    rules alone or with the learned combiner (understand(..., fallback=...))."""
    main = tp = fp = fn = unsure = 0
    per: dict[str, list[int]] = {}
    for r in records:
        ref = datetime.fromisoformat(r.get("reference", "2026-03-10T14:05:00"))
        u = understand(r["text"], ref, r.get("channel", "chat"), fallback=model)
        got = {label.value for label in u.labels}
        main += u.labels[0].value == r["labels"][0]
        unsure += u.unsure
        g, w = bool(got & ESC), bool(set(r["labels"]) & ESC)
        tp, fp, fn = tp + (g and w), fp + (g and not w), fn + (w and not g)
        for label in set(r["labels"]) & ESC:
            per.setdefault(label, [0, 0])
            per[label][0] += label in got
            per[label][1] += 1
    n = len(records)
    head = (
        f"{ratio(main, n):6.3f} {ratio(tp, tp + fn):6.3f} {ratio(tp, tp + fp):6.3f} {ratio(unsure, n):6.3f}"
    )
    return head, " ".join(f"{k}={v[0]}/{v[1]}" for k, v in sorted(per.items()))


NLU_DATA = ROOT / "data" / "nlu"


def model_sets(folder: Path) -> list[tuple[str, Path]]:
    """Every labelled set: trained-on ones first (for reference), then the ones the model never saw."""
    sets = [
        ("intents-dev (trained on)", folder / "intents-dev.jsonl"),
        (*PARAPHRASES[0][:1], PARAPHRASES[0][1]),
    ]
    sets += [(name, path) for name, path in PARAPHRASES[1:]]
    sets += [(f"locked: {p.name}", p) for p in sorted((NLU_DATA / "locked").glob("*.jsonl"))]
    sets += [(f"public test: {p.parent.name}", p) for p in sorted((NLU_DATA / "public").glob("*/test.jsonl"))]
    return [(name, path) for name, path in sets if _labelled(path)]


def _labelled(path: Path) -> bool:
    """A set of labelled turns (the public date corpus beside them holds dates, not labels)."""
    if not path.exists() or path.stat().st_size == 0:
        return False
    first = path.read_text(encoding="utf-8").splitlines()[0]
    return "labels" in json.loads(first)


def learned(folder: Path) -> None:
    from arrears.agent.learned import load_combiner

    model = load_combiner()
    print(f"\n== rules alone (before) vs the learned combiner (after), model {model.version}+{model.digest}")
    print(
        f"{'set':<48} {'':6} {'main':>6} {'esc R':>6} {'esc P':>6} {'unsure':>6}  escalation recall per label"
    )
    for name, path in model_sets(folder):
        records = load(path)
        for tag, on in (("before", False), ("after", True)):
            head, per = _model_scores(records, on)
            print(f"{name if not on else '':<48} {tag:6} {head}  {per}")
    print(f"thresholds: {model.thresholds}")
    print(f"cross-validated on our own training turns: {json.dumps(model.meta.get('cross_validation', {}))}")


def _per_turn(texts: list[str], model: bool) -> tuple[list[float], float]:
    understand("warm up", datetime(2026, 1, 1), "sms", fallback=model)
    times = []
    cpu = time.process_time()
    for text in texts:
        started = time.perf_counter()
        understand(text, datetime(2026, 3, 10, 14), "sms", fallback=model)
        times.append(time.perf_counter() - started)
    return sorted(times), (time.process_time() - cpu) / len(texts)


def latency(folder: Path) -> None:
    """Per-turn time of understand() in this process with the model loaded (after one warm-up turn), and
    CPU per turn, beside the floor measured in the same run: the rules alone (the pipeline without the
    model) and the encoder alone."""
    from arrears.agent.learned.encoder import load_encoder

    texts = [r["text"] for _, path in model_sets(folder) for r in load(path)]
    print(f"\n== latency per turn, in-process, one thread: {len(texts)} turns")
    for name, model in (("rules alone (floor)", False), ("rules + combiner", True)):
        times, cpu = _per_turn(texts, model)
        p50, p99 = times[len(times) // 2] * 1000, times[int(len(times) * 0.99)] * 1000
        worst = times[-1] * 1000
        print(f"{name:<22} p50 {p50:.2f} ms  p99 {p99:.2f} ms  max {worst:.2f} ms  CPU {cpu * 1000:.3f} ms")
    encoder = load_encoder()
    cpu = time.process_time()
    for text in texts:
        encoder.embed(text)
    print(f"{'encoder alone':<22} CPU {(time.process_time() - cpu) / len(texts) * 1000:.3f} ms/turn")


def dates(records: list[dict[str, Any]]) -> None:
    try:
        from dateparser.search import search_dates
    except ImportError:  # pragma: no cover - dev dependency
        search_dates = None
    ours = theirs = 0
    started = time.perf_counter()
    for r in records:
        ref = datetime.fromisoformat(r["reference"])
        expected = None if r["expected"] in NO_DATE else r["expected"]
        got = resolve_date(prepare(r["text"]), ref.date())
        ours += (got.isoformat() if got else None) == expected
        if search_dates is not None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                found = search_dates(
                    r["text"], settings={"RELATIVE_BASE": ref, "PREFER_DATES_FROM": "future"}
                )
            their = found[0][1].date().isoformat() if found else None
            theirs += their == expected
    n = len(records)
    print(f"\n== dates-recognizers-text.jsonl: {n} sentences (impossible dates must give null)")
    print(f"arrears date accuracy      {ratio(ours, n):.3f}")
    if search_dates is not None:
        print(
            f"dateparser search_dates    {ratio(theirs, n):.3f}  (first date found, PREFER_DATES_FROM=future)"
        )
    print(f"elapsed                    {time.perf_counter() - started:.1f}s")


def amounts(records: list[dict[str, Any]]) -> None:
    ok = 0
    for r in records:
        expected = None
        for e in r["expected"]:
            if e["value"] is not None:
                value = Decimal(e["value"])
                # Recognizers-Text gives cents/pence in their own unit; we answer in the main unit.
                expected = value / 100 if e["unit"] in {"Cent", "Pence", "Penny"} else value
                break
        found = find_amount(digitise(canonical(r["text"])))
        got = found.value if found else None
        ok += got == expected if (got is not None and expected is not None) else got is expected
    print(f"\n== amounts-recognizers-text.jsonl: {len(records)} sentences (first amount with a value)")
    print(f"amount accuracy            {ratio(ok, len(records)):.3f}")


def _luhn_complete(prefix: str, length: int, rng: random.Random) -> str:
    body = prefix + "".join(rng.choice("0123456789") for _ in range(length - len(prefix) - 1))
    for check in "0123456789":
        if luhn_ok(body + check):
            return body + check
    raise AssertionError("unreachable")


def cards(seed: int = 7, count: int = 1000) -> None:
    rng = random.Random(seed)
    prefixes = [
        ("4", 16),
        ("51", 16),
        ("55", 16),
        ("2221", 16),
        ("34", 15),
        ("37", 15),
        ("6011", 16),
        ("35", 16),
        ("4", 13),
        ("62", 19),
    ]
    styles = ["plain", "spaced", "dashed", "spoken"]
    words = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
    tp = fn = fp = 0
    for i in range(count):
        prefix, length = prefixes[i % len(prefixes)]
        valid = _luhn_complete(prefix, length, rng)
        bad = valid[:-1] + str((int(valid[-1]) + rng.randint(1, 9)) % 10)
        style = styles[i % len(styles)]
        for number, is_card in ((valid, True), (bad, False)):
            if style == "spaced":
                shown = " ".join(number[k : k + 4] for k in range(0, len(number), 4))
            elif style == "dashed":
                shown = "-".join(number[k : k + 4] for k in range(0, len(number), 4))
            elif style == "spoken":
                shown = " ".join(words[int(d)] for d in number)
            else:
                shown = number
            u = understand(f"ok the number is {shown} thanks", datetime(2026, 1, 1), "voice")
            if is_card:
                tp += u.contains_card
                fn += not u.contains_card
            else:
                fp += u.contains_card
    print(f"\n== generated cards: {count} Luhn-valid, {count} Luhn-failing (plain, spaced, dashed, spoken)")
    print(f"card recall                {ratio(tp, tp + fn):.3f}")
    print(f"false positives (non-Luhn) {fp}")


def main(argv: list[str]) -> None:
    folder = Path(argv[1]) if len(argv) > 1 else ROOT.parent / "shared" / "eval"
    for path in sorted(folder.glob("*.jsonl")):
        records = load(path)
        if path.name.startswith("dates-"):
            dates(records)
        elif path.name.startswith("amounts-"):
            amounts(records)
        elif records and "labels" in records[0]:
            intents(records, path.name)
    for path in sorted((NLU_DATA / "locked").glob("*.jsonl")):
        intents(load(path), f"data/nlu/locked/{path.name} (never trained on)")
    paraphrases()
    learned(folder)
    latency(folder)
    cards()


if __name__ == "__main__":
    main(sys.argv)
