"""Executing a candidate's notebook in the sandbox, for the data-science track.

`run_notebook.py` is copied into the container next to the notebook and run with the image's
Python: nbclient executes every cell in a fresh kernel with a per-cell timeout, records errors
and carries on, then writes the executed notebook and a summary. `execute_notebook` (in
`grader.tracks.notebooks`) drives it and reads both back, defensively: the kernel ran candidate
code in the same container, so what comes out is capped, parsed and validated, never trusted.
"""

from pathlib import Path

RUNNER = Path(__file__).parent / "run_notebook.py"
