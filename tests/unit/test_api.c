/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the HTTP API core (controlplane/api.c), the CDR endpoint
 * (api_cdrs.c) and the Prometheus writer (metrics.c).
 *
 * Each API test starts the real server on 127.0.0.1 at a port the system
 * picks, over a real CDR store in a temporary directory holding two
 * tenants' calls, and talks to it with the small HTTP/1.1 client below
 * (one request per connection, "Connection: close", read to EOF). Tokens:
 * "admin-secret" is the admin, "acme-secret" and "globex-secret" are the
 * tenants acme and globex.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "api.h"
#include "cdr_store.h"
#include "metrics.h"

#define ADMIN "Authorization: Bearer admin-secret\r\n"
#define ACME "Authorization: Bearer acme-secret\r\n"
#define GLOBEX "Authorization: Bearer globex-secret\r\n"

enum { N_ACME = 25, N_GLOBEX = 10 };
static const uint64_t t0 = 1714564800000000; /* 2024-05-01T12:00:00Z */

static char dir[64];
static char path[128];
static struct cdr_store *store;
static struct api *api;

/* ---- the control plane's side: tokens and metrics ---- */

static int auth(void *ctx, const char *token, struct api_principal *out)
{
	static const struct {
		const char *token;
		enum api_scope scope;
		const char *tenant;
	} tokens[] = {
		{ "admin-secret", API_SCOPE_ADMIN, "" },
		{ "acme-secret", API_SCOPE_TENANT, "acme" },
		{ "globex-secret", API_SCOPE_TENANT, "globex" },
	};

	cr_assert_eq(ctx, &dir);
	for (size_t i = 0; i < sizeof(tokens) / sizeof(tokens[0]); i++)
		if (strcmp(token, tokens[i].token) == 0) {
			out->scope = tokens[i].scope;
			snprintf(out->tenant, sizeof(out->tenant), "%s",
				 tokens[i].tenant);
		}
	return 0;
}

static int metrics(void *ctx, struct metrics_buf *b)
{
	const struct metrics_label l[] = { { "tenant", "a\\b\"c\nd" } };

	(void)ctx;
	metrics_family(b, "sluice_calls_active", METRICS_GAUGE,
		       "Calls up now");
	metrics_sample_u64(b, l, 1, 3);
	return metrics_error(b);
}

/* ---- fixture ---- */

static void seed(void)
{
	struct cdr v[N_ACME + N_GLOBEX];
	unsigned i;

	memset(v, 0, sizeof(v));
	for (i = 0; i < N_ACME + N_GLOBEX; i++) {
		struct cdr *c = &v[i];

		c->call_ref = (uint64_t)3 << 48 | i;
		c->start_us = t0 + (uint64_t)i * 60000000 + 123456;
		c->ring_us = i % 2 ? c->start_us + 500000 : 0;
		c->answer_us = i % 2 ? c->start_us + 3000000 : 0;
		c->end_us = c->start_us + 30000000;
		c->ring_ms = i % 2 ? 2500 : 0;
		c->sip_code = i % 2 ? 200 : 486;
		c->disposition = i % 2 ? CDR_ANSWERED : CDR_BUSY;
		c->worker = 3;
		snprintf(c->tenant, sizeof(c->tenant), "%s",
			 i < N_ACME ? "acme" : "globex");
		snprintf(c->caller, sizeof(c->caller), "+1555000%04u", i % 5);
		snprintf(c->callee, sizeof(c->callee), "+1666000%04u", i);
		snprintf(c->call_id, sizeof(c->call_id), "c%u@198.18.0.2", i);
		snprintf(c->targets, sizeof(c->targets),
			 "sip:%u@198.18.0.3,sip:%u@198.18.0.4", i, i);
	}
	cr_assert_eq(cdr_store_put(store, v, N_ACME + N_GLOBEX), 0);
}

static void start(struct cdr_store *cdrs)
{
	const struct api_cfg cfg = {
		.addr = INADDR_LOOPBACK,
		.port = 0,
		.auth = auth,
		.metrics = metrics,
		.cdrs = cdrs,
		.ctx = &dir,
		.max_body = 4096,
	};

	api = api_create(&cfg);
	cr_assert_not_null(api);
	cr_assert_gt(api_port(api), 0);
}

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/test_api_XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/cdr.db", dir);
	store = cdr_store_open(path);
	cr_assert_not_null(store);
	seed();
	start(store);
}

