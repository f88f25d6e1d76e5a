#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Sends malformed datagrams to a SIP port and reports what came back.

    garbage.py SRC_IP DST_IP DST_PORT [--random N] [--seed S]

Run inside a lab namespace. Sends, from SRC_IP:5080, a fixed set of broken
SIP messages (no Call-ID, bad CSeq, truncated, NUL bytes, oversized, ...)
and N datagrams of random bytes (seeded, so a failure can be replayed), at
most a few hundred per second, then waits a second for stray replies.
Prints one JSON object: {"sent": n, "replies": [{"case": name, "first_line":
...}], "cases": [names]} so the test can assert that every reply is a 400
and count the rest as drops. Only DST_IP (the appliance, 198.18.0.0/15) is
ever addressed. Stdlib only.
"""

import json
import random
import socket
import sys
import time

SRC_PORT = 5080


def sip(lines, body=b""):
    head = "\r\n".join(lines).encode()
    return head + b"\r\n\r\n" + body


def cases(src, dst, port):
    via = "Via: SIP/2.0/UDP %s:%d;branch=z9hG4bK-bad-%%s;rport" % (src, SRC_PORT)
    base = [
        "From: <sip:bad@%s>;tag=bad" % src,
        "To: <sip:%s:%d>" % (dst, port),
        "Max-Forwards: 70",
    ]

    def req(name, extra, method="OPTIONS", body=b"", cl=None):
        lines = ["%s sip:%s:%d SIP/2.0" % (method, dst, port), via % name] + base + extra
        lines.append("Content-Length: %d" % (len(body) if cl is None else cl))
        return name, sip(lines, body)

    cid = lambda n: "Call-ID: bad-%s@%s" % (n, src)
    out = [
        req("no_call_id", ["CSeq: 1 OPTIONS"]),
        req("bad_cseq", [cid("bad_cseq"), "CSeq: abc OPTIONS"]),
        req("cseq_method_mismatch", [cid("cseq_mm"), "CSeq: 1 INVITE"]),
        req("no_cseq", [cid("no_cseq")]),
        req("content_length_too_big", [cid("cl"), "CSeq: 1 OPTIONS"],
            body=b"v=0\r\n", cl=5000),
        req("negative_content_length", [cid("ncl"), "CSeq: 1 OPTIONS"], cl=-1),
        ("no_via", sip(["OPTIONS sip:%s SIP/2.0" % dst, cid("no_via"), "CSeq: 1 OPTIONS"]
                       + base + ["Content-Length: 0"])),
        ("truncated_headers", ("OPTIONS sip:%s SIP/2.0\r\n%s\r\nCall-ID: trunc\r\nCSe"
                               % (dst, via % "trunc")).encode()),
        ("request_line_only", b"OPTIONS sip:x SIP/2.0\r\n"),
        ("nul_bytes", sip(["OPTIONS sip:%s SIP/2.0" % dst, via % "nul",
                           "Call-ID: nul\x00\x00bytes", "CSeq: 1 OPTIONS"] + base
                          + ["Content-Length: 0"])),
        ("bad_version", sip(["OPTIONS sip:%s SIP/7.0" % dst, via % "ver", cid("ver"),
                             "CSeq: 1 OPTIONS"] + base + ["Content-Length: 0"])),
        ("bad_status", sip(["SIP/2.0 99999 Nope", via % "st", cid("st"), "CSeq: 1 OPTIONS"]
                           + base + ["Content-Length: 0"])),
        ("only_crlf", b"\r\n\r\n"),
        ("binary_zeros", b"\x00" * 64),
        ("long_header_line", sip(["OPTIONS sip:%s SIP/2.0" % dst, via % "long",
                                  cid("long"), "CSeq: 1 OPTIONS",
                                  "X-Long: " + "a" * 60000] + base
                                 + ["Content-Length: 0"])),
        ("huge_headers", sip(["OPTIONS sip:%s SIP/2.0" % dst, via % "many", cid("many"),
                              "CSeq: 1 OPTIONS"] + base
                             + ["X-H%d: %d" % (i, i) for i in range(3000)]
                             + ["Content-Length: 0"])),
    ]
    return out


def main(argv):
    args = argv[1:]
    if len(args) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    src, dst, port = args[0], args[1], int(args[2])
    if not dst.startswith("198.18.") and not dst.startswith("198.19."):
        print("garbage.py: refusing a destination outside 198.18.0.0/15", file=sys.stderr)
        return 2
    n_random, seed = 200, 1
    rest = args[3:]
    while rest:
        if rest[0] == "--random" and len(rest) > 1:
            n_random = int(rest[1])
            rest = rest[2:]
        elif rest[0] == "--seed" and len(rest) > 1:
            seed = int(rest[1])
            rest = rest[2:]
        else:
            print(__doc__, file=sys.stderr)
            return 2

    rng = random.Random(seed)
    todo = cases(src, dst, port)
    for i in range(n_random):
        n = rng.randint(1, 1400)
        todo.append(("random_%d" % i, bytes(rng.getrandbits(8) for _ in range(n))))
    # Random bytes that start like SIP, to get past the first checks.
    for i in range(min(n_random, 50)):
        n = rng.randint(1, 600)
        todo.append(("sipish_%d" % i, b"OPTIONS sip:x SIP/2.0\r\n"
                     + bytes(rng.getrandbits(8) for _ in range(n))))

    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    sock.bind((src, SRC_PORT))
    sock.settimeout(0)
    replies = []

    def drain():
        while True:
            try:
                data, _ = sock.recvfrom(65535)
            except (BlockingIOError, socket.timeout):
                return
            first = data.split(b"\r\n", 1)[0].decode("latin-1")
            branch = ""
            for line in data.split(b"\r\n"):
                low = line.lower()
                if low.startswith(b"via:") or low.startswith(b"v:"):
                    b = line.find(b"branch=z9hG4bK-bad-")
                    if b >= 0:
                        branch = line[b + 19:].split(b";")[0].decode("latin-1")
                    break
            replies.append({"case": branch, "first_line": first})

    sent = 0
    for name, payload in todo:
        sock.sendto(payload, (dst, port))
        sent += 1
        if sent % 50 == 0:
            drain()
        time.sleep(0.004)  # ~250/s
    deadline = time.time() + 1.0
    while time.time() < deadline:
        drain()
        time.sleep(0.05)
    print(json.dumps({"sent": sent, "replies": replies,
                      "cases": [n for n, _ in todo[:len(cases(src, dst, port))]]}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
