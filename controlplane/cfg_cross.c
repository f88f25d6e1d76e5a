/* SPDX-License-Identifier: MIT */
/*
 * Checks that span several keys, run after the walk has read every key on
 * its own: an lcore used twice, a gateway outside its subnet, two ports on
 * one device, an RTP range too small for the workers, a SIP port inside the
 * RTP range, SIP timers out of order, a mempool too small for the
 * descriptors. Tenants have theirs in cfg_tenants.c.
 *
 * A field that failed to read is skipped (cfg_bad): its error is already
 * reported, and a check built on a default in its place would only mislead.
 * Each error names the line of the setting it is about, found again in the
 * libconfig tree by its path.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_ctx.h"

/* ---- finding lines again ---- */

static const config_setting_t *cfg_descend(const config_setting_t *s,
					   const char *name, int idx, unsigned *line)
{
	const config_setting_t *t = NULL;

	if (s == NULL)
		return NULL;
	if (name != NULL && config_setting_is_group(s))
		t = config_setting_get_member(s, name);
	else if (name == NULL && idx >= 0 && config_setting_is_aggregate(s))
		t = config_setting_get_elem(s, (unsigned)idx);
	if (t != NULL)
		*line = config_setting_source_line(t);
	return t;
}

/*
 * Line of group.key[idx] (port >= 0: ports[port].key[idx]; idx < 0: no
 * index), or of the nearest enclosing setting the file has.
 */
static unsigned cfg_line(const struct cfg_ctx *x, const char *group, int port,
			 const char *key, int idx)
{
	const config_setting_t *s = config_root_setting(&x->lc);
	unsigned line = 0;

	s = cfg_descend(s, port >= 0 ? "ports" : group, -1, &line);
	if (port >= 0)
		s = cfg_descend(s, NULL, port, &line);
	s = cfg_descend(s, key, -1, &line);
	if (idx >= 0)
		cfg_descend(s, NULL, idx, &line);
	return line;
}

/* One step of a path: "name", "name[3]" or "[3]"; returns what follows. */
static const char *cfg_path_step(const char *p, char *name, size_t n, int *idx)
{
	size_t len = strcspn(p, ".[");

	snprintf(name, n, "%.*s", (int)len, p);
	p += len;
	*idx = -1;
	if (*p == '[') {
		*idx = (int)strtol(p + 1, NULL, 10);
		p = strchr(p, ']');
		p = p != NULL ? p + 1 : "";
	}
	return *p == '.' ? p + 1 : p;
}

unsigned cfg_line_path(const struct cfg_ctx *x, const char *path)
{
	const config_setting_t *s = config_root_setting(&x->lc);
	char name[CFG_PATH];
	unsigned line = 0;
	int idx;

	while (*path != '\0' && s != NULL) {
		path = cfg_path_step(path, name, sizeof(name), &idx);
		if (name[0] != '\0')
			s = cfg_descend(s, name, -1, &line);
		if (idx >= 0)
			s = cfg_descend(s, NULL, idx, &line);
	}
	return line;
}

const char *cfg_ntoa(uint32_t addr, char *buf)
{
	struct in_addr in = { .s_addr = htonl(addr) };

	return inet_ntop(AF_INET, &in, buf, INET_ADDRSTRLEN);
}

/* Address and gateway of one port against its subnet. */
static void cfg_cross_subnet(struct cfg_ctx *x, int i, const struct cfg_port *p)
{
	uint32_t mask, net, bcast;
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN], c[INET_ADDRSTRLEN];

	if (cfg_bad(x, &p->addr) || cfg_bad(x, &p->prefix))
		return;
	mask = ~0u << (32 - p->prefix);
	net = p->addr & mask;
	bcast = net | ~mask;
	if (p->prefix <= 30 && (p->addr == net || p->addr == bcast))
		cfg_err(x, cfg_line(x, NULL, i, "address", -1),
			"key 'ports[%d].address': expected a host address of "
			"%s/%u (not the network or broadcast address), got \"%s\"",
			i, cfg_ntoa(net, a), p->prefix,
			cfg_ntoa(p->addr, b));
	if (p->gateway == 0 || cfg_bad(x, &p->gateway))
		return;
	if ((p->gateway & mask) != net || p->gateway == p->addr ||
	    (p->prefix <= 30 && (p->gateway == net || p->gateway == bcast)))
		cfg_err(x, cfg_line(x, NULL, i, "gateway", -1),
			"key 'ports[%d].gateway': expected a host address inside "
			"%s/%u other than %s, got \"%s\"", i, cfg_ntoa(net, a),
			p->prefix, cfg_ntoa(p->addr, b), cfg_ntoa(p->gateway, c));
}

