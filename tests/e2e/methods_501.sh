#!/bin/bash
# SPDX-License-Identifier: MIT
# Requests outside a dialog that the appliance does not handle get 501 Not
# Implemented: INFO and FOO (an extension method). (INVITEs are calls:
# see the call_*.sh tests.)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
e2e_init mt

CALLS=200
RATE=100

lab_up
sluice_start 2
stats_save before

sipp_run methods h2 "$H2" method_501.xml $CALLS $RATE || true
sipp_expect_all methods $CALLS

sluice_alive || fail "sluice died during the run"
stats_save after
expect_ge "INFOs counted" "$(stat_delta before after sip_req_INFO)" $CALLS
expect_ge "other methods (FOO) counted" "$(stat_delta before after sip_req_OTHER)" $CALLS
expect_ge "501 answers" "$(stat_delta before after not_impl_501)" $((2 * CALLS))
expect_eq "200 answers" "$(stat_delta before after options_200)" 0
log "PASS"
