#!/bin/bash
# SPDX-License-Identifier: MIT
# Calls over a lossy network: 10% of the packets that h1 (alice) and h2
# (bob) send are lost (netem on their eth0, or nftables where the kernel
# has no netem), and still all 20 calls
# complete, each with its BYE answered. SIPp retransmits what it sends
# over UDP; sluice must retransmit its own requests and responses (RFC
# 3261 timers: INVITE, 200 until the ACK, BYE), answer retransmitted
# requests from its transactions, and ACK a retransmitted 200 again.
# The phones register before the loss starts.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
e2e_init cx

CALLS=20
LOSS=10

# lose_packets HOST PERCENT: HOST's namespace drops PERCENT % of what it
# sends, with netem, or where the kernel has no netem, nftables (numgen);
# the test is skipped (77) when neither is there.
lose_packets() {
	if in_ns "$1" tc qdisc add dev eth0 root netem loss "$2%" 2>/dev/null; then
		log "$1: netem, $2% loss on eth0"
	elif command -v nft >/dev/null &&
		# the egress hook, below the sockets: a drop is silent for UDP, as
		# with netem (an output-hook drop fails the sender's sendto)
		in_ns "$1" nft -f - <<<"table netdev e2e_loss { chain out { type filter hook egress \
device \"eth0\" priority 0; meta l4proto udp numgen random mod 100 < $2 drop; }; }"; then
		log "$1: nftables, $2% of the UDP it sends dropped (no netem in this kernel)"
	else
		log "SKIP: neither netem (sch_netem) nor nft (Debian nftables) to lose packets with"
		exit 77
	fi
}

lab_up
sluice_start 2
sipp_reg h1 "$H1" $SIPP_PORT alice alicepass1
sipp_reg h2 "$H2" $SIPP_PORT bob bobpass22
for h in h1 h2; do
	lose_packets $h $LOSS
done
stats_save before

# 4 s talk time (-d) leaves the ACK time to arrive before the BYE: alice's
# ACK goes again with each 200 sluice retransmits (0, 0.5, 1.5, 3.5 s), so
# only four losses in a row (1 in 10^4) let her BYE reach bob before any
# ACK, an order bob's scenario cannot take. With 2 s it took three (1 in
# 1000 calls), and one ASan run failed that way.
export SIPP_TIMEOUT=120
# Each call lingers 4 s after its last message: the retransmissions of a
# lost answer at 0.5, 1.5 and 3.5 s still find it (1 s without loss).
export SIPP_LINGER=4000
# Bob waits for the BYE up to 40 s, not SIPp's 10 s of the other tests:
# alice's BYE goes 4 s after the ACK and again 0.5, 1.5, 3.5 and 7.5 s
# later (timer E), so four losses in a row (1 in 10^4 calls, seen once)
# bring it to sluice 11.5 s after the answer, after bob had given up.
# (The BYE's own timeout in call_uas.xml does not apply: SIPp waits at the
# optional ACK before it, under -recv_timeout.)
# no 180 (-set ring no): see call_uas.xml
sipp_bg bob h2 "$H2" call_uas.xml $CALLS 1 -key hangup caller -set ring no -recv_timeout 40s
sipp_run alice h1 "$H1" call_uac.xml $CALLS 2 -s 1002 -key caller alice -key hangup caller \
	-d 4000 || true
sipp_expect_all alice $CALLS
sipp_wait bob || true
sipp_expect_all bob $CALLS

sluice_alive || fail "sluice died during the run"
stats_save after
log "sluice: $(stat_delta before after sip_req_INVITE) INVITEs and $(stat_delta before after sip_req_BYE) BYEs received"
cdr_expect "answered, alice to 1002" $CALLS \
	"c['disposition'] == 'answered' and c['callee'] == '1002' and $CDR_FROM_ALICE"
log "PASS"
