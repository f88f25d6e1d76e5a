/* SPDX-License-Identifier: MIT */
/*
 * Log types of the dataplane, one per module, registered with DPDK's log
 * (names "sluice.<module>", levels settable with --log-level). Hot paths log
 * only through SL_LOG_DP, compiled out above RTE_LOG_DP_LEVEL.
 */
#ifndef SLUICE_LOG_H
#define SLUICE_LOG_H

#include <rte_log.h>

extern int sl_logtype_eal;
extern int sl_logtype_port;
extern int sl_logtype_io;
extern int sl_logtype_wrk;
extern int sl_logtype_dp;
extern int sl_logtype_main;

#define RTE_LOGTYPE_SL_EAL sl_logtype_eal
#define RTE_LOGTYPE_SL_PORT sl_logtype_port
#define RTE_LOGTYPE_SL_IO sl_logtype_io
#define RTE_LOGTYPE_SL_WRK sl_logtype_wrk
#define RTE_LOGTYPE_SL_DP sl_logtype_dp
#define RTE_LOGTYPE_SL_MAIN sl_logtype_main

#define SL_LOG(level, mod, ...) RTE_LOG(level, SL_##mod, __VA_ARGS__)
#define SL_LOG_DP(level, mod, ...) RTE_LOG_DP(level, SL_##mod, __VA_ARGS__)

#endif
