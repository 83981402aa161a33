"""The `notebook` track (data science): execute the candidate's notebook, check its answers.

1. Static facts on the host, on the notebook as submitted (`static.py`): row-by-row pandas
   loops, SQL where a question asks for it, markdown narrative under each question, execution
   order, lint.
2. The challenge's data generator makes the public dataset (the kit's) and a hidden variant
   (same schema, another seed), each with its answer key, on the host. Keys never enter a
   container.
3. The notebook runs twice in the hardened sandbox (`execute.py`: no network, fresh kernel,
   per-cell and total timeouts): on the public data and on the variant, each handed in
   through the documented data folder. A failing cell is recorded with its traceback and
   execution goes on.
4. `answers.json` comes out of each run and is judged on the host (`judging.py`): right on
   both datasets earns the point; right on the public data only and unchanged on the variant
   is called hard-coded; a wrong answer that equals what a known mistake gives is named (the
   mistake's description), which also drives the cleaning checks.
5. Figures (count, labelled axes, as recorded in the kernel: `figures.py`) and runtime come
   from the run; the executed notebook and an HTML rendering of it are kept as artifacts.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import Any

import nbformat

from grader.analysis import notebook_facts as nbf
from grader.checks import CheckResult
from grader.errors import ChallengeConfigError
from grader.tracks.base import GradingContext, Track
from grader.tracks.notebook import judging
from grader.tracks.notebook.answers import Answers, judge, questions, read_answers
from grader.tracks.notebook.config import NotebookConfig
from grader.tracks.notebook.execute import NOTEBOOK_NAME, NotebookRun, execute_notebook
from grader.tracks.notebook.figures import FIGURE_CHECKS, figure_checks
from grader.tracks.notebook.static import STATIC_CHECKS, notebook_static_checks
from grader.tracks.steps.dependencies import submission_image
from grader.tracks.steps.seeded import generated

_RESERVED = {NOTEBOOK_NAME, "executed.ipynb", "summary.json", "run_notebook.py",
             ".grader-figures.jsonl"}
RUN_CHECKS = ("notebook.found", "notebook.runs-clean", "notebook.variant-runs-clean",
              "notebook.runtime", "answers.format", "answers.not-hard-coded",
              "build.dependencies")


def generate(config: NotebookConfig, seed: int) -> tuple[dict[str, bytes], dict[str, Any]]:
    """(data files, answer key) for `seed`, from the challenge's generator (cached)."""
    data = generated(config.data.generator, seed)
    files, key = dict(data.files), dict(data.key)
    if not questions(key):
        raise ChallengeConfigError(f"{config.data.generator}: generate({seed}) gave a key "
                                   "without questions (see grader/tracks/notebook/answers.py)")
    return files, key


