#!/usr/bin/python3
"""TLS end to end: `sipwright run` against `sipwright refdut` over TLS on loopback, with
certificates made here by the `openssl` command (a test CA, a certificate for the device and one
for sipwright; nothing downloaded, no key committed).

  verified      the device's CA-signed certificate, checked by default (--tls-ca): the call passes,
                on 127.0.0.1 and on [::1]
  unknown-ca    the same device checked against the system store: the call fails naming the reason
                (certificate verify failed: unable to get local issuer certificate), exit 1
  wrong-name    --tls-server-name names another host: hostname mismatch, exit 1
  insecure      the device's throwaway self-signed certificate, accepted with --tls-insecure
  self-signed   the same without --tls-insecure: self-signed certificate, exit 1
  device-calls  the device calls sipwright over TLS and checks sipwright's certificate
                (--tls-cert/--tls-key for sipwright, --tls-ca for refdut): passes
  device-refuses the device calls, but refuses sipwright's throwaway certificate: no call
                arrives, and the failure names the handshake's reason, exit 1
  verify-client sipwright asks the calling device for a client certificate (--tls-verify-client):
                the device's CA-signed one passes; its throwaway self-signed one is refused,
                and the failure says so
  profile       a device profile's [tls] ca, a path relative to the profile, checks the device;
                --tls-ca on the command line replaces it (here with a file that cannot verify
                it: the call fails)
  bad-files     --tls-cert without --tls-key, or a certificate that is not there: exit 2, saying so

Exit status: 0 pass, 1 fail, 2 usage error. Debian's /usr/bin/python3, standard library only.
"""

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

T1 = "100"
BOUND = 60  # s: one sipwright run
LISTENING = re.compile(r"listening on TLS (\S+):(\d+)")


class Failure(Exception):
    pass


def openssl(workdir, *args):
    r = subprocess.run(["openssl", *args], cwd=workdir, capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise Failure("openssl " + " ".join(args) + " failed:\n" + r.stderr)


def make_pki(workdir):
    """ca.pem; device.pem/.key and sipwright.pem/.key signed by it for the loopback addresses."""
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
    openssl(workdir, "req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "3650",
            "-subj", "/CN=sipwright test CA", "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign")
    with open(os.path.join(workdir, "leaf.cnf"), "w") as f:
        f.write("basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth,clientAuth\n"
                "subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost\n")
    for name in ("device", "sipwright"):
        openssl(workdir, "req", *ec, "-keyout", name + ".key", "-out", name + ".csr",
                "-subj", "/CN=" + name)
        openssl(workdir, "x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-set_serial", "7", "-days", "3650", "-out", name + ".pem",
                "-extfile", "leaf.cnf")


class Device:
    """`sipwright refdut` listening on TLS; stopped by its PID."""

    def __init__(self, sipwright, workdir, host, extra):
        self.log_path = os.path.join(workdir, "refdut-%d.log" % time.monotonic_ns())
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [sipwright, "refdut", "--local", host + ":0", "--transport", "tls", "--t1", T1,
             *extra], stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with open(self.log_path) as f:
                m = LISTENING.search(f.read())
            if m:
                self.address = m.group(1) + ":" + m.group(2)
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.02)
        self.stop()
        raise Failure("refdut did not listen on TLS:\n" + open(self.log_path).read())

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def run(sipwright, workdir, *args, timeout="10"):
    out = os.path.join(workdir, "out-%d" % time.monotonic_ns())
    cmd = [sipwright, "run", "--transport", "tls", "--t1", T1, "--timeout", timeout, "--strict",
           "--color", "never", "--out", out, *args]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=BOUND)
    return r.returncode, r.stdout + r.stderr, " ".join(cmd)


def expect(code, want_code, output, cmd, *needles):
    if code != want_code:
        raise Failure("expected exit status %d, got %d from\n  %s\n%s" %
                      (want_code, code, cmd, output))
    for n in needles:
        if n not in output:
            raise Failure("expected %r in the output of\n  %s\n%s" % (n, cmd, output))


