// SPDX-License-Identifier: GPL-2.0
/*
 * replay/src/src.c - opening an input: format detection by content and
 * dispatch to the reader of that format.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "src_internal.h"

static const char *const format_names[] = {
	[TDXR_FMT_AUTO] = "auto",	[TDXR_FMT_FTRACE] = "ftrace",
	[TDXR_FMT_CONSOLE] = "console", [TDXR_FMT_TRACE_DAT] = "trace.dat",
	[TDXR_FMT_CTF] = "ctf",		[TDXR_FMT_INDEX] = "index",
};

const char *tdxr_format_name(enum tdxr_format f)
{
	return (unsigned int)f < sizeof(format_names) / sizeof(format_names[0]) ? format_names[f]
										: "?";
}

int tdxr_format_parse(const char *s, enum tdxr_format *out)
{
	for (unsigned int i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++) {
		if (strcmp(s, format_names[i]) == 0) {
			*out = (enum tdxr_format)i;
			return 0;
		}
	}
	if (strcmp(s, "dat") == 0) {
		*out = TDXR_FMT_TRACE_DAT;
		return 0;
	}
	if (strcmp(s, "text") == 0) {
		*out = TDXR_FMT_FTRACE;
		return 0;
	}
	return -1;
}

static bool looks_printk(const char *p, const char *end)
{
	if (p < end && *p == '<') {
		while (p < end && *p != '>') {
			p++;
		}
		p++;
	}
	if (p >= end || *p != '[') {
		return false;
	}
	p++;
	while (p < end && *p == ' ') {
		p++;
	}
	if (p >= end || *p < '0' || *p > '9') {
		return false;
	}
	while (p < end && *p >= '0' && *p <= '9') {
		p++;
	}
	return p < end && *p == '.';
}

/*
 * Detects the format from the first bytes. Text with printk "[ secs.frac]"
 * prefixes on most lines is a console log; other text is ftrace text.
 * Returns -1 with a message for binary data we do not read.
 */
static int detect(struct tdxr_src *s, const unsigned char *h, size_t n)
{
	size_t lines = 0, printk = 0;

	if (n >= 10 && memcmp(h, "\x17\x08\x44tracing", 10) == 0) {
		s->fmt = TDXR_FMT_TRACE_DAT;
		return 0;
	}
	if (n >= 16 && memcmp(h, "SQLite format 3", 16) == 0) {
		s->fmt = TDXR_FMT_INDEX;
		return 0;
	}
	if (n >= 4 &&
	    (memcmp(h, "\xc1\x1f\xfc\xc1", 4) == 0 || memcmp(h, "\xc1\xfc\x1f\xc1", 4) == 0 ||
	     memcmp(h, "\x57\x1d\xd1\x75", 4) == 0 || /* packetized metadata */
	     memcmp(h, "/* CTF", 6) == 0)) {
		s->fmt = TDXR_FMT_CTF;
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = h[i];

		if (c == 0 || (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != 0x1b)) {
			snprintf(s->err, sizeof(s->err),
				 "%s: not a trace: binary data at byte offset %zu", s->path, i);
			return -1;
		}
	}
	for (const char *p = (const char *)h, *end = p + n; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		if (!nl) {
			break;
		}
		lines++;
		printk += looks_printk(p, nl);
		p = nl + 1;
	}
	s->fmt = (lines > 0 && printk * 2 >= lines) ? TDXR_FMT_CONSOLE : TDXR_FMT_FTRACE;
	return 0;
}

