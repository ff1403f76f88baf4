// SPDX-License-Identifier: GPL-2.0
/*
 * tracer/ust/datw.c - trace.dat v6 writer (see datw.h). Layout, as
 * trace-cmd.dat.v6(5) documents it: magic, version "6", endianness, long
 * size, page size; header_page and header_event; ftrace formats (none);
 * event formats by system; kallsyms; printk formats; cmdlines; CPU count;
 * "flyrecord" with each CPU's data offset and size; the data, page aligned.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "datw.h"

struct wbuf {
	int fd;
	uint64_t off;
	int err;
};

static void put(struct wbuf *b, const void *p, size_t n)
{
	const char *c = p;

	while (n > 0 && !b->err) {
		ssize_t r = write(b->fd, c, n);

		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r <= 0) {
			b->err = r < 0 ? errno : EIO;
			return;
		}
		c += r;
		n -= (size_t)r;
		b->off += (uint64_t)r;
	}
}

/* Numbers are written little-endian: the file says so (x86 hosts). */
static void put_u32(struct wbuf *b, uint32_t v)
{
	uint8_t x[4];

	for (int i = 0; i < 4; i++) {
		x[i] = (uint8_t)(v >> (8 * i));
	}
	put(b, x, 4);
}

static void put_u64(struct wbuf *b, uint64_t v)
{
	uint8_t x[8];

	for (int i = 0; i < 8; i++) {
		x[i] = (uint8_t)(v >> (8 * i));
	}
	put(b, x, 8);
}

static void put_str(struct wbuf *b, const char *s)
{
	put(b, s, strlen(s) + 1);
}

static void put_pad(struct wbuf *b, uint64_t to)
{
	static const char zero[4096];

	while (b->off < to && !b->err) {
		uint64_t n = to - b->off;

		put(b, zero, n > sizeof(zero) ? sizeof(zero) : (size_t)n);
	}
}

static int copy_fd(struct wbuf *b, int in, uint64_t size)
{
	char buf[65536];
	uint64_t done = 0;

	if (lseek(in, 0, SEEK_SET) < 0) {
		return -1;
	}
	while (done < size && !b->err) {
		size_t want = size - done > sizeof(buf) ? sizeof(buf) : (size_t)(size - done);
		ssize_t r = read(in, buf, want);

		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r <= 0) {
			return -1;
		}
		put(b, buf, (size_t)r);
		done += (uint64_t)r;
	}
	return b->err ? -1 : 0;
}

int trc_datw_write(int out_fd, const struct trc_datw *w, char *err, size_t errlen)
{
	struct wbuf b = {.fd = out_fd};
	uint64_t *sizes = calloc(w->nr_cpus ? w->nr_cpus : 1, sizeof(*sizes));
	uint64_t off;
	unsigned int nsys = 0;

	if (!sizes) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (unsigned int c = 0; c < w->nr_cpus; c++) {
		struct stat sb;

		if (fstat(w->cpu_fds[c], &sb) < 0) {
			snprintf(err, errlen, "cannot stat the data of CPU %u: %s", c,
				 strerror(errno));
			free(sizes);
			return -1;
		}
		/* Whole pages only: a partial page at the end is dropped. */
		sizes[c] = (uint64_t)sb.st_size / w->page_size * w->page_size;
	}
	put(&b, "\027\010\104tracing", 10);
	put_str(&b, "6");
	put(&b, "\0", 1);   /* little endian */
	put(&b, "\010", 1); /* long size 8 */
	put_u32(&b, w->page_size);
	put_str(&b, "header_page");
	put_u64(&b, w->header_page_len);
	put(&b, w->header_page, w->header_page_len);
	put_str(&b, "header_event");
	put_u64(&b, w->header_event_len);
	put(&b, w->header_event, w->header_event_len);
	put_u32(&b, 0); /* no ftrace formats */
	for (unsigned int i = 0; i < w->nr_fmts; i++) {
		if (i == 0 || strcmp(w->fmts[i].system, w->fmts[i - 1].system) != 0) {
			nsys++;
		}
	}
	put_u32(&b, nsys);
	for (unsigned int i = 0; i < w->nr_fmts;) {
		unsigned int j = i;

		while (j < w->nr_fmts && strcmp(w->fmts[j].system, w->fmts[i].system) == 0) {
			j++;
		}
		put_str(&b, w->fmts[i].system);
		put_u32(&b, j - i);
		for (; i < j; i++) {
			put_u64(&b, w->fmts[i].len);
			put(&b, w->fmts[i].text, w->fmts[i].len);
		}
	}
	put_u32(&b, w->kallsyms ? (uint32_t)w->kallsyms_len : 0);
	if (w->kallsyms) {
		put(&b, w->kallsyms, w->kallsyms_len);
	}
	put_u32(&b, w->printk ? (uint32_t)w->printk_len : 0);
	if (w->printk) {
		put(&b, w->printk, w->printk_len);
	}
	put_u64(&b, w->cmdlines ? w->cmdlines_len : 0);
	if (w->cmdlines) {
		put(&b, w->cmdlines, w->cmdlines_len);
	}
	put_u32(&b, w->nr_cpus);
	put(&b, "flyrecord", 10);
	off = b.off + 16ull * w->nr_cpus;
	off = (off + w->page_size - 1) / w->page_size * w->page_size;
	for (unsigned int c = 0; c < w->nr_cpus; c++) {
		put_u64(&b, off);
		put_u64(&b, sizes[c]);
		off += sizes[c];
	}
	for (unsigned int c = 0; c < w->nr_cpus && !b.err; c++) {
		put_pad(&b, (b.off + w->page_size - 1) / w->page_size * w->page_size);
		if (copy_fd(&b, w->cpu_fds[c], sizes[c]) < 0 && !b.err) {
			snprintf(err, errlen, "cannot read the data of CPU %u", c);
			free(sizes);
			return -1;
		}
	}
	free(sizes);
	if (b.err) {
		snprintf(err, errlen, "write error: %s", strerror(b.err));
		return -1;
	}
	return 0;
}