def check(case, sipwright, workdir):
    pem = lambda name: os.path.join(workdir, name)  # noqa: E731
    device_cert = ["--tls-cert", pem("device.pem"), "--tls-key", pem("device.key")]
    callee = "device-callee/basic-call"
    if case in ("verified", "unknown-ca", "wrong-name"):
        for host in (["127.0.0.1", "[::1]"] if case == "verified" else ["127.0.0.1"]):
            dev = Device(sipwright, workdir, host, device_cert)
            try:
                if case == "verified":
                    code, out, cmd = run(sipwright, workdir, callee, "--dut", dev.address,
                                         "--tls-ca", pem("ca.pem"))
                    expect(code, 0, out, cmd, "1 passed, 0 failed")
                elif case == "unknown-ca":
                    code, out, cmd = run(sipwright, workdir, callee, "--dut", dev.address)
                    expect(code, 1, out, cmd, "TLS handshake with %s failed: certificate verify "
                           "failed: unable to get local issuer certificate" % dev.address)
                else:
                    code, out, cmd = run(sipwright, workdir, callee, "--dut", dev.address,
                                         "--tls-ca", pem("ca.pem"), "--tls-server-name",
                                         "pbx.example.com")
                    expect(code, 1, out, cmd, "TLS handshake with %s failed: certificate verify "
                           "failed: hostname mismatch" % dev.address)
            finally:
                dev.stop()
    elif case in ("insecure", "self-signed"):
        dev = Device(sipwright, workdir, "127.0.0.1", [])
        try:
            if case == "insecure":
                code, out, cmd = run(sipwright, workdir, callee, "--dut", dev.address,
                                     "--tls-insecure", "--tls-ca", pem("ca.pem"))
                expect(code, 0, out, cmd, "1 passed, 0 failed")
            else:
                code, out, cmd = run(sipwright, workdir, callee, "--dut", dev.address,
                                     "--tls-ca", pem("ca.pem"))
                expect(code, 1, out, cmd, "TLS handshake with %s failed: certificate verify "
                       "failed: self-signed certificate" % dev.address)
        finally:
            dev.stop()
    elif case == "device-calls":
        trigger = ("{sipwright} refdut --call {host}:{port} --transport {transport} --user {user} "
                   "--t1 {t1} --t2 {t2} --timeout 10 --tls-ca " + pem("ca.pem"))
        code, out, cmd = run(sipwright, workdir, "device-caller/basic-call", "--local",
                             "127.0.0.1:0", "--tls-cert", pem("sipwright.pem"), "--tls-key",
                             pem("sipwright.key"), "--trigger", trigger)
        expect(code, 0, out, cmd, "1 passed, 0 failed")
    elif case == "device-refuses":
        trigger = ("{sipwright} refdut --call {host}:{port} --transport {transport} --user {user} "
                   "--t1 {t1} --t2 {t2} --timeout 2 --tls-ca " + pem("ca.pem"))
        code, out, cmd = run(sipwright, workdir, "device-caller/basic-call", "--local",
                             "127.0.0.1:0", "--trigger", trigger, timeout="2")
        expect(code, 1, out, cmd, "no call arrived at TLS 127.0.0.1:",
               "; the last transport error: TLS handshake from 127.0.0.1:",
               "failed: tlsv1 alert unknown ca")
    elif case == "verify-client":
        base = ("{sipwright} refdut --call {host}:{port} --transport {transport} --user {user} "
                "--t1 {t1} --t2 {t2} --timeout 2 --tls-ca " + pem("ca.pem"))
        server = ["device-caller/basic-call", "--local", "127.0.0.1:0", "--tls-cert",
                  pem("sipwright.pem"), "--tls-key", pem("sipwright.key"), "--tls-ca",
                  pem("ca.pem"), "--tls-verify-client"]
        code, out, cmd = run(sipwright, workdir, *server, "--trigger",
                             base + " --tls-cert %s --tls-key %s" % (pem("device.pem"),
                                                                     pem("device.key")))
        expect(code, 0, out, cmd, "1 passed, 0 failed")
        code, out, cmd = run(sipwright, workdir, *server, "--trigger", base, timeout="2")
        expect(code, 1, out, cmd, "no call arrived at TLS 127.0.0.1:",
               "failed: certificate verify failed: self-signed certificate")
    elif case == "profile":
        dev = Device(sipwright, workdir, "127.0.0.1", device_cert)
        try:
            profile = os.path.join(workdir, "device.toml")
            with open(profile, "w") as f:
                f.write('[device]\naddress = "%s"\ntransport = "tls"\n[timers]\nt1 = %s\n'
                        '[services]\n200 = "200"\n[tls]\nca = "ca.pem"\n' % (dev.address, T1))
            code, out, cmd = run(sipwright, workdir, callee, "--profile", profile)
            expect(code, 0, out, cmd, "1 passed, 0 failed")
            code, out, cmd = run(sipwright, workdir, callee, "--profile", profile, "--tls-ca",
                                 pem("device.pem"))
            expect(code, 1, out, cmd, "TLS handshake with %s failed: certificate verify failed: "
                   "unable to get local issuer certificate" % dev.address)
        finally:
            dev.stop()
    elif case == "bad-files":
        code, out, cmd = run(sipwright, workdir, callee, "--dut", "127.0.0.1:5061",
                             "--tls-cert", pem("sipwright.pem"))
        expect(code, 2, out, cmd, "--tls-cert and --tls-key go together")
        missing = pem("missing.pem")
        code, out, cmd = run(sipwright, workdir, callee, "--dut", "127.0.0.1:5061",
                             "--tls-cert", missing, "--tls-key", pem("sipwright.key"))
        expect(code, 2, out, cmd, "cannot use TLS certificate %s: no such file" % missing)
    else:
        raise Failure("unknown case " + case)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sipwright", required=True)
    p.add_argument("--case", required=True)
    a = p.parse_args()
    if shutil.which("openssl") is None:
        print("tls_checks: the openssl command is missing (Debian package openssl)")
        return 2
    workdir = tempfile.mkdtemp(prefix="sipwright-tls-")
    try:
        make_pki(workdir)
        check(a.case, a.sipwright, workdir)
    except (Failure, subprocess.TimeoutExpired) as e:
        print("tls_checks %s: FAIL: %s" % (a.case, e))
        return 1
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print("tls_checks %s: pass" % a.case)
    return 0


if __name__ == "__main__":
    sys.exit(main())
