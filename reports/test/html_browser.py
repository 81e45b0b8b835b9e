"""Opens sipwright's HTML report in headless Chromium (through chromedriver and Selenium) and checks
what a reader gets:

  * the page loads with no console error (no SEVERE browser log entry: a script error, or a
    Content-Security-Policy violation) and makes no network request beyond the file itself;
  * the summary table has one row per scenario, each section one ladder arrow per trace entry
    with data-index 0..n-1, and the totals;
  * every message a failing verdict cites is marked (class "failing", shown in red) and names the
    rule id and its section;
  * a message opens on click and shows its full text, exactly as the report promises to show
    it (computed here independently from the raw bytes), and an evidence link opens its message;
  * the device's <script>alert(1)</script> and <img onerror> did not run;
  * a 10,000-message report loads within bounds and stays usable.

The reports come from the html_sample program (--sample), which also prints what they must show,
read from the run-result model. Screenshots of the sample report go to each --screenshot path.

Usage: /usr/bin/python3 html_browser.py --sample PATH/html_sample --workdir DIR
           [--screenshot FILE]... [--timeout SECONDS]
Run with Debian's interpreter (the python3-selenium package). Exit status 0 when every check
passed, 1 otherwise (also when Chromium, chromedriver or Selenium is missing: the project's
setup.sh installs the Debian packages chromium, chromium-driver and python3-selenium).
"""

import argparse
import base64
import importlib.util
import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
PACKAGES = "chromium chromium-driver python3-selenium"

failures = []


def check(ok, what):
    print(("ok    " if ok else "FAIL  ") + what, flush=True)
    if not ok:
        failures.append(what)
    return ok


def die(message):
    print("FAIL: " + message, file=sys.stderr, flush=True)
    sys.exit(1)


def shown(raw: bytes) -> str:
    """The text the report promises to show for a message's bytes (independently of how it does
    it): CRLF a line break; a bare LF "\\x0a" and a line break; other C0 controls, DEL, C1
    controls, the non-characters U+FFFE/U+FFFF and every byte that is not UTF-8 as "\\xNN"."""
    text = raw.decode("utf-8", "surrogateescape")  # a byte that is not UTF-8: U+DC80..U+DCFF
    out = []
    i = 0
    while i < len(text):
        c = text[i]
        o = ord(c)
        if c == "\r" and text[i + 1 : i + 2] == "\n":
            out.append("\n")
            i += 1
        elif c == "\n":
            out.append("\\x0a\n")
        elif c == "\t":
            out.append(c)
        elif 0xDC80 <= o <= 0xDCFF:
            out.append("\\x%02x" % (o - 0xDC00))
        elif o < 0x20 or 0x7F <= o <= 0x9F or c in "\ufffe\uffff":
            out.append("".join("\\x%02x" % b for b in c.encode("utf-8")))
        else:
            out.append(c)
        i += 1
    return "".join(out)


def run_sample(sample, args, cwd):
    proc = subprocess.run(
        [os.path.abspath(sample)] + args, cwd=cwd, capture_output=True, text=True, timeout=60
    )
    if proc.returncode != 0:
        die(f"{sample} {' '.join(args)} failed ({proc.returncode}): {proc.stderr.strip()}")
    return json.loads(proc.stdout)


