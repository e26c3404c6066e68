"""The four frame labels, in the one order used everywhere (columns, outputs, reports)."""

FRAMES: tuple[str, ...] = ("military_success", "escalation", "diplomacy", "civilian_harm")
#: How a passage is tagged: lexicon cues, the TF-IDF model, or the model over both (default).
METHODS: tuple[str, ...] = ("hybrid", "lexicon", "model")


def sort_frames(frames) -> list[str]:
    """Return ``frames`` deduplicated and in :data:`FRAMES` order; reject unknown names."""
    unknown = set(frames) - set(FRAMES)
    if unknown:
        raise ValueError(f"unknown frame(s): {', '.join(sorted(unknown))}; "
                         f"expected some of {', '.join(FRAMES)}")
    return [frame for frame in FRAMES if frame in set(frames)]
