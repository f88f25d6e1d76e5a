/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the config loader: arbitrary bytes through
 * cfg_load_string. The loader must never crash, leak or read a file
 * (@include is refused), and whatever it accepts must satisfy the
 * invariants the dataplane and control plane rely on (tenants' names
 * resolved to indices in range, one credential per device, ...); a
 * violation aborts so that libFuzzer keeps the input. Every load is
 * released with cfg_free, so LeakSanitizer sees any list the loader loses.
 * Inputs above 64 KiB are skipped: real configurations are a few KiB.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"

#define FUZZ_CFG_MAX (64 * 1024)

static void fuzz_cfg_require(int ok)
{
	if (!ok)
		abort();
}

/* What an accepted configuration promises its users. */
static void fuzz_cfg_check(const struct cfg *c)
{
	fuzz_cfg_require(c->eal.n_io >= 1 && c->eal.n_io <= CFG_MAX_IO);
	fuzz_cfg_require(c->eal.n_workers >= 1 && c->eal.n_workers <= CFG_MAX_WORKERS);
	fuzz_cfg_require(c->n_ports >= 1 && c->n_ports <= CFG_MAX_PORTS);
	fuzz_cfg_require(c->sip.n_udp_ports >= 1 && c->sip.n_udp_ports <= CFG_MAX_SIP_PORTS);
	fuzz_cfg_require(c->eal.n_args <= CFG_MAX_EAL_ARGS);
	fuzz_cfg_require(c->eal.main_lcore < CFG_MAX_LCORES);
	for (unsigned i = 0; i < c->eal.n_io; i++) {
		fuzz_cfg_require(c->eal.io_lcores[i] < CFG_MAX_LCORES);
		fuzz_cfg_require(c->eal.io_lcores[i] != c->eal.main_lcore);
	}
	for (unsigned i = 0; i < c->eal.n_workers; i++) {
		fuzz_cfg_require(c->eal.worker_lcores[i] < CFG_MAX_LCORES);
		fuzz_cfg_require(c->eal.worker_lcores[i] != c->eal.main_lcore);
		for (unsigned j = 0; j < c->eal.n_io; j++)
			fuzz_cfg_require(c->eal.worker_lcores[i] != c->eal.io_lcores[j]);
	}
	for (unsigned i = 0; i < c->n_ports; i++) {
		const struct cfg_port *p = &c->ports[i];

		fuzz_cfg_require(memchr(p->name, '\0', sizeof(p->name)) != NULL);
		fuzz_cfg_require(p->name[0] != '\0' && p->device[0] != '\0');
		fuzz_cfg_require(memchr(p->device, '\0', sizeof(p->device)) != NULL);
		fuzz_cfg_require(p->prefix >= 1 && p->prefix <= 32 && p->addr != 0);
		fuzz_cfg_require(p->mtu >= 576 && p->mtu <= 9000);
		for (unsigned j = 0; j < i; j++)
			fuzz_cfg_require(strcmp(p->name, c->ports[j].name) != 0);
	}
	fuzz_cfg_require(c->rtp.port_min % 2 == 0 && c->rtp.port_max > c->rtp.port_min);
	fuzz_cfg_require(c->rtp.port_max - c->rtp.port_min + 1u >= 2u * c->eal.n_workers);
	fuzz_cfg_require((c->workers.ring_size & (c->workers.ring_size - 1)) == 0);
	fuzz_cfg_require(memchr(c->eal.lcores, '\0', sizeof(c->eal.lcores)) != NULL);
}

static void fuzz_cfg_target(const struct cfg_tenant *t, const struct cfg_target *g)
{
	fuzz_cfg_require((g->user[0] != '\0') != (g->trunk[0] != '\0'));
	fuzz_cfg_require(g->is_trunk == (g->trunk[0] != '\0'));
	if (g->is_trunk)
		fuzz_cfg_require(g->index < t->n_trunks &&
				 strcmp(t->trunks[g->index].name, g->trunk) == 0);
	else
		fuzz_cfg_require(g->index < t->n_users &&
				 strcmp(t->users[g->index].name, g->user) == 0);
	fuzz_cfg_require(g->ring_s <= t->limits.max_ring_s);
}

static void fuzz_cfg_tenant(const struct cfg_tenant *t)
{
	fuzz_cfg_require(t->id[0] != '\0' && strlen(t->api_token) >= 16);
	fuzz_cfg_require(t->realm[0] != '\0' && t->name[0] != '\0');
	fuzz_cfg_require(t->limits.cps == 0 || t->limits.burst >= 1);
	fuzz_cfg_require(t->limits.max_ring_s >= 1);
	fuzz_cfg_require(t->n_users <= CFG_MAX_USERS && t->n_trunks <= CFG_MAX_TENANT_TRUNKS);
	for (uint32_t i = 0; i < t->n_users; i++)
		for (uint32_t j = 0; j < t->users[i].n_devices; j++)
			fuzz_cfg_require(t->users[i].devices[j].auth != CFG_AUTH_NONE);
	for (uint32_t i = 0; i < t->n_routes; i++) {
		const struct cfg_route *r = &t->routes[i];

		fuzz_cfg_require(r->n_targets >= 1 && r->n_targets <= CFG_MAX_ROUTE_TARGETS);
		for (uint32_t j = 0; j < r->n_targets; j++)
			fuzz_cfg_target(t, &r->targets[j]);
	}
	for (uint32_t j = 0; j < t->fallback.n_targets; j++)
		fuzz_cfg_target(t, &t->fallback.targets[j]);
	fuzz_cfg_require(t->fallback.status >= 400 && t->fallback.status <= 699);
	fuzz_cfg_require(t->default_trunk_index >= -1 &&
			 t->default_trunk_index < (int32_t)t->n_trunks);
	fuzz_cfg_require((t->default_trunk_index >= 0) == (t->default_trunk[0] != '\0'));
	for (uint32_t i = 0; i < t->n_trunks; i++)
		for (uint32_t j = 0; j < t->trunks[i].n_cidrs; j++)
			fuzz_cfg_require(t->trunks[i].cidrs[j].prefix >= 8);
}

/* Tenants: each consistent, ids unique (pairwise only for small files). */
static void fuzz_cfg_tenants(const struct cfg *c)
{
	fuzz_cfg_require(c->n_tenants <= CFG_MAX_TENANTS);
	fuzz_cfg_require((c->n_tenants == 0) == (c->tenants == NULL));
	fuzz_cfg_require(c->sip.t2_ms >= c->sip.t1_ms);
	for (uint32_t i = 0; i < c->n_tenants; i++) {
		fuzz_cfg_tenant(&c->tenants[i]);
		for (uint32_t j = 0; j < i && c->n_tenants <= 64; j++)
			fuzz_cfg_require(strcmp(c->tenants[i].id, c->tenants[j].id) != 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cfg c;
	static struct cfg_errors errs;
	char *text;
	int rc;

	if (size > FUZZ_CFG_MAX)
		return 0;
	text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	rc = cfg_load_string(text, "fuzz.conf", &c, &errs);
	if (rc == 0) {
		fuzz_cfg_check(&c);
		fuzz_cfg_tenants(&c);
	} else {
		fuzz_cfg_require(errs.n > 0);
	}
	cfg_free(&c);
	free(text);
	return 0;
}
