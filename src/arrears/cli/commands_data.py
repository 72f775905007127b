"""Data in and out: `arrears import invoices FILE [--mapping NAME|PATH]`, `arrears import mappings` (the
presets for exports of accounting systems) and `arrears export attempts|outcomes|tasks`.

Exit codes of `import invoices`: 0 every row stored; 1 some rows rejected (the good ones are stored);
2 nothing usable (bad header, unreadable file) or the database refused a batch (earlier batches stay).
"""

from __future__ import annotations

import json
import sys
from contextlib import ExitStack
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal, TextIO, cast

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TaskID, TimeRemainingColumn

from arrears.cases.sync import StrategyResolver
from arrears.cli.options import instant
from arrears.ingest import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_SOURCE,
    AddressCheck,
    DeploymentChecks,
    ImportFileError,
    ImportReport,
    Mapping,
    MappingError,
    RowError,
    import_invoices,
    load_mapping,
    preset_names,
)
from arrears.ingest.mapping import preset_text
from arrears.settings import Settings, get_settings

SHOWN_ERRORS = 20


class InputFormat(StrEnum):
    csv = "csv"
    jsonl = "jsonl"


class ExportKind(StrEnum):
    attempts = "attempts"
    outcomes = "outcomes"
    tasks = "tasks"
    recovery = "recovery"  # the recovery sheet: one row per case (arrears.cli.commands_sheets)


class ExportFormat(StrEnum):
    csv = "csv"
    jsonl = "jsonl"
    xlsx = "xlsx"  # the recovery sheet only


def strategy_resolver(settings: Settings) -> StrategyResolver:
    """Each account's strategy (or the default) at the newest version this deployment has."""
    from arrears.strategy.catalog import StrategyLibrary
    from arrears.system.parts import strategy_resolver as resolver_for

    return resolver_for(StrategyLibrary.load(settings.strategies_dir), settings.default_strategy)


def deployment_checks(settings: Settings) -> DeploymentChecks:
    """What this deployment requires of an imported row: a strategy it has, an address its gate covers."""
    from arrears.strategy.catalog import StrategyLibrary

    names = StrategyLibrary.load(settings.strategies_dir).names()
    return DeploymentChecks(strategies=names, address=address_check(settings))


def address_check(settings: Settings) -> AddressCheck | None:
    """Under the profiles gate, an address no profile covers (or without a country) is refused at every
    contact: refuse it at the import instead. The minimal gate checks no address."""
    if settings.gate == "minimal":
        return None
    from arrears.compliance.gate import ProfileGate
    from arrears.compliance.model import Address
    from arrears.system.parts import contact_gate

    gate = contact_gate(settings)
    assert isinstance(gate, ProfileGate)

    def check(country: str | None, state: str | None, city: str | None, postal: str | None) -> str | None:
        if country is None:
            return (
                "required under the profiles gate, which decides each contact by the customer's country "
                "(add a country column, `defaults: country:` in a mapping, or --country)"
            )
        if gate.registry.resolve(Address(country, state, city, postal), gate.collector_kind) is None:
            return f"no compliance profile covers country {country!r}: every contact would be refused"
        return None

    return check


