/* SPDX-License-Identifier: MIT */
/*
 * Dataplane test harness (see dp_harness.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ip.h>
#include <rte_ring.h>
#include <rte_udp.h>

#include "dp_harness.h"

static void __attribute__((noreturn)) h_die(const char *what)
{
	fprintf(stderr, "harness: %s\n", what);
	abort();
}

/*
 * The appliance's config: one net_ring port at H_APP_IP, SIP on 5060, 5070,
 * 5080 and 5090, and four tenants: "main" owns everything sent to port 5060
 * (so the stateless tests need no tenant of their own); "tight" owns port
 * 5070 with small limits for the admission tests; "dom" is found by its
 * domain and DID on port 5080, where nothing else claims traffic, and has
 * a user with two devices for the registrar tests; "trk" owns port 5090
 * and has one trunk, H_FAR_IP, whose INVITEs are calls the test routes
 * in the control plane's place.
 */
int h_config_text(char *text, size_t cap, uint16_t n_workers, unsigned dom_regs,
		  const char *dom_users)
{
	char workers[64] = "";
	size_t n = 0;

	for (uint16_t i = 0; i < n_workers; i++)
		n += (size_t)snprintf(workers + n, sizeof(workers) - n, "%s%u", i ? ", " : "",
				      2 + i);
	return snprintf(text, cap,
		 "eal = { main_lcore = 0; io_lcores = [1]; worker_lcores = [%s]; };\n"
		 "ports = ( { name = \"lan0\"; device = \"net_ring_h0\";\n"
		 "  address = \"198.18.0.1\"; prefix = 24; gateway = \"198.18.0.254\"; } );\n"
		 "sip = { udp_ports = [5060, 5070, 5080, 5090]; };\n"
		 "mempool = { mbufs = 4095; };\n"
		 "workers = { ring_size = 1024; };\n"
		 "tenants = (\n"
		 " { id = \"main\"; api_token = \"main-token-0123456789\";\n"
		 "   match = { addresses = [\"198.18.0.1:5060\"]; };\n"
		 "   limits = { cps = 0; concurrent_calls = 0; }; },\n"
		 " { id = \"tight\"; api_token = \"tight-token-0123456789\";\n"
		 "   match = { addresses = [\"198.18.0.1:5070\"]; };\n"
		 "   limits = { cps = %u; burst = %u; concurrent_calls = 0; }; },\n"
		 " { id = \"dom\"; api_token = \"dom-token-0123456789\";\n"
		 "   match = { domains = [\"dom.example\"]; dids = [\"+15551230001\", \"+1555999*\"]; };\n"
		 "   limits = { cps = 0; concurrent_calls = 1; registrations = %u; };\n"
		 "   users = ( { name = \"alice\"; extension = \"1001\"; devices = (\n"
		 "     { username = \"alice-desk\"; password = \"%s\"; }%s ); }%s ); },\n"
		 " { id = \"trk\"; api_token = \"trk-token-0123456789\";\n"
		 "   match = { addresses = [\"198.18.0.1:5090\"]; };\n"
		 "   limits = { cps = 0; concurrent_calls = 0; };\n"
		 "   trunks = ( { name = \"far\"; address = \"198.18.1.11:5060\";\n"
		 "     cidrs = [\"198.18.1.11/32\"]; } ); }\n"
		 ");\n",
		 workers, H_TIGHT_CPS, H_TIGHT_BURST, dom_regs, H_ALICE_PW,
		 dom_users ? "" : ",\n     { username = \"alice-md5\"; ha1_md5 = \"" H_ALICE_MD5_HA1 "\"; }",
		 dom_users ? dom_users : "");
}

/* The appliance's config of h_config_text, loaded. */
static void h_config(struct harness *h, uint16_t n_workers)
{
	char text[8192];
	struct cfg_errors errs;

	h_config_text(text, sizeof(text), n_workers, H_DOM_REGS, NULL);
	if (cfg_load_string(text, "harness", &h->cfg, &errs) < 0) {
		cfg_errors_print(&errs, stderr);
		h_die("harness config");
	}
}

