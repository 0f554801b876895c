/* encode.c: profile.proto encoder: pprof's string-table order and field layout, optional gzip. */
#include "idmap.h"
#include "internal.h"

#include "profile.pb-c.h"

#include <pthread.h>
#include <zlib.h>
#ifdef PPROF_HAVE_ISAL
#include <isa-l/igzip_lib.h>
#endif

/*
 * The top-level Profile message is written by hand, field by field (1..15),
 * so nothing proportional to the sample count is ever held as protobuf-c
 * structs: each sub-message is packed as soon as it is built, into one
 * reusable struct. Samples are written by hand as well: protobuf-c always
 * packs repeated scalars (proto3), while pprof packs them only when there are
 * more than two, and the bytes here match pprof's encoder exactly.
 *
 * With gzip the message is produced in a small staging buffer that is
 * deflated as it fills, so memory stays at the compressed size. Deflate
 * takes as long as building the message (labels.pb.gz: 0.55 of 1.2 s), so
 * once a profile fills one buffer a second thread deflates each full
 * buffer while the next fills: the same buffers in the same order, so the
 * same bytes.
 */

/* The gzip stream: ISA-L's igzip at its level 3 when libpprof is built
 * with it, else zlib at level 4. igzip 3 deflates in a third of zlib 4's
 * time for files 2-7% larger (labels.pb.gz: 0.30 s against 1.0 s, 13.6
 * against 13.3 MB; wide.pb.gz: 15.2 against 14.2 MB); zlib 4 is within
 * 1.5% of level 6 (Go's default, what pprof writes) at 25-45% less time,
 * and zlib 1 would be 11% larger. */
#ifndef ENCODE_GZIP_LEVEL
#define ENCODE_GZIP_LEVEL 4
#endif
#define STAGE_FLUSH (256u << 10)
#define GZ_ROOM (64u << 10)

typedef struct gz {
#ifdef PPROF_HAVE_ISAL
    struct isal_zstream *s; /* (big: on the heap) */
    uint8_t *level_buf;
#else
    z_stream z;
    bool live;
#endif
} gz;

/* The deflating thread and the buffer handed to it. While it runs, only
 * it touches z and the caller's buffer; the handover is under mu. */
typedef struct deflater {
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool started;
    bool busy;      /* full holds bytes for the thread */
    bool done;      /* no more buffers will come */
    pprof_buf full; /* the buffer being deflated (its capacity is reused) */
    int rc;         /* the thread's failure, message in err */
    pprof_error err;
} deflater;

typedef struct enc {
    const pprof_profile *p;
    pprof_error *err;
    pprof_buf *out;   /* the caller's buffer */
    pprof_buf stage;  /* gzip only: bytes not deflated yet */
    pprof_buf *w;     /* where bytes go: out or &stage */
    bool gz;
    gz z;
    deflater d;
    /* string table: model id -> wire index (0 = not yet numbered, except id 0) */
    uint32_t *wire_of;
    pprof_str *order; /* wire index -> model id */
    size_t n_order;
    /* whether the model's ids can be written as they are */
    bool map_ids_ok, fn_ids_ok, loc_ids_ok, loc_ids_seq;
    uint64_t *loc_tab; /* location ids when usable but not simply index+1 */
    /* scratch for one sample's labels and one location's lines */
    uint32_t *lab_order;
    size_t cap_lab_order;
    Perftools__Profiles__Line *line_msgs;
    Perftools__Profiles__Line **line_ptrs;
    size_t cap_lines, cap_line_ptrs;
} enc;

/* ---------------------------------------------------------------- output */

static int oom(enc *e)
{
    return pprof_error_set(e->err, PPROF_ENOMEM, "encoding profile: out of memory");
}

