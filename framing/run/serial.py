"""Tag passages in this process: segment each document, score the passages in batches,
attach evidence. Every way of classifying (one core, loky workers, Dask) runs this code."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Iterator

from framing.io.documents import Document
from framing.model.frame_model import FrameModel
from framing.text.segment import segment

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
    #: Set when titles are tagged too: "title" for a document's title (its span is within
    #: the title), else the passage unit. None otherwise, and then not in the record.
    kind: str | None = None

    def to_dict(self) -> dict:
        """Stable key order: the JSONL/JSON record."""
        record = {"source": self.source, "document_id": self.document_id,
                  "passage_index": self.passage_index}
        if self.kind is not None:
            record["kind"] = self.kind
        record.update({"start": self.start, "end": self.end, "text": self.text,
                       "frames": list(self.frames), "scores": dict(self.scores),
                       "evidence": self.evidence})
        if self.meta:
            record["meta"] = dict(sorted(self.meta.items()))
        return record


def _passages(documents: Iterable[Document], unit: str, titles: bool):
    """(document, passage index, start, end, kind, text) of every passage. With ``titles``, a
    document's title (``meta["title"]``, e.g. a JSONL record's) comes first, as passage 0 of
    kind "title", and the body's passages follow from 1."""
    for document in documents:
        first = 0
        if titles:
            title = document.meta.get("title", "").strip()
            if title:
                yield document, 0, 0, len(title), "title", title
            first = 1
        for index, (start, end) in enumerate(segment(document.text, unit), start=first):
            yield (document, index, start, end, unit if titles else None,
                   document.text[start:end])


def classify_serial(documents: Iterable[Document], model: FrameModel, method: str, unit: str,
                    batch_size: int = BATCH_SIZE, titles: bool = False
                    ) -> Iterator[PassageResult]:
    batch: list[tuple] = []

    def flush():
        predictions = model.predict([text for *_, text in batch], method)
        for (doc, index, start, end, kind, text), prediction in zip(batch, predictions):
            yield PassageResult(doc.source, doc.document_id, index, start, end, text,
                                prediction.frames, prediction.scores, prediction.evidence,
                                doc.meta, kind)
        batch.clear()

    for item in _passages(documents, unit, titles):
        batch.append(item)
        if len(batch) >= batch_size:
            yield from flush()
    if batch:
        yield from flush()
