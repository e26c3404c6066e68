"""From documents to tagged passages: segment, score in batches, attach evidence."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

from .documents import Document, documents_of
from .model import FrameModel, check_method, load_model
from .segment import segment

#: Passages scored together; large enough for vectorised scoring, small enough that the first
#: results appear quickly and memory stays flat on big inputs.
BATCH_SIZE = 256


@dataclass
class PassageResult:
    """One passage of one document with its frames, scores and evidence."""

    source: str
    document_id: str
    passage_index: int
    start: int
    end: int
    text: str
    frames: list[str]
    scores: dict[str, float]
    evidence: dict
    meta: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """Stable key order: the JSONL/JSON record."""
        record = {"source": self.source, "document_id": self.document_id,
                  "passage_index": self.passage_index, "start": self.start, "end": self.end,
                  "text": self.text, "frames": list(self.frames), "scores": dict(self.scores),
                  "evidence": self.evidence}
        if self.meta:
            record["meta"] = dict(sorted(self.meta.items()))
        return record


def jsonl_line(result: PassageResult) -> str:
    """The JSONL line of one result (rendered where it is computed, e.g. in a worker)."""
    return jsonl_bytes(result).decode("utf-8")


def jsonl_bytes(result: PassageResult) -> bytes:
    """:func:`jsonl_line` as UTF-8 bytes: what a worker sends back and the writer writes,
    with no decoding and encoding again in between."""
    from .writers import dump_bytes

    return dump_bytes(result.to_dict()) + b"\n"


def _passages(documents: Iterable[Document], unit: str):
    for document in documents:
        for index, (start, end) in enumerate(segment(document.text, unit)):
            yield document, index, start, end


def classify_documents(documents: Iterable[Document], *, model: FrameModel | None = None,
                       method: str = "hybrid", unit: str = "paragraph",
                       batch_size: int = BATCH_SIZE, jobs: int | None = 1,
                       scheduler: str | None = None,
                       transform: Callable | None = None,
                       errors: list | None = None) -> Iterator:
    """Tag every passage of every document, in input order, streaming in batches.

    ``documents`` may also hold :func:`framing.documents.read_items`' unparsed records and
    input errors: records are parsed where they are classified, and each problem is appended
    to ``errors`` (or raised, without a list) in its place in the input order.

    ``jobs`` processes share the work (None or a value below 1: all cores), or the Dask
    cluster at ``scheduler`` does (see :mod:`framing.parallel`); either way the results are
    the same and in the same order as with ``jobs=1``, and input is read and results come
    out chunk by chunk, so memory stays flat. ``transform`` (a picklable top-level function)
    is applied to each :class:`PassageResult` where it is computed, e.g. to render output
    records in the workers; the iterator then yields what it returns.
    """
    check_method(method)
    model = model or load_model()
    if scheduler or resolve_jobs(jobs) > 1:
        from .parallel import classify_parallel

        yield from classify_parallel(documents, model=model, method=method, unit=unit,
                                     batch_size=batch_size, jobs=resolve_jobs(jobs),
                                     scheduler=scheduler, transform=transform, errors=errors)
        return
    results = _classify_serial(documents_of(documents, errors), model, method, unit,
                               batch_size)
    yield from (map(transform, results) if transform else results)


def resolve_jobs(jobs: int | None) -> int:
    """``--jobs``: None, 0 or negative mean every core this process may use."""
    import os

    if jobs is None or jobs < 1:
        try:
            return max(1, len(os.sched_getaffinity(0)))
        except AttributeError:  # pragma: no cover - not on Linux
            return max(1, os.cpu_count() or 1)
    return int(jobs)


def _classify_serial(documents: Iterable[Document], model: FrameModel, method: str, unit: str,
                     batch_size: int = BATCH_SIZE) -> Iterator[PassageResult]:
    batch: list[tuple] = []

    def flush():
        predictions = model.predict([doc.text[s:e] for doc, _, s, e in batch], method)
        for (doc, index, start, end), prediction in zip(batch, predictions):
            yield PassageResult(doc.source, doc.document_id, index, start, end,
                                doc.text[start:end], prediction.frames, prediction.scores,
                                prediction.evidence, doc.meta)
        batch.clear()

    for item in _passages(documents, unit):
        batch.append(item)
        if len(batch) >= batch_size:
            yield from flush()
    if batch:
        yield from flush()


def classify_texts(texts: Iterable[str], *, model: FrameModel | None = None,
                   method: str = "hybrid", unit: str = "whole") -> list[PassageResult]:
    """Convenience for Python users: classify plain strings (each its own document)."""
    documents = [Document(source="<text>", document_id=str(i), text=t) for i, t in enumerate(texts)]
    return list(classify_documents(documents, model=model, method=method, unit=unit))


def classify_files(paths: Iterable[str], *, model: FrameModel | None = None,
                   method: str = "hybrid", unit: str = "paragraph",
                   errors: list | None = None, jobs: int | None = 1,
                   scheduler: str | None = None,
                   transform: Callable | None = None) -> Iterator[PassageResult]:
    """Read files (``-`` is standard input) and tag their passages.

    Unusable files or records go to ``errors`` (when given) and the rest is still processed;
    without ``errors`` the first problem raises :class:`~framing.errors.InputError`.
    """
    from .documents import read_items

    check_method(method)
    model = model or load_model()  # load before reading: a bad model fails fast
    return classify_documents(read_items(paths), model=model, method=method, unit=unit,
                              jobs=jobs, scheduler=scheduler, transform=transform,
                              errors=errors)
