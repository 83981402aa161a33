"""Candidate-controlled text cannot run script in a reviewer's browser (issue 23 item 7's
last point), checked in real Chromium. Two submissions are uploaded through invites whose
names are payloads too: a data-science notebook whose stdout, stderr, rich HTML and
JavaScript outputs, Markdown cell (with a `javascript:` link) and the exception its last
cell raises carry `<script>` and `<img onerror>` payloads, and the Flask reference whose
server prints them into its log (the report's server.log); both submission.yaml files name
the candidate with a script tag. Once graded, the candidate's page, each cohort page, each
call sheet and each report page (the notebook's in its sandboxed frame too) are opened.
Every payload would set window.__pwned and the title: both stay untouched, no page has a
`javascript:` link or an event-handler attribute, the `javascript:` links that reach the
notebook frame (if any) do nothing when clicked, the payloads are on the pages as text, the
console shows only sandbox refusals, and the report's Content-Security-Policy is the strict
one (no script at all, a sandbox). A control page whose script does run, with a live link,
shows the probe can see both."""

from __future__ import annotations

import copy
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import requests

from grader.web.pages.csp import PAGE, REPORT
from tests.conftest import ROOT
from tests.integration.test_web_browser_support import (
    ARTIFACTS,
    Service,
    browser,
    by_id,
    create_invite,
    create_opening,
    login,
    service,
    shot,
    upload,
    wait_for,
    zip_folder,
)

pytestmark = pytest.mark.docker
__all__ = ["service"]          # the fixture, used by name below
REFERENCE = ROOT / "challenges" / "datascience" / "solutions" / "reference"
BACKEND = ROOT / "challenges" / "backend" / "solutions" / "flask-reference"
SCRIPT = "<script>window.__pwned='{0}';document.title='pwned'</script>"
IMG = "<img src=x onerror=\"window.__pwned='{0}';document.title='pwned'\">"
INVITE_NAME = "Eve " + IMG.format("invite-name")
BACKEND_NAME = "Mal " + SCRIPT.format("backend-invite-name")
PROBE = ("return [window.__pwned === undefined ? null : String(window.__pwned), "
         "document.title, document.querySelectorAll('a[href^=\"javascript:\" i], "
         "[onerror], [onload]').length]")


def _cell(kind: str, source: str) -> dict[str, Any]:
    cell: dict[str, Any] = {"cell_type": kind, "id": f"added-{abs(hash(source)) % 10**8}",
                            "metadata": {}, "source": source}
    if kind == "code":
        cell.update(outputs=[], execution_count=None)
    return cell


def _hostile_submission(folder: Path) -> Path:
    """The bundled reference notebook with payloads added where a candidate controls text."""
    folder.mkdir()
    nb = json.loads((REFERENCE / "analysis.ipynb").read_text(encoding="utf-8"))
    nb = copy.deepcopy(nb)
    nb["cells"] += [
        _cell("code", "import sys\n"
                      f"print({SCRIPT.format('stdout')!r})\n"
                      f"print({IMG.format('stderr')!r}, file=sys.stderr)\n"),
        _cell("code", "from IPython.display import HTML, Javascript, display\n"
                      f"display(HTML({SCRIPT.format('html-output')!r} + "
                      f"{IMG.format('img-output')!r} + "
                      "\"<a id='js-link' href=\\\"javascript:window.__pwned='js-link'\\\">"
                      "the notes</a>\"))\n"
                      "display(Javascript(\"window.__pwned='js-output'\"))\n"),
        _cell("markdown", f"Notes {SCRIPT.format('markdown')}\n\n"
                          "[the appendix](javascript:window.__pwned='md-link')\n"),
        _cell("code", f"raise RuntimeError({('</pre>' + SCRIPT.format('traceback'))!r})\n"),
    ]
    (folder / "analysis.ipynb").write_text(json.dumps(nb, indent=1), encoding="utf-8")
    (folder / "submission.yaml").write_text(
        "challenge: datascience\n"
        f"candidate: {json.dumps('Eve ' + SCRIPT.format('manifest-name'))}\n"
        'kit_version: "1"\n', encoding="utf-8")
    return zip_folder(folder, folder.with_suffix(".zip"))


