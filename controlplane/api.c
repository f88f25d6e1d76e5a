/* SPDX-License-Identifier: MIT */
/*
 * The HTTP API server: libmicrohttpd underneath, the route table from
 * api.h, bearer-token auth, body capping and JSON replies. The steps every
 * request takes, and the status each can answer, are listed in api.h.
 *
 * Threads. The daemon runs a pool of cfg->threads threads, each polling its
 * own epoll set (MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL with
 * MHD_OPTION_THREAD_POOL_SIZE). A pool, not one polling thread, because
 * handlers block: a CDR page is an SQLite query of up to a thousand rows,
 * and one slow scrape or query must not stall every other client. Not a
 * thread per connection either: the API's clients are a few operators and
 * scrapers, and a fixed pool bounds threads and memory whatever connects.
 * Handlers, the auth and the metrics callbacks therefore run on several
 * threads at once; this file's own state is the counters, kept atomic.
 *
 * A request's life in MHD: the access handler is called once when the
 * headers are in (auth, size, route and scope are decided there, and any
 * refusal is queued at once, so a refused body is never read), then once
 * per piece of body, then a last time with no data, when the handler runs.
 * A body past the cap is read and dropped and answered 413 at the end (MHD
 * cannot answer mid-body); a client that keeps sending far past it is cut.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include <microhttpd.h>

#include "api.h"
#include "metrics.h"

#define API_TOKEN_MAX 512          /* longest bearer token accepted */
#define API_DISCARD_MAX (1 << 20)  /* body bytes dropped past the cap, then cut */
#define API_CONN_LIMIT 64
#define API_CONN_TIMEOUT_S 30
#define API_REALM "Bearer realm=\"sluice\""

enum api_route_scope { API_NEED_TENANT, API_NEED_ADMIN };

struct api_route {
	const char *method;
	const char *pattern;
	api_handler_fn *fn;
	enum api_route_scope need;
};

static const struct api_route api_routes[] = {
#define API_X(method, pattern, fn, scope) { #method, pattern, fn, API_NEED_##scope },
	API_ROUTES(API_X)
#undef API_X
};
#define API_N_ROUTES (sizeof(api_routes) / sizeof(api_routes[0]))

/* Statuses counted for sluice_api_requests_total; the last slot is "other". */
static const unsigned api_counted[] = { 200, 400, 401, 403, 404, 405, 413,
					500, 503 };
#define API_N_COUNTED (sizeof(api_counted) / sizeof(api_counted[0]))

struct api {
	struct api_cfg cfg;
	struct MHD_Daemon *daemon;
	uint16_t port;
	_Atomic uint64_t replies[API_N_COUNTED + 1];
};

/* One request in flight: MHD's per-request pointer. */
struct api_conn {
	const struct api_route *route;
	struct api_principal who;
	struct api_req req;
	char *body;
	size_t len;
	size_t discarded; /* bytes past the cap */
	bool admitted;    /* passed every check of api_begin */
};

/* ---- replies ---- */

void api_reply_json(struct api_reply *rep, unsigned status, json_t *body)
{
	json_decref(rep->json);
	rep->json = body;
	rep->status = body != NULL ? status : 500;
}

void api_reply_error(struct api_reply *rep, unsigned status, const char *fmt,
		     ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	api_reply_json(rep, status,
		       json_pack("{s:{s:i,s:o}}", "error", "status", (int)status,
				 "message", api_json_string(msg, sizeof(msg))));
}

void api_reply_text(struct api_reply *rep, unsigned status,
		    const char *content_type, char *text, size_t len)
{
	free(rep->text);
	rep->text = text;
	rep->text_len = len;
	rep->content_type = content_type;
	rep->status = status;
}

static void api_reply_clear(struct api_reply *rep)
{
	json_decref(rep->json);
	free(rep->text);
	memset(rep, 0, sizeof(*rep));
}

static void api_count(struct api *api, unsigned status)
{
	size_t i;

	for (i = 0; i < API_N_COUNTED && api_counted[i] != status; i++)
		;
	atomic_fetch_add_explicit(&api->replies[i], 1, memory_order_relaxed);
}