static void teardown(void)
{
	static const char *const ext[] = { "", "-wal", "-shm" };
	char p[160];

	api_free(api);
	cdr_store_close(store);
	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", path, ext[i]);
		unlink(p);
	}
	rmdir(dir);
}

TestSuite(api_auth, .init = setup, .fini = teardown);
TestSuite(api_scope, .init = setup, .fini = teardown);
TestSuite(api_route, .init = setup, .fini = teardown);
TestSuite(api_body, .init = setup, .fini = teardown);
TestSuite(api_cdrs_list, .init = setup, .fini = teardown);
TestSuite(api_metrics_get, .init = setup, .fini = teardown);

/* ---- a small HTTP/1.1 client ---- */

struct resp {
	int status;
	char head[4096]; /* status line and headers */
	char body[256 * 1024];
	size_t body_len;
	json_t *json;
};

static struct resp res; /* big: static, one request at a time */

/* Sends raw bytes (all of them, whatever the server does), reads to EOF. */
static struct resp *http_raw(const char *req, size_t len)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct timeval tv = { .tv_sec = 10 };
	static char buf[sizeof(res.head) + sizeof(res.body)];
	size_t got = 0;
	char *sep;
	ssize_t n;
	int fd;

	json_decref(res.json);
	memset(&res, 0, sizeof(res));
	sa.sin_port = htons(api_port(api));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	cr_assert_geq(fd, 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	cr_assert_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	for (size_t off = 0; off < len; off += (size_t)n) {
		n = send(fd, req + off, len - off, MSG_NOSIGNAL);
		if (n <= 0)
			break;
	}
	while (got < sizeof(buf) - 1 &&
	       (n = recv(fd, buf + got, sizeof(buf) - 1 - got, 0)) > 0)
		got += (size_t)n;
	close(fd);
	buf[got] = '\0';
	sep = strstr(buf, "\r\n\r\n");
	cr_assert_not_null(sep, "no reply head in %zu bytes: %.200s", got, buf);
	cr_assert_lt((size_t)(sep - buf), sizeof(res.head));
	memcpy(res.head, buf, (size_t)(sep - buf));
	res.body_len = got - (size_t)(sep + 4 - buf);
	memcpy(res.body, sep + 4, res.body_len);
	cr_assert_eq(sscanf(res.head, "HTTP/1.1 %d", &res.status), 1);
	if (strstr(res.head, "Content-Type: application/json") != NULL)
		res.json = json_loadb(res.body, res.body_len, 0, NULL);
	return &res;
}

/* method path, extra headers (each ending \r\n), optional body. */
static struct resp *http(const char *method, const char *target,
			 const char *headers, const char *body)
{
	static char req[8192];
	int n;

	n = snprintf(req, sizeof(req),
		     "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		     "Connection: close\r\n%s", method, target, headers);
	if (body != NULL)
		n += snprintf(req + n, sizeof(req) - (size_t)n,
			      "Content-Type: application/json\r\n"
			      "Content-Length: %zu\r\n\r\n%s", strlen(body),
			      body);
	else
		n += snprintf(req + n, sizeof(req) - (size_t)n, "\r\n");
	cr_assert_lt((size_t)n, sizeof(req));
	return http_raw(req, (size_t)n);
}

/* A reply header's value; "" when absent. */
static const char *header(const struct resp *r, const char *name)
{
	static char value[512];
	const char *p = r->head;
	size_t n = strlen(name);

	while ((p = strstr(p, "\r\n")) != NULL) {
		p += 2;
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			p += n + 1 + strspn(p + n + 1, " ");
			snprintf(value, sizeof(value), "%.*s",
				 (int)strcspn(p, "\r"), p);
			return value;
		}
	}
	return "";
}

