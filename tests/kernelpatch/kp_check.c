// SPDX-License-Identifier: GPL-2.0
/*
 * tests/kernelpatch/kp_check.c - what the kernel-patch/ events mean: the C
 * types of their fields, the check against schema/events.def, their
 * TP_printk rendered for sample values, and the tracefs "format" file and
 * raw record the kernel would expose for them. See kp_parse.h.
 */
#include "kp_parse.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tdxr/event.h"

/* ---- values, types and conversions ------------------------------------- */

/*
 * Upstream macros the series' symbol tables use, with their values in the
 * trees it is checked against (tests/kernelpatch/kp_tree.sh compares them
 * with the trees' own definitions).
 */
static const struct {
	const char *name;
	uint64_t value;
} kp_upstream[] = {
	{"EXIT_REASON_CPUID", 10},
	{"EXIT_REASON_HLT", 12},
	{"EXIT_REASON_IO_INSTRUCTION", 30},
	{"EXIT_REASON_MSR_READ", 31},
	{"EXIT_REASON_MSR_WRITE", 32},
	{"EXIT_REASON_EPT_VIOLATION", 48},
	/* arch/x86/include/asm/shared/tdx.h */
	{"TDVMCALL_GET_TD_VM_CALL_INFO", 0x10000},
	{"TDVMCALL_MAP_GPA", 0x10001},
	{"TDVMCALL_GET_QUOTE", 0x10002},
	{"TDVMCALL_REPORT_FATAL_ERROR", 0x10003},
	{"TDVMCALL_SETUP_EVENT_NOTIFY_INTERRUPT", 0x10004},
	/* arch/x86/virt/vmx/tdx/tdx.h (TDH_VP_ENTER: asm/tdx.h once patched) */
	{"TDH_VP_ENTER", 0},
	{"TDH_MNG_ADDCX", 1},
	{"TDH_MEM_PAGE_ADD", 2},
	{"TDH_MEM_SEPT_ADD", 3},
	{"TDH_VP_ADDCX", 4},
	{"TDH_MEM_PAGE_AUG", 6},
	{"TDH_MEM_RANGE_BLOCK", 7},
	{"TDH_MNG_KEY_CONFIG", 8},
	{"TDH_MNG_CREATE", 9},
	{"TDH_VP_CREATE", 10},
	{"TDH_MNG_RD", 11},
	{"TDH_MR_EXTEND", 16},
	{"TDH_MR_FINALIZE", 17},
	{"TDH_VP_FLUSH", 18},
	{"TDH_MNG_VPFLUSHDONE", 19},
	{"TDH_MNG_KEY_FREEID", 20},
	{"TDH_MNG_INIT", 21},
	{"TDH_VP_INIT", 22},
	{"TDH_PHYMEM_PAGE_RDMD", 24},
	{"TDH_VP_RD", 26},
	{"TDH_PHYMEM_PAGE_RECLAIM", 28},
	{"TDH_MEM_PAGE_REMOVE", 29},
	{"TDH_SYS_KEY_CONFIG", 31},
	{"TDH_SYS_INIT", 33},
	{"TDH_SYS_RD", 34},
	{"TDH_SYS_LP_INIT", 35},
	{"TDH_SYS_TDMR_INIT", 36},
	{"TDH_MEM_TRACK", 38},
	{"TDH_PHYMEM_CACHE_WB", 40},
	{"TDH_PHYMEM_PAGE_WBINVD", 41},
	{"TDH_VP_WR", 43},
	{"TDH_SYS_CONFIG", 45},
};

int kp_resolve(const struct kp_series *s, const char *value, uint64_t *out)
{
	char *end;

	if (isdigit((unsigned char)value[0])) {
		errno = 0;
		*out = strtoull(value, &end, 0);
		return (errno || *end) ? -1 : 0;
	}
	for (unsigned int i = 0; i < s->ndefines; i++) {
		if (strcmp(s->defines[i].name, value) == 0) {
			return kp_resolve(s, s->defines[i].value, out);
		}
	}
	for (size_t i = 0; i < sizeof(kp_upstream) / sizeof(kp_upstream[0]); i++) {
		if (strcmp(kp_upstream[i].name, value) == 0) {
			*out = kp_upstream[i].value;
			return 0;
		}
	}
	return -1;
}

