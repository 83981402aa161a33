"""Two MLE judgements read on the host (no Docker): whether the model was trained on all the
training file's rows (declared counts, subsampling statements and the flags they sit
behind; a split, a shuffle or a flag left off accuse nobody), and whether the model is
loaded once (the server's answers once its artifact was moved away, the loading call in the
handler of POST /predict as the pointer)."""

from __future__ import annotations

from pathlib import Path

from grader.tracks.mle.loads_once import load_calls, loads_once_check, move_command
from grader.tracks.mle.training_rows import (
    all_rows_check,
    artifact_documents,
    declared_rows,
    file_rows,
    subsample_statements,
    training_files,
)

ROWS = 6000
EXCLUDES = ["train.py", "training/*", "data/*", "tests/*"]


def write(root: Path, files: dict[str, str]) -> list[str]:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return sorted(files)


def statements(tmp_path: Path, source: str, rel: str = "train.py") -> list[dict[str, object]]:
    files = write(tmp_path, {rel: source})
    return subsample_statements(tmp_path, files, ROWS)


def test_a_debug_sample_left_on_is_found_with_its_flag(tmp_path: Path) -> None:
    found = statements(tmp_path, "import pandas as pd\nDEBUG = True\nSEED = 1\n"
                       "df = pd.read_csv('data/train.csv')\nif DEBUG:\n"
                       "    df = df.sample(frac=0.1, random_state=SEED)\n")
    assert found == [{"file": "train.py", "line": 6, "share": 0.1, "state": "on",
                      "code": "df = df.sample(frac=0.1, random_state=SEED)",
                      "flag": "`if DEBUG:` (DEBUG = True at line 2)"}]
    check = all_rows_check(ROWS, [], found, " (holdout AUC 0.790, target 0.811)")
    assert check.status == "failed" and "keeps about 10% of the rows" in check.message
    assert "train.py:6 `df = df.sample(frac=0.1, random_state=SEED)` behind `if DEBUG:`" \
        in check.message and check.message.endswith("target 0.811)")


def test_every_way_of_keeping_a_few_rows_is_read(tmp_path: Path) -> None:
    code = ("import pandas as pd\nN = 500\nframe = pd.read_csv('x.csv', nrows=600)\n"
            "frame = frame.head(N)\nframe = frame.iloc[:300]\nframe = frame[::20]\n"
            "x = frame.sample(n=200)\n"  # not rebinding `frame`: a sample beside it
            "shap_rows = frame[:100]\nshap_rows = shap_rows[:50]\n"  # not the training data
            "X = frame[['a']]\nX = X[:1000]\nmodel.fit(X, frame['y'])\n")
    shares = [(f["line"], f["share"]) for f in statements(tmp_path, code)]
    assert shares == [(3, 0.1), (4, 0.083), (5, 0.05), (6, 0.05), (11, 0.167)]


def test_clean_training_code_accuses_nobody(tmp_path: Path) -> None:
    code = ("import pandas as pd\nfrom sklearn.model_selection import train_test_split\n"
            "df = pd.read_csv('data/train.csv')\ndf = df.sample(frac=1.0, random_state=0)\n"
            "df = df.head(100_000)\nprint(df.head())\nsmall = df.sample(frac=0.1)\n"
            "x_tr, x_va = train_test_split(df, test_size=0.2)\ndf = df.dropna()\n")
    assert statements(tmp_path, code) == []
    check = all_rows_check(ROWS, [("model/meta.json: `training_rows`", 4800)], [])
    assert check.status == "passed"  # an 80 % training split is not a subsample


def test_a_flag_the_code_cannot_resolve_is_only_noted(tmp_path: Path) -> None:
    code = ("import os\nimport pandas as pd\nFAST = False\ndf = pd.read_csv('d.csv')\n"
            "if os.environ.get('QUICK'):\n    df = df.sample(frac=0.05)\n"
            "if FAST:\n    df = df.head(100)\nelse:\n    df = df\n")
    found = statements(tmp_path, code)
    assert [(f["line"], f["state"]) for f in found] == [(6, "unknown"), (8, "off")]
    check = all_rows_check(ROWS, [], found)
    assert check.status == "passed" and "noted: train.py:6" in check.message


