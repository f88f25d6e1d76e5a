#!/bin/bash
# SPDX-License-Identifier: MIT
# The lab port on net_af_xdp: an XDP socket on the appliance's veth (copy
# mode), the kernel writing received frames straight into sluice's mbufs
# (the pool is the socket's UMEM) and sending from them. 4000 OPTIONS from
# h1, each answered 200 by a worker, none lost at the port; then calls
# between two registered phones (digest auth, the B2BUA, CDRs), all of it
# through the XDP socket.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
e2e_init ax

OPTIONS=4000
CALLS=20

lab_up
sluice_start 1 af_xdp
grep -q 'net_af_xdp0 (net_af_xdp)' "$SLUICE_LOG" || fail "sluice's port is not on net_af_xdp"
stats_save before

sipp_run options h1 "$H1" options.xml $OPTIONS 800 || true
sipp_expect_all options $OPTIONS
stats_save after
expect_ge "OPTIONS answered 200 by workers" "$(stat_delta before after options_200)" $OPTIONS

sipp_reg h1 "$H1" $SIPP_PORT alice alicepass1
sipp_reg h2 "$H2" $SIPP_PORT bob bobpass22
sipp_bg bob h2 "$H2" call_uas.xml $CALLS 10 -key hangup caller -d 100
sipp_run alice h1 "$H1" call_uac.xml $CALLS 10 -s 1002 \
	-key caller alice -key hangup caller -d 100 || true
sipp_expect_all alice $CALLS
sipp_wait bob || true
sipp_expect_all bob $CALLS

sluice_alive || fail "sluice died during the run"
expect_eq "frames the port missed" "$(tel_eval /ethdev/stats,0 'd["imissed"]')" 0
expect_eq "rx buffers the port could not get" "$(tel_eval /ethdev/stats,0 'd["rx_nombuf"]')" 0
cdr_expect "answered, alice to 1002" $CALLS \
	"c['disposition'] == 'answered' and c['callee'] == '1002' and $CDR_FROM_ALICE"
log "PASS"
