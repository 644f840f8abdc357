/*
 * fm_media: the fake's media and profiles.
 *
 *   GET /_meta/<version>/fmm-<file>-<rand>    a WhatsApp media id (Bearer):
 *        {messaging_product, url, mime_type, sha256, file_size, id}; the
 *        url is valid FM_MEDIA_TTL_S and needs the same Bearer token
 *   GET /_meta/_media/wa/<file>?exp=&sig=     that download
 *   GET /_meta/_media/cdn/<file>?exp=&sig=    a Messenger/Instagram
 *        attachment URL (no token; it expires, and then answers 403)
 *   GET /_meta/<version>/<PSID>?fields=first_name,last_name,profile_pic
 *   GET /_meta/<version>/<IGSID>?fields=name,username,profile_pic
 *        a person's profile (with a Page token; and with an Instagram
 *        Login token under /_meta/_instagram/graph/<version>/, fm_instagram.c)
 *
 * The files are built in: png (a small picture, generated), pdf, audio,
 * video, big (FM_MEDIA_BIG bytes, as a PDF), badhash (the picture, with
 * a SHA-256 that is not its own in Meta's answer) and html (markup that
 * says it is a PNG).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "crypto.h"
#include "fm.h"
#include "http.h"
#include "limits.h"

/* Download URLs live this long (WhatsApp's: five minutes). */
#define FM_MEDIA_TTL_S	300
/* The "big" file: larger than the tests' media_max_bytes. */
#define FM_MEDIA_BIG	(2 * 1024 * 1024)
/* The picture's side in pixels. */
#define FM_PNG_SIDE	96

struct fm_file {
	const char	*name, *mime, *filename;
};

static const struct fm_file fm_files[] = {
	{ "png", "image/png", "picture.png" },
	{ "pdf", "application/pdf", "invoice.pdf" },
	{ "audio", "audio/ogg", "voice.ogg" },
	{ "video", "video/mp4", "clip.mp4" },
	{ "big", "application/pdf", "big.pdf" },
	{ "badhash", "image/png", "picture.png" },
	{ "html", "image/png", "page.png" },
	{ NULL, NULL, NULL }
};

/* The built-in file named by the n bytes at name, or NULL. */
static const struct fm_file *
file_find(const char *name, size_t n)
{
	int i;

	for (i = 0; fm_files[i].name != NULL; i++)
		if (strlen(fm_files[i].name) == n &&
		    strncmp(fm_files[i].name, name, n) == 0)
			return &fm_files[i];
	return NULL;
}

/* The CRC-32 of a PNG chunk (type and data). */
static unsigned long
crc32_of(const unsigned char *p, size_t n)
{
	unsigned long	 c = 0xffffffffUL;
	size_t		 i;
	int		 k;

	for (i = 0; i < n; i++) {
		c ^= p[i];
		for (k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320UL & (0UL - (c & 1)));
	}
	return c ^ 0xffffffffUL;
}

/* Append v as four big-endian bytes. */
static void
be32(struct buf *b, unsigned long v)
{
	unsigned char x[4] = { (unsigned char)(v >> 24), (unsigned char)(v >> 16),
	    (unsigned char)(v >> 8), (unsigned char)v };

	buf_add(b, x, 4);
}

/* A PNG chunk of type t with data d. */
static void
chunk(struct buf *b, const char *t, const unsigned char *d, size_t n)
{
	size_t at;

	be32(b, (unsigned long)n);
	at = b->len;
	buf_add(b, t, 4);
	if (n > 0)
		buf_add(b, d, n);
	be32(b, crc32_of((const unsigned char *)b->data + at, n + 4));
}

/* A FM_PNG_SIDE square picture (RGB, a diagonal split in two colours),
 * its deflate stream stored uncompressed. */
