/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tdxr/event.h - the normalized event record and the schema (v1) that
 * schema/events.def defines.
 *
 * Every reader (ftrace text, console dumps, trace.dat, CTF) produces
 * struct tdxr_event; the model, the index and the tools consume it. The
 * record is fixed-size: no per-event allocation anywhere on the hot path.
 */
#ifndef TDXR_EVENT_H
#define TDXR_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TDXR_SCHEMA_VERSION 1
#define TDXR_MAX_FIELDS 12

enum tdxr_field_type {
	TDXR_FT_U64,
	TDXR_FT_S64,
	TDXR_FT_U32,
	TDXR_FT_S32,
	TDXR_FT_STR, /* the slot holds an interned string id (tdxr/strtab.h) */
};

/* What a field means to the model and to the tools. */
enum tdxr_field_role {
	TDXR_FR_NONE,
	TDXR_FR_VM,    /* the VMM's tgid */
	TDXR_FR_VCPU,  /* vcpu_id */
	TDXR_FR_GFN,   /* gfn, without the shared bit for TDP events */
	TDXR_FR_GPA,   /* gpa, possibly with the shared bit */
	TDXR_FR_LEVEL, /* KVM pg level, 4K = 1 */
	TDXR_FR_PFN,
	TDXR_FR_SPTE,
	TDXR_FR_OLD_SPTE,
	TDXR_FR_NEW_SPTE,
	TDXR_FR_STATUS, /* SEAMCALL status / TDVMCALL status */
	TDXR_FR_LEAF,	/* SEAMCALL RAX input */
	TDXR_FR_LEAF_NAME,
	TDXR_FR_SEPT_OP,
	TDXR_FR_AS_ID,
	TDXR_FR_MIRROR,	     /* 1 mirror, 0 direct, -1 unknown */
	TDXR_FR_RET,	     /* an int return value (0 ok, -errno) */
	TDXR_FR_EXIT_REASON, /* VMX basic exit reason */
};

#define TDXR_FF_DERIVED 0x1

/* Lost-event records (docs/design.md §2.2) take no seq: they attach here. */
#define TDXR_LOST_COUNTED 0x1 /* [LOST N EVENTS] / [N EVENTS DROPPED] */
#define TDXR_LOST_UNKNOWN \
	0x2 /* ##### CPU N buffer started ####: unknown loss */ /* computed after decoding, not in the text */
/*
 * Set by the merge (not a record of the trace): another CPU's loss, whose
 * record comes later (before that CPU's next event), may have begun here,
 * right after that CPU's previous event.
 */
#define TDXR_LOST_WINDOW 0x4
/* Set by the merge on the record of a loss that got a TDXR_LOST_WINDOW. */
#define TDXR_LOST_WINDOW_END 0x8
/* The flags that stand for a lost-events record of the trace. */
#define TDXR_LOST_RECORD (TDXR_LOST_COUNTED | TDXR_LOST_UNKNOWN)

enum tdxr_event_type {
	TDXR_EV_UNMODELLED = 0, /* any other event: name + raw payload */
#define TDXR_EVENT(id, sys, name, pfmt, sfmt, opt) TDXR_EV_##id,
#define TDXR_FIELD(id, f, t, r, fl)
#define TDXR_EVENT_END(id)
#include "events.def"
#undef TDXR_EVENT
#undef TDXR_FIELD
#undef TDXR_EVENT_END
	TDXR_EV__COUNT,
};

/* Field indices per event: TDXR_F_<EVENT>_<field>. */
#define TDXR_EVENT(id, sys, name, pfmt, sfmt, opt) enum {
#define TDXR_FIELD(id, f, t, r, fl) TDXR_F_##id##_##f,
#define TDXR_EVENT_END(id)   \
	TDXR_F_##id##__COUNT \
	}                    \
	;
#include "events.def"
#undef TDXR_EVENT
#undef TDXR_FIELD
#undef TDXR_EVENT_END

/* ev->f[] slot of field @f of event @id: EVF(ev, KVM_EXIT, info1). */
#define EVF(ev, id, fld) ((ev)->f[TDXR_F_##id##_##fld])
#define EVF_HAS(ev, id, fld) (((ev)->fmask >> TDXR_F_##id##_##fld) & 1)

/*
 * One event. Filled by a reader; owned by whoever holds the struct.
 * @raw points into the reader's line buffer and is valid only until that
 * reader produces its next event: copy it if you keep it.
 */
struct tdxr_event {
	uint64_t seq;	/* 0-based position in the merged stream */
	uint64_t ts;	/* ns (CLOCK_MONOTONIC for mono captures) */
	uint32_t line;	/* 1-based line in the input, 0 for binary input */
	uint16_t type;	/* enum tdxr_event_type */
	uint16_t input; /* index of the input it came from */
	int32_t cpu;
	int32_t tid;
	int32_t tgid;	     /* -1 when the trace has no tgid column */
	int32_t vm;	     /* VMM tgid (docs/design.md §3), -1 unknown */
	int32_t vcpu;	     /* -1 unknown */
	uint32_t comm;	     /* interned comm */
	uint32_t name;	     /* interned event name (UNMODELLED only, else 0) */
	uint16_t fmask;	     /* bit i set: f[i] was present in the input */
	uint16_t lost_flags; /* TDXR_LOST_*: a lost-events record precedes it, or
			      * another CPU's loss may begin here */
	uint32_t lost;	     /* events lost just before this one (saturates) */
	uint64_t f[TDXR_MAX_FIELDS];
	const char *raw; /* borrowed: payload text of UNMODELLED events */
};

struct tdxr_field_desc {
	const char *name;
	enum tdxr_field_type type;
	enum tdxr_field_role role;
	unsigned int flags;
};

struct tdxr_event_desc {
	const char *system;
	const char *name;
	const char *print_fmt; /* the exact TP_printk format */
	const char *scan_fmt;  /* what the text reader matches */
	int opt_from;	       /* first optional conversion, -1 none */
	unsigned int nr_fields;
	unsigned int nr_scanned; /* fields read from text (non-derived) */
	const struct tdxr_field_desc *fields;
};

/* The description of @type (UNMODELLED included), never NULL for a valid type. */
const struct tdxr_event_desc *tdxr_event_desc(unsigned int type);

/* Type of "system:name" or plain "name"; TDXR_EV_UNMODELLED if unknown. */
unsigned int tdxr_event_lookup(const char *system, const char *name, size_t name_len);

/* Index of field @name in event @type, -1 if none. */
int tdxr_event_field(unsigned int type, const char *name);

/* The first field of @type with @role, -1 if none. */
int tdxr_event_field_by_role(unsigned int type, enum tdxr_field_role role);

#endif /* TDXR_EVENT_H */
