/* SPDX-License-Identifier: MIT */
/*
 * The dataplane end to end inside one process: frames go into a net_ring
 * port, the real io lcore and workers handle them, and what comes out of the
 * port is checked byte for byte (ARP, ICMP, SIP replies, fragments, drops,
 * per-worker dispatch).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include "dp_harness.h"
#include "port.h"
#include "sip_parse.h"
#include "tenant.h"

static struct harness h;

static void start2(void)
{
	h_start(&h, 2);
}

static void stop(void)
{
	h_stop(&h);
}

TestSuite(dp, .init = start2, .fini = stop, .timeout = 30);

/* The SIP payload of a frame from the appliance (checksums verified). */
static char *frame_sip(struct rte_mbuf *m, char *out, size_t cap, uint16_t *dport)
{
	cr_assert_not_null(h_sip_text(m, out, cap, dport), "not a well-formed UDP datagram");
	return out;
}

/* Sends msg[0..len) from the peer's port sport to 5060 (in pieces of
 * frag bytes, 0 whole) and reads the reply's SIP text into out; its
 * destination port into *dport if not NULL. what names it in a failure. */
static char *ask(uint16_t sport, const char *msg, size_t len, uint16_t frag, const char *what,
		 char *out, size_t cap, uint16_t *dport)
{
	struct rte_mbuf *m;

	h_send_udp(&h, H_PEER_IP, sport, 5060, msg, (uint16_t)len, frag);
	m = h_recv_ip(&h, 1000);
	cr_assert_not_null(m, "no reply to %s", what);
	frame_sip(m, out, cap, dport);
	rte_pktmbuf_free(m);
	return out;
}

#define STATUS_407 "SIP/2.0 407 Proxy Authentication Required\r\n"

static const char OPTIONS_FMT[] =
	"OPTIONS sip:198.18.0.1 SIP/2.0\r\n"
	"Via: SIP/2.0/UDP 198.18.0.11:5062;branch=z9hG4bK-%d;rport\r\n"
	"Max-Forwards: 70\r\n"
	"From: <sip:probe@198.18.0.11>;tag=f%d\r\n"
	"To: <sip:198.18.0.1>\r\n"
	"Call-ID: opt-%d@198.18.0.11\r\n"
	"CSeq: 7 OPTIONS\r\n"
	"Content-Length: 0\r\n\r\n";

static void send_options(uint32_t src, int n)
{
	char msg[512];
	int len = snprintf(msg, sizeof(msg), OPTIONS_FMT, n, n, n);

	h_send_udp(&h, src, 5062, 5060, msg, (uint16_t)len, 0);
}

Test(dp, arp_request_for_our_address_is_answered)
{
	struct rte_mbuf *m;
	struct rte_arp_hdr *arp;

	h_arp_from_peer(&h); /* consumes the reply; ask again and look */
	h_send_arp_request(&h, H_APP_IP);
	m = h_recv(&h, 1000);
	cr_assert_not_null(m, "no ARP reply");
	arp = rte_pktmbuf_mtod_offset(m, struct rte_arp_hdr *, 14);
	cr_assert_eq(rte_be_to_cpu_16(arp->arp_opcode), RTE_ARP_OP_REPLY);
	cr_assert(rte_is_same_ether_addr(&arp->arp_data.arp_sha,
					 &h.dp->ports[0].mac));
	cr_assert_eq(rte_be_to_cpu_32(arp->arp_data.arp_sip), H_APP_IP);
	cr_assert(rte_is_same_ether_addr(&arp->arp_data.arp_tha, &h.peer_mac));
	cr_assert_eq(rte_be_to_cpu_32(arp->arp_data.arp_tip), H_PEER_IP);
	cr_assert(rte_is_same_ether_addr(
		&rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->dst_addr,
		&h.peer_mac));
	cr_assert_geq(m->pkt_len, 60u, "padded to the minimum frame");
	rte_pktmbuf_free(m);
	cr_assert_eq(H_STAT(&h, arp_replies), 2);
}

/* A gratuitous ARP request (RFC 5227 announcement) for our address, or
 * fails the test. */
static void expect_announcement(struct rte_mbuf *m)
{
	struct rte_ether_hdr *eth;
	struct rte_arp_hdr *arp;

	cr_assert_not_null(m, "no ARP announcement");
	eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	cr_assert(rte_is_broadcast_ether_addr(&eth->dst_addr));
	cr_assert_eq(rte_be_to_cpu_16(eth->ether_type), RTE_ETHER_TYPE_ARP);
	arp = (struct rte_arp_hdr *)(eth + 1);
	cr_assert_eq(rte_be_to_cpu_16(arp->arp_opcode), RTE_ARP_OP_REQUEST);
	cr_assert(rte_is_same_ether_addr(&arp->arp_data.arp_sha,
					 &h.dp->ports[0].mac));
	cr_assert_eq(rte_be_to_cpu_32(arp->arp_data.arp_sip), H_APP_IP);
	cr_assert_eq(rte_be_to_cpu_32(arp->arp_data.arp_tip), H_APP_IP);
	cr_assert(rte_is_zero_ether_addr(&arp->arp_data.arp_tha));
	rte_pktmbuf_free(m);
}

