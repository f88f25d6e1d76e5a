#!/bin/bash
# SPDX-License-Identifier: MIT
# IPv4 fragments both ways:
#  - a ~3.6 KB OPTIONS from h1 (the kernel fragments it) is reassembled and
#    answered 200;
#  - an OPTIONS carrying 40 extra Via headers (~5.3 KB) gets a 200 that copies
#    them all, larger than the MTU: the appliance fragments it, h1's kernel
#    reassembles it for SIPp, and a capture on h1 shows the fragments.
# Run twice, once per driver of the lab port:
#  - pcap: fragments reach sluice as sent, so its own reassembly (rte_ip_frag)
#    does the work: the frags_in and reassembled counters must move;
#  - af_packet: the PMD's fanout socket has the kernel reassemble first
#    (PACKET_FANOUT_FLAG_DEFRAG), so sluice receives one large frame and must
#    still take it whole.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
e2e_init fr

CALLS=20
RATE=10

phase() {
	local pmd=$1
	log "== port driver $pmd"
	sluice_start 2 "$pmd"
	stats_save "before_$pmd"

	sipp_run "frag_request_$pmd" h1 "$H1" frag_request.xml $CALLS $RATE || true
	sipp_expect_all "frag_request_$pmd" $CALLS
	stats_save "mid_$pmd"
	if [ "$pmd" = pcap ]; then
		expect_ge "fragments received" "$(stat_delta "before_$pmd" "mid_$pmd" frags_in)" $((3 * CALLS))
		expect_ge "datagrams reassembled" "$(stat_delta "before_$pmd" "mid_$pmd" reassembled)" $CALLS
	fi

	# Capture what the appliance sends to h1: fragments only.
	local pcap=$WORK/frag_response_$pmd.pcap
	: >"$WORK/tcpdump_$pmd.txt"
	bg_start in_ns h1 tcpdump -i eth0 -n -U -B 8192 -w "$pcap" \
		"src host $APPLIANCE and (ip[6:2] & 0x3fff) != 0" 2>"$WORK/tcpdump_$pmd.txt"
	local tcpdump_pid=$BG_PID
	wait_for 10 grep -q 'listening on' "$WORK/tcpdump_$pmd.txt" || fail "tcpdump did not start"

	sipp_run "frag_response_$pmd" h1 "$H1" frag_response.xml $CALLS $RATE || true
	sipp_expect_all "frag_response_$pmd" $CALLS
	sleep 1
	bg_stop "$tcpdump_pid"

	# SIPp got every ~5.4 KB 200 (so h1's kernel reassembled them) and
	# tx_frags below counts every piece; the capture shows them on the
	# wire. A loaded box (ASan) may drop a few captured packets, so ask
	# for at least one whole response's worth (4 fragments at MTU 1500).
	local frags
	frags=$(tcpdump -n -r "$pcap" 2>/dev/null | wc -l)
	expect_ge "fragments from the appliance captured on h1" "$frags" 4
	log "first fragments: $(tcpdump -n -r "$pcap" 2>/dev/null | head -n 2 | cut -c1-110 | tr '\n' '|')"

	sluice_alive || fail "sluice died"
	stats_save "after_$pmd"
	expect_ge "fragments sent (tx_frags)" "$(stat_delta "mid_$pmd" "after_$pmd" tx_frags)" $((4 * CALLS))
	expect_eq "reassembly failures" "$(stat_delta "before_$pmd" "after_$pmd" drop_frag_fail)" 0
	expect_eq "fragmentation failures" "$(stat_delta "before_$pmd" "after_$pmd" drop_tx_frag)" 0
	expect_eq "malformed IPv4 drops" "$(stat_delta "before_$pmd" "after_$pmd" drop_ip_bad)" 0
	sluice_stop
	expect_eq "sluice exit status" "$SLUICE_RC" 0
}

lab_up
phase pcap
phase af_packet
log "PASS"
