"""The small shared core every runtime layer stands on: random streams, request records, statistics."""
