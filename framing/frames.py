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

#: One line per frame for coders (``framing annotate``), condensed from the codebook
#: (corpus/CODEBOOK.md, after shared/FRAMES.md): what a passage with the frame emphasises.
FRAME_DEFINITIONS: dict[str, str] = {
    "military_success": "a military action that worked or a side gaining: targets hit, "
                        "losses inflicted, ground taken or held, attacks repelled",
    "escalation": "the war intensifying, widening or more dangerous: record attacks, "
                  "retaliation, deep strikes, new weapons, threats, nuclear risk, offensives",
    "diplomacy": "the search for a negotiated end or humanitarian deals: talks, ceasefire or "
                 "peace proposals, prisoner and body exchanges, mediators, summits",
    "civilian_harm": "harm to civilians or civilian life: non-combatants killed or hurt, "
                     "strikes on homes, hospitals, schools, energy; displacement, fear",
}
