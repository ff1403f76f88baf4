// SPDX-License-Identifier: GPL-2.0
/*
 * replay/src/text.c - the ftrace text reader: tracefs trace/trace_pipe,
 * trace-cmd report, and console/dmesg logs holding an ftrace_dump_on_oops
 * dump. Streaming, one pass, constant memory: one line buffer.
 *
 * Line shapes (see TRACING_NOTES.md):
 *   tracefs:    "  COMM-PID  [(TGID)] [CPU] [FLAGS] SECS.FRAC: EVENT: PAYLOAD"
 *   trace-cmd:  "  COMM-PID [CPU] [FLAGS] SECS.FRAC: EVENT:   PAYLOAD"
 *   console:    "[ SECS.FRAC] " + a latency-format line:
 *               "COMM8-PID CPUFLAGS  NNNus+: EVENT: PAYLOAD"       or verbose
 *               "COMM PID CPU FL PC IDX [TS] M.MMMms (+D.DDDms): EVENT: PAYLOAD"
 *   lost:       "CPU:N [LOST M EVENTS]", "CPU:N [M EVENTS DROPPED]",
 *               "##### CPU N buffer started ####"
 * COMM may hold blanks ("CPU 0/KVM") or be "<...>": it is split from the
 * right. File order is authoritative; `line` is the 1-based line.
 *
 * Variants also read: trace-cmd report's "NAME: " instance/file prefix,
 * its -l shape ("COMM8-PID CPUFLAGS SECS.FRAC:"), --ts-diff "(+N)"; the
 * tracefs latency-format; clocks that print counts, not seconds (counter,
 * uptime, x86-tsc: no dot; kept as raw counts, with a warning); sym-offset
 * names ("tracing_mark_write+0x8a/0x170:"); function tracer lines (kept as
 * unmodelled "function" events); "<stack trace>" and " => frame" lines
 * (skipped). Rejected with file:line: function_graph, the raw/hex trace
 * options, nocontext-info (no task/CPU/time columns). Other lines that are
 * not understood are skipped with a warning, never silently.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "klog_int.h"
#include "reader.h"

#define LINE_MAX_BYTES (1u << 20) /* longer lines are reported and skipped */
#define BUF_BYTES (4u << 20)

#define NAME_SLOTS 128
#define TDXR_HOLD_MAX 256

/* The text reader's state (s->priv), allocated by its open. */
struct text_state {
	/* one line buffer */
	char *buf; /* owned, cap + 1 bytes */
	size_t cap, start, end;
	bool eof;
	bool skipping; /* inside an over-long line */
	uint32_t lineno;
	uint16_t names[NAME_SLOTS]; /* known event names, hashed */

	/* console: KVM messages held back around an ftrace dump */
	struct tdxr_event held[TDXR_HOLD_MAX];
	unsigned int held_head, nheld, nready;
	struct tdxr_event stash; /* a trace event waiting behind held ones */
	bool has_stash;
	bool at_eof;
	int dump_state; /* 0 none, 1 header seen, 2 inside */
	bool dump_ended;

	/* kernel log lines (klog.c), owned */
	struct klog_rd *klog;

	/* what was warned about once */
	uint32_t nunknown;  /* lines not understood and skipped */
	bool concat_warned; /* a second "# tracer:" header seen */
	bool ticks_warned;  /* timestamps without a dot seen */
};

/* ---- known event names: a small open-addressing table ---------------- */

static uint32_t name_hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++) {
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	}
	return h;
}

static void names_init(struct text_state *ts)
{
	for (unsigned int t = 1; t < TDXR_EV__COUNT; t++) {
		const struct tdxr_event_desc *d = tdxr_event_desc(t);
		uint32_t i;

		/* log:* names are made by the console reader, not read from lines. */
		if (strcmp(d->system, "log") == 0) {
			continue;
		}
		i = name_hash(d->name, strlen(d->name)) & (NAME_SLOTS - 1);
		while (ts->names[i]) {
			i = (i + 1) & (NAME_SLOTS - 1);
		}
		ts->names[i] = (uint16_t)t;
	}
}

static unsigned int names_lookup(const struct text_state *t, const char *n, size_t len)
{
	uint32_t i = name_hash(n, len) & (NAME_SLOTS - 1);

	while (t->names[i]) {
		const char *dn = tdxr_event_desc(t->names[i])->name;

		if (strncmp(dn, n, len) == 0 && dn[len] == '\0') {
			return t->names[i];
		}
		i = (i + 1) & (NAME_SLOTS - 1);
	}
	return TDXR_EV_UNMODELLED;
}

/* ---- small scanning helpers ------------------------------------------- */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static const char *skip_blanks(const char *p, const char *end)
{
	while (p < end && is_blank(*p)) {
		p++;
	}
	return p;
}

