"""From documents to tagged passages, on one core, all cores or a cluster: the library
functions behind ``framing classify`` (and the Python API ``classify_texts``/``classify_files``)."""

from __future__ import annotations

from typing import Callable, Iterable, Iterator

from framing.io.documents import Document, documents_of, read_items
from framing.io.writers import dump_bytes
from framing.model.frame_model import FrameModel, check_method
from framing.model.storage import load_model
from framing.run.parallel import classify_parallel, usable_cores
from framing.run.serial import BATCH_SIZE, PassageResult, classify_serial

__all__ = ["PassageResult", "classify_documents", "classify_files", "classify_texts",
           "jsonl_bytes", "jsonl_line", "resolve_jobs"]


def jsonl_line(result: PassageResult) -> str:
    """The JSONL line of one result (rendered where it is computed, e.g. in a worker)."""
    return jsonl_bytes(result).decode("utf-8")


def jsonl_bytes(result: PassageResult) -> bytes:
    """:func:`jsonl_line` as UTF-8 bytes: what a worker sends back and the writer writes,
    with no decoding and encoding again in between."""
    return dump_bytes(result.to_dict()) + b"\n"


def classify_documents(documents: Iterable[Document], *, model: FrameModel | None = None,
                       method: str = "hybrid", unit: str = "paragraph",
                       batch_size: int = BATCH_SIZE, jobs: int | None = 1,
                       scheduler: str | None = None,
                       transform: Callable | None = None,
                       errors: list | None = None, titles: bool = False) -> Iterator:
    """Tag every passage of every document, in input order, streaming in batches.

    ``documents`` may also hold :func:`framing.io.documents.read_items`' unparsed records and
    input errors: records are parsed where they are classified, and each problem is appended
    to ``errors`` (or raised, without a list) in its place in the input order.

    ``jobs`` processes share the work (None or a value below 1: all cores; never more
    processes than the cores this process may use, :func:`usable_cores`), or the Dask
    cluster at ``scheduler`` does (see :mod:`framing.run.parallel`); either way the results are
    the same and in the same order as with ``jobs=1``, and input is read and results come
    out chunk by chunk, so memory stays flat. ``transform`` (a picklable top-level function)
    is applied to each :class:`PassageResult` where it is computed, e.g. to render output
    records in the workers; the iterator then yields what it returns. With ``titles``, each
    document's title (a JSONL record's ``title``) is tagged as its own passage, of kind
    "title", before the body (see :func:`framing.run.serial.classify_serial`).
    """
    check_method(method)
    model = model or load_model()
    jobs = min(resolve_jobs(jobs), usable_cores())
    if scheduler or jobs > 1:
        yield from classify_parallel(documents, model=model, method=method, unit=unit,
                                     titles=titles,
                                     batch_size=batch_size, jobs=jobs,
                                     scheduler=scheduler, transform=transform, errors=errors)
        return
    results = classify_serial(documents_of(documents, errors), model, method, unit,
                              batch_size, titles)
    yield from (map(transform, results) if transform else results)


def resolve_jobs(jobs: int | None) -> int:
    """``jobs`` of the library functions: None, 0 or negative mean every core this process
    may use. (The CLI refuses a negative ``--jobs``; either way the processes started are
    capped at :func:`usable_cores`.)"""
    if jobs is None or jobs < 1:
        return usable_cores()
    return int(jobs)


def classify_texts(texts: Iterable[str], *, model: FrameModel | None = None,
                   method: str = "hybrid", unit: str = "whole") -> list[PassageResult]:
    """Convenience for Python users: classify plain strings (each its own document).

    ``texts`` is a list (or any iterable) of strings; a bare string is refused with a
    TypeError rather than classified character by character: pass ``[text]`` for one text.
    """
    if isinstance(texts, (str, bytes, bytearray)):
        raise TypeError(f"classify_texts() takes an iterable of texts, not one "
                        f"{type(texts).__name__}; for one text pass [text]")
    documents = []
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"classify_texts(): text {i} is a {type(text).__name__}, "
                            "not a str")
        documents.append(Document(source="<text>", document_id=str(i), text=text))
    return list(classify_documents(documents, model=model, method=method, unit=unit))


def classify_files(paths: Iterable[str], *, model: FrameModel | None = None,
                   method: str = "hybrid", unit: str = "paragraph",
                   errors: list | None = None, jobs: int | None = 1,
                   scheduler: str | None = None,
                   transform: Callable | None = None,
                   titles: bool = False) -> Iterator[PassageResult]:
    """Read files (``-`` is standard input) and tag their passages.

    Unusable files or records go to ``errors`` (when given) and the rest is still processed;
    without ``errors`` the first problem raises :class:`~framing.errors.InputError`.
    """
    check_method(method)
    model = model or load_model()  # load before reading: a bad model fails fast
    return classify_documents(read_items(paths), model=model, method=method, unit=unit,
                              titles=titles,
                              jobs=jobs, scheduler=scheduler, transform=transform,
                              errors=errors)