/* The reply is a JSON error with this status whose message has want. */
static void expect_error(const struct resp *r, int status, const char *want)
{
	json_t *e = json_object_get(r->json, "error");
	const char *msg = json_string_value(json_object_get(e, "message"));

	cr_expect_eq(r->status, status, "status %d, body %.*s", r->status,
		     (int)r->body_len, r->body);
	cr_assert_not_null(r->json, "not JSON: %.*s", (int)r->body_len,
			   r->body);
	cr_expect_eq(json_integer_value(json_object_get(e, "status")), status);
	cr_assert_not_null(msg);
	cr_expect_not_null(strstr(msg, want), "message '%s' lacks '%s'", msg,
			   want);
}

/* ---- auth ---- */

Test(api_auth, no_token_is_401_with_a_bearer_challenge)
{
	struct resp *r = http("GET", "/v1/tenants/acme/cdrs", "", NULL);

	expect_error(r, 401, "missing bearer token");
	cr_expect_str_eq(header(r, "WWW-Authenticate"), "Bearer realm=\"sluice\"");
}

Test(api_auth, a_wrong_token_is_401)
{
	struct resp *r = http("GET", "/v1/tenants/acme/cdrs",
			      "Authorization: Bearer acme-secreT\r\n", NULL);

	expect_error(r, 401, "invalid bearer token");
	cr_expect_not_null(strstr(header(r, "WWW-Authenticate"),
				  "invalid_token"));
}

