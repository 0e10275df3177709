/* loop.c: the shared main loop (see loop.h). */
#include "loop.h"
#include "arena.h"
#include "input.h"
#include "json.h"
#include "output.h"
#include "state.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <errno.h>
#include <pcre2.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static volatile sig_atomic_t stop_requested, hup_requested;

static void on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void on_hup(int sig)
{
	(void)sig;
	hup_requested = 1;
}

/* What the handlers were before a run, restored after it: a run inside a
 * run (fsjoin reloading a table on SIGHUP) must leave the outer one's. */
struct saved_signals {
	struct sigaction intr, term, hup;
	void (*pipe)(int);
};

static void restore_signals(const struct saved_signals *s)
{
	sigaction(SIGINT, &s->intr, NULL);
	sigaction(SIGTERM, &s->term, NULL);
	sigaction(SIGHUP, &s->hup, NULL);
	signal(SIGPIPE, s->pipe);
}

static void install_signals(int hup, struct saved_signals *saved)
{
	sigaction(SIGINT, NULL, &saved->intr);
	sigaction(SIGTERM, NULL, &saved->term);
	sigaction(SIGHUP, NULL, &saved->hup);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a blocked read returns EINTR so the loop can finish. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* SIGHUP: a reload for a tool with a poll hook (it interrupts a wait for
	 * input too, so the reload need not wait for data); else like SIGTERM */
	if (hup)
		sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, NULL);
	/* A closed downstream shows up as EPIPE from write(2), which ends the run
	 * quietly (fstools(7): SIGPIPE policy). */
	saved->pipe = signal(SIGPIPE, SIG_IGN);
}

int fs_loop_stopping(void)
{
	return stop_requested != 0;
}

int fs_run_reject(struct fs_run *run, enum fs_reject why, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(run->msg, sizeof run->msg, fmt, ap);
	va_end(ap);
	run->why = why;
	return -1;
}

void fs_run_reject_held(struct fs_run *run, enum fs_reject why, const char *source,
                        uint64_t line, const char *text, size_t textlen, const char *fmt, ...)
{
	char msg[384];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (fs_diag_reject(run->diag, why, source, line, text, textlen, "%s", msg) && !run->over) {
		fs_warn("%s:%llu: more than %lld rejected lines (--max-errors); stopping", source,
		        (unsigned long long)line, run->diag->max_errors);
		run->over = 1;
	}
}

/* The parsers for the three input kinds. */
struct parser {
	const struct fs_loop_config *cfg;
	pcre2_code *re;
	pcre2_match_data *md;
	uint32_t ngroups;
	const char **group_name; /* by group number; NULL for unnamed groups */
	struct fs_buf text;      /* --regex: the groups as JSON bytes */
};

static void regex_compile(struct parser *ps, const char *pattern)
{
	int err;
	PCRE2_SIZE off;
	uint32_t nnames, entry_size;
	PCRE2_SPTR names;
	ps->re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
	                       PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &err, &off, NULL);
	if (!ps->re) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(err, msg, sizeof msg);
		fs_die(FS_EX_USAGE, "--regex: %s at offset %zu", (char *)msg, (size_t)off);
	}
	pcre2_pattern_info(ps->re, PCRE2_INFO_NAMECOUNT, &nnames);
	if (nnames == 0)
		fs_die(FS_EX_USAGE, "--regex: the pattern has no named groups; name the fields "
		       "with (?<name>...)");
	/* The name table is sorted by name; fields follow the pattern's order. */
	pcre2_pattern_info(ps->re, PCRE2_INFO_CAPTURECOUNT, &ps->ngroups);
	pcre2_pattern_info(ps->re, PCRE2_INFO_NAMEENTRYSIZE, &entry_size);
	pcre2_pattern_info(ps->re, PCRE2_INFO_NAMETABLE, &names);
	ps->group_name = fs_xcalloc(ps->ngroups + 1, sizeof *ps->group_name);
	for (uint32_t i = 0; i < nnames; i++) {
		PCRE2_SPTR ent = names + i * entry_size;
		ps->group_name[(ent[0] << 8) | ent[1]] = (const char *)ent + 2;
	}
	pcre2_jit_compile(ps->re, PCRE2_JIT_COMPLETE);  /* best effort: falls back to interpretation */
	ps->md = pcre2_match_data_create_from_pattern(ps->re, NULL);
}