/* Parses "SECS[.FRAC]" into ns; returns the end or NULL. */
static const char *parse_secs(const char *p, const char *end, uint64_t *ns)
{
	uint64_t secs = 0, frac = 0;
	int nfrac = 0;

	if (p >= end || !is_digit(*p)) {
		return NULL;
	}
	while (p < end && is_digit(*p)) {
		if (secs > UINT64_MAX / 10 / 1000000000ull) {
			return NULL;
		}
		secs = secs * 10 + (uint64_t)(*p++ - '0');
	}
	if (p < end && *p == '.') {
		p++;
		while (p < end && is_digit(*p)) {
			if (nfrac < 9) {
				frac = frac * 10 + (uint64_t)(*p - '0');
				nfrac++;
			}
			p++;
		}
		while (nfrac < 9) {
			frac *= 10;
			nfrac++;
		}
	}
	*ns = secs * 1000000000ull + frac;
	return p;
}

/*
 * A trace timestamp: "SECS.FRAC" into ns, or a clock count without a dot
 * (trace_clock counter, uptime, x86-tsc print "%llu") kept as is with
 * *ticks set. Returns the end or NULL.
 */
static const char *parse_ts(const char *p, const char *end, uint64_t *ns, bool *ticks)
{
	const char *q = p;
	uint64_t v = 0;

	while (q < end && is_digit(*q)) {
		q++;
	}
	if (q == p) {
		return NULL;
	}
	if (q < end && *q == '.') {
		*ticks = false;
		return parse_secs(p, end, ns);
	}
	for (; p < q; p++) {
		if (v > (UINT64_MAX - 9) / 10) {
			return NULL;
		}
		v = v * 10 + (uint64_t)(*p - '0');
	}
	*ticks = true;
	*ns = v;
	return q;
}

static bool parse_int(const char *p, const char *end, long long *out)
{
	bool neg = false;
	long long v = 0;

	if (p < end && *p == '-') {
		neg = true;
		p++;
	}
	if (p >= end) {
		return false;
	}
	for (; p < end; p++) {
		if (!is_digit(*p) || v > 100000000000000ll) {
			return false;
		}
		v = v * 10 + (*p - '0');
	}
	*out = neg ? -v : v;
	return true;
}

/* ---- lost-events markers ---------------------------------------------- */

/* Returns true if the line is a lost-events marker; records it. */
static bool parse_lost(struct tdxr_src *s, const char *p, const char *end)
{
	unsigned long long n = 0;
	int cpu = 0;
	char tail[32];

	if (end - p > 200) {
		return false;
	}
	char buf[256];
	size_t len = (size_t)(end - p);

	memcpy(buf, p, len);
	buf[len] = '\0';
	if (sscanf(buf, "CPU:%d [LOST %llu EVENTS%31[]]", &cpu, &n, tail) == 3 ||
	    sscanf(buf, "CPU:%d [%llu EVENTS DROPPED%31[]]", &cpu, &n, tail) == 3) {
		tdxr_src_add_lost(s, true, n);
		return true;
	}
	if (sscanf(buf, "##### CPU %d buffer started ###%31[#]", &cpu, tail) == 2) {
		tdxr_src_add_lost(s, false, 0);
		return true;
	}
	return false;
}

/* ---- event lines -------------------------------------------------------- */

struct line_head {
	const char *comm; /* comm text, trimmed */
	size_t comm_len;
	long long pid;
	long long tgid; /* -1: none */
	long long cpu;
	uint64_t ts;
	bool ticks;	  /* ts is a clock count, not ns */
	const char *name; /* event name; NULL: no "EVENT:" (function tracer) */
	size_t name_len;
	const char *payload;
};

/* Splits "COMM-PID" (already trimmed) from the right. */
static bool split_comm_pid(const char *b, const char *e, struct line_head *h)
{
	const char *d = e;

	while (d > b && is_digit(d[-1])) {
		d--;
	}
	if (d == e || d == b || d[-1] != '-' || !parse_int(d, e, &h->pid)) {
		return false;
	}
	e = d - 1;
	/* trace-cmd report of several instances or inputs: "NAME: COMM-PID" */
	const char *c = memchr(b, ':', (size_t)(e - b));

	if (c && c + 1 < e && is_blank(c[1])) {
		b = c + 2;
	}
	while (b < e && is_blank(*b)) {
		b++;
	}
	h->comm = b;
	h->comm_len = (size_t)(e - b);
	return true;
}

/*
 * "EVENT: PAYLOAD" at p; fills name and payload. trace-cmd --ts-diff puts
 * "(+N)" first; sym-offset and sym-addr print markers and bprint as
 * "tracing_mark_write+0x8a/0x170 <ffffffff8149895a>:" (both dropped). Without "EVENT:" (function tracer: "func <-parent",
 * "<stack trace>") name is NULL and payload the whole rest.
 */