/* Width in bits and signedness of a field's C type; 0 bits if unknown. */
static unsigned int kp_ctype(const char *t, bool *is_signed)
{
	static const struct {
		const char *type;
		unsigned int bits;
		bool is_signed;
	} types[] = {
		{"u64", 64, false},
		{"s64", 64, true},
		{"gfn_t", 64, false},
		{"kvm_pfn_t", 64, false},
		{"unsigned long long", 64, false},
		{"long long", 64, true},
		{"unsigned long", 64, false},
		{"long", 64, true},
		{"int", 32, true},
		{"unsigned int", 32, false},
		{"u32", 32, false},
		{"s32", 32, true},
		{"pid_t", 32, true},
		{"u16", 16, false},
		{"s16", 16, true},
		{"u8", 8, false},
		{"s8", 8, true},
		{"bool", 8, false},
	};

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if (strcmp(types[i].type, t) == 0) {
			*is_signed = types[i].is_signed;
			return types[i].bits;
		}
	}
	*is_signed = false;
	return 0;
}

uint64_t kp_field_value(const struct kp_field *f, uint64_t v)
{
	bool sgn;
	unsigned int bits = kp_ctype(f->type, &sgn);

	if (strcmp(f->type, "bool") == 0) {
		return v != 0;
	}
	if (bits == 0 || bits == 64) {
		return v;
	}
	v &= (UINT64_C(1) << bits) - 1;
	if (sgn && (v >> (bits - 1)) & 1) {
		v |= ~((UINT64_C(1) << bits) - 1);
	}
	return v;
}

int kp_field_index(const struct kp_event *pe, const char *name)
{
	for (unsigned int i = 0; i < pe->nfields; i++) {
		if (strcmp(pe->fields[i].name, name) == 0) {
			return (int)i;
		}
	}
	return -1;
}

/* One printf conversion of a format. */
struct kp_conv {
	char spec[32];	    /* the conversion as written, e.g. "%016llx" */
	char kind;	    /* d u x s p, or '?' */
	unsigned int lmods; /* number of 'l' length modifiers */
	bool sym;	    /* %pS and friends */
};

/* Parses the conversion at @f ("%..."); returns its length. */
static size_t kp_conv_parse(const char *f, struct kp_conv *c)
{
	const char *p = f + 1;
	size_t n;

	memset(c, 0, sizeof(*c));
	while (*p && strchr("#0- +", *p)) {
		p++;
	}
	while (isdigit((unsigned char)*p)) {
		p++;
	}
	while (*p == 'l' || *p == 'h' || *p == 'z') {
		c->lmods += *p == 'l';
		p++;
	}
	switch (*p) {
	case 'd':
	case 'i':
		c->kind = 'd';
		break;
	case 'u':
		c->kind = 'u';
		break;
	case 'x':
	case 'X':
		c->kind = 'x';
		break;
	case 's':
		c->kind = 's';
		break;
	case 'p':
		c->kind = 'p';
		if (isupper((unsigned char)p[1])) {
			c->sym = true;
			p++;
		}
		break;
	default:
		c->kind = '?';
		break;
	}
	if (*p) {
		p++;
	}
	n = (size_t)(p - f);
	snprintf(c->spec, sizeof(c->spec), "%.*s", (int)n, f);
	return n;
}

/* The conversions of @fmt, at most @max; returns the count. */
static unsigned int kp_convs(const char *fmt, struct kp_conv *out, unsigned int max)
{
	unsigned int n = 0;

	for (const char *f = fmt; *f;) {
		if (f[0] == '%' && f[1] == '%') {
			f += 2;
			continue;
		}
		if (f[0] != '%') {
			f++;
			continue;
		}
		if (n == max) {
			return max + 1;
		}
		f += kp_conv_parse(f, &out[n++]);
	}
	return n;
}

static const char *kp_ft_name(enum tdxr_field_type t)
{
	static const char *const names[] = {"U64", "S64", "U32", "S32", "STR"};

	return (unsigned int)t < sizeof(names) / sizeof(names[0]) ? names[t] : "?";
}

