// SPDX-License-Identifier: GPL-2.0
/*
 * schema/event.c - the schema tables, expanded from events.def.
 */
#include "tdxr/event.h"

#include <string.h>

/* Field tables, one array per event. */
#define TDXR_EVENT(id, sys, nm, pfmt, sfmt, opt) \
	static const struct tdxr_field_desc fields_##id[] = {
#define TDXR_FIELD(id, f, t, r, fl) {#f, TDXR_FT_##t, TDXR_FR_##r, fl},
#define TDXR_EVENT_END(id)    \
	{                     \
		NULL, 0, 0, 0 \
	}                     \
	}                     \
	;
#include "events.def"
#undef TDXR_EVENT
#undef TDXR_FIELD
#undef TDXR_EVENT_END

/* Non-derived field counts, computed at compile time. */
#define TDXR_EVENT(id, sys, nm, pfmt, sfmt, opt) enum { nscan_##id = 0
#define TDXR_FIELD(id, f, t, r, fl) +!((fl)&TDXR_FF_DERIVED)
#define TDXR_EVENT_END(id) \
	}                  \
	;
#include "events.def"
#undef TDXR_EVENT
#undef TDXR_FIELD
#undef TDXR_EVENT_END

static const struct tdxr_event_desc descs[TDXR_EV__COUNT] = {
	[TDXR_EV_UNMODELLED] = {"", "unmodelled", "%s", "%r", -1, 0, 0, NULL},
#define TDXR_EVENT(id, sys, nm, pfmt, sfmt, opt)                                                   \
	[TDXR_EV_##id] = {                                                                         \
		#sys,	    #nm,	pfmt, (sfmt) ? (sfmt) : (pfmt), opt, TDXR_F_##id##__COUNT, \
		nscan_##id, fields_##id},
#define TDXR_FIELD(id, f, t, r, fl)
#define TDXR_EVENT_END(id)
#include "events.def"
#undef TDXR_EVENT
#undef TDXR_FIELD
#undef TDXR_EVENT_END
};

/* Every event must fit the fixed record. */
#define TDXR_EVENT(id, sys, nm, pfmt, sfmt, opt)
#define TDXR_FIELD(id, f, t, r, fl)
#define TDXR_EVENT_END(id) \
	_Static_assert(TDXR_F_##id##__COUNT <= TDXR_MAX_FIELDS, #id " has too many fields");
#include "events.def"
#undef TDXR_EVENT
#undef TDXR_FIELD
#undef TDXR_EVENT_END

const struct tdxr_event_desc *tdxr_event_desc(unsigned int type)
{
	if (type >= TDXR_EV__COUNT) {
		type = TDXR_EV_UNMODELLED;
	}
	return &descs[type];
}

unsigned int tdxr_event_lookup(const char *system, const char *name, size_t len)
{
	/* A linear scan over ~30 names; readers cache by interned name. */
	for (unsigned int t = 1; t < TDXR_EV__COUNT; t++) {
		const struct tdxr_event_desc *d = &descs[t];

		if (strlen(d->name) != len || memcmp(d->name, name, len) != 0) {
			continue;
		}
		if (system && *system && strcmp(system, d->system) != 0) {
			continue;
		}
		return t;
	}
	return TDXR_EV_UNMODELLED;
}

int tdxr_event_field(unsigned int type, const char *name)
{
	const struct tdxr_event_desc *d = tdxr_event_desc(type);

	for (unsigned int i = 0; i < d->nr_fields; i++) {
		if (strcmp(d->fields[i].name, name) == 0) {
			return (int)i;
		}
	}
	return -1;
}

int tdxr_event_field_by_role(unsigned int type, enum tdxr_field_role role)
{
	const struct tdxr_event_desc *d = tdxr_event_desc(type);

	for (unsigned int i = 0; i < d->nr_fields; i++) {
		if (d->fields[i].role == role) {
			return (int)i;
		}
	}
	return -1;
}
