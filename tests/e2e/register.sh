#!/bin/bash
# SPDX-License-Identifier: MIT
# Registration with digest authentication against a real phone (SIPp):
# 50 times over, alice registers (401, then 200 listing her contact with
# the expiry she asked for) and unregisters (200 with no contact left); a
# phone with the wrong password is challenged and then refused 403. The
# appliance's counters must agree (no REGISTER taken for a replay), and no
# binding may be left behind.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
e2e_init rg

CALLS=50
RATE=20

lab_up
sluice_start 2
stats_save before

sipp_run register h1 "$H1" register.xml $CALLS $RATE \
	-s alice -au alice -ap alicepass1 -l 1 || true
sipp_expect_all register $CALLS
sipp_run register_wrong h2 "$H2" register_wrong.xml 5 $RATE \
	-s alice -au alice -ap not-her-password || true
sipp_expect_all register_wrong 5

sluice_alive || fail "sluice died during the run"
stats_save after
expect_ge "REGISTERs challenged" "$(stat_delta before after register_challenged)" $((CALLS + 5))
expect_eq "REGISTERs accepted" "$(stat_delta before after register_ok)" $((CALLS * 2))
expect_eq "REGISTERs refused" "$(stat_delta before after register_denied)" 5
# The unregister reuses the REGISTER's nonce with the next nonce count, as
# a phone does: not a replay (nonce counts are tracked, sip/nonce_count.h).
expect_eq "credentials taken for replays" "$(stat_delta before after auth_replays)" 0
log "PASS"
