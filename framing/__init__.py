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
    "Document": "framing.documents",
    "read_documents": "framing.documents",
    "read_items": "framing.documents",
    "segment": "framing.segment",
    "Lexicon": "framing.lexicon",
    "FrameModel": "framing.model",
    "load_model": "framing.model",
    "PassageResult": "framing.classify",
    "classify_documents": "framing.classify",
    "classify_files": "framing.classify",
    "classify_texts": "framing.classify",
    "load_labelled": "framing.gold",
    "cross_validate": "framing.evaluate",
    "score_labelled": "framing.evaluate",
    "train_model": "framing.train",
    "compare": "framing.comparison",
    "compare_passages": "framing.comparison",
    "ComparisonResult": "framing.comparison",
    "load_corpus": "framing.corpus",
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
