"""Files copied into the *prober* container of the MLE track (never into a container running
candidate code): `probe.py` sends the holdout's features, latency calls and bad requests to the
candidate's model server and records what came back, through `probe_http.py` (deadlines,
budget, capped bodies, bounded JSON). Labels stay on the host."""

from pathlib import Path

PROBE = Path(__file__).parent / "probe.py"
PROBE_HTTP = Path(__file__).parent / "probe_http.py"