static void
png(struct buf *b)
{
	unsigned char	 ihdr[13], raw[FM_PNG_SIDE * (1 + 3 * FM_PNG_SIDE)];
	unsigned char	 z[sizeof(raw) + 16];
	unsigned long	 a = 1, s = 0;
	size_t		 i, n = 0;
	int		 x, y;

	for (y = 0; y < FM_PNG_SIDE; y++) {
		raw[n++] = 0;
		for (x = 0; x < FM_PNG_SIDE; x++) {
			raw[n++] = x > y ? 0x1f : 0xf0;
			raw[n++] = x > y ? 0x6f : 0xa0;
			raw[n++] = x > y ? 0xd0 : 0x20;
		}
	}
	buf_add(b, "\x89PNG\r\n\x1a\n", 8);
	memset(ihdr, 0, sizeof(ihdr));
	ihdr[3] = FM_PNG_SIDE;
	ihdr[7] = FM_PNG_SIDE;
	ihdr[8] = 8;		/* bit depth */
	ihdr[9] = 2;		/* RGB */
	chunk(b, "IHDR", ihdr, sizeof(ihdr));
	z[0] = 0x78;
	z[1] = 0x01;
	z[2] = 0x01;		/* the final block, stored */
	z[3] = (unsigned char)(n & 0xff);
	z[4] = (unsigned char)(n >> 8);
	z[5] = (unsigned char)(~n & 0xff);
	z[6] = (unsigned char)((~n >> 8) & 0xff);
	memcpy(z + 7, raw, n);
	for (i = 0; i < n; i++) {
		a = (a + raw[i]) % 65521;
		s = (s + a) % 65521;
	}
	z[7 + n] = (unsigned char)(s >> 8);
	z[8 + n] = (unsigned char)s;
	z[9 + n] = (unsigned char)(a >> 8);
	z[10 + n] = (unsigned char)a;
	chunk(b, "IDAT", z, n + 11);
	chunk(b, "IEND", NULL, 0);
}

/* The bytes of file f into b. */
static void
file_bytes(const struct fm_file *f, struct buf *b)
{
	static const unsigned char mp4[] = {
		0, 0, 0, 0x18, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm',
		0, 0, 2, 0, 'i', 's', 'o', 'm', 'm', 'p', '4', '1'
	};
	size_t i;

	if (strcmp(f->name, "png") == 0 || strcmp(f->name, "badhash") == 0)
		png(b);
	else if (strcmp(f->name, "pdf") == 0)
		buf_puts(b, "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n"
		    "trailer << /Root 1 0 R >>\n%%EOF\n");
	else if (strcmp(f->name, "audio") == 0) {
		buf_add(b, "OggS\0\x02", 6);
		for (i = 0; i < 512; i++)
			buf_putc(b, (int)(i * 7 & 0xff));
	} else if (strcmp(f->name, "video") == 0) {
		buf_add(b, mp4, sizeof(mp4));
		for (i = 0; i < 512; i++)
			buf_putc(b, (int)(i * 13 & 0xff));
	} else if (strcmp(f->name, "big") == 0) {
		buf_puts(b, "%PDF-1.4\n");
		while (b->len < FM_MEDIA_BIG)
			buf_puts(b, "% padding padding padding padding\n");
	} else
		buf_puts(b, "<html><script>alert(1)</script></html>");
}

/* The URL signature of kind/file until exp (hex, 32 digits). */
static void
url_sig(const char *kind, const char *file, long long exp, char out[33])
{
	unsigned char	 mac[CRYPTO_SHA256_LEN];
	char		 msg[128], hex[2 * CRYPTO_SHA256_LEN + 1];

	snprintf(msg, sizeof(msg), "%s/%s|%lld", kind, file, exp);
	crypto_hmac_sha256(fm_app.app_secret, strlen(fm_app.app_secret), msg,
	    strlen(msg), mac);
	crypto_hex(mac, sizeof(mac), hex);
	memcpy(out, hex, 32);
	out[32] = '\0';
}

/* A download URL of the fake for kind (wa, cdn) and file into out. */
static void
media_url(struct req *r, const char *kind, const char *file, char *out,
    size_t outsz)
{
	const char	*host = http_env(r, "HTTP_HOST");
	long long	 exp = (long long)time(NULL) + FM_MEDIA_TTL_S;
	char		 sig[33];

	url_sig(kind, file, exp, sig);
	snprintf(out, outsz, "http://%s/_meta/_media/%s/%s?exp=%lld&sig=%s",
	    host != NULL ? host : "127.0.0.1", kind, file, exp, sig);
}

