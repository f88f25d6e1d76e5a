/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the SIP transaction state machines and matching keys
 * (dataplane/sip/txn.c). Each machine is driven through every arc of its
 * figure (RFC 3261 Figures 5-8 with RFC 6026's Accepted state) with
 * explicit times in milliseconds, on UDP and on a reliable transport,
 * and with timers that fire late. Every action mask is compared whole, so
 * an extra or a missing action fails the test.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sip/txn.h"

#define NEVER SIP_TXN_NEVER
#define A(id) SIP_TXN_ACT_##id
#define S(id) SIP_TXN_STATE_##id

static struct sip_txn_cfg cfg;

static void setup(void)
{
	sip_txn_cfg_init(&cfg, SIP_TXN_T1, SIP_TXN_T2, SIP_TXN_T4);
}

TestSuite(sip_txn_start_client, .init = setup);
TestSuite(sip_txn_start_server, .init = setup);
TestSuite(sip_txn_on_response, .init = setup);
TestSuite(sip_txn_on_request, .init = setup);
TestSuite(sip_txn_on_send, .init = setup);
TestSuite(sip_txn_on_timer, .init = setup);
TestSuite(sip_txn_on_transport_error, .init = setup);
TestSuite(sip_txn_cfg_init, .init = setup);
TestSuite(sip_txn_names, .init = setup);
TestSuite(sip_txn_key_make, .init = setup);
TestSuite(sip_txn_key_from_msg, .init = setup);

/* "send_ack|pass_up" from a mask, for failure messages. */
static const char *acts_fmt(unsigned acts, char *buf, size_t cap)
{
	static const char *const names[] = {
#define SIP_X(id, s) [SIP_TXN_ACT_BIT_##id] = s,
		SIP_TXN_ACTIONS(SIP_X)
#undef SIP_X
	};
	size_t len = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < SIP_TXN_ACT_BIT_COUNT; i++) {
		if (acts & (1u << i))
			len += (size_t)snprintf(buf + len, cap - len, "%s%s",
						len ? "|" : "", names[i]);
	}
	if (len == 0)
		snprintf(buf, cap, "none");
	return buf;
}

#define cr_assert_acts(got, want)                                          \
	do {                                                               \
		unsigned g_ = (got), w_ = (want);                          \
		char gb_[160], wb_[160];                                   \
		cr_assert_eq(g_, w_, "%s: got %s, want %s", #got,          \
			     acts_fmt(g_, gb_, sizeof(gb_)),               \
			     acts_fmt(w_, wb_, sizeof(wb_)));              \
	} while (0)

#define cr_assert_state(t, want)                                           \
	cr_assert_eq((t)->state, (want), "state %s, want %s",              \
		     sip_txn_state_str((t)->state), sip_txn_state_str(want))

#define cr_assert_deadline(t, want)                                        \
	cr_assert_eq(sip_txn_deadline(t), (uint64_t)(want),                \
		     "deadline %llu, want %llu",                           \
		     (unsigned long long)sip_txn_deadline(t),              \
		     (unsigned long long)(want))

/*
 * Fires the timer at each of times[] in turn: nothing one millisecond
 * early, then exactly `acts`.
 */
static void expect_firings(struct sip_txn *t, const uint64_t *times, size_t n,
			   unsigned acts)
{
	for (size_t i = 0; i < n; i++) {
		cr_assert_deadline(t, times[i]);
		cr_assert_acts(sip_txn_on_timer(t, times[i] - 1), 0);
		cr_assert_acts(sip_txn_on_timer(t, times[i]), acts);
	}
}

static void ict(struct sip_txn *t, bool reliable, uint64_t now)
{
	cr_assert_acts(sip_txn_start_client(t, SIP_TXN_ICT, &cfg, reliable, now),
		       A(SEND_REQUEST));
}

static void nict(struct sip_txn *t, bool reliable, uint64_t now)
{
	cr_assert_acts(sip_txn_start_client(t, SIP_TXN_NICT, &cfg, reliable, now),
		       A(SEND_REQUEST));
}

static void ist(struct sip_txn *t, bool reliable, uint64_t now)
{
	cr_assert_acts(sip_txn_start_server(t, SIP_TXN_IST, &cfg, reliable, now),
		       A(PASS_UP));
}

static void nist(struct sip_txn *t, bool reliable, uint64_t now)
{
	cr_assert_acts(sip_txn_start_server(t, SIP_TXN_NIST, &cfg, reliable, now),
		       A(PASS_UP));
}

/* ------------------------------------------------------------------ */
/* INVITE client (Figure 5, RFC 6026)                                 */

Test(sip_txn_start_client, ict_calling_runs_a_and_b)
{
	struct sip_txn t;

	ict(&t, false, 1000);
	cr_assert_eq(t.kind, SIP_TXN_ICT);
	cr_assert_state(&t, S(CALLING));
	cr_assert_eq(t.retx_at, 1500);
	cr_assert_eq(t.end_at, 1000 + 32000);
	cr_assert_deadline(&t, 1500);
	cr_assert_eq(t.status, 0);
}

Test(sip_txn_on_timer, ict_a_doubles_until_b_times_out)
{
	/* A: 500, 1000, 2000, 4000, 8000, 16000 ms apart, never capped. */
	static const uint64_t a[] = { 500, 1500, 3500, 7500, 15500, 31500 };
	struct sip_txn t;

	ict(&t, false, 0);
	expect_firings(&t, a, 6, A(SEND_REQUEST));
	cr_assert_eq(t.interval, 32000);
	cr_assert_eq(t.retx_at, 63500);
	expect_firings(&t, (const uint64_t[]){ 32000 }, 1,
		       A(TIMEOUT) | A(TERMINATED));
	cr_assert_state(&t, S(TERMINATED));
	cr_assert_deadline(&t, NEVER);
}

