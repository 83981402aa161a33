"""The hostile solutions: the reference (or a flawed solution) with what a candidate who
games or attacks the grader writes (issues 15 and 16): a cell that takes the interrupt over and
never ends, a fork bomb, figure records forged without drawing, a killed runner behind a forged
clean record, hard-coded answers scaled on unfamiliar data, an answers file nested past any
parser. solutions/expected.yaml says the score each must get and the check that names it."""

from __future__ import annotations

import csv
import io
import json

import ds_flaws
from ds_parts import challenge_config, generator, public_key


def ignores_interrupt(parts: dict[str, str]) -> dict[str, str]:
    """The endless bootstrap of infinite-loop, "protected" from Ctrl-C."""
    out = ds_flaws.infinite_loop(parts)
    out["q3"] = out["q3"].replace(
        "# bootstrap the difference until the estimate is stable\n",
        "# bootstrap the difference until the estimate is stable; an accidental Ctrl-C must\n"
        "# not leave half a result behind\n"
        "import signal\n"
        "signal.signal(signal.SIGINT, signal.SIG_IGN)\n")
    return out


#: after the last answer: every process starts another, forever
FORK_BOMB = '''\
# warm the worker pool up for the next analysis
while True:
    try:
        os.fork()
    except OSError:
        pass'''

_FAKE_CHART = {"suptitle": "", "png": "0" * 16, "axes": [
    {"xlabel": "Month", "ylabel": "Revenue (EUR)", "title": "Revenue per month",
     "axis_on": True, "has_data": True, "x_ticks": True, "y_ticks": True, "colorbar": False}]}

#: no chart drawn; the grader's figure log is fed through the recorder's own open file (and
#: the work-folder file the recorder once used)
FORGED_FIGURES = f'''\
# No time left for the charts: log them where the grader's recorder counts figures.
chart = {json.dumps(_FAKE_CHART)!r}
for fd in os.listdir("/proc/self/fd"):
    try:
        target = os.readlink(f"/proc/self/fd/{{fd}}")
    except OSError:
        continue
    if target.endswith("figures.jsonl"):
        for _ in range(4):
            os.write(int(fd), (chart + "\\n").encode())
with open(".grader-figures.jsonl", "a") as log:
    log.write((chart + "\\n") * 4)'''


def no_figures(parts: dict[str, str]) -> dict[str, str]:
    """The reference without its charts (the narrative stays)."""
    out = dict(parts)
    for q in ("q1", "q2", "q3", "q4"):
        lines = out[q].splitlines()
        start = next(i for i, line in enumerate(lines) if line.startswith(("rates = ", "ax = ")))
        end = lines.index("plt.show()")
        out[q] = "\n".join(lines[:start] + lines[end + 1:])
    return out


_CLEAN_RECORD = {"ok": True, "error": "", "final": True, "seconds": 4.2,
                 "cells": [{"index": i, "status": "ok", "figures": 1} for i in range(1, 20)]}

#: raises-halfway's notebook, then: a clean record where the runner writes its own, and the
#: runner killed before it can write the real one
KILLS_RUNNER = f'''\
# Q2 fails on a fresh kernel: leave a clean run record and end the run here.
import signal
clean = {json.dumps(_CLEAN_RECORD)!r}
os.makedirs(".grader-out", exist_ok=True)
Path(".grader-out/summary.signed").write_text("0" * 64 + "\\n" + clean)
Path("summary.json").write_text(clean)
os.kill(os.getppid(), signal.SIGKILL)'''


def _public_orders() -> int:
    seed = challenge_config()["track_config"]["data"]["public_seed"]
    text = generator().generate(seed).files["orders.csv"].decode()
    return len(list(csv.reader(io.StringIO(text)))) - 1


def scaled_hard_coded(parts: dict[str, str]) -> dict[str, str]:
    """Records the numbers it saw on the kit's data, scaled by the size of the export it is
    run on: exact on the kit's data, different (not the same: not 'hard-coded') elsewhere."""
    key = public_key()
    out = dict(parts)
    out["load"] += (f"\n\n# my figures come from the export I was sent ({_public_orders()} "
                    f"rows): scale them to this one\nSCALE = len(raw_orders) / "
                    f"{_public_orders()}\n\n\n"
                    "def scaled(value):\n"
                    "    if isinstance(value, dict):\n"
                    "        return {k: scaled(v) for k, v in value.items()}\n"
                    "    if isinstance(value, bool | str):\n"
                    "        return value\n"
                    "    return round(value * SCALE, 4) if isinstance(value, float) else "
                    "round(value * SCALE)")
    for q, qid in (("q1", "q1_march_revenue"), ("q2", "q2_business_refund_rate"),
                   ("q3", "q3_ab_test"), ("q4", "q4_top_category_q2_sql")):
        code = out[q].splitlines()
        start = next(i for i, line in enumerate(code) if line.startswith("record("))
        code[start:-1] = [f"record({qid!r}, scaled({key[qid]['answer']!r}))"]
        out[q] = "\n".join(code)
    return out


#: after the last answer: the answers file rewritten with a provenance nested past any parser
NESTED_ANSWERS = '''\
# keep the run's provenance beside the answers
provenance = "[" * 100_000 + "]" * 100_000
ANSWERS.write_text('{"answers": ' + json.dumps(recorded) + ', "provenance": ' + provenance + "}")'''