Test(api_auth, other_schemes_and_empty_tokens_are_401)
{
	const char *const bad[] = {
		"Authorization: Basic YWRtaW4tc2VjcmV0Og==\r\n",
		"Authorization: Bearer\r\n",
		"Authorization: Bearer \r\n",
		"Authorization: Bearer admin-secret extra\r\n",
		"Authorization: Beareradmin-secret\r\n",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect_eq(http("GET", "/v1/tenants/acme/cdrs", bad[i],
				  NULL)->status, 401, "%s", bad[i]);
	/* the scheme is case-insensitive (RFC 7235) */
	cr_expect_eq(http("GET", "/v1/tenants/acme/cdrs",
			  "Authorization: bearer admin-secret\r\n",
			  NULL)->status, 200);
}

Test(api_auth, unknown_paths_need_a_token_too)
{
	expect_error(http("GET", "/v1/nothing-here", "", NULL), 401,
		     "missing bearer token");
}

/* ---- scope ---- */

static size_t cdrs_of(const char *tenant, const char *auth_header)
{
	char target[128];
	struct resp *r;
	json_t *rows, *row;
	size_t i;

	snprintf(target, sizeof(target), "/v1/tenants/%s/cdrs?limit=1000",
		 tenant);
	r = http("GET", target, auth_header, NULL);
	cr_assert_eq(r->status, 200, "%.*s", (int)r->body_len, r->body);
	rows = json_object_get(r->json, "cdrs");
	json_array_foreach(rows, i, row)
		cr_expect_str_eq(json_string_value(json_object_get(row,
								   "tenant")),
				 tenant);
	return json_array_size(rows);
}

Test(api_scope, admin_reaches_every_tenant)
{
	cr_expect_eq(cdrs_of("acme", ADMIN), N_ACME);
	cr_expect_eq(cdrs_of("globex", ADMIN), N_GLOBEX);
	cr_expect_eq(cdrs_of("nobody", ADMIN), 0);
	cr_expect_eq(http("GET", "/metrics", ADMIN, NULL)->status, 200);
}

Test(api_scope, a_tenant_token_reaches_its_own_tenant)
{
	cr_expect_eq(cdrs_of("acme", ACME), N_ACME);
	cr_expect_eq(cdrs_of("globex", GLOBEX), N_GLOBEX);
}

Test(api_scope, a_tenant_token_elsewhere_is_403_saying_nothing_more)
{
	char body[512];

	expect_error(http("GET", "/v1/tenants/globex/cdrs", ACME, NULL), 403,
		     "may not access");
	snprintf(body, sizeof(body), "%.*s", (int)res.body_len, res.body);
	/* a tenant that does not exist answers exactly the same */
	http("GET", "/v1/tenants/no-such-tenant/cdrs", ACME, NULL);
	cr_expect_eq(res.status, 403);
	cr_expect_eq(res.body_len, strlen(body));
	cr_expect_eq(memcmp(res.body, body, res.body_len), 0);
	/* a prefix of its own id is another tenant */
	cr_expect_eq(http("GET", "/v1/tenants/acm/cdrs", ACME, NULL)->status,
		     403);
	expect_error(http("GET", "/metrics", ACME, NULL), 403,
		     "may not access");
	/* no way round it through the path: MHD decodes, nothing normalises */
	cr_expect_eq(http("GET", "/v1/tenants/acme/../globex/cdrs", ACME,
			  NULL)->status, 404);
	cr_expect_eq(http("GET", "/v1/tenants/acme%2F..%2Fglobex/cdrs", ACME,
			  NULL)->status, 404);
	cr_expect_eq(http("GET", "/v1/tenants/glob%65x/cdrs", ACME,
			  NULL)->status, 403);
	cr_expect_eq(http("GET", "/v1/tenants/ac%6De/cdrs", ACME,
			  NULL)->status, 200);
}

/* ---- routing ---- */

Test(api_route, an_unknown_path_is_404)
{
	expect_error(http("GET", "/v1/nothing-here", ADMIN, NULL), 404,
		     "no such resource");
	cr_expect_eq(http("GET", "/v1/tenants/acme/cdrs/", ADMIN,
			  NULL)->status, 404);
	cr_expect_eq(http("GET", "/v1/tenants//cdrs", ADMIN, NULL)->status,
		     404);
	cr_expect_eq(http("GET", "/v1/tenants/acme/cdrs/extra", ADMIN,
			  NULL)->status, 404);
}

Test(api_route, a_wrong_method_is_405_with_allow)
{
	struct resp *r = http("DELETE", "/v1/tenants/acme/cdrs", ADMIN, NULL);

	expect_error(r, 405, "method not allowed");
	cr_expect_str_eq(header(r, "Allow"), "GET");
	r = http("POST", "/metrics", ADMIN, "{}");
	cr_expect_eq(r->status, 405);
	cr_expect_str_eq(header(r, "Allow"), "GET");
}

Test(api_route, head_runs_the_get_route_without_a_body)
{
	struct resp *r = http("HEAD", "/v1/tenants/acme/cdrs", ADMIN, NULL);

	cr_expect_eq(r->status, 200);
	cr_expect_eq(r->body_len, 0);
}

/* ---- bodies ---- */

Test(api_body, a_declared_oversized_body_is_413_before_it_is_sent)
{
	/* Expect: 100-continue: the client waits for the verdict first */
	static const char req[] =
		"POST /v1/tenants/acme/cdrs HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		"Connection: close\r\n" ADMIN
		"Content-Type: application/json\r\n"
		"Content-Length: 100000\r\nExpect: 100-continue\r\n\r\n";

	expect_error(http_raw(req, sizeof(req) - 1), 413,
		     "too large");
}

Test(api_body, a_chunked_body_past_the_cap_is_413)
{
	static char req[64 * 1024];
	char chunk[1024];
	int n;

	memset(chunk, ' ', sizeof(chunk));
	n = snprintf(req, sizeof(req),
		     "GET /v1/tenants/acme/cdrs HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		     "Connection: close\r\n" ADMIN
		     "Transfer-Encoding: chunked\r\n\r\n");
	for (int i = 0; i < 40; i++) /* 40 KiB against a 4 KiB cap */
		n += snprintf(req + n, sizeof(req) - (size_t)n, "400\r\n%.*s\r\n",
			      (int)sizeof(chunk), chunk);
	n += snprintf(req + n, sizeof(req) - (size_t)n, "0\r\n\r\n");
	cr_assert_lt((size_t)n, sizeof(req));
	expect_error(http_raw(req, (size_t)n), 413, "too large");
}

Test(api_body, bad_json_is_400)
{
	expect_error(http("GET", "/v1/tenants/acme/cdrs", ADMIN, "{\"a\": "),
		     400, "invalid JSON body");
	expect_error(http("GET", "/v1/tenants/acme/cdrs", ADMIN,
			  "{\"a\": 1, \"a\": 2}"), 400, "invalid JSON body");
	/* a well-formed body reaches the handler (which ignores it) */
	cr_expect_eq(http("GET", "/v1/tenants/acme/cdrs", ADMIN,
			  "{\"a\": 1}")->status, 200);
}

/* ---- GET /v1/tenants/{tenant}/cdrs ---- */

Test(api_cdrs_list, bad_parameters_are_400_naming_them)
{
	static const struct {
		const char *query;
		const char *want;
	} bad[] = {
		{ "limit=0", "'limit'" },
		{ "limit=1001", "'limit'" },
		{ "limit=ten", "'limit'" },
		{ "limit=-1", "'limit'" },
		{ "limit=", "'limit'" },
		{ "cursor=zzz", "'cursor'" },
		{ "cursor=1-0", "'cursor'" },
		{ "from=yesterday", "'from'" },
		{ "from=2024-05-01", "'from'" },
		{ "to=2024-13-01T00:00:00Z", "'to'" },
		{ "to=2024-02-30T00:00:00Z", "'to'" },
		{ "from=1714564800&to=1714564800", "'to'" },
		{ "to=0", "'to'" },
		{ "number=", "'number'" },
		{ "limit", "'limit'" },
		{ "colour=blue", "unknown parameter 'colour'" },
	};
	char target[160];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(target, sizeof(target), "/v1/tenants/acme/cdrs?%s",
			 bad[i].query);
		cr_log_info("%s", target);
		expect_error(http("GET", target, ADMIN, NULL), 400, bad[i].want);
	}
}

