/*
 * db_wal: a VFS over SQLite's default one that gathers a transaction's
 * WAL writes and hands them to the kernel in one write, at the sync
 * that ends the commit.
 *
 * SQLite writes each WAL frame as two writes (a 24-byte header, then
 * the page), so a commit of n pages is 2n system calls before its
 * fsync.  Held back in memory and written at once, they are one.
 *
 * This is safe only where every commit ends with a sync of the WAL,
 * that is synchronous = FULL: SQLite makes frames visible to other
 * connections (in the wal-index) after that sync, so by then they are
 * in the file.  A commit without a sync (synchronous = NORMAL) would
 * publish frames still held here: db.c opens only FULL connections
 * through this VFS.  The bytes reaching the file are the same as
 * without it, at the same offsets and in an order that gives the same
 * result; only their timing changes, and only for bytes no sync has
 * covered yet, which a crash may lose in any case.
 */
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "db_int.h"

/* What is held at most before it is written anyway (a transaction too
 * big for it is written in pieces of about this size). */
#define WAL_HOLD_MAX	(2 * 1024 * 1024)

struct walfile {
	sqlite3_file	 base;
	sqlite3_file	*real;	/* the default VFS's file, right after this */
	unsigned char	*buf;	/* the bytes held, for [off, off + len) */
	size_t		 len;
	size_t		 cap;
	sqlite3_int64	 off;
};

static sqlite3_vfs	*root;

/* The most the default VFS writes in one call (its unix write masks
 * the length to 17 bits: SQLite itself never writes more than a page). */
#define WAL_WRITE_MAX	(31 * 4096)

/* Write what is held.  An error leaves what was not written held, for
 * the next try. */
static int
wal_flush(struct walfile *f)
{
	size_t	 done = 0, n;
	int	 rc = SQLITE_OK;

	while (done < f->len) {
		n = f->len - done < WAL_WRITE_MAX ? f->len - done :
		    WAL_WRITE_MAX;
		if ((rc = f->real->pMethods->xWrite(f->real, f->buf + done,
		    (int)n, f->off + (sqlite3_int64)done)) != SQLITE_OK)
			break;
		done += n;
	}
	if (done > 0 && done < f->len)
		memmove(f->buf, f->buf + done, f->len - done);
	f->off += (sqlite3_int64)done;
	f->len -= done;
	return rc;
}

static int
wal_close(sqlite3_file *file)
{
	struct walfile	*f = (struct walfile *)file;
	int		 rc, rc2;

	rc = wal_flush(f);
	rc2 = f->real->pMethods->xClose(f->real);
	free(f->buf);
	f->buf = NULL;
	f->len = f->cap = 0;
	return rc != SQLITE_OK ? rc : rc2;
}

static int
wal_read(sqlite3_file *file, void *p, int amt, sqlite3_int64 off)
{
	struct walfile	*f = (struct walfile *)file;
	int		 rc;

	if (f->len > 0 && off < f->off + (sqlite3_int64)f->len &&
	    off + amt > f->off && (rc = wal_flush(f)) != SQLITE_OK)
		return rc;
	return f->real->pMethods->xRead(f->real, p, amt, off);
}

static int
wal_write(sqlite3_file *file, const void *p, int amt, sqlite3_int64 off)
{
	struct walfile	*f = (struct walfile *)file;
	sqlite3_int64	 end = f->off + (sqlite3_int64)f->len;
	unsigned char	*nb;
	size_t		 need;
	int		 rc;

	/* Within what is held (a frame written again): in place. */
	if (f->len > 0 && off >= f->off && off + amt <= end) {
		memcpy(f->buf + (off - f->off), p, (size_t)amt);
		return SQLITE_OK;
	}
	/* Anywhere else than right after it: what is held goes first. */
	if (f->len > 0 && (off != end ||
	    f->len + (size_t)amt > WAL_HOLD_MAX) &&
	    (rc = wal_flush(f)) != SQLITE_OK)
		return rc;
	if ((size_t)amt > WAL_WRITE_MAX)
		return f->real->pMethods->xWrite(f->real, p, amt, off);
	if (f->len == 0)
		f->off = off;
	need = f->len + (size_t)amt;
	if (need > f->cap) {
		size_t cap = f->cap > 0 ? f->cap : 64 * 1024;

		while (cap < need)
			cap *= 2;
		if (cap > WAL_HOLD_MAX)
			cap = WAL_HOLD_MAX;
		if ((nb = realloc(f->buf, cap)) == NULL) {
			/* No memory to hold it: write it as it comes. */
			if ((rc = wal_flush(f)) != SQLITE_OK)
				return rc;
			return f->real->pMethods->xWrite(f->real, p, amt,
			    off);
		}
		f->buf = nb;
		f->cap = cap;
	}
	memcpy(f->buf + f->len, p, (size_t)amt);
	f->len = need;
	return SQLITE_OK;
}

