"""``framing compare --scheduler``: classify and accumulate on a Dask cluster, merge on the
client.

The corpus's groups are spread over partitions (about :data:`PARTITIONS_PER_THREAD` for each
worker thread; a new group goes to the partition with the fewest characters so far), so every
group lies in one partition. The client reads the articles in corpus order and sends each
partition its articles in chunks of about :data:`~framing.run.parallel.CHUNK_CHARS`
characters; a chunk is classified on a worker (the code of ``--jobs 1``,
:func:`~framing.run.parallel.classify_chunk`) and its passages are added to the partition's
:class:`~framing.comparison.accumulate.Accumulator`, which stays on the cluster and is handed
from one chunk of the partition to the next (tasks chained in corpus order). Only the
partitions' accumulators come back (counts, bounded term counts and quotes, never the
passages), and :meth:`Accumulator.merge` combines them. Since a group's passages meet one
accumulator in corpus order, its duplicates, ``--dedupe`` and the ties between its quotes are
decided as in one process, and each article keeps its place in the corpus: the report is that
of ``--jobs 1``. Only a few chunks are in flight at a time, so the client's memory stays flat.
"""

from __future__ import annotations

import hashlib
import pickle
from dataclasses import dataclass
from typing import Iterable

from framing.io.corpus import group_value
from framing.io.documents import Document
import framing.run.parallel as parallel
from framing.run.parallel import PREFETCH, classify_chunk, dask_client
from framing.run.serial import BATCH_SIZE

#: Partitions per worker thread: more than one, so a large group does not leave a thread idle
#: while its partition's chunks run one after another.
PARTITIONS_PER_THREAD = 2


def accumulate_chunk(previous, template, digest: str, payload: bytes, documents: list,
                     orders: list, method: str, unit: str, batch_size: int):
    """On a worker: classify one chunk of a partition and add its passages to the
    partition's accumulator (``previous``, or a new one like ``template``)."""
    acc = previous if previous is not None else template.spawn()
    place = {(doc.source, doc.document_id): order for doc, order in zip(documents, orders)}
    for result in classify_chunk(digest, payload, documents, method, unit, batch_size, None):
        if isinstance(result, Exception):
            raise result
        acc.add(result, place[(result.source, result.document_id)])
    return acc


@dataclass
class ClusterPassages:
    """The passages of ``documents`` as classified on the cluster at ``scheduler``; what
    :func:`~framing.comparison.api.compare_passages` takes instead of passages (it calls
    :meth:`accumulate_into`)."""

    documents: Iterable[Document]
    model: object
    method: str
    unit: str
    scheduler: object
    chunk_chars: int | None = None  # None: framing.run.parallel.CHUNK_CHARS

    def accumulate_into(self, acc) -> None:
        with dask_client(self.scheduler) as client:
            parts = self._run(client, acc)
        for part in parts:
            acc.merge(part)

    def _run(self, client, acc) -> list:
        from dask.distributed import wait

        threads = max(1, sum(client.nthreads().values()))
        count = PARTITIONS_PER_THREAD * threads
        payload = pickle.dumps(self.model, protocol=pickle.HIGHEST_PROTOCOL)
        digest = hashlib.sha256(payload).hexdigest()
        shared = client.scatter(payload, broadcast=True, hash=False)
        template = acc.spawn()
        assigned: dict = {}
        load = [0] * count
        heads: list = [None] * count
        buffers: list = [([], [], [0]) for _ in range(count)]
        in_flight: list = []
        limit = self.chunk_chars or parallel.CHUNK_CHARS

        def submit(p: int) -> None:
            documents, orders, size = buffers[p]
            heads[p] = client.submit(accumulate_chunk, heads[p],
                                     template if heads[p] is None else None, digest, shared,
                                     list(documents), list(orders), self.method, self.unit,
                                     BATCH_SIZE, pure=False)
            in_flight.append(heads[p])
            buffers[p] = ([], [], [0])
            while len(in_flight) > PREFETCH * threads:
                wait(in_flight, return_when="FIRST_COMPLETED")
                for future in [f for f in in_flight if f.done()]:
                    in_flight.remove(future)
                    if future.status == "error":
                        future.result()  # raises the worker's error here

        for order, document in enumerate(self.documents):
            try:
                group = group_value(document.meta, acc.field_name, acc.period)
            except ValueError:
                group = ""  # the accumulator reports it
            p = assigned.get(group)
            if p is None:
                p = assigned[group] = min(range(count), key=lambda k: (load[k], k))
            load[p] += len(document.text)
            documents, orders, size = buffers[p]
            documents.append(document)
            orders.append(order)
            size[0] += len(document.text)
            if size[0] >= limit:
                submit(p)
        for p in range(count):
            if buffers[p][0]:
                submit(p)
        return client.gather([head for head in heads if head is not None])
