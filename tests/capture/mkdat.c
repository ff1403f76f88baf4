// SPDX-License-Identifier: GPL-2.0
/*
 * tests/capture/mkdat.c - writes a trace.dat (v6, through tracer/ust/datw.c)
 * and its tracefs-text twin: the same events, as the kernel's `trace` file
 * would print them. The reader tests dump both and compare, so the binary
 * reader is checked against the text reader, event by event.
 *
 *   mkdat OUT.dat OUT.trace [NEVENTS [SEED]] [--unknown-lost]
 *
 * Two CPUs, 4 KiB pages. Events: kvm_userspace_exit, kvm_pio (decoded from
 * libtraceevent's text), kvm_tdp_mmu_spte_changed with mirror and vm, and
 * kvm_hypercall (read typed), kvm_fpu (unmodelled). The third page of CPU 1
 * says 7 events were lost before it (the text has "CPU:1 [LOST 7 EVENTS]");
 * with --unknown-lost its second page of CPU 0 says events were lost
 * without a count (no text twin is then written).
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "datw.h"

#define PAGE 4096u
#define DATA_MAX (PAGE - 16u)

static const char header_page[] = "\tfield: u64 timestamp;\toffset:0;\tsize:8;\tsigned:0;\n"
				  "\tfield: local_t commit;\toffset:8;\tsize:8;\tsigned:1;\n"
				  "\tfield: int overwrite;\toffset:8;\tsize:1;\tsigned:1;\n"
				  "\tfield: char data;\toffset:16;\tsize:4080;\tsigned:0;\n";

static const char header_event[] = "# compressed entry header\n"
				   "\ttype_len    :    5 bits\n"
				   "\ttime_delta  :   27 bits\n"
				   "\tarray       :   32 bits\n"
				   "\n"
				   "\tpadding     : type == 29\n"
				   "\ttime_extend : type == 30\n"
				   "\ttime_stamp : type == 31\n"
				   "\tdata max type_len  == 28\n";

#define COMMON                                                                         \
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"         \
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"         \
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n" \
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n"

enum { ID_UEXIT = 501, ID_PIO, ID_SPTE, ID_HCALL, ID_FPU };

static const char fmt_uexit[] =
	"name: kvm_userspace_exit\nID: 501\nformat:\n" COMMON
	"\tfield:__u32 reason;\toffset:8;\tsize:4;\tsigned:0;\n"
	"\tfield:int errno;\toffset:12;\tsize:4;\tsigned:1;\n\n"
	"print fmt: \"reason %s (%d)\", REC->errno < 0 ? (REC->errno == -4 ? \"restart\" : "
	"\"error\") : __print_symbolic(REC->reason, { 2, \"KVM_EXIT_IO\" }, { 5, "
	"\"KVM_EXIT_HLT\" }, { 6, \"KVM_EXIT_MMIO\" }, { 10, \"KVM_EXIT_INTR\" }), "
	"REC->errno < 0 ? -REC->errno : REC->reason\n";

static const char fmt_pio[] =
	"name: kvm_pio\nID: 502\nformat:\n" COMMON
	"\tfield:unsigned int rw;\toffset:8;\tsize:4;\tsigned:0;\n"
	"\tfield:unsigned int port;\toffset:12;\tsize:4;\tsigned:0;\n"
	"\tfield:unsigned int size;\toffset:16;\tsize:4;\tsigned:0;\n"
	"\tfield:unsigned int count;\toffset:20;\tsize:4;\tsigned:0;\n"
	"\tfield:unsigned int val;\toffset:24;\tsize:4;\tsigned:0;\n\n"
	"print fmt: \"pio_%s at 0x%x size %d count %d val 0x%x %s\", REC->rw ? \"write\" : "
	"\"read\", REC->port, REC->size, REC->count, REC->val, REC->count > 1 ? \"(...)\" : "
	"\"\"\n";

static const char fmt_spte[] =
	"name: kvm_tdp_mmu_spte_changed\nID: 503\nformat:\n" COMMON
	"\tfield:u64 gfn;\toffset:8;\tsize:8;\tsigned:0;\n"
	"\tfield:u64 old_spte;\toffset:16;\tsize:8;\tsigned:0;\n"
	"\tfield:u64 new_spte;\toffset:24;\tsize:8;\tsigned:0;\n"
	"\tfield:u8 level;\toffset:32;\tsize:1;\tsigned:0;\n"
	"\tfield:u8 as_id;\toffset:33;\tsize:1;\tsigned:0;\n"
	"\tfield:int mirror;\toffset:36;\tsize:4;\tsigned:1;\n"
	"\tfield:int vm;\toffset:40;\tsize:4;\tsigned:1;\n\n"
	"print fmt: \"as id %d gfn %llx level %d old_spte %llx new_spte %llx mirror %d vm %d\", "
	"REC->as_id, REC->gfn, REC->level, REC->old_spte, REC->new_spte, REC->mirror, REC->vm\n";

static const char fmt_hcall[] =
	"name: kvm_hypercall\nID: 504\nformat:\n" COMMON
	"\tfield:unsigned long nr;\toffset:8;\tsize:8;\tsigned:0;\n"
	"\tfield:unsigned long a0;\toffset:16;\tsize:8;\tsigned:0;\n"
	"\tfield:unsigned long a1;\toffset:24;\tsize:8;\tsigned:0;\n"
	"\tfield:unsigned long a2;\toffset:32;\tsize:8;\tsigned:0;\n"
	"\tfield:unsigned long a3;\toffset:40;\tsize:8;\tsigned:0;\n\n"
	"print fmt: \"nr 0x%lx a0 0x%lx a1 0x%lx a2 0x%lx a3 0x%lx\", REC->nr, REC->a0, "
	"REC->a1, REC->a2, REC->a3\n";

static const char fmt_fpu[] = "name: kvm_fpu\nID: 505\nformat:\n" COMMON
			      "\tfield:u32 load;\toffset:8;\tsize:4;\tsigned:0;\n\n"
			      "print fmt: \"%s\", __print_symbolic(REC->load, { 1, \"load\" }, "
			      "{ 0, \"unload\" })\n";

struct cpu_out {
	int fd;
	uint8_t page[PAGE];
	uint32_t used;	  /* bytes of data in page */
	uint64_t page_ts; /* timestamp of the page */
	uint64_t last_ts;
	unsigned int pages;
	bool open;
	long long missed; /* for the page being filled: 0, N, or -1 */
};

