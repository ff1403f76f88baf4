-- SPDX-License-Identifier: GPL-2.0
--
-- schema/index.sql - the DDL of a tdxr index (docs/design.md §6), schema 2.
--
-- This file is the only DDL: it is compiled into libtdxr (see
-- replay/index/CMakeLists.txt) and executed as is by `tdxr index` on a
-- fresh database. Tables are loaded first; the indexes at the end of this
-- file are created by `tdxr index` after the load (it splits the file at
-- the line "-- @@ AFTER LOAD @@").
--
-- Conventions
--   * seq is the 0-based position of an event in the merged stream.
--   * Integers are SQLite's signed 64-bit: a u64 with bit 63 set (every
--     present EPT SPTE has SVE, SEAMCALL error statuses) is stored as its
--     signed twin (the same 64 bits). Views show such values as hex:
--     printf('0x%x', col) prints the original u64.
--   * String values (comm, string fields, unmodelled event names) are ids
--     into `strings`; the views resolve them.
--   * ts is in ns since the trace clock's origin.

-- meta: one row per fact about the index.
--   key    'format' = 'tdxr-index' (what makes a file a tdxr index),
--          'schema_version' (this file: 2), 'event_schema' (events.def
--          version), 'tdxr_version', 'created' (UTC, ISO 8601),
--          'kernel_profile' ("6.16"/"6.19"), 'gpaw', 'inputs' (count),
--          'events', 'event_extra', 'findings', 'checkpoints', 'strings',
--          'threads' (row counts,
--          checked when the index is verified and opened), 'errors',
--          'warnings', 'dropped_findings', 'checkpoint_every' (K),
--          'complete' ('1' once every table is loaded).
--   value  text or integer
CREATE TABLE meta (
	key	TEXT PRIMARY KEY,
	value
);

-- inputs: the traces the index was built from, in input order.
--   input   index stamped into events.input (0-based)
--   path    as given on the command line
--   format  "ftrace", "console", ...
--   lines   text lines read (0 for binary formats)
--   events  events this input produced
--   lost_records, lost_events  lost-events markers seen and what they counted
CREATE TABLE inputs (
	input		INTEGER PRIMARY KEY,
	path		TEXT NOT NULL,
	format		TEXT NOT NULL,
	lines		INTEGER,
	events		INTEGER,
	lost_records	INTEGER,
	lost_events	INTEGER
);

-- strings: the interned strings. id 0 is the empty string.
--   id  the id stored in events.comm, f<i> of string fields, event_extra.name
--   s   the string
CREATE TABLE strings (
	id	INTEGER PRIMARY KEY,
	s	TEXT NOT NULL
);

-- event_types: one row per event type of schema/events.def (type 0 is an
-- unmodelled event, named by event_extra.name).
--   type        the value of events.type
--   system      ftrace system ("tdx", "kvm", "kvmmmu", "log", "tdxr_vmm")
--   name        event name ("tdx_seamcall", ...)
--   nr_fields   how many of f0..f11 the type uses
--   print_fmt   the TP_printk format
CREATE TABLE event_types (
	type		INTEGER PRIMARY KEY,
	system		TEXT NOT NULL,
	name		TEXT NOT NULL,
	nr_fields	INTEGER NOT NULL,
	print_fmt	TEXT
);

-- event_fields: the meaning of events.f0..f11 per type.
--   type   event type
--   idx    i of column f<i>
--   name   field name ("status", "old_spte", ...)
--   ctype  "u64", "s64", "u32", "s32" or "str" (an id into strings)
--   role   what the field means to the model ("gfn", "level", "spte", ...)
--   derived  1 when computed by tdxr, not read from the trace
CREATE TABLE event_fields (
	type	INTEGER NOT NULL,
	idx	INTEGER NOT NULL,
	name	TEXT NOT NULL,
	ctype	TEXT NOT NULL,
	role	TEXT NOT NULL,
	derived	INTEGER NOT NULL,
	PRIMARY KEY (type, idx)
) WITHOUT ROWID;

-- threads: what is constant per thread, shared by the events of a thread.
--   ctx    events.ctx
--   tid    thread id
--   comm   strings.id of the thread's comm
--   tgid   the tgid column of the trace, -1 when it has none
--   input  inputs.input the thread's events came from
CREATE TABLE threads (
	ctx	INTEGER PRIMARY KEY,
	tid	INTEGER NOT NULL,
	comm	INTEGER NOT NULL,
	tgid	INTEGER NOT NULL,
	input	INTEGER NOT NULL
);

