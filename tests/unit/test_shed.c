/* SPDX-License-Identifier: MIT */
/*
 * Overload control's share (dataplane/shed.h): a burst that drains within
 * an interval sheds nothing, a backlog that stands raises the share one
 * step an interval, the share falls once the backlog goes, and the
 * INVITEs shed are spread evenly at the share.
 */
#include <stdint.h>

#include <criterion/criterion.h>

#include "shed.h"

#define TARGET 128u

/* An interval in which the worker's backlog went through q[0..n). */
static void interval(struct shed *s, const uint32_t *q, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		shed_sample(s, q[i]);
	shed_tick(s, TARGET, SHED_STEP);
}

/* How many of n new INVITEs are shed now. */
static unsigned shed_of(struct shed *s, unsigned n)
{
	unsigned k = 0;

	for (unsigned i = 0; i < n; i++)
		k += shed_take(s);
	return k;
}

Test(shed_tick, a_burst_that_drains_sheds_nothing)
{
	struct shed s;
	/* deep for a moment (a burst, or the worker off its CPU), then gone */
	const uint32_t q[] = { 3000, 4000, 2500, 900, 40, 700 };

	shed_init(&s);
	for (int i = 0; i < 50; i++)
		interval(&s, q, 6);
	cr_expect_eq(s.p, 0);
	cr_expect_eq(shed_of(&s, 1000), 0);
}

Test(shed_tick, a_standing_backlog_raises_the_share_a_step_an_interval)
{
	struct shed s;
	const uint32_t q[] = { 400, 300, TARGET + 1, 500 };

	shed_init(&s);
	for (unsigned i = 1; i <= 16; i++) {
		interval(&s, q, 4);
		cr_expect_eq(s.p, i * SHED_STEP);
	}
	/* half the new INVITEs now, evenly: one in two, every pair */
	cr_expect_eq(s.p, SHED_ONE / 2);
	for (int i = 0; i < 100; i++)
		cr_expect_eq(shed_of(&s, 2), 1);
	/* never more than all of them */
	for (int i = 0; i < 100; i++)
		interval(&s, q, 4);
	cr_expect_eq(s.p, SHED_ONE);
	cr_expect_eq(shed_of(&s, 1000), 1000);
}

Test(shed_tick, the_share_falls_once_the_backlog_goes)
{
	struct shed s;
	const uint32_t standing[] = { 600 }, gone[] = { 600, TARGET, 300 };

	shed_init(&s);
	for (int i = 0; i < 8; i++)
		interval(&s, standing, 1);
	cr_expect_eq(s.p, 8 * SHED_STEP);
	interval(&s, gone, 3);   /* fell to the target once: not standing */
	cr_expect_eq(s.p, 7 * SHED_STEP);
	interval(&s, NULL, 0);   /* nothing queued at all */
	cr_expect_eq(s.p, 6 * SHED_STEP);
	for (int i = 0; i < 10; i++)
		interval(&s, gone, 3);
	cr_expect_eq(s.p, 0);
	cr_expect_eq(shed_of(&s, 1000), 0);
}

Test(shed_take, spreads_a_share_evenly)
{
	struct shed s;

	shed_init(&s);
	s.p = SHED_ONE / 4;
	/* one in four, at every fourth: no run of sheds, no run of admits */
	for (int i = 0; i < 100; i++) {
		cr_expect_eq(shed_of(&s, 3), 0);
		cr_expect_eq(shed_of(&s, 1), 1);
	}
	s.p = SHED_ONE / 3; /* 21845: a third, less the fixed point's rounding */
	unsigned k = shed_of(&s, 3000);
	cr_expect(k == 999 || k == 1000, "%u", k);
}
