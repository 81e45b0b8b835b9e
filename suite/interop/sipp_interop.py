#!/usr/bin/python3
"""Interop tests: sipwright against SIPp (Debian package sip-tester) on loopback.

One case, one transport per run (CTest registers each pair as its own test, label interop):

  sipwright-uac-vs-sipp-uas          sipwright plays SIPp's own uac.xml against `sipp -sn uas`
  sipp-uac-vs-sipwright-uas          `sipp -sn uac` against sipwright playing SIPp's uas.xml
  sipwright-branchc-vs-sipp-branchs  the same with SIPp's branchc / branchs scenarios
  sipp-branchc-vs-sipwright-branchs
  peer-silent-mid-call               sipwright's uac.xml against uas-goes-silent.xml (answers,
                                     takes the BYE, never replies): sipwright must fail in bounded
                                     time, exit 1, name the step that waited for the 200 and say
                                     it timed out
  peer-killed-mid-call               the same, but the driver kills that SIPp by its PID once the
                                     BYE has arrived: sipwright must fail in bounded time, exit 1,
                                     naming the step
  caller-2xx-ack-invite-branch       a SIPp caller that ACKs the 2xx with its INVITE's branch
                                     (caller-2xx-ack-invite-branch.xml, the trigger of the
                                     library's device-caller scenarios): each must fail with
                                     ack-2xx.new-transaction and nothing else
  callee-2xx-once                    a SIPp callee that sends its 2xx once (callee-2xx-once.xml)
                                     against device-callee/basic-call, delayed-ack and no-ack:
                                     basic-call passes, the others fail uas-2xx.retransmit alone
                                     (no-ack adds its scenario warning about its own missing ACK)

The scenario files sipwright plays are generated at test time with `sipp -sd NAME`: the files
users would run, unmodified. `--self-test` runs SIPp against SIPp through the same plumbing (free
ports, readiness, logs, stopping by PID) over UDP and TCP; it needs no sipwright.

Exit status: 0 pass, 1 fail, 77 skipped (sipp missing), 2 usage error.
Runs with Debian's /usr/bin/python3, standard library only.
"""

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

EXIT_PASS = 0
EXIT_FAIL = 1
EXIT_USAGE = 2
EXIT_SKIP = 77

HOST = "127.0.0.1"
HERE = os.path.dirname(os.path.abspath(__file__))
SILENT_UAS = os.path.join(HERE, "uas-goes-silent.xml")
# Devices that are not conformant on purpose (one fault each, see the files' comments).
BAD_ACK_CALLER = os.path.join(HERE, "caller-2xx-ack-invite-branch.xml")
CALLEE_2XX_ONCE = os.path.join(HERE, "callee-2xx-once.xml")

SIPP_TRANSPORT = {"udp": "u1", "tcp": "t1"}

# SIPp's exit codes (sipp(1)): 0 every call succeeded, 1 at least one failed, 97 exit on an
# internal command, 99 normal exit without calls processed, 255/254 fatal (254: socket bind).
SIPP_EXIT = {0: "all calls succeeded", 1: "at least one call failed", 97: "internal command",
             99: "no call processed", 255: "fatal error", 254: "fatal error binding a socket"}

# Every wait is bounded; the CTest TIMEOUT (CMakeLists.txt) is above the sum for a case.
READY_SECONDS = 10          # a peer must be listening within this
CALL_BUDGET = 20            # uac/uas: --timeout for sipwright, the first side must end within
BRANCH_BUDGET = 30          # branchc/branchs (pauses of 5 s and 4 s, a 4 s timewait)
AFTER_SECONDS = 12          # the other side must end within this after the first (4 s timewait)
SIPP_TIMEOUT = 50           # -timeout passed to sipp: a safety belt if this driver is killed
STOP_GRACE = 5              # SIGTERM, then this long, then SIGKILL
FAIL_BOUND = 15             # peer-*-mid-call: sipwright must have failed within this
T1_PASS = 100               # --t1 for the cases that must pass
T1_FAIL = 50                # --t1 for the peer-*-mid-call cases: 64*T1 = 3.2 s
T1_FAULTY = 100             # --t1 against the faulty devices (callee-2xx-once.xml's T1 too)
FAULTY_BUDGET = 20          # a run against a faulty device must end within this


class Failure(Exception):
    """The case failed; the message says why."""


def log(text):
    print(text, flush=True)


# --- ports and readiness ---------------------------------------------------------------------

_handed_out = set()


def free_port():
    """A port free on 127.0.0.1 for both UDP and TCP right now (SIPp needs an explicit -p)."""
    for _ in range(100):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp, \
                socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            tcp.bind((HOST, 0))
            port = tcp.getsockname()[1]
            try:
                udp.bind((HOST, port))
            except OSError:
                continue
        if port not in _handed_out:
            _handed_out.add(port)
            return port
    raise Failure("could not find a free port on %s" % HOST)


def port_bound(port, transport):
    """Whether something listens on 127.0.0.1:port (or the wildcard) per /proc/net, without
    touching the port (a probe connection or datagram would reach the peer)."""
    table, state = ("/proc/net/tcp", "0A") if transport == "tcp" else ("/proc/net/udp", "07")
    wanted = {"0100007F:%04X" % port, "00000000:%04X" % port}
    try:
        with open(table) as f:
            next(f)
            for line in f:
                fields = line.split()
                if len(fields) > 3 and fields[1] in wanted and fields[3] == state:
                    return True
    except OSError:
        return False
    return False


