#!/bin/bash
# SPDX-License-Identifier: MIT
# Forking through the B2BUA: the legs of a call ring at once, the first
# answer wins and every other leg is CANCELled (200, 487, ACK).
#   bindings  bob is registered from two ports of h2: a call to his
#             extension rings both; 5074 answers, 5070 is CANCELled;
#             one CDR, answered
#   100rel    the same, each binding sending a reliable 183 numbered 1:
#             alice sees them numbered 1 and 2 in her one early dialog
#             and PRACKs each; each PRACK reaches the leg that sent it
#   parallel  2001 rings carol and bob at once (mode "parallel", carol
#             listed first): carol answers at once, and bob, whom targets
#             tried in order would never reach, gets the INVITE on both
#             bindings and then the CANCEL on both
#   all fail  2001 again, carol 486 and bob's bindings 486 and 603: the
#             caller gets one final, the best of the legs': the 603, as
#             a 6xx is global (RFC 3261 §16.7); every leg is ACKed
# The scenarios check each message (call_uac.xml, call_uac_fail.xml,
# call_uas.xml, call_uas_ring.xml, call_uas_reject.xml).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
e2e_init fk

FROM_ALICE=(-key caller alice)

lab_up
sluice_start 2
sipp_reg h1 "$H1" $SIPP_PORT alice alicepass1
sipp_reg h2 "$H2" $SIPP_PORT bob bobpass22
sipp_reg h2 "$H2" 5074 bob bobpass22
sipp_reg h2 "$H2" 5072 carol carolpass3
regs=$(api_get /v1/tenants/lab/registrations |
	"$PY" -c 'import json,sys; print(sum(1 for r in json.load(sys.stdin)["registrations"] if r["user"] == "bob"))')
expect_eq "bob's bindings" "$regs" 2

log "one user, two bindings"
sipp_bg bob_ring h2 "$H2" call_uas_ring.xml 1 1
SIPP_LPORT=5074 sipp_bg bob_answer h2 "$H2" call_uas.xml 1 1 -key hangup caller
sipp_run alice_bindings h1 "$H1" call_uac.xml 1 1 -s 1002 "${FROM_ALICE[@]}" \
	-key hangup caller || true
sipp_expect_all alice_bindings 1
sipp_wait bob_answer || true
sipp_expect_all bob_answer 1
sipp_wait bob_ring || true
sipp_expect_all bob_ring 1

log "one user, two bindings, a reliable 183 from each (RFC 3262)"
# 5070 sends its 183 at once and rings on; 5074 sends its own 400 ms
# later and answers. Both number theirs RSeq 1: alice must see 1 and 2 in
# her one early dialog, and each PRACK must reach the leg it acknowledges.
sipp_bg bob_prack_ring h2 "$H2" call_uas_prack_ring.xml 1 1
SIPP_LPORT=5074 sipp_bg bob_prack_answer h2 "$H2" call_uas_prack.xml 1 1 -key pre_ms 400
sipp_run alice_prack h1 "$H1" call_uac_prack2.xml 1 1 -s 1002 "${FROM_ALICE[@]}" || true
sipp_expect_all alice_prack 1
sipp_wait bob_prack_answer || true
sipp_expect_all bob_prack_answer 1
sipp_expect_recv bob_prack_answer PRACK 1
sipp_wait bob_prack_ring || true
sipp_expect_all bob_prack_ring 1
sipp_expect_recv bob_prack_ring PRACK 1

log "parallel targets"
sipp_bg bob_ring_a h2 "$H2" call_uas_ring.xml 1 1
SIPP_LPORT=5074 sipp_bg bob_ring_b h2 "$H2" call_uas_ring.xml 1 1
SIPP_LPORT=5072 sipp_bg carol_answer h2 "$H2" call_uas.xml 1 1 -key hangup caller
sipp_run alice_parallel h1 "$H1" call_uac.xml 1 1 -s 2001 "${FROM_ALICE[@]}" \
	-key hangup caller || true
sipp_expect_all alice_parallel 1
sipp_wait carol_answer || true
sipp_expect_all carol_answer 1
sipp_wait bob_ring_a || true
sipp_expect_all bob_ring_a 1
sipp_wait bob_ring_b || true
sipp_expect_all bob_ring_b 1

log "parallel targets, all fail"
sipp_bg bob_busy_a h2 "$H2" call_uas_reject.xml 1 1 -key code 486
SIPP_LPORT=5074 sipp_bg bob_busy_b h2 "$H2" call_uas_reject.xml 1 1 -key code 603
SIPP_LPORT=5072 sipp_bg carol_busy h2 "$H2" call_uas_reject.xml 1 1 -key code 486
sipp_run alice_busy h1 "$H1" call_uac_fail.xml 1 1 -s 2001 "${FROM_ALICE[@]}" || true
sipp_expect_all alice_busy 1
sipp_expect_recv alice_busy 603 1
sipp_expect_recv alice_busy 486 0
for s in bob_busy_a bob_busy_b carol_busy; do
	sipp_wait "$s" || true
	sipp_expect_all "$s" 1
done

sluice_alive || fail "sluice died during the run"
cdr_expect "answered by one of bob's bindings" 2 \
	"c['disposition'] == 'answered' and c['callee'] == '1002' and $CDR_FROM_ALICE"
cdr_expect "answered by carol, bob rung too" 1 \
	"c['disposition'] == 'answered' and c['callee'] == '2001' and 'carol' in c['targets'] and 'bob' in c['targets']"
cdr_expect "declined by one leg, busy on the others" 1 \
	"c['disposition'] == 'rejected' and c['sip_code'] == 603 and c['callee'] == '2001'"
log "PASS"
