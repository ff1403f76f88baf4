// SPDX-License-Identifier: GPL-2.0
/*
 * replay/src/ctf.c - the CTF reader (LTTng-UST traces) through babeltrace2:
 * a CTF directory, or a CTF file of one.
 *
 * The graph is src.ctf.fs (every directory below the input that holds a
 * `metadata` file) -> flt.utils.muxer (one input port per stream) -> a
 * simple sink of ours. The sink does not process anything itself: each
 * bt_graph_run_once() makes it take one batch of messages.
 *
 * Two stages, so babeltrace2's decoding runs beside whatever consumes the
 * events (the model, the printer, the index):
 *  - the reader stage runs the graph and copies each message out of
 *    babeltrace2 into an item of a batch: a struct tdxr_event with its
 *    numbers filled and its strings (comm, string fields, the payload text
 *    of unmodelled events) copied into the batch's arena, not interned;
 *  - next() takes the batches in order, interns the strings (the string
 *    table is single-threaded: only this stage touches it), computes the
 *    derived fields and hands the events out one at a time.
 * With two CPUs or more the reader stage is a thread of its own, ahead of
 * next() by at most CTF_NBATCH batches; with one, next() runs it itself
 * when it runs out. Either way events, lost records, string ids and errors
 * come out in the same order. Every babeltrace2 call holds ctf_bt_lock, so
 * two CTF inputs never run the library at once, whichever thread runs it.
 *
 * Events:
 *  - tdxr_kernel:<event> is the kernel event (§2.1, §2.2) of that name
 *    (docs/design.md §2.4): ts, cpu, tid and comm come from its k_ts, k_cpu,
 *    k_tid, k_comm payload fields; derived fields are computed as the text
 *    reader does, and an empty string in an optional trailing field is
 *    absent, as it is in text; tdxr_kernel:unmodelled is any other kernel
 *    event: its `name` and `payload` fields are the name and raw text;
 *  - tdxr_vmm:<event> is the §2.3 VMM event; its `vm` payload field is the
 *    VMM's tgid; ts is the raw clock value (CLOCK_MONOTONIC ns at 1 GHz, so
 *    it merges with ftrace `mono` captures: never ns_from_origin, which adds
 *    the wall-clock offset), cpu the packet's cpu_id, tid/tgid the vtid and
 *    vpid contexts when the session added them;
 *  - anything else is unmodelled, its payload printed as name=value.
 * Discarded events (and packets) become lost records on the next event.
 *
 * Directories: every directory below the input that holds a `metadata`
 * file is a trace of it (LTTng puts them at ust/uid/0/64-bit/ and such).
 * A `tdxr record` directory is not read here: src.c expands it into its
 * parts (kernel.dat, vmm/) and the merge reads them (merge.c).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <babeltrace2/babeltrace.h>

#include "reader.h"

#define CTF_MAX_DIRS 256
#define CTF_MAX_DEPTH 8
#define CTF_BATCH 1024		   /* items per batch */
#define CTF_NBATCH 8		   /* batches between the two stages */
#define CTF_WAKE 4		   /* a sleeping stage is woken this many batches later */
#define CTF_ARENA_FULL (16u << 20) /* a batch's strings past this: the batch is full */
#define CTF_NOSTR UINT32_MAX

/* Every babeltrace2 call, on any thread, holds it (see the top). */
static pthread_mutex_t ctf_bt_lock = PTHREAD_MUTEX_INITIALIZER;

/* How one schema field comes from the payload, worked out once per event class. */
enum ctf_op { CTF_OP_U, CTF_OP_S, CTF_OP_STR, CTF_OP_STR_OPT /* empty: absent */ };
struct ctf_fop {
	int16_t idx;  /* payload member */
	uint8_t slot; /* ev->f[] index */
	uint8_t op;   /* enum ctf_op */
	uint8_t type; /* the schema type (S32/U32 are narrowed) */
	bool vcpu;    /* a VMM event's vCPU field: ev->vcpu too */
};

struct ctf_map {
	const bt_event_class *ec;
	uint16_t type;			      /* enum tdxr_event_type */
	bool kernel;			      /* tdxr_kernel:*: context from payload */
	struct ctf_fop fops[TDXR_MAX_FIELDS]; /* the schema fields the payload has */
	unsigned int nr_fops;
	int16_t k_ts, k_cpu, k_tid, vm, k_comm, u_name, u_payload;
	uint8_t k_ts_kind, k_cpu_kind, k_tid_kind, vm_kind;
	/* The stream class's (one per event class): common context and clock. */
	int16_t vtid, vpid, procname;
	uint8_t vtid_kind, vpid_kind;
	bool procname_str;
	bool clock;    /* a default clock ... */
	uint64_t freq; /* ... of this frequency */
};

/*
 * The packet context's cpu_id of the last few packets. Emptied at each
 * packet beginning: babeltrace2 recycles packet objects.
 */
#define CTF_PKT_CACHE 8
struct ctf_pkt_cpu {
	const bt_packet *pkt;
	int32_t cpu;
};

/* A string copied out of babeltrace2: arena[off, off + len), NUL after it. */
struct ctf_str {
	uint32_t off;
	uint32_t len; /* CTF_NOSTR: none */
};

enum ctf_item_kind { CTF_IT_EVENT, CTF_IT_LOST, CTF_IT_LOST_UNKNOWN };

/* One message of babeltrace2's, as the reader stage leaves it for next(). */
struct ctf_item {
	struct tdxr_event ev; /* ev.f[i] for bit i of strmask: off << 32 | len, not an id */
	uint8_t kind;	      /* enum ctf_item_kind */
	bool kernel;	      /* the map's kernel flag */
	uint16_t strmask;
	uint64_t lost;	       /* CTF_IT_LOST: events discarded */
	struct ctf_str cls;    /* event class name: first event of its class, and unmodelled */
	struct ctf_str comm;   /* the procname context */
	struct ctf_str k_comm; /* kernel events: k_comm, when not empty */
	struct ctf_str name;   /* tdxr_kernel:unmodelled: its name */
	struct ctf_str raw;    /* unmodelled: the payload text */
};

struct ctf_batch {
	struct ctf_item *it; /* owned, CTF_BATCH entries */
	unsigned int n;
	char *arena; /* owned */
	size_t alen, acap;
};

/* Where the reader stage stands. */
enum ctf_rd { CTF_RD_RUNNING, CTF_RD_END, CTF_RD_ERROR, CTF_RD_NOMEM };

struct ctf_priv {
	/* the reader stage's (under ctf_bt_lock, or before/after the thread) */
	bt_graph *graph;
	const bt_plugin *ctf_plugin, *utils_plugin;
	const bt_message **msgs; /* owned copy of the sink's batch; refs are ours */
	uint64_t nr_msgs, pos;
	size_t msgs_cap;
	struct ctf_map *maps; /* open-addressed by event class pointer */
	unsigned int maps_cap, nr_maps;
	const bt_field_class *pkt_fc; /* packet context class pkt_cpu is for */
	int pkt_cpu;		      /* its cpu_id member, -1 none */
	struct ctf_pkt_cpu pkts[CTF_PKT_CACHE];
	unsigned int nr_pkts, pkt_next;
	enum ctf_rd rd;
	char why[384]; /* CTF_RD_ERROR: babeltrace2's reason */