/* The body of rep as malloc'd bytes for MHD; JSON gets a final newline. */
static char *api_reply_bytes(struct api_reply *rep, size_t *len)
{
	char *s, *grown;

	if (rep->text != NULL) {
		s = rep->text;
		*len = rep->text_len;
		rep->text = NULL;
		return s;
	}
	s = rep->json != NULL ? json_dumps(rep->json, JSON_COMPACT) : NULL;
	if (s == NULL)
		return NULL;
	*len = strlen(s);
	grown = realloc(s, *len + 2);
	if (grown == NULL) {
		free(s);
		return NULL;
	}
	grown[(*len)++] = '\n';
	grown[*len] = '\0';
	return grown;
}

/*
 * Queues rep on the connection, with one extra header if hname is set, and
 * clears rep. Anything that fails on the way becomes a fixed 500.
 */
static enum MHD_Result api_queue(struct api *api, struct MHD_Connection *c,
				 struct api_reply *rep, const char *hname,
				 const char *hvalue)
{
	static char oops[] = "{\"error\":{\"status\":500,"
			     "\"message\":\"cannot build the reply\"}}\n";
	const char *type = rep->text != NULL ? rep->content_type
					     : "application/json";
	struct MHD_Response *r = NULL;
	unsigned status = rep->status;
	enum MHD_Result ok;
	size_t len = 0;
	char *bytes;

	if (status < 100 || status > 599 ||
	    (rep->json == NULL && rep->text == NULL))
		api_reply_error(rep, 500, "the handler gave no reply");
	status = rep->status;
	bytes = api_reply_bytes(rep, &len);
	if (bytes != NULL)
		r = MHD_create_response_from_buffer(len, bytes,
						    MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(bytes);
		status = 500;
		type = "application/json";
		hname = NULL;
		r = MHD_create_response_from_buffer(strlen(oops), oops,
						    MHD_RESPMEM_PERSISTENT);
		if (r == NULL) {
			api_reply_clear(rep);
			return MHD_NO;
		}
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				type != NULL ? type : "text/plain");
	/* replies hold tenants' private data: never kept by a cache */
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (hname != NULL)
		MHD_add_response_header(r, hname, hvalue);
	ok = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	api_count(api, status);
	api_reply_clear(rep);
	return ok;
}

static enum MHD_Result api_refuse(struct api *api, struct MHD_Connection *c,
				  unsigned status, const char *hname,
				  const char *hvalue, const char *msg)
{
	struct api_reply rep = { 0 };

	api_reply_error(&rep, status, "%s", msg);
	return api_queue(api, c, &rep, hname, hvalue);
}

/* ---- auth ---- */

/*
 * The token of "Authorization: Bearer <token>" (scheme case-insensitive,
 * RFC 7235) into buf; false if the header is missing or not that shape.
 */
static bool api_bearer(struct MHD_Connection *c, char *buf, size_t len)
{
	const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						    MHD_HTTP_HEADER_AUTHORIZATION);
	size_t n;

	if (h == NULL || strncasecmp(h, "Bearer", 6) != 0 ||
	    (h[6] != ' ' && h[6] != '\t'))
		return false;
	for (h += 6; *h == ' ' || *h == '\t'; h++)
		;
	n = strcspn(h, " \t");
	if (n == 0 || n >= len || h[n + strspn(h + n, " \t")] != '\0')
		return false;
	memcpy(buf, h, n);
	buf[n] = '\0';
	return true;
}

/* 0 with *who filled, or the refusal already queued (<0). */
static int api_authenticate(struct api *api, struct MHD_Connection *c,
			    struct api_principal *who, enum MHD_Result *res)
{
	char token[API_TOKEN_MAX];

	memset(who, 0, sizeof(*who));
	if (!api_bearer(c, token, sizeof(token))) {
		*res = api_refuse(api, c, 401, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
				  API_REALM, "missing bearer token");
		return -EACCES;
	}
	if (api->cfg.auth(api->cfg.ctx, token, who) < 0) {
		*res = api_refuse(api, c, 500, NULL, NULL,
				  "cannot check the token");
		return -EIO;
	}
	if (who->scope != API_SCOPE_TENANT && who->scope != API_SCOPE_ADMIN) {
		*res = api_refuse(api, c, 401, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
				  API_REALM ", error=\"invalid_token\"",
				  "invalid bearer token");
		return -EACCES;
	}
	who->tenant[sizeof(who->tenant) - 1] = '\0';
	return 0;
}

/* ---- routing ---- */

