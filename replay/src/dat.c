// SPDX-License-Identifier: GPL-2.0
/*
 * replay/src/dat.c - the trace.dat reader (trace-cmd's binary format),
 * through libtracecmd and libtraceevent.
 *
 * Every per-CPU buffer of the file (the top one and those of its buffer
 * instances, as `trace-cmd extract -B` writes) is one stream; next() hands
 * out the record with the smallest timestamp among the streams' heads, so
 * the output is in time order with one record per stream in memory.
 *
 * Field values come from the recorded event formats, by name:
 *  - an event whose schema fields are all numbers found by name in its
 *    recorded format (kvm_tdp_mmu_spte_changed, kvm_hypercall, ...) is read
 *    typed, field by field (tep_read_number_field);
 *  - an event whose schema has symbolic fields (strings such as kvm_exit's
 *    reason or kvm_pio's rw_name, which exist only in TP_printk) is printed
 *    by libtraceevent with the format's own print fmt (no plugins, so the
 *    text is exactly what tracefs would print) and decoded like tracefs text;
 *  - any other event is unmodelled, its payload printed by libtraceevent.
 * The choice is made once per event id, from the format in the file.
 *
 * Lost events: a record whose buffer page says events were dropped before
 * it (missed_events > 0, or < 0 when the count is unknown) becomes a lost
 * record on that event.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event-parse.h>
#include <trace-cmd.h>
#include <trace-seq.h>

#include "reader.h"

enum dat_how {
	DAT_UNKNOWN = 0,
	DAT_TYPED,	/* every schema field read by name */
	DAT_TEXT,	/* printed by libtraceevent, decoded as text */
	DAT_UNMODELLED, /* printed by libtraceevent, kept as raw payload */
	DAT_ZAP,	/* kvm_mmu_prepare_zap_page: see zap_text() */
	DAT_UEXIT,	/* kvm_userspace_exit: see uexit_errno() */
};

struct dat_map {
	uint8_t how;   /* enum dat_how */
	uint16_t type; /* enum tdxr_event_type */
	uint32_t name; /* interned name (unmodelled) */
	struct tep_event *event;
	struct tep_format_field *fld[TDXR_MAX_FIELDS];
};

struct dat_stream {
	struct tracecmd_input *h; /* borrowed: top or one of priv->inst[] */
	int cpu;
	struct tep_record *rec; /* the stream's head, NULL at its end */
};

struct dat_priv {
	struct tracecmd_input *top;
	struct tracecmd_input **inst; /* owned buffer-instance handles */
	unsigned int nr_inst;
	struct dat_stream *streams;
	unsigned int nr_streams;
	struct tep_record *cur; /* handed out last; freed on the next call */
	struct tracecmd_input *cur_h;
	struct dat_map *map; /* indexed by event id */
	unsigned int map_len;
	struct trace_seq seq;
	bool seq_init;
	char *raw; /* payload text of the last unmodelled event */
	size_t raw_cap;
};

/* Schema field -> kernel field, where TP_printk names them differently. */
static const struct {
	unsigned int type;
	const char *field;
	const char *kernel;
} dat_alias[] = {
	{TDXR_EV_KVM_PAGE_FAULT, "rip", "guest_rip"},
	{TDXR_EV_KVM_PAGE_FAULT, "address", "fault_address"},
};

static struct tep_format_field *find_field(struct tep_event *e, unsigned int type, const char *name)
{
	struct tep_format_field *f = tep_find_field(e, name);

	for (size_t i = 0; !f && i < sizeof(dat_alias) / sizeof(dat_alias[0]); i++) {
		if (dat_alias[i].type == type && strcmp(dat_alias[i].field, name) == 0) {
			f = tep_find_field(e, dat_alias[i].kernel);
		}
	}
	/* Arrays and strings are not numbers. */
	if (f && (f->flags & (TEP_FIELD_IS_ARRAY | TEP_FIELD_IS_STRING | TEP_FIELD_IS_DYNAMIC))) {
		return NULL;
	}
	return f;
}

