#!/usr/bin/python3
"""The whole bundled library in one `sipwright run --profile PROFILE --out DIR`, as the README's
first command runs it, checked from the outside:

  --first-command  exit status 0; DIR holds junit.xml, report.html and run.pcap; junit.xml
                   validates against junit-10.xsd (xmllint); python3-junitparser reads the same
                   scenario counts as the console's closing line; tshark reads as many SIP
                   messages from run.pcap as the JUnit traces hold
  --sigterm        the same run gets SIGTERM after a second: it stops within a bound, exits 1,
                   says it was interrupted, and still leaves a junit.xml that validates and marks
                   the interrupted scenarios as errors (and the launched device is gone)

Exit status: 0 pass, 1 fail. Debian's /usr/bin/python3 (python3-junitparser).
"""

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from xml.etree import ElementTree

from junitparser import Error, Failure, JUnitXml, Skipped

SUMMARY = re.compile(r"^(\d+) passed, (\d+) failed, (\d+) skipped$", re.M)
DEVICE = re.compile(r"^device: .* at (UDP|TCP) (\S+) \(log: (.*)\)$", re.M)


class Failed(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failed(what)


def validate(schema, junit):
    if not os.path.exists(schema):
        print("note: %s is missing: junit.xml not validated against the schema" % schema)
        return
    r = subprocess.run(["xmllint", "--noout", "--schema", schema, junit],
                       capture_output=True, text=True, timeout=60)
    check(r.returncode == 0, "junit.xml does not validate against %s:\n%s" % (schema, r.stderr))


def junit_scenarios(junit):
    """Per testsuite (scenario): 'failed', 'skipped' or 'passed', as the console counts them."""
    xml = JUnitXml.fromfile(junit)
    outcome = {}
    for suite in xml:
        cases = list(suite)
        results = [r for c in cases for r in c.result]
        if any(isinstance(r, (Failure, Error)) for r in results):
            outcome[suite.name] = "failed"
        elif cases and all(any(isinstance(r, Skipped) for r in c.result) for c in cases):
            outcome[suite.name] = "skipped"
        else:
            outcome[suite.name] = "passed"
        declared = (suite.tests, suite.failures, suite.errors, suite.skipped)
        counted = (len(cases),
                   sum(any(isinstance(r, Failure) for r in c.result) for c in cases),
                   sum(any(isinstance(r, Error) for r in c.result) for c in cases),
                   sum(any(isinstance(r, Skipped) for r in c.result) for c in cases))
        check(declared == counted, "suite %s declares %s but holds %s" % (suite.name, declared,
                                                                         counted))
    return outcome, xml


def traced_messages(junit):
    """The messages the suites' <system-out> traces hold (junitparser 2 does not read it)."""
    total = 0
    for out in ElementTree.parse(junit).getroot().iter("system-out"):
        m = re.search(r"^trace: (\d+) messages?$", out.text or "", re.M)
        total += int(m.group(1)) if m else 0
    return total


def pcap_sip_count(pcap):
    # The ports vary from scenario to scenario: SIP is found by tshark's heuristics.
    r = subprocess.run(["tshark", "-r", pcap, "--enable-heuristic", "sip_udp",
                        "--enable-heuristic", "sip_tcp", "-Y", "sip", "-T", "fields",
                        "-e", "frame.number"],
                       capture_output=True, text=True, timeout=120)
    check(r.returncode == 0, "tshark cannot read %s: %s" % (pcap, r.stderr))
    return len([l for l in r.stdout.splitlines() if l.strip()])


def run(args, extra_wait=None):
    if os.path.exists(args.workdir):
        shutil.rmtree(args.workdir)
    os.makedirs(args.workdir)
    out_dir = os.path.join(args.workdir, "sipwright-results")
    cmd = [args.sipwright, "run", "--profile", args.profile, "--out", out_dir, "--color", "never"]
    print("$ " + " ".join(cmd), flush=True)
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            cwd=args.workdir)
    if extra_wait:
        extra_wait(proc)
    try:
        output, _ = proc.communicate(timeout=150)
    except subprocess.TimeoutExpired:
        proc.kill()
        output, _ = proc.communicate()
        raise Failed("the run did not end within 150 s:\n" + output)
    elapsed = time.monotonic() - start
    print(output)
    print("exit status %d after %.1f s" % (proc.returncode, elapsed))
    return proc.returncode, output, out_dir


