/* SPDX-License-Identifier: MIT */
/*
 * Control plane tests (controlplane/cp.c) on a real dataplane built by the
 * harness but with no lcore launched: the test plays worker 0, putting
 * messages on cp_up[0] and taking the answers off cp_down[0], with
 * cp_poll run in between. CDRs go to a real SQLite file in a temporary
 * directory; the API is asked over a real TCP connection on 127.0.0.1.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include "call_live.h"
#include "cdr_store.h"
#include "cp.h"
#include "dp_harness.h"
#include "sip/call.h"
#include "worker.h"

static struct harness h;
static struct cp *cp;
static char dir[64], path[128];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/test_cp_XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	/* a directory that does not exist yet: cp_create makes it */
	snprintf(path, sizeof(path), "%s/lib/sluice/cdr.db", dir);
	h_start_cp(&h, 1, path);
	cp = cp_create(h.dp, &h.cfg, NULL);
	cr_assert_not_null(cp);
}

static void teardown(void)
{
	char cmd[96];

	cp_free(cp);
	h_stop(&h);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "test_cp: could not remove %s\n", dir);
}

static struct cpmsg *msg_new(uint8_t type, uint64_t call_ref)
{
	struct cpmsg *m;

	cr_assert_eq(rte_mempool_get(h.dp->cp_pool, (void **)&m), 0);
	memset(m, 0, sizeof(*m));
	m->type = type;
	m->worker = 0;
	m->call_ref = call_ref;
	m->snap_gen = h.dp->snap->gen;
	return m;
}

static void msg_up(struct cpmsg *m)
{
	cr_assert_eq(rte_ring_sp_enqueue(h.dp->cp_up[0], m), 0);
}

static struct cpmsg *route_req(uint64_t ref, const char *tenant, const char *callee)
{
	struct cpmsg *m = msg_new(CPMSG_ROUTE_REQ, ref);
	struct cpmsg_route_req *r = &m->u.route_req;

	r->tenant = (uint32_t)tenant_by_id(h.dp->snap, tenant);
	r->trunk = -1;
	r->user = -1;
	snprintf(r->caller, sizeof(r->caller), "+15550000001");
	snprintf(r->callee, sizeof(r->callee), "%s", callee);
	return m;
}

/* The CDR of an answered call of tenant "dom". */
static struct cpmsg *cdr_of(uint64_t ref)
{
	struct cpmsg *m = msg_new(CPMSG_CDR, ref);

	m->u.cdr.call_ref = ref;
	m->u.cdr.disposition = CDR_ANSWERED;
	m->u.cdr.sip_code = 200;
	snprintf(m->u.cdr.tenant, sizeof(m->u.cdr.tenant), "dom");
	return m;
}

/* Polls until a message is on cp_down[0], at most 5 s. */
static struct cpmsg *msg_down(void)
{
	const struct timespec tick = { 0, 1000 * 1000 };
	struct cpmsg *m;

	for (int i = 0; i < 5000; i++) {
		cp_poll(cp);
		if (rte_ring_sc_dequeue(h.dp->cp_down[0], (void **)&m) == 0)
			return m;
		nanosleep(&tick, NULL);
	}
	cr_assert_fail("no message on cp_down[0] within 5 s");
	return NULL;
}

static void msg_free(struct cpmsg *m)
{
	rte_mempool_put(h.dp->cp_pool, m);
}

TestSuite(cp_poll, .init = setup, .fini = teardown, .timeout = 60);

