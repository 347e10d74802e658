"""Server-side SVG charts: plain markup, no JavaScript, readable by screen readers.

Each chart is an ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` listing the
values; the page also shows the figures in a table.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 480
BAR_AREA = 180
#: Rough width of one character of a tick label (12px font) in viewBox units.
CHAR_WIDTH = 6.6
#: Angle (degrees) tick labels are turned when they do not fit side by side.
TILT = 45
MAX_LABEL_CHARS = 18


def _short(label: str) -> str:
    """Return ``label`` cut to ``MAX_LABEL_CHARS`` (the full text stays in the tooltips)."""
    if len(label) <= MAX_LABEL_CHARS:
        return label
    return label[: MAX_LABEL_CHARS - 1].rstrip() + "\u2026"


def label_layout(labels: Sequence[str], *, left: float = 36) -> tuple[bool, float, float]:
    """Return ``(tilted, left, bottom)``: whether tick labels must be turned, and margins.

    Labels are drawn level when the longest fits its slot with a small gap; otherwise they
    are turned by ``TILT`` degrees so neighbours never overlap, and the margins grow so the
    turned text stays inside the chart (the SVG scales as a whole, so this holds at any
    screen width).
    """
    n = max(len(labels), 1)
    longest = max((len(_short(label)) for label in labels), default=0) * CHAR_WIDTH
    slot = (WIDTH - left - 8) / n
    if longest <= slot - 6:
        return False, left, 40.0
    # turned text: its horizontal reach is cos(TILT) * length, its depth sin(TILT) * length
    reach = longest * 0.7072
    first = len(_short(labels[0])) * CHAR_WIDTH * 0.7072 if labels else 0.0
    left = max(left, first - slot / 2 + 4)
    return True, left, min(reach + 24, 150.0)


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def bar_chart(
    *,
    title: str,
    bars: Sequence[tuple[str, float]],
    unit: str = "",
    max_value: float | None = None,
    css: str = "bar",
) -> SafeString:
    """Return a vertical bar chart of ``bars`` (label, value)."""
    n = max(len(bars), 1)
    top = max_value if max_value is not None else max((v for _, v in bars), default=0) or 1
    gap = 8
    tilted, left, bottom = label_layout([label for label, _ in bars])
    slot = (WIDTH - left - 8) / n
    width = max(slot - gap, 4)
    height = BAR_AREA + bottom + 20
    longest_value = max((len(_num(v) + unit) for _, v in bars), default=0)
    value_css = "value value-small" if longest_value * 7.5 > slot - 2 else "value"
    desc = "; ".join(f"{label}: {_num(v)}{unit}" for label, v in bars)
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height:.0f}" role="img" '
        f'aria-label="{escape(title)}" preserveAspectRatio="xMidYMid meet">',
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>",
        f'<line x1="{left}" y1="{20 + BAR_AREA}" x2="{WIDTH - 4}" y2="{20 + BAR_AREA}" class="axis"/>',
        f'<text x="{left - 4}" y="24" class="tick" text-anchor="end">{_num(top)}{escape(unit)}</text>',
        f'<text x="{left - 4}" y="{20 + BAR_AREA}" class="tick" text-anchor="end">0</text>',
    ]
    for i, (label, value) in enumerate(bars):
        h = 0 if top == 0 else BAR_AREA * min(value, top) / top
        x = left + i * slot + gap / 2
        y = 20 + BAR_AREA - h
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{h:.1f}" class="{css}">'
            f"<title>{escape(label)}: {_num(value)}{escape(unit)}</title></rect>"
        )
        parts.append(
            f'<text x="{x + width / 2:.1f}" y="{max(y - 4, 12):.1f}" class="{value_css}" '
            f'text-anchor="middle">{_num(value)}{escape(unit)}</text>'
        )
        cx, ty = x + width / 2, 20 + BAR_AREA + 16
        if tilted:
            parts.append(
                f'<text x="{cx:.1f}" y="{ty - 4}" class="tick" text-anchor="end" '
                f'transform="rotate(-{TILT} {cx:.1f} {ty - 4})">{escape(_short(label))}</text>'
            )
        else:
            parts.append(
                f'<text x="{cx:.1f}" y="{ty}" class="tick" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above
