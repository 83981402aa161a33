"""The `notebook` track (data science): execute the candidate's notebook, check its answers.

1. Static facts on the host, on the notebook as submitted: row-by-row pandas loops, SQL where
   a question asks for it, markdown narrative under each question, execution order, lint.
2. The challenge's data generator makes the public dataset (the kit's) and a hidden variant
   (same schema, another seed), each with its answer key, on the host. Keys never enter a
   container.
3. The notebook runs twice in the hardened sandbox (no network, fresh kernel, per-cell and
   total timeouts): on the public data and on the variant, each handed in through the
   documented data folder. A failing cell is recorded with its traceback and execution goes on.
4. `answers.json` comes out of each run and is judged on the host: right on both datasets
   earns the point; right on the public data only and unchanged on the variant is called
   hard-coded; a wrong answer that equals what a known mistake gives is named (the mistake's
   description), which also drives the cleaning checks.
5. Figures (count, labelled axes, as recorded in the kernel) and runtime come from the run;
   the executed notebook and an HTML rendering of it are kept as report artifacts.

track_config:
    image: notebook                     # challenge image the notebook runs in
    notebook: analysis.ipynb            # the notebook to grade (else the only .ipynb)
    answers_file: answers.json
    data:
      generator: data/generator.py      # generate(seed) -> object with .files and .key
      dir: data                         # where the files go in the work dir
      public_seed: 2024                 # the kit's data
      variant_seed: 36                  # the hidden variant
    cell_timeout_seconds: 60
    runtime_budget_seconds: 120         # the public run must finish within this
    questions:                          # heading: regex finding the question's markdown cell
      - {id: q1, heading: '^#+\\s*Q1\\b', sql: false}
    narrative: {min_words: 25, placeholders: ["_Your findings here._"]}
    figures: {min: 2}
    mistakes: {no_dedup: "the duplicate rows were not removed"}
    cleaning:
      - {id: deduplication, title: ..., mistakes: [no_dedup], questions: [q1]}
"""

from __future__ import annotations

import json
import threading
import time
import warnings
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import nbformat

from grader.analysis import notebook_facts as nbf
from grader.analysis.code_facts import findings_check, ruff_findings
from grader.challenge import Challenge, track_config_error
from grader.checks import CheckResult
from grader.errors import ChallengeConfigError
from grader.tracks.answers import (
    Answers,
    Verdict,
    judge,
    questions,
    read_answers,
    show,
)
from grader.tracks.base import GradingContext, Track
from grader.tracks.generators import load_generator
from grader.tracks.notebooks import NOTEBOOK_NAME, NotebookRun, execute_notebook
from grader.tracks.requirements import submission_image

_RESERVED = {NOTEBOOK_NAME, "executed.ipynb", "summary.json", "run_notebook.py",
             ".grader-figures.jsonl"}
_TRACEBACK_CHARS = 3000
_generator_lock = threading.Lock()
_generated: dict[tuple[str, int], tuple[dict[str, bytes], dict[str, Any]]] = {}



@dataclass(frozen=True)
class _Question:
    id: str
    heading: str
    sql: bool


def generate(challenge: Challenge, seed: int) -> tuple[dict[str, bytes], dict[str, Any]]:
    """(data files, answer key) for `seed`, from the challenge's generator (cached)."""
    path = challenge.root / str(challenge.track_config["data"]["generator"])
    cache_key = (str(path), seed)
    with _generator_lock:
        if cache_key not in _generated:
            data = load_generator(path).generate(seed)
            files, key = dict(data.files), dict(data.key)
            if not questions(key):
                raise ChallengeConfigError(f"{path}: generate({seed}) gave a key without "
                                           "questions (see grader/tracks/answers.py)")
            _generated[cache_key] = (files, key)
        return _generated[cache_key]


