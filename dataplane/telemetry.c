/* SPDX-License-Identifier: MIT */
/*
 * Counters over DPDK telemetry: query with
 *   dpdk-telemetry.py -f <eal.file_prefix>      (then type a command)
 * or any client of the socket /var/run/dpdk/<prefix>/dpdk_telemetry.v2.
 * DPDK 22.11 nests one level only (a dict may hold arrays), so per-lcore and
 * per-port figures are dicts of arrays indexed like the config lists.
 *
 * /sluice/stats        dict of totals over all lcores:
 *     rx rx_bytes tx tx_bytes tx_frags arp_in arp_replies arp_requests
 *     arp_announces
 *     icmp_echo frags_in reassembled sip_in rtp_in
 *     sip_req_<METHOD> (INVITE … UPDATE, OTHER)  sip_resp_<N>xx (1..6)
 *     sip_error_<code> (parse errors, e.g. sip_error_no_call_id)
 *     admit_404 admit_403 admit_503_cps admit_503_calls admit_503_load
 *     admit_503_backlog admit_503_table (io lcore answers)
 *     drop_<reason> (see dataplane/drop.def)  drops_total
 *     options_200 not_impl_501 register_ok register_challenged
 *     register_denied register_lapsed auth_replays ack_absorbed responses_absorbed
 *     rtp_no_session worker_tx  n_io n_workers
 * /sluice/io           dict of arrays, one entry per io lcore:
 *     lcore rx sip_in rtp_in arp_in icmp_echo reassembled tx tx_frags
 *     drops busy_cycles idle_cycles preempt_cycles
 * /sluice/workers      dict of arrays, one entry per worker:
 *     lcore rx options_200 not_impl_501 ack responses rtp tx drops
 *     busy_cycles idle_cycles preempt_cycles
 * /sluice/ports        dict of arrays, one entry per port:
 *     name link_up speed_mbps ipackets opackets ibytes obytes imissed
 *     ierrors oerrors rx_nombuf
 * /sluice/lcore_usage  dict of arrays (the shape of DPDK 23.03's
 *     /eal/lcore/usage): lcore_ids role total_cycles busy_cycles, for the
 *     io and worker lcores and the main lcore (the control plane loop);
 *     and preempt_cycles: busy loops' time off the CPU, which busy_cycles
 *     leaves out (idle.h), total_cycles holds
 * /sluice/neigh        dict of arrays: port ip mac age_ms
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_telemetry.h>

#include "neigh.h"
#include "telemetry.h"

/* Telemetry callbacks take no user argument, so the running dataplane is
 * reached through this one pointer, set at start and cleared at stop. */
static struct dp *tel_dp;

static void tel_sum(const struct dp *dp, enum lcore_role role,
		    struct stats_lcore *sum)
{
	const uint64_t *src;
	uint64_t *dst = (uint64_t *)sum;
	size_t i, n = sizeof(*sum) / sizeof(uint64_t);
	unsigned l;

	memset(sum, 0, sizeof(*sum));
	for (l = 0; l < RTE_MAX_LCORE; l++) {
		if (dp->role[l] != role)
			continue;
		src = (const uint64_t *)&dp->stats[l];
		for (i = 0; i < n; i++)
			dst[i] += __atomic_load_n(&src[i], __ATOMIC_RELAXED);
	}
}

static uint64_t tel_drops(const struct stats_lcore *s)
{
	uint64_t n = 0;
	int r;

	for (r = 0; r < DROP_COUNT; r++)
		n += s->drop[r];
	return n;
}

static void tel_lower(char *dst, size_t n, const char *prefix, const char *s)
{
	size_t k = (size_t)snprintf(dst, n, "%s%s", prefix, s);
	size_t i;

	for (i = strlen(prefix); i < k && i < n; i++)
		dst[i] = (char)tolower((unsigned char)dst[i]);
}