/* Matches path against pattern, capturing {name} segments into req. */
static bool api_match(const char *pattern, const char *path,
		      struct api_req *req)
{
	req->n_params = 0;
	while (*pattern != '\0' && *path != '\0') {
		if (*pattern == '{') {
			const char *close = strchr(pattern, '}');
			const char *end = strchrnul(path, '/');
			size_t n = (size_t)(end - path);
			unsigned k = req->n_params;

			if (close == NULL || n == 0 || n >= API_PARAM_LEN ||
			    k == API_MAX_PARAMS)
				return false;
			req->params[k].name = pattern + 1;
			req->params[k].name_len = (size_t)(close - pattern - 1);
			memcpy(req->params[k].value, path, n);
			req->params[k].value[n] = '\0';
			req->n_params++;
			pattern = close + 1;
			path = end;
		} else if (*pattern++ != *path++) {
			return false;
		}
	}
	return *pattern == '\0' && *path == '\0';
}

/*
 * The route for method and path, with its parameters in req. NULL if none:
 * allow then lists the methods the path has ("" when it has none: 404).
 */
static const struct api_route *api_route(const char *method, const char *path,
					 struct api_req *req, char *allow,
					 size_t len)
{
	const char *m = strcmp(method, "HEAD") == 0 ? "GET" : method;
	size_t i, used = 0;

	allow[0] = '\0';
	for (i = 0; i < API_N_ROUTES; i++) {
		const struct api_route *r = &api_routes[i];

		if (!api_match(r->pattern, path, req))
			continue;
		if (strcmp(r->method, m) == 0)
			return r;
		if (strstr(allow, r->method) == NULL && used < len)
			used += (size_t)snprintf(allow + used, len - used,
						 "%s%s", used ? ", " : "",
						 r->method);
	}
	return NULL;
}

static bool api_in_scope(const struct api_route *r, const struct api_req *req,
			 const struct api_principal *who)
{
	const char *tenant;

	if (who->scope == API_SCOPE_ADMIN)
		return true;
	if (r->need != API_NEED_TENANT || who->scope != API_SCOPE_TENANT)
		return false;
	tenant = api_req_param(req, "tenant");
	return tenant != NULL && who->tenant[0] != '\0' &&
	       strcmp(tenant, who->tenant) == 0;
}

const char *api_req_param(const struct api_req *req, const char *name)
{
	size_t n = strlen(name);
	unsigned i;

	for (i = 0; i < req->n_params; i++)
		if (req->params[i].name_len == n &&
		    memcmp(req->params[i].name, name, n) == 0)
			return req->params[i].value;
	return NULL;
}

const char *api_req_query(const struct api_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND,
					   name);
}

struct api_query_check {
	const char *const *known;
	const char *bad;
	bool no_value;
};

static enum MHD_Result api_query_check_one(void *cls, enum MHD_ValueKind kind,
					   const char *key, const char *value)
{
	struct api_query_check *chk = cls;
	const char *const *k;

	(void)kind;
	for (k = chk->known; *k != NULL; k++)
		if (strcmp(*k, key) == 0)
			break;
	if (*k == NULL || value == NULL) {
		chk->bad = key;
		chk->no_value = *k != NULL;
		return MHD_NO;
	}
	return MHD_YES;
}

int api_req_check_query(const struct api_req *req, const char *const *known,
			struct api_reply *rep)
{
	struct api_query_check chk = { known, NULL, false };

	MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND,
				  api_query_check_one, &chk);
	if (chk.bad == NULL)
		return 0;
	if (chk.no_value)
		api_reply_error(rep, 400, "parameter '%.64s': missing value",
				chk.bad);
	else
		api_reply_error(rep, 400, "unknown parameter '%.64s'", chk.bad);
	return -EINVAL;
}

/* ---- the request's life ---- */

