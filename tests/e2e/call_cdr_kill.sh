#!/bin/bash
# SPDX-License-Identifier: MIT
# A finished call's CDR survives a kill -9 right after the call: alice
# (h1) calls bob (h2), bob answers, alice hangs up, and the moment her BYE
# is answered 200 (sluice answers a BYE only once the CDR is on disk),
# SIPp itself kills sluice with SIGKILL (call_uac.xml, -set on_bye_ok).
# Then the SQLite file of the CDR store, read with python3's sqlite3
# module, holds the call: lab, alice to 1002, answered, alice's Call-ID.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
e2e_init ck

lab_up
sluice_start 2
sipp_reg h1 "$H1" $SIPP_PORT alice alicepass1
sipp_reg h2 "$H2" $SIPP_PORT bob bobpass22

sipp_bg bob h2 "$H2" call_uas.xml 1 1 -key hangup caller
sipp_run alice h1 "$H1" call_uac.xml 1 1 -s 1002 -key caller alice -key hangup caller \
	-d 300 -set on_bye_ok "kill -KILL $SLUICE_PID" || true
sipp_expect_all alice 1
sipp_wait bob || true
sipp_expect_all bob 1

# SIPp's kill, not ours: sluice must be gone already
sluice_alive && fail "sluice still runs: SIPp did not kill it"
rc=0
wait "$SLUICE_PID" 2>/dev/null || rc=$?
SLUICE_PID=
expect_eq "sluice's end (128 + SIGKILL)" "$rc" 137

db=$WORK/cdr/cdr.db
[ -f "$db" ] || fail "no CDR store at $db"
rows=$("$PY" - "$db" <<'PYEOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for r in db.execute("SELECT tenant, caller, callee, disposition, call_id FROM cdr"):
    print("|".join(str(v) for v in r))
PYEOF
) || fail "cannot read $db"
log "CDRs on disk after kill -9:"
echo "$rows"
expect_eq "CDRs on disk" "$(echo "$rows" | grep -c .)" 1
echo "$rows" | grep -Eq "^lab\|(alice|1001)\|1002\|answered\|[0-9]+-[0-9]+@$H1$" ||
	fail "the CDR on disk is not alice's answered call to 1002"
log "PASS"
