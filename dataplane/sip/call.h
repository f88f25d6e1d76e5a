/* SPDX-License-Identifier: MIT */
/*
 * Calls on a worker: the B2BUA's state. A call is an A leg (the caller's
 * INVITE dialog, answered through an INVITE server transaction) and up to
 * CALL_MAX_LEGS B legs (our INVITEs to the targets the control plane
 * chose, each with its own INVITE client transaction). Every message of a
 * call reaches the worker that owns it: the A leg by the hash of the
 * caller's Call-ID, the B legs by a Call-ID this worker makes so that it
 * hashes to itself (call_table.c), so no state is ever shared.
 *
 *   call_auth.c    who calls: a trunk, a registered device, or digest (407)
 *   call_setup.c   new INVITE → route request → B legs → answer or fail
 *   call_dialog.c  ACK, BYE, re-INVITE, UPDATE, INFO… once answered; CDR
 *   call_out.c     building and sending the messages of both legs
 *   call_table.c   slots, lookups, the arena, timers, call ends
 *
 * Memory: calls live in one array per worker, allocated at start (no
 * allocation per call). What only the set-up needs — the caller's INVITE,
 * our INVITEs for retransmission, the route decision while targets remain
 * — is held in mbufs that go back to the pool once the call is up, so an
 * established call costs sizeof(struct call) alone, and the calls ringing
 * at once are bounded by the packet pool the operator sizes
 * (mempool.mbufs), not by the control plane's message pool.
 *
 * Times are milliseconds of the TSC (monotonic) unless named _us (Unix
 * microseconds, for CDRs).
 */
#ifndef SLUICE_CALL_H
#define SLUICE_CALL_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_timer.h>

#include "cdr.h"
#include "cpmsg.h"
#include "sip/txn.h"
#include "sip_parse.h"

struct wrk_ctx;
struct rte_hash;
struct tenant_snap;

#define CALL_MAX_LEGS 4     /* B legs alive at once (forking to a user's devices) */
#define CALL_ARENA 896      /* bytes of strings a call keeps (Call-IDs, tags, URIs, routes) */
#define CALL_ROUTE_MAX 384  /* longest route set a dialog keeps; longer ones fail, never cut */
#define CALL_TRIED_LEN 96   /* targets tried, for the CDR */
#define CALL_ROUTE_WAIT_MS 500  /* a route decision later than this: fallback */
#define CALL_CDR_WAIT_MS 2000   /* BYE answered even without the CDR ack after this */

#include "sip/call_stats.h"

/* A string a call keeps, in its arena. */
struct call_str {
	uint16_t off;
	uint16_t len;
};

enum call_phase {
	CALL_FREE = 0,
	CALL_ROUTING,   /* A's INVITE waits for the route decision */
	CALL_TRYING,    /* B legs being tried */
	CALL_ANSWERED,  /* 2xx relayed to A, waiting for A's ACK */
	CALL_UP,        /* established */
	CALL_ENDING,    /* BYE: waiting for the CDR ack and the other side */
	CALL_FAILED,    /* final non-2xx sent to A, waiting for A's ACK */
};

enum call_leg_state {
	LEG_IDLE = 0,
	LEG_CALLING,    /* INVITE sent */
	LEG_EARLY,      /* 1xx received */
	LEG_CANCELLED,  /* CANCEL sent, waiting for the INVITE's final */
	LEG_DONE,       /* final non-2xx received (or timed out) */
	LEG_UP,         /* 2xx received: the B dialog */
};

/* One B leg: our INVITE to one contact of one target. */
struct call_leg {
	struct sip_txn ict;
	uint32_t ip;              /* where it goes (host order) */
	uint16_t port;
	uint8_t dp_port;
	uint8_t state;            /* enum call_leg_state */
	uint16_t code;            /* final status received, 408 on timer B */
	uint8_t target;           /* decision target it serves */
	uint8_t cancel_sent;
	uint32_t cancel_ivl;
	uint64_t cancel_at;       /* CANCEL retransmission (timer E-like), 0 none */
	struct call_str ruri;     /* Request-URI of our INVITE */
	struct call_str to_tag;   /* the callee's tag */
	struct call_str contact;  /* the callee's Contact URI (remote target) */
	struct call_str route;    /* the B dialog's route set: Record-Route of its
				   * 2xx (or tagged 1xx) reversed, a Route value */
	struct rte_mbuf *inv;     /* our INVITE, kept until its final response */
	uint32_t rseq_b;          /* RSeq of its last reliable 1xx (RFC 3262), 0 none */
	uint32_t rseq_a;          /* the RSeq that 1xx went to A with */
};

