// SPDX-License-Identifier: GPL-2.0
/*
 * replay/src/src.c - opening an input: the reader of its format, found by
 * asking each reader of the table (readers.h) whether it takes the content
 * (--format auto), and every call after that made through the reader's
 * interface (reader.h); a `tdxr record` directory's parts.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "readers.h"

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

static const struct tdxr_reader *reader_of(enum tdxr_format f)
{
	for (unsigned int i = 0; i < tdxr_nr_readers; i++) {
		if (tdxr_readers[i]->formats & TDXR_FMT_BIT(f)) {
			return tdxr_readers[i];
		}
	}
	return NULL;
}

/* ", not built in: trace.dat, ctf" for the formats whose reader is off. */
static void not_built(char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (unsigned int f = TDXR_FMT_AUTO + 1; f < sizeof(format_names) / sizeof(format_names[0]);
	     f++) {
		if (!reader_of((enum tdxr_format)f) && o < len) {
			o += (size_t)snprintf(buf + o, len - o, "%s%s",
					      o ? ", " : " (not built in: ", format_names[f]);
		}
	}
	if (o && o < len) {
		snprintf(buf + o, len - o, ")");
	}
}

/* The first reader of the table that takes @in; NULL with a message. */
static const struct tdxr_reader *sniff(const struct tdxr_sniff *in, enum tdxr_format *fmt,
				       char *err, size_t errlen)
{
	char why[512] = "", off[128];

	for (unsigned int i = 0; i < tdxr_nr_readers; i++) {
		char w[512] = "";

		*fmt = tdxr_readers[i]->sniff(in, w, sizeof(w));
		if (*fmt != TDXR_FMT_AUTO) {
			return tdxr_readers[i];
		}
		if (w[0] && !why[0]) {
			snprintf(why, sizeof(why), "%s", w);
		}
	}
	not_built(off, sizeof(off));
	if (why[0]) {
		snprintf(err, errlen, "%s%s", why, off);
	} else {
		snprintf(err, errlen, "%s: %s no reader of this build takes%s", in->path,
			 in->is_dir ? "a directory" : "a file", off);
	}
	return NULL;
}

/* Reads the first bytes of s->fd into @head (a pipe cannot be read twice). */
static ssize_t read_head(struct tdxr_src *s, unsigned char *head, size_t len)
{
	ssize_t n;

	do {
		n = read(s->fd, head, len);
	} while (n < 0 && errno == EINTR);
	return n;
}

