"""Answer-key hunting, without Docker: what the kernel's record shows (classified on the host),
what the code says (static findings, honest code left alone), which answers lose their
credit, and the decoy key (clear of every known answer, matched only by a copy)."""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from typing import Any

import nbformat
import pytest

from grader.analysis import notebook_facts as nbf
from grader.sandbox.capture import CapturedOutput
from grader.sandbox.engine import RunResult
from grader.sandbox.limits import Limits
from grader.tracks.notebook import integrity
from grader.tracks.notebook.answers import Answers, judge, questions, tolerances
from grader.tracks.notebook.execute import NotebookRun
from grader.tracks.notebook.hunting import key_hunt, key_like_env, key_like_path
from grader.tracks.notebook.records import read_audit
from tests.conftest import ROOT


def notebook_cells(*sources: str) -> list[nbf.Cell]:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# T")] + [nbformat.v4.new_code_cell(s)
                                                         for s in sources]
    return nbf.cells(nb)


def whats(*sources: str) -> list[str]:
    return [str(f["what"]) for f in key_hunt(notebook_cells(*sources))]


@pytest.mark.parametrize("code", [
    "found = glob.glob('/**/answer*.json', recursive=True)",
    "for root, _, files in os.walk(Path.home()):\n    pass",
    "for folder in [Path.cwd(), *Path.cwd().parents]:\n    print(list(folder.glob('*key*.json')))",
    "base = Path('..').resolve()\nhits = list(base.rglob('*.json'))",
    "os.listdir('/')",
    "key = json.load(open('/grader/answer_key.json'))",
    "secret = os.environ['ANSWER_KEY']",
    "seed = os.getenv('GRADER_SEED')",
    "hints = {k: v for k, v in os.environ.items() if 'KEY' in k}",
    "print(dict(os.environ))",
    "!find / -name '*key*' 2>/dev/null",
    "for base in [Path.home(), Path('/')]:\n    glob.glob(str(base / '**' / '*.json'), "
    "recursive=True)",
])
def test_hunting_code_is_found(code: str) -> None:
    assert whats(code), code


@pytest.mark.parametrize("code", [
    "DATA = Path(os.environ.get('DATA_DIR', 'data'))",
    "SEED = int(os.environ.get('SEED', 7))\nrng = np.random.default_rng(SEED)",
    "key = os.getenv('OPENAI_API_KEY')",
    "files = sorted(glob.glob('data/*.csv'))\nos.listdir(DATA)",
    "list(Path('data').rglob('*.csv'))",
    "df.to_csv('solution.csv')\nx = df['expected']\nrefunds = df['key'].nunique()",
    "if 'DATA_DIR' in os.environ:\n    pass",
    "orders = pd.read_csv('/Users/ada/shop/data/orders.csv')",
    "!pip list | grep pandas\n!ls data",
    "monthly = orders.groupby('month')['amount'].sum()",
    "for folder in [Path.cwd(), *Path.cwd().parents]:\n    if (folder / 'data').is_dir():\n"
    "        DATA = folder / 'data'\n        break",
    "files = glob.glob(os.path.expanduser('~/Downloads/*.csv'))",
    "pd.read_csv('../data/orders.csv')",
])
def test_honest_code_is_not_accused(code: str) -> None:
    assert whats(code) == [], code


def test_names_that_look_like_keys() -> None:
    assert key_like_path("/tmp/answer_key.json") and key_like_path("../solution.ipynb")
    assert key_like_path("/srv/grader/expected.json")
    assert not key_like_path("data/orders.csv") and not key_like_path("answers.json")
    assert key_like_env("ANSWER_KEY") and key_like_env("DATASET_SEED")
    assert key_like_env("EXPECTED") and key_like_env("KEY")
    assert not key_like_env("OPENAI_API_KEY") and not key_like_env("SEED")
    assert not key_like_env("RANDOM_SEED") and not key_like_env("PYTHONHASHSEED")
    assert not key_like_env("DATA_DIR") and not key_like_env("HOME")


def event(kind: str, **kw: Any) -> dict[str, Any]:
    return {"event": kind, "seq": kw.pop("seq", 1), "via": kw.pop("via", "code"), **kw}


def test_recorded_events_are_classified() -> None:
    assert integrity.classify(event("list", path="/")).startswith("listed / (the filesystem")
    assert "home folder" in integrity.classify(event("list", path="/tmp"))
    assert integrity.classify(event("list", path="/usr/share/fonts")) == ""
    assert "recursively" in integrity.classify(event("glob", path="/**/x.json",
                                                     recursive=True))
    assert integrity.classify(event("glob", path="/work/data/*.csv")) == ""
    decoy = integrity.classify(event("open", path="/tmp/answer_key.json"),
                               decoy="/tmp/answer_key.json")
    assert "decoy" in decoy
    assert integrity.classify(event("open", path="/home/ada/shop/orders.csv")) == ""
    assert integrity.classify(event("open", path="/etc/passwd", write=True)) == ""
    assert integrity.classify(event("env-scan")) != ""
    assert integrity.classify(event("env-scan", via="IPython")) == ""
    assert integrity.classify(event("env-read", name="ANSWER_KEY")) != ""
    assert integrity.classify(event("env-read", name="RANDOM_SEED")) == ""
    assert integrity.classify(event("command", command="find / -name *key*")) != ""
    assert integrity.classify(event("command", command="ls data")) == ""