static int
wal_truncate(sqlite3_file *file, sqlite3_int64 size)
{
	struct walfile	*f = (struct walfile *)file;
	int		 rc;

	if ((rc = wal_flush(f)) != SQLITE_OK)
		return rc;
	return f->real->pMethods->xTruncate(f->real, size);
}

static int
wal_sync(sqlite3_file *file, int flags)
{
	struct walfile	*f = (struct walfile *)file;
	int		 rc;

	if ((rc = wal_flush(f)) != SQLITE_OK)
		return rc;
	return f->real->pMethods->xSync(f->real, flags);
}

static int
wal_file_size(sqlite3_file *file, sqlite3_int64 *size)
{
	struct walfile	*f = (struct walfile *)file;
	int		 rc;

	if ((rc = wal_flush(f)) != SQLITE_OK)
		return rc;
	return f->real->pMethods->xFileSize(f->real, size);
}

/* The rest pass through to the real file. */
#define REAL(file)	(((struct walfile *)(file))->real)

static int
wal_lock(sqlite3_file *file, int lock)
{
	return REAL(file)->pMethods->xLock(REAL(file), lock);
}

static int
wal_unlock(sqlite3_file *file, int lock)
{
	return REAL(file)->pMethods->xUnlock(REAL(file), lock);
}

static int
wal_check_reserved(sqlite3_file *file, int *out)
{
	return REAL(file)->pMethods->xCheckReservedLock(REAL(file), out);
}

static int
wal_file_control(sqlite3_file *file, int op, void *arg)
{
	return REAL(file)->pMethods->xFileControl(REAL(file), op, arg);
}

static int
wal_sector_size(sqlite3_file *file)
{
	return REAL(file)->pMethods->xSectorSize(REAL(file));
}

static int
wal_device(sqlite3_file *file)
{
	return REAL(file)->pMethods->xDeviceCharacteristics(REAL(file));
}

static int
wal_shm_map(sqlite3_file *file, int pg, int pgsz, int extend,
    void volatile **p)
{
	return REAL(file)->pMethods->xShmMap(REAL(file), pg, pgsz, extend, p);
}

static int
wal_shm_lock(sqlite3_file *file, int offset, int n, int flags)
{
	return REAL(file)->pMethods->xShmLock(REAL(file), offset, n, flags);
}

static void
wal_shm_barrier(sqlite3_file *file)
{
	REAL(file)->pMethods->xShmBarrier(REAL(file));
}

static int
wal_shm_unmap(sqlite3_file *file, int del)
{
	return REAL(file)->pMethods->xShmUnmap(REAL(file), del);
}

/* Memory maps of the WAL would bypass what is held: SQLite maps only
 * database files, but refuse rather than trust that. */
static int
wal_fetch(sqlite3_file *file, sqlite3_int64 off, int amt, void **p)
{
	(void)file;
	(void)off;
	(void)amt;
	*p = NULL;
	return SQLITE_OK;
}

static int
wal_unfetch(sqlite3_file *file, sqlite3_int64 off, void *p)
{
	(void)file;
	(void)off;
	(void)p;
	return SQLITE_OK;
}

