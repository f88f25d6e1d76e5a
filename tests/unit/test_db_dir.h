/* SPDX-License-Identifier: MIT */
/*
 * A fresh temporary directory per test for an SQLite file (the CDR and
 * registration stores' tests): db_dir_make as a suite's .init sets dir and
 * path ("<dir>/cdr.db", whichever store it holds); db_dir_remove as its .fini removes the file, its WAL
 * companions and the directory. Criterion runs each test in a process of
 * its own, so this state is per test.
 */
#ifndef SLUICE_TEST_DB_DIR_H
#define SLUICE_TEST_DB_DIR_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <criterion/criterion.h>

static char dir[64];
static char path[128];

/* name: the directory's prefix under /tmp, e.g. "test_cdr_store". */
static inline void db_dir_make(const char *name)
{
	snprintf(dir, sizeof(dir), "/tmp/%s_XXXXXX", name); /* mkdtemp's template */
	cr_assert_not_null(mkdtemp(dir), "mkdtemp %s", dir);
	snprintf(path, sizeof(path), "%s/cdr.db", dir);
}

static inline void db_dir_remove(void)
{
	static const char *const ext[] = { "", "-wal", "-shm", "-journal" };
	char p[160];

	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", path, ext[i]);
		unlink(p);
	}
	rmdir(dir);
}

#endif