Test(sip_txn_on_response, ict_1xx_stops_a_and_b)
{
	struct sip_txn t;

	ict(&t, false, 0);
	cr_assert_acts(sip_txn_on_timer(&t, 500), A(SEND_REQUEST));
	cr_assert_acts(sip_txn_on_response(&t, 100, 700), A(PASS_UP));
	cr_assert_state(&t, S(PROCEEDING));
	cr_assert_deadline(&t, NEVER);
	cr_assert_acts(sip_txn_on_response(&t, 180, 900), A(PASS_UP));
	cr_assert_acts(sip_txn_on_response(&t, 183, 950), A(PASS_UP));
	cr_assert_eq(t.status, 183);
	cr_assert_acts(sip_txn_on_timer(&t, 100000), 0);
	cr_assert_state(&t, S(PROCEEDING));
}

Test(sip_txn_on_response, ict_calling_3xx_6xx_acks_then_d)
{
	struct sip_txn t;

	ict(&t, false, 0);
	cr_assert_acts(sip_txn_on_response(&t, 486, 200),
		       A(SEND_ACK) | A(PASS_UP));
	cr_assert_state(&t, S(COMPLETED));
	cr_assert_eq(t.status, 486);
	cr_assert_eq(t.retx_at, NEVER);
	cr_assert_deadline(&t, 200 + 32000);
	/* Copies of the final response are ACKed again, not passed up. */
	cr_assert_acts(sip_txn_on_response(&t, 486, 700),
		       A(SEND_ACK) | A(ABSORB));
	cr_assert_acts(sip_txn_on_response(&t, 180, 800), A(ABSORB));
	cr_assert_acts(sip_txn_on_response(&t, 200, 900), A(ABSORB));
	cr_assert_state(&t, S(COMPLETED));
	expect_firings(&t, (const uint64_t[]){ 32200 }, 1, A(TERMINATED));
}

Test(sip_txn_on_response, ict_proceeding_3xx_6xx_acks_then_d)
{
	struct sip_txn t;

	ict(&t, false, 0);
	cr_assert_acts(sip_txn_on_response(&t, 180, 100), A(PASS_UP));
	cr_assert_acts(sip_txn_on_response(&t, 302, 5000),
		       A(SEND_ACK) | A(PASS_UP));
	cr_assert_state(&t, S(COMPLETED));
	cr_assert_deadline(&t, 5000 + 32000);
	cr_assert_acts(sip_txn_on_response(&t, 302, 6000),
		       A(SEND_ACK) | A(ABSORB));
	expect_firings(&t, (const uint64_t[]){ 37000 }, 1, A(TERMINATED));
}

Test(sip_txn_on_response, ict_2xx_accepted_passes_copies_up_until_m)
{
	struct sip_txn t;

	ict(&t, false, 0);
	cr_assert_acts(sip_txn_on_timer(&t, 500), A(SEND_REQUEST));
	cr_assert_acts(sip_txn_on_response(&t, 200, 800), A(PASS_UP));
	cr_assert_state(&t, S(ACCEPTED));
	cr_assert_eq(t.retx_at, NEVER);
	cr_assert_deadline(&t, 800 + 32000);
	/* The TU ACKs every 2xx: copies and other forks' answers. */
	cr_assert_acts(sip_txn_on_response(&t, 200, 1300), A(PASS_UP));
	cr_assert_acts(sip_txn_on_response(&t, 202, 1400), A(PASS_UP));
	cr_assert_eq(t.status, 202);
	cr_assert_acts(sip_txn_on_response(&t, 180, 1500), A(ABSORB));
	cr_assert_acts(sip_txn_on_response(&t, 486, 1600), A(ABSORB));
	cr_assert_state(&t, S(ACCEPTED));
	expect_firings(&t, (const uint64_t[]){ 32800 }, 1, A(TERMINATED));
}

Test(sip_txn_on_response, ict_proceeding_2xx_accepted)
{
	struct sip_txn t;

	ict(&t, false, 0);
	cr_assert_acts(sip_txn_on_response(&t, 183, 100), A(PASS_UP));
	cr_assert_acts(sip_txn_on_response(&t, 200, 9000), A(PASS_UP));
	cr_assert_state(&t, S(ACCEPTED));
	cr_assert_deadline(&t, 9000 + 32000);
}

Test(sip_txn_on_timer, ict_reliable_has_no_a_and_no_d)
{
	struct sip_txn t;

	ict(&t, true, 0);
	cr_assert(t.flags & SIP_TXN_F_RELIABLE);
	cr_assert_eq(t.retx_at, NEVER);
	cr_assert_deadline(&t, 32000);
	cr_assert_acts(sip_txn_on_timer(&t, 31999), 0);
	cr_assert_acts(sip_txn_on_response(&t, 404, 1000),
		       A(SEND_ACK) | A(PASS_UP) | A(TERMINATED));
	cr_assert_state(&t, S(TERMINATED));
	cr_assert_deadline(&t, NEVER);
}

Test(sip_txn_on_timer, ict_reliable_b_times_out)
{
	struct sip_txn t;

	ict(&t, true, 0);
	expect_firings(&t, (const uint64_t[]){ 32000 }, 1,
		       A(TIMEOUT) | A(TERMINATED));
}

Test(sip_txn_on_response, ict_reliable_2xx_still_waits_m)
{
	struct sip_txn t;

	ict(&t, true, 0);
	cr_assert_acts(sip_txn_on_response(&t, 200, 100), A(PASS_UP));
	cr_assert_state(&t, S(ACCEPTED));
	cr_assert_deadline(&t, 100 + 32000);
}

Test(sip_txn_on_timer, ict_late_call_fires_once)
{
	struct sip_txn t;

	ict(&t, false, 0);
	/* A was due at 500 and 1500: one retransmission, one doubling,
	 * the next one measured from now. */
	cr_assert_acts(sip_txn_on_timer(&t, 2200), A(SEND_REQUEST));
	cr_assert_eq(t.interval, 1000);
	cr_assert_deadline(&t, 3200);
	cr_assert_acts(sip_txn_on_timer(&t, 2200), 0);
	/* Far past B: the timeout wins, nothing is retransmitted. */
	cr_assert_acts(sip_txn_on_timer(&t, 90000), A(TIMEOUT) | A(TERMINATED));
}