static const char *json_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_ARRAY: return "array";
	case JSON_STRING: return "string";
	case JSON_INTEGER:
	case JSON_REAL: return "number";
	case JSON_NULL: return "null";
	default: return "boolean";
	}
}

/* Parses JSON bytes into an object; big integers are read as reals rather
 * than rejected (the bytes, not the parse, are what the output carries). */
/* Parses JSON bytes into an object; big integers are read as reals rather
 * than rejected (the bytes, not the parse, are what the output carries).
 * what: "" for a plain line, "kcat envelope: " or "kcat payload: ". */
static json_t *parse_object(const char *p, size_t n, struct fs_run *run, enum fs_reject kind,
                            const char *what, int *ints_as_reals)
{
	json_error_t err;
	json_t *v = json_loadb(p, n, JSON_DECODE_ANY, &err);
	if (!v && json_error_code(&err) == json_error_numeric_overflow) {
		v = json_loadb(p, n, JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL, &err);
		*ints_as_reals = 1;
	}
	if (!v) {
		fs_run_reject(run, kind, "%sinvalid JSON at column %d: %s", what, err.column, err.text);
		return NULL;
	}
	if (!json_is_object(v)) {
		fs_run_reject(run, kind == FS_REJ_JSON ? FS_REJ_NOT_OBJECT : kind,
		              "%sJSON %s, not an object", what, json_type_name(v));
		json_decref(v);
		return NULL;
	}
	return v;
}

/* With a raw step: when the bytes are an object jansson would accept, the
 * record goes without a parse (obj NULL); otherwise jansson parses, and
 * either finds the error or, should it accept after all, gives the object. */
static int checked(const char *p, size_t n, struct fs_record *r)
{
	int big;
	size_t i = 0;
	while (i < n && (p[i] == ' ' || p[i] == '\t'))
		i++;
	if (i == n || p[i] != '{' || fs_json_check(p, n, &big) < 0)
		return 0;
	r->ints_as_reals = big;
	return 1;
}

static int parse_line(struct parser *ps, const struct fs_line *l, struct fs_record *r,
                      struct fs_run *run, int lazy)
{
	if (ps->re) {
		int rc = pcre2_match(ps->re, (PCRE2_SPTR)l->p, l->n, 0, 0, ps->md, NULL);
		if (rc < 0)
			return fs_run_reject(run, FS_REJ_NO_MATCH, "line does not match --regex");
		PCRE2_SIZE *ov = pcre2_get_ovector_pointer(ps->md);
		r->obj = json_object();
		for (uint32_t g = 1; g <= ps->ngroups && g < (uint32_t)rc; g++) {
			if (!ps->group_name[g] || ov[2 * g] == PCRE2_UNSET)
				continue;
			json_object_set_new(r->obj, ps->group_name[g],
			                    json_stringn_nocheck(l->p + ov[2 * g], ov[2 * g + 1] - ov[2 * g]));
		}
		ps->text.len = 0;
		fs_json_put_value(&ps->text, r->obj);
		r->raw = ps->text.p;
		r->rawlen = ps->text.len;
		return 0;
	}
	if (ps->cfg->kcat) {
		r->envelope = parse_object(l->p, l->n, run, FS_REJ_KCAT, "kcat envelope: ", &r->ints_as_reals);
		if (!r->envelope)
			return -1;
		json_t *payload = json_object_get(r->envelope, "payload");
		if (!json_is_string(payload))
			return fs_run_reject(run, FS_REJ_KCAT, "kcat envelope has %s payload; "
			                     "run kcat with -J and produce JSON messages",
			                     payload ? "a non-string" : "no");
		r->raw = json_string_value(payload);
		r->rawlen = json_string_length(payload);
		if (lazy && checked(r->raw, r->rawlen, r))
			return 0;
		r->obj = parse_object(r->raw, r->rawlen, run, FS_REJ_KCAT, "kcat payload: ", &r->ints_as_reals);
		return r->obj ? 0 : -1;
	}
	r->raw = l->p;
	r->rawlen = l->n;
	if (lazy && checked(l->p, l->n, r))
		return 0;
	r->obj = parse_object(l->p, l->n, run, FS_REJ_JSON, "", &r->ints_as_reals);
	return r->obj ? 0 : -1;
}

