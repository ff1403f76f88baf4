// SPDX-License-Identifier: GPL-2.0
/*
 * replay/src/filter.c - trace-cmd -F filters compiled against the schema
 * (grammar and semantics in tdxr/filter.h).
 *
 * A filter is compiled once into
 *   - the set of modelled event types its patterns select (a bitmap), plus
 *     the pattern regexes for unmodelled events, whose names are only known
 *     at match time (their verdicts are cached by interned name id);
 *   - an expression tree in one array of nodes. A field node carries its
 *     resolution for every event type (slot in ev->f[] and type), so
 *     matching is array lookups, comparisons and, for =~, one regexec: no
 *     allocation, no name lookup.
 */
#include "tdxr/filter.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <regex.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FLT_MAX_NODES 4096
#define FLT_MAX_DEPTH 200
#define FLT_CACHE_SIZE 256 /* power of two */

enum flt_op {
	FLT_OR,
	FLT_AND,
	FLT_NOT,
	FLT_EQ,
	FLT_NE,
	FLT_LT,
	FLT_LE,
	FLT_GT,
	FLT_GE,
	FLT_RE,
	FLT_NRE,
	FLT_BAND,
	FLT_FIELD,
	FLT_NUM,
	FLT_STR,
};

/* Common fields: carried by every event (struct tdxr_event's header). */
enum flt_common {
	FLT_C_NONE,
	FLT_C_CPU,
	FLT_C_TID,
	FLT_C_TGID,
	FLT_C_COMM,
	FLT_C_VM,
	FLT_C_VCPU,
	FLT_C_SEQ,
	FLT_C_TS,
	FLT_C_LINE,
	FLT_C_INPUT,
};

static const struct {
	const char *name;
	enum flt_common id;
	enum tdxr_field_type type;
} flt_commons[] = {
	{"cpu", FLT_C_CPU, TDXR_FT_S32},
	{"tid", FLT_C_TID, TDXR_FT_S32},
	{"pid", FLT_C_TID, TDXR_FT_S32},
	{"tgid", FLT_C_TGID, TDXR_FT_S32},
	{"comm", FLT_C_COMM, TDXR_FT_STR},
	{"vm", FLT_C_VM, TDXR_FT_S32},
	{"vcpu", FLT_C_VCPU, TDXR_FT_S32},
	{"seq", FLT_C_SEQ, TDXR_FT_U64},
	{"ts", FLT_C_TS, TDXR_FT_U64},
	{"line", FLT_C_LINE, TDXR_FT_U32},
	{"input", FLT_C_INPUT, TDXR_FT_U32},
	/* trace-cmd's spellings of the same */
	{"common_pid", FLT_C_TID, TDXR_FT_S32},
	{"COMM", FLT_C_COMM, TDXR_FT_STR},
	{"CPU", FLT_C_CPU, TDXR_FT_S32},
};

/* One node of the expression tree; children are indices into nodes[]. */
struct flt_node {
	uint8_t op;		       /* enum flt_op */
	uint8_t common;		       /* FIELD: enum flt_common, FLT_C_NONE if not common */
	bool neg;		       /* NUM: the literal is negative (u is two's complement) */
	int32_t a, b;		       /* children (-1 none) */
	uint32_t col;		       /* 1-based column, for messages */
	uint64_t u;		       /* NUM */
	char *s;		       /* owned: STR literal; FIELD: the name */
	regex_t *re;		       /* owned: RE/NRE, the compiled right-hand literal */
	int8_t slot[TDXR_EV__COUNT];   /* FIELD: ev->f[] index per type, -1 none */
	uint8_t ftype[TDXR_EV__COUNT]; /* FIELD: enum tdxr_field_type per type */
};

struct flt_pattern {
	regex_t *sys;  /* owned, NULL: no SYSTEM part */
	regex_t *name; /* owned */
};

/* Verdicts on unmodelled event names, by interned id (1 no, 2 yes). */
struct flt_cache {
	const struct tdxr_strtab *st; /* borrowed: the table the ids are from */
	uint32_t id[FLT_CACHE_SIZE];
	uint8_t verdict[FLT_CACHE_SIZE];
};

struct tdxr_filter {
	bool all_events;	       /* no event list: every event */
	bool selected[TDXR_EV__COUNT]; /* modelled types the patterns select */
	bool any_modelled;	       /* some modelled type is selected */
	struct flt_pattern *pat;       /* owned, npat entries */
	unsigned int npat;
	struct flt_node *nodes; /* owned */
	unsigned int nnodes;
	unsigned int capnodes;
	int32_t root;		 /* -1: no condition (always true) */
	struct flt_cache *cache; /* owned; mutable through a const filter */
};

/* ---- values ------------------------------------------------------------ */

