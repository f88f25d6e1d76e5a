#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Queries a running DPDK app's telemetry socket and prints one reply as JSON.

    telemetry.py FILE_PREFIX COMMAND [PARAMS]     e.g. telemetry.py sl1 /sluice/stats

DPDK telemetry v2 is a SOCK_SEQPACKET Unix socket at
<runtime dir>/dpdk/<file prefix>/dpdk_telemetry.v2. On connect the app sends a
JSON greeting ({"version", "pid", "max_output_len"}); each message sent after
that is one command ("/cmd" or "/cmd,params") and each reply is one JSON
object {"/cmd": value}. This prints the value (not the wrapper) on one line,
so tests read it with python or jq-like one-liners without depending on the
interactive dpdk-telemetry.py tool's output.

Exit codes: 0 ok, 1 cannot connect or bad reply, 2 usage, 3 the app answered
null (unknown command or the command failed).
Stdlib only.
"""

import json
import os
import socket
import sys


def runtime_dir(prefix):
    """The directory EAL uses for a file prefix (same rule as DPDK's EAL)."""
    base = os.environ.get("RUNTIME_DIRECTORY")
    if not base:
        base = "/var/run" if os.getuid() == 0 else \
            os.environ.get("XDG_RUNTIME_DIR", "/tmp")
    return os.path.join(base, "dpdk", prefix)


def recv_json(sock, size):
    data = sock.recv(size)
    if not data:
        raise ConnectionError("telemetry socket closed")
    return json.loads(data.decode())


def query(prefix, command, timeout=5.0):
    path = os.path.join(runtime_dir(prefix), "dpdk_telemetry.v2")
    with socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as sock:
        sock.settimeout(timeout)
        sock.connect(path)
        hello = recv_json(sock, 1024)
        size = int(hello.get("max_output_len", 16384))
        sock.send(command.encode())
        reply = recv_json(sock, size)
    # The reply is keyed by the command without its parameters.
    key = command.split(",", 1)[0]
    if key not in reply:
        raise ValueError("reply has no key %r: %r" % (key, reply))
    return reply[key]


def main(argv):
    if len(argv) < 3 or not argv[2].startswith("/"):
        print("usage: telemetry.py FILE_PREFIX /COMMAND[,PARAMS] [PARAMS]",
              file=sys.stderr)
        return 2
    command = argv[2]
    if len(argv) > 3:
        command += "," + ",".join(argv[3:])
    try:
        value = query(argv[1], command)
    except (OSError, ValueError, ConnectionError) as exc:
        print("telemetry.py: %s: %s" % (argv[1], exc), file=sys.stderr)
        return 1
    print(json.dumps(value, sort_keys=True))
    return 0 if value is not None else 3


if __name__ == "__main__":
    sys.exit(main(sys.argv))
