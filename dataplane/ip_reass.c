/* SPDX-License-Identifier: MIT */
/*
 * IPv4 reassembly with DPDK's rte_ip_frag, one table per io lcore.
 *
 * A fragment is handed to the table; when the last piece arrives the table
 * returns the datagram as an mbuf chain, which is copied into one contiguous
 * mbuf (from the big pool when it exceeds a normal mbuf) because the SIP
 * parser and the workers read the payload as flat bytes. Datagrams larger
 * than a SIP message may be are refused. Incomplete datagrams expire after
 * net.frag_timeout_ms and are counted as frag_timeout.
 *
 * In:  m starts at the IPv4 header, m->l3_len set.
 * Out: the whole datagram starting at its IPv4 header, or NULL.
 */
#include <rte_cycles.h>
#include <rte_ip.h>

#include "io_lcore.h"

#define REASS_BUCKETS 1024
#define REASS_BUCKET_ENTRIES 8
/* Largest datagram accepted: a SIP message plus its IPv4 and UDP headers. */
#define REASS_MAX (SIP_MSG_MAX + 60 + 8)

int ip_reass_init(struct io_ctx *io)
{
	uint64_t ttl = io->hz * io->dp->cfg->net.frag_timeout_ms / 1000;

	io->frag_tbl = rte_ip_frag_table_create(REASS_BUCKETS,
			REASS_BUCKET_ENTRIES,
			REASS_BUCKETS * REASS_BUCKET_ENTRIES, ttl,
			rte_lcore_to_socket_id(io->lcore));
	return io->frag_tbl ? 0 : -ENOMEM;
}

void ip_reass_free(struct io_ctx *io)
{
	if (io->frag_tbl == NULL)
		return;
	rte_ip_frag_free_death_row(&io->death_row, 0);
	rte_ip_frag_table_destroy(io->frag_tbl);
	io->frag_tbl = NULL;
}

/* Copies a chained datagram into one contiguous mbuf. */
static struct rte_mbuf *ip_reass_flatten(struct io_ctx *io, struct rte_mbuf *m)
{
	struct rte_mempool *mp = io->dp->pool;
	struct rte_mbuf *flat;
	char *dst;

	if (m->pkt_len > (uint32_t)rte_pktmbuf_data_room_size(mp) - RTE_PKTMBUF_HEADROOM)
		mp = io->dp->big_pool;
	flat = rte_pktmbuf_alloc(mp);
	if (flat == NULL) {
		io_drop(io, m, DROP_NOMBUF);
		return NULL;
	}
	dst = rte_pktmbuf_append(flat, m->pkt_len);
	if (dst == NULL ||
	    rte_pktmbuf_read(m, 0, m->pkt_len, dst) == NULL) {
		rte_pktmbuf_free(flat);
		io_drop(io, m, DROP_FRAG_FAIL);
		return NULL;
	}
	flat->port = m->port;
	flat->l3_len = m->l3_len;
	rte_pktmbuf_free(m);
	return flat;
}

struct rte_mbuf *ip_reass_input(struct io_ctx *io, struct rte_mbuf *m,
				uint64_t now)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);
	struct rte_mbuf *whole;

	io->st->frags_in++;
	/* rte_ip_frag expects l2_len/l3_len; our data starts at L3. */
	m->l2_len = 0;
	whole = rte_ipv4_frag_reassemble_packet(io->frag_tbl, &io->death_row,
						m, now, ip);
	if (io->death_row.cnt) {
		/* Fragments the table refused: overlaps, too many pieces
		 * (DPDK's build allows RTE_LIBRTE_IP_FRAG_MAX_FRAG), or a
		 * full bucket. */
		io->st->drop[DROP_FRAG_FAIL] += io->death_row.cnt;
		rte_ip_frag_free_death_row(&io->death_row, 0);
	}
	if (whole == NULL)
		return NULL; /* kept for later, or freed as a bad fragment */
	io->st->reassembled++;
	if (whole->pkt_len > REASS_MAX) {
		io_drop(io, whole, DROP_FRAG_TOO_BIG);
		return NULL;
	}
	if (whole->nb_segs > 1)
		whole = ip_reass_flatten(io, whole);
	return whole;
}

void ip_reass_timer(struct io_ctx *io, uint64_t now)
{
	uint32_t before = io->death_row.cnt;

	rte_ip_frag_table_del_expired_entries(io->frag_tbl, &io->death_row, now);
	io->st->drop[DROP_FRAG_TIMEOUT] += io->death_row.cnt - before;
	rte_ip_frag_free_death_row(&io->death_row, 0);
}