/* An in-dialog request relayed from one side to the other. */
struct call_relay {
	struct sip_txn txn;       /* ours towards the other side (ICT or NICT) */
	struct rte_mbuf *req;     /* the request received, kept until answered */
	struct rte_mbuf *out;     /* our request, kept for retransmission */
	struct rte_mbuf *resp;    /* the final response we sent back */
	uint32_t in_cseq;         /* CSeq of the request received */
	uint32_t out_cseq;        /* CSeq of ours */
	uint8_t method;           /* enum sip_method */
	uint8_t busy;             /* waiting for the other side's final */
	uint8_t ack_wait;         /* INVITE relayed and answered 2xx: ACK to relay */
};

enum call_side { CALL_A = 0, CALL_B = 1 };

struct call {
	struct rte_timer tim;
	uint64_t ref;             /* call_ref: worker << 48 | gen << 24 | slot */
	uint64_t armed_at;        /* when tim fires, UINT64_MAX if stopped */
	uint8_t phase;            /* enum call_phase */
	uint8_t n_legs;
	int8_t winner;            /* the leg that answered, -1 */
	int8_t early;             /* the leg whose tagged 1xx was relayed last, -1 */
	uint8_t next_target;      /* next decision target to try */
	uint8_t step0;            /* first leg of the targets being tried */
	uint8_t parallel;         /* the decision forks */
	uint8_t bye_from;         /* enum call_side that sent the BYE */
	uint8_t cdr_state;        /* 0 not sent, 1 sent, 2 acked */
	uint8_t disposition;      /* enum cdr_disposition */
	uint16_t tstate;          /* pkt_meta tenant: state index + 1 */
	uint16_t final_code;      /* final response to A's INVITE */
	uint8_t a_dp_port, a_io;
	uint8_t held;             /* holds a unit of the tenant's concurrent calls */
	uint8_t a_acked;
	uint16_t a_port;          /* where A's messages go (received/rport) */
	uint16_t our_port;        /* appliance port A reached */
	uint8_t on_fallback;      /* ringing the tenant's fallback targets */
	uint32_t a_ip;
	uint32_t our_ip;          /* appliance address A reached */
	uint32_t a_cseq;          /* CSeq of A's INVITE */
	uint32_t a_next_cseq;     /* ours towards A */
	uint32_t b_next_cseq;     /* ours on the B dialog */
	uint32_t a_rseq;          /* RSeq of the last reliable 1xx to A, 0 none */
	uint32_t snap_gen;
	uint64_t start_us, ring_us, answer_us, end_us;
	uint64_t ring_end;        /* ring time of the current targets ends */
	uint64_t route_end;       /* the decision is late after this */
	uint64_t resend_at;       /* next 2xx retransmission to A */
	uint32_t resend_ivl;
	uint64_t give_up;         /* 2xx never ACKed, BYE never answered, CDR never acked */
	struct sip_txn ist;       /* A's INVITE */
	struct rte_mbuf *a_inv;   /* A's INVITE, kept until the call is up */
	struct rte_mbuf *a_resp;  /* last response to A's INVITE (retransmissions) */
	struct rte_mbuf *bye_ok;  /* our 200 to the BYE received, sent once the CDR is safe */
	struct rte_mbuf *dec;     /* route decision, while targets or headers remain (call_dec) */
	struct call_relay rel[2]; /* [side]: request from that side being relayed */
	struct call_leg leg[CALL_MAX_LEGS];
	struct call_str a_call_id, a_from, a_to, a_contact;
	struct call_str a_route;  /* A's route set: Record-Route of its INVITE, in order */
	struct call_str b_call_id, b_from_tag, b_from, b_to;
	struct call_str caller, callee;
	uint16_t arena_len;
	uint16_t a_pack_off;      /* a_inv's parse kept at buf_addr + this, 0 none */
	/* tried[] and arena[] stay last: call_alloc zeroes what is before */
	char tried[CALL_TRIED_LEN];
	char arena[CALL_ARENA];
};

