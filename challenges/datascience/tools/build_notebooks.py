"""Authoring tool: writes the kit's data and notebook and the solutions' notebooks.

    python challenges/datascience/tools/build_notebooks.py

The kit gets `data/` from the generator with the challenge's public seed and a notebook with
the questions and empty cells. Each flawed solution is the reference notebook with one
deliberate flaw (ds_flaws.py); the hostile ones game or attack the grader (ds_hostile.py);
four more are right answers written differently (ds_alternatives.py, ds_polars.py,
ds_duckdb.py); seven are complete notebooks in styles of their own with one wrong business
answer or decision each (ds_wrong_numbers.py, ds_wrong_methods.py, ds_wrong_tests.py).
solutions/expected.yaml says the score each must get and the check that catches it. Outputs
are committed;
tests/unit/test_datascience_kit.py fails when they are out of date.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))

import ds_alternatives
import ds_duckdb
import ds_flaws
import ds_hostile
import ds_polars
import ds_wrong_methods
import ds_wrong_numbers
import ds_wrong_tests
from ds_parts import (
    CHALLENGE,
    challenge_config,
    generator,
    kit_notebook,
    reference_cells,
    solution_notebook,
)

KIT = CHALLENGE.parents[1] / "starter_kits" / CHALLENGE.name / "common"
SOLUTIONS = CHALLENGE / "solutions"
Change = Callable[[dict[str, str]], dict[str, str]]
Finish = Callable[[Any], tuple[Any, dict[str, bytes]]]


def _from_reference(change: Change | None = None, extra: dict[str, list[str]] | None = None,
                    finish: Finish | None = None) -> Callable[[], tuple[Any, dict[str, bytes]]]:
    def make() -> tuple[Any, dict[str, bytes]]:
        parts = reference_cells()
        nb = solution_notebook(change(parts) if change else parts, extra)
        return finish(nb) if finish else (nb, {})
    return make


def _alone(make: Callable[[], Any]) -> Callable[[], tuple[Any, dict[str, bytes]]]:
    return lambda: (make(), {})


SOLUTIONS_BUILT: dict[str, Callable[[], tuple[Any, dict[str, bytes]]]] = {
    "reference": _from_reference(),
    "hard-coded": _from_reference(ds_flaws.hard_coded),
    "no-dedup": _from_reference(ds_flaws.no_dedup),
    "raises-halfway": _from_reference(ds_flaws.raises_halfway),
    "no-figures-no-narrative": _from_reference(ds_flaws.no_figures_no_narrative),
    "infinite-loop": _from_reference(ds_flaws.infinite_loop),
    "network-and-outside": _from_reference(extra={"setup": ds_flaws.NETWORK_AND_OUTSIDE}),
    "key-hunt": _from_reference(ds_flaws.key_hunt, {"setup": [ds_flaws.KEY_HUNT]}),
    "yates": _from_reference(ds_flaws.yates),
    "decision-contradicts-p": _from_reference(ds_flaws.decision_contradicts_p),
    "same-decision-on-variant": _from_reference(ds_flaws.strict_alpha),
    "stale-outputs": _from_reference(ds_flaws.stale_outputs, finish=ds_flaws.stale_notebook),
    "dates-month-first": _from_reference(ds_flaws.dates_month_first),
    "sql-loader": _from_reference(ds_flaws.sql_loader),
    "ignores-interrupt": _from_reference(ds_hostile.ignores_interrupt),
    "fork-bomb-cell": _from_reference(extra={"q4": [ds_hostile.FORK_BOMB]}),
    "forged-figure-record": _from_reference(ds_hostile.no_figures,
                                            {"q4": [ds_hostile.FORGED_FIGURES]}),
    "kills-runner": _from_reference(ds_flaws.raises_halfway, {"q4": [ds_hostile.KILLS_RUNNER]}),
    "scaled-hard-coded": _from_reference(ds_hostile.scaled_hard_coded),
    "nested-answers": _from_reference(extra={"q4": [ds_hostile.NESTED_ANSWERS]}),
    "method-chains": _alone(ds_alternatives.method_chains),
    "sql-heavy": _alone(ds_alternatives.sql_heavy),
    "polars": ds_polars.polars_notebook,
    "duckdb": ds_duckdb.duckdb_notebook,
    "join-inflated": _alone(ds_wrong_numbers.join_inflated),
    "timezone-shift": _alone(ds_wrong_numbers.timezone_shift),
    "outliers-trimmed": _alone(ds_wrong_methods.outliers_trimmed),
    "ab-wrong-population": ds_wrong_methods.ab_wrong_population,
    "mean-of-means": _alone(ds_wrong_methods.mean_of_means),
    "cherry-picked-p": _alone(ds_wrong_tests.cherry_picked_p),
    "narrative-contradicts": _alone(ds_wrong_tests.narrative_contradicts),
}


def build() -> dict[Path, bytes]:
    """Every file this tool writes, by path."""
    out: dict[Path, bytes] = {}
    config = challenge_config()
    data = generator().generate(config["track_config"]["data"]["public_seed"])
    version = config.get("version", "1")
    for name, content in data.files.items():
        out[KIT / "data" / name] = content
    out[KIT / "analysis.ipynb"] = nbformat.writes(kit_notebook()).encode() + b"\n"
    for name, make in SOLUTIONS_BUILT.items():
        nb, files = make()
        folder = SOLUTIONS / name
        out[folder / "analysis.ipynb"] = nbformat.writes(nb).encode() + b"\n"
        out[folder / "submission.yaml"] = (
            f"challenge: datascience\ncandidate: {name} (solution)\n"
            f'kit_version: "{version}"   # the kit this was written on (versions.yaml)\n'
        ).encode()
        out.update({folder / rel: content for rel, content in files.items()})
    return out


def main() -> None:
    for path, content in build().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        print(path.relative_to(CHALLENGE.parents[1]))


if __name__ == "__main__":
    main()