def _sha(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:12]


def _run(audit: list[dict[str, Any]]) -> NotebookRun:
    empty = CapturedOutput(b"", b"", 0)
    result = RunResult(outcome="exited", exit_code=0, seconds=1.0, stdout=empty, stderr=empty,
                       limits=Limits(), files={})
    cells = [{"index": i, "status": "ok", "figures": 0, "count": n}
             for n, i in enumerate((1, 2, 3), 1)]
    return NotebookRun(run=result, cells=cells, completed=True, audit=audit, audit_read=True)


def test_answers_recorded_after_the_hunt_get_no_credit() -> None:
    sources = ("x = 1\nrecord('early', 1)", "os.listdir('/')", "record('late', 2)")
    cells = notebook_cells(*sources)
    audit = [event("cell", seq=1, sha=_sha(sources[0])), event("answer", seq=1, question="early"),
             event("cell", seq=2, sha=_sha(sources[1])), event("list", seq=2, path="/", line=1),
             event("cell", seq=3, sha=_sha(sources[2])), event("answer", seq=3, question="late")]
    assert integrity.cell_of_seq(audit, cells) == {1: 1, 2: 2, 3: 3}
    hunt = integrity.find_hunt([_run(audit)], cells, key_hunt(cells))
    assert {f["seen"] for f in hunt.findings} == {"while it ran", "in the code"}
    assert hunt.first_cell == 2
    run = _run(audit)
    assert hunt.no_credit("early", run) == ""
    assert hunt.no_credit("late", run) == ("recorded in cell 4 (In [3]), after the answer-key "
                                           "hunt in cell 3 (In [2])")
    assert hunt.no_credit("unknown", run) == "recorded by a notebook that hunts for an answer key"
    check = integrity.hunt_check(hunt, run, {"late": "..."})
    assert check.status == "failed" and "listed / (the filesystem root)" in check.message
    assert check.evidence["findings"][0]["file"] == "analysis.ipynb cell 3"
    clean = integrity.find_hunt([_run(audit[:2])], cells[:1], [])
    assert integrity.hunt_check(clean, run, {}).status == "passed"
    static_only = integrity.find_hunt([], cells, key_hunt(cells))  # nothing ran
    check = integrity.hunt_check(static_only, None, {})
    assert check.status == "failed" and check.message.startswith("answer-key hunt: cell 3, line 1")


def test_the_audit_record_is_read_defensively() -> None:
    raw = b"\n".join([b'{"event": "open", "seq": 1, "path": "/x", "write": true}',
                      b'{"event": "rm -rf", "seq": 1}', b"not json",
                      b'{"event": "list", "seq": -1}', b'{"event": "list", "seq": 2, "path": 5}',
                      ("{" + '"event": "glob", "seq": 1, "path": "' + "a" * 5000 + '"}')
                      .encode()])
    events = read_audit(raw)
    assert events[0] == {"event": "open", "seq": 1, "path": "/x", "write": True}
    assert events[1] == {"event": "list", "seq": 2}
    assert len(events[2]["path"]) == 400 and len(events) == 3


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location(
        "ds_generator_i", ROOT / "challenges" / "datascience" / "data" / "generator.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(("seed", "other"), [(2024, 36), (36, 2024), (1, 7)])
def test_the_decoy_is_clear_of_every_known_answer(seed: int, other: int) -> None:
    gen = _generator()
    key, other_key = gen.generate(seed).key, gen.generate(other).key
    decoy = integrity.make_decoy(key, seed, [other_key])
    assert decoy == integrity.make_decoy(key, seed, [other_key])  # deterministic
    for qid, spec in questions(key).items():
        fields = decoy[qid].items() if isinstance(decoy.get(qid), dict) else [(None, decoy[qid])]
        for name, fake in fields:
            if isinstance(fake, bool):
                continue
            rel, abs_ = tolerances(spec, name)
            for k in (key, other_key):
                for known in integrity._known(k, qid, name):
                    assert abs(fake - known) > max(rel * abs(known), abs_), (qid, name)
    assert "category" not in decoy["q4_top_category_q2_sql"]  # text never leaks


def test_only_a_copy_of_the_decoy_matches_it() -> None:
    gen = _generator()
    key = gen.generate(2024).key
    decoy = integrity.make_decoy(key, 2024)
    copied = Answers(values={"q1_march_revenue": decoy["q1_march_revenue"],
                             "q4_top_category_q2_sql": decoy["q4_top_category_q2_sql"]},
                     present=True)
    verdicts = judge(key, copied)
    assert integrity.decoy_hits(decoy, verdicts, hunting=False) == {
        "q1_march_revenue": "q1_march_revenue"}          # an integer alone proves nothing
    assert "q4_top_category_q2_sql" in integrity.decoy_hits(decoy, verdicts, hunting=True)
    near = Answers(values={"q1_march_revenue": decoy["q1_march_revenue"] + 0.5}, present=True)
    assert integrity.decoy_hits(decoy, judge(key, near), hunting=True) == {}