enum flt_kind { FLT_V_ABSENT, FLT_V_NUM, FLT_V_STR };

struct flt_val {
	uint8_t kind;
	bool neg;      /* NUM: negative (signed value < 0) */
	uint64_t u;    /* NUM: the value, two's complement when neg */
	const char *s; /* STR: borrowed from the strtab or the filter */
};

static struct flt_val flt_num(uint64_t u, bool neg)
{
	struct flt_val v = {FLT_V_NUM, neg, u, NULL};

	return v;
}

static struct flt_val flt_typed(enum tdxr_field_type t, uint64_t raw, const struct tdxr_strtab *st)
{
	struct flt_val v = {FLT_V_NUM, false, 0, NULL};

	switch (t) {
	case TDXR_FT_U64:
		v.u = raw;
		break;
	case TDXR_FT_U32:
		v.u = (uint32_t)raw;
		break;
	case TDXR_FT_S32: {
		int64_t x = (int32_t)(uint32_t)raw;

		v.u = (uint64_t)x;
		v.neg = x < 0;
		break;
	}
	case TDXR_FT_S64:
		v.u = raw;
		v.neg = (int64_t)raw < 0;
		break;
	case TDXR_FT_STR:
		v.kind = FLT_V_STR;
		v.s = st ? tdxr_strtab_get(st, (uint32_t)raw) : "";
		break;
	}
	return v;
}

static struct flt_val flt_common_val(enum flt_common c, const struct tdxr_event *ev,
				     const struct tdxr_strtab *st)
{
	switch (c) {
	case FLT_C_CPU:
		return flt_typed(TDXR_FT_S32, (uint32_t)ev->cpu, st);
	case FLT_C_TID:
		return flt_typed(TDXR_FT_S32, (uint32_t)ev->tid, st);
	case FLT_C_TGID:
		return flt_typed(TDXR_FT_S32, (uint32_t)ev->tgid, st);
	case FLT_C_COMM:
		return flt_typed(TDXR_FT_STR, ev->comm, st);
	case FLT_C_VM:
		return flt_typed(TDXR_FT_S32, (uint32_t)ev->vm, st);
	case FLT_C_VCPU:
		return flt_typed(TDXR_FT_S32, (uint32_t)ev->vcpu, st);
	case FLT_C_SEQ:
		return flt_num(ev->seq, false);
	case FLT_C_TS:
		return flt_num(ev->ts, false);
	case FLT_C_LINE:
		return flt_num(ev->line, false);
	case FLT_C_INPUT:
		return flt_num(ev->input, false);
	case FLT_C_NONE:
		break;
	}
	return (struct flt_val){FLT_V_ABSENT, false, 0, NULL};
}

static bool flt_truth(struct flt_val v)
{
	if (v.kind == FLT_V_NUM) {
		return v.u != 0;
	}
	if (v.kind == FLT_V_STR) {
		return v.s[0] != '\0';
	}
	return false;
}

/* <0, 0, >0 as the mathematical values of @a and @b compare. */
static int flt_numcmp(struct flt_val a, struct flt_val b)
{
	if (a.neg != b.neg) {
		return a.neg ? -1 : 1;
	}
	/* Same sign: two's complement order equals unsigned order. */
	return a.u < b.u ? -1 : a.u > b.u;
}

/* ---- evaluation -------------------------------------------------------- */

static struct flt_val flt_eval(const struct tdxr_filter *f, int32_t i, const struct tdxr_event *ev,
			       const struct tdxr_strtab *st)
{
	const struct flt_node *n = &f->nodes[i];
	struct flt_val a, b;
	int c;

	switch (n->op) {
	case FLT_NUM:
		return flt_num(n->u, n->neg);
	case FLT_STR:
		return (struct flt_val){FLT_V_STR, false, 0, n->s};
	case FLT_FIELD: {
		unsigned int t = ev->type < TDXR_EV__COUNT ? ev->type : 0;
		int s = n->slot[t];

		if (s >= 0 && ((ev->fmask >> s) & 1)) {
			return flt_typed(n->ftype[t], ev->f[s], st);
		}
		return flt_common_val(n->common, ev, st);
	}
	case FLT_OR:
		return flt_num(flt_truth(flt_eval(f, n->a, ev, st)) ||
				       flt_truth(flt_eval(f, n->b, ev, st)),
			       false);
	case FLT_AND:
		return flt_num(flt_truth(flt_eval(f, n->a, ev, st)) &&
				       flt_truth(flt_eval(f, n->b, ev, st)),
			       false);
	case FLT_NOT:
		a = flt_eval(f, n->a, ev, st);
		if (a.kind == FLT_V_ABSENT) {
			return a;
		}
		return flt_num(!flt_truth(a), false);
	default:
		break;
	}

	/* A comparison: false when a side is absent or the kinds differ. */
	a = flt_eval(f, n->a, ev, st);
	b = flt_eval(f, n->b, ev, st);
	if (a.kind == FLT_V_ABSENT || b.kind == FLT_V_ABSENT || a.kind != b.kind) {
		return flt_num(0, false);
	}
	if (a.kind == FLT_V_STR) {
		switch (n->op) {
		case FLT_EQ:
			return flt_num(strcmp(a.s, b.s) == 0, false);
		case FLT_NE:
			return flt_num(strcmp(a.s, b.s) != 0, false);
		case FLT_RE:
			return flt_num(regexec(n->re, a.s, 0, NULL, 0) == 0, false);
		case FLT_NRE:
			return flt_num(regexec(n->re, a.s, 0, NULL, 0) != 0, false);
		default:
			return flt_num(0, false);
		}
	}
	c = flt_numcmp(a, b);
	switch (n->op) {
	case FLT_EQ:
		return flt_num(c == 0, false);
	case FLT_NE:
		return flt_num(c != 0, false);
	case FLT_LT:
		return flt_num(c < 0, false);
	case FLT_LE:
		return flt_num(c <= 0, false);
	case FLT_GT:
		return flt_num(c > 0, false);
	case FLT_GE:
		return flt_num(c >= 0, false);
	case FLT_BAND:
		return flt_num(a.u & b.u, false);
	default:
		return flt_num(0, false);
	}
}