static int gz_init(gz *g)
{
#ifdef PPROF_HAVE_ISAL
    g->s = calloc(1, sizeof *g->s); /* (init leaves next_in and avail_in as they are) */
    g->level_buf = malloc(ISAL_DEF_LVL3_DEFAULT);
    if (!g->s || !g->level_buf)
        return PPROF_ENOMEM;
    isal_deflate_init(g->s);
    g->s->level = 3;
    g->s->level_buf = g->level_buf;
    g->s->level_buf_size = ISAL_DEF_LVL3_DEFAULT;
    g->s->gzip_flag = IGZIP_GZIP;
    g->s->flush = NO_FLUSH;
    return 0;
#else
    /* windowBits 16+15: a gzip wrapper around the deflate stream. */
    if (deflateInit2(&g->z, ENCODE_GZIP_LEVEL, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return PPROF_ENOMEM;
    g->live = true;
    return 0;
#endif
}

static void gz_end(gz *g)
{
#ifdef PPROF_HAVE_ISAL
    free(g->s);
    free(g->level_buf);
#else
    if (g->live)
        deflateEnd(&g->z);
#endif
}

/* The next at most 1 GiB of in after *done (both deflaters take 32-bit
 * lengths): its start in *next, its length returned, *done moved past it. */
static uint32_t next_chunk(uint8_t **next, const pprof_buf *in, size_t *done)
{
    size_t chunk = in->len - *done;
    if (chunk > (1u << 30))
        chunk = 1u << 30;
    *next = in->data + *done;
    *done += chunk;
    return (uint32_t)chunk;
}

/* Deflates in into out (emptying in), the last bytes of the stream when
 * finish, on whichever thread owns g and out. */
static int deflate_buf(gz *g, pprof_buf *out, pprof_buf *in, bool finish, pprof_error *err)
{
    size_t done = 0;
#ifdef PPROF_HAVE_ISAL
    struct isal_zstream *z = g->s;
    for (;;) {
        if (z->avail_in == 0 && done < in->len)
            z->avail_in = next_chunk(&z->next_in, in, &done);
        z->end_of_stream = finish && done == in->len;
        /* Always the same room: igzip's bytes depend on it, and out's
         * capacity differs with a sink (which empties it as it fills). */
        if (pprof_buf_reserve(out, GZ_ROOM))
            return pprof_error_set(err, PPROF_ENOMEM, "encoding profile: out of memory");
        z->next_out = out->data + out->len;
        z->avail_out = GZ_ROOM;
        int rc = isal_deflate(z);
        out->len += GZ_ROOM - z->avail_out;
        if (rc != COMP_OK)
            return pprof_error_set(err, PPROF_ENOMEM, "encoding profile: deflate failed (%d)", rc);
        if (finish ? z->internal_state.state == ZSTATE_END : z->avail_in == 0 && done == in->len)
            break;
    }
#else
    z_stream *z = &g->z;
    int flush = finish ? Z_FINISH : Z_NO_FLUSH;
    for (;;) {
        if (z->avail_in == 0 && done < in->len)
            z->avail_in = next_chunk(&z->next_in, in, &done);
        int fl = done < in->len ? Z_NO_FLUSH : flush;
        if (pprof_buf_reserve(out, 64u << 10))
            return pprof_error_set(err, PPROF_ENOMEM, "encoding profile: out of memory");
        size_t space = out->cap - out->len - 1;
        if (space > (1u << 30))
            space = 1u << 30;
        z->next_out = out->data + out->len;
        z->avail_out = (uInt)space;
        int rc = deflate(z, fl);
        out->len += space - z->avail_out;
        if (rc == Z_STREAM_END)
            break;
        if (rc != Z_OK && rc != Z_BUF_ERROR)
            return pprof_error_set(err, PPROF_ENOMEM, "encoding profile: deflate failed (%d)", rc);
        if (fl == Z_NO_FLUSH && z->avail_in == 0 && done == in->len)
            break;
    }
#endif
    in->len = 0;
    return 0;
}

static void *deflater_main(void *arg)
{
    enc *e = arg;
    deflater *d = &e->d;
    pthread_mutex_lock(&d->mu);
    for (;;) {
        while (!d->busy && !d->done)
            pthread_cond_wait(&d->cv, &d->mu);
        if (!d->busy)
            break;
        pthread_mutex_unlock(&d->mu);
        int rc = d->rc ? d->rc : deflate_buf(&e->z, e->out, &d->full, false, &d->err);
        d->full.len = 0;
        pthread_mutex_lock(&d->mu);
        d->rc = rc;
        d->busy = false;
        pthread_cond_broadcast(&d->cv);
    }
    pthread_mutex_unlock(&d->mu);
    return NULL;
}

/* Hands the full stage to the deflating thread (started on the first
 * call; without it, deflates here) and takes back an empty buffer. */
static int hand_over(enc *e)
{
    deflater *d = &e->d;
    if (!d->started) {
        if (pthread_mutex_init(&d->mu, NULL))
            return deflate_buf(&e->z, e->out, &e->stage, false, e->err);
        if (pthread_cond_init(&d->cv, NULL)) {
            pthread_mutex_destroy(&d->mu);
            return deflate_buf(&e->z, e->out, &e->stage, false, e->err);
        }
        if (pthread_create(&d->th, NULL, deflater_main, e)) {
            pthread_cond_destroy(&d->cv);
            pthread_mutex_destroy(&d->mu);
            return deflate_buf(&e->z, e->out, &e->stage, false, e->err);
        }
        d->started = true;
    }
    pthread_mutex_lock(&d->mu);
    while (d->busy)
        pthread_cond_wait(&d->cv, &d->mu);
    int rc = d->rc;
    if (!rc) {
        pprof_buf t = d->full;
        d->full = e->stage;
        e->stage = t;
        d->busy = true;
        pthread_cond_broadcast(&d->cv);
    }
    pthread_mutex_unlock(&d->mu);
    if (rc)
        pprof_error_set(e->err, rc, "%s", d->err.msg);
    return rc;
}

/* Waits for the deflating thread to finish its buffer and stop; its
 * failure, if any, becomes the encoder's. z and out are this thread's again. */
static int stop_deflater(enc *e)
{
    deflater *d = &e->d;
    if (!d->started)
        return 0;
    pthread_mutex_lock(&d->mu);
    d->done = true;
    pthread_cond_broadcast(&d->cv);
    pthread_mutex_unlock(&d->mu);
    pthread_join(d->th, NULL);
    pthread_cond_destroy(&d->cv);
    pthread_mutex_destroy(&d->mu);
    d->started = false;
    pprof_buf_release(&d->full);
    if (d->rc)
        return pprof_error_set(e->err, d->rc, "%s", d->err.msg);
    return 0;
}

/* Returns a pointer where n bytes may be written; commit them with w->len += n. */
static uint8_t *room(enc *e, size_t n)
{
    if (e->gz && e->stage.len >= STAGE_FLUSH) {
        if (hand_over(e))
            return NULL;
    }
    if (pprof_buf_reserve(e->w, n)) {
        oom(e);
        return NULL;
    }
    return e->w->data + e->w->len;
}

static inline size_t varint_size(uint64_t v)
{
    /* 1 + floor(log2(v|1)) / 7 */
    return (size_t)(((63 - __builtin_clzll(v | 1)) * 9 + 73) / 64);
}

static inline uint8_t *put_varint(uint8_t *q, uint64_t v)
{
    while (v >= 0x80) {
        *q++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *q++ = (uint8_t)v;
    return q;
}

/* Tag plus varint value. */
static int put_field_varint(enc *e, uint32_t num, uint64_t v)
{
    uint8_t *q = room(e, 16);
    if (!q)
        return e->err->code;
    uint8_t *s = q;
    q = put_varint(q, (uint64_t)num << 3 | 0);
    q = put_varint(q, v);
    e->w->len += (size_t)(q - s);
    return 0;
}

/* A length-delimited field whose payload is a protobuf-c message. */
static int put_message(enc *e, uint32_t num, const ProtobufCMessage *m)
{
    size_t n = protobuf_c_message_get_packed_size(m);
    uint8_t *q = room(e, 20 + n);
    if (!q)
        return e->err->code;
    uint8_t *s = q;
    q = put_varint(q, (uint64_t)num << 3 | 2);
    q = put_varint(q, n);
    q += protobuf_c_message_pack(m, q);
    e->w->len += (size_t)(q - s);
    return 0;
}

/* ---------------------------------------------------------------- strings */

static int check_str(enc *e, pprof_str s, const char *what, size_t index)
{
    if (s >= e->p->n_strings)
        return pprof_error_set(e->err, PPROF_EINVAL,
                               "encoding profile: %s %zu: string id %u out of range (%zu strings)",
                               what, index, s, e->p->n_strings);
    return 0;
}

/* Numbers s in first-seen order. */
static int add_str(enc *e, pprof_str s, const char *what, size_t index)
{
    if (check_str(e, s, what, index))
        return e->err->code;
    if (s == 0 || e->wire_of[s])
        return 0;
    if (e->p->string_lens[s] == 0) /* a second "" would be a wasted entry */
        return 0;
    e->wire_of[s] = (uint32_t)e->n_order;
    e->order[e->n_order++] = s;
    return 0;
}

/* Wire index of an already numbered string. */
static inline int64_t wire_str(const enc *e, pprof_str s)
{
    return s == 0 ? 0 : (int64_t)e->wire_of[s];
}

/* pprof writes a sample's string labels sorted by key, then its numeric
 * labels sorted by key; labels with equal keys keep their order. */
static bool label_before(const pprof_profile *p, const pprof_label *a, uint32_t ia,
                         const pprof_label *b, uint32_t ib)
{
    bool na = a->str == 0, nb = b->str == 0;
    if (na != nb)
        return !na;
    if (a->key != b->key) {
        size_t la = p->string_lens[a->key], lb = p->string_lens[b->key];
        int c = memcmp(p->strings[a->key], p->strings[b->key], la < lb ? la : lb);
        if (c)
            return c < 0;
        if (la != lb)
            return la < lb;
    }
    return ia < ib;
}

/* Fills e->lab_order with sample s's label indices in pprof's order. */
static int sort_labels(enc *e, const pprof_sample *s)
{
    const pprof_profile *p = e->p;
    if (PPROF_GROW(e->lab_order, e->cap_lab_order, s->n_labels))
        return oom(e);
    uint32_t *o = e->lab_order;
    const pprof_label *L = pprof_sample_labels(p, s);
    /* Samples carry few labels: insertion sort, which is stable. */
    for (uint32_t i = 0; i < s->n_labels; i++) {
        uint32_t j = i;
        while (j > 0 && label_before(p, &L[i], i, &L[o[j - 1]], o[j - 1])) {
            o[j] = o[j - 1];
            j--;
        }
        o[j] = i;
    }
    return 0;
}

static int number_strings(enc *e)
{
    const pprof_profile *p = e->p;
    e->wire_of = calloc(p->n_strings ? p->n_strings : 1, sizeof *e->wire_of);
    e->order = malloc((p->n_strings ? p->n_strings : 1) * sizeof *e->order);
    if (!e->wire_of || !e->order)
        return oom(e);
    e->order[0] = 0;
    e->n_order = 1;
    int rc = 0;
    for (size_t i = 0; !rc && i < p->n_sample_types; i++) {
        rc = add_str(e, p->sample_types[i].type, "sample_type", i);
        if (!rc)
            rc = add_str(e, p->sample_types[i].unit, "sample_type unit", i);
    }
    for (size_t i = 0; !rc && i < p->n_samples; i++) {
        const pprof_sample *s = &p->samples[i];
        if (!s->n_labels)
            continue;
        if (s->labels_off > p->n_labels || s->n_labels > p->n_labels - s->labels_off)
            return pprof_error_set(e->err, PPROF_EINVAL, "encoding profile: sample %zu: labels out of range", i);
        const pprof_label *L = pprof_sample_labels(p, s);
        for (uint32_t k = 0; k < s->n_labels; k++)
            if (check_str(e, L[k].key, "label key", s->labels_off + k))
                return e->err->code;
        if (sort_labels(e, s))
            return e->err->code;
        for (uint32_t k = 0; !rc && k < s->n_labels; k++) {
            const pprof_label *l = &L[e->lab_order[k]];
            rc = add_str(e, l->key, "label key", s->labels_off + k);
            if (!rc && l->str)
                rc = add_str(e, l->str, "label str", s->labels_off + k);
            else if (!rc)
                rc = add_str(e, l->num_unit, "label num_unit", s->labels_off + k);
        }
    }
    for (size_t i = 0; !rc && i < p->n_mappings; i++) {
        rc = add_str(e, p->mappings[i].file, "mapping filename", i);
        if (!rc)
            rc = add_str(e, p->mappings[i].build_id, "mapping build_id", i);
    }
    for (size_t i = 0; !rc && i < p->n_functions; i++) {
        const pprof_function *f = &p->functions[i];
        rc = add_str(e, f->name, "function name", i);
        if (!rc)
            rc = add_str(e, f->system_name, "function system_name", i);
        if (!rc)
            rc = add_str(e, f->filename, "function filename", i);
    }
    if (!rc)
        rc = add_str(e, p->drop_frames, "drop_frames", 0);
    if (!rc)
        rc = add_str(e, p->keep_frames, "keep_frames", 0);
    if (!rc)
        rc = add_str(e, p->period_type.type, "period_type", 0);
    if (!rc)
        rc = add_str(e, p->period_type.unit, "period_type unit", 0);
    for (size_t i = 0; !rc && i < p->n_comments; i++)
        rc = add_str(e, p->comments[i], "comment", i);
    if (!rc)
        rc = add_str(e, p->default_sample_type, "default_sample_type", 0);
    if (!rc)
        rc = add_str(e, p->doc_url, "doc_url", 0);
    return rc;
}

/* ---------------------------------------------------------------- ids */

static int usable(enc *e, bool *ok, bool *seq, const void *base, size_t stride, size_t n)
{
    return pprof_ids_usable(ok, seq, base, stride, n) ? oom(e) : 0;
}

int pprof_ids_usable(bool *ok, bool *seq, const void *base, size_t stride, size_t n)
{
    const uint8_t *b = base;
    uint64_t id;
    size_t i = 0;
    for (; i < n; i++) {
        memcpy(&id, b + i * stride, sizeof id);
        if (id != i + 1)
            break;
    }
    *ok = true;
    *seq = i == n;
    if (i == n)
        return 0;
    pprof_idmap seen;
    memset(&seen, 0, sizeof seen);
    int rc = 0;
    for (i = 0; i < n && *ok && !rc; i++) {
        memcpy(&id, b + i * stride, sizeof id);
        if (id == 0 || pprof_idmap_get(&seen, id) != PPROF_NONE)
            *ok = false;
        else
            rc = pprof_idmap_put(&seen, id, (uint32_t)i);
    }
    pprof_idmap_release(&seen);
    return rc;
}

static inline uint64_t map_id(const enc *e, size_t i)
{
    return e->map_ids_ok ? e->p->mappings[i].id : i + 1;
}

static inline uint64_t fn_id(const enc *e, size_t i)
{
    return e->fn_ids_ok ? e->p->functions[i].id : i + 1;
}

/* Hot (once per sample frame): a compact table, or none when id = index+1. */
static inline uint64_t loc_id(const enc *e, size_t i)
{
    return e->loc_tab ? e->loc_tab[i] : i + 1;
}

/* ---------------------------------------------------------------- messages */

static int put_value_type(enc *e, uint32_t num, pprof_value_type vt)
{
    Perftools__Profiles__ValueType m = PERFTOOLS__PROFILES__VALUE_TYPE__INIT;
    m.type = wire_str(e, vt.type);
    m.unit = wire_str(e, vt.unit);
    return put_message(e, num, &m.base);
}

/* Size of a repeated varint field in pprof's layout, given its payload size. */
static inline size_t repeated_field_size(uint32_t num, size_t n, size_t payload)
{
    if (n > 2)
        return varint_size((uint64_t)num << 3 | 2) + varint_size(payload) + payload;
    return n * varint_size((uint64_t)num << 3) + payload;
}

/* A label's fields 1..4 as protobuf-c writes them (proto3: zeros left out). */
typedef struct wire_label {
    uint64_t f[4]; /* key, str, num, num_unit */
    size_t size;
} wire_label;

static inline void wire_label_of(wire_label *w, const enc *e, const pprof_label *l)
{
    w->f[0] = (uint64_t)wire_str(e, l->key);
    w->f[1] = (uint64_t)wire_str(e, l->str);
    w->f[2] = l->str ? 0 : (uint64_t)l->num;
    w->f[3] = l->str ? 0 : (uint64_t)wire_str(e, l->num_unit);
    w->size = 0;
    for (int k = 0; k < 4; k++)
        if (w->f[k])
            w->size += 1 + varint_size(w->f[k]);
}

static inline uint8_t *put_wire_label(uint8_t *q, const wire_label *w)
{
    *q++ = 3 << 3 | 2;
    q = put_varint(q, w->size);
    for (int k = 0; k < 4; k++)
        if (w->f[k]) {
            *q++ = (uint8_t)((k + 1) << 3);
            q = put_varint(q, w->f[k]);
        }
    return q;
}

static int put_sample(enc *e, size_t i)
{
    const pprof_profile *p = e->p;
    const pprof_sample *s = &p->samples[i];
    if (s->locs_off > p->n_sample_locs || s->n_locs > p->n_sample_locs - s->locs_off)
        return pprof_error_set(e->err, PPROF_EINVAL, "encoding profile: sample %zu: locations out of range", i);
    /* (no pointer arithmetic on the NULL arrays of an empty table) */
    const uint32_t *locs = s->n_locs ? p->sample_locs + s->locs_off : NULL;
    const int64_t *vals = p->n_sample_types ? pprof_sample_values(p, i) : NULL;
    size_t nl = s->n_locs, nv = p->n_sample_types;
    size_t loc_payload = 0, val_payload = 0;
    for (size_t k = 0; k < nl; k++) {
        if (locs[k] >= p->n_locations)
            return pprof_error_set(e->err, PPROF_EINVAL,
                                   "encoding profile: sample %zu: location index %u out of range", i,
                                   locs[k]);
        loc_payload += varint_size(loc_id(e, locs[k]));
    }
    for (size_t k = 0; k < nv; k++)
        val_payload += varint_size((uint64_t)vals[k]);
    size_t size = repeated_field_size(1, nl, loc_payload) + repeated_field_size(2, nv, val_payload);

    const pprof_label *L = pprof_sample_labels(p, s);
    if (s->n_labels && sort_labels(e, s))
        return e->err->code;
    for (uint32_t k = 0; k < s->n_labels; k++) {
        wire_label w;
        wire_label_of(&w, e, &L[e->lab_order[k]]);
        size += 1 + varint_size(w.size) + w.size;
    }

    uint8_t *q = room(e, 20 + size);
    if (!q)
        return e->err->code;
    uint8_t *start = q;
    q = put_varint(q, 2 << 3 | 2);
    q = put_varint(q, size);
    if (nl > 2) {
        *q++ = 1 << 3 | 2;
        q = put_varint(q, loc_payload);
        for (size_t k = 0; k < nl; k++)
            q = put_varint(q, loc_id(e, locs[k]));
    } else {
        for (size_t k = 0; k < nl; k++) {
            *q++ = 1 << 3;
            q = put_varint(q, loc_id(e, locs[k]));
        }
    }
    if (nv > 2) {
        *q++ = 2 << 3 | 2;
        q = put_varint(q, val_payload);
        for (size_t k = 0; k < nv; k++)
            q = put_varint(q, (uint64_t)vals[k]);
    } else {
        for (size_t k = 0; k < nv; k++) {
            *q++ = 2 << 3;
            q = put_varint(q, (uint64_t)vals[k]);
        }
    }
    for (uint32_t k = 0; k < s->n_labels; k++) {
        wire_label w;
        wire_label_of(&w, e, &L[e->lab_order[k]]);
        q = put_wire_label(q, &w);
    }
    e->w->len += (size_t)(q - start);
    return 0;
}

static int put_mapping(enc *e, size_t i)
{
    const pprof_mapping *src = &e->p->mappings[i];
    Perftools__Profiles__Mapping m = PERFTOOLS__PROFILES__MAPPING__INIT;
    m.id = map_id(e, i);
    m.memory_start = src->start;
    m.memory_limit = src->limit;
    m.file_offset = src->offset;
    m.filename = wire_str(e, src->file);
    m.build_id = wire_str(e, src->build_id);
    m.has_functions = src->has_functions;
    m.has_filenames = src->has_filenames;
    m.has_line_numbers = src->has_line_numbers;
    m.has_inline_frames = src->has_inline_frames;
    return put_message(e, 3, &m.base);
}

static int put_location(enc *e, size_t i)
{
    const pprof_profile *p = e->p;
    const pprof_location *src = &p->locations[i];
    if (src->mapping != PPROF_NONE && src->mapping >= p->n_mappings)
        return pprof_error_set(e->err, PPROF_EINVAL, "encoding profile: location %zu: mapping index %u out of range",
                               i, src->mapping);
    if (src->lines_off > p->n_lines || src->n_lines > p->n_lines - src->lines_off)
        return pprof_error_set(e->err, PPROF_EINVAL, "encoding profile: location %zu: lines out of range", i);
    if (PPROF_GROW(e->line_msgs, e->cap_lines, src->n_lines) ||
        PPROF_GROW(e->line_ptrs, e->cap_line_ptrs, src->n_lines))
        return oom(e);
    for (uint32_t k = 0; k < src->n_lines; k++) {
        const pprof_line *ln = &p->lines[src->lines_off + k];
        if (ln->function >= p->n_functions)
            return pprof_error_set(e->err, PPROF_EINVAL,
                                   "encoding profile: location %zu: line %u: function index %u out of range",
                                   i, k, ln->function);
        Perftools__Profiles__Line l = PERFTOOLS__PROFILES__LINE__INIT;
        l.function_id = fn_id(e, ln->function);
        l.line = ln->line;
        l.column = ln->column;
        e->line_msgs[k] = l;
        e->line_ptrs[k] = &e->line_msgs[k];
    }
    Perftools__Profiles__Location m = PERFTOOLS__PROFILES__LOCATION__INIT;
    m.id = loc_id(e, i);
    m.mapping_id = src->mapping == PPROF_NONE ? 0 : map_id(e, src->mapping);
    m.address = src->address;
    m.n_line = src->n_lines;
    m.line = e->line_ptrs;
    m.is_folded = src->is_folded;
    return put_message(e, 4, &m.base);
}

static int put_function(enc *e, size_t i)
{
    const pprof_function *src = &e->p->functions[i];
    Perftools__Profiles__Function m = PERFTOOLS__PROFILES__FUNCTION__INIT;
    m.id = fn_id(e, i);
    m.name = wire_str(e, src->name);
    m.system_name = wire_str(e, src->system_name);
    m.filename = wire_str(e, src->filename);
    m.start_line = src->start_line;
    return put_message(e, 5, &m.base);
}

static int put_strings(enc *e)
{
    const pprof_profile *p = e->p;
    for (size_t k = 0; k < e->n_order; k++) {
        pprof_str s = e->order[k];
        size_t n = p->string_lens[s];
        uint8_t *q = room(e, 12 + n);
        if (!q)
            return e->err->code;
        uint8_t *start = q;
        q = put_varint(q, 6 << 3 | 2);
        q = put_varint(q, n);
        memcpy(q, p->strings[s], n);
        q += n;
        e->w->len += (size_t)(q - start);
    }
    return 0;
}

/* Writes fields 1..15 in order, skipping zero scalars as pprof does. */
static int put_profile(enc *e)
{
    const pprof_profile *p = e->p;
    int rc = 0;
    for (size_t i = 0; !rc && i < p->n_sample_types; i++)
        rc = put_value_type(e, 1, p->sample_types[i]);
    for (size_t i = 0; !rc && i < p->n_samples; i++)
        rc = put_sample(e, i);
    for (size_t i = 0; !rc && i < p->n_mappings; i++)
        rc = put_mapping(e, i);
    for (size_t i = 0; !rc && i < p->n_locations; i++)
        rc = put_location(e, i);
    for (size_t i = 0; !rc && i < p->n_functions; i++)
        rc = put_function(e, i);
    if (!rc)
        rc = put_strings(e);
    if (rc)
        return rc;
    const struct {
        uint32_t num;
        int64_t v;
    } scalars[] = {
        {7, wire_str(e, p->drop_frames)},
        {8, wire_str(e, p->keep_frames)},
        {9, p->time_nanos},
        {10, p->duration_nanos},
    };
    for (size_t i = 0; !rc && i < sizeof scalars / sizeof scalars[0]; i++)
        if (scalars[i].v)
            rc = put_field_varint(e, scalars[i].num, (uint64_t)scalars[i].v);
    if (!rc && (wire_str(e, p->period_type.type) || wire_str(e, p->period_type.unit)))
        rc = put_value_type(e, 11, p->period_type);
    if (!rc && p->period)
        rc = put_field_varint(e, 12, (uint64_t)p->period);
    if (!rc && p->n_comments) {
        size_t nc = p->n_comments, payload = 0;
        for (size_t k = 0; k < nc; k++)
            payload += varint_size((uint64_t)wire_str(e, p->comments[k]));
        uint8_t *q = room(e, repeated_field_size(13, nc, payload));
        if (!q)
            return e->err->code;
        uint8_t *start = q;
        if (nc > 2) {
            *q++ = 13 << 3 | 2;
            q = put_varint(q, payload);
        }
        for (size_t k = 0; k < nc; k++) {
            if (nc <= 2)
                *q++ = 13 << 3;
            q = put_varint(q, (uint64_t)wire_str(e, p->comments[k]));
        }
        e->w->len += (size_t)(q - start);
    }
    /* pprof always writes default_sample_type, even when it is 0. */
    if (!rc)
        rc = put_field_varint(e, 14, (uint64_t)wire_str(e, p->default_sample_type));
    if (!rc && wire_str(e, p->doc_url))
        rc = put_field_varint(e, 15, (uint64_t)wire_str(e, p->doc_url));
    return rc;
}

/* ---------------------------------------------------------------- entry */

int pprof_profile_encode(pprof_buf *out, const pprof_profile *p, bool compress, pprof_error *err)
{
    pprof_error local;
    if (!err)
        err = &local;
    if (!out || !p)
        return pprof_error_set(err, PPROF_EINVAL, "encoding profile: no profile or buffer");
    if (out->failed)
        return pprof_error_set(err, PPROF_ENOMEM, "encoding profile: output buffer failed earlier");
    enc e;
    memset(&e, 0, sizeof e);
    e.p = p;
    e.err = err;
    e.out = out;
    e.gz = compress;
    e.w = compress ? &e.stage : out;
    size_t start_len = out->len;

    int rc = 0;
    bool seq;
    if (p->n_strings == 0 || p->string_lens[0] != 0 || (p->n_samples && p->n_sample_types && !p->values))
        rc = pprof_error_set(err, PPROF_EINVAL, "encoding profile: incomplete profile");
    if (!rc)
        rc = usable(&e, &e.map_ids_ok, &seq, p->n_mappings ? &p->mappings[0].id : NULL,
                        sizeof *p->mappings, p->n_mappings);
    if (!rc)
        rc = usable(&e, &e.fn_ids_ok, &seq, p->n_functions ? &p->functions[0].id : NULL,
                        sizeof *p->functions, p->n_functions);
    if (!rc)
        rc = usable(&e, &e.loc_ids_ok, &e.loc_ids_seq, p->n_locations ? &p->locations[0].id : NULL,
                        sizeof *p->locations, p->n_locations);
    if (!rc && e.loc_ids_ok && !e.loc_ids_seq) {
        e.loc_tab = malloc(p->n_locations * sizeof *e.loc_tab);
        if (!e.loc_tab)
            rc = oom(&e);
        for (size_t i = 0; !rc && i < p->n_locations; i++)
            e.loc_tab[i] = p->locations[i].id;
    }
    if (!rc)
        rc = number_strings(&e);
    if (!rc && compress && gz_init(&e.z))
        rc = oom(&e);
    if (!rc)
        rc = put_profile(&e);
    int stop = stop_deflater(&e);
    if (!rc)
        rc = stop;
    if (!rc && compress)
        rc = deflate_buf(&e.z, out, &e.stage, true, err);

    if (compress)
        gz_end(&e.z);
    pprof_buf_release(&e.stage);
    free(e.wire_of);
    free(e.order);
    free(e.lab_order);
    free(e.loc_tab);
    free(e.line_msgs);
    free(e.line_ptrs);
    if (rc) {
        out->len = start_len; /* nothing half-written stays behind */
        if (out->data)
            out->data[out->len] = 0;
        return rc;
    }
    if (out->data)
        out->data[out->len] = 0;
    return 0;
}