static void map_event(struct tdxr_src *s, struct dat_map *m, struct tep_event *e)
{
	const struct tdxr_event_desc *d;

	m->event = e;
	m->type = (uint16_t)tdxr_event_lookup(e->system, e->name, strlen(e->name));
	/* tdxr_event_lookup takes "name" alone too: make sure the system agrees. */
	if (m->type != TDXR_EV_UNMODELLED &&
	    strcmp(tdxr_event_desc(m->type)->system, e->system) != 0) {
		m->type = TDXR_EV_UNMODELLED;
	}
	if (m->type == TDXR_EV_UNMODELLED) {
		m->name = tdxr_strtab_intern(s->st, e->name, strlen(e->name));
		m->how = DAT_UNMODELLED;
		return;
	}
	d = tdxr_event_desc(m->type);
	if (m->type == TDXR_EV_KVM_MMU_PREPARE_ZAP_PAGE) {
		m->fld[0] = tep_find_field(e, "mmu_valid_gen");
		m->fld[1] = tep_find_field(e, "gfn");
		m->fld[2] = tep_find_field(e, "role");
		m->fld[3] = tep_find_field(e, "root_count");
		m->fld[4] = tep_find_field(e, "unsync");
		m->how = m->fld[0] && m->fld[1] && m->fld[2] && m->fld[3] && m->fld[4] ? DAT_ZAP
										       : DAT_TEXT;
		return;
	}
	if (m->type == TDXR_EV_KVM_USERSPACE_EXIT) {
		m->fld[0] = tep_find_field(e, "errno");
		m->how = m->fld[0] ? DAT_UEXIT : DAT_TEXT;
		return;
	}
	m->how = DAT_TYPED;
	for (unsigned int i = 0; i < d->nr_fields; i++) {
		const struct tdxr_field_desc *fd = &d->fields[i];
		bool optional = d->opt_from >= 0 && i >= (unsigned int)d->opt_from;

		if (fd->flags & TDXR_FF_DERIVED) {
			/* Derived fields come from symbolic text: decode the text. */
			m->how = DAT_TEXT;
			break;
		}
		if (fd->type == TDXR_FT_STR) {
			m->how = DAT_TEXT;
			break;
		}
		m->fld[i] = find_field(e, m->type, fd->name);
		if (!m->fld[i] && !optional) {
			m->how = DAT_TEXT;
			break;
		}
	}
}

static struct dat_map *lookup_map(struct tdxr_src *s, struct dat_priv *p, struct tep_handle *tep,
				  int id)
{
	struct tep_event *e;

	if (id < 0 || id > 0xffff) {
		return NULL;
	}
	if ((unsigned int)id >= p->map_len) {
		unsigned int n = p->map_len ? p->map_len : 256;
		struct dat_map *nm;

		while (n <= (unsigned int)id) {
			n *= 2;
		}
		nm = realloc(p->map, n * sizeof(*nm));
		if (!nm) {
			return NULL;
		}
		memset(nm + p->map_len, 0, (n - p->map_len) * sizeof(*nm));
		p->map = nm;
		p->map_len = n;
	}
	if (p->map[id].how == DAT_UNKNOWN) {
		e = tep_find_event(tep, id);
		if (!e) {
			return NULL;
		}
		map_event(s, &p->map[id], e);
	}
	return &p->map[id];
}

static const char *print_payload(struct dat_priv *p, struct tep_handle *tep, struct tep_record *rec,
				 size_t *len)
{
	trace_seq_reset(&p->seq);
	tep_print_event(tep, &p->seq, rec, "%s", TEP_PRINT_INFO);
	trace_seq_terminate(&p->seq);
	*len = p->seq.len;
	return p->seq.buffer;
}

