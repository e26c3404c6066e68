"""Charts of a comparison, drawn with matplotlib (Agg) and returned as SVG text.

Three charts: the frame mix of each group (100% stacked bars), each frame's share of passages
per group with its interval as whiskers, and the Jensen-Shannon divergence heat map. Every
group's label carries its count (frame tags for the mix and the heat map, passages for the
shares) and the † of a small group, so a bar of 5 tags is not read like one of 2,500. The SVG
is byte-identical across runs: fixed hash salt, no date metadata, text kept as text
(``svg.fonttype = none``) and no mathtext, so a group called ``$x$`` is drawn as written.
Labels from the corpus are escaped by matplotlib's SVG writer.
"""

from __future__ import annotations

import functools
import io
import re
from html import escape

#: Okabe-Ito colours, distinguishable with the common colour-vision deficiencies.
FRAME_COLOURS = {
    "military_success": "#0072B2",
    "escalation": "#D55E00",
    "diplomacy": "#009E73",
    "civilian_harm": "#CC79A7",
}
NEUTRAL = "#999999"
#: Control characters (C0, DEL, C1): no font draws them.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
#: Divergence values are printed in the heat map's cells up to this many groups.
ANNOTATE_LIMIT = 15
#: The divergence heat map is drawn up to this many groups (beyond, a smear of cells).
HEATMAP_LIMIT = 40
#: Group labels longer than this are shortened with an ellipsis in charts.
LABEL_LIMIT = 28

_RC = {
    "svg.fonttype": "none",
    "svg.image_inline": True,
    "text.parse_math": False,
    "text.usetex": False,
    "font.family": "sans-serif",
    "font.size": 9.0,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "path.simplify": False,
}


def frame_label(frame: str) -> str:
    return frame.replace("_", " ")


def _short(label: str) -> str:
    """A group's label in a chart: one line, control characters shown as U+FFFD, at most
    :data:`LABEL_LIMIT` characters."""
    label = _CONTROL.sub("\ufffd", " ".join(str(label).split()))
    return label if len(label) <= LABEL_LIMIT else label[: LABEL_LIMIT - 1] + "…"


def _tags(result, group: str) -> int:
    """Frame tags of a group (a passage with two frames counts twice): what its mix is of."""
    return sum(row["counts"]["tagged"] for row in result.shares if row["group"] == group)


def _labelled(result, group: str, count: int, noun: str) -> str:
    """A group's axis label with its count, e.g. ``npr (n=46)`` or ``pti † (5 tags)``, so a
    bar or cell built from a few items never looks like one built from thousands; † marks a
    group under --min-group-size."""
    mark = " †" if result.group_totals[group].get("small") else ""
    return f"{_short(group)}{mark} ({noun.format(n=f'{count:,}')})"


def _figure(width: float, height: float):
    """A figure on the Agg canvas: no pyplot, no GUI backend, no global state."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _svg(figure, name: str, title: str) -> str:
    """Render to SVG text without the XML prolog, ready to inline in HTML."""
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({**_RC, "svg.hashsalt": f"framing-{name}"}):
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    text = text[text.index("<svg"):]
    return re.sub(r"^<svg ", f'<svg role="img" aria-label="{escape(title)}" class="chart" ',
                  text, count=1)


def _with_rc(function):
    """Draw inside the fixed style; figures never touch pyplot, so no GUI backend is used."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        import warnings

        import matplotlib

        with matplotlib.rc_context(_RC), warnings.catch_warnings():
            # The SVG keeps text as text, drawn by the reader's fonts: a character that the
            # layout font lacks (a script other than Latin, Greek or Cyrillic) only shifts
            # the measured width, so matplotlib's warning about it is noise on stderr.
            warnings.filterwarnings("ignore", message=r"Glyph .* missing from",
                                    category=UserWarning)
            return function(*args, **kwargs)

    return wrapper


@_with_rc
def mix_chart(result, groups=None) -> str:
    """100% stacked horizontal bars: each group's frame tags split by frame (``groups``: those
    drawn, default all)."""
    groups = list(groups or result.groups)
    height = 1.5 + 0.32 * len(groups)
    figure = _figure(8.0, height)
    axes = figure.add_subplot()
    positions = list(range(len(groups)))
    left = [0.0] * len(groups)
    for frame in result.frames:
        widths = [result.distributions[g][frame] or 0.0 for g in groups]
        axes.barh(positions, widths, left=left, color=FRAME_COLOURS.get(frame, NEUTRAL),
                  label=frame_label(frame), height=0.7, edgecolor="white", linewidth=0.5)
        left = [a + b for a, b in zip(left, widths)]
    axes.set_yticks(positions, labels=[_labelled(result, g, _tags(result, g), "{n} tags")
                                       for g in groups])
    axes.invert_yaxis()
    axes.set_xlim(0, 1)
    axes.xaxis.set_major_formatter(_percent())
    axes.set_xlabel("share of the group's frame tags")
    axes.set_title("Frame mix", loc="left", fontweight="bold")
    figure.legend(ncols=len(result.frames), loc="outside lower center", frameon=False,
                  fontsize=8)
    return _svg(figure, "mix", "Frame mix per group: 100% stacked bars of frame tags")


