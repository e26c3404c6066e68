"""The frame lexicon: its TSV format and data, and the matcher that finds cues with negation."""

from framing.lexicon.format import Lexicon, Match, Term

__all__ = ["Lexicon", "Match", "Term"]
