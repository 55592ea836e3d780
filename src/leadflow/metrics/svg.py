"""Two small inline SVG charts for the HTML report: the funnel and a weekly trend line.

Plain strings, no plotting dependency; every text is XML-escaped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

__all__ = ("funnel_svg", "trend_svg")

_FONT = "font-family='system-ui, sans-serif' font-size='13'"


def funnel_svg(rows: Sequence[tuple[str, int]], *, width: int = 500) -> str:
    """Horizontal bars, one per stage, centred like a funnel, with the count on each bar."""
    bar, gap, label_w = 28, 8, 96
    height = len(rows) * (bar + gap) + gap
    top = max((count for _, count in rows), default=0) or 1
    usable = width - label_w - 50
    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
        f"viewBox='0 0 {width} {height}' role='img' aria-label='funnel'>"
    ]
    for i, (stage, count) in enumerate(rows):
        y = gap + i * (bar + gap)
        w = max(2.0, usable * count / top)
        x = label_w + (usable - w) / 2
        parts.append(
            f"<text x='{label_w - 8}' y='{y + bar / 2 + 4:.1f}' text-anchor='end' {_FONT}>"
            f"{escape(stage)}</text>"
            f"<rect x='{x:.1f}' y='{y}' width='{w:.1f}' height='{bar}' rx='3' fill='#0369a1'/>"
            f"<text x='{x + w + 6:.1f}' y='{y + bar / 2 + 4:.1f}' fill='#111' {_FONT}>"
            f"<tspan font-weight='bold'>{count}</tspan></text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def trend_svg(
    points: Sequence[tuple[str, float | None]],
    *,
    target: float | None = None,
    unit: str = "h",
    width: int = 500,
    height: int = 200,
) -> str:
    """A line over labelled points (``None`` leaves a gap), with a dashed target line."""
    left, right, top, bottom = 48, 24, 14, 34
    values = [v for _, v in points if v is not None]
    peak = max([*values, target or 0.0, 1.0])
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(1, len(points) - 1)
    every = max(1, math.ceil(len(points) / 8))

    def y_of(value: float) -> float:
        return top + plot_h * (1 - value / peak)

    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
        f"viewBox='0 0 {width} {height}' role='img' aria-label='trend'>",
        f"<line x1='{left}' y1='{top + plot_h}' x2='{width - right}' y2='{top + plot_h}' stroke='#999'/>",
        f"<line x1='{left}' y1='{top}' x2='{left}' y2='{top + plot_h}' stroke='#999'/>",
        f"<text x='{left - 6}' y='{top + 4}' text-anchor='end' {_FONT}>{peak:.0f} {escape(unit)}</text>",
        f"<text x='{left - 6}' y='{top + plot_h}' text-anchor='end' {_FONT}>0</text>",
    ]
    if target is not None:
        ty = y_of(target)
        parts.append(
            f"<line x1='{left}' y1='{ty:.1f}' x2='{width - right}' y2='{ty:.1f}' stroke='#b91c1c'"
            f" stroke-dasharray='5 4'/><text x='{width - right}' y='{ty - 4:.1f}' "
            f"text-anchor='end' fill='#b91c1c' {_FONT}>target {target:g} {escape(unit)}</text>"
        )
    segment: list[str] = []
    segments: list[list[str]] = []
    for i, (label, value) in enumerate(points):
        x = left + (i * step if len(points) > 1 else plot_w / 2)
        if value is None:
            if segment:
                segments.append(segment)
            segment = []
        else:
            segment.append(f"{x:.1f},{y_of(value):.1f}")
            parts.append(
                f"<circle cx='{x:.1f}' cy='{y_of(value):.1f}' r='3.5' fill='#0369a1'>"
                f"<title>{escape(label)}: {value:.1f} {escape(unit)}</title></circle>"
            )
        if i % every == 0:
            parts.append(
                f"<text x='{x:.1f}' y='{height - 12}' text-anchor='middle' {_FONT}>"
                f"{escape(label)}</text>"
            )
    if segment:
        segments.append(segment)
    parts.extend(
        f"<polyline points='{' '.join(s)}' fill='none' stroke='#0369a1' stroke-width='2'/>"
        for s in segments
        if len(s) > 1
    )
    parts.append("</svg>")
    return "".join(parts)