def _hostile_server(folder: Path) -> Path:
    """The bundled Flask reference, its server printing payloads to its log (stdout and
    stderr: the report's server.log) and its manifest naming the candidate with one."""
    shutil.copytree(BACKEND, folder, ignore=shutil.ignore_patterns("__pycache__",
                                                                   ".pytest_cache"))
    wsgi = folder / "wsgi.py"
    wsgi.write_text(wsgi.read_text(encoding="utf-8") + "\nimport sys  # noqa: E402\n\n"
                    f"print({SCRIPT.format('server-log')!r}, flush=True)\n"
                    f"print({IMG.format('server-stderr')!r}, file=sys.stderr, flush=True)\n",
                    encoding="utf-8")
    manifest = folder / "submission.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(
        "candidate: Flo Flask", "candidate: " + json.dumps("Mal " + SCRIPT.format(
            "backend-manifest-name"))), encoding="utf-8")
    return zip_folder(folder, folder.with_suffix(".zip"))


def _untouched(driver: Any, where: str) -> None:
    pwned, title, live = driver.execute_script(PROBE)
    assert pwned is None and title != "pwned", (where, pwned, title)   # text is fine
    assert live == 0, f"{where}: {live} javascript: link(s) or event handler attribute(s)"


def _policy(response: requests.Response) -> dict[str, str]:
    return {part.strip().split(" ", 1)[0]: part.strip().partition(" ")[2]
            for part in response.headers["Content-Security-Policy"].split(";") if part.strip()}


def _graded_pages(reviewer: Any, svc: Service, opening: int, name: str, shots: str,
                  logs: list[dict[str, Any]]) -> str:
    """The opening's cohort page (until its one candidate is graded), then the candidate's
    call sheet, each probed; the report's address."""
    reviewer.get(svc.url(f"/openings/{opening}/"))
    row = "//table[@id='cohort']/tbody/tr[1]"             # the only candidate
    assert reviewer.find_element("xpath", row + "//a").text == name

    def final_state() -> str:
        state = str(reviewer.find_element("xpath", row).find_element(
            "css selector", "td[data-col='state']").text)
        return state if state == "graded" or state.startswith("failed") else ""

    state = wait_for(final_state, 600, lambda: svc.log.read_text()[-4000:], every=1)
    assert state == "graded", svc.log.read_text()[-4000:]
    _untouched(reviewer, f"cohort page of {opening}")
    shot(reviewer, f"web-xss-cohort-{shots}.png")
    logs += reviewer.get_log("browser")
    reviewer.find_element("xpath", row + "//a").click()
    _untouched(reviewer, f"call sheet of {name}")
    assert by_id(reviewer, "candidate-name").text == name
    logs += reviewer.get_log("browser")
    return str(by_id(reviewer, "report-link").get_attribute("href"))