static int keep_raw(struct dat_priv *p, const char *t, size_t n)
{
	if (n + 1 > p->raw_cap) {
		size_t cap = p->raw_cap ? p->raw_cap : 256;
		char *nr;

		while (cap < n + 1) {
			cap *= 2;
		}
		nr = realloc(p->raw, cap);
		if (!nr) {
			return -1;
		}
		p->raw = nr;
		p->raw_cap = cap;
	}
	memcpy(p->raw, t, n);
	p->raw[n] = '\0';
	return 0;
}

static void read_typed(const struct dat_map *m, struct tep_record *rec, struct tdxr_event *ev)
{
	const struct tdxr_event_desc *d = tdxr_event_desc(m->type);

	for (unsigned int i = 0; i < d->nr_fields; i++) {
		unsigned long long v;

		if (!m->fld[i] || tep_read_number_field(m->fld[i], rec->data, &v) < 0) {
			continue;
		}
		switch (d->fields[i].type) {
		case TDXR_FT_S32:
			ev->f[i] = (uint64_t)(int64_t)(int32_t)v;
			break;
		case TDXR_FT_U32:
			ev->f[i] = (uint32_t)v;
			break;
		case TDXR_FT_S64:
			ev->f[i] = (uint64_t)(int64_t)v;
			break;
		default:
			ev->f[i] = v;
			break;
		}
		/* A narrower signed kernel field (int) holding -1 reads as 0xffffffff. */
		if (d->fields[i].type == TDXR_FT_S64 && m->fld[i]->size == 4 &&
		    (m->fld[i]->flags & TEP_FIELD_IS_SIGNED)) {
			ev->f[i] = (uint64_t)(int64_t)(int32_t)v;
		}
		ev->fmask |= (uint16_t)(1u << i);
	}
}

/*
 * kvm_mmu_prepare_zap_page prints through trace_seq_printf() in its print
 * fmt, which libtraceevent cannot evaluate: rebuild the kernel's text from
 * the recorded fields and the role word (union kvm_mmu_page_role: level:4
 * has_4_byte_gpte:1 quadrant:2 direct:1 access:3 invalid:1 efer_nx:1
 * cr0_wp:1 smep_andnot_wp:1 smap_andnot_wp:1 ad_disabled:1 ...).
 */
static size_t zap_text(const struct dat_map *m, struct tep_record *rec, char *buf, size_t len)
{
	static const char *const access[] = {"---", "--x", "w--", "w-x",
					     "-u-", "-ux", "wu-", "wux"};
	unsigned long long v[5] = {0};
	uint32_t role;
	int n;

	for (int i = 0; i < 5; i++) {
		tep_read_number_field(m->fld[i], rec->data, &v[i]);
	}
	role = (uint32_t)v[2];
	n = snprintf(buf, len, "sp gen %u gfn %llx l%u %u-byte q%u%s %s%s %snxe %sad root %u %s",
		     (unsigned int)v[0], v[1], role & 0xf, (role >> 4) & 1 ? 4 : 8, (role >> 5) & 3,
		     (role >> 7) & 1 ? " direct" : "", access[(role >> 8) & 7],
		     (role >> 11) & 1 ? " invalid" : "", (role >> 12) & 1 ? "" : "!",
		     (role >> 16) & 1 ? "!" : "", (unsigned int)v[3], v[4] ? "unsync" : "sync");
	return n < 0 ? 0 : (size_t)n < len ? (size_t)n : len - 1;
}

/*
 * kvm_userspace_exit prints "restart"/"error" and -errno when errno < 0,
 * but libtraceevent compares the int field as unsigned and never takes
 * that branch: do it here; the symbolic reason (errno >= 0) prints fine.
 */
static bool uexit_errno(struct tdxr_src *s, const struct dat_map *m, struct tep_record *rec,
			struct tdxr_event *ev)
{
	unsigned long long v;
	int32_t e;