/* The route decision a call holds, or NULL. */
static inline const struct cpmsg_route_dec *call_dec(const struct call *c)
{
	return c->dec ? rte_pktmbuf_mtod(c->dec, const struct cpmsg_route_dec *) : NULL;
}

/* DESIGN.md: at most 2 KiB per established call (README has the figure) */
_Static_assert(sizeof(struct call) <= 2048, "struct call grew past 2 KiB");

/* One remembered Call-ID of an ended call; until 0 is an empty way. */
struct call_linger_way {
	uint64_t h;               /* the Call-ID's key (see call_table.c) */
	uint64_t until;           /* ms */
};

#define CALL_LINGER_WAYS 4        /* a set is one cache line */

/* The ACK of a B leg's non-2xx final as sent, kept for timer D (call_acks.c). */
#define CALL_ACKS 2048            /* entries a worker keeps, direct-mapped */
#define CALL_ACK_MAX 680          /* longest datagram kept (IPv4 header on) */
struct call_ack {
	uint64_t h;               /* the key of our INVITE's Via branch; 0 empty */
	uint64_t until;           /* ms */
	uint16_t len;
	uint8_t port, io;         /* pkt_meta of the datagram */
	uint8_t pad[4];
	uint8_t data[CALL_ACK_MAX];
};

/* Per-worker table of calls (call_table.c). */
struct call_table {
	struct call *calls;       /* [cap] */
	uint32_t cap;
	uint32_t *free;           /* stack of free slots */
	uint32_t n_free;
	uint32_t *gen;            /* [cap] generation of each slot */
	/* [cap] gen << 8 | enum cpmsg_call_state of each slot's call, for the
	 * live-calls API (call_live_state): the worker stores, any thread
	 * loads, both relaxed. A word of another generation is stale. */
	uint32_t *live;
	struct rte_hash *by_a;    /* A Call-ID → slot */
	/* Call-IDs of calls ended by a BYE, kept 64*T1 so a retransmitted
	 * BYE (our 200 lost) is answered 200, not 481: a set-associative
	 * cache, CALL_LINGER_WAYS ways a set, expired ways reused in place */
	struct call_linger_way *lg;
	uint32_t lg_sets;         /* power of two */
	struct call_ack *acks;    /* [CALL_ACKS] (call_acks.c) */
	uint64_t *c;              /* [CALL_C_COUNT]: the worker's stats_lcore call[] */
};

/* ---- call_table.c ---- */

/* The table for worker w with cap slots, on socket, counting into counters. */
struct call_table *call_table_create(uint16_t w, uint32_t cap, int socket, uint64_t *counters);
void call_table_free(struct call_table *t);

/* Free call slots: the worker writes the count, any lcore may read it
 * (the io lcore sheds new INVITEs with it before they reach a full table). */
static inline uint32_t call_table_room(const struct call_table *t)
{
	return __atomic_load_n(&t->n_free, __ATOMIC_RELAXED);
}

/* A fresh call (phase ROUTING, timer stopped), or NULL when full. */
struct call *call_alloc(struct wrk_ctx *w);

/* Ends c: releases its mbufs, message, concurrent-call unit and slot. */
void call_free(struct wrk_ctx *w, struct call *c);

/* Remembers the Call-ID of the side of c whose BYE ended it, until now + ms. */
void call_linger_add(struct wrk_ctx *w, const struct call *c, uint64_t now, uint32_t ms);

/* Did a call with this Call-ID end by a BYE lately? */
bool call_linger_has(struct wrk_ctx *w, const char *cid, size_t len, uint64_t now);

/* ---- call_acks.c ---- */

/* Keeps m, the ACK just built for a non-2xx final to our INVITE whose Via
 * branch is br[0..n), until now + timer D. */
