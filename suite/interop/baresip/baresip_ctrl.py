#!/usr/bin/python3
"""baresip's ctrl_tcp interface: netstring-framed JSON commands and events.

  baresip_ctrl.py --ctrl 127.0.0.1:PORT command NAME [PARAMS]
      sends one command, prints baresip's response; exit 0 when it says ok
  baresip_ctrl.py --ctrl 127.0.0.1:PORT --lock FILE call URI
      the trigger of the device-caller scenarios: makes baresip dial URI, follows the call's
      events, and hangs the call up (callfind ID + hangup) --hold seconds after it is
      established; ends when the call has closed. Exit 0 when baresip placed the call and it
      ended, 1 otherwise, 2 on usage errors.

ctrl_tcp takes one connection at a time (a new connection replaces the one before), so `call`
holds an exclusive lock on --lock from before it connects until the call is over: triggers of
scenarios played at once take turns. Every wait is bounded (--timeout).

Debian's /usr/bin/python3, standard library only; importable (the driver uses Ctrl).
"""

import argparse
import fcntl
import json
import os
import socket
import sys
import time

EXIT_OK = 0
EXIT_FAIL = 1
EXIT_USAGE = 2


class CtrlError(Exception):
    pass


def log(text):
    print("baresip_ctrl[%d] %.3f: %s" % (os.getpid(), time.time(), text), flush=True)


def netstring(payload):
    data = json.dumps(payload).encode()
    return b"%d:%s," % (len(data), data)


