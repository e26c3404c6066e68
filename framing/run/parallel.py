"""Classification on all cores (joblib) or on a Dask cluster, in order and in flat memory.

The documents are cut into chunks of about :data:`CHUNK_CHARS` characters; each chunk is
segmented, scored and (with a ``transform``) rendered in a worker, and the chunks' results
come back in input order. Only a few chunks are in flight at a time (joblib's
``pre_dispatch``), so input is read as the workers need it and memory stays flat whatever
the corpus size. Input smaller than :data:`PARALLEL_MIN_CHARS` is classified in this
process: below it, starting the workers costs more than sharing the work saves (measured by
``benchmarks/jobs.py``), so a small input is never slower than with ``jobs=1``.

The model goes to the workers as pickled bytes of this process's own in-memory model (never
read from a file) and is unpickled once per worker, keyed by its digest.

``scheduler`` is the address of a Dask distributed scheduler (``tcp://host:8786``), or a
``dask.distributed.Client``; the chunks then run on its workers through joblib's ``dask``
backend (``pip install 'framing[dask]'``). The results are the same as on one core.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import pickle
import warnings
from typing import Callable, Iterable, Iterator

from framing.errors import InputError, UsageError
from framing.io.documents import Document, RawRecord, documents_of, report
from framing.run.serial import classify_serial

# A reader that stops early (``framing classify ... | head``) cancels the chunks in flight;
# that is expected, not worth joblib's warning.
warnings.filterwarnings("ignore", category=UserWarning,
                        message=r".*tasks (which were still being processed by the workers "
                                r"have been cancelled|have been successfully executed)")

#: Characters of text per chunk of work sent to a worker.
CHUNK_CHARS = 400_000
#: Characters of input (text of documents, whole lines of JSONL records) below which no
#: worker is started, whatever ``jobs`` says: ``jobs`` is how many workers at most, not at
#: least. Starting loky workers (processes, imports, the model unpickled in each) costs a
#: fixed time that only a large enough input wins back. Measured with ``benchmarks/jobs.py``
#: on the project's 2-core machine (JSONL of gold sentences, hybrid with evidence, the CLI,
#: best of 3 rounds), time with 2 workers / time with ``--jobs 1``: 1.89 at 577,060
#: characters (2,000 passages), 1.52 at 1.16 M, 1.17 at 2.30 M, 0.89 at 3.43 M, 0.94 at
#: 4.58 M, 0.83 at 6.87 M, 0.74 at 13.7 M. The break-even is about 3.0 M characters
#: (about 10,000 passages); the threshold sits a third above it, at 10 chunks, so that the
#: noise of a shared machine cannot make a small input slower than one process. Input is
#: read ahead up to this size (a few MB held) before the choice is made.
PARALLEL_MIN_CHARS = 10 * CHUNK_CHARS
#: Chunks in flight per worker (read ahead of the writer); bounds memory.
PREFETCH = 2
#: How long to wait for the Dask scheduler before giving up with one error line.
CONNECT_TIMEOUT = "30s"

#: How often a worker checks that the process that started it is still alive, in seconds.
PARENT_CHECK_SECONDS = 0.5

_WORKER_MODELS: dict[str, object] = {}


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def exit_with_parent(parent: int) -> None:
    """Worker initializer: end this worker as soon as ``parent`` (the process that started
    it) is gone, even if it was killed with SIGKILL and could not shut its workers down.

    A daemon thread polls the parent process id: when the parent dies, the worker is
    re-parented (to init or a subreaper) and exits at once. With the workers gone, the
    resource trackers, which only wait for their pipes to close, exit too.
    """
    import threading
    import time

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="framing-exit-with-parent", daemon=True).start()


def _size(item) -> int:
    """Characters of work in one input item (an unparsed record, a Document, an error)."""
    if type(item) is RawRecord:
        return len(item.line)
    return len(item.text) if isinstance(item, Document) else 0


def _chunks(items: Iterable, chunk_chars: int) -> Iterator[list]:
    chunk, size = [], 0
    for item in items:
        chunk.append(item)
        size += _size(item)
        if size >= chunk_chars:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def _pack(chunk: list) -> list:
    """A chunk in a form that pickles fast: each run of unparsed records from one file as
    ``(source, [line numbers], [lines])`` (lists of ints and strings pickle in C, named
    tuples one by one); Documents and errors as they are."""
    packed: list = []
    for item in chunk:
        if isinstance(item, RawRecord):
            last = packed[-1] if packed else None
            if not (type(last) is tuple and last[0] == item.source):
                last = (item.source, [], [])
                packed.append(last)
            last[1].append(item.line_no)
            last[2].append(item.line)
        else:
            packed.append(item)
    return packed


def _unpack(packed: list) -> Iterator:
    """The items of :func:`_pack`'s chunk, in order."""

    for entry in packed:
        if type(entry) is tuple:
            source, line_numbers, lines = entry
            yield from map(RawRecord, [source] * len(lines), line_numbers, lines)
        else:
            yield entry


