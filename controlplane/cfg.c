/* SPDX-License-Identifier: MIT */
/*
 * Config loading: libconfig parses the text, the walker below checks every
 * setting against the keyword table (cfg_keys.c) and stores it in struct cfg,
 * then cross-field checks look at what no single key can see (cfg_cross.c:
 * an lcore used twice, a gateway outside its subnet, ...; cfg_tenants.c:
 * two tenants claiming the same traffic, a route to an unknown user, ...).
 *
 * Lists marked CFG_K_ALLOC (tenants and everything inside them) are
 * allocated here as they are read, exactly as long as the file's list (up
 * to the key's bound and the file-wide bound of its kind), and cfg_free
 * walks the same table to release them. Fields that fail to read are
 * remembered (a bitmap over struct cfg, spans over allocated lists) so that
 * the cross-field checks skip them.
 *
 * Every problem becomes one line "file:line: key 'x.y': expected …, got …",
 * and loading goes on after an error so that the operator sees all of them
 * at once; the lines are sorted into file order at the end. Three things
 * libconfig 1.5 would do are headed off before it parses:
 *   - @include opens files, even from a string: it is refused, so that
 *     cfg_load_string never touches the filesystem (the fuzzer relies on it)
 *     and one file is the whole configuration;
 *   - integer literals beyond 32 bits are silently truncated: a pre-scan
 *     remembers them so the key that received the truncated value is
 *     reported with the number the operator wrote;
 *   - a string literal where the grammar takes none leaks its text: the
 *     pre-scan reports that syntax error itself.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libconfig.h>

#include "cfg.h"
#include "cfg_ctx.h"
#include "cfg_keys.h"

/*
 * Far above any real configuration, yet room for 100,000 users written
 * compactly. libconfig takes about 11 bytes of memory per byte of text.
 */
#define CFG_MAX_FILE (16 << 20)

typedef void cfg_read_fn(struct cfg_ctx *x, const config_setting_t *s,
			 const struct cfg_key *k, char *base, const char *path);

static void cfg_walk_group(struct cfg_ctx *x, const config_setting_t *grp,
			   const struct cfg_key *keys, char *base, const char *path);

/* ---- errors ---- */

/*
 * Records one message. Past CFG_MAX_ERRORS the earliest lines are kept: a new
 * error replaces the kept one with the latest line if it comes before it.
 */
void cfg_err(struct cfg_ctx *x, unsigned line, const char *fmt, ...)
{
	struct cfg_errors *e = x->errs;
	unsigned slot = e->n++;
	va_list ap;
	char *m;
	size_t n;
	int len;

	if (slot >= CFG_MAX_ERRORS) {
		slot = 0;
		for (unsigned i = 1; i < CFG_MAX_ERRORS; i++)
			if (x->line[i] >= x->line[slot])
				slot = i;
		if (line >= x->line[slot])
			return;
	}
	x->line[slot] = line;
	m = e->msg[slot];
	n = sizeof(e->msg[slot]);
	len = line ? snprintf(m, n, "%s:%u: ", x->name, line)
		   : snprintf(m, n, "%s: ", x->name);
	if (len < 0 || (size_t)len >= n)
		return;
	va_start(ap, fmt);
	vsnprintf(m + len, n - (size_t)len, fmt, ap);
	va_end(ap);
}

/* Stable sort of the kept messages by line: file order. */
static void cfg_err_sort(struct cfg_ctx *x)
{
	unsigned n = x->errs->n < CFG_MAX_ERRORS ? x->errs->n : CFG_MAX_ERRORS;
	char tmp[sizeof(x->errs->msg[0])];

	for (unsigned i = 1; i < n; i++) {
		unsigned line = x->line[i], j = i;

		if (x->line[i - 1] <= line)
			continue;
		memcpy(tmp, x->errs->msg[i], sizeof(tmp));
		for (; j > 0 && x->line[j - 1] > line; j--) {
			memcpy(x->errs->msg[j], x->errs->msg[j - 1], sizeof(tmp));
			x->line[j] = x->line[j - 1];
		}
		memcpy(x->errs->msg[j], tmp, sizeof(tmp));
		x->line[j] = line;
	}
}

static bool cfg_err_on_line(const struct cfg_ctx *x, unsigned line)
{
	unsigned n = x->errs->n < CFG_MAX_ERRORS ? x->errs->n : CFG_MAX_ERRORS;

	for (unsigned i = 0; i < n; i++)
		if (x->line[i] == line)
			return true;
	return false;
}

/*
 * Fields that failed: cross-field checks skip them instead of piling on.
 * Those of struct cfg itself are bits of x->bad; those of allocated lists
 * are spans, sorted and merged once the walk is over (cfg_spans_sort).
 */
static bool cfg_in_root(const struct cfg_ctx *x, const void *field, size_t *o)
{
	uintptr_t f = (uintptr_t)field, root = (uintptr_t)x->out;

	*o = (size_t)(f - root);
	return f >= root && f < root + sizeof(*x->out);
}

static void cfg_bad_set(struct cfg_ctx *x, const void *field, size_t len)
{
	const char *f = field;
	struct cfg_span *sp;
	size_t o;

	if (!cfg_in_root(x, field, &o)) {
		if (x->n_spans == x->cap_spans) {
			size_t cap = x->cap_spans ? 2 * x->cap_spans : 64;

			sp = realloc(x->spans, cap * sizeof(*sp));
			if (sp == NULL) {
				x->spans_lost = true;
				return;
			}
			x->spans = sp;
			x->cap_spans = cap;
		}
		x->spans[x->n_spans++] = (struct cfg_span){ f, f + (len ? len : 1) };
		return;
	}
	for (size_t end = o + (len ? len : 1); o < end; o++)
		x->bad[o / 8] |= (uint8_t)(1u << (o % 8));
}

