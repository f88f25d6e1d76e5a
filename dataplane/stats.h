/* SPDX-License-Identifier: MIT */
/*
 * Per-lcore counters. Each polling lcore owns one cache-aligned struct
 * stats_lcore and is its only writer; readers (telemetry on its own thread)
 * sum them. 64-bit aligned loads and stores are atomic on the targets we
 * build for, so a reader sees each counter whole, never torn.
 */
#ifndef SLUICE_STATS_H
#define SLUICE_STATS_H

#include <stdint.h>

#include <rte_common.h>
#include <rte_lcore.h>

#include "sip/call_stats.h"
#include "sip_parse.h"

enum drop_reason {
#define X(id, name, help) DROP_##id,
#include "drop.def"
#undef X
	DROP_COUNT
};

enum lcore_role {
	ROLE_NONE = 0,
	ROLE_MAIN,
	ROLE_IO,
	ROLE_WORKER,
};

struct stats_lcore {
	/* io lcore */
	uint64_t rx;            /* frames received from ports */
	uint64_t rx_bytes;
	uint64_t arp_in;        /* ARP frames handled */
	uint64_t arp_replies;   /* ARP replies sent for our addresses */
	uint64_t arp_requests;  /* ARP requests sent to resolve next hops */
	uint64_t arp_announces; /* gratuitous ARP for our addresses (link up) */
	uint64_t icmp_echo;     /* echo requests answered */
	uint64_t frags_in;      /* IPv4 fragments received */
	uint64_t reassembled;   /* datagrams completed from fragments */
	uint64_t sip_in;        /* SIP messages parsed and dispatched */
	uint64_t rtp_in;        /* RTP/RTCP datagrams dispatched */
	uint64_t tx;            /* frames handed to ports */
	uint64_t tx_bytes;
	uint64_t tx_frags;      /* fragments made from large datagrams */
	uint64_t sip_req[SIP_METHOD_COUNT]; /* by method, counted at dispatch */
	uint64_t sip_resp[7];   /* by class: [1] = 1xx … [6] = 6xx */
	uint64_t sip_perr[SIP_PERR_COUNT];  /* parse errors by code */
	uint64_t adm_404;       /* new requests no tenant claims, answered 404 */
	uint64_t adm_403;       /* REGISTERs no tenant claims, answered 403 */
	uint64_t adm_503_cps;   /* INVITEs over their tenant's calls per second */
	uint64_t adm_503_calls; /* INVITEs over their tenant's concurrent calls */
	uint64_t adm_503_load;  /* new INVITEs shed: their worker's ring a quarter full */
	uint64_t adm_503_backlog; /* new INVITEs shed: their worker's backlog standing (shed.h) */
	uint64_t adm_503_table; /* new INVITEs shed: their worker's call table full */
	uint64_t ack_own;       /* ACKs of our stateless replies, absorbed here */

	/* worker */
	uint64_t w_rx;          /* messages taken from the io rings */
	uint64_t w_options;     /* OPTIONS answered 200 */
	uint64_t w_not_impl;    /* requests answered 501 */
	uint64_t w_reg_ok;      /* REGISTERs that bound, removed or listed (200) */
	uint64_t w_reg_challenged; /* REGISTERs answered 401 with a digest challenge */
	uint64_t w_reg_denied;  /* REGISTERs refused (403, 400, 423, 500) */
	uint64_t w_reg_lapsed;  /* bindings removed because their expiry passed */
	uint64_t w_auth_replay; /* REGISTERs and INVITEs whose credentials verified
				   with a nonce count already used: challenged again */
	uint64_t w_ack;         /* ACKs absorbed */
	uint64_t w_responses;   /* responses absorbed */
	uint64_t w_rtp;         /* RTP/RTCP datagrams with no session yet */
	uint64_t w_tx;          /* replies handed to an io lcore */

	uint64_t call[CALL_C_COUNT]; /* the call engine's (sip/call_stats.h) */

	uint64_t drop[DROP_COUNT];

	/* busy/idle accounting (see idle.h) */
	uint64_t busy_cycles;
	uint64_t idle_cycles;
	uint64_t preempt_cycles; /* loops with work, off the CPU part-way */
} __rte_cache_aligned;

/* Name and help text of a drop reason. */
const char *stats_drop_name(enum drop_reason r);
const char *stats_drop_help(enum drop_reason r);

#endif