Test(sip_txn_on_transport_error, ict_calling_and_completed_end)
{
	struct sip_txn t;

	ict(&t, false, 0);
	cr_assert_acts(sip_txn_on_transport_error(&t),
		       A(TRANSPORT_ERROR) | A(TERMINATED));
	cr_assert_state(&t, S(TERMINATED));
	cr_assert_deadline(&t, NEVER);

	ict(&t, false, 0);
	sip_txn_on_response(&t, 500, 100);
	cr_assert_acts(sip_txn_on_transport_error(&t),
		       A(TRANSPORT_ERROR) | A(TERMINATED));
}

Test(sip_txn_on_transport_error, ict_proceeding_and_accepted_ignore)
{
	struct sip_txn t;

	/* The ICT sends nothing in these states: the error is not its own. */
	ict(&t, false, 0);
	sip_txn_on_response(&t, 180, 100);
	cr_assert_acts(sip_txn_on_transport_error(&t), 0);
	cr_assert_state(&t, S(PROCEEDING));
	sip_txn_on_response(&t, 200, 200);
	cr_assert_acts(sip_txn_on_transport_error(&t), 0);
	cr_assert_state(&t, S(ACCEPTED));
}

/* ------------------------------------------------------------------ */
/* Non-INVITE client (Figure 6)                                       */

Test(sip_txn_start_client, nict_trying_runs_e_and_f)
{
	struct sip_txn t;

	nict(&t, false, 100);
	cr_assert_eq(t.kind, SIP_TXN_NICT);
	cr_assert_state(&t, S(TRYING));
	cr_assert_eq(t.retx_at, 600);
	cr_assert_eq(t.end_at, 100 + 32000);
}

Test(sip_txn_on_timer, nict_e_doubles_capped_at_t2_until_f)
{
	/* E: 500, 1000, 2000, then T2 = 4000 ms apart. */
	static const uint64_t e[] = { 500,   1500,  3500,  7500,  11500,
				      15500, 19500, 23500, 27500, 31500 };
	struct sip_txn t;

	nict(&t, false, 0);
	expect_firings(&t, e, 10, A(SEND_REQUEST));
	cr_assert_eq(t.interval, 4000);
	expect_firings(&t, (const uint64_t[]){ 32000 }, 1,
		       A(TIMEOUT) | A(TERMINATED));
}

Test(sip_txn_on_timer, nict_proceeding_keeps_e_at_t2_until_f)
{
	static const uint64_t e[] = { 1500,  5500,  9500,  13500, 17500,
				      21500, 25500, 29500 };
	struct sip_txn t;

	nict(&t, false, 0);
	cr_assert_acts(sip_txn_on_timer(&t, 500), A(SEND_REQUEST));
	cr_assert_acts(sip_txn_on_response(&t, 100, 600), A(PASS_UP));
	cr_assert_state(&t, S(PROCEEDING));
	/* E keeps its deadline; from then on it resets to T2. */
	expect_firings(&t, e, 8, A(SEND_REQUEST));
	cr_assert_acts(sip_txn_on_response(&t, 180, 30000), A(PASS_UP));
	expect_firings(&t, (const uint64_t[]){ 32000 }, 1,
		       A(TIMEOUT) | A(TERMINATED));
}

Test(sip_txn_on_response, nict_trying_final_completes_then_k)
{
	struct sip_txn t;

	nict(&t, false, 0);
	cr_assert_acts(sip_txn_on_response(&t, 200, 2000), A(PASS_UP));
	cr_assert_state(&t, S(COMPLETED));
	cr_assert_eq(t.status, 200);
	cr_assert_eq(t.retx_at, NEVER);
	cr_assert_deadline(&t, 2000 + 5000);
	cr_assert_acts(sip_txn_on_response(&t, 200, 2500), A(ABSORB));
	cr_assert_acts(sip_txn_on_response(&t, 100, 2600), A(ABSORB));
	expect_firings(&t, (const uint64_t[]){ 7000 }, 1, A(TERMINATED));
}

Test(sip_txn_on_response, nict_proceeding_final_completes_then_k)
{
	struct sip_txn t;

	nict(&t, false, 0);
	cr_assert_acts(sip_txn_on_response(&t, 100, 100), A(PASS_UP));
	cr_assert_acts(sip_txn_on_response(&t, 404, 3000), A(PASS_UP));
	cr_assert_state(&t, S(COMPLETED));
	cr_assert_deadline(&t, 8000);
	cr_assert_acts(sip_txn_on_response(&t, 404, 4000), A(ABSORB));
	expect_firings(&t, (const uint64_t[]){ 8000 }, 1, A(TERMINATED));
}

Test(sip_txn_on_response, nict_reliable_has_no_e_and_no_k)
{
	struct sip_txn t;

	nict(&t, true, 0);
	cr_assert_eq(t.retx_at, NEVER);
	cr_assert_deadline(&t, 32000);
	cr_assert_acts(sip_txn_on_response(&t, 100, 100), A(PASS_UP));
	cr_assert_deadline(&t, 32000);
	cr_assert_acts(sip_txn_on_response(&t, 200, 200),
		       A(PASS_UP) | A(TERMINATED));
}

Test(sip_txn_on_timer, nict_reliable_f_times_out)
{
	struct sip_txn t;

	nict(&t, true, 0);
	sip_txn_on_response(&t, 100, 100);
	expect_firings(&t, (const uint64_t[]){ 32000 }, 1,
		       A(TIMEOUT) | A(TERMINATED));
}

Test(sip_txn_on_timer, nict_late_call_fires_f_only)
{
	struct sip_txn t;

	nict(&t, false, 0);
	cr_assert_acts(sip_txn_on_timer(&t, 7000), A(SEND_REQUEST));
	cr_assert_eq(t.interval, 1000);
	cr_assert_deadline(&t, 8000);
	cr_assert_acts(sip_txn_on_timer(&t, 50000), A(TIMEOUT) | A(TERMINATED));
}

