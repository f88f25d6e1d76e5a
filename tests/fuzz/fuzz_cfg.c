/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the config loader: arbitrary bytes through
 * cfg_load_string. The loader must never crash, leak or read a file
 * (@include is refused), and whatever it accepts must satisfy the
 * invariants the dataplane and control plane rely on (tenants' names
 * resolved to indices in range, one credential per device, ...); a
 * violation fails a CHECK, which aborts so that libFuzzer keeps the
 * input. Every load is released with cfg_free, so LeakSanitizer sees any
 * list the loader loses.
 * Inputs above 64 KiB are skipped: real configurations are a few KiB.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "fuzz_check.h"

#define FUZZ_CFG_MAX (64 * 1024)

/* What an accepted configuration promises its users. */
static void fuzz_cfg_check(const struct cfg *c)
{
	CHECK(c->eal.n_io >= 1 && c->eal.n_io <= CFG_MAX_IO);
	CHECK(c->eal.n_workers >= 1 && c->eal.n_workers <= CFG_MAX_WORKERS);
	CHECK(c->n_ports >= 1 && c->n_ports <= CFG_MAX_PORTS);
	CHECK(c->sip.n_udp_ports >= 1 && c->sip.n_udp_ports <= CFG_MAX_SIP_PORTS);
	CHECK(c->eal.n_args <= CFG_MAX_EAL_ARGS);
	CHECK(c->eal.main_lcore < CFG_MAX_LCORES);
	for (unsigned i = 0; i < c->eal.n_io; i++) {
		CHECK(c->eal.io_lcores[i] < CFG_MAX_LCORES);
		CHECK(c->eal.io_lcores[i] != c->eal.main_lcore);
	}
	for (unsigned i = 0; i < c->eal.n_workers; i++) {
		CHECK(c->eal.worker_lcores[i] < CFG_MAX_LCORES);
		CHECK(c->eal.worker_lcores[i] != c->eal.main_lcore);
		for (unsigned j = 0; j < c->eal.n_io; j++)
			CHECK(c->eal.worker_lcores[i] != c->eal.io_lcores[j]);
	}
	for (unsigned i = 0; i < c->n_ports; i++) {
		const struct cfg_port *p = &c->ports[i];

		CHECK(memchr(p->name, '\0', sizeof(p->name)) != NULL);
		CHECK(p->name[0] != '\0' && p->device[0] != '\0');
		CHECK(memchr(p->device, '\0', sizeof(p->device)) != NULL);
		CHECK(p->prefix >= 1 && p->prefix <= 32 && p->addr != 0);
		CHECK(p->mtu >= 576 && p->mtu <= 9000);
		for (unsigned j = 0; j < i; j++)
			CHECK(strcmp(p->name, c->ports[j].name) != 0);
	}
	CHECK(c->rtp.port_min % 2 == 0 && c->rtp.port_max > c->rtp.port_min);
	CHECK(c->rtp.port_max - c->rtp.port_min + 1u >= 2u * c->eal.n_workers);
	CHECK((c->workers.ring_size & (c->workers.ring_size - 1)) == 0);
	CHECK(memchr(c->eal.lcores, '\0', sizeof(c->eal.lcores)) != NULL);
}

static void fuzz_cfg_target(const struct cfg_tenant *t, const struct cfg_target *g)
{
	CHECK((g->user[0] != '\0') != (g->trunk[0] != '\0'));
	CHECK(g->is_trunk == (g->trunk[0] != '\0'));
	if (g->is_trunk)
		CHECK(g->index < t->n_trunks &&
		      strcmp(t->trunks[g->index].name, g->trunk) == 0);
	else
		CHECK(g->index < t->n_users &&
		      strcmp(t->users[g->index].name, g->user) == 0);
	CHECK(g->ring_s <= t->limits.max_ring_s);
}

static void fuzz_cfg_tenant(const struct cfg_tenant *t)
{
	CHECK(t->id[0] != '\0' && strlen(t->api_token) >= 16);
	CHECK(t->realm[0] != '\0' && t->name[0] != '\0');
	CHECK(t->limits.cps == 0 || t->limits.burst >= 1);
	CHECK(t->limits.max_ring_s >= 1);
	CHECK(t->n_users <= CFG_MAX_USERS && t->n_trunks <= CFG_MAX_TENANT_TRUNKS);
	for (uint32_t i = 0; i < t->n_users; i++)
		for (uint32_t j = 0; j < t->users[i].n_devices; j++)
			CHECK(t->users[i].devices[j].auth != CFG_AUTH_NONE);
	for (uint32_t i = 0; i < t->n_routes; i++) {
		const struct cfg_route *r = &t->routes[i];

		CHECK(r->n_targets >= 1 && r->n_targets <= CFG_MAX_ROUTE_TARGETS);
		for (uint32_t j = 0; j < r->n_targets; j++)
			fuzz_cfg_target(t, &r->targets[j]);
	}
	for (uint32_t j = 0; j < t->fallback.n_targets; j++)
		fuzz_cfg_target(t, &t->fallback.targets[j]);
	CHECK(t->fallback.status >= 400 && t->fallback.status <= 699);
	CHECK(t->default_trunk_index >= -1 &&
	      t->default_trunk_index < (int32_t)t->n_trunks);
	CHECK((t->default_trunk_index >= 0) == (t->default_trunk[0] != '\0'));
	for (uint32_t i = 0; i < t->n_trunks; i++)
		for (uint32_t j = 0; j < t->trunks[i].n_cidrs; j++)
			CHECK(t->trunks[i].cidrs[j].prefix >= 8);
}

/* Tenants: each consistent, ids unique (pairwise only for small files). */
static void fuzz_cfg_tenants(const struct cfg *c)
{
	CHECK(c->n_tenants <= CFG_MAX_TENANTS);
	CHECK((c->n_tenants == 0) == (c->tenants == NULL));
	CHECK(c->sip.t2_ms >= c->sip.t1_ms);
	for (uint32_t i = 0; i < c->n_tenants; i++) {
		fuzz_cfg_tenant(&c->tenants[i]);
		for (uint32_t j = 0; j < i && c->n_tenants <= 64; j++)
			CHECK(strcmp(c->tenants[i].id, c->tenants[j].id) != 0);
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
		CHECK(errs.n > 0);
	}
	cfg_free(&c);
	free(text);
	return 0;
}
