/* SPDX-License-Identifier: MIT */
/*
 * Idle back-off and busy/idle cycle accounting (see idle.h).
 */
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_pause.h>

#include "idle.h"
#include "log.h"

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
	idle->cpu.pg = NULL;
	idle->cpu.fd = -1;
}

int idle_open(struct idle *idle)
{
	int rc = oncpu_open(&idle->cpu, rte_get_tsc_hz());

	if (rc < 0)
		SL_LOG(WARNING, DP, "lcore %u: no thread clock (perf task-clock: %s): "
		       "its busy cycles include time it is preempted\n",
		       rte_lcore_id(), strerror(-rc));
	idle->last_tsc = rte_rdtsc();
	oncpu_mark(&idle->cpu, idle->last_tsc);
	return rc;
}

void idle_close(struct idle *idle)
{
	oncpu_close(&idle->cpu);
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
		uint64_t off = oncpu_off(&idle->cpu, idle->last_tsc, now);

		st->busy_cycles += dt - off;
		st->preempt_cycles += off;
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
	oncpu_mark(&idle->cpu, idle->last_tsc);
}
