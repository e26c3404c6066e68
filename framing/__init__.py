"""framing: tag news passages with the war frames they make salient, and compare outlets.

The public API is imported lazily, so ``import framing`` (and the CLI's start-up) stays fast::

    from framing import classify_texts
    for passage in classify_texts(["Air defences shot down 40 drones overnight."]):
        print(passage.frames, passage.scores)
"""

__version__ = "0.1.0"

_EXPORTS = {
    "FRAMES": "framing.frames",
    "METHODS": "framing.frames",
    "Document": "framing.io.documents",
    "read_documents": "framing.io.documents",
    "read_items": "framing.io.documents",
    "segment": "framing.text.segment",
    "Lexicon": "framing.lexicon",
    "FrameModel": "framing.model.frame_model",
    "load_model": "framing.model.storage",
    "PassageResult": "framing.run.classify",
    "classify_documents": "framing.run.classify",
    "classify_files": "framing.run.classify",
    "classify_texts": "framing.run.classify",
    "load_labelled": "framing.io.labelled",
    "cross_validate": "framing.training.evaluate",
    "score_labelled": "framing.training.evaluate",
    "train_model": "framing.training.train",
    "compare": "framing.comparison.api",
    "compare_passages": "framing.comparison.api",
    "ComparisonResult": "framing.comparison.result",
    "sample": "framing.comparison.sampling",
    "read_sheet": "framing.io.sheets",
    "write_sheet": "framing.io.sheets",
    "load_corpus": "framing.io.corpus",
    "FramingError": "framing.errors",
    "InputError": "framing.errors",
    "ModelError": "framing.errors",
}

__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name):
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'framing' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value