void call_ack_keep(struct wrk_ctx *w, const char *br, size_t n, struct rte_mbuf *m,
		   uint64_t now);

/* A final to our INVITE with branch br[0..n) whose call is gone: sends the
 * ACK kept for it again. true if there was one. */
bool call_ack_again(struct wrk_ctx *w, const char *br, size_t n, uint64_t now);

/* The call of an A Call-ID, or NULL. */
struct call *call_by_a(struct wrk_ctx *w, const char *cid, size_t len);

/* Indexes c under its A Call-ID (call_str a_call_id). 0 or -errno. */
int call_index_a(struct wrk_ctx *w, struct call *c);

/* The call a B-leg Call-ID we made names (and that still has it), or NULL. */
struct call *call_by_b(struct wrk_ctx *w, const char *cid, size_t len);

/* The call of a call_ref, or NULL if it ended. */
struct call *call_by_ref(struct wrk_ctx *w, uint64_t ref);

/* Makes c's B Call-ID (hashing to this worker) and From tag. 0 or -ENOSPC. */
int call_make_b_ids(struct wrk_ctx *w, struct call *c);

/* Keeps s[0..n) in c's arena: the slice, or len 0 and -ENOSPC. */
int call_keep(struct call *c, struct call_str *out, const char *s, size_t n);

static inline const char *call_s(const struct call *c, struct call_str s)
{
	return c->arena + s.off;
}

/* Unix time in microseconds, for CDR timestamps. */
uint64_t call_unix_us(void);

/* Keeps m as A's INVITE (c->a_inv) with msg, its parse, in m's tailroom
 * when it fits, so that call_a_msg restores it instead of parsing. */
void call_keep_a_inv(struct call *c, struct rte_mbuf *m, const struct sip_msg *msg);

/* A's INVITE (c->a_inv) parsed into w->amsg; NULL if it is gone. */
const struct sip_msg *call_a_msg(struct wrk_ctx *w, struct call *c);

/* A message to the control plane about c, header filled and the first
 * size bytes of its body zeroed; NULL when the pool is empty. */
struct cpmsg *call_msg_get(struct wrk_ctx *w, const struct call *c, uint8_t type, size_t size);

/* The reason phrase of the response msg in buf, NUL-terminated in out, or dflt. */
const char *call_reason(const char *buf, const struct sip_msg *msg, char *out, size_t cap,
			const char *dflt);

/* Another message a call kept (a BYE, a relayed request) parsed into
 * w->amsg; NULL if it does not parse. */
const struct sip_msg *call_kept_msg(struct wrk_ctx *w, struct rte_mbuf *m);

/* Re-arms c's timer at the earliest of its deadlines. */
void call_arm(struct wrk_ctx *w, struct call *c);

static inline void call_count(struct call_table *t, enum call_counter k)
{
	t->c[k]++;
}

/* ---- call_auth.c ---- */

/* Who places a new INVITE, as call_auth found it. */
struct call_caller {
	int32_t trunk;   /* the tenant's trunk it came from, or -1 */
	int32_t user;    /* the user of the calling device, or -1 */
	const char *id;  /* the caller for the call: the From user (a trunk's number,
			  * a device trusted by its source) or the authenticated
			  * device's username; valid while m and the snapshot are */
	uint16_t id_len;
};

/*
 * Who calls with the new INVITE m (parsed in w->msg) of tenant ti of
 * snapshot s, whose From user is from_user: 0 with *who set, or -1 when m
 * was answered here (407 challenge, 403, 400; counted) and is no call.
 */
int call_auth(struct wrk_ctx *w, struct rte_mbuf *m, const struct tenant_snap *s, int ti,
	      struct sip_slice from_user, struct call_caller *who, uint64_t now);

/* ---- call_setup.c ---- */

/* A new INVITE (no To tag), parsed in w->msg; takes m. */
void call_invite(struct wrk_ctx *w, struct rte_mbuf *m);

/* A route decision from the control plane; takes msg. */
void call_decision(struct wrk_ctx *w, struct cpmsg *msg);

/* A response to one of our INVITEs on a B leg (msg parsed in w->msg). */
void call_b_invite_response(struct wrk_ctx *w, struct call *c, struct rte_mbuf *m);