	/* between the stages: batches [head, head + count) are full, in order */
	struct ctf_batch b[CTF_NBATCH];
	unsigned int head, count;
	bool rd_done;		 /* the reader stage put its last batch */
	bool stop;		 /* close(): the thread is to quit */
	bool r_sleeps, n_sleeps; /* the reader stage / next() waits on freed / filled */
	bool threaded, started;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t filled, freed;

	/* next()'s */
	struct ctf_batch *cur; /* the batch handed out from (it is b[head]) */
	unsigned int cur_pos;
	bool ended;
	bool failed;
	char comm_str[32]; /* the last procname interned ... */
	uint64_t comm_len; /* ... its length (UINT64_MAX: none) ... */
	uint32_t comm_id;  /* ... and its id */
	struct tdxr_src *s;
};

/* ---- errors --------------------------------------------------------------- */

/* The first cause of babeltrace2's current error, or @dflt. Releases it. */
static void bt_error_text(char *buf, size_t len, const char *dflt)
{
	const bt_error *e = bt_current_thread_take_error();
	const char *msg = NULL;

	if (e) {
		uint64_t n = bt_error_get_cause_count(e);

		/* Index 0 is the root cause: what was wrong with the data. */
		if (n > 0) {
			msg = bt_error_cause_get_message(bt_error_borrow_cause_by_index(e, 0));
		}
	}
	snprintf(buf, len, "%s", msg && *msg ? msg : dflt);
	/* One line: babeltrace2 messages may hold newlines. */
	for (char *p = buf; *p; p++) {
		if (*p == '\n') {
			*p = ' ';
		}
	}
	if (e) {
		bt_error_release(e);
	}
}

/* ---- the sink ------------------------------------------------------------- */

static bt_graph_simple_sink_component_initialize_func_status sink_init(bt_message_iterator *it,
								       void *data)
{
	(void)it;
	(void)data;
	return BT_GRAPH_SIMPLE_SINK_COMPONENT_INITIALIZE_FUNC_STATUS_OK;
}

static bt_graph_simple_sink_component_consume_func_status sink_consume(bt_message_iterator *it,
								       void *data)
{
	struct ctf_priv *p = data;
	bt_message_array_const msgs;
	uint64_t count = 0;

	switch (bt_message_iterator_next(it, &msgs, &count)) {
	case BT_MESSAGE_ITERATOR_NEXT_STATUS_OK:
		break;
	case BT_MESSAGE_ITERATOR_NEXT_STATUS_END:
		return BT_GRAPH_SIMPLE_SINK_COMPONENT_CONSUME_FUNC_STATUS_END;
	case BT_MESSAGE_ITERATOR_NEXT_STATUS_AGAIN:
		return BT_GRAPH_SIMPLE_SINK_COMPONENT_CONSUME_FUNC_STATUS_AGAIN;
	case BT_MESSAGE_ITERATOR_NEXT_STATUS_MEMORY_ERROR:
		return BT_GRAPH_SIMPLE_SINK_COMPONENT_CONSUME_FUNC_STATUS_MEMORY_ERROR;
	default:
		return BT_GRAPH_SIMPLE_SINK_COMPONENT_CONSUME_FUNC_STATUS_ERROR;
	}
	if (count > p->msgs_cap) {
		const bt_message **n = realloc(p->msgs, count * sizeof(*n));

		if (!n) {
			for (uint64_t i = 0; i < count; i++) {
				bt_message_put_ref(msgs[i]);
			}
			return BT_GRAPH_SIMPLE_SINK_COMPONENT_CONSUME_FUNC_STATUS_MEMORY_ERROR;
		}
		p->msgs = n;
		p->msgs_cap = count;
	}
	memcpy(p->msgs, msgs, count * sizeof(*msgs));
	p->nr_msgs = count;
	p->pos = 0;
	return BT_GRAPH_SIMPLE_SINK_COMPONENT_CONSUME_FUNC_STATUS_OK;
}

static void sink_finalize(void *data)
{
	(void)data;
}

/* ---- event mapping ---------------------------------------------------------- */

enum ctf_kind { CTF_K_NONE, CTF_K_U, CTF_K_S, CTF_K_STR, CTF_K_BOOL };

/* The kind of member @idx of structure class @fc. */
static uint8_t member_kind(const bt_field_class *fc, int idx)
{
	if (!fc || idx < 0) {
		return CTF_K_NONE;
	}
	switch (bt_field_class_get_type(bt_field_class_structure_member_borrow_field_class_const(
		bt_field_class_structure_borrow_member_by_index_const(fc, (uint64_t)idx)))) {
	case BT_FIELD_CLASS_TYPE_UNSIGNED_INTEGER:
	case BT_FIELD_CLASS_TYPE_UNSIGNED_ENUMERATION:
		return CTF_K_U;
	case BT_FIELD_CLASS_TYPE_SIGNED_INTEGER:
	case BT_FIELD_CLASS_TYPE_SIGNED_ENUMERATION:
		return CTF_K_S;
	case BT_FIELD_CLASS_TYPE_STRING:
		return CTF_K_STR;
	case BT_FIELD_CLASS_TYPE_BOOL:
		return CTF_K_BOOL;
	default:
		return CTF_K_NONE;
	}
}

static int member_index(const bt_field_class *fc, const char *name)
{
	uint64_t n;

	if (!fc || bt_field_class_get_type(fc) != BT_FIELD_CLASS_TYPE_STRUCTURE) {
		return -1;
	}
	n = bt_field_class_structure_get_member_count(fc);
	for (uint64_t i = 0; i < n && i < INT16_MAX; i++) {
		const bt_field_class_structure_member *m =
			bt_field_class_structure_borrow_member_by_index_const(fc, i);

		if (strcmp(bt_field_class_structure_member_get_name(m), name) == 0) {
			return (int)i;
		}
	}
	return -1;
}

