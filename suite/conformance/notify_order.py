#!/usr/bin/python3
"""The library's notifier scenarios take the device's NOTIFY before or after its 200 to
SUBSCRIBE (RFC 6665 4.1.2.4: the subscriber is ready for the NOTIFY before the SUBSCRIBE
transaction completes; over UDP nothing orders the two). fake_notifier.py plays a conformant
notifier in the given order; both scenarios must PASS with every sub.* rule they are about
evaluated and passing, and no rule failing or warning.

Usage: notify_order.py --sipwright BIN --order before|after --workdir DIR
Exit status: 0 pass, 1 fail. Debian's /usr/bin/python3.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON = "/usr/bin/python3"
SCENARIOS = {
    "device-notifier/subscribe-notify": ("sub.expires", "sub.notify-immediate",
                                         "sub.notify-event", "sub.notify-state",
                                         "sub.notify-expires", "sub.unsubscribe-terminated"),
    "device-notifier/unsubscribe": ("sub.expires", "sub.notify-immediate", "sub.notify-event",
                                    "sub.notify-state", "sub.notify-expires",
                                    "sub.unsubscribe-terminated"),
}
READY_SECONDS = 10   # the notifier must have written its port within this
RUN_SECONDS = 60     # the sipwright run must end within this
SCENARIO_LINE = re.compile(r"^(PASS|FAIL|SKIP)\s+(\S+)\s+\(")
RULE_LINE = re.compile(r"^\s+call (\d+): ([a-z0-9-]+\.[a-z0-9-]+) (PASS|FAIL|WARN|N/A) \(")


def parse(text):
    """{scenario: (status, {rule: set of outcomes})} from `sipwright run -v` output."""
    found, current = {}, None
    for line in text.splitlines():
        m = SCENARIO_LINE.match(line)
        if m:
            current = found[m.group(2)] = (m.group(1), {})
            continue
        if not line[:1].isspace():
            current = None
        m = RULE_LINE.match(line)
        if current is not None and m:
            current[1].setdefault(m.group(2), set()).add(m.group(3))
    return found


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sipwright", required=True)
    ap.add_argument("--order", choices=("before", "after"), required=True)
    ap.add_argument("--workdir", required=True)
    args = ap.parse_args()
    shutil.rmtree(args.workdir, ignore_errors=True)
    os.makedirs(args.workdir)
    port_file = os.path.join(args.workdir, "port")
    notifier = subprocess.Popen([PYTHON, os.path.join(HERE, "fake_notifier.py"), "--port-file",
                                 port_file, "--order", args.order, "--lifetime",
                                 str(RUN_SECONDS + READY_SECONDS)])
    problems = []
    try:
        deadline = time.monotonic() + READY_SECONDS
        while not os.path.exists(port_file):
            if notifier.poll() is not None or time.monotonic() > deadline:
                print("FAIL: the fake notifier did not start")
                return 1
            time.sleep(0.05)
        with open(port_file) as f:
            port = int(f.read())
        cmd = [args.sipwright, "run", *sorted(SCENARIOS), "--dut", "127.0.0.1:%d" % port,
               "--local", "127.0.0.1:0", "--transport", "udp", "--timeout", "30", "-v",
               "--color", "never", "--out", os.path.join(args.workdir, "out")]
        print("$ " + " ".join(cmd))
        run = subprocess.run(cmd, capture_output=True, text=True, timeout=RUN_SECONDS)
        print(run.stdout + run.stderr)
        found = parse(run.stdout)
        for scenario, rules in sorted(SCENARIOS.items()):
            if scenario not in found:
                problems.append("%s: no result line" % scenario)
                continue
            status, verdicts = found[scenario]
            if status != "PASS":
                problems.append("%s: %s, wanted PASS" % (scenario, status))
            bad = {r: o for r, o in verdicts.items() if o & {"FAIL", "WARN"}}
            if bad:
                problems.append("%s: rules failing or warning: %s" % (scenario, sorted(bad)))
            for rule in rules:
                if verdicts.get(rule) != {"PASS"}:
                    problems.append("%s: %s must PASS, it is %s" % (
                        scenario, rule, "/".join(sorted(verdicts.get(rule, ())))
                        or "not evaluated"))
        if run.returncode != 0:
            problems.append("sipwright exited with %d, wanted 0" % run.returncode)
    finally:
        notifier.terminate()
        try:
            notifier.wait(5)
        except subprocess.TimeoutExpired:
            notifier.kill()
            notifier.wait()
    if problems:
        print("FAIL (NOTIFY %s the 200):\n  %s" % (args.order, "\n  ".join(problems)))
        return 1
    print("PASS: both scenarios with the NOTIFY %s the 200" % args.order)
    return 0


if __name__ == "__main__":
    sys.exit(main())
