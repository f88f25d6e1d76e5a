/* SPDX-License-Identifier: MIT */
/*
 * The API's view of the running appliance: tenants and their counters,
 * each tenant's registrations and live calls, the control plane's
 * /metrics families, and the token check every request goes through.
 *
 *   GET /v1/tenants                       (admin) every tenant, counters
 *   GET /v1/tenants/{tenant}/registrations      live bindings of its devices
 *   GET /v1/tenants/{tenant}/calls              its calls in progress
 *
 * These run on the API's threads. They load the tenant snapshot once per
 * request and read it, the tenant states (atomics), the location array
 * (lock-free seqlock reads, loc_read) and the live-calls table (under its
 * mutex, copied out). They are not RCU readers: a reload keeps the
 * replaced snapshot alive until the next one (cp.h), so a request racing
 * a reload reads the old tenants, consistently, and never freed memory.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>

#include "cp.h"
#include "metrics.h"
#include "sip/loc.h"
#include "stats.h"
#include "tenant.h"

static const struct tenant_snap *api_snap(const struct cp *cp)
{
	return __atomic_load_n(&cp->dp->snap, __ATOMIC_ACQUIRE);
}

/* ---- auth ---- */

/*
 * Whether token equals secret, in time that depends only on the length of
 * token, not on where they differ. secret is a NUL-terminated field of
 * CFG_TOKEN bytes.
 */
static bool api_token_eq(const char *token, size_t len, const char *secret)
{
	size_t slen = strnlen(secret, CFG_TOKEN);
	unsigned char d = (unsigned char)(len != slen || len >= CFG_TOKEN);

	for (size_t i = 0; i < CFG_TOKEN - 1; i++) {
		unsigned char a = i < len ? (unsigned char)token[i] : 0;
		unsigned char b = i < slen ? (unsigned char)secret[i] : 0;

		d |= (unsigned char)(a ^ b);
	}
	return d == 0;
}

int cp_api_auth(void *ctx, const char *token, struct api_principal *out)
{
	const struct cp *cp = ctx;
	const struct tenant_snap *s = api_snap(cp);
	size_t len = strnlen(token, CFG_TOKEN);
	int match = -1;

	if (cp->cfg->api.admin_token[0] != '\0' &&
	    api_token_eq(token, len, cp->cfg->api.admin_token)) {
		out->scope = API_SCOPE_ADMIN;
		return 0;
	}
	/* every tenant is compared, so the time taken does not say which
	 * (if any) matched */
	for (uint32_t i = 0; i < s->n; i++)
		if (api_token_eq(token, len, s->t[i].cfg->api_token))
			match = (int)i;
	if (match >= 0) {
		out->scope = API_SCOPE_TENANT;
		snprintf(out->tenant, sizeof(out->tenant), "%s", s->t[match].cfg->id);
	}
	return 0;
}

/* ---- GET /v1/tenants ---- */

static uint64_t api_ld(const uint64_t *v)
{
	return __atomic_load_n(v, __ATOMIC_RELAXED);
}

static int64_t api_ld32(const int32_t *v)
{
	int32_t n = __atomic_load_n(v, __ATOMIC_RELAXED);

	return n > 0 ? n : 0; /* briefly negative while lcores race */
}

static uint64_t api_route_rej(const struct cp *cp, const struct tenant *t)
{
	return api_ld(&cp->route_rej[t->st - cp->dp->tenant_states]);
}

void api_tenants_list(const struct api_req *req, struct api_reply *rep)
{
	const struct cp *cp = req->cfg->ctx;
	const struct tenant_snap *s = api_snap(cp);
	json_t *rows = json_array();

	if (rows == NULL) {
		api_reply_error(rep, 500, "out of memory");
		return;
	}
	for (uint32_t i = 0; i < s->n; i++) {
		const struct tenant *t = &s->t[i];
		const struct tenant_state *st = t->st;
		uint64_t rejected = api_ld(&st->rej_cps) + api_ld(&st->rej_calls) +
				    api_ld(&st->rej_load) + api_route_rej(cp, t);

		if (json_array_append_new(rows, json_pack(
			"{s:o, s:o, s:{s:I, s:I, s:I}, s:I}",
			"id", api_json_string(t->cfg->id, sizeof(t->cfg->id)),
			"name", api_json_string(t->cfg->name, sizeof(t->cfg->name)),
			"calls", "active", (json_int_t)api_ld32(&st->calls),
			"admitted", (json_int_t)api_ld(&st->admitted),
			"rejected", (json_int_t)rejected,
			"registrations", (json_int_t)api_ld32(&st->regs))) < 0) {
			json_decref(rows);
			api_reply_error(rep, 500, "out of memory");
			return;
		}
	}
	api_reply_json(rep, 200, json_pack("{s:o}", "tenants", rows));
}

