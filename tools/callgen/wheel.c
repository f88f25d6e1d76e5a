/* SPDX-License-Identifier: MIT */
/*
 * Timers of sluice-callgen: one per call slot, on a hashed wheel of 1 ms
 * ticks (CG_WHEEL_SIZE buckets, ~65 s). Each bucket is an intrusive
 * doubly-linked list threaded through per-slot next/prev arrays, so arming,
 * re-arming and cancelling are O(1) and a tick costs only the timers due
 * in it (plus, once per wheel turn, any armed more than a turn ahead, which
 * stay in their bucket until their own turn comes).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cg.h"

int wheel_init(struct cg_wheel *w, uint32_t n, void (*fire)(struct cg *, uint32_t))
{
	memset(w, 0, sizeof(*w));
	w->next = calloc(n, sizeof(*w->next));
	w->prev = calloc(n, sizeof(*w->prev));
	w->due = calloc(n, sizeof(*w->due));
	w->armed = calloc(n, sizeof(*w->armed));
	if (!w->next || !w->prev || !w->due || !w->armed) {
		wheel_free(w);
		return -ENOMEM;
	}
	memset(w->head, 0xff, sizeof(w->head));
	w->fire = fire;
	return 0;
}

void wheel_free(struct cg_wheel *w)
{
	free(w->next);
	free(w->prev);
	free(w->due);
	free(w->armed);
	w->next = w->prev = w->due = NULL;
	w->armed = NULL;
}

void wheel_cancel(struct cg_wheel *w, uint32_t slot)
{
	uint32_t n, p;

	if (!w->armed[slot])
		return;
	n = w->next[slot];
	p = w->prev[slot];
	if (p == CG_NIL)
		w->head[w->due[slot] & (CG_WHEEL_SIZE - 1)] = n;
	else
		w->next[p] = n;
	if (n != CG_NIL)
		w->prev[n] = p;
	w->armed[slot] = 0;
}

/* A timer due at or before the current tick goes into the next tick's
 * bucket, so it fires on the next advance and never waits a whole turn. */
void wheel_arm(struct cg_wheel *w, uint32_t slot, uint32_t due)
{
	uint32_t b;

	wheel_cancel(w, slot);
	if ((int32_t)(due - w->now) <= 0)
		due = w->now + 1;
	b = due & (CG_WHEEL_SIZE - 1);
	w->due[slot] = due;
	w->prev[slot] = CG_NIL;
	w->next[slot] = w->head[b];
	if (w->head[b] != CG_NIL)
		w->prev[w->head[b]] = slot;
	w->head[b] = slot;
	w->armed[slot] = 1;
}

unsigned wheel_advance(struct cg *cg, struct cg_wheel *w, uint32_t now)
{
	unsigned fired = 0, steps = 0;

	while ((int32_t)(now - w->now) > 0 && steps++ < CG_WHEEL_SIZE) {
		uint32_t t = w->now + 1, b = t & (CG_WHEEL_SIZE - 1);
		uint32_t s = w->head[b];

		w->now = t;
		while (s != CG_NIL) {
			uint32_t nx = w->next[s];

			if ((int32_t)(w->due[s] - t) <= 0) {
				wheel_cancel(w, s);
				w->fire(cg, s); /* may re-arm s, never into b */
				fired++;
			}
			s = nx;
		}
	}
	/* A loop stalled for more than a turn: catch up at once (timers
	 * missed fire on their bucket's next visit, as due <= t there). */
	if ((int32_t)(now - w->now) > 0)
		w->now = now;
	return fired;
}
