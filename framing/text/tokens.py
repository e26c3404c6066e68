"""Tokens with character spans, normalised the one way the lexicon and the model share.

A token is a run of letters or digits (apostrophes inside a word kept, so "didn't" stays one
token; hyphens split, so "air-raid" and "air raid" are the same two tokens). Normalising case
folds, drops a possessive "'s" and stems with nltk's Snowball stemmer, so "destroyed" and
"destroying" both become "destroy".
"""

from __future__ import annotations

import re
import sys
from functools import lru_cache
from typing import NamedTuple

#: Possessive quantifiers (Python 3.11+) match exactly the same tokens without keeping
#: backtracking state, about a third faster on news text (tokenizing is a hot path).
_TOKEN = re.compile(r"[^\W_]++(?:['’][^\W_]++)*+" if sys.version_info >= (3, 11)
                    else r"[^\W_]+(?:['’][^\W_]+)*")
_POSSESSIVE = re.compile(r"['’]s$")
#: The token pattern with its match captured, so ``split`` returns gaps and tokens in turn.
TOKEN_SPLIT = re.compile(f"({_TOKEN.pattern})")


class Token(NamedTuple):
    stem: str
    start: int
    end: int


@lru_cache(maxsize=1)
def _stemmer():
    return _snowball_class()("english", ignore_stopwords=False)


def _snowball_class():
    """nltk's SnowballStemmer, without running ``nltk/__init__`` when nltk is not loaded yet.

    ``import nltk.stem.snowball`` executes nltk's package ``__init__``, which imports scipy,
    scikit-learn and most of nltk (over a second). The stemmer module itself needs only a few
    small nltk modules, so it is loaded under placeholder parent packages, which are then
    removed again: a later ``import nltk`` anywhere loads the real, complete package. Any
    surprise (another nltk layout) falls back to the plain import; both give the same class
    code and the same stems (tested).
    """
    import sys

    if "nltk" in sys.modules:
        from nltk.stem.snowball import SnowballStemmer

        return SnowballStemmer
    try:
        return _load_snowball_alone()
    except Exception:  # pragma: no cover - depends on the installed nltk's layout
        from nltk.stem.snowball import SnowballStemmer

        return SnowballStemmer


def _load_snowball_alone():
    import importlib
    import importlib.util
    import os
    import sys
    import types

    spec = importlib.util.find_spec("nltk")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("nltk is not installed")
    root = list(spec.submodule_search_locations)[0]
    before = set(sys.modules)

    def package(name, path):
        module = types.ModuleType(name)
        module.__path__ = [path]
        sys.modules[name] = module
        return module

    class _NoStopwords:  # only used with ignore_stopwords=True, which framing never asks for
        def words(self, *args, **kwargs):
            raise LookupError("stop words need the full nltk; import nltk first")

    try:
        package("nltk", root)
        package("nltk.stem", os.path.join(root, "stem"))
        corpus = package("nltk.corpus", os.path.join(root, "corpus"))
        corpus.stopwords = _NoStopwords()
        module = importlib.import_module("nltk.stem.snowball")
        return module.SnowballStemmer
    finally:
        for name in set(sys.modules) - before:
            if name == "nltk" or name.startswith("nltk."):
                del sys.modules[name]


def _normalise(word: str) -> str:
    word = _POSSESSIVE.sub("", word.casefold()).replace("’", "'")
    return _stemmer().stem(word)


#: Distinct words remembered by :func:`normalise_word` before its cache starts afresh.
STEM_CACHE_WORDS = 262_144


class _StemCache(dict):
    """word -> normalised word. A word seen before costs one dict lookup (``map`` over this
    dict's ``__getitem__`` stays in C), which matters at a million tokens a second."""

    def __missing__(self, word: str) -> str:
        if len(self) >= STEM_CACHE_WORDS:  # bounded memory on an endless stream of names
            self.clear()
        stem = self[word] = _normalise(word)
        return stem


_STEM_CACHE = _StemCache()
#: Case-fold, drop a possessive, unify apostrophes, and stem one word (cached).
normalise_word = _STEM_CACHE.__getitem__


def tokens(text: str) -> list[Token]:
    """Normalised tokens of ``text`` with their spans in it."""
    return [Token(normalise_word(m.group()), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def stems(text: str) -> list[str]:
    """Just the normalised tokens: the tokenizer the TF-IDF features use."""
    return list(map(normalise_word, _TOKEN.findall(text)))


def token_spans(text: str) -> list[tuple[int, int]]:
    """The ``(start, end)`` of every token, in the order of :func:`stems`."""
    return [m.span() for m in _TOKEN.finditer(text)]
