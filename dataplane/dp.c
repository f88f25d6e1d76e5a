/* SPDX-License-Identifier: MIT */
/*
 * Building, launching and tearing down the dataplane (see dp.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_eal.h>
#include <rte_launch.h>
#include <rte_malloc.h>
#include <rte_mbuf_pool_ops.h>
#include <rte_random.h>
#include <rte_errno.h>
#include <rte_rcu_qsbr.h>
#include <rte_timer.h>

#include "cpmsg.h"
#include "io_lcore.h"
#include "log.h"
#include "neigh.h"
#include "pkt.h"
#include "port.h"
#include "sip/digest.h"
#include "sip/loc.h"
#include "tenant.h"
#include "worker.h"

#define BIG_POOL_MBUFS 511
#define BIG_MBUF_ROOM (RTE_PKTMBUF_HEADROOM + SIP_MSG_MAX + 128)
#define NEIGH_ENTRIES 4096
#define DP_CP_RING 4096   /* messages each way between a worker and the control plane */
#define DP_CP_MSGS 8191   /* struct cpmsg in flight at once, all workers */
#define DP_LOC_SPARE_MIN 256 /* location slots kept for devices reloads add */

int dp_port_on_link(const struct dp *dp, uint32_t addr)
{
	uint16_t i;

	for (i = 0; i < dp->n_ports; i++)
		if ((addr & dp->ports[i].mask) ==
		    (dp->ports[i].addr & dp->ports[i].mask))
			return i;
	return -1;
}

int dp_port_by_addr(const struct dp *dp, uint32_t addr)
{
	uint16_t i;

	for (i = 0; i < dp->n_ports; i++)
		if (addr == dp->ports[i].addr)
			return i;
	return -1;
}

static int dp_check_lcore(struct dp *dp, unsigned lcore, enum lcore_role role)
{
	if (lcore >= RTE_MAX_LCORE || !rte_lcore_is_enabled(lcore) ||
	    lcore == rte_get_main_lcore()) {
		SL_LOG(ERR, DP, "lcore %u is not an enabled worker lcore of EAL "
		       "(check eal.lcores)\n", lcore);
		return -EINVAL;
	}
	dp->role[lcore] = (uint8_t)role;
	return 0;
}