Test(dp, link_up_announces_our_address_twice)
{
	uint64_t t0;

	cr_assert_eq(H_STAT(&h, arp_announces), 0);
	port_watch_links(h.dp); /* as the main loop does: the link is up */
	t0 = rte_rdtsc();
	expect_announcement(h_recv(&h, 1000));
	/* the second ARP_ANNOUNCE_INTERVAL_S later, then no more */
	expect_announcement(h_recv(&h, (ARP_ANNOUNCE_INTERVAL_S + 2) * 1000));
	cr_assert_geq(rte_rdtsc() - t0,
		      (ARP_ANNOUNCE_INTERVAL_S * rte_get_tsc_hz()) * 9 / 10);
	cr_assert_null(h_recv(&h, 500));
	cr_assert_eq(H_STAT(&h, arp_announces), ARP_ANNOUNCE_NUM);
	port_watch_links(h.dp); /* still up: no news, no announcement */
	cr_assert_null(h_recv(&h, 300));
}

Test(dp, arp_for_another_address_is_not_answered)
{
	h_send_arp_request(&h, H_APP_IP + 5);
	cr_assert_null(h_recv(&h, 200));
	cr_assert_eq(h_drop(&h, DROP_ARP_NOT_OURS), 1);
}

Test(dp, icmp_echo_is_answered)
{
	uint8_t frame[128];
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(frame + 14);
	struct rte_icmp_hdr *icmp = (struct rte_icmp_hdr *)(ip + 1);
	struct rte_mbuf *m;
	uint16_t len;

	h_arp_from_peer(&h);
	/* Build a UDP frame for the headers, then turn it into ICMP. */
	len = h_udp_frame(&h, frame, sizeof(frame), &h.peer_mac, H_PEER_IP, 1,
			  H_APP_IP, 1, "0123456789abcdef0123", 20);
	ip->next_proto_id = IPPROTO_ICMP;
	ip->total_length = rte_cpu_to_be_16(20 + 8 + 20);
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	icmp->icmp_type = RTE_IP_ICMP_ECHO_REQUEST;
	icmp->icmp_code = 0;
	icmp->icmp_ident = rte_cpu_to_be_16(77);
	icmp->icmp_seq_nb = rte_cpu_to_be_16(3);
	memcpy(icmp + 1, "0123456789abcdef0123", 20);
	icmp->icmp_cksum = 0;
	icmp->icmp_cksum = (uint16_t)~rte_raw_cksum(icmp, 28);
	h_send(&h, frame, (uint16_t)(14 + 20 + 28));
	(void)len;

	m = h_recv_ip(&h, 1000);
	cr_assert_not_null(m, "no echo reply");
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, 14);
	icmp = (struct rte_icmp_hdr *)(ip + 1);
	cr_assert_eq(rte_be_to_cpu_32(ip->src_addr), H_APP_IP);
	cr_assert_eq(rte_be_to_cpu_32(ip->dst_addr), H_PEER_IP);
	cr_assert_eq(icmp->icmp_type, RTE_IP_ICMP_ECHO_REPLY);
	cr_assert_eq(rte_be_to_cpu_16(icmp->icmp_ident), 77);
	cr_assert_eq(rte_be_to_cpu_16(icmp->icmp_seq_nb), 3);
	cr_assert_eq(rte_raw_cksum(icmp, 28), 0xffff, "ICMP checksum");
	cr_assert_eq(memcmp(icmp + 1, "0123456789abcdef0123", 20), 0);
	rte_pktmbuf_free(m);
}

Test(dp, options_gets_200_with_rfc3261_headers)
{
	char sip[2048];
	uint16_t dport;
	struct rte_mbuf *m;

	h_arp_from_peer(&h);
	send_options(H_PEER_IP, 1);
	m = h_recv_ip(&h, 1000);
	cr_assert_not_null(m, "no reply");
	frame_sip(m, sip, sizeof(sip), &dport);
	cr_assert(rte_is_same_ether_addr(
		&rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->dst_addr,
		&h.peer_mac));
	rte_pktmbuf_free(m);
	cr_assert_eq(dport, 5062, "rport: reply to the source port");
	cr_assert(strncmp(sip, "SIP/2.0 200 OK\r\n", 16) == 0, "%s", sip);
	cr_assert_not_null(strstr(sip,
		"\r\nVia: SIP/2.0/UDP 198.18.0.11:5062;branch=z9hG4bK-1;"
		"rport=5062;received=198.18.0.11\r\n"), "%s", sip);
	cr_assert_not_null(strstr(sip, "\r\nFrom: <sip:probe@198.18.0.11>;tag=f1\r\n"));
	cr_assert_not_null(strstr(sip, "\r\nTo: <sip:198.18.0.1>;tag="));
	cr_assert_not_null(strstr(sip, "\r\nCall-ID: opt-1@198.18.0.11\r\n"));
	cr_assert_not_null(strstr(sip, "\r\nCSeq: 7 OPTIONS\r\n"));
	cr_assert_not_null(strstr(sip, "\r\nContent-Length: 0\r\n\r\n"));
	cr_assert_eq(H_STAT(&h, w_options), 1);
}

