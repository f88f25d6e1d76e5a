/* SPDX-License-Identifier: MIT */
/*
 * A call detail record: what a worker knows about a call when it ends,
 * handed to the control plane in one fixed-size message and written to the
 * CDR store (SQLite) there.
 *
 * Fixed size and flat (no pointers) so it travels through a ring by value
 * and is written without parsing. Strings are NUL-terminated and cut to
 * their field; a number or URI longer than the field is truncated, never
 * overrun. Times are Unix epoch microseconds, 0 when the call never got
 * there (no ring, no answer).
 *
 * This header links without DPDK (the CDR store and its tests include it).
 */
#ifndef SLUICE_CDR_H
#define SLUICE_CDR_H

#include <stdint.h>

#define CDR_ID_LEN 32      /* tenant id */
#define CDR_NUM_LEN 64     /* caller / callee: user part or number */
#define CDR_CALLID_LEN 96  /* A-leg Call-ID as received */
#define CDR_TARGETS_LEN 256 /* targets tried, comma separated, in order */

/* How a call ended; stored by name in the CDR table. */
#define CDR_DISPOSITIONS(X)                                        \
	X(ANSWERED, "answered")   /* answered, then ended by a BYE */ \
	X(BUSY, "busy")           /* every target busy (486/600) */   \
	X(NO_ANSWER, "no_answer") /* ring time ran out on every target */ \
	X(CANCELLED, "cancelled") /* caller gave up before an answer */ \
	X(REJECTED, "rejected")   /* refused: 403/404/503 admission, route reject */ \
	X(FAILED, "failed")       /* error or timeout reaching every target */

enum cdr_disposition {
#define CDR_X(id, s) CDR_##id,
	CDR_DISPOSITIONS(CDR_X)
#undef CDR_X
	CDR_DISPOSITION_COUNT
};

struct cdr {
	uint64_t call_ref;   /* worker index << 48 | per-worker sequence */
	uint64_t start_us;   /* initial INVITE received */
	uint64_t ring_us;    /* first 180/183 relayed to the caller */
	uint64_t answer_us;  /* 200 OK relayed to the caller */
	uint64_t end_us;     /* BYE, CANCEL, or final failure */
	uint32_t ring_ms;    /* time spent ringing (ring → answer or end) */
	uint16_t sip_code;   /* final response to the caller's INVITE */
	uint8_t disposition; /* enum cdr_disposition */
	uint8_t worker;      /* worker lcore index that owned the call */
	char tenant[CDR_ID_LEN];
	char caller[CDR_NUM_LEN];
	char callee[CDR_NUM_LEN];
	char call_id[CDR_CALLID_LEN];
	char targets[CDR_TARGETS_LEN];
};

/* Name of a disposition, "answered"…; "" when out of range. */
static inline const char *cdr_disposition_str(unsigned d)
{
	static const char *const names[] = {
#define CDR_X(id, s) s,
		CDR_DISPOSITIONS(CDR_X)
#undef CDR_X
	};
	return d < CDR_DISPOSITION_COUNT ? names[d] : "";
}

#endif