static int read_time(const struct fs_loop_config *cfg, const struct fs_path *tp,
                     struct fs_record *r, struct fs_run *run)
{
	json_t *own, *v = fs_path_get_any(tp, r, &own);
	if (!v)
		return fs_run_reject(run, FS_REJ_TIME, "no time field \"%s\" (name it with --time-field)",
		                     tp->spec);
	const char *why;
	/* kcat's own timestamp is always milliseconds. */
	enum fs_time_unit unit = tp->envelope ? FS_UNIT_MS : cfg->time_unit;
	int rc = fs_time_from_json(v, unit, &r->time, &why);
	json_decref(own);
	if (rc < 0)
		return fs_run_reject(run, FS_REJ_TIME, "%s: %s", tp->spec, why);
	return 0;
}

static int blank(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t')
			return 0;
	return 1;
}


/* ---------------------------------------------------------------- streams */

/* One input the loop reads: the main one, or the step's side input. */
struct stream {
	struct fs_input *in;
	struct fs_path *tp;        /* its time field, or NULL */
	int (*step)(void *ctx, const struct fs_record *r, struct fs_run *run);
	/* --state: the source being read (a copy) and how far the state reflects it */
	char *source;
	uint64_t source_id;        /* fs_line.source_id of that source */
	int source_pipe;           /* it is a pipe: its lines are always new */
	uint64_t limit;            /* its lines the restored state reflects */
	uint64_t lines;            /* its lines read so far */
	/* with a side input: the line taken but not yet stepped, and its time */
	struct fs_line l;
	int have, keyed, done;
	int64_t key;
};

/* ---------------------------------------------------------------- state */

/* --state: what the run restored and when it next writes a checkpoint.
 * A checkpoint flushes the output first, so a state never reflects a
 * record whose line was not yet written. */
struct persist {
	const struct fs_loop_config *cfg;
	const struct fs_step *step;
	struct fs_state st;        /* header and positions, kept current */
	uint64_t since;            /* records since the last checkpoint */
	int64_t last_ns;
};

/* Plain stdin and pipes have no identity: their lines are always new. */
static int has_identity(const struct fs_loop_config *cfg, const char *source, int pipe)
{
	return !cfg->kcat && !pipe && strncmp(source, "<stdin>", 7) != 0;
}

/* A state written for another spec or other options: says which line of
 * the canonical text differs, when it is short enough to read. */
static _Noreturn void spec_mismatch(const char *path, const char *was, const char *now)
{
	const char *a = was, *b = now;
	while (*a && *a == *b)
		a++, b++;
	while (a > was && a[-1] != '\n')
		a--, b--;
	int an = (int)strcspn(a, "\n"), bn = (int)strcspn(b, "\n");
	if (an && bn && an <= 100 && bn <= 100)
		fs_die(FS_EX_DATAERR, "%s: written with \"%.*s\", but this run has \"%.*s\": run "
		       "as it was written, or start a new state file", path, an, a, bn, b);
	fs_die(FS_EX_DATAERR, "%s: written for another spec, --time-field or --time-unit (state "
	       "%016llx, now %016llx); fsfeat --inspect shows its spec: run with that one, or "
	       "start a new state file", path, (unsigned long long)fs_state_spec_hash(was),
	       (unsigned long long)fs_state_spec_hash(now));
}

static void persist_open(struct persist *p, const struct fs_loop_config *cfg,
                         const struct fs_step *step)
{
	char err[512];
	memset(p, 0, sizeof *p);
	p->cfg = cfg;
	p->step = step;
	p->last_ns = fs_clock_ns(CLOCK_MONOTONIC);
	switch (fs_state_load(cfg->state, &p->st, err, sizeof err)) {
	case FS_STATE_MISSING:
		fs_warn("%s: no state file yet: a first start, from an empty state", cfg->state);
		break;
	case FS_STATE_BAD:
		fs_die(strstr(err, "cannot open") ? FS_EX_NOINPUT : FS_EX_DATAERR,
		       "%s; the file is left as it is", err);
	case FS_STATE_LOADED:
		if (strcmp(p->st.tool, fs_prog) != 0)
			fs_die(FS_EX_DATAERR, "%s: written by %s, not %s; give %s a state of its own",
			       cfg->state, p->st.tool, fs_prog, fs_prog);
		if (p->st.spec_hash != fs_state_spec_hash(step->canonical))
			spec_mismatch(cfg->state, p->st.spec, step->canonical);
		if (step->load(step->ctx, p->st.payload, p->st.payload_len) < 0)
			fs_die(FS_EX_DATAERR, "%s: the state file is corrupt (its payload does not "
			       "parse); the file is left as it is", cfg->state);
		break;
	}
	free(p->st.payload);
	p->st.payload = NULL;
	if (!p->st.tool) {
		p->st.tool = fs_xstrdup(fs_prog);
		p->st.spec = fs_xstrdup(step->canonical);
	}
	p->st.spec_hash = fs_state_spec_hash(step->canonical);
}

