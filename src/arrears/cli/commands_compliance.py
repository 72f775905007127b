"""Compliance commands: the rules in force, why a case was contacted or not, lists and designations.

`rules` and `explain` only read. `dnc import`, `designate-time`, `designate-place` and `revoke` write
what the gate reads at the next planning or dispatch pass (the dispatcher reloads facts per batch).
Exit codes: 0 done; 2 bad input (unknown case or customer, bad file, bad time, a database `explain` cannot
read: missing, empty or at another schema version; it is never created).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from sqlalchemy.orm import Session

from arrears.compliance.model import Address
from arrears.compliance.profiles import CollectorKind, ProfileError, ProfileRegistry, load_tenant
from arrears.compliance.report import format_decisions, format_rules, format_zone_inputs

compliance_app = typer.Typer(help="The contact gate: rules in force and why a contact was allowed or not.")
dnc_app = typer.Typer(help="Do-not-contact lists imported from files.")
compliance_app.add_typer(dnc_app, name="dnc")

Database = Annotated[str | None, typer.Option(help="database URL (default ARREARS_DATABASE_URL)")]
_T = TypeVar("_T")


@contextmanager
def _session(database: str | None) -> Iterator[Session]:
    """One migrated database and one transaction, committed when the command succeeds."""
    from arrears.settings import get_settings
    from arrears.store.db import make_engine, session_factory
    from arrears.store.migrate import upgrade

    engine = make_engine(database or get_settings().database_url)
    try:
        upgrade(engine)
        with session_factory(engine).begin() as session:
            yield session
    finally:
        engine.dispose()


def _or_exit(action: Callable[[], _T]) -> _T:
    """Bad input is the operator's to fix: one line on stderr and exit code 2, never a traceback."""
    from arrears.engine.compliance_lists import DesignationError

    try:
        return action()
    except (DesignationError, ValueError) as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc


def _collector_kind(chosen: str | None) -> CollectorKind:
    """The option when given; else the kind the gate in force uses (a tenant file's wins over settings)."""
    from arrears.settings import get_settings

    if chosen is None:
        settings = get_settings()
        return (
            load_tenant(settings.tenant_file).collector_kind
            if settings.tenant_file
            else settings.collector_kind
        )
    if chosen not in ("creditor", "third_party"):
        raise ProfileError(f"--collector-kind {chosen!r}: use creditor or third_party")
    return "creditor" if chosen == "creditor" else "third_party"


@compliance_app.command("rules")
def rules(
    profile: str = typer.Option(
        None, "--profile", "-p", help="Profile name(s), comma-separated (e.g. us,us-ma,us-third-party)."
    ),
    country: str = typer.Option(None, help="Resolve profiles from an address instead: country code."),
    state: str = typer.Option(None, help="State or subdivision for --country."),
    collector_kind: str | None = typer.Option(
        None,
        help="third_party or creditor (with --country); default: as configured (ARREARS_COLLECTOR_KIND).",
    ),
) -> None:
    """Print the rule table in force: rule id, parameters, source."""
    registry = ProfileRegistry.builtin()
    try:
        if profile:
            names = tuple(n.strip() for n in profile.split(",") if n.strip())
        elif country:
            kind = _collector_kind(collector_kind)
            resolved = registry.resolve(Address(country, state), kind)
            if resolved is None:
                typer.echo(f"no profile covers {country}: every contact is refused", err=True)
                raise typer.Exit(2)
            names = resolved
            typer.echo(f"collector kind: {kind}")
        else:
            typer.echo("profiles: " + ", ".join(registry.names()))
            typer.echo("use --profile NAME[,NAME...] or --country CC [--state ST] to see a rule table")
            return
        typer.echo(format_rules(registry.policy(names)))
    except ProfileError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc


@compliance_app.command("explain")
def explain(case: Annotated[str, typer.Argument(help="case id")], database: Database = None) -> None:
    """Print every decision taken for a case (planned, deferred, refused, sent) with rules and zones."""
    from arrears.cli.db_access import existing_session
    from arrears.engine.explain import UnknownCase, case_decisions
    from arrears.settings import get_settings

    with existing_session(database or get_settings().database_url) as session:
        try:
            found = case_decisions(session, case)
        except UnknownCase:
            typer.echo(f"no case {case!r}", err=True)
            raise typer.Exit(2) from None
    if not found:
        typer.echo(f"case {case}: no contact decision recorded yet")
        return
    typer.echo(f"case {case}: {len(found)} decisions")
    typer.echo(format_decisions((d.at, d.contact, d.decision) for d in found))
    typer.echo(format_zone_inputs(d.decision for d in found))