/* The tenant of the route's {tenant} in s, or -1 with a 404 in rep. */
static int api_tenant(const struct api_req *req, const struct tenant_snap *s,
		      struct api_reply *rep)
{
	const char *id = api_req_param(req, "tenant");
	int t = id ? tenant_by_id(s, id) : -1;

	if (t < 0)
		api_reply_error(rep, 404, "no tenant '%.64s'", id ? id : "");
	return t;
}

/* ---- GET /v1/tenants/{tenant}/registrations ---- */

/* The bindings of one device as JSON objects appended to rows. */
static int api_dev_bindings(const struct cp *cp, const struct tenant_snap *s,
			    const struct tenant_dev *dev, uint64_t now_ms, json_t *rows)
{
	const struct cfg_tenant *tc = s->t[dev->tenant].cfg;
	struct loc_contact c[LOC_MAX_CONTACTS];
	unsigned n = loc_read(&cp->dp->loc[dev->loc], now_ms, c);
	char aor[CFG_NAME + CFG_DOMAIN + 8], src[24];

	snprintf(aor, sizeof(aor), "sip:%s@%s", dev->cfg->username, tc->realm);
	for (unsigned i = 0; i < n; i++) {
		snprintf(src, sizeof(src), "%u.%u.%u.%u:%u", c[i].src_ip >> 24,
			 (c[i].src_ip >> 16) & 255, (c[i].src_ip >> 8) & 255,
			 c[i].src_ip & 255, c[i].src_port);
		if (json_array_append_new(rows, json_pack(
			"{s:o, s:o, s:o, s:I, s:o, s:s, s:o, s:f}",
			"aor", api_json_string(aor, sizeof(aor)),
			"user", api_json_string(tc->users[dev->user].name, CFG_NAME),
			"contact", api_json_string(c[i].uri, c[i].uri_len),
			"expires_in", (json_int_t)((c[i].expires_ms - now_ms + 999) / 1000),
			"user_agent", api_json_string(c[i].ua, c[i].ua_len),
			"source", src,
			"since", api_json_time(c[i].since_s * 1000000u),
			"q", c[i].q / 1000.0)) < 0)
			return -ENOMEM;
	}
	return 0;
}

void api_tenant_registrations(const struct api_req *req, struct api_reply *rep)
{
	const struct cp *cp = req->cfg->ctx;
	const struct tenant_snap *s = api_snap(cp);
	uint64_t now_ms = rte_rdtsc() / cp->tsc_per_ms; /* the registrar's clock */
	const struct tenant *t;
	json_t *rows;
	int ti = api_tenant(req, s, rep);

	if (ti < 0)
		return;
	t = &s->t[ti];
	rows = json_array();
	if (rows == NULL) {
		api_reply_error(rep, 500, "out of memory");
		return;
	}
	/* devices are in the snapshot by tenant, then user */
	if (t->cfg->n_users > 0) {
		for (uint32_t d = s->user_dev[t->user0]; d < s->n_devs &&
		     s->devs[d].tenant == (uint32_t)ti; d++) {
			if (api_dev_bindings(cp, s, &s->devs[d], now_ms, rows) < 0) {
				json_decref(rows);
				api_reply_error(rep, 500, "out of memory");
				return;
			}
		}
	}
	api_reply_json(rep, 200, json_pack("{s:I, s:o}", "count",
					   (json_int_t)json_array_size(rows),
					   "registrations", rows));
}

/* ---- GET /v1/tenants/{tenant}/calls ---- */

static const char *api_call_state(uint8_t s)
{
	static const char *const names[] = {
		[CPMSG_CALL_ROUTING] = "routing",
		[CPMSG_CALL_RINGING] = "ringing",
		[CPMSG_CALL_ANSWERED] = "answered",
		[CPMSG_CALL_ENDED] = "ended",
	};

	return s < RTE_DIM(names) && names[s] ? names[s] : "unknown";
}

void api_tenant_calls(const struct api_req *req, struct api_reply *rep)
{
	struct cp *cp = req->cfg->ctx;
	const struct tenant_snap *s = api_snap(cp);
	struct cp_call *v;
	json_t *rows;
	char ref[24];
	int n, ti = api_tenant(req, s, rep);

	if (ti < 0)
		return;
	n = cp_calls_copy(cp, s->t[ti].cfg->id, &v);
	rows = json_array();
	if (n < 0 || rows == NULL) {
		json_decref(rows);
		free(v);
		api_reply_error(rep, 500, "out of memory");
		return;
	}
	for (int i = 0; i < n; i++) {
		snprintf(ref, sizeof(ref), "%" PRIu64, v[i].call_ref);
		if (json_array_append_new(rows, json_pack(
			"{s:s, s:o, s:o, s:s, s:o, s:i}",
			"call_ref", ref,
			"caller", api_json_string(v[i].caller, sizeof(v[i].caller)),
			"callee", api_json_string(v[i].callee, sizeof(v[i].callee)),
			"state", api_call_state(v[i].state),
			"started", api_json_time(v[i].started_us),
			"worker", (int)v[i].worker)) < 0) {
			n = -ENOMEM;
			break;
		}
	}
	free(v);
	if (n < 0) {
		json_decref(rows);
		api_reply_error(rep, 500, "out of memory");
		return;
	}
	api_reply_json(rep, 200, json_pack("{s:i, s:o}", "count", n, "calls", rows));
}

