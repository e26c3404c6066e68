"""From documents to tagged passages: segment, score in batches, attach evidence."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Iterator

from .documents import Document
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


def _passages(documents: Iterable[Document], unit: str):
    for document in documents:
        for index, (start, end) in enumerate(segment(document.text, unit)):
            yield document, index, start, end


def classify_documents(documents: Iterable[Document], *, model: FrameModel | None = None,
                       method: str = "hybrid", unit: str = "paragraph",
                       batch_size: int = BATCH_SIZE) -> Iterator[PassageResult]:
    """Tag every passage of every document, in input order, streaming in batches."""
    check_method(method)
    model = model or load_model()
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
                   errors: list | None = None) -> Iterator[PassageResult]:
    """Read files (``-`` is standard input) and tag their passages.

    Unusable files or records go to ``errors`` (when given) and the rest is still processed;
    without ``errors`` the first problem raises :class:`~framing.errors.InputError`.
    """
    from .documents import read_documents

    check_method(method)
    model = model or load_model()  # load before reading: a bad model fails fast
    return classify_documents(read_documents(paths, errors=errors), model=model,
                              method=method, unit=unit)
