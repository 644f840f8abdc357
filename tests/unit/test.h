/*
 * A minimal test harness: each check prints "ok N - name" or
 * "not ok N - name" (with the file and line), and test_done() returns
 * the exit status.  tests/run.sh counts the lines of every suite.
 * test_fixture() reads the test data in tests/data/.
 */
#ifndef HG_TEST_H
#define HG_TEST_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
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

/* Largest fixture test_fixture() reads: the webhook payloads are a few
 * hundred bytes; anything near this size is a mistake. */
#define TEST_FIXTURE_MAX	(1 << 20)

/*
 * The contents of tests/data/NAME, NUL-terminated, in a malloc'd
 * string the caller frees; its length (without the NUL) in *len when
 * len is not NULL.  The repository is $HUBGATE_ROOT (tests/run.sh sets
 * it), else the current directory.  A fixture that cannot be read is a
 * broken test, not a skipped one: it prints a failed check and ends the
 * suite with status 1.
 */
#define test_fixture(name, len) test_fixture_at((name), (len), \
	__FILE__, __LINE__)

static TEST_UNUSED char *
test_fixture_at(const char *name, size_t *len, const char *file, int line)
{
	const char	*root = getenv("HUBGATE_ROOT");
	char		 path[1024];
	char		*p = NULL;
	const char	*why = NULL;
	FILE		*f;
	size_t		 n = 0, got;

	snprintf(path, sizeof(path), "%s/tests/data/%s",
	    root != NULL && *root != '\0' ? root : ".", name);
	if ((f = fopen(path, "rb")) == NULL)
		why = strerror(errno);
	else if ((p = malloc(TEST_FIXTURE_MAX + 1)) == NULL)
		why = "out of memory";
	else {
		while (n < TEST_FIXTURE_MAX &&
		    (got = fread(p + n, 1, TEST_FIXTURE_MAX - n, f)) > 0)
			n += got;
		if (ferror(f))
			why = "read error";
		else if (n == TEST_FIXTURE_MAX)
			why = "TEST_FIXTURE_MAX bytes or more";
		else if (n == 0)
			why = "empty";
	}
	if (f != NULL)
		fclose(f);
	if (why != NULL) {
		free(p);
		test_ok(0, "test fixture readable", file, line);
		printf("#   %s: %s\n", path, why);
		printf("Bail out! test data unreadable\n");
		exit(1);
	}
	p[n] = '\0';
	if (len != NULL)
		*len = n;
	return p;
}

#endif
