#!/bin/bash
# SPDX-License-Identifier: MIT
# A call through the B2BUA, answered: alice (h1) and bob (h2) register
# (SIPp, digest auth), then alice calls bob's extension 1002 from where she
# registered; bob rings, answers, and the call ends with a BYE: first alice
# hangs up, then bob does. bob sees sluice's own INVITE (topology hiding:
# one Via, sluice's; its own Call-ID, tags and Contact; nothing of alice's
# leg) with alice's SDP unchanged, alice gets bob's SDP unchanged, each
# BYE arrives in the other leg's dialog (call_uac.xml and call_uas.xml
# check every message). Every call is in lab's CDRs: answered, alice to
# 1002, under alice's Call-ID.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
e2e_init cb

CALLS=3

lab_up
sluice_start 2
sipp_reg h1 "$H1" $SIPP_PORT alice alicepass1
sipp_reg h2 "$H2" $SIPP_PORT bob bobpass22
stats_save before

for by in caller callee; do
	sipp_bg "bob_$by" h2 "$H2" call_uas.xml $CALLS 1 -key hangup $by -d 300
	sipp_run "alice_$by" h1 "$H1" call_uac.xml $CALLS 2 -s 1002 \
		-key caller alice -key hangup $by -d 300 || true
	sipp_expect_all "alice_$by" $CALLS
	sipp_wait "bob_$by" || true
	sipp_expect_all "bob_$by" $CALLS
	sipp_expect_recv "alice_$by" 100 $CALLS
done

sluice_alive || fail "sluice died during the run"
stats_save after
expect_eq "INVITEs refused by admission" \
	"$(($(stat_delta before after admit_503_cps) + $(stat_delta before after admit_503_calls)))" 0
cdr_expect "answered, alice to 1002" $((2 * CALLS)) \
	"c['disposition'] == 'answered' and c['callee'] == '1002' and $CDR_FROM_ALICE"
cdr_expect "under alice's Call-ID (SIPp's, from $H1)" $((2 * CALLS)) \
	"c['call_id'].endswith('@$H1') and c['answer_us'] > 0 and c['end_us'] >= c['answer_us']"
cdr_expect "of any other kind" 0 "c['disposition'] != 'answered'"
log "PASS"
