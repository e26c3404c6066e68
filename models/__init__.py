"""Trained framing models shipped with the package (installed as ``framing_models``).

Each folder holds ``model.json`` (vocabulary, lexicon, thresholds, card), ``model.npz``
(numeric arrays, loaded without pickle) and ``card.json`` / ``MODEL_CARD.md``.
"""
