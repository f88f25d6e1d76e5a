#!/bin/bash
# SPDX-License-Identifier: MIT
# Bad input is counted and dropped, or answered 400 where a reply is
# possible; never a crash. garbage.py sends broken SIP (no Call-ID, bad
# CSeq, truncated, NUL bytes, oversized, ...) and seeded random bytes to
# 5060, and we also send UDP to a port that is neither SIP nor RTP. Then:
# every reply seen was a 400, the drop counters rose by at least the number
# of unanswered datagrams, sluice is still up, and OPTIONS still get 200.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
e2e_init bi

lab_up
sluice_start 2
stats_save before

in_ns h1 "$PY" "$E2E_DIR/garbage.py" "$H1" "$APPLIANCE" "$SIP_PORT" \
	--random 200 --seed "${E2E_SEED:-$$}" >"$WORK/garbage.json" ||
	fail "garbage.py failed"
read -r sent replies bad_replies < <("$PY" - "$WORK/garbage.json" <<'PY'
import json, sys
g = json.load(open(sys.argv[1]))
bad = [r for r in g["replies"] if not r["first_line"].startswith("SIP/2.0 400 ")]
print(g["sent"], len(g["replies"]), len(bad))
PY
) || fail "cannot read garbage.py output"
log "garbage: sent $sent datagrams, $replies replies ($bad_replies not 400)"
"$PY" -c 'import json,sys; [print("   reply to %-24s %s" % (r["case"] or "?", r["first_line"])) for r in json.load(open(sys.argv[1]))["replies"]]' "$WORK/garbage.json"
expect_eq "replies other than 400" "$bad_replies" 0
no_call_id=$("$PY" -c 'import json,sys; print(sum(1 for r in json.load(open(sys.argv[1]))["replies"] if r["case"] == "no_call_id"))' "$WORK/garbage.json")
log "request without Call-ID: $no_call_id replies (400 or a counted drop both allowed)"

# UDP to a port sluice does not serve.
in_ns h2 "$PY" -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(10):
    s.sendto(b"not for sluice %d" % i, ("198.18.0.1", 5999))
'
sleep 1

sluice_alive || fail "sluice died on bad input"
stats_save after
drops=$(stat_delta before after drops_total)
expect_ge "drops counted" "$drops" $((sent - replies + 10))
expect_ge "drops for an unserved UDP port" "$(stat_delta before after drop_udp_port)" 10
parse=$(( $(stat_delta before after drop_sip_parse) + $(stat_delta before after drop_sip_no_reply) ))
expect_ge "SIP parse drops" "$parse" 1
"$PY" - "$WORK/before.json" "$WORK/after.json" <<'PY'
import json, sys
b = json.load(open(sys.argv[1])); a = json.load(open(sys.argv[2]))
d = {k: a[k] - b[k] for k in a if (k.startswith("drop_") or k.startswith("sip_error_")) and a[k] != b[k]}
print("   counters that moved:", json.dumps(d, sort_keys=True))
PY

# Still serving.
sipp_run options h1 "$H1" options.xml 200 100 || true
sipp_expect_all options 200
log "PASS"
