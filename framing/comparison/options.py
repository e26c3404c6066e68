"""The options of a comparison: their defaults, and the check that refuses nonsense values.

Standard library only: the CLI imports the defaults at start-up.
"""

from __future__ import annotations

from framing.errors import UsageError

#: ``--pairs``: ``auto`` picks the pairs by what the groups are (see comparison/pairs.py).
PAIRS_CHOICES = ("auto", "all")
#: ``--adjust``: adjusted shares from the model card's error rates (comparison/validation.py).
ADJUSTMENTS = ("model-card",)
DEFAULT_SEED = 20250602
DEFAULT_RESAMPLES = 2000
DEFAULT_CONFIDENCE = 0.95
DEFAULT_TOP_TERMS = 10
DEFAULT_TOP_QUOTES = 3
#: Multiplier on the corpus term counts that form the Dirichlet prior of the log-odds.
DEFAULT_PRIOR_SCALE = 1.0
#: Passages below which a group is flagged as small (see framing.comparison.checks).
DEFAULT_MIN_GROUP_SIZE = 30


def check_options(*, confidence, bootstrap, permutations, top_terms, top_quotes, prior_scale,
                  baseline, fail_on_shift, fail_on_divergence) -> None:
    """Refuse option values that make no sense, with the option's name."""
    if not 0.5 <= confidence < 1.0:
        raise UsageError(f"confidence must be at least 0.5 and below 1, got {confidence}")
    for name, value in (("--bootstrap", bootstrap), ("--permutations", permutations),
                        ("top_terms", top_terms), ("top_quotes", top_quotes)):
        if not isinstance(value, int) or value < 0:
            raise UsageError(f"{name} must be a whole number >= 0, got {value!r}")
    if prior_scale <= 0:
        raise UsageError(f"prior_scale must be positive, got {prior_scale}")
    for name, value in (("--fail-on-shift", fail_on_shift),
                        ("--fail-on-divergence", fail_on_divergence)):
        if value is not None and not 0.0 <= value <= 1.0:
            raise UsageError(f"{name} must be between 0 and 1, got {value}")
    if fail_on_shift is not None and baseline is None:
        raise UsageError("--fail-on-shift needs --baseline: a shift is measured against a "
                         "previous JSON report (framing compare ... --format json)")


def check_group_options(*, min_group_size) -> None:
    """Refuse a minimum group size that is not a whole number >= 0."""
    if isinstance(min_group_size, bool) or not isinstance(min_group_size, int) \
            or min_group_size < 0:
        raise UsageError(f"--min-group-size must be a whole number >= 0, got {min_group_size!r}")


def check_choices(*, pairs, adjust) -> None:
    """Refuse a ``pairs`` or ``adjust`` value the comparison does not know."""
    if pairs not in PAIRS_CHOICES:
        raise UsageError(f"--pairs must be one of {', '.join(PAIRS_CHOICES)}, got {pairs!r}")
    if adjust is not None and adjust not in ADJUSTMENTS:
        raise UsageError(f"unknown --adjust {adjust!r}; expected {', '.join(ADJUSTMENTS)}")
