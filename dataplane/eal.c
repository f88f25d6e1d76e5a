/* SPDX-License-Identifier: MIT */
/*
 * EAL start-up from the config (see eal.h). The lcore roles themselves are
 * checked against what EAL enabled in dp_create().
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>

#include "eal.h"
#include "log.h"

/* Number of scratch strings eal_args may format. */
#define EAL_STORE 8

int eal_args(const struct cfg *cfg, const char *argv0, char **argv,
	     char store[][64])
{
	int argc = 0, s = 0, any_pci = 0;
	uint16_t i;

	argv[argc++] = (char *)argv0;
	if (cfg->eal.lcores[0]) {
		argv[argc++] = "--lcores";
		argv[argc++] = (char *)cfg->eal.lcores;
	} else {
		/* one lcore per listed core: main, io and workers */
		char *l = store[s++];
		int n = snprintf(l, 64, "%u", cfg->eal.main_lcore);

		for (i = 0; i < cfg->eal.n_io && n < 64; i++)
			n += snprintf(l + n, 64 - n, ",%u", cfg->eal.io_lcores[i]);
		for (i = 0; i < cfg->eal.n_workers && n < 64; i++)
			n += snprintf(l + n, 64 - n, ",%u",
				      cfg->eal.worker_lcores[i]);
		if (n >= 64)
			return -E2BIG;
		argv[argc++] = "-l";
		argv[argc++] = l;
	}
	argv[argc++] = "--main-lcore";
	snprintf(store[s], 64, "%u", cfg->eal.main_lcore);
	argv[argc++] = store[s++];
	argv[argc++] = "-m";
	snprintf(store[s], 64, "%u", cfg->eal.memory_mb);
	argv[argc++] = store[s++];
	if (!cfg->eal.hugepages)
		argv[argc++] = "--no-huge";
	argv[argc++] = "--file-prefix";
	argv[argc++] = (char *)cfg->eal.file_prefix;
	snprintf(store[s], 64, "--log-level=%s", cfg->eal.log_level);
	argv[argc++] = store[s++];
	for (i = 0; i < cfg->n_ports; i++) {
		argv[argc++] = cfg->ports[i].is_vdev ? "--vdev" : "-a";
		argv[argc++] = (char *)cfg->ports[i].device;
		any_pci |= !cfg->ports[i].is_vdev;
	}
	if (!any_pci)
		argv[argc++] = "--no-pci";
	for (i = 0; i < cfg->eal.n_args; i++)
		argv[argc++] = (char *)cfg->eal.args[i];
	argv[argc] = NULL;
	return argc;
}

int eal_start(const struct cfg *cfg, const char *argv0)
{
	char *argv[EAL_MAX_ARGS + 1];
	char store[EAL_STORE][64];
	int argc = eal_args(cfg, argv0, argv, store);
	int i;

	if (argc < 0)
		return argc;
	fprintf(stderr, "sluice: EAL arguments:");
	for (i = 1; i < argc; i++)
		fprintf(stderr, " %s", argv[i]);
	fprintf(stderr, "\n");
	if (rte_eal_init(argc, argv) < 0)
		return -rte_errno;
	return 0;
}
