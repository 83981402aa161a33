"""The `mle` track: retrain the candidate's model, serve the artifact without the training
code, score it on a hidden holdout, time it and throw bad requests at it.

1. Static facts on the host: lint, secrets, Python-2-isms, the serialization format
   (pickle-based formats flagged, skops/ONNX welcomed), tests present.
2. Training: the `train` command of submission.yaml runs in the sandbox (no network, time and
   memory capped) with the grader's copy of the training data in `data/`; the `artifact` it
   names is copied out (as a tar read defensively on the host). If training fails but the
   submission carries that artifact, the committed one is served and the report says so.
3. Serving: a fresh container holds the submission minus the training code and data
   (`serving_excludes`) plus the artifact, and runs the `serve` command on an internal network.
   A model that cannot load there (a pickled class from train.py) fails portability with the
   server's log.
4. A separate prober container (grader's probe.py, stdlib only) sends the holdout's *features*
   in batches, measures single-record and batch latency, checks determinism, sends bad
   requests, and checks whether the model's output moves with the leaky column. Labels never
   leave the host: ROC AUC and the rest are computed here.
5. The candidate's own tests run without network, with the artifact and training data.

track_config: see challenges/mle/challenge.yaml (data, port, serving_excludes, latency_ms,
leaky_column, required_fields, batch sizes).
"""

from __future__ import annotations

import io
import json
import math
import re
import tarfile
import threading
import time
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath
from typing import Any

from grader.analysis.code_facts import quality_checks
from grader.challenge import Challenge, track_config_error
from grader.checks import CheckResult
from grader.errors import ChallengeConfigError
from grader.sandbox.engine import RunResult, RunSpec
from grader.tracks.base import GradingContext, Track
from grader.tracks.generators import load_generator
from grader.tracks.own_tests import own_tests
from grader.tracks.requirements import submission_image
from grader.tracks.serving import PROBE

ARTIFACT_TAR = ".grader/artifact.tar"
RESULTS_CAP = 32 * 1024 * 1024
TRAIN_SCRIPT = (
    'mkdir -p .grader; sh -c "$GRADER_TRAIN"; code=$?; '
    'if [ -e "$GRADER_ARTIFACT" ]; then tar -cf .grader/artifact.tar -- "$GRADER_ARTIFACT" '
    "2>/dev/null; fi; exit $code")
_cache_lock = threading.Lock()
_datasets: dict[tuple[str, int], Any] = {}

PICKLE_BASED = re.compile(r"\b(joblib|pickle|cloudpickle|dill)\.dumps?\(|\btorch\.save\(")
SAFE_FORMATS = re.compile(r"\bskops\b|\bonnx\b|convert_sklearn|to_onnx|\.save_model\(|"
                          r"safetensors")
SAFE_SUFFIXES = (".skops", ".onnx", ".safetensors", ".ubj")
PICKLE_SUFFIXES = (".pkl", ".pickle", ".joblib", ".pt", ".pth", ".sav")



def dataset(challenge: Challenge) -> Any:
    """The generator's Dataset for the public seed (train csv, holdout rows/labels, key)."""
    cfg = challenge.track_config["data"]
    path = challenge.root / str(cfg["generator"])
    key = (str(path), int(cfg["public_seed"]))
    with _cache_lock:
        if key not in _datasets:
            _datasets[key] = load_generator(path).generate(int(cfg["public_seed"]))
        return _datasets[key]