/* Records how far into its current source a stream has come. */
static void persist_lines(struct persist *p, const struct stream *s)
{
	if (s->source && has_identity(p->cfg, s->source, s->source_pipe) && s->lines)
		fs_positions_set_lines(&p->st.pos, s->source, s->lines);
}

/* Before a line of a new source: look up how much of it is reflected. */
static void persist_source(struct persist *p, struct stream *s, const struct fs_line *l)
{
	if (s->source && s->source_id == l->source_id)
		return;
	persist_lines(p, s);
	free(s->source);
	s->source = fs_xstrdup(l->source);
	s->source_id = l->source_id;
	s->source_pipe = l->pipe;
	s->lines = 0;
	s->limit = has_identity(p->cfg, l->source, l->pipe) ? fs_positions_lines(&p->st.pos, l->source) : 0;
}

/* With --kcat, the envelope's topic, partition and offset, when it has them. */
static int kafka_position(const json_t *env, const char **topic, int64_t *partition,
                          int64_t *offset)
{
	json_t *t = json_object_get(env, "topic"), *p = json_object_get(env, "partition"),
	       *o = json_object_get(env, "offset");
	if (!json_is_string(t) || !json_is_integer(p) || !json_is_integer(o))
		return 0;
	*topic = json_string_value(t);
	*partition = json_integer_value(p);
	*offset = json_integer_value(o);
	return 1;
}

/* ---------------------------------------------------------------- the loop */

/* Everything one run holds. */
struct loop {
	const struct fs_loop_config *cfg;
	const struct fs_step *step;
	struct fs_diag diag;
	struct parser prs;
	struct fs_out *out;
	struct fs_run run;
	struct persist persist, *ps;
	struct stream streams[2];
	int nstreams;
	int lazy;                  /* a raw step: lines are only checked */
	uint64_t records;
	int64_t poll_at;           /* when the step's poll hook wants to run, 0: on SIGHUP only */
	int status;
};

static int checkpoint(struct loop *L)
{
	char err[512];
	struct persist *p = L->ps;
	if (fs_out_flush(L->out) < 0 || fs_out_broken(L->out))
		return -1;  /* the output did not take the lines: keep the last state */
	if (L->step->sync && L->step->sync(L->step->ctx) < 0)
		return -1;
	for (int i = 0; i < L->nstreams; i++)
		persist_lines(p, &L->streams[i]);
	p->st.written = fs_clock_ns(CLOCK_REALTIME);
	uint64_t saved = p->st.records;
	p->st.records += L->records;
	int rc = fs_state_save(p->cfg->state, &p->st, p->step->save, p->step->ctx, err, sizeof err);
	p->st.records = saved;
	if (rc < 0)
		fs_warn("%s", err);
	p->since = 0;
	p->last_ns = fs_clock_ns(CLOCK_MONOTONIC);
	return rc;
}

/* Runs the step's poll hook when a SIGHUP came or its time is up. */
static void step_poll(struct loop *L, int force)
{
	int hup = hup_requested;
	int64_t now = 0;
	if (!hup && !force) {
		if (!L->poll_at || (now = fs_clock_ns(CLOCK_MONOTONIC)) < L->poll_at)
			return;
	}
	hup_requested = 0;
	int ms = L->step->poll(L->step->ctx, hup);
	if (!now)
		now = fs_clock_ns(CLOCK_MONOTONIC);
	L->poll_at = ms < 0 ? 0 : now + (int64_t)ms * 1000000;
}

/* Milliseconds until the next deadline of the two, -1 for neither. */
static int sooner(int a, int b)
{
	return a < 0 ? b : b < 0 ? a : a < b ? a : b;
}

/* What the loop does while input is not ready: write out what it has, and
 * keep a timed checkpoint's promise even when the stream stalls. Returns
 * how long input may then wait (ms, -1: for ever). */