static const sqlite3_io_methods wal_methods = {
	3,
	wal_close,
	wal_read,
	wal_write,
	wal_truncate,
	wal_sync,
	wal_file_size,
	wal_lock,
	wal_unlock,
	wal_check_reserved,
	wal_file_control,
	wal_sector_size,
	wal_device,
	wal_shm_map,
	wal_shm_lock,
	wal_shm_barrier,
	wal_shm_unmap,
	wal_fetch,
	wal_unfetch,
};

/* WAL files are wrapped; every other file is the default VFS's own,
 * opened in place (this VFS's files are larger than its). */
static int
wal_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *file,
    int flags, int *out)
{
	struct walfile	*f = (struct walfile *)file;
	int		 rc;

	(void)vfs;
	if (!(flags & SQLITE_OPEN_WAL))
		return root->xOpen(root, name, file, flags, out);
	memset(f, 0, sizeof(*f));
	f->real = (sqlite3_file *)(f + 1);
	rc = root->xOpen(root, name, f->real, flags, out);
	if (rc != SQLITE_OK || f->real->pMethods == NULL) {
		f->base.pMethods = NULL;
		return rc != SQLITE_OK ? rc : SQLITE_CANTOPEN;
	}
	f->base.pMethods = &wal_methods;
	return SQLITE_OK;
}

/* The VFS's other calls are the default one's, with it as argument. */
static int
wal_delete(sqlite3_vfs *v, const char *name, int sync)
{
	(void)v;
	return root->xDelete(root, name, sync);
}

static int
wal_access(sqlite3_vfs *v, const char *name, int flags, int *out)
{
	(void)v;
	return root->xAccess(root, name, flags, out);
}

static int
wal_full_path(sqlite3_vfs *v, const char *name, int n, char *out)
{
	(void)v;
	return root->xFullPathname(root, name, n, out);
}

static void *
wal_dl_open(sqlite3_vfs *v, const char *name)
{
	(void)v;
	return root->xDlOpen(root, name);
}

static void
wal_dl_error(sqlite3_vfs *v, int n, char *msg)
{
	(void)v;
	root->xDlError(root, n, msg);
}

static void
(*wal_dl_sym(sqlite3_vfs *v, void *h, const char *sym))(void)
{
	(void)v;
	return root->xDlSym(root, h, sym);
}

static void
wal_dl_close(sqlite3_vfs *v, void *h)
{
	(void)v;
	root->xDlClose(root, h);
}

static int
wal_randomness(sqlite3_vfs *v, int n, char *out)
{
	(void)v;
	return root->xRandomness(root, n, out);
}

static int
wal_sleep(sqlite3_vfs *v, int us)
{
	(void)v;
	return root->xSleep(root, us);
}

static int
wal_current_time(sqlite3_vfs *v, double *t)
{
	(void)v;
	return root->xCurrentTime(root, t);
}

static int
wal_last_error(sqlite3_vfs *v, int n, char *msg)
{
	(void)v;
	return root->xGetLastError(root, n, msg);
}

static int
wal_current_time64(sqlite3_vfs *v, sqlite3_int64 *t)
{
	(void)v;
	return root->xCurrentTimeInt64(root, t);
}

static sqlite3_vfs wal_vfs = {
	2,			/* iVersion: no system-call overrides */
	0,			/* szOsFile: set at registration */
	0,			/* mxPathname: likewise */
	NULL,
	DB_WAL_VFS,
	NULL,
	wal_open,
	wal_delete,
	wal_access,
	wal_full_path,
	wal_dl_open,
	wal_dl_error,
	wal_dl_sym,
	wal_dl_close,
	wal_randomness,
	wal_sleep,
	wal_current_time,
	wal_last_error,
	wal_current_time64,
	NULL, NULL, NULL,
};

int
db_wal_vfs_register(void)
{
	if ((root = sqlite3_vfs_find(NULL)) == NULL || root->iVersion < 2)
		return -1;
	wal_vfs.szOsFile = (int)sizeof(struct walfile) + root->szOsFile;
	wal_vfs.mxPathname = root->mxPathname;
	return sqlite3_vfs_register(&wal_vfs, 0) == SQLITE_OK ? 0 : -1;
}
