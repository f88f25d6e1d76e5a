#!/bin/bash
# SPDX-License-Identifier: MIT
# INVITEs from devices authenticated by digest (407 Proxy-Authenticate).
# alice (h1) and bob (h2) register; bob answers every call on h2.
#   invite_auth = "always":
#     alice calls 1002 from where she registered, From "reception": 407,
#       ACK (absorbed by the io lcore), INVITE with her credentials
#       (SIPp, MD5), and the call goes through to bob; its CDR's caller
#       is alice, the device of the credentials, not the From user
#     alice with a wrong password: 407, then 403, no call
#     alice's credentials for another uri than the Request-URI (SIPp's
#       default, sip:198.18.0.1:5060): 400, no call (captured credentials
#       cannot be replayed to call another number)
#     the trunk (h3) calls the DID: a trunk is never challenged
#   reload (SIGHUP) to invite_auth = "source":
#     alice calls from where she registered: no challenge, as before
#     dave, who never registered, calls from h1:5074: 407, then his
#       credentials make the call; its CDR's caller is dave
# Counters: calls_challenged, calls_authenticated, calls_auth_failed,
# calls_auth_bad, calls_new; every ACK of a 407, 403 or 400 absorbed by the io lcore
# (ack_own_absorbed), none reaching a worker as a stray (sip_stray). bob
# never sees the credentials (call_uas.xml).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
e2e_init ca

TRUNK_CALLER=+15557654321

lab_up
export LAB_TENANT_EXTRA='invite_auth = "always";'
sluice_start 2
sipp_reg h1 "$H1" $SIPP_PORT alice alicepass1
sipp_reg h2 "$H2" $SIPP_PORT bob bobpass22

log "always: alice from her registered source is challenged, then calls bob"
stats_save always
sipp_bg bob_always h2 "$H2" call_uas.xml 1 1 -key hangup caller
sipp_run alice_always h1 "$H1" call_uac_auth.xml 1 1 -s 1002 -key caller reception \
	-au alice -ap alicepass1 -auth_uri "1002@$APPLIANCE:$SIP_PORT" -d 300 || true
sipp_expect_all alice_always 1
sipp_expect_recv alice_always 407 1
sipp_expect_recv alice_always 200 2
sipp_expect_recv alice_always 403 0
sipp_wait bob_always || true
sipp_expect_all bob_always 1

log "always: a wrong password is refused 403"
sipp_run alice_wrong h1 "$H1" call_uac_auth.xml 1 1 -s 1002 -key caller alice \
	-au alice -ap wrongpass99 -auth_uri "1002@$APPLIANCE:$SIP_PORT" || true
sipp_expect_all alice_wrong 1
sipp_expect_recv alice_wrong 407 1
sipp_expect_recv alice_wrong 403 1

log "always: credentials for another uri are refused 400"
sipp_run alice_uri h1 "$H1" call_uac_auth.xml 1 1 -s 1002 -key caller alice \
	-au alice -ap alicepass1 || true
sipp_expect_all alice_uri 1
sipp_expect_recv alice_uri 407 1
sipp_expect_recv alice_uri 400 1

log "always: the trunk is not challenged"
sipp_bg bob_trunk h2 "$H2" call_uas.xml 1 1 -key hangup caller
SIPP_LPORT=5060 sipp_run trunk h3 "$H3" call_uac.xml 1 1 -s +15550001000 \
	-key caller "$TRUNK_CALLER" -key hangup caller || true
sipp_expect_all trunk 1
sipp_wait bob_trunk || true
sipp_expect_all bob_trunk 1

sluice_alive || fail "sluice died during the run"
stats_save always_after
for kv in calls_challenged=3 calls_authenticated=1 calls_auth_failed=1 calls_auth_bad=1 \
	calls_forbidden=0 calls_new=2 ack_own_absorbed=5 sip_stray=0; do
	expect_eq "${kv%%=*} (always)" "$(stat_delta always always_after "${kv%%=*}")" "${kv#*=}"
done
cdr_expect "answered, authenticated alice (From reception) to 1002" 1 \
	"c['disposition'] == 'answered' and c['callee'] == '1002' and $CDR_FROM_ALICE"
cdr_expect "with the From user as caller" 0 "c['caller'] == 'reception'"
cdr_expect "answered, the trunk to the DID" 1 \
	"c['disposition'] == 'answered' and c['caller'] == '$TRUNK_CALLER'"
cdr_expect "all (no CDR for a refused caller)" 2 "True"

log "reload to invite_auth = source"
export LAB_TENANT_EXTRA='invite_auth = "source";'
write_config 2
grep -q 'invite_auth = "source";' "$SLUICE_CONF" || fail "config not rewritten"
kill -HUP "$SLUICE_PID"
wait_for 10 grep -q "SIGHUP: reloaded" "$SLUICE_LOG" || fail "SIGHUP: not reloaded"

log "source: alice from her registered source is not challenged"
stats_save source
sipp_bg bob_source h2 "$H2" call_uas.xml 1 1 -key hangup caller
sipp_run alice_source h1 "$H1" call_uac.xml 1 1 -s 1002 -key caller alice \
	-key hangup caller || true
sipp_expect_all alice_source 1
sipp_expect_recv alice_source 407 0
sipp_wait bob_source || true
sipp_expect_all bob_source 1

log "source: dave, never registered, is challenged and then calls bob"
sipp_bg bob_dave h2 "$H2" call_uas.xml 1 1 -key hangup caller
SIPP_LPORT=5074 sipp_run dave h1 "$H1" call_uac_auth.xml 1 1 -s 1002 -key caller dave \
	-au dave -ap davepass44 -auth_uri "1002@$APPLIANCE:$SIP_PORT" || true
sipp_expect_all dave 1
sipp_expect_recv dave 407 1
sipp_expect_recv dave 403 0
sipp_wait bob_dave || true
sipp_expect_all bob_dave 1

sluice_alive || fail "sluice died during the run"
stats_save source_after
for kv in calls_challenged=1 calls_authenticated=1 calls_auth_failed=0 calls_new=2 \
	ack_own_absorbed=1 sip_stray=0; do
	expect_eq "${kv%%=*} (source)" "$(stat_delta source source_after "${kv%%=*}")" "${kv#*=}"
done
cdr_expect "answered, alice to 1002" 2 \
	"c['disposition'] == 'answered' and c['callee'] == '1002' and $CDR_FROM_ALICE"
cdr_expect "answered, authenticated dave to 1002" 1 \
	"c['disposition'] == 'answered' and c['callee'] == '1002' and c['caller'] in ('dave', '1004')"
cdr_expect "all" 4 "True"
log "PASS"
