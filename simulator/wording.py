"""Counts as sentences say them, in one place: every report, table and plot states the replications
beside its means, and "1 replications" or "1 instances" read as slips."""

from __future__ import annotations


def counted(count: int, noun: str) -> str:
    """'1 instance', '3 instances', '1,000 items': `noun` in the singular, made plural with an s."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def replications_text(count: int) -> str:
    """'1 replication', '3 replications', '1,000 replications'."""
    return counted(count, "replication")


def signed_percent(share: float, width: int = 0) -> str:
    """A share as a signed percentage with one decimal ('+12.5%'), right-aligned in `width`.
    Rounded first, so -0.00004 prints as +0.0%, not as -0.0%, a sign with nothing behind it."""
    return f"{round(share, 3) + 0.0:+{width}.1%}"
