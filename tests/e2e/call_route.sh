#!/bin/bash
# SPDX-License-Identifier: MIT
# Calls through record-routing proxies (RFC 3261 §12, §16.12): alice (h1)
# calls bob (h2, 1002) as in call_basic.sh, but alice's INVITE carries
# Record-Route (her own SIPp address with ;lr first, two routes by name
# after it) and bob's 180 and 200 carry Record-Route (rrb.example, then
# his own SIPp address with ;lr). sluice keeps a route set per dialog:
# - alice's 180 and 200 echo her Record-Route in order and nothing of
#   bob's, and the BYE sluice relays to her (bob hangs up) goes through
#   her route set: Route = her three routes in order, Request-URI her
#   Contact (call_uac_rr.xml);
# - the ACK and BYE sluice sends bob carry Route = his routes reversed,
#   whose first is his SIPp's address, Request-URI his Contact, and
#   nothing of alice's routes (call_uas_rr.xml); that sluice followed the
#   first route, not the name, shows in dialog_route_unfollowable staying
#   0 (the scenario accepts either order).
# Then bob's routes in the other order: the next hop is a name, which the
# dataplane cannot resolve: sluice counts each request that could not
# follow it and sends it where its INVITE went, so the calls still work.
# Then a Record-Route sluice cannot keep refuses the call: malformed 400,
# longer than a call keeps 500, each counted (call_uac_rr_refused.xml).
# Calls without Record-Route are call_basic.sh's and the other call_*.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
e2e_init rr

CALLS=2
# bob's Record-Route: his own address last, so first in sluice's route set
RR_BOB="<sip:rrb.example;lr>, <sip:$H2:$SIPP_PORT;lr;rrtest=bleg>"
RR_BOB_NAME_FIRST="<sip:$H2:$SIPP_PORT;lr;rrtest=bleg>, <sip:rrb.example;lr>"

lab_up
sluice_start 2
sipp_reg h1 "$H1" $SIPP_PORT alice alicepass1
sipp_reg h2 "$H2" $SIPP_PORT bob bobpass22
stats_save before

for by in caller callee; do
	sipp_bg "bob_$by" h2 "$H2" call_uas_rr.xml $CALLS 1 -key hangup $by -key rr "$RR_BOB" -d 300
	sipp_run "alice_$by" h1 "$H1" call_uac_rr.xml $CALLS 2 -s 1002 \
		-key caller alice -key hangup $by -d 300 || true
	sipp_expect_all "alice_$by" $CALLS
	sipp_wait "bob_$by" || true
	sipp_expect_all "bob_$by" $CALLS
	# each BYE reached the other side through its route set
	if [ $by = callee ]; then
		sipp_expect_recv "alice_$by" BYE $CALLS
	else
		sipp_expect_recv "bob_$by" BYE $CALLS
	fi
done

stats_save followed
expect_eq "in-dialog requests that could not follow their first route" \
	"$(stat_delta before followed dialog_route_unfollowable)" 0
expect_eq "calls answered" "$(stat_delta before followed calls_answered)" $((2 * CALLS))

log "bob's first route by name: not followed, counted, calls still work"
sipp_bg bob_name h2 "$H2" call_uas_rr.xml $CALLS 1 -key hangup caller \
	-key rr "$RR_BOB_NAME_FIRST" -d 300
sipp_run alice_name h1 "$H1" call_uac_rr.xml $CALLS 2 -s 1002 \
	-key caller alice -key hangup caller -d 300 || true
sipp_expect_all alice_name $CALLS
sipp_wait bob_name || true
sipp_expect_all bob_name $CALLS
stats_save named
# an ACK and a BYE per call at least (an ACK again for a resent 200)
expect_ge "requests sent to bob without following his first route" \
	"$(stat_delta followed named dialog_route_unfollowable)" $((2 * CALLS))

log "Record-Route sluice cannot keep: the call is refused"
sipp_run alice_bad h1 "$H1" call_uac_rr_refused.xml 1 1 -s 1002 -key caller alice \
	-key rr "<sip:rr.example;lr" || true
sipp_expect_all alice_bad 1
sipp_expect_recv alice_bad 400 1
LONG="<sip:$H1:$SIPP_PORT;lr;rrtest=aleg>"
for i in $(seq 1 12); do LONG="$LONG, <sip:proxy$i.rr.example;lr;ftag=0123456789abcdef>"; done
sipp_run alice_long h1 "$H1" call_uac_rr_refused.xml 1 1 -s 1002 -key caller alice \
	-key rr "$LONG" || true
sipp_expect_all alice_long 1
sipp_expect_recv alice_long 500 1

sluice_alive || fail "sluice died during the run"
stats_save after
expect_eq "malformed Record-Route refused" "$(stat_delta named after dialog_route_bad)" 1
expect_eq "Record-Route too long refused" "$(stat_delta named after dialog_route_too_big)" 1
expect_eq "calls of the refused INVITEs" "$(stat_delta named after calls_new)" 0
cdr_expect "answered, alice to 1002" $((3 * CALLS)) \
	"c['disposition'] == 'answered' and c['callee'] == '1002' and $CDR_FROM_ALICE"
cdr_expect "of any other kind" 0 "c['disposition'] != 'answered'"
log "PASS"
