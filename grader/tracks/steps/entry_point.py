"""How a submission's own command starts its program, read from the command line and the
files it names (nothing is run): the working folder (`cd src && ...`, gunicorn `--chdir`),
the folders put on sys.path (PYTHONPATH, uvicorn `--app-dir`, `--pythonpath`, the folder of
a script run by path), the environment it sets (`export X=1;`, `X=1 cmd`, `env X=1 cmd`) and
Django's settings module (the command's, `--settings`, else the one manage.py, wsgi.py or
asgi.py sets with `os.environ.setdefault("DJANGO_SETTINGS_MODULE", ...)`).

Used by the import check of the submission's requirements (grader/tracks/steps/
dependencies.py): a package that needs its framework configured to import (django-ninja
reads Django's settings) is imported the way the submission's own program would.
"""

from __future__ import annotations

import ast
import posixpath
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from grader.analysis.sources import parse_python

#: Where the sandbox puts the submission (RunSpec.workdir).
WORKDIR = "/work"
SETTINGS_VAR = "DJANGO_SETTINGS_MODULE"
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_SEPARATORS = {"&&", "||", ";", "|", "&", "\n", ";;", "|&"}
_WRAPPERS = {"exec", "nohup", "time", "command"}
#: Options whose value is a folder the program runs in or imports from, by program.
_PATH_OPTIONS = {"--pythonpath": "path", "--app-dir": "path", "--chdir": "cwd"}
_MAX_BYTES = 256 * 1024


@dataclass(frozen=True)
class EntryPoint:
    """What the command sets up for its program; folders are relative to the work folder
    ("" is the work folder itself)."""

    cwd: str = ""
    path: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    django_settings: str | None = None
    settings_from: str = ""          # "the run command", "manage.py:9", ...

    def describe(self) -> str:
        """A few words for a report: the settings module and where it was read."""
        if not self.django_settings:
            return ""
        return f"{SETTINGS_VAR}={self.django_settings}" + (
            f", read from {self.settings_from}" if self.settings_from else "")

    def probe_options(self) -> dict[str, object]:
        """What the import probe needs (grader/tracks/steps/import_probe.py): absolute
        folders and the environment, the settings module included."""
        env = dict(self.env)
        if self.django_settings:
            env[SETTINGS_VAR] = self.django_settings
        return {"cwd": _absolute(self.cwd), "path": [_absolute(p) for p in self.path],
                "env": env, "django": bool(self.django_settings)}


def _absolute(rel: str) -> str:
    return posixpath.join(WORKDIR, rel) if rel else WORKDIR


def _tokens(command: str) -> list[str]:
    lexer = shlex.shlex(command, posix=True, punctuation_chars=";&|")
    lexer.whitespace_split = True
    lexer.commenters = ""
    try:
        return list(lexer)
    except ValueError:  # an unclosed quote: read it as plain words
        return command.split()


def _segments(command: str) -> list[list[str]]:
    segments: list[list[str]] = [[]]
    for token in _tokens(command.replace("\n", " ; ")):
        if token in _SEPARATORS:
            segments.append([])
        else:
            segments[-1].append(token)
    return [s for s in segments if s]


def _inside(base: str, rel: str) -> str | None:
    """`rel` joined to `base`, normalised; None when it leaves the work folder or uses a
    variable."""
    if "$" in rel or "`" in rel:
        return None
    if rel.startswith(WORKDIR + "/") or rel == WORKDIR:
        joined = posixpath.normpath(rel)[len(WORKDIR):].lstrip("/")
    elif rel.startswith(("/", "~")):
        return None
    else:
        joined = posixpath.normpath(posixpath.join(base or ".", rel))
    return None if joined.startswith("..") else ("" if joined == "." else joined)


def _option(words: list[str], index: int) -> tuple[str, str | None, int]:
    """(option, value, next index) for `--opt value` or `--opt=value` at words[index]."""
    word = words[index]
    if "=" in word:
        name, given = word.split("=", 1)
        return name, given, index + 1
    return word, (words[index + 1] if index + 1 < len(words) else None), index + 2