/* EAL, and the net_ring port the test talks through; h zeroed first. */
static void h_eal_port(struct harness *h)
{
	char prefix[32];
	char *argv[] = {
		"test", "--no-huge", "-m", "256", "--no-pci",
		"--no-telemetry", "--lcores", "(0-4)@(0-1)", "--file-prefix",
		prefix, "--log-level", "warning", NULL,
	};
	struct rte_ring *rx, *tx;
	uint16_t i;

	memset(h, 0, sizeof(*h));
	snprintf(prefix, sizeof(prefix), "t%d", getpid());
	if (rte_eal_init((int)RTE_DIM(argv) - 1, argv) < 0)
		h_die("rte_eal_init");
	rx = rte_ring_create("h_rx", 4096, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	tx = rte_ring_create("h_tx", 4096, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (!rx || !tx)
		h_die("rings");
	/* the ring PMD names it "net_ring_" + name */
	if (rte_eth_from_rings("h0", &rx, 1, &tx, 1, 0) < 0)
		h_die("rte_eth_from_rings");
	h->rx = rx;
	h->tx = tx;
	for (i = 0; i < RTE_ETHER_ADDR_LEN; i++) {
		h->peer_mac.addr_bytes[i] = (uint8_t)(0x02 + i);
		h->gw_mac.addr_bytes[i] = (uint8_t)(0x0a + i);
	}
}

void h_start(struct harness *h, uint16_t n_workers)
{
	h_eal_port(h);
	h_config(h, n_workers);
	h->dp = dp_create(&h->cfg);
	if (h->dp == NULL || dp_launch(h->dp) < 0)
		h_die("dataplane");
}

void h_stop(struct harness *h)
{
	char cmd[64];

	dp_stop(h->dp);
	dp_free(h->dp);
	cfg_free(&h->cfg);
	rte_eal_cleanup();
	/* EAL leaves its runtime directory behind. */
	snprintf(cmd, sizeof(cmd), "rm -rf /var/run/dpdk/t%d", getpid());
	if (system(cmd) != 0)
		fprintf(stderr, "harness: could not remove /var/run/dpdk/t%d\n",
			getpid());
}

void h_send(struct harness *h, const void *frame, uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(h->dp->pool);
	char *p;

	if (m == NULL || (p = rte_pktmbuf_append(m, len)) == NULL)
		h_die("mbuf for h_send");
	memcpy(p, frame, len);
	if (rte_ring_sp_enqueue(h->rx, m) < 0)
		h_die("rx ring full");
}

struct rte_mbuf *h_recv(struct harness *h, unsigned timeout_ms)
{
	const struct timespec tick = { 0, 200 * 1000 };
	unsigned i;

	for (i = 0; i < timeout_ms * 5; i++) {
		struct rte_mbuf *m;

		if (rte_ring_sc_dequeue(h->tx, (void **)&m) == 0)
			return m;
		nanosleep(&tick, NULL);
	}
	return NULL;
}

static uint16_t h_eth(uint8_t *buf, const struct rte_ether_addr *src,
		      const struct rte_ether_addr *dst, uint16_t type)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)buf;

	eth->src_addr = *src;
	eth->dst_addr = *dst;
	eth->ether_type = rte_cpu_to_be_16(type);
	return sizeof(*eth);
}

static const struct rte_ether_addr *h_app_mac(struct harness *h)
{
	return &h->dp->ports[0].mac;
}