struct tdxr_src *tdxr_src_open(const char *path, const struct tdxr_src_opts *o, char *err,
			       size_t errlen)
{
	struct tdxr_src *s = calloc(1, sizeof(*s));
	struct stat sb;
	unsigned char head[65536];
	ssize_t n;

	if (!s) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	s->fd = -1;
	s->opts = *o;
	s->st = o->st;
	s->path = strdup(path);
	if (!s->path) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto fail;
	}
	s->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (s->fd < 0) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		goto fail;
	}
	if (fstat(s->fd, &sb) == 0) {
		if (S_ISDIR(sb.st_mode)) {
			/* A CTF trace is a directory; a record directory holds one (ctf.c). */
			if (o->format != TDXR_FMT_AUTO && o->format != TDXR_FMT_CTF) {
				snprintf(err, errlen,
					 "%s: --format %s given, but it is a directory", path,
					 tdxr_format_name(o->format));
				goto fail;
			}
			s->fmt = TDXR_FMT_CTF;
			if (tdxr_dir_open(s, err, errlen) < 0) {
				goto fail;
			}
			return s;
		}
		if (S_ISREG(sb.st_mode)) {
			s->total = (uint64_t)sb.st_size;
		}
	}
	if (tdxr_text_alloc(s) < 0) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto fail;
	}
	/* Peek without losing bytes: what we read becomes the first buffer fill. */
	do {
		n = read(s->fd, head, sizeof(head));
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
		goto fail;
	}
	if (n == 0) {
		snprintf(err, errlen, "%s: empty file, no trace events", path);
		goto fail;
	}
	memcpy(s->buf, head, (size_t)n);
	s->end = (size_t)n;
	if (detect(s, head, (size_t)n) < 0) {
		snprintf(err, errlen, "%s", s->err);
		goto fail;
	}
	if (o->format != TDXR_FMT_AUTO) {
		bool text_forced = o->format == TDXR_FMT_FTRACE || o->format == TDXR_FMT_CONSOLE;
		bool text_found = s->fmt == TDXR_FMT_FTRACE || s->fmt == TDXR_FMT_CONSOLE;

		if (text_forced != text_found) {
			snprintf(err, errlen,
				 "%s: --format %s given, but the content looks like %s", path,
				 tdxr_format_name(o->format), tdxr_format_name(s->fmt));
			goto fail;
		}
		s->fmt = o->format;
	}
	switch (s->fmt) {
	case TDXR_FMT_FTRACE:
	case TDXR_FMT_CONSOLE:
		tdxr_text_init(s);
		s->next = tdxr_text_next;
		break;
	case TDXR_FMT_TRACE_DAT:
		if (tdxr_dat_open(s, err, errlen) < 0) {
			goto fail;
		}
		break;
	case TDXR_FMT_CTF:
		if (tdxr_ctf_open(s, err, errlen) < 0) {
			goto fail;
		}
		break;
	case TDXR_FMT_INDEX:
		if (tdxr_index_src_init(s, err, errlen) < 0) {
			goto fail;
		}
		break;
	default:
		snprintf(err, errlen, "%s: %s input is not supported yet", path,
			 tdxr_format_name(s->fmt));
		goto fail;
	}
	return s;
fail:
	tdxr_src_close(s);
	return NULL;
}

void tdxr_src_add_lost(struct tdxr_src *s, bool counted, uint64_t n)
{
	s->stats.lost_records++;
	if (counted) {
		uint64_t t = (uint64_t)s->pend_lost + n;

		s->pend_lost_flags |= TDXR_LOST_COUNTED;
		s->pend_lost = t > UINT32_MAX ? UINT32_MAX : (uint32_t)t;
		s->stats.lost_events += n;
	} else {
		s->pend_lost_flags |= TDXR_LOST_UNKNOWN;
	}
}

void tdxr_src_produce(struct tdxr_src *s, struct tdxr_event *ev)
{
	ev->lost_flags = s->pend_lost_flags;
	ev->lost = s->pend_lost;
	s->pend_lost_flags = 0;
	s->pend_lost = 0;
	s->stats.events++;
}

int tdxr_src_next(struct tdxr_src *s, struct tdxr_event *ev)
{
	return s->next(s, ev);
}

const char *tdxr_src_error(const struct tdxr_src *s)
{
	return s->err;
}

const char *tdxr_src_path(const struct tdxr_src *s)
{
	return s->path;
}

enum tdxr_format tdxr_src_format(const struct tdxr_src *s)
{
	return s->fmt;
}

void tdxr_src_progress(const struct tdxr_src *s, uint64_t *done, uint64_t *total)
{
	*done = s->consumed;
	*total = s->total;
}

void tdxr_src_stats(const struct tdxr_src *s, struct tdxr_src_stats *out)
{
	*out = s->stats;
}

void tdxr_src_close(struct tdxr_src *s)
{
	if (!s) {
		return;
	}
	if (s->close) {
		s->close(s);
	}
	if (s->fd >= 0) {
		close(s->fd);
	}
	free(s->buf);
	free(s->path);
	free(s);
}