/* The map of the class of @msg's event @e, from its first event. */
static void map_event(struct ctf_map *m, const bt_message *msg, const bt_event *e)
{
	const bt_event_class *ec = bt_event_borrow_class_const(e);
	const char *full = bt_event_class_get_name(ec);
	const bt_field *payload = bt_event_borrow_payload_field_const(e);
	const bt_field_class *pfc = payload ? bt_field_borrow_class_const(payload) : NULL;
	const bt_field *ctx = bt_event_borrow_common_context_field_const(e);
	const bt_field_class *cfc = ctx ? bt_field_borrow_class_const(ctx) : NULL;
	const bt_clock_class *cc =
		bt_message_event_borrow_stream_class_default_clock_class_const(msg);
	const char *colon;
	const struct tdxr_event_desc *d;

	m->ec = ec;
	m->type = TDXR_EV_UNMODELLED;
	m->k_ts = m->k_cpu = m->k_tid = m->vm = m->k_comm = m->u_name = m->u_payload = -1;
	m->kernel = false;
	/* Every event of the class has its stream class's context and clock. */
	m->vtid = (int16_t)member_index(cfc, "vtid");
	m->vpid = (int16_t)member_index(cfc, "vpid");
	m->procname = (int16_t)member_index(cfc, "procname");
	m->vtid_kind = member_kind(cfc, m->vtid);
	m->vpid_kind = member_kind(cfc, m->vpid);
	m->procname_str = member_kind(cfc, m->procname) == CTF_K_STR;
	m->clock = cc != NULL;
	m->freq = cc ? bt_clock_class_get_frequency(cc) : 0;
	m->nr_fops = 0;
	if (!full) {
		full = "?";
	}
	colon = strchr(full, ':');
	if (colon && (size_t)(colon - full) == 11 && memcmp(full, "tdxr_kernel", 11) == 0) {
		unsigned int t = tdxr_event_lookup(NULL, colon + 1, strlen(colon + 1));
		const char *sys = tdxr_event_desc(t)->system;

		if (t != TDXR_EV_UNMODELLED && strcmp(sys, "log") != 0 &&
		    strcmp(sys, "tdxr_vmm") != 0) {
			m->type = (uint16_t)t;
			m->kernel = true;
		} else if (strcmp(colon + 1, "unmodelled") == 0) {
			/* another kernel event: its name and payload text as fields */
			m->u_name = (int16_t)member_index(pfc, "name");
			m->u_payload = (int16_t)member_index(pfc, "payload");
			if (member_kind(pfc, m->u_name) == CTF_K_STR &&
			    member_kind(pfc, m->u_payload) == CTF_K_STR) {
				m->kernel = true;
			}
		}
	} else if (colon && (size_t)(colon - full) == 8 && memcmp(full, "tdxr_vmm", 8) == 0) {
		m->type = (uint16_t)tdxr_event_lookup("tdxr_vmm", colon + 1, strlen(colon + 1));
	}
	m->k_ts = (int16_t)member_index(pfc, "k_ts");
	m->k_cpu = (int16_t)member_index(pfc, "k_cpu");
	m->k_tid = (int16_t)member_index(pfc, "k_tid");
	m->vm = (int16_t)member_index(pfc, "vm");
	m->k_ts_kind = member_kind(pfc, m->k_ts);
	m->k_cpu_kind = member_kind(pfc, m->k_cpu);
	m->k_tid_kind = member_kind(pfc, m->k_tid);
	m->vm_kind = member_kind(pfc, m->vm);
	m->k_comm = (int16_t)member_index(pfc, "k_comm");
	if (member_kind(pfc, m->k_comm) != CTF_K_STR) {
		m->k_comm = -1;
	}
	if (m->type == TDXR_EV_UNMODELLED) {
		return;
	}
	d = tdxr_event_desc(m->type);
	for (unsigned int i = 0; i < d->nr_fields && i < TDXR_MAX_FIELDS; i++) {
		int idx = member_index(pfc, d->fields[i].name);
		uint8_t kind = member_kind(pfc, idx);
		struct ctf_fop *op = &m->fops[m->nr_fops];

		if (d->fields[i].type == TDXR_FT_STR) {
			if (kind != CTF_K_STR) {
				continue;
			}
			/* Text cannot tell an empty optional "%s" from a missing one. */
			op->op = m->kernel && d->opt_from >= 0 && i >= (unsigned int)d->opt_from
					 ? CTF_OP_STR_OPT
					 : CTF_OP_STR;
		} else if (kind == CTF_K_U || kind == CTF_K_S) {
			op->op = kind == CTF_K_U ? CTF_OP_U : CTF_OP_S;
		} else {
			continue;
		}
		op->idx = (int16_t)idx;
		op->slot = (uint8_t)i;
		op->type = (uint8_t)d->fields[i].type;
		/* The shim knows which vCPU it saw: no need to resolve it. */
		op->vcpu = d->fields[i].role == TDXR_FR_VCPU && !m->kernel;
		m->nr_fops++;
	}
}

/* The map of @e's class; *@fresh tells whether this is its first event. */
static struct ctf_map *lookup_map(struct ctf_priv *p, const bt_message *msg, const bt_event *e,
				  bool *fresh)
{
	const bt_event_class *ec = bt_event_borrow_class_const(e);
	unsigned int h;

	*fresh = false;
	if (p->nr_maps * 2 >= p->maps_cap) {
		unsigned int cap = p->maps_cap ? p->maps_cap * 2 : 64;
		struct ctf_map *nm = calloc(cap, sizeof(*nm));

		if (!nm) {
			return NULL;
		}
		for (unsigned int i = 0; i < p->maps_cap; i++) {
			if (p->maps[i].ec) {
				h = (unsigned int)(((uintptr_t)p->maps[i].ec >> 4) * 2654435761u) &
				    (cap - 1);
				while (nm[h].ec) {
					h = (h + 1) & (cap - 1);
				}
				nm[h] = p->maps[i];
			}
		}
		free(p->maps);
		p->maps = nm;
		p->maps_cap = cap;
	}
	h = (unsigned int)(((uintptr_t)ec >> 4) * 2654435761u) & (p->maps_cap - 1);
	while (p->maps[h].ec && p->maps[h].ec != ec) {
		h = (h + 1) & (p->maps_cap - 1);
	}
	if (!p->maps[h].ec) {
		map_event(&p->maps[h], msg, e);
		p->nr_maps++;
		*fresh = true;
	}
	return &p->maps[h];
}

/* ---- field values ----------------------------------------------------------- */

static bool field_u64(const bt_field *f, uint64_t *v)
{
	switch (bt_field_get_class_type(f)) {
	case BT_FIELD_CLASS_TYPE_UNSIGNED_INTEGER:
	case BT_FIELD_CLASS_TYPE_UNSIGNED_ENUMERATION:
		*v = bt_field_integer_unsigned_get_value(f);
		return true;
	case BT_FIELD_CLASS_TYPE_SIGNED_INTEGER:
	case BT_FIELD_CLASS_TYPE_SIGNED_ENUMERATION:
		*v = (uint64_t)bt_field_integer_signed_get_value(f);
		return true;
	case BT_FIELD_CLASS_TYPE_BOOL:
		*v = bt_field_bool_get_value(f);
		return true;
	default:
		return false;
	}
}

/* Member @idx of @st as a number, its kind known from the map. */
static inline bool kind_u64(const bt_field *st, int idx, uint8_t kind, uint64_t *v)
{
	const bt_field *f;

	if (kind != CTF_K_U && kind != CTF_K_S) {
		return false;
	}
	f = bt_field_structure_borrow_member_field_by_index_const(st, (uint64_t)idx);
	*v = kind == CTF_K_U ? bt_field_integer_unsigned_get_value(f)
			     : (uint64_t)bt_field_integer_signed_get_value(f);
	return true;
}

static const bt_field *member(const bt_field *st, int idx)
{
	if (!st || idx < 0) {
		return NULL;
	}
	return bt_field_structure_borrow_member_field_by_index_const(st, (uint64_t)idx);
}

static bool member_u64(const bt_field *st, int idx, uint64_t *v)
{
	const bt_field *f = member(st, idx);

	return f && field_u64(f, v);
}

/* ---- the reader stage: babeltrace2's messages into batches ------------------ */

/* Room for @len more bytes in @b's arena; -1 when out of memory (or offsets past 32 bits). */
static int arena_room(struct ctf_batch *b, size_t len)
{
	size_t cap = b->acap ? b->acap : 65536;
	char *na;

	if (len > UINT32_MAX - b->alen) {
		return -1;
	}
	if (b->alen + len <= b->acap) {
		return 0;
	}
	while (cap < b->alen + len) {
		cap *= 2;
	}
	na = realloc(b->arena, cap);
	if (!na) {
		return -1;
	}
	b->arena = na;
	b->acap = cap;
	return 0;
}

/* Copies @str[0..len) and a NUL into @b's arena. */
static int arena_put(struct ctf_batch *b, const char *str, uint64_t len, struct ctf_str *out)
{
	if (len >= UINT32_MAX || arena_room(b, (size_t)len + 1) < 0) {
		return -1;
	}
	memcpy(b->arena + b->alen, str, (size_t)len);
	b->arena[b->alen + len] = '\0';
	out->off = (uint32_t)b->alen;
	out->len = (uint32_t)len;
	b->alen += (size_t)len + 1;
	return 0;
}

