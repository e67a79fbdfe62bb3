"""A gate that keeps at most N requests in flight to one LLM server: its parallel slots.

llama.cpp's server started with ``-np N`` answers N requests side by side; a request
beyond N waits in the server's queue, where it holds a connection and a timeout but no
slot. :class:`SlotGate` keeps that wait on our side: every HTTP exchange with the
endpoint (each attempt, re-asks and transport retries included, never the backoff
sleeps between them) takes a slot first and gives it back when its answer is read.

One gate serves every client of one server (:func:`gate_for`, keyed by base URL), so
many articles at once, each a pipeline that asks several questions per round, and
several :class:`~summarizer.llm.client.LLM` objects (a digest makes one per article)
together never exceed N. The gate is shared by threads and by event loops (the
synchronous and asynchronous clients, :func:`summarizer.batch.runner.summarize_many`'s
loop on a worker thread): a waiting thread blocks, a waiting coroutine awaits a future
of its own loop, and a freed slot passes to the longest waiter (first come, first served).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections import deque
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field

__all__ = ["SlotGate", "gate_for"]


@dataclass(eq=False)
class _Waiter:
    """One thread or coroutine waiting for a slot; ``handed`` once it has one."""

    event: threading.Event | None = None
    loop: asyncio.AbstractEventLoop | None = None
    future: asyncio.Future[None] | None = None
    handed: bool = field(default=False)


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class SlotGate:
    """At most ``slots`` holders at once, across threads and event loops.

    ``with gate.slot():`` blocks a thread; ``async with gate.aslot():`` awaits. The
    counters ``busy`` (holders now) and ``peak`` (the most there ever were) are for
    reports and tests.
    """

    def __init__(self, slots: int) -> None:
        if slots < 1:
            raise ValueError(f"a slot gate needs at least 1 slot, not {slots}")
        self.slots = slots
        self.busy = 0
        self.peak = 0
        self._lock = threading.Lock()
        self._waiting: deque[_Waiter] = deque()

    def __repr__(self) -> str:
        return f"SlotGate(slots={self.slots}, busy={self.busy}, waiting={len(self._waiting)})"

    # --- taking and giving back (the lock held by the caller) ------------------------
    def _take_now(self) -> bool:
        if self.busy < self.slots and not self._waiting:
            self.busy += 1
            self.peak = max(self.peak, self.busy)
            return True
        return False

    def _release(self) -> None:
        """Give a slot back: to the longest waiter if there is one, else free it."""
        with self._lock:
            while self._waiting:
                waiter = self._waiting.popleft()
                waiter.handed = True  # the slot passes on: ``busy`` stays as it is
                if waiter.event is not None:
                    waiter.event.set()
                    return
                assert waiter.loop is not None and waiter.future is not None
                try:
                    waiter.loop.call_soon_threadsafe(_wake, waiter.future)
                except RuntimeError:  # its loop is closed: nobody to hand it to
                    continue
                return
            self.busy -= 1

    # --- the two ways in ----------------------------------------------------------
    @contextlib.contextmanager
    def slot(self) -> Iterator[None]:
        """Hold a slot for the body of the ``with`` (blocks this thread until one is free)."""
        with self._lock:
            waiter = None if self._take_now() else _Waiter(event=threading.Event())
            if waiter is not None:
                self._waiting.append(waiter)
        if waiter is not None:
            assert waiter.event is not None
            waiter.event.wait()
        try:
            yield
        finally:
            self._release()

    @contextlib.asynccontextmanager
    async def aslot(self) -> AsyncIterator[None]:
        """Hold a slot for the body of the ``async with`` (awaits one; cancellable)."""
        loop = asyncio.get_running_loop()
        with self._lock:
            waiter = None
            if not self._take_now():
                waiter = _Waiter(loop=loop, future=loop.create_future())
                self._waiting.append(waiter)
        if waiter is not None:
            assert waiter.future is not None
            try:
                await waiter.future
            except asyncio.CancelledError:
                with self._lock:
                    handed = waiter.handed
                    if not handed:
                        self._waiting.remove(waiter)
                if handed:  # cancelled just as the slot arrived: pass it on
                    self._release()
                raise
        try:
            yield
        finally:
            self._release()


_gates: dict[str, SlotGate] = {}
_gates_lock = threading.Lock()


def gate_for(base_url: str, slots: int) -> SlotGate:
    """The process-wide gate of the server at ``base_url`` with ``slots`` slots: every
    client of that server shares it. A server restarted with another N on the same
    URL gets a new gate (clients that hold the old one keep it)."""
    key = base_url.rstrip("/")
    with _gates_lock:
        gate = _gates.get(key)
        if gate is None or gate.slots != slots:
            gate = _gates[key] = SlotGate(slots)
        return gate