static const char *const perr_ids[SIP_PERR_COUNT] = {
	[SIP_PERR_OK] = "ok",
#define SIP_X(id, s) [SIP_PERR_##id] = #id,
	SIP_PERRS(SIP_X)
#undef SIP_X
};

static void tel_add_sip(struct rte_tel_data *d, const struct stats_lcore *s)
{
	char key[RTE_TEL_MAX_STRING_LEN];
	int i;

	for (i = SIP_METHOD_NONE + 1; i < SIP_METHOD_COUNT; i++) {
		snprintf(key, sizeof(key), "sip_req_%s",
			 i == SIP_METHOD_OTHER ? "OTHER" : sip_method_str(i));
		rte_tel_data_add_dict_u64(d, key, s->sip_req[i]);
	}
	for (i = 1; i <= 6; i++) {
		snprintf(key, sizeof(key), "sip_resp_%dxx", i);
		rte_tel_data_add_dict_u64(d, key, s->sip_resp[i]);
	}
	for (i = 1; i < SIP_PERR_COUNT; i++) {
		tel_lower(key, sizeof(key), "sip_error_", perr_ids[i]);
		rte_tel_data_add_dict_u64(d, key, s->sip_perr[i]);
	}
	rte_tel_data_add_dict_u64(d, "admit_404", s->adm_404);
	rte_tel_data_add_dict_u64(d, "admit_403", s->adm_403);
	rte_tel_data_add_dict_u64(d, "admit_503_cps", s->adm_503_cps);
	rte_tel_data_add_dict_u64(d, "admit_503_calls", s->adm_503_calls);
	rte_tel_data_add_dict_u64(d, "admit_503_load", s->adm_503_load);
	rte_tel_data_add_dict_u64(d, "admit_503_backlog", s->adm_503_backlog);
	rte_tel_data_add_dict_u64(d, "admit_503_table", s->adm_503_table);
	rte_tel_data_add_dict_u64(d, "ack_own_absorbed", s->ack_own);
}

static int tel_stats(const char *cmd, const char *params,
		     struct rte_tel_data *d)
{
	struct stats_lcore io, wk;
	char key[RTE_TEL_MAX_STRING_LEN];
	int r;

	(void)cmd;
	(void)params;
	if (tel_dp == NULL)
		return -ENODEV;
	tel_sum(tel_dp, ROLE_IO, &io);
	tel_sum(tel_dp, ROLE_WORKER, &wk);
	rte_tel_data_start_dict(d);
#define U64(name, v) rte_tel_data_add_dict_u64(d, name, v)
	U64("rx", io.rx);
	U64("rx_bytes", io.rx_bytes);
	U64("tx", io.tx);
	U64("tx_bytes", io.tx_bytes);
	U64("tx_frags", io.tx_frags);
	U64("arp_in", io.arp_in);
	U64("arp_replies", io.arp_replies);
	U64("arp_requests", io.arp_requests);
	U64("arp_announces", io.arp_announces);
	U64("icmp_echo", io.icmp_echo);
	U64("frags_in", io.frags_in);
	U64("reassembled", io.reassembled);
	U64("sip_in", io.sip_in);
	U64("rtp_in", io.rtp_in);
	tel_add_sip(d, &io);
	for (r = 0; r < DROP_COUNT; r++) {
		snprintf(key, sizeof(key), "drop_%s", stats_drop_name(r));
		U64(key, io.drop[r] + wk.drop[r]);
	}
	U64("drops_total", tel_drops(&io) + tel_drops(&wk));
	U64("options_200", wk.w_options);
	U64("not_impl_501", wk.w_not_impl);
	U64("register_ok", wk.w_reg_ok);
	U64("register_challenged", wk.w_reg_challenged);
	U64("register_denied", wk.w_reg_denied);
	U64("register_lapsed", wk.w_reg_lapsed);
	U64("auth_replays", wk.w_auth_replay);
	U64("ack_absorbed", wk.w_ack);
	U64("responses_absorbed", wk.w_responses);
	U64("rtp_no_session", wk.w_rtp);
	U64("worker_tx", wk.w_tx);
	{
		static const char *const call_names[] = {
#define CALL_X(id, n, h) n,
			CALL_COUNTERS(CALL_X)
#undef CALL_X
		};

		for (r = 0; r < CALL_C_COUNT; r++)
			U64(call_names[r], wk.call[r]);
	}
	U64("n_io", tel_dp->n_io);
	U64("n_workers", tel_dp->n_workers);
#undef U64
	return 0;
}