def test_candidate_text_runs_no_script_in_the_reviewers_browser(service: Service,
                                                                 tmp_path: Path) -> None:
    notebook = _hostile_submission(tmp_path / "eve")
    server = _hostile_server(tmp_path / "mal")
    reviewer = browser(tmp_path, "reviewer")
    logs: list[dict[str, Any]] = []
    try:
        # the probe sees a script that does run (so "untouched" below means something)
        reviewer.get("data:text/html," + SCRIPT.format("control") +
                     "<a href='javascript:void(0)'>a live link</a>")
        assert reviewer.execute_script(PROBE) == ["control", "pwned", 1]

        login(reviewer, service)
        analyst = create_opening(reviewer, service, "Data analyst (junior)", "datascience",
                                 "junior")
        eve = create_invite(reviewer, service, analyst, INVITE_NAME, "eve@example.com")
        _untouched(reviewer, "invite created")
        backend = create_opening(reviewer, service, "Backend developer (junior)", "backend",
                                 "junior", framework="flask")
        mal = create_invite(reviewer, service, backend, BACKEND_NAME, "mal@example.com")

        candidate = browser(tmp_path, "candidate")
        try:
            for link, name, hostile in ((eve, INVITE_NAME, notebook),
                                        (mal, BACKEND_NAME, server)):
                candidate.get(link)
                _untouched(candidate, f"candidate's page of {name}")
                assert name in candidate.find_element("tag name", "main").text
                upload(candidate, hostile, "Received")
                _untouched(candidate, f"candidate's page of {name} after the upload")
        finally:
            candidate.quit()

        # the notebook: its report, and the executed notebook in its sandboxed frame
        report = _graded_pages(reviewer, service, analyst, INVITE_NAME, "notebook", logs)
        reviewer.get(report)
        _untouched(reviewer, "the notebook's report page")
        source = reviewer.page_source
        assert "Eve &lt;script&gt;window.__pwned='manifest-name'" in source
        assert "window.__pwned='traceback'" in source           # the exception, as text
        frame = reviewer.find_element("css selector", "iframe[srcdoc]")
        assert frame.get_attribute("sandbox") == ""              # no allow-scripts
        shot(reviewer, "web-xss-report.png")
        reviewer.switch_to.frame(frame)
        inner = reviewer.page_source
        assert "window.__pwned='stdout'" in inner and "window.__pwned='stderr'" in inner
        # the notebook's HTML was sanitised (nbconvert) before it reached the frame; a link
        # that slipped through would be inert there (sandboxed): clicked, it runs nothing
        for found in reviewer.find_elements("css selector", "a[href^='javascript:']"):
            found.click()
        reviewer.switch_to.default_content()
        _untouched(reviewer, "report page after the notebook's javascript: links")
        logs += reviewer.get_log("browser")

        # the server: its log on the report page
        server_report = _graded_pages(reviewer, service, backend, BACKEND_NAME, "server",
                                      logs)
        reviewer.get(server_report)
        _untouched(reviewer, "the server's report page")
        source = reviewer.page_source
        assert "Mal &lt;script&gt;window.__pwned='backend-manifest-name'" in source
        assert "&lt;script&gt;window.__pwned='server-log'" in source       # server.log
        logs += reviewer.get_log("browser")

        # the headers: the report page runs no script at all, the pages only their own
        session = requests.Session()
        for cookie in reviewer.get_cookies():
            session.cookies.set(cookie["name"], cookie["value"])
        for address in (report, server_report):
            answer = session.get(address, timeout=30)
            assert answer.status_code == 200 and "__pwned" in answer.text
            assert answer.headers["Content-Security-Policy"] == REPORT
            policy = _policy(answer)
            assert policy["script-src"] == "'none'" and policy["default-src"] == "'none'"
            assert "allow-scripts" not in policy["sandbox"] and "allow-same-origin" not in \
                policy["sandbox"]
            assert answer.headers["X-Content-Type-Options"] == "nosniff"
        cohort = session.get(service.url(f"/openings/{analyst}/"), timeout=30)
        assert cohort.headers["Content-Security-Policy"] == PAGE
        assert _policy(cohort)["script-src"] == "'self'"
        assert "&lt;img src=x onerror=" in cohort.text
    finally:
        reviewer.quit()
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "web-xss-console.txt").write_text(
        "\n".join(f"{e.get('level')} {e.get('message')}" for e in logs) + "\n")
    ran = [e["message"] for e in logs if re.search(r"__pwned|pwned", e.get("message", ""))
           and not re.search(r"Content Security Policy|sandboxed|allow-scripts",
                             e["message"])]
    assert not ran, ran