def _mapping(name: str | None, date_formats: list[str] | None, country: str | None) -> Mapping | None:
    """The mapping asked for, with the options that override it; None for a file in our own columns."""
    if name is None and not date_formats and country is None:
        return None
    try:
        mapping = load_mapping(name) if name is not None else Mapping(name="(options)")
        update: dict[str, object] = {}
        if date_formats:
            update["dates"] = date_formats
        if country is not None:
            update["defaults"] = {**mapping.defaults, "country": country.upper()}
        return Mapping.model_validate({**mapping.model_dump(), **update}) if update else mapping
    except (MappingError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


def import_invoices_command(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="CSV or JSON lines")
    ],
    file_format: Annotated[
        InputFormat | None, typer.Option("--format", help="default: from the file name (.jsonl -> jsonl)")
    ] = None,
    source: Annotated[
        str, typer.Option(help="source system name; ids are unique per source")
    ] = DEFAULT_SOURCE,
    database: Annotated[str | None, typer.Option(help="database URL (default ARREARS_DATABASE_URL)")] = None,
    errors: Annotated[Path | None, typer.Option(help="write every rejected row here as JSON lines")] = None,
    batch_size: Annotated[
        int, typer.Option(min=1, max=50_000, help="rows per transaction")
    ] = DEFAULT_BATCH_SIZE,
    as_json: Annotated[bool, typer.Option("--json", help="print the summary as one JSON object")] = False,
    mapping: Annotated[
        str | None,
        typer.Option(help="an export's mapping: a preset (see `arrears import mappings`) or a YAML file"),
    ] = None,
    encoding: Annotated[
        str | None, typer.Option(help="e.g. utf-8, utf-16, cp1252 (default: the mapping's, or detected)")
    ] = None,
    delimiter: Annotated[
        str | None, typer.Option(help="',', ';', 'tab' or '|' (default: the mapping's, or detected)")
    ] = None,
    date_format: Annotated[
        list[str] | None,
        typer.Option("--date-format", help="e.g. MM/DD/YYYY, DD/MM/YYYY, 'D MMM YYYY', unix; repeatable"),
    ] = None,
    country: Annotated[
        str | None, typer.Option(help="ISO country code for rows that give none (e.g. US)")
    ] = None,
) -> None:
    """Import invoices with their customers, accounts, contacts and consents; open or update cases.

    Re-importing the same file changes nothing. Exit code 1 if any row was rejected, 2 if the file
    could not be read or the database refused a batch.
    """
    from arrears.store.db import make_engine
    from arrears.store.migrate import upgrade
    from arrears.system.parts import arm_faults, process_clock

    settings = get_settings()
    arm_faults(settings)
    chosen = _mapping(mapping, date_format, country)
    if delimiter in ("tab", "\\t"):
        delimiter = "\t"
    engine = make_engine(database or settings.database_url)
    upgrade(engine)
    shown = 0
    with ExitStack() as stack:
        sink = stack.enter_context(errors.open("w", encoding="utf-8")) if errors is not None else None

        def on_error(error: RowError) -> None:
            nonlocal shown
            if sink is not None:
                sink.write(json.dumps(error.to_json()) + "\n")
            if shown < SHOWN_ERRORS:
                typer.echo(str(error), err=True)
            shown += 1

        progress = stack.enter_context(_progress(file.stat().st_size))
        try:
            report = import_invoices(
                engine,
                file,
                resolve_strategy=strategy_resolver(settings),
                clock=process_clock(settings),
                file_format=file_format.value if file_format else None,
                source=source,
                batch_size=batch_size,
                on_error=on_error,
                on_progress=progress,
                mapping=chosen,
                encoding=encoding,
                delimiter=delimiter,
                checks=deployment_checks(settings),
            )
        except ImportFileError as exc:
            typer.echo(f"error: {file.name}: {exc}", err=True)
            raise typer.Exit(2) from None
        finally:
            engine.dispose()
    if shown > SHOWN_ERRORS:
        more = f"; every error is in {errors}" if errors else "; use --errors PATH to get them all"
        typer.echo(f"... and {shown - SHOWN_ERRORS} more errors{more}", err=True)
    _summary(report, as_json)
    if report.aborted:
        raise typer.Exit(2)
    if report.rows_rejected:
        raise typer.Exit(1)