static int on_idle(void *ctx)
{
	struct loop *L = ctx;
	if (L->step->idle)
		L->step->idle(L->step->ctx, &L->run);
	fs_out_flush(L->out);
	if (L->run.end) {
		stop_requested = 1;  /* the step gave up (its store is gone): no more input */
		return 0;
	}
	int wait = -1;
	if (L->step->poll) {
		step_poll(L, 0);
		if (L->poll_at)
			wait = (int)((L->poll_at - fs_clock_ns(CLOCK_MONOTONIC)) / 1000000 + 1);
		fs_out_flush(L->out);
	}
	struct persist *p = L->ps;
	if (!p || !p->cfg->checkpoint_ns)
		return wait;
	if (!p->since)
		return wait;  /* nothing new since the last checkpoint: wait for data */
	int64_t left = p->cfg->checkpoint_ns - (fs_clock_ns(CLOCK_MONOTONIC) - p->last_ns);
	if (left <= 0) {
		checkpoint(L);
		return wait;
	}
	return sooner(wait, (int)(left / 1000000 + 1));
}

/* The input's idle callback: idle, then wait for fd as long as on_idle
 * allows, through the step's own wait when it has one. */
static int on_wait(void *ctx, int fd)
{
	struct loop *L = ctx;
	int wait = on_idle(L);
	if (L->step->wait)
		return L->step->wait(L->step->ctx, fd, wait);
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	return poll(&pfd, 1, wait);
}

static int checkpoint_due(struct persist *p)
{
	p->since++;
	if (p->cfg->checkpoint_records && p->since >= p->cfg->checkpoint_records)
		return 1;
	/* The clock is read at every record (a vDSO call): a slow live stream
	 * must not wait for many records before its timed checkpoint. */
	return p->cfg->checkpoint_ns && fs_clock_ns(CLOCK_MONOTONIC) - p->last_ns >= p->cfg->checkpoint_ns;
}

/* 0 for a line the loop passes over: one a restored state already
 * reflects, or a blank one. */
static int admit(struct loop *L, struct stream *s, const struct fs_line *l)
{
	if (L->ps) {
		persist_source(L->ps, s, l);
		if (l->lineno <= s->limit) {
			s->lines = l->lineno;
			L->diag.skipped++;
			return 0;
		}
	}
	return l->too_long || !blank(l->p, l->n);
}

/* Parses, times and steps one line of stream s; rejects go to the error
 * output. Returns 0 to go on, 1 when the run must stop (L->status set). */
static int process(struct loop *L, struct stream *s, const struct fs_line *l)
{
	const struct fs_loop_config *cfg = L->cfg;
	struct fs_run *run = &L->run;
	struct persist *ps = L->ps;
	if (L->step->poll)
		step_poll(L, 0);  /* between two records: never within one */
	/* reflected from now on: a line taken but not yet stepped (the other
	 * input's turn came first) is not, when a checkpoint comes between */
	s->lines = l->lineno;
	L->records++;
	struct fs_record r = {.source = l->source, .line = l->lineno, .text = l->p, .textlen = l->n};
	size_t mark = run->out->len;
	int rc;
	if (l->too_long)
		rc = fs_run_reject(run, FS_REJ_TOO_LONG, "line longer than %zu bytes",
		                   (size_t)FS_LINE_MAX);
	else
		rc = parse_line(&L->prs, l, &r, run, L->lazy);
	const char *topic;
	int64_t partition = 0, offset = 0;
	int positioned = ps && cfg->kcat && r.envelope &&
	                 kafka_position(r.envelope, &topic, &partition, &offset);
	if (positioned && fs_positions_has_offset(&ps->st.pos, topic, partition, offset)) {
		L->diag.skipped++;
		L->records--;
		json_decref(r.obj);
		json_decref(r.envelope);
		fs_arena_reset();
		return 0;
	}
	if (rc == 0 && s->tp)
		rc = read_time(cfg, s->tp, &r, run);
	if (rc == 0)
		rc = s->step(L->step->ctx, &r, run);
	if (rc == FS_STEP_PARSE) {
		/* the raw step met something only the parsed object can tell */
		r.obj = parse_object(r.raw, r.rawlen, run, cfg->kcat ? FS_REJ_KCAT : FS_REJ_JSON,
		                     cfg->kcat ? "kcat payload: " : "", &r.ints_as_reals);
		rc = r.obj ? s->step(L->step->ctx, &r, run) : -1;
	}
	if (positioned)
		fs_positions_set_offset(&ps->st.pos, topic, partition, offset);
	json_decref(r.obj);
	json_decref(r.envelope);
	fs_arena_reset();
	if (rc < 0) {
		/* cut what the step half-wrote, before anything flushes it */
		run->out->len = mark;
		if (fs_diag_reject(&L->diag, run->why, l->source, l->lineno, l->p, l->n, "%s", run->msg)) {
			fs_warn("%s:%llu: more than %lld rejected lines (--max-errors); stopping",
			        l->source, (unsigned long long)l->lineno, cfg->max_errors);
			L->status = FS_EX_DATAERR;
			return 1;
		}
	} else {
		fs_out_maybe_flush(L->out);
	}
	if (run->over) {
		L->status = FS_EX_DATAERR;  /* held lines the step rejected passed --max-errors */
		return 1;
	}
	if (run->end) {
		L->status = run->end;
		return 1;
	}
	if (ps && checkpoint_due(ps) && checkpoint(L) < 0 && !fs_out_broken(L->out)) {
		L->status = FS_EX_IOERR;
		return 1;
	}
	return 0;
}

