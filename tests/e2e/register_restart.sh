#!/bin/bash
# SPDX-License-Identifier: MIT
# Registrations outlive the appliance, and lapse on time.
#
# Restart: alice (h1) and bob (h2) register (SIPp, digest, 300 s); once the
# registration store (SQLite, registrations.db beside the CDR store) holds
# both, sluice is killed with SIGKILL and started again on the same files.
# Without either phone registering again, the API lists both bindings
# (contact, source address, user agent), the tenant counts them, and
# alice calls bob's extension from where she registered: sluice trusts
# her by that source and rings bob where he registered, and the call is
# answered and ends.
#
# Lapse: carol registers for 4 s (registrar.min_expires is 1 here); once
# her 4 s are up, the binding leaves the tenant's count, the API and the
# store without any REGISTER (register_lapsed counts it).
#
# Reload: a file in which bob's device is now called bobby takes bob's
# binding away (SIGHUP), and the store follows: alice's row stays, bob's
# goes.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
e2e_init rr

export LAB_GLOBAL_EXTRA='registrar = { min_expires = 1; save_ms = 200; };'
DB=$WORK/cdr/registrations.db

# store_rows WHERE: rows of the store's binding table matching WHERE, as
# "tenant|device|uri|src_ip|src_port", one a line.
store_rows() {
	"$PY" - "$DB" "$1" <<'PYEOF'
import sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
for r in db.execute("SELECT tenant, device, uri, src_ip, src_port FROM binding WHERE "
                    + sys.argv[2] + " ORDER BY device"):
    print("|".join(str(v) for v in r))
PYEOF
}

# ip_int A.B.C.D: the address as the integer the store keeps.
ip_int() { local IFS=.; set -- $1; echo $((($1 << 24) | ($2 << 16) | ($3 << 8) | $4)); }

# store_is N WHERE: the store has N rows matching WHERE.
store_is() { [ "$(store_rows "$2" 2>/dev/null | grep -c .)" = "$1" ]; }

# lab_regs: the registrations lab's tenant entry counts (GET /v1/tenants).
lab_regs() {
	api_get /v1/tenants | "$PY" -c 'import json, sys
print([t for t in json.load(sys.stdin)["tenants"] if t["id"] == "lab"][0]["registrations"])'
}

regs_are() { [ "$(lab_regs)" = "$1" ]; }

# bindings: "aor contact source user-agent" of lab's live bindings, one a line.
bindings() {
	api_get /v1/tenants/lab/registrations | "$PY" -c 'import json, sys
for r in json.load(sys.stdin)["registrations"]:
    print(r["aor"], r["contact"], r["source"], r["user_agent"])' | sort
}

lab_up
sluice_start 2
sipp_reg h1 "$H1" $SIPP_PORT alice alicepass1
sipp_reg h2 "$H2" $SIPP_PORT bob bobpass22
before=$(bindings)
log "bindings before the restart:"
echo "$before"
expect_eq "bindings before the restart" "$(echo "$before" | grep -c .)" 2

wait_for 10 store_is 2 "tenant = 'lab'" ||
	fail "the registration store does not hold alice and bob: $(store_rows 1)"
log "in the store: $(store_rows 1 | tr '\n' ' ')"

kill -KILL "$SLUICE_PID"
wait "$SLUICE_PID" 2>/dev/null || true
SLUICE_PID=
log "sluice killed (SIGKILL); starting it again"
sluice_start 2
wait_for 10 api_get /v1/tenants >/dev/null 2>&1 || fail "the API does not answer after the restart"
grep -q "2 binding(s) restored" "$SLUICE_LOG" || fail "the log does not say 2 bindings were restored"
after=$(bindings)
log "bindings after the restart:"
echo "$after"
expect_eq "bindings after the restart" "$after" "$before"
expect_eq "lab's registrations after the restart" "$(lab_regs)" 2
stats_save restarted

# neither phone registers again: the call finds both where they were
sipp_bg bob h2 "$H2" call_uas.xml 1 1 -key hangup caller -d 300
sipp_run alice h1 "$H1" call_uac.xml 1 1 -s 1002 -key caller alice -key hangup caller \
	-d 300 || true
sipp_expect_all alice 1
sipp_wait bob || true
sipp_expect_all bob 1
stats_save called
expect_eq "REGISTERs since the restart" "$(stat_delta restarted called register_ok)" 0
cdr_expect "answered, alice to 1002, after the restart" 1 \
	"c['disposition'] == 'answered' and c['callee'] == '1002' and $CDR_FROM_ALICE"

# lapse: carol for 4 s (room to count her first on a loaded box)
stats_save lapse0
sipp_reg h3 "$H3" $SIPP_PORT carol carolpass3 "" 4
expect_eq "lab's registrations with carol" "$(lab_regs)" 3
wait_for 15 regs_are 2 || fail "carol's lapsed binding is still counted: $(lab_regs)"
stats_save lapse1
expect_eq "bindings lapsed" "$(stat_delta lapse0 lapse1 register_lapsed)" 1
bindings | grep -q "^sip:carol@" && fail "carol's lapsed binding is still listed"
wait_for 10 store_is 0 "device = 'carol'" ||
	fail "carol's lapsed binding is still in the store"
expect_eq "alice and bob still in the store" "$(store_rows "tenant = 'lab'" | grep -c .)" 2

# reload: bob's device renamed
sed 's/username = "bob";/username = "bobby";/' "$SLUICE_CONF" >"$WORK/renamed.conf"
cp "$WORK/renamed.conf" "$SLUICE_CONF"
kill -HUP "$SLUICE_PID"
wait_for 10 grep -q "SIGHUP: reloaded" "$SLUICE_LOG" || fail "SIGHUP: not reloaded"
wait_for 10 store_is 0 "device = 'bob'" || fail "bob's row outlived his device: $(store_rows 1)"
expect_eq "rows left after the reload" "$(store_rows 1)" \
	"lab|alice|sip:alice@$H1:$SIPP_PORT|$(ip_int "$H1")|$SIPP_PORT"
log "PASS"
