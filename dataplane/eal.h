/* SPDX-License-Identifier: MIT */
/*
 * EAL start-up from the config: the lcore map, memory (hugepages or
 * --no-huge), the file prefix, log level, and each port's device as a
 * --vdev or an -a (allow-listed PCI device).
 */
#ifndef SLUICE_EAL_H
#define SLUICE_EAL_H

#include "cfg.h"

#define EAL_MAX_ARGS (16 + 2 * CFG_MAX_PORTS + CFG_MAX_EAL_ARGS)

/* Builds EAL's argv from cfg into argv (pointers into cfg and store);
 * returns argc, or -E2BIG. */
int eal_args(const struct cfg *cfg, const char *argv0, char **argv,
	     char store[][64]);

/* rte_eal_init with those arguments. 0 or -errno. */
int eal_start(const struct cfg *cfg, const char *argv0);

#endif
