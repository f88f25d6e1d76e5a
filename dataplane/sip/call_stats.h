/* SPDX-License-Identifier: MIT */
/*
 * Counters of the call engine (sip/call_*.c), kept per worker lcore in
 * struct stats_lcore and exported by telemetry under their names.
 */
#ifndef SLUICE_CALL_STATS_H
#define SLUICE_CALL_STATS_H

/* Counters of the call engine, per worker: X(id, name, help) */
#define CALL_COUNTERS(X)                                                        \
	X(INVITE_NEW, "calls_new", "new INVITEs that became calls")             \
	X(ANSWERED, "calls_answered", "calls answered (2xx relayed to the caller)") \
	X(ENDED, "calls_ended", "answered calls ended by a BYE")                \
	X(FAILED, "calls_failed", "calls ended by a final non-2xx to the caller") \
	X(CANCELLED, "calls_cancelled", "calls the caller cancelled")            \
	X(TABLE_FULL, "calls_table_full", "INVITEs refused 503: no free call slot") \
	X(FORBIDDEN, "calls_forbidden",                                         \
	  "INVITEs refused 403 unchallenged: from a trunk source of another tenant") \
	X(CHALLENGED, "calls_challenged",                                       \
	  "INVITEs answered 407: neither a trunk's nor trusted, credentials asked for (stale=true too)") \
	X(AUTHENTICATED, "calls_authenticated",                                 \
	  "INVITEs whose caller was proved by Proxy-Authorization")             \
	X(AUTH_FAILED, "calls_auth_failed",                                     \
	  "INVITEs refused 403: credentials that verify for no device of the tenant") \
	X(AUTH_BAD, "calls_auth_bad",                                           \
	  "INVITEs refused 400: malformed Proxy-Authorization, or its uri not the Request-URI") \
	X(ROUTE_LATE, "route_late", "route decisions later than their deadline") \
	X(ROUTE_FALLBACK, "route_fallback", "calls routed by the tenant fallback") \
	X(NO_ANSWER_FALLBACK, "route_fallback_no_answer",                       \
	  "calls sent to the tenant fallback after their route's targets failed") \
	X(ROUTE_SEND_FAIL, "route_send_fail", "route requests that could not be sent") \
	X(ROUTE_UNHELD, "route_unheld",                                         \
	  "decisions with targets left that no mbuf could hold: no failover past the first") \
	X(RETRANS_IN, "sip_retrans_in", "retransmitted requests absorbed or answered again") \
	X(RETRANS_OUT, "sip_retrans_out", "messages we sent again (timers A, E, G, 2xx)") \
	X(STRAY, "sip_stray", "messages for no call (answered 481 or dropped)")  \
	X(LEG_TIMEOUT, "leg_timeout", "B legs that never answered (timer B)")    \
	X(RING_TIMEOUT, "ring_timeout", "targets that rang out (ring time)")     \
	X(CDR_SENT, "cdr_sent", "CDRs handed to the control plane")             \
	X(CDR_LOST, "cdr_lost", "CDRs that could not be handed over (ring full)") \
	X(CDR_ACK_LATE, "cdr_ack_late", "BYEs answered before their CDR was acked") \
	X(RELAYED, "sip_relayed", "in-dialog requests relayed to the other leg") \
	X(ARENA_FULL, "calls_arena_full", "calls refused: strings too long to keep") \
	X(RSET_BAD, "dialog_route_bad",                                         \
	  "malformed Record-Route: INVITE refused 400, or the answer not taken") \
	X(RSET_TOO_BIG, "dialog_route_too_big",                                 \
	  "route sets too long to keep: INVITE refused 500, or the answer not taken") \
	X(RSET_NO_HOP, "dialog_route_unfollowable",                             \
	  "in-dialog requests whose first route is no IPv4 UDP address (sent to the peer's address)") \
	X(LINGER_EVICTED, "calls_linger_evicted",                               \
	  "ended calls forgotten before 64*T1 (their set was full): a late BYE of one gets 481") \
	X(ACK_AGAIN, "calls_ack_again",                                         \
	  "non-2xx finals repeated after their call ended, ACKed again (timer D)") \
	X(ACK_EVICTED, "calls_ack_evicted",                                     \
	  "ACKs of non-2xx finals forgotten before timer D (a newer one took their entry)")

enum call_counter {
#define CALL_X(id, n, h) CALL_C_##id,
	CALL_COUNTERS(CALL_X)
#undef CALL_X
	CALL_C_COUNT
};

#endif