/* First call: headers are in. Decides everything but the body. */
static enum MHD_Result api_begin(struct api *api, struct MHD_Connection *c,
				 const char *url, const char *method,
				 void **con_cls)
{
	const char *clen = MHD_lookup_connection_value(
		c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	struct api_conn *ac = calloc(1, sizeof(*ac));
	enum MHD_Result res;
	char allow[64];

	if (ac == NULL)
		return MHD_NO;
	*con_cls = ac; /* freed by api_completed whatever happens next */
	ac->req.method = method;
	ac->req.path = url;
	ac->req.who = &ac->who;
	ac->req.cfg = &api->cfg;
	ac->req.api = api;
	ac->req.conn = c;
	if (api_authenticate(api, c, &ac->who, &res) < 0)
		return res;
	if (clen != NULL && strtoull(clen, NULL, 10) > api->cfg.max_body)
		return api_refuse(api, c, 413, NULL, NULL,
				  "request body too large");
	ac->route = api_route(method, url, &ac->req, allow, sizeof(allow));
	if (ac->route == NULL && allow[0] == '\0')
		return api_refuse(api, c, 404, NULL, NULL, "no such resource");
	if (ac->route == NULL)
		return api_refuse(api, c, 405, MHD_HTTP_HEADER_ALLOW, allow,
				  "method not allowed");
	if (!api_in_scope(ac->route, &ac->req, &ac->who))
		return api_refuse(api, c, 403, NULL, NULL,
				  "this token may not access this resource");
	ac->admitted = true;
	return MHD_YES;
}

/* A piece of body: kept up to the cap, then dropped and counted. */
static enum MHD_Result api_take_body(struct api *api, struct api_conn *ac,
				     const char *data, size_t n)
{
	char *grown;

	if (ac->discarded > 0 || ac->len + n > api->cfg.max_body) {
		ac->discarded += n;
		return ac->discarded > API_DISCARD_MAX ? MHD_NO : MHD_YES;
	}
	grown = realloc(ac->body, ac->len + n + 1);
	if (grown == NULL)
		return MHD_NO;
	ac->body = grown;
	memcpy(ac->body + ac->len, data, n);
	ac->len += n;
	return MHD_YES;
}

/* Last call: the whole request is in. Parses the body, runs the handler. */
static enum MHD_Result api_finish(struct api *api, struct MHD_Connection *c,
				  struct api_conn *ac)
{
	struct api_reply rep = { 0 };
	json_error_t jerr;
	enum MHD_Result res;

	if (ac->discarded > 0)
		return api_refuse(api, c, 413, NULL, NULL,
				  "request body too large");
	if (ac->len > 0) {
		ac->req.body = json_loadb(ac->body, ac->len,
					  JSON_REJECT_DUPLICATES, &jerr);
		if (ac->req.body == NULL) {
			api_reply_error(&rep, 400,
					"invalid JSON body: %s (line %d, "
					"column %d)", jerr.text, jerr.line,
					jerr.column);
			return api_queue(api, c, &rep, NULL, NULL);
		}
	}
	ac->route->fn(&ac->req, &rep);
	res = api_queue(api, c, &rep, NULL, NULL);
	json_decref(ac->req.body);
	ac->req.body = NULL;
	return res;
}

static enum MHD_Result api_access(void *cls, struct MHD_Connection *c,
				  const char *url, const char *method,
				  const char *version, const char *data,
				  size_t *data_size, void **con_cls)
{
	struct api *api = cls;
	struct api_conn *ac = *con_cls;
	enum MHD_Result res;

	(void)version;
	if (ac == NULL)
		return api_begin(api, c, url, method, con_cls);
	if (!ac->admitted) {
		/* refused and answered already: never reach a handler */
		*data_size = 0;
		return MHD_YES;
	}
	if (*data_size > 0) {
		res = api_take_body(api, ac, data, *data_size);
		*data_size = 0;
		return res;
	}
	return api_finish(api, c, ac);
}

static void api_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			  enum MHD_RequestTerminationCode why)
{
	struct api_conn *ac = *con_cls;

	(void)cls;
	(void)c;
	(void)why;
	if (ac == NULL)
		return;
	json_decref(ac->req.body);
	free(ac->body);
	free(ac);
	*con_cls = NULL;
}

static void api_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	fputs("sluice: api: ", stderr);
	vfprintf(stderr, fmt, ap);
}

/* ---- create / free ---- */

/* TENANT routes must name the tenant they scope to, or nothing matches. */
static int api_check_routes(void)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < API_N_ROUTES; i++) {
		const struct api_route *r = &api_routes[i];

		if (r->pattern[0] != '/' ||
		    (r->need == API_NEED_TENANT &&
		     strstr(r->pattern, "{tenant}") == NULL)) {
			fprintf(stderr, "sluice: api: route %s %s: a pattern "
				"starts with '/', a TENANT route has a "
				"{tenant} segment\n", r->method, r->pattern);
			rc = -EINVAL;
		}
	}
	return rc;
}

