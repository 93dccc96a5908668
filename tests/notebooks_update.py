"""Re-execute every notebook in place (`make notebooks`), so the outputs saved in notebooks/ are what
the code prints today: a reader who only opens them on GitHub sees current figures."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def refresh(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute()
    nbformat.write(notebook, path)


def main() -> None:
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        refresh(path)
        print(f"executed {path.relative_to(NOTEBOOKS.parent)}")


if __name__ == "__main__":
    main()