Test(api_cdrs_list, each_record_has_named_fields_and_both_time_forms)
{
	struct resp *r = http("GET", "/v1/tenants/acme/cdrs?limit=2", ADMIN,
			      NULL);
	json_t *busy, *answered;

	cr_assert_eq(r->status, 200);
	cr_expect_eq(json_integer_value(json_object_get(r->json, "count")), 2);
	/* newest first: i = 24 (busy), then 23 (answered) */
	busy = json_array_get(json_object_get(r->json, "cdrs"), 0);
	answered = json_array_get(json_object_get(r->json, "cdrs"), 1);
	cr_assert_not_null(answered);
	cr_expect_str_eq(json_string_value(json_object_get(busy, "call_ref")),
			 "844424930131992"); /* 3 << 48 | 24 */
	cr_expect_str_eq(json_string_value(json_object_get(busy,
							   "disposition")),
			 "busy");
	cr_expect_str_eq(json_string_value(json_object_get(busy, "start")),
			 "2024-05-01T12:24:00.123456Z");
	cr_expect_eq(json_integer_value(json_object_get(busy, "start_us")),
		     (json_int_t)(t0 + 24 * 60000000ull + 123456));
	cr_expect(json_is_null(json_object_get(busy, "answer")));
	cr_expect_eq(json_integer_value(json_object_get(busy, "answer_us")), 0);
	cr_expect_eq(json_integer_value(json_object_get(busy, "sip_code")),
		     486);
	cr_expect_str_eq(json_string_value(json_object_get(answered,
							   "disposition")),
			 "answered");
	cr_expect_str_eq(json_string_value(json_object_get(answered, "answer")),
			 "2024-05-01T12:23:03.123456Z");
	cr_expect_str_eq(json_string_value(json_object_get(answered, "caller")),
			 "+15550000003");
	cr_expect_str_eq(json_string_value(json_object_get(answered, "callee")),
			 "+16660000023");
	cr_expect_str_eq(json_string_value(json_object_get(answered,
							   "call_id")),
			 "c23@198.18.0.2");
	cr_expect_str_eq(json_string_value(json_object_get(answered,
							   "targets")),
			 "sip:23@198.18.0.3,sip:23@198.18.0.4");
	cr_expect_eq(json_integer_value(json_object_get(answered, "ring_ms")),
		     2500);
	cr_expect_eq(json_integer_value(json_object_get(answered, "worker")),
		     3);
	cr_expect_str_eq(json_string_value(json_object_get(answered, "end")),
			 "2024-05-01T12:23:30.123456Z");
	cr_expect(json_is_string(json_object_get(r->json, "next")));
}