/* A dict of u64 arrays, one array per field, one entry per lcore. */
struct tel_col {
	const char *name;
	size_t off;   /* offset of a uint64_t in struct stats_lcore */
};

static int tel_columns(struct rte_tel_data *d, const uint16_t *lcores,
		       uint16_t n, const struct tel_col *cols, size_t n_cols)
{
	struct rte_tel_data *a;
	size_t c;
	uint16_t i;

	rte_tel_data_start_dict(d);
	a = rte_tel_data_alloc();
	if (a == NULL)
		return -ENOMEM;
	rte_tel_data_start_array(a, RTE_TEL_U64_VAL);
	for (i = 0; i < n; i++)
		rte_tel_data_add_array_u64(a, lcores[i]);
	rte_tel_data_add_dict_container(d, "lcore", a, 0);
	for (c = 0; c < n_cols; c++) {
		a = rte_tel_data_alloc();
		if (a == NULL)
			return -ENOMEM;
		rte_tel_data_start_array(a, RTE_TEL_U64_VAL);
		for (i = 0; i < n; i++) {
			const struct stats_lcore *s = &tel_dp->stats[lcores[i]];
			uint64_t v = cols[c].off == SIZE_MAX ? tel_drops(s) :
				*(const uint64_t *)((const char *)s + cols[c].off);

			rte_tel_data_add_array_u64(a, v);
		}
		rte_tel_data_add_dict_container(d, cols[c].name, a, 0);
	}
	return 0;
}

#define COL(name, field) { name, offsetof(struct stats_lcore, field) }

static int tel_io(const char *cmd, const char *params, struct rte_tel_data *d)
{
	static const struct tel_col cols[] = {
		COL("rx", rx), COL("sip_in", sip_in), COL("rtp_in", rtp_in),
		COL("arp_in", arp_in), COL("icmp_echo", icmp_echo),
		COL("reassembled", reassembled), COL("tx", tx),
		COL("tx_frags", tx_frags), { "drops", SIZE_MAX },
		COL("busy_cycles", busy_cycles),
		COL("idle_cycles", idle_cycles),
		COL("preempt_cycles", preempt_cycles),
	};

	(void)cmd;
	(void)params;
	if (tel_dp == NULL)
		return -ENODEV;
	return tel_columns(d, tel_dp->cfg->eal.io_lcores, tel_dp->n_io, cols,
			   RTE_DIM(cols));
}

static int tel_workers(const char *cmd, const char *params,
		       struct rte_tel_data *d)
{
	static const struct tel_col cols[] = {
		COL("rx", w_rx), COL("options_200", w_options),
		COL("not_impl_501", w_not_impl), COL("ack", w_ack),
		COL("responses", w_responses), COL("rtp", w_rtp),
		COL("tx", w_tx), { "drops", SIZE_MAX },
		COL("busy_cycles", busy_cycles),
		COL("idle_cycles", idle_cycles),
		COL("preempt_cycles", preempt_cycles),
	};

	(void)cmd;
	(void)params;
	if (tel_dp == NULL)
		return -ENODEV;
	return tel_columns(d, tel_dp->cfg->eal.worker_lcores,
			   tel_dp->n_workers, cols, RTE_DIM(cols));
}

static struct rte_tel_data *tel_array(enum rte_tel_value_type t)
{
	struct rte_tel_data *a = rte_tel_data_alloc();