class Browser:
    """Headless Chromium through chromedriver, in a session (process group) of its own, so that
    every process it starts can be ended by that group's id, and with a throwaway profile."""

    def __init__(self, workdir):
        from selenium.webdriver.chrome.options import Options
        from selenium.webdriver.chrome.service import Service
        from selenium.webdriver.remote.remote_connection import RemoteConnection

        self.driver = None
        self.profile = tempfile.mkdtemp(prefix="sipwright-chromium-")
        options = Options()
        options.binary_location = CHROMIUM
        for flag in (
            "--headless=new",
            "--no-sandbox",  # root in CI
            "--disable-gpu",
            "--disable-dev-shm-usage",
            f"--user-data-dir={self.profile}",
            "--window-size=1400,1000",
            "--force-device-scale-factor=1",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-default-apps",
        ):
            options.add_argument(flag)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
        RemoteConnection.set_timeout(60)  # every command, the session's start included
        # Starting the driver waits at most 30 s for it to listen (then WebDriverException).
        self.options = options
        self.service = Service(
            CHROMEDRIVER,
            log_path=str(pathlib.Path(workdir) / "chromedriver.log"),
            popen_kw={"start_new_session": True},
        )

    def start(self):
        from selenium import webdriver

        self.driver = webdriver.Chrome(service=self.service, options=self.options)
        self.driver.set_page_load_timeout(30)
        self.driver.set_script_timeout(30)

    def group(self):
        """The process group of chromedriver and the browser it started (its pid: a session
        leader), or None before it started."""
        process = getattr(self.service, "process", None)
        return process.pid if process is not None else None

    def close(self):
        group = self.group()
        try:
            if self.driver:
                self.driver.quit()
        except Exception as e:  # noqa: BLE001 - best effort, the group is ended below
            print(f"note: quitting the browser: {e}")
        kill_group(group)
        shutil.rmtree(self.profile, ignore_errors=True)


def kill_group(group):
    if group:
        try:
            os.killpg(group, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def severe_logs(driver):
    return [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]


def requests_made(driver):
    """(url, url of the document that asked) of every request since the last call."""
    made = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            params = message["params"]
            made.append((params["request"]["url"], params.get("documentURL", "")))
    return made


def load(driver, path):
    url = pathlib.Path(path).resolve().as_uri()
    driver.get_log("browser")  # drop what came before
    driver.get_log("performance")
    started = time.monotonic()
    driver.get(url)
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 30).until(
        lambda d: d.execute_script("return document.readyState") == "complete"
    )
    return url, time.monotonic() - started


def check_quiet(driver, url, what):
    severe = severe_logs(driver)
    check(not severe, f"{what}: no console error" + (f": {severe}" if severe else ""))
    # What the page asked for besides itself, and anything at all that went to the network (the
    # browser's own chrome:// pages, e.g. its start page, are neither).
    others = [
        u
        for u, document in requests_made(driver)
        if (document.split("#")[0] == url and u.split("#")[0] != url and not u.startswith("data:"))
        or u.split(":")[0] in ("http", "https", "ws", "wss", "ftp")
        or (u.startswith("file:") and u.split("#")[0] != url)
    ]
    detail = f": {others}" if others else ""
    check(not others, f"{what}: no network request beyond the file{detail}")


def screenshot(driver, paths):
    size = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    width = min(int(size["width"]), 4000)
    height = min(int(size["height"]), 16000)
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot",
        {
            "format": "png",
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
        },
    )
    data = base64.b64decode(shot["data"])
    for p in paths:
        pathlib.Path(p).parent.mkdir(parents=True, exist_ok=True)
        pathlib.Path(p).write_bytes(data)
        print(f"screenshot: {p} ({width}x{height})")