static bool split_event(const char *p, const char *end, struct line_head *h)
{
	const char *n, *plus;

	if (p + 1 < end && p[0] == '(' && p[1] == '+') {
		const char *r = memchr(p, ')', (size_t)(end - p));

		if (r) {
			p = skip_blanks(r + 1, end);
		}
	}
	n = p;
	while (p < end && *p != ':' && !is_blank(*p)) {
		p++;
	}
	/* sym-addr: "tracing_mark_write <ffffffff8149895a>: MSG" */
	if (p + 2 < end && p > n && *p == ' ' && p[1] == '<' &&
	    (is_digit(p[2]) || (p[2] >= 'a' && p[2] <= 'f'))) {
		const char *gt = memchr(p, '>', (size_t)(end - p));

		if (gt && gt + 1 < end && gt[1] == ':') {
			h->name = n;
			h->name_len = (size_t)(p - n);
			p = gt + 1;
			goto strip_offset;
		}
	}
	if (p == n || p >= end || *p != ':') {
		h->name = NULL;
		h->name_len = 0;
		h->payload = n;
		return n < end;
	}
	h->name = n;
	h->name_len = (size_t)(p - n);
strip_offset:
	plus = memchr(n, '+', h->name_len);
	if (plus && plus > n && plus + 2 < p && plus[1] == '0' && plus[2] == 'x') {
		h->name_len = (size_t)(plus - n);
	}
	p++;
	h->payload = skip_blanks(p, end);
	return true;
}

/* tracefs / trace-cmd report line. */
static bool parse_std_line(const char *b, const char *end, struct line_head *h)
{
	const char *p = b, *q, *lb = NULL;

	/* The CPU column: the first "[ddd]" preceded by a blank. */
	for (p = b; (p = memchr(p, '[', (size_t)(end - p))) != NULL; p++) {
		q = p + 1;
		while (q < end && is_digit(*q)) {
			q++;
		}
		if (q > p + 1 && q < end && *q == ']' && p > b && is_blank(p[-1])) {
			lb = p;
			break;
		}
	}
	if (!lb || !parse_int(lb + 1, q, &h->cpu)) {
		return false;
	}
	/* Left of it: COMM-PID, optionally followed by "(TGID)". */
	const char *le = lb;

	while (le > b && is_blank(le[-1])) {
		le--;
	}
	h->tgid = -1;
	if (le > b && le[-1] == ')') {
		const char *op = le - 1;

		while (op > b && *op != '(') {
			op--;
		}
		if (*op != '(') {
			return false;
		}
		const char *t = skip_blanks(op + 1, le - 1);

		if (!parse_int(t, le - 1, &h->tgid)) {
			h->tgid = -1; /* "(-------)": unknown tgid */
		}
		le = op;
		while (le > b && is_blank(le[-1])) {
			le--;
		}
	}
	if (!split_comm_pid(b, le, h)) {
		return false;
	}
	/* Right of it: [FLAGS] TIMESTAMP: */
	p = skip_blanks(q + 1, end);
	const char *tok = p;

	while (p < end && !is_blank(*p)) {
		p++;
	}
	if (p > tok && p[-1] != ':') {
		/* irq-info flags column */
		p = skip_blanks(p, end);
		tok = p;
		while (p < end && !is_blank(*p)) {
			p++;
		}
	}
	if (p == tok || p[-1] != ':') {
		return false;
	}
	if (parse_ts(tok, p - 1, &h->ts, &h->ticks) != p - 1) {
		return false;
	}
	return split_event(skip_blanks(p, end), end, h);
}

/* trace-cmd report -l: "COMM8-PID CPUFLAGS SECS.FRAC: EVENT: PAYLOAD". */
static bool parse_tclat_line(const char *b, const char *end, struct line_head *h)
{
	const char *p, *t, *le, *tk, *cd;

	for (p = b; (p = memchr(p, ':', (size_t)(end - p))) != NULL; p++) {
		if (p + 1 < end && !is_blank(p[1])) {
			continue;
		}
		t = p;
		while (t > b && (is_digit(t[-1]) || t[-1] == '.')) {
			t--;
		}
		if (t == p || t == b || !is_blank(t[-1])) {
			continue;
		}
		if (parse_ts(t, p, &h->ts, &h->ticks) != p) {
			return false;
		}
		/* The token before the time: CPU glued to the flags. */
		le = t;
		while (le > b && is_blank(le[-1])) {
			le--;
		}
		tk = le;
		while (tk > b && !is_blank(tk[-1])) {
			tk--;
		}
		cd = tk;
		while (cd < le && is_digit(*cd)) {
			cd++;
		}
		if (cd == tk || !parse_int(tk, cd, &h->cpu)) {
			return false;
		}
		while (tk > b && is_blank(tk[-1])) {
			tk--;
		}
		h->tgid = -1;
		if (!split_comm_pid(b, tk, h)) {
			return false;
		}
		return split_event(skip_blanks(p + 1, end), end, h) && h->name;
	}
	return false;
}