Test(dp, retransmitted_request_gets_the_same_to_tag)
{
	char a[2048], b[2048];
	struct rte_mbuf *m;

	h_arp_from_peer(&h);
	send_options(H_PEER_IP, 9);
	m = h_recv_ip(&h, 1000);
	cr_assert_not_null(m);
	frame_sip(m, a, sizeof(a), NULL);
	rte_pktmbuf_free(m);
	send_options(H_PEER_IP, 9);
	m = h_recv_ip(&h, 1000);
	cr_assert_not_null(m);
	frame_sip(m, b, sizeof(b), NULL);
	rte_pktmbuf_free(m);
	cr_assert_str_eq(a, b);
}

Test(dp, without_rport_reply_goes_to_the_via_port)
{
	static const char msg[] =
		"OPTIONS sip:198.18.0.1 SIP/2.0\r\n"
		"v: SIP/2.0/UDP 198.18.0.11:5070;branch=z9hG4bKnr\r\n"
		"f: <sip:a@b>;tag=1\r\nt: <sip:c@d>\r\ni: nr@x\r\n"
		"CSeq: 1 OPTIONS\r\nl: 0\r\n\r\n";
	char sip[2048];
	uint16_t dport;

	h_arp_from_peer(&h);
	ask(40000, msg, sizeof(msg) - 1, 0, "the OPTIONS", sip, sizeof(sip), &dport);
	cr_assert_eq(dport, 5070);
	/* sent-by equals the source address: no received parameter */
	cr_assert_not_null(strstr(sip, "\r\nv: SIP/2.0/UDP 198.18.0.11:5070;branch=z9hG4bKnr\r\n"),
			   "%s", sip);
	cr_assert_not_null(strstr(sip, "\r\nt: <sip:c@d>;tag="));
}

Test(dp, reply_top_via_gets_received_and_rport_and_keeps_the_rest)
{
	/* an old received dropped, a quoted ';' kept inside its parameter,
	 * the line's second element kept as a Via line of its own */
	static const char msg[] =
		"OPTIONS sip:198.18.0.1 SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 198.18.0.99:5062 ;received=198.18.0.7;x=\"a;b,c\";"
		"branch=z9hG4bKtv;RPORT, SIP/2.0/UDP 198.18.0.50;branch=z9hG4bKz\r\n"
		"f: <sip:a@b>;tag=1\r\nt: <sip:c@d>\r\ni: tv@x\r\n"
		"CSeq: 1 OPTIONS\r\nl: 0\r\n\r\n";
	char sip[2048];
	uint16_t dport;

	h_arp_from_peer(&h);
	ask(40000, msg, sizeof(msg) - 1, 0, "the OPTIONS", sip, sizeof(sip), &dport);
	cr_assert_eq(dport, 40000);
	cr_assert_not_null(strstr(sip, "\r\nVia: SIP/2.0/UDP 198.18.0.99:5062;x=\"a;b,c\";"
				       "branch=z9hG4bKtv;rport=40000;received=198.18.0.11\r\n"
				       "Via: SIP/2.0/UDP 198.18.0.50;branch=z9hG4bKz\r\nf: "),
			   "%s", sip);
}

