"""Local sinks for the embedded default: email as .eml files, texts and calls as JSON lines.

They are deliberately dumb (no de-duplication), so the engine's exactly-once guarantees are proven by
what lands here rather than assumed.
"""

from __future__ import annotations

import fcntl
import json
import os
from datetime import UTC, datetime
from pathlib import Path

from arrears.channels.base import DeliveryResult, DeliveryStatus, OutboundMessage
from arrears.channels.email_mime import build_email, sent_at


class EmailFileSink:
    """One RFC 5322 message per file, written atomically (temp file + rename)."""

    name = "email"

    def __init__(self, folder: Path, sender: str = "Arrears <collections@arrears.local>") -> None:
        self.folder = folder
        self.sender = sender
        folder.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}.eml"

    def send(self, message: OutboundMessage) -> DeliveryResult:
        mail = build_email(message, self.sender)  # the same message SMTP sends (Message-ID from the key)
        target = self._path(message.idempotency_key)
        if target.exists():
            # A second send of the same key is a bug upstream; keep both so tests can see it.
            target = (
                self.folder / f"{message.idempotency_key}.{os.getpid()}.{datetime.now(UTC).timestamp()}.eml"
            )
        temp = target.with_suffix(".tmp")
        temp.write_bytes(bytes(mail))
        os.replace(temp, target)
        return DeliveryResult(DeliveryStatus.SENT, "local-email", mail["Message-ID"])

    def lookup(self, idempotency_key: str) -> DeliveryResult | None:
        if self._path(idempotency_key).exists():
            return DeliveryResult(DeliveryStatus.SENT, "local-email", idempotency_key)
        return DeliveryResult(DeliveryStatus.FAILED, "local-email", error="never written")


class JsonLinesSink:
    """Appends one JSON object per message to `<folder>/<channel>.jsonl` under an exclusive lock."""

    def __init__(self, folder: Path, channel: str) -> None:
        self.name = channel
        self.path = folder / f"{channel}.jsonl"
        folder.mkdir(parents=True, exist_ok=True)

    def send(self, message: OutboundMessage) -> DeliveryResult:
        record = {
            "idempotency_key": message.idempotency_key,
            "channel": message.channel,
            "to": message.destination,
            "body": message.body,
            "sent_at": sent_at(message).isoformat(),
            "case_id": message.case_id,
            "customer_id": message.customer_id,
        }
        line = (json.dumps(record, ensure_ascii=False) + "\n").encode()
        with self.path.open("ab") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            handle.write(line)
            handle.flush()  # in the OS once written: a killed process cannot lose it
        return DeliveryResult(DeliveryStatus.SENT, f"local-{self.name}", message.idempotency_key)

    def lookup(self, idempotency_key: str) -> DeliveryResult | None:
        if not self.path.exists():
            return DeliveryResult(DeliveryStatus.FAILED, f"local-{self.name}", error="never written")
        needle = f'"idempotency_key": "{idempotency_key}"'
        with self.path.open(encoding="utf-8") as handle:
            if any(needle in line for line in handle):
                return DeliveryResult(DeliveryStatus.SENT, f"local-{self.name}", idempotency_key)
        return DeliveryResult(DeliveryStatus.FAILED, f"local-{self.name}", error="never written")


def local_channels(folder: Path) -> dict[str, EmailFileSink | JsonLinesSink]:
    """The embedded default: every contact channel lands in a file under `folder`."""
    return {
        "email": EmailFileSink(folder / "email"),
        "sms": JsonLinesSink(folder, "sms"),
        "whatsapp": JsonLinesSink(folder, "whatsapp"),
        "voice": JsonLinesSink(folder, "voice"),
        "letter": JsonLinesSink(folder, "letter"),
    }