/* ---- event selection --------------------------------------------------- */

static bool flt_re_full(const regex_t *re, const char *s)
{
	return regexec(re, s, 0, NULL, 0) == 0;
}

/* @sys NULL: the system is unknown (plain unmodelled names). */
static bool flt_pattern_hit(const struct flt_pattern *p, const char *sys, const char *name)
{
	if (p->sys) {
		if (sys && !flt_re_full(p->sys, sys)) {
			return false;
		}
		return flt_re_full(p->name, name);
	}
	/* trace-cmd: a lone pattern matches the system or the event name. */
	return flt_re_full(p->name, name) || (sys && flt_re_full(p->name, sys));
}

static bool flt_unmodelled_selected(const struct tdxr_filter *f, uint32_t id,
				    const struct tdxr_strtab *st)
{
	struct flt_cache *c = f->cache;
	unsigned int h = (id * 2654435761u) >> 24 & (FLT_CACHE_SIZE - 1);
	const char *full = st ? tdxr_strtab_get(st, id) : "";
	const char *colon = strchr(full, ':');
	char sysbuf[64];
	const char *sys = NULL, *name = full;
	bool hit = false;

	if (c->st != st) {
		memset(c->verdict, 0, sizeof(c->verdict));
		c->st = st;
	}
	if (c->verdict[h] && c->id[h] == id) {
		return c->verdict[h] == 2;
	}
	if (colon && (size_t)(colon - full) < sizeof(sysbuf)) {
		memcpy(sysbuf, full, (size_t)(colon - full));
		sysbuf[colon - full] = '\0';
		sys = sysbuf;
		name = colon + 1;
	}
	for (unsigned int i = 0; i < f->npat && !hit; i++) {
		hit = flt_pattern_hit(&f->pat[i], sys, name);
	}
	c->id[h] = id;
	c->verdict[h] = hit ? 2 : 1;
	return hit;
}

bool tdxr_filter_wants_type(const struct tdxr_filter *f, unsigned int type)
{
	if (!f || f->all_events) {
		return true;
	}
	if (type == TDXR_EV_UNMODELLED || type >= TDXR_EV__COUNT) {
		return f->npat > 0;
	}
	return f->selected[type];
}

bool tdxr_filter_match(const struct tdxr_filter *f, const struct tdxr_event *ev,
		       const struct tdxr_strtab *st)
{
	unsigned int t;

	if (!f) {
		return true;
	}
	t = ev->type < TDXR_EV__COUNT ? ev->type : TDXR_EV_UNMODELLED;
	if (!f->all_events) {
		if (t == TDXR_EV_UNMODELLED) {
			if (!flt_unmodelled_selected(f, ev->name, st)) {
				return false;
			}
		} else if (!f->selected[t]) {
			return false;
		}
	}
	if (f->root < 0) {
		return true;
	}
	return flt_truth(flt_eval(f, f->root, ev, st));
}

/* ---- compilation ------------------------------------------------------- */

enum flt_tok {
	T_END,
	T_IDENT,
	T_NUM,
	T_STR,
	T_LP,
	T_RP,
	T_OROR,
	T_ANDAND,
	T_NOT,
	T_EQ,
	T_NE,
	T_LT,
	T_LE,
	T_GT,
	T_GE,
	T_RE,
	T_NRE,
	T_BAND,
	T_BAD,
};