Test(cp_poll, route_request_gets_a_decision)
{
	struct cpmsg *m;

	msg_up(route_req(42, "dom", "1001"));
	m = msg_down();
	cr_assert_eq(m->type, CPMSG_ROUTE_DEC);
	cr_expect_eq(m->call_ref, 42);
	cr_expect_eq(m->worker, 0);
	cr_expect_eq(m->snap_gen, h.dp->snap->gen);
	cr_assert_eq(m->u.route_dec.action, CPMSG_A_ROUTE);
	cr_assert_eq(m->u.route_dec.n_targets, 1);
	cr_expect_eq(m->u.route_dec.targets[0].kind, CPMSG_T_USER);
	cr_expect_eq(m->u.route_dec.targets[0].index, 0); /* alice */
	cr_expect_eq(m->u.route_dec.targets[0].ring_s, 60);
	msg_free(m);
	cr_expect_eq(cp_counter(cp, CP_C_route_req), 1);
}

Test(cp_poll, unknown_number_gets_the_fallback_reject)
{
	struct cpmsg *m;

	msg_up(route_req(43, "dom", "999"));
	m = msg_down();
	cr_assert_eq(m->type, CPMSG_ROUTE_DEC);
	cr_expect_eq(m->u.route_dec.action, CPMSG_A_REJECT);
	cr_expect_eq(m->u.route_dec.reject_code, 480);
	msg_free(m);
}

Test(cp_poll, stale_snapshot_or_bad_tenant_gets_503)
{
	struct cpmsg *r = route_req(44, "dom", "1001"), *m;

	r->snap_gen += 7; /* a snapshot that is neither current nor retired */
	msg_up(r);
	m = msg_down();
	cr_expect_eq(m->call_ref, 44);
	cr_expect_eq(m->u.route_dec.action, CPMSG_A_REJECT);
	cr_expect_eq(m->u.route_dec.reject_code, 503);
	msg_free(m);
	cr_expect_eq(cp_counter(cp, CP_C_route_stale), 1);

	r = route_req(45, "dom", "1001");
	r->u.route_req.tenant = 999;
	msg_up(r);
	m = msg_down();
	cr_expect_eq(m->u.route_dec.reject_code, 503);
	msg_free(m);
	cr_expect_eq(cp_counter(cp, CP_C_route_bad), 1);
}

/* Ringing and answered are what the call's worker published, not messages. */
Test(cp_poll, the_live_calls_table_shows_what_the_worker_published)
{
	struct wrk_ctx *w = h.dp->wrk[0];
	struct call *c = call_alloc(w), *c2;
	struct cp_call *v;
	uint64_t ref;

	cr_assert_not_null(c);
	ref = c->ref;
	msg_up(route_req(ref, "dom", "1001"));
	msg_free(msg_down());
	cr_assert_eq(cp_calls_copy(cp, "dom", &v), 1);
	cr_expect_eq(v[0].call_ref, ref);
	cr_expect_eq(v[0].state, CPMSG_CALL_ROUTING);
	cr_expect_str_eq(v[0].callee, "1001");
	free(v);
	cr_expect_eq(cp_calls_copy(cp, "main", &v), 0);

	call_live(w, c, CPMSG_CALL_RINGING);
	cr_assert_eq(cp_calls_copy(cp, "dom", &v), 1);
	cr_expect_eq(v[0].state, CPMSG_CALL_RINGING);
	free(v);
	call_live(w, c, CPMSG_CALL_ANSWERED);
	cr_assert_eq(cp_calls_copy(cp, "dom", &v), 1);
	cr_expect_eq(v[0].state, CPMSG_CALL_ANSWERED);
	free(v);

	/* the slot goes to another call: what it publishes is not ref's */
	call_free(w, c);
	c2 = call_alloc(w);
	cr_assert_eq(c2->ref & 0xffffff, ref & 0xffffff, "the freed slot is taken again");
	call_live(w, c2, CPMSG_CALL_RINGING);
	cr_expect_eq(call_live_state(h.dp, c2->ref), CPMSG_CALL_RINGING);
	cr_expect_eq(call_live_state(h.dp, ref), 0);
	cr_assert_eq(cp_calls_copy(cp, "dom", &v), 1);
	cr_expect_eq(v[0].state, CPMSG_CALL_ROUTING);
	free(v);
	call_free(w, c2);
	/* a reference to no worker's slot */
	cr_expect_eq(call_live_state(h.dp, (uint64_t)7 << 48 | 1), 0);
}

