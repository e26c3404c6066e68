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


def classify_serial(documents: Iterable[Document], model: FrameModel, method: str, unit: str,
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