/* Checks one numeric argument: conversion vs schema type vs C type. */
static int kp_check_number(const struct kp_event *pe, unsigned int i, const struct kp_conv *c,
			   const struct tdxr_field_desc *fd, const struct kp_field *f, char *msg,
			   size_t msglen)
{
	bool csigned;
	unsigned int bits = kp_ctype(f->type, &csigned);
	bool wide = fd->type == TDXR_FT_U64 || fd->type == TDXR_FT_S64;
	bool ssigned = fd->type == TDXR_FT_S64 || fd->type == TDXR_FT_S32;
	int bad = 0;

	if (fd->type == TDXR_FT_STR || c->kind == 's' || c->kind == '?' || c->sym) {
		kp_note(msg, msglen, "%s: argument %u (%s) is %s in the patch, %s in the schema",
			pe->name, i, f->name, c->spec, kp_ft_name(fd->type));
		return 1;
	}
	if ((c->kind == 'd') != ssigned) {
		kp_note(msg, msglen, "%s: %s prints %s but the schema type is %s", pe->name,
			f->name, c->spec, kp_ft_name(fd->type));
		bad++;
	}
	if ((c->lmods >= 2) != wide) {
		kp_note(msg, msglen, "%s: %s prints %s, a %s value, but the schema type is %s",
			pe->name, f->name, c->spec, c->lmods >= 2 ? "64-bit" : "32-bit",
			kp_ft_name(fd->type));
		bad++;
	}
	if (bits == 0) {
		kp_note(msg, msglen, "%s: field %s has a C type the check does not know: %s",
			pe->name, f->name, f->type);
		bad++;
	} else if ((bits == 64) != (c->lmods >= 2)) {
		kp_note(msg, msglen, "%s: field %s is %s (%u bits) but prints %s", pe->name,
			f->name, f->type, bits, c->spec);
		bad++;
	} else if (bits == 32 && csigned != (c->kind == 'd')) {
		kp_note(msg, msglen, "%s: field %s is %s but prints %s", pe->name, f->name, f->type,
			c->spec);
		bad++;
	}
	return bad;
}

int kp_check_event(const struct kp_series *s, const struct kp_event *pe, unsigned int type,
		   char *msg, size_t msglen)
{
	const struct tdxr_event_desc *d = tdxr_event_desc(type);
	struct kp_conv convs[KP_MAX_ARGS + 1];
	unsigned int nconv;
	int bad = 0;

	if (strcmp(pe->system, d->system) != 0) {
		kp_note(msg, msglen, "%s: system \"%s\" in the patch, \"%s\" in the schema",
			pe->name, pe->system, d->system);
		bad++;
	}
	if (strcmp(pe->fmt, d->print_fmt) != 0) {
		kp_note(msg, msglen,
			"%s: TP_printk format differs from the schema:\n  patch:  \"%s\"\n  "
			"schema: \"%s\"",
			pe->name, pe->fmt, d->print_fmt);
		bad++;
	}
	nconv = kp_convs(pe->fmt, convs, KP_MAX_ARGS);
	if (nconv != pe->nargs) {
		kp_note(msg, msglen, "%s: %u conversions but %u arguments", pe->name, nconv,
			pe->nargs);
		return bad + 1;
	}
	if (pe->nargs != d->nr_scanned) {
		kp_note(msg, msglen, "%s: %u printed arguments, the schema reads %u fields",
			pe->name, pe->nargs, d->nr_scanned);
		return bad + 1;
	}
	for (unsigned int i = 0; i < pe->nargs; i++) {
		const struct kp_arg *a = &pe->args[i];
		const struct tdxr_field_desc *fd = &d->fields[i];
		int fi = kp_field_index(pe, a->field);

		if (a->kind == KP_ARG_OTHER) {
			kp_note(msg, msglen, "%s: argument %u is not understood: %s", pe->name, i,
				a->text);
			bad++;
			continue;
		}
		if (fi < 0) {
			kp_note(msg, msglen,
				"%s: argument %u uses __entry->%s, which TP_STRUCT__entry lacks",
				pe->name, i, a->field);
			bad++;
			continue;
		}
		if (a->kind == KP_ARG_FIELD) {
			if (strcmp(a->field, fd->name) != 0) {
				kp_note(msg, msglen,
					"%s: argument %u prints __entry->%s, the schema field "
					"there is %s",
					pe->name, i, a->field, fd->name);
				bad++;
			}
			bad += kp_check_number(pe, i, &convs[i], fd, &pe->fields[fi], msg, msglen);
			continue;
		}
		if (fd->type != TDXR_FT_STR) {
			kp_note(msg, msglen,
				"%s: argument %u prints a string, schema field %s is %s", pe->name,
				i, fd->name, kp_ft_name(fd->type));
			bad++;
			continue;
		}
		if (a->kind == KP_ARG_SYMPTR) {
			if (!convs[i].sym || strcmp(a->field, fd->name) != 0) {
				kp_note(msg, msglen,
					"%s: argument %u: (void *)__entry->%s with %s, schema "
					"field %s",
					pe->name, i, a->field, convs[i].spec, fd->name);
				bad++;
			}
			continue;
		}
		/* Symbolic: a %s whose every name reads back as one token. */
		if (convs[i].kind != 's') {
			kp_note(msg, msglen, "%s: argument %u is symbolic but prints %s", pe->name,
				i, convs[i].spec);
			bad++;
		}
		if (a->nsyms == 0) {
			kp_note(msg, msglen, "%s: argument %u has an empty symbol table", pe->name,
				i);
			bad++;
		}
		for (unsigned int k = 0; k < a->nsyms; k++) {
			uint64_t v;

			if (kp_resolve(s, a->syms[k].value, &v) < 0) {
				kp_note(msg, msglen,
					"%s: symbol value %s (\"%s\") cannot be resolved", pe->name,
					a->syms[k].value, a->syms[k].name);
				bad++;
			}
			if (a->syms[k].name[0] == '\0' || strpbrk(a->syms[k].name, " \t")) {
				kp_note(msg, msglen,
					"%s: symbol name \"%s\" is empty or has blanks", pe->name,
					a->syms[k].name);
				bad++;
			}
		}
		if (a->cond[0] && kp_field_index(pe, a->cond) < 0) {
			kp_note(msg, msglen,
				"%s: argument %u tests __entry->%s, which TP_STRUCT__entry lacks",
				pe->name, i, a->cond);
			bad++;
		}
	}
	return bad;
}

