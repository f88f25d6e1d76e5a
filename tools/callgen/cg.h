/* SPDX-License-Identifier: MIT */
/*
 * sluice-callgen: a SIP call generator on a DPDK port, for driving sluice
 * (or any SIP B2BUA or proxy) at rates a kernel-socket tool such as SIPp
 * cannot reach on a small box.
 *
 * One polling lcore runs a UAC and a UAS side by side on one port:
 *
 *   UAC  INVITE (SDP offer) → 1xx → 200 → ACK → hold → BYE → 200
 *   UAS  INVITE → 180, 200 (SDP answer) → ACK … BYE → 200
 *
 * Each side keeps its calls in a fixed array of small slots. A UAC call's
 * slot number and generation are written into its Call-ID and From tag, a
 * UAS call's into its To tag, so every in-dialog message and response
 * finds its slot by index (O(1), no lookup). The one exception is an
 * initial INVITE at the UAS: its Call-ID was chosen by the far end, and a
 * retransmission of it must find the call it already made, so the UAS
 * keeps an rte_hash of the Call-IDs of its live calls for that case only.
 *
 * Requests are retransmitted on RFC 3261's T1/T2 timers (the UAC's INVITE
 * and BYE, the UAS's 2xx until the ACK), and every call has a deadline, so
 * loss shows up as retransmissions and failed calls, never as a hang; the
 * whole run is bounded in calls and in seconds.
 *
 * Files: main.c (options, EAL, port, the loop), net.c (frames, ARP, tx),
 * sipmsg.c (building and reading SIP messages), uac.c, uas.c, reg.c
 * (REGISTER with digest auth), wheel.c (timers), stats.c (the report).
 */
#ifndef CALLGEN_CG_H
#define CALLGEN_CG_H

#include <stdbool.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "sip_parse.h"

#define CG_BURST        32
#define CG_TXBUF        1024    /* frames queued for the port */
#define CG_USER_MAX     64      /* caller/callee user part */
#define CG_TAG_MAX      48      /* stored far-end tag */
#define CG_URI_MAX      96      /* stored far-end Contact URI */
#define CG_NIL          UINT32_MAX

/* ---- options ---- */

struct cg_opts {
	uint64_t total;          /* calls the UAC makes (always bounded) */
	uint32_t rate;           /* calls/s; 0 = as fast as the window allows */
	uint32_t window;         /* most UAC calls in progress at once */
	uint32_t duration_s;     /* hard cap on the run */
	uint32_t hold_ms;        /* ACK → BYE */
	uint32_t t1_ms, t2_ms;   /* RFC 3261 timers */
	uint32_t call_timeout_ms; /* INVITE → final response */
	uint32_t uac_ip, uas_ip; /* host order */
	uint16_t uac_port, uas_port;
	uint32_t target_ip;      /* where the UAC sends INVITEs (sluice) */
	uint16_t target_port;
	uint32_t gw_ip;          /* next hop whose MAC frames go to; 0 = target */
	struct rte_ether_addr peer_mac;
	bool have_peer_mac;
	bool uac, uas;           /* roles run by this process */
	bool json;
	bool quiet;
	char caller[CG_USER_MAX];
	char callee[CG_USER_MAX];
	/* REGISTER of the UAS before calls (empty user = none) */
	char reg_user[CG_USER_MAX];
	char reg_pass[CG_USER_MAX];
	char reg_domain[CG_USER_MAX];
	uint32_t reg_expires;
	uint16_t port_id;
	uint32_t mbufs;
	uint32_t rx_loss_ppm;     /* test: drop this share of received frames */
};

/* ---- counters ---- */

#define CG_UAC_STATS(X)                                                         \
	X(attempted, "INVITEs sent for new calls")                              \
	X(established, "calls answered 2xx (ACK sent)")                         \
	X(completed, "calls ended by BYE and its 2xx")                          \
	X(failed, "calls that did not complete (sum of the reasons)")           \
	X(fail_timeout, "failed: no final response to the INVITE in time")     \
	X(fail_4xx, "failed: 4xx to the INVITE")                                \
	X(fail_5xx, "failed: 5xx to the INVITE other than 503")                 \
	X(fail_503, "failed: 503 to the INVITE")                                \
	X(fail_6xx, "failed: 6xx to the INVITE")                                \
	X(fail_3xx, "failed: 3xx to the INVITE")                                \
	X(fail_bye_timeout, "failed: no final response to the BYE in time")     \
	X(fail_bye_status, "failed: BYE answered with a non-2xx final")         \
	X(fail_peer_bye, "failed: the far end sent BYE first")                  \
	X(unfinished, "calls still in progress when the run stopped")           \
	X(rx_100, "100 Trying received")                                        \
	X(rx_18x, "180/183 received")                                           \
	X(rx_1xx_other, "other provisional responses received")                 \
	X(rx_2xx_retrans, "2xx to INVITE received again (ACK resent)")          \
	X(invite_retrans, "INVITE retransmissions")                             \
	X(bye_retrans, "BYE retransmissions")                                   \
	X(stale, "responses for calls no longer in progress")                   \
	X(window_full, "loops where the window held back a due call")           \
	X(setup_ms_sum, "sum of INVITE → 2xx times, ms")                        \
	X(setup_ms_max, "longest INVITE → 2xx time, ms")

