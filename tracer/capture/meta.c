// SPDX-License-Identifier: GPL-2.0
/*
 * tracer/capture/meta.c - DIR/meta.json: what a recording captured, what
 * it lost and (flight recorder) why it stopped. Written last and renamed
 * into place, so a directory with meta.json is a finished recording.
 *
 *   {"schema":1,"tdxr_version":"…","kernel_release":"…","clock":"mono",
 *    "command":[…],"command_status":N,            (record COMMAND)
 *    "flight":{"stop":"event|warn|duration|signal|finding","detail":"…"|null,
 *              "until":"…"|null,"buffer_kb":N,"armed":"SECS","stopped":"SECS",
 *              "kernel_log":"kernel.log"|null},    (record --flight)
 *    "kernel":{"file":"kernel.dat","events_enabled":[…],"events_missing":[…],
 *              "buffer_page":N,"lost":{"overrun":N,"dropped":N}},
 *    "vmm":{"dir":"vmm","events":["tdxr_vmm:*"],"sessiond":"private|shared",
 *           "lost":{"discarded_events":N,"lost_packets":N}}}
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "tdxr/capture.h"
#include "tdxr/print.h"

static void jlist(FILE *f, char *const *l, unsigned int n)
{
	fputc('[', f);
	for (unsigned int i = 0; i < n; i++) {
		if (i) {
			fputc(',', f);
		}
		tdxr_json_str(f, l[i]);
	}
	fputc(']', f);
}

static void write_flight(FILE *f, const struct trc_meta *m)
{
	fprintf(f, ",\"flight\":{\"stop\":");
	tdxr_json_str(f, m->stop_reason);
	fprintf(f, ",\"detail\":");
	tdxr_json_str(f, m->stop_detail);
	fprintf(f, ",\"until\":");
	tdxr_json_str(f, m->until);
	fprintf(f, ",\"buffer_kb\":%lu,\"armed\":\"%.6f\",\"stopped\":\"%.6f\",\"kernel_log\":",
		m->buffer_kb, m->armed_s, m->stopped_s);
	tdxr_json_str(f, m->kernel_log ? "kernel.log" : NULL);
	fputc('}', f);
}

int trc_meta_write(const char *dir, const struct trc_meta *m, char *err, size_t errlen)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	struct utsname u;
	FILE *f;

	uname(&u);
	snprintf(path, sizeof(path), "%s/meta.json", dir);
	snprintf(tmp, sizeof(tmp), "%s/.meta.json.tmp", dir);
	f = fopen(tmp, "w");
	if (!f) {
		snprintf(err, errlen, "cannot create %s: %s", tmp, strerror(errno));
		return -1;
	}
	fprintf(f, "{\"schema\":1,\"tdxr_version\":\"%s\",\"kernel_release\":", TDXR_VERSION);
	tdxr_json_str(f, u.release);
	fprintf(f, ",\"clock\":\"mono\"");
	if (m->command) {
		fprintf(f, ",\"command\":[");
		for (int i = 0; m->command[i]; i++) {
			if (i) {
				fputc(',', f);
			}
			tdxr_json_str(f, m->command[i]);
		}
		fprintf(f, "],\"command_status\":%d", m->command_status);
	}
	if (m->flight) {
		write_flight(f, m);
	}
	if (m->kernel) {
		struct trc_kernel_info k;

		trc_kernel_get_info(m->kernel, &k);
		fprintf(f, ",\"kernel\":{\"file\":\"kernel.dat\",\"events_enabled\":");
		jlist(f, k.enabled, k.nr_enabled);
		fprintf(f, ",\"events_missing\":");
		jlist(f, k.missing, k.nr_missing);
		fprintf(f, ",\"buffer_page\":%d,\"lost\":{\"overrun\":%llu,\"dropped\":%llu}}",
			k.page, (unsigned long long)k.overrun, (unsigned long long)k.dropped);
	}
	if (m->vmm) {
		struct trc_vmm_info v;

		trc_vmm_get_info(m->vmm, &v);
		fprintf(f,
			",\"vmm\":{\"dir\":\"vmm\",\"events\":[\"tdxr_vmm:*\"],\"sessiond\":\"%s\","
			"\"lost\":{\"discarded_events\":%llu,\"lost_packets\":%llu}}",
			v.private_daemon ? "private" : "shared", (unsigned long long)v.discarded,
			(unsigned long long)v.lost_packets);
	}
	fprintf(f, "}\n");
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}
