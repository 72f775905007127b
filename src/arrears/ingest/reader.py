"""The import's reading thread: read, validate and prepare the next batches while the caller's thread
writes the current one.

The database work (SQLite's C code, or the PostgreSQL server) runs without the GIL, so on two cores
reading and writing overlap. The database connection never leaves the thread that opened it (SQLite
objects refuse to be used from another thread, and callbacks stay on the caller's thread); batches
cross over through a queue of one, so at most three are alive: being read, waiting, being written.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import suppress
from types import TracebackType
from typing import Generic, TypeVar

from arrears.ingest.pipeline import Batch
from arrears.ingest.rows import InvoiceRow

T = TypeVar("T")
_END = object()
_POLL = 0.1  # seconds between checks of the stop flag while the queue is full


class BatchReader(Generic[T]):
    """Iterate (batch, prepare(batch.rows) or None) in file order; use as a context manager."""

    def __init__(self, batches: Iterator[Batch], prepare: Callable[[list[InvoiceRow]], T]) -> None:
        self._batches = batches
        self._prepare = prepare
        self._queue: queue.Queue[object] = queue.Queue(maxsize=1)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="arrears-import-reader", daemon=True)

    def __enter__(self) -> BatchReader[T]:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._stop.set()
        while self._thread.is_alive():
            with suppress(queue.Empty):
                self._queue.get(timeout=_POLL)  # unblock a reader waiting to hand over a batch
        self._thread.join()

    def __iter__(self) -> Iterator[tuple[Batch, T | None]]:
        while True:
            item = self._queue.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]

    def _run(self) -> None:
        try:
            for batch in self._batches:
                prepared = self._prepare(batch.rows) if batch.rows else None
                if not self._put((batch, prepared)):
                    return
                del batch, prepared  # else they stay alive while the next batch is read
            self._put(_END)
        except BaseException as exc:  # handed to the caller's thread, which raises it
            self._put(exc)

    def _put(self, item: object) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=_POLL)
                return True
            except queue.Full:
                pass
        return False
