#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Measures a running DPDK process through its telemetry socket, for the
benchmark scripts in this folder. Stdlib only; the socket protocol lives in
tests/e2e/telemetry.py and the reading of /proc/*/stat and the JSON output
in cpu.py, which this imports.

    probe.py window --kind ceiling|sluice --prefix P --pid PID --lcore L
                    [--warmup S] [--seconds T] [--start-timeout S]
        Waits until the process's rx counter moves (start-up, which for a
        net_pcap port with infinite_rx includes loading the whole pcap into
        mbufs), lets it run --warmup seconds, then samples the counters at
        the start and end of a --seconds window. Prints one JSON object:
          rate         per second of wall-clock time over the window
          rate_cpu     per second of CPU time of lcore L's thread (from
                       /proc/PID/task/*/stat), which takes out the time the
                       thread was not running on a shared machine
          cpu_share    CPU seconds of that thread per wall second
          cycles_per   (sluice) io lcore busy TSC cycles per message
        kind ceiling: counts port 0's ipackets (/ethdev/stats,0), e.g. of
          dpdk-testpmd in rxonly mode.
        kind sluice: counts the io lcore's sip_in (SIP messages parsed and
          dispatched, /sluice/io) and reports worker and drop figures.

    probe.py snap --prefix P [--pid PID] [--out FILE]
        One snapshot of sluice's /sluice/io, /sluice/workers,
        /sluice/lcore_usage, /sluice/stats and /sluice/ports with a
        timestamp and, with --pid, the process's CPU time (JSON).

    probe.py delta FILE_BEFORE FILE_AFTER
        Busy share of each lcore, message counts, drops and (with --pid
        snapshots) the CPU the whole process used, polling included.
        busy_cores and busy_cycles_per_msg are the io and worker lcores'
        (the packet path); the main lcore is listed under lcores.