class NotebookTrack(Track):
    name = "notebook"

    # -- configuration ----------------------------------------------------------------------
    def validate(self, challenge: Challenge) -> None:
        cfg = challenge.track_config
        image = cfg.get("image", "notebook")
        if image not in challenge.images:
            raise track_config_error(challenge, "image",
                                     "the name of one of the challenge's images")
        data = cfg.get("data")
        if not isinstance(data, dict) or not (challenge.root / str(data.get("generator", ""))
                                              ).is_file():
            raise track_config_error(challenge, "data.generator", "a Python file in the challenge")
        for seed in ("public_seed", "variant_seed"):
            if not isinstance(data.get(seed), int) or isinstance(data.get(seed), bool):
                raise track_config_error(challenge, f"data.{seed}", "an integer")
        if data["public_seed"] == data["variant_seed"]:
            raise track_config_error(challenge, "data.variant_seed",
                                     "a seed other than public_seed")
        for key in ("cell_timeout_seconds", "runtime_budget_seconds"):
            value = cfg.get(key, 60)
            if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
                raise track_config_error(challenge, key, "a positive number")
        qs = cfg.get("questions")
        if not isinstance(qs, list) or not qs or not all(
                isinstance(q, dict) and isinstance(q.get("id"), str)
                and isinstance(q.get("heading"), str) for q in qs):
            raise track_config_error(challenge, "questions", "a list of {id, heading, sql}")
        mistakes = cfg.get("mistakes", {})
        if not isinstance(mistakes, dict):
            raise track_config_error(challenge, "mistakes", "a mapping of mistake -> description")
        for i, item in enumerate(cfg.get("cleaning", [])):
            if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not all(
                    isinstance(item.get(k), list) for k in ("mistakes", "questions")):
                raise track_config_error(challenge, f"cleaning[{i}]",
                                 "{id, title, mistakes: [...], questions: [...]}")

    @staticmethod
    def _questions(challenge: Challenge) -> list[_Question]:
        return [_Question(q["id"], q["heading"], bool(q.get("sql", False)))
                for q in challenge.track_config["questions"]]

    # -- grading ----------------------------------------------------------------------------
    def grade(self, ctx: GradingContext) -> list[CheckResult]:
        challenge, sub = ctx.challenge, ctx.submission
        cfg = challenge.track_config
        checks: list[CheckResult] = []
        data_cfg = cfg["data"]
        public_files, public_key = generate(challenge, int(data_cfg["public_seed"]))
        variant_files, variant_key = generate(challenge, int(data_cfg["variant_seed"]))

        rel, why = self._find_notebook(ctx)
        title = "Notebook found and readable"
        nb = None
        if rel is not None:
            nb, why = nbf.load_notebook(sub.root / rel)
        if nb is None:
            checks.append(CheckResult.failed("notebook.found", why, title=title))
            return checks + self._not_run(challenge, public_key, f"not run: {why}")
        checks.append(CheckResult.passed("notebook.found", rel, title=title,
                                         evidence={"notebook": rel}))

        t = time.monotonic()
        checks += self._static(ctx, rel, nb)
        ctx.timings["static"] = round(time.monotonic() - t, 3)

        t = time.monotonic()
        image = self._image(ctx, checks)
        ctx.timings["images"] = round(time.monotonic() - t, 3)
        if image is None:
            return checks + self._not_run(challenge, public_key,
                                          "not run: the dependencies could not be installed")

        notebook = (sub.root / rel).read_bytes()
        t = time.monotonic()
        public = self._execute(ctx, image, notebook, public_files, "public")
        ctx.timings["public_run"] = round(time.monotonic() - t, 3)
        t = time.monotonic()
        variant = self._execute(ctx, image, notebook, variant_files, "variant")
        ctx.timings["variant_run"] = round(time.monotonic() - t, 3)
        self._keep_artifacts(ctx, public, variant)

        answers_file = str(cfg.get("answers_file", "answers.json"))
        public_answers = read_answers(public.files.get(answers_file),
                                      public.run.file_errors.get(answers_file, ""))
        variant_answers = read_answers(variant.files.get(answers_file),
                                       variant.run.file_errors.get(answers_file, ""))
        cell_timeout = float(cfg.get("cell_timeout_seconds", 60))
        checks.append(self._runs_clean("notebook.runs-clean", "Runs top to bottom in a fresh "
                                       "kernel (public data)", public, cell_timeout, 3.0))
        checks.append(self._runs_clean("notebook.variant-runs-clean", "Runs on the hidden "
                                       "variant of the dataset", variant, cell_timeout, 2.0))
        checks.append(self._runtime(public, float(cfg.get("runtime_budget_seconds", 120))))
        checks.append(self._answers_format(public_key, public_answers))
        public_verdicts = judge(public_key, public_answers)
        variant_verdicts = {v.id: v for v in judge(variant_key, variant_answers)}
        mistakes = {str(k): str(v) for k, v in cfg.get("mistakes", {}).items()}
        answer_checks = [self._answer_check(v, variant_verdicts.get(v.id), public,
                                            variant, variant_answers, mistakes)
                         for v in public_verdicts]
        checks += answer_checks
        checks.append(self._hard_coded(public_verdicts, variant_verdicts))
        checks += self._cleaning(challenge, public_verdicts, {c.id: c for c in answer_checks},
                                 mistakes)
        checks += self._figures(public, cfg.get("figures", {}))
        return checks

    # -- pieces -----------------------------------------------------------------------------
    @staticmethod
    def _find_notebook(ctx: GradingContext) -> tuple[str | None, str]:
        wanted = str(ctx.challenge.track_config.get("notebook", "analysis.ipynb"))
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

    def _not_run(self, challenge: Challenge, key: dict[str, Any],
                 why: str) -> list[CheckResult]:
        out = [CheckResult.failed(cid, why, title=title) for cid, title in (
            ("notebook.runs-clean", "Runs top to bottom in a fresh kernel (public data)"),
            ("notebook.variant-runs-clean", "Runs on the hidden variant of the dataset"),
            ("answers.format", "answers.json written in the documented format"))]
        out += [CheckResult.failed(f"answer.{v.id}", why, title=f"Answer: {v.id}")
                for v in judge(key, Answers())]
        out += [CheckResult.failed(f"cleaning.{c['id']}", why, title=str(c.get("title", c["id"])))
                for c in challenge.track_config.get("cleaning", [])]
        out += [CheckResult.failed("figures.count", why, title="Figures"),
                CheckResult.failed("figures.labelled", why, title="Figures have labelled axes")]
        return out

    def _static(self, ctx: GradingContext, rel: str, nb: Any) -> list[CheckResult]:
        cfg = ctx.challenge.track_config
        cells = nbf.cells(nb)
        qs = self._questions(ctx.challenge)
        sections = nbf.sections(cells, {q.id: q.heading for q in qs})
        checks = [findings_check(
            "static.vectorized", "Vectorised pandas (no row-by-row loops)",
            nbf.row_loops(cells, rel), "what", "row-by-row loop(s)",
            "no iterrows/itertuples/apply(axis=1)/range(len(...)) loops")]

        for q in (q for q in qs if q.sql):
            found = nbf.uses_sql(sections.get(q.id, []))
            anywhere = found or nbf.uses_sql(cells)
            title = f"SQL used for {q.id}"
            if found:
                checks.append(CheckResult.passed(
                    "static.sql-used", f"{q.id} is answered with SQL: "
                    + "; ".join(f"{f['what']} at {f['file']}" for f in found[:3]),
                    title=title, kind="static", evidence={"found": found}))
            elif anywhere and q.id not in sections:
                checks.append(CheckResult.passed(
                    "static.sql-used", f"SQL is used ({anywhere[0]['file']}); the {q.id} "
                    "heading was not found to place it", title=title, kind="static",
                    evidence={"found": anywhere}))
            else:
                checks.append(CheckResult.failed(
                    "static.sql-used", f"{q.id} asks for SQL, but no SELECT query is run "
                    + ("under its heading" if q.id in sections else "anywhere"), title=title,
                    kind="static"))

        narrative = cfg.get("narrative", {}) if isinstance(cfg.get("narrative"), dict) else {}
        min_words = int(narrative.get("min_words", 25))
        placeholders = [str(p) for p in narrative.get("placeholders", [])]
        words = {q.id: nbf.narrative_words(sections[q.id], placeholders)
                 for q in qs if q.id in sections}
        written = [q for q, n in words.items() if n >= min_words]
        missing = [q.id for q in qs if q.id not in sections]
        message = (f"{len(written)} of {len(qs)} question(s) have at least {min_words} words "
                   "of markdown narrative: " + ", ".join(f"{q} {n}" for q, n in words.items()))
        if missing:
            message += f"; heading not found for {', '.join(missing)}"
        checks.append(CheckResult(
            id="narrative.per-question", status="passed" if len(written) == len(qs)
            else "failed", points=len(written) / len(qs), title="Markdown narrative per "
            "question", kind="static", message=message,
            evidence={"words": words, "min_words": min_words}))

        in_order, counts = nbf.execution_order(nb)
        checks.append(CheckResult(
            id="notebook.execution-order", status="passed" if in_order else "failed",
            points=1.0 if in_order else 0.0, title="Saved notebook was run top to bottom",
            kind="static", message=("execution counts in order" if in_order else
                                    "cells were run out of order before saving (hidden "
                                    "state risk): " + str(counts[:30])),
            evidence={"execution_counts": counts[:200]}))

        counts_by_rule, first, error = ruff_findings(ctx.submission.root, [rel])
        lines = max(nbf.code_lines(cells), 1)
        if error:
            checks.append(CheckResult.skipped("static.lint", error, title="Lint (ruff)",
                                              kind="static"))
        else:
            total = sum(counts_by_rule.values())
            per_100 = 100 * total / lines
            by_rule = ", ".join(f"{code} x{n}" for code, n in counts_by_rule.most_common(8))
            checks.append(CheckResult(
                id="static.lint", status="passed" if per_100 <= 2 else "failed",
                points=max(0.0, 1.0 - per_100 / 10), title="Lint (ruff)", kind="static",
                message=f"{total} ruff finding(s) in {lines} lines of notebook code"
                        + (f": {by_rule}" if by_rule else ""),
                evidence={"by_rule": dict(counts_by_rule.most_common()), "first": first}))
        return checks

    def _image(self, ctx: GradingContext, checks: list[CheckResult]) -> str | None:
        challenge = ctx.challenge
        name = f"{challenge.id}-{challenge.track_config.get('image', 'notebook')}"
        spec = next(s for s in self.image_specs(challenge) if s.name == name)
        return submission_image(ctx, ctx.sandbox.ensure_image(spec).tag, checks)[0]

    def _execute(self, ctx: GradingContext, image: str, notebook: bytes,
                 data: dict[str, bytes], which: str) -> NotebookRun:
        cfg = ctx.challenge.track_config
        data_dir = str(cfg["data"].get("dir", "data")).strip("/")
        answers_file = str(cfg.get("answers_file", "answers.json"))
        sub = ctx.submission
        # The candidate's files, minus the data folder (the grader hands in its own copy),
        # any stale answers file, and names the runner needs.
        files: dict[str, bytes | Path] = {
            rel: sub.root / rel for rel in sub.files
            if not rel.startswith(f"{data_dir}/") and rel != answers_file
            and rel not in _RESERVED}
        files.update({f"{data_dir}/{name}": content for name, content in data.items()})
        return execute_notebook(
            ctx.sandbox, image, notebook, files, ctx.challenge.limits,
            cell_timeout=float(cfg.get("cell_timeout_seconds", 60)),
            collect={answers_file: 256 * 1024}, name_hint=f"notebook-{which}",
            env={"DATA_DIR": data_dir})

    @staticmethod
    def _keep_artifacts(ctx: GradingContext, public: NotebookRun,
                        variant: NotebookRun) -> None:
        for run, name in ((public, "executed"), (variant, "executed-variant")):
            if run.executed is None:
                continue
            ctx.add_artifact(f"{name}.ipynb", nbformat.writes(run.executed))
            if name == "executed":
                html = _render_html(run.executed)
                if html:
                    ctx.add_artifact(f"{name}.html", html)

    @staticmethod
    def _runs_clean(check_id: str, title: str, run: NotebookRun, cell_timeout: float,
                    weight: float) -> CheckResult:
        """Passed when every code cell ran; otherwise half of the share of cells that ran
        (a notebook that does not run top to bottom is a real problem, but what ran counts)."""
        cells = run.cells
        if not cells:
            why = run.error or "; ".join(run.problems) or "nothing ran"
            return CheckResult.failed(check_id, f"no cell result came back: {why}",
                                      title=title, max_points=weight,
                                      evidence=_run_evidence(run))
        ok = sum(1 for c in cells if c["status"] == "ok")
        failed = [c for c in cells if c["status"] != "ok"]
        if not failed and run.completed:
            return CheckResult.passed(check_id, f"all {len(cells)} code cells ran without "
                                      "error", title=title, max_points=weight,
                                      evidence=_run_evidence(run))
        described = []
        for c in failed[:5]:
            if c["status"] == "not-run":
                described.append(f"cell {c['index'] + 1} did not run")
            elif c["status"] == "timeout":
                described.append(f"cell {c['index'] + 1} ran past the {cell_timeout:g} s "
                                 "per-cell timeout and was stopped")
            else:
                described.append(f"cell {c['index'] + 1} raised {c.get('ename', '')}: "
                                 f"{c.get('evalue', '')[:200]}")
        more = f" (+{len(failed) - 5} more)" if len(failed) > 5 else ""
        stop = f"; {run.error}" if run.error else ""
        return CheckResult(
            id=check_id, status="failed", points=weight * 0.5 * ok / len(cells),
            max_points=weight, title=title,
            message=f"{ok} of {len(cells)} code cells ran cleanly; " + "; ".join(described)
            + more + stop, evidence=_run_evidence(run))

    @staticmethod
    def _runtime(run: NotebookRun, budget: float) -> CheckResult:
        title = f"Runs within {budget:g} s"
        seconds = run.seconds if run.seconds is not None else run.run.seconds
        evidence = {"seconds": round(seconds, 2), "budget_seconds": budget}
        if run.run.outcome != "exited":
            return CheckResult.failed("notebook.runtime", f"did not finish: {run.error}",
                                      title=title, evidence=evidence)
        if seconds > budget:
            return CheckResult.failed("notebook.runtime", f"took {seconds:.1f} s, over the "
                                      f"{budget:g} s budget", title=title, evidence=evidence)
        return CheckResult.passed("notebook.runtime", f"ran in {seconds:.1f} s", title=title,
                                  evidence=evidence)

    @staticmethod
    def _answers_format(key: dict[str, Any], answers: Answers) -> CheckResult:
        title = "answers.json written in the documented format"
        if not answers.present:
            return CheckResult.failed("answers.format", "; ".join(answers.problems),
                                      title=title)
        # Unanswered questions cost their answer checks, not this one: here, the types.
        verdicts = [v for v in judge(key, answers) if not v.missing]
        unanswered = [q for q in questions(key) if q not in answers.values]
        bad = [v for v in verdicts if v.note and not v.correct]
        extra = sorted(set(answers.values) - set(questions(key)))
        evidence = {"answers": {k: answers.values[k] for k in list(answers.values)[:50]}}
        notes = (f"; unknown keys ignored: {', '.join(extra[:5])}" if extra else "") + (
            f"; unanswered: {', '.join(unanswered)}" if unanswered else "")
        if not verdicts:
            return CheckResult.failed("answers.format", "answers.json holds no answer to any "
                                      "question" + notes, title=title, evidence=evidence)
        if bad:
            return CheckResult(
                id="answers.format", status="failed", points=1 - len(bad) / len(verdicts),
                title=title, evidence=evidence,
                message="; ".join(v.describe() for v in bad[:6]) + notes)
        return CheckResult.passed(
            "answers.format", f"{len(verdicts)} answer(s) with the documented types" + notes,
            title=title, evidence=evidence)

    @staticmethod
    def _answer_check(public: Verdict, variant: Verdict | None, public_run: NotebookRun,
                      variant_run: NotebookRun, variant_answers: Answers,
                      mistakes: dict[str, str]) -> CheckResult:
        cid, title = f"answer.{public.id}", f"Answer: {public.id}"
        evidence: dict[str, Any] = {
            "public": {"given": public.given, "expected": public.expected},
            "variant": None if variant is None else {"given": variant.given,
                                                     "expected": variant.expected}}
        if not public.correct:
            text = public.describe()
            if public.mistakes:
                says = "; ".join(mistakes.get(m, m) for m in public.mistakes)
                text += f": that is the answer you get when {says}"
                evidence["mistakes"] = list(public.mistakes)
            if public.missing:
                text += _why_missing(public_run)
            return CheckResult.failed(cid, text, title=title, evidence=evidence)
        if variant is None or variant.correct:
            return CheckResult.passed(cid, public.describe() + "; right on the hidden variant "
                                      "too", title=title, evidence=evidence)
        same_key = _same(variant.expected, public.expected)
        if same_key:
            return CheckResult.passed(cid, public.describe() + " (the hidden variant has the "
                                      "same answer, so it cannot confirm it)", title=title,
                                      evidence=evidence)
        if not variant.missing and _same(variant.given, public.given):
            return CheckResult.failed(
                cid, f"hard-coded: {public.id} = {public.given!r} on the public data and the "
                f"same on the hidden variant, whose answer is {variant.expected!r}",
                title=title, evidence=evidence)
        if variant.missing:
            why = ("; ".join(variant_answers.problems) if not variant_answers.present else
                   "no answer") + _why_missing(variant_run)
            return CheckResult.failed(
                cid, f"right on the public data ({public.given!r}) but not answered on the "
                f"hidden variant: {why}", points=0.5, title=title, evidence=evidence)
        return CheckResult.failed(
            cid, f"right on the public data ({public.given!r}) but wrong on the hidden variant "
            f"({variant.describe()}): the method does not carry over to new data",
            points=0.5, title=title, evidence=evidence)

    @staticmethod
    def _hard_coded(public: list[Verdict], variant: dict[str, Verdict]) -> CheckResult:
        title = "Answers are computed, not hard-coded"
        same = [v.id for v in public if v.correct and v.id in variant
                and not variant[v.id].correct and not variant[v.id].missing
                and not _same(variant[v.id].expected, v.expected)
                and _same(variant[v.id].given, v.given)]
        checked = [v.id for v in public if v.correct and v.id in variant
                   and not _same(variant[v.id].expected, v.expected)]
        if same:
            return CheckResult.failed(
                "answers.not-hard-coded", f"{len(same)} answer(s) stayed the same on a hidden "
                f"variant of the dataset whose answers differ: {', '.join(same)}", title=title,
                evidence={"same": same})
        if not checked:
            return CheckResult.skipped("answers.not-hard-coded", "no right answer on the "
                                       "public data to test on the variant", title=title)
        return CheckResult.passed(
            "answers.not-hard-coded", f"{len(checked)} right answer(s) followed the data to "
            "the hidden variant", title=title)

    @staticmethod
    def _cleaning(challenge: Challenge, verdicts: list[Verdict],
                  answer_checks: dict[str, CheckResult],
                  mistakes: dict[str, str]) -> list[CheckResult]:
        out = []
        for item in challenge.track_config.get("cleaning", []):
            cid = f"cleaning.{item['id']}"
            title = str(item.get("title", item["id"]))
            names, qs = set(item["mistakes"]), set(item["questions"])
            mine = [v for v in verdicts if v.question in qs]
            shown = [v for v in mine if set(v.mistakes) & names]
            if shown:
                says = "; ".join(sorted({mistakes.get(m, m) for v in shown
                                         for m in set(v.mistakes) & names}))
                given = "; ".join(f"{v.id} = {show(v.given)} instead of {show(v.expected)}"
                                  for v in shown[:3])
                out.append(CheckResult.failed(
                    cid, f"{says}: {given}, exactly what that gives", title=title,
                    evidence={"answers": [v.id for v in shown]}))
                continue
            right = [v for v in mine if answer_checks[f"answer.{v.id}"].status == "passed"]
            if mine and len(right) == len(mine):
                out.append(CheckResult.passed(
                    cid, f"shown by the right answers to {', '.join(sorted(qs))}", title=title))
            else:
                out.append(CheckResult.failed(
                    cid, f"not shown: {len(right)} of {len(mine)} answer(s) that depend on it "
                    "are right", points=len(right) / len(mine) if mine else 0.0, title=title))
        return out

    @staticmethod
    def _figures(run: NotebookRun, cfg: Any) -> list[CheckResult]:
        minimum = int(cfg.get("min", 1)) if isinstance(cfg, dict) else 1
        displayed = sum(c.get("figures", 0) for c in run.cells)
        count = max(displayed, len(run.figures))
        title = "Figures"
        if count >= minimum:
            first = CheckResult.passed("figures.count", f"{count} figure(s)", title=title)
        else:
            first = CheckResult.failed("figures.count", f"{count} figure(s), at least "
                                       f"{minimum} expected", points=count / minimum,
                                       title=title)
        title = "Figures have labelled axes"
        if not run.figures:
            second = CheckResult.failed("figures.labelled", "no figure to judge" if not count
                                        else "the figures' axes could not be read",
                                        title=title)
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
    """Every axes with data names what its visible axes show (a pie needs a title)."""
    axes = [a for a in figure["axes"] if a["has_data"]] or figure["axes"]
    if not axes:
        return False
    for ax in axes:
        if ax["axis_on"] and not (ax["xlabel"].strip() and ax["ylabel"].strip()):
            return False
        if not ax["axis_on"] and not (ax["title"].strip() or figure["suptitle"].strip()):
            return False
    return True


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(
            a, bool) and not isinstance(b, bool):
        return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))
    if isinstance(a, str) and isinstance(b, str):
        return a.strip().casefold() == b.strip().casefold()
    return bool(a == b)