Test(sip_txn_on_transport_error, nict_trying_and_proceeding_end)
{
	struct sip_txn t;

	nict(&t, false, 0);
	cr_assert_acts(sip_txn_on_transport_error(&t),
		       A(TRANSPORT_ERROR) | A(TERMINATED));
	nict(&t, false, 0);
	sip_txn_on_response(&t, 100, 100);
	cr_assert_acts(sip_txn_on_transport_error(&t),
		       A(TRANSPORT_ERROR) | A(TERMINATED));
	nict(&t, false, 0);
	sip_txn_on_response(&t, 200, 100);
	cr_assert_acts(sip_txn_on_transport_error(&t), 0);
	cr_assert_state(&t, S(COMPLETED));
}

/* ------------------------------------------------------------------ */
/* INVITE server (Figure 7, RFC 6026)                                 */

Test(sip_txn_start_server, ist_proceeding_runs_no_timer)
{
	struct sip_txn t;

	ist(&t, false, 100);
	cr_assert_eq(t.kind, SIP_TXN_IST);
	cr_assert_state(&t, S(PROCEEDING));
	cr_assert_deadline(&t, NEVER);
	cr_assert_acts(sip_txn_on_timer(&t, 1000000), 0);
}

Test(sip_txn_on_request, ist_proceeding_resends_last_provisional)
{
	struct sip_txn t;

	ist(&t, false, 0);
	/* Nothing sent yet: nothing to resend (100 Trying is the TU's). */
	cr_assert_acts(sip_txn_on_request(&t, false, 100), A(ABSORB));
	cr_assert_acts(sip_txn_on_send(&t, 100, 150), A(SEND_RESPONSE));
	cr_assert_acts(sip_txn_on_request(&t, false, 600),
		       A(SEND_RESPONSE) | A(ABSORB));
	cr_assert_acts(sip_txn_on_send(&t, 180, 700), A(SEND_RESPONSE));
	cr_assert_eq(t.status, 180);
	cr_assert_acts(sip_txn_on_request(&t, false, 1600),
		       A(SEND_RESPONSE) | A(ABSORB));
	cr_assert_acts(sip_txn_on_request(&t, true, 1700), A(ABSORB));
	cr_assert_state(&t, S(PROCEEDING));
	cr_assert_deadline(&t, NEVER);
}

Test(sip_txn_on_timer, ist_g_doubles_to_t2_until_h)
{
	/* G: 500, 1000, 2000, then T2 = 4000 ms apart. */
	static const uint64_t g[] = { 1500,  2500,  4500,  8500,  12500,
				      16500, 20500, 24500, 28500, 32500 };
	struct sip_txn t;

	ist(&t, false, 0);
	cr_assert_acts(sip_txn_on_send(&t, 486, 1000), A(SEND_RESPONSE));
	cr_assert_state(&t, S(COMPLETED));
	cr_assert_eq(t.status, 486);
	cr_assert_eq(t.end_at, 1000 + 32000);
	expect_firings(&t, g, 10, A(SEND_RESPONSE));
	expect_firings(&t, (const uint64_t[]){ 33000 }, 1,
		       A(TIMEOUT) | A(TERMINATED));
}

Test(sip_txn_on_request, ist_completed_resends_final_and_ack_confirms)
{
	struct sip_txn t;

	ist(&t, false, 0);
	sip_txn_on_send(&t, 180, 10);
	cr_assert_acts(sip_txn_on_send(&t, 603, 20), A(SEND_RESPONSE));
	cr_assert_acts(sip_txn_on_request(&t, false, 300),
		       A(SEND_RESPONSE) | A(ABSORB));
	/* A second final or a late provisional cannot go out. */
	cr_assert_acts(sip_txn_on_send(&t, 500, 310), 0);
	cr_assert_acts(sip_txn_on_send(&t, 180, 320), 0);
	cr_assert_acts(sip_txn_on_send(&t, 200, 330), 0);
	cr_assert_eq(t.status, 603);
	cr_assert_acts(sip_txn_on_timer(&t, 520), A(SEND_RESPONSE));
	/* The ACK stops G and H; Confirmed waits out its copies for I. */
	cr_assert_acts(sip_txn_on_request(&t, true, 800), A(ABSORB));
	cr_assert_state(&t, S(CONFIRMED));
	cr_assert_eq(t.retx_at, NEVER);
	cr_assert_deadline(&t, 800 + 5000);
	cr_assert_acts(sip_txn_on_request(&t, true, 900), A(ABSORB));
	cr_assert_acts(sip_txn_on_request(&t, false, 1000), A(ABSORB));
	cr_assert_acts(sip_txn_on_send(&t, 603, 1100), 0);
	expect_firings(&t, (const uint64_t[]){ 5800 }, 1, A(TERMINATED));
}

Test(sip_txn_on_send, ist_2xx_accepted_until_l)
{
	struct sip_txn t;

	ist(&t, false, 0);
	sip_txn_on_send(&t, 180, 100);
	cr_assert_acts(sip_txn_on_send(&t, 200, 4000), A(SEND_RESPONSE));
	cr_assert_state(&t, S(ACCEPTED));
	/* No G: 2xx retransmission is the TU's job (RFC 6026 §7.1). */
	cr_assert_eq(t.retx_at, NEVER);
	cr_assert_deadline(&t, 4000 + 32000);
	cr_assert_acts(sip_txn_on_request(&t, false, 4500), A(ABSORB));
	cr_assert_acts(sip_txn_on_request(&t, true, 4600), A(PASS_UP));
	cr_assert_acts(sip_txn_on_request(&t, true, 4700), A(PASS_UP));
	/* The TU's 2xx retransmissions pass through; nothing else does. */
	cr_assert_acts(sip_txn_on_send(&t, 200, 5000), A(SEND_RESPONSE));
	cr_assert_acts(sip_txn_on_send(&t, 180, 5100), 0);
	cr_assert_acts(sip_txn_on_send(&t, 486, 5200), 0);
	cr_assert_state(&t, S(ACCEPTED));
	cr_assert_deadline(&t, 36000);
	expect_firings(&t, (const uint64_t[]){ 36000 }, 1, A(TERMINATED));
}

