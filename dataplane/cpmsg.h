/* SPDX-License-Identifier: MIT */
/*
 * The message interface between the dataplane and the control plane
 * (DESIGN.md, "Shape of the process"): fixed-size typed messages from one
 * mempool, passed by pointer over one SP/SC rte_ring pair per worker.
 *
 *   worker w ──up[w]───► control plane   route requests, CDRs, call events
 *   worker w ◄──down[w]── control plane   route decisions, CDR acks
 *
 * A worker never waits on the control plane: it parks the transaction
 * that asked and goes on; a decision arriving after its deadline is
 * dropped by the worker (the call has moved on to the tenant's fallback),
 * and a full ring or an empty pool makes the worker take that fallback at
 * once. The sender allocates a message, the receiver frees it.
 *
 * Messages carry indices into the tenant snapshot they were made under
 * (snap_gen): a receiver holding a newer snapshot re-resolves by id.
 */
#ifndef SLUICE_CPMSG_H
#define SLUICE_CPMSG_H

#include <stdint.h>

#include "cdr.h"

#define CPMSG_NUM_LEN 64
#define CPMSG_HOST_LEN 64
#define CPMSG_URI_LEN 128
#define CPMSG_MAX_TARGETS 8
#define CPMSG_HDRS_LEN 256

enum cpmsg_type {
	CPMSG_ROUTE_REQ = 1, /* worker → cp: where does this new call go? */
	CPMSG_ROUTE_DEC,     /* cp → worker: the answer */
	CPMSG_CDR,           /* worker → cp: a call ended */
	CPMSG_CDR_ACK,       /* cp → worker: that CDR is on disk */
};

/* Where a new call came from, and what it asks for. */
struct cpmsg_route_req {
	uint32_t tenant;      /* tenant index in snapshot snap_gen */
	int32_t trunk;        /* index of the tenant's trunk it came from, -1 if none */
	int32_t user;         /* index of the calling user, -1 if not a user */
	uint32_t src_ip;      /* host byte order */
	uint16_t src_port;
	uint64_t deadline_ms; /* monotonic; later decisions are dropped */
	char caller[CPMSG_NUM_LEN]; /* From user part; an authenticated device's username */
	char callee[CPMSG_NUM_LEN]; /* request-URI user part, normalised */
	char ruri_host[CPMSG_HOST_LEN];
};

enum cpmsg_target_kind {
	CPMSG_T_USER = 1,  /* ring every registered device of a user */
	CPMSG_T_TRUNK,     /* send to a trunk with the callee as the user part */
	CPMSG_T_URI,       /* send to a URI (host must be an IPv4 address) */
};

struct cpmsg_target {
	uint8_t kind;        /* enum cpmsg_target_kind */
	uint16_t ring_s;     /* ring time; 0 = the tenant's max_ring_s */
	int32_t index;       /* user or trunk index in the tenant */
	char uri[CPMSG_URI_LEN]; /* CPMSG_T_URI, or the request-URI for a trunk */
};

enum cpmsg_action {
	CPMSG_A_ROUTE = 1,  /* try the targets */
	CPMSG_A_REJECT,     /* answer the caller with reject_code */
};

struct cpmsg_route_dec {
	uint8_t action;        /* enum cpmsg_action */
	uint8_t parallel;      /* ring all targets at once (fork), else in order */
	uint8_t n_targets;
	uint8_t fallback;      /* these are the tenant's fallback targets */
	uint16_t reject_code;  /* 4xx-6xx for CPMSG_A_REJECT */
	struct cpmsg_target targets[CPMSG_MAX_TARGETS];
	char headers[CPMSG_HDRS_LEN]; /* added to each B-leg INVITE, CRLF-ended lines */
};

enum cpmsg_call_state {
	CPMSG_CALL_ROUTING = 1,
	CPMSG_CALL_RINGING,
	CPMSG_CALL_ANSWERED,
	CPMSG_CALL_ENDED,
};

struct cpmsg {
	uint8_t type;        /* enum cpmsg_type */
	uint8_t worker;      /* worker index that sent it or is to get it */
	uint32_t snap_gen;   /* tenant snapshot generation the indices refer to */
	uint64_t call_ref;   /* the call it is about (see struct cdr) */
	union {
		struct cpmsg_route_req route_req;
		struct cpmsg_route_dec route_dec;
		struct cdr cdr;
	} u;
};

#endif