struct api *api_create(const struct api_cfg *cfg)
{
	struct sockaddr_in sa;
	const union MHD_DaemonInfo *info;
	struct api *api;

	if (cfg == NULL || cfg->auth == NULL) {
		fprintf(stderr, "sluice: api: no auth callback\n");
		return NULL;
	}
	if (api_check_routes() < 0)
		return NULL;
	api = calloc(1, sizeof(*api));
	if (api == NULL)
		return NULL;
	api->cfg = *cfg;
	if (api->cfg.threads == 0)
		api->cfg.threads = API_THREADS_DEFAULT;
	if (api->cfg.max_body == 0)
		api->cfg.max_body = API_MAX_BODY_DEFAULT;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(cfg->port);
	sa.sin_addr.s_addr = htonl(cfg->addr);
	api->daemon = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
			MHD_USE_ERROR_LOG,
		cfg->port, NULL, NULL, api_access, api,
		MHD_OPTION_EXTERNAL_LOGGER, api_log, api, /* first, or unused */
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
		MHD_OPTION_THREAD_POOL_SIZE, api->cfg.threads,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)API_CONN_LIMIT,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)API_CONN_TIMEOUT_S,
		MHD_OPTION_NOTIFY_COMPLETED, api_completed, api,
		MHD_OPTION_END);
	if (api->daemon == NULL) {
		fprintf(stderr, "sluice: api: cannot listen on %u.%u.%u.%u:%u\n",
			cfg->addr >> 24, (cfg->addr >> 16) & 255,
			(cfg->addr >> 8) & 255, cfg->addr & 255, cfg->port);
		goto fail;
	}
	info = MHD_get_daemon_info(api->daemon, MHD_DAEMON_INFO_BIND_PORT);
	api->port = info != NULL ? info->port : cfg->port;
	return api;
fail:
	api_free(api);
	return NULL;
}

void api_free(struct api *api)
{
	if (api == NULL)
		return;
	if (api->daemon != NULL)
		MHD_stop_daemon(api->daemon);
	free(api);
}

uint16_t api_port(const struct api *api)
{
	return api->port;
}

/* ---- GET /metrics ---- */

static void api_metrics_own(struct api *api, struct metrics_buf *b)
{
	char code[8];
	size_t i;

	metrics_family(b, "sluice_api_requests_total", METRICS_COUNTER,
		       "HTTP API replies sent, by status code");
	for (i = 0; i <= API_N_COUNTED; i++) {
		struct metrics_label l = { "code", code };

		if (i < API_N_COUNTED)
			snprintf(code, sizeof(code), "%u", api_counted[i]);
		else
			snprintf(code, sizeof(code), "other");
		metrics_sample_u64(b, &l, 1,
				   atomic_load_explicit(&api->replies[i],
							memory_order_relaxed));
	}
}

void api_metrics_get(const struct api_req *req, struct api_reply *rep)
{
	struct metrics_buf b;
	size_t len;
	char *text;
	int rc = 0;

	metrics_init(&b);
	api_metrics_own(req->api, &b);
	if (req->cfg->metrics != NULL)
		rc = req->cfg->metrics(req->cfg->ctx, &b);
	if (rc < 0 || metrics_error(&b) < 0) {
		rc = rc < 0 ? rc : metrics_error(&b);
		metrics_free(&b);
		api_reply_error(rep, 500, "cannot write the metrics: %s",
				strerror(-rc));
		return;
	}
	text = metrics_take(&b, &len);
	if (text == NULL) {
		api_reply_error(rep, 500, "out of memory");
		return;
	}
	api_reply_text(rep, 200, METRICS_CONTENT_TYPE, text, len);
}

/* ---- JSON strings and times ---- */

/* Length of the valid UTF-8 sequence at s (n bytes left); 0 if invalid. */
static size_t api_utf8_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	uint32_t cp;
	size_t len, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (cp >= 0xd800 && cp <= 0xdfff) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

