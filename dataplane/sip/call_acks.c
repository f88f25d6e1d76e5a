/* SPDX-License-Identifier: MIT */
/*
 * The ACKs of B legs' non-2xx finals, kept for timer D (RFC 3261
 * §17.1.1.2). When our ACK to a callee's 486 is lost, the callee sends the
 * 486 again; by then the call may be gone (the caller's ACK of the relayed
 * final ended it), and with it the leg's transaction. A final that names
 * no call is looked up here by its top Via branch, which is ours, and the
 * same ACK goes out again, byte for byte, as the client transaction in
 * Completed would send it.
 *
 * Direct-mapped by a hash of the branch, CALL_ACKS datagrams a worker: a
 * newer ACK in the same entry replaces an older one before its time
 * (counted calls_ack_evicted), so memory stays bounded whatever the rate
 * of failed calls; the retransmission it would have answered then goes
 * unACKed, and the callee's timer H ends its transaction, as before.
 * Written here rather than with rte_hash for that reason: an entry only
 * has to outlive timer D, and a put is one copy with no delete.
 */
#include <string.h>

#include "disp.h"
#include "pkt.h"
#include "sip/call.h"
#include "worker.h"

static uint64_t call_ack_key(const char *br, size_t n)
{
	return ((uint64_t)disp_crc(br, (uint32_t)n, 0x2545f491u) << 32 |
		disp_crc(br, (uint32_t)n, 0x9e3779b9u)) | 1; /* never 0 */
}

static struct call_ack *call_ack_of(struct wrk_ctx *w, uint64_t h)
{
	return &w->calls->acks[(h >> 32) & (CALL_ACKS - 1)];
}

void call_ack_keep(struct wrk_ctx *w, const char *br, size_t n, struct rte_mbuf *m,
		   uint64_t now)
{
	uint64_t h = call_ack_key(br, n);
	struct call_ack *a = call_ack_of(w, h);

	if (m->nb_segs != 1 || m->data_len > CALL_ACK_MAX)
		return; /* not kept (a Request-URI this long is rare): a repeat
			 * of its final goes unACKed, as before */
	if (a->h != 0 && a->h != h && a->until > now)
		call_count(w->calls, CALL_C_ACK_EVICTED);
	a->h = h;
	a->until = now + w->txn.d;
	a->len = m->data_len;
	a->port = pkt_meta(m)->port;
	a->io = pkt_meta(m)->io;
	memcpy(a->data, rte_pktmbuf_mtod(m, const void *), m->data_len);
}

bool call_ack_again(struct wrk_ctx *w, const char *br, size_t n, uint64_t now)
{
	uint64_t h = call_ack_key(br, n);
	const struct call_ack *a = call_ack_of(w, h);
	struct rte_mbuf *m;
	char *p;

	if (a->h != h || a->until <= now)
		return false;
	m = rte_pktmbuf_alloc(w->dp->pool);
	if (m == NULL) {
		w->st->drop[DROP_NOMBUF]++;
		return true;
	}
	p = rte_pktmbuf_append(m, a->len);
	if (p == NULL) {
		rte_pktmbuf_free(m);
		w->st->drop[DROP_NOMBUF]++;
		return true;
	}
	memcpy(p, a->data, a->len);
	pkt_meta(m)->port = a->port;
	pkt_meta(m)->io = a->io;
	call_count(w->calls, CALL_C_ACK_AGAIN);
	wrk_send(w, m);
	return true;
}
