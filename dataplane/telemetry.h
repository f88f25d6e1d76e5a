/* SPDX-License-Identifier: MIT */
/*
 * The appliance's counters over DPDK telemetry (see telemetry.c for the
 * commands and their output).
 */
#ifndef SLUICE_TELEMETRY_H
#define SLUICE_TELEMETRY_H

#include "dp.h"

/* Registers the /sluice/... commands for dp. 0 or -errno. */
int telemetry_register(struct dp *dp);

/* Makes the commands answer "not running" (before dp_free). */
void telemetry_unregister(void);

#endif
