#!/bin/bash
# SPDX-License-Identifier: MIT
# OPTIONS keepalives: 2000 OPTIONS, each with its own Call-ID, from h1 at a
# few hundred per second; every one must get a correct 200 OK (options.xml
# checks Via branch/received/rport, Call-ID, CSeq, From, To-tag and
# Content-Length), and the appliance's counters must agree. Then 200 more
# from h2 written with compact and odd-case header names.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
e2e_init op

CALLS=2000
COMPACT=200
RATE=400

lab_up
sluice_start 2
stats_save before

sipp_run options h1 "$H1" options.xml $CALLS $RATE || true
sipp_expect_all options $CALLS
retrans=$(sipp_count "$WORK/options.out" Retransmissions)
log "SIPp retransmissions: $retrans"

# Compact and odd-case header forms, from the other host.
sipp_run options_compact h2 "$H2" options_compact.xml $COMPACT $RATE || true
sipp_expect_all options_compact $COMPACT

sluice_alive || fail "sluice died during the run"
stats_save after
expect_ge "OPTIONS counted at dispatch" "$(stat_delta before after sip_req_OPTIONS)" $((CALLS + COMPACT))
expect_ge "OPTIONS answered 200 by workers" "$(stat_delta before after options_200)" $((CALLS + COMPACT))
expect_ge "replies sent by workers" "$(stat_delta before after worker_tx)" $((CALLS + COMPACT))
expect_eq "501 answers" "$(stat_delta before after not_impl_501)" 0
expect_eq "SIP parse errors" "$(stat_delta before after drop_sip_parse)" 0
log "PASS"
