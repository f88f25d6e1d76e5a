#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""CPU time of processes, for the benchmark scripts in this folder: what a
peer (a Kamailio with its children, a SIPp, any process tree) spent over a
window, from /proc. Stdlib only.

    cpu.py snap --pid PID [--pid PID ...] [--tree] [--threads] [--out FILE]
        One snapshot: for each PID (and with --tree every descendant,
        found through the ppid field of /proc/*/stat) its utime+stime, the
        start time that tells a reused PID apart, its comm and (with
        --threads) the same for each thread under /proc/PID/task. JSON.

    cpu.py delta BEFORE AFTER
        CPU seconds between two snapshots, per process and in total, the
        wall time between them and the cores that makes. A process that
        started after BEFORE counts in full; one that exited before AFTER
        is lost (its time went to its parent's cutime) and is counted in
        "exited" so a reader knows the total is short. JSON:
          wall_s cpu_s (user+sys) sys_s cores procs exited by_comm
          threads (with --threads)

    cpu.py exec --out FILE -- CMD ...
        Runs CMD, waits for it and writes its CPU time (wait4 rusage: every
        thread, and every descendant it waited for) with the wall time, as
        JSON {"cpu_s", "utime_s", "stime_s", "wall_s", "rc"}. For a process
        that exits at the end of a run, such as a SIPp client, where /proc
        has nothing left to read afterwards. SIGINT and SIGTERM do not stop
        this wrapper and are not passed on: run it under timeout(1), which
        signals the whole process group (CMD included); SIGKILL ends both.

utime/stime are in clock ticks (USER_HZ, usually 100): a figure is good to
about 10 ms per process per snapshot, so windows should be seconds long.
Exit codes: 0 ok, 1 a PID was not there or a file was unreadable, 2 usage;
exec exits with CMD's code.

probe.py imports read_stat, write_json and CLK_TCK from here, so the two
read /proc and write their JSON the same way.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")


def read_stat(path):
    """(comm, ppid, ticks, starttime, stime) from a /proc stat file: ticks
    is utime+stime, stime the kernel's part. comm may hold spaces and
    parentheses, so fields are counted after the last ')'."""
    with open(path) as f:
        text = f.read()
    head, rest = text.rsplit(")", 1)
    comm = head.split("(", 1)[1]
    fields = rest.split()
    # fields[0] is field 3 (state): field N is fields[N - 3].
    ppid = int(fields[1])
    ticks = int(fields[11]) + int(fields[12])
    start = int(fields[19])
    return comm, ppid, ticks, start, int(fields[12])


def write_json(obj, path=None):
    """obj as one line of JSON, keys sorted: to the file path (replaced),
    or to stdout without one."""
    text = json.dumps(obj, sort_keys=True)
    if path:
        with open(path, "w") as f:
            f.write(text + "\n")
    else:
        print(text)


def descendants(roots):
    """Every live PID under roots (roots included), from one pass over
    /proc: a PID whose parent is in the set joins it, repeated until
    nothing changes (the tree is shallow)."""
    parent = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            parent[int(name)] = read_stat("/proc/%s/stat" % name)[1]
        except (OSError, ValueError, IndexError):
            continue  # exited while we looked
    found = set(p for p in roots if p in parent)
    grew = True
    while grew:
        grew = False
        for pid, ppid in parent.items():
            if ppid in found and pid not in found:
                found.add(pid)
                grew = True
    return sorted(found)


def snap_one(pid, threads):
    comm, ppid, ticks, start, sticks = read_stat("/proc/%d/stat" % pid)
    p = {"pid": pid, "ppid": ppid, "comm": comm, "ticks": ticks,
         "start": start, "sticks": sticks}
    if threads:
        p["threads"] = []
        for tid in sorted(os.listdir("/proc/%d/task" % pid), key=int):
            try:
                tc, _, tt, ts, _ = read_stat("/proc/%d/task/%s/stat" % (pid, tid))
            except (OSError, ValueError, IndexError):
                continue
            p["threads"].append({"tid": int(tid), "comm": tc, "ticks": tt,
                                 "start": ts})
    return p


def cmd_snap(a):
    t0 = time.monotonic()
    pids = descendants(a.pid) if a.tree else a.pid
    procs = []
    for pid in pids:
        try:
            procs.append(snap_one(pid, a.threads))
        except (OSError, ValueError, IndexError):
            if pid in a.pid:
                print("cpu.py: no process %d" % pid, file=sys.stderr)
                return 1
    missing = set(a.pid) - set(p["pid"] for p in procs)
    if missing:
        print("cpu.py: no process %s" % sorted(missing), file=sys.stderr)
        return 1
    # The stamp halfway through the reads splits their cost evenly.
    snap = {"t": (t0 + time.monotonic()) / 2, "clk_tck": CLK_TCK,
            "procs": procs}
    write_json(snap, a.out)
    return 0


def cmd_delta(a):
    try:
        with open(a.before) as f:
            s0 = json.load(f)
        with open(a.after) as f:
            s1 = json.load(f)
    except (OSError, ValueError) as exc:
        print("cpu.py: %s" % exc, file=sys.stderr)
        return 1
    before = {(p["pid"], p["start"]): p for p in s0["procs"]}
    after = {(p["pid"], p["start"]): p for p in s1["procs"]}
    per, by_comm, threads = [], {}, {}
    total = stotal = 0
    for key, p in after.items():
        q = before.get(key)
        d = p["ticks"] - (q["ticks"] if q else 0)
        total += d
        stotal += p["sticks"] - (q["sticks"] if q else 0)
        per.append({"pid": p["pid"], "comm": p["comm"],
                    "cpu_s": d / CLK_TCK, "new": q is None})
        by_comm[p["comm"]] = by_comm.get(p["comm"], 0) + d / CLK_TCK
        if "threads" in p:
            old = {(t["tid"], t["start"]): t for t in (q or {}).get("threads", [])}
            for t in p["threads"]:
                o = old.get((t["tid"], t["start"]))
                dt = (t["ticks"] - (o["ticks"] if o else 0)) / CLK_TCK
                threads[t["comm"]] = threads.get(t["comm"], 0) + dt
    exited = [k[0] for k in before if k not in after]
    wall = s1["t"] - s0["t"]
    out = {
        "wall_s": round(wall, 3),
        "cpu_s": total / CLK_TCK,
        "sys_s": stotal / CLK_TCK,
        "cores": total / CLK_TCK / wall if wall > 0 else 0.0,
        "procs": sorted(per, key=lambda x: x["pid"]),
        "exited": exited,
        "by_comm": by_comm,
    }
    if threads:
        out["threads"] = threads
    write_json(out)
    return 0


def cmd_exec(a):
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    if not cmd:
        print("cpu.py exec: no command", file=sys.stderr)
        return 2
    t0 = time.monotonic()
    child = subprocess.Popen(cmd)
    # Outlive CMD to report on it: SIGINT and SIGTERM are noted, not acted
    # on. timeout(1) signals its whole process group, CMD included, and a
    # second copy passed on from here would reach CMD twice (SIPp takes a
    # second SIGINT as "abort now" and may not write its last statistics).
    # Installed after the fork, so CMD starts with default dispositions.
    signal.signal(signal.SIGINT, lambda _s, _f: None)
    signal.signal(signal.SIGTERM, lambda _s, _f: None)
    while True:
        try:
            _, status, ru = os.wait4(child.pid, 0)
            break
        except InterruptedError:
            continue
    rc = os.waitstatus_to_exitcode(status)
    out = {"cpu_s": ru.ru_utime + ru.ru_stime, "utime_s": ru.ru_utime,
           "stime_s": ru.ru_stime, "wall_s": round(time.monotonic() - t0, 3),
           "rc": rc, "maxrss_kb": ru.ru_maxrss}
    write_json(out, a.out)
    return rc if rc >= 0 else 128 - rc


def main(argv):
    p = argparse.ArgumentParser(prog="cpu.py")
    sub = p.add_subparsers(dest="sub", required=True)
    s = sub.add_parser("snap")
    s.add_argument("--pid", type=int, action="append", required=True)
    s.add_argument("--tree", action="store_true")
    s.add_argument("--threads", action="store_true")
    s.add_argument("--out")
    d = sub.add_parser("delta")
    d.add_argument("before")
    d.add_argument("after")
    e = sub.add_parser("exec")
    e.add_argument("--out", required=True)
    e.add_argument("cmd", nargs=argparse.REMAINDER)
    a = p.parse_args(argv[1:])
    return {"snap": cmd_snap, "delta": cmd_delta, "exec": cmd_exec}[a.sub](a)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
