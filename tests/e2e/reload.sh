#!/bin/bash
# SPDX-License-Identifier: MIT
# Reloading the configuration under a registered phone: alice registers
# (SIPp, digest auth) and stays registered. A bad file is refused on SIGHUP
# (its error, with file and line, in the log) and on POST /v1/reload (400
# listing the errors), and the running config goes on: alice still
# registered. A good file, with a new user erin, applies by SIGHUP and by
# the API; alice's binding survives both reloads, and erin, who did not
# exist before, can register at once. The good file also changes
# registrar.min_expires, which the log names as needing a restart.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
e2e_init rl

CTL=$SRCDIR/scripts/sluicectl
LAB_TOKEN=lab-token-0123456789

alice_listed() {
	SLUICE_TOKEN=$LAB_TOKEN SLUICE_API=$E2E_API "$PY" "$CTL" registrations lab |
		grep -q "sip:alice@$H1"
}

lab_up
sluice_start 1
cp "$SLUICE_CONF" "$WORK/good.conf"
sipp_run register h1 "$H1" register_stay.xml 1 1 -s alice -au alice -ap alicepass1 \
	-key expires 300 || true
sipp_expect_all register 1
alice_listed || fail "alice is not registered"

# A bad file: refused on SIGHUP and by the API, nothing changes.
sed 's/cps = 0;/cps = "fast";/' "$WORK/good.conf" >"$SLUICE_CONF"
kill -HUP "$SLUICE_PID"
wait_for 10 grep -q "reload of $SLUICE_CONF refused" "$SLUICE_LOG" ||
	fail "SIGHUP with a bad file: no refusal in the log"
grep -q "$SLUICE_CONF:[0-9]*: key 'tenants\[0\].limits.cps'" "$SLUICE_LOG" ||
	fail "the refusal does not name file, line and key"
out=$(reload_post)
log "POST /v1/reload (bad file): $out"
[ "${out%% *}" = 400 ] || fail "bad file: the API answered ${out%% *}, not 400"
echo "$out" | grep -q "limits.cps" || fail "bad file: the API's errors do not name the key"
sluice_alive || fail "sluice died on a bad reload"
alice_listed || fail "alice lost her registration on a refused reload"

# A good file with erin: SIGHUP, then the API.
"$PY" - "$WORK/good.conf" "$SLUICE_CONF" <<'PYEOF'
import sys
text = open(sys.argv[1]).read()
alice = '{ username = "alice"; password = "alicepass1"; } ); }'
erin = alice + (' ,\n\t\t\t  { name = "erin"; extension = "1005";\n'
                '\t\t\t    devices = ( { username = "erin"; password = "erinpass55"; } ); }')
assert alice in text
# and a registrar setting, which only a restart applies: the log says so
open(sys.argv[2], "w").write(text.replace(alice, erin, 1) +
                             "registrar = { min_expires = 120; };\n")
PYEOF
kill -HUP "$SLUICE_PID"
wait_for 10 grep -q "SIGHUP: reloaded" "$SLUICE_LOG" || fail "SIGHUP with a good file: not reloaded"
grep -q "reload: registrar changed in $SLUICE_CONF; only tenants were reloaded" "$SLUICE_LOG" ||
	fail "the reload does not say registrar needs a restart"
alice_listed || fail "alice lost her registration on a reload"
sipp_run register_erin h2 "$H2" register.xml 3 10 -s erin -au erin -ap erinpass55 || true
sipp_expect_all register_erin 3
out=$(reload_post)
log "POST /v1/reload (good file): $out"
[ "${out%% *}" = 200 ] || fail "good file: the API answered ${out%% *}, not 200"
alice_listed || fail "alice lost her registration on the API's reload"
sluice_alive || fail "sluice died during the run"
log "PASS"
