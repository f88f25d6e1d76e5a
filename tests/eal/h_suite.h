/* SPDX-License-Identifier: MIT */
/*
 * The suite set-up of the eal tests that talk SIP to the harness with two
 * workers: one harness h per test process (Criterion runs each test in a
 * process of its own), started with the peer's MAC already known to the
 * appliance. Static: each test file that includes it gets its own.
 */
#ifndef SLUICE_TEST_H_SUITE_H
#define SLUICE_TEST_H_SUITE_H

#include "dp_harness.h"

static struct harness h;

static inline void h_suite_start(void)
{
	h_start(&h, 2);
	h_arp_from_peer(&h);
}

static inline void h_suite_stop(void)
{
	h_stop(&h);
}

#endif