def roc_auc(labels: list[int], scores: list[float]) -> float:
    """Mann-Whitney ROC AUC with average ranks for ties."""
    order = sorted(range(len(scores)), key=lambda i: scores[i])
    ranks = [0.0] * len(scores)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and scores[order[j + 1]] == scores[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    pos = sum(labels)
    neg = len(labels) - pos
    if not pos or not neg:
        return float("nan")
    return (sum(r for r, y in zip(ranks, labels, strict=True) if y) - pos * (pos + 1) / 2) / (
        pos * neg)


def _probability(pred: Any) -> float | None:
    if not isinstance(pred, dict):
        return None
    p = pred.get("probability")
    if isinstance(p, bool) or not isinstance(p, int | float) or not math.isfinite(p):
        return None
    return float(p) if 0.0 <= p <= 1.0 else None


def _label(pred: Any) -> int | None:
    value = pred.get("label") if isinstance(pred, dict) else None
    if isinstance(value, bool):
        return int(value)
    return value if isinstance(value, int) and value in (0, 1) else None


def read_artifact_tar(raw: bytes, cap: int) -> tuple[dict[str, bytes], str]:
    """Regular files of the artifact tar (no links, no absolute or `..` paths), or a problem."""
    files: dict[str, bytes] = {}
    total = 0
    try:
        with tarfile.open(fileobj=io.BytesIO(raw), mode="r:") as tar:
            for member in tar:
                path = PurePosixPath(member.name)
                if path.is_absolute() or ".." in path.parts:
                    return {}, f"the artifact holds an unsafe path: {member.name[:200]}"
                if member.isdir():
                    continue
                if not member.isfile():
                    return {}, f"the artifact holds a link or special file: {member.name[:200]}"
                total += member.size
                if total > cap:
                    return {}, f"the artifact is larger than {cap // 2**20} MiB"
                handle = tar.extractfile(member)
                files[path.as_posix()] = handle.read() if handle else b""
    except (tarfile.TarError, OSError) as exc:
        return {}, f"the artifact could not be read back: {exc}"
    return files, ""


class MleTrack(Track):
    name = "mle"

    # -- configuration ----------------------------------------------------------------------
    def validate(self, challenge: Challenge) -> None:
        cfg = challenge.track_config
        for image in ("runtime", "prober"):
            if image not in challenge.images:
                raise ChallengeConfigError(
                    f"{challenge.config_file}: key 'images.{image}': expected the mle "
                    "track's image (a Dockerfile)")
        data = cfg.get("data")
        if not isinstance(data, dict) or not (challenge.root / str(data.get("generator", ""))
                                              ).is_file():
            raise track_config_error(challenge, "data.generator", "a Python file in the challenge")
        if not isinstance(data.get("public_seed"), int):
            raise track_config_error(challenge, "data.public_seed", "an integer")
        for key in ("port", "startup_timeout_seconds", "batch_size", "singles", "big_batch",
                    "huge_batch", "artifact_cap_mb"):
            value = cfg.get(key, 1)
            if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
                raise track_config_error(challenge, key, "a positive number")
        if not isinstance(cfg.get("required_fields", []), list):
            raise track_config_error(challenge, "required_fields", "a list of field names")

    # -- grading ----------------------------------------------------------------------------
    def grade(self, ctx: GradingContext) -> list[CheckResult]:
        challenge, sub = ctx.challenge, ctx.submission
        cfg = challenge.track_config
        data = dataset(challenge)
        checks: list[CheckResult] = []

        t = time.monotonic()
        own = ctx.candidate_files
        if any(f.endswith(".py") for f in own):
            checks += quality_checks(sub.root, own)
        else:
            checks += [CheckResult.failed(cid, "no Python code of the candidate's own to judge",
                                          title=title, kind="static")
                       for cid, title in (("static.lint", "Lint (ruff)"),
                                          ("static.no-secrets", "No secrets committed"),
                                          ("static.modern-python", "Modern Python"))]
        ctx.timings["static"] = round(time.monotonic() - t, 3)

        t = time.monotonic()
        specs = {s.name: s for s in self.image_specs(challenge)}
        runtime = ctx.sandbox.ensure_image(specs[f"{challenge.id}-runtime"]).tag
        prober = ctx.sandbox.ensure_image(specs[f"{challenge.id}-prober"]).tag
        image = submission_image(ctx, runtime, checks,
                                 failure_note=" (graded on the track image alone)")[0] or runtime
        ctx.timings["images"] = round(time.monotonic() - t, 3)

        t = time.monotonic()
        artifact, why_not = self._train(ctx, image, data.train_csv, checks)
        ctx.timings["train"] = round(time.monotonic() - t, 3)
        checks.append(self._serialization(ctx, artifact))

        t = time.monotonic()
        checks += self._serve_and_probe(ctx, image, prober, artifact, why_not, data)
        ctx.timings["serve_and_probe"] = round(time.monotonic() - t, 3)

        t = time.monotonic()
        data_dir = str(cfg["data"].get("dir", "data")).strip("/")
        checks += [c for c in own_tests(ctx, image or runtime, extra_files={
            **(artifact or {}), f"{data_dir}/train.csv": data.train_csv})
            if c.id != "tests.own.coverage"]
        ctx.timings["own_tests"] = round(time.monotonic() - t, 3)
        return checks

    # -- training ---------------------------------------------------------------------------
    def _train(self, ctx: GradingContext, image: str, train_csv: bytes,
               checks: list[CheckResult]) -> tuple[dict[str, bytes] | None, str]:
        sub, cfg = ctx.submission, ctx.challenge.track_config
        train, artifact = sub.manifest.commands.get("train"), sub.manifest.artifact
        data_dir = str(cfg["data"].get("dir", "data")).strip("/")
        title_runs, title_artifact = "Training runs in the sandbox", "Training writes the artifact"
        if not train or not artifact:
            missing = " and ".join(x for x, v in (("commands.train", train),
                                                   ("artifact", artifact)) if not v)
            why = f"submission.yaml has no {missing}"
            checks += [CheckResult.failed("train.runs", why, title=title_runs),
                       CheckResult.failed("train.artifact", why, title=title_artifact)]
            return None, why
        cap = int(float(cfg.get("artifact_cap_mb", 200)) * 2**20)
        files: dict[str, bytes | Path] = {
            rel: sub.root / rel for rel in sub.files if not rel.startswith(f"{data_dir}/")
            and not (rel == artifact or rel.startswith(f"{artifact}/"))}
        files[f"{data_dir}/train.csv"] = train_csv
        result = ctx.sandbox.run(RunSpec(
            image=image, command=["/bin/sh", "-c", TRAIN_SCRIPT], name_hint="train",
            limits=ctx.challenge.limits.merged(
                timeout_seconds=cfg.get("train_timeout_seconds")), files=files,
            env={"GRADER_TRAIN": train, "GRADER_ARTIFACT": artifact, "DATA_DIR": data_dir},
            collect={ARTIFACT_TAR: cap + 1024 * 1024}))
        ctx.timings["train_seconds"] = round(result.seconds, 3)
        log = (result.stdout.text() + "\n--- stderr ---\n" + result.stderr.text())[-200_000:]
        ctx.add_artifact("train.log", log)
        evidence = {"run": result.to_evidence(), "command": train}
        trained: dict[str, bytes] = {}
        problem = ""
        if ARTIFACT_TAR in result.files:
            trained, problem = read_artifact_tar(result.files[ARTIFACT_TAR], cap)
        if result.ok:
            checks.append(CheckResult.passed("train.runs", f"`{train}` finished in "
                                              f"{result.seconds:.1f} s", title=title_runs,
                                              evidence=evidence))
        else:
            checks.append(CheckResult.failed("train.runs", f"`{train}` {result.describe()}",
                                             title=title_runs, evidence=evidence))
        if trained:
            size = sum(len(v) for v in trained.values())
            checks.append(CheckResult.passed(
                "train.artifact", f"{artifact}: {len(trained)} file(s), {size / 1024:.0f} KiB, "
                "written by the training run", title=title_artifact,
                evidence={"files": sorted(trained)[:50]}))
            return trained, ""
        committed = {rel: (sub.root / rel).read_bytes() for rel in sub.files
                     if rel == artifact or rel.startswith(f"{artifact}/")}
        why = problem or f"the training run did not write {artifact}"
        if committed:
            checks.append(CheckResult.failed(
                "train.artifact", f"{why}; serving the {artifact} committed with the "
                "submission instead", points=0.25, title=title_artifact))
            return committed, ""
        checks.append(CheckResult.failed("train.artifact", why, title=title_artifact))
        return None, why

    # -- static: serialization --------------------------------------------------------------
    @staticmethod
    def _serialization(ctx: GradingContext, artifact: dict[str, bytes] | None) -> CheckResult:
        title = "Serialization format"
        root = ctx.submission.root
        pickle_uses, safe_uses = [], []
        for rel in ctx.candidate_files:
            if not rel.endswith(".py") or (root / rel).stat().st_size > 1024 * 1024:
                continue
            for n, line in enumerate((root / rel).read_text(errors="replace").splitlines(), 1):
                if PICKLE_BASED.search(line):
                    pickle_uses.append(f"{rel}:{n} {line.strip()[:100]}")
                elif SAFE_FORMATS.search(line) and not line.lstrip().startswith("#"):
                    safe_uses.append(f"{rel}:{n} {line.strip()[:100]}")
        names = sorted(artifact or {})
        safe_files = [n for n in names if n.endswith(SAFE_SUFFIXES)]
        pickle_files = [n for n in names if n.endswith(PICKLE_SUFFIXES)]
        evidence = {"pickle_based": pickle_uses[:10], "safe_formats": safe_uses[:10],
                    "artifact_files": names[:50]}
        if (safe_files or safe_uses) and not (pickle_files or pickle_uses):
            return CheckResult.passed(
                "static.serialization", "a format that is safe to load (skops/ONNX/native): "
                + ", ".join(safe_files[:3] or [u.split(" ")[0] for u in safe_uses[:3]]),
                title=title, kind="static", evidence=evidence)
        if pickle_files or pickle_uses:
            where = ", ".join(pickle_files[:3] or [u.split(" ")[0] for u in pickle_uses[:3]])
            return CheckResult.failed(
                "static.serialization", f"pickle-based ({where}): loading it runs arbitrary "
                "code, so it must never come from an untrusted source; skops or ONNX avoid "
                "that", points=0.5, title=title, kind="static", evidence=evidence)
        return CheckResult.failed("static.serialization", "no known serialization format "
                                  "found in the code or the artifact", title=title,
                                  kind="static", evidence=evidence)

    # -- serving ----------------------------------------------------------------------------
    @staticmethod
    def _plan(cfg: dict[str, Any], data: Any) -> dict[str, Any]:
        records = data.holdout_rows
        good = next(r for r in records if all(r.get(f) is not None
                                              for f in cfg.get("required_fields", [])))
        first_field = (cfg.get("required_fields") or ["tenure_months"])[0]
        missing = {k: v for k, v in good.items() if k != first_field}
        unseen = cfg.get("unseen_category") if isinstance(cfg.get("unseen_category"),
                                                         dict) else {}
        categorical = unseen.get("field") or next(
            (k for k, v in good.items() if isinstance(v, str)
             and k in cfg.get("required_fields", [])), None)
        huge = (records * (int(cfg.get("huge_batch", 20000)) // len(records) + 1))[
            :int(cfg.get("huge_batch", 20000))]
        probes = [
            ("missing-field", {"records": [missing]}),
            ("wrong-type", {"records": [{**good, first_field: "a lot"}]}),
            ("extra-field", {"records": [{**good, "favourite_colour": "green"}]}),
            ("unseen-category", {"records": [{**good, categorical: unseen.get("value",
                                                                                 "atlantis")}]}
             if categorical else {"records": [good]}),
            ("empty-batch", {"records": []}),
            ("null-record", {"records": [None]}),
            ("not-an-object", [1, 2, 3]),
            ("huge-batch", {"records": huge}),
        ]
        plan_probes = [{"name": n, "body": json.dumps(body), "keep_predictions":
                        n == "unseen-category"} for n, body in probes]
        plan_probes.append({"name": "malformed-json", "body": '{"records": [{"tenure_'})
        plan_probes.append({"name": "wrong-content-type", "body": "tenure_months=3",
                            "content_type": "application/x-www-form-urlencoded"})
        leaky = cfg.get("leaky_column")
        if leaky:
            sample = records[:200]
            for value in cfg.get("leak_values", [150_000, 950_000]):
                plan_probes.append({"name": f"leak-{value}", "keep_predictions": True,
                                    "body": json.dumps({"records": [{**r, leaky: value}
                                                                    for r in sample]})})
        return {"records": records, "batch_size": int(cfg.get("batch_size", 100)),
                "singles": int(cfg.get("singles", 300)),
                "singles_budget_seconds": float(cfg.get("singles_budget_seconds", 20)),
                "big_batch": int(cfg.get("big_batch", 1000)), "probes": plan_probes}

    def _serve_and_probe(self, ctx: GradingContext, image: str, prober: str,
                         artifact: dict[str, bytes] | None, why_not: str,
                         data: Any) -> list[CheckResult]:
        sub, cfg = ctx.submission, ctx.challenge.track_config
        serve, artifact_path = sub.manifest.commands.get("serve"), sub.manifest.artifact
        if artifact is None or not serve:
            why = why_not or "submission.yaml has no `serve` command"
            return self._not_served(f"not run: {why}")
        excludes = [str(p) for p in cfg.get("serving_excludes", [])]
        files: dict[str, bytes | Path] = {
            rel: sub.root / rel for rel in sub.files
            if not any(fnmatchcase(rel, p) for p in excludes)
            and not (rel == artifact_path or rel.startswith(f"{artifact_path}/"))}
        files.update(artifact)
        port = int(cfg.get("port", 8000))
        network = ctx.sandbox.internal_network("mle")
        server = ctx.sandbox.start(RunSpec(
            image=image, command=["/bin/sh", "-c", serve], network=network, alias="app",
            name_hint="model-server", limits=ctx.challenge.limits, files=files,
            env={"PORT": str(port), "HOST": "0.0.0.0", "MODEL_PATH": str(artifact_path)}))
        plan = json.dumps(self._plan(cfg, data)).encode()
        startup = float(cfg.get("startup_timeout_seconds", 60))
        probe_limits = ctx.challenge.limits.merged(memory_mb=1024, timeout_seconds=startup
                                                   + 600)
        result = ctx.sandbox.run(RunSpec(
            image=prober, network=network, name_hint="prober", limits=probe_limits,
            command=["python", "probe.py", "--base-url", f"http://app:{port}", "--wait",
                     str(startup), "--plan", "plan.json", "--out", "results.json"],
            files={"probe.py": PROBE, "plan.json": plan},
            collect={"results.json": RESULTS_CAP},
            stop_when=lambda: not server.running()))
        server_log = server.logs_tail(256 * 1024)
        ctx.add_artifact("server.log", server_log)
        server.stop()
        results = self._json(result)
        excluded = sorted({p for p in excludes if any(fnmatchcase(r, p) for r in sub.files)})
        title = "The model loads and serves without the training code"
        ready = (results or {}).get("ready") or {}
        if not ready.get("ready"):
            why = ("the server process exited" if not server.running() and result.outcome ==
                   "stopped" else f"no answer on /health within {startup:g} s")
            failed = CheckResult.failed(
                "serve.loads-without-training-code", f"{why}; the server's log ends with: "
                + (server_log.strip().splitlines() or ["(nothing)"])[-1][:300],
                title=title, evidence={"server_log_tail": server_log[-6000:],
                                       "excluded_from_serving": excluded,
                                       "prober": result.to_evidence()})
            return [failed, *self._not_served(f"not run: {why}")[1:]]
        checks = [CheckResult.passed(
            "serve.loads-without-training-code", f"answered /health after {ready.get('seconds')}"
            f" s, from a container without {', '.join(excluded) or 'training files'}",
            title=title, evidence={"excluded_from_serving": excluded})]
        checks += self._judge(results or {}, data, cfg)
        ctx.add_artifact("probe-results.json", json.dumps(
            {k: v for k, v in (results or {}).items() if k != "holdout"}, indent=1)[:2_000_000])
        return checks

    @staticmethod
    def _json(result: RunResult) -> dict[str, Any] | None:
        raw = result.files.get("results.json")
        try:
            data = json.loads(raw) if raw is not None else None
        except (ValueError, UnicodeDecodeError):
            return None
        return data if isinstance(data, dict) else None

    @staticmethod
    def _not_served(why: str) -> list[CheckResult]:
        ids = [("serve.loads-without-training-code", "The model loads and serves without the "
                "training code"), ("model.holdout-auc", "ROC AUC on the hidden holdout"),
               ("model.leak-free", "The model does not use the leaky column"),
               ("api.predict-contract", "/predict follows the contract"),
               ("api.metadata", "/metadata describes the model"),
               ("api.deterministic", "Same input, same output"),
               ("robust.bad-requests", "Bad requests get 4xx"),
               ("robust.still-up", "The server survives bad requests"),
               ("latency.single", "Single-record latency"),
               ("latency.batch", "1,000-record batch latency")]
        return [CheckResult.failed(cid, why, title=title) for cid, title in ids]

    # -- judging ----------------------------------------------------------------------------
    def _judge(self, results: dict[str, Any], data: Any,
               cfg: dict[str, Any]) -> list[CheckResult]:
        checks: list[CheckResult] = []
        holdout = results.get("holdout") if isinstance(results.get("holdout"), dict) else {}
        preds = holdout.get("predictions") if isinstance(holdout.get("predictions"),
                                                         list) else []
        labels: list[int] = data.holdout_labels
        probs = [_probability(p) for p in preds[:len(labels)]]
        valid = [(y, p) for y, p, pred in zip(labels, probs, preds, strict=False)
                 if p is not None and _label(pred) is not None]
        share = len(valid) / len(labels)
        errors = holdout.get("errors") or []
        title = "/predict follows the contract"
        evidence = {"valid": len(valid), "rows": len(labels), "batch_errors": errors[:5]}
        if share == 1:
            checks.append(CheckResult.passed(
                "api.predict-contract", f"a probability and a label for each of "
                f"{len(labels)} holdout records", title=title, evidence=evidence))
        else:
            first = errors[0] if errors else None
            detail = (f"; first failing batch: {first.get('status')} {first.get('body', '')}"
                      [:400] if isinstance(first, dict) else "")
            checks.append(CheckResult.failed(
                "api.predict-contract", f"{len(valid)} of {len(labels)} holdout records got a "
                "valid prediction ({\"probability\": 0..1, \"label\": 0|1})" + detail,
                points=share, title=title, evidence=evidence))

        key = data.key
        baseline = float(key["baseline_auc"])
        target = float(key["oracle_auc"]) - float(cfg.get("target_gap", 0.02))
        title = "ROC AUC on the hidden holdout"
        if share < 0.95:
            checks.append(CheckResult.failed(
                "model.holdout-auc", f"only {share:.0%} of the holdout got a valid "
                "prediction: not scored", title=title))
        else:
            auc = roc_auc([y for y, _ in valid], [p for _, p in valid])
            points = max(0.0, min(1.0, (auc - baseline) / (target - baseline)))
            hits = sum(1 for y, p, pred in zip(labels, probs, preds, strict=False)
                       if p is not None and _label(pred) == y)
            message = (f"ROC AUC {auc:.3f} on {len(valid)} holdout rows (baseline "
                       f"{baseline:.3f} = contract type alone; target {target:.3f} = best "
                       f"possible {key['oracle_auc']:.3f} minus {target_gap(cfg):g}); "
                       f"accuracy of the labels {hits / len(valid):.3f}")
            checks.append(CheckResult(
                id="model.holdout-auc", status="passed" if points >= 0.75 else "failed",
                points=points, title=title, message=message,
                evidence={"auc": round(auc, 4), "baseline_auc": baseline,
                          "target_auc": round(target, 4), "oracle_auc": key["oracle_auc"],
                          "positives": key["positives"], "rows": key["rows"]}))
        checks.append(self._leak_check(results, cfg))
        checks.append(self._metadata_check(results, cfg))
        det = results.get("determinism") if isinstance(results.get("determinism"), dict) else {}
        checks.append(CheckResult.passed("api.deterministic", "the same 20 records twice gave "
                                         "the same predictions", title="Same input, same "
                                         "output") if det.get("same") is True else
                      CheckResult.failed("api.deterministic", f"the same 20 records twice gave "
                                         f"different answers (status {det.get('status')})",
                                         title="Same input, same output"))
        checks += self._robustness(results)
        checks += self._latency(results, cfg)
        return checks

    @staticmethod
    def _leak_check(results: dict[str, Any], cfg: dict[str, Any]) -> CheckResult:
        title = "The model does not use the leaky column"
        leaky = cfg.get("leaky_column")
        probes = {p.get("name"): p for p in results.get("probes") or [] if isinstance(p, dict)}
        runs = [probes.get(f"leak-{v}") for v in cfg.get("leak_values", [150_000, 950_000])]
        outs = [[_probability(x) for x in (r or {}).get("predictions") or []] for r in runs]
        if len(outs) != 2 or not outs[0] or len(outs[0]) != len(outs[1]) or None in outs[0] \
                + outs[1]:
            return CheckResult.failed("model.leak-free", f"could not be tested: /predict did "
                                      f"not answer records with {leaky} changed", title=title)
        shift = sum(abs(a - b) for a, b in zip(outs[0], outs[1], strict=True)) / len(outs[0])
        evidence = {"mean_abs_change": round(shift, 4), "column": leaky, "records": len(outs[0])}
        if shift > 0.01:
            return CheckResult.failed(
                "model.leak-free", f"the predictions move with `{leaky}` (mean change "
                f"{shift:.3f} in probability when only {leaky} changes): the model learned the "
                "export artefact, which does not hold on new data", title=title,
                evidence=evidence)
        return CheckResult.passed("model.leak-free", f"changing only `{leaky}` leaves the "
                                  f"predictions unchanged (mean change {shift:.4f})",
                                  title=title, evidence=evidence)

    @staticmethod
    def _metadata_check(results: dict[str, Any], cfg: dict[str, Any]) -> CheckResult:
        title = "/metadata describes the model"
        meta = results.get("metadata") if isinstance(results.get("metadata"), dict) else {}
        body = meta.get("json")
        if meta.get("status") != 200 or not isinstance(body, dict):
            return CheckResult.failed("api.metadata", f"GET /metadata -> {meta.get('status')}: "
                                      f"{str(meta.get('body', ''))[:200]}", title=title)
        version = body.get("model_version", body.get("version"))
        features = body.get("features")
        missing = [k for k, ok in (("model_version", isinstance(version, str | int) and
                                    str(version).strip()),
                                   ("features", isinstance(features, list) and features))
                   if not ok]
        evidence = {"metadata": {k: body[k] for k in list(body)[:20]}}
        if missing:
            return CheckResult.failed("api.metadata", f"/metadata lacks {', '.join(missing)}",
                                      points=0.5, title=title, evidence=evidence)
        leaky = cfg.get("leaky_column")
        note = f"; lists the leaky column {leaky}" if leaky in features else ""
        return CheckResult.passed("api.metadata", f"model_version {version!s:.40}, "
                                  f"{len(features)} feature(s){note}", title=title,
                                  evidence=evidence)

    @staticmethod
    def _robustness(results: dict[str, Any]) -> list[CheckResult]:
        """Each bad request: 4xx is right; a 5xx or no answer is wrong. Some requests may also
        be served (200): an extra field ignored, an empty batch, a huge batch; an unseen
        category *should* get a prediction (4xx earns half)."""
        accept_200 = {"extra-field": 1.0, "empty-batch": 1.0, "huge-batch": 1.0,
                      "unseen-category": 1.0, "missing-field": 0.5, "wrong-type": 0.5}
        four_xx = {"unseen-category": 0.5}
        checks = []
        probes = [p for p in results.get("probes") or [] if isinstance(p, dict)
                  and not str(p.get("name", "")).startswith("leak-")]
        for p in probes:
            name, status = str(p.get("name")), p.get("status")
            title = f"Bad request: {name}"
            shown = f"POST /predict ({name}) -> {status or 'no answer'}"
            evidence = {"status": status, "body": str(p.get("body", ""))[:600],
                        "ms": p.get("ms"), "alive_after": p.get("alive_after")}
            if isinstance(status, int) and 400 <= status < 500:
                points = four_xx.get(name, 1.0)
            elif status == 200:
                points = accept_200.get(name, 0.0)
            else:
                points = 0.0
            if not p.get("alive_after"):
                points = 0.0
                shown += "; the server stopped answering /health afterwards"
            status_word = "passed" if points == 1 else "failed"
            checks.append(CheckResult(id=f"robust.{name}", status=status_word, points=points,
                                      title=title, message=shown, evidence=evidence))
        alive = results.get("alive_at_end") is True
        checks.append(CheckResult.passed("robust.still-up", "the server still answers /health "
                                         "after every bad request", title="The server survives "
                                         "bad requests") if alive else
                      CheckResult.failed("robust.still-up", "the server stopped answering "
                                         "/health", title="The server survives bad requests"))
        return checks

    @staticmethod
    def _latency(results: dict[str, Any], cfg: dict[str, Any]) -> list[CheckResult]:
        lat = results.get("latency") if isinstance(results.get("latency"), dict) else {}
        limits = {"p95_good": 100, "p95_bad": 1000, "batch_good": 2000, "batch_bad": 10000,
                  **(cfg.get("latency_ms") or {})}

        def scale(value: float, good: float, bad: float) -> float:
            return 1.0 if value <= good else max(0.0, (bad - value) / (bad - good))

        checks = []
        p95, p50 = lat.get("p95_ms"), lat.get("p50_ms")
        title = "Single-record latency"
        if not isinstance(p95, int | float):
            checks.append(CheckResult.failed("latency.single", "no single-record call "
                                             "succeeded", title=title, evidence=lat))
        else:
            points = scale(float(p95), limits["p95_good"], limits["p95_bad"])
            checks.append(CheckResult(
                id="latency.single", status="passed" if points == 1 else "failed",
                points=points, title=title, evidence=lat,
                message=f"p50 {p50} ms, p95 {p95} ms over {lat.get('singles')} calls "
                        f"(full credit at p95 <= {limits['p95_good']} ms)"))
        title = f"{lat.get('batch_size', 1000)}-record batch latency"
        batch_ms, batch_status = lat.get("batch_ms"), lat.get("batch_status")
        if batch_status != 200 or not isinstance(batch_ms, int | float):
            checks.append(CheckResult.failed("latency.batch", f"the batch got {batch_status}",
                                             title=title, evidence=lat))
        else:
            points = scale(float(batch_ms), limits["batch_good"], limits["batch_bad"])
            checks.append(CheckResult(
                id="latency.batch", status="passed" if points == 1 else "failed",
                points=points, title=title, evidence=lat,
                message=f"{batch_ms} ms (full credit at <= {limits['batch_good']} ms)"))
        return checks


def target_gap(cfg: dict[str, Any]) -> float:
    return float(cfg.get("target_gap", 0.02))