/* Writes "name=value" for each top-level payload member into @b's arena. */
static int format_payload(struct ctf_batch *b, const bt_field *payload, struct ctf_str *out)
{
	const bt_field_class *fc = bt_field_borrow_class_const(payload);
	uint64_t n = bt_field_class_structure_get_member_count(fc);
	size_t start = b->alen;

	for (uint64_t i = 0; i < n; i++) {
		const char *name = bt_field_class_structure_member_get_name(
			bt_field_class_structure_borrow_member_by_index_const(fc, i));
		const bt_field *f =
			bt_field_structure_borrow_member_field_by_index_const(payload, i);
		char val[96];
		const char *v = val;
		uint64_t u;

		if (bt_field_get_class_type(f) == BT_FIELD_CLASS_TYPE_STRING) {
			v = bt_field_string_get_value(f);
		} else if (field_u64(f, &u)) {
			if (bt_field_get_class_type(f) == BT_FIELD_CLASS_TYPE_SIGNED_INTEGER ||
			    bt_field_get_class_type(f) == BT_FIELD_CLASS_TYPE_SIGNED_ENUMERATION) {
				snprintf(val, sizeof(val), "%lld", (long long)u);
			} else {
				snprintf(val, sizeof(val), "0x%llx", (unsigned long long)u);
			}
		} else {
			v = "?";
		}
		/* a space, the '=' and the NUL */
		if (arena_room(b, strlen(name) + strlen(v) + 3) < 0) {
			return -1;
		}
		b->alen += (size_t)sprintf(b->arena + b->alen, "%s%s=%s", i ? " " : "", name, v);
	}
	if (arena_room(b, 1) < 0) {
		return -1;
	}
	b->arena[b->alen] = '\0';
	out->off = (uint32_t)start;
	out->len = (uint32_t)(b->alen - start);
	b->alen++;
	return 0;
}

static uint64_t clock_ns(const struct ctf_map *m, const bt_message *msg)
{
	uint64_t v;

	if (!m->clock) {
		return 0;
	}
	v = bt_clock_snapshot_get_value(bt_message_event_borrow_default_clock_snapshot_const(msg));
	if (m->freq == 1000000000ull || m->freq == 0) {
		return v;
	}
	return (uint64_t)((unsigned __int128)v * 1000000000ull / m->freq);
}

/* A context member as a number, its kind known from the map (booleans too). */
static inline bool ctx_u64(const bt_field *st, int idx, uint8_t kind, uint64_t *v)
{
	if (kind == CTF_K_BOOL) {
		*v = bt_field_bool_get_value(
			bt_field_structure_borrow_member_field_by_index_const(st, (uint64_t)idx));
		return true;
	}
	return kind_u64(st, idx, kind, v);
}

/* The cpu_id of @pkt's context, -1 none; the last few packets' are kept. */
static int32_t packet_cpu(struct ctf_priv *p, const bt_packet *pkt)
{
	const bt_field *pc;
	int32_t cpu = -1;
	uint64_t v;

	for (unsigned int i = 0; i < p->nr_pkts; i++) {
		if (p->pkts[i].pkt == pkt) {
			return p->pkts[i].cpu;
		}
	}
	pc = bt_packet_borrow_context_field_const(pkt);
	if (pc) {
		const bt_field_class *pcc = bt_field_borrow_class_const(pc);

		if (pcc != p->pkt_fc) {
			p->pkt_fc = pcc;
			p->pkt_cpu = member_index(pcc, "cpu_id");
		}
		if (member_u64(pc, p->pkt_cpu, &v)) {
			cpu = (int32_t)v;
		}
	}
	p->pkts[p->pkt_next].pkt = pkt;
	p->pkts[p->pkt_next].cpu = cpu;
	p->pkt_next = (p->pkt_next + 1) % CTF_PKT_CACHE;
	if (p->nr_pkts < CTF_PKT_CACHE) {
		p->nr_pkts++;
	}
	return cpu;
}

/* An event message into @it, its strings into @b's arena. -1: out of memory. */
static int decode_event(struct ctf_priv *p, struct ctf_batch *b, const bt_message *msg,
			struct ctf_item *it)
{
	const bt_event *e = bt_message_event_borrow_event_const(msg);
	const bt_field *payload = bt_event_borrow_payload_field_const(e);
	const bt_field *ctx = bt_event_borrow_common_context_field_const(e);
	const bt_packet *pkt = bt_event_borrow_packet_const(e);
	struct tdxr_event *ev = &it->ev;
	struct ctf_map *m;
	bool fresh;
	uint64_t v;

	m = lookup_map(p, msg, e, &fresh);
	if (!m) {
		return -1;
	}
	memset(it, 0, sizeof(*it));
	it->kind = CTF_IT_EVENT;
	it->kernel = m->kernel;
	it->cls.len = it->comm.len = it->k_comm.len = it->name.len = it->raw.len = CTF_NOSTR;
	/* next() interns the class name when it is first seen, as before any other string. */
	if (fresh || (m->type == TDXR_EV_UNMODELLED && !m->kernel)) {
		const char *full = bt_event_class_get_name(m->ec);

		if (!full) {
			full = "?";
		}
		if (arena_put(b, full, strlen(full), &it->cls) < 0) {
			return -1;
		}
	}
	ev->type = m->type;
	ev->input = (uint16_t)p->s->opts.input;
	/* A kernel event's time is its k_ts. */
	ev->ts = m->kernel && (m->k_ts_kind == CTF_K_U || m->k_ts_kind == CTF_K_S)
			 ? 0
			 : clock_ns(m, msg);
	ev->cpu = pkt ? packet_cpu(p, pkt) : -1;
	ev->tid = -1;
	ev->tgid = -1;
	ev->vm = -1;
	ev->vcpu = -1;
	if (ctx) {
		if (ctx_u64(ctx, m->vtid, m->vtid_kind, &v)) {
			ev->tid = (int32_t)v;
		}
		if (ctx_u64(ctx, m->vpid, m->vpid_kind, &v)) {
			ev->tgid = (int32_t)v;
		}
		if (m->procname_str) {
			const bt_field *f = member(ctx, m->procname);

			if (arena_put(b, bt_field_string_get_value(f),
				      bt_field_string_get_length(f), &it->comm) < 0) {
				return -1;
			}
		}
	}
	if (m->kernel) {
		/* Kernel events carry the kernel's context; the process is not it. */
		const bt_field *cf = member(payload, m->k_comm);

		ev->tgid = -1;
		if (kind_u64(payload, m->k_ts, m->k_ts_kind, &v)) {
			ev->ts = v;
		}
		if (kind_u64(payload, m->k_cpu, m->k_cpu_kind, &v)) {
			ev->cpu = (int32_t)v;
		}
		if (kind_u64(payload, m->k_tid, m->k_tid_kind, &v)) {
			ev->tid = (int32_t)v;
		}
		if (cf && bt_field_string_get_length(cf) > 0 &&
		    arena_put(b, bt_field_string_get_value(cf), bt_field_string_get_length(cf),
			      &it->k_comm) < 0) {
			return -1;
		}
	}
	/* VMM events carry the VMM's tgid; kernel events' vm stays a field, as in text. */
	if (!m->kernel && m->type != TDXR_EV_UNMODELLED &&
	    kind_u64(payload, m->vm, m->vm_kind, &v)) {
		ev->vm = (int32_t)v;
	}
	if (m->type == TDXR_EV_UNMODELLED && m->kernel) {
		const bt_field *nf = member(payload, m->u_name);
		const bt_field *pf = member(payload, m->u_payload);

		if (arena_put(b, bt_field_string_get_value(nf), bt_field_string_get_length(nf),
			      &it->name) < 0 ||
		    arena_put(b, bt_field_string_get_value(pf), bt_field_string_get_length(pf),
			      &it->raw) < 0) {
			return -1;
		}
		return 0;
	}
	if (m->type == TDXR_EV_UNMODELLED) {
		return payload ? format_payload(b, payload, &it->raw)
			       : arena_put(b, "", 0, &it->raw);
	}
	for (unsigned int j = 0; j < m->nr_fops; j++) {
		const struct ctf_fop *op = &m->fops[j];
		const bt_field *f = bt_field_structure_borrow_member_field_by_index_const(
			payload, (uint64_t)op->idx);

		if (op->op == CTF_OP_STR || op->op == CTF_OP_STR_OPT) {
			uint64_t len = bt_field_string_get_length(f);
			struct ctf_str str;

			if (op->op == CTF_OP_STR_OPT && len == 0) {
				continue;
			}
			if (arena_put(b, bt_field_string_get_value(f), len, &str) < 0) {
				return -1;
			}
			ev->f[op->slot] = (uint64_t)str.off << 32 | str.len;
			it->strmask |= (uint16_t)(1u << op->slot);
		} else {
			v = op->op == CTF_OP_U ? bt_field_integer_unsigned_get_value(f)
					       : (uint64_t)bt_field_integer_signed_get_value(f);
			if (op->type == TDXR_FT_S32) {
				v = (uint64_t)(int64_t)(int32_t)v;
			} else if (op->type == TDXR_FT_U32) {
				v = (uint32_t)v;
			}
			ev->f[op->slot] = v;
			if (op->vcpu) {
				ev->vcpu = (int32_t)v;
			}
		}
		ev->fmask |= (uint16_t)(1u << op->slot);
	}
	return 0;
}

