#!/bin/bash
# SPDX-License-Identifier: MIT
# The tenant's call limits, enforced by admission on the io lcore: an
# INVITE over a limit gets 503 with Retry-After at once, without a 100
# Trying before it (call_uac_fail.xml checks both).
#   calls per second  limits { cps = 1; burst = 3; }: a burst of 8 INVITEs
#                     sent within a few milliseconds gets exactly 5 503s;
#                     the 3 admitted reach bob, who is busy (486)
#   concurrent calls  limits { concurrent_calls = 2; }: while alice has 2
#                     calls up with bob, dave's INVITE gets 503; once they
#                     ended, a new call goes through
# The counters admit_503_cps and admit_503_calls agree.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
e2e_init cl

BURST=8

lab_up

log "calls per second"
LAB_LIMITS="cps = 1; burst = 3; concurrent_calls = 0; max_ring_s = 30;" sluice_start 2
sipp_reg h1 "$H1" $SIPP_PORT alice alicepass1
sipp_reg h2 "$H2" $SIPP_PORT bob bobpass22
stats_save cps_before
sipp_bg bob_busy h2 "$H2" call_uas_reject.xml 3 1 -key code 486
# -r 1000: one INVITE a millisecond, the burst within ~10 ms
sipp_run alice_burst h1 "$H1" call_uac_fail.xml $BURST 1000 -s 1002 -key caller alice || true
sipp_expect_all alice_burst $BURST
sipp_expect_recv alice_burst 503 $((BURST - 3))
sipp_expect_recv alice_burst 486 3
sipp_wait bob_busy || true
sipp_expect_all bob_busy 3
stats_save cps_after
expect_eq "admit_503_cps" "$(stat_delta cps_before cps_after admit_503_cps)" $((BURST - 3))
expect_eq "admit_503_calls" "$(stat_delta cps_before cps_after admit_503_calls)" 0
sluice_alive || fail "sluice died during the run"
sluice_stop

log "concurrent calls"
LAB_LIMITS="cps = 0; concurrent_calls = 2; max_ring_s = 30;" sluice_start 2
sipp_reg h1 "$H1" $SIPP_PORT alice alicepass1
sipp_reg h1 "$H1" 5072 dave davepass44
sipp_reg h2 "$H2" $SIPP_PORT bob bobpass22
stats_save calls_before
sipp_bg bob h2 "$H2" call_uas.xml 3 1 -key hangup caller
# two calls of 4 s (-d: talk time), both up after ~0.2 s
sipp_bg alice_two h1 "$H1" call_uac.xml 2 10 -s 1002 -key caller alice -key hangup caller -d 4000
sleep 1.5
SIPP_LPORT=5072 sipp_run dave_third h1 "$H1" call_uac_fail.xml 1 1 -s 1002 -key caller dave || true
sipp_expect_all dave_third 1
sipp_expect_recv dave_third 503 1
sipp_wait alice_two || true
sipp_expect_all alice_two 2
# both ended: the tenant's count is back to 0, a call goes through
sipp_run alice_after h1 "$H1" call_uac.xml 1 1 -s 1002 -key caller alice -key hangup caller || true
sipp_expect_all alice_after 1
sipp_wait bob || true
sipp_expect_all bob 3
stats_save calls_after
expect_eq "admit_503_calls" "$(stat_delta calls_before calls_after admit_503_calls)" 1
expect_eq "admit_503_cps" "$(stat_delta calls_before calls_after admit_503_cps)" 0
sluice_alive || fail "sluice died during the run"
log "PASS"
