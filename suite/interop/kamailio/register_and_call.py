#!/usr/bin/python3
"""The trigger of the library's device-caller scenarios behind Kamailio (kamailio_interop.py's
case library-through-proxy): the "device" is Kamailio with the reference device calling through
it. sipwright runs this once per scenario, once it listens at {host}:{port}:

  1. `sipwright run` of a REGISTER scenario written here (sipwright-register-contact.xml's
     flow): the AOR's bindings are removed (Contact: *, Expires: 0, RFC 3261 10.2.2), then
     sip:{user}@{host}:{port} is bound to it, so that Kamailio routes the AOR's calls to the
     sipwright that waits for this scenario's call, and to no listener of an earlier scenario.
     Kamailio's 401s are answered by sipwright on its own (22.2) with the AOR's credentials.
  2. `sipwright refdut --call` places the call to the AOR through Kamailio, answering Kamailio's
     407 with the caller's credentials (SIPWRIGHT_REFDUT_AUTH_USER / _PASSWORD).

Passwords come from environment variables named on the command line (--register-password-env,
--call-password-env), never from the command line itself. The trigger's own output is discarded
by sipwright: everything goes to LOG_DIR/trigger-PORT.log. The refdut replaces this process
(exec), so its exit status is the trigger's; 2 when the registration failed (no refdut then, and
the scenario times out waiting for the call).

  /usr/bin/python3 register_and_call.py --sipwright S --proxy 127.0.0.1:5060 --transport udp \\
      --contact 127.0.0.1:40000 --contact-user 200 --aor bob --register-password-env BOB_PASSWORD \\
      --caller alice --call-password-env ALICE_PASSWORD --t1 100 --t2 800 --log-dir DIR
"""

import argparse
import os
import signal
import subprocess
import sys

DOMAIN = "sipwright.test"
REGISTER_TIMEOUT = 10   # the registration's bound in seconds
CALL_TIMEOUT = 20       # refdut's --timeout

# REGISTER twice from one Call-ID: first every binding of the AOR goes (10.2.2: Contact: * with
# Expires: 0), then the one of this scenario's listener comes (10.2.1). [service] is the AOR.
# One REGISTER of the AOR [service] with this Contact and Expires.
REGISTER = """\
  <send>
    <![CDATA[
      REGISTER sip:%(domain)s SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      Max-Forwards: 70
      From: <sip:[service]@%(domain)s>;tag=[pid]-[call_number]
      To: <sip:[service]@%(domain)s>
      Call-ID: [call_id]
      CSeq: [cseq] REGISTER
      Contact: %(contact)s
      Expires: %(expires)d
      Content-Length: 0
    ]]>
  </send>
  <recv response="200"/>
"""
SCENARIO = ("""\
<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by register_and_call.py: binds [service] to the listener of one scenario. -->
<scenario name="bind the AOR to one listener">
""" + REGISTER % {"domain": "%(domain)s", "contact": "*", "expires": 0}
            + REGISTER % {"domain": "%(domain)s",
                          "contact": "<sip:%(contact_user)s@%(contact)s;transport=%(transport)s>",
                          "expires": 120}
            + "</scenario>\n")


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    for name in ("--sipwright", "--proxy", "--contact", "--contact-user", "--aor",
                 "--register-password-env", "--caller", "--call-password-env", "--log-dir"):
        parser.add_argument(name, required=True)
    parser.add_argument("--transport", choices=["udp", "tcp"], required=True)
    parser.add_argument("--t1", default="500")
    parser.add_argument("--t2", default="4000")
    args = parser.parse_args(argv)

    port = args.contact.rsplit(":", 1)[-1]
    os.makedirs(args.log_dir, exist_ok=True)
    log = open(os.path.join(args.log_dir, "trigger-%s.log" % port), "w", encoding="utf-8")

    def say(text):
        log.write(text + "\n")
        log.flush()

    for var in (args.register_password_env, args.call_password_env):
        if var not in os.environ:
            say("the environment has no %s" % var)
            return 2
    scenario = os.path.join(args.log_dir, "register-%s.xml" % port)
    with open(scenario, "w", encoding="utf-8") as f:
        f.write(SCENARIO % {"domain": DOMAIN, "contact": args.contact,
                            "contact_user": args.contact_user, "transport": args.transport})
    cmd = [args.sipwright, "run", scenario, "--dut", args.proxy, "--transport", args.transport,
           "--local", "127.0.0.1:0", "--service", args.aor, "--t1", args.t1, "--t2", args.t2,
           "--timeout", str(REGISTER_TIMEOUT), "--color", "never", "-v",
           "--out", os.path.join(args.log_dir, "register-%s" % port)]
    env = dict(os.environ, SIPWRIGHT_AUTH_USER=args.aor,
               SIPWRIGHT_AUTH_PASSWORD=os.environ[args.register_password_env])
    say("$ " + " ".join(cmd))
    register = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT)

    def stop(signum, frame):
        # sipwright ends its trigger by PID when the scenario is over: the registration too.
        register.kill()
        register.wait()
        sys.exit(128 + signum)
    signal.signal(signal.SIGTERM, stop)
    try:
        rc = register.wait(timeout=REGISTER_TIMEOUT + 10)
    except subprocess.TimeoutExpired:
        register.kill()
        register.wait()
        say("the registration did not end within %d s" % (REGISTER_TIMEOUT + 10))
        return 2
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if rc != 0:
        say("the registration failed (exit status %d): no call" % rc)
        return 2

    cmd = [args.sipwright, "refdut", "--call", args.proxy, "--user", args.aor,
           "--transport", args.transport, "--t1", args.t1, "--t2", args.t2,
           "--timeout", str(CALL_TIMEOUT)]
    env = dict(os.environ, SIPWRIGHT_REFDUT_AUTH_USER=args.caller,
               SIPWRIGHT_REFDUT_AUTH_PASSWORD=os.environ[args.call_password_env])
    say("$ " + " ".join(cmd))
    # The refdut takes this process's place (and PID): sipwright stops its trigger by PID at the
    # end of the run, which then ends the refdut itself, not a parent that would leave it behind.
    os.dup2(log.fileno(), 1)
    os.dup2(log.fileno(), 2)
    os.execve(args.sipwright, cmd, env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