	if (tep_read_number_field(m->fld[0], rec->data, &v) < 0) {
		return false;
	}
	e = (int32_t)v;
	if (e >= 0) {
		return false;
	}
	EVF(ev, KVM_USERSPACE_EXIT, reason_name) = e == -4 ? tdxr_strtab_intern(s->st, "restart", 7)
							   : tdxr_strtab_intern(s->st, "error", 5);
	EVF(ev, KVM_USERSPACE_EXIT, reason) = (uint64_t)(int64_t)-e;
	ev->fmask |= (1u << TDXR_F_KVM_USERSPACE_EXIT_reason_name) |
		     (1u << TDXR_F_KVM_USERSPACE_EXIT_reason);
	return true;
}

/* The stream whose head comes first; -1 when all are done. */
static int pick(struct dat_priv *p)
{
	int best = -1;

	for (unsigned int i = 0; i < p->nr_streams; i++) {
		if (p->streams[i].rec &&
		    (best < 0 || p->streams[i].rec->ts < p->streams[best].rec->ts)) {
			best = (int)i;
		}
	}
	return best;
}

static int dat_next(struct tdxr_src *s, struct tdxr_event *ev)
{
	struct dat_priv *p = s->priv;

	for (;;) {
		struct dat_stream *st;
		struct tep_handle *tep;
		struct tep_record *rec;
		struct dat_map *m;
		const char *txt;
		size_t len;
		int i;

		if (p->cur) {
			tracecmd_free_record(p->cur);
			p->cur = NULL;
		}
		i = pick(p);
		if (i < 0) {
			break;
		}
		st = &p->streams[i];
		rec = st->rec;
		st->rec = tracecmd_read_data(st->h, st->cpu);
		p->cur = rec;
		p->cur_h = st->h;
		s->consumed += (uint64_t)(rec->record_size > 0 ? rec->record_size : 0);
		tep = tracecmd_get_tep(st->h);
		if (rec->missed_events) {
			/* libtracecmd: > 0 counted, < 0 an unknown number */
			tdxr_src_add_lost(s, rec->missed_events > 0,
					  rec->missed_events > 0 ? (uint64_t)rec->missed_events
								 : 0);
		}
		m = lookup_map(s, p, tep, tep_data_type(tep, rec));
		if (!m) {
			/* A record of an event id the file's formats do not define. */
			s->stats.bad_payloads++;
			continue;
		}
		memset(ev, 0, sizeof(*ev));
		ev->ts = rec->ts;
		ev->cpu = rec->cpu;
		ev->tid = tep_data_pid(tep, rec);
		ev->tgid = -1;
		ev->vm = -1;
		ev->vcpu = -1;
		ev->input = (uint16_t)s->opts.input;
		txt = tep_data_comm_from_pid(tep, ev->tid);
		if (txt && strcmp(txt, "<...>") != 0) {
			ev->comm = tdxr_strtab_intern(s->st, txt, strlen(txt));
		} else {
			ev->comm = tdxr_strtab_intern(s->st, "<...>", 5);
		}
		ev->type = m->type;
		if (m->how == DAT_TYPED) {
			read_typed(m, rec, ev);
		} else if (m->how == DAT_UEXIT && uexit_errno(s, m, rec, ev)) {
			/* decoded */
		} else if (m->how == DAT_TEXT || m->how == DAT_ZAP || m->how == DAT_UEXIT) {
			const char *why = "?";
			char zbuf[256];

			if (m->how == DAT_ZAP) {
				len = zap_text(m, rec, zbuf, sizeof(zbuf));
				txt = zbuf;
			} else {
				txt = print_payload(p, tep, rec, &len);
			}
			if (tdxr_decode_payload(m->type, txt, len, ev, s->st, &why) < 0) {
				s->stats.bad_payloads++;
				if (s->opts.strict) {
					snprintf(s->err, sizeof(s->err),
						 "%s: record at byte offset %llu: cannot parse "
						 "%s:%s: %s",
						 s->path, (unsigned long long)rec->offset,
						 m->event->system, m->event->name, why);
					return -1;
				}
				fprintf(s->opts.err ? s->opts.err : stderr,
					"%s: record at byte offset %llu: cannot parse %s:%s: %s\n",
					s->path, (unsigned long long)rec->offset, m->event->system,
					m->event->name, why);
				ev->type = TDXR_EV_UNMODELLED;
				memset(ev->f, 0, sizeof(ev->f));
				ev->fmask = 0;
				ev->name = tdxr_strtab_intern(s->st, m->event->name,
							      strlen(m->event->name));
				if (keep_raw(p, txt, len) == 0) {
					ev->raw = p->raw;
				}
			}
		} else {
			txt = print_payload(p, tep, rec, &len);
			ev->name = m->name;
			if (keep_raw(p, txt, len) < 0) {
				snprintf(s->err, sizeof(s->err), "%s: out of memory", s->path);
				return -1;
			}
			ev->raw = p->raw;
		}
		tdxr_src_produce(s, ev);
		return 1;
	}
	if (s->pend_lost_flags) {
		s->stats.trailing_lost = true;
	}
	return 0;
}

