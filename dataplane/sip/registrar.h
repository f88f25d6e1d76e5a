/* SPDX-License-Identifier: MIT */
/*
 * The registrar on the workers (see registrar.c).
 */
#ifndef SLUICE_REGISTRAR_H
#define SLUICE_REGISTRAR_H

#include <rte_mbuf.h>

struct wrk_ctx;

/* Settings of RFC 3261 §10.3 the registrar applies (seconds). */
#define REG_EXPIRES_DEFAULT 3600 /* a Contact with no expires, and no Expires header */
#define REG_EXPIRES_MIN 60       /* below: 423 Interval Too Brief */
#define REG_EXPIRES_MAX 3600     /* above: cut to this */

/* Handles the REGISTER in m, fully parsed into w->msg; answers it. */
void reg_request(struct wrk_ctx *w, struct rte_mbuf *m);

#endif