def entry_point(root: Path, files: tuple[str, ...] | list[str],
                command: str | None) -> EntryPoint:
    """What `command` (submission.yaml's run command) sets up for its program."""
    cwd, env, path = "", dict[str, str](), list[str]()
    settings: str | None = None
    settings_from = ""
    program: list[str] = []
    for words in _segments(command or ""):
        while words and (_ASSIGNMENT.match(words[0]) or words[0] in _WRAPPERS | {"env"}):
            if _ASSIGNMENT.match(words[0]):
                name, value = words[0].split("=", 1)
                env[name] = value
            words = words[1:]
        if not words:
            continue
        if words[0] == "cd" and len(words) > 1:
            moved = _inside(cwd, words[1])
            cwd = cwd if moved is None else moved
        elif words[0] == "export":
            for word in words[1:]:
                if _ASSIGNMENT.match(word):
                    name, value = word.split("=", 1)
                    env[name] = value
        else:
            program = words
    run_cwd = cwd
    i = 1
    while i < len(program):
        word = program[i]
        if word.split("=", 1)[0] in (*_PATH_OPTIONS, "--settings"):
            option, given, i = _option(program, i)
            if given is None:
                continue
            if option == "--settings":
                settings, settings_from = given, "the run command"
                continue
            folder = _inside(cwd, given)
            if folder is not None and _PATH_OPTIONS[option] == "cwd":
                run_cwd = folder
            elif folder is not None:
                path.append(folder)
            continue
        i += 1
    script = next((w for w in program[1:] if w.endswith(".py") and not w.startswith("-")),
                  None) if program and PurePosixPath(program[0]).name.startswith(
                      "python") else None
    if script:
        folder = _inside(cwd, posixpath.dirname(script))
        if folder is not None and folder != run_cwd:
            path.append(folder)
    for entry in env.get("PYTHONPATH", "").split(":"):
        folder = _inside(cwd, entry) if entry else None
        if folder is not None:
            path.append(folder)
    env = {k: v for k, v in env.items() if k != "PYTHONPATH" and "$" not in v
           and "`" not in v}
    if SETTINGS_VAR in env and not settings:
        settings, settings_from = env.pop(SETTINGS_VAR), "the run command"
    env.pop(SETTINGS_VAR, None)
    if not settings:
        settings, settings_from = _settings_from_files(root, files, run_cwd, path, program,
                                                       script)
    return EntryPoint(cwd=run_cwd, path=tuple(dict.fromkeys(path)), env=env,
                      django_settings=settings, settings_from=settings_from)


def _settings_from_files(root: Path, files: tuple[str, ...] | list[str], cwd: str,
                         path: list[str], program: list[str],
                         script: str | None) -> tuple[str | None, str]:
    """The settings module the program's own Django entry module sets: the wsgi/asgi module
    the server command names, the script it runs (manage.py), else manage.py in the working
    folder, else the shallowest manage.py, wsgi.py or asgi.py of the submission."""
    known = set(files)
    bases = [cwd, *path]
    candidates: list[str] = []
    for word in program[1:]:
        module = word.split(":", 1)[0]
        if re.fullmatch(r"[A-Za-z_][\w.]*", module) and module.rsplit(".", 1)[-1] in (
                "wsgi", "asgi"):
            rel = module.replace(".", "/") + ".py"
            candidates += [posixpath.join(b, rel) if b else rel for b in bases]
    if script:
        folder = _inside(cwd, script)
        if folder:
            candidates.append(folder)
    candidates.append(posixpath.join(cwd, "manage.py") if cwd else "manage.py")
    candidates += sorted((f for f in files if PurePosixPath(f).name in (
        "manage.py", "wsgi.py", "asgi.py")), key=lambda f: (f.count("/"), f))
    for rel in dict.fromkeys(candidates):
        if rel not in known:
            continue
        found = _settings_in(root / rel)
        if found:
            return found[0], f"{rel}:{found[1]}"
    return None, ""


def _settings_in(file: Path) -> tuple[str, int] | None:
    """("project.settings", line) where the module sets DJANGO_SETTINGS_MODULE to a
    constant: `os.environ.setdefault(VAR, "x")` or `os.environ[VAR] = "x"`."""
    try:
        if file.stat().st_size > _MAX_BYTES:
            return None
        tree = parse_python(file.read_bytes(), str(file))
    except OSError:
        return None
    if tree is None:
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                node.func.attr == "setdefault" and len(node.args) == 2:
            key, value = node.args
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(
                node.targets[0], ast.Subscript):
            key, value = node.targets[0].slice, node.value
        else:
            continue
        if isinstance(key, ast.Constant) and key.value == SETTINGS_VAR and isinstance(
                value, ast.Constant) and isinstance(value.value, str):
            return value.value, node.lineno
    return None