Test(dp, invite_from_unknown_caller_gets_407_and_strays_are_absorbed)
{
	static const char invite[] =
		"INVITE sip:100@198.18.0.1 SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 198.18.0.11:5062;branch=z9hG4bKinv;rport\r\n"
		"From: <sip:200@x>;tag=a\r\nTo: <sip:100@y>\r\n"
		"Call-ID: inv@x\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n"
		"Content-Length: 0\r\n\r\n";
	/* an ACK of no reply of ours (tag b): the worker finds no call */
	static const char stray_ack[] =
		"ACK sip:100@198.18.0.1 SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 198.18.0.11:5062;branch=z9hG4bKinv;rport\r\n"
		"From: <sip:200@x>;tag=a\r\nTo: <sip:100@y>;tag=b\r\n"
		"Call-ID: inv@x\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n";
	static const char resp[] =
		"SIP/2.0 180 Ringing\r\n"
		"Via: SIP/2.0/UDP 198.18.0.1;branch=z9hG4bKout\r\n"
		"From: <sip:200@x>;tag=a\r\nTo: <sip:100@y>;tag=b\r\n"
		"Call-ID: out@x\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
	char sip[2048], ack[512];
	const char *tag, *sha, *md5;
	int n;

	h_arp_from_peer(&h);
	ask(5062, invite, sizeof(invite) - 1, 0, "the INVITE", sip, sizeof(sip), NULL);
	/* neither a trunk's source nor a registered device: challenged, as a
	 * proxy does (Proxy-Authenticate, SHA-256 then MD5, realm the id) */
	cr_assert(strncmp(sip, STATUS_407, sizeof(STATUS_407) - 1) == 0, "%s", sip);
	cr_assert_not_null(strstr(sip, "\r\nCSeq: 1 INVITE\r\n"));
	sha = strstr(sip, "\r\nProxy-Authenticate: Digest realm=\"main\", nonce=\"");
	cr_assert_not_null(sha, "%s", sip);
	cr_assert_not_null(strstr(sha, "algorithm=SHA-256"), "%s", sip);
	md5 = strstr(sha + 2, "\r\nProxy-Authenticate: Digest realm=\"main\"");
	cr_assert_not_null(md5, "%s", sip);
	cr_assert_not_null(strstr(md5, "algorithm=MD5"), "%s", sip);
	cr_assert_null(strstr(sip, "WWW-Authenticate"), "%s", sip);
	tag = strstr(sip, "\r\nTo: <sip:100@y>;tag=");
	cr_assert_not_null(tag, "%s", sip);
	tag += strlen("\r\nTo: <sip:100@y>;tag=");

	/* the 407's ACK never reaches a worker; a stray ACK and a stray
	 * response do, and are absorbed there */
	n = snprintf(ack, sizeof(ack),
		     "ACK sip:100@198.18.0.1 SIP/2.0\r\n"
		     "Via: SIP/2.0/UDP 198.18.0.11:5062;branch=z9hG4bKinv;rport\r\n"
		     "From: <sip:200@x>;tag=a\r\nTo: <sip:100@y>;tag=%.8s\r\n"
		     "Call-ID: inv@x\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n", tag);
	h_send_udp(&h, H_PEER_IP, 5062, 5060, ack, (uint16_t)n, 0);
	h_send_udp(&h, H_PEER_IP, 5062, 5060, stray_ack, sizeof(stray_ack) - 1, 0);
	h_send_udp(&h, H_PEER_IP, 5062, 5060, resp, sizeof(resp) - 1, 0);
	cr_assert_null(h_recv_ip(&h, 300), "ACKs and responses get no reply");
	cr_assert_eq(H_STAT(&h, ack_own), 1, "the 407's ACK, absorbed by the io lcore");
	cr_assert_eq(H_STAT(&h, w_ack), 1, "the stray ACK only");
	cr_assert_eq(H_STAT(&h, w_responses), 1);
	cr_assert_eq(H_STAT(&h, call[CALL_C_CHALLENGED]), 1);
	cr_assert_eq(H_STAT(&h, call[CALL_C_FORBIDDEN]), 0);
	cr_assert_eq(H_STAT(&h, call[CALL_C_INVITE_NEW]), 0);
	cr_assert_eq(H_STAT(&h, call[CALL_C_STRAY]), 2);
	cr_assert_eq(H_STAT(&h, sip_resp[1]), 1);
	cr_assert_eq(H_STAT(&h, sip_req[SIP_METHOD_INVITE]), 1);
	cr_assert_eq(H_STAT(&h, sip_req[SIP_METHOD_ACK]), 2);
}

Test(dp, ack_of_a_stateless_reply_is_absorbed_by_the_io_lcore)
{
	static const char invite[] =
		"INVITE sip:100@198.18.0.1 SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 198.18.0.11:5062;branch=z9hG4bKown;rport\r\n"
		"From: <sip:200@x>;tag=a\r\nTo: <sip:100@y>\r\n"
		"Call-ID: own@x\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n"
		"Content-Length: 0\r\n\r\n";
	char sip[2048], ack[512];
	const char *tag;
	int n;

	h_arp_from_peer(&h);
	ask(5062, invite, sizeof(invite) - 1, 0, "the INVITE", sip, sizeof(sip), NULL);
	cr_assert(strncmp(sip, STATUS_407, sizeof(STATUS_407) - 1) == 0, "%s", sip);
	tag = strstr(sip, "\r\nTo: <sip:100@y>;tag=");
	cr_assert_not_null(tag, "%s", sip);
	tag += strlen("\r\nTo: <sip:100@y>;tag=");
	/* the ACK of a non-2xx: same branch, the To tag of the response */
	n = snprintf(ack, sizeof(ack),
		     "ACK sip:100@198.18.0.1 SIP/2.0\r\n"
		     "Via: SIP/2.0/UDP 198.18.0.11:5062;branch=z9hG4bKown;rport\r\n"
		     "From: <sip:200@x>;tag=a\r\nTo: <sip:100@y>;tag=%.8s\r\n"
		     "Call-ID: own@x\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n", tag);
	h_send_udp(&h, H_PEER_IP, 5062, 5060, ack, (size_t)n, 0);
	cr_assert_null(h_recv_ip(&h, 300), "an ACK gets no reply");
	cr_assert_eq(H_STAT(&h, ack_own), 1, "absorbed where it came in");
	cr_assert_eq(H_STAT(&h, w_ack), 0, "no worker saw it");
	cr_assert_eq(H_STAT(&h, call[CALL_C_STRAY]), 0);
}

Test(dp, fragmented_request_is_reassembled_and_answered)
{
	char msg[4096], sip[4096];
	int len;

	len = snprintf(msg, sizeof(msg),
		       "OPTIONS sip:198.18.0.1 SIP/2.0\r\n"
		       "Via: SIP/2.0/UDP 198.18.0.11:5062;branch=z9hG4bKfrag;rport\r\n"
		       "From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\n"
		       "Call-ID: frag@x\r\nCSeq: 2 OPTIONS\r\n"
		       "X-Padding: %03000d\r\nContent-Length: 0\r\n\r\n", 0);
	h_arp_from_peer(&h);
	ask(5062, msg, (uint16_t)len, 1200, "the reassembled request", sip, sizeof(sip), NULL);
	cr_assert_not_null(strstr(sip, "Call-ID: frag@x"));
	cr_assert_eq(H_STAT(&h, frags_in), 3);
	cr_assert_eq(H_STAT(&h, reassembled), 1);
}

