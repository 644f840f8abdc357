/*
 * buf: a growable byte buffer with a hard maximum and a sticky error.
 * Once an append would pass the maximum (or memory runs out) the buffer
 * refuses every later append, so callers may check once at the end.
 * The data is always NUL-terminated for convenience; len excludes it.
 */
#ifndef HG_BUF_H
#define HG_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char	*data;	/* NUL-terminated when non-NULL */
	size_t	 len;	/* bytes used, excluding the NUL */
	size_t	 cap;	/* bytes allocated */
	size_t	 max;	/* hard limit on len */
	int	 err;	/* sticky: set once an append failed */
};

/* Prepare an empty buffer that will never hold more than max bytes. */
void	 buf_init(struct buf *, size_t max);
/* Release the memory; the buffer is empty and usable again. */
void	 buf_free(struct buf *);
/* Forget the contents but keep the memory and clear the error. */
void	 buf_reset(struct buf *);
/* Append bytes; 0 on success, -1 (and err set) past max or on ENOMEM. */
int	 buf_add(struct buf *, const void *, size_t);
int	 buf_puts(struct buf *, const char *);
int	 buf_putc(struct buf *, int);
int	 buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
int	 buf_vprintf(struct buf *, const char *, va_list)
	    __attribute__((format(printf, 2, 0)));
/* Make room for n more bytes and return where they go, or NULL.  The
 * caller writes at most n bytes there and calls buf_commit. */
char	*buf_reserve(struct buf *, size_t n);
void	 buf_commit(struct buf *, size_t n);
/* The contents as a C string ("" when empty); owned by the buffer. */
const char *buf_cstr(const struct buf *);
/* Hand the data over to the caller (free() it); the buffer is emptied. */
char	*buf_take(struct buf *);
/* Append s percent-encoded: all but RFC 3986 unreserved characters. */
void	 buf_url_encode(struct buf *, const char *s);

#endif