def wait_until(predicate, seconds, what, *procs):
    """Polls predicate until true; Failure after seconds or when one of procs has exited."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        for proc in procs:
            if proc.poll() is not None:
                raise Failure("%s exited (status %s) before %s"
                              % (proc.name, proc.returncode, what))
        time.sleep(0.05)
    raise Failure("%s: not within %d s" % (what, seconds))


# --- processes -------------------------------------------------------------------------------

class Process:
    """A child process with stdout and stderr kept in files in the work dir. With watch set,
    stdout goes through a pipe, is copied line by line to its file and matched against watch."""

    def __init__(self, name, cmd, workdir, watch=None, env=None):
        self.name = name
        self.cmd = cmd
        self.stdout_path = os.path.join(workdir, name + ".stdout")
        self.stderr_path = os.path.join(workdir, name + ".stderr")
        self.extra_logs = []
        self.watch = watch
        self.match = None
        self.matched = threading.Event()
        self.returncode = None
        self.started = None
        self.ended = None
        self._reader = None
        self._stdout_file = open(self.stdout_path, "wb")
        self._stderr_file = open(self.stderr_path, "wb")
        log("$ " + " ".join(quote(c) for c in cmd))
        self.started = time.monotonic()
        self.popen = subprocess.Popen(
            cmd, cwd=workdir, stdin=subprocess.DEVNULL, env=env,
            stdout=subprocess.PIPE if watch else self._stdout_file, stderr=self._stderr_file)
        self.pid = self.popen.pid
        if watch:
            self._reader = threading.Thread(target=self._read, daemon=True)
            self._reader.start()

    def _read(self):
        for raw in iter(self.popen.stdout.readline, b""):
            self._stdout_file.write(raw)
            self._stdout_file.flush()
            if self.match is None:
                m = self.watch.search(raw.decode("utf-8", "replace"))
                if m:
                    self.match = m
                    self.matched.set()

    def poll(self):
        if self.returncode is None:
            rc = self.popen.poll()
            if rc is not None:
                self._finished(rc)
        return self.returncode

    def _finished(self, rc):
        self.returncode = rc
        self.ended = time.monotonic()
        if self._reader is not None:
            self._reader.join(timeout=STOP_GRACE)

    def elapsed(self):
        return (self.ended or time.monotonic()) - self.started

    def wait(self, seconds):
        """The exit status; Failure when the process is still running after seconds."""
        try:
            rc = self.popen.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            raise Failure("%s (pid %d) still running after %d s" % (self.name, self.pid, seconds))
        if self.returncode is None:
            self._finished(rc)
        return self.returncode

    def wait_for_line(self, seconds, what):
        """Waits for the watched stdout line; returns the match."""
        deadline = time.monotonic() + seconds
        while not self.matched.wait(timeout=0.05):
            if self.poll() is not None:
                raise Failure("%s exited (status %s) before printing %s"
                              % (self.name, self.returncode, what))
            if time.monotonic() > deadline:
                raise Failure("%s printed no %s within %d s" % (self.name, what, seconds))
        return self.match

    def stop(self):
        """Ends the process by its PID if it still runs: SIGTERM, then SIGKILL."""
        if self.poll() is None:
            log("stopping %s (pid %d)" % (self.name, self.pid))
            self.popen.terminate()
            try:
                self.popen.wait(timeout=STOP_GRACE)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=STOP_GRACE)
            self._finished(self.popen.returncode)
        for f in (self._stdout_file, self._stderr_file):
            if not f.closed:
                f.close()
        if self.popen.stdout is not None:
            self.popen.stdout.close()

    def kill(self):
        """SIGKILL by PID, as a crash would end it."""
        if self.poll() is None:
            log("killing %s (pid %d) with SIGKILL" % (self.name, self.pid))
            self.popen.kill()
            self.popen.wait(timeout=STOP_GRACE)
            self._finished(self.popen.returncode)

    def stdout_text(self):
        return read_text(self.stdout_path)

    def dump(self):
        status = "running" if self.returncode is None else "exit status %s" % self.returncode
        log("---- %s (pid %d, %s, %.1f s): %s" % (self.name, self.pid, status, self.elapsed(),
                                                 " ".join(quote(c) for c in self.cmd)))
        for path in [self.stdout_path, self.stderr_path] + self.extra_logs:
            log("---- %s" % path)
            text = read_text(path)
            if len(text) > 20000:
                text = "[... %d bytes left out ...]\n" % (len(text) - 20000) + text[-20000:]
            log(text.rstrip("\n") if text else "(empty)")


def read_text(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8", "replace")
    except OSError:
        return ""


def quote(arg):
    return arg if re.fullmatch(r"[\w@%+=:,./-]+", arg) else "'" + arg.replace("'", "'\\''") + "'"


# --- the two programs ------------------------------------------------------------------------

class Context:
    def __init__(self, args):
        self.sipwright = args.sipwright
        self.sipp = args.sipp
        self.transport = args.transport
        self.workdir = args.workdir
        self.processes = []

    def path(self, name):
        return os.path.join(self.workdir, name)

    def sipp_scenario(self, builtin):
        """Writes SIPp's built-in scenario to WORKDIR/builtin.xml with `sipp -sd`."""
        path = self.path(builtin + ".xml")
        cmd = [self.sipp, "-sd", builtin]
        log("$ %s > %s" % (" ".join(quote(c) for c in cmd), path))
        try:
            done = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, timeout=10)
        except subprocess.TimeoutExpired:
            raise Failure("sipp -sd %s did not finish within 10 s" % builtin)
        # sipp -sd exits with 99 (no call processed) after printing the scenario.
        text = done.stdout.decode("iso-8859-1")
        if done.returncode not in (0, 99) or "<scenario" not in text:
            raise Failure("sipp -sd %s failed (status %d): %s"
                          % (builtin, done.returncode, done.stderr.decode("utf-8", "replace")))
        with open(path, "w", encoding="iso-8859-1") as f:
            f.write(text)
        return path

    def start_sipp(self, name, scenario_args, port, remote=None, calls=1):
        """SIPp playing `calls` calls: -sn NAME or -sf FILE in scenario_args, -p port on 127.0.0.1."""
        cmd = [self.sipp] + scenario_args
        if remote:
            cmd.append(remote)
        cmd += ["-i", HOST, "-p", str(port), "-t", SIPP_TRANSPORT[self.transport], "-m", str(calls),
                "-nostdin", "-timeout", "%ds" % SIPP_TIMEOUT, "-timeout_error",
                "-trace_msg", "-message_file", self.path(name + ".messages.log"),
                "-trace_err", "-error_file", self.path(name + ".errors.log"),
                "-trace_stat", "-stf", self.path(name + ".stat.csv")]
        proc = Process(name, cmd, self.workdir)
        proc.messages_path = self.path(name + ".messages.log")
        proc.stat_path = self.path(name + ".stat.csv")
        proc.extra_logs = [proc.messages_path, self.path(name + ".errors.log")]
        self.processes.append(proc)
        return proc

    def start_sipp_server(self, name, scenario_args, calls=1):
        port = free_port()
        proc = self.start_sipp(name, scenario_args, port, calls=calls)
        wait_until(lambda: port_bound(port, self.transport), READY_SECONDS,
                   "%s listening on %s %s:%d" % (name, self.transport.upper(), HOST, port), proc)
        return proc, port

    def start_sipp_client(self, name, scenario_args, port):
        return self.start_sipp(name, scenario_args, free_port(), remote="%s:%d" % (HOST, port))

    def start_sipwright(self, name, scenario, t1, timeout, dut=None):
        """`sipwright run` on one scenario, bound to 127.0.0.1:0 (it prints the port it got)."""
        cmd = [self.sipwright, "run", scenario]
        if dut:
            cmd += ["--dut", dut]
        cmd += ["--local", "%s:0" % HOST, "--transport", self.transport,
                "--t1", str(t1), "--timeout", str(timeout)]
        watch = re.compile(r"listening on (UDP|TCP) ([0-9.]+):(\d+)")
        proc = Process(name, cmd, self.workdir, watch=watch)
        self.processes.append(proc)
        return proc

    def start_sipwright_server(self, name, scenario, timeout):
        proc = self.start_sipwright(name, scenario, T1_PASS, timeout)
        m = proc.wait_for_line(READY_SECONDS, "'listening on %s %s:PORT' line"
                               % (self.transport.upper(), HOST))
        if m.group(1).lower() != self.transport or m.group(2) != HOST:
            raise Failure("%s listens on %s %s:%s, wanted %s on %s"
                          % (name, m.group(1), m.group(2), m.group(3),
                             self.transport.upper(), HOST))
        return proc, int(m.group(3))

    def stop_all(self):
        for proc in reversed(self.processes):
            try:
                proc.stop()
            except Exception as e:  # keep stopping the others
                log("could not stop %s (pid %d): %s" % (proc.name, proc.pid, e))

    def dump_all(self):
        for proc in self.processes:
            proc.dump()


