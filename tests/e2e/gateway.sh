#!/bin/bash
# SPDX-License-Identifier: MIT
# The gateway path: h3 (198.18.1.11) sits behind the router <p>gw, off the
# appliance's subnet. Its OPTIONS must be answered, which the appliance can
# only do by resolving its gateway 198.18.0.254 with ARP and sending the
# replies there. Also ping from h3 (echo replies take the same path).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
e2e_init gw

CALLS=200
RATE=100

lab_up
# The router must not ARP for the appliance: sluice would learn the router's
# MAC from that request and never have to resolve its gateway itself. A
# permanent entry (the port's MAC: net_af_packet uses the interface's) makes
# the appliance's own ARP request the only way the replies can leave.
port_mac=$(tr 'A-F' 'a-f' <"/sys/class/net/${P}dp0/address")
in_ns gw ip neigh replace "$APPLIANCE" lladdr "$port_mac" nud permanent dev eth0
sluice_start 2
stats_save before

in_ns h3 ping -c 3 -i 0.2 -W 2 "$APPLIANCE" >"$WORK/ping.txt" 2>&1 ||
	{ cat "$WORK/ping.txt"; fail "ping from h3 via the gateway"; }
log "ping h3 -> appliance: $(grep -o '[0-9]* received' "$WORK/ping.txt")"

sipp_run options_h3 h3 "$H3" options.xml $CALLS $RATE || true
sipp_expect_all options_h3 $CALLS

sluice_alive || fail "sluice died"
stats_save after
expect_ge "ARP requests sent by the appliance" "$(stat_delta before after arp_requests)" 1
expect_eq "drops for no route" "$(stat_delta before after drop_no_route)" 0
expect_eq "drops for unresolved next hop" "$(stat_delta before after drop_neigh_fail)" 0

# The appliance's neighbour table holds the gateway, with the router's MAC.
gw_mac=$(in_ns gw cat /sys/class/net/eth0/address | tr 'A-F' 'a-f')
tel /sluice/neigh >"$WORK/neigh.json"
log "appliance neighbours: $(cat "$WORK/neigh.json")"
"$PY" - "$WORK/neigh.json" "$GATEWAY" "$gw_mac" <<'PY' || fail "gateway $GATEWAY ($gw_mac) not in the appliance's neighbour table"
import json, sys
n = json.load(open(sys.argv[1]))
pairs = list(zip(n["ip"], [m.lower() for m in n["mac"]]))
assert (sys.argv[2], sys.argv[3]) in pairs, pairs
PY
log "PASS"
