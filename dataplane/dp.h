/* SPDX-License-Identifier: MIT */
/*
 * The dataplane as a whole: ports, mempools, the io and worker lcore
 * contexts and the rings between them, built from the config by dp_create()
 * after EAL init and torn down by dp_free().
 *
 *   port rx ──► io lcore i ──rx_ring[i][w]──► worker w ──cp_up[w]───► control plane
 *   port tx ◄── io lcore i ◄──tx_ring[w][i]── worker w ◄──cp_down[w]── control plane
 *
 * io lcores own every queue of every port (io lcore i polls and sends on
 * queue i), so a PMD needs only as many queue pairs as there are io lcores
 * (net_tap and net_af_packet want rx and tx queue counts equal). Workers
 * never touch a port: replies go back through the io lcore that received the
 * request, which resolves the next hop, fragments and transmits.
 */
#ifndef SLUICE_DP_H
#define SLUICE_DP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include "cfg.h"
#include "sip/nonce_count.h"
#include "stats.h"
#include "tenant.h"

struct io_ctx;
struct wrk_ctx;
struct neigh_table;
struct tenant_snap;
struct tenant_state;
struct loc_aor;
struct rte_rcu_qsbr;
struct digest_nonce_key;

#define ARP_ANNOUNCE_NUM 2        /* RFC 5227 ANNOUNCE_NUM */
#define ARP_ANNOUNCE_INTERVAL_S 2 /* RFC 5227 ANNOUNCE_INTERVAL, seconds */

struct dp_port {
	uint16_t port_id;        /* ethdev port id */
	char name[32];
	uint32_t addr;           /* host byte order */
	uint32_t mask;           /* host byte order */
	uint32_t gateway;        /* host byte order, 0 = none */
	uint16_t mtu;
	struct rte_ether_addr mac;
	struct rte_mempool *rx_pool; /* dp->pool, or its own for big frames */
	bool started;
	uint8_t link_seen;       /* 0 unknown, 1 down, 2 up (port_watch_links) */
	/* Gratuitous ARPs still to send for addr: set when the link comes up,
	 * counted down by io lcore 0 (atomic: main writes, io reads). */
	uint8_t announce;
};

struct dp {
	const struct cfg *cfg;
	struct rte_mempool *pool;     /* packets */
	struct rte_mempool *big_pool; /* reassembled or large SIP datagrams */

	struct dp_port ports[CFG_MAX_PORTS];
	uint16_t n_ports;

	uint16_t n_io;
	uint16_t n_workers;
	struct io_ctx *io[CFG_MAX_IO];
	struct wrk_ctx *wrk[CFG_MAX_WORKERS];
	struct rte_ring *rx_ring[CFG_MAX_IO][CFG_MAX_WORKERS]; /* io → worker */
	struct rte_ring *tx_ring[CFG_MAX_WORKERS][CFG_MAX_IO]; /* worker → io */

	struct neigh_table *neigh;

	/* The message interface to the control plane (cpmsg.h): typed
	 * messages from cp_pool, one SP/SC ring pair per worker. */
	struct rte_mempool *cp_pool;
	struct rte_ring *cp_up[CFG_MAX_WORKERS];   /* worker → control plane */
	struct rte_ring *cp_down[CFG_MAX_WORKERS]; /* control plane → worker */

	/* Tenants: the snapshot io lcores and workers read (RCU-replaced by
	 * the control plane) and the per-tenant state that outlives it. */
	struct tenant_snap *snap;
	struct tenant_state *tenant_states; /* [TENANT_MAX_STATES] */

	/* Registrations: one AOR per device (slot = device index of the
	 * snapshot), shared by every worker; the digest nonce secret and the
	 * nonce counts accepted (replay protection), shared too. */
	struct loc_aor *loc;
	uint32_t n_loc;
	struct tenant_slots loc_slots;      /* free slots of loc[] */
	uint64_t *loc_dirty;                /* AORs changed, not yet saved (loc.h) */
	struct digest_nonce_key *nonce_key;
	struct nonce_count nonce_count;     /* its slots rte_zmalloc'd */

	/* Reloads (tenant_reload.c): io and worker lcores report quiescent
	 * states on rcu once a loop; a replaced snapshot is retired, and
	 * freed with its cfg at the next reload (the API threads, which are
	 * not RCU readers, get a whole reload interval). */
	struct rte_rcu_qsbr *rcu;
	struct tenant_snap *retired;
	struct cfg *retired_cfg;            /* NULL when it is the boot cfg */
	struct cfg *snap_cfg;               /* cfg of snap when a reload made it */

	/* RTP port range split evenly over workers, in even-sized slices so
	 * an RTP port and its RTCP port+1 land on the same worker. */
	uint16_t rtp_min, rtp_max, rtp_per_worker;

	uint32_t tag_seed;            /* seeds To-tags of stateless replies */

	uint8_t role[RTE_MAX_LCORE];  /* enum lcore_role */
	struct stats_lcore *stats;    /* [RTE_MAX_LCORE] */

	volatile bool stop;
};

/* Builds the dataplane after rte_eal_init(). NULL on failure (logged). */
struct dp *dp_create(const struct cfg *cfg);

/*
 * An mbuf pool of n mbufs with `room` bytes of data room each (headroom
 * included), packed as one run of objects where the memory allows: a
 * PMD that registers the pool with the kernel as its packet memory
 * (net_af_xdp's UMEM) needs that. NULL with rte_errno set on failure.
 */
struct rte_mempool *dp_pkt_pool(const char *name, unsigned n, unsigned cache,
				uint16_t room, int socket);

/* Launches io and worker lcores on their remote lcores. 0 or -errno. */
int dp_launch(struct dp *dp);

/* Asks every lcore to stop and waits for them. */
void dp_stop(struct dp *dp);

/* Stops ports and frees everything; NULL is a no-op. */
void dp_free(struct dp *dp);

/*
 * Replaces the tenant snapshot with one built from cfg (a file loaded by
 * the control plane, owned by the dataplane on success): devices keep
 * their registrations, calls and counters their tenant state. Waits for
 * every io and worker lcore to pass a quiescent state before retiring the
 * old snapshot. 0, or -errno with a message in err and nothing changed.
 * Control plane thread only.
 */
int tenant_reload(struct dp *dp, struct cfg *cfg, char *err, size_t errlen);

/* Frees the retired snapshot and its cfg (dp_free, and each reload). */
void tenant_retired_free(struct dp *dp);

/* Index of the port whose subnet holds addr (host order), or -1. */
int dp_port_on_link(const struct dp *dp, uint32_t addr);

/* Index of the port that owns addr as its own address, or -1. */
int dp_port_by_addr(const struct dp *dp, uint32_t addr);

#endif