# --- verdicts --------------------------------------------------------------------------------

def expect_sipp_success(proc, seconds, closed_in_timewait_ok=False):
    """SIPp ended with status 0 having completed exactly one successful call.

    With closed_in_timewait_ok (a SIPp callee over TCP): SIPp 3.6.1 counts the call as failed
    when the caller closes the TCP connection while the callee sits in its closing <timewait>
    (SIPp itself fails that way against `sipp -sn uac`; later SIPp versions count it a success).
    That one failure is accepted when the statistics file says the TCP close is the only reason
    and the message log shows the callee's last act was its 200 to the BYE."""
    rc = proc.wait(seconds)
    counts = sipp_call_counts(proc.stdout_text())
    if rc == 0 and counts == (1, 0):
        log("%s: 1 successful call, status 0 (%.1f s)" % (proc.name, proc.elapsed()))
        return
    if rc == 1 and counts == (0, 1) and closed_in_timewait_ok:
        failures = sipp_failure_counts(proc.stat_path)
        last = sipp_messages(proc.messages_path)[-1:]
        if failures == {"FailedTcpClosed": 1} and last == [("sent", "SIP/2.0 200", "BYE")]:
            log("%s: the call was complete (200 to the BYE sent) when the caller closed the "
                "TCP connection during the timewait; SIPp 3.6.1 counts that as its 1 failed "
                "call, status 1: accepted (%.1f s)" % (proc.name, proc.elapsed()))
            return
        raise Failure("%s exited with 1, its failure is not the caller closing TCP after the "
                      "call: failure counters %s, last message %s"
                      % (proc.name, failures, last[0] if last else "none"))
    if rc != 0:
        raise Failure("%s exited with %d (%s), wanted 0 (all calls succeeded)"
                      % (proc.name, rc, SIPP_EXIT.get(rc, "?")))
    raise Failure("%s: wanted 1 successful and 0 failed calls on its final screen, "
                  "found %s" % (proc.name, counts))


def sipp_failure_counts(stat_path):
    """The non-zero cumulative Failed* counters (but FailedCall) of SIPp's -trace_stat file."""
    rows = [line.rstrip("\n").split(";") for line in read_text(stat_path).splitlines() if line]
    if len(rows) < 2:
        return None
    found = {}
    for header, value in zip(rows[0], rows[-1]):
        m = re.fullmatch(r"(Failed\w+)\(C\)", header)
        if m and m.group(1) != "FailedCall" and value.strip() not in ("", "0"):
            found[m.group(1)] = int(value)
    return found


def sipp_messages(path):
    """[(sent|received, start line up to the code or method, CSeq method)] of a -trace_msg log."""
    found = []
    for block in re.split(r"^-{10,}[^\n]*\n", read_text(path), flags=re.M):
        m = re.match(r"\s*\w+ message (sent|received)[^\n]*\n\s*([^\n]*)", block)
        if not m:
            continue
        start = m.group(2).split()
        start = " ".join(start[:2]) if start[:1] == ["SIP/2.0"] else start[0] if start else ""
        cseq = re.search(r"^CSeq:\s*\d+\s+(\S+)", block, re.M | re.I)
        found.append((m.group(1), start, cseq.group(1) if cseq else None))
    return found


# --- SIPp's message log (-trace_msg), parsed message by message ----------------------------

class Message:
    """One message of a SIPp -trace_msg log: direction, start line, headers (lower-case names)."""

    def __init__(self, direction, text):
        self.direction = direction
        lines = text.replace("\r\n", "\n").strip("\n").split("\n")
        self.start = lines[0].strip() if lines else ""
        self.headers = []
        for line in lines[1:]:
            if not line.strip():
                break
            if line[:1] in " \t" and self.headers:  # folded header line
                name, value = self.headers[-1]
                self.headers[-1] = (name, value + " " + line.strip())
                continue
            name, _, value = line.partition(":")
            self.headers.append((name.strip().lower(), value.strip()))
        self.is_response = self.start.startswith("SIP/2.0 ")
        parts = self.start.split(" ", 2)
        self.code = int(parts[1]) if self.is_response and parts[1].isdigit() else None
        self.method = None if self.is_response else parts[0]
        self.request_uri = None if self.is_response or len(parts) < 2 else parts[1]
        cseq = (self.header("cseq") or "").split()
        self.cseq = (int(cseq[0]), cseq[1]) if len(cseq) == 2 and cseq[0].isdigit() else None

    def header(self, name):
        """The first value of the header, or None."""
        values = self.all(name)
        return values[0] if values else None

    def all(self, name):
        """Every value of the header, each comma-separated element apart for Via and the
        route and Contact headers (RFC 3261 7.3.1)."""
        found = [v for n, v in self.headers if n == name]
        if name in ("via", "record-route", "route", "contact"):
            found = [e.strip() for v in found for e in split_commas(v)]
        return found

    def branch(self):
        m = re.search(r";\s*branch=([^;\s]+)", self.header("via") or "", re.I)
        return m.group(1) if m else None

    def describe(self):
        return "%s %s (CSeq %s)" % (self.direction, self.start,
                                    " ".join(map(str, self.cseq)) if self.cseq else "?")