static uint64_t rng = 88172645463325252ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

static void flush_page(struct cpu_out *c)
{
	uint64_t commit = c->used;

	if (!c->open) {
		return;
	}
	if (c->missed > 0) {
		/* RB_MISSED_EVENTS | RB_MISSED_STORED, the count after the data. */
		commit |= (1ull << 31) | (1ull << 30);
		put64(c->page + 16 + c->used, (uint64_t)c->missed);
	} else if (c->missed < 0) {
		commit |= 1ull << 31;
	}
	put64(c->page, c->page_ts);
	put64(c->page + 8, commit);
	if (write(c->fd, c->page, PAGE) != PAGE) {
		perror("mkdat: write");
		exit(1);
	}
	memset(c->page, 0, PAGE);
	c->open = false;
	c->used = 0;
	c->pages++;
	c->missed = 0;
}

/* Appends one event of @len payload bytes (common header included), a multiple of 4. */
static void add_event(struct cpu_out *c, uint64_t ts, const uint8_t *data, uint32_t len,
		      long long missed_if_new_page)
{
	uint32_t need = 4 + len;

	if (c->open && c->used + need + 8 > DATA_MAX) {
		flush_page(c);
	}
	if (!c->open) {
		c->open = true;
		c->page_ts = ts;
		c->last_ts = ts;
		c->missed = missed_if_new_page;
	}
	put32(c->page + 16 + c->used, (len / 4) | (uint32_t)((ts - c->last_ts) << 5));
	memcpy(c->page + 16 + c->used + 4, data, len);
	c->used += need;
	c->last_ts = ts;
}

static void common(uint8_t *d, uint16_t id, int32_t pid)
{
	memset(d, 0, 8);
	memcpy(d, &id, 2);
	memcpy(d + 4, &pid, 4);
}

