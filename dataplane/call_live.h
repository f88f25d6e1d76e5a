/* SPDX-License-Identifier: MIT */
/*
 * The state of a call in progress as its worker last published it, for
 * the live-calls API. A worker stores one word per call slot when a call
 * rings or is answered (call_live, call_table.c) instead of sending the
 * control plane a message per change; the API loads it when it lists.
 */
#ifndef SLUICE_CALL_LIVE_H
#define SLUICE_CALL_LIVE_H

#include <stdint.h>

struct dp;

/* enum cpmsg_call_state of call ref, or 0 if its worker has published
 * none for it (still routing) or the slot holds another call by now.
 * Any thread; lock-free. */
uint8_t call_live_state(const struct dp *dp, uint64_t ref);

#endif
