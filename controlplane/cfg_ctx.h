/* SPDX-License-Identifier: MIT */
/*
 * The config loader's state while it reads one file, private to
 * controlplane/cfg*.c.
 *
 * cfg.c parses the text and walks it against the keyword table; the checks
 * that span keys run after the walk, in cfg_cross.c (eal, ports, sip, rtp,
 * mempool) and cfg_tenants.c (tenants against each other and the rest).
 * They share this context: where errors go, which fields failed to read
 * (checks skip those instead of piling on), and the parsed libconfig tree
 * (for the line of the setting an error names).
 */
#ifndef SLUICE_CFG_CTX_H
#define SLUICE_CFG_CTX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libconfig.h>

#include "cfg.h"
#include "cfg_keys.h"

#define CFG_MAX_BIG 16  /* out-of-range literals remembered */
#define CFG_PATH 96     /* "tenants[12].users[3].devices[1].username" */
#define CFG_TEXT 160    /* one "expected" or "got" phrase */
#define CFG_QUOTE 48    /* characters of a string value shown */
#define CFG_QUOTED (CFG_QUOTE * 4 + 16) /* a quoted value, escaped */

/* An integer literal libconfig will truncate to 32 bits. */
struct cfg_big {
	unsigned line;
	int32_t wrapped; /* the value libconfig stores */
	bool used;       /* already named in an error */
	char text[24];   /* what the file says */
};

/* Bytes [start, end) of allocated lists that failed to read. */
struct cfg_span {
	const char *start;
	const char *end;
};

struct cfg_ctx {
	const char *name;         /* file name in messages */
	struct cfg *out;
	struct cfg_errors *errs;
	config_t lc;
	unsigned line[CFG_MAX_ERRORS];              /* line of each kept error */
	uint8_t bad[(sizeof(struct cfg) + 7) / 8];  /* bytes of fields that failed */
	struct cfg_span *spans;   /* the same outside struct cfg: allocated lists */
	size_t n_spans, cap_spans;
	bool spans_lost;          /* out of memory recording one: trust nothing */
	uint32_t used[CFG_B_COUNT]; /* allocated elements of each bounded kind */
	bool over[CFG_B_COUNT];   /* that bound was exceeded: lists cut short */
	bool nomem;
	struct cfg_big big[CFG_MAX_BIG];
	unsigned n_big;
};

/* Records one message "file:line: ..." (line 0: "file: ..."). */
void cfg_err(struct cfg_ctx *x, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Whether the field at this address failed to read (or is in one that did). */
bool cfg_bad(const struct cfg_ctx *x, const void *field);

/*
 * Whether a whole element of an allocated list failed (it was not a group):
 * unlike cfg_bad on its first field, a bad first field alone does not count.
 */
bool cfg_bad_elem(const struct cfg_ctx *x, const void *elem, size_t size);

/* "text" with quotes, escapes and at most CFG_QUOTE characters. */
void cfg_quote(const char *s, char *buf, size_t n);

/* Dotted quad of a host-order address into buf (INET_ADDRSTRLEN bytes). */
const char *cfg_ntoa(uint32_t addr, char *buf);

/*
 * Line of the setting at path ("tenants[2].users[0].name", "sip.t2_ms"), or
 * of the nearest enclosing setting the file has; 0 if none.
 */
unsigned cfg_line_path(const struct cfg_ctx *x, const char *path);

/* The checks that span keys, in cfg_cross.c and cfg_tenants.c. */
void cfg_cross_run(struct cfg_ctx *x);
void cfg_cross_tenants(struct cfg_ctx *x);

#endif
