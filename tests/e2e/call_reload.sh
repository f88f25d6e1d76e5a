#!/bin/bash
# SPDX-License-Identifier: MIT
# Reloading the configuration under established calls: alice (h1) has 5
# calls up with bob (h2, 6 s each), which the live-calls API shows answered,
# when the file, now with a new user erin, is reloaded by SIGHUP and then by
# POST /v1/reload. Every call still ends cleanly: alice's BYE reaches bob in
# his dialog and is answered, and the CDRs hold 5 answered calls. Afterwards a new call goes through.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
e2e_init cr

CALLS=5

lab_up
sluice_start 2
sipp_reg h1 "$H1" $SIPP_PORT alice alicepass1
sipp_reg h2 "$H2" $SIPP_PORT bob bobpass22

sipp_bg bob h2 "$H2" call_uas.xml $((CALLS + 1)) 1 -key hangup caller
sipp_bg alice h1 "$H1" call_uac.xml $CALLS 10 -s 1002 -key caller alice -key hangup caller -d 6000
sleep 2 # the 5 calls are up after ~0.5 s
# the live-calls API shows them answered (as their workers published)
live=$(api_get /v1/tenants/lab/calls | "$PY" -c '
import json, sys
calls = json.load(sys.stdin)["calls"]
print(sum(1 for c in calls if c["state"] == "answered" and c["callee"] == "1002"))')
[ "$live" = $CALLS ] || fail "live calls answered to 1002: $live, want $CALLS"
log "live calls: $CALLS answered"

"$PY" - "$SLUICE_CONF" <<'PYEOF'
import sys
path = sys.argv[1]
text = open(path).read()
dave = '{ username = "dave"; password = "davepass44"; } ); }'
erin = dave + (',\n\t\t\t  { name = "erin"; extension = "1005";\n'
               '\t\t\t    devices = ( { username = "erin"; password = "erinpass55"; } ); }')
assert dave in text
open(path, "w").write(text.replace(dave, erin, 1))
PYEOF
kill -HUP "$SLUICE_PID"
wait_for 10 grep -q "SIGHUP: reloaded" "$SLUICE_LOG" || fail "SIGHUP: not reloaded"
log "SIGHUP: reloaded"
out=$(reload_post)
log "POST /v1/reload: $out"
[ "${out%% *}" = 200 ] || fail "POST /v1/reload answered ${out%% *}, not 200"

sipp_wait alice || true
sipp_expect_all alice $CALLS
sipp_run alice_after h1 "$H1" call_uac.xml 1 1 -s 1002 -key caller alice -key hangup caller || true
sipp_expect_all alice_after 1
sipp_wait bob || true
sipp_expect_all bob $((CALLS + 1))
sipp_reg h1 "$H1" 5072 erin erinpass55

sluice_alive || fail "sluice died during the run"
cdr_expect "answered, alice to 1002" $((CALLS + 1)) \
	"c['disposition'] == 'answered' and c['callee'] == '1002' and $CDR_FROM_ALICE"
log "PASS"