static int cfg_span_cmp(const void *a, const void *b)
{
	uintptr_t p = (uintptr_t)((const struct cfg_span *)a)->start;
	uintptr_t q = (uintptr_t)((const struct cfg_span *)b)->start;

	return p < q ? -1 : p > q;
}

/* Sorts the spans by address and merges those that overlap. */
static void cfg_spans_sort(struct cfg_ctx *x)
{
	size_t n = 0;

	if (x->n_spans == 0)
		return;
	qsort(x->spans, x->n_spans, sizeof(x->spans[0]), cfg_span_cmp);
	for (size_t i = 1; i < x->n_spans; i++) {
		if ((uintptr_t)x->spans[i].start <= (uintptr_t)x->spans[n].end) {
			if ((uintptr_t)x->spans[i].end > (uintptr_t)x->spans[n].end)
				x->spans[n].end = x->spans[i].end;
		} else {
			x->spans[++n] = x->spans[i];
		}
	}
	x->n_spans = n + 1;
}

/* Bad bytes from f on, in allocated lists: 0 if f is good. */
static size_t cfg_bad_run(const struct cfg_ctx *x, const char *f)
{
	size_t lo = 0, hi = x->n_spans;

	while (lo < hi) { /* the last span starting at or before f */
		size_t mid = lo + (hi - lo) / 2;

		if ((uintptr_t)x->spans[mid].start <= (uintptr_t)f)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || (uintptr_t)f >= (uintptr_t)x->spans[lo - 1].end)
		return 0;
	return (size_t)((uintptr_t)x->spans[lo - 1].end - (uintptr_t)f);
}

bool cfg_bad(const struct cfg_ctx *x, const void *field)
{
	size_t o;

	if (cfg_in_root(x, field, &o))
		return x->bad[o / 8] & (1u << (o % 8));
	return x->spans_lost || cfg_bad_run(x, field) > 0;
}

bool cfg_bad_elem(const struct cfg_ctx *x, const void *elem, size_t size)
{
	return x->spans_lost || cfg_bad_run(x, elem) >= size;
}

/* ---- describing values ---- */

void cfg_quote(const char *s, char *buf, size_t n)
{
	size_t o = 0, shown = 0;

	buf[o++] = '"';
	for (; *s && shown < CFG_QUOTE && o + 10 < n; s++, shown++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			buf[o++] = '\\';
			buf[o++] = (char)c;
		} else if (c < 0x20 || c >= 0x7f) {
			o += (size_t)snprintf(buf + o, n - o, "\\x%02x", c);
		} else {
			buf[o++] = (char)c;
		}
	}
	if (*s) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o++] = '"';
	buf[o] = '\0';
}

/* The oversized literal libconfig truncated into integer setting s, if any. */
static struct cfg_big *cfg_big_find(struct cfg_ctx *x, const config_setting_t *s)
{
	unsigned line = config_setting_source_line(s);
	int v;

	if (config_setting_type(s) != CONFIG_TYPE_INT)
		return NULL;
	v = config_setting_get_int(s);
	for (unsigned i = 0; i < x->n_big; i++) {
		if (x->big[i].line == line && x->big[i].wrapped == v) {
			x->big[i].used = true;
			return &x->big[i];
		}
	}
	return NULL;
}

/* What the file holds; typed adds the kind ("string \"x\"", "integer 5"). */
static void cfg_got(struct cfg_ctx *x, const config_setting_t *s, bool typed,
		    char *buf, size_t n)
{
	const char *kind = "";
	char q[CFG_QUOTED];
	struct cfg_big *b;

	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		kind = typed ? "integer " : "";
		b = cfg_big_find(x, s);
		if (b != NULL)
			snprintf(buf, n, "%s%s", kind, b->text);
		else
			snprintf(buf, n, "%s%lld", kind, config_setting_get_int64(s));
		return;
	case CONFIG_TYPE_FLOAT:
		snprintf(buf, n, "float %g", config_setting_get_float(s));
		return;
	case CONFIG_TYPE_STRING:
		cfg_quote(config_setting_get_string(s), q, sizeof(q));
		snprintf(buf, n, "%s%s", typed ? "string " : "", q);
		return;
	case CONFIG_TYPE_BOOL:
		snprintf(buf, n, "%s%s", typed ? "boolean " : "",
			 config_setting_get_bool(s) ? "true" : "false");
		return;
	case CONFIG_TYPE_GROUP:
		kind = "group";
		break;
	case CONFIG_TYPE_ARRAY:
		kind = "array";
		break;
	case CONFIG_TYPE_LIST:
		kind = "list";
		break;
	default:
		kind = "nothing";
		break;
	}
	snprintf(buf, n, "%s", kind);
}

/* What a key (or an element of an array key) accepts. */
static void cfg_want(const struct cfg_key *k, char *buf, size_t n)
{
	if (k->check != NULL) { /* validators describe themselves */
		k->check(k, INT64_MIN, NULL, buf, n);
		return;
	}
	switch (k->type) {
	case CFG_T_INT:
	case CFG_T_INT_ARRAY:
		snprintf(buf, n, "integer %lld..%lld", (long long)k->min,
			 (long long)k->max);
		break;
	case CFG_T_BOOL:
		snprintf(buf, n, "true or false");
		break;
	case CFG_T_STR:
	case CFG_T_STR_ARRAY:
		if (k->min == 0)
			snprintf(buf, n, "string of at most %lld characters",
				 (long long)k->max);
		else
			snprintf(buf, n, "string of %lld..%lld characters",
				 (long long)k->min, (long long)k->max);
		break;
	case CFG_T_IPV4:
		snprintf(buf, n, "unicast IPv4 address");
		break;
	case CFG_T_ENDPOINT:
	case CFG_T_EP_ARRAY:
		snprintf(buf, n, "%sIPv4 address:port",
			 k->flags & CFG_K_ANYADDR ? "" : "unicast ");
		break;
	case CFG_T_CIDR_ARRAY:
		snprintf(buf, n, "IPv4 network a.b.c.d/8..32 without host bits");
		break;
	case CFG_T_ENUM: {
		size_t len = (size_t)snprintf(buf, n, "one of");

		for (size_t i = 0; k->names[i] != NULL && len < n; i++)
			len += (size_t)snprintf(buf + len, n - len, "%s %s",
						i ? "," : "", k->names[i]);
		break;
	}
	case CFG_T_GROUP:
		snprintf(buf, n, "group { ... }");
		break;
	case CFG_T_LIST:
		snprintf(buf, n, "list of groups ( { ... }, ... )");
		break;
	default:
		snprintf(buf, n, "nothing");
		break;
	}
}