uint16_t h_udp_frame(struct harness *h, uint8_t *buf, size_t cap,
		     const struct rte_ether_addr *src_mac, uint32_t src_ip,
		     uint16_t sport, uint32_t dst_ip, uint16_t dport,
		     const void *payload, uint16_t len)
{
	uint16_t off = h_eth(buf, src_mac, h_app_mac(h), RTE_ETHER_TYPE_IPV4);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(buf + off);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);

	if (cap < off + sizeof(*ip) + sizeof(*udp) + len)
		h_die("frame too big");
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(sizeof(*ip) + sizeof(*udp) + len);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(src_ip);
	ip->dst_addr = rte_cpu_to_be_32(dst_ip);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = rte_cpu_to_be_16(sport);
	udp->dst_port = rte_cpu_to_be_16(dport);
	udp->dgram_len = rte_cpu_to_be_16(sizeof(*udp) + len);
	memcpy(udp + 1, payload, len);
	udp->dgram_cksum = 0;
	udp->dgram_cksum = rte_ipv4_udptcp_cksum(ip, udp);
	return (uint16_t)(off + sizeof(*ip) + sizeof(*udp) + len);
}

void h_send_udp(struct harness *h, uint32_t src_ip, uint16_t sport,
		uint16_t dport, const void *payload, uint16_t len,
		uint16_t frag_payload)
{
	static uint8_t whole[70000], frame[2048];
	const struct rte_ether_addr *src =
		(src_ip & 0xffffff00u) == (H_APP_IP & 0xffffff00u) ?
			&h->peer_mac : &h->gw_mac;
	uint16_t n = h_udp_frame(h, whole, sizeof(whole), src, src_ip, sport,
				 H_APP_IP, dport, payload, len);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(whole + 14);
	uint16_t l4 = (uint16_t)(n - 14 - sizeof(*ip)), off;

	if (frag_payload == 0 || l4 <= frag_payload) {
		h_send(h, whole, n);
		return;
	}
	/* Fragments sent last-first, as some stacks do, to exercise
	 * reassembly out of order. */
	for (off = (uint16_t)((l4 - 1) / frag_payload * frag_payload);;
	     off = (uint16_t)(off - frag_payload)) {
		uint16_t part = l4 - off < frag_payload ? l4 - off : frag_payload;
		struct rte_ipv4_hdr *fip = (struct rte_ipv4_hdr *)(frame + 14);

		memcpy(frame, whole, 14 + sizeof(*ip));
		memcpy(fip + 1, (uint8_t *)(ip + 1) + off, part);
		fip->total_length = rte_cpu_to_be_16(sizeof(*ip) + part);
		fip->packet_id = rte_cpu_to_be_16(0x4242);
		fip->fragment_offset = rte_cpu_to_be_16(
			(uint16_t)(off / 8) |
			(off + part < l4 ? RTE_IPV4_HDR_MF_FLAG : 0));
		fip->hdr_checksum = 0;
		fip->hdr_checksum = rte_ipv4_cksum(fip);
		h_send(h, frame, (uint16_t)(14 + sizeof(*ip) + part));
		if (off == 0)
			break;
	}
}

static int h_answer_arp(struct harness *h, struct rte_mbuf *m)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_arp_hdr *arp = (struct rte_arp_hdr *)(eth + 1);
	const struct rte_ether_addr *mac;
	uint8_t frame[64] = { 0 };
	struct rte_arp_hdr *rep;
	uint32_t tip;

	if (eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP))
		return 0;
	tip = rte_be_to_cpu_32(arp->arp_data.arp_tip);
	if (arp->arp_opcode == rte_cpu_to_be_16(RTE_ARP_OP_REQUEST) &&
	    (tip == H_PEER_IP || tip == H_GW_IP)) {
		mac = tip == H_PEER_IP ? &h->peer_mac : &h->gw_mac;
		h_eth(frame, mac, &arp->arp_data.arp_sha, RTE_ETHER_TYPE_ARP);
		rep = (struct rte_arp_hdr *)(frame + 14);
		*rep = *arp;
		rep->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REPLY);
		rep->arp_data.arp_tha = arp->arp_data.arp_sha;
		rep->arp_data.arp_tip = arp->arp_data.arp_sip;
		rep->arp_data.arp_sha = *mac;
		rep->arp_data.arp_sip = rte_cpu_to_be_32(tip);
		h_send(h, frame, 60);
	}
	return 1;
}