def sample_checks(driver, report, expect):
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By

    url, seconds = load(driver, report)
    print(f"loaded the sample report in {seconds:.2f} s")
    title = driver.title
    check_quiet(driver, url, "sample report")

    rows = driver.find_elements(By.CSS_SELECTOR, "table#summary tr.scenario")
    scenarios = expect["scenarios"]
    check(len(rows) == scenarios, f"{len(rows)} summary rows, expected {scenarios}")
    totals = driver.find_element(By.ID, "totals").text
    want = f"{expect['passed']} passed, {expect['failed']} failed, {expect['skipped']} skipped"
    check(totals == want, f"totals '{totals}', expected '{want}'")
    check(title == f"sipwright report: {want}", f"title '{title}'")
    for k, row in enumerate(rows, 1):
        link = row.find_element(By.CSS_SELECTOR, "a").get_attribute("href")
        check(link.endswith(f"#sc-{k}"), f"summary row {k} links to its section ({link})")

    sections = driver.find_elements(By.CSS_SELECTOR, "section.scenario")
    check(len(sections) == expect["scenarios"], f"{len(sections)} scenario sections")
    for k, (section, size) in enumerate(zip(sections, expect["trace"]), 1):
        indexes = driver.execute_script(
            "return Array.from(arguments[0].querySelectorAll('.ladder .arrow'),"
            " a => Number(a.dataset.index));",
            section,
        )
        check(indexes == list(range(size)), f"scenario {k}: {len(indexes)} arrows, expected {size}")
        lifelines = section.find_elements(By.CSS_SELECTOR, ".ladder .lifeline")
        check(size == 0 or len(lifelines) >= 2, f"scenario {k}: {len(lifelines)} lifelines")

    # The failing messages: marked, in red, with the rule id and its section.
    failing = driver.find_elements(By.CSS_SELECTOR, ".ladder .arrow.failing")
    wanted = {(s, i) for s, i, _, _ in expect["failing"]}
    check(len(failing) == len(wanted), f"{len(failing)} failing arrows, expected {len(wanted)}")
    for s, i, rule, section in expect["failing"]:
        arrow = driver.find_element(By.ID, f"sc-{s}-m-{i + 1}")
        classes = arrow.get_attribute("class").split()
        check("failing" in classes, f"sc-{s} message #{i + 1} is marked failing ({classes})")
        refs = [r.text for r in arrow.find_elements(By.CSS_SELECTOR, ".rule-ref")]
        check(
            any(rule in r and section in r for r in refs),
            f"sc-{s} message #{i + 1} names {rule} and {section} ({refs})",
        )
        colour = driver.execute_script(
            "return getComputedStyle(arguments[0].querySelector('.label')).color", arrow
        )
        check(colour == "rgb(207, 34, 46)", f"sc-{s} message #{i + 1} is shown in red ({colour})")
    passing = driver.find_element(By.ID, "sc-1-m-1")
    colour = driver.execute_script(
        "return getComputedStyle(arguments[0].querySelector('.label')).color", passing
    )
    check(colour != "rgb(207, 34, 46)", f"a passing message is not red ({colour})")

    # A message opens on click and shows its full text.
    s, i, hexbytes = expect["hostile"]
    raw = bytes.fromhex(hexbytes)
    message = driver.find_element(By.ID, f"sc-{s}-m-{i + 1}")
    pre = message.find_element(By.CSS_SELECTOR, "pre.wire")
    def state():
        return driver.execute_script(
            "return [arguments[0].open, arguments[1].checkVisibility()]", message, pre
        )

    check(state() == [False, False], f"the message starts closed, its text hidden ({state()})")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", message)
    message.find_element(By.CSS_SELECTOR, ".label").click()
    check(state() == [True, True], f"a click opens the message and shows its text ({state()})")
    text = driver.execute_script("return arguments[0].textContent", pre)
    check(text == shown(raw), "the message's full text, escaped as promised")
    if text != shown(raw):
        print("  got:     " + repr(text) + "\n  expected: " + repr(shown(raw)))
    check("<script>alert(1)</script>" in pre.text, "the device's <script> is shown as text")

    # An evidence link in the verdict table opens the message it cites.
    s, i, _, _ = expect["failing"][0]
    target = driver.find_element(By.ID, f"sc-{s}-m-{i + 1}")
    driver.execute_script("arguments[0].open = false", target)
    link = driver.find_element(By.CSS_SELECTOR, f"#sc-{s} a.evidence[href='#sc-{s}-m-{i + 1}']")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", link)
    link.click()
    time.sleep(0.2)
    check(
        driver.execute_script("return location.hash") == f"#sc-{s}-m-{i + 1}"
        and driver.execute_script("return arguments[0].open", target),
        "an evidence link opens the message it cites",
    )

    # The device's script did not run.
    try:
        alert = driver.switch_to.alert
        check(False, f"no alert (got one: {alert.text!r})")
        alert.dismiss()
    except NoAlertPresentException:
        check(True, "no alert: the device's <script> did not run")
    check(driver.title == title, f"the title is untouched ({driver.title!r})")
    counts = driver.execute_script(
        "return [document.scripts.length, document.images.length,"
        " document.querySelectorAll('b, iframe, object, embed').length]"
    )
    check(counts == [1, 0, 0], f"only the page's own script, no element from the device ({counts})")
    check_quiet(driver, url, "after the clicks")

    # Back to the top for the picture, with the opened message left open.
    driver.execute_script("location.hash = ''; window.scrollTo(0, 0)")