static int dp_rings(struct dp *dp)
{
	uint32_t size = dp->cfg->workers.ring_size;
	char name[RTE_RING_NAMESIZE];
	uint16_t i, w;

	for (i = 0; i < dp->n_io; i++) {
		for (w = 0; w < dp->n_workers; w++) {
			int s = (int)rte_lcore_to_socket_id(
				dp->cfg->eal.worker_lcores[w]);

			snprintf(name, sizeof(name), "rx_%u_%u", i, w);
			dp->rx_ring[i][w] = rte_ring_create(name, size, s,
					RING_F_SP_ENQ | RING_F_SC_DEQ);
			snprintf(name, sizeof(name), "tx_%u_%u", w, i);
			dp->tx_ring[w][i] = rte_ring_create(name, size, s,
					RING_F_SP_ENQ | RING_F_SC_DEQ);
			if (!dp->rx_ring[i][w] || !dp->tx_ring[w][i])
				return -ENOMEM;
		}
	}
	for (w = 0; w < dp->n_workers; w++) {
		snprintf(name, sizeof(name), "cp_up_%u", w);
		dp->cp_up[w] = rte_ring_create(name, DP_CP_RING, (int)rte_socket_id(),
					       RING_F_SP_ENQ | RING_F_SC_DEQ);
		snprintf(name, sizeof(name), "cp_down_%u", w);
		dp->cp_down[w] = rte_ring_create(name, DP_CP_RING, (int)rte_socket_id(),
						 RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (!dp->cp_up[w] || !dp->cp_down[w])
			return -ENOMEM;
	}
	return 0;
}

/*
 * Not rte_pktmbuf_pool_create: where objects must be IOVA-contiguous it
 * keeps each one inside a page, and without hugepages that is a 4 KiB page
 * per 2.3 KiB mbuf. net_af_xdp registers the pool as its UMEM assuming one
 * run of objects from the first one's page (mbufs times object size), so
 * with that layout the mbufs past the first 58% lay outside the UMEM, and
 * the port lost frames as soon as the traffic's working set reached them.
 * An object's IOVA contiguity matters only to a device that DMAs by
 * physical address: with IOVA as VA it holds anyway, and with no hugepages
 * no such device can work, so then the objects are packed.
 */
struct rte_mempool *dp_pkt_pool(const char *name, unsigned n, unsigned cache,
				uint16_t room, int socket)
{
	struct rte_pktmbuf_pool_private priv = {
		.mbuf_data_room_size = room,
		.mbuf_priv_size = 0,
	};
	unsigned flags = 0;
	struct rte_mempool *mp;
	int rc;

	if (rte_eal_iova_mode() == RTE_IOVA_VA || !rte_eal_has_hugepages())
		flags |= RTE_MEMPOOL_F_NO_IOVA_CONTIG;
	mp = rte_mempool_create_empty(name, n, sizeof(struct rte_mbuf) + room,
				      cache, sizeof(priv), socket, flags);
	if (mp == NULL)
		return NULL;
	rc = rte_mempool_set_ops_byname(mp, rte_mbuf_best_mempool_ops(), NULL);
	if (rc == 0) {
		rte_pktmbuf_pool_init(mp, &priv);
		rc = rte_mempool_populate_default(mp);
	}
	if (rc < 0) {
		rte_mempool_free(mp);
		rte_errno = -rc;
		return NULL;
	}
	rte_mempool_obj_iter(mp, rte_pktmbuf_init, NULL);
	return mp;
}

static int dp_pools(struct dp *dp)
{
	int socket = (int)rte_socket_id();

	dp->pool = dp_pkt_pool("pkt", dp->cfg->mempool.mbufs,
			       dp->cfg->mempool.cache,
			       RTE_MBUF_DEFAULT_BUF_SIZE, socket);
	dp->big_pool = dp_pkt_pool("pkt_big", BIG_POOL_MBUFS, 32,
				   BIG_MBUF_ROOM, socket);
	dp->cp_pool = rte_mempool_create("cpmsg", DP_CP_MSGS, sizeof(struct cpmsg), 64, 0,
					 NULL, NULL, NULL, NULL, socket, 0);
	if (dp->pool == NULL || dp->big_pool == NULL || dp->cp_pool == NULL) {
		SL_LOG(ERR, DP, "mempools: %s (raise eal.memory_mb or lower "
		       "mempool.mbufs)\n", rte_strerror(rte_errno));
		return -ENOMEM;
	}
	return 0;
}

static void dp_rtp_slices(struct dp *dp)
{
	uint32_t range = (uint32_t)dp->cfg->rtp.port_max - dp->cfg->rtp.port_min + 1;
	uint32_t per = range / dp->n_workers & ~1u;

	dp->rtp_min = dp->cfg->rtp.port_min;
	dp->rtp_max = dp->cfg->rtp.port_max;
	dp->rtp_per_worker = (uint16_t)(per ? per : 2);
}

static int dp_contexts(struct dp *dp)
{
	const struct cfg *cfg = dp->cfg;
	uint16_t i;

	for (i = 0; i < dp->n_io; i++) {
		if (dp_check_lcore(dp, cfg->eal.io_lcores[i], ROLE_IO) < 0)
			return -EINVAL;
		dp->io[i] = io_create(dp, i, cfg->eal.io_lcores[i]);
		if (dp->io[i] == NULL)
			return -ENOMEM;
	}
	for (i = 0; i < dp->n_workers; i++) {
		if (dp_check_lcore(dp, cfg->eal.worker_lcores[i], ROLE_WORKER) < 0)
			return -EINVAL;
		dp->wrk[i] = wrk_create(dp, i, cfg->eal.worker_lcores[i]);
		if (dp->wrk[i] == NULL)
			return -ENOMEM;
	}
	dp->role[rte_get_main_lcore()] = ROLE_MAIN;
	return 0;
}

/* The first tenant snapshot, from the config the dataplane starts with. */
/* Location slots beyond today's devices, for devices a reload adds. */
static uint32_t dp_loc_capacity(uint32_t n_devs)
{
	uint32_t spare = n_devs / 2 > DP_LOC_SPARE_MIN ? n_devs / 2 : DP_LOC_SPARE_MIN;

	return n_devs + spare;
}

/* Tenants at start: the state slots, the location array, the first
 * snapshot, RCU for the ones reloads make, the nonce secret. */
static int dp_tenants(struct dp *dp)
{
	uint64_t secret[4], *nc_slots;
	uint32_t n_devs = 0;
	char err[256];
	size_t rcu_size = rte_rcu_qsbr_get_memsize(RTE_MAX_LCORE);

	dp->tenant_states = rte_zmalloc("tenant_states",
					sizeof(*dp->tenant_states) * TENANT_MAX_STATES,
					RTE_CACHE_LINE_SIZE);
	dp->rcu = rte_zmalloc("rcu", rcu_size, RTE_CACHE_LINE_SIZE);
	dp->nonce_key = rte_zmalloc("nonce_key", sizeof(*dp->nonce_key), RTE_CACHE_LINE_SIZE);
	nc_slots = rte_zmalloc("nonce_count", sizeof(uint64_t) * NONCE_COUNT_SLOTS,
			       RTE_CACHE_LINE_SIZE);
	if (!dp->tenant_states || !dp->rcu || !dp->nonce_key || !nc_slots ||
	    nonce_count_init(&dp->nonce_count, nc_slots, NONCE_COUNT_SLOTS) != 0 ||
	    rte_rcu_qsbr_init(dp->rcu, RTE_MAX_LCORE) != 0) {
		if (dp->nonce_count.slot == NULL)
			rte_free(nc_slots);
		return -ENOMEM;
	}
	for (uint32_t t = 0; t < dp->cfg->n_tenants; t++)
		for (uint32_t u = 0; u < dp->cfg->tenants[t].n_users; u++)
			n_devs += dp->cfg->tenants[t].users[u].n_devices;
	dp->n_loc = dp_loc_capacity(n_devs);
	dp->loc = rte_zmalloc("loc", sizeof(*dp->loc) * dp->n_loc, RTE_CACHE_LINE_SIZE);
	dp->loc_slots.free = rte_zmalloc("loc_free", sizeof(uint32_t) * dp->n_loc, 0);
	dp->loc_dirty = rte_zmalloc("loc_dirty", sizeof(uint64_t) * ((dp->n_loc + 63) / 64),
				    RTE_CACHE_LINE_SIZE);
	if (!dp->loc || !dp->loc_slots.free || !dp->loc_dirty)
		return -ENOMEM;
	loc_init(dp->loc, dp->n_loc);
	/* lowest slots first: the stack is popped from the end */
	for (uint32_t i = 0; i < dp->n_loc; i++)
		dp->loc_slots.free[i] = dp->n_loc - 1 - i;
	dp->loc_slots.n_free = dp->n_loc;
	dp->snap = tenant_snap_create(dp->cfg, 1, dp->tenant_states, NULL, &dp->loc_slots,
				      (int)rte_socket_id(), err, sizeof(err));
	if (dp->snap == NULL) {
		SL_LOG(ERR, DP, "tenants: %s\n", err);
		return -EINVAL;
	}
	/* A fresh secret per start: nonces of an earlier run are refused and
	 * the device is simply challenged again. */
	for (unsigned i = 0; i < RTE_DIM(secret); i++)
		secret[i] = rte_rand();
	return digest_nonce_key_init(dp->nonce_key, secret, sizeof(secret));
}

struct dp *dp_create(const struct cfg *cfg)
{
	struct dp *dp;
	uint16_t i;

	dp = rte_zmalloc("dp", sizeof(*dp), RTE_CACHE_LINE_SIZE);
	if (dp == NULL)
		return NULL;
	dp->cfg = cfg;
	dp->n_ports = cfg->n_ports;
	dp->n_io = cfg->eal.n_io;
	dp->n_workers = cfg->eal.n_workers;
	dp->tag_seed = (uint32_t)rte_rand();
	dp->stats = rte_zmalloc("stats", sizeof(*dp->stats) * RTE_MAX_LCORE,
				RTE_CACHE_LINE_SIZE);
	if (dp->stats == NULL || pkt_meta_register() < 0 || dp_pools(dp) < 0)
		goto fail;
	/* the workers' call timers (sip/call_table.c); once per process */
	if (rte_timer_subsystem_init() < 0 && rte_errno != EALREADY)
		goto fail;
	dp_rtp_slices(dp);
	dp->neigh = neigh_table_create(NEIGH_ENTRIES, cfg->net.reachable_s,
				       (int)rte_socket_id());
	if (dp->neigh == NULL || dp_rings(dp) < 0 || dp_contexts(dp) < 0 ||
	    dp_tenants(dp) < 0)
		goto fail;
	for (i = 0; i < dp->n_ports; i++)
		if (port_start(dp, i) < 0)
			goto fail;
	return dp;
fail:
	SL_LOG(ERR, DP, "dataplane not started\n");
	dp_free(dp);
	return NULL;
}

int dp_launch(struct dp *dp)
{
	uint16_t i;
	int rc;

	for (i = 0; i < dp->n_io; i++) {
		rc = rte_eal_remote_launch(io_lcore_main, dp->io[i],
					   dp->io[i]->lcore);
		if (rc < 0)
			return rc;
	}
	for (i = 0; i < dp->n_workers; i++) {
		rc = rte_eal_remote_launch(wrk_lcore_main, dp->wrk[i],
					   dp->wrk[i]->lcore);
		if (rc < 0)
			return rc;
	}
	return 0;
}

void dp_stop(struct dp *dp)
{
	dp->stop = true;
	rte_eal_mp_wait_lcore();
}

void dp_free(struct dp *dp)
{
	uint16_t i, w;

	if (dp == NULL)
		return;
	for (i = 0; i < dp->n_ports; i++)
		port_stop(dp, i);
	for (i = 0; i < CFG_MAX_IO; i++)
		io_free(dp->io[i]);
	for (w = 0; w < CFG_MAX_WORKERS; w++)
		wrk_free(dp->wrk[w]);
	for (i = 0; i < CFG_MAX_IO; i++) {
		for (w = 0; w < CFG_MAX_WORKERS; w++) {
			struct rte_mbuf *m;

			while (dp->rx_ring[i][w] &&
			       rte_ring_dequeue(dp->rx_ring[i][w], (void **)&m) == 0)
				rte_pktmbuf_free(m);
			while (dp->tx_ring[w][i] &&
			       rte_ring_dequeue(dp->tx_ring[w][i], (void **)&m) == 0)
				rte_pktmbuf_free(m);
			rte_ring_free(dp->rx_ring[i][w]);
			rte_ring_free(dp->tx_ring[w][i]);
		}
	}
	neigh_table_free(dp->neigh);
	tenant_snap_free(dp->snap);
	if (dp->snap_cfg) {
		cfg_free(dp->snap_cfg);
		free(dp->snap_cfg);
	}
	tenant_retired_free(dp);
	rte_free(dp->rcu);
	rte_free(dp->loc_slots.free);
	rte_free(dp->loc_dirty);
	rte_free(dp->tenant_states);
	rte_free(dp->loc);
	rte_free(dp->nonce_key);
	rte_free(dp->nonce_count.slot);
	for (w = 0; w < CFG_MAX_WORKERS; w++) {
		void *msg;

		while (dp->cp_up[w] && rte_ring_dequeue(dp->cp_up[w], &msg) == 0)
			rte_mempool_put(dp->cp_pool, msg);
		while (dp->cp_down[w] && rte_ring_dequeue(dp->cp_down[w], &msg) == 0)
			rte_mempool_put(dp->cp_pool, msg);
		rte_ring_free(dp->cp_up[w]);
		rte_ring_free(dp->cp_down[w]);
	}
	rte_mempool_free(dp->cp_pool);
	rte_mempool_free(dp->pool);
	rte_mempool_free(dp->big_pool);
	rte_free(dp->stats);
	rte_free(dp);
}