Test(dp, large_reply_leaves_in_fragments)
{
	char msg[8192], vias[6000], whole[8192];
	size_t v = 0, got = 0;
	int i, len, last = 0;
	uint16_t expect = 0;

	for (i = 0; i < 40; i++)
		v += (size_t)snprintf(vias + v, sizeof(vias) - v,
			"Via: SIP/2.0/UDP 198.18.0.%d:5060;branch=z9hG4bK-hop-%04d-padpadpadpad\r\n",
			i + 20, i);
	len = snprintf(msg, sizeof(msg),
		       "OPTIONS sip:198.18.0.1 SIP/2.0\r\n"
		       "Via: SIP/2.0/UDP 198.18.0.11:5062;branch=z9hG4bKbig;rport\r\n"
		       "%sFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\n"
		       "Call-ID: big@x\r\nCSeq: 3 OPTIONS\r\nContent-Length: 0\r\n\r\n",
		       vias);
	h_arp_from_peer(&h);
	h_send_udp(&h, H_PEER_IP, 5062, 5060, msg, (uint16_t)len, 1400);
	while (!last) {
		struct rte_mbuf *m = h_recv_ip(&h, 1000);
		struct rte_ipv4_hdr *ip;
		uint16_t fo, n;

		cr_assert_not_null(m, "fragment missing after %zu bytes", got);
		cr_assert_leq(m->pkt_len - 14, 1500u, "fragment over the MTU");
		ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, 14);
		cr_assert_eq(rte_raw_cksum(ip, 20), 0xffff);
		fo = rte_be_to_cpu_16(ip->fragment_offset);
		n = (uint16_t)(rte_be_to_cpu_16(ip->total_length) - 20);
		cr_assert_eq((fo & RTE_IPV4_HDR_OFFSET_MASK) * 8, expect);
		cr_assert_leq(expect + n, sizeof(whole));
		memcpy(whole + expect, ip + 1, n);
		expect = (uint16_t)(expect + n);
		last = !(fo & RTE_IPV4_HDR_MF_FLAG);
		got += n;
		rte_pktmbuf_free(m);
	}
	whole[got] = 0;
	cr_assert_gt(H_STAT(&h, tx_frags), 1);
	cr_assert(strncmp(whole + 8, "SIP/2.0 200 OK\r\n", 16) == 0);
	cr_assert_not_null(strstr(whole + 8, "branch=z9hG4bK-hop-0039-padpadpadpad\r\n"));
	cr_assert_not_null(strstr(whole + 8, "\r\nContent-Length: 0\r\n\r\n"));
}

Test(dp, reply_beyond_the_subnet_goes_through_the_gateway)
{
	char sip[2048];
	struct rte_mbuf *m;
	struct rte_ipv4_hdr *ip;

	send_options(H_FAR_IP, 2);
	m = h_recv_ip(&h, 2000); /* answers the ARP for the gateway */
	cr_assert_not_null(m, "no reply via the gateway");
	cr_assert(rte_is_same_ether_addr(
		&rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->dst_addr,
		&h.gw_mac), "L2 destination is the gateway");
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, 14);
	cr_assert_eq(rte_be_to_cpu_32(ip->dst_addr), H_FAR_IP);
	frame_sip(m, sip, sizeof(sip), NULL);
	rte_pktmbuf_free(m);
	cr_assert_eq(H_STAT(&h, arp_requests), 1);
}

