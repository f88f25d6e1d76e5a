/* SPDX-License-Identifier: MIT */
/*
 * The HTTP API: a libmicrohttpd server on one IPv4 address and port, a
 * static route table, bearer-token auth and JSON replies (jansson).
 *
 * Every request goes through the same steps in api.c before a handler
 * runs, and each step answers with a JSON error of its own:
 *   1. auth    Authorization: Bearer <token>, checked by cfg->auth   → 401
 *   2. size    Content-Length over the body cap                       → 413
 *   3. route   path matches no pattern                                → 404
 *              path matches, method does not (Allow: lists them)      → 405
 *   4. scope   ADMIN routes need an admin token; TENANT routes take an
 *              admin token or the token of the tenant named by the
 *              route's {tenant} segment, nothing else. The answer is the
 *              same whether that tenant exists or not               → 403
 *   5. body    read up to the cap (413 past it), parsed as JSON        → 400
 *   6. handler fills a struct api_reply: status + JSON, or text.
 * Errors always read {"error": {"status": 400, "message": "..."}}.
 *
 * Adding an endpoint: one row in API_ROUTES below and a handler function
 * of type api_handler_fn (in the module it belongs to: api_<area>.c).
 *
 * Links libmicrohttpd, jansson, the CDR store (sqlite3) and pthreads; never
 * DPDK, so it runs and tests without EAL.
 */
#ifndef SLUICE_API_H
#define SLUICE_API_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define API_THREADS_DEFAULT 2          /* server threads (epoll each) */
#define API_MAX_BODY_DEFAULT (64 * 1024)
#define API_TENANT_LEN 32              /* as CDR_ID_LEN */
#define API_MAX_PARAMS 4               /* {name} segments in one pattern */
#define API_PARAM_LEN 128              /* longest path segment captured */

struct api;
struct cdr_store;
struct metrics_buf;
struct MHD_Connection;

/* What a token may reach. */
enum api_scope {
	API_SCOPE_NONE,   /* unknown token: 401 */
	API_SCOPE_TENANT, /* its own /v1/tenants/{tenant}/… only */
	API_SCOPE_ADMIN,  /* everything */
};

/* Who made a request, as the auth callback says. */
struct api_principal {
	enum api_scope scope;
	char tenant[API_TENANT_LEN]; /* for API_SCOPE_TENANT */
};

/*
 * Maps a bearer token (never NULL nor empty) to a principal; leaves
 * out->scope at API_SCOPE_NONE for a token it does not know. Returns 0, or
 * <0 if it could not decide (the request gets a 500). Runs on the server's
 * threads, several at once: it must be thread-safe, should compare tokens
 * in constant time, and must not block for long.
 */
typedef int api_auth_fn(void *ctx, const char *token,
			struct api_principal *out);

/*
 * Writes the control plane's families into out for GET /metrics (after
 * the API's own). Returns 0 or <0 (the scrape gets a 500). Same threading
 * as api_auth_fn.
 */
typedef int api_metrics_fn(void *ctx, struct metrics_buf *out);

struct api_cfg {
	uint32_t addr;           /* IPv4 to listen on, host byte order */
	uint16_t port;           /* 0: any free port (tests); see api_port */
	unsigned threads;        /* 0: API_THREADS_DEFAULT */
	size_t max_body;         /* request body cap, 0: API_MAX_BODY_DEFAULT */
	api_auth_fn *auth;       /* required */
	api_metrics_fn *metrics; /* NULL: /metrics serves the API's own only */
	struct cdr_store *cdrs;  /* NULL: the CDR routes answer 503 */
	void *ctx;               /* opaque, for the callbacks and handlers */
};

/* A request as a handler sees it. Read fields; call the accessors. */
struct api_req {
	const char *method;              /* "GET", … ("HEAD" runs GET routes) */
	const char *path;                /* decoded, without the query */
	const struct api_principal *who; /* never NONE by the time it runs */
	const struct api_cfg *cfg;       /* ctx, cdrs, … */
	json_t *body;                    /* parsed body, NULL if none; borrowed */

