"""What the candidate's notebook did, recorded inside its kernel (runs in the container).

`run_notebook.py` installs this as an IPython startup file (in a private IPYTHONDIR), executed
in a namespace of its own before the first cell, so it leaves no name in the notebook's
namespace and changes nothing a cell does or returns. It writes JSON lines to files the runner
names:

- figures: one line per rendered matplotlib figure (axis labels, titles, whether each axis
  shows tick labels, colorbars, and the SHA-256 of the image it rendered), for
  `figures.labelled`; the runner keeps a line only when a cell displayed that very image;
- audit: an audit hook (`sys.addaudithook`, which cannot be removed) records files opened,
  folders listed and globs outside the work folder, commands run, and an `os.environ` wrapper
  records scans of the environment and reads of key-like names; only what the candidate's code
  asked for (a notebook cell or a module in the work folder is on the stack, the import system
  is not) and, for a library acting on its own behalf, not its own files. Every cell is noted
  (a hash of its source) and, after each cell, which answers in the answers file changed.

The candidate's code runs in this same process and could tamper with all of it: the record is
evidence, not proof. The runner keeps a figure line only when its image was displayed, and the
grader reads everything back capped, depth-bounded and validated.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import re
import sys
import sysconfig
from types import FrameType
from typing import Any

OURS = "<grader-recorder>"
CELL_FILE = re.compile(r"^<ipython-input-|/ipykernel_\d+/\d+\.py$")
KERNEL_LIBS = {"IPython", "ipykernel", "jupyter_client", "jupyter_core", "traitlets", "zmq",
               "tornado", "comm", "debugpy", "matplotlib_inline", "nbclient", "nbformat"}
WATCHED = {"open", "os.listdir", "os.scandir", "glob.glob", "sqlite3.connect",
           "subprocess.Popen", "os.system", "os.posix_spawn", "os.exec"}
KEY_LIKE_NAME = re.compile(r"KEY|SEED|ANSWER|SOLUTION|EXPECT|GRAD|HIDDEN|SECRET|TOKEN|RUBRIC|"
                           r"VARIANT", re.IGNORECASE)
#: modules of os.environ's own mapping methods (items(), copy(), get() run there)
MAPPING_MACHINERY = {"os", "_collections_abc", "collections.abc", "posixpath", "genericpath"}
#: wrappers that stand for a builtin (IPython's `open` in the notebook's namespace)
TRANSPARENT = {"_modified_open"}
MAX_AUDIT, MAX_PER_CELL, MAX_CELLS = 300, 40, 3000
ANSWERS_CAP = 256 * 1024
FIGURE_CAP = 32 * 1024 * 1024


class Recorder:
    def __init__(self, config: dict[str, Any]) -> None:
        self.work = os.path.realpath(os.getcwd())
        self.answers_path = os.path.join(self.work, str(config.get("answers", "answers.json")))
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND
        self.audit_fd = os.open(config["audit"], flags, 0o600) if config.get("audit") else -1
        self.figures_fd = (os.open(config["figures"], flags, 0o600) if config.get("figures")
                           else -1)
        paths = sysconfig.get_paths()
        self.stdlib = tuple({os.path.realpath(paths[k]) + "/" for k in ("stdlib", "platstdlib")})
        self.site = tuple({os.path.realpath(paths[k]) + "/" for k in ("purelib", "platlib")})
        prefixes = {sys.prefix, sys.base_prefix, sys.exec_prefix, "/usr", "/etc", "/proc",
                    "/sys", "/dev", "/lib", "/var/lib", "/tmp/matplotlib",
                    os.environ.get("MPLCONFIGDIR", "/tmp/matplotlib"),
                    os.environ.get("IPYTHONDIR", "/tmp/.ipython"), "/tmp/.cache"}
        self.system = tuple(os.path.realpath(p).rstrip("/") + "/" for p in prefixes if p)
        self.busy = False
        self.seq = 0
        self.audited = 0
        self.per_cell: dict[int, int] = {}
        self.cells = 0
        self.answers: dict[str, str] = {}

    # -- writing ----------------------------------------------------------------------------
    def emit(self, entry: dict[str, Any]) -> None:
        if self.audit_fd < 0:
            return
        if entry["event"] in ("cell", "answer"):
            if self.cells >= MAX_CELLS:
                return
            self.cells += 1
        else:
            if self.audited >= MAX_AUDIT or self.per_cell.get(self.seq, 0) >= MAX_PER_CELL:
                return
            self.audited += 1
            self.per_cell[self.seq] = self.per_cell.get(self.seq, 0) + 1
        entry["seq"] = self.seq
        os.write(self.audit_fd, (json.dumps(entry) + "\n").encode("utf-8", "replace"))

    # -- who asked ---------------------------------------------------------------------------
    def kind(self, filename: str) -> str:
        if CELL_FILE.search(filename) or filename.startswith(self.work + "/"):
            return "code"
        for site in self.site:
            if filename.startswith(site):
                return filename[len(site):].split("/")[0].split(".")[0] or "library"
        if filename.startswith("<") or filename.startswith(self.stdlib):
            return "stdlib"
        return "library"

    def attribute(self, direct: bool = False) -> tuple[str, int] | None:
        """(who acted: "code" or the library between the candidate's code and the call, the
        line in the candidate's code), or None when the candidate's code is not on the stack,
        the import system is, or grader's own code is. `direct`: only the candidate's own
        call counts (the mapping machinery of os.environ aside), not a module acting for it
        (urllib reading proxy settings)."""
        frame: FrameType | None = sys._getframe(1)
        while frame is not None and frame.f_code.co_filename == OURS:
            frame = frame.f_back
        if direct:
            while frame is not None and frame.f_globals.get("__name__") in MAPPING_MACHINERY:
                frame = frame.f_back
            if frame is None or self.kind(frame.f_code.co_filename) != "code":
                return None
        via = ""
        while frame is not None:
            name = frame.f_code.co_filename
            if name.startswith("<frozen importlib") or name == OURS:
                return None
            kind = self.kind(name)
            if kind == "code":
                return via or "code", frame.f_lineno
            if kind != "stdlib" and not via and frame.f_code.co_name not in TRANSPARENT:
                via = kind
            frame = frame.f_back
        return None

    def resolve(self, path: Any) -> str | None:
        if isinstance(path, int) or path is None:
            return None
        try:
            text = os.fsdecode(os.fspath(path))
        except TypeError:
            return None
        return os.path.normpath(os.path.join(os.getcwd(), text))[:400]

    def inside(self, path: str) -> bool:
        return path == self.work or path.startswith(self.work + "/")

    # -- the audit hook ----------------------------------------------------------------------
    def hook(self, event: str, args: tuple[Any, ...]) -> None:
        if event not in WATCHED or self.busy:
            return
        self.busy = True
        try:
            self.on_event(event, args)
        except Exception:  # never break the candidate's code
            pass
        finally:
            self.busy = False

    def on_event(self, event: str, args: tuple[Any, ...]) -> None:
        who = self.attribute()
        if who is None:
            return
        via, line = who
        entry: dict[str, Any] = {"via": via, "line": line}
        if via in KERNEL_LIBS and event not in ("subprocess.Popen", "os.system"):
            return  # the kernel's own machinery (a `!command` goes through IPython)
        if event in ("subprocess.Popen", "os.system", "os.posix_spawn", "os.exec"):
            command = args[1] if event != "os.system" and len(args) > 1 else args[0]
            if isinstance(command, list | tuple):
                command = " ".join(os.fsdecode(c) if isinstance(c, str | bytes) else str(c)
                                   for c in command)
            text = os.fsdecode(command) if isinstance(command, str | bytes) else str(command)
            self.emit({"event": "command", "command": text[:300], **entry})
            return
        if event in ("os.listdir", "os.scandir") and (not args or args[0] is None):
            args = (".",)
        path = self.resolve(args[0] if args else None)
        if path is None or self.inside(path) or (via != "code"
                                                  and path.startswith(self.system)):
            return
        if event == "open":
            mode = args[1] if len(args) > 1 else "r"
            entry["write"] = isinstance(mode, str) and any(c in mode for c in "wax+")
            self.emit({"event": "open", "path": path, **entry})
        elif event == "sqlite3.connect":
            self.emit({"event": "open", "path": path, "write": False, **entry})
        elif event == "glob.glob":
            recursive = bool(args[1]) if len(args) > 1 else False
            self.emit({"event": "glob", "path": path, "recursive": recursive, **entry})
        else:
            self.emit({"event": "list", "path": path, **entry})

    # -- the environment ---------------------------------------------------------------------
    def on_environ(self, what: str, name: Any = None) -> None:
        if self.busy or (what == "read" and not (isinstance(name, str)
                                                 and KEY_LIKE_NAME.search(name))):
            return
        self.busy = True
        try:
            who = self.attribute(direct=True)
            if who is not None:
                entry: dict[str, Any] = {"event": f"env-{what}", "via": who[0], "line": who[1]}
                if what == "read":
                    entry["name"] = str(name)[:100]
                self.emit(entry)
        except Exception:
            pass
        finally:
            self.busy = False

    def watch_environ(self) -> None:
        recorder, base = self, type(os.environ)

        class _Environ(base):  # type: ignore[valid-type,misc]
            def __iter__(self) -> Any:
                recorder.on_environ("scan")
                return base.__iter__(self)

            def __getitem__(self, key: Any) -> Any:
                recorder.on_environ("read", key)
                return base.__getitem__(self, key)

            def __repr__(self) -> str:
                recorder.on_environ("scan")
                return str(base.__repr__(self))

        _Environ.__name__ = _Environ.__qualname__ = base.__name__
        _Environ.__module__ = base.__module__
        os.environ.__class__ = _Environ

    # -- cells and answers -------------------------------------------------------------------
    def pre_run_cell(self, info: Any) -> None:
        self.seq += 1
        source = getattr(info, "raw_cell", "") or ""
        self.emit({"event": "cell", "sha": hashlib.sha1(source.encode("utf-8", "replace"))
                   .hexdigest()[:12]})

    def post_run_cell(self, result: Any) -> None:
        self.busy = True
        try:
            if os.path.getsize(self.answers_path) > ANSWERS_CAP:
                return
            with open(self.answers_path, "rb") as f:
                data = json.loads(f.read())
            if isinstance(data, dict) and isinstance(data.get("answers"), dict):
                data = data["answers"]
            if not isinstance(data, dict):
                return
            for question, value in list(data.items())[:200]:
                digest = hashlib.sha1(json.dumps(value, sort_keys=True, default=str)
                                      .encode()).hexdigest()[:12]
                if self.answers.get(question) != digest:
                    self.answers[question] = digest
                    self.emit({"event": "answer", "question": str(question)[:100]})
        except Exception:  # no answers file yet, or not JSON: nothing to note
            pass
        finally:
            self.busy = False

    # -- figures -----------------------------------------------------------------------------
    def watch_figures(self) -> None:
        if self.figures_fd < 0:
            return
        try:
            canvas_class = importlib.import_module("matplotlib.backend_bases").FigureCanvasBase
        except Exception:
            return
        original, recorder = canvas_class.print_figure, self

        def print_figure(canvas: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return original(canvas, *args, **kwargs)
            finally:  # after drawing: tick labels have their text
                recorder.figure(canvas.figure, args[0] if args else kwargs.get("filename"))

        canvas_class.print_figure = print_figure

    @staticmethod
    def png_digest(target: Any) -> str:
        """SHA-256 (16 hex digits) of what print_figure wrote (PNG, SVG, ...): a buffer
        (IPython's inline display) or a file."""
        data: Any = b""
        if hasattr(target, "getvalue"):
            data = target.getvalue()
        elif isinstance(target, str | os.PathLike) and os.path.getsize(target) <= FIGURE_CAP:
            with open(target, "rb") as f:
                data = f.read()
        return hashlib.sha256(data).hexdigest()[:16] if isinstance(data, bytes) and data else ""

    def figure(self, fig: Any, target: Any = None) -> None:
        self.busy = True
        try:
            axes = [{"xlabel": ax.get_xlabel()[:200], "ylabel": ax.get_ylabel()[:200],
                     "title": ax.get_title()[:200], "axis_on": bool(ax.axison),
                     "has_data": bool(ax.has_data()),
                     "x_ticks": _shows_ticks(ax.xaxis, ax.get_xticklabels()),
                     "y_ticks": _shows_ticks(ax.yaxis, ax.get_yticklabels()),
                     "colorbar": hasattr(ax, "_colorbar") or ax.get_label() == "<colorbar>"}
                    for ax in fig.get_axes()[:20]]
            title = fig._suptitle.get_text()[:200] if fig._suptitle is not None else ""
            try:
                png = self.png_digest(target)
            except Exception:
                png = ""
            line = json.dumps({"suptitle": title, "axes": axes, "png": png}) + "\n"
            os.write(self.figures_fd, line.encode("utf-8", "replace"))
        except Exception:
            pass
        finally:
            self.busy = False


def _shows_ticks(axis: Any, labels: Any) -> bool:
    try:
        return bool(axis.get_visible()) and any(
            t.get_visible() and t.get_text().strip() for t in labels)
    except Exception:
        return True


def install(config: dict[str, Any]) -> None:
    recorder = Recorder(config)
    recorder.watch_figures()
    if recorder.audit_fd >= 0:
        recorder.watch_environ()
        try:
            shell = importlib.import_module("IPython").get_ipython()
            if shell is not None:
                shell.events.register("pre_run_cell", recorder.pre_run_cell)
                shell.events.register("post_run_cell", recorder.post_run_cell)
        except Exception:
            pass
        sys.addaudithook(recorder.hook)


if __name__ == "grader_recorder":
    install(dict(globals().get("CONFIG") or {}))
