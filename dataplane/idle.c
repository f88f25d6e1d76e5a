/* SPDX-License-Identifier: MIT */
/*
 * Idle back-off and busy/idle cycle accounting (see idle.h).
 */
#include <time.h>

#include <rte_cycles.h>
#include <rte_pause.h>

#include "idle.h"

void idle_init(struct idle *idle, uint32_t spin, uint32_t min_us,
	       uint32_t max_us)
{
	idle->spin = spin;
	idle->max_us = max_us ? max_us : 1;
	idle->min_us = min_us ? min_us : 1;
	if (idle->min_us > idle->max_us)
		idle->min_us = idle->max_us;
	idle->empty = 0;
	idle->sleep_us = idle->min_us;
	idle->last_tsc = rte_rdtsc();
}

static void idle_sleep(uint32_t us)
{
	struct timespec ts = {
		.tv_sec = us / 1000000,
		.tv_nsec = (long)(us % 1000000) * 1000,
	};

	nanosleep(&ts, NULL);
}

void idle_step(struct idle *idle, struct stats_lcore *st, unsigned work)
{
	uint64_t now = rte_rdtsc();
	uint64_t dt = now - idle->last_tsc;

	if (work) {
		st->busy_cycles += dt;
		idle->empty = 0;
		idle->sleep_us = idle->min_us;
		idle->last_tsc = now;
		return;
	}
	if (++idle->empty <= idle->spin) {
		rte_pause();
	} else {
		idle_sleep(idle->sleep_us);
		if (idle->sleep_us < idle->max_us) {
			idle->sleep_us *= 2;
			if (idle->sleep_us > idle->max_us)
				idle->sleep_us = idle->max_us;
		}
	}
	/* The empty loop and the pause or sleep after it are all idle. */
	idle->last_tsc = rte_rdtsc();
	st->idle_cycles += dt + (idle->last_tsc - now);
}
