/* SPDX-License-Identifier: MIT */
/*
 * Registration of the dataplane's log types (see log.h).
 */
#include "log.h"

RTE_LOG_REGISTER(sl_logtype_eal, sluice.eal, INFO);
RTE_LOG_REGISTER(sl_logtype_port, sluice.port, INFO);
RTE_LOG_REGISTER(sl_logtype_io, sluice.io, INFO);
RTE_LOG_REGISTER(sl_logtype_wrk, sluice.worker, INFO);
RTE_LOG_REGISTER(sl_logtype_dp, sluice.dp, INFO);
RTE_LOG_REGISTER(sl_logtype_main, sluice.main, INFO);
