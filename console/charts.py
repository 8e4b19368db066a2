"""Server-rendered SVG charts: geometry computed here, drawn by templates/invitations/includes/*.svg.html.

No JavaScript and no inline CSS (the CSP allows neither): shapes use SVG presentation attributes
and the text inherits the page's font stack, so labels read the same in English and Japanese.
Every chart sits next to a table with the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class HorizontalBar:
    label: str
    value_label: str
    label_y: float
    bar_y: float
    width: float
    value_x: float
    value_y: float


@dataclass(frozen=True)
class HorizontalBarChart:
    width: int
    height: int
    bar_height: int
    plot_width: int
    bars: list[HorizontalBar]


def horizontal_bars(items: list[tuple[str, int, str]], *, width: int = 640, value_room: int = 130,
                    label_height: int = 18, bar_height: int = 22, gap: int = 14) -> HorizontalBarChart:
    """One bar per (label, value, value label); the label sits above its bar, the value after it."""
    plot_width = width - value_room
    largest = max((value for _label, value, _text in items), default=0)
    bars = []
    y = 0.0
    for label, value, value_label in items:
        bar_width = round(plot_width * value / largest, 1) if largest else 0.0
        if value and bar_width < 2:
            bar_width = 2.0  # a non-zero value never disappears
        bars.append(HorizontalBar(label=label, value_label=value_label, label_y=y + 13, bar_y=y + label_height,
                                  width=bar_width, value_x=bar_width + 8, value_y=y + label_height + 16))
        y += label_height + bar_height + gap
    return HorizontalBarChart(width=width, height=max(int(y - gap), 1), bar_height=bar_height, plot_width=plot_width, bars=bars)


@dataclass(frozen=True)
class Column:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float
    center_x: float
    value_y: float


@dataclass(frozen=True)
class ColumnChart:
    width: int
    height: int
    baseline_y: float
    label_y: float
    columns: list[Column]


def columns(items: list[tuple[str, int]], *, width: int = 640, height: int = 220, top: int = 22, bottom: int = 34) -> ColumnChart:
    """One column per (label, value) on a shared baseline, the value above and the label below."""
    plot_height = height - top - bottom
    largest = max((value for _label, value in items), default=0)
    slot = width / max(len(items), 1)
    baseline = top + plot_height
    result = []
    for index, (label, value) in enumerate(items):
        bar_height = round(plot_height * value / largest, 1) if largest else 0.0
        if value and bar_height < 2:
            bar_height = 2.0
        bar_width = round(slot * 0.6, 1)
        x = round(index * slot + (slot - bar_width) / 2, 1)
        result.append(Column(label=label, value=value, x=x, y=baseline - bar_height, width=bar_width, height=bar_height,
                             center_x=round(index * slot + slot / 2, 1), value_y=baseline - bar_height - 6))
    return ColumnChart(width=width, height=height, baseline_y=baseline, label_y=baseline + 20, columns=result)
