#!/bin/bash
# SPDX-License-Identifier: MIT
# The HTTP API against a running appliance: alice registers from h1 (SIPp,
# digest auth) and stays registered; then scripts/sluicectl, with the lab
# tenant's token, lists her binding (contact, source, user agent); the
# other tenant's token is refused 403, no token 401, a wrong one 401; the
# admin token lists both tenants, and /metrics has the lab tenant's
# registrations gauge at 1. The API listens on 127.0.0.1 in the root
# namespace, where sluice runs.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
e2e_init api

CTL=$SRCDIR/scripts/sluicectl
LAB_TOKEN=lab-token-0123456789
OTHER_TOKEN=other-token-0123456789

# api_status PATH [TOKEN]: the HTTP status of GET PATH (000 if unreachable).
api_status() {
	"$PY" - "$E2E_API$1" "${2:-}" <<'PYEOF'
import sys, urllib.request, urllib.error
req = urllib.request.Request(sys.argv[1])
if sys.argv[2]:
    req.add_header("Authorization", "Bearer " + sys.argv[2])
try:
    with urllib.request.urlopen(req, timeout=10) as r:
        print(r.status)
except urllib.error.HTTPError as e:
    print(e.code)
except OSError:
    print("000")
PYEOF
}

lab_up
# the lab config with a second tenant, which claims no traffic here
write_config 1
"$PY" - "$SLUICE_CONF" "$OTHER_TOKEN" <<'PYEOF'
import sys
path, token = sys.argv[1], sys.argv[2]
text = open(path).read()
end = text.index("\n);\n", text.index("tenants = ("))
other = (',\n\t{ id = "other"; api_token = "%s";\n'
         '\t  match = { domains = [ "other.example" ]; };\n'
         '\t  users = ( { name = "alice"; extension = "1001"; devices = (\n'
         '\t\t{ username = "alice"; password = "otherpass1"; } ); } ); }' % token)
open(path, "w").write(text[:end] + other + text[end:])
PYEOF
"$SLUICE" -c "$SLUICE_CONF" >"$SLUICE_LOG" 2>&1 &
SLUICE_PID=$!
log "sluice started, pid $SLUICE_PID; API at $E2E_API"
sluice_wait_ready 60
grep -q "HTTP API on $E2E_API" "$SLUICE_LOG" || fail "the start-up lines do not name the API address"
wait_for 10 test "$(api_status /v1/tenants "$E2E_ADMIN_TOKEN")" = 200 ||
	fail "the API does not answer at $E2E_API"

sipp_run register h1 "$H1" register_stay.xml 1 1 \
	-s alice -au alice -ap alicepass1 -key expires 300 || true
sipp_expect_all register 1

export SLUICE_API=$E2E_API
out=$(SLUICE_TOKEN=$LAB_TOKEN "$PY" "$CTL" registrations lab) ||
	fail "sluicectl registrations lab failed: $out"
log "sluicectl registrations lab:"
echo "$out"
echo "$out" | grep -q "sip:alice@$H1:$SIPP_PORT" || fail "alice's contact is not listed"
echo "$out" | grep -q "$H1:$SIPP_PORT" || fail "alice's source is not listed"
echo "$out" | grep -q "sluice-e2e" || fail "alice's user agent is not listed"
json=$(SLUICE_TOKEN=$LAB_TOKEN "$PY" "$CTL" registrations lab --json)
expect_eq "registrations of lab" "$(printf '%s' "$json" | "$PY" -c \
	'import json, sys; print(len(json.load(sys.stdin)["registrations"]))')" 1
expect_eq "alice's aor" "$(printf '%s' "$json" | "$PY" -c \
	'import json, sys; print(json.load(sys.stdin)["registrations"][0]["aor"])')" \
	"sip:alice@lab.example"

rc=0
err=$(SLUICE_TOKEN=$OTHER_TOKEN "$PY" "$CTL" registrations lab 2>&1) || rc=$?
expect_eq "sluicectl with the other tenant's token: exit" "$rc" 1
echo "$err" | grep -q ": 403 " || fail "other tenant's token: expected a 403, got: $err"
expect_eq "other tenant's token" "$(api_status /v1/tenants/lab/registrations "$OTHER_TOKEN")" 403
expect_eq "other tenant's token, its own tenant" \
	"$(api_status /v1/tenants/other/registrations "$OTHER_TOKEN")" 200
expect_eq "no token" "$(api_status /v1/tenants/lab/registrations)" 401
expect_eq "wrong token" "$(api_status /v1/tenants/lab/registrations wrong-token-0123456789)" 401
expect_eq "tenant token on an admin route" "$(api_status /v1/tenants "$LAB_TOKEN")" 403
expect_eq "calls of lab" "$(api_status /v1/tenants/lab/calls "$LAB_TOKEN")" 200

tenants=$(SLUICE_TOKEN=$E2E_ADMIN_TOKEN "$PY" "$CTL" tenants) || fail "sluicectl tenants: $tenants"
echo "$tenants"
echo "$tenants" | grep -Eq '^lab +.* 1$' || fail "tenant lab does not show 1 registration"
echo "$tenants" | grep -Eq '^other +.* 0$' || fail "tenant other does not show 0 registrations"

metrics=$(api_get /metrics) || fail "GET /metrics failed"
echo "$metrics" | grep -qx 'sluice_tenant_registrations{tenant="lab"} 1' ||
	fail "/metrics: no sluice_tenant_registrations{tenant=\"lab\"} 1"
echo "$metrics" | grep -qx 'sluice_tenant_registrations{tenant="other"} 0' ||
	fail "/metrics: no sluice_tenant_registrations{tenant=\"other\"} 0"
log "/metrics: lab has 1 registration"

sluice_alive || fail "sluice died during the run"
sluice_stop
expect_eq "sluice exit status" "$SLUICE_RC" 0
[ -f "$WORK/cdr/cdr.db" ] || fail "no CDR store at $WORK/cdr/cdr.db"
log "PASS"