def split_commas(value):
    """Splits a header value at the commas outside <...> and quotes."""
    parts, depth, quoted, current = [], 0, False, ""
    for c in value:
        if c == '"':
            quoted = not quoted
        elif not quoted and c == "<":
            depth += 1
        elif not quoted and c == ">":
            depth -= 1
        if c == "," and depth == 0 and not quoted:
            parts.append(current)
            current = ""
        else:
            current += c
    parts.append(current)
    return [p for p in parts if p.strip()]


def read_messages(path):
    found = []
    for block in re.split(r"^-{10,}[^\n]*\n", read_text(path), flags=re.M):
        m = re.match(r"\s*\w+ message (sent|received)[^\n]*\n", block)
        if m:
            found.append(Message(m.group(1), block[m.end():]))
    return found


def sipp_call_counts(screen):
    """(successful, failed) cumulative counts from SIPp's final statistics screen."""
    found = {}
    for key in ("Successful call", "Failed call"):
        rows = re.findall(r"^\s*%s\s*\|[^|\n]*\|\s*(\d+)" % key, screen, re.M)
        found[key] = int(rows[-1]) if rows else None
    return found["Successful call"], found["Failed call"]


SUMMARY = re.compile(r"(\d+) passed, (\d+) failed, (\d+) skipped")


# A rule's verdict line under a call: "      call 1: ack-2xx.cseq FAIL (RFC 3261 13.2.2.4): ..."
VERDICT = re.compile(r"^\s+call \d+(?: \([\w.-]+\))?: ([a-z0-9-]+\.[a-z0-9-]+) (FAIL|WARN) \(")
# A failure of the flow itself: "      call 1: uac.xml:64: timeout: ..."
FLOW_FAILURE = re.compile(r"^\s+call \d+: \S+\.xml:\d+: ")


def expect_sipwright_pass(proc, seconds, findings=()):
    """sipwright played the whole flow. `findings` are the rules SIPp is known to break in this
    case (each checked against the RFC text, see scenarios/README.md): sipwright must report
    exactly those, and then fails the scenario (status 1) for them."""
    rc = proc.wait(seconds)
    out = proc.stdout_text()
    lines = out.splitlines()
    flow = [l for l in lines if FLOW_FAILURE.match(l)]
    if flow:
        raise Failure("%s: the call did not play through: %s" % (proc.name, flow[0].strip()))
    found = sorted({m.group(1) for m in map(VERDICT.match, lines) if m})
    if found != sorted(findings):
        raise Failure("%s: wanted the verdicts %s against SIPp, found %s"
                      % (proc.name, sorted(findings) or "none", found or "none"))
    want_rc, want_word, want_summary = (1, "FAIL", ("0", "1", "0")) if findings else \
        (0, "PASS", ("1", "0", "0"))
    if rc != want_rc:
        raise Failure("%s exited with %d, wanted %d" % (proc.name, rc, want_rc))
    if not re.search(r"^%s " % want_word, out, re.M):
        raise Failure("%s: wanted a %s line on stdout" % (proc.name, want_word))
    summary = SUMMARY.findall(out)
    if not summary or summary[-1] != want_summary:
        raise Failure("%s: wanted the summary '%s passed, %s failed, %s skipped', found %s"
                      % ((proc.name,) + want_summary + (summary[-1] if summary else "none",)))
    log("%s: played through, status %d, verdicts %s (%.1f s)"
        % (proc.name, rc, found or "none", proc.elapsed()))


# --- verdicts read from junit.xml and the console ----------------------------------------------

def junit_verdicts(path):
    """What sipwright's junit.xml says, per scenario (testsuite name):
    {"flow": the flow failure or None, "fail": {rule ids failed}, "warn": {rule ids warned},
     "scenario": {rule ids of scenario warnings}}."""
    import xml.etree.ElementTree as ET
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as e:
        raise Failure("cannot read %s: %s" % (path, e))
    found = {}
    for suite in root.iter("testsuite"):
        got = {"flow": None, "fail": set(), "warn": set(), "scenario": set()}
        for case in suite.iter("testcase"):
            rule = case.get("name", "").split(" ")[0]
            failure = case.find("failure")
            if failure is not None and failure.get("type") == "flow":
                got["flow"] = failure.get("message") or "flow failed"
            elif failure is not None:
                got["fail"].add(failure.get("type") or rule)
            out = case.find("system-out")
            if out is not None and out.text and re.search(r"^WARNING: %s WARN" % re.escape(rule),
                                                          out.text, re.M):
                got["warn"].add(rule)
        out = suite.find("system-out")
        for m in re.finditer(r"^scenario warning(?: \(call \d+(?:, agent [\w.-]+)?\))?: "
                             r"([a-z0-9-]+\.[a-z0-9-]+) ",
                             out.text or "" if out is not None else "", re.M):
            got["scenario"].add(m.group(1))
        found[suite.get("name")] = got
    return found


# A scenario's line on the console: "FAIL  device-caller/basic-call  (...)  0/1 call passed ..."
SCENARIO_LINE = re.compile(r"^(PASS|FAIL|SKIP|ERROR)\s+(\S+)\s")
# A scenario warning under a call: "      call 1: scenario warning: ack-2xx.received FAIL (..."
SCENARIO_WARNING = re.compile(
    r"^\s+call \d+(?: \([\w.-]+\))?: scenario warning: ([a-z0-9-]+\.[a-z0-9-]+) ")


def console_verdicts(text):
    """{scenario: (PASS|FAIL, {(rule, FAIL|WARN)}, {scenario-warning rules})} from the console."""
    found, current = {}, None
    for line in text.splitlines():
        m = SCENARIO_LINE.match(line)
        if m:
            current = found.setdefault(m.group(2), (m.group(1), set(), set()))
            continue
        if current is None:
            continue
        m = VERDICT.match(line)
        if m:
            current[1].add((m.group(1), m.group(2)))
        m = SCENARIO_WARNING.match(line)
        if m:
            current[2].add(m.group(1))
    return found


