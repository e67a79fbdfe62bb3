"""``report.html`` from the Jinja template ``templates/report.html.j2``.

Autoescape is on, so a gold value or a model answer containing markup is shown as
text. The page is one self-contained file: inline CSS and SVG, no scripts, nothing
fetched at view time.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import jinja2

__all__ = ["Bar", "Chart", "render_html"]


@dataclass(frozen=True)
class Bar:
    """One bar of the chart: its label, row offset, width and colour; ``value`` is the
    formatted percentage, None when not scored."""

    label: str
    y: int
    value: str | None
    width: str = ""
    colour: str = ""


@dataclass(frozen=True)
class Chart:
    """A horizontal bar chart: one bar per (label, value in [0, 1])."""

    bars: list[Bar]
    label_w: int = 190
    bar_w: int = 420
    row_h: int = 24
    top: int = 24

    @property
    def width(self) -> int:
        return self.label_w + self.bar_w + 70

    @property
    def height(self) -> int:
        return self.top + self.row_h * len(self.bars) + 10

    @property
    def ticks(self) -> list[tuple[str, str]]:
        steps = (0, 0.25, 0.5, 0.75, 1.0)
        return [(f"{self.label_w + t * self.bar_w:.0f}", f"{t:.0%}") for t in steps]

    @classmethod
    def of(cls, rows: list[tuple[str, float | None]]) -> Chart:
        chart = cls([])
        for i, (label, value) in enumerate(rows):
            y = chart.top + i * chart.row_h
            if value is None:
                chart.bars.append(Bar(label, y, None))
            else:
                width = f"{max(value * chart.bar_w, 1.0):.1f}"
                chart.bars.append(Bar(label, y, f"{value:.1%}", width, _colour(value)))
        return chart


def _colour(value: float) -> str:
    if value >= 0.9:
        return "#2da44e"
    if value >= 0.6:
        return "#d4a72c"
    return "#cf222e"


@functools.cache
def _template() -> jinja2.Template:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("summarizer.evaluation", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    return environment.get_template("report.html.j2")


def render_html(**values: Any) -> str:
    """The page, from the template's values (see :func:`summarizer.evaluation.reports.to_html`)."""
    return _template().render(**values)
