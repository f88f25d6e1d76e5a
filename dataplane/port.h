/* SPDX-License-Identifier: MIT */
/*
 * Ports: finds each configured device's ethdev, gives it one rx and one tx
 * queue per io lcore (RSS spreads flows over them when there are several),
 * sets the MTU, starts it and reads its MAC; reports link state and
 * counters.
 */
#ifndef SLUICE_PORT_H
#define SLUICE_PORT_H

#include <stdint.h>

#include "dp.h"

/* Sets up and starts dp->ports[idx] from cfg->ports[idx]. 0 or -errno. */
int port_start(struct dp *dp, uint16_t idx);

/* Stops and closes a started port. */
void port_stop(struct dp *dp, uint16_t idx);

/* Logs link changes since the last call (main lcore, once a second). */
void port_watch_links(struct dp *dp);

#endif