def first_command(args):
    rc, output, out_dir = run(args)
    check(rc == 0, "exit status %d, wanted 0" % rc)
    files = {n: os.path.join(out_dir, n) for n in ("junit.xml", "report.html", "run.pcap")}
    for name, path in files.items():
        check(os.path.getsize(path) > 0 if os.path.exists(path) else False, "no %s" % path)
    check("reports: %s %s %s" % (files["junit.xml"], files["report.html"], files["run.pcap"])
          in output, "the console does not say where the reports are")
    validate(args.schema, files["junit.xml"])
    m = SUMMARY.search(output)
    check(m, "no closing line 'N passed, N failed, N skipped'")
    console = tuple(int(x) for x in m.groups())
    outcome, xml = junit_scenarios(files["junit.xml"])
    counted = tuple(sum(v == k for v in outcome.values()) for k in ("passed", "failed", "skipped"))
    check(console == counted, "console %s, junit.xml %s (passed, failed, skipped)" % (console,
                                                                                     counted))
    check(console[0] > 0 and console[1] == 0, "not every scenario passed: %s" % (console,))
    traced, captured = traced_messages(files["junit.xml"]), pcap_sip_count(files["run.pcap"])
    check(traced > 0 and traced == captured,
          "junit.xml traces %d messages, tshark reads %d SIP messages in run.pcap" % (traced,
                                                                                       captured))
    html = open(files["report.html"], encoding="utf-8").read()
    rows = html.count('<tr class="scenario ')
    sections = html.count('<section class="scenario ')
    check(rows == sum(console) and sections == sum(console),
          "report.html has %d summary rows and %d sections, wanted %d each" % (rows, sections,
                                                                             sum(console)))
    print("ok: %d passed, %d skipped; %d messages in junit.xml and run.pcap" % (
        console[0], console[2], traced))


def sigterm(args):
    def interrupt(proc):
        time.sleep(1.5)
        check(proc.poll() is None, "the run ended before the signal")
        proc.send_signal(signal.SIGTERM)
        interrupt.at = time.monotonic()

    rc, output, out_dir = run(args, interrupt)
    stopped = time.monotonic() - interrupt.at
    check(stopped < 15, "the run took %.1f s to stop after SIGTERM" % stopped)
    check(rc == 1, "exit status %d, wanted 1" % rc)
    check("interrupted by signal 15" in output, "the console does not say it was interrupted")
    junit = os.path.join(out_dir, "junit.xml")
    check(os.path.exists(junit), "no junit.xml after SIGTERM")
    validate(args.schema, junit)
    outcome, xml = junit_scenarios(junit)
    errors = [s.name for s in xml for c in s for r in c.result
              if isinstance(r, Error) and r.type == "interrupted"]
    check(errors, "no scenario is marked as an interrupted error")
    d = DEVICE.search(output)
    check(d, "no 'device:' line")
    port = d.group(2).rsplit(":", 1)[1]
    r = subprocess.run(["ss", "-Hlunpt", "sport = :%s" % port], capture_output=True, text=True)
    check(r.returncode != 0 or not r.stdout.strip(),
          "the launched device still listens on port %s:\n%s" % (port, r.stdout))
    print("ok: interrupted within %.1f s; %d scenarios in junit.xml, %s interrupted" % (
        stopped, len(outcome), ", ".join(errors)))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = p.add_mutually_exclusive_group(required=True)
    mode.add_argument("--first-command", action="store_true")
    mode.add_argument("--sigterm", action="store_true")
    p.add_argument("--sipwright", required=True)
    p.add_argument("--profile", required=True)
    p.add_argument("--schema", required=True)
    p.add_argument("--workdir", required=True)
    args = p.parse_args()
    try:
        (first_command if args.first_command else sigterm)(args)
    except Failed as e:
        print("FAIL: %s" % e)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