/* Latency format of ftrace_dump_on_oops (after the printk prefix). */
static bool parse_lat_line(const char *b, const char *end, struct line_head *h)
{
	const char *p, *colon = NULL, *ts_b, *le;

	/* Non-verbose: " NNNNus?: " ; find "us" + marker + ':' */
	for (p = b; p + 3 < end; p++) {
		if (p[0] == 'u' && p[1] == 's' && p[3] == ':' && p > b && is_digit(p[-1])) {
			colon = p + 3;
			break;
		}
	}
	if (colon) {
		ts_b = p;
		while (ts_b > b && is_digit(ts_b[-1])) {
			ts_b--;
		}
		long long us;

		if (!parse_int(ts_b, p, &us)) {
			return false;
		}
		h->ts = (uint64_t)us * 1000;
		h->ticks = false;
		le = ts_b;
		while (le > b && is_blank(le[-1])) {
			le--;
		}
		/* le ends "...-PID  CPUFLAGS": the last token is CPU + flags. */
		const char *tk = le;

		while (tk > b && !is_blank(tk[-1])) {
			tk--;
		}
		const char *cd = tk;

		while (cd < le && is_digit(*cd)) {
			cd++;
		}
		if (cd == tk || !parse_int(tk, cd, &h->cpu)) {
			return false;
		}
		le = tk;
		while (le > b && is_blank(le[-1])) {
			le--;
		}
		h->tgid = -1;
		if (!split_comm_pid(b, le, h)) {
			return false;
		}
		return split_event(skip_blanks(colon + 1, end), end, h);
	}
	/* Verbose: "COMM PID CPU FL PC IDX [TS] M.MMMms (+D.DDDms): " */
	const char *ms = memmem(b, (size_t)(end - b), "ms (+", 5);

	if (!ms) {
		return false;
	}
	colon = memmem(ms, (size_t)(end - ms), "ms): ", 5);
	if (!colon) {
		return false;
	}
	colon += 3;
	ts_b = ms;
	while (ts_b > b && (is_digit(ts_b[-1]) || ts_b[-1] == '.')) {
		ts_b--;
	}
	uint64_t ns;

	if (parse_secs(ts_b, ms, &ns) != ms) {
		return false;
	}
	h->ts = ns / 1000; /* "M.MMM" ms read as seconds: scale to ns */
	h->ticks = false;
	/* Tokens before "[TS]": COMM PID CPU FL PC IDX */
	le = ts_b;
	while (le > b && is_blank(le[-1])) {
		le--;
	}
	if (le == b || le[-1] != ']') {
		return false;
	}
	while (le > b && le[-1] != '[') {
		le--;
	}
	if (le == b) {
		return false;
	}
	le--;
	const char *tok_e[6], *tok_b[6];
	int nt = 0;
	const char *x = le;

	while (nt < 5) {
		while (x > b && is_blank(x[-1])) {
			x--;
		}
		tok_e[nt] = x;
		while (x > b && !is_blank(x[-1])) {
			x--;
		}
		tok_b[nt] = x;
		if (tok_b[nt] == tok_e[nt]) {
			return false;
		}
		nt++;
	}
	/* tok[4] = PID, tok[3] = CPU (IDX, PC, FL are 0..2) */
	if (!parse_int(tok_b[3], tok_e[3], &h->cpu) || !parse_int(tok_b[4], tok_e[4], &h->pid)) {
		return false;
	}
	while (x > b && is_blank(x[-1])) {
		x--;
	}
	h->comm = skip_blanks(b, x);
	h->comm_len = (size_t)(x - h->comm);
	h->tgid = -1;
	return split_event(skip_blanks(colon + 1, end), end, h);
}

/* ---- the reader ---------------------------------------------------------- */

static void warnf(struct tdxr_src *s, const char *fmt, ...)
{
	va_list ap;
	FILE *f = s->opts.err ? s->opts.err : stderr;

	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
}