static void dat_close(struct tdxr_src *s)
{
	struct dat_priv *p = s->priv;

	if (!p) {
		return;
	}
	if (p->cur) {
		tracecmd_free_record(p->cur);
	}
	for (unsigned int i = 0; i < p->nr_streams; i++) {
		if (p->streams[i].rec) {
			tracecmd_free_record(p->streams[i].rec);
		}
	}
	for (unsigned int i = 0; i < p->nr_inst; i++) {
		tracecmd_close(p->inst[i]);
	}
	if (p->top) {
		tracecmd_close(p->top);
	}
	if (p->seq_init) {
		trace_seq_destroy(&p->seq);
	}
	free(p->inst);
	free(p->streams);
	free(p->map);
	free(p->raw);
	free(p);
	s->priv = NULL;
}

static int add_streams(struct dat_priv *p, struct tracecmd_input *h)
{
	int cpus = tep_get_cpus(tracecmd_get_tep(h));

	for (int c = 0; c < cpus && c < 65536; c++) {
		struct tep_record *rec = tracecmd_read_cpu_first(h, c);
		struct dat_stream *ns;

		if (!rec) {
			continue;
		}
		ns = realloc(p->streams, (p->nr_streams + 1) * sizeof(*ns));
		if (!ns) {
			tracecmd_free_record(rec);
			return -1;
		}
		p->streams = ns;
		ns[p->nr_streams++] = (struct dat_stream){.h = h, .cpu = c, .rec = rec};
	}
	return 0;
}

/*
 * A cut trace.dat makes libtracecmd map or read pages past the end of the
 * file and crash. For version 6 files we walk the headers ourselves first
 * (trace-cmd.dat.v6(5)) and check that every CPU's data lies inside the
 * file; version 7 files carry section sizes that libtracecmd checks.
 */
struct hcur {
	int fd;
	uint64_t off, size;
	bool big;
	bool bad;
};

static void hread(struct hcur *c, void *buf, size_t n)
{
	if (c->bad || c->off + n > c->size || pread(c->fd, buf, n, (off_t)c->off) != (ssize_t)n) {
		c->bad = true;
		memset(buf, 0, n);
		return;
	}
	c->off += n;
}

static uint64_t hnum(struct hcur *c, size_t n)
{
	uint8_t b[8];
	uint64_t v = 0;

	hread(c, b, n);
	for (size_t i = 0; i < n; i++) {
		v |= (uint64_t)b[c->big ? n - 1 - i : i] << (8 * i);
	}
	return v;
}

static void hskip(struct hcur *c, uint64_t n)
{
	if (c->bad || n > c->size - c->off) {
		c->bad = true;
		return;
	}
	c->off += n;
}