-- events: one row per event, in seq order (the `ev` view shows them with
-- everything resolved).
--   seq     position in the merged stream (0-based)
--   ts      timestamp, ns
--   type    event_types.type
--   cpu     CPU the event was recorded on
--   ctx     threads.ctx: tid, comm, tgid and input of the event
--   vm      VMM tgid the event belongs to (as resolved by the model), -1 unknown
--   vcpu    vCPU id (as resolved by the model), -1 unknown
--   gfn     the guest frame the event touches, shared bit stripped: its
--           GFN field, its GPA field >> 12, or for a TDH.MEM SEAMCALL the
--           gpa in RCX; NULL when it touches none
--   level   KVM page level of that gfn (4K = 1), NULL when unknown
--   dline   line - seq (1-based line in its input = seq + dline; stored
--           this way because it is nearly constant); NULL for binary input
--   x       1 when an event_extra row exists for this seq, else NULL
--   f0..f11 the event's fields in events.def order (see event_fields);
--           NULL when the trace did not carry the field
CREATE TABLE events (
	seq	INTEGER PRIMARY KEY,
	ts	INTEGER NOT NULL,
	type	INTEGER NOT NULL,
	cpu	INTEGER,
	ctx	INTEGER NOT NULL,
	vm	INTEGER,
	vcpu	INTEGER,
	gfn	INTEGER,
	level	INTEGER,
	dline	INTEGER,
	x	INTEGER,
	f0 INTEGER, f1 INTEGER, f2 INTEGER, f3 INTEGER, f4 INTEGER, f5 INTEGER,
	f6 INTEGER, f7 INTEGER, f8 INTEGER, f9 INTEGER, f10 INTEGER, f11 INTEGER
);

-- event_extra: what few events carry (kept apart to keep events small).
--   seq         events.seq
--   name        strings.id of an unmodelled event's "system:name"
--   raw         an unmodelled event's payload text
--   lost_flags  bits: 1 a counted lost-events record precedes the event,
--               2 an unknown loss (buffer started) precedes it, 4 another
--               CPU's loss may begin here (its record comes later; set by
--               the merge), 8 this record's loss began at an earlier 4
--   lost        events lost just before this one
--   src_vm, src_vcpu  vm / vcpu as the reader gave them (before the model
--               resolved them), when not -1
CREATE TABLE event_extra (
	seq		INTEGER PRIMARY KEY,
	name		INTEGER,
	raw		TEXT,
	lost_flags	INTEGER,
	lost		INTEGER,
	src_vm		INTEGER,
	src_vcpu	INTEGER
);

-- finding_kinds: the fixed vocabulary of docs/design.md §4.
--   kind      findings.kind
--   name      "status-mismatch", ...
--   severity  default severity ("error" / "warning")
--   summary   one line
CREATE TABLE finding_kinds (
	kind		INTEGER PRIMARY KEY,
	name		TEXT NOT NULL,
	severity	TEXT NOT NULL,
	summary		TEXT NOT NULL
);

-- findings: what the replay reported, in report order.
--   id         0-based position in report order
--   seq        the event that reveals the problem
--   input, line, ts   of that event
--   kind       finding_kinds.kind
--   severity   0 warning, 1 error
--   vm, vcpu   -1 when unknown / not specific
--   gfn        NULL when none (shared bit stripped)
--   expected, actual, message  as reported
--   cause_seq  the first cause (== seq when it is its own)
CREATE TABLE findings (
	id		INTEGER PRIMARY KEY,
	seq		INTEGER NOT NULL,
	input		INTEGER,
	line		INTEGER,
	ts		INTEGER,
	kind		INTEGER NOT NULL,
	severity	INTEGER NOT NULL,
	vm		INTEGER,
	vcpu		INTEGER,
	gfn		INTEGER,
	expected	TEXT,
	actual		TEXT,
	message		TEXT,
	cause_seq	INTEGER
);