Exit codes: 0 ok, 1 the process did not start or the socket failed, 2 usage.
"""

import argparse
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "e2e"))
sys.path.insert(0, HERE)
from cpu import CLK_TCK, read_stat, write_json  # noqa: E402  (cpu.py here)
import telemetry  # noqa: E402  (tests/e2e/telemetry.py)


def thread_ticks(pid, lcore):
    """utime+stime of the EAL thread of lcore (named rte-worker-N in Debian's
    22.11, lcore-worker-N in upstream 22.11), in clock ticks."""
    names = ("rte-worker-%d" % lcore, "lcore-worker-%d" % lcore)
    task_dir = "/proc/%d/task" % pid
    for tid in os.listdir(task_dir):
        try:
            comm, _, ticks, _, _ = read_stat(os.path.join(task_dir, tid, "stat"))
        except (OSError, ValueError, IndexError):
            continue  # exited while we looked
        if comm in names:
            return ticks
    raise RuntimeError("no thread for lcore %d in pid %d" % (lcore, pid))


def process_ticks(pid):
    """utime+stime of the whole process, in clock ticks."""
    return read_stat("/proc/%d/stat" % pid)[2]


def loadavg():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def sample(kind, prefix, pid, lcore):
    s = {"t": time.monotonic(), "ticks": thread_ticks(pid, lcore)}
    if kind == "ceiling":
        st = telemetry.query(prefix, "/ethdev/stats,0")
        s["count"] = st["ipackets"]
        s["rx"] = st["ipackets"]
    else:
        io = telemetry.query(prefix, "/sluice/io")
        i = io["lcore"].index(lcore)
        s["count"] = io["sip_in"][i]
        s["rx"] = io["rx"][i]
        s["busy"] = io["busy_cycles"][i]
        s["idle"] = io["idle_cycles"][i]
        s["io_drops"] = io["drops"][i]
        w = telemetry.query(prefix, "/sluice/workers")
        s["worker_rx"] = sum(w["rx"])
        st = telemetry.query(prefix, "/sluice/stats")
        s["drop_worker_ring"] = st.get("drop_worker_ring", 0)
        s["drop_sip_parse"] = st.get("drop_sip_parse", 0)
        s["tsc_hz"] = telemetry.query(prefix, "/sluice/lcore_usage")["tsc_hz"]
    # Taking the stamp again after the queries splits their cost evenly.
    s["t"] = (s["t"] + time.monotonic()) / 2
    return s


def wait_started(kind, prefix, pid, lcore, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except OSError:
            raise RuntimeError("process %d exited during start-up" % pid)
        try:
            if sample(kind, prefix, pid, lcore)["rx"] > 0:
                return
        except (OSError, ValueError, KeyError, TypeError, RuntimeError,
                ConnectionError):
            pass  # socket not up yet, or the app answers null until ready
        time.sleep(0.25)
    raise RuntimeError("no packets after %.0f s" % timeout)


def cmd_window(a):
    try:
        wait_started(a.kind, a.prefix, a.pid, a.lcore, a.start_timeout)
        time.sleep(a.warmup)
        load0 = loadavg()
        s0 = sample(a.kind, a.prefix, a.pid, a.lcore)
        time.sleep(a.seconds)
        s1 = sample(a.kind, a.prefix, a.pid, a.lcore)
    except (OSError, ValueError, KeyError, TypeError, RuntimeError,
            ConnectionError) as exc:
        print("probe.py: %s: %s" % (a.prefix, exc), file=sys.stderr)
        return 1
    wall = s1["t"] - s0["t"]
    cpu = (s1["ticks"] - s0["ticks"]) / CLK_TCK
    n = s1["count"] - s0["count"]
    out = {
        "kind": a.kind, "wall_s": round(wall, 3), "count": n,
        "rate": n / wall, "cpu_s": cpu,
        "rate_cpu": n / cpu if cpu > 0 else 0.0,
        "cpu_share": cpu / wall,
        "load_avg": round((load0 + loadavg()) / 2, 2),
    }
    if a.kind == "sluice":
        busy = s1["busy"] - s0["busy"]
        total = busy + s1["idle"] - s0["idle"]
        out.update({
            "rx": s1["rx"] - s0["rx"],
            "busy_share": busy / total if total else 0.0,
            "cycles_per": busy / n if n else 0.0,
            "tsc_hz": s1["tsc_hz"],
            "worker_rx_rate": (s1["worker_rx"] - s0["worker_rx"]) / wall,
            "worker_ring_drop_rate":
                (s1["drop_worker_ring"] - s0["drop_worker_ring"]) / wall,
            "sip_parse_drops": s1["drop_sip_parse"] - s0["drop_sip_parse"],
            "io_drop_rate": (s1["io_drops"] - s0["io_drops"]) / wall,
        })
    write_json(out)
    return 0


def cmd_snap(a):
    try:
        snap = {"t": time.monotonic()}
        if a.pid:
            snap["ticks"] = process_ticks(a.pid)
        for name in ("io", "workers", "lcore_usage", "stats", "ports"):
            snap[name] = telemetry.query(a.prefix, "/sluice/" + name)
    except (OSError, ValueError, ConnectionError) as exc:
        print("probe.py: %s: %s" % (a.prefix, exc), file=sys.stderr)
        return 1
    write_json(snap, a.out)
    return 0


def cmd_delta(a):
    with open(a.before) as f:
        s0 = json.load(f)
    with open(a.after) as f:
        s1 = json.load(f)
    u0, u1 = s0["lcore_usage"], s1["lcore_usage"]
    lcores = []
    for i, lc in enumerate(u1["lcore_ids"]):
        total = u1["total_cycles"][i] - u0["total_cycles"][i]
        busy = u1["busy_cycles"][i] - u0["busy_cycles"][i]
        lcores.append({"lcore": lc, "role": u1["role"][i],
                       "busy_share": busy / total if total else 0.0})
    wall = s1["t"] - s0["t"]

    def diff(group, key):
        a, b = s0[group].get(key, 0), s1[group].get(key, 0)
        if isinstance(b, list):
            return sum(b) - sum(a)
        return b - a

    sip_in = diff("io", "sip_in")
    path = [i for i, r in enumerate(u1["role"]) if r in ("io", "worker")]
    busy = sum(u1["busy_cycles"][i] - u0["busy_cycles"][i] for i in path)
    out = {
        "wall_s": round(wall, 3),
        "lcores": lcores,
        "busy_cores": sum(lcores[i]["busy_share"] for i in path),
        "busy_cycles_per_msg": busy / sip_in if sip_in else 0.0,
        "sip_in": sip_in,
        "options_200": diff("stats", "options_200"),
        "drops": {k: diff("stats", k) for k in s1["stats"]
                  if k.startswith("drop_") and diff("stats", k)},
        "port_imissed": diff("ports", "imissed"),
        "port_rx_nombuf": diff("ports", "rx_nombuf"),
    }
    if "ticks" in s0 and "ticks" in s1:
        out["cpu_cores"] = (s1["ticks"] - s0["ticks"]) / CLK_TCK / wall
    write_json(out)
    return 0


def main(argv):
    p = argparse.ArgumentParser(prog="probe.py")
    sub = p.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("window")
    w.add_argument("--kind", choices=("ceiling", "sluice"), required=True)
    w.add_argument("--prefix", required=True)
    w.add_argument("--pid", type=int, required=True)
    w.add_argument("--lcore", type=int, required=True)
    w.add_argument("--warmup", type=float, default=2.0)
    w.add_argument("--seconds", type=float, default=10.0)
    w.add_argument("--start-timeout", type=float, default=90.0)
    s = sub.add_parser("snap")
    s.add_argument("--prefix", required=True)
    s.add_argument("--pid", type=int)
    s.add_argument("--out")
    d = sub.add_parser("delta")
    d.add_argument("before")
    d.add_argument("after")
    a = p.parse_args(argv[1:])
    return {"window": cmd_window, "snap": cmd_snap, "delta": cmd_delta}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
