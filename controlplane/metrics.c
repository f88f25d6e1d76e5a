/* SPDX-License-Identifier: MIT */
/*
 * Prometheus text exposition (format 0.0.4) into a growable buffer. The
 * control plane fills one per scrape of GET /metrics; see metrics.h for the
 * rules a writer follows. The grammar kept here, from the format's spec:
 *
 *   # HELP <name> <help, with \ and newline escaped>
 *   # TYPE <name> counter|gauge
 *   <name>{<label>="<value, with \ " and newline escaped>",...} <value>
 *
 * names match [a-zA-Z_:][a-zA-Z0-9_:]*, label names [a-zA-Z_][a-zA-Z0-9_]*
 * and may not start with "__" (reserved for Prometheus itself).
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"

#define METRICS_MIN_CAP 1024

void metrics_init(struct metrics_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void metrics_free(struct metrics_buf *b)
{
	size_t i;

	if (b == NULL)
		return;
	for (i = 0; i < b->n_families; i++)
		free(b->families[i]);
	free(b->families);
	free(b->data);
	metrics_init(b);
}

int metrics_error(const struct metrics_buf *b)
{
	return b->err;
}

static int metrics_fail(struct metrics_buf *b, int err)
{
	if (b->err == 0)
		b->err = err;
	return b->err;
}

/* Makes room for n more bytes and the NUL. */
static int metrics_reserve(struct metrics_buf *b, size_t n)
{
	size_t cap = b->cap != 0 ? b->cap : METRICS_MIN_CAP;
	char *p;

	if (b->len + n + 1 <= b->cap)
		return 0;
	while (cap < b->len + n + 1)
		cap *= 2;
	p = realloc(b->data, cap);
	if (p == NULL)
		return metrics_fail(b, -ENOMEM);
	b->data = p;
	b->cap = cap;
	return 0;
}

static int metrics_put(struct metrics_buf *b, const char *s, size_t n)
{
	if (metrics_reserve(b, n) < 0)
		return b->err;
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

static int metrics_puts(struct metrics_buf *b, const char *s)
{
	return metrics_put(b, s, strlen(s));
}

/* Writes s with backslash and newline escaped, and " too if quote. */
static int metrics_put_escaped(struct metrics_buf *b, const char *s,
			       bool quote)
{
	const char *run = s;

	for (; *s != '\0'; s++) {
		const char *esc = NULL;

		if (*s == '\\')
			esc = "\\\\";
		else if (*s == '\n')
			esc = "\\n";
		else if (*s == '"' && quote)
			esc = "\\\"";
		if (esc == NULL)
			continue;
		metrics_put(b, run, (size_t)(s - run));
		metrics_puts(b, esc);
		run = s + 1;
	}
	metrics_put(b, run, (size_t)(s - run));
	return b->err;
}

static bool metrics_name_ok(const char *s, bool colon)
{
	const char *p;

	if (s == NULL || *s == '\0' || (*s >= '0' && *s <= '9'))
		return false;
	for (p = s; *p != '\0'; p++) {
		char c = *p;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || (colon && c == ':')))
			return false;
	}
	return true;
}

static bool metrics_label_name_ok(const char *s)
{
	return metrics_name_ok(s, false) && strncmp(s, "__", 2) != 0;
}

static const char *metrics_current(const struct metrics_buf *b)
{
	return b->n_families ? b->families[b->n_families - 1] : NULL;
}

static int metrics_remember(struct metrics_buf *b, const char *name)
{
	char **f = b->families;
	char *copy;

	if (b->n_families == b->cap_families) {
		size_t cap = b->cap_families ? b->cap_families * 2 : 16;

		f = realloc(b->families, cap * sizeof(*f));
		if (f == NULL)
			return metrics_fail(b, -ENOMEM);
		b->families = f;
		b->cap_families = cap;
	}
	copy = strdup(name);
	if (copy == NULL)
		return metrics_fail(b, -ENOMEM);
	f[b->n_families++] = copy;
	return 0;
}