Test(sip_txn_on_send, ist_reliable_has_no_g_and_no_i)
{
	struct sip_txn t;

	ist(&t, true, 0);
	cr_assert_acts(sip_txn_on_send(&t, 486, 100), A(SEND_RESPONSE));
	cr_assert_state(&t, S(COMPLETED));
	cr_assert_eq(t.retx_at, NEVER);
	cr_assert_deadline(&t, 100 + 32000); /* H runs on every transport */
	cr_assert_acts(sip_txn_on_request(&t, false, 200),
		       A(SEND_RESPONSE) | A(ABSORB));
	cr_assert_acts(sip_txn_on_request(&t, true, 300),
		       A(ABSORB) | A(TERMINATED));
}

Test(sip_txn_on_timer, ist_reliable_h_times_out)
{
	struct sip_txn t;

	ist(&t, true, 0);
	sip_txn_on_send(&t, 486, 100);
	expect_firings(&t, (const uint64_t[]){ 32100 }, 1,
		       A(TIMEOUT) | A(TERMINATED));
}

Test(sip_txn_on_send, ist_reliable_2xx_still_waits_l)
{
	struct sip_txn t;

	ist(&t, true, 0);
	cr_assert_acts(sip_txn_on_send(&t, 200, 100), A(SEND_RESPONSE));
	cr_assert_state(&t, S(ACCEPTED));
	cr_assert_deadline(&t, 100 + 32000);
}

Test(sip_txn_on_timer, ist_late_call_fires_once)
{
	struct sip_txn t;

	ist(&t, false, 0);
	sip_txn_on_send(&t, 480, 0);
	cr_assert_acts(sip_txn_on_timer(&t, 5000), A(SEND_RESPONSE));
	cr_assert_eq(t.interval, 1000);
	cr_assert_deadline(&t, 6000);
	cr_assert_acts(sip_txn_on_timer(&t, 100000), A(TIMEOUT) | A(TERMINATED));
}

Test(sip_txn_on_transport_error, ist_informs_and_stays)
{
	struct sip_txn t;

	/* RFC 6026 §8.8: inform the TU, remain in the current state. */
	ist(&t, false, 0);
	sip_txn_on_send(&t, 180, 0);
	cr_assert_acts(sip_txn_on_transport_error(&t), A(TRANSPORT_ERROR));
	cr_assert_state(&t, S(PROCEEDING));
	sip_txn_on_send(&t, 486, 10);
	cr_assert_acts(sip_txn_on_transport_error(&t), A(TRANSPORT_ERROR));
	cr_assert_state(&t, S(COMPLETED));
	cr_assert_deadline(&t, 510); /* G still runs */
	sip_txn_on_request(&t, true, 20);
	cr_assert_acts(sip_txn_on_transport_error(&t), 0); /* Confirmed */
	cr_assert_state(&t, S(CONFIRMED));

	ist(&t, false, 0);
	sip_txn_on_send(&t, 200, 0);
	cr_assert_acts(sip_txn_on_transport_error(&t), A(TRANSPORT_ERROR));
	cr_assert_state(&t, S(ACCEPTED));
	cr_assert_acts(sip_txn_on_request(&t, false, 100), A(ABSORB));
}

/* ------------------------------------------------------------------ */
/* Non-INVITE server (Figure 8)                                       */

Test(sip_txn_on_send, nist_trying_proceeding_completed_then_j)
{
	struct sip_txn t;

	nist(&t, false, 0);
	cr_assert_state(&t, S(TRYING));
	cr_assert_deadline(&t, NEVER);
	cr_assert_acts(sip_txn_on_request(&t, false, 500), A(ABSORB));
	cr_assert_acts(sip_txn_on_send(&t, 100, 600), A(SEND_RESPONSE));
	cr_assert_state(&t, S(PROCEEDING));
	cr_assert_acts(sip_txn_on_request(&t, false, 1500),
		       A(SEND_RESPONSE) | A(ABSORB));
	cr_assert_acts(sip_txn_on_send(&t, 100, 1600), A(SEND_RESPONSE));
	cr_assert_state(&t, S(PROCEEDING));
	cr_assert_deadline(&t, NEVER);
	cr_assert_acts(sip_txn_on_send(&t, 200, 2000), A(SEND_RESPONSE));
	cr_assert_state(&t, S(COMPLETED));
	cr_assert_eq(t.status, 200);
	cr_assert_deadline(&t, 2000 + 32000);
	cr_assert_acts(sip_txn_on_request(&t, false, 3500),
		       A(SEND_RESPONSE) | A(ABSORB));
	/* Further finals from the TU are discarded in Completed. */
	cr_assert_acts(sip_txn_on_send(&t, 500, 3600), 0);
	cr_assert_acts(sip_txn_on_send(&t, 100, 3700), 0);
	cr_assert_eq(t.status, 200);
	expect_firings(&t, (const uint64_t[]){ 34000 }, 1, A(TERMINATED));
}

Test(sip_txn_on_send, nist_trying_final_completes)
{
	struct sip_txn t;

	nist(&t, false, 0);
	cr_assert_acts(sip_txn_on_send(&t, 486, 100), A(SEND_RESPONSE));
	cr_assert_state(&t, S(COMPLETED));
	cr_assert_deadline(&t, 100 + 32000);
}

Test(sip_txn_on_send, nist_reliable_has_no_j)
{
	struct sip_txn t;

	nist(&t, true, 0);
	cr_assert_acts(sip_txn_on_send(&t, 100, 100), A(SEND_RESPONSE));
	cr_assert_acts(sip_txn_on_send(&t, 200, 200),
		       A(SEND_RESPONSE) | A(TERMINATED));
	cr_assert_state(&t, S(TERMINATED));
}

Test(sip_txn_on_request, nist_ack_is_absorbed)
{
	struct sip_txn t;

	nist(&t, false, 0);
	sip_txn_on_send(&t, 200, 0);
	cr_assert_acts(sip_txn_on_request(&t, true, 10), A(ABSORB));
}

Test(sip_txn_on_transport_error, nist_informs_and_stays)
{
	struct sip_txn t;

	nist(&t, false, 0);
	cr_assert_acts(sip_txn_on_transport_error(&t), 0); /* sent nothing */
	sip_txn_on_send(&t, 100, 0);
	cr_assert_acts(sip_txn_on_transport_error(&t), A(TRANSPORT_ERROR));
	cr_assert_state(&t, S(PROCEEDING));
	sip_txn_on_send(&t, 200, 10);
	cr_assert_acts(sip_txn_on_transport_error(&t), A(TRANSPORT_ERROR));
	cr_assert_state(&t, S(COMPLETED));
	cr_assert_deadline(&t, 10 + 32000);
}