#define CG_UAS_STATS(X)                                                         \
	X(invites, "new INVITEs answered 180 + 200")                            \
	X(invite_retrans, "INVITE retransmissions received (2xx resent)")       \
	X(reinvites, "in-dialog INVITEs answered 200")                          \
	X(acks, "ACKs that confirmed a call")                                   \
	X(acks_stray, "ACKs matching no call awaiting one")                     \
	X(byes, "BYEs that ended a call (200 sent)")                            \
	X(bye_retrans, "BYEs for calls already ended (200 sent again)")         \
	X(ok_retrans, "2xx retransmissions while waiting for the ACK")         \
	X(no_ack, "calls given up without an ACK (64*T1)")                      \
	X(not_ours, "INVITEs for users not ours (404 sent)")                   \
	X(full, "INVITEs refused for lack of a slot (503 sent)")               \
	X(no_dialog, "in-dialog requests for no dialog (481 sent)")            \
	X(options, "OPTIONS answered 200")                                      \
	X(cancels, "CANCELs answered 200 (after the final response)")          \
	X(not_impl, "other requests answered 501")                              \
	X(responses, "responses received (REGISTER's counted in reg_*)")       \
	X(reg_sent, "REGISTERs sent (with retransmissions)")                    \
	X(reg_ok, "REGISTERs answered 2xx")                                     \
	X(reg_challenged, "REGISTERs answered 401/407")                         \
	X(reg_failed, "REGISTERs answered with another final response")

#define CG_NET_STATS(X)                                                         \
	X(rx, "frames received")                                                \
	X(rx_lost, "frames dropped on purpose (--rx-loss)")                     \
	X(rx_bytes, "bytes received")                                           \
	X(tx, "frames sent")                                                    \
	X(tx_bytes, "bytes sent")                                               \
	X(tx_drop, "frames the port would not take")                           \
	X(nombuf, "frames not built for lack of an mbuf")                       \
	X(too_big, "messages that did not fit an mbuf")                         \
	X(arp_in, "ARP frames received")                                        \
	X(arp_replies, "ARP replies sent")                                      \
	X(arp_requests, "ARP requests sent")                                    \
	X(not_ours, "frames not for our addresses")                             \
	X(bad_frame, "malformed or fragmented IPv4/UDP")                        \
	X(bad_cksum, "UDP checksum errors")                                     \
	X(sip_perr, "SIP parse errors")                                         \
	X(sip_rx, "SIP messages received")                                      \
	X(sip_tx, "SIP messages sent")

#define CG_X(name, help) uint64_t name;
struct cg_uac_stats { CG_UAC_STATS(CG_X) };
struct cg_uas_stats { CG_UAS_STATS(CG_X) };
struct cg_net_stats { CG_NET_STATS(CG_X) };
#undef CG_X

/* ---- timers: a hashed wheel of 1 ms ticks over a slot array ---- */

#define CG_WHEEL_BITS 16
#define CG_WHEEL_SIZE (1u << CG_WHEEL_BITS)

struct cg;

struct cg_wheel {
	uint32_t *next;          /* per slot; CG_NIL ends a bucket's list */
	uint32_t *prev;          /* per slot; CG_NIL: first in its bucket */
	uint32_t *due;           /* per slot: ms tick it fires at */
	uint8_t *armed;
	uint32_t head[CG_WHEEL_SIZE];
	uint32_t now;            /* last tick processed */
	void (*fire)(struct cg *cg, uint32_t slot);
};

int wheel_init(struct cg_wheel *w, uint32_t n, void (*fire)(struct cg *, uint32_t));
void wheel_free(struct cg_wheel *w);
void wheel_arm(struct cg_wheel *w, uint32_t slot, uint32_t due);
void wheel_cancel(struct cg_wheel *w, uint32_t slot);
/* Fires every timer due at or before now (ms). Returns timers fired. */
unsigned wheel_advance(struct cg *cg, struct cg_wheel *w, uint32_t now);

/* ---- the generator ---- */

struct uac;
struct uas;
struct reg;

/* One received SIP message, as the roles see it. */
struct cg_rx {
	struct rte_mbuf *m;
	const char *buf;         /* SIP bytes */
	uint16_t len;
	uint32_t src_ip;         /* host order */
	uint16_t src_port;
	const struct rte_ether_addr *src_mac;
	struct sip_msg sip;
};