int metrics_family(struct metrics_buf *b, const char *name,
		   enum metrics_type type, const char *help)
{
	const char *cur = metrics_current(b);
	size_t i;

	if (b->err != 0)
		return b->err;
	if (!metrics_name_ok(name, true) ||
	    (type != METRICS_COUNTER && type != METRICS_GAUGE))
		return metrics_fail(b, -EINVAL);
	if (cur != NULL && strcmp(cur, name) == 0)
		return type == b->type ? 0 : metrics_fail(b, -EINVAL);
	for (i = 0; i < b->n_families; i++)
		if (strcmp(b->families[i], name) == 0)
			return metrics_fail(b, -EINVAL); /* split family */
	if (metrics_remember(b, name) < 0)
		return b->err;
	b->type = type;
	metrics_puts(b, "# HELP ");
	metrics_puts(b, name);
	metrics_puts(b, " ");
	metrics_put_escaped(b, help != NULL ? help : "", false);
	metrics_puts(b, "\n# TYPE ");
	metrics_puts(b, name);
	metrics_puts(b, type == METRICS_COUNTER ? " counter\n" : " gauge\n");
	return b->err;
}

/* "<name>{a="x",b="y"} " for the current family. */
static int metrics_put_series(struct metrics_buf *b,
			      const struct metrics_label *labels, size_t n)
{
	const char *name = metrics_current(b);
	size_t i;

	if (b->err != 0)
		return b->err;
	if (name == NULL || (labels == NULL && n > 0))
		return metrics_fail(b, -EINVAL);
	for (i = 0; i < n; i++)
		if (!metrics_label_name_ok(labels[i].name) ||
		    labels[i].value == NULL)
			return metrics_fail(b, -EINVAL);
	metrics_puts(b, name);
	for (i = 0; i < n; i++) {
		metrics_puts(b, i == 0 ? "{" : ",");
		metrics_puts(b, labels[i].name);
		metrics_puts(b, "=\"");
		metrics_put_escaped(b, labels[i].value, true);
		metrics_puts(b, "\"");
	}
	return metrics_puts(b, n > 0 ? "} " : " ");
}

int metrics_sample_u64(struct metrics_buf *b,
		       const struct metrics_label *labels, size_t n,
		       uint64_t value)
{
	char num[24];

	if (metrics_put_series(b, labels, n) < 0)
		return b->err;
	snprintf(num, sizeof(num), "%" PRIu64 "\n", value);
	return metrics_puts(b, num);
}

/* The shortest of %.15g, %.16g, %.17g that reads back as v. */
static void metrics_format_double(double v, char *out, size_t len)
{
	int prec;

	if (isnan(v)) {
		snprintf(out, len, "NaN");
		return;
	}
	if (isinf(v)) {
		snprintf(out, len, "%s", v > 0 ? "+Inf" : "-Inf");
		return;
	}
	for (prec = 15; prec < 17; prec++) {
		snprintf(out, len, "%.*g", prec, v);
		if (strtod(out, NULL) == v)
			return;
	}
	snprintf(out, len, "%.17g", v);
}

int metrics_sample(struct metrics_buf *b, const struct metrics_label *labels,
		   size_t n, double value)
{
	char num[40];

	if (b->err != 0)
		return b->err;
	if (b->n_families > 0 && b->type == METRICS_COUNTER &&
	    (isnan(value) || value < 0))
		return metrics_fail(b, -EINVAL);
	if (metrics_put_series(b, labels, n) < 0)
		return b->err;
	metrics_format_double(value, num, sizeof(num));
	metrics_puts(b, num);
	return metrics_puts(b, "\n");
}

char *metrics_take(struct metrics_buf *b, size_t *len)
{
	char *text = NULL;

	if (b->err == 0 && metrics_reserve(b, 0) == 0) {
		b->data[b->len] = '\0'; /* an empty buffer had none yet */
		text = b->data;
		*len = b->len;
		b->data = NULL;
	}
	metrics_free(b);
	return text;
}