/* ------------------------------------------------------------------ */
/* What no machine takes                                              */

Test(sip_txn_on_timer, terminated_takes_no_events)
{
	struct sip_txn t;

	memset(&t, 0, sizeof(t)); /* a zeroed struct is Terminated */
	cr_assert_state(&t, S(TERMINATED));
	cr_assert_acts(sip_txn_on_response(&t, 200, 0), A(ABSORB));
	cr_assert_acts(sip_txn_on_request(&t, false, 0), A(ABSORB));
	cr_assert_acts(sip_txn_on_send(&t, 200, 0), 0);
	cr_assert_acts(sip_txn_on_timer(&t, NEVER), 0);
	cr_assert_acts(sip_txn_on_transport_error(&t), 0);

	ist(&t, false, 0);
	sip_txn_on_send(&t, 200, 0);
	cr_assert_acts(sip_txn_on_timer(&t, 32000), A(TERMINATED));
	cr_assert_acts(sip_txn_on_request(&t, true, 32001), A(ABSORB));
	cr_assert_acts(sip_txn_on_send(&t, 200, 32002), 0);
	cr_assert_acts(sip_txn_on_timer(&t, 99999), 0);
}

Test(sip_txn_on_response, other_side_and_bad_status)
{
	struct sip_txn t;

	ist(&t, false, 0);
	cr_assert_acts(sip_txn_on_response(&t, 200, 10), A(ABSORB));
	cr_assert_state(&t, S(PROCEEDING));
	cr_assert_acts(sip_txn_on_send(&t, 99, 10), 0);
	cr_assert_acts(sip_txn_on_send(&t, 700, 10), 0);
	cr_assert_state(&t, S(PROCEEDING));

	ict(&t, false, 0);
	cr_assert_acts(sip_txn_on_request(&t, false, 10), A(ABSORB));
	cr_assert_acts(sip_txn_on_send(&t, 200, 10), 0);
	cr_assert_acts(sip_txn_on_response(&t, 99, 10), A(ABSORB));
	cr_assert_acts(sip_txn_on_response(&t, 700, 10), A(ABSORB));
	cr_assert_state(&t, S(CALLING));
	cr_assert_eq(t.status, 0);
}

Test(sip_txn_start_client, wrong_kind_is_terminated)
{
	struct sip_txn t;

	cr_assert_acts(sip_txn_start_client(&t, SIP_TXN_IST, &cfg, false, 0),
		       A(TERMINATED));
	cr_assert_state(&t, S(TERMINATED));
	cr_assert_deadline(&t, NEVER);
	cr_assert_acts(sip_txn_start_client(&t, SIP_TXN_KIND_COUNT, &cfg, false, 0),
		       A(TERMINATED));
}

Test(sip_txn_start_server, wrong_kind_is_terminated)
{
	struct sip_txn t;

	cr_assert_acts(sip_txn_start_server(&t, SIP_TXN_NICT, &cfg, false, 0),
		       A(TERMINATED));
	cr_assert_state(&t, S(TERMINATED));
	cr_assert_acts(sip_txn_start_server(&t, (enum sip_txn_kind)77, &cfg,
					    false, 0),
		       A(TERMINATED));
}

/* ------------------------------------------------------------------ */
/* Configuration                                                      */

Test(sip_txn_cfg_init, rfc_defaults)
{
	cr_assert_eq(cfg.t1, 500);
	cr_assert_eq(cfg.t2, 4000);
	cr_assert_eq(cfg.t4, 5000);
	cr_assert_eq(cfg.b, 32000);
	cr_assert_eq(cfg.d, 32000);
	cr_assert_eq(cfg.f, 32000);
	cr_assert_eq(cfg.h, 32000);
	cr_assert_eq(cfg.j, 32000);
	cr_assert_eq(cfg.l, 32000);
	cr_assert_eq(cfg.m, 32000);
	cr_assert_eq(sip_txn_cfg_check(&cfg), 0);
}

Test(sip_txn_cfg_init, derives_from_t1)
{
	struct sip_txn_cfg c;

	sip_txn_cfg_init(&c, 250, 4000, 5000);
	cr_assert_eq(c.b, 16000);
	cr_assert_eq(c.j, 16000);
	cr_assert_eq(c.d, 32000); /* D never below 32 s */
	sip_txn_cfg_init(&c, 1000, 4000, 5000);
	cr_assert_eq(c.m, 64000);
	cr_assert_eq(c.d, 64000);
	sip_txn_cfg_init(&c, UINT32_MAX / 8, UINT32_MAX, 5000);
	cr_assert_eq(c.b, UINT32_MAX); /* saturates */
}

Test(sip_txn_cfg_init, check_rejects_unusable_values)
{
	struct sip_txn_cfg c = cfg;

	c.t1 = 0;
	cr_assert_eq(sip_txn_cfg_check(&c), -EINVAL);
	c = cfg;
	c.t2 = c.t1 - 1;
	cr_assert_eq(sip_txn_cfg_check(&c), -EINVAL);
	c = cfg;
	c.t4 = 0;
	cr_assert_eq(sip_txn_cfg_check(&c), -EINVAL);
	c = cfg;
	c.b = 0;
	cr_assert_eq(sip_txn_cfg_check(&c), -EINVAL);
	c = cfg;
	c.m = 0;
	cr_assert_eq(sip_txn_cfg_check(&c), -EINVAL);
	c = cfg;
	c.d = 0; /* allowed: a choice against the RFC's advice, not a hang */
	c.j = 0;
	cr_assert_eq(sip_txn_cfg_check(&c), 0);
}