/* ---- rendering ---------------------------------------------------------- */

const char *kp_render_string(const struct kp_series *s, const struct kp_event *pe, unsigned int i,
			     const struct kp_sample *smp, char *buf, size_t buflen)
{
	const struct kp_arg *a = &pe->args[i];
	uint64_t key;
	int fi;

	if (a->kind == KP_ARG_SYMPTR) {
		return smp->symbol ? smp->symbol : "";
	}
	if (a->kind != KP_ARG_SYMBOLIC) {
		return NULL;
	}
	if (a->cond[0]) {
		int ci = kp_field_index(pe, a->cond);

		if (ci < 0) {
			return NULL;
		}
		if (kp_field_value(&pe->fields[ci], smp->val[ci]) != 0) {
			return a->cond_lit;
		}
	}
	fi = kp_field_index(pe, a->field);
	if (fi < 0) {
		return NULL;
	}
	key = kp_field_value(&pe->fields[fi], smp->val[fi]) & a->mask;
	for (unsigned int k = 0; k < a->nsyms; k++) {
		uint64_t v;

		if (kp_resolve(s, a->syms[k].value, &v) == 0 && v == key) {
			return a->syms[k].name;
		}
	}
	/* What the kernel prints for a value the table lacks. */
	snprintf(buf, buflen, "0x%llx", (unsigned long long)key);
	return buf;
}

int kp_render(const struct kp_series *s, const struct kp_event *pe, const struct kp_sample *smp,
	      char *out, size_t outlen, char *err, size_t errlen)
{
	size_t k = 0;
	unsigned int i = 0;

	if (outlen == 0) {
		return -1;
	}
	for (const char *f = pe->fmt; *f;) {
		char piece[512];
		struct kp_conv c;
		int n;

		if (f[0] != '%' || f[1] == '%') {
			if (k + 1 >= outlen) {
				kp_err(err, errlen, "%s: line too long", pe->name);
				return -1;
			}
			out[k++] = *f;
			f += f[0] == '%' ? 2 : 1;
			continue;
		}
		f += kp_conv_parse(f, &c);
		if (i >= pe->nargs) {
			kp_err(err, errlen, "%s: more conversions than arguments", pe->name);
			return -1;
		}
		if (c.kind == 's' || c.sym) {
			char buf[64];
			const char *str = kp_render_string(s, pe, i, smp, buf, sizeof(buf));

			if (!str) {
				kp_err(err, errlen, "%s: argument %u is not a string", pe->name, i);
				return -1;
			}
			n = snprintf(piece, sizeof(piece), "%s", str);
		} else {
			int fi = kp_field_index(pe, pe->args[i].field);
			uint64_t v;

			if (pe->args[i].kind != KP_ARG_FIELD || fi < 0 || c.kind == '?' ||
			    c.kind == 'p') {
				kp_err(err, errlen, "%s: argument %u (%s) cannot be rendered",
				       pe->name, i, c.spec);
				return -1;
			}
			v = kp_field_value(&pe->fields[fi], smp->val[fi]);
			/* The C library prints each conversion, with its own spec. */
			if (c.lmods >= 2) {
				n = c.kind == 'd'
					    ? snprintf(piece, sizeof(piece), c.spec, (long long)v)
					    : snprintf(piece, sizeof(piece), c.spec,
						       (unsigned long long)v);
			} else if (c.lmods == 1) {
				n = c.kind == 'd' ? snprintf(piece, sizeof(piece), c.spec, (long)v)
						  : snprintf(piece, sizeof(piece), c.spec,
							     (unsigned long)v);
			} else {
				n = c.kind == 'd' ? snprintf(piece, sizeof(piece), c.spec, (int)v)
						  : snprintf(piece, sizeof(piece), c.spec,
							     (unsigned int)v);
			}
		}
		i++;
		if (n < 0 || (size_t)n >= sizeof(piece) || k + (size_t)n + 1 >= outlen) {
			kp_err(err, errlen, "%s: line too long", pe->name);
			return -1;
		}
		memcpy(out + k, piece, (size_t)n);
		k += (size_t)n;
	}
	out[k] = '\0';
	return (int)k;
}

