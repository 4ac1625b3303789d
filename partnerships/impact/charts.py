"""Charts as inline SVG, drawn on the server: no JavaScript, no chart library, nothing fetched.

Each chart is an ``<svg role="img">`` named by its own ``<title>`` and ``<desc>`` (through
``aria-labelledby``), and the page puts a table with the same numbers right after it, so nothing
is only in the picture. Every piece of text is escaped here; the markup is then marked safe.
Colours are the site's tokens (``static/css/app.css``): bars in brand violet (8.6:1 on white),
text in ink (16:1), so both pass WCAG contrast for text and for graphics.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cached_property

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

INK = "#1b1f24"
BAR = "#4527c4"
AXIS = "#5d6673"
GRID = "#d6d8de"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"

WIDTH = 640
LABEL_WIDTH = 210  # horizontal bars: room for the category names
VALUE_WIDTH = 70
ROW = 30
BAR_HEIGHT = 18
MAX_LABEL = 30  # characters shown beside a bar; the full label is in its tooltip and the table

# Characters XML 1.0 forbids even escaped (control characters other than tab and newlines).
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: object) -> str:
    """Escaped text for an element or attribute, with characters XML cannot hold removed."""
    return escape(_NOT_XML.sub("", str(value)))


def _number(value: int) -> str:
    return f"{value:,}"


def _shorten(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1].rstrip() + "…"


@dataclass(frozen=True)
class Bar:
    label: str
    value: int


@dataclass
class Chart:
    """One chart and the table that repeats it. ``kind`` is ``"bars"`` (horizontal, for
    categories) or ``"months"`` (columns, for a series over time)."""

    chart_id: str
    title: str
    description: str
    category_label: str
    value_label: str
    bars: list[Bar]
    kind: str = "bars"
    note: str = ""

    @property
    def is_empty(self) -> bool:
        return not any(bar.value for bar in self.bars)

    @property
    def total(self) -> int:
        return sum(bar.value for bar in self.bars)

    @cached_property
    def svg(self) -> SafeString:
        draw = column_chart if self.kind == "months" else horizontal_bar_chart
        return mark_safe(draw(self))  # noqa: S308 - every text was escaped by _text()


def _ids(chart: Chart) -> tuple[str, str]:
    safe_id = re.sub(r"[^a-z0-9-]", "-", chart.chart_id.lower())
    return f"{safe_id}-title", f"{safe_id}-desc"


def _open(chart: Chart, height: int) -> list[str]:
    title_id, desc_id = _ids(chart)
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart__svg" viewBox="0 0 {WIDTH} '
        f'{height}" width="{WIDTH}" height="{height}" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" focusable="false" font-family="{_text(FONT)}" '
        f'font-size="13">',
        f'<title id="{title_id}">{_text(chart.title)}</title>',
        f'<desc id="{desc_id}">{_text(chart.description)}</desc>',
    ]


def horizontal_bar_chart(chart: Chart) -> str:
    """Categories down the left, a bar each, the value written after the bar."""
    height = ROW * len(chart.bars) + 12
    largest = max((bar.value for bar in chart.bars), default=0) or 1
    plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    parts = _open(chart, height)
    parts.append(
        f'<line x1="{LABEL_WIDTH}" y1="4" x2="{LABEL_WIDTH}" y2="{height - 4}" '
        f'stroke="{AXIS}" stroke-width="1"/>'
    )
    for index, bar in enumerate(chart.bars):
        top = 6 + index * ROW
        middle = top + BAR_HEIGHT / 2
        width = round(bar.value / largest * plot, 1)
        parts += [
            "<g>",
            f"<title>{_text(bar.label)}: {_text(_number(bar.value))}</title>",
            f'<text x="{LABEL_WIDTH - 8}" y="{middle}" text-anchor="end" '
            f'dominant-baseline="central" fill="{INK}">{_text(_shorten(bar.label))}</text>',
            f'<rect x="{LABEL_WIDTH}" y="{top}" width="{width}" height="{BAR_HEIGHT}" '
            f'fill="{BAR}"/>',
            f'<text x="{LABEL_WIDTH + width + 6}" y="{middle}" dominant-baseline="central" '
            f'fill="{INK}">{_text(_number(bar.value))}</text>',
            "</g>",
        ]
    parts.append("</svg>")
    return "".join(parts)


def column_chart(chart: Chart) -> str:
    """A column per month, left to right; a light grid at zero, half and the top value."""
    height, left, right, top, bottom = 240, 48, 12, 16, 36
    plot_width, plot_height = WIDTH - left - right, height - top - bottom
    count = max(len(chart.bars), 1)
    slot = plot_width / count
    column = max(min(slot * 0.7, 48), 2)
    largest = max((bar.value for bar in chart.bars), default=0) or 1
    label_every = max(1, math.ceil(count / 12))
    parts = _open(chart, height)
    ticks = sorted({0, round(largest / 2), largest})
    for tick in ticks:
        y = round(top + plot_height * (1 - tick / largest), 1)
        parts += [
            f'<line x1="{left}" y1="{y}" x2="{WIDTH - right}" y2="{y}" '
            f'stroke="{AXIS if tick == 0 else GRID}" stroke-width="1"/>',
            f'<text x="{left - 6}" y="{y}" text-anchor="end" dominant-baseline="central" '
            f'fill="{INK}">{_text(_number(tick))}</text>',
        ]
    for index, bar in enumerate(chart.bars):
        bar_height = round(bar.value / largest * plot_height, 1)
        x = round(left + index * slot + (slot - column) / 2, 1)
        y = round(top + plot_height - bar_height, 1)
        centre = round(x + column / 2, 1)
        parts += [
            "<g>",
            f"<title>{_text(bar.label)}: {_text(_number(bar.value))}</title>",
            f'<rect x="{x}" y="{y}" width="{round(column, 1)}" height="{bar_height}" '
            f'fill="{BAR}"/>',
        ]
        if count <= 18 and bar.value:
            parts.append(
                f'<text x="{centre}" y="{y - 4}" text-anchor="middle" fill="{INK}">'
                f"{_text(_number(bar.value))}</text>"
            )
        if index % label_every == 0:
            parts.append(
                f'<text x="{centre}" y="{height - bottom + 16}" text-anchor="middle" '
                f'fill="{INK}">{_text(bar.label)}</text>'
            )
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)