/*
 * Fills @b with the next items, ctf_bt_lock held. At the end of the trace
 * or on an error it sets p->rd (the batch keeps what came before).
 */
static void fill_batch(struct ctf_priv *p, struct ctf_batch *b)
{
	b->n = 0;
	b->alen = 0;
	while (b->n < CTF_BATCH && b->alen < CTF_ARENA_FULL) {
		struct ctf_item *it = &b->it[b->n];
		const bt_message *msg;
		uint64_t n = 0;
		int r = 0;

		if (p->pos == p->nr_msgs) {
			p->nr_msgs = p->pos = 0;
			switch (bt_graph_run_once(p->graph)) {
			case BT_GRAPH_RUN_ONCE_STATUS_OK:
			case BT_GRAPH_RUN_ONCE_STATUS_AGAIN:
				continue;
			case BT_GRAPH_RUN_ONCE_STATUS_END:
				p->rd = CTF_RD_END;
				return;
			default:
				bt_error_text(p->why, sizeof(p->why), "unknown babeltrace2 error");
				p->rd = CTF_RD_ERROR;
				return;
			}
		}
		msg = p->msgs[p->pos++];
		switch (bt_message_get_type(msg)) {
		case BT_MESSAGE_TYPE_EVENT:
			r = decode_event(p, b, msg, it);
			b->n += r == 0;
			break;
		case BT_MESSAGE_TYPE_DISCARDED_EVENTS:
			/* n is read once get_count() has set it (not in the same argument list). */
			it->kind = bt_message_discarded_events_get_count(msg, &n) ==
						   BT_PROPERTY_AVAILABILITY_AVAILABLE
					   ? CTF_IT_LOST
					   : CTF_IT_LOST_UNKNOWN;
			it->lost = n;
			b->n++;
			break;
		case BT_MESSAGE_TYPE_DISCARDED_PACKETS:
			/* A lost packet held an unknown number of events. */
			it->kind = CTF_IT_LOST_UNKNOWN;
			b->n++;
			break;
		case BT_MESSAGE_TYPE_PACKET_BEGINNING:
			/* It may be a recycled packet object with a new context. */
			p->nr_pkts = 0;
			break;
		default:
			break;
		}
		bt_message_put_ref(msg);
		if (r < 0) {
			p->rd = CTF_RD_NOMEM;
			return;
		}
	}
}

/* The reader thread: fills free batches until the end, an error or close(). */
static void *reader_main(void *arg)
{
	struct ctf_priv *p = arg;
	bool last = false;

	while (!last) {
		struct ctf_batch *b;

		pthread_mutex_lock(&p->mu);
		while (p->count == CTF_NBATCH && !p->stop) {
			p->r_sleeps = true;
			pthread_cond_wait(&p->freed, &p->mu);
			p->r_sleeps = false;
		}
		if (p->stop) {
			pthread_mutex_unlock(&p->mu);
			break;
		}
		b = &p->b[(p->head + p->count) % CTF_NBATCH];
		pthread_mutex_unlock(&p->mu);

		pthread_mutex_lock(&ctf_bt_lock);
		fill_batch(p, b);
		pthread_mutex_unlock(&ctf_bt_lock);
		last = p->rd != CTF_RD_RUNNING;

		pthread_mutex_lock(&p->mu);
		p->count++;
		p->rd_done = last;
		/* A wakeup costs more than a batch is worth: wake next() for several. */
		if (p->n_sleeps && (p->count >= CTF_WAKE || last)) {
			pthread_cond_signal(&p->filled);
		}
		pthread_mutex_unlock(&p->mu);
	}
	return NULL;
}

/* Sets up the batches and, with more than one CPU to run on, the reader thread. */
static int start_reader(struct tdxr_src *s, struct ctf_priv *p)
{
	cpu_set_t cpus;
	sigset_t all, old;
	bool threads = sched_getaffinity(0, sizeof(cpus), &cpus) == 0 && CPU_COUNT(&cpus) > 1;

	p->started = true;
	for (unsigned int i = 0; i < (threads ? CTF_NBATCH : 1); i++) {
		p->b[i].it = malloc(CTF_BATCH * sizeof(*p->b[i].it));
		if (!p->b[i].it) {
			snprintf(s->err, sizeof(s->err), "%s: out of memory", s->path);
			return -1;
		}
	}
	if (!threads) {
		return 0;
	}
	/* Signals are the main thread's business (Ctrl-C in `tdxr index`). */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	p->threaded = pthread_create(&p->thread, NULL, reader_main, p) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return 0; /* no thread: next() runs the reader stage itself */
}

/* ---- next(): batches into events -------------------------------------------- */

/* procname repeats event after event: intern it once while it does. */
static uint32_t intern_cached(struct ctf_priv *p, const char *str, uint64_t len)
{
	if (len < sizeof(p->comm_str) && len == p->comm_len && memcmp(str, p->comm_str, len) == 0) {
		return p->comm_id;
	}
	p->comm_id = tdxr_strtab_intern(p->s->st, str, (size_t)len);
	if (len < sizeof(p->comm_str)) {
		memcpy(p->comm_str, str, (size_t)len);
		p->comm_len = len;
	} else {
		p->comm_len = UINT64_MAX;
	}
	return p->comm_id;
}

