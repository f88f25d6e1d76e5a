/* SPDX-License-Identifier: MIT */
/*
 * SIP transactions (RFC 3261 §17, with RFC 6026's Accepted state): the four
 * state machines — INVITE client (ICT), non-INVITE client (NICT), INVITE
 * server (IST), non-INVITE server (NIST) — and the key that matches a
 * message to its transaction (§17.1.3, §17.2.3).
 *
 * This module decides and does nothing else. It owns no memory, sends
 * nothing, reads no clock and arms no timer: the worker that owns the call
 * keeps the transaction table, the message buffers and the timers, passes
 * the time in (monotonic milliseconds) with every event, and carries out
 * the actions each event returns. A transaction is a small plain struct
 * the caller embeds wherever it likes; events on it are O(1) and never fail.
 *
 * How the caller drives one transaction:
 *
 *	acts = sip_txn_on_xxx(t, ..., now);
 *	if (acts & SIP_TXN_ACT_SEND_REQUEST)  send the stored request again;
 *	if (acts & SIP_TXN_ACT_SEND_RESPONSE) send the response (on_send: the
 *	                                      one just given; otherwise the
 *	                                      last one sent) — keep it;
 *	if (acts & SIP_TXN_ACT_SEND_ACK)      build and send the ACK (§17.1.1.3);
 *	if (acts & SIP_TXN_ACT_PASS_UP)       hand the message to the TU;
 *	if (acts & SIP_TXN_ACT_ABSORB)        drop the message;
 *	if (acts & SIP_TXN_ACT_TIMEOUT)       tell the TU (Timer B, F or H);
 *	if (acts & SIP_TXN_ACT_TRANSPORT_ERROR) tell the TU;
 *	if (acts & SIP_TXN_ACT_TERMINATED)    cancel the timer, free t;
 *	else                                  (re)arm the timer at
 *	                                      sip_txn_deadline(t) if it moved.
 *
 * Every message event (a response, a request) returns exactly one of
 * PASS_UP and ABSORB. A timer callback calls sip_txn_on_timer(), which
 * fires whatever is due by `now`; called late, it fires each due timer
 * once (one retransmission, the interval doubles once, the next one is
 * measured from now), so a stalled core never bursts stale copies.
 *
 * Transport: UDP is unreliable; messages fed by the control plane from TCP
 * or TLS are started with reliable = true, which skips the retransmit
 * timers (A, E, G) and ends Completed/Confirmed at once (D, I, J, K = 0).
 *
 * Plain libc only (no DPDK), no allocation, no global state.
 */
#ifndef SLUICE_SIP_TXN_H
#define SLUICE_SIP_TXN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sip_parse.h"

/* A deadline that never comes: no timer pending. */
#define SIP_TXN_NEVER UINT64_MAX

/* RFC 3261 Table 4 defaults, milliseconds. */
#define SIP_TXN_T1 500u  /* RTT estimate */
#define SIP_TXN_T2 4000u /* longest retransmit interval (non-INVITE, INVITE responses) */
#define SIP_TXN_T4 5000u /* longest a message stays in the network */
#define SIP_TXN_D_MIN 32000u /* Timer D: at least 32 s on UDP (§17.1.1.2) */

/*
 * Timer lengths, milliseconds. sip_txn_cfg_init() fills the RFC values;
 * the config loader may then change single timers (a carrier often wants
 * a shorter B or F to fail over sooner). The retransmit timers need no
 * fields: A, E and G start at T1; E and G are capped at T2. I and K are T4.
 */
struct sip_txn_cfg {
	uint32_t t1;
	uint32_t t2;
	uint32_t t4;
	uint32_t b; /* ICT: no final response (64*T1) */
	uint32_t d; /* ICT Completed on UDP (>= 32 s) */
	uint32_t f; /* NICT: no final response (64*T1) */
	uint32_t h; /* IST Completed: no ACK (64*T1) */
	uint32_t j; /* NIST Completed on UDP (64*T1) */
	uint32_t l; /* IST Accepted, RFC 6026 (64*T1) */
	uint32_t m; /* ICT Accepted, RFC 6026 (64*T1) */
};