Test(dp, bad_input_is_counted_and_dropped)
{
	static const char no_callid[] =
		"OPTIONS sip:x SIP/2.0\r\nVia: SIP/2.0/UDP 1.2.3.4;branch=z9hG4bKx\r\n"
		"From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCSeq: 1 OPTIONS\r\n\r\n";
	static const char good[] =
		"OPTIONS sip:x SIP/2.0\r\nVia: SIP/2.0/UDP 1.2.3.4;branch=z9hG4bKx\r\n"
		"From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCall-ID: ck\r\n"
		"CSeq: 1 OPTIONS\r\n\r\n";
	uint8_t frame[512];
	uint16_t len;

	h_arp_from_peer(&h);
	h_send_udp(&h, H_PEER_IP, 5062, 5060, no_callid, sizeof(no_callid) - 1, 0);
	h_send_udp(&h, H_PEER_IP, 5062, 5060, "\x01\x02garbage", 9, 0);
	h_send_udp(&h, H_PEER_IP, 5062, 9999, "hello", 5, 0);
	len = h_udp_frame(&h, frame, sizeof(frame), &h.peer_mac, H_PEER_IP, 5062,
			  H_APP_IP, 5060, "OPTIONS", 7);
	frame[len - 1] ^= 0x55; /* breaks the UDP checksum */
	h_send(&h, frame, len);
	len = h_udp_frame(&h, frame, sizeof(frame), &h.peer_mac, H_PEER_IP, 5062,
			  H_APP_IP + 9, 5060, "OPTIONS", 7);
	h_send(&h, frame, len);
	h_send(&h, frame, 10); /* runt */
	frame[0] ^= 0x02; /* another unicast MAC (bit 0 stays clear) */
	h_send(&h, frame, len);
	/* A well-formed OPTIONS whose checksum is wrong: the io lcore leaves
	 * the sum to the worker, which drops it unanswered. */
	len = h_udp_frame(&h, frame, sizeof(frame), &h.peer_mac, H_PEER_IP, 5062,
			  H_APP_IP, 5060, good, sizeof(good) - 1);
	frame[RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr) + 6] ^= 0x01;
	h_send(&h, frame, len);

	cr_assert_null(h_recv_ip(&h, 300));
	cr_assert_eq(h_drop(&h, DROP_SIP_PARSE), 2);
	cr_assert_eq(H_STAT(&h, sip_perr[SIP_PERR_NO_CALL_ID]), 1);
	cr_assert_eq(h_drop(&h, DROP_UDP_PORT), 1);
	cr_assert_eq(h_drop(&h, DROP_UDP_BAD), 2);
	cr_assert_eq(h_drop(&h, DROP_IP_NOT_OURS), 1);
	cr_assert_eq(h_drop(&h, DROP_L2_SHORT), 1);
	cr_assert_eq(h_drop(&h, DROP_L2_NOT_OURS), 1);
	/* and it still answers */
	send_options(H_PEER_IP, 3);
	struct rte_mbuf *m = h_recv_ip(&h, 1000);
	cr_assert_not_null(m);
	rte_pktmbuf_free(m);
}

Test(dp, calls_spread_over_both_workers)
{
	int i, got = 0;
	struct rte_mbuf *m;

	h_arp_from_peer(&h);
	for (i = 0; i < 200; i++)
		send_options(H_PEER_IP, 1000 + i);
	while (got < 200 && (m = h_recv_ip(&h, 1000)) != NULL) {
		got++;
		rte_pktmbuf_free(m);
	}
	cr_assert_eq(got, 200);
	cr_assert_gt(h.dp->stats[2].w_options, 40, "worker 0: %lu",
		     h.dp->stats[2].w_options);
	cr_assert_gt(h.dp->stats[3].w_options, 40, "worker 1: %lu",
		     h.dp->stats[3].w_options);
	cr_assert_eq(h.dp->stats[2].w_options + h.dp->stats[3].w_options, 200);
}

Test(dp, rtp_goes_to_the_worker_owning_the_port)
{
	h_arp_from_peer(&h);
	h_send_udp(&h, H_PEER_IP, 4000, 20000, "\x80\x00rtp-packet", 12, 0);
	h_send_udp(&h, H_PEER_IP, 4000, 20001, "\x80\xc8rtcp-pkt..", 12, 0);
	h_send_udp(&h, H_PEER_IP, 4000, 29998, "\x80\x00rtp-packet", 12, 0);
	cr_assert_null(h_recv_ip(&h, 300));
	cr_assert_eq(h.dp->stats[2].w_rtp, 2, "RTP and RTCP of 20000 on worker 0");
	cr_assert_eq(h.dp->stats[3].w_rtp, 1);
}

Test(dp, unresolved_next_hop_drops_after_three_tries, .timeout = 30)
{
	/* nobody answers ARP for 198.18.0.99 */
	char msg[512];
	int len = snprintf(msg, sizeof(msg), OPTIONS_FMT, 5, 5, 5);
	struct rte_mbuf *m;
	int arps = 0;

	h_send_udp(&h, H_PEER_IP + 88, 5062, 5060, msg, (uint16_t)len, 0);
	while ((m = h_recv(&h, 1500)) != NULL) {
		arps++;
		rte_pktmbuf_free(m);
	}
	cr_assert_eq(arps, 3, "ARP requests sent: %d", arps);
	cr_assert_eq(h_drop(&h, DROP_NEIGH_FAIL), 1);
}

/* ---- admission on the io lcore (tenants of the harness config) ---- */

static int invite_to(uint16_t dport, const char *ruri, int n, char *first_line, size_t cap)
{
	char msg[1024];
	int len = snprintf(msg, sizeof(msg),
			   "INVITE %s SIP/2.0\r\n"
			   "Via: SIP/2.0/UDP 198.18.0.11:5062;branch=z9hG4bKadm%d;rport\r\n"
			   "From: <sip:200@x>;tag=a%d\r\nTo: <%s>\r\n"
			   "Call-ID: adm%d-%u@x\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n"
			   "Content-Length: 0\r\n\r\n",
			   ruri, n, n, ruri, n, dport);
	char sip[2048];
	struct rte_mbuf *m;
	int code;

	h_send_udp(&h, H_PEER_IP, 5062, dport, msg, (uint16_t)len, 0);
	m = h_recv_ip(&h, 1000);
	cr_assert_not_null(m, "no answer to INVITE %s", ruri);
	frame_sip(m, sip, sizeof(sip), NULL);
	rte_pktmbuf_free(m);
	cr_assert(sscanf(sip, "SIP/2.0 %d", &code) == 1);
	if (first_line)
		snprintf(first_line, cap, "%s", sip);
	return code;
}