/* "expected <want>, got <what the file holds>" for setting s. */
static void cfg_err_value(struct cfg_ctx *x, const config_setting_t *s,
			  const char *path, const char *want, bool typed)
{
	char got[CFG_TEXT + CFG_QUOTE * 4];

	cfg_got(x, s, typed, got, sizeof(got));
	cfg_err(x, config_setting_source_line(s), "key '%s': expected %s, got %s",
		path, want, got);
}

static void cfg_err_type(struct cfg_ctx *x, const config_setting_t *s,
			 const struct cfg_key *k, const char *path)
{
	char want[CFG_TEXT];

	if (k->type == CFG_T_INT_ARRAY)
		snprintf(want, sizeof(want), "array of %u..%u integers %lld..%lld",
			 k->min_n, k->max_n, (long long)k->min, (long long)k->max);
	else if (k->type == CFG_T_STR_ARRAY || k->type == CFG_T_EP_ARRAY ||
		 k->type == CFG_T_CIDR_ARRAY)
		snprintf(want, sizeof(want), "array of at most %u strings", k->max_n);
	else
		cfg_want(k, want, sizeof(want));
	cfg_err_value(x, s, path, want, true);
}

/* ---- reading scalars ---- */

static void cfg_store_uint(void *field, size_t size, int64_t v)
{
	uint8_t u8 = (uint8_t)v;
	uint16_t u16 = (uint16_t)v;
	uint32_t u32 = (uint32_t)v;
	uint64_t u64 = (uint64_t)v;

	switch (size) {
	case 1: memcpy(field, &u8, 1); break;
	case 2: memcpy(field, &u16, 2); break;
	case 4: memcpy(field, &u32, 4); break;
	case 8: memcpy(field, &u64, 8); break;
	default: break;
	}
}

static int64_t cfg_load_uint(const void *field, size_t size)
{
	uint16_t u16;
	uint32_t u32;

	switch (size) {
	case 1: return *(const uint8_t *)field;
	case 2: memcpy(&u16, field, 2); return u16;
	case 4: memcpy(&u32, field, 4); return u32;
	default: return 0;
	}
}

/* An integer within the key's range (or accepted by its validator). */
static bool cfg_get_int(struct cfg_ctx *x, const config_setting_t *s,
			const struct cfg_key *k, const char *path, int64_t *v)
{
	char want[CFG_TEXT];
	int t = config_setting_type(s);
	bool ok;

	if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64) {
		cfg_want(k, want, sizeof(want));
		cfg_err_value(x, s, path, want, true);
		return false;
	}
	*v = config_setting_get_int64(s);
	want[0] = '\0';
	if (cfg_big_find(x, s) != NULL) /* truncated by libconfig */
		ok = false;
	else if (k->check != NULL)
		ok = k->check(k, *v, NULL, want, sizeof(want));
	else
		ok = *v >= k->min && *v <= k->max;
	if (!ok) {
		if (want[0] == '\0')
			cfg_want(k, want, sizeof(want));
		cfg_err_value(x, s, path, want, false);
	}
	return ok;
}

/* A string of acceptable length (and accepted by the key's validator). */
static bool cfg_get_str(struct cfg_ctx *x, const config_setting_t *s,
			const struct cfg_key *k, const char *path, const char **sv)
{
	char want[CFG_TEXT];
	int64_t len;
	bool ok;

	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		cfg_want(k, want, sizeof(want));
		cfg_err_value(x, s, path, want, true);
		return false;
	}
	*sv = config_setting_get_string(s);
	len = (int64_t)strlen(*sv);
	want[0] = '\0';
	ok = k->check != NULL ? k->check(k, 0, *sv, want, sizeof(want))
			      : len >= k->min && len <= k->max;
	if (ok && len > k->max) /* the field could not hold it */
		ok = false;
	if (ok)
		return true;
	if (want[0] == '\0')
		cfg_want(k, want, sizeof(want));
	if (k->flags & CFG_K_SECRET) /* never echo a token or password */
		cfg_err(x, config_setting_source_line(s), "key '%s': expected %s, "
			"got a string of %lld characters", path, want, (long long)len);
	else
		cfg_err_value(x, s, path, want, false);
	return false;
}

static void cfg_read_int(struct cfg_ctx *x, const config_setting_t *s,
			 const struct cfg_key *k, char *base, const char *path)
{
	int64_t v;

	if (cfg_get_int(x, s, k, path, &v))
		cfg_store_uint(base + k->off, k->size, v);
	else
		cfg_bad_set(x, base + k->off, k->size);
}

static void cfg_read_bool(struct cfg_ctx *x, const config_setting_t *s,
			  const struct cfg_key *k, char *base, const char *path)
{
	if (config_setting_type(s) == CONFIG_TYPE_BOOL) {
		*(bool *)(base + k->off) = config_setting_get_bool(s) != 0;
		return;
	}
	cfg_err_type(x, s, k, path);
	cfg_bad_set(x, base + k->off, k->size);
}

static void cfg_read_str(struct cfg_ctx *x, const config_setting_t *s,
			 const struct cfg_key *k, char *base, const char *path)
{
	const char *sv;

	if (cfg_get_str(x, s, k, path, &sv))
		memcpy(base + k->off, sv, strlen(sv) + 1);
	else
		cfg_bad_set(x, base + k->off, k->size);
}