int
fm_media_type(const char *type)
{
	return type != NULL && (strcmp(type, "image") == 0 ||
	    strcmp(type, "audio") == 0 || strcmp(type, "video") == 0 ||
	    strcmp(type, "file") == 0 || strcmp(type, "sticker") == 0);
}

/* The file a delivered attachment of type carries: file=, or by type. */
static const struct fm_file *
deliver_file(struct req *r, const char *type)
{
	const char		*p = fm_param(r, "file");
	const struct fm_file	*f;

	if (p != NULL && (f = file_find(p, strlen(p))) != NULL)
		return f;
	if (strcmp(type, "audio") == 0)
		return file_find("audio", 5);
	if (strcmp(type, "video") == 0)
		return file_find("video", 5);
	if (strcmp(type, "file") == 0)
		return file_find("pdf", 3);
	return file_find("png", 3);
}

void
fm_media_messenger(struct req *r, cJSON *m, const char *type)
{
	const struct fm_file	*f = deliver_file(r, type);
	cJSON			*a, *pl;
	char			 url[600];

	media_url(r, "cdn", f->name, url, sizeof(url));
	a = cJSON_CreateObject();
	cJSON_AddItemToArray(cJSON_AddArrayToObject(m, "attachments"), a);
	/* Meta sends a sticker as an image with a sticker_id. */
	cJSON_AddStringToObject(a, "type", strcmp(type, "sticker") == 0 ?
	    "image" : type);
	pl = cJSON_AddObjectToObject(a, "payload");
	cJSON_AddStringToObject(pl, "url", url);
	if (strcmp(type, "sticker") == 0)
		cJSON_AddNumberToObject(pl, "sticker_id", 369239263222822.0);
}

void
fm_media_whatsapp(struct req *r, cJSON *m, const char *type)
{
	const struct fm_file	*f = deliver_file(r, type);
	const char		*wt = strcmp(type, "file") == 0 ? "document" : type;
	char			 id[96], rnd[16];
	cJSON			*o;

	fm_random(rnd, 10);
	snprintf(id, sizeof(id), "fmm-%s-%s", f->name, rnd);
	cJSON_AddStringToObject(m, "type", wt);
	o = cJSON_AddObjectToObject(m, wt);
	cJSON_AddStringToObject(o, "id", id);
	cJSON_AddStringToObject(o, "mime_type", f->mime);
	if (strcmp(wt, "document") == 0)
		cJSON_AddStringToObject(o, "filename", f->filename);
	if (fm_param(r, "text") != NULL && strcmp(wt, "audio") != 0 &&
	    strcmp(wt, "sticker") != 0)
		cJSON_AddStringToObject(o, "caption", fm_param(r, "text"));
}

/* GET <id> of a WhatsApp media id: its URL and facts. */
static void
media_info(struct req *r, const char *id)
{
	const struct fm_file	*f;
	struct fm_token		 t;
	struct buf		 b;
	unsigned char		 md[CRYPTO_SHA256_LEN];
	char			 url[600], hex[2 * CRYPTO_SHA256_LEN + 1];
	const char		*dash = strchr(id + 4, '-');
	cJSON			*o;

	if (fm_auth(r, &t, 0) == -1)
		return;
	if (dash == NULL || (f = file_find(id + 4,
	    (size_t)(dash - id - 4))) == NULL) {
		fm_error(r, 400, 100, 33, "GraphMethodException",
		    "Unsupported get request.");
		return;
	}
	buf_init(&b, HG_RESPONSE_MAX);
	file_bytes(f, &b);
	crypto_sha256(b.data, b.len, md);
	if (strcmp(f->name, "badhash") == 0)
		memset(md, 0x5a, sizeof(md));
	crypto_hex(md, sizeof(md), hex);
	media_url(r, "wa", f->name, url, sizeof(url));
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "messaging_product", "whatsapp");
	cJSON_AddStringToObject(o, "url", url);
	cJSON_AddStringToObject(o, "mime_type", f->mime);
	cJSON_AddStringToObject(o, "sha256", hex);
	cJSON_AddNumberToObject(o, "file_size", (double)b.len);
	cJSON_AddStringToObject(o, "id", id);
	buf_free(&b);
	fm_json(r, o);
}

