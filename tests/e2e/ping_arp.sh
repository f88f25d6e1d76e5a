#!/bin/bash
# SPDX-License-Identifier: MIT
# The appliance answers ICMP echo and ARP for its address (and ARP for no
# other), and the MAC it answers with is the one of its port: with
# net_af_packet that is the MAC of the kernel interface it opened (<p>dp0).
# When its port comes up it announces itself (gratuitous ARP, RFC 5227): a
# host that still holds an old MAC for the address (here h2, given a false
# one before the start, which then never talks to the appliance) takes the
# port's at once instead of waiting for its cache to expire.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
e2e_init pa

lab_up
OLD_MAC=02:00:5e:00:53:99
in_ns h2 ip neigh replace "$APPLIANCE" lladdr "$OLD_MAC" nud stale dev eth0
sluice_start 1
stats_save before
port_mac=$(tr 'A-F' 'a-f' <"/sys/class/net/${P}dp0/address")

# neigh_mac HOST: the MAC HOST's neighbour entry for the appliance holds.
neigh_mac() {
	in_ns "$1" ip neigh show "$APPLIANCE" dev eth0 |
		grep -oiE 'lladdr ([0-9a-f]{2}:){5}[0-9a-f]{2}' | awk '{print tolower($2)}'
}
h2_has_port_mac() { [ "$(neigh_mac h2)" = "$port_mac" ]; }
wait_for 10 h2_has_port_mac ||
	fail "h2 still has $(neigh_mac h2) for $APPLIANCE, not the port's $port_mac (no ARP announcement?)"
log "h2's entry for $APPLIANCE went from $OLD_MAC to the port's $port_mac"
expect_ge "ARP announcements sent" "$(stat_get arp_announces)" 1

in_ns h1 ping -c 3 -i 0.2 -W 1 "$APPLIANCE" >"$WORK/ping.txt" 2>&1 ||
	{ cat "$WORK/ping.txt"; fail "ping from h1"; }
grep -q ' 0% packet loss' "$WORK/ping.txt" || { cat "$WORK/ping.txt"; fail "ping lost packets"; }
log "ping h1 -> appliance: $(grep -o '[0-9]* received' "$WORK/ping.txt")"

# A larger echo (still within the MTU) comes back whole.
in_ns h2 ping -c 2 -i 0.2 -W 1 -s 1400 "$APPLIANCE" >"$WORK/ping2.txt" 2>&1 ||
	{ cat "$WORK/ping2.txt"; fail "ping -s 1400 from h2"; }

# ARP: two requests, two replies.
in_ns h1 arping -c 2 -w 5 -I eth0 "$APPLIANCE" >"$WORK/arping.txt" 2>&1 ||
	{ cat "$WORK/arping.txt"; fail "arping from h1"; }
grep -q 'Received 2 response' "$WORK/arping.txt" || { cat "$WORK/arping.txt"; fail "arping: not 2 replies"; }
reply_mac=$(grep -m1 -oiE '\[([0-9a-f]{2}:){5}[0-9a-f]{2}\]' "$WORK/arping.txt" | tr -d '[]' | tr 'A-F' 'a-f')
expect_eq "MAC in ARP replies" "$reply_mac" "$port_mac"

# The neighbour entry h1 learned for the appliance.
expect_eq "h1's neighbour entry for $APPLIANCE" "$(neigh_mac h1)" "$port_mac"

# No proxy ARP: an address of the subnet that is not the appliance's.
rc=0
in_ns h1 arping -c 2 -w 3 -I eth0 198.18.0.77 >"$WORK/arping_none.txt" 2>&1 || rc=$?
grep -q 'Received 0 response' "$WORK/arping_none.txt" ||
	{ cat "$WORK/arping_none.txt"; fail "ARP for 198.18.0.77 was answered"; }
log "ARP for 198.18.0.77: no reply (arping exit $rc)"

sluice_alive || fail "sluice died"
stats_save after
expect_ge "echo requests answered" "$(stat_delta before after icmp_echo)" 5
expect_ge "ARP replies sent" "$(stat_delta before after arp_replies)" 2
expect_ge "ARP for others dropped" "$(stat_delta before after drop_arp_not_ours)" 2
log "PASS"
