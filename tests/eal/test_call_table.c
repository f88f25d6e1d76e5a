/* SPDX-License-Identifier: MIT */
/*
 * A worker's call table (dataplane/sip/call_table.c) on a real dataplane
 * with no lcore launched: the test acts as worker 0. Here: the Call-IDs of
 * ended calls that a late BYE is answered 200 for (the linger cache).
 */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "dp_harness.h"
#include "sip/call.h"
#include "worker.h"

static struct harness h;
static struct wrk_ctx *w;

static void setup(void)
{
	h_start_cp(&h, 1, "/nonexistent/cdr.db"); /* no control plane here */
	w = h.dp->wrk[0];
}

static void teardown(void)
{
	h_stop(&h);
}

TestSuite(call_linger, .init = setup, .fini = teardown);

/* Remembers Call-ID id as ended by a BYE from side at now, for ms. */
static void linger(const char *id, enum call_side side, uint64_t now, uint32_t ms)
{
	struct call *c = call_alloc(w);

	cr_assert_not_null(c);
	if (side == CALL_A)
		cr_assert_eq(call_keep(c, &c->a_call_id, id, strlen(id)), 0);
	else
		cr_assert_eq(call_keep(c, &c->b_call_id, id, strlen(id)), 0);
	c->bye_from = (uint8_t)side;
	call_linger_add(w, c, now, ms);
	c->a_call_id.len = 0; /* not indexed: nothing to take out */
	call_free(w, c);
}

static bool has(const char *id, uint64_t now)
{
	return call_linger_has(w, id, strlen(id), now);
}

Test(call_linger, a_call_id_is_kept_for_its_time_only)
{
	linger("a1@198.18.0.11", CALL_A, 1000, 32000);
	linger("b000000010000000100000001", CALL_B, 1000, 32000);
	cr_expect(has("a1@198.18.0.11", 1001));
	cr_expect(has("b000000010000000100000001", 32999));
	cr_expect_not(has("a1@198.18.0.11", 33000), "expired");
	cr_expect_not(has("a2@198.18.0.11", 1001), "never ended");
	cr_expect_not(has("a1@198.18.0.1", 1001), "a prefix is another Call-ID");
	/* kept again later: the later time counts */
	linger("a1@198.18.0.11", CALL_A, 20000, 32000);
	cr_expect(has("a1@198.18.0.11", 51999));
	cr_expect_eq(w->st->call[CALL_C_LINGER_EVICTED], 0);
}

Test(call_linger, when_full_the_oldest_are_forgotten_first_and_counted)
{
	uint32_t ways = w->calls->lg_sets * CALL_LINGER_WAYS, n = ways * 2;
	char id[32];

	/* twice as many as it holds within a second, 1000 a millisecond */
	for (uint32_t i = 0; i < n; i++) {
		snprintf(id, sizeof(id), "fill-%u@198.18.0.11", i);
		linger(id, CALL_A, 1000 + i / 1000, 32000);
	}
	cr_expect_geq(w->st->call[CALL_C_LINGER_EVICTED], n - ways);
	/* the latest are all there: a full set forgets its oldest */
	for (uint32_t i = n - 64; i < n; i++) {
		snprintf(id, sizeof(id), "fill-%u@198.18.0.11", i);
		cr_expect(has(id, 1000 + n / 1000), "%s forgotten", id);
	}
	/* once they have expired, ways are reused without forgetting any */
	uint64_t evicted = w->st->call[CALL_C_LINGER_EVICTED];

	for (uint32_t i = 0; i < 1000; i++) {
		snprintf(id, sizeof(id), "late-%u@198.18.0.11", i);
		linger(id, CALL_A, 1000 + n / 1000 + 32000, 32000);
	}
	cr_expect_eq(w->st->call[CALL_C_LINGER_EVICTED], evicted);
}