class _progress:
    """A rich progress bar over bytes read, only on an interactive terminal."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.bar: Progress | None = None
        self.task: TaskID | None = None

    def __enter__(self) -> _progress:
        if sys.stderr.isatty():
            self.bar = Progress(
                "[progress.description]{task.description}",
                BarColumn(),
                DownloadColumn(),
                TimeRemainingColumn(),
            )
            self.bar.start()
            self.task = self.bar.add_task("importing", total=self.total)
        return self

    def __call__(self, consumed: int) -> None:
        if self.bar is not None and self.task is not None:
            self.bar.update(self.task, completed=consumed)

    def __exit__(self, *_exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def _summary(report: ImportReport, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(report.to_json()))
        return
    typer.echo(
        f"{report.rows_read} rows read: {report.rows_imported} stored, {report.rows_rejected} rejected "
        f"({report.seconds:.1f}s)"
    )
    counts = report.counts
    for entity in ("customers", "accounts", "invoices"):
        line = (
            f"  {entity}: {counts.get(f'{entity}_new', 0)} new, {counts.get(f'{entity}_updated', 0)} updated"
        )
        if entity == "invoices":
            line += f", {counts.get('invoices_unchanged', 0)} unchanged"
        typer.echo(line)
    granted, revoked = counts.get("consents_granted", 0), counts.get("consents_revoked", 0)
    typer.echo(
        f"  contacts: {counts.get('contacts_new', 0)} new; consents: {granted} granted, {revoked} revoked"
    )
    typer.echo(
        f"  cases: {counts.get('cases_opened', 0)} opened, {counts.get('cases_updated', 0)} updated, "
        f"{counts.get('cases_closed', 0)} closed"
    )
    if report.ignored_columns:
        typer.echo(f"  ignored columns: {', '.join(report.ignored_columns)}")
    if report.encoding is not None:
        how = f"  read as {report.encoding}, {report.delimiter} separated"
        if report.mapping is not None:
            how += f", through mapping {report.mapping}; {report.rows_skipped} rows skipped as not data"
        typer.echo(how)
    for note in report.notes:
        typer.echo(f"  note: {note}")
    if report.aborted:
        typer.echo(f"error: stopped: {report.aborted}", err=True)


def export_command(
    kind: Annotated[
        ExportKind, typer.Argument(help="attempts, outcomes, tasks or recovery (one row per case)")
    ],
    fmt: Annotated[
        ExportFormat, typer.Option("--format", help="csv or jsonl; recovery: csv or xlsx")
    ] = ExportFormat.csv,
    output: Annotated[
        Path | None, typer.Option("--output", "--out", help="file to write (default: standard output)")
    ] = None,
    database: Annotated[str | None, typer.Option(help="database URL (default ARREARS_DATABASE_URL)")] = None,
    since: Annotated[
        str | None, typer.Option(help="from this instant, inclusive (ISO 8601; UTC if no offset)")
    ] = None,
    until: Annotated[
        str | None, typer.Option(help="before this instant (ISO 8601; UTC if no offset)")
    ] = None,
) -> None:
    """Export contact attempts (with gate decisions), outcomes or tasks; times in UTC and local time."""
    from arrears.cli.db_access import existing_engine
    from arrears.export import export

    if kind is ExportKind.recovery:
        from arrears.cli.commands_sheets import export_recovery

        export_recovery(fmt.value, output, database)
        return
    if fmt is ExportFormat.xlsx:
        typer.echo("error: --format: xlsx is for `arrears export recovery`; use csv or jsonl", err=True)
        raise typer.Exit(2)
    start, end = instant(since, "--since"), instant(until, "--until")
    with existing_engine(database or get_settings().database_url) as engine, ExitStack() as stack:
        out: TextIO = (
            stack.enter_context(output.open("w", encoding="utf-8", newline="")) if output else sys.stdout
        )
        # recovery and xlsx were handled above: what is left is what `export` takes
        what = cast('Literal["attempts", "outcomes", "tasks"]', kind.value)
        how = cast('Literal["csv", "jsonl"]', fmt.value)
        count = export(engine, what, out, fmt=how, since=start, until=end)
    typer.echo(f"{count} {kind.value} exported", err=True)


def mappings_command(
    show: Annotated[
        str | None, typer.Option(help="print this preset's YAML (a start for a mapping of your own)")
    ] = None,
) -> None:
    """List the mapping presets for exports of accounting systems (use with --mapping NAME)."""
    if show is not None:
        try:
            typer.echo(preset_text(show), nl=False)
        except MappingError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None
        return
    for name in preset_names():
        typer.echo(f"{name}: {load_mapping(name).description}")


def register(app: typer.Typer) -> None:
    importer = typer.Typer(help="Bring data in from the source system.", no_args_is_help=True)
    importer.command("invoices")(import_invoices_command)
    importer.command("mappings")(mappings_command)
    app.add_typer(importer, name="import")
    app.command("export")(export_command)
