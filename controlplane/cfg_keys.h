/* SPDX-License-Identifier: MIT */
/*
 * The keyword table's types, private to the config loader.
 *
 * cfg_keys.c fills the tables (one row per key: name, type, range, default,
 * where it lands in struct cfg, validator); cfg.c walks a libconfig tree
 * against them. Nothing outside controlplane/cfg*.c should include this.
 */
#ifndef SLUICE_CFG_KEYS_H
#define SLUICE_CFG_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cfg.h"

enum cfg_type {
	CFG_T_END,       /* terminates a table */
	CFG_T_GROUP,     /* group { ... }; sub = its keys, same base */
	CFG_T_LIST,      /* list of groups ( {...}, ... ); sub = element keys */
	CFG_T_INT,       /* unsigned field of 1, 2, 4 or 8 bytes */
	CFG_T_BOOL,
	CFG_T_STR,       /* char[size]; min..max = length */
	CFG_T_IPV4,      /* unicast dotted quad → uint32_t host byte order */
	CFG_T_INT_ARRAY, /* [a, b, ...] of unsigned elements of size bytes */
	CFG_T_STR_ARRAY, /* [ "a", ... ] of char[size] */
	CFG_T_COUNT
};

#define CFG_K_REQUIRED 0x1 /* missing → error */
#define CFG_K_UNIQUE   0x2 /* arrays: no value twice */

struct cfg_key;

/*
 * A validator replaces the generic range check of a scalar (or array
 * element). iv is the integer, sv the string (NULL for integers). Returns
 * true if the value is acceptable; otherwise writes what was expected to
 * want ("power of two 64..65536"). Called with iv = INT64_MIN and sv = NULL
 * it must fail: that is how the loader asks for the description alone.
 */
typedef bool cfg_check_fn(const struct cfg_key *k, int64_t iv, const char *sv,
			  char *want, size_t n);

struct cfg_key {
	const char *name;
	enum cfg_type type;
	unsigned flags;            /* CFG_K_* */
	size_t off;                /* field offset from the base of its struct */
	size_t size;               /* scalar size, or element size of arrays/lists */
	size_t count_off;          /* arrays/lists: offset of their uint16_t count */
	unsigned min_n, max_n;     /* arrays/lists: element count range */
	int64_t min, max;          /* integer range, or string length range */
	int64_t def;               /* integer and bool default */
	const char *def_str;       /* string default */
	cfg_check_fn *check;       /* NULL: the range alone decides */
	const struct cfg_key *sub; /* groups and lists */
};

/* The root of the file: eal, ports, sip, rtp, workers, mempool, net, poll. */
extern const struct cfg_key cfg_keys_root[];

/* Lcore ids named by an EAL --lcores map; false if it is malformed. */
bool cfg_lcores_parse(const char *map, uint8_t set[CFG_MAX_LCORES / 8]);

/* Canonical device identity for duplicate checks: "0000:01:00.0", "net_tap0". */
void cfg_device_id(const char *device, char *id, size_t n);

#endif
