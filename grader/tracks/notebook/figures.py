"""Figures of an executed notebook: how many the cells displayed (counted by the grader's
runner from the outputs it received), and whether their axes say what they show (as recorded
inside the kernel, each record backed by an image a cell displayed: a record that matches none,
however it got into the recorder's file, earns nothing and is counted as ignored): an axis
needs a label only when it shows tick labels."""

from __future__ import annotations

from typing import Any

from grader.checks import CheckResult
from grader.tracks.notebook.execute import NotebookRun

FIGURE_CHECKS = ("figures.count", "figures.labelled")


def figure_checks(run: NotebookRun, minimum: int) -> list[CheckResult]:
    """figures.count and figures.labelled, from what the kernel recorded."""
    if not run.cells:
        why = ("no cell of the notebook ran" if run.trusted else "no trusted record of the "
               "run") + (f" ({run.error[:200]})" if run.error else "")
        return [CheckResult.not_run("figures.count", why, blocked_by="notebook.runs-clean",
                                    title="Figures"),
                CheckResult.not_run("figures.labelled", why, blocked_by="notebook.runs-clean",
                                    title="Figures have labelled axes")]
    count = sum(c.get("figures", 0) for c in run.cells)
    title = "Figures"
    ignored = (f"; {run.figures_ignored} figure record(s) matching no displayed image were "
               "ignored" if run.figures_ignored else "")
    if count >= minimum:
        first = CheckResult.passed("figures.count", f"{count} figure(s){ignored}", title=title)
    else:
        first = CheckResult.failed("figures.count", f"{count} figure(s) displayed, at least "
                                   f"{minimum} expected{ignored}", points=count / minimum,
                                   title=title)
    title = "Figures have labelled axes"
    if not run.figures:
        second = (CheckResult.not_run("figures.labelled", "there is no figure to judge",
                                      blocked_by="figures.count", title=title) if not count
                  else CheckResult.failed("figures.labelled", "the figures' axes could not "
                                          "be read", title=title))
    else:
        labelled = [_labelled(f) for f in run.figures]
        n = sum(labelled)
        unlabelled = [i + 1 for i, ok in enumerate(labelled) if not ok]
        second = CheckResult(
            id="figures.labelled", status="passed" if n == len(labelled) else "failed",
            points=n / len(labelled), title=title,
            message=f"{n} of {len(labelled)} figure(s) have labelled axes"
                    + (f"; unlabelled: figure {', '.join(map(str, unlabelled[:10]))}"
                       if unlabelled else ""),
            evidence={"figures": run.figures[:30]})
    return [first, second]


def _labelled(figure: dict[str, Any]) -> bool:
    """Every axes with data labels the axes that show tick labels (an axis whose ticks are
    hidden, e.g. the upper panel of a shared x axis, needs none; a colorbar is not judged);
    an axes drawn without axes (a pie) needs a title."""
    plots = [a for a in figure["axes"] if not a.get("colorbar")]
    axes = [a for a in plots if a["has_data"]] or plots
    if not axes:
        return False
    for ax in axes:
        if ax["axis_on"] and ((ax.get("x_ticks", True) and not ax["xlabel"].strip())
                              or (ax.get("y_ticks", True) and not ax["ylabel"].strip())):
            return False
        if not ax["axis_on"] and not (ax["title"].strip() or figure["suptitle"].strip()):
            return False
    return True