/* Next line in [*b, *e) without the newline; 1 ok, 0 EOF, -1 error. */
static int next_line(struct tdxr_src *s, const char **b, const char **e)
{
	struct text_state *t = s->priv;
	for (;;) {
		char *nl = memchr(t->buf + t->start, '\n', t->end - t->start);

		if (nl) {
			*b = t->buf + t->start;
			*e = nl;
			s->consumed += (uint64_t)(nl + 1 - *b);
			t->start = (size_t)(nl + 1 - t->buf);
			return 1;
		}
		if (t->eof) {
			if (t->start < t->end) {
				/* Last line without a newline. */
				*b = t->buf + t->start;
				*e = t->buf + t->end;
				s->consumed += t->end - t->start;
				t->start = t->end;
				return 1;
			}
			return 0;
		}
		if (t->start > 0) {
			memmove(t->buf, t->buf + t->start, t->end - t->start);
			t->end -= t->start;
			t->start = 0;
		}
		if (t->end == t->cap) {
			/* A line longer than the buffer: report it and drop it. */
			if (t->cap >= LINE_MAX_BYTES) {
				warnf(s, "%s:%u: line longer than %u bytes skipped\n", s->path,
				      t->lineno + 1, LINE_MAX_BYTES);
				t->skipping = true;
				s->consumed += t->end;
				t->end = 0;
			} else {
				size_t ncap = t->cap * 2;
				char *nb = realloc(t->buf, ncap + 1);

				if (!nb) {
					snprintf(s->err, sizeof(s->err), "%s: out of memory",
						 s->path);
					return -1;
				}
				t->buf = nb;
				t->cap = ncap;
			}
		}
		ssize_t n = read(s->fd, t->buf + t->end, t->cap - t->end);

		if (n < 0) {
			if (errno == EINTR) {
				continue;
			}
			snprintf(s->err, sizeof(s->err), "%s: read error at byte offset %llu: %s",
				 s->path, (unsigned long long)(s->consumed + (t->end - t->start)),
				 strerror(errno));
			return -1;
		}
		if (n == 0) {
			t->eof = true;
		}
		t->end += (size_t)n;
		if (t->skipping) {
			char *nl2 = memchr(t->buf, '\n', t->end);

			if (!nl2) {
				s->consumed += t->end;
				t->end = 0;
				if (t->eof) {
					t->skipping = false;
				}
				continue;
			}
			s->consumed += (uint64_t)(nl2 + 1 - t->buf);
			t->start = (size_t)(nl2 + 1 - t->buf);
			t->lineno++;
			t->skipping = false;
		}
	}
}

static bool starts(const char *p, const char *end, const char *lit)
{
	size_t n = strlen(lit);

	return (size_t)(end - p) >= n && memcmp(p, lit, n) == 0;
}

/* A '#' line: "# tracer: function_graph" cannot be read. 0 ok, -1 error. */
static int comment_line(struct tdxr_src *s, const char *p, const char *end)
{
	struct text_state *t = s->priv;
	if (starts(p, end, "# tracer: function_graph")) {
		snprintf(s->err, sizeof(s->err),
			 "%s:%u: function_graph output: its lines carry no event timestamps "
			 "or tasks; capture with the nop tracer (or trace-cmd report) instead",
			 s->path, t->lineno);
		return -1;
	}
	/* Two captures in one file: the second one's times may go back. */
	if (starts(p, end, "# tracer:") && s->stats.events > 0 && !t->concat_warned) {
		t->concat_warned = true;
		warnf(s,
		      "%s:%u: a second capture starts here; its events follow the first "
		      "one's in file order whatever their times\n",
		      s->path, t->lineno);
	}
	return 0;
}

/*
 * The raw/hex trace options: "PID CPU TS" (decimal or hex) and then
 * "type: N", "# IP MSG" (markers) or more numbers (function tracer).
 */
static bool raw_line(const char *p, const char *end)
{
	const char *q = p;
	int n = 0;

	while (n < 3 && q < end) {
		const char *t = q;

		while (q < end && ((*q >= '0' && *q <= '9') || (*q >= 'a' && *q <= 'f'))) {
			q++;
		}
		if (q == t || q >= end || !is_blank(*q)) {
			return false;
		}
		n++;
		q = skip_blanks(q, end);
	}
	return n == 3 && (starts(q, end, "type: ") || starts(q, end, "# ") ||
			  (q < end && ((*q >= '0' && *q <= '9') || (*q >= 'a' && *q <= 'f'))));
}

/*
 * trace-cmd report --debug ends each event with " [DELTA:0xOFFSET:SIZE]";
 * returns the payload end without it.
 */
static const char *strip_tc_debug(const char *b, const char *e)
{
	const char *p = e - 1;
	int colons = 0;

	while (p > b && p[-1] != '[') {
		p--;
		if (*p == ':') {
			colons++;
		} else if (!is_digit(*p) && *p != 'x' && !(*p >= 'a' && *p <= 'f')) {
			return e;
		}
	}
	if (p - 1 <= b || colons != 2 || !is_blank(p[-2]) || !is_digit(*p)) {
		return e;
	}
	p -= 2;
	while (p > b && is_blank(p[-1])) {
		p--;
	}
	return p;
}

enum other { OTHER_SKIP, OTHER_EVENT, OTHER_ERROR };