def _model_in_worker(digest: str, payload: bytes):
    model = _WORKER_MODELS.get(digest)
    if model is None:
        model = pickle.loads(payload)  # our own model, pickled by the parent process
        _WORKER_MODELS.clear()
        _WORKER_MODELS[digest] = model
    return model


def classify_chunk(digest: str, payload: bytes, items: list, method: str, unit: str,
                   batch_size: int, transform: Callable | None, titles: bool = False) -> list:
    """One chunk (:func:`_pack`), in a worker: the same code path as ``jobs=1``. Unparsed
    records are parsed here; each input problem comes back as its InputError, in its place
    among the results."""

    model = _model_in_worker(digest, payload)
    outputs: list = []
    run: list = []

    def classify_run():
        results = classify_serial(run, model, method, unit, batch_size, titles)
        outputs.extend(map(transform, results) if transform else results)
        run.clear()

    for item in _unpack(items):
        if isinstance(item, RawRecord):
            try:
                item = item.document()
            except InputError as exc:
                item = exc
        if isinstance(item, InputError):
            classify_run()
            outputs.append(item)
        else:
            run.append(item)
    classify_run()
    return outputs


def classify_parallel(items: Iterable, *, model, method: str, unit: str, batch_size: int,
                      jobs: int, scheduler=None, transform: Callable | None = None,
                      chunk_chars: int | None = None, errors: list | None = None,
                      titles: bool = False) -> Iterator:
    """Documents, or :func:`framing.io.documents.read_items`' items (then the workers parse the
    records), classified in chunks; input problems are reported (``errors``, or raised) in
    input order, as with one job."""

    chunks = _chunks(items, chunk_chars or CHUNK_CHARS)
    # a cluster takes even one chunk; else read ahead until the input is worth the workers
    minimum = 0 if scheduler is not None else PARALLEL_MIN_CHARS
    ahead: list = []
    size = 0
    for chunk in chunks:
        ahead.append(chunk)
        size += sum(map(_size, chunk))
        if size >= minimum and (len(ahead) >= 2 or scheduler is not None):
            break
    else:  # the whole input is read, and too small: no workers needed
        results = classify_serial(documents_of(itertools.chain.from_iterable(ahead), errors),
                                  model, method, unit, batch_size, titles)
        yield from (map(transform, results) if transform else results)
        return

    from joblib import Parallel, delayed

    payload = pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)
    digest = hashlib.sha256(payload).hexdigest()
    pending = itertools.chain(ahead, chunks)
    tasks = (delayed(classify_chunk)(digest, payload, _pack(chunk), method, unit, batch_size,
                                     transform, titles) for chunk in pending)
    with _backend(scheduler) as n_jobs:
        n_jobs = n_jobs or min(jobs, usable_cores())  # never more workers than cores
        parallel = Parallel(n_jobs=n_jobs, return_as="generator", batch_size=1,
                            pre_dispatch=f"{PREFETCH}*n_jobs" if n_jobs > 0 else "2*n_jobs")
        for outputs in parallel(tasks):
            for output in outputs:
                if isinstance(output, InputError):
                    report(output, errors)
                else:
                    yield output


class dask_client:
    """The ``dask.distributed.Client`` of ``scheduler`` (an address, or a Client, used as it
    is); one UsageError line when Dask is missing or the scheduler cannot be reached. A
    client made here is closed on leaving."""

    def __init__(self, scheduler):
        self.scheduler = scheduler
        self.client = None

    def __enter__(self):
        try:
            from dask.distributed import Client
        except ImportError:
            raise UsageError("--scheduler needs Dask: pip install 'framing[dask]'") from None
        if isinstance(self.scheduler, Client):
            return self.scheduler
        try:
            self.client = Client(self.scheduler, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError, ValueError) as exc:
            raise UsageError(f"--scheduler {self.scheduler}: cannot connect ({exc})") from None
        return self.client

    def __exit__(self, *exc_info):
        if self.client is not None:
            self.client.close()
        return False


class _backend:
    """joblib's default (loky processes), or its dask backend on a Dask cluster."""

    def __init__(self, scheduler):
        self.scheduler = scheduler
        self.connection = self.config = None

    def __enter__(self):
        import joblib

        if self.scheduler is None:
            # loky worker processes that end with this process, however it ends
            self.config = joblib.parallel_config(backend="loky", initializer=exit_with_parent,
                                                 initargs=(os.getpid(),))
            self.config.__enter__()
            return None
        self.connection = dask_client(self.scheduler)
        client = self.connection.__enter__()
        self.config = joblib.parallel_config(backend="dask", client=client)
        self.config.__enter__()
        return -1

    def __exit__(self, *exc_info):
        if self.config is not None:
            self.config.__exit__(*exc_info)
        if self.connection is not None:
            self.connection.__exit__(*exc_info)
        return False
