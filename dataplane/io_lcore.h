/* SPDX-License-Identifier: MIT */
/*
 * The io lcore: polls queue `idx` of every port and the tx rings of every
 * worker, and runs the network edge of the appliance.
 *
 *   rx burst → classify (ARP, IPv4, reassembly, ICMP, UDP)
 *            → disp (SIP light parse, Call-ID hash; RTP by port range)
 *            → rx_ring of the owning worker
 *   worker tx_ring → ip_out (route, fragment) → neigh (ARP) → tx buffer
 *
 * One struct io_ctx per io lcore, allocated on its socket; only that lcore
 * writes it.
 */
#ifndef SLUICE_IO_LCORE_H
#define SLUICE_IO_LCORE_H

#include <stdint.h>

#include <rte_ethdev.h>
#include <rte_ip_frag.h>

#include "dp.h"
#include "idle.h"
#include "shed.h"
#include "sip_parse.h"

#define IO_BURST 32
#define NEIGH_WAIT_MAX 256

/* A packet waiting for its next hop's MAC address. */
struct neigh_wait {
	struct rte_mbuf *m;  /* starts at the IPv4 header */
	uint32_t nh;         /* next hop, host order */
	uint8_t port;
	uint8_t tries;       /* ARP requests sent */
	uint64_t next_tsc;   /* when to ask again or give up */
};

#define IO_TIMER_MS 10   /* period of the io lcore's housekeeping (io_timers) */

struct io_ctx {
	struct dp *dp;
	uint16_t idx;        /* io index = the queue it owns on every port */
	uint16_t lcore;
	uint16_t burst;
	struct stats_lcore *st;
	struct idle idle;

	/* SIP/RTP packets batched per worker, flushed once per rx burst. */
	uint16_t n_batch[CFG_MAX_WORKERS];
	struct rte_mbuf *batch[CFG_MAX_WORKERS][IO_BURST];
	/* overload control (shed.h): the share of new INVITEs shed for each
	 * worker, moved once an IO_TIMER_MS interval */
	struct shed shed[CFG_MAX_WORKERS];
	uint32_t shed_target;    /* workers.shed_backlog */

	struct rte_eth_dev_tx_buffer *txbuf[CFG_MAX_PORTS];
	uint64_t tx_unsent;   /* counted by the tx buffer's error callback */

	struct rte_ip_frag_tbl *frag_tbl;
	struct rte_ip_frag_death_row death_row;

	struct neigh_wait wait[NEIGH_WAIT_MAX];
	unsigned n_wait;

	uint64_t hz;
	uint64_t tsc_per_ms;
	uint64_t next_timer_tsc;
	uint64_t tx_drain_tsc;   /* poll.tx_drain_us in TSC cycles */
	uint64_t tx_flush_tsc;   /* when the tx buffers were last flushed */
	uint16_t ip_id;
	uint64_t announce_tsc[CFG_MAX_PORTS]; /* next gratuitous ARP, io 0 */

	struct sip_msg msg;   /* parse scratch */
} __rte_cache_aligned;

/* Allocates and initialises the context of io lcore idx. NULL on failure. */
struct io_ctx *io_create(struct dp *dp, uint16_t idx, uint16_t lcore);
void io_free(struct io_ctx *io);

/* The lcore entry point (rte_eal_remote_launch). */
int io_lcore_main(void *arg);

/* classify.c: first stage of every received burst. */
void classify_burst(struct io_ctx *io, uint8_t port, struct rte_mbuf **pkts,
		    uint16_t n);

/* disp.c: SIP and RTP to their workers. */
void disp_sip(struct io_ctx *io, struct rte_mbuf *m);
void disp_rtp(struct io_ctx *io, struct rte_mbuf *m);
void disp_flush(struct io_ctx *io);

/* arp.c */
void arp_input(struct io_ctx *io, uint8_t port, struct rte_mbuf *m);
void arp_request(struct io_ctx *io, uint8_t port, uint32_t ip);
/* io lcore 0: the gratuitous ARPs the ports ask for (dp_port.announce). */
void arp_announce_poll(struct io_ctx *io, uint64_t now);

/* icmp.c: m starts at the IPv4 header. */
void icmp_input(struct io_ctx *io, uint8_t port, struct rte_mbuf *m);

/* ip_reass.c: m starts at the IPv4 header of a fragment. Returns the whole
 * datagram, contiguous, starting at its IPv4 header, or NULL (kept or
 * dropped). */
int ip_reass_init(struct io_ctx *io);
void ip_reass_free(struct io_ctx *io);
struct rte_mbuf *ip_reass_input(struct io_ctx *io, struct rte_mbuf *m,
				uint64_t now);
void ip_reass_timer(struct io_ctx *io, uint64_t now);

/* ip_out.c: m starts at an IPv4 header with checksum set. Routes it,
 * fragments it to the port's MTU, resolves the next hop and sends it. */
void ip_out(struct io_ctx *io, struct rte_mbuf *m, uint8_t port_hint);
void eth_out(struct io_ctx *io, uint8_t port, const struct rte_ether_addr *dst,
	     uint16_t ether_type, struct rte_mbuf *m);

/* neigh.c (waiters): send m to nh now if its MAC is known, else queue it
 * and ask by ARP. */
void neigh_send(struct io_ctx *io, uint8_t port, uint32_t nh,
		struct rte_mbuf *m);
void neigh_wait_poll(struct io_ctx *io, uint64_t now);

static inline void io_drop(struct io_ctx *io, struct rte_mbuf *m,
			   enum drop_reason r)
{
	io->st->drop[r]++;
	rte_pktmbuf_free(m);
}

#endif