/* ---- GET /metrics: the control plane's families ---- */

static void api_m_tenants(const struct cp *cp, const struct tenant_snap *s,
			  struct metrics_buf *b)
{
	static const char *const reasons[] = { "cps", "concurrent", "overload", "route" };
	struct metrics_label l[2] = { { "tenant", NULL }, { "reason", NULL } };

	metrics_family(b, "sluice_tenant_calls_admitted_total", METRICS_COUNTER,
		       "new calls admitted, by tenant");
	for (uint32_t i = 0; i < s->n; i++) {
		l[0].value = s->t[i].cfg->id;
		metrics_sample_u64(b, l, 1, api_ld(&s->t[i].st->admitted));
	}
	metrics_family(b, "sluice_tenant_calls_rejected_total", METRICS_COUNTER,
		       "new calls refused, by tenant and reason (cps, concurrent: 503 "
		       "at admission; overload: 503 shed for a worker with more than it "
		       "can do; route: rejected by the route decision)");
	for (uint32_t i = 0; i < s->n; i++) {
		const struct tenant *t = &s->t[i];
		const uint64_t v[] = { api_ld(&t->st->rej_cps), api_ld(&t->st->rej_calls),
				       api_ld(&t->st->rej_load), api_route_rej(cp, t) };

		l[0].value = t->cfg->id;
		for (size_t r = 0; r < RTE_DIM(reasons); r++) {
			l[1].value = reasons[r];
			metrics_sample_u64(b, l, 2, v[r]);
		}
	}
	metrics_family(b, "sluice_tenant_calls_active", METRICS_GAUGE,
		       "concurrent calls admitted and not yet ended, by tenant");
	for (uint32_t i = 0; i < s->n; i++) {
		l[0].value = s->t[i].cfg->id;
		metrics_sample_u64(b, l, 1, (uint64_t)api_ld32(&s->t[i].st->calls));
	}
	metrics_family(b, "sluice_tenant_registrations", METRICS_GAUGE,
		       "registered contacts, by tenant");
	for (uint32_t i = 0; i < s->n; i++) {
		l[0].value = s->t[i].cfg->id;
		metrics_sample_u64(b, l, 1, (uint64_t)api_ld32(&s->t[i].st->regs));
	}
	metrics_family(b, "sluice_tenant_registrations_rejected_total", METRICS_COUNTER,
		       "REGISTERs refused 403 over the tenant's registration limit");
	for (uint32_t i = 0; i < s->n; i++) {
		l[0].value = s->t[i].cfg->id;
		metrics_sample_u64(b, l, 1, api_ld(&s->t[i].st->rej_regs));
	}
}

/* One sample per io and worker lcore of a stats_lcore field. */
/* A counter of every io and worker lcore (and with main, of the main lcore:
 * its stats hold only busy and idle cycles). */
static void api_m_lcores(const struct dp *dp, struct metrics_buf *b, const char *name,
			 const char *help, size_t io_off, size_t wk_off, bool main)
{
	static const char *const roles[] = {
		[ROLE_MAIN] = "main", [ROLE_IO] = "io", [ROLE_WORKER] = "worker",
	};
	struct metrics_label l[2] = { { "lcore", NULL }, { "role", NULL } };
	char id[8];

	metrics_family(b, name, METRICS_COUNTER, help);
	for (unsigned c = 0; c < RTE_MAX_LCORE; c++) {
		size_t off = dp->role[c] == ROLE_WORKER ? wk_off : io_off;

		if (dp->role[c] != ROLE_IO && dp->role[c] != ROLE_WORKER &&
		    !(main && dp->role[c] == ROLE_MAIN))
			continue;
		snprintf(id, sizeof(id), "%u", c);
		l[0].value = id;
		l[1].value = roles[dp->role[c]];
		metrics_sample_u64(b, l, 2, api_ld((const uint64_t *)
						   ((const char *)&dp->stats[c] + off)));
	}
}

#define API_OFF(f) offsetof(struct stats_lcore, f)

