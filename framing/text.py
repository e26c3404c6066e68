"""Tokens with character spans, normalised the one way the lexicon and the model share.

A token is a run of letters or digits (apostrophes inside a word kept, so "didn't" stays one
token; hyphens split, so "air-raid" and "air raid" are the same two tokens). Normalising case
folds, drops a possessive "'s" and stems with nltk's Snowball stemmer, so "destroyed" and
"destroying" both become "destroy".
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_POSSESSIVE = re.compile(r"['’]s$")


class Token(NamedTuple):
    stem: str
    start: int
    end: int


@lru_cache(maxsize=1)
def _stemmer():
    from nltk.stem.snowball import SnowballStemmer

    return SnowballStemmer("english", ignore_stopwords=False)


@lru_cache(maxsize=262_144)
def normalise_word(word: str) -> str:
    """Case-fold, drop a possessive, unify apostrophes, and stem one word."""
    word = _POSSESSIVE.sub("", word.casefold()).replace("’", "'")
    return _stemmer().stem(word)


def tokens(text: str) -> list[Token]:
    """Normalised tokens of ``text`` with their spans in it."""
    return [Token(normalise_word(m.group()), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def stems(text: str) -> list[str]:
    """Just the normalised tokens: the tokenizer the TF-IDF features use."""
    return [normalise_word(m.group()) for m in _TOKEN.finditer(text)]
