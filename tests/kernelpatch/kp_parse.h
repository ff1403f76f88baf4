/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tests/kernelpatch/kp_parse.h - reads the kernel-patch/ series (git
 * format-patch files) without a Linux tree: the TRACE_EVENT()s its hunks
 * add, checked against schema/events.def, and the payload text their
 * TP_printk() would print for given field values.
 *
 * Only the patch files are read. A hunk is the unit of text: an event must
 * be defined entirely within one hunk (git keeps a changed TRACE_EVENT in
 * one hunk as long as its changes are less than seven lines apart; the
 * checks report an event they cannot find). Later patches override earlier
 * ones. The text a hunk removes is kept too ("old" events): it shows the
 * upstream definition an event had before the series changed it.
 */
#ifndef KP_PARSE_H
#define KP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KP_MAX_PATCHES 32
#define KP_MAX_EVENTS 24
#define KP_MAX_FIELDS 16
#define KP_MAX_ARGS 16
#define KP_MAX_SYMS 48
#define KP_MAX_DEFINES 64
#define KP_FMT_LEN 512
#define KP_TEXT_LEN 4096
#define KP_NAME_LEN 64

/* One TP_STRUCT__entry() member: __field(type, name). */
struct kp_field {
	char type[KP_NAME_LEN]; /* blanks collapsed: "unsigned int" */
	char name[KP_NAME_LEN];
};

/* One { value, "name" } entry of a __print_symbolic() table. */
struct kp_sym {
	char value[KP_NAME_LEN]; /* as written: a literal or a macro */
	char name[KP_NAME_LEN];
};

enum kp_arg_kind {
	KP_ARG_OTHER,	 /* not understood: always a check failure */
	KP_ARG_FIELD,	 /* __entry->field, possibly cast */
	KP_ARG_SYMBOLIC, /* [__entry->c ? "lit" :] __print_symbolic(__entry->k [& m], ...) */
	KP_ARG_SYMPTR,	 /* (void *)__entry->field, for %pS */
};

/* One TP_printk() argument after the format. */
struct kp_arg {
	enum kp_arg_kind kind;
	char text[KP_TEXT_LEN];	    /* as written, blanks collapsed */
	char field[KP_NAME_LEN];    /* FIELD/SYMPTR: the field; SYMBOLIC: the key */
	uint64_t mask;		    /* SYMBOLIC: key & mask (all ones if none) */
	char cond[KP_NAME_LEN];	    /* SYMBOLIC: field of "cond ?", "" if none */
	char cond_lit[KP_NAME_LEN]; /* SYMBOLIC: the string printed when cond != 0 */
	unsigned int nsyms;
	struct kp_sym syms[KP_MAX_SYMS];
};

struct kp_event {
	char name[KP_NAME_LEN];
	char system[KP_NAME_LEN]; /* TRACE_SYSTEM, "" if unknown */
	char file[256];		  /* path in the tree */
	unsigned int patch;	  /* index in kp_series.patches */
	unsigned int nfields;
	struct kp_field fields[KP_MAX_FIELDS];
	char fmt[KP_FMT_LEN]; /* the TP_printk format, escapes resolved */
	unsigned int nargs;
	struct kp_arg args[KP_MAX_ARGS];
};

/* A "#define NAME VALUE" the series adds (symbol table values). */
struct kp_define {
	char name[KP_NAME_LEN];
	char value[KP_NAME_LEN];
};

struct kp_patch {
	char file[256];	     /* file name in kernel-patch/ */
	char subject[256];   /* Subject: line, without "Subject: " */
	unsigned int number; /* n of [PATCH n/m], 0 if none */
	unsigned int total;  /* m of [PATCH n/m], 0 if none */
	unsigned int nfiles; /* files the diff touches */
	unsigned int nhunks;
	bool signed_off; /* has a Signed-off-by: line before the diff */
	bool malformed;	 /* a hunk ended early or had a bad header */
};

struct kp_series {
	unsigned int npatches;
	struct kp_patch patches[KP_MAX_PATCHES];
	unsigned int nevents;
	struct kp_event events[KP_MAX_EVENTS]; /* as the series leaves them */
	unsigned int nold;
	struct kp_event old[KP_MAX_EVENTS]; /* as removed lines show them */
	unsigned int ndefines;
	struct kp_define defines[KP_MAX_DEFINES];
};

/* Allocates an empty series (it is large); NULL on allocation failure. */
struct kp_series *kp_series_new(void);
void kp_series_free(struct kp_series *s);

