#!/bin/bash
# SPDX-License-Identifier: MIT
# Calls that are not answered, through the B2BUA (alice on h1 calls; bob
# and carol answer on h2). Each outcome reaches the caller and the CDRs:
#   busy        bob answers 486: alice gets 486 (no failover on 486); busy
#   ACK lost    bob answers 486; his namespace drops sluice's ACK, so
#               he sends the 486 again 500 ms later, when the call has
#               ended: sluice ACKs it again (timer D)
#   unknown     1999 has no route, extension or DID: the tenant's fallback
#               status, 480 (no fallback targets)
#   no answer   bob rings past the ring time (limits.max_ring_s = 4 here):
#               sluice CANCELs him, alice gets 480; no_answer
#   next target 2000 rings bob for 3 s, then carol, who answers: bob is
#               CANCELled (200, 487, ACK), the call is alice's and carol's;
#               answered, carol among the targets tried
#   failover    2000 again: bob answers 503 (last, 603): carol is rung and
#               answers each time; bob answers 486: alice gets 486 and
#               carol is never rung (sequential targets move on after 408,
#               5xx, 6xx and the ring time, not after busy)
#   redirect    bob answers 302 with carol's contact: carol is rung and
#               answers
#   cancelled   alice CANCELs while bob rings: 200 and 487 to alice, bob
#               CANCELled; cancelled
#   stranger    a caller who is not registered from where it calls (dave,
#               never registered; alice from another port): challenged 407
#               (without credentials, no call; call_auth.sh answers it)
# The scenarios check each message (call_uac_fail.xml, call_uac_cancel.xml,
# call_uas_reject.xml, call_uas_ring.xml, call_uas.xml).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
e2e_init cf

export LAB_LIMITS="cps = 0; concurrent_calls = 0; max_ring_s = 4;"
FROM_ALICE=(-key caller alice)

lab_up
sluice_start 2
sipp_reg h1 "$H1" $SIPP_PORT alice alicepass1
sipp_reg h2 "$H2" $SIPP_PORT bob bobpass22
sipp_reg h2 "$H2" 5072 carol carolpass3

# busy TAG: alice calls 1002, bob answers 486, both scenarios end well.
busy() {
	sipp_bg "bob_$1" h2 "$H2" call_uas_reject.xml 1 1 -key code 486
	sipp_run "alice_$1" h1 "$H1" call_uac_fail.xml 1 1 -s 1002 "${FROM_ALICE[@]}" || true
	sipp_expect_all "alice_$1" 1
	sipp_expect_recv "alice_$1" 486 1
	sipp_wait "bob_$1" || true
	sipp_expect_all "bob_$1" 1
}

log "busy"
busy busy

log "busy, our ACK lost: bob's 486 again, after the call ended, is ACKed again (timer D)"
# h2 drops the first ACK sent to bob's port (nftables at eth0's ingress: a
# UDP payload starting "ACK "); bob's SIPp repeats its 486 500 ms later,
# when alice has long ACKed hers and the call is gone.
in_ns h2 nft -f - <<<"table netdev e2e_ack { chain in { type filter hook ingress \
device \"eth0\" priority 0; udp dport $SIPP_PORT @th,64,32 0x41434b20 numgen inc mod 1000000 0 drop; }; }"
stats_save ack_before
busy again
stats_save ack_after
in_ns h2 nft delete table netdev e2e_ack
expect_eq "finals ACKed again after their call ended" \
	"$(stat_delta ack_before ack_after calls_ack_again)" 1

log "unknown callee"
sipp_run alice_unknown h1 "$H1" call_uac_fail.xml 1 1 -s 1999 "${FROM_ALICE[@]}" || true
sipp_expect_all alice_unknown 1
sipp_expect_recv alice_unknown 480 1

log "no answer"
sipp_bg bob_noanswer h2 "$H2" call_uas_ring.xml 1 1
t0=$SECONDS
sipp_run alice_noanswer h1 "$H1" call_uac_fail.xml 1 1 -s 1002 "${FROM_ALICE[@]}" || true
sipp_expect_all alice_noanswer 1
sipp_expect_recv alice_noanswer 480 1
expect_ge "seconds to give up on bob (ring time 4 s)" $((SECONDS - t0)) 4
sipp_wait bob_noanswer || true
sipp_expect_all bob_noanswer 1