/* @it as the event next() hands out: strings interned in the order they were met. */
static void finish_event(struct tdxr_src *s, struct ctf_priv *p, const struct ctf_batch *b,
			 const struct ctf_item *it, struct tdxr_event *ev)
{
	uint32_t cls = 0;

	*ev = it->ev;
	if (it->cls.len != CTF_NOSTR) {
		cls = tdxr_strtab_intern(s->st, b->arena + it->cls.off, it->cls.len);
	}
	if (it->comm.len != CTF_NOSTR) {
		uint32_t id = intern_cached(p, b->arena + it->comm.off, it->comm.len);

		if (!it->kernel) {
			ev->comm = id;
		}
	}
	if (it->k_comm.len != CTF_NOSTR) {
		ev->comm = intern_cached(p, b->arena + it->k_comm.off, it->k_comm.len);
	}
	if (ev->type == TDXR_EV_UNMODELLED) {
		ev->name = it->kernel ? tdxr_strtab_intern(s->st, b->arena + it->name.off,
							   it->name.len)
				      : cls;
		ev->raw = b->arena + it->raw.off;
		return;
	}
	for (unsigned int m = it->strmask; m; m &= m - 1) {
		unsigned int i = (unsigned int)__builtin_ctz(m);

		ev->f[i] = tdxr_strtab_intern(s->st, b->arena + (ev->f[i] >> 32),
					      (size_t)(ev->f[i] & UINT32_MAX));
	}
	if (it->kernel) {
		tdxr_derive_fields(ev->type, ev, s->st);
	}
}

/*
 * Gives back the batch next() was reading and takes the next full one:
 * 1, or 0 when the reader stage has put its last batch.
 */
static int next_batch(struct ctf_priv *p)
{
	if (!p->threaded) {
		p->cur = NULL;
		if (p->rd != CTF_RD_RUNNING) {
			return 0;
		}
		pthread_mutex_lock(&ctf_bt_lock);
		fill_batch(p, &p->b[0]);
		pthread_mutex_unlock(&ctf_bt_lock);
		p->cur = &p->b[0];
		p->cur_pos = 0;
		return 1;
	}
	pthread_mutex_lock(&p->mu);
	if (p->cur) {
		p->cur = NULL;
		p->head = (p->head + 1) % CTF_NBATCH;
		p->count--;
		if (p->r_sleeps && p->count <= CTF_NBATCH - CTF_WAKE) {
			pthread_cond_signal(&p->freed);
		}
	}
	while (p->count == 0 && !p->rd_done) {
		p->n_sleeps = true;
		pthread_cond_wait(&p->filled, &p->mu);
		p->n_sleeps = false;
	}
	if (p->count > 0) {
		p->cur = &p->b[p->head];
		p->cur_pos = 0;
	}
	pthread_mutex_unlock(&p->mu);
	return p->cur != NULL;
}

static int ctf_next(struct tdxr_src *s, struct tdxr_event *ev)
{
	struct ctf_priv *p = s->priv;

	if (p->failed) {
		return -1;
	}
	if (!p->started && start_reader(s, p) < 0) {
		p->failed = true;
		return -1;
	}
	while (!p->ended) {
		while (p->cur && p->cur_pos < p->cur->n) {
			const struct ctf_item *it = &p->cur->it[p->cur_pos++];

			if (it->kind == CTF_IT_LOST) {
				tdxr_src_add_lost(s, true, it->lost);
			} else if (it->kind == CTF_IT_LOST_UNKNOWN) {
				tdxr_src_add_lost(s, false, 0);
			} else {
				finish_event(s, p, p->cur, it, ev);
				tdxr_src_produce(s, ev);
				return 1;
			}
		}
		if (!next_batch(p)) {
			p->ended = true;
		}
	}
	if (p->rd == CTF_RD_ERROR) {
		snprintf(s->err, sizeof(s->err),
			 "%s: CTF read error after %llu events (partial read): %s", s->path,
			 (unsigned long long)s->stats.events, p->why);
		p->failed = true;
		return -1;
	}
	if (p->rd == CTF_RD_NOMEM) {
		snprintf(s->err, sizeof(s->err), "%s: out of memory", s->path);
		p->failed = true;
		return -1;
	}
	if (s->pend_lost_flags) {
		s->stats.trailing_lost = true;
	}
	if (s->stats.events == 0) {
		snprintf(s->err, sizeof(s->err), "%s: no trace events found%s", s->path,
			 s->stats.lost_records ? " (streams missing or discarded: see the warnings)"
					       : "");
		return -1;
	}
	return 0;
}

static void ctf_close(struct tdxr_src *s)
{
	struct ctf_priv *p = s->priv;

	if (!p) {
		return;
	}
	if (p->threaded) {
		pthread_mutex_lock(&p->mu);
		p->stop = true;
		pthread_cond_signal(&p->freed);
		pthread_mutex_unlock(&p->mu);
		pthread_join(p->thread, NULL);
	}
	pthread_mutex_lock(&ctf_bt_lock);
	while (p->pos < p->nr_msgs) {
		bt_message_put_ref(p->msgs[p->pos++]);
	}
	bt_graph_put_ref(p->graph);
	bt_plugin_put_ref(p->ctf_plugin);
	bt_plugin_put_ref(p->utils_plugin);
	pthread_mutex_unlock(&ctf_bt_lock);
	for (unsigned int i = 0; i < CTF_NBATCH; i++) {
		free(p->b[i].it);
		free(p->b[i].arena);
	}
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->filled);
	pthread_cond_destroy(&p->freed);
	free(p->msgs);
	free(p->maps);
	free(p);
	s->priv = NULL;
}

/* ---- opening ------------------------------------------------------------------ */

static int find_plugin(const char *name, const bt_plugin **out)
{
	return bt_plugin_find(name, BT_TRUE, BT_FALSE, BT_TRUE, BT_TRUE, BT_FALSE, out) ==
			       BT_PLUGIN_FIND_STATUS_OK
		       ? 0
		       : -1;
}

/* Missing streams: LTTng writes index/<stream>.idx for each stream file. */
static void check_streams(struct tdxr_src *s, const char *dir)
{
	char path[PATH_MAX];
	DIR *d;
	struct dirent *de;

	if ((size_t)snprintf(path, sizeof(path), "%s/index", dir) >= sizeof(path)) {
		return;
	}
	d = opendir(path);
	if (!d) {
		return;
	}
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		struct stat sb;

		if (n <= 4 || strcmp(de->d_name + n - 4, ".idx") != 0) {
			continue;
		}
		if ((size_t)snprintf(path, sizeof(path), "%s/%.*s", dir, (int)(n - 4),
				     de->d_name) >= sizeof(path)) {
			continue;
		}
		if (stat(path, &sb) < 0) {
			fprintf(s->opts.err ? s->opts.err : stderr,
				"%s: warning: stream %.*s is missing (index/%s exists): its events "
				"are "
				"absent, reported as lost\n",
				s->path, (int)(n - 4), de->d_name, de->d_name);
			tdxr_src_add_lost(s, false, 0);
		}
	}
	closedir(d);
}

/*
 * babeltrace2 2.0.4 loops forever on a metadata file cut inside a packet:
 * check the packetized metadata's packets (magic 0x75d11d57, a 37-byte
 * header with content and packet sizes in bits) lie inside the file.
 */