-- finding_chain: the causal chain of each finding, oldest first, ending
-- with the finding's own seq.
--   finding  findings.id
--   pos      0-based position in the chain
--   seq      an event of the chain
CREATE TABLE finding_chain (
	finding	INTEGER NOT NULL,
	pos	INTEGER NOT NULL,
	seq	INTEGER NOT NULL,
	PRIMARY KEY (finding, pos)
) WITHOUT ROWID;

-- checkpoints: model snapshots, the state right after event seq was
-- applied. A full checkpoint (base = seq) holds the whole state
-- (mdl_save). Each following one, up to the next full one, holds what
-- changed since the checkpoint before it (base = that one's seq): the
-- model's records touched in between, slot for slot (mdl_save_changes,
-- replay/model/save.c). Restoring a checkpoint loads the full one before
-- it and applies the chain in seq order.
--   seq   the event the snapshot follows
--   base  seq for a full checkpoint; else the seq of the checkpoint the
--         changes apply to (the one before)
--   data  the whole state or the changes
CREATE TABLE checkpoints (
	seq	INTEGER PRIMARY KEY,
	base	INTEGER NOT NULL,
	data	BLOB NOT NULL
);

-- ---- views ---------------------------------------------------------------

-- ev: events with names, strings and hex resolved (the common view).
CREATE VIEW ev AS
SELECT e.seq, e.ts, printf('%d.%09d', e.ts / 1000000000, e.ts % 1000000000) AS time,
	e.cpu, h.tid, (SELECT s FROM strings WHERE id = h.comm) AS comm, h.tgid,
	e.vm, e.vcpu,
	CASE WHEN e.type = 0
		THEN (SELECT s FROM strings WHERE id = (SELECT name FROM event_extra WHERE seq = e.seq))
		ELSE t.system || ':' || t.name END AS event,
	e.gfn, printf('0x%x', e.gfn) AS gfn_hex, e.level, h.input,
	CASE WHEN e.dline IS NULL THEN 0 ELSE e.seq + e.dline END AS line, e.type, e.x
FROM events e JOIN event_types t ON t.type = e.type JOIN threads h ON h.ctx = e.ctx;

-- seamcalls: tdx:tdx_seamcall events.
CREATE VIEW seamcalls AS
SELECT e.seq, e.ts, e.vm, e.vcpu,
	(SELECT s FROM strings WHERE id = e.f0) AS leaf, e.f1 & 65535 AS leaf_nr,
	printf('0x%x', e.f2) AS rcx, printf('0x%x', e.f3) AS rdx,
	printf('0x%x', e.f4) AS r8, printf('0x%x', e.f5) AS r9,
	e.f6 AS status, printf('0x%016x', e.f6) AS status_hex,
	printf('0x%x', (e.f6 >> 32) & 4294967295) AS status_class,
	printf('0x%x', e.f7) AS out_rcx, printf('0x%x', e.f8) AS out_rdx,
	e.gfn, printf('0x%x', e.gfn) AS gfn_hex, e.level, e.seq + e.dline AS line
FROM events e WHERE e.type = (SELECT type FROM event_types WHERE name = 'tdx_seamcall');

-- spte_changes: kvmmmu:kvm_tdp_mmu_spte_changed events.
CREATE VIEW spte_changes AS
SELECT e.seq, e.ts, e.vm, e.vcpu, e.f0 AS as_id, e.f1 AS gfn, printf('0x%x', e.f1) AS gfn_hex,
	e.f2 AS level, e.f3 AS old_spte, printf('0x%016x', e.f3) AS old_hex,
	e.f4 AS new_spte, printf('0x%016x', e.f4) AS new_hex, e.f5 AS mirror, e.seq + e.dline AS line
FROM events e WHERE e.type = (SELECT type FROM event_types WHERE name = 'kvm_tdp_mmu_spte_changed');

-- sept_ops: kvm:kvm_tdx_sept events (the S-EPT hooks of KVM).
CREATE VIEW sept_ops AS
SELECT e.seq, e.ts, e.vm, e.vcpu, (SELECT s FROM strings WHERE id = e.f1) AS op,
	e.f2 AS gfn, printf('0x%x', e.f2) AS gfn_hex, e.f3 AS level,
	printf('0x%x', e.f4) AS pfn, e.f5 AS ret, e.seq + e.dline AS line
FROM events e WHERE e.type = (SELECT type FROM event_types WHERE name = 'kvm_tdx_sept');

