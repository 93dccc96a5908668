"""The exact fast path: static fleets of FCFS workers simulated without SimPy (same records)."""
