/* SPDX-License-Identifier: MIT */
/*
 * The io lcore loop (see io_lcore.h): poll every port's queue `idx`,
 * classify and dispatch; drain the workers' tx rings into ip_out; run the
 * reassembly and ARP timers; flush the tx buffers; back off when idle.
 */
#include <rte_cycles.h>
#include <rte_malloc.h>

#include <rte_rcu_qsbr.h>

#include "io_lcore.h"
#include "log.h"
#include "pkt.h"


static void io_tx_unsent(struct rte_mbuf **pkts, uint16_t unsent, void *arg)
{
	struct io_ctx *io = arg;

	io->tx_unsent += unsent;
	rte_pktmbuf_free_bulk(pkts, unsent);
}

struct io_ctx *io_create(struct dp *dp, uint16_t idx, uint16_t lcore)
{
	int socket = (int)rte_lcore_to_socket_id(lcore);
	struct io_ctx *io;
	uint16_t p;

	io = rte_zmalloc_socket("io_ctx", sizeof(*io), RTE_CACHE_LINE_SIZE,
				socket);
	if (io == NULL)
		return NULL;
	io->dp = dp;
	io->idx = idx;
	io->lcore = lcore;
	io->burst = dp->cfg->workers.burst > IO_BURST ? IO_BURST :
						      dp->cfg->workers.burst;
	io->st = &dp->stats[lcore];
	io->hz = rte_get_tsc_hz();
	io->tsc_per_ms = io->hz / 1000 ? io->hz / 1000 : 1;
	io->tx_drain_tsc = io->hz / 1000000 * dp->cfg->poll.tx_drain_us;
	idle_init(&io->idle, dp->cfg->poll.idle_spin, 1, dp->cfg->poll.idle_max_us);
	for (p = 0; p < dp->n_workers; p++)
		shed_init(&io->shed[p]);
	io->shed_target = dp->cfg->workers.shed_backlog;
	for (p = 0; p < dp->n_ports; p++) {
		io->txbuf[p] = rte_zmalloc_socket("io_txbuf",
				RTE_ETH_TX_BUFFER_SIZE(IO_BURST), 0, socket);
		if (io->txbuf[p] == NULL)
			goto fail;
		rte_eth_tx_buffer_init(io->txbuf[p], IO_BURST);
		rte_eth_tx_buffer_set_err_callback(io->txbuf[p], io_tx_unsent,
						   io);
	}
	if (ip_reass_init(io) < 0)
		goto fail;
	return io;
fail:
	io_free(io);
	return NULL;
}

void io_free(struct io_ctx *io)
{
	uint16_t p;
	unsigned i;

	if (io == NULL)
		return;
	for (i = 0; i < io->n_wait; i++)
		rte_pktmbuf_free(io->wait[i].m);
	for (p = 0; p < CFG_MAX_PORTS; p++)
		rte_free(io->txbuf[p]);
	ip_reass_free(io);
	rte_free(io);
}

/* Replies from the workers, each starting at its IPv4 header. */
static unsigned io_drain_workers(struct io_ctx *io)
{
	struct rte_mbuf *pkts[IO_BURST];
	unsigned total = 0;
	uint16_t w, i, n;

	for (w = 0; w < io->dp->n_workers; w++) {
		n = rte_ring_sc_dequeue_burst(io->dp->tx_ring[w][io->idx],
					      (void **)pkts, io->burst, NULL);
		/* Replies were written on another core: fetch ahead. */
		for (i = 0; i < n && i < 2; i++)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
		for (i = 0; i < n; i++) {
			if (i + 2 < n)
				rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 2], void *));
			ip_out(io, pkts[i], pkt_meta(pkts[i])->port);
		}
		total += n;
	}
	return total;
}

static void io_timers(struct io_ctx *io, uint64_t now)
{
	io->next_timer_tsc = now + io->hz * IO_TIMER_MS / 1000;
	ip_reass_timer(io, now);
	for (uint16_t w = 0; w < io->dp->n_workers; w++)
		shed_tick(&io->shed[w], io->shed_target, SHED_STEP);
	if (io->n_wait)
		neigh_wait_poll(io, now);
	if (io->idx == 0)
		arp_announce_poll(io, now);
	if (io->tx_unsent) {
		io->st->drop[DROP_TX_FULL] += io->tx_unsent;
		io->tx_unsent = 0;
	}
}

int io_lcore_main(void *arg)
{
	struct io_ctx *io = arg;
	struct dp *dp = io->dp;
	struct rte_mbuf *pkts[IO_BURST];
	uint16_t p, n;

	SL_LOG(INFO, IO, "io lcore %u polling queue %u of %u port(s)\n",
	       io->lcore, io->idx, dp->n_ports);
	rte_rcu_qsbr_thread_register(dp->rcu, io->lcore);
	rte_rcu_qsbr_thread_online(dp->rcu, io->lcore);
	idle_open(&io->idle);
	while (!dp->stop) {
		unsigned work = 0;
		uint64_t now;

		for (p = 0; p < dp->n_ports; p++) {
			n = rte_eth_rx_burst(dp->ports[p].port_id, io->idx,
					     pkts, io->burst);
			if (n) {
				classify_burst(io, (uint8_t)p, pkts, n);
				work += n;
			}
		}
		disp_flush(io);
		work += io_drain_workers(io);
		now = rte_rdtsc();
		/* As DPDK's l2fwd does: a burst fills and goes by itself; what
		 * is less waits up to tx_drain_us for company (one sendto for
		 * several frames on a kernel-backed port). */
		if (now - io->tx_flush_tsc >= io->tx_drain_tsc) {
			/* frames sent are work: a poll that only flushes is busy */
			for (p = 0; p < dp->n_ports; p++)
				work += rte_eth_tx_buffer_flush(dp->ports[p].port_id, io->idx,
								io->txbuf[p]);
			io->tx_flush_tsc = now;
		}
		if ((int64_t)(now - io->next_timer_tsc) >= 0)
			io_timers(io, now);
		/* holds no tenant snapshot from here to the next burst */
		rte_rcu_qsbr_quiescent(dp->rcu, io->lcore);
		idle_step(&io->idle, io->st, work);
	}
	idle_close(&io->idle);
	rte_rcu_qsbr_thread_offline(dp->rcu, io->lcore);
	rte_rcu_qsbr_thread_unregister(dp->rcu, io->lcore);
	return 0;
}
