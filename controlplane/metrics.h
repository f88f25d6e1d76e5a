/* SPDX-License-Identifier: MIT */
/*
 * A writer of the Prometheus text exposition format, version 0.0.4, into a
 * growable buffer: what GET /metrics serves.
 *
 * A family is opened once with metrics_family (it writes the # HELP and
 * # TYPE lines), then its samples follow with metrics_sample*. The format
 * wants a family's samples together and its HELP/TYPE once, so opening a
 * family already written earlier (not the current one) is an error, and
 * opening the current one again is a no-op. Names and label names are
 * checked against the format's grammar; label values and HELP text are
 * escaped (backslash, double quote in label values, newline).
 *
 * Errors are sticky: after the first failure every call returns it again,
 * so a writer can emit everything and check once (metrics_error).
 */
#ifndef SLUICE_METRICS_H
#define SLUICE_METRICS_H

#include <stddef.h>
#include <stdint.h>

#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

enum metrics_type {
	METRICS_COUNTER, /* only goes up (resets on restart); names end _total */
	METRICS_GAUGE,   /* goes up and down */
};

struct metrics_label {
	const char *name;
	const char *value; /* any bytes up to the NUL; escaped on output */
};

struct metrics_buf {
	char *data; /* NUL-terminated text, len bytes */
	size_t len;
	size_t cap;
	int err;    /* first error, 0 if none */
	enum metrics_type type; /* of the current family */
	char **families;        /* names written so far, the last is current */
	size_t n_families;
	size_t cap_families;
};

/* An empty buffer. */
void metrics_init(struct metrics_buf *b);

/* Frees what the buffer holds and leaves it empty; NULL is a no-op. */
void metrics_free(struct metrics_buf *b);

/*
 * Opens family name (HELP and TYPE lines). Returns 0, -EINVAL for a bad
 * name or a family written before (not the current one), -ENOMEM.
 */
int metrics_family(struct metrics_buf *b, const char *name,
		   enum metrics_type type, const char *help);

/*
 * One sample of the current family with n labels (labels may be NULL when
 * n is 0). Values are written exactly: integers as integers, doubles in
 * the shortest form that reads back the same, NaN and ±Inf by their names.
 * Returns 0, -EINVAL (no family open, bad label name, a negative or NaN
 * counter), -ENOMEM.
 */
int metrics_sample_u64(struct metrics_buf *b, const struct metrics_label *labels,
		       size_t n, uint64_t value);
int metrics_sample(struct metrics_buf *b, const struct metrics_label *labels,
		   size_t n, double value);

/* The first error met, 0 if none. */
int metrics_error(const struct metrics_buf *b);

/*
 * Hands over the text (malloc'd, NUL-terminated, *len bytes without the NUL;
 * "" for an empty buffer) and leaves the buffer empty. NULL if an error
 * happened or memory ran out; either way the buffer is freed.
 */
char *metrics_take(struct metrics_buf *b, size_t *len);

#endif