struct cg {
	const struct cg_opts *o;
	uint16_t port;
	struct rte_mempool *pool;
	struct rte_ether_addr mac;
	struct rte_ether_addr peer_mac;
	bool peer_known;
	uint32_t next_hop;       /* IP whose MAC is peer_mac */
	uint32_t run_id;         /* makes this run's Call-IDs and tags unique */
	uint16_t ip_id;
	uint64_t rng;             /* xorshift state for --rx-loss */

	uint64_t hz;             /* TSC Hz */
	uint64_t tsc0;           /* start */
	uint32_t now_ms;         /* ms since tsc0 */
	uint64_t busy_cycles, idle_cycles;
	uint32_t arp_next_ms;

	struct rte_mbuf *tx[CG_TXBUF];
	unsigned n_tx;

	struct uac *uac;
	struct uas *uas;
	struct reg *reg;

	struct cg_uac_stats uac_st;
	struct cg_uas_stats uas_st;
	struct cg_net_stats net_st;
	uint64_t run_start_tsc, run_end_tsc; /* first INVITE to last call's end */
	uint64_t last_tsc;       /* the loop's last turn */
	uint64_t offer_end_tsc;  /* the last call's INVITE */
	/* non-2xx final responses the UAC got, by code (300..699) */
	uint64_t inv_codes[400];
	uint64_t bye_codes[400];
};

/* net.c */
int net_input(struct cg *cg, struct rte_mbuf *m);    /* consumes m */
void net_arp_poll(struct cg *cg);                     /* resolve next hop */
/*
 * Frames: net_alloc gives an mbuf with room for the headers; the caller
 * writes the SIP text at net_payload() and calls net_send with its length.
 */
struct rte_mbuf *net_alloc(struct cg *cg);
char *net_payload(struct rte_mbuf *m);
uint16_t net_payload_room(struct rte_mbuf *m);
void net_send(struct cg *cg, struct rte_mbuf *m, uint16_t len,
	      uint32_t src_ip, uint16_t src_port, uint32_t dst_ip,
	      uint16_t dst_port, const struct rte_ether_addr *dst_mac);
/* Sends a frame built earlier again (the caller keeps its reference). */
void net_resend(struct cg *cg, struct rte_mbuf *m);
void net_flush(struct cg *cg);

/* uac.c */
struct uac *uac_create(struct cg *cg);
void uac_free(struct uac *u);
/* Starts the calls due now; returns how many. */
unsigned uac_start_calls(struct cg *cg);
void uac_response(struct cg *cg, struct cg_rx *rx);
void uac_request(struct cg *cg, struct cg_rx *rx);
unsigned uac_timers(struct cg *cg);
bool uac_done(const struct cg *cg);
uint32_t uac_active(const struct cg *cg);
void uac_abandon(struct cg *cg);     /* counts calls left at the end */

/* uas.c */
struct uas *uas_create(struct cg *cg);
void uas_free(struct uas *s);
void uas_request(struct cg *cg, struct cg_rx *rx);
void uas_response(struct cg *cg, struct cg_rx *rx);
unsigned uas_timers(struct cg *cg);
uint32_t uas_active(const struct cg *cg);

/* reg.c */
struct reg *reg_create(struct cg *cg);
void reg_free(struct reg *r);
void reg_poll(struct cg *cg);
/* True when the UAS may receive calls (registered, or nothing to do). */
bool reg_ready(const struct cg *cg);
bool reg_failed(const struct cg *cg);
/* Takes a response whose Call-ID is the registration's; false if not. */
bool reg_response(struct cg *cg, struct cg_rx *rx);

/* stats.c */
void stats_print(const struct cg *cg, double secs);
void stats_json(const struct cg *cg, double secs);

/* Small helpers */
static inline uint32_t cg_ms(const struct cg *cg, uint64_t tsc)
{
	return (uint32_t)((tsc - cg->tsc0) * 1000 / cg->hz);
}

/*
 * Free call slots of the UAC or the UAS, oldest first (a slot rests as
 * long as possible before reuse, so late messages of its last call are
 * told apart by generation and not mistaken for the new one's).
 */
struct cg_slots {
	uint32_t *fifo;
	uint32_t head, len, n;
};

/* n free slots 0..n-1; 0 or -ENOMEM. */
static inline int cg_slots_init(struct cg_slots *f, uint32_t n)
{
	f->fifo = calloc(n, sizeof(*f->fifo));
	if (f->fifo == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++)
		f->fifo[i] = i;
	f->head = 0;
	f->len = f->n = n;
	return 0;
}

static inline void cg_slots_free(struct cg_slots *f)
{
	free(f->fifo);
	f->fifo = NULL;
}

/* The oldest free slot; the caller checks len first. */
static inline uint32_t cg_slots_take(struct cg_slots *f)
{
	uint32_t slot = f->fifo[f->head];

	f->head = (f->head + 1) % f->n;
	f->len--;
	return slot;
}

static inline void cg_slots_put(struct cg_slots *f, uint32_t slot)
{
	f->fifo[(f->head + f->len) % f->n] = slot;
	f->len++;
}

#endif
