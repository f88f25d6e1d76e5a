#!/bin/bash
# SPDX-License-Identifier: MIT
# A call from the carrier's trunk to the tenant's DID: SIPp on h3
# (198.18.1.11:5060, behind the gateway; known by its source address, no
# registration) calls +15550001000, which rings bob (h2); bob answers and
# the call is ended once by the trunk and once by bob. A number that is
# neither a DID nor routed (+15550009999) is refused 404: a trunk's calls
# go to the tenant's numbers only, never back out (no transit). The CDRs
# name the trunk's caller and the DID.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
e2e_init ct

CALLS=2
TRUNK_CALLER=+15557654321

lab_up
sluice_start 2
sipp_reg h2 "$H2" $SIPP_PORT bob bobpass22

for by in caller callee; do
	sipp_bg "bob_$by" h2 "$H2" call_uas.xml $CALLS 1 -key hangup $by
	SIPP_LPORT=5060 sipp_run "trunk_$by" h3 "$H3" call_uac.xml $CALLS 2 -s +15550001000 \
		-key caller "$TRUNK_CALLER" -key hangup $by || true
	sipp_expect_all "trunk_$by" $CALLS
	sipp_wait "bob_$by" || true
	sipp_expect_all "bob_$by" $CALLS
done

SIPP_LPORT=5060 sipp_run trunk_transit h3 "$H3" call_uac_fail.xml 1 1 -s +15550009999 \
	-key caller "$TRUNK_CALLER" || true
sipp_expect_all trunk_transit 1
sipp_expect_recv trunk_transit 404 1

sluice_alive || fail "sluice died during the run"
cdr_expect "answered, trunk to the DID" $((2 * CALLS)) \
	"c['disposition'] == 'answered' and c['callee'] == '+15550001000' and c['caller'] == '$TRUNK_CALLER'"
log "PASS"