@dnc_app.command("import")
def dnc_import(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="list file")],
    source: Annotated[str, typer.Option(help="list name, e.g. the tenant or a registry")] = "tenant",
    channel: Annotated[str | None, typer.Option(help="only this channel (default: every channel)")] = None,
    database: Database = None,
) -> None:
    """Import a do-not-contact list: one destination per line, or a CSV with the destination first."""
    from arrears.engine.compliance_lists import import_do_not_contact

    text = file.read_text(encoding="utf-8-sig")
    with _session(database) as session:
        now = datetime.now(UTC)
        result = _or_exit(lambda: import_do_not_contact(session, text, source, now, channel))
    typer.echo(
        f"{result.read} destinations read, {result.added} new on list {source!r} ({result.on_list} now)"
    )


@compliance_app.command("designate-time")
def designate_time(
    customer: Annotated[str, typer.Argument(help="customer id or external id")],
    start: Annotated[str, typer.Option(help="HH:MM local, start of the inconvenient time")],
    end: Annotated[str, typer.Option(help="HH:MM local; before start wraps past midnight")],
    weekdays: Annotated[str, typer.Option(help="e.g. 5,6 (0 = Monday); default every day")] = "",
    channel: Annotated[str | None, typer.Option(help="only this channel (default: every channel)")] = None,
    source: Annotated[str, typer.Option(help="who recorded it")] = "operator",
    database: Database = None,
) -> None:
    """Record a time the customer said is inconvenient; the gate keeps out of it from now on."""
    from arrears.engine.compliance_lists import designate_time as store
    from arrears.engine.compliance_lists import find_customer

    days = _or_exit(lambda: tuple(int(d) for d in weekdays.split(",") if d.strip()))
    with _session(database) as session:
        now = datetime.now(UTC)
        customer_id = _or_exit(lambda: find_customer(session, customer))
        made = _or_exit(
            lambda: store(
                session, customer_id, start, end, now, weekdays=days, channel=channel, source=source
            )
        )
    typer.echo(f"designation {made}: no contact {start}-{end} local for customer {customer_id}")


@compliance_app.command("designate-place")
def designate_place(
    customer: Annotated[str, typer.Argument(help="customer id or external id")],
    destination: Annotated[str | None, typer.Option(help="a number or address not to use")] = None,
    kind: Annotated[str | None, typer.Option(help="a destination kind not to use, e.g. work_phone")] = None,
    reason: Annotated[str, typer.Option(help="consumer or employer_prohibits")] = "consumer",
    source: Annotated[str, typer.Option(help="who recorded it")] = "operator",
    database: Database = None,
) -> None:
    """Record a place (destination or kind) the customer or their employer ruled out."""
    from arrears.engine.compliance_lists import designate_place as store
    from arrears.engine.compliance_lists import find_customer

    with _session(database) as session:
        now = datetime.now(UTC)
        customer_id = _or_exit(lambda: find_customer(session, customer))
        made = _or_exit(
            lambda: store(
                session,
                customer_id,
                now,
                destination=destination,
                destination_kind=kind,
                reason=reason,
                source=source,
            )
        )
    typer.echo(f"designation {made}: {destination or kind} barred for customer {customer_id}")


@compliance_app.command("revoke")
def revoke(
    designation: Annotated[str, typer.Argument(help="designation id")], database: Database = None
) -> None:
    """Lift a designated time or place from now on (the record stays for past explanations)."""
    from arrears.engine.compliance_lists import revoke_designation

    with _session(database) as session:
        done = revoke_designation(session, designation, datetime.now(UTC))
    if not done:
        typer.echo(f"no active designation {designation!r}", err=True)
        raise typer.Exit(2)
    typer.echo(f"designation {designation} revoked")


def register(app: typer.Typer) -> None:
    app.add_typer(compliance_app, name="compliance")