Test(cp_poll, many_calls_grow_the_table_and_all_leave)
{
	struct cp_call *v;

	/* more than the table starts with, so it grows; then all end */
	for (uint64_t ref = 1; ref <= CP_CALLS_MIN * 2; ref++) {
		msg_up(route_req(ref << 8, "dom", "1001"));
		msg_free(msg_down());
	}
	cr_assert_eq(cp_calls_copy(cp, "dom", &v), (int)CP_CALLS_MIN * 2);
	free(v);
	/* CDRs 256 at a time, then their acks: the writer commits in groups
	 * (one at a time, each would wait out its gather interval) */
	for (uint64_t ref = 1; ref <= CP_CALLS_MIN * 2; ref += 512) {
		for (uint64_t r = ref; r < ref + 512; r += 2)
			msg_up(cdr_of(r << 8));
		for (uint64_t r = ref; r < ref + 512; r += 2)
			msg_free(msg_down());
	}
	cr_assert_eq(cp_calls_copy(cp, "dom", &v), (int)CP_CALLS_MIN);
	for (int i = 0; i < (int)CP_CALLS_MIN; i++)
		cr_assert_eq((v[i].call_ref >> 8) % 2, 0);
	free(v);
}

static int count_row(void *arg, const struct cdr *v)
{
	(void)v;
	(*(int *)arg)++;
	return 0;
}

/* Workers send no ENDED event: a call's CDR takes it off the live table. */
Test(cp_poll, a_cdr_ends_the_live_call)
{
	struct cp_call *v;

	msg_up(route_req(47, "dom", "1001"));
	msg_free(msg_down());
	cr_assert_eq(cp_calls_copy(cp, "dom", &v), 1);
	free(v);
	msg_up(cdr_of(47));
	msg_free(msg_down()); /* its ack, once on disk */
	cr_expect_eq(cp_calls_copy(cp, "dom", &v), 0);
}

Test(cp_poll, cdrs_are_stored_then_acked)
{
	struct cdr_query q = { .tenant = "dom" };
	uint64_t acked[3] = { 0 };
	struct cdr_store *s;
	int rows = 0;

	for (uint64_t i = 0; i < 3; i++) {
		struct cpmsg *m = msg_new(CPMSG_CDR, 100 + i);

		m->u.cdr.call_ref = 100 + i;
		m->u.cdr.start_us = 1700000000000000ull + i;
		m->u.cdr.disposition = CDR_ANSWERED;
		m->u.cdr.sip_code = 200;
		snprintf(m->u.cdr.tenant, sizeof(m->u.cdr.tenant), "dom");
		snprintf(m->u.cdr.callee, sizeof(m->u.cdr.callee), "1001");
		msg_up(m);
	}
	for (int i = 0; i < 3; i++) {
		struct cpmsg *m = msg_down();

		cr_assert_eq(m->type, CPMSG_CDR_ACK);
		cr_assert_eq(m->worker, 0);
		cr_assert(m->call_ref >= 100 && m->call_ref < 103);
		acked[m->call_ref - 100]++;
		/* acked means durable: the row is there for another reader */
		s = cdr_store_open(path);
		cr_assert_not_null(s);
		rows = 0;
		q.number = NULL;
		cr_assert_geq(cdr_store_query(s, &q, count_row, &rows, NULL), 0);
		cr_assert_geq(rows, i + 1);
		cdr_store_close(s);
		msg_free(m);
	}
	for (int i = 0; i < 3; i++)
		cr_expect_eq(acked[i], 1);
	cr_expect_eq(rows, 3);
	cr_expect_eq(cp_counter(cp, CP_C_cdr_acked), 3);
}

/* ---- the API over TCP ---- */

