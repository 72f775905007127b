"""Shared by the Twilio channel tests: the fake's numbers, a config pointing the official SDK at it, and
outbound messages."""

from __future__ import annotations

from datetime import datetime

from arrears.channels.base import OutboundMessage
from arrears.fakes.twilio import ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER, WHATSAPP_FROM
from arrears.providers.twilio.client import TwilioConfig

BASE = "https://arrears.example"
CUSTOMER = "+12125550143"


def config(api: str, *, token: str = AUTH_TOKEN, account: str = ACCOUNT_SID) -> TwilioConfig:
    return TwilioConfig(account, token, FROM_NUMBER, WHATSAPP_FROM, BASE, api)


def outbound(
    channel: str,
    key: str = "step-1/case-1",
    *,
    to: str = CUSTOMER,
    at: datetime | None = None,
    template: str | None = "consumer/reminder",
    fields: dict[str, str] | None = None,
) -> OutboundMessage:
    return OutboundMessage(
        key,
        channel,
        to,
        "Hi Dana, your balance of $243.50 is overdue. Pay: https://pay.example/x",
        case_id="c1",
        customer_id="u1",
        sent_at=at,
        template=template,
        fields=fields if fields is not None else {"customer_name": "Dana Reyes", "balance": "$243.50"},
    )
