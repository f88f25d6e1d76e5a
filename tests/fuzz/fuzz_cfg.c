/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the config loader: arbitrary bytes through
 * cfg_load_string. The loader must never crash, leak or read a file
 * (@include is refused), and whatever it accepts must satisfy the
 * invariants the dataplane relies on; a violation aborts so that libFuzzer
 * keeps the input. Inputs above 64 KiB are skipped: real configurations
 * are a few KiB.
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
	if (rc == 0)
		fuzz_cfg_check(&c);
	else
		fuzz_cfg_require(errs.n > 0);
	free(text);
	return 0;
}