Test(dp, requests_no_tenant_claims_get_404_and_register_403)
{
	static const char reg[] =
		"REGISTER sip:nobody.example SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 198.18.0.11:5062;branch=z9hG4bKreg;rport\r\n"
		"From: <sip:a@nobody.example>;tag=r\r\nTo: <sip:a@nobody.example>\r\n"
		"Call-ID: reg@x\r\nCSeq: 1 REGISTER\r\nContact: <sip:a@198.18.0.11:5062>\r\n"
		"Content-Length: 0\r\n\r\n";
	char sip[2048];
	struct rte_mbuf *m;

	h_arp_from_peer(&h);
	cr_assert_eq(invite_to(5080, "sip:100@198.18.0.1", 1, NULL, 0), 404);
	cr_assert_eq(invite_to(5080, "sip:+15551230002@198.18.0.1", 2, NULL, 0), 404);
	h_send_udp(&h, H_PEER_IP, 5062, 5080, reg, sizeof(reg) - 1, 0);
	m = h_recv_ip(&h, 1000);
	cr_assert_not_null(m);
	frame_sip(m, sip, sizeof(sip), NULL);
	rte_pktmbuf_free(m);
	cr_assert(strncmp(sip, "SIP/2.0 403 Forbidden\r\n", 23) == 0);
	cr_assert_eq(H_STAT(&h, adm_404), 2);
	cr_assert_eq(H_STAT(&h, adm_403), 1);
	cr_assert_eq(H_STAT(&h, w_rx), 0, "no worker saw them");
}

Test(dp, tenants_are_found_by_address_domain_and_did)
{
	h_arp_from_peer(&h);
	/* 407 (caller unknown, challenged): a worker got it, so admission let
	 * it through */
	cr_assert_eq(invite_to(5080, "sip:100@DOM.example", 1, NULL, 0), 407);
	cr_assert_eq(invite_to(5080, "sip:+15551230001@198.18.0.1", 2, NULL, 0), 407);
	cr_assert_eq(invite_to(5080, "sip:+15559990042@198.18.0.1:5080;user=phone", 3, NULL,
			       0), 407);
	cr_assert_eq(invite_to(5060, "sip:100@198.18.0.1", 4, NULL, 0), 407);
	cr_assert_eq(H_STAT(&h, adm_404), 0);
}

/*
 * The "tight" tenant's bucket holds H_TIGHT_BURST calls and refills at
 * H_TIGHT_CPS per second: a burst sent within a few milliseconds gets
 * exactly the burst through and a 503 with Retry-After for the rest.
 */
Test(dp, calls_per_second_over_the_bucket_get_exact_503s)
{
	int ok = 0, busy = 0, tenant = -1;
	char line[2048];

	h_arp_from_peer(&h);
	for (int i = 0; i < H_TIGHT_BURST + 5; i++) {
		int code = invite_to(5070, "sip:100@198.18.0.1", 100 + i, line, sizeof(line));

		if (code == 407)
			ok++;
		if (code == 503) {
			busy++;
			cr_assert_not_null(strstr(line, "\r\nRetry-After: 1\r\n"));
		}
	}
	cr_assert_eq(ok, H_TIGHT_BURST);
	cr_assert_eq(busy, 5);
	cr_assert_eq(H_STAT(&h, adm_503_cps), 5);
	tenant = tenant_by_id(h.dp->snap, "tight");
	cr_assert_geq(tenant, 0);
	cr_assert_eq(h.dp->snap->t[tenant].st->admitted, H_TIGHT_BURST);
	cr_assert_eq(h.dp->snap->t[tenant].st->rej_cps, 5);
	/* a second later, one more token */
	rte_delay_ms(1000);
	cr_assert_eq(invite_to(5070, "sip:100@198.18.0.1", 200, NULL, 0), 407);
	cr_assert_eq(invite_to(5070, "sip:100@198.18.0.1", 201, NULL, 0), 503);
}

/*
 * "dom" takes one call at a time. The worker's 407 (unknown caller) ends each call at once
 * and gives the unit back; with one call held open, the next gets 503.
 */
Test(dp, concurrent_calls_are_held_and_given_back)
{
	struct tenant_state *st;
	int t;

	h_arp_from_peer(&h);
	t = tenant_by_id(h.dp->snap, "dom");
	cr_assert_geq(t, 0);
	st = h.dp->snap->t[t].st;
	cr_assert_eq(invite_to(5080, "sip:1@dom.example", 1, NULL, 0), 407);
	cr_assert_eq(invite_to(5080, "sip:1@dom.example", 2, NULL, 0), 407);
	cr_assert_eq(__atomic_load_n(&st->calls, __ATOMIC_RELAXED), 0);
	/* a call in progress (as the B2BUA will hold one) */
	__atomic_store_n(&st->calls, 1, __ATOMIC_RELAXED);
	cr_assert_eq(invite_to(5080, "sip:1@dom.example", 3, NULL, 0), 503);
	cr_assert_eq(st->rej_calls, 1);
	cr_assert_eq(H_STAT(&h, adm_503_calls), 1);
	__atomic_store_n(&st->calls, 0, __ATOMIC_RELAXED);
	cr_assert_eq(invite_to(5080, "sip:1@dom.example", 4, NULL, 0), 407);
}

