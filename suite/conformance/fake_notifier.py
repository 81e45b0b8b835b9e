#!/usr/bin/python3
"""A minimal message-summary notifier over UDP (RFC 6665, RFC 3842) for notify_order.py: it
answers every SUBSCRIBE 200 with an Expires of at most 600 and sends one NOTIFY stating the
subscription, either before the 200 (--order before: RFC 6665 4.1.2.4 lets the subscriber get
it first) or after it (--order after). A retransmitted SUBSCRIBE gets the same 200 again.

Usage: fake_notifier.py --port-file FILE --order before|after [--lifetime SECONDS]
It binds 127.0.0.1 port 0, writes the port to FILE and serves until killed or its lifetime ends.
"""

import argparse
import os
import random
import re
import socket
import time


def header(msg, name):
    m = re.search(r"^%s[ \t]*:[ \t]*(.*?)\r$" % re.escape(name), msg, re.M | re.I)
    return m.group(1) if m else None


def rows(msg, name):
    return [line for line in msg.split("\r\n")
            if re.match(r"%s[ \t]*:" % re.escape(name), line, re.I)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--order", choices=("before", "after"), required=True)
    ap.add_argument("--lifetime", type=float, default=120)
    args = ap.parse_args()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(port))
    os.replace(args.port_file + ".tmp", args.port_file)

    tags = {}     # Call-ID -> the notifier's tag (its side of the subscription's dialog)
    cseqs = {}    # Call-ID -> the last NOTIFY CSeq
    answered = {}  # SUBSCRIBE branch -> the 200 sent for it
    end = time.monotonic() + args.lifetime
    while time.monotonic() < end:
        sock.settimeout(max(0.1, end - time.monotonic()))
        try:
            data, peer = sock.recvfrom(65535)
        except socket.timeout:
            break
        msg = data.decode("utf-8", "replace")
        if not msg.startswith("SUBSCRIBE "):
            continue  # the 200s to its NOTIFYs, anything else
        branch = re.search(r"branch=([^;,\s]+)", header(msg, "Via") or "")
        branch = branch.group(1) if branch else ""
        if branch in answered:
            sock.sendto(answered[branch], peer)
            continue
        call_id = header(msg, "Call-ID")
        to, frm = header(msg, "To"), header(msg, "From")
        tag = tags.setdefault(call_id, "fn%d" % random.randint(1, 10**9))
        to_tagged = to if ";tag=" in to else to + ";tag=" + tag
        asked = header(msg, "Expires")
        expires = min(int(asked), 600) if asked is not None else 600
        contact = re.search(r"<([^>]*)>", header(msg, "Contact")).group(1)
        cseqs[call_id] = cseqs.get(call_id, 0) + 1
        state = "terminated;reason=timeout" if expires == 0 else "active;expires=%d" % expires
        body = "Messages-Waiting: no\r\n"
        notify = ("NOTIFY %s SIP/2.0\r\n"
                  "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK%d\r\n"
                  "Max-Forwards: 70\r\n"
                  "From: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %d NOTIFY\r\n"
                  "Contact: <sip:notifier@127.0.0.1:%d>\r\n"
                  "Event: message-summary\r\nSubscription-State: %s\r\n"
                  "Content-Type: application/simple-message-summary\r\n"
                  "Content-Length: %d\r\n\r\n%s"
                  % (contact, port, random.randint(1, 10**9), to_tagged, frm, call_id,
                     cseqs[call_id], port, state, len(body), body)).encode()
        ok = ("SIP/2.0 200 OK\r\n%s\r\nFrom: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %s\r\n"
              "Contact: <sip:notifier@127.0.0.1:%d>\r\nExpires: %d\r\nContent-Length: 0\r\n\r\n"
              % ("\r\n".join(rows(msg, "Via")), frm, to_tagged, call_id, header(msg, "CSeq"),
                 port, expires)).encode()
        answered[branch] = ok
        first, second = (notify, ok) if args.order == "before" else (ok, notify)
        sock.sendto(first, peer)
        sock.sendto(second, peer)


if __name__ == "__main__":
    main()