static void cfg_read_ipv4(struct cfg_ctx *x, const config_setting_t *s,
			  const struct cfg_key *k, char *base, const char *path)
{
	char want[CFG_TEXT];
	uint32_t addr;

	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		cfg_err_type(x, s, k, path);
	} else if (!cfg_parse_ipv4(config_setting_get_string(s), &addr)) {
		cfg_want(k, want, sizeof(want));
		cfg_err_value(x, s, path, want, false);
	} else {
		memcpy(base + k->off, &addr, sizeof(addr));
		return;
	}
	cfg_bad_set(x, base + k->off, k->size);
}

/* A value of a type parsed from a string: an endpoint, a CIDR, an enum word. */
static bool cfg_parse_as(const struct cfg_key *k, const char *sv, void *out)
{
	switch (k->type) {
	case CFG_T_ENDPOINT:
	case CFG_T_EP_ARRAY:
		return cfg_parse_endpoint(sv, k->flags & CFG_K_ANYADDR, out);
	case CFG_T_CIDR_ARRAY:
		return cfg_parse_cidr(sv, out);
	case CFG_T_ENUM:
		for (unsigned i = 0; k->names[i] != NULL; i++) {
			if (strcmp(sv, k->names[i]) == 0) {
				cfg_store_uint(out, k->size, i);
				return true;
			}
		}
		return false;
	default:
		return false;
	}
}

/* Reads such a value into field (k->size bytes), which a failure leaves be. */
static bool cfg_get_parsed(struct cfg_ctx *x, const config_setting_t *s,
			   const struct cfg_key *k, const char *path, char *field)
{
	char want[CFG_TEXT];
	union {
		struct cfg_endpoint ep;
		struct cfg_cidr cidr;
		uint64_t u;
	} v;
	bool is_str = config_setting_type(s) == CONFIG_TYPE_STRING;

	if (k->size <= sizeof(v) && is_str &&
	    cfg_parse_as(k, config_setting_get_string(s), &v)) {
		memcpy(field, &v, k->size);
		return true;
	}
	cfg_want(k, want, sizeof(want));
	cfg_err_value(x, s, path, want, !is_str);
	return false;
}

static void cfg_read_parsed(struct cfg_ctx *x, const config_setting_t *s,
			    const struct cfg_key *k, char *base, const char *path)
{
	if (!cfg_get_parsed(x, s, k, path, base + k->off))
		cfg_bad_set(x, base + k->off, k->size);
}

/* ---- reading arrays, groups and lists ---- */

/* Bytes of k's field in its struct: what "this key is bad" covers. */
static size_t cfg_key_span(const struct cfg_key *k)
{
	if (k->flags & CFG_K_ALLOC)
		return sizeof(void *);
	if (k->type == CFG_T_LIST || k->type == CFG_T_INT_ARRAY ||
	    k->type == CFG_T_STR_ARRAY)
		return k->size * k->max_n;
	return k->size;
}

static void cfg_store_count(const struct cfg_key *k, char *base, unsigned n)
{
	cfg_store_uint(base + k->count_off, k->count_size, n);
}

/*
 * Room for the n elements of list or array k: its inline array (*cap =
 * max_n), or for an allocated one min(n, max_n, what the file-wide bound of
 * its kind leaves) elements. NULL if none.
 */
static char *cfg_elems_mem(struct cfg_ctx *x, const config_setting_t *s,
			   const struct cfg_key *k, char *base, const char *path,
			   unsigned n, unsigned *cap)
{
	const struct cfg_budget_def *b = &cfg_budgets[k->budget];
	uint32_t *used = &x->used[k->budget];
	char *mem = NULL;

	if (!(k->flags & CFG_K_ALLOC)) {
		*cap = k->max_n;
		return base + k->off;
	}
	*cap = n < k->max_n ? n : k->max_n;
	if (k->budget != CFG_B_NONE && *cap > b->max - *used) {
		if (!x->over[k->budget])
			cfg_err(x, config_setting_source_line(s), "key '%s': expected "
				"at most %u %s in the file, got %llu up to here", path,
				b->max, b->noun, (unsigned long long)*used + n);
		x->over[k->budget] = true;
		*cap = b->max - *used;
	}
	if (*cap > 0 && (mem = calloc(*cap, k->size)) == NULL) {
		cfg_err(x, config_setting_source_line(s), "key '%s': out of memory "
			"for %u elements", path, *cap);
		x->nomem = true;
		*cap = 0;
	}
	*used += *cap;
	memcpy(base + k->off, &mem, sizeof(mem));
	return mem;
}

/*
 * An array (or list) of scalars; elem reads and stores element i, returning
 * false if it is bad. The count is stored as read; a bad element or count
 * marks the whole array bad.
 */
static void cfg_read_elems(struct cfg_ctx *x, const config_setting_t *s,
			   const struct cfg_key *k, char *base, const char *path,
			   bool (*elem)(struct cfg_ctx *, const config_setting_t *,
					const struct cfg_key *, char *, const char *, unsigned))
{
	char *field, p[CFG_PATH];
	int n = config_setting_length(s);
	bool ok = true, alloc = k->flags & CFG_K_ALLOC;
	unsigned i, cap;

	if (!config_setting_is_array(s) && !config_setting_is_list(s)) {
		cfg_err_type(x, s, k, path);
		cfg_bad_set(x, base + k->off, cfg_key_span(k));
		return;
	}
	if (n < (int)k->min_n || n > (int)k->max_n) {
		cfg_err(x, config_setting_source_line(s),
			"key '%s': expected %u..%u elements, got %d", path,
			k->min_n, k->max_n, n);
		ok = false;
	}
	field = cfg_elems_mem(x, s, k, base, path, (unsigned)n, &cap);
	for (i = 0; i < (unsigned)n && i < cap; i++) {
		snprintf(p, sizeof(p), "%s[%u]", path, i);
		if (elem(x, config_setting_get_elem(s, i), k, field, p, i))
			continue;
		ok = false;
		if (alloc) /* elements of allocated arrays are bad one by one */
			cfg_bad_set(x, field + i * k->size, k->size);
	}
	cfg_store_count(k, base, i);
	if (!ok && !alloc)
		cfg_bad_set(x, field, k->size * k->max_n);
}

