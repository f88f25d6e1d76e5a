/* SPDX-License-Identifier: MIT */
/*
 * shed: how much new work an io lcore turns away from a worker that has
 * more than it can do (overload control, DESIGN.md "Bad input and
 * faults": goodput must not collapse at twice the capacity).
 *
 * Why not a queue threshold alone: a worker's queue is long for two
 * reasons. A burst (or a turn off its CPU, when lcores share one) makes
 * it long for a moment and it drains; overload makes it stand. Shedding
 * at a low threshold turns bursts away at loads the worker carries;
 * shedding only at a high one lets the queue stand long, and a worker
 * working through thousands of queued datagrams misses the cache on
 * each (measured: a quarter fewer calls per busy core at a standing
 * 4096-message queue than at an empty one), so goodput falls as load
 * rises: the collapse the control is there to prevent.
 *
 * So the signal is the least backlog seen in an interval (as CoDel
 * reads the least sojourn time): a queue that never fell to the target
 * for a whole interval is standing. Each interval the share of new
 * INVITEs shed rises by a step while the backlog stands and falls by one
 * when it does not (as PIE's drop probability does), and the INVITEs
 * shed are spread evenly by error diffusion: at twice the capacity the
 * share settles near one half, and the queue near the target.
 *
 * Messages of calls in progress are never shed here: turning away the
 * INVITE is what sheds a call's whole cost. One struct shed per worker
 * in each io lcore, written by that io lcore only: no atomics.
 */
#ifndef SLUICE_SHED_H
#define SLUICE_SHED_H

#include <stdbool.h>
#include <stdint.h>

#define SHED_ONE 65536u     /* a share of 1 in shed's fixed point */
/* The share's change per interval: with the io lcore's 10 ms timer, from
 * none to one half in 160 ms, so it follows a load that changes in tenths
 * of a second and does not swing with a single interval. */
#define SHED_STEP (SHED_ONE / 32)

struct shed {
	uint32_t qmin;      /* least backlog seen this interval; UINT32_MAX none */
	uint32_t p;         /* share of new INVITEs shed, of SHED_ONE */
	uint32_t acc;       /* error diffusion of p over the INVITEs seen */
};

static inline void shed_init(struct shed *s)
{
	s->qmin = UINT32_MAX;
	s->p = 0;
	s->acc = 0;
}

/* The backlog q (messages) the worker had when more was queued for it. */
static inline void shed_sample(struct shed *s, uint32_t q)
{
	if (q < s->qmin)
		s->qmin = q;
}

/*
 * Ends an interval: the share goes up by step if the backlog stood above
 * target all through it, down by step otherwise (an interval with no
 * sample had nothing queued: no backlog).
 */
static inline void shed_tick(struct shed *s, uint32_t target, uint32_t step)
{
	if (s->qmin != UINT32_MAX && s->qmin > target)
		s->p = s->p + step < SHED_ONE ? s->p + step : SHED_ONE;
	else
		s->p = s->p > step ? s->p - step : 0;
	s->qmin = UINT32_MAX;
}

/* Whether this new INVITE is to be shed. */
static inline bool shed_take(struct shed *s)
{
	if (s->p == 0)
		return false;
	s->acc += s->p;
	if (s->acc < SHED_ONE)
		return false;
	s->acc -= SHED_ONE;
	return true;
}

#endif
