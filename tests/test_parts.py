"""Summary parts of the non-endpoint jobs: JSON by field order, optional parts left out rather than null."""

from __future__ import annotations

from dataclasses import dataclass, field

from simulator.metrics.parts import OPTIONAL, Interval, Part


@dataclass(frozen=True)
class _Example(Part):
    figure: Interval
    absent: float | None
    extra: Interval | None = field(default=None, metadata=OPTIONAL)


def test_as_dict_keeps_field_order_and_leaves_out_only_optional_parts() -> None:
    data = _Example(Interval(1.0, 0.5, 1.5), None).as_dict()
    assert data == {"figure": {"mean": 1.0, "ci95_low": 0.5, "ci95_high": 1.5}, "absent": None}
    assert list(data["figure"]) == ["mean", "ci95_low", "ci95_high"]
    full = _Example(Interval(1.0, 0.5, 1.5), 2.0, Interval(0.0, 0.0, 0.0)).as_dict()
    assert list(full) == ["figure", "absent", "extra"]
