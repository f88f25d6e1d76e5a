#!/bin/bash
# SPDX-License-Identifier: MIT
# Hold and resume through the B2BUA: alice (h1) calls bob (h2, 1002), bob
# answers; alice re-INVITEs with a=sendonly (hold), then a=sendrecv
# (resume). Each re-INVITE reaches bob as a re-INVITE in bob's dialog (his
# Contact, his To tag, sluice's Via and nothing of alice's leg) with
# alice's SDP unchanged; bob's answers (a=recvonly, then a=sendrecv) come
# back to alice unchanged, and the ACKs pass too; then alice hangs up
# (call_uac_reinvite.xml, call_uas_reinvite.xml). The CDR: answered.
# Then requests of an early dialog: bob sends a reliable 183 (RFC 3262),
# alice PRACKs it in sluice's early dialog, the PRACK reaches bob in his
# (RAck renumbered to his INVITE's CSeq), and the call completes
# (call_uac_prack.xml, call_uas_prack.xml).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
e2e_init ci

CALLS=2

lab_up
sluice_start 2
sipp_reg h1 "$H1" $SIPP_PORT alice alicepass1
sipp_reg h2 "$H2" $SIPP_PORT bob bobpass22

sipp_bg bob h2 "$H2" call_uas_reinvite.xml $CALLS 1
sipp_run alice h1 "$H1" call_uac_reinvite.xml $CALLS 1 -s 1002 -key caller alice || true
sipp_expect_all alice $CALLS
sipp_wait bob || true
sipp_expect_all bob $CALLS
sipp_expect_recv bob INVITE $((3 * CALLS))
sipp_expect_recv bob ACK $((3 * CALLS))

log "100rel: 183, PRACK, 200"
sipp_bg bob_prack h2 "$H2" call_uas_prack.xml $CALLS 1 -key pre_ms 0
sipp_run alice_prack h1 "$H1" call_uac_prack.xml $CALLS 1 -s 1002 || true
sipp_expect_all alice_prack $CALLS
sipp_wait bob_prack || true
sipp_expect_all bob_prack $CALLS
sipp_expect_recv bob_prack PRACK $CALLS

sluice_alive || fail "sluice died during the run"
cdr_expect "answered, alice to 1002" $((2 * CALLS)) \
	"c['disposition'] == 'answered' and c['callee'] == '1002' and $CDR_FROM_ALICE"
log "PASS"
