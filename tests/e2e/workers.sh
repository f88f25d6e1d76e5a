#!/bin/bash
# SPDX-License-Identifier: MIT
# Call-ID dispatch across two workers: after 2000 OPTIONS with distinct
# Call-IDs, /sluice/workers shows both workers received and answered a
# fair share (the Call-ID hash spreads them; each gets at least 30%).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
e2e_init wk

CALLS=2000
RATE=400

lab_up
sluice_start 2

n=$(stat_get n_workers)
expect_eq "workers running" "$n" 2
tel /sluice/workers >"$WORK/workers_before.json"

sipp_run options h1 "$H1" options.xml $CALLS $RATE || true
sipp_expect_all options $CALLS

sluice_alive || fail "sluice died"
tel /sluice/workers >"$WORK/workers_after.json"
log "workers: $(cat "$WORK/workers_after.json")"

# Per worker: options answered during the run.
read -r w0 w1 < <("$PY" - "$WORK/workers_before.json" "$WORK/workers_after.json" <<'PY'
import json, sys
b = json.load(open(sys.argv[1])); a = json.load(open(sys.argv[2]))
d = [x - y for x, y in zip(a["options_200"], b["options_200"])]
print(*d)
PY
) || fail "cannot compare worker counters"
log "OPTIONS answered per worker: $w0 $w1"
expect_eq "OPTIONS answered by both workers together" $((w0 + w1)) $CALLS
expect_ge "worker 0 share" "$w0" $((CALLS * 3 / 10))
expect_ge "worker 1 share" "$w1" $((CALLS * 3 / 10))

rx=$(tel_eval /sluice/workers 'min(d["rx"])')
expect_ge "messages received by the least loaded worker" "$rx" $((CALLS * 3 / 10))

# Busy/idle accounting is live on every polling lcore, and the main lcore
# (the control plane, which OPTIONS do not reach) is accounted too.
tel /sluice/lcore_usage >"$WORK/lcore_usage.json"
log "lcore usage: $(cat "$WORK/lcore_usage.json")"
"$PY" - "$WORK/lcore_usage.json" <<'PY' || fail "lcore usage not reported for io, workers and main"
import json, sys
u = json.load(open(sys.argv[1]))
roles = u["role"]
assert sorted(roles) == ["io", "main", "worker", "worker"], roles
assert all(t > 0 for t in u["total_cycles"]), u
assert all(b > 0 for r, b in zip(roles, u["busy_cycles"]) if r != "main"), u
# busy time on the CPU and preempted time are parts of the total
assert len(u["preempt_cycles"]) == len(roles), u
assert all(b + p <= t for b, p, t in
           zip(u["busy_cycles"], u["preempt_cycles"], u["total_cycles"])), u
PY
log "PASS"
