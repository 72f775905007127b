"""Build data/nlu/public/<source>/{train,test}.jsonl from the extracted public corpora.

Usage: python3 data/nlu/public/build_public.py /work/shared/eval/public

Stdlib only and deterministic: the same input files give byte-identical output. The mapping below is the
one written out, with reasons, in each source's MAPPING.md; None means the source label is excluded.
Texts are copied unchanged.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
REFERENCE = "2026-03-10T14:05:00"

# source directory -> (input file, {source_label: arrears label or None for excluded})
MAPPING: dict[str, tuple[str, dict[str, str | None]]] = {
    "banking77": (
        "banking77-payments.jsonl",
        {
            "transaction_charged_twice": "dispute",
            "card_payment_not_recognised": "dispute",
            "direct_debit_payment_not_recognised": "dispute",
            "card_payment_wrong_exchange_rate": "dispute",
            "extra_charge_on_statement": "question",
            "card_payment_fee_charged": "question",
            "transfer_fee_charged": "question",
            "transfer_not_received_by_recipient": "already_paid",
            "balance_not_updated_after_bank_transfer": "already_paid",
            "pending_transfer": "already_paid",
            "terminate_account": "cancel_service",
            "request_refund": None,
            "Refund_not_showing_up": None,
            "cancel_transfer": None,
            "declined_card_payment": None,
            "declined_transfer": None,
            "failed_transfer": None,
            "reverted_card_payment?": None,
            "transfer_timing": None,
        },
    ),
    "clinc150": (
        "clinc150-billing.jsonl",
        {
            "pay_bill": "pay_now",
            "bill_balance": "question",
            "bill_due": "question",
            "min_payment": "question",
            "report_fraud": "dispute",
            "yes": "affirm",
            "no": "deny",
            "maybe": "unclear",
            "goodbye": "unclear",
            "repeat": "unclear",
            "make_call": "unclear",
            "oos": "unclear",
            "are_you_a_bot": None,
            "transactions": None,
        },
    ),
    "optout-keywords": (
        "optout-keywords.jsonl",
        {
            "opt_out": "opt_out",
            "not_processed_by_keyword_filter": "opt_out",
            "opt_in": None,
            "help": None,
        },
    ),
}

# CLINC out-of-scope rows that are not off-topic for a debtor (they carry a LABELS.md intent): excluded.
OOS_EXCLUDED = frozenset(
    {
        "am kind of busy now",  # callback
        "cancel my subscription to scientific american",  # cancel_service
        "do you know if it is possible to close my savings account",  # cancel_service
        "please take all my money out of my checking account and close the account",  # cancel_service
        "how hard is it to close a bank account at wells fargo",  # cancel_service, third party
        "what's my current electric bill",  # question (as bill_balance)
        "what is the fee for a cash advance",  # question about a fee
        "how long will it take me to pay off my card if i pay an extra $50 a month over the minimum",
        "explain how to reduce my debt burden",  # hardship or payment_plan
        "tell me how i can file a pleading in circuit court",  # legal
    }
)
CLINC_TEST_SPLITS = frozenset({"test", "oos_test"})  # train, val and oos_val go to train.jsonl
CHANNEL = {"optout-keywords": "sms"}  # LABELS.md: opt_out is a bare keyword on SMS/WhatsApp
LANG = {"ARRET": "other"}  # French keyword in the AWS list
AMOUNT = re.compile(r"[$£€]\s?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{2}))?(?![\d.,]*\d)")


def amount_of(text: str) -> str | None:
    """The amount when the text names exactly one currency-marked sum, as "123.45"; else None."""
    found = {Decimal(whole.replace(",", "") + "." + (cents or "00")) for whole, cents in AMOUNT.findall(text)}
    return f"{found.pop():.2f}" if len(found) == 1 else None


def split_of(source: str, row: dict[str, str]) -> str:
    if source == "banking77":
        return row["split"]
    if source == "clinc150":
        return "test" if row["split"] in CLINC_TEST_SPLITS else "train"
    # the keyword lists have no split and are a closed lexicon the agent must know whole (a held-out
    # keyword would only measure a compliance miss): all of it is training data, test.jsonl stays empty
    return "train"


def build(source: str, rows: list[dict[str, str]]) -> dict[str, list[dict[str, object]]]:
    table = MAPPING[source][1]
    out: dict[str, list[dict[str, object]]] = {"train": [], "test": []}
    seen: dict[str, dict[str, object]] = {}
    for row in rows:
        text, label = row["text"], table[row["source_label"]]
        if label is None or (row["source_label"] == "oos" and text in OOS_EXCLUDED):
            continue
        if text in seen:  # the keyword lists repeat a word across vendors: one record, every source named
            seen[text]["source"] = f"{seen[text]['source']} | {row['source']}"
            continue
        record: dict[str, object] = {
            "text": text,
            "reference": REFERENCE,
            "channel": CHANNEL.get(source, "chat"),
            "labels": [label],
            "date": None,
            "amount": amount_of(text),
            "contains_card": False,
            "lang": LANG.get(text, "en"),
            "source_label": row["source_label"],
            "source": row["source"],
            "licence": row["licence"],
        }
        seen[text] = record
        out[split_of(source, row)].append(record)
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("input_dir", type=Path, help="the folder holding the extracted *.jsonl corpora")
    args = parser.parse_args(argv)
    for source, (filename, table) in MAPPING.items():
        with (args.input_dir / filename).open(encoding="utf-8") as handle:
            rows = [json.loads(line) for line in handle if line.strip()]
        unknown = {row["source_label"] for row in rows} - table.keys()
        if unknown:
            raise SystemExit(f"{filename}: source labels missing from the mapping: {sorted(unknown)}")
        target = HERE / source
        target.mkdir(exist_ok=True)
        for split, records in build(source, rows).items():
            with (target / f"{split}.jsonl").open("w", encoding="utf-8", newline="\n") as handle:
                for record in records:
                    handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            counts = Counter(str(table[str(record["source_label"])]) for record in records)
            print(
                f"{source} {split} {len(records)} " + " ".join(f"{k}={v}" for k, v in sorted(counts.items()))
            )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