/* Sets t1, t2, t4 and derives B, F, H, J, L, M = 64*T1, D = max(32 s, 64*T1). */
void sip_txn_cfg_init(struct sip_txn_cfg *cfg, uint32_t t1, uint32_t t2,
		      uint32_t t4);

/*
 * 0 if the values can drive a transaction, -EINVAL if not: T1 > 0 (a
 * retransmit interval must move time forward), T2 >= T1, T4 > 0, and
 * B, F, H, L, M > 0 (a zero lifetime would end a transaction at its start).
 */
int sip_txn_cfg_check(const struct sip_txn_cfg *cfg);

/* X(id, name) */
#define SIP_TXN_KINDS(X) \
	X(ICT, "ict")    \
	X(NICT, "nict")  \
	X(IST, "ist")    \
	X(NIST, "nist")

enum sip_txn_kind {
#define SIP_X(id, s) SIP_TXN_##id,
	SIP_TXN_KINDS(SIP_X)
#undef SIP_X
	SIP_TXN_KIND_COUNT
};

/*
 * States of the four figures (RFC 3261 Figures 5-8, RFC 6026 Figures 5
 * and 7). Terminated comes first so that a zeroed struct is inert.
 */
#define SIP_TXN_STATES(X)           \
	X(TERMINATED, "terminated") \
	X(CALLING, "calling")       \
	X(TRYING, "trying")         \
	X(PROCEEDING, "proceeding") \
	X(COMPLETED, "completed")   \
	X(CONFIRMED, "confirmed")   \
	X(ACCEPTED, "accepted")

enum sip_txn_state {
#define SIP_X(id, s) SIP_TXN_STATE_##id,
	SIP_TXN_STATES(SIP_X)
#undef SIP_X
	SIP_TXN_STATE_COUNT
};

/* What an event asks of the caller; several may be set. X(id, name) */
#define SIP_TXN_ACTIONS(X)                                                  \
	X(SEND_REQUEST, "send_request")   /* retransmit the stored request */ \
	X(SEND_RESPONSE, "send_response") /* send the response (see above) */ \
	X(SEND_ACK, "send_ack")           /* ICT: ACK a 300-699 response */    \
	X(PASS_UP, "pass_up")             /* deliver the message to the TU */  \
	X(ABSORB, "absorb")               /* the transaction consumed it */    \
	X(TIMEOUT, "timeout")             /* Timer B, F or H fired */          \
	X(TRANSPORT_ERROR, "transport_error") /* tell the TU */              \
	X(TERMINATED, "terminated")       /* free the transaction */

enum sip_txn_action_bit {
#define SIP_X(id, s) SIP_TXN_ACT_BIT_##id,
	SIP_TXN_ACTIONS(SIP_X)
#undef SIP_X
	SIP_TXN_ACT_BIT_COUNT
};

enum sip_txn_action {
#define SIP_X(id, s) SIP_TXN_ACT_##id = 1u << SIP_TXN_ACT_BIT_##id,
	SIP_TXN_ACTIONS(SIP_X)
#undef SIP_X
};

/* flags */
#define SIP_TXN_F_RELIABLE 0x01 /* TCP/TLS: no retransmissions, no linger */

/*
 * One transaction. Two timer slots cover every state: retx_at holds the
 * retransmit timer (A, E or G) and end_at the timer that ends the state
 * (B, D, F, H, I, J, K, L or M); ICT Calling, NICT Trying/Proceeding and
 * IST Completed run both. The lengths still needed after the start are
 * copied from the config, so a reload never changes a running
 * transaction and the config need not outlive it.
 */
