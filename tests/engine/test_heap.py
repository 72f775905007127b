"""Worker heap settings: the start-up heap leaves the collector's way, and cycles are still collected."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from arrears.engine.heap import YOUNG_THRESHOLD, settle_heap


@pytest.fixture
def restored_gc() -> Iterator[None]:
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


@pytest.mark.usefixtures("restored_gc")
def test_settle_heap_freezes_start_up_objects_and_still_collects_cycles() -> None:
    gc.unfreeze()
    settle_heap()
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold()[0] == YOUNG_THRESHOLD

    class Node:
        def __init__(self) -> None:
            self.other: Node | None = None

    collected: list[str] = []
    first, second = Node(), Node()
    first.other, second.other = second, first
    weakref.finalize(first, collected.append, "first")
    del first, second
    gc.collect()
    assert collected == ["first"]
