/*
 * A minimal test harness: each check prints "ok N - name" or
 * "not ok N - name" (with the file and line), and test_done() returns
 * the exit status.  tests/run.sh counts the lines of every suite.
 */
#ifndef HG_TEST_H
#define HG_TEST_H

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int test_n, test_failed;

#define TEST_UNUSED __attribute__((unused))

#define OK(cond, name) test_ok((cond) != 0, (name), __FILE__, __LINE__)
#define EQ_INT(a, b, name) test_eq_int((long long)(a), (long long)(b), \
	(name), __FILE__, __LINE__)
#define EQ_STR(a, b, name) test_eq_str((a), (b), (name), __FILE__, __LINE__)

static TEST_UNUSED int
test_ok(int ok, const char *name, const char *file, int line)
{
	test_n++;
	if (ok)
		printf("ok %d - %s\n", test_n, name);
	else {
		test_failed++;
		printf("not ok %d - %s (%s:%d)\n", test_n, name, file, line);
	}
	fflush(stdout);
	return ok;
}

static TEST_UNUSED int
test_eq_int(long long a, long long b, const char *name, const char *file,
    int line)
{
	if (!test_ok(a == b, name, file, line))
		printf("#   got %lld, want %lld\n", a, b);
	return a == b;
}

static TEST_UNUSED int
test_eq_str(const char *a, const char *b, const char *name,
    const char *file, int line)
{
	int ok = a != NULL && b != NULL && strcmp(a, b) == 0;

	if (!test_ok(ok, name, file, line))
		printf("#   got \"%s\", want \"%s\"\n", a ? a : "(null)",
		    b ? b : "(null)");
	return ok;
}

/* Remove the database name in dir with its -wal and -shm files, then
 * dir itself (which must hold nothing else by then). */
static TEST_UNUSED void
test_rm_db(const char *dir, const char *name)
{
	static const char *const sfx[] = { "", "-wal", "-shm", "-journal" };
	char	 path[1024];
	size_t	 i;

	for (i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s%s", dir, name, sfx[i]);
		unlink(path);
	}
	if (rmdir(dir) == -1)
		printf("# could not remove %s\n", dir);
}

static TEST_UNUSED int
test_done(void)
{
	printf("# %d checks, %d failed\n", test_n, test_failed);
	return test_failed ? 1 : 0;
}

#endif