Test(api_cdrs_list, next_cursors_walk_every_record_once_newest_first)
{
	char target[160], cursor[64] = "";
	unsigned seen[N_ACME] = { 0 }, pages = 0;
	json_int_t last = INT64_MAX;

	for (;;) {
		struct resp *r;
		json_t *row, *next;
		size_t i;

		snprintf(target, sizeof(target),
			 "/v1/tenants/acme/cdrs?limit=4%s%s",
			 cursor[0] ? "&cursor=" : "", cursor);
		r = http("GET", target, ACME, NULL);
		cr_assert_eq(r->status, 200, "%.*s", (int)r->body_len, r->body);
		pages++;
		json_array_foreach(json_object_get(r->json, "cdrs"), i, row) {
			json_int_t us = json_integer_value(
				json_object_get(row, "start_us"));
			unsigned k = (unsigned)((us - (json_int_t)t0) /
						60000000);

			cr_assert_lt(us, last);
			last = us;
			cr_assert_lt(k, N_ACME);
			seen[k]++;
		}
		next = json_object_get(r->json, "next");
		if (json_is_null(next))
			break;
		snprintf(cursor, sizeof(cursor), "%s", json_string_value(next));
	}
	cr_expect_eq(pages, (N_ACME + 3) / 4);
	for (unsigned k = 0; k < N_ACME; k++)
		cr_expect_eq(seen[k], 1, "record %u seen %u times", k, seen[k]);
}

static size_t count_of(const char *target)
{
	struct resp *r = http("GET", target, ADMIN, NULL);

	cr_assert_eq(r->status, 200, "%s: %.*s", target, (int)r->body_len,
		     r->body);
	return (size_t)json_integer_value(json_object_get(r->json, "count"));
}

Test(api_cdrs_list, filters_by_time_in_either_form_and_by_number)
{
	/* records 5..9 start in [12:05, 12:10) */
	cr_expect_eq(count_of("/v1/tenants/acme/cdrs?from=1714565100"
			      "&to=1714565400"), 5);
	cr_expect_eq(count_of("/v1/tenants/acme/cdrs?"
			      "from=2024-05-01T12:05:00Z"
			      "&to=2024-05-01T12:10:00.000000Z"), 5);
	cr_expect_eq(count_of("/v1/tenants/acme/cdrs?"
			      "from=2024-05-01T14:05:00%2B02:00"
			      "&to=2024-05-01T07:10:00-05:00"), 5);
	/* from alone, to alone */
	cr_expect_eq(count_of("/v1/tenants/acme/cdrs?from=1714565100"), 20);
	cr_expect_eq(count_of("/v1/tenants/acme/cdrs?to=1714565100"), 5);
	/* caller +15550000002: records 2, 7, 12, 17, 22 */
	cr_expect_eq(count_of("/v1/tenants/acme/cdrs?number=%2B15550000002"),
		     5);
	/* callee of record 13 */
	cr_expect_eq(count_of("/v1/tenants/acme/cdrs?number=%2B16660000013"),
		     1);
	/* globex's callee is not acme's */
	cr_expect_eq(count_of("/v1/tenants/acme/cdrs?number=%2B16660000030"),
		     0);
}

Test(api_cdrs_list, without_a_store_is_503)
{
	api_free(api);
	start(NULL);
	expect_error(http("GET", "/v1/tenants/acme/cdrs", ADMIN, NULL), 503,
		     "not available");
}

/* ---- GET /metrics ---- */

Test(api_metrics_get, serves_the_text_format_with_both_parts)
{
	struct resp *r;

	http("GET", "/nowhere", ADMIN, NULL); /* one 404 to count */
	r = http("GET", "/metrics", ADMIN, NULL);
	cr_assert_eq(r->status, 200);
	cr_expect_str_eq(header(r, "Content-Type"), METRICS_CONTENT_TYPE);
	r->body[r->body_len] = '\0';
	cr_expect_not_null(strstr(r->body,
				  "# TYPE sluice_api_requests_total counter\n"
				  "sluice_api_requests_total{code=\"200\"} 0\n"),
			   "%s", r->body);
	cr_expect_not_null(strstr(r->body,
				  "sluice_api_requests_total{code=\"404\"} 1\n"));
	cr_expect_not_null(strstr(r->body,
				  "# HELP sluice_calls_active Calls up now\n"
				  "# TYPE sluice_calls_active gauge\n"
				  "sluice_calls_active{tenant=\"a\\\\b\\\"c\\nd\"}"
				  " 3\n"), "%s", r->body);
}

