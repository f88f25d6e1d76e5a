#!/bin/bash
# SPDX-License-Identifier: MIT
# Tenants are isolated in calls. A second tenant "other" owns the
# appliance's port 5062 and has a user bob on extension 1002 too, whose
# device is even called bob (other's bob registers from h2:5072, lab's
# from h2:5070), and a user olga (h1:5072).
#   lab's alice calls 1002 on 5060: lab's bob answers, other's bob never
#   hears of it; olga calls 1002 on 5062: other's bob answers, lab's bob
#   never hears of it (each UAS takes one call: a call to the wrong one
#   leaves the right one waiting, and the script checks the other one is
#   still waiting)
#   olga calls lab's 5060, alice calls other's 5062: challenged 407,
#   neither is trusted by the tenant she reaches; olga answering lab's
#   challenge with her own (other's) credentials: 403, she is no device
#   of lab
# Each tenant's CDRs hold its own call only.
# (The Via and Contact of the B legs name the tenant's port: 5062 here.)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
e2e_init cs

OTHER=$APPLIANCE:5062
export LAB_UDP_PORTS="$SIP_PORT, 5062"
export LAB_EXTRA_TENANTS='	{
		id = "other";
		api_token = "other-token-0123456789";
		match = { addresses = [ "'"$OTHER"'" ]; domains = [ "other.example" ]; };
		auth_algorithms = [ "MD5" ];
		limits = { cps = 0; concurrent_calls = 0; };
		users = ( { name = "olga"; extension = "1001";
			    devices = ( { username = "olga"; password = "olgapass11"; } ); },
			  { name = "bob"; extension = "1002";
			    devices = ( { username = "bob"; password = "otherbob22"; } ); } );
	}'

running() { kill -0 "${SIPP_BG[$1]%% *}" 2>/dev/null; }

lab_up
sluice_start 2
sipp_reg h1 "$H1" $SIPP_PORT alice alicepass1
sipp_reg h2 "$H2" $SIPP_PORT bob bobpass22
sipp_reg h1 "$H1" 5072 olga olgapass11 "$OTHER"
sipp_reg h2 "$H2" 5072 bob otherbob22 "$OTHER"

sipp_bg lab_bob h2 "$H2" call_uas.xml 1 1 -key hangup caller
SIPP_LPORT=5072 SIPP_DEST=$OTHER sipp_bg other_bob h2 "$H2" call_uas.xml 1 1 -key hangup caller

sipp_run alice h1 "$H1" call_uac.xml 1 1 -s 1002 -key caller alice -key hangup caller || true
sipp_expect_all alice 1
sipp_wait lab_bob || true
sipp_expect_all lab_bob 1
running other_bob || fail "other's bob stopped: he got lab's call"

SIPP_LPORT=5072 SIPP_DEST=$OTHER sipp_run olga h1 "$H1" call_uac.xml 1 1 -s 1002 \
	-key caller olga -key hangup caller || true
sipp_expect_all olga 1
sipp_wait other_bob || true
sipp_expect_all other_bob 1

SIPP_LPORT=5072 sipp_run olga_to_lab h1 "$H1" call_uac_fail.xml 1 1 -s 1002 -key caller olga || true
sipp_expect_all olga_to_lab 1
sipp_expect_recv olga_to_lab 407 1
SIPP_LPORT=5072 sipp_run olga_auth_lab h1 "$H1" call_uac_auth.xml 1 1 -s 1002 -key caller olga \
	-au olga -ap olgapass11 -auth_uri "1002@$APPLIANCE:$SIP_PORT" || true
sipp_expect_all olga_auth_lab 1
sipp_expect_recv olga_auth_lab 407 1
sipp_expect_recv olga_auth_lab 403 1
SIPP_DEST=$OTHER sipp_run alice_to_other h1 "$H1" call_uac_fail.xml 1 1 -s 1002 -key caller alice || true
sipp_expect_all alice_to_other 1
sipp_expect_recv alice_to_other 407 1

sluice_alive || fail "sluice died during the run"
# (a caller refused 407 or 403 is no call: no CDR)
cdr_expect "answered, alice to 1002" 1 "c['disposition'] == 'answered' and $CDR_FROM_ALICE"
cdr_expect "all" 1 "True"
cdr_expect "answered, olga to 1002" 1 \
	"c['disposition'] == 'answered' and c['callee'] == '1002' and c['caller'] in ('olga', '1001')" other
cdr_expect "all" 1 "True" other
log "PASS"