log "ring time out, next target"
sipp_bg bob_next h2 "$H2" call_uas_ring.xml 1 1
SIPP_LPORT=5072 sipp_bg carol_next h2 "$H2" call_uas.xml 1 1 -key hangup caller
sipp_run alice_next h1 "$H1" call_uac.xml 1 1 -s 2000 "${FROM_ALICE[@]}" -key hangup caller || true
sipp_expect_all alice_next 1
sipp_wait bob_next || true
sipp_expect_all bob_next 1
sipp_wait carol_next || true
sipp_expect_all carol_next 1

# failover CODE: on 2000, bob answers CODE, carol is rung and answers.
failover() {
	log "bob answers $1 to 2000: carol is next"
	sipp_bg "bob_$1" h2 "$H2" call_uas_reject.xml 1 1 -key code "$1"
	SIPP_LPORT=5072 sipp_bg "carol_$1" h2 "$H2" call_uas.xml 1 1 -key hangup caller
	sipp_run "alice_$1" h1 "$H1" call_uac.xml 1 1 -s 2000 "${FROM_ALICE[@]}" \
		-key hangup caller || true
	sipp_expect_all "alice_$1" 1
	sipp_wait "bob_$1" || true
	sipp_expect_all "bob_$1" 1
	sipp_wait "carol_$1" || true
	sipp_expect_all "carol_$1" 1
}

failover 503

log "bob redirects (302) to carol: carol is rung and answers"
sipp_bg bob_302 h2 "$H2" call_uas_redirect.xml 1 1 -key to "sip:carol@$H2:5072"
SIPP_LPORT=5072 sipp_bg carol_302 h2 "$H2" call_uas.xml 1 1 -key hangup caller
sipp_run alice_302 h1 "$H1" call_uac.xml 1 1 -s 1002 "${FROM_ALICE[@]}" \
	-key hangup caller || true
sipp_expect_all alice_302 1
sipp_wait bob_302 || true
sipp_expect_all bob_302 1
sipp_wait carol_302 || true
sipp_expect_all carol_302 1

log "bob busy on 2000: no next target"
sipp_bg bob_busy2 h2 "$H2" call_uas_reject.xml 1 1 -key code 486
SIPP_LPORT=5072 sipp_bg carol_idle h2 "$H2" call_uas.xml 1 1 -key hangup caller
sipp_run alice_busy2 h1 "$H1" call_uac_fail.xml 1 1 -s 2000 "${FROM_ALICE[@]}" || true
sipp_expect_all alice_busy2 1
sipp_expect_recv alice_busy2 486 1
sipp_wait bob_busy2 || true
sipp_expect_all bob_busy2 1
sleep 1 # a failover would ring carol now
pid=${SIPP_BG[carol_idle]%% *}
kill -0 "$pid" 2>/dev/null || fail "carol's phone ended: she was rung after bob's 486"
bg_stop "$pid"
sipp_expect_recv carol_idle INVITE 0

log "caller cancels"
sipp_bg bob_cancel h2 "$H2" call_uas_ring.xml 1 1
sipp_run alice_cancel h1 "$H1" call_uac_cancel.xml 1 1 -s 1002 "${FROM_ALICE[@]}" || true
sipp_expect_all alice_cancel 1
sipp_wait bob_cancel || true
sipp_expect_all bob_cancel 1

log "callers not registered from where they call"
sipp_run dave_stranger h1 "$H1" call_uac_fail.xml 1 1 -s 1002 -key caller dave || true
sipp_expect_all dave_stranger 1
sipp_expect_recv dave_stranger 407 1
SIPP_LPORT=5074 sipp_run alice_elsewhere h1 "$H1" call_uac_fail.xml 1 1 -s 1002 \
	"${FROM_ALICE[@]}" || true
sipp_expect_all alice_elsewhere 1
sipp_expect_recv alice_elsewhere 407 1

sluice_alive || fail "sluice died during the run"
cdr_expect "busy, alice to 1002" 2 "c['disposition'] == 'busy' and c['callee'] == '1002' and $CDR_FROM_ALICE"
cdr_expect "busy, alice to 2000" 1 "c['disposition'] == 'busy' and c['callee'] == '2000'"
cdr_expect "no_answer, alice to 1002" 1 "c['disposition'] == 'no_answer' and c['callee'] == '1002'"
cdr_expect "answered by carol, alice to 2000" 2 \
	"c['disposition'] == 'answered' and c['callee'] == '2000' and 'carol' in c['targets']"
cdr_expect "cancelled, alice to 1002" 1 "c['disposition'] == 'cancelled' and c['callee'] == '1002'"

# Last, as it is the one in doubt: the contract fails over on 6xx too,
# where RFC 3261 (16.7, for a proxy) stops forking at a 6xx.
failover 603
log "PASS"