/* Every timer gets its own length: each machine must use the right one. */
Test(sip_txn_cfg_init, each_timer_uses_its_own_field)
{
	struct sip_txn t;

	cfg = (struct sip_txn_cfg){ .t1 = 100, .t2 = 300, .t4 = 1008,
				    .b = 1001, .d = 1002, .f = 1003,
				    .h = 1004, .j = 1005, .l = 1006,
				    .m = 1007 };
	ict(&t, false, 0);
	cr_assert_eq(t.retx_at, 100);
	cr_assert_eq(t.end_at, 1001);
	sip_txn_on_response(&t, 486, 10);
	cr_assert_deadline(&t, 10 + 1002);
	ict(&t, false, 0);
	sip_txn_on_response(&t, 200, 10);
	cr_assert_deadline(&t, 10 + 1007);

	nict(&t, false, 0);
	cr_assert_eq(t.end_at, 1003);
	sip_txn_on_timer(&t, 100);
	sip_txn_on_timer(&t, 300);
	sip_txn_on_timer(&t, 600);
	cr_assert_eq(t.interval, 300); /* capped at this T2 */
	sip_txn_on_response(&t, 200, 700);
	cr_assert_deadline(&t, 700 + 1008);

	ist(&t, false, 0);
	sip_txn_on_send(&t, 486, 10);
	cr_assert_eq(t.retx_at, 110);
	cr_assert_eq(t.end_at, 10 + 1004);
	sip_txn_on_request(&t, true, 20);
	cr_assert_deadline(&t, 20 + 1008);
	ist(&t, false, 0);
	sip_txn_on_send(&t, 200, 10);
	cr_assert_deadline(&t, 10 + 1006);

	nist(&t, false, 0);
	sip_txn_on_send(&t, 200, 10);
	cr_assert_deadline(&t, 10 + 1005);
}

Test(sip_txn_cfg_init, running_txn_keeps_its_timers)
{
	struct sip_txn t;

	ist(&t, false, 0);
	cfg.t1 = 50;
	cfg.h = 999;
	cfg.l = 999;
	sip_txn_on_send(&t, 486, 0);
	cr_assert_eq(t.retx_at, 500);
	cr_assert_eq(t.end_at, 32000);
}

Test(sip_txn_names, state_and_kind_strings)
{
	cr_assert_str_eq(sip_txn_state_str(SIP_TXN_STATE_CALLING), "calling");
	cr_assert_str_eq(sip_txn_state_str(SIP_TXN_STATE_ACCEPTED), "accepted");
	cr_assert_str_eq(sip_txn_state_str(SIP_TXN_STATE_TERMINATED),
			 "terminated");
	cr_assert_str_eq(sip_txn_state_str(SIP_TXN_STATE_COUNT), "?");
	cr_assert_str_eq(sip_txn_kind_str(SIP_TXN_ICT), "ict");
	cr_assert_str_eq(sip_txn_kind_str(SIP_TXN_NIST), "nist");
	cr_assert_str_eq(sip_txn_kind_str(SIP_TXN_KIND_COUNT), "?");
	for (int s = 0; s < SIP_TXN_STATE_COUNT; s++)
		cr_assert_neq(strcmp(sip_txn_state_str((enum sip_txn_state)s), "?"), 0);
}

/* ------------------------------------------------------------------ */
/* Matching keys                                                      */

static const struct sip_txn_seed seed = { 0x0706050403020100ull,
					  0x0f0e0d0c0b0a0908ull };

/* Key of (method, branch, host, port); asserts success. */
static struct sip_txn_key key_of(const char *method, const char *branch,
				 const char *host, uint16_t port)
{
	struct sip_txn_key k;

	memset(&k, 0xa5, sizeof(k));
	cr_assert_eq(sip_txn_key_make(&k, &seed, method, strlen(method), branch,
				      strlen(branch), host, strlen(host), port),
		     0);
	return k;
}

static bool key_eq(struct sip_txn_key a, struct sip_txn_key b)
{
	return memcmp(&a, &b, sizeof(a)) == 0;
}

#define BR "z9hG4bK776asdhds"

Test(sip_txn_key_make, same_fields_same_key)
{
	struct sip_txn_key a = key_of("INVITE", BR, "198.18.0.1", 5060);
	struct sip_txn_key b = key_of("INVITE", BR, "198.18.0.1", 5060);

	cr_assert(key_eq(a, b));
	cr_assert_eq(a.method_len, 6);
	cr_assert_eq(a.branch_len, strlen(BR) - SIP_TXN_COOKIE_LEN);
	cr_assert_eq(a.host_len, 10);
	cr_assert_eq(a.port, 5060);
}

Test(sip_txn_key_make, every_field_counts)
{
	struct sip_txn_key a = key_of("INVITE", BR, "198.18.0.1", 5060);
	struct sip_txn_key k;
	struct sip_txn_seed other = { seed.k0, seed.k1 + 1 };

	cr_assert_not(key_eq(a, key_of("INVITE", BR "x", "198.18.0.1", 5060)));
	cr_assert_not(key_eq(a, key_of("INVITE", "z9hG4bK776asdhdS",
				       "198.18.0.1", 5060)));
	cr_assert_not(key_eq(a, key_of("INVITE", BR, "198.18.0.2", 5060)));
	cr_assert_not(key_eq(a, key_of("INVITE", BR, "198.18.0.1", 5062)));
	cr_assert_not(key_eq(a, key_of("INVITE", BR, "198.18.0.1", 0)));
	cr_assert_not(key_eq(a, key_of("BYE", BR, "198.18.0.1", 5060)));
	cr_assert_eq(sip_txn_key_make(&k, &other, "INVITE", 6, BR, strlen(BR),
				      "198.18.0.1", 10, 5060),
		     0);
	cr_assert_neq(k.hash, a.hash);
}

Test(sip_txn_key_make, ack_joins_invite_cancel_does_not)
{
	struct sip_txn_key inv = key_of("INVITE", BR, "pc33.example.com", 5060);

	cr_assert(key_eq(inv, key_of("ACK", BR, "pc33.example.com", 5060)));
	cr_assert_not(key_eq(inv, key_of("CANCEL", BR, "pc33.example.com", 5060)));
	/* Methods are case-sensitive (§7.1): "ack" is some other method. */
	cr_assert_not(key_eq(inv, key_of("ack", BR, "pc33.example.com", 5060)));
	cr_assert_not(key_eq(inv, key_of("ACKX", BR, "pc33.example.com", 5060)));
}