def expect_verdicts(name, rc, console, junit_path, wanted):
    """sipwright's run played exactly the scenarios of `wanted` ({scenario: (rules failed,
    rules of scenario warnings)}), each flow through, and each failed with exactly those rules
    (passed when there are none), in junit.xml and on the console, with no SHOULD warned and no
    other scenario warning; the summary and the exit status agree."""
    junit = junit_verdicts(junit_path)
    shown = console_verdicts(console)
    if set(junit) != set(wanted) or set(shown) != set(wanted):
        raise Failure("%s: wanted the scenarios %s, junit.xml has %s, the console %s"
                      % (name, sorted(wanted), sorted(junit), sorted(shown)))
    for scenario, (fails, warnings) in sorted(wanted.items()):
        got = junit[scenario]
        if got["flow"]:
            raise Failure("%s: %s did not play through: %s" % (name, scenario, got["flow"]))
        wanted_word = "FAIL" if fails else "PASS"
        seen = (got["fail"], got["warn"], got["scenario"])
        if seen != (set(fails), set(), set(warnings)):
            raise Failure("%s: %s: wanted the failures %s and the scenario warnings %s; junit.xml "
                          "has the failures %s, warnings %s, scenario warnings %s"
                          % (name, scenario, sorted(fails), sorted(warnings), sorted(seen[0]),
                             sorted(seen[1]), sorted(seen[2])))
        word, verdicts, scenario_warnings = shown[scenario]
        if (word, verdicts, scenario_warnings) != \
                (wanted_word, {(r, "FAIL") for r in fails}, set(warnings)):
            raise Failure("%s: %s: the console says %s with %s and scenario warnings %s, wanted "
                          "%s with %s and %s" % (name, scenario, word, sorted(verdicts),
                                                 sorted(scenario_warnings), wanted_word,
                                                 sorted(fails), sorted(warnings)))
    failing = sum(1 for fails, _ in wanted.values() if fails)
    want_summary = (str(len(wanted) - failing), str(failing), "0")
    summary = SUMMARY.findall(console)
    if not summary or summary[-1] != want_summary:
        raise Failure("%s: wanted the summary '%s passed, %s failed, %s skipped', found %s"
                      % ((name,) + want_summary + (summary[-1] if summary else "none",)))
    want_rc = 1 if failing else 0
    if rc != want_rc:
        raise Failure("%s exited with %s, wanted %d" % (name, rc, want_rc))
    for scenario, (fails, warnings) in sorted(wanted.items()):
        log("%s: %s %s%s" % (name, scenario, "FAIL " + ", ".join(sorted(fails)) if fails
                             else "PASS", "; scenario warning " + ", ".join(sorted(warnings))
                             if warnings else ""))


# A message in the -v console: an arrow line ("  0.000 <-- UDP 127.0.0.1:36279"), then "| " lines.
TRACE_ARROW = re.compile(r"^\s+\d+\.\d+ (<--|-->) ")


def sipwright_trace(console):
    """The messages of a `sipwright run -v` console, as Message objects, "received" (<--) or
    "sent" (-->) from sipwright's side."""
    found, direction, lines = [], None, []
    for line in console.splitlines() + [""]:
        m = TRACE_ARROW.match(line)
        quoted = re.match(r"^\s+\| ?(.*)$", line)
        if quoted and direction:
            lines.append(quoted.group(1))
            continue
        if direction and lines:
            found.append(Message(direction, "\n".join(lines)))
        direction, lines = ("received" if m.group(1) == "<--" else "sent") if m else None, []
    return found


def bye_step_lines(scenario):
    """Line numbers (1-based) of the <send> holding the BYE and of the last <recv response="200">
    in SIPp's uac.xml: the steps a failure to get the BYE's 200 may be reported at."""
    send_line = bye_line = recv_line = None
    with open(scenario, encoding="iso-8859-1") as f:
        for number, line in enumerate(f, 1):
            if "<send" in line:
                send_line = number
            if re.match(r"\s*BYE sip:", line):
                bye_line = send_line
            if re.search(r'<recv\s+response="200"', line):
                recv_line = number
    if bye_line is None or recv_line is None or recv_line < bye_line:
        raise Failure("%s does not look like SIPp's uac scenario (no BYE, then a 200)" % scenario)
    return bye_line, recv_line


def expect_sipwright_failure(proc, scenario, want_timeout):
    """sipwright failed the scenario in bounded time, naming the step that waited for the
    BYE's 200 (and, with want_timeout, saying it timed out)."""
    try:
        rc = proc.wait(max(0.1, FAIL_BOUND - proc.elapsed()))
    except Failure:
        raise Failure("%s did not end within %d s of its start (--t1 %d: 64*T1 = %.1f s)"
                      % (proc.name, FAIL_BOUND, T1_FAIL, 64 * T1_FAIL / 1000))
    out = proc.stdout_text()
    name = os.path.basename(scenario)
    if rc != 1:
        raise Failure("%s exited with %d, wanted 1 (some failed)" % (proc.name, rc))
    if proc.elapsed() > FAIL_BOUND:
        raise Failure("%s took %.1f s, wanted at most %d" % (proc.name, proc.elapsed(), FAIL_BOUND))
    lines = out.splitlines()
    fail_at = [i for i, line in enumerate(lines) if re.search(r"\bFAIL\b", line)]
    if not fail_at:
        raise Failure("%s: no FAIL line on stdout" % proc.name)
    # The FAIL line and the indented lines under it.
    detail = [lines[fail_at[0]]]
    for line in lines[fail_at[0] + 1:]:
        if not line[:1].isspace():
            break
        detail.append(line)
    detail = "\n".join(detail)
    summary = SUMMARY.findall(out)
    if not summary or summary[-1] != ("0", "1", "0"):
        raise Failure("%s: wanted the summary '0 passed, 1 failed, 0 skipped', found %s"
                      % (proc.name, summary[-1] if summary else "none"))
    steps = bye_step_lines(scenario)
    named = [int(n) for n in re.findall(re.escape(name) + r":(\d+)", detail)]
    if not any(n in steps for n in named):
        raise Failure("%s: the failure must name the step %s:%d (recv 200) or %s:%d (send BYE); "
                      "it names %s" % (proc.name, name, steps[1], name, steps[0],
                                       ", ".join("%s:%d" % (name, n) for n in named) or "none"))
    if not re.search(r"\b200\b", detail):
        raise Failure("%s: the failure does not say a 200 was awaited" % proc.name)
    if want_timeout and not re.search(r"(?i)tim(e|ed)[ -]?out|timer[ _][a-k]\b", detail):
        raise Failure("%s: the failure does not say the wait timed out" % proc.name)
    log("%s: FAIL as wanted, status 1 after %.1f s:\n%s" % (proc.name, proc.elapsed(), detail))


# --- cases -----------------------------------------------------------------------------------

