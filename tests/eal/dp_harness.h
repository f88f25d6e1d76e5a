/* SPDX-License-Identifier: MIT */
/*
 * Harness for dataplane tests inside one process: EAL on --no-huge with a
 * net_ring port whose rx ring the test fills and whose tx ring it drains,
 * and the real dataplane (io lcore and workers) running on it.
 */
#ifndef SLUICE_DP_HARNESS_H
#define SLUICE_DP_HARNESS_H

#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "cfg.h"
#include "dp.h"

#define H_APP_IP 0xC6120001u    /* 198.18.0.1, the appliance */
#define H_GW_IP 0xC61200FEu     /* 198.18.0.254 */
#define H_PEER_IP 0xC612000Bu   /* 198.18.0.11, a test host on the link */
#define H_FAR_IP 0xC612010Bu    /* 198.18.1.11, beyond the gateway */

/* Limits of the harness tenant "tight" (port 5070). */
#define H_TIGHT_CPS 1
#define H_TIGHT_BURST 3
/* Registrations "dom" allows, and its devices' credentials (realm
 * dom.example): alice-desk by password, alice-md5 by the MD5 HA1 of
 * "alice-md5:dom.example:md5secret1". */
#define H_DOM_REGS 3
#define H_ALICE_PW "alicepass1"
#define H_ALICE_MD5_PW "md5secret1"
#define H_ALICE_MD5_HA1 "d60984ed4d4b9bee940d4a1d7237ce80"

struct harness {
	struct cfg cfg;
	struct dp *dp;
	struct rte_ring *rx;   /* frames to the appliance */
	struct rte_ring *tx;   /* frames from the appliance */
	struct rte_ether_addr peer_mac, gw_mac;
};

/*
 * The harness config as text (see dp_harness.c), with the tenant "dom"
 * allowing dom_regs registrations; dom_users NULL gives alice her two
 * devices, otherwise alice keeps only alice-desk and dom_users is added
 * after her in the users list (", { name = ...; ... }"). Returns the
 * length as snprintf does.
 */
int h_config_text(char *text, size_t cap, uint16_t n_workers, unsigned dom_regs,
		  const char *dom_users);

/* Starts EAL and the dataplane with n_workers workers. Aborts on failure. */
void h_start(struct harness *h, uint16_t n_workers);
void h_stop(struct harness *h);

/* Sends a raw Ethernet frame. */
void h_send(struct harness *h, const void *frame, uint16_t len);

/* Next frame from the appliance within timeout_ms, or NULL. */
struct rte_mbuf *h_recv(struct harness *h, unsigned timeout_ms);

/* Builds Ethernet+IPv4+UDP around payload into buf, addressed to the
 * appliance's MAC from src_mac; returns the frame length. */
uint16_t h_udp_frame(struct harness *h, uint8_t *buf, size_t cap,
		     const struct rte_ether_addr *src_mac, uint32_t src_ip,
		     uint16_t sport, uint32_t dst_ip, uint16_t dport,
		     const void *payload, uint16_t len);

/* Sends payload as UDP from (src_ip, sport) to the appliance's SIP port,
 * split into IPv4 fragments of at most frag_payload bytes if non-zero. */
void h_send_udp(struct harness *h, uint32_t src_ip, uint16_t sport,
		uint16_t dport, const void *payload, uint16_t len,
		uint16_t frag_payload);

/* Answers any ARP request from the appliance for the peer or gateway and
 * returns the next non-ARP frame within timeout_ms, or NULL. */
struct rte_mbuf *h_recv_ip(struct harness *h, unsigned timeout_ms);

/*
 * Copies the UDP payload of frame m (from the appliance) into out as a
 * NUL-terminated string, after checking the IPv4 and UDP checksums; the
 * destination port goes to *dport if not NULL. NULL if m is not a sound
 * UDP datagram or the payload does not fit.
 */
char *h_sip_text(struct rte_mbuf *m, char *out, size_t cap, uint16_t *dport);

/* Sends an ARP request from the peer for target. */
void h_send_arp_request(struct harness *h, uint32_t target);

/* Teaches the appliance the peer's MAC (an ARP request from the peer). */
void h_arp_from_peer(struct harness *h);

/* The next message a worker sent the control plane within timeout_ms
 * (the test in the control plane's place), or NULL. */
struct cpmsg *h_cp_take(struct harness *h, unsigned timeout_ms);

/* A counter from /sluice/stats-equivalent sums (field of stats_lcore). */
uint64_t h_stat(struct harness *h, size_t field_offset);
uint64_t h_drop(struct harness *h, enum drop_reason r);

#define H_STAT(h, field) h_stat(h, offsetof(struct stats_lcore, field))

/*
 * For control plane tests: starts EAL and builds the dataplane like
 * h_start, but launches no lcore, so the test can act as worker w on the
 * cp_up/cp_down rings. cdr_path is the CDR store; the API listens on
 * 127.0.0.1, on any free port, with admin token H_ADMIN_TOKEN. Stop with
 * h_stop.
 */
#define H_ADMIN_TOKEN "admin-token-0123456789"
void h_start_cp(struct harness *h, uint16_t n_workers, const char *cdr_path);

#endif
