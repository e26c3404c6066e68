"""scikit-learn transformers that turn passages into features.

:class:`LexiconFeatures` makes the lexicon a transformer whose columns are named cues, so it
composes in any scikit-learn Pipeline or FeatureUnion (for instance
``make_union(LexiconFeatures(), text_vectorizer())`` for a researcher's own classifier), and
evidence is a lookup of the non-zero named columns. :func:`text_vectorizer` is the TF-IDF the
shipped model uses.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.utils.validation import check_is_fitted

from framing.frames import FRAMES
from framing.lexicon import Lexicon
from framing.text.tokens import stems


def squash(score: float) -> float:
    """Signed log scaling, so that ten weak cues do not outweigh the TF-IDF block."""
    return math.copysign(math.log1p(abs(score)), score)


class LexiconFeatures(TransformerMixin, BaseEstimator):
    """Lexicon cues as features: one score column per frame, then one column per term.

    Parameters
    ----------
    lexicon_text : str or None
        Lexicon TSV content; None uses the shipped lexicon. Text rather than a path, so that a
        fitted model carries exactly the lexicon it was trained with.
    term_columns : bool
        Also emit a 0/1 column per term (named ``lex:<frame>:<term>``).

    Attributes
    ----------
    lexicon_ : Lexicon
    feature_names_ : ndarray of str
    """

    def __init__(self, lexicon_text=None, term_columns=True):
        self.lexicon_text = lexicon_text
        self.term_columns = term_columns

    def fit(self, X=None, y=None):
        self.lexicon_ = (Lexicon.load() if self.lexicon_text is None
                         else Lexicon.from_text(self.lexicon_text, "<model lexicon>"))
        names = [f"lex_score:{frame}" for frame in FRAMES]
        self.term_index_ = {}
        if self.term_columns:
            for term in self.lexicon_.terms:
                key = (term.frame, term.text)
                self.term_index_[key] = len(names)
                names.append(f"lex:{term.frame}:{term.text}")
        self.feature_names_ = np.asarray(names, dtype=object)
        return self

    def transform(self, X):
        check_is_fitted(self, "lexicon_")
        rows, cols, values = [], [], []
        for row, text in enumerate(X):
            matches = self.lexicon_.match(text)
            totals = Lexicon.frame_scores(matches)
            for col, frame in enumerate(FRAMES):
                value = squash(totals[frame])
                if value:
                    rows.append(row), cols.append(col), values.append(value)
            seen = set()
            for m in matches:
                col = self.term_index_.get((m.frame, m.term))
                if col is not None and not m.negated and col not in seen:
                    seen.add(col)
                    rows.append(row), cols.append(col), values.append(1.0)
        return sparse.csr_matrix((values, (rows, cols)),
                                 shape=(_length(X), len(self.feature_names_)))

    def get_feature_names_out(self, input_features=None):
        check_is_fitted(self, "lexicon_")
        return self.feature_names_.copy()


def _length(X) -> int:
    return X.shape[0] if hasattr(X, "shape") else len(X)


def text_vectorizer(min_df: int = 2, ngram_max: int = 1) -> TfidfVectorizer:
    """Word n-grams over normalised (stemmed) tokens, sublinear TF-IDF."""
    return TfidfVectorizer(tokenizer=stems, token_pattern=None, lowercase=False,
                           ngram_range=(1, ngram_max), min_df=min_df, sublinear_tf=True,
                           dtype=np.float64)