-- sept_history: every event that touches a gfn, for
--   SELECT * FROM sept_history WHERE gfn = 0x8a3f ORDER BY seq;
CREATE VIEW sept_history AS
SELECT e.seq, e.ts, e.vm, e.vcpu, e.gfn, printf('0x%x', e.gfn) AS gfn_hex, e.level,
	CASE WHEN e.type = 0
		THEN (SELECT s FROM strings WHERE id = (SELECT name FROM event_extra WHERE seq = e.seq))
		ELSE t.name END AS event,
	CASE t.name
		WHEN 'tdx_seamcall' THEN (SELECT s FROM strings WHERE id = e.f0) || ' status ' || printf('0x%x', e.f6)
		WHEN 'kvm_tdx_sept' THEN (SELECT s FROM strings WHERE id = e.f1) || ' ret ' || e.f5
		WHEN 'kvm_tdp_mmu_spte_changed' THEN printf('%s 0x%x -> 0x%x',
			CASE e.f5 WHEN 1 THEN 'mirror' WHEN 0 THEN 'direct' ELSE '?' END, e.f3, e.f4)
		ELSE '' END AS what,
	e.seq + e.dline AS line
FROM events e JOIN event_types t ON t.type = e.type
WHERE e.gfn IS NOT NULL;

-- vcpu_runs: one row per time in the guest: a kvm_entry and the next
-- kvm_exit of the same vm/vCPU. duration_ns is NULL for a run the trace
-- does not see end.
CREATE VIEW vcpu_runs AS
SELECT vm, vcpu, seq AS entry_seq, ts AS entry_ts, exit_seq, exit_ts,
	exit_ts - ts AS duration_ns, (SELECT s FROM strings WHERE id = reason_id) AS exit_reason
FROM (SELECT e.seq, e.ts, e.vm, e.vcpu, t.name,
		LEAD(e.seq) OVER w AS exit_seq, LEAD(e.ts) OVER w AS exit_ts,
		LEAD(t.name) OVER w AS next_name,
		LEAD(CASE WHEN t.name = 'kvm_exit' THEN e.f1 END) OVER w AS reason_id
	FROM events e JOIN event_types t ON t.type = e.type
	WHERE t.name IN ('kvm_entry', 'kvm_exit')
	WINDOW w AS (PARTITION BY e.vm, e.vcpu ORDER BY e.seq))
WHERE name = 'kvm_entry' AND (next_name = 'kvm_exit' OR next_name IS NULL);

-- exits: kvm:kvm_exit with the reason resolved.
CREATE VIEW exits AS
SELECT e.seq, e.ts, e.vm, e.vcpu, (SELECT s FROM strings WHERE id = e.f1) AS reason,
	e.f8 AS exit_reason, printf('0x%x', e.f3) AS info1, printf('0x%x', e.f4) AS info2,
	e.gfn, e.seq + e.dline AS line
FROM events e WHERE e.type = (SELECT type FROM event_types WHERE name = 'kvm_exit');

-- findings_v: findings with names and hex.
CREATE VIEW findings_v AS
SELECT f.id, f.seq, f.input, f.line, printf('%d.%09d', f.ts / 1000000000, f.ts % 1000000000) AS time,
	k.name AS kind, CASE f.severity WHEN 1 THEN 'error' ELSE 'warning' END AS severity,
	f.vm, f.vcpu, CASE WHEN f.gfn IS NULL THEN NULL ELSE printf('0x%x', f.gfn) END AS gfn,
	f.expected, f.actual, f.message, f.cause_seq
FROM findings f JOIN finding_kinds k ON k.kind = f.kind;

-- checkpoint_sizes: how the checkpoints are stored.
CREATE VIEW checkpoint_sizes AS
SELECT seq, base, CASE WHEN base = seq THEN 'full' ELSE 'changes' END AS kind,
	length(data) AS stored_bytes
FROM checkpoints;

-- @@ AFTER LOAD @@
-- Built once the tables are loaded (faster than maintaining them).
CREATE INDEX events_gfn ON events (gfn) WHERE gfn IS NOT NULL;
CREATE INDEX events_type ON events (type);
-- (vcpu) orders by (vcpu, seq): seq is the rowid, part of every index entry.
CREATE INDEX events_vcpu ON events (vcpu);
CREATE INDEX findings_seq ON findings (seq);