static int running(const struct loop *L)
{
	return !stop_requested && !L->run.end && !fs_out_broken(L->out) && !fs_out_failed(L->out);
}

/* The event time of the line a stream holds, to merge two inputs in time
 * order; a line without one sorts first (it is rejected at once). */
static int64_t line_key(struct loop *L, struct stream *s)
{
	if (s->keyed)
		return s->key;
	struct fs_record r = {.source = s->l.source, .line = s->l.lineno};
	struct fs_run scratch = {.out = L->run.out, .diag = &L->diag};
	s->key = INT64_MIN;
	s->keyed = 1;
	if (s->l.too_long || !s->tp || parse_line(&L->prs, &s->l, &r, &scratch, L->lazy) < 0) {
		if (!s->tp)
			s->key = 0;
		json_decref(r.obj);
		json_decref(r.envelope);
		return s->key;
	}
	if (read_time(L->cfg, s->tp, &r, &scratch) == 0)
		s->key = r.time;
	json_decref(r.obj);
	json_decref(r.envelope);
	return s->key;
}

/* Two inputs read together, neither waiting for the other: whichever has a
 * line ready goes on; when both have, the earlier event time goes first
 * (the main input's on a tie), so a replay of files interleaves the two as
 * a live stream in time order did. */
static void run_two(struct loop *L)
{
	while (running(L)) {
		struct stream *pick = NULL;
		int open = 0, fds = 0;
		struct pollfd pfd[2];
		for (int i = 0; i < L->nstreams; i++) {
			struct stream *s = &L->streams[i];
			while (!s->have && !s->done) {
				int rc = fs_input_next(s->in, &s->l);
				if (rc == FS_INPUT_AGAIN)
					break;
				if (rc == 0)
					s->done = 1;
				else if (admit(L, s, &s->l))
					s->have = 1, s->keyed = 0;
			}
			if (s->done)
				continue;
			open++;
			if (!s->have) {
				pfd[fds].fd = fs_input_fd(s->in);
				pfd[fds++].events = POLLIN;
			} else if (!pick || line_key(L, s) < line_key(L, pick)) {
				pick = s;
			}
			if (!running(L))
				return;
		}
		if (pick) {
			pick->have = 0;
			if (process(L, pick, &pick->l))
				return;
			continue;
		}
		if (!open)
			return;
		int wait = on_idle(L);
		if (poll(pfd, (nfds_t)fds, wait) < 0 && errno != EINTR)
			fs_die(FS_EX_SOFTWARE, "poll: %s", strerror(errno));
	}
}