/* Trunk sources: longest prefix across tables per length, exact networks. */
Test(dp, trunk_sources_attribute_by_longest_prefix)
{
	static const char text[] =
		"eal = { io_lcores = [1]; worker_lcores = [2]; };\n"
		"ports = ( { name = \"p\"; device = \"net_tap9\"; address = \"198.18.0.1\"; prefix = 16; } );\n"
		"sip = { udp_ports = [5060]; };\n"
		"tenants = (\n"
		" { id = \"a\"; api_token = \"a-token-0123456789\";\n"
		"   trunks = ( { name = \"wide\"; address = \"198.18.5.1:5060\"; cidrs = [\"198.18.5.0/24\"]; },\n"
		"              { name = \"host\"; address = \"198.18.6.7:5060\"; cidrs = [\"198.18.6.7/32\"]; } ); },\n"
		" { id = \"b\"; api_token = \"b-token-0123456789\";\n"
		"   trunks = ( { name = \"net\"; address = \"198.18.8.1:5060\"; cidrs = [\"198.18.8.0/22\"]; } ); }\n"
		");\n";
	static struct cfg c;
	struct cfg_errors errs;
	uint32_t free_slots[4] = {3, 2, 1, 0};
	struct tenant_slots slots = {free_slots, 4};
	struct tenant_state *states = calloc(TENANT_MAX_STATES, sizeof(*states));
	struct tenant_trunk_ref r;
	struct tenant_snap *s;
	char err[256];

	cr_assert_eq(cfg_load_string(text, "trunks", &c, &errs), 0, "%s", errs.msg[0]);
	s = tenant_snap_create(&c, 99, states, NULL, &slots, 0, err, sizeof(err));
	cr_assert_not_null(s, "%s", err);
	cr_assert(tenant_trunk_by_src(s, 0xc6120563u /* 198.18.5.99 */, &r));
	cr_assert_eq(r.tenant, 0);
	cr_assert_eq(r.trunk, 0);
	cr_assert(tenant_trunk_by_src(s, 0xc6120607u /* 198.18.6.7 */, &r));
	cr_assert_eq(r.trunk, 1);
	cr_assert_not(tenant_trunk_by_src(s, 0xc6120608u /* 198.18.6.8 */, &r));
	cr_assert(tenant_trunk_by_src(s, 0xc6120bfeu /* 198.18.11.254 */, &r));
	cr_assert_eq(r.tenant, 1);
	cr_assert_not(tenant_trunk_by_src(s, 0xc6120c01u /* 198.18.12.1 */, &r));
	tenant_snap_free(s);
	cfg_free(&c);
	free(states);
}

struct pool_span {
	uintptr_t first, last;
	size_t stride;
	unsigned n, off_grid;
};

static void pool_obj(struct rte_mempool *mp, void *arg, void *obj, unsigned idx)
{
	struct pool_span *s = arg;
	uintptr_t a = (uintptr_t)obj;

	(void)mp;
	(void)idx;
	if (s->n++ == 0 || a < s->first)
		s->first = a;
	if (a > s->last)
		s->last = a;
}

static void pool_grid(struct rte_mempool *mp, void *arg, void *obj, unsigned idx)
{
	struct pool_span *s = arg;

	(void)mp;
	(void)idx;
	if (((uintptr_t)obj - s->first) % s->stride != 0)
		s->off_grid++;
}

/*
 * net_af_xdp takes a port's mbuf pool as its UMEM: one run of objects from
 * the first one's page, populated_size times the object size. Every mbuf
 * of the packet pools must lie in that run, on its grid, or the kernel
 * rejects it and the port loses the frames it was to carry.
 */
Test(dp, packet_pools_are_one_run_of_objects)
{
	struct rte_mempool *pools[] = { h.dp->pool, h.dp->big_pool, h.dp->ports[0].rx_pool };

	for (size_t i = 0; i < sizeof(pools) / sizeof(pools[0]); i++) {
		struct rte_mempool *mp = pools[i];
		struct pool_span s = { 0 };

		s.stride = rte_mempool_calc_obj_size(mp->elt_size, mp->flags, NULL);
		rte_mempool_obj_iter(mp, pool_obj, &s);
		rte_mempool_obj_iter(mp, pool_grid, &s);
		cr_expect_eq(s.n, mp->populated_size, "%s", mp->name);
		cr_expect_eq(mp->nb_mem_chunks, 1, "%s: %u chunks", mp->name, mp->nb_mem_chunks);
		cr_expect_eq(s.off_grid, 0, "%s: %u objects off the %zu-byte grid", mp->name,
			     s.off_grid, s.stride);
		cr_expect_lt((s.last - s.first) / s.stride, mp->populated_size,
			     "%s: objects span %zu strides for %u objects", mp->name,
			     (size_t)((s.last - s.first) / s.stride), mp->populated_size);
	}
}