static bool cfg_int_elem(struct cfg_ctx *x, const config_setting_t *e,
			 const struct cfg_key *k, char *field, const char *path,
			 unsigned i)
{
	char want[CFG_TEXT];
	int64_t v;

	if (!cfg_get_int(x, e, k, path, &v))
		return false;
	for (unsigned j = 0; (k->flags & CFG_K_UNIQUE) && j < i; j++) {
		if (cfg_load_uint(field + j * k->size, k->size) == v) {
			snprintf(want, sizeof(want), "a value not already in %.*s[%u]",
				 (int)(strrchr(path, '[') - path), path, j);
			cfg_err_value(x, e, path, want, false);
			return false;
		}
	}
	cfg_store_uint(field + i * k->size, k->size, v);
	return true;
}

static bool cfg_str_elem(struct cfg_ctx *x, const config_setting_t *e,
			 const struct cfg_key *k, char *field, const char *path,
			 unsigned i)
{
	const char *sv;

	if (!cfg_get_str(x, e, k, path, &sv))
		return false;
	memcpy(field + i * k->size, sv, strlen(sv) + 1);
	return true;
}

static bool cfg_parsed_elem(struct cfg_ctx *x, const config_setting_t *e,
			    const struct cfg_key *k, char *field, const char *path,
			    unsigned i)
{
	return cfg_get_parsed(x, e, k, path, field + i * k->size);
}

static void cfg_read_parsed_elems(struct cfg_ctx *x, const config_setting_t *s,
				  const struct cfg_key *k, char *base,
				  const char *path)
{
	cfg_read_elems(x, s, k, base, path, cfg_parsed_elem);
}

static void cfg_read_ints(struct cfg_ctx *x, const config_setting_t *s,
			  const struct cfg_key *k, char *base, const char *path)
{
	cfg_read_elems(x, s, k, base, path, cfg_int_elem);
}

static void cfg_read_strs(struct cfg_ctx *x, const config_setting_t *s,
			  const struct cfg_key *k, char *base, const char *path)
{
	cfg_read_elems(x, s, k, base, path, cfg_str_elem);
}

/* Marks every field under keys bad (their group had the wrong type). */
static void cfg_bad_keys(struct cfg_ctx *x, const struct cfg_key *keys, char *base)
{
	for (const struct cfg_key *k = keys; k->type != CFG_T_END; k++) {
		if (k->type == CFG_T_GROUP)
			cfg_bad_keys(x, k->sub, base);
		else
			cfg_bad_set(x, base + k->off, cfg_key_span(k));
	}
}

static void cfg_read_group(struct cfg_ctx *x, const config_setting_t *s,
			   const struct cfg_key *k, char *base, const char *path)
{
	if (config_setting_is_group(s)) {
		cfg_walk_group(x, s, k->sub, base, path);
		return;
	}
	cfg_err_type(x, s, k, path);
	cfg_bad_keys(x, k->sub, base);
}

static void cfg_defaults_keys(const struct cfg_key *keys, char *base);

/* ports = ( { ... }, ... ): each element gets its defaults, then its keys. */
static void cfg_read_list(struct cfg_ctx *x, const config_setting_t *s,
			  const struct cfg_key *k, char *base, const char *path)
{
	char *field, p[CFG_PATH];
	int n = config_setting_length(s);
	unsigned i, cap;

	if (!config_setting_is_list(s)) {
		cfg_err_type(x, s, k, path);
		cfg_bad_set(x, base + k->off, cfg_key_span(k));
		return;
	}
	if (n < (int)k->min_n || n > (int)k->max_n)
		cfg_err(x, config_setting_source_line(s),
			"key '%s': expected %u..%u elements, got %d", path,
			k->min_n, k->max_n, n);
	field = cfg_elems_mem(x, s, k, base, path, (unsigned)n, &cap);
	for (i = 0; i < (unsigned)n && i < cap; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);
		char *elem = field + i * k->size;

		snprintf(p, sizeof(p), "%s[%u]", path, i);
		cfg_defaults_keys(k->sub, elem);
		if (config_setting_is_group(e)) {
			cfg_walk_group(x, e, k->sub, elem, p);
			continue;
		}
		cfg_err_value(x, e, p, "group { ... }", true);
		cfg_bad_set(x, elem, k->size);
	}
	cfg_store_count(k, base, i);
}

static cfg_read_fn *const cfg_readers[CFG_T_COUNT] = {
	[CFG_T_GROUP] = cfg_read_group,
	[CFG_T_LIST] = cfg_read_list,
	[CFG_T_INT] = cfg_read_int,
	[CFG_T_BOOL] = cfg_read_bool,
	[CFG_T_STR] = cfg_read_str,
	[CFG_T_IPV4] = cfg_read_ipv4,
	[CFG_T_INT_ARRAY] = cfg_read_ints,
	[CFG_T_STR_ARRAY] = cfg_read_strs,
	[CFG_T_ENUM] = cfg_read_parsed,
	[CFG_T_ENDPOINT] = cfg_read_parsed,
	[CFG_T_EP_ARRAY] = cfg_read_parsed_elems,
	[CFG_T_CIDR_ARRAY] = cfg_read_parsed_elems,
};

/* ---- walking groups ---- */