/* CANCEL from A (parsed in w->msg); takes nothing. */
void call_cancel(struct wrk_ctx *w, struct call *c, struct rte_mbuf *m);

/* A's INVITE retransmitted, or A's ACK for a non-2xx final. */
void call_a_invite_again(struct wrk_ctx *w, struct call *c, struct rte_mbuf *m);

/* Timers of the set-up: ring time, route deadline, ICTs. */
void call_setup_timers(struct wrk_ctx *w, struct call *c, uint64_t now);

/* Sends the final non-2xx to A (code, with the tenant's reason). */
void call_fail(struct wrk_ctx *w, struct call *c, uint16_t code);

/* ---- call_dialog.c ---- */

/* A request with a To tag for call c from side `from` (parsed in w->msg). */
void call_in_dialog(struct wrk_ctx *w, struct call *c, enum call_side from,
		    struct rte_mbuf *m);

/* A response to a request we relayed or sent in a dialog (not B's INVITE). */
void call_dialog_response(struct wrk_ctx *w, struct call *c, enum call_side from,
			  struct rte_mbuf *m);

/* The CDR of c's call is on disk. */
void call_cdr_acked(struct wrk_ctx *w, struct call *c);

/* Timers of an answered call: 2xx resends, relays, BYE, CDR wait. */
void call_dialog_timers(struct wrk_ctx *w, struct call *c, uint64_t now);

/* Sends c's CDR to the control plane (once). */
void call_cdr_send(struct wrk_ctx *w, struct call *c);

/* Sends BYE on both legs (a call that must end: 2xx never ACKed). */
void call_hangup(struct wrk_ctx *w, struct call *c);

/* Publishes c's state (enum cpmsg_call_state) for the live-calls API:
 * one store, no message to the control plane. */
void call_live(struct wrk_ctx *w, struct call *c, uint8_t state);

/* ---- call_out.c ---- */

/* Our INVITE on leg l of c (from A's INVITE in a_inv); stores it in l->inv. */
int call_out_invite(struct wrk_ctx *w, struct call *c, struct call_leg *l, uint8_t li,
		    const char *extra_hdrs);

/* CANCEL for leg l's INVITE. */
void call_out_cancel(struct wrk_ctx *w, struct call *c, struct call_leg *l, uint8_t li);

/* ACK on leg l: for its non-2xx final (same branch) or its 2xx (new branch). */
void call_out_ack(struct wrk_ctx *w, struct call *c, struct call_leg *l, uint8_t li, bool ok);

/* The RSeq in the A dialog for the reliable 1xx of leg l in buf/msg, 0 if it
 * is not one (RFC 3262; call_out.c says how legs are numbered into one). */
uint32_t call_rseq_to_a(struct call *c, struct call_leg *l, const char *buf,
			const struct sip_msg *msg);

/* A response to A's INVITE (code, reason, body of the B response in rb/rmsg or none);
 * a reliable provisional with RSeq rseq (0: none; see call_rseq_to_a). */
void call_out_a_response(struct wrk_ctx *w, struct call *c, uint16_t code, const char *reason,
			 const char *rb, const struct sip_msg *rmsg, uint32_t rseq);

/*
 * Our request to side `to` in its dialog: method, cseq, body and content
 * type from the request in rb/rmsg (NULL: none). The mbuf built (kept by
 * the caller for retransmissions, sent once here), or NULL.
 */
struct rte_mbuf *call_out_request(struct wrk_ctx *w, struct call *c, enum call_side to,
				  enum sip_method method, uint32_t cseq, const char *rb,
				  const struct sip_msg *rmsg);

/* Answers the request in m (parsed in msg) with code; body from rb/rmsg or none. */
struct rte_mbuf *call_out_reply(struct wrk_ctx *w, struct rte_mbuf *m, const struct sip_msg *msg,
				uint16_t code, const char *reason, const char *rb,
				const struct sip_msg *rmsg, bool keep);

/* Sends a copy of a kept message (a retransmission). */
void call_out_again(struct wrk_ctx *w, struct rte_mbuf *kept);

#endif
