"""Files copied into a *tester* container (never into a container running candidate code):
`run_hidden.py` waits for the candidate's server and runs the hidden pytest suite with
`results_plugin.py`, which records each test's outcome and HTTP exchanges in results.json, and
`disclosure.py`, with which the suite reads each answer for what it gives away."""

from pathlib import Path

TESTER_DIR = Path(__file__).parent
RUNNER = TESTER_DIR / "run_hidden.py"
PLUGIN = TESTER_DIR / "results_plugin.py"
DISCLOSURE = TESTER_DIR / "disclosure.py"
