#!/usr/bin/python3
"""The fault switches of sipwright's reference device (sipwright refdut), each caught on loopback.
(The clean device against the whole library: one CTest test per scenario, see CMakeLists.txt.)

  --fault NAME         the reference device with that defect, against the scenario that exposes
                       it: the run fails (status 1) and reports the rule meant for the fault,
                       with that rule's section
  --check-faults       every fault of `sipwright refdut --list-faults` has a row in FAULTS below,
                       and every row names a fault that exists and a rule of `sipwright rules`

Exit status: 0 pass, 1 fail, 2 usage error. Debian's /usr/bin/python3, standard library only.
"""

import argparse
import json
import os
import re
import shlex
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "interop"))
from sipp_interop import (EXIT_FAIL, EXIT_PASS, EXIT_USAGE, HOST, Failure, Process, log)  # noqa: E402

T1 = 100            # ms: every run here scales its timers with it (robust on a loaded 2-core CI)
RUN_BOUND = 240     # s: one run
LISTENING = re.compile(r"listening on (UDP|TCP) (\S+):(\d+)")
VERDICT = re.compile(r"^\s+call \d+: ([a-z0-9-]+\.[a-z0-9-]+) (FAIL|WARN|PASS|N/A) \(([^)]*)\)")

# fault -> (scenario that exposes it, the rule that must catch it, extra refdut options, UDP only)
FAULTS = {
    "ack-reuse-branch": ("device-caller/basic-call", "ack-2xx.new-transaction", [], False),
    "ack-wrong-cseq": ("device-caller/basic-call", "ack-2xx.cseq", [], False),
    "ack-to-request-uri": ("device-caller/basic-call", "ack-2xx.request-uri", [], False),
    "ack-no-route": ("device-caller/record-route", "ack-2xx.route", [], False),
    "ack-no-to-tag": ("device-caller/basic-call", "ack-2xx.to", [], False),
    "ack-wrong-call-id": ("device-caller/basic-call", "ack-2xx.call-id", [], False),
    "ack-wrong-from-tag": ("device-caller/basic-call", "ack-2xx.from", [], False),
    "ack-no-max-forwards": ("device-caller/basic-call", "ack-2xx.max-forwards", [], False),
    "ack-no-sdp-answer": ("device-caller/basic-call", "ack-2xx.sdp-answer", ["--late-offer"], False),
    "no-ack": ("device-caller/basic-call", "ack-2xx.received", [], False),
    "ack-no-credentials": ("device-caller/proxy-auth-407", "ack-2xx.credentials", [], False),
    "auth-wrong-password": ("device-caller/proxy-auth-407", "auth.credentials", [], False),
    "ack-once": ("device-caller/2xx-retransmitted", "ack-2xx.each-retransmission", [], False),
    "non2xx-ack-new-branch": ("device-caller/busy-486", "ack-non2xx.branch", [], False),
    "non2xx-ack-wrong-request-uri": ("device-caller/busy-486", "ack-non2xx.request-uri", [], False),
    "non2xx-ack-wrong-to-tag": ("device-caller/busy-486", "ack-non2xx.to", [], False),
    "non2xx-ack-wrong-cseq": ("device-caller/busy-486", "ack-non2xx.cseq", [], False),
    "non2xx-ack-wrong-call-id": ("device-caller/busy-486", "ack-non2xx.call-id", [], False),
    "non2xx-ack-wrong-from-tag": ("device-caller/busy-486", "ack-non2xx.from", [], False),
    "bad-max-forwards": ("device-caller/basic-call", "msg.grammar", [], False),
    "non2xx-ack-no-route": ("device-caller/busy-486", "ack-non2xx.route",
                            ["--route", "sip:{host}:{port};lr"], False),
    "non2xx-no-ack": ("device-caller/busy-486", "ack-non2xx.received", [], False),
    "non2xx-ack-once": ("device-caller/busy-486-retransmitted", "ack-non2xx.each-retransmission",
                        [], True),
    "bye-after-non2xx": ("device-caller/busy-486", "ack-non2xx.no-bye", [], False),
    "no-2xx-retransmit": ("device-callee/delayed-ack", "uas-2xx.retransmit", [], False),
    "2xx-fixed-interval": ("device-callee/delayed-ack", "uas-2xx.retransmit", [], False),
    "2xx-retransmit-after-ack": ("device-callee/delayed-ack", "uas-2xx.stop-on-ack", [], False),
    "no-bye-without-ack": ("device-callee/no-ack", "uas-2xx.bye-without-ack", [], False),
    "2xx-no-contact": ("device-callee/basic-call", "uas-2xx.contact", [], False),
    "2xx-drop-record-route": ("device-callee/record-route", "uas-2xx.record-route", [], False),
    "no-timer-g": ("device-callee/busy-486-delayed-ack", "uas-non2xx.retransmit", [], True),
    "non2xx-retransmit-after-ack": ("device-callee/busy-486", "uas-non2xx.stop-on-ack", [], True),
    "380-bad-xml": ("device-callee/alt-service-380", "380.ims-3gpp-xml", [], False),
    "380-wrong-root": ("device-callee/alt-service-380", "380.ims-3gpp-xml", [], False),
    "380-no-content-type": ("device-callee/alt-service-380", "380.body-framing", [], False),
    "380-unknown-type": ("device-callee/alt-service-380", "380.ims-3gpp-values", [], False),
    "register-no-expires": ("device-registrar/register-bindings", "reg.bindings", [], False),
    "423-no-min-expires": ("device-registrar/min-expires-423", "reg.min-expires", [], False),
    "subscribe-no-expires": ("device-notifier/subscribe-notify", "sub.expires", [], False),
    "no-notify": ("device-notifier/subscribe-notify", "sub.notify-immediate", [], False),
    "notify-wrong-event": ("device-notifier/subscribe-notify", "sub.notify-event", [], False),
    "notify-no-state": ("device-notifier/subscribe-notify", "sub.notify-state", [], False),
    "notify-lengthen-expires": ("device-notifier/subscribe-notify", "sub.notify-expires", [],
                                False),
    "unsubscribe-active": ("device-notifier/unsubscribe", "sub.unsubscribe-terminated", [], False),
    "no-to-tag": ("device-callee/basic-call", "resp.to-tag", [], False),
    "response-wrong-cseq": ("device-callee/basic-call", "resp.copies-request", [], False),
    "bad-content-length": ("device-callee/basic-call", "msg.content-length", [], True),
    "no-content-type": ("device-callee/basic-call", "msg.content-type", [], False),
    "no-branch-cookie": ("device-caller/basic-call", "msg.branch-cookie", [], False),
    "no-max-forwards": ("device-caller/basic-call", "msg.mandatory-headers", [], False),
}