/*
 * A line of an ftrace text file that is not a tracefs/trace-cmd event
 * line: another shape of event line, a known non-event line (skipped), an
 * unreadable variant (error), or unknown (skipped with a warning).
 */
static enum other other_line(struct tdxr_src *s, const char *p, const char *end,
			     struct line_head *h)
{
	struct text_state *t = s->priv;
	const char *q;

	if (parse_lat_line(p, end, h) || parse_tclat_line(p, end, h)) {
		return OTHER_EVENT;
	}
	/* Frames of a "<stack trace>" event (options/stacktrace, WARNs). */
	if (starts(p, end, "=> ")) {
		return OTHER_SKIP;
	}
	/* trace-cmd report: "version = 6", "cpus=2", "CPU 0 is empty", --debug
	 * "CPU:1 [SUBBUFFER START]", each maybe after a "NAME: " prefix. */
	q = p;
	while (q < end && !is_blank(*q) && *q != ':') {
		q++;
	}
	if (q + 1 < end && *q == ':' && is_blank(q[1])) {
		q = skip_blanks(q + 1, end);
	} else {
		q = p;
	}
	if (starts(q, end, "version = ") || starts(q, end, "cpus=") || starts(q, end, "CPU:") ||
	    (starts(q, end, "CPU ") && memmem(q, (size_t)(end - q), " is empty", 9))) {
		return OTHER_SKIP;
	}
	if (raw_line(p, end)) {
		snprintf(s->err, sizeof(s->err),
			 "%s:%u: ftrace output printed with the raw, hex or bin trace option "
			 "(\"PID CPU TS type: N\"): it cannot be read; clear those options "
			 "(echo 0 > options/raw) and read the trace again",
			 s->path, t->lineno);
		return OTHER_ERROR;
	}
	/* nocontext-info: "kvm_exit: ..." with no task, CPU or time: a name
	 * of [a-z0-9_] with an underscore, then ": ". */
	bool under = false;

	q = p;
	while (q < end && ((*q >= 'a' && *q <= 'z') || is_digit(*q) || *q == '_')) {
		under |= *q == '_';
		q++;
	}
	if (under && q + 1 < end && *q == ':' && is_blank(q[1])) {
		snprintf(s->err, sizeof(s->err),
			 "%s:%u: event line without task, CPU and timestamp columns (trace "
			 "option nocontext-info?): events cannot be ordered or attributed; "
			 "set options/context-info and read the trace again",
			 s->path, t->lineno);
		return OTHER_ERROR;
	}
	if (++t->nunknown <= 5) {
		warnf(s, "%s:%u: line not understood, skipped: %.*s\n", s->path, t->lineno,
		      (int)(end - p > 80 ? 80 : end - p), p);
	}
	return OTHER_SKIP;
}

static void fill_common(struct tdxr_src *s, struct tdxr_event *ev, const struct line_head *h)
{
	ev->ts = h->ts;
	ev->cpu = (int32_t)h->cpu;
	ev->tid = (int32_t)h->pid;
	ev->tgid = (int32_t)h->tgid;
	ev->vm = -1;
	ev->vcpu = -1;
	ev->comm = tdxr_strtab_intern(s->st, h->comm, h->comm_len);
}

/*
 * The next event in file order. *is_log tells a console's KVM message
 * (log:*) from a trace event. Returns 1, 0 at the end, -1 on error.
 */
