#!/usr/bin/python3
"""Interop tests: baresip (Debian's baresip 1.0) as the device under test, on loopback.

The driver writes config and accounts (beside this file) into a temporary baresip home, starts
`baresip -f HOME -s` with SIP on UDP and TCP 127.0.0.1:PORT and ctrl_tcp on another free port,
waits (bounded) until both listen and ctrl_tcp answers, runs one case with sipwright, and stops
baresip by its PID (and checks that nothing it started is left), also when the case fails.
baresip answers every call to sip:baresip@127.0.0.1 at once (answermode=auto) and places calls
when told through ctrl_tcp (baresip_ctrl.py, the trigger).

One case, one transport per run (CTest registers each pair as its own test, label interop):

  device-callee  sipwright calls baresip: the library's device-callee scenarios baresip can
                 serve (basic-call, delayed-ack, no-ack, record-route), with options only:
                 sipwright run ID... --dut 127.0.0.1:PORT --local 127.0.0.1:0 --service baresip
                 --transport T --t1 500 -j 8 --out DIR
  device-caller  baresip calls sipwright: every device-caller scenario, the call placed by
                 --trigger 'baresip_ctrl.py ... call sip:{user}@{host}:{port};transport={transport}'
                 (every scenario passes; see README.md for the findings)
  library        the whole library through the device profile baresip.toml (a template the
                 driver fills in): sipwright run --profile FILLED.toml --transport T --out DIR;
                 the scenarios baresip cannot serve (it never answers 380, 486 or 503) are
                 reported skipped, with the reason

Each case checks every scenario's outcome and the verdicts sipwright gives baresip against
BARESIP_FINDINGS below (each checked against the RFC text, see README.md): the exact set of
rules that fail or warn, and the rules that must pass.

  /usr/bin/python3 baresip_interop.py --sipwright build/harness/cli/sipwright --case library

Exit status: 0 pass, 1 fail, 77 skipped (baresip missing), 2 usage error.
Runs with Debian's /usr/bin/python3, standard library only, and the helpers of
../sipp_interop.py (processes, free ports, readiness, logs).
"""

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ beside the scripts in the source tree
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)
import sipp_interop as si  # noqa: E402
from sipp_interop import (  # noqa: E402
    EXIT_FAIL, EXIT_PASS, EXIT_SKIP, EXIT_USAGE, HOST, Failure, Process, free_port, log,
    port_bound, quote, read_text, wait_until)
import baresip_ctrl  # noqa: E402

CONFIG = os.path.join(HERE, "config")
ACCOUNTS = os.path.join(HERE, "accounts")
PROFILE = os.path.join(HERE, "baresip.toml")
CTRL_SCRIPT = os.path.join(HERE, "baresip_ctrl.py")
PYTHON = "/usr/bin/python3"

USER = "baresip"            # the account's user (accounts), the profile's [services] 200
T1 = 500                    # baresip's own T1 (libre): never scaled
JOBS = 8                    # scenarios played at once (baresip takes 16 calls)

# Every wait is bounded; the CTest TIMEOUT (CMakeLists.txt) is above the sum for a case.
READY_SECONDS = 10          # baresip must listen and answer on ctrl_tcp within this
START_ATTEMPTS = 3          # a free port can be taken between the check and baresip's bind
SCENARIO_TIMEOUT = 50       # sipwright --timeout: bound of one scenario (no-ack takes 32 s)
RUN_SECONDS = 100           # a sipwright run must end within this
STOP_TERM = 3               # SIGTERM (baresip ends its calls), then this long, then SIGTERM
STOP_FORCED = 2             # again (forced stop), then this long, then SIGKILL
TRIGGER_TIMEOUT = 40        # baresip_ctrl.py call: lock wait + call

CALLEE_SCENARIOS = ["device-callee/basic-call", "device-callee/delayed-ack",
                    "device-callee/no-ack", "device-callee/record-route"]