/* Port i against an earlier port j: names, devices, addresses differ. */
static void cfg_cross_pair(struct cfg_ctx *x, int j, int i)
{
	const struct cfg_port *a = &x->out->ports[j], *b = &x->out->ports[i];
	char ida[CFG_STR], idb[CFG_STR], q[CFG_QUOTE * 4 + 16];

	if (!cfg_bad(x, a->name) && !cfg_bad(x, b->name) &&
	    strcmp(a->name, b->name) == 0) {
		cfg_quote(b->name, q, sizeof(q));
		cfg_err(x, cfg_line(x, NULL, i, "name", -1), "key 'ports[%d].name': "
			"expected a name not used by ports[%d], got %s", i, j, q);
	}
	cfg_device_id(a->device, ida, sizeof(ida));
	cfg_device_id(b->device, idb, sizeof(idb));
	if (!cfg_bad(x, a->device) && !cfg_bad(x, b->device) &&
	    strcmp(ida, idb) == 0) {
		cfg_quote(b->device, q, sizeof(q));
		cfg_err(x, cfg_line(x, NULL, i, "device", -1), "key 'ports[%d].device': "
			"expected a device not used by ports[%d], got %s", i, j, q);
	}
	if (!cfg_bad(x, &a->addr) && !cfg_bad(x, &b->addr) && a->addr == b->addr)
		cfg_err(x, cfg_line(x, NULL, i, "address", -1), "key 'ports[%d].address': "
			"expected an address not used by ports[%d], got \"%s\"", i, j,
			cfg_ntoa(b->addr, ida));
}

static void cfg_cross_ports(struct cfg_ctx *x)
{
	for (int i = 0; i < x->out->n_ports; i++) {
		struct cfg_port *p = &x->out->ports[i];

		p->is_vdev = strncmp(p->device, "net_", 4) == 0;
		if (cfg_bad(x, p)) /* not even a group */
			continue;
		cfg_cross_subnet(x, i, p);
		for (int j = 0; j < i; j++)
			if (!cfg_bad(x, &x->out->ports[j]))
				cfg_cross_pair(x, j, i);
	}
}

/* One use of an lcore: eal.main_lcore, eal.io_lcores[i], eal.worker_lcores[i]. */
struct cfg_lcore_use {
	uint16_t id;
	const char *key;
	int idx;
};

static void cfg_lcore_path(const struct cfg_lcore_use *u, char *buf, size_t n)
{
	if (u->idx < 0)
		snprintf(buf, n, "eal.%s", u->key);
	else
		snprintf(buf, n, "eal.%s[%d]", u->key, u->idx);
}

static unsigned cfg_lcore_uses(const struct cfg_ctx *x, struct cfg_lcore_use *u)
{
	const struct cfg *c = x->out;
	unsigned n = 0;

	if (!cfg_bad(x, &c->eal.main_lcore))
		u[n++] = (struct cfg_lcore_use){ c->eal.main_lcore, "main_lcore", -1 };
	for (int i = 0; !cfg_bad(x, c->eal.io_lcores) && i < c->eal.n_io; i++)
		u[n++] = (struct cfg_lcore_use){ c->eal.io_lcores[i], "io_lcores", i };
	for (int i = 0; !cfg_bad(x, c->eal.worker_lcores) && i < c->eal.n_workers; i++)
		u[n++] = (struct cfg_lcore_use){ c->eal.worker_lcores[i],
						 "worker_lcores", i };
	return n;
}

/* Main, io and worker lcores pairwise distinct, and present in eal.lcores. */
static void cfg_cross_lcores(struct cfg_ctx *x)
{
	struct cfg_lcore_use u[1 + CFG_MAX_IO + CFG_MAX_WORKERS];
	uint8_t set[CFG_MAX_LCORES / 8];
	unsigned n = cfg_lcore_uses(x, u);
	bool map = x->out->eal.lcores[0] != '\0' && !cfg_bad(x, x->out->eal.lcores) &&
		   cfg_lcores_parse(x->out->eal.lcores, set);
	char pa[48], pb[48];

	for (unsigned a = 0; a < n; a++) {
		unsigned line = cfg_line(x, "eal", -1, u[a].key, u[a].idx);

		cfg_lcore_path(&u[a], pa, sizeof(pa));
		for (unsigned b = 0; b < a; b++) {
			if (u[b].id != u[a].id)
				continue;
			cfg_lcore_path(&u[b], pb, sizeof(pb));
			cfg_err(x, line, "key '%s': expected an lcore not used by %s, "
				"got %u", pa, pb, u[a].id);
			break;
		}
		if (map && !(set[u[a].id / 8] & (1u << (u[a].id % 8))))
			cfg_err(x, line, "key '%s': expected an lcore listed in "
				"eal.lcores, got %u", pa, u[a].id);
	}
}

/* port_max above port_min, and two ports (RTP + RTCP) for each worker. */
static void cfg_cross_rtp(struct cfg_ctx *x)
{
	const struct cfg *c = x->out;
	unsigned min = c->rtp.port_min, max = c->rtp.port_max;
	unsigned need = 2u * c->eal.n_workers;
	unsigned line = cfg_line(x, "rtp", -1, "port_max", -1);

	if (cfg_bad(x, &c->rtp.port_min) || cfg_bad(x, &c->rtp.port_max))
		return;
	if (max <= min)
		cfg_err(x, line, "key 'rtp.port_max': expected an integer above "
			"rtp.port_min %u, got %u", min, max);
	else if (!cfg_bad(x, c->eal.worker_lcores) && max - min + 1 < need)
		cfg_err(x, line, "key 'rtp.port_max': expected at least %u "
			"(2 ports for each of %u workers from rtp.port_min %u), got %u",
			min + need - 1, c->eal.n_workers, min, max);
}