Test(sip_txn_key_make, host_case_folds_branch_does_not)
{
	struct sip_txn_key a = key_of("OPTIONS", BR, "PC33.Atlanta.EXAMPLE.com", 5060);

	cr_assert(key_eq(a, key_of("OPTIONS", BR, "pc33.atlanta.example.com", 5060)));
	cr_assert_not(key_eq(a, key_of("OPTIONS", "z9hG4bK776ASDHDS",
				       "pc33.atlanta.example.com", 5060)));
	/* Only 'A'-'Z' fold: their neighbours '@' and '[' must not become
	 * '`' and '{'. */
	cr_assert_not(key_eq(key_of("OPTIONS", BR, "@[", 1),
			     key_of("OPTIONS", BR, "`{", 1)));
}

Test(sip_txn_key_make, fields_do_not_run_together)
{
	cr_assert_not(key_eq(key_of("INFO", "z9hG4bKab", "c", 1),
			     key_of("INFO", "z9hG4bKa", "bc", 1)));
	cr_assert_not(key_eq(key_of("INFOz", "z9hG4bK", "h", 1),
			     key_of("INFO", "z9hG4bKz", "h", 1)));
	/* Zero padding of a short field is not the same as a zero byte. */
	struct sip_txn_key k;

	cr_assert_eq(sip_txn_key_make(&k, &seed, "INFO", 4, BR, strlen(BR),
				      "h\0", 2, 1),
		     0);
	cr_assert_not(key_eq(k, key_of("INFO", BR, "h", 1)));
}

Test(sip_txn_key_make, rfc2543_branch_is_not_supported)
{
	struct sip_txn_key k;

	cr_assert_eq(sip_txn_key_make(&k, &seed, "INVITE", 6, "776asdhds", 9,
				      "h", 1, 0),
		     -ENOTSUP);
	cr_assert_eq(sip_txn_key_make(&k, &seed, "INVITE", 6, "", 0, "h", 1, 0),
		     -ENOTSUP);
	cr_assert_eq(sip_txn_key_make(&k, &seed, "INVITE", 6, "z9hG4b", 6, "h",
				      1, 0),
		     -ENOTSUP);
	cr_assert_eq(sip_txn_key_make(&k, &seed, "INVITE", 6, "Z9HG4BK1", 8,
				      "h", 1, 0),
		     -ENOTSUP);
	/* The bare cookie is a (poor) RFC 3261 branch. */
	cr_assert_eq(sip_txn_key_make(&k, &seed, "INVITE", 6, "z9hG4bK", 7, "h",
				      1, 0),
		     0);
	cr_assert_eq(k.branch_len, 0);
}

Test(sip_txn_key_make, bad_lengths)
{
	struct sip_txn_key k;
	char *big = calloc(1, (size_t)UINT16_MAX + 8);

	cr_assert(big);
	memcpy(big, "z9hG4bK", 7);
	cr_assert_eq(sip_txn_key_make(&k, &seed, "", 0, BR, strlen(BR), "h", 1, 0),
		     -EINVAL);
	cr_assert_eq(sip_txn_key_make(&k, &seed, "INFO", 4, BR, strlen(BR), big,
				      (size_t)UINT16_MAX + 1, 0),
		     -EINVAL);
	cr_assert_eq(sip_txn_key_make(&k, &seed, "INFO", 4, big,
				      (size_t)UINT16_MAX + 8, "h", 1, 0),
		     -EINVAL);
	cr_assert_eq(sip_txn_key_make(&k, &seed, "INFO", 4, big,
				      (size_t)UINT16_MAX + 7, "h", 1, 0),
		     0);
	free(big);
}

Test(sip_txn_key_make, long_fields_and_distinct_hashes)
{
	enum { N = 4096 };
	uint64_t *h = malloc(N * sizeof(*h));
	char host[300], branch[64];

	cr_assert(h);
	memset(host, 'h', sizeof(host) - 1);
	host[sizeof(host) - 1] = '\0';
	for (int i = 0; i < N; i++) {
		snprintf(branch, sizeof(branch), "z9hG4bK-%d-1-0", i);
		h[i] = key_of("REGISTER", branch, host, 5060).hash;
	}
	for (int i = 0; i < N; i++)
		for (int j = i + 1; j < N; j++)
			cr_assert_neq(h[i], h[j], "branches %d and %d collide", i, j);
	free(h);
}

/* A parsed message is slices into its buffer; build one by hand. */
static struct sip_slice slice_of(const char *buf, const char *s)
{
	const char *p = strstr(buf, s);

	cr_assert(p);
	return (struct sip_slice){ .off = (uint16_t)(p - buf),
				   .len = (uint16_t)strlen(s) };
}

Test(sip_txn_key_from_msg, uses_cseq_method_and_top_via)
{
	const char *buf = "ACK z9hG4bKnashds8 198.18.0.7 INVITE";
	struct sip_msg m;
	struct sip_txn_key k;

	memset(&m, 0, sizeof(m));
	m.method = SIP_METHOD_ACK;
	m.cseq_method = slice_of(buf, "ACK");
	m.via_branch = slice_of(buf, "z9hG4bKnashds8");
	m.via_host = slice_of(buf, "198.18.0.7");
	m.via_port = 5062;
	cr_assert_eq(sip_txn_key_from_msg(&k, &seed, buf, &m), 0);
	cr_assert(key_eq(k, key_of("INVITE", "z9hG4bKnashds8", "198.18.0.7", 5062)));

	/* A response to the INVITE: CSeq method INVITE, same Via. */
	m.method = SIP_METHOD_NONE;
	m.status = 486;
	m.cseq_method = slice_of(buf, "INVITE");
	cr_assert_eq(sip_txn_key_from_msg(&k, &seed, buf, &m), 0);
	cr_assert(key_eq(k, key_of("INVITE", "z9hG4bKnashds8", "198.18.0.7", 5062)));

	m.via_branch.len = 0;
	cr_assert_eq(sip_txn_key_from_msg(&k, &seed, buf, &m), -ENOTSUP);
}
