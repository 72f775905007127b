"""Run the demo: build a portfolio, then N simulated days of the running product with simulated people.

The people reach the product only as real ones would: through Twilio's signed webhooks (texts, calls), the
events API (e-mails a mail system relays, payments the billing system reports), and what the product sends
them lands in the local sinks. So the KPIs at the end are measured on the production path.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from arrears.api.keys import create_api_key
from arrears.cases.sync import sync_cases
from arrears.core.clock import SimulatedClock
from arrears.core.money import format_minor
from arrears.demo.calls import CallScript, simulate_call
from arrears.demo.contacts import Contact, new_contacts
from arrears.demo.network import Network
from arrears.demo.people import CALL_LINES, Persona, Reaction, SimulatedCustomer, assign_personas
from arrears.demo.portfolio import SOURCE, DemoAccount, build_portfolio
from arrears.demo.providers import LocalFakes, start_local_fakes
from arrears.metrics.kpis import Kpis, compute_kpis
from arrears.settings import Settings
from arrears.store.db import transaction
from arrears.store.models import Case, ContactPoint, Customer, PaymentLink
from arrears.system import System, build_system

Progress = Callable[[int, int], None]
#: The demo answers Twilio's webhooks (signed with this secret) while its messages go to the local sinks.
DEMO_WEBHOOK_SECRET = "demo-webhook-signing-secret"
DEMO_BASE_URL = "https://demo.arrears.local"


@dataclass(frozen=True)
class DemoOptions:
    accounts: int = 2000
    days: int = 30
    seed: int = 7
    start: datetime = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
    tick: timedelta = timedelta(hours=1)
    #: "local": the sinks and the local payment page; "local-fakes": every provider at its local fake.
    providers: str = "local"


#: Who the demo's messages are from when no ARREARS_BUSINESS_NAME is set, where letters say it is and the
#: number customers are told to call (the demo's own Twilio number).
DEMO_BUSINESS_NAME = "Northwind Energy (demo)"
DEMO_BUSINESS_ADDRESS = "100 Harbour Street, Springfield, IL 62701"
DEMO_BUSINESS_PHONE = "+1 555-010-0100"


def demo_settings(settings: Settings, fakes: LocalFakes | None = None) -> Settings:
    """Twilio's webhooks on (a demo signing secret), Twilio's sending off: the sinks receive everything;
    the messages signed with the configured business name, else a demo name that says it is one. With
    `fakes`, every provider (Twilio's sending included) is pointed at its local fake instead."""
    signed = settings.model_copy(
        update={
            "business_name": (settings.business_name or "").strip() or DEMO_BUSINESS_NAME,
            "business_address": settings.business_address or DEMO_BUSINESS_ADDRESS,
            "business_phone": settings.business_phone or DEMO_BUSINESS_PHONE,
            "public_base_url": DEMO_BASE_URL,
        }
    )
    if fakes is not None:
        return fakes.settings(signed)
    return signed.model_copy(
        update={
            "twilio_auth_token": SecretStr(DEMO_WEBHOOK_SECRET),
            "twilio_account_sid": None,
            "twilio_from_number": None,
            "public_base_url": DEMO_BASE_URL,
        }
    )


def run_demo(
    settings: Settings,
    options: DemoOptions,
    progress: Progress | None = None,
    providers_report: Callable[[dict[str, int]], None] | None = None,
) -> Kpis:
    """Run the demo; with `options.providers == "local-fakes"`, `providers_report` hears what each fake
    received."""
    clock = SimulatedClock(options.start)
    fakes = start_local_fakes(lambda: clock.now().timestamp()) if options.providers == "local-fakes" else None
    try:
        kpis = _simulate(demo_settings(settings, fakes), options, clock, progress, fakes)
        if fakes is not None and providers_report is not None:
            providers_report(fakes.figures())
        return kpis
    finally:
        if fakes is not None:
            fakes.stop()


def _simulate(
    settings: Settings,
    options: DemoOptions,
    clock: SimulatedClock,
    progress: Progress | None,
    fakes: LocalFakes | None,
) -> Kpis:
    system = build_system(settings, clock=clock)
    accounts = _portfolio(system, options)
    if fakes is not None:
        fakes.seed_crm(_customers(system.sessions))
    worker = system.worker(worker_id="demo")
    token = settings.twilio_auth_token.get_secret_value() if settings.twilio_auth_token else ""
    with TestClient(system.web(), base_url=DEMO_BASE_URL) as client:
        network = Network(client, DEMO_BASE_URL, token, _api_key(system), fakes)
        world = _World(system, clock, network, accounts)
        people = dict(
            zip((a.customer_id for a in accounts), assign_personas(len(accounts), options.seed), strict=True)
        )
        total_ticks = int(timedelta(days=options.days) / options.tick)
        seen_until = options.start - timedelta(microseconds=1)  # contacts strictly after are new
        for tick in range(total_ticks):
            now = options.start + options.tick * tick
            clock.set(now)
            world.deliver_due(now)
            worker.tick()
            for contact in new_contacts(system.sessions, seen_until, now):
                person = people.get(contact.customer_id)
                if person is not None:
                    world.react(contact, person)
            seen_until = now
            if progress is not None:
                progress(tick + 1, total_ticks)
        end = options.start + timedelta(days=options.days)
        clock.set(end)
        world.deliver_due(end)
        worker.tick()
        with system.sessions() as session:
            return compute_kpis(session, since=options.start, until=end)


def _portfolio(system: System, options: DemoOptions) -> list[DemoAccount]:
    """The billing system's export, loaded as an import would (the operator's bulk path)."""
    system.register_strategies()
    with transaction(system.sessions) as session:
        accounts = build_portfolio(
            session,
            accounts=options.accounts,
            seed=options.seed,
            today=options.start.date(),
            now=options.start,
        )
        sync_cases(session, now=options.start, resolve_strategy=system.resolve_strategy)
    return accounts


def _api_key(system: System) -> str:
    with transaction(system.sessions) as session:
        _, token = create_api_key(
            session, name="demo-billing-and-mail", scopes=["events:write", "read"], now=system.clock.now()
        )
    return token


class _World:
    """The simulated customers' side: their acts queued in time, delivered through the network."""

    def __init__(
        self, system: System, clock: SimulatedClock, network: Network, accounts: list[DemoAccount]
    ) -> None:
        self.system = system
        self.clock = clock
        self.network = network
        self.by_customer = {a.customer_id: a for a in accounts}
        self.zones, self.identities = _people_facts(system.sessions)
        self.points = _contact_points(system.sessions)
        self.queue: list[tuple[datetime, int, str, Reaction]] = []
        self.sequence = 0

    def deliver_due(self, now: datetime) -> None:
        while self.queue and self.queue[0][0] <= now:
            at, _, customer_id, reaction = heapq.heappop(self.queue)
            self.clock.set(at)
            self._deliver(self.by_customer[customer_id], reaction, at)
        self.clock.set(now)

    def react(self, contact: Contact, person: SimulatedCustomer) -> None:
        name, postal = self.identities.get(contact.customer_id, ("", ""))
        script = CallScript(name=name, identity_answer=postal, main_line=person.main_line)
        if contact.reply_text is not None:
            reactions = person.on_reply(
                contact.reply_text, script, contact.channel, contact.destination, contact.at
            )
        else:
            balance, currency = self._balance(contact.case_id)
            local_today = contact.at.astimezone(self.zones.get(contact.customer_id, UTC)).date()
            reactions = person.on_message(contact.channel, contact.at, local_today, balance, currency)
            reactions = [self._from(contact, r) for r in reactions]
            for reaction in reactions:
                if reaction.kind == "message":
                    person.start_thread(reaction.text)
            if contact.channel == "voice":
                reactions = self._call(contact, person, reactions, script)
        for reaction in reactions:
            self.sequence += 1
            heapq.heappush(self.queue, (reaction.at, self.sequence, contact.customer_id, reaction))

    def _from(self, contact: Contact, reaction: Reaction) -> Reaction:
        """Where a person's written answer comes from: the thread they were written on, or (after a call or
        a letter) their own mobile, else their e-mail address."""
        if reaction.kind != "message" or contact.channel in ("sms", "whatsapp", "email"):
            return replace(reaction, address=reaction.address or contact.destination)
        points = self.points.get(contact.customer_id, {})
        if "mobile" in points:
            return replace(reaction, channel="sms", address=points["mobile"])
        return replace(reaction, channel="email", address=points.get("email", ""))

    def _call(
        self, contact: Contact, person: SimulatedCustomer, reactions: list[Reaction], script: CallScript
    ) -> list[Reaction]:
        """Most people who would have replied pick up instead: their words go to the agent on the call."""
        spoken = [r for r in reactions if r.kind == "message"]
        if person.persona is Persona.IGNORER or person.rng.random() > 0.7 or contact.key is None:
            return reactions  # no answer: they may still write later
        line = spoken[0].text if spoken else CALL_LINES.get(person.persona, "I can't talk about this now")
        call_sid = "CA" + contact.interaction_id[:32]
        self.clock.set(contact.at)
        simulate_call(
            self.network,
            key=contact.key,
            call_sid=call_sid,
            customer=contact.destination,
            script=replace(script, main_line=line),
        )
        return [r for r in reactions if r.kind != "message"]

    def _deliver(self, account: DemoAccount, reaction: Reaction, at: datetime) -> None:
        if reaction.kind == "payment":
            self._pay(account, reaction, at)
        elif reaction.channel == "email":
            self.network.email(reaction.address, reaction.text, at.isoformat())
        else:
            self.network.text(reaction.channel, reaction.address, reaction.text, at.isoformat())

    def _pay(self, account: DemoAccount, reaction: Reaction, at: datetime) -> None:
        """A card payer pays through the payment link of a message they got, on its page, as a customer
        would; everyone else pays by bank transfer, which the billing system reports (events API)."""
        with self.system.sessions() as session:
            case = session.execute(
                select(Case.id, Case.balance_minor, Case.currency).where(
                    Case.account_id == account.account_id, Case.status != "closed"
                )
            ).first()
        if case is None or case[1] <= 0:
            return
        if reaction.on_offer_link:
            self._pay_online(str(case[0]), at, purpose="offer")
            return
        card = int(at.timestamp()) % 2 == 0
        if card and self._pay_online(str(case[0]), at):
            return
        amount = min(reaction.amount_minor, int(case[1]))
        external = f"P-{account.account_external_id}-{int(at.timestamp())}"
        event = {
            "type": "payment.received",
            "source_system": SOURCE,
            "payment_external_id": external,
            "account_external_id": account.account_external_id,
            "currency": case[2],
            "amount": format_minor(amount, case[2]),
            "received_at": at.isoformat(),
            "method": "card" if card else "bank_transfer",
        }
        self.network.post_event(event, external)

    def _pay_online(self, case_id: str, at: datetime, purpose: str = "balance") -> bool:
        """Pay on the page of the newest unexpired link of this purpose sent for the case: the balance, or
        an offer's agreed amount (paid while it holds, the offer settles the rest)."""
        with self.system.sessions() as session:
            link = session.execute(
                select(PaymentLink.url, PaymentLink.provider, PaymentLink.provider_ref)
                .where(
                    PaymentLink.case_id == case_id,
                    PaymentLink.purpose == purpose,
                    PaymentLink.expires_at > at,
                )
                .order_by(PaymentLink.created_at.desc())
                .limit(1)
            ).first()
        if link is None:
            return False
        self.clock.set(at)
        if link.provider == "stripe" and link.provider_ref:
            self.network.pay_with_stripe(str(link.provider_ref), int(at.timestamp()))
        else:
            self.network.pay_online(str(link.url))
        return True

    def _balance(self, case_id: str) -> tuple[int, str]:
        with self.system.sessions() as session:
            row = session.execute(select(Case.balance_minor, Case.currency).where(Case.id == case_id)).one()
        return int(row[0]), str(row[1])


def _people_facts(sessions: sessionmaker[Session]) -> tuple[dict[str, ZoneInfo], dict[str, tuple[str, str]]]:
    """Each person's time zone, and what they know about themselves (name, the identity check's answer)."""
    with sessions() as session:
        rows = session.execute(
            select(Customer.id, Customer.time_zone, Customer.name, Customer.postal_code)
        ).all()
    zones = {cid: ZoneInfo(tz) for cid, tz, _, _ in rows if tz}
    return zones, {cid: (name, postal or "") for cid, _, name, postal in rows}


def _contact_points(sessions: sessionmaker[Session]) -> dict[str, dict[str, str]]:
    """Each person's own mobile number and e-mail address, as they would write from them."""
    points: dict[str, dict[str, str]] = {}
    with sessions() as session:
        rows = session.execute(
            select(ContactPoint.customer_id, ContactPoint.channel, ContactPoint.kind, ContactPoint.value)
        )
        for customer_id, channel, kind, value in rows:
            key = "mobile" if (channel, kind) == ("phone", "mobile") else channel
            points.setdefault(customer_id, {}).setdefault(key, value)
    return points


def _customers(sessions: sessionmaker[Session]) -> list[tuple[str, str]]:
    with sessions() as session:
        return [(str(r[0]), str(r[1])) for r in session.execute(select(Customer.external_id, Customer.name))]


def fresh_sqlite(url: str) -> None:
    """Remove an existing demo SQLite file so each demo starts from nothing."""
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