def _percent():
    from matplotlib.ticker import PercentFormatter

    return PercentFormatter(xmax=1.0, decimals=0)


@_with_rc
def shares_chart(result, groups=None) -> str:
    """One panel per frame: share of passages per group, whiskers the interval."""
    groups = list(groups or result.groups)
    frames = result.frames
    height = 1.3 + 0.3 * len(groups)
    figure = _figure(10.0, height)
    panels = figure.subplots(1, len(frames), sharey=True, squeeze=False)[0]
    positions = list(range(len(groups)))
    top = 0.0
    for frame in frames:
        for g in groups:
            row = result.share(g, frame)
            if row["interval"]:
                top = max(top, row["interval"][1])
    limit = min(1.0, max(0.1, top * 1.08))
    for axes, frame in zip(panels, frames):
        values, lower, upper = [], [], []
        for g in groups:
            row = result.share(g, frame)
            share = row["share"] or 0.0
            low, high = row["interval"] or (share, share)
            values.append(share)
            lower.append(max(0.0, share - low))
            upper.append(max(0.0, high - share))
        axes.barh(positions, values, color=FRAME_COLOURS.get(frame, NEUTRAL), height=0.65,
                  xerr=[lower, upper], error_kw={"ecolor": "#333333", "elinewidth": 1,
                                                 "capsize": 2.5})
        axes.set_xlim(0, limit)
        axes.xaxis.set_major_formatter(_percent())
        axes.set_title(frame_label(frame), fontsize=9, fontweight="bold")
        axes.grid(axis="x", color="#e5e5e5", linewidth=0.6)
        axes.set_axisbelow(True)
    panels[0].set_yticks(positions, labels=[
        _labelled(result, g, result.group_totals[g]["passages"], "n={n}") for g in groups])
    panels[0].invert_yaxis()
    level = result.confidence_percent
    figure.supxlabel(f"share of passages with the frame (whiskers: {level}% interval)",
                     fontsize=9)
    return _svg(figure, "shares", "Share of passages with each frame per group, with intervals")


@_with_rc
def divergence_chart(result) -> str:
    """Heat map of the Jensen-Shannon divergence between every pair of groups."""
    import numpy as np

    groups = result.groups
    index = {g: i for i, g in enumerate(groups)}
    size = len(groups)
    matrix = np.full((size, size), np.nan)
    for i in range(size):
        matrix[i, i] = 0.0
    for row in result.divergences:
        if row["divergence"] is not None:
            a, b = index[row["a"]], index[row["b"]]
            matrix[a, b] = matrix[b, a] = row["divergence"]
    finite = matrix[np.isfinite(matrix)]
    vmax = max(0.05, float(finite.max()) if finite.size else 0.05)
    side = min(11.0, 2.6 + 0.45 * size)
    figure = _figure(side + 1.2, side)
    axes = figure.add_subplot()
    axes.spines[:].set_visible(False)
    image = axes.imshow(np.ma.masked_invalid(matrix), cmap="Blues", vmin=0.0, vmax=vmax)
    labels = [_labelled(result, g, _tags(result, g), "{n} tags") for g in groups]
    axes.set_xticks(range(size), labels=labels, rotation=45, ha="right",
                    rotation_mode="anchor")
    axes.set_yticks(range(size), labels=labels)
    if size <= ANNOTATE_LIMIT:
        for i in range(size):
            for j in range(size):
                value = matrix[i, j]
                text = "–" if not np.isfinite(value) else f"{value:.3f}"
                colour = "white" if np.isfinite(value) and value > 0.6 * vmax else "#222222"
                axes.text(j, i, text, ha="center", va="center", color=colour, fontsize=8)
    colourbar = figure.colorbar(image, ax=axes, shrink=0.8)
    colourbar.set_label("Jensen-Shannon divergence (bits)")
    axes.set_title("Divergence of frame mixes", loc="left", fontweight="bold")
    return _svg(figure, "divergence", "Heat map of Jensen-Shannon divergence between groups")