/*
 * Reads every NNNN-*.patch in @dir in name order. Returns the number of
 * patch files read, or -1 with a message in @err.
 */
int kp_series_load(struct kp_series *s, const char *dir, char *err, size_t errlen);

/* Adds one patch given as text (@name is only recorded). 0, or -1 + @err. */
int kp_series_add(struct kp_series *s, const char *name, const char *text, char *err,
		  size_t errlen);

/* The event called @name, or NULL; from the removed text if @old. */
const struct kp_event *kp_series_event(const struct kp_series *s, const char *name, bool old);

/*
 * Resolves a symbol table value: a literal (decimal, 0x hex), a macro the
 * series defines, or one of the few upstream macros the series uses
 * (the VMX exit reasons of arch/x86/include/uapi/asm/vmx.h). 0 or -1.
 */
int kp_resolve(const struct kp_series *s, const char *value, uint64_t *out);

/*
 * Compares @pe with schema event @type (enum tdxr_event_type): system,
 * print format byte for byte, and argument by argument the fields, their C
 * types and conversions, and the symbol tables. Returns the number of
 * problems; each is appended to @msg as one line.
 */
int kp_check_event(const struct kp_series *s, const struct kp_event *pe, unsigned int type,
		   char *msg, size_t msglen);

/* Field values for kp_render(), indexed like kp_event.fields. */
struct kp_sample {
	uint64_t val[KP_MAX_FIELDS];
	const char *symbol; /* what %pS prints */
};

enum kp_variant {
	KP_TYPICAL, /* distinct values: SPTE-like 64-bit, small and negative ints */
	KP_ZERO,    /* every field 0 */
	KP_MAX,	    /* all ones; INT32_MIN for signed 32-bit and narrower */
};

/* Sample values for every field of @pe, by its C type. */
void kp_sample_fill(const struct kp_event *pe, enum kp_variant v, struct kp_sample *smp);

/*
 * Sets the key field of symbolic argument @a to entry @k of its table (or,
 * for @k == nsyms, to a value no entry names; with a mask, a bit above it
 * is set too) and clears its condition field. 0, or -1 if it cannot.
 */
int kp_sample_symbol(const struct kp_series *s, const struct kp_event *pe, const struct kp_arg *a,
		     unsigned int k, struct kp_sample *smp);

/* Index of field @name in @pe, -1 if none. */
int kp_field_index(const struct kp_event *pe, const char *name);

/*
 * The value a field holds once stored in its C type (truncated, and sign
 * extended for signed types): what TP_printk sees.
 */
uint64_t kp_field_value(const struct kp_field *f, uint64_t v);

/*
 * Prints @pe's TP_printk with the values of @smp into @out, the way the
 * kernel would (each conversion through the C library's printf, symbols
 * as __print_symbolic does). Returns the length, or -1 (with @err) if the
 * format or an argument cannot be rendered.
 */
int kp_render(const struct kp_series *s, const struct kp_event *pe, const struct kp_sample *smp,
	      char *out, size_t outlen, char *err, size_t errlen);

/* The string argument @i of @pe prints for @smp (symbolic or %pS). */
const char *kp_render_string(const struct kp_series *s, const struct kp_event *pe, unsigned int i,
			     const struct kp_sample *smp, char *buf, size_t buflen);

/*
 * What tracefs would show for @pe: its "format" file (common fields, the
 * fields laid out with natural alignment, and the print fmt with REC-> and
 * the symbol macros resolved) into @out, and a raw little-endian record of
 * type @id holding @smp into @rec (*@reclen: its size in, the record's
 * length out). Returns the format's length, or -1 with @err.
 */
int kp_format_file(const struct kp_series *s, const struct kp_event *pe, unsigned int id,
		   const struct kp_sample *smp, char *out, size_t outlen, uint8_t *rec,
		   size_t *reclen, char *err, size_t errlen);

/* A span of text [b, e). */
struct kp_range {
	const char *b;
	const char *e;
};

/* The bracket that closes the one at @open (strings and comments
 * skipped), or NULL. */
const char *kp_match(const char *open, const char *e);

/* Splits [b, e) at top-level commas into @out. The count, -1 if > @max. */
int kp_split(const char *b, const char *e, struct kp_range *out, int max);

/* Shared by kp_parse.c and kp_check.c: a message into @err; one line
 * appended to @msg. Both truncate, never overflow. */
void kp_err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void kp_note(char *msg, size_t msglen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif /* KP_PARSE_H */
