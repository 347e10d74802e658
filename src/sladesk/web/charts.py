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
    left, bottom = 36, 40
    slot = (WIDTH - left - 8) / n
    width = max(slot - gap, 4)
    height = BAR_AREA + bottom + 20
    desc = "; ".join(f"{label}: {_num(v)}{unit}" for label, v in bars)
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
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
            f'<text x="{x + width / 2:.1f}" y="{max(y - 4, 12):.1f}" class="value" '
            f'text-anchor="middle">{_num(value)}{escape(unit)}</text>'
        )
        parts.append(
            f'<text x="{x + width / 2:.1f}" y="{20 + BAR_AREA + 16}" class="tick" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above