struct sip_txn {
	uint64_t retx_at;  /* Timer A, E or G; SIP_TXN_NEVER if not running */
	uint64_t end_at;   /* the state's end timer; SIP_TXN_NEVER if none */
	uint32_t interval; /* current A/E/G interval; IST: T1 until G runs */
	uint32_t t2;       /* cap of E and G */
	uint32_t linger;   /* D, K, I or J: 0 on reliable transports */
	uint32_t accept;   /* M (ICT) or L (IST): the Accepted state */
	uint32_t wait_ack; /* H (IST): how long Completed waits for the ACK */
	uint16_t status;   /* last response passed up (client) or sent (server); 0 none */
	uint8_t kind;      /* enum sip_txn_kind */
	uint8_t state;     /* enum sip_txn_state */
	uint8_t flags;     /* SIP_TXN_F_* */
};

_Static_assert(sizeof(struct sip_txn) == 48,
	       "struct sip_txn is 48 bytes; keep it within a cache line");

/*
 * Starts a client transaction whose request the caller is about to send
 * for the first time (kind ICT or NICT): ICT enters Calling with Timer A
 * (unreliable) and B; NICT enters Trying with E (unreliable) and F.
 * Returns SEND_REQUEST; for any other kind, leaves t Terminated and
 * returns TERMINATED. cfg must pass sip_txn_cfg_check().
 */
unsigned sip_txn_start_client(struct sip_txn *t, enum sip_txn_kind kind,
			      const struct sip_txn_cfg *cfg, bool reliable,
			      uint64_t now);

/*
 * Starts a server transaction for a request received for the first time
 * (kind IST or NIST): IST enters Proceeding, NIST Trying, with no timer
 * running. Returns PASS_UP; for any other kind, leaves t Terminated and
 * returns TERMINATED.
 *
 * 100 Trying is the TU's call: §17.2.1 wants the IST to send one unless
 * the TU answers within 200 ms. The worker knows whether it will (a route
 * decision from the control plane may take longer), so it sends the 100
 * itself through sip_txn_on_send(t, 100, now), right away or from a 200 ms
 * timer of its own; this module starts no such timer.
 */
unsigned sip_txn_start_server(struct sip_txn *t, enum sip_txn_kind kind,
			      const struct sip_txn_cfg *cfg, bool reliable,
			      uint64_t now);

/*
 * Client: a response (status 100-699) matched t. Out-of-range status, a
 * server transaction, or a Terminated one: ABSORB and nothing else.
 *
 * An ICT in Proceeding runs no timer (B guards Calling only): a call that
 * rings forever is ended by the TU's own ring timeout (a proxy's Timer C,
 * §16.8; the B2BUA's ring time), which CANCELs it.
 */
unsigned sip_txn_on_response(struct sip_txn *t, unsigned status, uint64_t now);

/*
 * Server: a request matched t — a retransmission of the request that
 * started it, or (is_ack, IST only) an ACK with the INVITE's branch.
 */
unsigned sip_txn_on_request(struct sip_txn *t, bool is_ack, uint64_t now);

/*
 * Server: the TU sends a response (100-699) through t. Returns
 * SEND_RESPONSE if it may go out — the caller sends it and keeps it as the
 * last response — or 0 if the state forbids it (a second final, 1xx after
 * a final); then it must not be sent.
 */
unsigned sip_txn_on_send(struct sip_txn *t, unsigned status, uint64_t now);

/* The timer armed at sip_txn_deadline(t) fired (or was late). */
unsigned sip_txn_on_timer(struct sip_txn *t, uint64_t now);

/*
 * The transport failed to send for t (§17.1.1.2, §17.1.2.2, §18.4). A
 * client transaction ends: TRANSPORT_ERROR | TERMINATED. A server
 * transaction informs the TU and stays where it is (RFC 6026 §8.8, which
 * replaces §17.2.4), so it keeps absorbing retransmissions until its
 * timers end it. In a state where t sends nothing the report cannot be
 * t's own and is ignored (0).
 */