def test_declared_row_counts_are_read_from_the_model_s_documents() -> None:
    docs = artifact_documents({"model/meta.json": b'{"n_train": 600, "validation_rows": 200,'
                               b' "training": {"rows": 600}, "flag": true}',
                               "model/w.npz": b"\x93NUMPY"})
    found = declared_rows({**docs, "GET /metadata": {"rows": 6000, "test_rows": 9}})
    assert sorted(found) == [("GET /metadata: `rows`", 6000),
                             ("model/meta.json: `n_train`", 600),
                             ("model/meta.json: `training.rows`", 600)]
    check = all_rows_check(ROWS, found, [])
    assert check.status == "failed" and "records 600 training rows" in check.message
    assert file_rows(b"a,b\n1,2\n3,4\n") == 2


def test_the_training_code_is_what_the_train_command_reaches(tmp_path: Path) -> None:
    files = write(tmp_path, {
        "fit.py": "from churn.prep import clean\n", "churn/__init__.py": "",
        "churn/prep.py": "import churn.util\n", "churn/util.py": "",
        "serve/app.py": "records = records[:500]\n", "tests/test_x.py": "df = df[:5]\n",
        "training/run.py": ""})
    assert training_files(tmp_path, files, "python fit.py --data data/train.csv",
                          EXCLUDES) == ["churn/prep.py", "churn/util.py", "fit.py",
                                        "training/run.py"]
    assert training_files(tmp_path, files, "python -m churn.prep", []) == [
        "churn/prep.py", "churn/util.py"]


SERVER = '''
import skops.io as sio
from functools import lru_cache
from fastapi import FastAPI

app = FastAPI()


def get_model():
    return sio.load("model/m.skops")


@lru_cache
def cached_model():
    return sio.load("model/m.skops")


@app.post("/predict")
def predict(body: dict):
    model = get_model()
    other = cached_model()
    return model.predict(body)
'''


def test_the_loading_call_in_the_handler_is_pointed_at(tmp_path: Path) -> None:
    files = write(tmp_path, {"serve/app.py": SERVER})
    assert load_calls(tmp_path, files) == [{"file": "serve/app.py", "line": 10,
                                           "call": "sio.load", "via": "get_model"}]
    once = SERVER.replace("    model = get_model()\n", "    model = MODEL\n")
    files = write(tmp_path, {"serve/app.py": once})
    assert load_calls(tmp_path, files) == []


def prediction(p: float) -> dict[str, object]:
    return {"probability": p, "label": 0}


def test_a_server_that_reads_the_model_per_request_fails_once_it_is_moved() -> None:
    before = [prediction(0.1 * i) for i in range(5)]
    static = [{"file": "churnsvc/model.py", "line": 12, "call": "sio.load",
               "via": "load_model"}]
    failing = {"holdout": {"predictions": [None] * 8, "errors": [
        {"status": 500, "problem": "", "body": "500 Internal Server Error"}]}}
    check = loads_once_check(before, (0, b""), failing, 5, "model", static)
    assert check.status == "failed" and "answered 500 (500 Internal Server Error)" in \
        check.message and "the model is read from disk on every request" in check.message
    assert check.message.endswith("calls sio.load() at churnsvc/model.py:12 (through "
                                  "load_model())")
    kept = {"holdout": {"predictions": [*before, *[prediction(0.5)] * 3]}}
    assert loads_once_check(before, (0, b""), kept, 5, "model", static).status == "passed"
    changed = {"holdout": {"predictions": [prediction(0.9)] * 8}}
    assert "got other probabilities" in loads_once_check(
        before, (0, b""), changed, 5, "model", []).message
    noisy = loads_once_check(before, (0, b""), changed, 5, "model", [], "", False)
    assert noisy.status == "passed"  # its answers vary anyway (api.deterministic)


def test_no_move_no_verdict_but_the_code_still_speaks() -> None:
    static = [{"file": "app.py", "line": 3, "call": "joblib.load"}]
    assert loads_once_check([], None, None, 5, "model", []).status == "skipped"
    alone = loads_once_check([], None, None, 5, "model", static)
    assert alone.status == "failed" and alone.points == 0.5
    assert "read from the code, not seen in behaviour" in alone.message
    gone = loads_once_check([], (1, b"mv: cannot move"), None, 5, "model", static)
    assert gone.status == "skipped" and "mv: cannot move" in gone.message
    down = loads_once_check([], None, None, 5, "model", [], "the server was not answering")
    assert down.status == "skipped"
    assert move_command("model; rm -rf /") == ["/bin/mv", "--", "model; rm -rf /",
                                                "model; rm -rf /.moved-by-grader"]
