"""WhatsApp's customer-service window, decided before anything is sent.

WhatsApp lets a business write freely only within 24 hours of the customer's last message to it; outside
that window only a template Meta approved may be sent (Twilio's Content API: ``ContentSid`` plus
``ContentVariables``). Twilio would refuse a free-form message outside the window only after accepting it
(error 63016, reported later by a status callback), so the rule is applied here, before the send: inside
the window the rendered body goes out; outside it the step's approved template does, filled from the fields
the message carries; a step with no approved template is rejected with the reason, and the strategy moves
on to its next channel. The decision is a pure function of the message, the last inbound time and the clock.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

WINDOW = timedelta(hours=24)

#: The fields a template's variables may name (arrears.engine.compose.template_fields).
FIELDS = frozenset(
    {
        "body",
        "customer_name",
        "business_name",
        "business_phone",
        "balance",
        "days_past_due",
        "today",
        "link",
        "promise_amount",
        "promise_date",
    }
)


class TemplatesError(ValueError):
    """The WhatsApp templates file is unreadable or names something wrongly; the message names the field."""


@dataclass(frozen=True, slots=True)
class ApprovedTemplate:
    content_sid: str  # HX...: the approved Content template
    variables: Mapping[str, str]  # placeholder ("1", "2"...) -> field name


@dataclass(frozen=True, slots=True)
class FreeForm:
    """Inside the window: the rendered body."""


@dataclass(frozen=True, slots=True)
class TemplateSend:
    content_sid: str
    content_variables: str  # JSON object, as the Content API takes it


@dataclass(frozen=True, slots=True)
class Refusal:
    reason: str


Plan = FreeForm | TemplateSend | Refusal


def plan(
    template: str | None,
    fields: Mapping[str, str],
    last_inbound: datetime | None,
    now: datetime,
    templates: Mapping[str, ApprovedTemplate],
) -> Plan:
    """How (or whether) a WhatsApp message may go out at `now`."""
    if last_inbound is not None and now - last_inbound < WINDOW:
        return FreeForm()
    approved = templates.get(template or "")
    if approved is None:
        return Refusal(
            f"whatsapp: outside the 24-hour window and no approved template for '{template or ''}'"
        )
    values: dict[str, str] = {}
    for slot, name in approved.variables.items():
        if not fields.get(name):
            return Refusal(
                f"whatsapp: outside the 24-hour window; approved template for '{template}' needs "
                f"'{name}', which this message does not carry"
            )
        values[slot] = fields[name]
    return TemplateSend(approved.content_sid, json.dumps(values, ensure_ascii=False, sort_keys=True))


def load_templates(path: Path) -> dict[str, ApprovedTemplate]:
    """Read the templates file (YAML or JSON: JSON is YAML). Raises TemplatesError naming the bad field."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise TemplatesError(f"twilio_whatsapp_templates: cannot read {path}: {exc}") from exc
    entries = document.get("templates") if isinstance(document, dict) else None
    if not isinstance(entries, dict):
        raise TemplatesError(f"twilio_whatsapp_templates: {path} needs a 'templates' mapping")
    return {str(key): _template(str(key), value) for key, value in entries.items()}


def _template(key: str, value: Any) -> ApprovedTemplate:
    where = f"twilio_whatsapp_templates: templates.{key}"
    if not isinstance(value, dict):
        raise TemplatesError(f"{where}: expected content_sid and variables")
    sid = value.get("content_sid")
    if not isinstance(sid, str) or not sid.startswith("HX") or len(sid) != 34:
        raise TemplatesError(f"{where}.content_sid: expected a Content SID (HX followed by 32 characters)")
    variables = value.get("variables") or {}
    if not isinstance(variables, dict):
        raise TemplatesError(f"{where}.variables: expected a mapping of placeholder to field")
    for slot, name in variables.items():
        if not str(slot).isdigit():
            raise TemplatesError(f"{where}.variables.{slot}: placeholders are numbers ('1', '2'...)")
        if name not in FIELDS:
            known = ", ".join(sorted(FIELDS))
            raise TemplatesError(f"{where}.variables.{slot}: unknown field {name!r} (known: {known})")
    return ApprovedTemplate(sid, {str(slot): str(name) for slot, name in variables.items()})
