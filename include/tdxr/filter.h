/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tdxr/filter.h - event filters in trace-cmd's -F grammar (docs/design.md §5).
 *
 *   FILTER   := [EVENTS ':'] EXPR  |  EVENTS
 *   EVENTS   := PATTERN (',' PATTERN)*
 *   PATTERN  := [SYSTEM '/'] EVENT      (POSIX extended regexes, anchored,
 *                                        case-insensitive, as trace-cmd)
 *   EXPR     := or
 *   or       := and ('||' and)*
 *   and      := cmp ('&&' cmp)*
 *   cmp      := unary (CMPOP unary)*     left-associative
 *   CMPOP    := == != < <= > >= =~ !~ &
 *   unary    := '!' unary | '(' EXPR ')' | FIELD | NUMBER | STRING
 *
 * Precedence, tightest first: '!', the comparison operators (all one level,
 * left to right, so `spte & 0x800 == 0x800` tests the bit), '&&', '||'.
 * NUMBER is decimal (optionally negative) or 0x hex; STRING is "..." or
 * '...' with backslash escaping the quote. `&` yields the bitwise AND (true
 * when non-zero); the others yield 0/1. =~ and !~ take a regex (POSIX
 * extended, unanchored) on a string field; == and != on strings compare
 * the whole string; < <= > >= and & are for numbers only.
 *
 * Events: as in trace-cmd, a PATTERN without '/' selects the events whose
 * *name or system* it matches (`tdx` selects every tdx event); with a '/',
 * both must match. EVENTS alone (no ':') selects those events with no
 * condition. An expression without an event list (tdxr extension; it is
 * recognised by its operators) applies to every event.
 *
 * Fields: the payload fields of events.def by name, plus the common
 * fields of every event: cpu, tid (alias pid), tgid, comm, vm, vcpu, seq,
 * ts (ns), line, input (and trace-cmd's common_pid, COMM, CPU). A payload field wins over a common field of the same
 * name when the event has it (present in ev->fmask); an event type that
 * does not have a field sees it as absent, and any comparison involving
 * an absent value is false. Unmodelled events (TDXR_EV_UNMODELLED) match
 * patterns by their interned name (ev->name; "system:name" is split, a
 * plain name has an unknown system that no SYSTEM pattern rules out) and
 * have common fields only. Values compare as numbers do, signed or
 * unsigned by the field's type (U64/U32 unsigned, S32/S64 signed), so
 * `ret < 0` and `gfn > 0xffff` both mean what they say.
 *
 * Compile errors: a message with the 1-based column ("column 14: unknown
 * field 'gfx'"). A field that is neither common nor a field of any selected
 * modelled event is an error; when the patterns select no modelled event
 * at all, unknown fields are not an error (they read as absent).
 *
 * Matching allocates nothing. A compiled filter keeps a small cache of the
 * verdicts on unmodelled event names, so one filter must not be matched
 * from two threads at once.
 */
#ifndef TDXR_FILTER_H
#define TDXR_FILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "tdxr/event.h"
#include "tdxr/strtab.h"

struct tdxr_filter;

/* NULL + a message naming the column of the error in @err. */
struct tdxr_filter *tdxr_filter_compile(const char *expr, char *err, size_t errlen);

/* True when @ev is selected by @f. @st resolves ev's interned strings. */
bool tdxr_filter_match(const struct tdxr_filter *f, const struct tdxr_event *ev,
		       const struct tdxr_strtab *st);

/* True when @f may select events of @type (false: it never does). */
bool tdxr_filter_wants_type(const struct tdxr_filter *f, unsigned int type);

void tdxr_filter_free(struct tdxr_filter *f);

/*
 * A list of filters (dump's repeated --filter): an event passes if any
 * filter matches; an empty list passes everything.
 */
struct tdxr_filter_list;

struct tdxr_filter_list *tdxr_filter_list_new(void);

/* Compiles @expr and appends it. 0, or -1 with the message in @err. */
int tdxr_filter_list_add(struct tdxr_filter_list *l, const char *expr, char *err, size_t errlen);

unsigned int tdxr_filter_list_count(const struct tdxr_filter_list *l);

bool tdxr_filter_list_match(const struct tdxr_filter_list *l, const struct tdxr_event *ev,
			    const struct tdxr_strtab *st);

void tdxr_filter_list_free(struct tdxr_filter_list *l);

#endif /* TDXR_FILTER_H */