def rules(sipwright):
    out = subprocess.run([sipwright, "rules", "--format", "json"], capture_output=True, text=True,
                         timeout=30, check=True).stdout
    return {r["id"]: r for r in json.loads(out)}


def listed_faults(sipwright):
    out = subprocess.run([sipwright, "refdut", "--list-faults"], capture_output=True, text=True,
                         timeout=30, check=True).stdout
    faults = {}
    for line in out.splitlines():
        m = re.match(r"^(\S+)\s+.*\[([a-z0-9.-]+)\]\s*$", line)
        if m:
            faults[m.group(1)] = m.group(2)
    return faults


def trigger(sipwright, transport, extra):
    args = [sipwright, "refdut", "--call", "{host}:{port}", "--transport", "{transport}",
            "--user", "{user}", "--t1", str(T1), "--t2", str(8 * T1), "--timeout", "30"] + extra
    return " ".join(shlex.quote(a) for a in args)


def start_callee(ctx, sipwright, transport, extra):
    proc = Process("refdut", [sipwright, "refdut", "--local", HOST + ":0", "--transport",
                              transport, "--t1", str(T1), "--t2", str(8 * T1)] + extra,
                   ctx.workdir, watch=LISTENING)
    ctx.procs.append(proc)
    m = proc.wait_for_line(15, "its 'listening on' line")
    return "%s:%s" % (m.group(2), m.group(3))


def run_sipwright(ctx, sipwright, transport, scenarios, dut, trig, strict):
    cmd = [sipwright, "run"] + scenarios + ["--local", HOST + ":0", "--transport", transport,
                                            "--t1", str(T1), "--timeout", "60"]
    if dut:
        cmd += ["--dut", dut]
    if trig:
        cmd += ["--trigger", trig]
    if strict:
        cmd += ["--strict"]
    proc = Process("sipwright", cmd, ctx.workdir)
    ctx.procs.append(proc)
    rc = proc.wait(RUN_BOUND)
    return rc, proc.stdout_text()