/* Edit distance of two short names, case-insensitive (for suggestions). */
static unsigned cfg_distance(const char *a, const char *b)
{
	unsigned row[33], la = (unsigned)strlen(a), lb = (unsigned)strlen(b);

	if (la > 32 || lb > 32)
		return ~0u;
	for (unsigned j = 0; j <= lb; j++)
		row[j] = j;
	for (unsigned i = 1; i <= la; i++) {
		unsigned diag = row[0];

		row[0] = i;
		for (unsigned j = 1; j <= lb; j++) {
			unsigned up = row[j], best = diag +
				(tolower((unsigned char)a[i - 1]) !=
				 tolower((unsigned char)b[j - 1]));

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	return row[lb];
}

static void cfg_err_unknown(struct cfg_ctx *x, const config_setting_t *s,
			    const struct cfg_key *keys, const char *path)
{
	const char *name = config_setting_name(s), *best = NULL;
	unsigned best_d = 3; /* suggest at most two edits away */

	for (const struct cfg_key *k = keys; k->type != CFG_T_END; k++) {
		unsigned d = cfg_distance(name, k->name);

		if (d < best_d && d < strlen(k->name) / 2 + 1) {
			best = k->name;
			best_d = d;
		}
	}
	if (best != NULL)
		cfg_err(x, config_setting_source_line(s),
			"key '%s': unknown key (did you mean '%s'?)", path, best);
	else
		cfg_err(x, config_setting_source_line(s), "key '%s': unknown key", path);
}

static const struct cfg_key *cfg_key_find(const struct cfg_key *keys,
					  const char *name)
{
	for (const struct cfg_key *k = keys; k->type != CFG_T_END; k++)
		if (strcmp(k->name, name) == 0)
			return k;
	return NULL;
}

static void cfg_join(char *p, const char *path, const char *name)
{
	snprintf(p, CFG_PATH, "%s%s%s", path, *path ? "." : "", name);
}

/*
 * Reads every setting of grp (NULL: the group is absent) against keys, in
 * file order, then reports the required keys it lacks at the group's line.
 */
static void cfg_walk_group(struct cfg_ctx *x, const config_setting_t *grp,
			   const struct cfg_key *keys, char *base, const char *path)
{
	unsigned line = grp ? config_setting_source_line(grp) : 0;
	int n = grp ? config_setting_length(grp) : 0;
	char p[CFG_PATH];

	for (int i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(grp, (unsigned)i);
		const struct cfg_key *k = cfg_key_find(keys, config_setting_name(s));

		cfg_join(p, path, config_setting_name(s));
		if (k == NULL)
			cfg_err_unknown(x, s, keys, p);
		else
			cfg_readers[k->type](x, s, k, base, p);
	}
	for (const struct cfg_key *k = keys; k->type != CFG_T_END; k++) {
		if (grp != NULL && config_setting_get_member(grp, k->name) != NULL)
			continue;
		cfg_join(p, path, k->name);
		if (k->flags & CFG_K_REQUIRED) {
			cfg_err(x, line, "key '%s': required key missing", p);
			cfg_bad_set(x, base + k->off, cfg_key_span(k));
		} else if (k->type == CFG_T_GROUP) {
			cfg_walk_group(x, NULL, k->sub, base, p);
		}
	}
}

/* ---- defaults ---- */

static void cfg_defaults_keys(const struct cfg_key *keys, char *base)
{
	for (const struct cfg_key *k = keys; k->type != CFG_T_END; k++) {
		if (k->type == CFG_T_GROUP)
			cfg_defaults_keys(k->sub, base);
		else if (k->type == CFG_T_INT || k->type == CFG_T_ENUM)
			cfg_store_uint(base + k->off, k->size, k->def);
		else if (k->type == CFG_T_BOOL)
			*(bool *)(base + k->off) = k->def != 0;
		else if (k->type == CFG_T_STR && k->def_str != NULL)
			snprintf(base + k->off, k->size, "%s", k->def_str);
		else if (k->type == CFG_T_ENDPOINT && k->def_str != NULL)
			cfg_parse_as(k, k->def_str, base + k->off);
	}
}

void cfg_defaults(struct cfg *out)
{
	memset(out, 0, sizeof(*out));
	cfg_defaults_keys(cfg_keys_root, (char *)out);
}

/* ---- releasing allocated lists ---- */

/* Frees the allocated lists under keys (their elements' lists first). */
static void cfg_free_keys(const struct cfg_key *keys, char *base)
{
	for (const struct cfg_key *k = keys; k->type != CFG_T_END; k++) {
		bool alloc = k->flags & CFG_K_ALLOC;
		char *mem = base + k->off;
		int64_t n;

		if (k->type == CFG_T_GROUP) {
			cfg_free_keys(k->sub, base);
			continue;
		}
		if (k->type != CFG_T_LIST && !alloc)
			continue;
		if (alloc)
			memcpy(&mem, base + k->off, sizeof(mem));
		n = cfg_load_uint(base + k->count_off, k->count_size);
		for (int64_t i = 0; mem != NULL && k->type == CFG_T_LIST && i < n; i++)
			cfg_free_keys(k->sub, mem + i * (int64_t)k->size);
		if (!alloc)
			continue;
		free(mem);
		mem = NULL;
		memcpy(base + k->off, &mem, sizeof(mem));
		cfg_store_count(k, base, 0);
	}
}

void cfg_free(struct cfg *c)
{
	if (c != NULL)
		cfg_free_keys(cfg_keys_root, (char *)c);
}

/* ---- before libconfig: @include, oversized integers, misplaced strings ---- */

/*
 * libconfig takes a line whose first non-blank text is @include as a
 * directive. Any such line is refused, even inside a multi-line string:
 * over-refusing is safe, missing one would open a file.
 */
static bool cfg_refuse_include(struct cfg_ctx *x, const char *text)
{
	bool found = false;
	unsigned line = 1;

	for (const char *p = text; p != NULL; line++) {
		const char *q = p + strspn(p, " \t\r\f\v");

		if (strncmp(q, "@include", 8) == 0) {
			cfg_err(x, line, "@include is not supported: keep the whole "
				"configuration in one file");
			found = true;
		}
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	return found;
}

/* Remembers the literal at s..e if libconfig would truncate it. */
static void cfg_note_int(struct cfg_ctx *x, const char *s, const char *e,
			 unsigned line, bool hex)
{
	struct cfg_big *b;
	int64_t v;
	uint64_t u;
	int len = (int)(e - s);

	errno = 0;
	if (hex) {
		u = strtoull(s, NULL, 16);
		if (u <= INT32_MAX && errno == 0)
			return;
	} else {
		v = strtoll(s, NULL, 10);
		if (v >= INT32_MIN && v <= INT32_MAX && errno == 0)
			return;
		u = (uint64_t)v;
	}
	if (x->n_big == CFG_MAX_BIG) {
		cfg_err(x, line, "integer %.20s%s does not fit in 32 bits", s,
			len > 20 ? "..." : "");
		return;
	}
	b = &x->big[x->n_big++];
	*b = (struct cfg_big){ .line = line, .wrapped = (int32_t)(uint32_t)u };
	snprintf(b->text, sizeof(b->text), "%.*s%s", len > 20 ? 17 : len, s,
		 len > 20 ? "..." : "");
}

/* A number token at p as libconfig's scanner sees it; returns its end. */
static const char *cfg_scan_number(struct cfg_ctx *x, const char *p, unsigned line)
{
	const char *s = p;
	bool hex;

	if (*p == '-' || *p == '+')
		p++;
	hex = p == s && p[0] == '0' && (p[1] == 'x' || p[1] == 'X') &&
	      isxdigit((unsigned char)p[2]);
	if (hex)
		p += 2 + strspn(p + 2, "0123456789abcdefABCDEF");
	else
		p += strspn(p, "0123456789");
	if (*p == 'L') /* 64-bit literal: stored faithfully */
		return p + 1 + (p[1] == 'L');
	if (!hex && (*p == '.' || *p == 'e' || *p == 'E')) /* float */
		return p + 1 + strspn(p + 1, "0123456789eE+-");
	cfg_note_int(x, s, p, line, hex);
	return p;
}

/*
 * The pre-scan follows libconfig's tokens closely enough to know, for each
 * string literal, whether the grammar can take a string there. libconfig
 * 1.5 leaks the text of a string token that causes a syntax error (its
 * grammar has no %destructor), so such input is refused here with the
 * syntax error libconfig would have reported, and libconfig never sees it.
 */
#define CFG_MAX_DEPTH 32 /* real files nest 3 deep */

enum cfg_prev {
	CFG_PREV_NONE,   /* start of file */
	CFG_PREV_VALUE,  /* = : [ ( : a value may follow */
	CFG_PREV_COMMA,
	CFG_PREV_STRING, /* adjacent strings are joined */
	CFG_PREV_OTHER,
};

struct cfg_scan {
	const char *p;
	unsigned line;
	enum cfg_prev prev;
	unsigned depth;
	char open[CFG_MAX_DEPTH]; /* brackets still open: { [ ( */
};

static bool cfg_scan_string_fits(const struct cfg_scan *s)
{
	char in = s->depth ? s->open[s->depth - 1] : '\0';

	return s->prev == CFG_PREV_VALUE || s->prev == CFG_PREV_STRING ||
	       (s->prev == CFG_PREV_COMMA && (in == '[' || in == '('));
}

/* Skips a comment or a string at s->p, counting lines; false if neither. */
static bool cfg_scan_skip(struct cfg_scan *s)
{
	const char *p = s->p;

	if (*p == '#' || (p[0] == '/' && p[1] == '/')) {
		p += strcspn(p, "\n");
	} else if (p[0] == '/' && p[1] == '*') {
		for (p += 2; *p && !(p[0] == '*' && p[1] == '/'); p++)
			s->line += *p == '\n';
		p += *p ? 2 : 0;
	} else if (*p == '"') {
		for (p++; *p && *p != '"'; p++) {
			if (*p == '\\' && p[1] != '\0')
				p++;
			s->line += *p == '\n';
		}
		p += *p ? 1 : 0;
	} else {
		return false;
	}
	s->p = p;
	return true;
}

/* One bracket or punctuation character; false if nesting is too deep. */
static bool cfg_scan_punct(struct cfg_scan *s)
{
	char c = *s->p++;

	s->prev = CFG_PREV_OTHER;
	if (c == '=' || c == ':') {
		s->prev = CFG_PREV_VALUE;
	} else if (c == ',') {
		s->prev = CFG_PREV_COMMA;
	} else if (c == '{' || c == '[' || c == '(') {
		if (s->depth == CFG_MAX_DEPTH)
			return false;
		s->open[s->depth++] = c;
		s->prev = c == '{' ? CFG_PREV_OTHER : CFG_PREV_VALUE;
	} else if ((c == '}' || c == ']' || c == ')') && s->depth > 0) {
		s->depth--;
	}
	return true;
}

/*
 * Notes out-of-range integers and refuses misplaced strings and deep
 * nesting. Returns false (error reported) if libconfig must not parse text.
 */
static bool cfg_prescan(struct cfg_ctx *x, const char *text)
{
	struct cfg_scan s = { .p = text, .line = 1, .prev = CFG_PREV_NONE };
	const char *p;

	while (*(p = s.p)) {
		if (*p == '\n') {
			s.line++;
			s.p++;
		} else if (isspace((unsigned char)*p)) {
			s.p++;
		} else if (*p == '"') {
			bool fits = cfg_scan_string_fits(&s);

			cfg_scan_skip(&s);
			if (!fits) {
				cfg_err(x, s.line, "syntax error");
				return false;
			}
			s.prev = CFG_PREV_STRING;
		} else if (cfg_scan_skip(&s)) {
			continue; /* a comment */
		} else if (isalpha((unsigned char)*p) || *p == '*') {
			s.p += 1 + strspn(p + 1, "-_*abcdefghijklmnopqrstuvwxyz"
					  "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
			s.prev = CFG_PREV_OTHER;
		} else if (isdigit((unsigned char)*p) || *p == '.' ||
			   ((*p == '-' || *p == '+') && isdigit((unsigned char)p[1]))) {
			s.p = *p == '.' ? p + 1 + strspn(p + 1, "0123456789eE+-")
					: cfg_scan_number(x, p, s.line);
			s.prev = CFG_PREV_OTHER;
		} else if (!cfg_scan_punct(&s)) {
			cfg_err(x, s.line, "syntax error: nested deeper than %d levels",
				CFG_MAX_DEPTH);
			return false;
		}
	}
	return true;
}

/* Literals no error named yet: the load must still fail. */
static void cfg_err_unused_ints(struct cfg_ctx *x)
{
	for (unsigned i = 0; i < x->n_big; i++)
		if (!x->big[i].used && !cfg_err_on_line(x, x->big[i].line))
			cfg_err(x, x->big[i].line, "integer %s does not fit in 32 bits",
				x->big[i].text);
}

/* ---- loading ---- */

static int cfg_parse(struct cfg_ctx *x, const char *text)
{
	const char *why;

	if (cfg_refuse_include(x, text) || !cfg_prescan(x, text))
		return -EINVAL;
	config_init(&x->lc);
	if (config_read_string(&x->lc, text) != CONFIG_TRUE) {
		why = config_error_text(&x->lc) ? config_error_text(&x->lc) : "";
		if (strcmp(why, "syntax error") == 0 || *why == '\0')
			cfg_err(x, (unsigned)config_error_line(&x->lc), "syntax error");
		else
			cfg_err(x, (unsigned)config_error_line(&x->lc),
				"syntax error: %s", why);
		config_destroy(&x->lc);
		return -EINVAL;
	}
	cfg_walk_group(x, config_root_setting(&x->lc), cfg_keys_root,
		       (char *)x->out, "");
	cfg_spans_sort(x);
	cfg_cross_run(x);
	cfg_err_unused_ints(x);
	config_destroy(&x->lc);
	return x->nomem ? -ENOMEM : x->errs->n ? -EINVAL : 0;
}

/* Shared by cfg_load and cfg_load_string: defaults, parse, sort errors. */
static int cfg_load_text(const char *text, const char *name, struct cfg *out,
			 struct cfg_errors *errs)
{
	struct cfg_ctx *x = calloc(1, sizeof(*x));
	int rc;

	if (x == NULL)
		return -ENOMEM;
	x->name = name;
	x->out = out;
	x->errs = errs;
	rc = cfg_parse(x, text);
	cfg_err_sort(x);
	free(x->spans);
	free(x);
	return rc;
}

/* Releases what an earlier load left in out, then fills in the defaults. */
static void cfg_start(struct cfg *out, struct cfg_errors *errs, const char *name)
{
	cfg_free(out);
	cfg_defaults(out);
	snprintf(out->path, sizeof(out->path), "%s", name);
	errs->n = 0;
}

int cfg_load_string(const char *text, const char *name, struct cfg *out,
		    struct cfg_errors *errs)
{
	struct cfg_errors scratch;

	if (errs == NULL)
		errs = &scratch;
	if (name == NULL)
		name = "<string>";
	cfg_start(out, errs, name);
	return cfg_load_text(text, name, out, errs);
}

/* Reads the whole file (at most CFG_MAX_FILE bytes) into a string. */
static char *cfg_slurp(const char *path, size_t *len, int *err)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;

	*err = 0;
	if (f == NULL) {
		*err = errno;
		return NULL;
	}
	buf = malloc(CFG_MAX_FILE + 1);
	if (buf == NULL) {
		*err = ENOMEM;
	} else {
		*len = fread(buf, 1, CFG_MAX_FILE + 1, f);
		if (ferror(f))
			*err = errno ? errno : EIO;
		else if (*len > CFG_MAX_FILE)
			*err = EFBIG;
		else
			buf[*len] = '\0';
	}
	fclose(f);
	if (*err != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

int cfg_load(const char *path, struct cfg *out, struct cfg_errors *errs)
{
	struct cfg_errors scratch;
	struct cfg_ctx x = { .name = path, .out = out };
	size_t len = 0;
	char *text;
	int err, rc;

	if (errs == NULL)
		errs = &scratch;
	x.errs = errs;
	cfg_start(out, errs, path);
	text = cfg_slurp(path, &len, &err);
	if (text == NULL) {
		cfg_err(&x, 0, "cannot read: %s", strerror(err));
		return err == ENOENT ? -ENOENT : -EIO;
	}
	if (memchr(text, '\0', len) != NULL) { /* libconfig would stop there */
		unsigned line = 1;

		for (const char *p = text; *p; p++)
			line += *p == '\n';
		cfg_err(&x, line, "syntax error: NUL byte");
		rc = -EINVAL;
	} else {
		rc = cfg_load_text(text, path, out, errs);
	}
	free(text);
	return rc;
}

void cfg_errors_print(const struct cfg_errors *errs, void *f)
{
	unsigned n = errs->n < CFG_MAX_ERRORS ? errs->n : CFG_MAX_ERRORS;

	for (unsigned i = 0; i < n; i++)
		fprintf(f, "%s\n", errs->msg[i]);
	if (errs->n > CFG_MAX_ERRORS)
		fprintf(f, "... and %u more errors\n", errs->n - CFG_MAX_ERRORS);
}

int cfg_check_file(const char *path, void *f)
{
	struct cfg *c = calloc(1, sizeof(*c));
	struct cfg_errors *e = malloc(sizeof(*e));
	int rc = -ENOMEM;

	if (c != NULL && e != NULL) {
		rc = cfg_load(path, c, e);
		if (rc == 0)
			fprintf(f, "%s: ok\n", path);
		else
			cfg_errors_print(e, f);
	}
	cfg_free(c);
	free(c);
	free(e);
	return rc;
}
