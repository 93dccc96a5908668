"""Regenerate tests/golden/<scenario>.json from scenarios/*.yaml (run by `make golden`).

Only run this after an intended change of results, and review the diff of the JSON files.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.test_golden import GOLDEN, golden_summary  # noqa: E402


def main() -> None:
    GOLDEN.mkdir(exist_ok=True)
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        summary = golden_summary(path)
        (GOLDEN / f"{path.stem}.json").write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")
        print(f"wrote tests/golden/{path.stem}.json")


if __name__ == "__main__":
    main()
