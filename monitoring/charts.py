"""Small server-side SVG charts of a device's recent history (no script, no CDN)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 600
HEIGHT = 160


@dataclass(frozen=True)
class Line:
    label: str
    css_class: str
    points: str
    last: float | None


def polyline(values: Sequence[float | None], width: int = WIDTH, height: int = HEIGHT) -> str:
    """SVG polyline points for percentages (0–100) spread evenly across the width."""
    if not values:
        return ""
    step = width / max(len(values) - 1, 1)
    points = []
    for index, value in enumerate(values):
        if value is None:
            continue
        clamped = min(max(value, 0.0), 100.0)
        points.append(f"{index * step:.1f},{height - clamped / 100 * height:.1f}")
    return " ".join(points)


def history_lines(samples, labels: dict[str, str]) -> list[Line]:
    lines = []
    for attribute, css_class in (
        ("cpu_percent", "cpu"),
        ("memory_percent", "memory"),
        ("disk_used_percent", "disk"),
    ):
        values = [getattr(sample, attribute) for sample in samples]
        lines.append(
            Line(
                label=labels[attribute],
                css_class=css_class,
                points=polyline(values),
                last=values[-1] if values else None,
            )
        )
    return lines
