"""The `notebook` track (data science): execute the candidate's notebook, check its answers.

1. Static facts on the host, on the notebook as submitted (`static.py`): row-by-row pandas
   loops, SQL where a question asks for it, markdown narrative under each question, execution
   order, lint.
2. The challenge's data generator makes the public dataset (the kit's) and a hidden variant
   (same schema, another seed), each with its answer key, on the host. Keys never enter a
   container.
3. The notebook runs twice in the hardened sandbox (`execute.py`: no network, fresh kernel,
   per-cell and total timeouts, a cell that ignores the interrupt killed with its kernel): on
   the public data and on the variant, each handed in through the documented data folder. A
   failing cell is recorded with its traceback and execution goes on. What is believed of a
   run comes from the runner's signed record (`records.py`); `sabotage.py` judges a notebook
   that keeps the run from ending or kills the runner.
4. `answers.json` comes out of each run and is judged on the host (`judging.py`): right on
   both datasets earns the question's weight; right on the public data only and unchanged on
   the variant is called hard-coded; a wrong answer that equals what a known mistake gives is
   named (the mistake's description), which also drives the cleaning checks. Each question's
   verdict (`verdicts.py`) says whether the business answer is right and what likely made it
   wrong, and the narrative is read against the recorded decision (`decision_text.py`); the
   challenge's caps say what a wrong one costs.
5. Figures (count, labelled axes, as recorded in the kernel: `figures.py`) and runtime come
   from the run; the executed notebook and an HTML rendering of it are kept as artifacts.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import nbformat

from grader.analysis import notebook_facts as nbf
from grader.checks import CheckResult
from grader.errors import ChallengeConfigError
from grader.tracks.base import GradingContext, Track
from grader.tracks.notebook import answer_checks, integrity, judging
from grader.tracks.notebook.answers import Answers, judge, questions, read_answers
from grader.tracks.notebook.config import NotebookConfig
from grader.tracks.notebook.decision_text import decision_check
from grader.tracks.notebook.execute import (
    RUNNER_FILES,
    NotebookRun,
    execute_notebook,
    runner_owned,
)
from grader.tracks.notebook.figures import FIGURE_CHECKS, figure_checks
from grader.tracks.notebook.hunting import key_hunt
from grader.tracks.notebook.narrative import narrative_check
from grader.tracks.notebook.sabotage import sabotage_check
from grader.tracks.notebook.stale import stale_check
from grader.tracks.notebook.static import STATIC_CHECKS, notebook_static_checks
from grader.tracks.notebook.verdicts import several_tests, verdict_checks
from grader.tracks.steps.dependencies import submission_image
from grader.tracks.steps.seeded import generated

RUN_CHECKS = ("notebook.found", "notebook.runs-clean", "notebook.variant-runs-clean",
              "notebook.runtime", "answers.format", "answers.not-hard-coded",
              "build.dependencies", "integrity.no-key-hunt", "integrity.no-sabotage",
              "notebook.outputs-fresh", "narrative.per-question")


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
                *(f"verdict.{q.id}" for q in config.questions),
                *(["narrative.decision"] if any(d.narrative for d in config.decisions) else []),
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
        cells = nbf.cells(nb)
        sections = nbf.sections(cells, {q.id: q.heading for q in cfg.questions})
        with ctx.stage("static"):
            checks += notebook_static_checks(sub.root, rel, nb, cfg)
            hunted = key_hunt(cells)
        with ctx.stage("images"):
            image = submission_image(ctx, ctx.image(cfg.image), checks)[0]
        if image is None:  # what the code says can still be judged
            hunt = integrity.find_hunt([], cells, hunted, cfg.decoy_key, rel)
            decision = decision_check(cfg, sections, None)
            return [*checks, narrative_check(cfg, sections, None), *filter(None, [decision]),
                    integrity.hunt_check(hunt, None, {}), *self._not_run(
                        cfg, public_key, "the dependencies could not be installed",
                        "build.dependencies", static=False)]
        notebook = (sub.root / rel).read_bytes()
        with ctx.stage("public_run"):
            public = self._execute(ctx, image, notebook, public_files, public_key,
                                   variant_key, "public")
        with ctx.stage("variant_run"):
            variant = self._execute(ctx, image, notebook, variant_files, variant_key,
                                    public_key, "variant")
        self._keep_artifacts(ctx, public, variant)
        submitted = sub.root / cfg.answers_file
        facts = _Facts(rel=rel, nb=nb, cells=cells, sections=sections, hunted=hunted,
                       submitted_answers=submitted.read_bytes()[:512 * 1024]
                       if cfg.answers_file in sub.files else None,
                       data=judging.DataFolder(cfg.data.dir.strip("/"), tuple(public_files),
                                               frozenset(sub.files)),
                       version_unknown=ctx.version_unknown)
        return checks + self._judge(cfg, public, variant, public_key, variant_key, facts)

    @staticmethod
    def _judge(cfg: NotebookConfig, public: NotebookRun, variant: NotebookRun,
               public_key: dict[str, Any], variant_key: dict[str, Any],
               facts: _Facts) -> list[CheckResult]:
        answers_file = cfg.answers_file
        public_answers = read_answers(public.files.get(answers_file),
                                      public.run.file_errors.get(answers_file, ""))
        variant_answers = read_answers(variant.files.get(answers_file),
                                       variant.run.file_errors.get(answers_file, ""))
        timeout = cfg.cell_timeout_seconds
        checks = [
            judging.runs_clean("notebook.runs-clean", "Runs top to bottom in a fresh kernel "
                               "(public data)", public, timeout, 3.0, facts.data),
            judging.runs_clean("notebook.variant-runs-clean", "Runs on the hidden variant of "
                               "the dataset", variant, timeout, 2.0, facts.data),
            judging.runtime_check(public, cfg.runtime_budget_seconds),
            judging.answers_format(public_key, public_answers)]
        public_verdicts = judge(public_key, public_answers)
        variant_verdicts = judge(variant_key, variant_answers)
        hunt = integrity.find_hunt([public, variant], facts.cells, facts.hunted, cfg.decoy_key,
                                   facts.rel)
        if cfg.decoy_key:
            hunting = bool(hunt.findings)
            hunt.decoy_hits = {
                **integrity.decoy_hits(_decoy(variant_key, public_key), variant_verdicts,
                                       hunting),
                **integrity.decoy_hits(_decoy(public_key, variant_key), public_verdicts,
                                       hunting)}
        void = {q: why for q in questions(public_key) if (why := hunt.no_credit(q, public))}
        judged = answer_checks.Judged(
            public_verdicts, answer_checks.carried_over(public_verdicts, variant_verdicts),
            public_answers, variant_answers, public, variant, cfg.mistakes,
            {d.answer: d for d in cfg.decisions}, void,
            weights={v.id: cfg.points(v.id) for v in public_verdicts})
        checks += [answer_checks.answer_check(v, judged) for v in public_verdicts]
        checks += verdict_checks(cfg.questions, judged, several_tests(facts.sections))
        checks.append(answer_checks.hard_coded_check(judged))
        checks += answer_checks.cleaning_checks(cfg.cleaning, judged)
        checks.append(integrity.hunt_check(hunt, public, void))
        checks.append(sabotage_check([("on the public data", public),
                                      ("on the hidden variant", variant)], facts.cells,
                                     facts.rel))
        checks.append(stale_check(facts.nb, public, facts.submitted_answers, public_answers,
                                  answers_file, facts.version_unknown))
        checks.append(narrative_check(cfg, facts.sections, public_answers))
        decision = decision_check(cfg, facts.sections, public_answers)
        checks += [decision] if decision else []
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
                 and PurePosixPath(f).name not in RUNNER_FILES]
        if len(found) == 1:
            return found[0], ""
        if not found:
            return None, f"no notebook: expected {wanted}"
        return None, (f"no {wanted}, and {len(found)} other notebooks ({', '.join(found[:5])}): "
                      "which one to grade is ambiguous")

    @staticmethod
    def _not_run(cfg: NotebookConfig, key: dict[str, Any], why: str,
                 blocked_by: str, static: bool = True) -> list[CheckResult]:
        """Every check of a notebook run, not run: `why` and the check that stopped it (the
        cleaning checks are unverified: a missing answer never debits them)."""
        titles = [("notebook.runs-clean", "Runs top to bottom in a fresh kernel (public data)"),
                  ("notebook.variant-runs-clean", "Runs on the hidden variant of the dataset"),
                  ("notebook.runtime", f"Runs within {cfg.runtime_budget_seconds:g} s"),
                  ("answers.format", "answers.json written in the documented format"),
                  ("answers.not-hard-coded", "Answers are computed, not hard-coded"),
                  ("notebook.outputs-fresh", "Saved outputs and answers agree with a fresh run"),
                  ("integrity.no-sabotage", "Lets the grading run end (no runaway cell, no "
                   "fork bomb)")]
        titles += [("narrative.per-question", "Markdown narrative per question"),
                   ("integrity.no-key-hunt", "No hunting for answer keys")] * static
        titles += [("narrative.decision", "Narrative agrees with the recorded decision")] * (
            static and any(d.narrative for d in cfg.decisions))
        answered = [(f"answer.{v.id}", f"Answer: {v.id}") for v in judge(key, Answers())]
        titles += [("figures.count", "Figures"), ("figures.labelled",
                                                  "Figures have labelled axes")]
        return [CheckResult.not_run(cid, why, blocked_by=blocked_by, title=title)
                for cid, title in titles] + [
            CheckResult.not_run(cid, why, blocked_by=blocked_by, title=title,
                                max_points=cfg.points(cid.removeprefix("answer.")))
            for cid, title in answered] + [
            CheckResult.not_run(f"verdict.{q.id}", why, blocked_by=blocked_by, max_points=0.0,
                                title=f"Answer right: {q.id}") for q in cfg.questions] + [
            CheckResult.unverified(f"cleaning.{c.id}", why, title=c.title or c.id)
            for c in cfg.cleaning]

    @staticmethod
    def _execute(ctx: GradingContext[NotebookConfig], image: str, notebook: bytes,
                 data: dict[str, bytes], key: dict[str, Any], other: dict[str, Any],
                 which: str) -> NotebookRun:
        cfg, sub = ctx.config, ctx.submission
        data_dir = cfg.data.dir.strip("/")
        # The candidate's files, minus the data folder (the grader hands in its own copy),
        # any stale answers file, and names the runner needs.
        files: dict[str, bytes | Path] = {
            rel: sub.root / rel for rel in sub.files
            if not rel.startswith(f"{data_dir}/") and rel != cfg.answers_file
            and not runner_owned(rel)}
        files.update({f"{data_dir}/{name}": content for name, content in data.items()})
        decoy = (cfg.decoy_key, json.dumps(_decoy(key, other), indent=2).encode()) \
            if cfg.decoy_key else None
        return execute_notebook(
            ctx.sandbox, image, notebook, files, ctx.challenge.limits,
            cell_timeout=cfg.cell_timeout_seconds, collect={cfg.answers_file: 256 * 1024},
            name_hint=f"notebook-{which}", env={"DATA_DIR": data_dir},
            answers_file=cfg.answers_file, decoy=decoy)

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


@dataclass
class _Facts:
    """What grading knows of the submission beside the runs."""

    rel: str
    nb: Any
    cells: list[nbf.Cell]
    sections: dict[str, list[nbf.Cell]]
    hunted: list[dict[str, Any]]
    submitted_answers: bytes | None
    data: judging.DataFolder
    #: Why the kit the notebook was written on is unknown (GradingContext.version_unknown):
    #: its saved outputs are then not compared with a fresh run on this version's data.
    version_unknown: str | None = None


def _decoy(key: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    """The decoy of the dataset whose key is `key`, clear of `other`'s answers too."""
    seed = key.get("seed")
    return integrity.make_decoy(key, seed if isinstance(seed, int) else 0, [other])


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