@_with_rc
def corrected_chart(result, groups=None) -> str:
    """One panel per frame: per group the raw share (hollow, grey) and the corrected share
    (filled, the frame's colour) side by side, each with its interval as a line."""
    groups, frames = list(groups or result.groups), result.frames
    figure = _figure(10.0, 1.5 + 0.42 * len(groups))
    panels = figure.subplots(1, len(frames), sharey=True, squeeze=False)[0]
    for axes, frame in zip(panels, frames):
        for k, g in enumerate(groups):
            row = result.share(g, frame)
            for offset, estimate, filled in ((-0.17, row, False),
                                             (0.17, row.get("corrected"), True)):
                if not estimate:
                    continue
                colour = FRAME_COLOURS.get(frame, NEUTRAL) if filled else NEUTRAL
                low, high = estimate["interval"] or (estimate["share"],) * 2
                axes.plot([low, high], [k + offset] * 2, color=colour, linewidth=1.6)
                axes.plot([estimate["share"]], [k + offset], marker="o", markersize=5,
                          color=colour, markerfacecolor=colour if filled else "white")
        axes.set_xlim(0, 1)
        axes.xaxis.set_major_formatter(_percent())
        axes.set_title(frame_label(frame), fontsize=9, fontweight="bold")
        axes.grid(axis="x", color="#e5e5e5", linewidth=0.6)
    panels[0].set_yticks(range(len(groups)), labels=[_short(g) for g in groups])
    panels[0].set_ylim(len(groups) - 0.5, -0.5)
    level = result.confidence_percent
    figure.supxlabel(f"share of passages: raw tags (hollow, grey) and corrected for the "
                     f"tagger's error (filled); lines: {level}% intervals", fontsize=9)
    return _svg(figure, "corrected", "Raw and corrected shares per group and frame, with "
                                     "intervals")


@_with_rc
def time_chart(result) -> str:
    """Shares over time: one panel per frame, the share of each period as a line with its
    interval as a band; periods whose change from the one before is flagged get a dot."""
    periods, frames = result.groups, result.frames
    figure = _figure(10.0, 2.2 * len(frames))
    panels = figure.subplots(len(frames), 1, sharex=True, squeeze=False)[:, 0]
    flagged = {(c["frame"], c["to"]) for c in (result.pairs or {}).get("changes") or []}
    x = list(range(len(periods)))
    for axes, frame in zip(panels, frames):
        rows = [result.share(p, frame) for p in periods]
        shares = [row["share"] for row in rows]
        low = [(row["interval"] or (row["share"],) * 2)[0] for row in rows]
        high = [(row["interval"] or (row["share"],) * 2)[1] for row in rows]
        colour = FRAME_COLOURS.get(frame, NEUTRAL)
        axes.fill_between(x, low, high, color=colour, alpha=0.18, linewidth=0)
        axes.plot(x, shares, color=colour, linewidth=1.4, marker="o" if len(x) <= 60 else None,
                  markersize=3)
        marks = [k for k, p in enumerate(periods) if (frame, p) in flagged]
        axes.plot(marks, [shares[k] for k in marks], linestyle="none", marker="o",
                  markersize=7, markerfacecolor="none", markeredgecolor="#222222")
        axes.set_ylim(0, min(1.0, max(0.1, max(high) * 1.1)))
        axes.yaxis.set_major_formatter(_percent())
        axes.set_title(frame_label(frame), loc="left", fontsize=9, fontweight="bold")
        axes.grid(axis="y", color="#e5e5e5", linewidth=0.6)
    step = max(1, len(periods) // 12)
    panels[-1].set_xticks(x[::step], labels=[_short(p) for p in periods[::step]],
                          rotation=45, ha="right", rotation_mode="anchor")
    level = result.confidence_percent
    figure.supylabel("share of passages", fontsize=9)
    figure.suptitle(f"Shares over time (bands: {level}% intervals; circled: the largest "
                    "significant changes)", fontsize=9)
    return _svg(figure, "time", "Share of passages with each frame over time, with intervals")


def all_charts(result, groups=None) -> dict[str, str]:
    """Every chart as SVG text, keyed by name: mix, shares (of ``groups``, default all),
    divergence (every pair tested, up to 40 groups), time (groups that are periods), and
    corrected with a coded sample."""
    mode = (getattr(result, "pairs", None) or {}).get("mode", "all")
    charts = {"mix": mix_chart(result, groups), "shares": shares_chart(result, groups)}
    if mode == "adjacent" and len(result.groups) > 1:
        charts["time"] = time_chart(result)
    if getattr(result, "validation", None) is not None:
        charts["corrected"] = corrected_chart(result, groups)
    if mode == "all" and 1 < len(result.groups) <= HEATMAP_LIMIT:
        charts["divergence"] = divergence_chart(result)
    return charts
