/* SPDX-License-Identifier: MIT */
/*
 * Names for the per-lcore counters: the drop-reason table (drop.def) turned
 * into strings for telemetry and logs.
 */
#include "stats.h"

static const char *const drop_names[DROP_COUNT] = {
#define X(id, name, help) [DROP_##id] = #name,
#include "drop.def"
#undef X
};

static const char *const drop_helps[DROP_COUNT] = {
#define X(id, name, help) [DROP_##id] = help,
#include "drop.def"
#undef X
};

const char *stats_drop_name(enum drop_reason r)
{
	return (unsigned)r < DROP_COUNT ? drop_names[r] : "unknown";
}

const char *stats_drop_help(enum drop_reason r)
{
	return (unsigned)r < DROP_COUNT ? drop_helps[r] : "";
}