	if (a)
		rte_tel_data_start_array(a, t);
	return a;
}

static int tel_ports(const char *cmd, const char *params,
		     struct rte_tel_data *d)
{
	static const char *const names[] = {
		"link_up", "speed_mbps", "ipackets", "opackets", "ibytes",
		"obytes", "imissed", "ierrors", "oerrors", "rx_nombuf",
	};
	struct rte_tel_data *a[RTE_DIM(names)], *n;
	size_t c;
	uint16_t i;

	(void)cmd;
	(void)params;
	if (tel_dp == NULL)
		return -ENODEV;
	rte_tel_data_start_dict(d);
	n = tel_array(RTE_TEL_STRING_VAL);
	for (c = 0; c < RTE_DIM(names); c++)
		a[c] = tel_array(RTE_TEL_U64_VAL);
	for (i = 0; i < tel_dp->n_ports; i++) {
		const struct dp_port *p = &tel_dp->ports[i];
		struct rte_eth_stats es = { 0 };
		struct rte_eth_link link = { 0 };
		uint64_t v[RTE_DIM(names)];

		rte_eth_stats_get(p->port_id, &es);
		rte_eth_link_get_nowait(p->port_id, &link);
		v[0] = link.link_status;
		v[1] = link.link_speed;
		v[2] = es.ipackets;
		v[3] = es.opackets;
		v[4] = es.ibytes;
		v[5] = es.obytes;
		v[6] = es.imissed;
		v[7] = es.ierrors;
		v[8] = es.oerrors;
		v[9] = es.rx_nombuf;
		if (n)
			rte_tel_data_add_array_string(n, p->name);
		for (c = 0; c < RTE_DIM(names); c++)
			if (a[c])
				rte_tel_data_add_array_u64(a[c], v[c]);
	}
	if (n)
		rte_tel_data_add_dict_container(d, "name", n, 0);
	for (c = 0; c < RTE_DIM(names); c++)
		if (a[c])
			rte_tel_data_add_dict_container(d, names[c], a[c], 0);
	return 0;
}

static int tel_usage(const char *cmd, const char *params,
		     struct rte_tel_data *d)
{
	static const char *const role_names[] = {
		[ROLE_NONE] = "none", [ROLE_MAIN] = "main",
		[ROLE_IO] = "io", [ROLE_WORKER] = "worker",
	};
	struct rte_tel_data *ids, *role, *total, *busy, *pre;
	unsigned l;

	(void)cmd;
	(void)params;
	if (tel_dp == NULL)
		return -ENODEV;
	rte_tel_data_start_dict(d);
	ids = tel_array(RTE_TEL_U64_VAL);
	role = tel_array(RTE_TEL_STRING_VAL);
	total = tel_array(RTE_TEL_U64_VAL);
	busy = tel_array(RTE_TEL_U64_VAL);
	pre = tel_array(RTE_TEL_U64_VAL);
	if (!ids || !role || !total || !busy || !pre) {
		rte_tel_data_free(ids);
		rte_tel_data_free(role);
		rte_tel_data_free(total);
		rte_tel_data_free(busy);
		rte_tel_data_free(pre);
		return -ENOMEM;
	}
	for (l = 0; l < RTE_MAX_LCORE; l++) {
		const struct stats_lcore *s = &tel_dp->stats[l];
		uint64_t b, i, p;

		if (tel_dp->role[l] == ROLE_NONE)
			continue;
		b = __atomic_load_n(&s->busy_cycles, __ATOMIC_RELAXED);
		i = __atomic_load_n(&s->idle_cycles, __ATOMIC_RELAXED);
		p = __atomic_load_n(&s->preempt_cycles, __ATOMIC_RELAXED);
		rte_tel_data_add_array_u64(ids, l);
		rte_tel_data_add_array_string(role, role_names[tel_dp->role[l]]);
		rte_tel_data_add_array_u64(total, b + i + p);
		rte_tel_data_add_array_u64(busy, b);
		rte_tel_data_add_array_u64(pre, p);
	}
	rte_tel_data_add_dict_container(d, "lcore_ids", ids, 0);
	rte_tel_data_add_dict_container(d, "role", role, 0);
	rte_tel_data_add_dict_container(d, "total_cycles", total, 0);
	rte_tel_data_add_dict_container(d, "busy_cycles", busy, 0);
	rte_tel_data_add_dict_container(d, "preempt_cycles", pre, 0);
	rte_tel_data_add_dict_u64(d, "tsc_hz", rte_get_tsc_hz());
	return 0;
}