CALLER_SCENARIOS = ["device-caller/2xx-retransmitted", "device-caller/alt-service-380-body",
                    "device-caller/alt-service-380-no-body", "device-caller/basic-call",
                    "device-caller/busy-486", "device-caller/busy-486-retransmitted",
                    "device-caller/record-route", "device-caller/unavailable-503"]
# Without a profile only the scenario's own transports apply: busy-486-retransmitted is UDP only.
UDP_ONLY = {"device-caller/busy-486-retransmitted"}
# The device-callee scenarios baresip cannot serve: it has no user that answers 380, 486, 503
# (answermode is manual, early or auto; a rejected call would need someone to reject it).
# Scenarios that need a capability the baresip profile does not list (it has no credentials; it
# is no registrar, and no notifier for message-summary).
NEEDS_CAPABILITY = {"device-caller/proxy-auth-407": "digest-auth",
                    "device-registrar/register-bindings": "registrar",
                    "device-registrar/min-expires-423": "registrar",
                    "device-registrar/unregister": "registrar",
                    "device-notifier/subscribe-notify": "notifier:message-summary",
                    "device-notifier/unsubscribe": "notifier:message-summary"}
NOT_SERVED = {"device-callee/alt-service-380": 380, "device-callee/busy-486": 486,
              "device-callee/busy-486-delayed-ack": 486, "device-callee/unavailable-503": 503}


class Expect:
    """What sipwright must report for one scenario against baresip.

    status     PASS, FAIL or SKIP (the scenario's line)
    findings   {rule: FAIL or WARN}: the rules that fail or warn against baresip, exactly
    passes     rules that must be evaluated and PASS: what the scenario is about
    flow       a regexp the failure of the flow itself must match (None: the flow plays through)
    known_bug  for a verdict that is sipwright's mistake, not baresip's: the README.md section
               that says so (the test expects today's behaviour, so that a fix is noticed)
    evidence   a check of baresip's own SIP trace that shows what it really did"""

    def __init__(self, status="PASS", findings=(), passes=(), skip_reason=None, flow=None,
                 known_bug=None, evidence=None):
        self.status = status
        self.findings = dict(findings)
        self.passes = tuple(passes)
        self.skip_reason = skip_reason
        self.flow = flow
        self.known_bug = known_bug
        self.evidence = evidence


MSG_RULES = ("msg.grammar", "msg.mandatory-headers", "msg.content-length", "msg.content-type")
UAS_RULES = MSG_RULES + ("resp.copies-request", "resp.to-tag", "uas-2xx.contact")
ACK_2XX_RULES = MSG_RULES + (
    "msg.branch-cookie", "ack-2xx.received", "ack-2xx.new-transaction", "ack-2xx.call-id",
    "ack-2xx.from", "ack-2xx.to", "ack-2xx.cseq", "ack-2xx.request-uri", "ack-2xx.route",
    "ack-2xx.max-forwards")
ACK_NON2XX_RULES = MSG_RULES + (
    "msg.branch-cookie", "ack-non2xx.received", "ack-non2xx.branch", "ack-non2xx.request-uri",
    "ack-non2xx.call-id", "ack-non2xx.from", "ack-non2xx.to", "ack-non2xx.cseq",
    "ack-non2xx.route", "ack-non2xx.no-bye")