static void cfg_cross_sip(struct cfg_ctx *x)
{
	const struct cfg *c = x->out;

	if (!cfg_bad(x, &c->sip.t1_ms) && !cfg_bad(x, &c->sip.t2_ms) &&
	    c->sip.t2_ms < c->sip.t1_ms)
		cfg_err(x, cfg_line(x, "sip", -1, "t2_ms", -1), "key 'sip.t2_ms': "
			"expected at least sip.t1_ms %u, got %u", c->sip.t1_ms,
			c->sip.t2_ms);
	if (cfg_bad(x, c->sip.udp_ports) || cfg_bad(x, &c->rtp.port_min) ||
	    cfg_bad(x, &c->rtp.port_max))
		return;
	for (int i = 0; i < c->sip.n_udp_ports; i++) {
		unsigned p = c->sip.udp_ports[i];

		if (p >= c->rtp.port_min && p <= c->rtp.port_max)
			cfg_err(x, cfg_line(x, "sip", -1, "udp_ports", i),
				"key 'sip.udp_ports[%d]': expected a port outside the "
				"RTP range %u..%u, got %u", i, c->rtp.port_min,
				c->rtp.port_max, p);
	}
}

/*
 * The mempool must fill every port's rx and tx descriptors and every lcore's
 * cache: a minimum whatever the queue layout. (DPDK's other rule, cache at
 * most n / 1.5, always holds within the ranges of the two keys.)
 */
static void cfg_cross_mempool(struct cfg_ctx *x)
{
	const struct cfg *c = x->out;
	unsigned mbufs = c->mempool.mbufs, cache = c->mempool.cache;
	unsigned lcores = 1u + c->eal.n_io + c->eal.n_workers, desc = 0;

	if (cfg_bad(x, &c->mempool.mbufs) || cfg_bad(x, &c->mempool.cache))
		return;
	if (cfg_bad(x, c->eal.io_lcores) || cfg_bad(x, c->eal.worker_lcores))
		return;
	for (int i = 0; i < c->n_ports; i++) {
		if (cfg_bad(x, &c->ports[i].rx_desc) || cfg_bad(x, &c->ports[i].tx_desc))
			return;
		desc += c->ports[i].rx_desc + c->ports[i].tx_desc;
	}
	if (mbufs < desc + lcores * cache)
		cfg_err(x, cfg_line(x, "mempool", -1, "mbufs", -1),
			"key 'mempool.mbufs': expected at least %u (%u port "
			"descriptors + %u lcores x %u cached), got %u",
			desc + lcores * cache, desc, lcores, cache, mbufs);
}

/* A backlog allowed to stand must fit below the quarter of the ring at
 * which every new INVITE is shed (dataplane/admit.h). */
static void cfg_cross_workers(struct cfg_ctx *x)
{
	const struct cfg *c = x->out;

	if (cfg_bad(x, &c->workers.ring_size) || cfg_bad(x, &c->workers.shed_backlog))
		return;
	if (c->workers.shed_backlog >= c->workers.ring_size / 4)
		cfg_err(x, cfg_line(x, "workers", -1, "shed_backlog", -1),
			"key 'workers.shed_backlog': expected below a quarter of "
			"workers.ring_size %u (%u), got %u", c->workers.ring_size,
			c->workers.ring_size / 4, c->workers.shed_backlog);
}

/* min_expires <= default_expires <= max_expires */
static void cfg_cross_registrar(struct cfg_ctx *x)
{
	const struct cfg *c = x->out;
	unsigned lo = c->registrar.min_expires, d = c->registrar.default_expires,
		 hi = c->registrar.max_expires;

	if (cfg_bad(x, &c->registrar.min_expires) || cfg_bad(x, &c->registrar.max_expires) ||
	    cfg_bad(x, &c->registrar.default_expires))
		return;
	if (hi < lo)
		cfg_err(x, cfg_line(x, "registrar", -1, "max_expires", -1),
			"key 'registrar.max_expires': expected at least registrar.min_expires "
			"%u, got %u", lo, hi);
	else if (d < lo || d > hi)
		cfg_err(x, cfg_line(x, "registrar", -1, "default_expires", -1),
			"key 'registrar.default_expires': expected %u..%u (registrar."
			"min_expires..max_expires), got %u", lo, hi, d);
}

static void (*const cfg_cross[])(struct cfg_ctx *) = {
	cfg_cross_ports, cfg_cross_lcores, cfg_cross_rtp, cfg_cross_sip,
	cfg_cross_mempool, cfg_cross_workers, cfg_cross_registrar, cfg_cross_tenants,
};

void cfg_cross_run(struct cfg_ctx *x)
{
	for (size_t i = 0; i < sizeof(cfg_cross) / sizeof(cfg_cross[0]); i++)
		cfg_cross[i](x);
}
