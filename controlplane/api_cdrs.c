/* SPDX-License-Identifier: MIT */
/*
 * GET /v1/tenants/{tenant}/cdrs: a tenant's call detail records from the
 * CDR store, newest first, one page at a time.
 *
 * Query parameters, all optional:
 *   from    start time at or after; Unix seconds or RFC 3339
 *   to      start time before; same forms, later than from
 *   number  only calls with this caller or callee (exact)
 *   limit   page size, 1..1000, default 100
 *   cursor  the "next" of the previous page
 * Anything else, or a value of the wrong shape, is a 400 naming the
 * parameter. The reply:
 *   {"cdrs": [ {...}, ... ], "count": <rows in this page>,
 *    "next": "<cursor>" or null when this is the last page}
 * Each record has its fields by name; times twice, as RFC 3339 UTC with
 * microseconds ("start", null when the call never got there) and as raw
 * Unix microseconds ("start_us", 0 then); the disposition by name.
 * call_ref is a string: worker << 48 | sequence passes 2^53, past what a
 * JavaScript number holds exactly.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "cdr_store.h"

_Static_assert(API_TENANT_LEN == CDR_ID_LEN, "a tenant id is the same size");

static const char *const cdrs_known[] = { "from", "to", "number", "limit",
					  "cursor", NULL };

static int cdrs_time(const struct api_req *req, const char *name,
		     uint64_t *us, struct api_reply *rep)
{
	const char *v = api_req_query(req, name);

	if (v == NULL || api_time_parse(v, us) == 0)
		return 0;
	api_reply_error(rep, 400, "parameter '%s': expected Unix seconds or "
			"RFC 3339 (2024-05-01T12:00:00Z), got '%.64s'",
			name, v);
	return -EINVAL;
}

static int cdrs_limit(const struct api_req *req, unsigned *limit,
		      struct api_reply *rep)
{
	const char *v = api_req_query(req, "limit");
	size_t n;

	if (v == NULL)
		return 0;
	n = strspn(v, "0123456789");
	if (n > 0 && n <= 4 && v[n] == '\0') {
		unsigned l = 0;

		for (; *v != '\0'; v++)
			l = l * 10 + (unsigned)(*v - '0');
		if (l >= 1 && l <= CDR_STORE_LIMIT_MAX) {
			*limit = l;
			return 0;
		}
		v = api_req_query(req, "limit");
	}
	api_reply_error(rep, 400, "parameter 'limit': expected an integer "
			"1..%d, got '%.64s'", CDR_STORE_LIMIT_MAX, v);
	return -EINVAL;
}

/* Fills q from the path and query; a 400 in rep if a parameter is bad. */
static int cdrs_query(const struct api_req *req, struct cdr_query *q,
		      struct api_reply *rep)
{
	const char *cursor = api_req_query(req, "cursor");

	memset(q, 0, sizeof(*q));
	q->tenant = api_req_param(req, "tenant");
	q->number = api_req_query(req, "number");
	if (api_req_check_query(req, cdrs_known, rep) < 0 ||
	    cdrs_time(req, "from", &q->from_us, rep) < 0 ||
	    cdrs_time(req, "to", &q->to_us, rep) < 0 ||
	    cdrs_limit(req, &q->limit, rep) < 0)
		return -EINVAL;
	/* to=0 would read as "no bound" in the store: it is before any from */
	if (api_req_query(req, "to") != NULL && q->to_us <= q->from_us) {
		api_reply_error(rep, 400, "parameter 'to': must be later "
				"than 'from'");
		return -EINVAL;
	}
	if (q->number != NULL &&
	    (q->number[0] == '\0' || strlen(q->number) >= CDR_NUM_LEN)) {
		api_reply_error(rep, 400, "parameter 'number': expected 1..%d "
				"characters", CDR_NUM_LEN - 1);
		return -EINVAL;
	}
	if (cursor != NULL && cdr_store_cursor_parse(cursor, &q->after) < 0) {
		api_reply_error(rep, 400, "parameter 'cursor': not a cursor "
				"this API gave out, got '%.64s'", cursor);
		return -EINVAL;
	}
	return 0;
}

/* A record as JSON; NULL when memory runs out. */
static json_t *cdrs_json(const struct cdr *v)
{
	const char *disp = cdr_disposition_str(v->disposition);
	char ref[24];
	json_t *o;

	snprintf(ref, sizeof(ref), "%" PRIu64, v->call_ref);
	o = json_pack("{s:s, s:o, s:o, s:o, s:o, s:o?, s:i, s:i,"
		      " s:o, s:I, s:o, s:I, s:o, s:I, s:o, s:I, s:I, s:o}",
		      "call_ref", ref,
		      "tenant", api_json_string(v->tenant, sizeof(v->tenant)),
		      "caller", api_json_string(v->caller, sizeof(v->caller)),
		      "callee", api_json_string(v->callee, sizeof(v->callee)),
		      "call_id", api_json_string(v->call_id, sizeof(v->call_id)),
		      "disposition", disp[0] != '\0' ? json_string(disp) : NULL,
		      "sip_code", (int)v->sip_code,
		      "worker", (int)v->worker,
		      "start", api_json_time(v->start_us),
		      "start_us", (json_int_t)v->start_us,
		      "ring", api_json_time(v->ring_us),
		      "ring_us", (json_int_t)v->ring_us,
		      "answer", api_json_time(v->answer_us),
		      "answer_us", (json_int_t)v->answer_us,
		      "end", api_json_time(v->end_us),
		      "end_us", (json_int_t)v->end_us,
		      "ring_ms", (json_int_t)v->ring_ms,
		      "targets", api_json_string(v->targets, sizeof(v->targets)));
	return o;
}

static int cdrs_row(void *arg, const struct cdr *v)
{
	return json_array_append_new(arg, cdrs_json(v)) == 0 ? 0 : -ENOMEM;
}

void api_cdrs_list(const struct api_req *req, struct api_reply *rep)
{
	char next[CDR_STORE_CURSOR_LEN];
	struct cdr_cursor after;
	struct cdr_query q;
	json_t *rows;
	int n;

	if (cdrs_query(req, &q, rep) < 0)
		return;
	if (req->cfg->cdrs == NULL) {
		api_reply_error(rep, 503, "the CDR store is not available");
		return;
	}
	rows = json_array();
	if (rows == NULL) {
		api_reply_error(rep, 500, "out of memory");
		return;
	}
	n = cdr_store_query(req->cfg->cdrs, &q, cdrs_row, rows, &after);
	if (n < 0) {
		json_decref(rows);
		api_reply_error(rep, 500, "cannot read the CDR store: %s",
				strerror(-n));
		return;
	}
	if (after.set && cdr_store_cursor_format(&after, next,
						 sizeof(next)) < 0)
		after.set = false;
	api_reply_json(rep, 200,
		       json_pack("{s:o, s:i, s:s?}", "cdrs", rows, "count", n,
				 "next", after.set ? next : NULL));
}