unsigned sip_txn_on_transport_error(struct sip_txn *t);

/* The earliest pending deadline, or SIP_TXN_NEVER. */
static inline uint64_t sip_txn_deadline(const struct sip_txn *t)
{
	return t->retx_at < t->end_at ? t->retx_at : t->end_at;
}

/* "calling", "terminated", ... for logs and telemetry; "?" if out of range. */
const char *sip_txn_state_str(enum sip_txn_state state);

/* "ict", "nict", "ist", "nist"; "?" if out of range. */
const char *sip_txn_kind_str(enum sip_txn_kind kind);

/* ---------------------------------------------------------------------- */
/* Matching (§17.1.3, §17.2.3)                                            */

/*
 * The fixed-size key of a transaction in the worker's table: a keyed
 * 64-bit hash (SipHash-2-4) of the method — ACK counts as INVITE, CANCEL
 * is its own — the top Via branch, and the sent-by host (case-folded) and
 * port, plus the lengths in the clear. 16 bytes without padding, so it
 * compares with memcmp and hashes as it is.
 *
 * A digest rather than the bytes keeps the table small (a branch or host
 * has no useful bound, and UDP transactions live 32 s after they end, so
 * millions are alive at once). The hash is keyed with a secret seed per
 * worker, so no peer can aim branches at one table bucket or at another
 * caller's transaction. The chance that two live transactions share a key
 * is about n / 2^64 per lookup with n alive (1e-13 for a million); a
 * caller that keeps the request can compare branches to rule it out.
 *
 * The same function serves both sides: a server keys the request it
 * received, a client keys its request when sending it and each response
 * (a response carries the request's top Via and CSeq method unchanged).
 * To find the INVITE a CANCEL targets (§9.2), key the CANCEL with method
 * "INVITE".
 */
struct sip_txn_key {
	uint64_t hash;
	uint16_t method_len; /* after mapping ACK to INVITE */
	uint16_t branch_len; /* after the magic cookie */
	uint16_t host_len;
	uint16_t port;       /* 0 if the sent-by has none */
};

_Static_assert(sizeof(struct sip_txn_key) == 16, "sip_txn_key has no padding");

/* The per-worker secret: fill from a random source once at start. */
struct sip_txn_seed {
	uint64_t k0;
	uint64_t k1;
};

/* The RFC 3261 magic cookie that starts every compliant branch (§8.1.1.7). */
#define SIP_TXN_COOKIE "z9hG4bK"
#define SIP_TXN_COOKIE_LEN 7

/*
 * Builds the key from the method token (request method, or the CSeq
 * method of a response), the top Via branch, sent-by host and port. The
 * branch and method compare case-sensitively, the host does not; the port
 * is taken as written (a retransmission repeats its Via exactly, so
 * "host" and "host:5060" need not be made equal).
 *
 * Returns 0, or -ENOTSUP if the branch does not start with the magic
 * cookie (case-sensitive): the message comes from an RFC 2543 element,
 * whose transactions would need the old Request-URI/To-tag/From-tag/
 * Call-ID/CSeq/Via matching of §17.2.3. That is not implemented: the
 * caller treats such a message as matching no transaction (a request is
 * handled statelessly or rejected, a response is dropped). -EINVAL if a
 * length exceeds UINT16_MAX or the method is empty.
 */
int sip_txn_key_make(struct sip_txn_key *key, const struct sip_txn_seed *seed,
		     const char *method, size_t method_len, const char *branch,
		     size_t branch_len, const char *host, size_t host_len,
		     uint16_t port);

/*
 * sip_txn_key_make() on a parsed message in buf: CSeq method (equal to the
 * request method for requests; the parser checks), top Via branch, sent-by
 * host and port. Same returns.
 */
int sip_txn_key_from_msg(struct sip_txn_key *key,
			 const struct sip_txn_seed *seed, const char *buf,
			 const struct sip_msg *m);

#endif