static void hstr(struct hcur *c, char *buf, size_t len)
{
	size_t i = 0;

	for (;;) {
		char ch;

		hread(c, &ch, 1);
		if (c->bad || ch == '\0') {
			break;
		}
		if (i + 1 < len) {
			buf[i++] = ch;
		}
	}
	buf[i] = '\0';
}

/* Whether the @n bytes at the cursor are printable text (tabs, newlines). */
static bool htext(struct hcur *c, uint64_t n)
{
	uint8_t buf[4096];

	if (n > sizeof(buf) || n > c->size - c->off ||
	    pread(c->fd, buf, (size_t)n, (off_t)c->off) != (ssize_t)n) {
		return n <= sizeof(buf) ? true : false;
	}
	for (uint64_t i = 0; i < n; i++) {
		if ((buf[i] < 0x20 && buf[i] != '\t' && buf[i] != '\n') || buf[i] >= 0x7f) {
			return false;
		}
	}
	return true;
}

static int check_size(struct tdxr_src *s, char *err, size_t errlen)
{
	struct stat sb;
	struct hcur c = {.fd = s->fd};
	char str[64], tag[10];
	uint64_t n, cpus;
	uint8_t b2[2];

	if (fstat(s->fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		return 0;
	}
	c.size = (uint64_t)sb.st_size;
	hskip(&c, 10);
	hstr(&c, str, sizeof(str));
	if (c.bad) {
		goto truncated;
	}
	if (strcmp(str, "6") != 0) {
		return 0; /* v7: sections with sizes, checked by libtracecmd */
	}
	hread(&c, b2, 2);
	c.big = b2[0] == 1;
	hskip(&c, 4); /* page size */
	for (int i = 0; i < 2; i++) {
		/* header_page, header_event: text libtracecmd parses (and crashes on
		 * its error path when it cannot): they must be text. */
		hstr(&c, str, sizeof(str));
		n = hnum(&c, 8);
		if (!c.bad && !htext(&c, n)) {
			snprintf(err, errlen,
				 "%s: corrupt trace.dat: %s is not text (byte offset %llu)",
				 s->path, str, (unsigned long long)c.off);
			return -1;
		}
		hskip(&c, n);
	}
	n = hnum(&c, 4); /* ftrace formats */
	for (uint64_t i = 0; i < n && !c.bad; i++) {
		hskip(&c, hnum(&c, 8));
	}
	n = hnum(&c, 4); /* event systems */
	for (uint64_t i = 0; i < n && !c.bad; i++) {
		uint64_t k;

		hstr(&c, str, sizeof(str));
		k = hnum(&c, 4);
		for (uint64_t j = 0; j < k && !c.bad; j++) {
			hskip(&c, hnum(&c, 8));
		}
	}
	hskip(&c, hnum(&c, 4)); /* kallsyms */
	hskip(&c, hnum(&c, 4)); /* printk formats */
	hskip(&c, hnum(&c, 8)); /* cmdlines */
	cpus = hnum(&c, 4);
	hread(&c, tag, 10);
	if (!c.bad && memcmp(tag, "options  ", 10) == 0) {
		while (!c.bad && hnum(&c, 2) != 0) {
			hskip(&c, hnum(&c, 4));
		}
		hread(&c, tag, 10);
	}
	if (c.bad) {
		goto truncated;
	}
	if (memcmp(tag, "flyrecord", 10) != 0) {
		return 0; /* latency text: nothing mapped */
	}
	for (uint64_t i = 0; i < cpus && !c.bad; i++) {
		uint64_t off = hnum(&c, 8), size = hnum(&c, 8);

		if (!c.bad && (off > c.size || size > c.size - off)) {
			snprintf(
				err, errlen,
				"%s: truncated trace.dat: the data of CPU %llu ends at byte offset "
				"%llu, the file has %llu bytes",
				s->path, (unsigned long long)i, (unsigned long long)(off + size),
				(unsigned long long)c.size);
			return -1;
		}
	}
	if (!c.bad) {
		return 0;
	}
truncated:
	snprintf(err, errlen, "%s: truncated trace.dat: headers end early at byte offset %llu",
		 s->path, (unsigned long long)c.off);
	return -1;
}

/*
 * libtracecmd 1.3 crashes in its own error path (tracecmd_close() of a
 * half-read handle) on some corrupt headers. Open the file once in a child
 * first: if that child dies, the file is corrupt, and we say so instead.
 */
static int probe_open(struct tdxr_src *s, char *err, size_t errlen)
{
	pid_t pid = fork();
	int st;

	if (pid < 0) {
		return 0; /* cannot probe: read it directly */
	}
	if (pid == 0) {
		struct tracecmd_input *h;

		tracecmd_set_loglevel(TEP_LOG_NONE);
		tep_set_loglevel(TEP_LOG_NONE);
		h = tracecmd_open(s->path, TRACECMD_FL_LOAD_NO_PLUGINS);
		_exit(h ? 0 : 1);
	}
	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR) {
			return 0;
		}
	}
	if (WIFSIGNALED(st)) {
		snprintf(err, errlen,
			 "%s: corrupt trace.dat: its headers make libtracecmd fail (signal %d)",
			 s->path, WTERMSIG(st));
		return -1;
	}
	return 0;
}