def sipwright_caller_vs_sipp(ctx, caller, callee, budget, findings=()):
    scenario = ctx.sipp_scenario(caller)
    sipp, port = ctx.start_sipp_server("sipp-" + callee, ["-sn", callee])
    sipwright = ctx.start_sipwright("sipwright-" + caller, scenario, T1_PASS, budget,
                                    dut="%s:%d" % (HOST, port))
    expect_sipwright_pass(sipwright, budget + STOP_GRACE, findings)
    # The callee ends after its 4 s timewait.
    expect_sipp_success(sipp, AFTER_SECONDS, closed_in_timewait_ok=ctx.transport == "tcp")


def sipp_caller_vs_sipwright(ctx, caller, callee, budget, findings=()):
    scenario = ctx.sipp_scenario(callee)
    sipwright, port = ctx.start_sipwright_server("sipwright-" + callee, scenario, budget)
    sipp = ctx.start_sipp_client("sipp-" + caller, ["-sn", caller], port)
    expect_sipp_success(sipp, budget)
    expect_sipwright_pass(sipwright, AFTER_SECONDS, findings)


def sipp_caller_vs_sipp(ctx, caller, callee, budget):
    """Self-test: the same plumbing with SIPp on both sides."""
    sipp_callee, port = ctx.start_sipp_server("sipp-" + callee, ["-sn", callee])
    sipp_caller = ctx.start_sipp_client("sipp-" + caller, ["-sn", caller], port)
    expect_sipp_success(sipp_caller, budget)
    expect_sipp_success(sipp_callee, AFTER_SECONDS,
                        closed_in_timewait_ok=ctx.transport == "tcp")


def wait_for_bye(sipp, caller):
    """Until the silent SIPp has logged the BYE it received (-trace_msg)."""
    wait_until(lambda: ("received", "BYE", "BYE") in sipp_messages(sipp.messages_path),
               FAIL_BOUND, "%s received the BYE" % sipp.name, sipp, caller)


# The library against SIPp's built-in scenarios playing the device. SIPp's uas answers every
# INVITE with 180 and 200, its uac calls, ACKs and hangs up: the scenarios below are those it
# can play (the 380/486/503 device-callee ones need a device that answers so). SIPp's T1 is
# 500 ms (its retrans="500"), so the runs use --t1 500. The findings, each checked against the
# RFC, are written down in scenarios/README.md ("SIPp's built-in scenarios, judged").
LIBRARY_VS_SIPP = {
    "uas": (["device-callee/basic-call", "device-callee/delayed-ack",
             "device-callee/record-route"],
            # uas does not copy the INVITE's Record-Route into its 2xx (12.1.1); over TCP it does
            # not retransmit its 2xx at all (13.3.1.4 asks the UAS core to, on any transport).
            {"udp": ["uas-2xx.record-route"],
             "tcp": ["uas-2xx.record-route", "uas-2xx.retransmit"]}),
    "uac": (["device-caller/basic-call", "device-caller/2xx-retransmitted",
             "device-caller/record-route", "device-caller/busy-486",
             "device-caller/unavailable-503"],
            # (The 380 scenarios do not play through: uac answers a 380 with CANCEL and never
            # ACKs it, see scenarios/README.md.)
            # uac ACKs the 2xx to the INVITE's Request-URI and without the route set (12.2.1.1).
            {"udp": ["ack-2xx.request-uri", "ack-2xx.route"],
             "tcp": ["ack-2xx.request-uri", "ack-2xx.route"]}),
}


def library_vs_sipp(ctx):
    scenarios, findings = LIBRARY_VS_SIPP["uas"]
    port = free_port()
    sipp = ctx.start_sipp("sipp-uas", ["-sn", "uas"], port, calls=len(scenarios))
    wait_until(lambda: port_bound(port, ctx.transport), READY_SECONDS,
               "sipp-uas listening on %s %s:%d" % (ctx.transport.upper(), HOST, port), sipp)
    cmd = [ctx.sipwright, "run"] + scenarios + [
        "--dut", "%s:%d" % (HOST, port), "--local", "%s:0" % HOST, "--transport", ctx.transport,
        "--t1", "500", "--timeout", "30"]
    expect_library_findings(ctx, "sipwright-vs-sipp-uas", cmd, len(scenarios), findings[ctx.transport])
    sipp.stop()
    scenarios, findings = LIBRARY_VS_SIPP["uac"]
    trigger = " ".join(quote(c) for c in [
        ctx.sipp, "-sn", "uac", "{host}:{port}", "-s", "{user}", "-i", HOST, "-p", "0",
        "-t", SIPP_TRANSPORT[ctx.transport], "-m", "1", "-nostdin", "-timeout", "20s"])
    cmd = [ctx.sipwright, "run"] + scenarios + [
        "--local", "%s:0" % HOST, "--transport", ctx.transport, "--t1", "500", "--timeout", "30",
        "--trigger", trigger]
    expect_library_findings(ctx, "sipwright-vs-sipp-uac", cmd, len(scenarios), findings[ctx.transport])


def expect_library_findings(ctx, name, cmd, count, findings):
    """Every scenario plays through; the rules report exactly `findings` (and nothing else)."""
    proc = Process(name, cmd, ctx.workdir)
    ctx.processes.append(proc)
    proc.wait(240)
    lines = proc.stdout_text().splitlines()
    flow = [l.strip() for l in lines if FLOW_FAILURE.match(l)]
    if flow:
        raise Failure("%s: a scenario did not play through: %s" % (name, flow[0]))
    found = sorted({m.group(1) for m in map(VERDICT.match, lines) if m})
    if found != sorted(findings):
        raise Failure("%s: wanted the verdicts %s against SIPp, found %s"
                      % (name, sorted(findings), found or "none"))
    if not any(re.search(r"\b%d passed|%d failed" % (count, count), l) or
               re.match(r"\d+ passed, \d+ failed, 0 skipped", l) for l in lines):
        raise Failure("%s: no summary line" % name)
    log("%s: %d scenarios played through, verdicts %s" % (name, count, found))


def peer_mid_call(ctx, kill):
    scenario = ctx.sipp_scenario("uac")
    sipp, port = ctx.start_sipp_server("sipp-uas-goes-silent", ["-sf", SILENT_UAS])
    sipwright = ctx.start_sipwright("sipwright-uac", scenario, T1_FAIL, 2 * FAIL_BOUND,
                                    dut="%s:%d" % (HOST, port))
    if kill:
        wait_for_bye(sipp, sipwright)
        sipp.kill()
    expect_sipwright_failure(sipwright, scenario, want_timeout=not kill)