def big_checks(driver, report, expect):
    from selenium.webdriver.common.by import By

    url, seconds = load(driver, report)
    size = os.path.getsize(report)
    n = expect["trace"][0]
    print(f"loaded the {n}-message report ({size / 1e6:.1f} MB) in {seconds:.2f} s")
    check(seconds < 20, f"the big report loads in under 20 s ({seconds:.2f} s)")
    n = driver.execute_script("return document.querySelectorAll('.ladder .arrow').length")
    check(n == expect["trace"][0], f"big report: {n} arrows, expected {expect['trace'][0]}")
    n = driver.execute_script("return document.querySelectorAll('.ladder .arrow.failing').length")
    check(n == len(expect["failing"]), f"big report: {n} failing arrows")
    started = time.monotonic()
    driver.execute_script("window.scrollTo(0, document.body.scrollHeight)")
    last = driver.find_element(By.ID, f"sc-1-m-{expect['trace'][0]}")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", last)
    last.find_element(By.CSS_SELECTOR, ".label").click()
    opened = driver.execute_script("return arguments[0].open", last)
    spent = time.monotonic() - started
    check(opened and spent < 10, f"big report: the last message opens ({spent:.2f} s)")
    check_quiet(driver, url, "big report")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", required=True, help="the html_sample program")
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--screenshot", action="append", default=[])
    parser.add_argument("--timeout", type=float, default=100, help="bound of the whole test (s)")
    parser.add_argument("--big", type=int, default=10000, help="messages of the big report")
    args = parser.parse_args()

    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not os.access(p, os.X_OK)]
    if importlib.util.find_spec("selenium") is None:
        missing.append(f"the selenium module for {sys.executable}")
    if missing:
        die(f"missing {', '.join(missing)}: install the Debian packages {PACKAGES} "
            "(setup.sh does) and run this with /usr/bin/python3")

    workdir = pathlib.Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    screenshots = args.screenshot or [str(workdir / "report.png")]
    report = workdir / "report.html"
    big = workdir / "big.html"
    expect = run_sample(args.sample, [str(report)], workdir)
    expect_big = run_sample(args.sample, ["--big", str(args.big), str(big)], workdir)

    browser = Browser(workdir)

    def too_long():
        print(f"FAIL: not finished within {args.timeout:.0f} s", file=sys.stderr, flush=True)
        kill_group(browser.group())
        shutil.rmtree(browser.profile, ignore_errors=True)
        os._exit(1)

    watchdog = threading.Timer(args.timeout, too_long)
    watchdog.daemon = True
    watchdog.start()
    try:
        try:
            browser.start()
        except Exception as e:  # noqa: BLE001
            die(f"cannot start headless Chromium through {CHROMEDRIVER}: {e} "
                f"(see {workdir / 'chromedriver.log'})")
        version = browser.driver.capabilities.get("browserVersion", "?")
        print(f"Chromium {version}")
        sample_checks(browser.driver, report, expect)
        screenshot(browser.driver, screenshots)
        big_checks(browser.driver, big, expect_big)
    finally:
        browser.close()
        watchdog.cancel()

    if failures:
        print(f"{len(failures)} check(s) failed", file=sys.stderr)
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
