"""What the browser tests of `grader serve` share (tests/integration/test_web_browser.py and
test_web_browser_xss.py; this module has no test of its own): the service as a subprocess on
a free port with its own store and a reviewer made with `grader users add`, headless
Chromium driven by Selenium through Debian's chromium-driver (never a driver downloaded at
run time: the network is closed), logging in, zipping a solution folder as a candidate
would, and waiting on what a page shows."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest

from tests.conftest import ROOT, TEST_CHALLENGE
from tests.integration.test_web_service import _start, _stop

ARTIFACTS = ROOT / "test-artifacts"
PASSWORD = "a long pass phrase for rita"
T = TypeVar("T")


@dataclass
class Service:
    base: str
    env: dict[str, str]
    log: Path

    def url(self, path: str) -> str:
        return self.base + path


def _missing(what: str) -> None:
    if os.environ.get("GRADER_REQUIRE_CHROMIUM") == "1":
        pytest.fail(f"{what} (scripts/ensure-chromium.sh installs it)")
    pytest.skip(what)


def driver_paths() -> tuple[str, str]:
    """(chromium, chromedriver): Debian's, or the test fails (GRADER_REQUIRE_CHROMIUM=1,
    as scripts/test.sh sets) or is skipped."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        _missing("selenium is not installed (pip install -e '.[test]')")
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if browser is None:
        _missing("chromium is not installed")
    if driver is None:
        _missing("chromedriver is not installed (Debian's chromium-driver)")
    assert browser is not None and driver is not None
    return browser, driver


@pytest.fixture()
def service(tmp_path: Path, docker_client: object) -> Iterator[Service]:
    """`grader serve` with its own store (the wordfreq test challenge on the search path
    beside the bundled ones) and one reviewer, rita. The browser is looked for first."""
    driver_paths()
    env = {**os.environ, "GRADER_STORE": str(tmp_path / "store" / "grader.db"),
           "GRADER_CHALLENGES_PATH": str(TEST_CHALLENGE.parent)}
    made = subprocess.run([sys.executable, "-m", "grader", "users", "add", "rita",
                           "--password-stdin"], input=PASSWORD + "\n", text=True,
                          capture_output=True, cwd=ROOT, env=env, timeout=120, check=False)
    assert made.returncode == 0, made.stderr
    log = tmp_path / "serve.log"
    server, base = _start(env, log)
    try:
        yield Service(base, env, log)
    finally:
        _stop(server)
        print(log.read_text())


def browser(tmp_path: Path, name: str) -> Any:
    """A headless Chromium of its own (profile, downloads folder), console logged."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service as DriverService

    chromium, chromedriver = driver_paths()
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--hide-scrollbars",
                 "--disable-dev-shm-usage", "--window-size=1400,1000",
                 f"--user-data-dir={tmp_path / f'{name}-profile'}"):
        options.add_argument(flag)
    downloads = tmp_path / f"{name}-downloads"
    downloads.mkdir()
    options.add_experimental_option("prefs", {
        "download.default_directory": str(downloads), "download.prompt_for_download": False})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=DriverService(
        executable_path=chromedriver, log_output=str(tmp_path / f"{name}-chromedriver.log")))
    driver.set_page_load_timeout(60)
    driver.execute_cdp_cmd("Browser.setDownloadBehavior",
                           {"behavior": "allow", "downloadPath": str(downloads)})
    setattr(driver, "grader_downloads", downloads)  # noqa: B010 (where its kit lands)
    return driver


def wait_for(what: Callable[[], T | None], timeout: float, message: str | Callable[[], str],
             every: float = 0.25) -> T:
    """The first truthy answer of `what` within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        got = what()
        if got:
            return got
        if time.monotonic() > deadline:
            raise AssertionError(message() if callable(message) else message)
        time.sleep(every)


def by_id(driver: Any, element_id: str) -> Any:
    from selenium.webdriver.common.by import By

    return driver.find_element(By.ID, element_id)


def text_of(driver: Any, element_id: str) -> str:
    return str(by_id(driver, element_id).text)


