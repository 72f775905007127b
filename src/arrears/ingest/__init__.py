"""Invoice import from CSV and JSON lines: streamed, validated per row, stored in idempotent batches;
exports of accounting systems read through mapping files."""

from arrears.ingest.checks import AddressCheck, DeploymentChecks
from arrears.ingest.importer import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_SOURCE,
    ImportReport,
    detect_format,
    import_invoices,
)
from arrears.ingest.mapping import Mapping, MappingError, load_mapping, preset_names
from arrears.ingest.readers import ImportFileError
from arrears.ingest.rows import InvoiceRow, RowError

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "DEFAULT_SOURCE",
    "AddressCheck",
    "DeploymentChecks",
    "ImportFileError",
    "ImportReport",
    "InvoiceRow",
    "Mapping",
    "MappingError",
    "RowError",
    "detect_format",
    "import_invoices",
    "load_mapping",
    "preset_names",
]