# What sipwright reports about baresip 1.0.0, per scenario ({transport: Expect} where the two
# differ). Each verdict was checked against the RFC text: README.md, "Findings". baresip breaks
# no rule of the library.
BARESIP_FINDINGS = {
    "device-callee/basic-call": Expect(passes=UAS_RULES + ("uas-2xx.stop-on-ack",)),
    "device-callee/delayed-ack": Expect(passes=UAS_RULES + (
        "uas-2xx.retransmit", "uas-2xx.stop-on-ack")),
    "device-callee/no-ack": Expect(passes=UAS_RULES + (
        "uas-2xx.retransmit", "uas-2xx.bye-without-ack", "msg.branch-cookie")),
    "device-callee/record-route": Expect(passes=UAS_RULES + (
        "uas-2xx.record-route", "uas-2xx.stop-on-ack")),
    "device-caller/2xx-retransmitted": Expect(passes=ACK_2XX_RULES + (
        "ack-2xx.each-retransmission",)),
    "device-caller/alt-service-380-body": Expect(passes=ACK_NON2XX_RULES),
    "device-caller/alt-service-380-no-body": Expect(passes=ACK_NON2XX_RULES),
    "device-caller/basic-call": Expect(passes=ACK_2XX_RULES),
    "device-caller/busy-486": Expect(passes=ACK_NON2XX_RULES),
    "device-caller/busy-486-retransmitted": Expect(passes=ACK_NON2XX_RULES + (
        "ack-non2xx.each-retransmission",)),
    # Its 2xx's Record-Route URIs carry transport=: over TCP baresip ACKs and hangs up over TCP
    # (RFC 3263 4.1 picks UDP for a sip: URI without one: README.md, "Fixed in sipwright").
    "device-caller/record-route": Expect(passes=ACK_2XX_RULES),
    "device-caller/unavailable-503": Expect(passes=ACK_NON2XX_RULES),
}


def expected(scenario, transport):
    """The Expect for a scenario in a run over transport."""
    if scenario in NOT_SERVED:
        return Expect("SKIP", skip_reason="the profile's [services] names no user for %d"
                      % NOT_SERVED[scenario])
    if scenario in NEEDS_CAPABILITY:
        return Expect("SKIP", skip_reason="the device profile does not list capability '%s'"
                      % NEEDS_CAPABILITY[scenario])
    if scenario in UDP_ONLY and transport != "udp":
        return Expect("SKIP", skip_reason="the scenario is not for %s" % transport)
    found = BARESIP_FINDINGS[scenario]
    return found[transport] if isinstance(found, dict) else found


# --- baresip ---------------------------------------------------------------------------------

def fill(template, values):
    """The template's text with each @NAME@ replaced; Failure when one is left unfilled."""
    with open(template) as f:
        text = f.read()
    for name, value in values.items():
        text = text.replace("@%s@" % name, str(value))
    left = re.findall(r"@[A-Z_]+@", text)
    if left:
        raise Failure("%s: placeholders left unfilled: %s" % (template, ", ".join(left)))
    return text


def port_free(port, kind):
    with socket.socket(socket.AF_INET, kind) as s:
        try:
            s.bind((HOST, port))
            return True
        except OSError:
            return False


def free_sip_port():
    """A port free for UDP and TCP whose next port is free for TCP too (baresip's TLS)."""
    for _ in range(100):
        port = free_port()
        if port < 65535 and port_free(port + 1, socket.SOCK_STREAM):
            return port
    raise Failure("no free port on %s with its next port free" % HOST)


def proc_cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read().replace(b"\0", b" ").decode("utf-8", "replace").strip()
    except OSError:
        return None


def proc_state(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            text = f.read()
        return text[text.rfind(")") + 2:].split()[0]
    except OSError:
        return None


def ancestors():
    """This process and its ancestors (whose command lines may name the work dir)."""
    found, pid = set(), os.getpid()
    while pid > 1 and pid not in found:
        found.add(pid)
        try:
            with open("/proc/%d/stat" % pid) as f:
                text = f.read()
            pid = int(text[text.rfind(")") + 2:].split()[1])
        except (OSError, ValueError, IndexError):
            break
    return found


def processes_with(markers):
    """{pid: command line} of every live process (not a zombie) whose command line holds one
    of markers (baresip's home, the triggers' lock file), this process and its ancestors
    left out."""
    found, mine = {}, ancestors()
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) not in mine:
            cmdline = proc_cmdline(int(entry))
            if cmdline and any(m in cmdline for m in markers) and \
                    proc_state(int(entry)) not in ("Z", "X", None):
                found[int(entry)] = cmdline
    return found