static int read_one(struct tdxr_src *s, struct tdxr_event *ev, bool *is_log)
{
	struct text_state *t = s->priv;
	const char *b, *e;
	int r;

	*is_log = false;
	for (;;) {
		struct line_head h;
		struct klog_pfx pf;
		const char *p;
		size_t raw_len;

		/* kernel log records leave in file order once complete */
		if (tdxr_klog_pop(t->klog, ev)) {
			*is_log = true;
			goto produced;
		}
		if ((r = next_line(s, &b, &e)) != 1) {
			break;
		}
		t->lineno++;
		s->stats.lines++;
		raw_len = (size_t)(e - b);
		/* every line's own prefix: printk time, journal, quoting... */
		p = tdxr_klog_strip(b, e, &e, &pf);
		if (p >= e) {
			if (pf.log) {
				tdxr_klog_line(t->klog, p, e, &pf, t->lineno, raw_len);
			}
			continue;
		}
		if (*p == '#') {
			if (parse_lost(s, p, e)) {
				continue;
			}
			if (comment_line(s, p, e) < 0) {
				return -1;
			}
			continue; /* header and comment lines */
		}
		if (*p == 'C' && parse_lost(s, p, e)) {
			continue;
		}
		if (s->fmt == TDXR_FMT_CONSOLE) {
			/* ftrace_dump_on_oops: "Dumping ftrace buffer:", dashes,
			 * the events, dashes. */
			if ((size_t)(e - p) >= 22 && memcmp(p, "Dumping ftrace buffer:", 22) == 0) {
				t->dump_state = 1;
				tdxr_klog_eof(t->klog); /* the splat before it is complete */
				continue;
			}
			if ((size_t)(e - p) >= 20 && strspn(p, "-") == (size_t)(e - p)) {
				if (t->dump_state == 1) {
					t->dump_state = 2;
				} else if (t->dump_state == 2) {
					t->dump_state = 0;
					t->dump_ended = true;
				}
				continue;
			}
			if (!parse_std_line(p, e, &h) && !parse_lat_line(p, e, &h)) {
				if (!tdxr_klog_line(t->klog, p, e, &pf, t->lineno, raw_len) &&
				    ++t->nunknown <= 5) {
					warnf(s, "%s:%u: line not understood, skipped: %.*s\n",
					      s->path, t->lineno, (int)(e - p > 80 ? 80 : e - p),
					      p);
				}
				continue;
			}
		} else if (!parse_std_line(p, e, &h)) {
			enum other o;

			/* kernel log lines (docs/design.md §5.1) in any text input */
			if (tdxr_klog_line(t->klog, p, e, &pf, t->lineno, raw_len)) {
				continue;
			}
			o = other_line(s, p, e, &h);

			if (o == OTHER_ERROR) {
				return -1;
			}
			if (o == OTHER_SKIP) {
				continue;
			}
		}
		if (!h.name) {
			/* "<stack trace>" events: their frames follow as "=>" lines. */
			if (*h.payload == '<') {
				continue;
			}
			/* The function tracer: "func <-parent". */
			h.name = "function";
			h.name_len = 8;
		}
		if (h.ticks && !t->ticks_warned) {
			t->ticks_warned = true;
			warnf(s,
			      "%s:%u: timestamps are clock counts, not seconds (trace_clock "
			      "counter, uptime or x86-tsc?): kept as raw counts; times and "
			      "merges with other inputs are meaningless\n",
			      s->path, t->lineno);
		}

		memset(ev, 0, sizeof(*ev));
		fill_common(s, ev, &h);
		ev->line = t->lineno;
		ev->input = (uint16_t)s->opts.input;
		if (e[-1] == ']') {
			e = strip_tc_debug(h.payload, e);
		}
		ev->type = (uint16_t)names_lookup(t, h.name, h.name_len);
		if (ev->type != TDXR_EV_UNMODELLED) {
			const char *why = "?";

			if (tdxr_decode_payload(ev->type, h.payload, (size_t)(e - h.payload), ev,
						s->st, &why) < 0) {
				s->stats.bad_payloads++;
				if (s->opts.strict) {
					snprintf(s->err, sizeof(s->err),
						 "%s:%u: cannot parse %.*s: %s", s->path, t->lineno,
						 (int)h.name_len, h.name, why);
					return -1;
				}
				warnf(s, "%s:%u: cannot parse %.*s: %s\n", s->path, t->lineno,
				      (int)h.name_len, h.name, why);
				ev->type = TDXR_EV_UNMODELLED;
			}
		}
		if (ev->type == TDXR_EV_UNMODELLED) {
			memset(ev->f, 0, sizeof(ev->f));
			ev->fmask = 0;
			ev->name = tdxr_strtab_intern(s->st, h.name, h.name_len);
			/* The payload is borrowed from the line buffer: NUL-terminate in place. */
			*(char *)e = '\0';
			ev->raw = h.payload;
		}
		if (h.tgid >= 0) {
			s->stats.has_tgid = true;
		}
	produced:
		tdxr_src_produce(s, ev);
		return 1;
	}
	if (r == 0) {
		tdxr_klog_eof(t->klog);
		if (tdxr_klog_pop(t->klog, ev)) {
			*is_log = true;
			tdxr_src_produce(s, ev);
			return 1;
		}
	}
	return r < 0 ? -1 : 0;
}

/*
 * Console logs put the WARN (and KVM's "SEAMCALL ... failed" line) that
 * triggered an ftrace_dump_on_oops *before* the dump, although every
 * event in the dump happened before them. So KVM messages are held back
 * briefly: those logged within TDXR_HOLD_NS before a dump are released
 * after it, the others in file order. Memory: at most TDXR_HOLD_MAX.
 */
#define TDXR_HOLD_NS (5ull * 1000000000ull)

static void held_push(struct tdxr_src *s, const struct tdxr_event *ev)
{
	struct text_state *t = s->priv;
	t->held[(t->held_head + t->nheld) % TDXR_HOLD_MAX] = *ev;
	t->nheld++;
}

static void held_pop(struct tdxr_src *s, struct tdxr_event *ev)
{
	struct text_state *t = s->priv;
	*ev = t->held[t->held_head];
	t->held_head = (t->held_head + 1) % TDXR_HOLD_MAX;
	t->nheld--;
	if (t->nready) {
		t->nready--;
	}
}