static int check_metadata(struct tdxr_src *s, const char *dir, char *err, size_t errlen)
{
	char path[PATH_MAX];
	unsigned char h[37];
	FILE *f;
	long long off = 0, size;
	int r = 0;

	if ((size_t)snprintf(path, sizeof(path), "%s/metadata", dir) >= sizeof(path) ||
	    !(f = fopen(path, "rb"))) {
		snprintf(err, errlen, "%s: cannot open %s", s->path, path);
		return -1;
	}
	if (fseeko(f, 0, SEEK_END) < 0 || (size = ftello(f)) < 0) {
		fclose(f);
		return 0;
	}
	while (off < size) {
		uint32_t magic, content, packet;

		if (fseeko(f, off, SEEK_SET) < 0 || fread(h, 1, sizeof(h), f) != sizeof(h)) {
			break;
		}
		memcpy(&magic, h, 4);
		if (magic != 0x75d11d57u) {
			if (off == 0) {
				break; /* plain-text metadata */
			}
			snprintf(err, errlen,
				 "%s: corrupt CTF metadata: %s: no packet magic at byte "
				 "offset %lld",
				 s->path, path, off);
			r = -1;
			break;
		}
		memcpy(&content, h + 24, 4);
		memcpy(&packet, h + 28, 4);
		if (packet < 8 * sizeof(h) || content > packet || packet % 8 ||
		    off + packet / 8 > size) {
			snprintf(err, errlen,
				 "%s: truncated or corrupt CTF metadata: %s: the packet at "
				 "byte offset %lld does not fit the file (%lld bytes)",
				 s->path, path, off, size);
			r = -1;
			break;
		}
		off += packet / 8;
	}
	if (r == 0 && off == 0 && size < 16) {
		snprintf(err, errlen, "%s: truncated CTF metadata: %s has %lld bytes", s->path,
			 path, size);
		r = -1;
	}
	fclose(f);
	return r;
}

/* Whether @dir's metadata says LTTng-UST 2.x wrote it (its packet layout is then known). */
static bool lttng_ust_trace(const char *dir)
{
	char path[PATH_MAX];
	size_t len;
	char *buf;
	FILE *f;
	bool r;

	if ((size_t)snprintf(path, sizeof(path), "%s/metadata", dir) >= sizeof(path) ||
	    !(f = fopen(path, "rb"))) {
		return false;
	}
	buf = malloc(1 << 20);
	len = buf ? fread(buf, 1, 1 << 20, f) : 0;
	fclose(f);
	r = buf && memmem(buf, len, "tracer_name = \"lttng-ust\"", 25) &&
	    memmem(buf, len, "tracer_major = 2;", 17) &&
	    memmem(buf, len, "uint64_t content_size;\n\tuint64_t packet_size;", 45);
	free(buf);
	return r;
}

/*
 * babeltrace2 2.0.4 aborts on an assertion when a packet context holds
 * impossible sizes. LTTng-UST 2.x packets start with the header (magic
 * 0xc1fc1fc1, uuid, stream_id, stream_instance_id: 32 bytes) and the
 * context (timestamp_begin, timestamp_end, content_size, packet_size in
 * bits at 48 and 56, ...): walk them and refuse a stream whose packets do
 * not chain up to its end.
 */
static int check_packets(struct tdxr_src *s, const char *path, char *err, size_t errlen)
{
	unsigned char h[88];
	long long off = 0, size;
	int r = 0;
	FILE *f = fopen(path, "rb");

	if (!f) {
		return 0;
	}
	if (fseeko(f, 0, SEEK_END) < 0 || (size = ftello(f)) < 0) {
		fclose(f);
		return 0;
	}
	while (off < size) {
		uint64_t content, packet;
		uint32_t magic;

		if (fseeko(f, off, SEEK_SET) < 0 || fread(h, 1, sizeof(h), f) != sizeof(h)) {
			break; /* a cut packet: babeltrace2 reports it */
		}
		memcpy(&magic, h, 4);
		memcpy(&content, h + 48, 8);
		memcpy(&packet, h + 56, 8);
		if (magic != 0xc1fc1fc1u || packet == 0 || packet % 8 || content > packet ||
		    content < 8 * 84 || packet / 8 > (uint64_t)(size - off)) {
			snprintf(err, errlen,
				 "%s: corrupt CTF stream %s: bad packet header at byte offset %lld",
				 s->path, path, off);
			r = -1;
			break;
		}
		off += (long long)(packet / 8);
	}
	fclose(f);
	return r;
}

static int check_stream_files(struct tdxr_src *s, const char *dir, char *err, size_t errlen)
{
	DIR *d;
	struct dirent *de;
	int r = 0;

	if (!lttng_ust_trace(dir) || !(d = opendir(dir))) {
		return 0;
	}
	while (r == 0 && (de = readdir(d))) {
		char path[PATH_MAX];
		struct stat sb;

		if (de->d_name[0] == '.' || strcmp(de->d_name, "metadata") == 0 ||
		    (size_t)snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >=
			    sizeof(path) ||
		    stat(path, &sb) < 0 || !S_ISREG(sb.st_mode)) {
			continue;
		}
		r = check_packets(s, path, err, errlen);
	}
	closedir(d);
	return r;
}

/* The graph of @p (ctf_bt_lock held). */
static int build_graph(struct tdxr_src *s, struct ctf_priv *p, char **dirs, unsigned int nr,
		       char *err, size_t errlen)
{
	const bt_component_class_source *src_cls;
	const bt_component_class_filter *mux_cls;
	const bt_component_source *src;
	const bt_component_filter *mux;
	const bt_component_sink *sink;
	bt_value *params = NULL, *inputs = NULL;
	uint64_t nports;
	char why[384];

	bt_logging_set_global_level(BT_LOGGING_LEVEL_NONE);
	if (find_plugin("ctf", &p->ctf_plugin) < 0 || find_plugin("utils", &p->utils_plugin) < 0) {
		bt_error_text(why, sizeof(why), "not found");
		snprintf(err, errlen, "%s: cannot load babeltrace2's ctf/utils plugins: %s",
			 s->path, why);
		return -1;
	}
	src_cls = bt_plugin_borrow_source_component_class_by_name_const(p->ctf_plugin, "fs");
	mux_cls = bt_plugin_borrow_filter_component_class_by_name_const(p->utils_plugin, "muxer");
	p->graph = bt_graph_create(0);
	params = bt_value_map_create();
	if (!src_cls || !mux_cls || !p->graph || !params ||
	    bt_value_map_insert_empty_array_entry(params, "inputs", &inputs) !=
		    BT_VALUE_MAP_INSERT_ENTRY_STATUS_OK) {
		bt_value_put_ref(params);
		snprintf(err, errlen, "%s: cannot set up the babeltrace2 graph", s->path);
		return -1;
	}
	for (unsigned int i = 0; i < nr; i++) {
		if (check_metadata(s, dirs[i], err, errlen) < 0 ||
		    check_stream_files(s, dirs[i], err, errlen) < 0) {
			bt_value_put_ref(params);
			return -1;
		}
		check_streams(s, dirs[i]);
		if (bt_value_array_append_string_element(inputs, dirs[i]) !=
		    BT_VALUE_ARRAY_APPEND_ELEMENT_STATUS_OK) {
			bt_value_put_ref(params);
			snprintf(err, errlen, "%s: out of memory", s->path);
			return -1;
		}
	}
	if (bt_graph_add_source_component(p->graph, src_cls, "src", params, BT_LOGGING_LEVEL_NONE,
					  &src) != BT_GRAPH_ADD_COMPONENT_STATUS_OK) {
		bt_value_put_ref(params);
		bt_error_text(why, sizeof(why), "unknown error");
		snprintf(err, errlen, "%s: not a readable CTF trace: %s", s->path, why);
		return -1;
	}
	bt_value_put_ref(params);
	if (bt_graph_add_filter_component(p->graph, mux_cls, "mux", NULL, BT_LOGGING_LEVEL_NONE,
					  &mux) != BT_GRAPH_ADD_COMPONENT_STATUS_OK ||
	    bt_graph_add_simple_sink_component(p->graph, "tdxr", sink_init, sink_consume,
					       sink_finalize, p,
					       &sink) != BT_GRAPH_ADD_COMPONENT_STATUS_OK) {
		bt_error_text(why, sizeof(why), "unknown error");
		snprintf(err, errlen, "%s: cannot set up the babeltrace2 graph: %s", s->path, why);
		return -1;
	}
	nports = bt_component_source_get_output_port_count(src);
	if (nports == 0) {
		snprintf(err, errlen, "%s: CTF trace with no data streams", s->path);
		return -1;
	}
	for (uint64_t i = 0; i < nports; i++) {
		const bt_port_output *op =
			bt_component_source_borrow_output_port_by_index_const(src, i);
		/* The muxer grows a new input port each time one is connected. */
		const bt_port_input *ip = bt_component_filter_borrow_input_port_by_index_const(
			mux, bt_component_filter_get_input_port_count(mux) - 1);

		if (bt_graph_connect_ports(p->graph, op, ip, NULL) !=
		    BT_GRAPH_CONNECT_PORTS_STATUS_OK) {
			bt_error_text(why, sizeof(why), "unknown error");
			snprintf(err, errlen, "%s: cannot connect CTF stream %llu: %s", s->path,
				 (unsigned long long)i, why);
			return -1;
		}
	}
	if (bt_graph_connect_ports(p->graph,
				   bt_component_filter_borrow_output_port_by_name_const(mux, "out"),
				   bt_component_sink_borrow_input_port_by_name_const(sink, "in"),
				   NULL) != BT_GRAPH_CONNECT_PORTS_STATUS_OK) {
		bt_error_text(why, sizeof(why), "unknown error");
		snprintf(err, errlen, "%s: cannot set up the babeltrace2 graph: %s", s->path, why);
		return -1;
	}
	return 0;
}