class Context:
    def __init__(self, workdir):
        self.workdir = workdir
        self.procs = []

    def stop_all(self):
        for p in self.procs:
            p.stop()

    def dump_all(self):
        for p in self.procs:
            p.dump()


def fault(ctx, sipwright, transport, name, lib, catalogue):
    scenario, rule, extra, udp_only = FAULTS[name]
    if udp_only and transport != "udp":
        raise Failure("fault %s is tested over UDP only" % name)
    device = next(s for s in lib if s["id"] == scenario)["device"]
    extra = ["--fault", name] + extra
    if device == "callee":
        rc, out = run_sipwright(ctx, sipwright, transport, [scenario],
                                start_callee(ctx, sipwright, transport, extra), None, True)
    else:
        rc, out = run_sipwright(ctx, sipwright, transport, [scenario], None,
                                trigger(sipwright, transport, extra), True)
    found = [VERDICT.match(l) for l in out.splitlines()]
    hits = [m for m in found if m and m.group(1) == rule and m.group(2) in ("FAIL", "WARN")]
    if rc != 1:
        raise Failure("status %d, wanted 1 (the fault must fail the run under --strict)" % rc)
    if not hits:
        raise Failure("fault %s: %s did not report %s" % (name, scenario, rule))
    section = catalogue[rule]["section"]
    if hits[0].group(3) != section:
        raise Failure("%s cites '%s', the catalogue says '%s'" % (rule, hits[0].group(3), section))
    others = sorted({m.group(1) for m in found if m and m.group(2) in ("FAIL", "WARN")} - {rule})
    log("fault %s caught by %s (%s)%s" % (name, rule, section,
                                         "; also " + ", ".join(others) if others else ""))


def main(argv):
    # The reference device answers challenges (device-caller/proxy-auth-407) with test
    # credentials; its --call processes inherit them through sipwright's trigger.
    os.environ.setdefault("SIPWRIGHT_REFDUT_AUTH_USER", "alice")
    os.environ.setdefault("SIPWRIGHT_REFDUT_AUTH_PASSWORD", "alice-secret")
    # sipwright checks the digest the device answers with against the same account
    # (auth.credentials).
    os.environ["SIPWRIGHT_AUTH_USER"] = os.environ["SIPWRIGHT_REFDUT_AUTH_USER"]
    os.environ["SIPWRIGHT_AUTH_PASSWORD"] = os.environ["SIPWRIGHT_REFDUT_AUTH_PASSWORD"]
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--sipwright", required=True)
    p.add_argument("--workdir", required=True)
    p.add_argument("--transport", choices=["udp", "tcp"], default="udp")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--fault")
    g.add_argument("--check-faults", action="store_true")
    args = p.parse_args(argv)
    sipwright = os.path.abspath(args.sipwright)
    os.makedirs(args.workdir, exist_ok=True)
    catalogue = rules(sipwright)
    if args.check_faults:
        listed = listed_faults(sipwright)
        problems = ["fault %s has no test row" % f for f in sorted(set(listed) - set(FAULTS))]
        problems += ["row %s names no fault of --list-faults" % f
                     for f in sorted(set(FAULTS) - set(listed))]
        problems += ["row %s names the unknown rule %s" % (f, r[1])
                     for f, r in FAULTS.items() if r[1] not in catalogue]
        for p_ in problems:
            log(p_)
        log("%d faults, %d rows" % (len(listed), len(FAULTS)))
        return EXIT_FAIL if problems else EXIT_PASS
    if args.fault and args.fault not in FAULTS:
        log("unknown fault %s" % args.fault)
        return EXIT_USAGE
    lib = json.loads(subprocess.run([sipwright, "list", "--format", "json"], capture_output=True, text=True,
                                    timeout=30, check=True).stdout)
    ctx = Context(args.workdir)
    try:
        fault(ctx, sipwright, args.transport, args.fault, lib, catalogue)
    except Failure as e:
        ctx.stop_all()
        log("FAIL: %s" % e)
        ctx.dump_all()
        return EXIT_FAIL
    finally:
        ctx.stop_all()
    return EXIT_PASS


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