static int text_next(struct tdxr_src *s, struct tdxr_event *ev)
{
	struct text_state *t = s->priv;
	struct tdxr_event tmp;
	bool is_log;
	int r;

	for (;;) {
		if (t->dump_ended) {
			t->dump_ended = false;
			t->nready = t->nheld;
		}
		if (t->nready) {
			held_pop(s, ev);
			return 1;
		}
		if (t->has_stash) {
			if (t->nheld && t->dump_state != 2) {
				t->nready = t->nheld;
				continue;
			}
			*ev = t->stash;
			t->has_stash = false;
			return 1;
		}
		if (t->at_eof) {
			if (t->nheld) {
				t->nready = t->nheld;
				continue;
			}
			break;
		}
		r = read_one(s, &tmp, &is_log);
		if (r < 0) {
			return -1;
		}
		if (r == 0) {
			t->at_eof = true;
			continue;
		}
		if (is_log) {
			unsigned int k = t->nready;

			/* Held messages much older than this one belong before it. */
			while (k < t->nheld &&
			       t->held[(t->held_head + k) % TDXR_HOLD_MAX].ts + TDXR_HOLD_NS <
				       tmp.ts) {
				k++;
			}
			if (t->dump_state != 2) {
				t->nready = k;
			}
			if (t->nheld == TDXR_HOLD_MAX) {
				/* Full: the oldest goes out now, in front. */
				if (t->nready == 0) {
					t->nready = 1;
				}
				held_pop(s, ev);
				held_push(s, &tmp);
				return 1;
			}
			held_push(s, &tmp);
			continue;
		}
		if (t->nheld && t->dump_state != 2) {
			t->stash = tmp;
			t->has_stash = true;
			continue;
		}
		*ev = tmp;
		return 1;
	}
	if (s->pend_lost_flags) {
		s->stats.trailing_lost = true;
	}
	/* a kernel log with nothing about KVM/TDX is read, not refused */
	if (s->stats.events == 0 && s->stats.lost_records == 0 && s->stats.log_lines == 0 &&
	    s->stats.log_records == 0) {
		snprintf(s->err, sizeof(s->err), "%s: no trace events found (%llu lines read)",
			 s->path, (unsigned long long)s->stats.lines);
		return -1;
	}
	return 0;
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
 * Any text is ours: with printk "[ secs.frac]" prefixes on most lines it
 * is a console log, else ftrace text. Binary data is not.
 */
static enum tdxr_format text_sniff(const struct tdxr_sniff *in, char *why, size_t whylen)
{
	size_t lines = 0, printk = 0;

	if (in->is_dir) {
		return TDXR_FMT_AUTO;
	}
	for (size_t i = 0; i < in->n; i++) {
		unsigned char c = in->head[i];

		if (c == 0 || (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != 0x1b)) {
			snprintf(why, whylen, "%s: not a trace: binary data at byte offset %zu",
				 in->path, i);
			return TDXR_FMT_AUTO;
		}
	}
	for (const char *p = (const char *)in->head, *end = p + in->n; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		if (!nl) {
			break;
		}
		lines++;
		printk += looks_printk(p, nl);
		p = nl + 1;
	}
	return (lines > 0 && printk * 2 >= lines) ? TDXR_FMT_CONSOLE : TDXR_FMT_FTRACE;
}

/* The bytes sniffed are the buffer's first fill. */
static int text_open(struct tdxr_src *s, const struct tdxr_sniff *in, char *err, size_t errlen)
{
	struct text_state *t = calloc(1, sizeof(*t));

	s->priv = t;
	if (t) {
		t->cap = BUF_BYTES > in->n ? BUF_BYTES : in->n;
		t->buf = malloc(t->cap + 1);
	}
	if (!t || !t->buf) {
		snprintf(err, errlen, "%s: out of memory", s->path);
		return -1;
	}
	memcpy(t->buf, in->head, in->n);
	t->end = in->n;
	names_init(t);
	t->klog = tdxr_klog_new(s);
	if (!t->klog) {
		snprintf(err, errlen, "%s: out of memory", s->path);
		return -1;
	}
	return 0;
}

static void text_close(struct tdxr_src *s)
{
	struct text_state *t = s->priv;

	if (t) {
		tdxr_klog_free(t->klog);
		free(t->buf);
		free(t);
		s->priv = NULL;
	}
}

const struct tdxr_reader tdxr_reader_text = {
	.name = "text",
	.formats = TDXR_FMT_BIT(TDXR_FMT_FTRACE) | TDXR_FMT_BIT(TDXR_FMT_CONSOLE),
	.sniff = text_sniff,
	.open = text_open,
	.next = text_next,
	.close = text_close,
};