json_t *api_json_string(const char *s, size_t max)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strnlen(s, max), i, k, out = 0;
	json_t *j;
	char *buf;

	for (i = 0; i < n && (k = api_utf8_len(u + i, n - i)) != 0; i += k)
		;
	if (i == n)
		return json_stringn(s, n);
	buf = malloc(n * 3 + 1); /* each bad byte becomes 3 */
	if (buf == NULL)
		return NULL;
	for (i = 0; i < n; i += k) {
		k = api_utf8_len(u + i, n - i);
		if (k == 0) {
			memcpy(buf + out, "\xef\xbf\xbd", 3); /* U+FFFD */
			out += 3;
			k = 1;
		} else {
			memcpy(buf + out, s + i, k);
			out += k;
		}
	}
	j = json_stringn(buf, out);
	free(buf);
	return j;
}

int api_time_format(uint64_t us, char *buf, size_t len)
{
	time_t secs = (time_t)(us / 1000000);
	struct tm tm;
	int n;

	if (gmtime_r(&secs, &tm) == NULL)
		return -ERANGE;
	n = snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%06uZ",
		     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		     tm.tm_min, tm.tm_sec, (unsigned)(us % 1000000));
	return n >= 0 && (size_t)n < len ? n : -ENOSPC;
}

json_t *api_json_time(uint64_t us)
{
	char buf[40];

	if (us == 0 || api_time_format(us, buf, sizeof(buf)) < 0)
		return json_null();
	return json_string(buf);
}

/* n decimal digits at *p into *out, advancing *p; false if not digits. */
static bool api_digits(const char **p, unsigned n, int *out)
{
	int v = 0;

	for (; n > 0; n--, (*p)++) {
		if (**p < '0' || **p > '9')
			return false;
		v = v * 10 + (**p - '0');
	}
	*out = v;
	return true;
}

static bool api_expect(const char **p, const char *any)
{
	if (**p == '\0' || strchr(any, **p) == NULL)
		return false;
	(*p)++;
	return true;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (y >= 1). */
static int64_t api_days(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int api_month_days(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30,
				    31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

/* YYYY-MM-DDThh:mm:ss[.frac](Z|±hh:mm), RFC 3339 section 5.6. */
static int api_rfc3339(const char *p, uint64_t *us)
{
	int y, mo, d, h, mi, s, oh = 0, om = 0, frac = 0, sign = 0;
	unsigned digits = 0;
	int64_t secs;

	if (!api_digits(&p, 4, &y) || !api_expect(&p, "-") ||
	    !api_digits(&p, 2, &mo) || !api_expect(&p, "-") ||
	    !api_digits(&p, 2, &d) || !api_expect(&p, "Tt ") ||
	    !api_digits(&p, 2, &h) || !api_expect(&p, ":") ||
	    !api_digits(&p, 2, &mi) || !api_expect(&p, ":") ||
	    !api_digits(&p, 2, &s))
		return -EINVAL;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, digits++)
			if (digits < 6)
				frac = frac * 10 + (*p - '0');
		if (digits == 0 || digits > 9)
			return -EINVAL;
		for (; digits < 6; digits++)
			frac *= 10;
	}
	if (*p == '+' || *p == '-') {
		sign = *p++ == '+' ? 1 : -1;
		if (!api_digits(&p, 2, &oh) || !api_expect(&p, ":") ||
		    !api_digits(&p, 2, &om) || oh > 23 || om > 59)
			return -EINVAL;
	} else if (!api_expect(&p, "Zz")) {
		return -EINVAL;
	}
	if (*p != '\0' || y < 1 || mo < 1 || mo > 12 || d < 1 ||
	    d > api_month_days(y, mo) || h > 23 || mi > 59 || s > 60)
		return -EINVAL;
	secs = api_days(y, mo, d) * 86400 + h * 3600 + mi * 60 + s -
	       sign * (oh * 3600 + om * 60);
	if (secs < 0)
		return -EINVAL;
	*us = (uint64_t)secs * 1000000 + (uint64_t)frac;
	return 0;
}

int api_time_parse(const char *s, uint64_t *us)
{
	size_t n;
	uint64_t v = 0;

	if (s == NULL || *s == '\0')
		return -EINVAL;
	n = strspn(s, "0123456789");
	if (s[n] != '\0')
		return api_rfc3339(s, us);
	if (n > 12) /* past the year 33,000 */
		return -EINVAL;
	for (; *s != '\0'; s++)
		v = v * 10 + (uint64_t)(*s - '0');
	*us = v * 1000000;
	return 0;
}