class Baresip(Process):
    """baresip in the foreground, its home a fresh folder of the work dir, SIP trace (-s) and
    log on stdout."""

    def __init__(self, binary, workdir, sip_port, ctrl_port):
        self.sip_port = sip_port
        self.ctrl_port = ctrl_port
        self.home = os.path.join(workdir, "baresip-home-%d" % sip_port)
        os.makedirs(self.home)
        values = {"SIP_PORT": sip_port, "CTRL_PORT": ctrl_port}
        for template in (CONFIG, ACCOUNTS):
            with open(os.path.join(self.home, os.path.basename(template)), "w") as f:
                f.write(fill(template, values))
        Process.__init__(self, "baresip", [binary, "-f", self.home, "-s"], workdir)

    def stop(self):
        """SIGTERM (baresip hangs up its calls and waits for their BYE transactions), SIGTERM
        again (forced stop), SIGKILL: each by PID, each after a bounded wait."""
        if self.poll() is None:
            for sig, wait in ((signal.SIGTERM, STOP_TERM), (signal.SIGTERM, STOP_FORCED)):
                log("stopping baresip (pid %d) with %s" % (self.pid, signal.Signals(sig).name))
                try:
                    self.popen.send_signal(sig)
                    self.popen.wait(timeout=wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        Process.stop(self)  # SIGKILL if it still runs, then close the log files


class Context(si.Context):
    def __init__(self, args):
        si.Context.__init__(self, args)
        self.baresip_bin = args.baresip
        self.baresip = None

    def start_baresip(self):
        for attempt in range(1, START_ATTEMPTS + 1):
            sip_port, ctrl_port = free_sip_port(), free_port()
            proc = Baresip(self.baresip_bin, self.workdir, sip_port, ctrl_port)
            self.processes.append(proc)
            self.baresip = proc
            try:
                wait_until(lambda: port_bound(sip_port, "udp") and port_bound(sip_port, "tcp")
                           and port_bound(ctrl_port, "tcp"), READY_SECONDS,
                           "baresip listening on UDP and TCP %s:%d and ctrl_tcp on %d"
                           % (HOST, sip_port, ctrl_port), proc)
            except Failure:
                taken = re.search(r"(?i)address (already )?in use", read_text(proc.stdout_path) +
                                  read_text(proc.stderr_path))
                if proc.poll() is not None and taken and attempt < START_ATTEMPTS:
                    log("baresip: a port was taken meanwhile, trying others")
                    continue
                raise
            break
        answer = ctrl_command(proc, "uafind", "sip:%s@%s" % (USER, HOST))
        if not answer.get("ok") or \
                not str(answer.get("data")).startswith("ua: sip:%s@%s" % (USER, HOST)):
            raise Failure("baresip has no user agent sip:%s@%s: %s" % (USER, HOST, answer))
        log("baresip (pid %d) ready on UDP and TCP %s:%d, ctrl_tcp on %d, after %.1f s"
            % (proc.pid, HOST, proc.sip_port, proc.ctrl_port, proc.elapsed()))
        return proc

    def stop_all(self):
        si.Context.stop_all(self)
        # Nothing this case started may outlive it: baresip's command line names its home,
        # every trigger's names the lock file.
        left = processes_with([self.path("baresip-home-"), self.path("ctrl.lock")])
        for pid, cmdline in sorted(left.items()):
            log("killing a process left behind (pid %d) with SIGKILL: %s" % (pid, cmdline))
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        self.left_behind = left

    def trigger(self):
        """The --trigger command: baresip_ctrl.py call, serialised by a lock file."""
        return " ".join([
            "exec", quote(PYTHON), quote(CTRL_SCRIPT),
            "--ctrl", "%s:%d" % (HOST, self.baresip.ctrl_port),
            "--lock", quote(self.path("ctrl.lock")), "--log", quote(self.path("trigger.log")),
            "--timeout", str(TRIGGER_TIMEOUT),
            "call", "'sip:{user}@{host}:{port};transport={transport}'"])

    def profile(self):
        """baresip.toml filled in for this baresip and work dir."""
        path = self.path("baresip.toml")
        text = fill(PROFILE, {"SIP_PORT": self.baresip.sip_port,
                              "CTRL_PORT": self.baresip.ctrl_port,
                              "PYTHON": quote(PYTHON), "HERE": quote(HERE),
                              "WORK": quote(self.workdir)})
        with open(path, "w") as f:
            f.write(text)
        return path


def ctrl_command(proc, name, params=None):
    """One ctrl_tcp command, retried until baresip answers (bounded by READY_SECONDS)."""
    deadline = time.monotonic() + READY_SECONDS
    while True:
        try:
            ctrl = baresip_ctrl.Ctrl(HOST, proc.ctrl_port)
            try:
                return ctrl.command(name, params)
            finally:
                ctrl.close()
        except (OSError, baresip_ctrl.CtrlError, ValueError) as e:
            if proc.poll() is not None:
                raise Failure("baresip exited (status %s) before answering on ctrl_tcp"
                              % proc.returncode)
            if time.monotonic() > deadline:
                raise Failure("baresip's ctrl_tcp did not answer %s within %d s: %s"
                              % (name, READY_SECONDS, e))
            time.sleep(0.1)


# --- sipwright's report ----------------------------------------------------------------------

SCENARIO_LINE = re.compile(r"^(PASS|FAIL|SKIP)\s+(\S+)\s+\(")
RULE_LINE = re.compile(r"^\s+call (\d+): ([a-z0-9-]+\.[a-z0-9-]+) (PASS|FAIL|WARN|N/A) \(")
SCENARIO_WARNING = re.compile(r"^\s+call \d+: scenario warning: ([a-z0-9-]+\.[a-z0-9-]+) ")
FLOW_FAILURE = re.compile(r"^\s+call \d+: (\S+\.xml:\d+: .*)")


class Outcome:
    def __init__(self, scenario, status, line):
        self.id = scenario
        self.status = status
        self.line = line
        self.rules = {}          # rule -> set of outcomes over the calls
        self.flow = []           # failures of the flow itself (file:line: ...)
        self.scenario_warnings = []
        self.lines = [line]
        self.expect = None

    @property
    def text(self):
        return "\n".join(self.lines)


def parse_run(text):
    """{scenario id: Outcome} from `sipwright run -v` output."""
    found, current = {}, None
    for line in text.splitlines():
        m = SCENARIO_LINE.match(line)
        if m:
            current = found[m.group(2)] = Outcome(m.group(2), m.group(1), line.strip())
            continue
        if not line[:1].isspace():
            current = None
        if current is None:
            continue
        current.lines.append(line)
        m = RULE_LINE.match(line)
        if m:
            current.rules.setdefault(m.group(2), set()).add(m.group(3))
            continue
        m = SCENARIO_WARNING.match(line)
        if m:
            current.scenario_warnings.append(m.group(1))
            continue
        m = FLOW_FAILURE.match(line)
        if m:
            current.flow.append(m.group(1))
    return found


def baresip_trace(proc):
    """[((transport, from port), to port, message text)] of what baresip sent, from its SIP
    trace (-s): a line 'UDP 127.0.0.1:A -> 127.0.0.1:B', the message, an empty line."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", read_text(proc.stdout_path)).replace("\r\n", "\n")
    found = []
    for m in re.finditer(r"^(UDP|TCP) 127\.0\.0\.1:(\d+) -> 127\.0\.0\.1:(\d+)\n(.*?)\n\n",
                         text, re.M | re.S):
        found.append(((m.group(1), int(m.group(2))), int(m.group(3)), m.group(4)))
    return found


def check_run(ctx, name, proc, scenarios):
    """sipwright ended in time; every scenario has exactly the expected outcome."""
    transport = ctx.transport
    rc = proc.wait(RUN_SECONDS)
    outcomes = parse_run(proc.stdout_text())
    problems, summary = [], []
    for scenario in scenarios:
        want = expected(scenario, transport)
        got = outcomes.get(scenario)
        if got is None:
            problems.append("%s: no result line" % scenario)
            continue
        got.expect = want
        if got.status != want.status:
            problems.append("%s: %s, wanted %s (%s)" % (scenario, got.status, want.status,
                                                        "; ".join(got.flow) or got.line))
            continue
        if want.status == "SKIP":
            if want.skip_reason not in got.line:
                problems.append("%s: skipped, but not because %s: %s"
                                % (scenario, want.skip_reason, got.line))
            summary.append("%s SKIP (%s)" % (scenario, want.skip_reason))
            continue
        if want.flow is None and got.flow:
            problems.append("%s: the flow failed: %s" % (scenario, "; ".join(got.flow)))
        elif want.flow is not None and not any(re.search(want.flow, f) for f in got.flow):
            problems.append("%s: wanted the flow to fail with /%s/, found %s"
                            % (scenario, want.flow, "; ".join(got.flow) or "no flow failure"))
        findings = {rule: "/".join(sorted(o - {"PASS", "N/A"}))
                    for rule, o in got.rules.items() if o - {"PASS", "N/A"}}
        if findings != want.findings:
            problems.append("%s: wanted the verdicts %s against baresip, found %s"
                            % (scenario, sorted(want.findings.items()) or "none",
                               sorted(findings.items()) or "none"))
        for rule in want.passes:
            if got.rules.get(rule) != {"PASS"}:
                problems.append("%s: %s must PASS, it is %s"
                                % (scenario, rule, "/".join(sorted(got.rules.get(rule, ())))
                                   or "not evaluated"))
        if want.evidence:
            try:
                want.evidence(ctx, got)
            except Failure as e:
                problems.append(str(e))
        summary.append("%s %s%s%s" % (scenario, got.status, "".join(
            " %s %s" % (r, v) for r, v in sorted(findings.items())),
            " (known sipwright bug, README.md: %s)" % want.known_bug if want.known_bug else ""))
    extra = sorted(set(outcomes) - set(scenarios))
    if extra:
        problems.append("scenarios not expected in this run: %s" % ", ".join(extra))
    want_rc = 1 if any(expected(s, transport).status == "FAIL" for s in scenarios) else 0
    if rc != want_rc:
        problems.append("sipwright exited with %d, wanted %d" % (rc, want_rc))
    if problems:
        raise Failure("%s (%.1f s):\n  %s" % (name, proc.elapsed(), "\n  ".join(problems)))
    log("%s: as expected, status %d after %.1f s:\n  %s"
        % (name, rc, proc.elapsed(), "\n  ".join(summary)))


def run_sipwright(ctx, name, args):
    out = ctx.path("sipwright-" + name)
    cmd = [ctx.sipwright, "run"] + args + ["--out", out, "-v", "--color", "never"]
    proc = Process("sipwright-" + name, cmd, ctx.workdir)
    ctx.processes.append(proc)
    return proc


# --- cases -----------------------------------------------------------------------------------

def device_callee(ctx):
    baresip = ctx.start_baresip()
    proc = run_sipwright(ctx, "device-callee", CALLEE_SCENARIOS + [
        "--dut", "%s:%d" % (HOST, baresip.sip_port), "--local", "%s:0" % HOST,
        "--service", USER, "--transport", ctx.transport, "--t1", str(T1),
        "--timeout", str(SCENARIO_TIMEOUT), "-j", str(JOBS)])
    check_run(ctx, "device-callee", proc, CALLEE_SCENARIOS)


def device_caller(ctx):
    ctx.start_baresip()
    proc = run_sipwright(ctx, "device-caller", CALLER_SCENARIOS + [
        "--local", "%s:0" % HOST, "--transport", ctx.transport, "--t1", str(T1),
        "--timeout", str(SCENARIO_TIMEOUT), "-j", str(JOBS), "--trigger", ctx.trigger()])
    check_run(ctx, "device-caller", proc, CALLER_SCENARIOS)


def library(ctx):
    ctx.start_baresip()
    proc = run_sipwright(ctx, "library", ["--profile", ctx.profile(),
                                          "--transport", ctx.transport])
    scenarios = sorted(list(NOT_SERVED) + list(NEEDS_CAPABILITY) + list(BARESIP_FINDINGS))
    check_run(ctx, "library", proc, scenarios)


CASES = {"device-callee": device_callee, "device-caller": device_caller, "library": library}


def run_case(args, name, body):
    """Runs one case in a fresh work dir; returns an exit status."""
    if os.path.isdir(args.workdir):
        shutil.rmtree(args.workdir)
    os.makedirs(args.workdir)
    ctx = Context(args)
    ctx.left_behind = {}
    log("== %s over %s (work dir %s)" % (name, args.transport.upper(), args.workdir))
    started = time.monotonic()
    failure = None
    try:
        body(ctx)
    except Failure as e:
        failure = str(e)
    finally:
        ctx.stop_all()
    if failure is None and ctx.left_behind:
        failure = "processes left behind after the case: %s" % ctx.left_behind
    if failure is not None:
        log("== FAIL %s over %s: %s" % (name, args.transport.upper(), failure))
        ctx.dump_all()
        trigger_log = ctx.path("trigger.log")
        if os.path.exists(trigger_log):
            log("---- %s\n%s" % (trigger_log, read_text(trigger_log)[-20000:].rstrip("\n")))
        return EXIT_FAIL
    log("== PASS %s over %s (%.1f s)" % (name, args.transport.upper(),
                                         time.monotonic() - started))
    return EXIT_PASS


def executable(path):
    return bool(path) and os.path.isfile(path) and os.access(path, os.X_OK)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sipwright", required=True, help="the sipwright binary")
    parser.add_argument("--baresip", default=shutil.which("baresip") or "",
                        help="the baresip binary (default: baresip on PATH; empty: skip)")
    parser.add_argument("--case", required=True, choices=sorted(CASES) + ["all"])
    parser.add_argument("--transport", choices=["udp", "tcp"], default="udp")
    parser.add_argument("--workdir", help="logs, baresip's home and reports go here "
                        "(default: a new folder in the temporary folder)")
    args = parser.parse_args(argv)

    if not executable(args.baresip):
        log("SKIP: baresip not found%s (Debian: apt-get install baresip-core)"
            % (" at " + args.baresip if args.baresip else ""))
        return EXIT_SKIP
    if not executable(args.sipwright):
        log("sipwright binary not found: %r" % args.sipwright)
        return EXIT_USAGE
    args.baresip = os.path.abspath(args.baresip)
    args.sipwright = os.path.abspath(args.sipwright)
    args.sipp = None
    root = os.path.abspath(args.workdir or tempfile.mkdtemp(prefix="sipwright-baresip-"))
    if args.case != "all":
        args.workdir = root
        return run_case(args, args.case, CASES[args.case])
    status = EXIT_PASS
    for name, body in CASES.items():
        args.workdir = os.path.join(root, name)
        status = max(status, run_case(args, name, body))
    return status


def on_signal(signum, frame):
    # CTest's timeout or Ctrl-C: unwind so that the finally blocks stop every child by its PID.
    raise SystemExit(128 + signum)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    sys.exit(main(sys.argv[1:]))
