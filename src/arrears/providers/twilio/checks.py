"""`arrears providers check` for Twilio: read-only calls that prove the account, the token and the number.

It fetches the account (``GET /2010-04-01/Accounts/{sid}.json``), which fails with 20003 when the SID or
the auth token is wrong, then lists the account's IncomingPhoneNumbers filtered by the from number, which
is empty when the number belongs to another account (or is mistyped). Each says plainly how to fix it.
"""

from __future__ import annotations

from requests import RequestException

from arrears.providers.checks import CheckResult, ProviderCheck
from arrears.providers.twilio.client import TwilioConfig, make_client
from twilio.base.exceptions import TwilioException, TwilioRestException  # type: ignore[import-untyped]
from twilio.rest import Client  # type: ignore[import-untyped]

PROVIDER = "twilio"
_CONSOLE = "https://console.twilio.com"


def checks(config: TwilioConfig) -> list[ProviderCheck]:
    return [lambda: check(config)]


def check(config: TwilioConfig) -> CheckResult:
    """Never raises: every failure is a CheckResult with the fix."""
    if not config.account_sid:
        return CheckResult(
            PROVIDER,
            False,
            "ARREARS_TWILIO_ACCOUNT_SID is not set: Twilio only verifies webhooks, nothing is sent",
            "set ARREARS_TWILIO_ACCOUNT_SID to the Account SID (AC...) shown in the Twilio console",
        )
    client = make_client(config)
    try:
        account = client.api.accounts(config.account_sid).fetch()
        if config.from_number and not _owns(client, config.account_sid, config.from_number):
            return CheckResult(
                PROVIDER,
                False,
                f"the number in ARREARS_TWILIO_FROM_NUMBER is not a phone number of account "
                f"{config.account_sid}",
                "set ARREARS_TWILIO_FROM_NUMBER to a number listed under Phone Numbers > Active numbers "
                f"in {_CONSOLE} for this account, in E.164 form (+15551234567)",
            )
    except TwilioRestException as exc:
        return _refused(config, exc)
    except (TwilioException, RequestException) as exc:
        where = config.api_base_url or "https://api.twilio.com"
        return CheckResult(
            PROVIDER,
            False,
            f"could not reach {where}: {type(exc).__name__}",
            "check network access to api.twilio.com (or ARREARS_TWILIO_API_BASE_URL) and try again",
        )
    status = str(getattr(account, "status", "") or "unknown")
    if status != "active":
        return CheckResult(
            PROVIDER,
            False,
            f"account {config.account_sid} is {status}",
            f"reactivate the account in {_CONSOLE} (a suspended or closed account sends nothing)",
        )
    number = " and its from number" if config.from_number else ""
    return CheckResult(PROVIDER, True, f"authenticated as {config.account_sid} (active){number}")


def _owns(client: Client, account_sid: str, number: str) -> bool:
    listed = client.api.accounts(account_sid).incoming_phone_numbers.list(phone_number=number, limit=20)
    return any(str(n.phone_number) == number for n in listed)


def _refused(config: TwilioConfig, exc: TwilioRestException) -> CheckResult:
    if exc.code == 20003 or exc.status == 401:
        return CheckResult(
            PROVIDER,
            False,
            f"Twilio refused the credentials (error 20003) for account {config.account_sid}",
            "copy the Account SID and the Auth Token from the Twilio console (Account Info) into "
            "ARREARS_TWILIO_ACCOUNT_SID and ARREARS_TWILIO_AUTH_TOKEN (a rotated token replaces the old one)",
        )
    if exc.code == 20404 or exc.status == 404:
        return CheckResult(
            PROVIDER,
            False,
            f"account {config.account_sid} was not found (error 20404)",
            "check ARREARS_TWILIO_ACCOUNT_SID: it is the AC... SID of the account the token belongs to",
        )
    retry = exc.status == 429 or exc.status >= 500
    return CheckResult(
        PROVIDER,
        False,
        f"Twilio answered {exc.status} (error {exc.code})",
        "Twilio is busy or down: try again in a minute"
        if retry
        else f"see https://www.twilio.com/docs/errors/{exc.code}",
    )