class Ctrl:
    """One ctrl_tcp connection: send commands, read responses and events."""

    def __init__(self, host, port, timeout=3.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buf = b""
        self.tokens = 0
        self.events = []

    def close(self):
        self.sock.close()

    def send(self, *commands):
        """Sends commands [(name, params or None)] in one write (baresip runs them one after
        the other, with nothing in between); returns their tokens."""
        data, tokens = b"", []
        for name, params in commands:
            self.tokens += 1
            token = "sw%d-%d" % (os.getpid(), self.tokens)
            message = {"command": name, "token": token}
            if params is not None:
                message["params"] = params
            data += netstring(message)
            tokens.append(token)
        self.sock.sendall(data)
        return tokens

    def read(self, deadline):
        """The next message (a dict), or None at the deadline; CtrlError when the connection
        closes or sends something that is not a netstring of JSON."""
        while True:
            head, colon, rest = self.buf.partition(b":")
            if colon:
                if not head.isdigit() or len(head) > 9:
                    raise CtrlError("not a netstring from ctrl_tcp: %r" % self.buf[:60])
                size = int(head)
                if len(rest) >= size + 1:
                    if rest[size:size + 1] != b",":
                        raise CtrlError("netstring without its ',': %r" % self.buf[:60])
                    self.buf = rest[size + 1:]
                    return json.loads(rest[:size].decode("utf-8", "replace"))
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self.sock.settimeout(min(left, 1.0))
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                continue
            if not chunk:
                raise CtrlError("baresip closed the ctrl_tcp connection")
            self.buf += chunk

    def response(self, token, deadline):
        """Reads until the response with token; events read meanwhile are kept in events."""
        while True:
            message = self.read(deadline)
            if message is None:
                raise CtrlError("no response to command %s" % token)
            if message.get("response") and message.get("token") == token:
                return message
            if message.get("event"):
                self.events.append(message)

    def command(self, name, params=None, seconds=3.0):
        token, = self.send((name, params))
        return self.response(token, time.monotonic() + seconds)

    def next_event(self, deadline):
        if self.events:
            return self.events.pop(0)
        while True:
            message = self.read(deadline)
            if message is None or message.get("event"):
                return message


def parse_hostport(text):
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit():
        raise argparse.ArgumentTypeError("HOST:PORT expected, not %r" % text)
    return host, int(port)


def take_lock(path, deadline):
    """An exclusive flock on path, waited for until deadline; returns the open file or None."""
    f = open(path, "a")
    while True:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return f
        except OSError:
            if time.monotonic() > deadline:
                f.close()
                return None
            time.sleep(0.02)


def call(args):
    deadline = time.monotonic() + args.timeout
    lock = None
    if args.lock:
        lock = take_lock(args.lock, deadline)
        if lock is None:
            log("could not take the lock %s within %.0f s" % (args.lock, args.timeout))
            return EXIT_FAIL
    ctrl = None
    try:
        ctrl = Ctrl(*args.ctrl)
        answer = ctrl.command("dial", args.uri)
        log("dial %s: %s" % (args.uri, json.dumps(answer)))
        if not answer.get("ok"):
            return EXIT_FAIL
        call_id, hangup_at, hung_up = None, None, False
        while True:
            now = time.monotonic()
            if hangup_at is not None and now >= hangup_at:
                hangup_at, hung_up = None, True
                if not hang_up(ctrl, call_id):
                    return EXIT_FAIL
                continue
            if now >= deadline:
                log("the call did not end within %.0f s" % args.timeout)
                if call_id and not hung_up:
                    hang_up(ctrl, call_id)
                return EXIT_FAIL
            event = ctrl.next_event(min(deadline, hangup_at or deadline))
            if event is None:
                continue
            log("event %s" % json.dumps(event))
            # Events of this call: outgoing, to the URI dialled (the other scenarios' calls into
            # baresip are incoming, and each scenario listens on a port of its own).
            if event.get("direction") != "outgoing" or event.get("peeruri") != args.uri:
                continue
            call_id = event.get("id") or call_id
            kind = event.get("type")
            if kind == "CALL_ESTABLISHED" and hangup_at is None and not hung_up:
                hangup_at = time.monotonic() + args.hold
            elif kind == "CALL_CLOSED":
                log("the call closed: %s" % event.get("param"))
                return EXIT_OK
    except (OSError, CtrlError, ValueError) as e:
        log("ctrl_tcp: %s" % e)
        return EXIT_FAIL
    finally:
        if ctrl:
            ctrl.close()
        if lock:
            lock.close()


def hang_up(ctrl, call_id):
    """Hangs up exactly this call: callfind makes it the current call, hangup ends the current
    call. Both go in one write only once callfind has found the call (a callfind that finds
    nothing leaves another call current, which hangup would end)."""
    if not call_id:
        log("no call id to hang up")
        return False
    found = ctrl.command("callfind", call_id)
    if "not found" in str(found.get("data")):
        log("callfind %s: %s" % (call_id, found.get("data", "").strip()))
        return False
    tokens = ctrl.send(("callfind", call_id), ("hangup", None))
    for token in tokens:
        answer = ctrl.response(token, time.monotonic() + 3)
        log("%s: %s" % (token, json.dumps(answer)))
    return True


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ctrl", type=parse_hostport, required=True, help="ctrl_tcp HOST:PORT")
    parser.add_argument("--timeout", type=float, default=30, help="bound of everything, s")
    parser.add_argument("--lock", help="call: the file locked while the call lasts")
    parser.add_argument("--hold", type=float, default=0.5,
                        help="call: seconds between the call's establishment and the hangup")
    parser.add_argument("--log", help="append what happens to this file (default: stdout)")
    sub = parser.add_subparsers(dest="action", required=True)
    p = sub.add_parser("command", help="send one command")
    p.add_argument("name")
    p.add_argument("params", nargs="?")
    p = sub.add_parser("call", help="dial URI, hang up once established, wait for the end")
    p.add_argument("uri")
    args = parser.parse_args(argv)
    if args.log:
        out = open(args.log, "a")
        os.dup2(out.fileno(), 1)
        os.dup2(out.fileno(), 2)
    if args.action == "call":
        return call(args)
    try:
        ctrl = Ctrl(*args.ctrl)
        try:
            answer = ctrl.command(args.name, args.params, args.timeout)
        finally:
            ctrl.close()
    except (OSError, CtrlError, ValueError) as e:
        log("ctrl_tcp: %s" % e)
        return EXIT_FAIL
    print(json.dumps(answer), flush=True)
    return EXIT_OK if answer.get("ok") else EXIT_FAIL


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        sys.exit(130)