/* GET path with token (NULL: none); the status, the body into out. */
static int http_get(const char *p, const char *token, char *out, size_t cap)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	char req[512];
	size_t n = 0;
	ssize_t k;
	int fd = socket(AF_INET, SOCK_STREAM, 0), status = -1;
	char *body;

	a.sin_port = htons(cp_api_port(cp));
	a.sin_addr.s_addr = htonl(0x7f000001);
	cr_assert_geq(fd, 0);
	cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\n%s%s%sHost: x\r\n\r\n", p,
		 token ? "Authorization: Bearer " : "", token ? token : "", token ? "\r\n" : "");
	cr_assert_eq(write(fd, req, strlen(req)), (ssize_t)strlen(req));
	while (n + 1 < cap && (k = read(fd, out + n, cap - 1 - n)) > 0)
		n += (size_t)k;
	out[n] = '\0';
	close(fd);
	sscanf(out, "HTTP/1.%*d %d", &status);
	body = strstr(out, "\r\n\r\n");
	if (body)
		memmove(out, body + 4, strlen(body + 4) + 1);
	return status;
}

Test(cp_api, tokens_scope_the_tenant_routes)
{
	static char body[65536];

	msg_up(route_req(77, "dom", "1001"));
	msg_free(msg_down());
	cr_assert_eq(http_get("/v1/tenants/dom/calls", "dom-token-0123456789", body,
			      sizeof(body)), 200);
	cr_expect(strstr(body, "\"call_ref\": \"77\"") || strstr(body, "\"call_ref\":\"77\""),
		  "%s", body);
	cr_assert_eq(http_get("/v1/tenants/dom/calls", "main-token-0123456789", body,
			      sizeof(body)), 403);
	cr_assert_eq(http_get("/v1/tenants/dom/registrations", NULL, body, sizeof(body)), 401);
	cr_assert_eq(http_get("/v1/tenants/dom/registrations", "dom-token-0123456789x",
			      body, sizeof(body)), 401);
	cr_assert_eq(http_get("/v1/tenants/dom/registrations", "dom-token-0123456789", body,
			      sizeof(body)), 200);
	cr_expect(strstr(body, "\"registrations\"") != NULL, "%s", body);
	cr_assert_eq(http_get("/v1/tenants/nope/registrations", H_ADMIN_TOKEN, body,
			      sizeof(body)), 404);
	cr_assert_eq(http_get("/v1/tenants", "dom-token-0123456789", body, sizeof(body)), 403);
	cr_assert_eq(http_get("/v1/tenants", H_ADMIN_TOKEN, body, sizeof(body)), 200);
	cr_expect(strstr(body, "\"tight\"") != NULL, "%s", body);
	cr_assert_eq(http_get("/metrics", H_ADMIN_TOKEN, body, sizeof(body)), 200);
	cr_expect(strstr(body, "sluice_tenant_registrations{tenant=\"dom\"} 0") != NULL,
		  "%.2000s", body);
	cr_expect(strstr(body, "sluice_cp_route_decisions_total{rule=\"extension\"} 1") != NULL,
		  "%.2000s", body);
	cr_expect(strstr(body, "sluice_lcore_rx_total{lcore=\"2\",role=\"worker\"}") != NULL,
		  "%.2000s", body);
	/* the main lcore's load (the control plane), in busy, idle and preempted
	 * cycles only */
	cr_expect(strstr(body, "sluice_lcore_busy_cycles_total{lcore=\"0\",role=\"main\"}")
		  != NULL, "%.2000s", body);
	cr_expect(strstr(body, "sluice_lcore_preempt_cycles_total{lcore=\"0\",role=\"main\"}")
		  != NULL, "%.2000s", body);
	cr_expect(strstr(body, "sluice_lcore_rx_total{lcore=\"0\"") == NULL, "%.2000s", body);
}

TestSuite(cp_api, .init = setup, .fini = teardown, .timeout = 60);
