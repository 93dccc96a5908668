"""Counts as sentences say them, in one place: every report, table and plot states the replications
beside its means, and "1 replications" read as a slip."""

from __future__ import annotations


def replications_text(count: int) -> str:
    """'1 replication', '3 replications', '1,000 replications'."""
    return f"{count:,} replication{'' if count == 1 else 's'}"