/* ---- helpers without a server ---- */

Test(api_create, needs_an_auth_callback)
{
	const struct api_cfg cfg = { .addr = INADDR_LOOPBACK };

	cr_expect_null(api_create(&cfg));
	cr_expect_null(api_create(NULL));
	api_free(NULL);
}

Test(api_json_string, replaces_invalid_utf8)
{
	static const struct {
		const char *in;
		const char *out;
	} cases[] = {
		{ "plain", "plain" },
		{ "J\xc3\xbcrgen", "J\xc3\xbcrgen" },
		{ "a\xff" "b", "a\xef\xbf\xbd" "b" },
		{ "\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd" },   /* overlong */
		{ "\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
		{ "cut\xe2\x82", "cut\xef\xbf\xbd\xef\xbf\xbd" },
		{ "\xf0\x9f\x93\x9e", "\xf0\x9f\x93\x9e" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *j = api_json_string(cases[i].in, 64);

		cr_assert_not_null(j, "case %zu", i);
		cr_expect_str_eq(json_string_value(j), cases[i].out,
				 "case %zu", i);
		json_decref(j);
	}
}

Test(api_time_parse, takes_unix_seconds_and_rfc3339)
{
	static const struct {
		const char *in;
		uint64_t us;
	} good[] = {
		{ "0", 0 },
		{ "1714564800", 1714564800000000 },
		{ "2024-05-01T12:00:00Z", 1714564800000000 },
		{ "2024-05-01t12:00:00z", 1714564800000000 },
		{ "2024-05-01 12:00:00Z", 1714564800000000 },
		{ "2024-05-01T12:00:00.5Z", 1714564800500000 },
		{ "2024-05-01T12:00:00.123456789Z", 1714564800123456 },
		{ "2024-05-01T14:00:00+02:00", 1714564800000000 },
		{ "2024-05-01T07:00:00-05:00", 1714564800000000 },
		{ "2024-02-29T00:00:00Z", 1709164800000000 },
		{ "1970-01-01T00:00:00Z", 0 },
	};
	static const char *const bad[] = {
		"", "-1", "1e9", "2024-05-01", "2024-05-01T12:00:00",
		"2024-05-01T12:00Z", "2023-02-29T00:00:00Z",
		"2024-04-31T00:00:00Z", "2024-05-01T24:00:00Z",
		"2024-05-01T12:00:00.Z", "2024-05-01T12:00:00.1234567890Z",
		"2024-05-01T12:00:00+2:00", "2024-05-01T12:00:00Zjunk",
		"1970-01-01T00:00:00+01:00", "9999999999999",
	};
	uint64_t us;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		cr_expect_eq(api_time_parse(good[i].in, &us), 0, "%s",
			     good[i].in);
		cr_expect_eq(us, good[i].us, "%s: %llu", good[i].in,
			     (unsigned long long)us);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect_eq(api_time_parse(bad[i], &us), -EINVAL,
			     "'%s' accepted", bad[i]);
}

Test(api_time_format, writes_utc_with_microseconds)
{
	char buf[32];

	cr_expect_eq(api_time_format(1714564800000001, buf, sizeof(buf)), 27);
	cr_expect_str_eq(buf, "2024-05-01T12:00:00.000001Z");
	cr_expect_eq(api_time_format(1714564800000001, buf, 27), -ENOSPC);
}

Test(metrics_sample, escapes_label_values)
{
	const struct metrics_label l[] = {
		{ "path", "C:\\dir" },
		{ "ua", "say \"hi\"" },
		{ "note", "two\nlines" },
		{ "plain", "ok" },
	};
	struct metrics_buf b;
	size_t len;
	char *text;

	metrics_init(&b);
	cr_assert_eq(metrics_family(&b, "x_total", METRICS_COUNTER,
				    "back\\slash and\nnewline \"kept\""), 0);
	cr_assert_eq(metrics_sample_u64(&b, l, 4, 7), 0);
	text = metrics_take(&b, &len);
	cr_assert_not_null(text);
	cr_expect_str_eq(text,
			 "# HELP x_total back\\\\slash and\\nnewline \"kept\"\n"
			 "# TYPE x_total counter\n"
			 "x_total{path=\"C:\\\\dir\",ua=\"say \\\"hi\\\"\","
			 "note=\"two\\nlines\",plain=\"ok\"} 7\n");
	cr_expect_eq(len, strlen(text));
	free(text);
}

Test(metrics_family, writes_help_and_type_once_per_family)
{
	struct metrics_buf b;
	size_t len;
	char *text;

	metrics_init(&b);
	metrics_family(&b, "a", METRICS_GAUGE, "A");
	metrics_sample(&b, NULL, 0, 1.5);
	metrics_family(&b, "a", METRICS_GAUGE, "A"); /* current: no-op */
	metrics_sample(&b, NULL, 0, -2);
	metrics_family(&b, "b_total", METRICS_COUNTER, "B");
	metrics_sample(&b, NULL, 0, 0.1);
	metrics_sample(&b, NULL, 0, 1e21);
	metrics_family(&b, "c", METRICS_GAUGE, "");
	metrics_sample(&b, NULL, 0, NAN);
	metrics_sample(&b, NULL, 0, INFINITY);
	metrics_sample(&b, NULL, 0, -INFINITY);
	metrics_sample_u64(&b, NULL, 0, UINT64_MAX);
	text = metrics_take(&b, &len);
	cr_assert_not_null(text);
	cr_expect_str_eq(text,
			 "# HELP a A\n# TYPE a gauge\na 1.5\na -2\n"
			 "# HELP b_total B\n# TYPE b_total counter\n"
			 "b_total 0.1\nb_total 1e+21\n"
			 "# HELP c \n# TYPE c gauge\nc NaN\nc +Inf\nc -Inf\n"
			 "c 18446744073709551615\n");
	free(text);
}

Test(metrics_family, refuses_split_families_and_bad_names)
{
	struct metrics_buf b;
	const struct metrics_label reserved = { "__name__", "x" };
	const struct metrics_label dash = { "a-b", "x" };
	size_t len;

	metrics_init(&b);
	metrics_family(&b, "a", METRICS_GAUGE, "A");
	metrics_family(&b, "b", METRICS_GAUGE, "B");
	cr_expect_eq(metrics_family(&b, "a", METRICS_GAUGE, "A"), -EINVAL);
	cr_expect_eq(metrics_error(&b), -EINVAL);
	cr_expect_null(metrics_take(&b, &len));

	const char *const names[] = { "", "1abc", "a-b", "a b", "a{}" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		metrics_init(&b);
		cr_expect_eq(metrics_family(&b, names[i], METRICS_GAUGE, ""),
			     -EINVAL, "'%s'", names[i]);
		metrics_free(&b);
	}
	metrics_init(&b);
	cr_expect_eq(metrics_family(&b, "ns:sub_total", METRICS_COUNTER, ""), 0);
	cr_expect_eq(metrics_sample(&b, &reserved, 1, 1), -EINVAL);
	metrics_free(&b);
	metrics_init(&b);
	metrics_family(&b, "g", METRICS_GAUGE, "");
	cr_expect_eq(metrics_sample(&b, &dash, 1, 1), -EINVAL);
	metrics_free(&b);
	metrics_init(&b);
	cr_expect_eq(metrics_sample(&b, NULL, 0, 1), -EINVAL); /* no family */
	metrics_free(&b);
	metrics_init(&b);
	metrics_family(&b, "c_total", METRICS_COUNTER, "");
	cr_expect_eq(metrics_sample(&b, NULL, 0, -1), -EINVAL);
	metrics_free(&b);
	metrics_free(NULL);
}

Test(metrics_take, gives_an_empty_string_for_an_empty_buffer)
{
	struct metrics_buf b;
	size_t len = 99;
	char *text;

	metrics_init(&b);
	text = metrics_take(&b, &len);
	cr_assert_not_null(text);
	cr_expect_str_eq(text, "");
	cr_expect_eq(len, 0);
	free(text);
}
