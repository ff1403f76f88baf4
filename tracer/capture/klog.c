// SPDX-License-Identifier: GPL-2.0
/*
 * tracer/capture/klog.c - the kernel log from arming to stop, read from
 * /dev/kmsg and saved as DIR/kernel.log, so a KVM WARN sits next to the
 * trace that ends at it and `tdxr replay DIR` reads both.
 *
 * /dev/kmsg (Documentation/ABI/testing/dev-kmsg) gives one record per
 * read(): "PRIO,SEQ,USEC,FLAGS[,...];MESSAGE\n" then " KEY=VALUE\n"
 * dictionary lines; non-printable bytes of MESSAGE come as "\xNN" (a
 * multi-line message has "\x0a"). EPIPE says records were overwritten
 * before we read them. Opened non-blocking and moved to its end, it gives
 * the records that come after arming.
 *
 * kernel.log has the dmesg shape the text reader takes: "[SECONDS.MICROS]
 * message", one line per message line; a gap of overwritten records is a
 * line saying so.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tdxr/capture.h"

#define KMSG_REC_MAX 8192 /* the kernel's record limit (CONSOLE_EXT_LOG_MAX) */

struct trc_klog {
	int fd;	   /* /dev/kmsg, O_NONBLOCK */
	FILE *out; /* DIR/kernel.log */
	bool werr;
};

int trc_klog_open(const char *dir, struct trc_klog **out, char *err, size_t errlen)
{
	struct trc_klog *l = calloc(1, sizeof(*l));
	char path[PATH_MAX];

	*out = l;
	if (!l) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	l->fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (l->fd < 0) {
		snprintf(err, errlen, "/dev/kmsg: %s", strerror(errno));
		return -1;
	}
	if (lseek(l->fd, 0, SEEK_END) < 0) {
		snprintf(err, errlen, "/dev/kmsg: seek to its end: %s", strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/kernel.log", dir);
	l->out = fopen(path, "w");
	if (!l->out) {
		snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int trc_klog_fd(const struct trc_klog *l)
{
	return l->fd;
}

bool trc_klog_is_kvm_warn(const char *msg)
{
	static const char *const heads[] = {"WARNING: ", "kernel BUG at ", "BUG: "};
	static const char *const kvm[] = {
		"[kvm",	 "arch/x86/kvm/", "virt/kvm/", "arch/x86/virt/vmx/tdx/",
		" kvm_", " tdx_",	  " __tdx_",   "virt/vmx/tdx"};
	bool head = false;

	for (unsigned int i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
		if (strncmp(msg, heads[i], strlen(heads[i])) == 0) {
			head = true;
		}
	}
	if (!head) {
		return false;
	}
	for (unsigned int i = 0; i < sizeof(kvm) / sizeof(kvm[0]); i++) {
		if (strstr(msg, kvm[i])) {
			return true;
		}
	}
	return false;
}

/* "\xNN" back to the byte; a "\x0a" ends a line. Writes each line with @ts. */
static int put_message(struct trc_klog *l, const char *ts, const char *m, size_t n, char *first,
		       size_t firstlen)
{
	char line[KMSG_REC_MAX + 1];
	size_t o = 0;
	bool one = true;

	for (size_t i = 0; i <= n; i++) {
		unsigned int x;
		int c;

		if (i + 3 < n && m[i] == '\\' && m[i + 1] == 'x' &&
		    sscanf(m + i + 2, "%2x", &x) == 1) {
			c = (int)x;
			i += 3;
		} else {
			c = i < n ? (unsigned char)m[i] : '\n';
		}
		if (c != '\n' && o < KMSG_REC_MAX) {
			line[o++] = (char)c;
			continue;
		}
		if (c != '\n') {
			continue;
		}
		line[o] = '\0';
		if (one && first && firstlen) {
			/* cut to the caller's size: the message's start is enough */
			size_t cut = o < firstlen ? o : firstlen - 1;

			memcpy(first, line, cut);
			first[cut] = '\0';
		}
		one = false;
		if (fprintf(l->out, "[%s] %s\n", ts, line) < 0) {
			l->werr = true;
		}
		o = 0;
	}
	return 0;
}

/* One record: "PRIO,SEQ,USEC,FLAGS;MESSAGE\n KEY=VAL\n...". Returns 1 for a KVM WARN. */
static int put_record(struct trc_klog *l, char *rec, size_t n, char *hit, size_t hitlen)
{
	char *semi = memchr(rec, ';', n), *end, first[512];
	unsigned long long usec = 0;
	char ts[32];
	int prio, r = 0;

	if (!semi) {
		return 0;
	}
	*semi = '\0';
	if (sscanf(rec, "%d,%*u,%llu", &prio, &usec) != 2) {
		return 0;
	}
	snprintf(ts, sizeof(ts), "%5llu.%06llu", usec / 1000000, usec % 1000000);
	end = memchr(semi + 1, '\n', n - (size_t)(semi + 1 - rec));
	if (!end) {
		end = rec + n;
	}
	first[0] = '\0';
	put_message(l, ts, semi + 1, (size_t)(end - semi - 1), first, sizeof(first));
	if (trc_klog_is_kvm_warn(first)) {
		if (hit) {
			snprintf(hit, hitlen, "%s", first);
		}
		r = 1;
	}
	return r;
}

int trc_klog_pump(struct trc_klog *l, char *hit, size_t hitlen, char *err, size_t errlen)
{
	char rec[KMSG_REC_MAX + 1];
	int found = 0;

	for (;;) {
		ssize_t n = read(l->fd, rec, KMSG_REC_MAX);

		if (n < 0) {
			if (errno == EINTR) {
				continue;
			}
			if (errno == EPIPE) {
				if (fprintf(l->out,
					    "kernel.log: records were overwritten in the kernel "
					    "before tdxr read them\n") < 0) {
					l->werr = true;
				}
				continue;
			}
			if (errno == EAGAIN) {
				break;
			}
			snprintf(err, errlen, "/dev/kmsg: %s", strerror(errno));
			return -1;
		}
		if (n == 0) {
			break;
		}
		rec[n] = '\0';
		if (put_record(l, rec, (size_t)n, found ? NULL : hit, hitlen) == 1) {
			found = 1;
		}
	}
	if (fflush(l->out) != 0 || l->werr) {
		snprintf(err, errlen, "writing kernel.log: %s", strerror(errno));
		return -1;
	}
	return found;
}

int trc_klog_close(struct trc_klog *l, char *err, size_t errlen)
{
	int r = 0;

	if (!l) {
		return 0;
	}
	if (l->out && l->fd >= 0 && trc_klog_pump(l, NULL, 0, err, errlen) < 0) {
		r = -1;
	}
	if (l->out && fclose(l->out) != 0 && r == 0) {
		snprintf(err, errlen, "writing kernel.log: %s", strerror(errno));
		r = -1;
	}
	if (l->fd >= 0) {
		close(l->fd);
	}
	free(l);
	return r;
}
