"""Exact duplicates of passages: one normal form per text, and a short digest of it.

Two passages are duplicates when their normal forms are equal. The normal form
(:func:`normalise`) is the text

- in Unicode compatibility form (NFKC: full-width letters, ligatures and non-breaking spaces
  become their plain forms),
- case-folded (``str.casefold``: "Kyiv" and "KYIV" are one),
- with every run of whitespace made one space,
- without punctuation or symbols at either end (Unicode categories P* and S*: quotes,
  full stops, dashes, bullets, "—"), so a headline with and without its closing full stop,
  or in quotation marks, is one.

Nothing else is changed: inner punctuation, digits and word order count, so this finds
passages repeated word for word (syndicated copy, repeated headlines, boilerplate), not
paraphrases. :func:`digest` keeps 8 bytes of BLAKE2b of the normal form: what a comparison
stores per passage instead of its text (a chance collision between two different passages
has a probability of about n² / 2⁶⁵ for n passages: below one in a million up to 6 million
passages of one group).
"""

from __future__ import annotations

import hashlib
import unicodedata

#: Bytes of the BLAKE2b digest kept per passage.
DIGEST_BYTES = 8


def _is_edge(ch: str) -> bool:
    """Whitespace, punctuation or a symbol: stripped from both ends of the normal form."""
    return ch.isspace() or unicodedata.category(ch)[0] in "PS"


def normalise(text: str) -> str:
    """The normal form of a passage: NFKC, case-folded, whitespace runs as one space, no
    punctuation or symbols at either end (see the module's docstring)."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    folded = " ".join(folded.split())
    start, end = 0, len(folded)
    while start < end and _is_edge(folded[start]):
        start += 1
    while end > start and _is_edge(folded[end - 1]):
        end -= 1
    return folded[start:end]


def digest(text: str) -> bytes:
    """:data:`DIGEST_BYTES` bytes of BLAKE2b of the passage's normal form."""
    return hashlib.blake2b(normalise(text).encode("utf-8", "surrogatepass"),
                           digest_size=DIGEST_BYTES).digest()