/* ---- the tracefs view: format file and raw record ----------------------- */

/* Appends to @out at *k; false when it does not fit. */
static bool kp_put(char *out, size_t n, size_t *k, const char *s, size_t len)
{
	if (*k + len + 1 > n) {
		return false;
	}
	memcpy(out + *k, s, len);
	*k += len;
	out[*k] = '\0';
	return true;
}

/*
 * The print-fmt form of a TP_printk argument: "__entry->" becomes "REC->"
 * and the macros of symbol tables their values, as the kernel's expansion
 * shows them to userspace.
 */
static bool kp_rec_arg(const struct kp_series *s, const char *t, char *out, size_t n, size_t *k)
{
	while (*t) {
		char tok[KP_NAME_LEN];
		size_t len = 0;

		if (*t == '"') {
			const char *e = t + 1;

			while (*e && *e != '"') {
				e += (*e == '\\' && e[1]) ? 2 : 1;
			}
			e += *e ? 1 : 0;
			if (!kp_put(out, n, k, t, (size_t)(e - t))) {
				return false;
			}
			t = e;
			continue;
		}
		if (strncmp(t, "__entry->", 9) == 0) {
			if (!kp_put(out, n, k, "REC->", 5)) {
				return false;
			}
			t += 9;
			continue;
		}
		if (isalpha((unsigned char)*t) || *t == '_') {
			uint64_t v;

			while ((isalnum((unsigned char)t[len]) || t[len] == '_') &&
			       len + 1 < sizeof(tok)) {
				tok[len] = t[len];
				len++;
			}
			tok[len] = '\0';
			if (kp_resolve(s, tok, &v) == 0) {
				char num[32];
				int m = snprintf(num, sizeof(num), "%llu", (unsigned long long)v);

				if (!kp_put(out, n, k, num, (size_t)m)) {
					return false;
				}
			} else if (!kp_put(out, n, k, t, len)) {
				return false;
			}
			t += len;
			continue;
		}
		if (!kp_put(out, n, k, t, 1)) {
			return false;
		}
		t++;
	}
	return true;
}