struct rte_mbuf *h_recv_ip(struct harness *h, unsigned timeout_ms)
{
	struct rte_mbuf *m;

	while ((m = h_recv(h, timeout_ms)) != NULL) {
		if (!h_answer_arp(h, m))
			return m;
		rte_pktmbuf_free(m);
	}
	return NULL;
}

void h_send_arp_request(struct harness *h, uint32_t target)
{
	static const struct rte_ether_addr bcast = {
		{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
	uint8_t frame[64] = { 0 };
	struct rte_arp_hdr *arp = (struct rte_arp_hdr *)(frame + 14);

	h_eth(frame, &h->peer_mac, &bcast, RTE_ETHER_TYPE_ARP);
	arp->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = 4;
	arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REQUEST);
	arp->arp_data.arp_sha = h->peer_mac;
	arp->arp_data.arp_sip = rte_cpu_to_be_32(H_PEER_IP);
	arp->arp_data.arp_tip = rte_cpu_to_be_32(target);
	h_send(h, frame, 60);
}

void h_arp_from_peer(struct harness *h)
{
	struct rte_mbuf *m;

	h_send_arp_request(h, H_APP_IP);
	m = h_recv(h, 1000); /* the reply */
	if (m == NULL)
		h_die("no ARP reply");
	rte_pktmbuf_free(m);
}

uint64_t h_stat(struct harness *h, size_t field_offset)
{
	uint64_t sum = 0;
	unsigned l;

	for (l = 0; l < RTE_MAX_LCORE; l++)
		sum += __atomic_load_n((uint64_t *)((char *)&h->dp->stats[l] +
						    field_offset),
				       __ATOMIC_RELAXED);
	return sum;
}

uint64_t h_drop(struct harness *h, enum drop_reason r)
{
	return h_stat(h, offsetof(struct stats_lcore, drop) +
				 sizeof(uint64_t) * (size_t)r);
}

char *h_sip_text(struct rte_mbuf *m, char *out, size_t cap, uint16_t *dport)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, 14);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)((char *)ip + rte_ipv4_hdr_len(ip));
	size_t n = rte_be_to_cpu_16(udp->dgram_len) - sizeof(*udp);

	if (ip->next_proto_id != IPPROTO_UDP || rte_raw_cksum(ip, rte_ipv4_hdr_len(ip)) != 0xffff ||
	    rte_ipv4_udptcp_cksum_verify(ip, udp) != 0 || n >= cap)
		return NULL;
	memcpy(out, udp + 1, n);
	out[n] = 0;
	if (dport)
		*dport = rte_be_to_cpu_16(udp->dst_port);
	return out;
}

void h_start_cp(struct harness *h, uint16_t n_workers, const char *cdr_path)
{
	h_eal_port(h);
	h_config(h, n_workers);
	snprintf(h->cfg.cdr.path, sizeof(h->cfg.cdr.path), "%s", cdr_path);
	h->cfg.api.listen.addr = 0x7f000001;
	h->cfg.api.listen.port = 0;
	snprintf(h->cfg.api.admin_token, sizeof(h->cfg.api.admin_token), "%s", H_ADMIN_TOKEN);
	h->dp = dp_create(&h->cfg);
	if (h->dp == NULL)
		h_die("dataplane");
}

struct cpmsg *h_cp_take(struct harness *h, unsigned timeout_ms)
{
	for (unsigned i = 0; i < timeout_ms; i++) {
		for (uint16_t w = 0; w < h->dp->n_workers; w++) {
			struct cpmsg *m;

			if (rte_ring_sc_dequeue(h->dp->cp_up[w], (void **)&m) == 0)
				return m;
		}
		rte_delay_ms(1);
	}
	return NULL;
}