def self_test_peer_mid_call(ctx, kill):
    """Self-test: SIPp's uac against the silent callee fails (it never gets the BYE's 200)."""
    sipp, port = ctx.start_sipp_server("sipp-uas-goes-silent", ["-sf", SILENT_UAS])
    # Over TCP SIPp does not retransmit: bound its wait for the 200.
    caller = ctx.start_sipp_client("sipp-uac", ["-sn", "uac", "-recv_timeout", "4000",
                                                "-default_behaviors", "none"], port)
    if kill:
        wait_for_bye(sipp, caller)
        sipp.kill()
    rc = caller.wait(FAIL_BOUND)
    if rc != 1 or sipp_call_counts(caller.stdout_text()) != (0, 1):
        raise Failure("sipp-uac: wanted status 1 with 0 successful and 1 failed call, got "
                      "status %d and %s" % (rc, sipp_call_counts(caller.stdout_text())))
    log("sipp-uac: 1 failed call, status 1 (%.1f s)" % caller.elapsed())


# --- devices that are not conformant on purpose (issue 7) -----------------------------------

# caller-2xx-ack-invite-branch.xml ACKs the 2xx with its INVITE's branch (13.2.2.4, 17.1.1.3,
# 8.1.1.7): every device-caller scenario it can play must fail ack-2xx.new-transaction alone.
BAD_ACK_SCENARIOS = ["device-caller/basic-call", "device-caller/2xx-retransmitted",
                     "device-caller/record-route"]
# callee-2xx-once.xml never retransmits its 2xx (13.3.1.4): invisible when the ACK comes at
# once (basic-call passes), uas-2xx.retransmit when the ACK is late or never comes. no-ack
# withholds the ACK on purpose, and sipwright says so about its own scenario (a scenario
# warning, ack-2xx.received), as it does against any device.
CALLEE_2XX_ONCE_WANTED = {
    "device-callee/basic-call": ((), ()),
    "device-callee/delayed-ack": (("uas-2xx.retransmit",), ()),
    "device-callee/no-ack": (("uas-2xx.retransmit",), ("ack-2xx.received",)),
}


def run_against_faulty(ctx, name, cmd):
    """Runs `sipwright run` (cmd) to its end, bounded; returns (status, console text)."""
    proc = Process(name, cmd, ctx.workdir)
    ctx.processes.append(proc)
    rc = proc.wait(FAULTY_BUDGET + STOP_GRACE)
    log("%s: status %d after %.1f s" % (name, rc, proc.elapsed()))
    return rc, proc.stdout_text()


def branches_of(messages):
    """[(INVITE branch, ACK branch, CSeq number)] of every 2xx-answered INVITE a SIPp caller
    sent, from its message log: what the device really did."""
    found = []
    for i, m in enumerate(messages):
        if m.direction != "sent" or m.method != "INVITE":
            continue
        answered = any(r.direction == "received" and r.code == 200 and r.cseq == m.cseq
                       for r in messages[i + 1:])
        ack = next((a for a in messages[i + 1:] if a.direction == "sent" and a.method == "ACK"
                    and a.cseq == (m.cseq[0], "ACK")), None)
        if answered and ack is not None:
            found.append((m.branch(), ack.branch(), m.cseq[0]))
    return found


def caller_acks_with_invite_branch(ctx):
    """sipwright plays the device-caller scenarios; the trigger starts the faulty SIPp caller."""
    logs = ctx.path("sipp-caller")
    trigger = " ".join(quote(c) for c in [
        ctx.sipp, "-sf", BAD_ACK_CALLER, "{host}:{port}", "-s", "{user}", "-i", HOST, "-p", "0",
        "-t", SIPP_TRANSPORT[ctx.transport], "-m", "1", "-nostdin", "-timeout", "15s",
        "-trace_msg"]) + " -message_file %s-$$.messages.log" % quote(logs)
    out = ctx.path("sipwright-results")
    cmd = [ctx.sipwright, "run"] + BAD_ACK_SCENARIOS + [
        "--local", "%s:0" % HOST, "--transport", ctx.transport, "--t1", str(T1_FAULTY),
        "--timeout", "10", "--color", "never", "--out", out, "--trigger", trigger]
    rc, console = run_against_faulty(ctx, "sipwright-vs-faulty-caller", cmd)
    # The fault really happened, once per scenario (each trigger logs to its own file).
    found = []
    for f in sorted(os.listdir(ctx.workdir)):
        if f.startswith("sipp-caller-") and f.endswith(".messages.log"):
            found += branches_of(read_messages(ctx.path(f)))
    if len(found) != len(BAD_ACK_SCENARIOS) or any(i != a for i, a, _ in found):
        raise Failure("the SIPp caller was to ACK each of %d 2xx with its INVITE's branch; its "
                      "logs show (INVITE branch, ACK branch, CSeq) %s"
                      % (len(BAD_ACK_SCENARIOS), found))
    log("the SIPp caller ACKed each 2xx with its INVITE's branch: %s"
        % ", ".join(i for i, _, _ in found))
    expect_verdicts("sipwright-vs-faulty-caller", rc, console,
                    os.path.join(out, "junit.xml"),
                    {s: (("ack-2xx.new-transaction",), ()) for s in BAD_ACK_SCENARIOS})


def sent_2xx_counts(messages):
    """{Call-ID: number of 200s to INVITE sent} from a SIPp callee's message log."""
    counts = {}
    for m in messages:
        if m.direction == "received" and m.method == "INVITE":
            counts.setdefault(m.header("call-id"), 0)
        if m.direction == "sent" and m.code == 200 and m.cseq and m.cseq[1] == "INVITE":
            counts[m.header("call-id")] = counts.get(m.header("call-id"), 0) + 1
    return counts


def expect_2xx_sent_once(sipp, calls):
    """The faulty callee's own log: `calls` INVITEs, each answered with exactly one 200; and a BYE
    of its own for the call never ACKed."""
    messages = read_messages(sipp.messages_path)
    counts = sent_2xx_counts(messages)
    if len(counts) != calls or set(counts.values()) != {1}:
        raise Failure("%s was to send one 200 to each of %d INVITEs; its log shows {Call-ID: "
                      "200s sent} %s" % (sipp.name, calls, counts))
    if not any(m.direction == "sent" and m.method == "BYE" for m in messages):
        raise Failure("%s sent no BYE for the call that was never ACKed" % sipp.name)
    log("%s sent each of its %d 200s once, and a BYE for the unACKed one" % (sipp.name, calls))