static void api_m_dataplane(const struct dp *dp, struct metrics_buf *b)
{
	struct metrics_label l = { "reason", NULL };

	api_m_lcores(dp, b, "sluice_lcore_rx_total",
		     "frames (io) or messages (worker) taken in, by lcore",
		     API_OFF(rx), API_OFF(w_rx), false);
	api_m_lcores(dp, b, "sluice_lcore_tx_total",
		     "frames sent (io) or replies handed to an io lcore (worker), by lcore",
		     API_OFF(tx), API_OFF(w_tx), false);
	api_m_lcores(dp, b, "sluice_lcore_busy_cycles_total",
		     "TSC cycles spent on the CPU in polls that found work, by lcore",
		     API_OFF(busy_cycles), API_OFF(busy_cycles), true);
	api_m_lcores(dp, b, "sluice_lcore_idle_cycles_total",
		     "TSC cycles spent on empty polls and sleeps, by lcore",
		     API_OFF(idle_cycles), API_OFF(idle_cycles), true);
	api_m_lcores(dp, b, "sluice_lcore_preempt_cycles_total",
		     "TSC cycles polls that found work spent off the CPU (preempted), by lcore",
		     API_OFF(preempt_cycles), API_OFF(preempt_cycles), true);
	metrics_family(b, "sluice_drops_total", METRICS_COUNTER,
		       "packets dropped by the dataplane, by reason (dataplane/drop.def)");
	for (int r = 0; r < DROP_COUNT; r++) {
		uint64_t n = 0;

		for (unsigned c = 0; c < RTE_MAX_LCORE; c++)
			if (dp->role[c] == ROLE_IO || dp->role[c] == ROLE_WORKER)
				n += api_ld(&dp->stats[c].drop[r]);
		l.value = stats_drop_name(r);
		metrics_sample_u64(b, &l, 1, n);
	}
}

/* A family of one unlabelled sample. */
static void api_m_one(struct metrics_buf *b, const char *name, enum metrics_type type,
		      const char *help, uint64_t v)
{
	metrics_family(b, name, type, help);
	metrics_sample_u64(b, NULL, 0, v);
}

/* The CDR writer and the registration store (reg_saver.h). */
static void api_m_stores(const struct cp *cp, struct metrics_buf *b)
{
	struct cdr_writer_stats ws = { 0 };
	struct reg_saver_stats rs = { 0 };
	const enum metrics_type C = METRICS_COUNTER;

	if (cp->writer != NULL)
		cdr_writer_stats(cp->writer, &ws);
	api_m_one(b, "sluice_cdr_written_total", C, "CDRs committed to the store", ws.written);
	api_m_one(b, "sluice_cdr_commits_total", C,
		  "CDR store transactions that committed (group commits: see cdr_writer.c)",
		  ws.commits);
	api_m_one(b, "sluice_cdr_dropped_total", C, "CDRs refused: the writer's queue was full",
		  ws.dropped);
	api_m_one(b, "sluice_cdr_put_errors_total", C,
		  "CDR store transactions that failed (retried)", ws.put_errors);
	api_m_one(b, "sluice_cdr_queue_depth", METRICS_GAUGE, "CDRs waiting for the writer",
		  ws.depth);
	if (cp->regs == NULL)
		return;
	reg_saver_stats(cp->regs, &rs);
	api_m_one(b, "sluice_registrations_restored_total", C,
		  "bindings put back from the registration store at start", rs.restored);
	api_m_one(b, "sluice_registration_saves_total", C,
		  "registration store transactions committed", rs.saves);
	api_m_one(b, "sluice_registration_aors_saved_total", C,
		  "device AORs written to the registration store", rs.aors);
	api_m_one(b, "sluice_registration_save_errors_total", C,
		  "registration store transactions that failed (retried)", rs.errors);
}

static void api_m_cp(const struct cp *cp, struct metrics_buf *b)
{
	static const char *const names[CP_C_COUNT] = {
#define CP_X(id, help) #id,
		CP_COUNTERS(CP_X)
#undef CP_X
	};
	struct metrics_label l = { "event", NULL };

	metrics_family(b, "sluice_cp_events_total", METRICS_COUNTER,
		       "control plane message handling, by event (controlplane/cp.h)");
	for (int i = 0; i < CP_C_COUNT; i++) {
		l.value = names[i];
		metrics_sample_u64(b, &l, 1, cp_counter(cp, i));
	}
	l.name = "rule";
	metrics_family(b, "sluice_cp_route_decisions_total", METRICS_COUNTER,
		       "route decisions, by the rule that decided (controlplane/route.h)");
	for (int r = 1; r < ROUTE_RULE_COUNT; r++) {
		l.value = route_rule_str(r);
		metrics_sample_u64(b, &l, 1, api_ld(&cp->by_rule[r]));
	}
	api_m_stores(cp, b);
}

int cp_api_metrics(void *ctx, struct metrics_buf *out)
{
	const struct cp *cp = ctx;

	api_m_tenants(cp, api_snap(cp), out);
	api_m_dataplane(cp->dp, out);
	api_m_cp(cp, out);
	return metrics_error(out);
}
