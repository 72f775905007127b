"""Invoice import from CSV and JSON lines: streamed, validated per row, stored in idempotent batches."""

from arrears.ingest.importer import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_SOURCE,
    ImportReport,
    detect_format,
    import_invoices,
)
from arrears.ingest.readers import ImportFileError
from arrears.ingest.rows import InvoiceRow, RowError

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "DEFAULT_SOURCE",
    "ImportFileError",
    "ImportReport",
    "InvoiceRow",
    "RowError",
    "detect_format",
    "import_invoices",
]