int fs_loop_run(const struct fs_loop_config *cfg, char **files, int nfiles,
                const struct fs_step *step)
{
	struct loop loop = {.cfg = cfg, .step = step, .prs = {.cfg = cfg}, .status = FS_EX_OK};
	struct loop *L = &loop;
	const char *why;

	if (cfg->regex)
		regex_compile(&L->prs, cfg->regex);
	const struct fs_side *side = step->side;
	L->nstreams = side ? 2 : 1;
	L->streams[0].step = step->step;
	if (side)
		L->streams[1].step = side->step;
	if (cfg->need_time) {
		for (int i = 0; i < L->nstreams; i++) {
			const char *spec = i && side->time_field ? side->time_field
			                 : cfg->time_field ? cfg->time_field : "ts";
			struct fs_path *tp = L->streams[i].tp = fs_path_new(spec, &why);
			if (!tp)
				fs_die(FS_EX_USAGE, "--%stime-field: %s", i ? side->what : "", why);
			if (tp->envelope && !cfg->kcat)
				fs_die(FS_EX_USAGE, "--%stime-field %s names a kcat envelope field; add --kcat",
				       i ? side->what : "", tp->spec);
		}
	}
	if (fs_diag_open(&L->diag, cfg->errors, cfg->max_errors, cfg->errors_append) < 0)
		fs_die(FS_EX_IOERR, "%s: cannot open for writing: %s", cfg->errors, strerror(errno));
	L->out = fs_out_open(cfg->output);
	if (!L->out)
		fs_die(FS_EX_IOERR, "%s: cannot open for writing: %s", cfg->output, strerror(errno));
	struct saved_signals saved;
	install_signals(step->poll != NULL, &saved);

	if (cfg->state) {
		L->ps = &L->persist;
		persist_open(L->ps, cfg, step);
	}

	/* A raw step reads the event's bytes itself: lines are only checked. */
	/* FSTOOLS_PARSE_ALL=1 parses every line anyway: the tests compare both ways. */
	const char *all = getenv("FSTOOLS_PARSE_ALL");
	L->lazy = step->raw && !cfg->regex && !(all && *all == '1');
	if (step->poll)
		step_poll(L, 1);  /* learns how often the step wants its turn */
	L->run = (struct fs_run){.out = fs_out_buf(L->out), .diag = &L->diag};
	fs_arena_begin();

	if (side) {
		L->streams[0].in = fs_input_new(files, nfiles, NULL, NULL, &stop_requested);
		L->streams[1].in = fs_input_new(side->files, side->nfiles, NULL, NULL, &stop_requested);
		fs_input_nonblocking(L->streams[0].in);
		fs_input_nonblocking(L->streams[1].in);
		run_two(L);
	} else {
		struct stream *s = &L->streams[0];
		struct fs_line l;
		s->in = fs_input_new(files, nfiles, on_wait, L, &stop_requested);
		while (running(L) && fs_input_next(s->in, &l))
			if (admit(L, s, &l) && process(L, s, &l))
				break;
	}

	fs_arena_end();
	if (step->finish && !fs_out_broken(L->out) && !fs_out_failed(L->out))
		step->finish(step->ctx, &L->run);
	if (L->run.over && L->status == FS_EX_OK)
		L->status = FS_EX_DATAERR;
	if (L->run.end && L->status == FS_EX_OK)
		L->status = L->run.end;
	/* The final state: after end of input, a signal or --max-errors; not
	 * when the output was lost, which the last checkpoint still matches. */
	if (L->ps && !fs_out_broken(L->out) && !fs_out_failed(L->out) && checkpoint(L) < 0 &&
	    L->status == FS_EX_OK)
		L->status = FS_EX_IOERR;
	if (L->ps)
		fs_state_free(&L->ps->st);
	int in_status = FS_EX_OK;
	for (int i = 0; i < L->nstreams; i++) {
		struct stream *s = &L->streams[i];
		if (in_status == FS_EX_OK)
			in_status = fs_input_status(s->in);
		fs_input_free(s->in);
		free(s->source);
		fs_path_free(s->tp);
	}
	int broken = fs_out_broken(L->out);
	char err[128];
	if (fs_out_close(L->out, err, sizeof err) < 0 && !broken) {
		fs_warn("%s: write error: %s", cfg->output ? cfg->output : "<stdout>", err);
		L->status = FS_EX_IOERR;
	}
	if (!broken)
		fs_diag_summary(&L->diag, L->records, cfg->label);
	if (fs_diag_close(&L->diag) < 0 && L->status == FS_EX_OK)
		L->status = FS_EX_IOERR;
	if (L->status == FS_EX_OK)
		L->status = in_status;
	if (L->prs.re) {
		pcre2_match_data_free(L->prs.md);
		pcre2_code_free(L->prs.re);
		free(L->prs.group_name);
	}
	fs_buf_free(&L->prs.text);
	restore_signals(&saved);
	return L->status;
}
