"""Run a function over untrusted input in a forked child with a memory cap and a time limit, the way the
PDF renderer (``commitments.rendering``) renders letters through it too: reading an uploaded workbook is where a hostile
file (a zip bomb, a cell of hundreds of megabytes, an XML entity bomb) would exhaust the web worker's
memory. The child gets ``memory_mb`` more megabytes of address space than it starts with and ``timeout``
seconds; what it returns (or the exception it raises) comes back pickled through a pipe. The child never
touches the database: only the reading runs there, the writing stays in the caller's transaction.

Limits: ``settings.HKCOURT_IMPORT_MEMORY_MB`` (default 512) and ``HKCOURT_IMPORT_TIMEOUT`` (default 60 s).
"""

import gc
import os
import pickle
import resource
import select
import signal
import time

from django.conf import settings


class LimitExceeded(Exception):
    """The child ran out of memory or time, or died: ``reason`` is ``"memory"``, ``"time"`` or ``"crash"``."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def import_limits() -> tuple[int, float]:
    return (
        int(getattr(settings, "HKCOURT_IMPORT_MEMORY_MB", 512)),
        float(getattr(settings, "HKCOURT_IMPORT_TIMEOUT", 60)),
    )


def _child(write_fd, func, args, kwargs, memory_mb, timeout):  # pragma: no cover - runs in the child
    gc.disable()
    payload = None
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        with open("/proc/self/statm") as statm:
            current = int(statm.read().split()[0]) * resource.getpagesize()
        cap = current + memory_mb * 1024 * 1024
        if hard != resource.RLIM_INFINITY:
            cap = min(cap, hard)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
        signal.alarm(int(timeout) + 2)  # the parent kills us first
        payload = ("ok", func(*args, **kwargs))
    except MemoryError:
        payload = ("memory", None)
    except BaseException as exc:  # noqa: BLE001 - goes back to the parent
        payload = ("raise", exc)
    try:  # outside the except blocks: the failed work's memory is released by now
        try:
            data = pickle.dumps(payload)
        except MemoryError:
            data = pickle.dumps(("memory", None))
        except Exception as exc:  # noqa: BLE001 - an unpicklable result or exception
            data = pickle.dumps(("raise", RuntimeError(f"{type(exc).__name__}: {str(exc)[:200]}")))
        view = memoryview(data)
        while view:
            view = view[os.write(write_fd, view) :]
    finally:
        os._exit(0)


def run_capped(func, *args, memory_mb: int | None = None, timeout: float | None = None, **kwargs):
    """``func(*args, **kwargs)`` in a child limited to ``memory_mb`` more megabytes and ``timeout`` seconds.
    Returns its result or raises its exception; raises :class:`LimitExceeded` when a limit stopped it."""
    default_memory, default_timeout = import_limits()
    memory_mb = default_memory if memory_mb is None else memory_mb
    timeout = default_timeout if timeout is None else timeout
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child never returns
        os.close(read_fd)
        _child(write_fd, func, args, kwargs, memory_mb, timeout)
    os.close(write_fd)
    chunks, timed_out = [], False
    deadline = time.monotonic() + timeout
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                timed_out = True
                break
            ready, _, _ = select.select([read_fd], [], [], left)
            if not ready:
                continue
            chunk = os.read(read_fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(read_fd)
        if timed_out:
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    if timed_out:
        raise LimitExceeded("time")
    try:
        status, value = pickle.loads(b"".join(chunks))  # noqa: S301 - our own child's bytes
    except Exception as exc:  # noqa: BLE001 - killed (SIGKILL, SIGALRM, SIGSEGV) before it answered
        raise LimitExceeded("crash") from exc
    if status == "memory":
        raise LimitExceeded("memory")
    if status == "raise":
        raise value
    return value