int main(int argc, char **argv)
{
	struct cpu_out cpu[2] = {{.fd = -1}, {.fd = -1}};
	const struct trc_datw_fmt fmts[] = {
		{"kvm", fmt_uexit, sizeof(fmt_uexit) - 1},  {"kvm", fmt_pio, sizeof(fmt_pio) - 1},
		{"kvm", fmt_hcall, sizeof(fmt_hcall) - 1},  {"kvm", fmt_fpu, sizeof(fmt_fpu) - 1},
		{"kvmmmu", fmt_spte, sizeof(fmt_spte) - 1},
	};
	static const char cmdlines[] = "4242 CPU 0/KVM\n4243 CPU 1/KVM\n";
	const char *comm[2] = {"CPU 0/KVM", "CPU 1/KVM"};
	struct trc_datw w = {0};
	unsigned long n = 1000;
	bool unknown_lost = false;
	const char *out_dat = NULL, *out_txt = NULL;
	FILE *txt = NULL;
	uint64_t ts = 1000000000ull;
	int fds[2], out, pos = 0;
	char tmpl[2][64], err[256];

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--unknown-lost") == 0) {
			unknown_lost = true;
		} else if (pos == 0) {
			out_dat = argv[i], pos++;
		} else if (pos == 1) {
			out_txt = argv[i], pos++;
		} else if (pos == 2) {
			n = strtoul(argv[i], NULL, 0), pos++;
		} else if (pos == 3) {
			rng = strtoull(argv[i], NULL, 0) | 1, pos++;
		}
	}
	if (!out_dat || !out_txt) {
		fprintf(stderr,
			"usage: mkdat OUT.dat OUT.trace [NEVENTS [SEED]] [--unknown-lost]\n");
		return 2;
	}
	for (int c = 0; c < 2; c++) {
		snprintf(tmpl[c], sizeof(tmpl[c]), "/tmp/mkdat-cpu%d-XXXXXX", c);
		cpu[c].fd = mkstemp(tmpl[c]);
		if (cpu[c].fd < 0) {
			perror("mkdat: mkstemp");
			return 1;
		}
		unlink(tmpl[c]);
		fds[c] = cpu[c].fd;
	}
	if (!unknown_lost) {
		txt = fopen(out_txt, "w");
		if (!txt) {
			perror(out_txt);
			return 1;
		}
		fprintf(txt, "# tracer: nop\n#\n");
	}
	for (unsigned long i = 0; i < n; i++) {
		int c = (int)(rnd() & 1);
		struct cpu_out *co = &cpu[c];
		int32_t pid = 4242 + c;
		uint8_t d[64];
		char pay[256];
		const char *name;
		uint32_t len;
		long long missed = 0;
		uint64_t k = rnd() % 5;

		ts += 1000 * (1 + rnd() % 50);
		switch (k) {
		case 0: {
			uint32_t reason = (uint32_t[]){2, 5, 6, 10}[rnd() % 4];
			int32_t e = rnd() % 10 == 0 ? -4 : 0;

			common(d, ID_UEXIT, pid);
			memcpy(d + 8, &reason, 4);
			memcpy(d + 12, &e, 4);
			len = 16;
			name = "kvm_userspace_exit";
			if (e < 0) {
				snprintf(pay, sizeof(pay), "reason restart (4)");
			} else {
				snprintf(pay, sizeof(pay), "reason %s (%u)",
					 reason == 2   ? "KVM_EXIT_IO"
					 : reason == 5 ? "KVM_EXIT_HLT"
					 : reason == 6 ? "KVM_EXIT_MMIO"
						       : "KVM_EXIT_INTR",
					 reason);
			}
			break;
		}
		case 1: {
			uint32_t v[5] = {(uint32_t)(rnd() & 1), 0x3f8, 1, 1 + (rnd() % 8 == 0),
					 (uint32_t)(rnd() & 0xff)};

			common(d, ID_PIO, pid);
			memcpy(d + 8, v, 20);
			len = 28;
			name = "kvm_pio";
			snprintf(pay, sizeof(pay), "pio_%s at 0x%x size %u count %u val 0x%x %s",
				 v[0] ? "write" : "read", v[1], v[2], v[3], v[4],
				 v[3] > 1 ? "(...)" : "");
			break;
		}
		case 2: {
			uint64_t gfn = rnd() & 0xfffff, o = rnd(), nw = rnd() | (1ull << 63);
			uint8_t level = (uint8_t)(1 + rnd() % 3), as = 0;
			int32_t mirror = (int32_t)(rnd() & 1), vm = 7099;

			common(d, ID_SPTE, pid);
			memset(d + 8, 0, 40);
			put64(d + 8, gfn);
			put64(d + 16, o);
			put64(d + 24, nw);
			d[32] = level;
			d[33] = as;
			memcpy(d + 36, &mirror, 4);
			memcpy(d + 40, &vm, 4);
			len = 44;
			name = "kvm_tdp_mmu_spte_changed";
			snprintf(pay, sizeof(pay),
				 "as id %d gfn %llx level %d old_spte %llx new_spte %llx mirror %d "
				 "vm %d",
				 as, (unsigned long long)gfn, level, (unsigned long long)o,
				 (unsigned long long)nw, mirror, vm);
			break;
		}
		case 3: {
			uint64_t a[5];

			for (int j = 0; j < 5; j++) {
				a[j] = rnd() >> (rnd() % 64);
			}
			common(d, ID_HCALL, pid);
			for (int j = 0; j < 5; j++) {
				put64(d + 8 + 8 * j, a[j]);
			}
			len = 48;
			name = "kvm_hypercall";
			snprintf(pay, sizeof(pay),
				 "nr 0x%llx a0 0x%llx a1 0x%llx a2 0x%llx a3 0x%llx",
				 (unsigned long long)a[0], (unsigned long long)a[1],
				 (unsigned long long)a[2], (unsigned long long)a[3],
				 (unsigned long long)a[4]);
			break;
		}
		default: {
			uint32_t load = (uint32_t)(rnd() & 1);

			common(d, ID_FPU, pid);
			memcpy(d + 8, &load, 4);
			len = 12;
			name = "kvm_fpu";
			snprintf(pay, sizeof(pay), "%s", load ? "load" : "unload");
			break;
		}
		}
		/* Does this event start a new page? Then it may carry a loss. */
		if (!co->open || co->used + 4 + len + 8 > DATA_MAX) {
			unsigned int next_page = co->open ? co->pages + 1 : co->pages;

			if (c == 1 && next_page == 2) {
				missed = 7;
			} else if (c == 0 && next_page == 1 && unknown_lost) {
				missed = -1;
			}
			if (missed > 0 && txt) {
				fprintf(txt, "CPU:%d [LOST %lld EVENTS]\n", c, missed);
			}
		}
		add_event(co, ts, d, len, missed);
		if (txt) {
			fprintf(txt, "%16s-%-7d [%03d] ..... %5llu.%06llu: %s: %s\n", comm[c], pid,
				c, (unsigned long long)(ts / 1000000000ull),
				(unsigned long long)(ts % 1000000000ull / 1000), name, pay);
		}
	}
	flush_page(&cpu[0]);
	flush_page(&cpu[1]);
	if (txt && fclose(txt) != 0) {
		perror(out_txt);
		return 1;
	}
	w.page_size = PAGE;
	w.header_page = header_page;
	w.header_page_len = sizeof(header_page) - 1;
	w.header_event = header_event;
	w.header_event_len = sizeof(header_event) - 1;
	w.fmts = fmts;
	w.nr_fmts = sizeof(fmts) / sizeof(fmts[0]);
	w.cmdlines = cmdlines;
	w.cmdlines_len = sizeof(cmdlines) - 1;
	w.nr_cpus = 2;
	w.cpu_fds = fds;
	out = open(out_dat, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (out < 0 || trc_datw_write(out, &w, err, sizeof(err)) < 0 || close(out) != 0) {
		fprintf(stderr, "mkdat: %s: %s\n", out_dat, out < 0 ? "cannot create" : err);
		return 1;
	}
	return 0;
}