	/* private to api.c */
	struct api *api;
	struct MHD_Connection *conn;
	unsigned n_params;
	struct {
		const char *name; /* into the route pattern, not NUL-ended */
		size_t name_len;
		char value[API_PARAM_LEN];
	} params[API_MAX_PARAMS];
};

/* What a handler answers: JSON, or a text body (text != NULL). */
struct api_reply {
	unsigned status;
	json_t *json;             /* owned by the reply */
	char *text;               /* malloc'd, owned by the reply */
	size_t text_len;
	const char *content_type; /* static string, for text */
};

typedef void api_handler_fn(const struct api_req *req, struct api_reply *rep);

/*
 * The route table: method, path pattern ({name} matches one non-empty
 * segment), handler, scope needed (TENANT routes must have a {tenant}
 * segment; api_create checks). First match wins.
 */
#define API_ROUTES(X)                                                 \
	X(GET, "/v1/tenants", api_tenants_list, ADMIN)                \
	X(GET, "/v1/tenants/{tenant}/registrations",                  \
	  api_tenant_registrations, TENANT)                           \
	X(GET, "/v1/tenants/{tenant}/calls", api_tenant_calls, TENANT) \
	X(GET, "/v1/tenants/{tenant}/cdrs", api_cdrs_list, TENANT)    \
	X(GET, "/metrics", api_metrics_get, ADMIN)                    \
	X(POST, "/v1/reload", api_reload_post, ADMIN)

#define API_X(method, pattern, fn, scope) api_handler_fn fn;
API_ROUTES(API_X)
#undef API_X

/*
 * Starts the server (its threads listen at once). Returns NULL, after
 * writing why to stderr, if cfg is incomplete, the route table is
 * inconsistent, or the address cannot be bound.
 */
struct api *api_create(const struct api_cfg *cfg);

/* Stops the server, waiting for requests in flight; NULL is a no-op. */
void api_free(struct api *api);

/* The port listened on (the one the system chose when cfg->port was 0). */
uint16_t api_port(const struct api *api);

/* A {name} segment of the matched pattern; NULL if the route has none. */
const char *api_req_param(const struct api_req *req, const char *name);

/* A query parameter, URL-decoded; NULL if absent or given without '='. */
const char *api_req_query(const struct api_req *req, const char *name);

/*
 * Checks that every query parameter is one of known (NULL-terminated) and
 * has a value. Returns 0, or -EINVAL with a 400 naming the parameter in rep.
 */
int api_req_check_query(const struct api_req *req, const char *const *known,
			struct api_reply *rep);

/* Sets status and a JSON body, taking ownership (NULL body: a 500). */
void api_reply_json(struct api_reply *rep, unsigned status, json_t *body);

/* Sets {"error": {"status": status, "message": <printf of fmt>}}. */
void api_reply_error(struct api_reply *rep, unsigned status, const char *fmt,
		     ...) __attribute__((format(printf, 3, 4)));

/* Sets a text body, taking ownership of the malloc'd text. */
void api_reply_text(struct api_reply *rep, unsigned status,
		    const char *content_type, char *text, size_t len);

/*
 * A JSON string from bytes that came off the wire: up to max bytes or the
 * NUL, invalid UTF-8 replaced by U+FFFD (jansson refuses it). NULL only
 * when memory runs out.
 */
json_t *api_json_string(const char *s, size_t max);

/*
 * Times in the API are RFC 3339 in UTC with microseconds,
 * "2024-05-01T12:00:00.123456Z"; as input also Unix seconds ("1714564800")
 * or RFC 3339 with an offset and up to 9 fraction digits (cut to µs).
 * api_time_format returns the length written or -ENOSPC (len >= 28 fits);
 * api_time_parse returns 0 or -EINVAL; api_json_time gives JSON null for 0
 * (the CDR's "never got there").
 */
int api_time_format(uint64_t us, char *buf, size_t len);
int api_time_parse(const char *s, uint64_t *us);
json_t *api_json_time(uint64_t us);

#endif