struct flt_parser {
	struct tdxr_filter *f;
	const char *src;  /* the whole expression (for columns) */
	const char *p;	  /* cursor */
	const char *end;  /* end of the condition text */
	enum flt_tok tok; /* current token */
	const char *tpos; /* its start */
	size_t tlen;	  /* its length */
	int depth;
	char *err;
	size_t errlen;
	bool failed;
};

static void flt_err(struct flt_parser *ps, const char *at, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (ps->failed) {
		return;
	}
	ps->failed = true;
	if (!ps->err || !ps->errlen) {
		return;
	}
	n = snprintf(ps->err, ps->errlen, "column %zu: ", (size_t)(at - ps->src) + 1);
	if (n < 0 || (size_t)n >= ps->errlen) {
		return;
	}
	va_start(ap, fmt);
	vsnprintf(ps->err + n, ps->errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

static void flt_next(struct flt_parser *ps)
{
	const char *p = ps->p;

	while (p < ps->end && isspace((unsigned char)*p)) {
		p++;
	}
	ps->tpos = p;
	if (p >= ps->end) {
		ps->tok = T_END;
		ps->tlen = 0;
		ps->p = p;
		return;
	}

#define TWO(c1, c2, t2, t1)                            \
	if (*p == (c1)) {                              \
		if (p + 1 < ps->end && p[1] == (c2)) { \
			ps->tok = (t2);                \
			ps->tlen = 2;                  \
		} else {                               \
			ps->tok = (t1);                \
			ps->tlen = 1;                  \
		}                                      \
		goto done;                             \
	}
	TWO('|', '|', T_OROR, T_BAD)
	TWO('&', '&', T_ANDAND, T_BAND)
	TWO('<', '=', T_LE, T_LT)
	TWO('>', '=', T_GE, T_GT)
	if (*p == '=' || *p == '!') {
		/* == =~ != !~, and a lone '!' (a lone '=' is an error). */
		char c2 = p + 1 < ps->end ? p[1] : '\0';

		if (c2 == '~') {
			ps->tok = *p == '=' ? T_RE : T_NRE;
			ps->tlen = 2;
		} else if (c2 == '=') {
			ps->tok = *p == '=' ? T_EQ : T_NE;
			ps->tlen = 2;
		} else {
			ps->tok = *p == '!' ? T_NOT : T_BAD;
			ps->tlen = 1;
		}
		goto done;
	}
#undef TWO
	if (*p == '(' || *p == ')') {
		ps->tok = *p == '(' ? T_LP : T_RP;
		ps->tlen = 1;
		goto done;
	}
	if (isalpha((unsigned char)*p) || *p == '_') {
		const char *q = p;

		while (q < ps->end && (isalnum((unsigned char)*q) || *q == '_')) {
			q++;
		}
		ps->tok = T_IDENT;
		ps->tlen = (size_t)(q - p);
		goto done;
	}
	if (isdigit((unsigned char)*p) ||
	    (*p == '-' && p + 1 < ps->end && isdigit((unsigned char)p[1]))) {
		const char *q = p + 1;

		while (q < ps->end && (isalnum((unsigned char)*q))) {
			q++;
		}
		ps->tok = T_NUM;
		ps->tlen = (size_t)(q - p);
		goto done;
	}
	if (*p == '"' || *p == '\'') {
		const char *q = p + 1;

		while (q < ps->end && *q != *p) {
			if (*q == '\\' && q + 1 < ps->end) {
				q++;
			}
			q++;
		}
		if (q >= ps->end) {
			flt_err(ps, p, "unterminated string");
			ps->tok = T_BAD;
			ps->tlen = 1;
			goto done;
		}
		ps->tok = T_STR;
		ps->tlen = (size_t)(q + 1 - p);
		goto done;
	}
	ps->tok = T_BAD;
	ps->tlen = 1;
done:
	ps->p = p + ps->tlen;
}

static int32_t flt_new_node(struct flt_parser *ps, enum flt_op op, const char *at)
{
	struct tdxr_filter *f = ps->f;
	struct flt_node *n;

	if (f->nnodes >= FLT_MAX_NODES) {
		flt_err(ps, at, "expression too long (more than %d terms)", FLT_MAX_NODES);
		return -1;
	}
	if (f->nnodes == f->capnodes) {
		unsigned int cap = f->capnodes ? f->capnodes * 2 : 16;
		struct flt_node *nn = realloc(f->nodes, cap * sizeof(*nn));

		if (!nn) {
			flt_err(ps, at, "out of memory");
			return -1;
		}
		f->nodes = nn;
		f->capnodes = cap;
	}
	n = &f->nodes[f->nnodes];
	memset(n, 0, sizeof(*n));
	n->op = (uint8_t)op;
	n->a = n->b = -1;
	n->col = (uint32_t)(at - ps->src) + 1;
	return (int32_t)f->nnodes++;
}

static int32_t flt_parse_or(struct flt_parser *ps);

/* A field reference: resolve it for every event type now. */
static int32_t flt_field(struct flt_parser *ps)
{
	struct tdxr_filter *f = ps->f;
	const char *at = ps->tpos;
	size_t len = ps->tlen;
	int32_t i = flt_new_node(ps, FLT_FIELD, at);
	struct flt_node *n;
	bool found = false;

	if (i < 0) {
		return -1;
	}
	n = &f->nodes[i];
	n->s = strndup(at, len);
	if (!n->s) {
		flt_err(ps, at, "out of memory");
		return -1;
	}
	for (size_t k = 0; k < sizeof(flt_commons) / sizeof(flt_commons[0]); k++) {
		if (strcmp(flt_commons[k].name, n->s) == 0) {
			n->common = (uint8_t)flt_commons[k].id;
			found = true;
		}
	}
	for (unsigned int t = 0; t < TDXR_EV__COUNT; t++) {
		int s = t ? tdxr_event_field(t, n->s) : -1;

		n->slot[t] = (int8_t)s;
		if (s >= 0) {
			n->ftype[t] = (uint8_t)tdxr_event_desc(t)->fields[s].type;
			if (f->all_events || f->selected[t]) {
				found = true;
			}
		}
	}
	if (!found && (f->all_events || f->any_modelled)) {
		flt_err(ps, at, "unknown field '%s' (no selected event has it)", n->s);
		return -1;
	}
	flt_next(ps);
	return i;
}

/* Kinds a node may produce over the selected events: bit 1 num, 2 str. */
static unsigned int flt_kinds(const struct tdxr_filter *f, int32_t i)
{
	const struct flt_node *n = &f->nodes[i];
	unsigned int k = 0;

	switch (n->op) {
	case FLT_STR:
		return 2;
	case FLT_FIELD:
		if (n->common) {
			k |= n->common == FLT_C_COMM ? 2 : 1;
		}
		for (unsigned int t = 1; t < TDXR_EV__COUNT; t++) {
			if (n->slot[t] < 0 || !(f->all_events || f->selected[t])) {
				continue;
			}
			k |= n->ftype[t] == TDXR_FT_STR ? 2 : 1;
		}
		/* Unknown fields of unmodelled-only filters: absent, any. */
		return k ? k : 3;
	default:
		return 1;
	}
}

static int32_t flt_parse_unary(struct flt_parser *ps)
{
	const char *at = ps->tpos;
	int32_t i, c;

	if (++ps->depth > FLT_MAX_DEPTH) {
		flt_err(ps, at, "expression nested too deeply");
		return -1;
	}
	switch (ps->tok) {
	case T_NOT:
		flt_next(ps);
		c = flt_parse_unary(ps);
		if (c < 0) {
			return -1;
		}
		i = flt_new_node(ps, FLT_NOT, at);
		if (i >= 0) {
			ps->f->nodes[i].a = c;
		}
		break;
	case T_LP:
		flt_next(ps);
		i = flt_parse_or(ps);
		if (i < 0) {
			return -1;
		}
		if (ps->tok != T_RP) {
			flt_err(ps, ps->tpos, "expected ')' to close the '(' at column %zu",
				(size_t)(at - ps->src) + 1);
			return -1;
		}
		flt_next(ps);
		break;
	case T_IDENT:
		i = flt_field(ps);
		break;
	case T_NUM: {
		char *endp;
		const char *digits = at + (*at == '-');
		char buf[32];
		unsigned long long v;

		if (ps->tlen >= sizeof(buf)) {
			flt_err(ps, at, "number too long");
			return -1;
		}
		memcpy(buf, digits, ps->tlen - (size_t)(digits - at));
		buf[ps->tlen - (size_t)(digits - at)] = '\0';
		errno = 0;
		v = strtoull(buf, &endp, 0);
		if (*endp || errno || (buf[0] == '0' && buf[1] && buf[1] != 'x' && buf[1] != 'X')) {
			flt_err(ps, at, "bad number '%.*s' (decimal or 0x hex)", (int)ps->tlen, at);
			return -1;
		}
		if (*at == '-' && v > (unsigned long long)INT64_MAX + 1) {
			flt_err(ps, at, "number out of range");
			return -1;
		}
		i = flt_new_node(ps, FLT_NUM, at);
		if (i < 0) {
			return -1;
		}
		ps->f->nodes[i].u = *at == '-' ? (uint64_t)0 - v : v;
		ps->f->nodes[i].neg = *at == '-' && v != 0;
		flt_next(ps);
		break;
	}
	case T_STR: {
		struct flt_node *n;
		char *o;

		i = flt_new_node(ps, FLT_STR, at);
		if (i < 0) {
			return -1;
		}
		n = &ps->f->nodes[i];
		n->s = malloc(ps->tlen);
		if (!n->s) {
			flt_err(ps, at, "out of memory");
			return -1;
		}
		o = n->s;
		for (const char *q = at + 1; q < at + ps->tlen - 1; q++) {
			if (*q == '\\' && q + 1 < at + ps->tlen - 1 &&
			    (q[1] == *at || q[1] == '\\')) {
				q++;
			}
			*o++ = *q;
		}
		*o = '\0';
		flt_next(ps);
		break;
	}
	case T_END:
		flt_err(ps, at, "expected a field, a number or a string at the end");
		return -1;
	default:
		flt_err(ps, at, "expected a field, a number or a string, not '%.*s'", (int)ps->tlen,
			at);
		return -1;
	}
	ps->depth--;
	return i;
}

static enum flt_op flt_cmp_op(enum flt_tok t)
{
	switch (t) {
	case T_EQ:
		return FLT_EQ;
	case T_NE:
		return FLT_NE;
	case T_LT:
		return FLT_LT;
	case T_LE:
		return FLT_LE;
	case T_GT:
		return FLT_GT;
	case T_GE:
		return FLT_GE;
	case T_RE:
		return FLT_RE;
	case T_NRE:
		return FLT_NRE;
	case T_BAND:
		return FLT_BAND;
	default:
		return FLT_OR; /* not a comparison */
	}
}

/* Checks the operand kinds of comparison @i; compiles its regex. */
static int flt_check_cmp(struct flt_parser *ps, int32_t i, const char *opat)
{
	struct tdxr_filter *f = ps->f;
	struct flt_node *n = &f->nodes[i];
	const struct flt_node *l = &f->nodes[n->a], *r = &f->nodes[n->b];
	unsigned int kl = flt_kinds(f, n->a), kr = flt_kinds(f, n->b);
	const char *lat = ps->src + l->col - 1, *rat = ps->src + r->col - 1;

	if (n->op == FLT_RE || n->op == FLT_NRE) {
		char msg[128];
		int rc;

		if (r->op != FLT_STR) {
			flt_err(ps, rat, "=~ and !~ take a quoted regex");
			return -1;
		}
		if (!(kl & 2)) {
			flt_err(ps, lat, "=~ and !~ need a string field%s%s%s",
				l->op == FLT_FIELD ? " ('" : "", l->op == FLT_FIELD ? l->s : "",
				l->op == FLT_FIELD ? "' is a number)" : "");
			return -1;
		}
		n->re = malloc(sizeof(*n->re));
		if (!n->re) {
			flt_err(ps, rat, "out of memory");
			return -1;
		}
		rc = regcomp(n->re, r->s, REG_EXTENDED | REG_NOSUB);
		if (rc) {
			regerror(rc, n->re, msg, sizeof(msg));
			free(n->re);
			n->re = NULL;
			flt_err(ps, rat, "bad regex: %s", msg);
			return -1;
		}
		return 0;
	}
	if (n->op == FLT_EQ || n->op == FLT_NE) {
		if (!(kl & kr)) {
			const struct flt_node *fld = l->op == FLT_FIELD ? l : r;

			flt_err(ps, fld == l ? lat : rat, "cannot compare a %s with a %s%s%s%s",
				(kl & 2) ? "string" : "number", (kr & 2) ? "string" : "number",
				fld->op == FLT_FIELD ? " ('" : "",
				fld->op == FLT_FIELD ? fld->s : "",
				fld->op == FLT_FIELD ? "')" : "");
			return -1;
		}
		return 0;
	}
	/* < <= > >= &: numbers only. */
	if (!(kl & 1) || !(kr & 1)) {
		flt_err(ps, !(kl & 1) ? lat : rat, "'%.*s' compares numbers, not strings",
			n->op == FLT_BAND || n->op == FLT_LT || n->op == FLT_GT ? 1 : 2, opat);
		return -1;
	}
	return 0;
}

static int32_t flt_parse_cmp(struct flt_parser *ps)
{
	int32_t l = flt_parse_unary(ps);

	while (l >= 0 && flt_cmp_op(ps->tok) != FLT_OR) {
		const char *opat = ps->tpos;
		enum flt_op op = flt_cmp_op(ps->tok);
		int32_t r, i;

		flt_next(ps);
		r = flt_parse_unary(ps);
		if (r < 0) {
			return -1;
		}
		i = flt_new_node(ps, op, opat);
		if (i < 0) {
			return -1;
		}
		ps->f->nodes[i].a = l;
		ps->f->nodes[i].b = r;
		if (flt_check_cmp(ps, i, opat) < 0) {
			return -1;
		}
		l = i;
	}
	return l;
}

static int32_t flt_parse_and(struct flt_parser *ps)
{
	int32_t l = flt_parse_cmp(ps);

	while (l >= 0 && ps->tok == T_ANDAND) {
		const char *at = ps->tpos;
		int32_t r, i;

		flt_next(ps);
		r = flt_parse_cmp(ps);
		if (r < 0) {
			return -1;
		}
		i = flt_new_node(ps, FLT_AND, at);
		if (i < 0) {
			return -1;
		}
		ps->f->nodes[i].a = l;
		ps->f->nodes[i].b = r;
		l = i;
	}
	return l;
}

static int32_t flt_parse_or(struct flt_parser *ps)
{
	int32_t l = flt_parse_and(ps);

	while (l >= 0 && ps->tok == T_OROR) {
		const char *at = ps->tpos;
		int32_t r, i;

		flt_next(ps);
		r = flt_parse_and(ps);
		if (r < 0) {
			return -1;
		}
		i = flt_new_node(ps, FLT_OR, at);
		if (i < 0) {
			return -1;
		}
		ps->f->nodes[i].a = l;
		ps->f->nodes[i].b = r;
		l = i;
	}
	return l;
}

/* Compiles "^(pat)$" (trace-cmd anchors and ignores case). */
static regex_t *flt_anchored(struct flt_parser *ps, const char *pat, size_t len, const char *at)
{
	regex_t *re = malloc(sizeof(*re));
	char *buf = malloc(len + 5);
	char msg[128];
	int rc;

	if (!re || !buf) {
		free(re);
		free(buf);
		flt_err(ps, at, "out of memory");
		return NULL;
	}
	snprintf(buf, len + 5, "^(%.*s)$", (int)len, pat);
	rc = regcomp(re, buf, REG_EXTENDED | REG_NOSUB | REG_ICASE);
	free(buf);
	if (rc) {
		regerror(rc, re, msg, sizeof(msg));
		free(re);
		flt_err(ps, at, "bad event name regex '%.*s': %s", (int)len, pat, msg);
		return NULL;
	}
	return re;
}

static void flt_trim(const char **b, const char **e)
{
	while (*b < *e && isspace((unsigned char)**b)) {
		(*b)++;
	}
	while (*e > *b && isspace((unsigned char)(*e)[-1])) {
		(*e)--;
	}
}

/* Parses the comma-separated patterns in [b, e). */
static int flt_parse_events(struct flt_parser *ps, const char *b, const char *e)
{
	struct tdxr_filter *f = ps->f;

	while (b <= e) {
		const char *comma = memchr(b, ',', (size_t)(e - b));
		const char *pe = comma ? comma : e, *pb = b, *slash;
		struct flt_pattern *p, *np;

		flt_trim(&pb, &pe);
		if (pb == pe) {
			flt_err(ps, pb, "empty event name");
			return -1;
		}
		np = realloc(f->pat, (f->npat + 1) * sizeof(*np));
		if (!np) {
			flt_err(ps, pb, "out of memory");
			return -1;
		}
		f->pat = np;
		p = &f->pat[f->npat++];
		p->sys = p->name = NULL;
		slash = memchr(pb, '/', (size_t)(pe - pb));
		if (slash) {
			if (slash == pb || slash + 1 == pe) {
				flt_err(ps, slash == pb ? pb : slash + 1, "empty %s name",
					slash == pb ? "system" : "event");
				return -1;
			}
			p->sys = flt_anchored(ps, pb, (size_t)(slash - pb), pb);
			if (!p->sys) {
				return -1;
			}
			pb = slash + 1;
		}
		p->name = flt_anchored(ps, pb, (size_t)(pe - pb), pb);
		if (!p->name) {
			return -1;
		}
		if (!comma) {
			break;
		}
		b = comma + 1;
	}
	for (unsigned int t = 1; t < TDXR_EV__COUNT; t++) {
		const struct tdxr_event_desc *d = tdxr_event_desc(t);

		for (unsigned int i = 0; i < f->npat && !f->selected[t]; i++) {
			f->selected[t] = flt_pattern_hit(&f->pat[i], d->system, d->name);
		}
		f->any_modelled |= f->selected[t];
	}
	return 0;
}

/* Where the event list ends: a ':' outside quotes, NULL if none. */
static const char *flt_find_colon(const char *s)
{
	char q = 0;

	for (; *s; s++) {
		if (q) {
			if (*s == '\\' && s[1]) {
				s++;
			} else if (*s == q) {
				q = 0;
			}
		} else if (*s == '"' || *s == '\'') {
			q = *s;
		} else if (*s == ':') {
			return s;
		}
	}
	return NULL;
}

/* Does [b, e) read as an event list (no operator, quote or '!')? */
static bool flt_is_event_list(const char *b, const char *e)
{
	for (const char *p = b; p < e; p++) {
		if (strchr("=<>&!\"'~", *p)) {
			return false;
		}
	}
	return true;
}

struct tdxr_filter *tdxr_filter_compile(const char *expr, char *err, size_t errlen)
{
	struct tdxr_filter *f = calloc(1, sizeof(*f));
	struct flt_parser ps = {0};
	const char *colon, *cond;

	if (err && errlen) {
		err[0] = '\0';
	}
	ps.src = expr ? expr : "";
	ps.err = err;
	ps.errlen = errlen;
	ps.f = f;
	if (!f || !(f->cache = calloc(1, sizeof(*f->cache)))) {
		flt_err(&ps, ps.src, "out of memory");
		goto fail;
	}
	f->root = -1;

	colon = flt_find_colon(ps.src);
	if (colon && flt_is_event_list(ps.src, colon)) {
		if (flt_parse_events(&ps, ps.src, colon) < 0) {
			goto fail;
		}
		cond = colon + 1;
	} else if (!colon && flt_is_event_list(ps.src, ps.src + strlen(ps.src))) {
		if (flt_parse_events(&ps, ps.src, ps.src + strlen(ps.src)) < 0) {
			goto fail;
		}
		return f; /* events only: no condition */
	} else {
		f->all_events = true;
		cond = ps.src;
	}

	ps.p = cond;
	ps.end = cond + strlen(cond);
	flt_next(&ps);
	if (ps.tok == T_END) {
		flt_err(&ps, ps.tpos, "expected a condition after ':'");
		goto fail;
	}
	f->root = flt_parse_or(&ps);
	if (f->root < 0) {
		goto fail;
	}
	if (ps.tok != T_END) {
		flt_err(&ps, ps.tpos, "unexpected '%.*s'%s", (int)ps.tlen, ps.tpos,
			ps.tok == T_RP			     ? " (no '(' to close)"
			: ps.tok == T_BAD && *ps.tpos == '=' ? " (did you mean '=='?)"
			: ps.tok == T_BAD && *ps.tpos == '|' ? " (did you mean '||'?)"
							     : "");
		goto fail;
	}
	if (ps.failed) {
		goto fail;
	}
	return f;
fail:
	if (!ps.failed) {
		flt_err(&ps, ps.src, "invalid filter");
	}
	tdxr_filter_free(f);
	return NULL;
}

void tdxr_filter_free(struct tdxr_filter *f)
{
	if (!f) {
		return;
	}
	for (unsigned int i = 0; i < f->nnodes; i++) {
		free(f->nodes[i].s);
		if (f->nodes[i].re) {
			regfree(f->nodes[i].re);
			free(f->nodes[i].re);
		}
	}
	free(f->nodes);
	for (unsigned int i = 0; i < f->npat; i++) {
		if (f->pat[i].sys) {
			regfree(f->pat[i].sys);
			free(f->pat[i].sys);
		}
		if (f->pat[i].name) {
			regfree(f->pat[i].name);
			free(f->pat[i].name);
		}
	}
	free(f->pat);
	free(f->cache);
	free(f);
}

/* ---- lists ------------------------------------------------------------- */

struct tdxr_filter_list {
	struct tdxr_filter **v; /* owned, each owned */
	unsigned int n;
};

struct tdxr_filter_list *tdxr_filter_list_new(void)
{
	return calloc(1, sizeof(struct tdxr_filter_list));
}

int tdxr_filter_list_add(struct tdxr_filter_list *l, const char *expr, char *err, size_t errlen)
{
	struct tdxr_filter *f, **nv;

	f = tdxr_filter_compile(expr, err, errlen);
	if (!f) {
		return -1;
	}
	nv = realloc(l->v, (l->n + 1) * sizeof(*nv));
	if (!nv) {
		tdxr_filter_free(f);
		if (err && errlen) {
			snprintf(err, errlen, "out of memory");
		}
		return -1;
	}
	l->v = nv;
	l->v[l->n++] = f;
	return 0;
}

unsigned int tdxr_filter_list_count(const struct tdxr_filter_list *l)
{
	return l ? l->n : 0;
}

bool tdxr_filter_list_match(const struct tdxr_filter_list *l, const struct tdxr_event *ev,
			    const struct tdxr_strtab *st)
{
	if (!l || l->n == 0) {
		return true;
	}
	for (unsigned int i = 0; i < l->n; i++) {
		if (tdxr_filter_match(l->v[i], ev, st)) {
			return true;
		}
	}
	return false;
}

void tdxr_filter_list_free(struct tdxr_filter_list *l)
{
	if (!l) {
		return;
	}
	for (unsigned int i = 0; i < l->n; i++) {
		tdxr_filter_free(l->v[i]);
	}
	free(l->v);
	free(l);
}