void
fm_media_profile(struct req *r, const char *id)
{
	const char	*fields = fm_param(r, "fields");
	char		 url[600];
	cJSON		*o;

	media_url(r, "cdn", "png", url, sizeof(url));
	o = cJSON_CreateObject();
	if (strstr(fields, "username") != NULL) {
		cJSON_AddStringToObject(o, "name", "Robin Insta");
		cJSON_AddStringToObject(o, "username", "robin.insta");
	} else {
		cJSON_AddStringToObject(o, "first_name", "Pat");
		cJSON_AddStringToObject(o, "last_name", "Messenger");
	}
	cJSON_AddStringToObject(o, "profile_pic", url);
	cJSON_AddStringToObject(o, "id", id);
	fm_json(r, o);
}

int
fm_media_profile_asked(struct req *r, const char *id)
{
	size_t i;

	if (r->method != HTTP_GET)
		return 0;
	for (i = 0; id[i] != '\0'; i++)
		if (id[i] < '0' || id[i] > '9')
			return 0;
	/* A person's profile is asked with profile_pic; other ids
	 * (numbers, Pages) are not this module's. */
	return i > 0 && fm_param(r, "fields") != NULL &&
	    strstr(fm_param(r, "fields"), "profile_pic") != NULL &&
	    fm_page_find(id) < 0 && fm_page_find_ig(id) < 0 &&
	    fm_number_find(id) == NULL && strcmp(id, FM_USER_ID) != 0;
}

int
fm_media_graph(struct req *r, const char *id)
{
	struct fm_token t;

	if (r->method != HTTP_GET)
		return 0;
	if (strncmp(id, "fmm-", 4) == 0) {
		media_info(r, id);
		return 1;
	}
	if (!fm_media_profile_asked(r, id))
		return 0;
	/* With a Page token (Messenger, and Instagram through its Page). */
	if (fm_auth(r, &t, 0) == 0)
		fm_media_profile(r, id);
	return 1;
}

void
fm_media_download(struct req *r, const char *rest)
{
	const struct fm_file	*f;
	const char		*slash = strchr(rest, '/'), *exp_s;
	const char		*sig = fm_param(r, "sig"), *tok;
	struct fm_token		 t;
	struct buf		 b;
	char			 kind[8], want[33];
	long long		 exp;
	int			 wa;

	if (r->method != HTTP_GET || slash == NULL ||
	    (size_t)(slash - rest) >= sizeof(kind) ||
	    (f = file_find(slash + 1, strlen(slash + 1))) == NULL) {
		http_text(r, 404, "not found");
		return;
	}
	memcpy(kind, rest, (size_t)(slash - rest));
	kind[slash - rest] = '\0';
	wa = strcmp(kind, "wa") == 0;
	if (!wa && strcmp(kind, "cdn") != 0) {
		http_text(r, 404, "not found");
		return;
	}
	exp_s = fm_param(r, "exp");
	exp = exp_s != NULL ? strtoll(exp_s, NULL, 10) : 0;
	url_sig(kind, f->name, exp, want);
	if (sig == NULL || strcmp(sig, want) != 0) {
		http_text(r, 403, "Bad URL hash");
		return;
	}
	if (exp < (long long)time(NULL)) {
		http_text(r, wa ? 404 : 403, "URL signature expired");
		return;
	}
	/* WhatsApp's: the same Bearer token as the lookup. */
	if (wa && ((tok = fm_request_token(r)) == NULL ||
	    fm_token_get(tok, &t) != 1 || t.revoked != 0 ||
	    (t.expires_at != 0 && t.expires_at < (long long)time(NULL)))) {
		fm_error(r, 401, 190, 0, NULL, "Invalid OAuth access token.");
		return;
	}
	buf_init(&b, HG_RESPONSE_MAX);
	file_bytes(f, &b);
	http_status(r, 200);
	http_add_header(r, "Content-Type", f->mime);
	http_write(r, b.data, b.len);
	buf_free(&b);
}
