#!/bin/bash
# SPDX-License-Identifier: MIT
# The tenant's fallback after its route's targets: lab's fallback rings
# dave, then ends the call with 603. alice (h1) calls bob (1002, h2):
#   no answer   bob rings past the ring time (max_ring_s = 3): he is
#               CANCELled, dave is rung next and answers; the CDR is
#               answered with bob and dave among the targets tried
#   failover    bob answers 503: dave is rung and answers
#   busy        bob answers 486: alice gets 486, dave is never rung (busy
#               is the callee's answer, as for the next target)
#   both ring   bob and then dave ring out: alice gets the fallback's
#               status, 603, and dave is not rung twice
#   off line    carol (1003) has no binding: dave answers at once
# and the worker's counter of calls sent on to the fallback agrees.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
e2e_init cfb

export LAB_LIMITS="cps = 0; concurrent_calls = 0; max_ring_s = 3;"
export LAB_TENANT_EXTRA='fallback = { targets = ( { user = "dave"; } ); status = 603; };'
FROM_ALICE=(-key caller alice)
DAVE_PORT=5073

lab_up
sluice_start 1
sipp_reg h1 "$H1" $SIPP_PORT alice alicepass1
sipp_reg h2 "$H2" $SIPP_PORT bob bobpass22
sipp_reg h2 "$H2" $DAVE_PORT dave davepass44
stats_save before

# answered_by_dave TAG BOB_SCENARIO [ARGS]: bob plays his scenario, dave
# answers, alice's call is answered.
answered_by_dave() {
	local tag=$1 sc=$2
	shift 2
	sipp_bg "bob_$tag" h2 "$H2" "$sc" 1 1 "$@"
	SIPP_LPORT=$DAVE_PORT sipp_bg "dave_$tag" h2 "$H2" call_uas.xml 1 1 -key hangup caller
	sipp_run "alice_$tag" h1 "$H1" call_uac.xml 1 1 -s 1002 "${FROM_ALICE[@]}" \
		-key hangup caller || true
	sipp_expect_all "alice_$tag" 1
	sipp_wait "bob_$tag" || true
	sipp_expect_all "bob_$tag" 1
	sipp_wait "dave_$tag" || true
	sipp_expect_all "dave_$tag" 1
}

log "no answer from bob: dave answers"
t0=$SECONDS
answered_by_dave noanswer call_uas_ring.xml
expect_ge "seconds before dave (bob's ring time 3 s)" $((SECONDS - t0)) 3

log "bob answers 503: dave answers"
answered_by_dave 503 call_uas_reject.xml -key code 503

log "bob busy: alice gets 486, no fallback"
sipp_bg bob_busy h2 "$H2" call_uas_reject.xml 1 1 -key code 486
sipp_run alice_busy h1 "$H1" call_uac_fail.xml 1 1 -s 1002 "${FROM_ALICE[@]}" || true
sipp_expect_all alice_busy 1
sipp_expect_recv alice_busy 486 1
sipp_wait bob_busy || true
sipp_expect_all bob_busy 1

log "bob and dave ring out: the fallback's status"
sipp_bg bob_both h2 "$H2" call_uas_ring.xml 1 1
SIPP_LPORT=$DAVE_PORT sipp_bg dave_both h2 "$H2" call_uas_ring.xml 1 1
sipp_run alice_both h1 "$H1" call_uac_fail.xml 1 1 -s 1002 "${FROM_ALICE[@]}" || true
sipp_expect_all alice_both 1
sipp_expect_recv alice_both 603 1
sipp_wait bob_both || true
sipp_expect_all bob_both 1
sipp_wait dave_both || true
sipp_expect_all dave_both 1

log "carol has no binding: dave answers"
SIPP_LPORT=$DAVE_PORT sipp_bg dave_offline h2 "$H2" call_uas.xml 1 1 -key hangup caller
sipp_run alice_offline h1 "$H1" call_uac.xml 1 1 -s 1003 "${FROM_ALICE[@]}" \
	-key hangup caller || true
sipp_expect_all alice_offline 1
sipp_wait dave_offline || true
sipp_expect_all dave_offline 1

sluice_alive || fail "sluice died during the run"
stats_save after
expect_eq "calls sent on to the fallback" \
	"$(stat_delta before after route_fallback_no_answer)" 4
cdr_expect "answered by dave after bob, alice to 1002" 2 \
	"c['disposition'] == 'answered' and c['callee'] == '1002' and 'bob' in c['targets'] and 'dave' in c['targets']"
cdr_expect "busy, alice to 1002, dave not tried" 1 \
	"c['disposition'] == 'busy' and c['callee'] == '1002' and 'dave' not in c['targets']"
cdr_expect "603 after bob and dave" 1 \
	"c['sip_code'] == 603 and 'bob' in c['targets'] and 'dave' in c['targets']"
cdr_expect "answered by dave, alice to 1003" 1 \
	"c['disposition'] == 'answered' and c['callee'] == '1003' and 'dave' in c['targets']"
log "PASS"