int kp_format_file(const struct kp_series *s, const struct kp_event *pe, unsigned int id,
		   const struct kp_sample *smp, char *out, size_t outlen, uint8_t *rec,
		   size_t *reclen, char *err, size_t errlen)
{
	static const char common[] =
		"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
		"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
		"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
		"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n";
	size_t recmax = *reclen;
	size_t off = 8;
	size_t k = 0;
	char line[256];
	int m;

	if (recmax < 8 || outlen == 0) {
		kp_err(err, errlen, "%s: buffers too small", pe->name);
		return -1;
	}
	memset(rec, 0, recmax);
	rec[0] = (uint8_t)id;
	rec[1] = (uint8_t)(id >> 8);
	rec[4] = 0x39; /* common_pid 12345 */
	rec[5] = 0x30;
	out[0] = '\0';
	m = snprintf(line, sizeof(line), "name: %s\nID: %u\nformat:\n", pe->name, id);
	if (!kp_put(out, outlen, &k, line, (size_t)m) ||
	    !kp_put(out, outlen, &k, common, sizeof(common) - 1)) {
		goto too_long;
	}
	for (unsigned int i = 0; i < pe->nfields; i++) {
		const struct kp_field *f = &pe->fields[i];
		bool sgn;
		unsigned int size = kp_ctype(f->type, &sgn) / 8;
		uint64_t v = smp->val[i];

		if (size == 0) {
			kp_err(err, errlen, "%s: field %s has an unknown C type %s", pe->name,
			       f->name, f->type);
			return -1;
		}
		off = (off + size - 1) / size * size;
		if (off + size > recmax) {
			goto too_long;
		}
		m = snprintf(line, sizeof(line),
			     "\tfield:%s %s;\toffset:%zu;\tsize:%u;\tsigned:%d;\n", f->type,
			     f->name, off, size, sgn);
		if (!kp_put(out, outlen, &k, line, (size_t)m)) {
			goto too_long;
		}
		if (strcmp(f->type, "bool") == 0) {
			v = v != 0;
		}
		for (unsigned int b = 0; b < size; b++) {
			rec[off + b] = (uint8_t)(v >> (8 * b));
		}
		off += size;
	}
	*reclen = (off + 7) / 8 * 8;
	if (!kp_put(out, outlen, &k, "\nprint fmt: \"", 13)) {
		goto too_long;
	}
	for (const char *f = pe->fmt; *f; f++) {
		char esc[3] = {'\\', *f, '\0'};

		if (*f == '"' || *f == '\\') {
			if (!kp_put(out, outlen, &k, esc, 2)) {
				goto too_long;
			}
		} else if (*f == '\n') {
			if (!kp_put(out, outlen, &k, "\\n", 2)) {
				goto too_long;
			}
		} else if (!kp_put(out, outlen, &k, f, 1)) {
			goto too_long;
		}
	}
	if (!kp_put(out, outlen, &k, "\"", 1)) {
		goto too_long;
	}
	for (unsigned int i = 0; i < pe->nargs; i++) {
		if (!kp_put(out, outlen, &k, ", ", 2) ||
		    !kp_rec_arg(s, pe->args[i].text, out, outlen, &k)) {
			goto too_long;
		}
	}
	if (!kp_put(out, outlen, &k, "\n", 1)) {
		goto too_long;
	}
	return (int)k;
too_long:
	kp_err(err, errlen, "%s: format file or record too long", pe->name);
	return -1;
}

/* ---- sample values ------------------------------------------------------ */

void kp_sample_fill(const struct kp_event *pe, enum kp_variant v, struct kp_sample *smp)
{
	memset(smp, 0, sizeof(*smp));
	smp->symbol = "tdx_track+0x7e/0x120 [kvm_intel]";
	for (unsigned int j = 0; j < pe->nfields; j++) {
		const char *t = pe->fields[j].type;
		bool sgn;
		bool wide = kp_ctype(t, &sgn) == 64;

		if (v == KP_ZERO) {
			smp->val[j] = 0;
		} else if (v == KP_MAX) {
			smp->val[j] = sgn && !wide ? (uint64_t)(int64_t)INT32_MIN : UINT64_MAX;
		} else if (wide) {
			smp->val[j] = 0x8600000000000b37ull + ((uint64_t)j << 12);
		} else if (strcmp(pe->fields[j].name, "vm") == 0) {
			smp->val[j] = 7099;
		} else if (sgn) {
			smp->val[j] = (uint64_t)(int64_t) - (int)(j + 2);
		} else {
			smp->val[j] = j + 1;
		}
	}
}

int kp_sample_symbol(const struct kp_series *s, const struct kp_event *pe, const struct kp_arg *a,
		     unsigned int k, struct kp_sample *smp)
{
	int fi = kp_field_index(pe, a->field);
	int ci = a->cond[0] ? kp_field_index(pe, a->cond) : -1;
	uint64_t v = 0x7f;

	if (fi < 0 || (a->cond[0] && ci < 0) || k > a->nsyms) {
		return -1;
	}
	if (k < a->nsyms) {
		if (kp_resolve(s, a->syms[k].value, &v) < 0) {
			return -1;
		}
	} else {
		/* The smallest value from 0x7f up that no entry names. */
		for (unsigned int j = 0; j < a->nsyms; j++) {
			uint64_t w;

			if (kp_resolve(s, a->syms[j].value, &w) == 0 && w == v) {
				v++;
				j = (unsigned int)-1;
			}
		}
	}
	/* Bits outside the mask (a SEAMCALL's version) must not change the name. */
	if (a->mask != UINT64_MAX) {
		v |= (a->mask + 1) & ~a->mask;
	}
	smp->val[fi] = v;
	if (ci >= 0) {
		smp->val[ci] = 0;
	}
	return 0;
}
