/* SPDX-License-Identifier: MIT */
/*
 * disp: hands SIP and RTP datagrams from an io lcore to the worker that owns
 * them (see disp.h for the mapping). SIP is light-parsed here first: a
 * message that does not parse never costs a worker anything; it is counted
 * by parse error and dropped. Packets are batched per worker and enqueued
 * once per rx burst (disp_flush); a full worker ring drops the packets and
 * counts worker_ring, so a congested worker never stalls the io lcore.
 *
 * In: m starts at the IPv4 header, pkt_meta filled by classify.
 */
#include <rte_ring.h>

#include "admit.h"
#include "disp.h"
#include "io_lcore.h"
#include "pkt.h"
#include "sip_reply.h"

/* A congested worker's share is dropped, with what admission held for it. */
static void disp_ring_full(struct io_ctx *io, struct rte_mbuf **pkts, unsigned n)
{
	io->st->drop[DROP_WORKER_RING] += n;
	for (unsigned i = 0; i < n; i++)
		admit_release(io->dp, pkts[i]);
	rte_pktmbuf_free_bulk(pkts, n);
}

/* Hands worker w the n packets batched for it; what its ring has no room
 * for is dropped. The backlog they joined is overload control's sample. */
static void disp_hand(struct io_ctx *io, uint16_t w, uint16_t n)
{
	struct rte_ring *r = io->dp->rx_ring[io->idx][w];
	unsigned room, sent = rte_ring_sp_enqueue_burst(r, (void **)io->batch[w], n, &room);

	shed_sample(&io->shed[w], rte_ring_get_capacity(r) - room - sent);
	if (sent < n)
		disp_ring_full(io, &io->batch[w][sent], n - sent);
	io->n_batch[w] = 0;
}

static void disp_enqueue(struct io_ctx *io, uint16_t w, struct rte_mbuf *m)
{
	io->batch[w][io->n_batch[w]++] = m;
	if (io->n_batch[w] == IO_BURST)
		disp_hand(io, w, IO_BURST);
}

void disp_sip(struct io_ctx *io, struct rte_mbuf *m)
{
	struct pkt_meta *meta = pkt_meta(m);
	struct sip_msg *msg = &io->msg;
	const char *buf = pkt_payload(m);
	int rc = sip_parse_lazy(buf, meta->payload_len, msg);
	uint16_t w;

	if (rc < 0) {
		/* Corrupted in flight, or malformed as sent? (see pkt_udp_ok) */
		if (!pkt_udp_ok(m)) {
			io_drop(io, m, DROP_UDP_BAD);
			return;
		}
		io->st->sip_perr[-rc < SIP_PERR_COUNT ? -rc : 0]++;
		io_drop(io, m, DROP_SIP_PARSE);
		return;
	}
	if (!admit_sip(io, m, msg))
		return;
	meta->kind = PKT_SIP;
	meta->sip_method = msg->method;
	if (msg->method != SIP_METHOD_NONE)
		io->st->sip_req[msg->method]++;
	else
		io->st->sip_resp[msg->status / 100]++;
	io->st->sip_in++;
	if (sip_reply_acks_own(io->dp->tag_seed, buf, msg)) {
		io->st->ack_own++;
		rte_pktmbuf_free(m);
		return;
	}
	w = disp_worker_of(disp_hash(buf + msg->call_id.off, msg->call_id.len),
			   io->dp->n_workers);
	if (!admit_load(io, m, msg, w))
		return;
	disp_enqueue(io, w, m);
}

void disp_rtp(struct io_ctx *io, struct rte_mbuf *m)
{
	uint16_t w = disp_rtp_worker(pkt_meta(m)->dst_port, io->dp->rtp_min,
				     io->dp->rtp_per_worker);

	pkt_meta(m)->kind = PKT_RTP;
	io->st->rtp_in++;
	disp_enqueue(io, w < io->dp->n_workers ? w : io->dp->n_workers - 1, m);
}

void disp_flush(struct io_ctx *io)
{
	uint16_t w;

	for (w = 0; w < io->dp->n_workers; w++)
		if (io->n_batch[w])
			disp_hand(io, w, io->n_batch[w]);
}