def callee_sends_2xx_once(ctx):
    sipp, port = ctx.start_sipp_server(
        "sipp-callee-2xx-once", ["-sf", CALLEE_2XX_ONCE, "-s", "sipp-callee",
                                 "-key", "contact_transport", ctx.transport],
        calls=len(CALLEE_2XX_ONCE_WANTED))
    out = ctx.path("sipwright-results")
    cmd = [ctx.sipwright, "run"] + sorted(CALLEE_2XX_ONCE_WANTED) + [
        "--dut", "%s:%d" % (HOST, port), "--local", "%s:0" % HOST, "--transport", ctx.transport,
        "--t1", str(T1_FAULTY), "--timeout", "12", "--color", "never", "--out", out]
    rc, console = run_against_faulty(ctx, "sipwright-vs-faulty-callee", cmd)
    sipp.stop()
    expect_2xx_sent_once(sipp, len(CALLEE_2XX_ONCE_WANTED))
    expect_verdicts("sipwright-vs-faulty-callee", rc, console, os.path.join(out, "junit.xml"),
                    CALLEE_2XX_ONCE_WANTED)


# What SIPp 3.6.1's built-in scenarios break, each checked against the RFC text and written
# down in scenarios/README.md ("SIPp's built-in scenarios, judged"):
SIPP_FINDINGS = {
    # uac ACKs the 2xx to the INVITE's Request-URI, not to the 2xx's Contact (RFC 3261 12.2.1.1,
    # 13.2.2.4).
    "uac": ("ack-2xx.request-uri",),
    # branchs sends its 403 once: over UDP Timer G must retransmit it until the ACK (17.2.1).
    # Its 200 to the REGISTER lists its own address, without expires, instead of the binding
    # (10.3 item 8).
    "branchs": {"udp": ("reg.bindings", "uas-non2xx.retransmit"), "tcp": ("reg.bindings",)},
    # branchc's REGISTER has no Max-Forwards (8.1.1, 8.1.1.6); it never ACKs the 403 (17.1.1.2)
    # and sends a BYE for the call it refused (17.1.1.3).
    "branchc": ("msg.mandatory-headers", "ack-non2xx.received", "ack-non2xx.no-bye"),
}

CASES = {
    "sipwright-uac-vs-sipp-uas":
        lambda ctx: sipwright_caller_vs_sipp(ctx, "uac", "uas", CALL_BUDGET),
    "sipp-uac-vs-sipwright-uas":
        lambda ctx: sipp_caller_vs_sipwright(ctx, "uac", "uas", CALL_BUDGET,
                                             SIPP_FINDINGS["uac"]),
    "sipwright-branchc-vs-sipp-branchs":
        lambda ctx: sipwright_caller_vs_sipp(ctx, "branchc", "branchs", BRANCH_BUDGET,
                                             SIPP_FINDINGS["branchs"][ctx.transport]),
    "sipp-branchc-vs-sipwright-branchs":
        lambda ctx: sipp_caller_vs_sipwright(ctx, "branchc", "branchs", BRANCH_BUDGET,
                                             SIPP_FINDINGS["branchc"]),
    "peer-silent-mid-call": lambda ctx: peer_mid_call(ctx, kill=False),
    "peer-killed-mid-call": lambda ctx: peer_mid_call(ctx, kill=True),
    "library-vs-sipp": library_vs_sipp,
    "caller-2xx-ack-invite-branch": caller_acks_with_invite_branch,
    "callee-2xx-once": callee_sends_2xx_once,
}

SELF_TEST_CASES = {
    "sipp-uac-vs-sipp-uas": lambda ctx: sipp_caller_vs_sipp(ctx, "uac", "uas", CALL_BUDGET),
    "sipp-branchc-vs-sipp-branchs":
        lambda ctx: sipp_caller_vs_sipp(ctx, "branchc", "branchs", BRANCH_BUDGET),
    "sipp-uac-vs-sipp-silent": lambda ctx: self_test_peer_mid_call(ctx, kill=False),
    "sipp-uac-vs-sipp-killed": lambda ctx: self_test_peer_mid_call(ctx, kill=True),
}


def run_case(args, name, body):
    """Runs one case in a fresh work dir; returns an exit status."""
    if os.path.isdir(args.workdir):
        shutil.rmtree(args.workdir)
    os.makedirs(args.workdir)
    ctx = Context(args)
    log("== %s over %s (work dir %s)" % (name, args.transport.upper(), args.workdir))
    started = time.monotonic()
    try:
        body(ctx)
    except Failure as e:
        ctx.stop_all()
        log("== FAIL %s over %s: %s" % (name, args.transport.upper(), e))
        ctx.dump_all()
        return EXIT_FAIL
    finally:
        ctx.stop_all()
    log("== PASS %s over %s (%.1f s)" % (name, args.transport.upper(),
                                         time.monotonic() - started))
    return EXIT_PASS


def executable(path):
    return bool(path) and os.path.isfile(path) and os.access(path, os.X_OK)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sipwright", default="", help="the sipwright binary")
    parser.add_argument("--sipp", default="", help="the sipp binary (empty: skip)")
    parser.add_argument("--case", choices=sorted(CASES) + sorted(SELF_TEST_CASES))
    parser.add_argument("--self-test", action="store_true",
                        help="SIPp against SIPp over UDP and TCP (no sipwright needed)")
    parser.add_argument("--transport", choices=["udp", "tcp"], default="udp")
    parser.add_argument("--workdir", required=True, help="logs and scenario files go here")
    args = parser.parse_args(argv)
    if not args.self_test and not args.case:
        parser.error("give --case NAME or --self-test")

    if not executable(args.sipp):
        log("SKIP: sipp not found%s (Debian: apt-get install sip-tester)"
            % (" at " + args.sipp if args.sipp else ""))
        return EXIT_SKIP
    args.sipp = os.path.abspath(args.sipp)
    args.workdir = os.path.abspath(args.workdir)

    if args.self_test:
        root, status = args.workdir, EXIT_PASS
        for transport in ("udp", "tcp"):
            for name, body in SELF_TEST_CASES.items():
                args.transport = transport
                args.workdir = os.path.join(root, "%s-%s" % (name, transport))
                status = max(status, run_case(args, name, body))
        return status

    body = CASES.get(args.case) or SELF_TEST_CASES[args.case]
    if args.case in CASES:
        if not executable(args.sipwright):
            log("sipwright binary not found: %r" % args.sipwright)
            return EXIT_USAGE
        args.sipwright = os.path.abspath(args.sipwright)
    return run_case(args, args.case, body)


def on_signal(signum, frame):
    # CTest's timeout or Ctrl-C: unwind so that the finally blocks stop every child by its PID.
    raise SystemExit(128 + signum)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    sys.exit(main(sys.argv[1:]))