struct tdxr_src *tdxr_src_open(const char *path, const struct tdxr_src_opts *o, char *err,
			       size_t errlen)
{
	struct tdxr_src *s = calloc(1, sizeof(*s));
	struct tdxr_sniff in = {.path = path};
	const struct tdxr_reader *rd;
	enum tdxr_format found;
	unsigned char head[65536];
	struct stat sb;
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
	if (fstat(s->fd, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		if (tdxr_src_record_parts(path, NULL, NULL, err, errlen) != 0) {
			if (!err[0]) {
				snprintf(err, errlen,
					 "%s: a tdxr record directory: its parts are read as "
					 "several inputs (tdxr_merge_open)",
					 path);
			}
			goto fail;
		}
		in.is_dir = true;
	} else {
		if (fstat(s->fd, &sb) == 0 && S_ISREG(sb.st_mode)) {
			s->total = (uint64_t)sb.st_size;
		}
		n = read_head(s, head, sizeof(head));
		if (n < 0) {
			snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
			goto fail;
		}
		if (n == 0) {
			snprintf(err, errlen, "%s: empty file, no trace events", path);
			goto fail;
		}
		in.head = head;
		in.n = (size_t)n;
	}
	if (o->format != TDXR_FMT_AUTO && !reader_of(o->format)) {
		char off[128];

		not_built(off, sizeof(off));
		snprintf(err, errlen, "%s: --format %s given, but this build has no %s reader%s",
			 path, tdxr_format_name(o->format), tdxr_format_name(o->format), off);
		goto fail;
	}
	rd = sniff(&in, &found, err, errlen);
	if (!rd) {
		goto fail;
	}
	s->fmt = found;
	if (o->format != TDXR_FMT_AUTO) {
		if (reader_of(o->format) != rd) {
			if (in.is_dir) {
				snprintf(err, errlen,
					 "%s: --format %s given, but it is a directory", path,
					 tdxr_format_name(o->format));
			} else {
				snprintf(err, errlen,
					 "%s: --format %s given, but the content looks like %s",
					 path, tdxr_format_name(o->format),
					 tdxr_format_name(found));
			}
			goto fail;
		}
		s->fmt = o->format;
	}
	s->rd = rd;
	if (rd->open(s, &in, err, errlen) < 0) {
		goto fail;
	}
	return s;
fail:
	tdxr_src_close(s);
	return NULL;
}

bool tdxr_src_has_file(const char *dir, const char *name)
{
	char path[PATH_MAX];
	struct stat sb;

	return (size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) < sizeof(path) &&
	       stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

static bool is_dir(const char *dir, const char *name)
{
	char path[PATH_MAX];
	struct stat sb;

	return (size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) < sizeof(path) &&
	       stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static bool is_empty(const char *dir, const char *name)
{
	char path[PATH_MAX];
	struct stat sb;

	return (size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) < sizeof(path) &&
	       stat(path, &sb) == 0 && sb.st_size == 0;
}

/* Does a reader of this build take the directory @path? */
static bool dir_readable(const char *path)
{
	struct tdxr_sniff in = {.path = path, .is_dir = true};
	char why[512];

	for (unsigned int i = 0; i < tdxr_nr_readers; i++) {
		if (tdxr_readers[i]->sniff(&in, why, sizeof(why)) != TDXR_FMT_AUTO) {
			return true;
		}
	}
	return false;
}

int tdxr_src_record_parts(const char *path, char **parts, FILE *warn, char *err, size_t errlen)
{
	static const char *const names[TDXR_RECORD_MAX_PARTS] = {"kernel.dat", "vmm", "kernel.log"};
	struct stat sb;
	int n = 0;

	err[0] = '\0';
	if (stat(path, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
		return 0;
	}
	if (!tdxr_src_has_file(path, "meta.json")) {
		if (tdxr_src_has_file(path, "kernel.dat") ||
		    (is_dir(path, "vmm") && !tdxr_src_has_file(path, "metadata"))) {
			snprintf(err, errlen,
				 "%s: looks like a tdxr record directory but has no meta.json (the "
				 "recording did not finish); read its parts instead: %s/kernel.dat "
				 "%s/vmm",
				 path, path, path);
			return -1;
		}
		return 0;
	}
	for (unsigned int i = 0; i < TDXR_RECORD_MAX_PARTS && names[i]; i++) {
		char part[PATH_MAX];

		if (!tdxr_src_has_file(path, names[i]) && !is_dir(path, names[i])) {
			continue;
		}
		if (strcmp(names[i], "kernel.log") == 0 && is_empty(path, names[i])) {
			continue; /* nothing was logged while the flight recorder was armed */
		}
		if ((size_t)snprintf(part, sizeof(part), "%s/%s", path, names[i]) >= sizeof(part)) {
			snprintf(err, errlen, "%s: path too long", path);
			return -1;
		}
		/* vmm/ without a trace: the VMM wrote nothing (not a KVM
		 * program, or no vCPU ran). The kernel part reads alone. */
		if (is_dir(path, names[i]) && n > 0 && !dir_readable(part)) {
			if (parts) {
				fprintf(warn ? warn : stderr,
					"%s: warning: %s holds no CTF trace: kernel events only\n",
					path, part);
			}
			continue;
		}
		if (parts && !(parts[n] = strdup(part))) {
			while (n > 0) {
				free(parts[--n]);
			}
			snprintf(err, errlen, "%s: out of memory", path);
			return -1;
		}
		n++;
	}
	if (n == 0) {
		snprintf(err, errlen, "%s: record directory with neither kernel.dat nor vmm/",
			 path);
		return -1;
	}
	return n;
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
	return s->rd->next(s, ev);
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
	if (s->rd) {
		s->rd->close(s);
	}
	if (s->fd >= 0) {
		close(s->fd);
	}
	free(s->path);
	free(s);
}