static int open_graph(struct tdxr_src *s, char **dirs, unsigned int nr, char *err, size_t errlen)
{
	struct ctf_priv *p = calloc(1, sizeof(*p));
	int r;

	if (!p) {
		snprintf(err, errlen, "%s: out of memory", s->path);
		return -1;
	}
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->filled, NULL);
	pthread_cond_init(&p->freed, NULL);
	p->s = s;
	p->comm_len = UINT64_MAX;
	s->priv = p;
	pthread_mutex_lock(&ctf_bt_lock);
	r = build_graph(s, p, dirs, nr, err, errlen);
	pthread_mutex_unlock(&ctf_bt_lock);
	return r;
}

struct dirlist {
	char *d[CTF_MAX_DIRS];
	unsigned int n;
	bool overflow;
};

static void dirlist_free(struct dirlist *l)
{
	for (unsigned int i = 0; i < l->n; i++) {
		free(l->d[i]);
	}
	l->n = 0;
}

/* Every directory at or below @dir (not following symlinks) with a metadata file. */
static void find_metadata(const char *dir, int depth, struct dirlist *l)
{
	DIR *d;
	struct dirent *de;

	if (tdxr_src_has_file(dir, "metadata")) {
		if (l->n == CTF_MAX_DIRS) {
			l->overflow = true;
			return;
		}
		l->d[l->n] = strdup(dir);
		if (l->d[l->n]) {
			l->n++;
		}
		return; /* a trace directory holds streams, not more traces */
	}
	if (depth >= CTF_MAX_DEPTH || !(d = opendir(dir))) {
		return;
	}
	while ((de = readdir(d))) {
		char sub[PATH_MAX];
		struct stat sb;

		if (de->d_name[0] == '.') {
			continue;
		}
		if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name) >= sizeof(sub) ||
		    lstat(sub, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
			continue;
		}
		find_metadata(sub, depth + 1, l);
	}
	closedir(d);
}

static int ctf_open_dir(struct tdxr_src *s, const char *dir, char *err, size_t errlen)
{
	struct dirlist l = {.n = 0};
	int r;

	find_metadata(dir, 0, &l);
	if (l.overflow) {
		dirlist_free(&l);
		snprintf(err, errlen, "%s: more than %d CTF traces below this directory", dir,
			 CTF_MAX_DIRS);
		return -1;
	}
	if (l.n == 0) {
		snprintf(err, errlen,
			 "%s: directory holds no CTF trace (no 'metadata' file below it) and is "
			 "not a "
			 "tdxr record directory (no meta.json)",
			 dir);
		return -1;
	}
	r = open_graph(s, l.d, l.n, err, errlen);
	dirlist_free(&l);
	return r;
}

/* A CTF metadata file given as the input: its directory is the trace. */
static int ctf_open_file(struct tdxr_src *s, char *err, size_t errlen)
{
	char *dir = strdup(s->path);
	char *slash;
	int r;

	if (!dir) {
		snprintf(err, errlen, "%s: out of memory", s->path);
		return -1;
	}
	slash = strrchr(dir, '/');
	if (!slash) {
		strcpy(dir, ".");
	} else if (slash == dir) {
		dir[1] = '\0';
	} else {
		*slash = '\0';
	}
	if (!tdxr_src_has_file(dir, "metadata")) {
		snprintf(err, errlen,
			 "%s: CTF data given alone: give the trace's directory instead", s->path);
		free(dir);
		return -1;
	}
	r = ctf_open_dir(s, dir, err, errlen);
	free(dir);
	return r;
}

/* A directory with a metadata file at or below it, or a CTF file. */
static enum tdxr_format ctf_sniff(const struct tdxr_sniff *in, char *why, size_t whylen)
{
	const unsigned char *h = in->head;

	if (in->is_dir) {
		struct dirlist l = {.n = 0};

		find_metadata(in->path, 0, &l);
		if (l.n || l.overflow) {
			dirlist_free(&l);
			return TDXR_FMT_CTF;
		}
		snprintf(why, whylen,
			 "%s: directory holds no CTF trace (no 'metadata' file below it) and is "
			 "not a tdxr record directory (no meta.json)",
			 in->path);
		return TDXR_FMT_AUTO;
	}
	if (in->n >= 4 &&
	    (memcmp(h, "\xc1\x1f\xfc\xc1", 4) == 0 || memcmp(h, "\xc1\xfc\x1f\xc1", 4) == 0 ||
	     memcmp(h, "\x57\x1d\xd1\x75", 4) == 0 || /* packetized metadata */
	     (in->n >= 6 && memcmp(h, "/* CTF", 6) == 0))) {
		return TDXR_FMT_CTF;
	}
	return TDXR_FMT_AUTO;
}

static int ctf_open(struct tdxr_src *s, const struct tdxr_sniff *in, char *err, size_t errlen)
{
	return in->is_dir ? ctf_open_dir(s, s->path, err, errlen) : ctf_open_file(s, err, errlen);
}

const struct tdxr_reader tdxr_reader_ctf = {
	.name = "ctf",
	.formats = TDXR_FMT_BIT(TDXR_FMT_CTF),
	.sniff = ctf_sniff,
	.open = ctf_open,
	.next = ctf_next,
	.close = ctf_close,
};