struct tel_neigh_arg {
	struct rte_tel_data *port, *ip, *mac, *age;
};

static int tel_neigh_one(void *arg, uint8_t port, uint32_t ip,
			 const struct rte_ether_addr *mac, uint64_t age_ms)
{
	struct tel_neigh_arg *a = arg;
	char s[RTE_ETHER_ADDR_FMT_SIZE + 16];

	rte_tel_data_add_array_u64(a->port, port);
	snprintf(s, sizeof(s), "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255,
		 (ip >> 8) & 255, ip & 255);
	rte_tel_data_add_array_string(a->ip, s);
	rte_ether_format_addr(s, sizeof(s), mac);
	rte_tel_data_add_array_string(a->mac, s);
	rte_tel_data_add_array_u64(a->age, age_ms);
	return 0;
}

static int tel_neigh(const char *cmd, const char *params,
		     struct rte_tel_data *d)
{
	struct tel_neigh_arg a;

	(void)cmd;
	(void)params;
	if (tel_dp == NULL)
		return -ENODEV;
	rte_tel_data_start_dict(d);
	a.port = tel_array(RTE_TEL_U64_VAL);
	a.ip = tel_array(RTE_TEL_STRING_VAL);
	a.mac = tel_array(RTE_TEL_STRING_VAL);
	a.age = tel_array(RTE_TEL_U64_VAL);
	if (!a.port || !a.ip || !a.mac || !a.age) {
		rte_tel_data_free(a.port);
		rte_tel_data_free(a.ip);
		rte_tel_data_free(a.mac);
		rte_tel_data_free(a.age);
		return -ENOMEM;
	}
	neigh_walk(tel_dp->neigh, tel_neigh_one, &a, rte_rdtsc());
	rte_tel_data_add_dict_container(d, "port", a.port, 0);
	rte_tel_data_add_dict_container(d, "ip", a.ip, 0);
	rte_tel_data_add_dict_container(d, "mac", a.mac, 0);
	rte_tel_data_add_dict_container(d, "age_ms", a.age, 0);
	return 0;
}

int telemetry_register(struct dp *dp)
{
	static const struct {
		const char *cmd;
		telemetry_cb fn;
		const char *help;
	} cmds[] = {
		{ "/sluice/stats", tel_stats,
		  "Totals: packets, SIP by method/class/error, drops by reason." },
		{ "/sluice/io", tel_io, "Per io lcore counters." },
		{ "/sluice/workers", tel_workers, "Per worker counters." },
		{ "/sluice/ports", tel_ports, "Per port link and counters." },
		{ "/sluice/lcore_usage", tel_usage,
		  "Busy and total TSC cycles per lcore (io, worker, main)." },
		{ "/sluice/neigh", tel_neigh, "Neighbour (ARP) table." },
	};
	size_t i;
	int rc;

	tel_dp = dp;
	for (i = 0; i < RTE_DIM(cmds); i++) {
		rc = rte_telemetry_register_cmd(cmds[i].cmd, cmds[i].fn,
						cmds[i].help);
		if (rc < 0)
			return rc;
	}
	return 0;
}

void telemetry_unregister(void)
{
	tel_dp = NULL;
}
