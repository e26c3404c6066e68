"""Tokens with character spans, normalised the one way the lexicon and the model share.

A token is a run of letters or digits (apostrophes inside a word kept, so "didn't" stays one
token; hyphens split, so "air-raid" and "air raid" are the same two tokens). Normalising case
folds, drops a possessive "'s" and stems with Snowball's English stemmer, so "destroyed" and
"destroying" both become "destroy".
"""

from __future__ import annotations

import re
import sys
from importlib.metadata import version
from typing import NamedTuple

import Stemmer

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


#: The stemmer, named in every model file: a model is only valid with the stems it was
#: trained on. Snowball's English stemmer (Porter2) as the Snowball project's C library
#: (PyStemmer); the same project's pure-Python build (snowballstemmer) is its reference in the
#: tests. Major versions of Snowball change a few stems ("evening", "added"), hence the pin.
STEMMER_NAME = f"snowball-english/pystemmer-{version('PyStemmer').split('.')[0]}"
_STEMMER = Stemmer.Stemmer("english")


def _normalise(word: str) -> str:
    return _STEMMER.stemWord(_POSSESSIVE.sub("", word.casefold()).replace("’", "'"))


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