def login(driver: Any, svc: Service) -> None:
    driver.get(svc.url("/"))                    # a reviewer page: to the login form first
    assert "/login/" in driver.current_url
    by_id(driver, "id_username").send_keys("rita")
    by_id(driver, "id_password").send_keys(PASSWORD)
    by_id(driver, "login-submit").click()
    wait_for(lambda: driver.current_url.rstrip("/") == svc.base, 30,
             lambda: f"not logged in: {driver.current_url}")
    assert text_of(driver, "current-user") == "rita"


def choose(driver: Any, element_id: str, value: str) -> None:
    from selenium.webdriver.support.ui import Select

    Select(by_id(driver, element_id)).select_by_value(value)


def create_opening(driver: Any, svc: Service, title: str, challenge: str, level: str,
                   framework: str = "") -> int:
    """Through the New opening form; the opening's id."""
    by_id(driver, "nav-new-opening").click()
    by_id(driver, "id_title").send_keys(title)
    choose(driver, "id_challenge", challenge)
    if framework:
        choose(driver, "id_framework", framework)
    choose(driver, "id_level", level)
    by_id(driver, "opening-submit").click()
    wait_for(lambda: "/openings/" in driver.current_url and "/new/" not in
             driver.current_url, 30, lambda: driver.page_source[:3000])
    assert text_of(driver, "opening-title") == title
    return int(driver.current_url.rstrip("/").rsplit("/", 1)[1])


def create_invite(driver: Any, svc: Service, opening: int, name: str, email: str) -> str:
    """Through the opening page's invite form; the link shown once."""
    driver.get(svc.url(f"/openings/{opening}/"))
    by_id(driver, "id_name").send_keys(name)
    by_id(driver, "id_email").send_keys(email)
    by_id(driver, "invite-submit").click()
    link = wait_for(lambda: driver.find_elements("id", "invite-link"), 30,
                    lambda: driver.page_source[:3000])[0].get_attribute("value")
    assert link.startswith(svc.base + "/invite/"), link
    return str(link)


def zip_folder(folder: Path, target: Path, top: str = "") -> Path:
    """The folder zipped as a candidate would (caches left out), under `top`/ when given."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not {"__pycache__", ".pytest_cache"} & set(path.parts):
                rel = path.relative_to(folder).as_posix()
                zf.write(path, f"{top}/{rel}" if top else rel)
    target.write_bytes(buffer.getvalue())
    return target


def upload(driver: Any, path: Path, expect: str) -> str:
    """The candidate's upload through the page (its script sends it with progress, then the
    page comes back with the verdict); the verdict the page says."""
    driver.execute_script("window.__beforeUpload = true;")
    by_id(driver, "id_file").send_keys(str(path))
    by_id(driver, "upload-submit").click()

    def verdict() -> list[str]:
        if driver.execute_script("return window.__beforeUpload === true"):
            return []                   # still the page the upload was sent from
        return [m.text for m in driver.find_elements("css selector", "#messages .message")
                if expect in m.text]

    said = wait_for(verdict, 120,
                    lambda: f"no '{expect}' on the page: {driver.page_source[:4000]}")
    return str(said[0])


def shot(driver: Any, name: str) -> Path:
    """A screenshot of the whole page (as wide as its widest table, as tall as its content,
    within 3000 x 6000) in test-artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    size = "return [Math.max(document.body.scrollWidth, document.documentElement.scrollWidth," \
           " ...Array.from(document.querySelectorAll('table'), t => t.scrollWidth + 160))," \
           " Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)]"
    width, _ = driver.execute_script(size)
    driver.set_window_size(min(max(int(width) + 40, 1400), 3000), 1000)
    _, height = driver.execute_script(size)
    driver.set_window_size(min(max(int(width) + 40, 1400), 3000),
                           min(max(int(height) + 40, 800), 6000))
    path = ARTIFACTS / name
    assert driver.save_screenshot(str(path)), name
    driver.set_window_size(1400, 1000)
    assert path.stat().st_size > 10_000
    return path