static enum tdxr_format dat_sniff(const struct tdxr_sniff *in, char *why, size_t whylen)
{
	(void)why;
	(void)whylen;
	return !in->is_dir && in->n >= 10 && memcmp(in->head, "\x17\x08\x44tracing", 10) == 0
		       ? TDXR_FMT_TRACE_DAT
		       : TDXR_FMT_AUTO;
}

static int dat_open(struct tdxr_src *s, const struct tdxr_sniff *in, char *err, size_t errlen)
{
	struct dat_priv *p = calloc(1, sizeof(*p));
	int n;

	if (!p) {
		snprintf(err, errlen, "%s: out of memory", s->path);
		return -1;
	}
	(void)in;
	s->priv = p;
	if (check_size(s, err, errlen) < 0) {
		return -1;
	}
	if (probe_open(s, err, errlen) < 0) {
		return -1;
	}
	tracecmd_set_loglevel(TEP_LOG_NONE);
	tep_set_loglevel(TEP_LOG_NONE);
	/* No plugins: payloads print with the format's own TP_printk, as in tracefs. */
	p->top = tracecmd_open(s->path, TRACECMD_FL_LOAD_NO_PLUGINS);
	if (!p->top) {
		snprintf(err, errlen, "%s: not a readable trace.dat (bad or truncated headers)",
			 s->path);
		return -1;
	}
	trace_seq_init(&p->seq);
	p->seq_init = true;
	if (add_streams(p, p->top) < 0) {
		snprintf(err, errlen, "%s: out of memory", s->path);
		return -1;
	}
	n = tracecmd_buffer_instances(p->top);
	if (n > 0) {
		p->inst = calloc((size_t)n, sizeof(*p->inst));
		if (!p->inst) {
			snprintf(err, errlen, "%s: out of memory", s->path);
			return -1;
		}
	}
	for (int i = 0; i < n; i++) {
		struct tracecmd_input *h = tracecmd_buffer_instance_handle(p->top, i);

		if (!h) {
			snprintf(err, errlen, "%s: cannot read buffer instance '%s'", s->path,
				 tracecmd_buffer_instance_name(p->top, i));
			return -1;
		}
		p->inst[p->nr_inst++] = h;
		if (add_streams(p, h) < 0) {
			snprintf(err, errlen, "%s: out of memory", s->path);
			return -1;
		}
	}
	return 0;
}

const struct tdxr_reader tdxr_reader_dat = {
	.name = "trace.dat",
	.formats = TDXR_FMT_BIT(TDXR_FMT_TRACE_DAT),
	.sniff = dat_sniff,
	.open = dat_open,
	.next = dat_next,
	.close = dat_close,
};