def _why_missing(run: NotebookRun) -> str:
    failed = run.failed_cells
    if failed:
        c = failed[0]
        if c["status"] == "timeout":
            return f" (cell {c['index'] + 1} was stopped at the per-cell timeout)"
        return (f" (cell {c['index'] + 1} failed: {c.get('ename', c['status'])}"
                f"{': ' + c.get('evalue', '')[:150] if c.get('evalue') else ''})")
    if run.error:
        return f" ({run.error[:200]})"
    return ""


def _run_evidence(run: NotebookRun) -> dict[str, Any]:
    return {
        "outcome": run.run.outcome, "seconds": run.seconds, "error": run.error[:2000],
        "problems": run.problems[:10],
        "cells": [f"cell {c['index'] + 1}: {c['status']}"
                  + (f" ({c['ename']})" if c.get("ename") else "")
                  + (f", {c['figures']} figure(s)" if c.get("figures") else "")
                  for c in run.cells[:200]],
        "tracebacks": [{"cell": c["index"] + 1, "traceback": c.get("traceback", "")
                        [-_TRACEBACK_CHARS:]} for c in run.failed_cells[:5]],
        "stderr_tail": run.run.stderr.text()[-2000:] if run.run.outcome != "exited" else ""}


def _render_html(nb: Any) -> str:
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
