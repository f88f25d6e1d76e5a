#!/bin/bash
# SPDX-License-Identifier: MIT
# Requests the appliance does not implement yet get 501 Not Implemented:
# an INVITE with SDP (which SIPp then ACKs, as for any non-2xx final
# response to an INVITE; the ACK must be absorbed, not answered), and the
# non-INVITE methods INFO and FOO (an extension method).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
e2e_init iv

CALLS=200
RATE=100

lab_up
sluice_start 2
stats_save before

sipp_run invite h1 "$H1" invite_501.xml $CALLS $RATE || true
sipp_expect_all invite $CALLS
sipp_run methods h2 "$H2" method_501.xml $CALLS $RATE || true
sipp_expect_all methods $CALLS

sluice_alive || fail "sluice died during the run"
stats_save after
expect_ge "INVITEs counted" "$(stat_delta before after sip_req_INVITE)" $CALLS
expect_ge "ACKs counted" "$(stat_delta before after sip_req_ACK)" $CALLS
expect_ge "INFOs counted" "$(stat_delta before after sip_req_INFO)" $CALLS
expect_ge "other methods (FOO) counted" "$(stat_delta before after sip_req_OTHER)" $CALLS
expect_ge "501 answers" "$(stat_delta before after not_impl_501)" $((3 * CALLS))
expect_ge "ACKs absorbed" "$(stat_delta before after ack_absorbed)" $CALLS
expect_eq "200 answers" "$(stat_delta before after options_200)" 0
log "PASS"