class NotebookTrack(Track[NotebookConfig]):
    name = "notebook"
    config_class = NotebookConfig

    def images(self, config: NotebookConfig) -> tuple[str, ...]:
        return (config.image,)

    def check_ids(self, config: NotebookConfig) -> Iterable[str]:
        return [*RUN_CHECKS, *STATIC_CHECKS, *FIGURE_CHECKS,
                *(f"answer.{q.id}" for q in config.questions),
                *(f"answer.{q.id}.*" for q in config.questions),
                *(f"cleaning.{c.id}" for c in config.cleaning)]

    def grade(self, ctx: GradingContext[NotebookConfig]) -> list[CheckResult]:
        cfg, sub = ctx.config, ctx.submission
        checks: list[CheckResult] = []
        public_files, public_key = generate(cfg, cfg.data.public_seed)
        variant_files, variant_key = generate(cfg, cfg.data.variant_seed)

        rel, why = self._find_notebook(ctx)
        title = "Notebook found and readable"
        nb = None
        if rel is not None:
            nb, why = nbf.load_notebook(sub.root / rel)
        if rel is None or nb is None:
            checks.append(CheckResult.failed("notebook.found", why, title=title))
            return checks + self._not_run(cfg, public_key, f"there is no notebook to run "
                                          f"({why})", "notebook.found")
        checks.append(CheckResult.passed("notebook.found", rel, title=title,
                                         evidence={"notebook": rel}))
        with ctx.stage("static"):
            checks += notebook_static_checks(sub.root, rel, nb, cfg)
        with ctx.stage("images"):
            image = submission_image(ctx, ctx.image(cfg.image), checks)[0]
        if image is None:
            return checks + self._not_run(cfg, public_key, "the dependencies could not be "
                                          "installed", "build.dependencies")
        notebook = (sub.root / rel).read_bytes()
        with ctx.stage("public_run"):
            public = self._execute(ctx, image, notebook, public_files, "public")
        with ctx.stage("variant_run"):
            variant = self._execute(ctx, image, notebook, variant_files, "variant")
        self._keep_artifacts(ctx, public, variant)
        return checks + self._judge(cfg, public, variant, public_key, variant_key)

    @staticmethod
    def _judge(cfg: NotebookConfig, public: NotebookRun, variant: NotebookRun,
               public_key: dict[str, Any], variant_key: dict[str, Any]) -> list[CheckResult]:
        answers_file = cfg.answers_file
        public_answers = read_answers(public.files.get(answers_file),
                                      public.run.file_errors.get(answers_file, ""))
        variant_answers = read_answers(variant.files.get(answers_file),
                                       variant.run.file_errors.get(answers_file, ""))
        timeout = cfg.cell_timeout_seconds
        checks = [
            judging.runs_clean("notebook.runs-clean", "Runs top to bottom in a fresh kernel "
                               "(public data)", public, timeout, 3.0),
            judging.runs_clean("notebook.variant-runs-clean", "Runs on the hidden variant of "
                               "the dataset", variant, timeout, 2.0),
            judging.runtime_check(public, cfg.runtime_budget_seconds),
            judging.answers_format(public_key, public_answers)]
        public_verdicts = judge(public_key, public_answers)
        variant_verdicts = {v.id: v for v in judge(variant_key, variant_answers)}
        answer_checks = [judging.answer_check(v, variant_verdicts.get(v.id), public, variant,
                                              variant_answers, cfg.mistakes)
                         for v in public_verdicts]
        checks += answer_checks
        checks.append(judging.hard_coded_check(public_verdicts, variant_verdicts))
        checks += judging.cleaning_checks(cfg.cleaning, public_verdicts,
                                          {c.id: c for c in answer_checks}, cfg.mistakes)
        checks += figure_checks(public, cfg.figures.min)
        return checks

    # -- pieces -----------------------------------------------------------------------------
    @staticmethod
    def _find_notebook(ctx: GradingContext[NotebookConfig]) -> tuple[str | None, str]:
        wanted = ctx.config.notebook
        files = ctx.submission.files
        if wanted in files:
            return wanted, ""
        found = [f for f in files if f.endswith(".ipynb") and ".ipynb_checkpoints" not in f
                 and PurePosixPath(f).name not in _RESERVED]
        if len(found) == 1:
            return found[0], ""
        if not found:
            return None, f"no notebook: expected {wanted}"
        return None, (f"no {wanted}, and {len(found)} other notebooks ({', '.join(found[:5])}): "
                      "which one to grade is ambiguous")

    @staticmethod
    def _not_run(cfg: NotebookConfig, key: dict[str, Any], why: str,
                 blocked_by: str) -> list[CheckResult]:
        """Every check of a notebook run, not run: `why` and the check that stopped it."""
        titles = [("notebook.runs-clean", "Runs top to bottom in a fresh kernel (public data)"),
                  ("notebook.variant-runs-clean", "Runs on the hidden variant of the dataset"),
                  ("notebook.runtime", f"Runs within {cfg.runtime_budget_seconds:g} s"),
                  ("answers.format", "answers.json written in the documented format"),
                  ("answers.not-hard-coded", "Answers are computed, not hard-coded")]
        titles += [(f"answer.{v.id}", f"Answer: {v.id}") for v in judge(key, Answers())]
        titles += [(f"cleaning.{c.id}", c.title or c.id) for c in cfg.cleaning]
        titles += [("figures.count", "Figures"), ("figures.labelled",
                                                  "Figures have labelled axes")]
        return [CheckResult.not_run(cid, why, blocked_by=blocked_by, title=title)
                for cid, title in titles]

    @staticmethod
    def _execute(ctx: GradingContext[NotebookConfig], image: str, notebook: bytes,
                 data: dict[str, bytes], which: str) -> NotebookRun:
        cfg, sub = ctx.config, ctx.submission
        data_dir = cfg.data.dir.strip("/")
        # The candidate's files, minus the data folder (the grader hands in its own copy),
        # any stale answers file, and names the runner needs.
        files: dict[str, bytes | Path] = {
            rel: sub.root / rel for rel in sub.files
            if not rel.startswith(f"{data_dir}/") and rel != cfg.answers_file
            and rel not in _RESERVED}
        files.update({f"{data_dir}/{name}": content for name, content in data.items()})
        return execute_notebook(
            ctx.sandbox, image, notebook, files, ctx.challenge.limits,
            cell_timeout=cfg.cell_timeout_seconds, collect={cfg.answers_file: 256 * 1024},
            name_hint=f"notebook-{which}", env={"DATA_DIR": data_dir})

    @staticmethod
    def _keep_artifacts(ctx: GradingContext[NotebookConfig], public: NotebookRun,
                        variant: NotebookRun) -> None:
        for run, name in ((public, "executed"), (variant, "executed-variant")):
            if run.executed is None:
                continue
            ctx.add_artifact(f"{name}.ipynb", nbformat.writes(run.executed))
            if name == "executed":
                html = render_notebook_html(run.executed)
                if html:
                    ctx.add_artifact(f"{name}.html", html)


def render_notebook_html(nb: Any) -> str:
    """The executed notebook as one HTML file; candidate HTML/JS outputs are sanitised."""
    try:
        from nbconvert import HTMLExporter

        exporter = HTMLExporter(sanitize_html=True, embed_images=True)
        with warnings.catch_warnings():  # "IPython3 lexer unavailable": fine for a report
            warnings.simplefilter("ignore")
            body, _ = exporter.from_notebook_node(nb)
        return str(body)
    except Exception as exc:  # a rendering failure must not lose the grading
        return (f"<p>the executed notebook could not be rendered: "
                f"{type(exc).__name__}</p><pre>{json.dumps(str(exc))[:500]}</pre>")
