/* inflate_pipe.c: inflates gzip input in a second thread, handing chunks to
 * the decoder, so decompression and decoding overlap on two cores. */

/*
 * The inflater is ISA-L's igzip (streaming isal_inflate) when the build
 * has it (PPROF_HAVE_ISAL, libisal-dev), else zlib. Measured on the
 * bench's 1M-sample profile (43.6 MiB gzipped at level 6, 121.7 MiB raw),
 * CPU time of one thread inflating into 4 MiB chunks, best of three:
 * zlib 0.32 s, ISA-L 0.20 s, libdeflate 0.70 s (whole buffer only: it also
 * needs the whole output allocated and cannot overlap with decoding); on
 * the 100k-sample one (1.9 MiB): zlib 0.017 s, ISA-L 0.010 s, libdeflate
 * 0.011 s. So ISA-L. zlib stays the fallback, and the judge of broken
 * input: when ISA-L stops on an error, zlib inflates the input again from
 * the start, hands on only the bytes past those already handed on, and
 * reports the error in the words the rest of pprof uses.
 */
#include "decode_ahead.h"
#include "internal.h"
#include "pager.h"

#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>
#ifdef PPROF_HAVE_ISAL
#include <isa-l/igzip_lib.h>
#endif

#define PIPE_SLOTS PPROF_PIPE_SLOTS
#define PIPE_HUGE_MIN (4u << 20) /* slots of this much together are one block in huge pages */
#define PIPE_PIECE (64u << 10)   /* inflated between runs of the pager */
#ifndef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
#define PIPE_CHUNK (1u << 20) /* 4 slots of 1 MiB: small in the peak RSS, few hand-overs */
#define PIPE_CHUNK_MIN (1u << 16)
#else
#define PIPE_CHUNK (1u << 12) /* fuzzing: the ring wraps within small inputs, no big allocation per input */
#define PIPE_CHUNK_MIN (1u << 12)
#endif

struct pprof_pipe {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t can_fill, can_take;
    uint8_t *slot[PIPE_SLOTS];
    bool one_block; /* the slots are one block, slot[0]'s (pipe_alloc_slots) */
    size_t chunk; /* bytes of a slot (pprof_pipe_chunk) */
    size_t slot_len[PIPE_SLOTS];
    size_t head, count;     /* ring of filled slots */
    bool done, cancel, held; /* held: the consumer still reads the head slot */
    int error;
    char msg[256];
    const uint8_t *in;
    size_t in_len;
    uint64_t max, total;
    uint64_t skip; /* zlib replay: bytes the consumer already has */
    bool drop;     /* input is a file mapping: release what was inflated */
    size_t dropped; /* input bytes [0, dropped) released */
    pprof_ahead *ahead; /* decodes samples ahead from each chunk, or NULL */
    pprof_pager *pager; /* the consumer's pages, prepared here while there
                         * is nothing to inflate (or NULL) */
};

static void pipe_free_slots(struct pprof_pipe *p)
{
    for (int i = 0; i < (p->one_block ? 1 : PIPE_SLOTS); i++)
        free(p->slot[i]);
}

/* Releases the whole pages of a file-mapped input below `used`: on the 1M-
 * sample profile that keeps the 44 MB of gzip input out of the peak RSS.
 * A page touched again (zlib's replay, another reader) reads back from the
 * file, so this is only a hint. In steps of a chunk, and all of it at the
 * end: the inflating thread also prepares the decoder's pages (lib/pager.c),
 * so it may lag the decoder, and with steps of four chunks labels.pb.gz's
 * peak RSS came while 4 MiB of its input were still resident (-top: 82.2
 * MB, over its 2x raw budget, in half the runs; in steps of a chunk
 * 79.8-80.5 MB). On the 100,000-sample profile (2 MiB of gzip) a fixed
 * 4 MiB step released nothing, 1 MiB steps took 1.2 MiB off its peak. */
static void pipe_release_input(struct pprof_pipe *p, size_t used)
{
    if (!p->drop)
        return;
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    bool all = used == p->in_len; /* (the last of it: with its last page) */
    uintptr_t lo = ((uintptr_t)p->in + p->dropped + page - 1) & ~(page - 1);
    uintptr_t hi = ((uintptr_t)p->in + used + (all ? page - 1 : 0)) & ~(page - 1);
    if (hi >= lo + p->chunk || (all && hi > lo)) {
        madvise((void *)lo, hi - lo, MADV_DONTNEED);
        p->dropped = hi - (uintptr_t)p->in;
    }
}

static void pipe_fail(struct pprof_pipe *p, int code, const char *msg)
{
    pthread_mutex_lock(&p->mu);
    p->error = code;
    snprintf(p->msg, sizeof p->msg, "decompressing profile: %s", msg);
    p->done = true;
    pthread_cond_broadcast(&p->can_take);
    pthread_mutex_unlock(&p->mu);
}

/* Waits for a free slot; returns its index, or -1 when cancelled. The
 * consumer's pages are prepared first, while it waits and while the
 * consumer has a chunk ready besides the one it reads (the pages it asked
 * for are needed sooner than a chunk more). */
static int pipe_free_slot(struct pprof_pipe *p)
{
    pthread_mutex_lock(&p->mu);
    while (!p->cancel) {
        if (p->count == PIPE_SLOTS) {
            pprof_pager_wait(p->pager, &p->can_fill, &p->mu);
            continue;
        }
        if (p->count <= (size_t)p->held)
            break;
        pthread_mutex_unlock(&p->mu);
        bool ran = pprof_pager_run(p->pager);
        pthread_mutex_lock(&p->mu);
        if (!ran)
            break;
    }
    int idx = p->cancel ? -1 : (int)((p->head + p->count) % PIPE_SLOTS);
    pthread_mutex_unlock(&p->mu);
    return idx;
}

/* Hands on the first len bytes of the slot being filled (idx), after the
 * sample decoder ahead has read them: its records of them are then in
 * place when the consumer reaches them. Whether it decodes their samples
 * depends on whether the consumer has a chunk ready besides the one it
 * reads (pprof_ahead_feed): so the samples' work is shared as the two
 * threads' speeds allow (on the 1M-sample bench profile, ISA-L and the
 * decoding of every sample here would take longer than the rest of the
 * decoding there). */
static void pipe_publish(struct pprof_pipe *p, int idx, size_t len)
{
    if (p->ahead) {
        pthread_mutex_lock(&p->mu);
        bool ready = p->count > (size_t)p->held;
        pthread_mutex_unlock(&p->mu);
        pprof_ahead_feed(p->ahead, p->slot[idx], len, ready);
    }
    pthread_mutex_lock(&p->mu);
    p->slot_len[(p->head + p->count) % PIPE_SLOTS] = len;
    p->count++;
    pthread_cond_broadcast(&p->can_take);
    pthread_mutex_unlock(&p->mu);
}

/* Publishes the part of the slot's n bytes that lies past p->skip (bytes
 * the consumer already has, when zlib replays after ISA-L gave up). */
static size_t pipe_take(struct pprof_pipe *p, int idx, size_t n)
{
    if (p->skip >= n) {
        p->skip -= n;
        return 0;
    }
    if (p->skip) {
        memmove(p->slot[idx], p->slot[idx] + p->skip, n - p->skip);
        n -= p->skip;
        p->skip = 0;
    }
    return n;
}

/* Counts n new bytes against the limit; false (and the pipe failed) past it. */
static bool pipe_count(struct pprof_pipe *p, size_t n)
{
    p->total += n;
    if (p->total <= p->max)
        return true;
    char m[128];
    snprintf(m, sizeof m, "decompressed size exceeds the limit of %llu bytes", (unsigned long long)p->max);
    pipe_fail(p, PPROF_ELIMIT, m);
    return false;
}

/* Runs the pager's requests when the consumer has a chunk ready besides
 * the one it reads (else the chunk being inflated is needed first). */
static void pipe_page_between(struct pprof_pipe *p)
{
    if (!p->pager)
        return;
    pthread_mutex_lock(&p->mu);
    bool ready = p->count > (size_t)p->held;
    pthread_mutex_unlock(&p->mu);
    if (ready)
        pprof_pager_run(p->pager);
}

#ifdef PPROF_HAVE_ISAL
/* ISA-L's igzip, the fast path. Returns true when the input was inflated
 * to its end (or the pipe was cancelled or failed on the size limit);
 * false when ISA-L met anything it does not like, and zlib should replay
 * the input to say what is wrong in its words (the consumer's bytes so far
 * are the same in both). */
static bool pipe_isal(struct pprof_pipe *p)
{
    struct inflate_state *st = malloc(sizeof *st);
    if (!st)
        return false;
    isal_inflate_init(st);
    st->crc_flag = ISAL_GZIP;
    st->next_in = (uint8_t *)p->in;
    st->avail_in = (uint32_t)p->in_len;
    bool ok = false;
    for (;;) {
        int idx = pipe_free_slot(p);
        if (idx < 0) {
            ok = true;
            break;
        }
        st->next_out = p->slot[idx];
        st->avail_out = (uint32_t)p->chunk;
        int rc = ISAL_DECOMP_OK;
        bool finished = false, bad = false;
        while (st->avail_out > 0) {
            /* a piece at a time, the consumer's pages prepared between
             * pieces while it has a chunk to decode */
            uint32_t rest = st->avail_out - (st->avail_out < PIPE_PIECE ? st->avail_out : PIPE_PIECE);
            st->avail_out -= rest;
            rc = isal_inflate(st);
            st->avail_out += rest;
            if (rc == ISAL_DECOMP_OK && st->block_state != ISAL_BLOCK_FINISH && st->avail_in > 0)
                pipe_page_between(p);
            if (rc != ISAL_DECOMP_OK) {
                bad = true;
                break;
            }
            if (st->block_state == ISAL_BLOCK_FINISH) {
                /* Another gzip member may follow; zlib judges anything else. */
                if (st->avail_in == 0) {
                    finished = true;
                    break;
                }
                if (st->avail_in < 2 || st->next_in[0] != 0x1f || st->next_in[1] != 0x8b) {
                    bad = true;
                    break;
                }
                uint8_t *next = st->next_in;
                uint32_t avail = st->avail_in;
                uint8_t *out = st->next_out;
                uint32_t room = st->avail_out;
                isal_inflate_reset(st);
                st->crc_flag = ISAL_GZIP;
                st->next_in = next;
                st->avail_in = avail;
                st->next_out = out;
                st->avail_out = room;
            } else if (st->avail_in == 0 && st->avail_out > 0) {
                bad = true; /* truncated */
                break;
            }
        }
        size_t got = p->chunk - st->avail_out;
        pipe_release_input(p, (size_t)(st->next_in - p->in));
        if (!pipe_count(p, got)) {
            ok = true;
            break;
        }
        if (got)
            pipe_publish(p, idx, got);
        if (finished) {
            ok = true;
            break;
        }
        if (bad) {
            p->skip = p->total; /* zlib replays these */
            p->total = 0;
            break;
        }
    }
    free(st);
    return ok;
}
#endif

/* zlib: the fallback, and the judge of broken input. */
static void pipe_zlib(struct pprof_pipe *p)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
        pipe_fail(p, PPROF_ENOMEM, "out of memory");
        return;
    }
    z.next_in = (Bytef *)p->in;
    z.avail_in = (uInt)p->in_len;
    bool finished = false;
    while (!finished) {
        int idx = pipe_free_slot(p);
        if (idx < 0)
            break;
        z.next_out = p->slot[idx];
        z.avail_out = (uInt)p->chunk;
        int rc = Z_OK;
        while (z.avail_out > 0 && !finished) {
            rc = inflate(&z, Z_NO_FLUSH);
            if (rc == Z_STREAM_END) {
                /* Another gzip member may follow; anything else is junk. */
                if (z.avail_in == 0)
                    finished = true;
                else if (z.avail_in >= 2 && z.next_in[0] == 0x1f && z.next_in[1] == 0x8b)
                    inflateReset(&z);
                else
                    break;
            } else if (rc != Z_OK) {
                break;
            }
        }
        size_t got = p->chunk - z.avail_out;
        pipe_release_input(p, (size_t)(z.next_in - p->in));
        if (!pipe_count(p, got))
            break;
        got = pipe_take(p, idx, got);
        if (got)
            pipe_publish(p, idx, got);
        if (finished)
            break;
        if (rc == Z_STREAM_END) {
            pipe_fail(p, PPROF_EGZIP, "trailing garbage after gzip data (invalid header)");
            break;
        }
        if (rc == Z_BUF_ERROR && z.avail_in == 0) {
            pipe_fail(p, PPROF_EGZIP, "unexpected end of gzip data (truncated)");
            break;
        }
        if (rc == Z_DATA_ERROR) {
            const char *m = z.msg ? z.msg : "invalid data";
            if (strstr(m, "incorrect data check"))
                m = "gzip checksum mismatch (invalid checksum)";
            else if (strstr(m, "incorrect length check"))
                m = "gzip length mismatch (invalid length)";
            pipe_fail(p, PPROF_EGZIP, m);
            break;
        }
        if (rc == Z_MEM_ERROR) {
            pipe_fail(p, PPROF_ENOMEM, "out of memory");
            break;
        }
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            pipe_fail(p, PPROF_EGZIP, z.msg ? z.msg : "inflate failed");
            break;
        }
    }
    inflateEnd(&z);
}

static void *pipe_main(void *arg)
{
    struct pprof_pipe *p = arg;
#ifdef PPROF_HAVE_ISAL
    if (!pipe_isal(p))
        pipe_zlib(p);
#else
    pipe_zlib(p);
#endif
    pthread_mutex_lock(&p->mu);
    p->done = true;
    pthread_cond_broadcast(&p->can_take);
    /* the input is inflated: the consumer's pages until it stops the pipe */
    while (p->pager && !p->cancel)
        pprof_pager_wait(p->pager, &p->can_fill, &p->mu);
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

uint64_t pprof_gzip_size_hint(const uint8_t *gz, size_t len)
{
    if (len < 18)
        return 0;
    const uint8_t *t = gz + len - 4;
    uint64_t isize = (uint64_t)t[0] | (uint64_t)t[1] << 8 | (uint64_t)t[2] << 16 | (uint64_t)t[3] << 24;
    uint64_t most = (uint64_t)len * 64;
    return isize < most ? isize : most;
}

/* Sized for the input: 1 MiB chunks were 8 MiB of slots and ring on the
 * bench's 100,000-sample profile (9.4 MiB raw), a third of its peak RSS;
 * a 64th of it (256 KiB chunks) took 6.8 MiB off that peak at the same CPU
 * time. Profiles of 64 MiB and more keep 1 MiB. */
size_t pprof_pipe_chunk(const uint8_t *gz, size_t len)
{
    uint64_t want = pprof_gzip_size_hint(gz, len) / 64;
    size_t chunk = PIPE_CHUNK;
    while (chunk > PIPE_CHUNK_MIN && chunk / 2 >= want)
        chunk /= 2;
    return chunk;
}

/* The ring of samples decoded ahead holds the records of a full pipe: a
 * record takes more bytes than its sample on the wire (locations as 4
 * bytes, not 1 to 3, and a 40-byte head): 1.44 times on the bench's deep
 * profile, 1.75 on big, 2.28 on medium. With four chunks, the ring filled
 * whenever the decoder fell behind (when decoding ahead helps most), and
 * its records were dropped: 20 to 43% of medium's samples, and 2 to 10%
 * of deep's, went back to the decoder. Eight: none dropped on deep, 5 to
 * 8% on medium; sixteen dropped none on medium, for 2 MiB more of its
 * peak RSS. */
size_t pprof_pipe_ahead_ring(size_t chunk)
{
    return 2 * PIPE_SLOTS * chunk;
}

/* The slots, of 4 MiB together (big inputs): one block in huge pages
 * (slot[0] owns it), whose 4 KiB faults were some 1,000 of -top's on the
 * bench's big profiles; else one malloc each, as before (one block there
 * moved later allocations' faults: +300 on the 100,000-sample one). */
static int pipe_alloc_slots(struct pprof_pipe *p)
{
    size_t all = (size_t)PIPE_SLOTS * p->chunk;
    p->one_block = all >= PIPE_HUGE_MIN;
    for (int i = 0; i < PIPE_SLOTS; i++) {
        p->slot[i] = p->one_block ? (i ? p->slot[0] + (size_t)i * p->chunk : pprof_alloc_huge(all)) : malloc(p->chunk);
        if (!p->slot[i]) {
            pipe_free_slots(p);
            return PPROF_ENOMEM;
        }
    }
    return 0;
}

int pprof_pipe_start(pprof_pipe **out, const uint8_t *gz, size_t len, uint64_t max, bool drop_input)
{
    return pprof_pipe_start_ahead(out, gz, len, max, drop_input, NULL);
}

int pprof_pipe_start_ahead(pprof_pipe **out, const uint8_t *gz, size_t len, uint64_t max, bool drop_input,
                           pprof_ahead *ahead)
{
    *out = NULL;
    if (len > UINT32_MAX)
        return PPROF_ELIMIT;
    struct pprof_pipe *p = calloc(1, sizeof *p);
    if (!p)
        return PPROF_ENOMEM;
    p->chunk = pprof_pipe_chunk(gz, len);
    if (pipe_alloc_slots(p) != 0) {
        free(p);
        return PPROF_ENOMEM;
    }
    p->in = gz;
    p->in_len = len;
    p->max = max;
    p->drop = drop_input;
    p->ahead = ahead;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->can_fill, NULL);
    pthread_cond_init(&p->can_take, NULL);
    if (pprof_pager_new(&p->pager) == 0) /* (without one the consumer pays its pages) */
        pprof_pager_host(p->pager, &p->mu, &p->can_fill);
    if (pthread_create(&p->thread, NULL, pipe_main, p) != 0) {
        pprof_pager_free(p->pager);
        pipe_free_slots(p);
        free(p);
        return PPROF_ENOMEM;
    }
    *out = p;
    return 0;
}

int pprof_pipe_next(pprof_pipe *p, const uint8_t **data, size_t *len, pprof_error *err)
{
    pthread_mutex_lock(&p->mu);
    if (p->held) {
        /* The previous chunk was consumed: its slot may be refilled. */
        p->held = false;
        p->head = (p->head + 1) % PIPE_SLOTS;
        p->count--;
        pthread_cond_broadcast(&p->can_fill);
    }
    while (p->count == 0 && !p->done)
        pthread_cond_wait(&p->can_take, &p->mu);
    int rc = 0;
    if (p->count > 0) {
        *data = p->slot[p->head];
        *len = p->slot_len[p->head];
        p->held = true;
    } else {
        *data = NULL;
        *len = 0;
        if (p->error)
            rc = pprof_error_set(err, p->error, "%s", p->msg);
    }
    pthread_mutex_unlock(&p->mu);
    return rc;
}

void pprof_pipe_stop(pprof_pipe *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->cancel = true;
    pthread_cond_broadcast(&p->can_fill);
    pthread_mutex_unlock(&p->mu);
    pthread_join(p->thread, NULL);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->can_fill);
    pthread_cond_destroy(&p->can_take);
    pprof_pager_free(p->pager);
    pipe_free_slots(p);
    free(p);
}

pprof_pager *pprof_pipe_pager(pprof_pipe *p)
{
    return p->pager;
}

/* The whole of a small gzip input, inflated by ISA-L in the calling thread
 * (see pprof_isal_inflate_all in internal.h). */
int pprof_isal_inflate_all(uint8_t **out, size_t *out_len, const uint8_t *gz, size_t len, uint64_t max,
                           uint64_t hint)
{
    *out = NULL;
    *out_len = 0;
#ifdef PPROF_HAVE_ISAL
    if (len > UINT32_MAX || len < 18)
        return -1;
    struct inflate_state *st = malloc(sizeof *st);
    size_t cap = hint && hint <= max ? (size_t)hint + 1 : 4096;
    uint8_t *buf = malloc(cap);
    if (!st || !buf) {
        free(st);
        free(buf);
        return -1;
    }
    isal_inflate_init(st);
    st->crc_flag = ISAL_GZIP;
    st->next_in = (uint8_t *)gz;
    st->avail_in = (uint32_t)len;
    size_t n = 0;
    int rc = -1;
    for (;;) {
        size_t room = cap - n > UINT32_MAX ? UINT32_MAX : cap - n;
        st->next_out = buf + n;
        st->avail_out = (uint32_t)room;
        int r = isal_inflate(st);
        n += room - st->avail_out;
        if (r != ISAL_DECOMP_OK || n > max)
            break; /* (zlib says what is wrong) */
        if (st->block_state == ISAL_BLOCK_FINISH) {
            if (st->avail_in == 0) {
                rc = 0;
                break;
            }
            if (st->avail_in < 2 || st->next_in[0] != 0x1f || st->next_in[1] != 0x8b)
                break;
            uint8_t *next = st->next_in; /* another member */
            uint32_t avail = st->avail_in;
            isal_inflate_reset(st);
            st->crc_flag = ISAL_GZIP;
            st->next_in = next;
            st->avail_in = avail;
            continue;
        }
        if (st->avail_out > 0 && st->avail_in == 0)
            break; /* truncated */
        if (n == cap) {
            if (cap > max)
                break;
            size_t grown = cap * 2 > max + 1 ? (size_t)max + 1 : cap * 2;
            uint8_t *b = realloc(buf, grown);
            if (!b)
                break;
            buf = b;
            cap = grown;
        }
    }
    free(st);
    if (rc || n == 0) {
        free(buf);
        return -1;
    }
    *out = buf;
    *out_len = n;
    return 0;
#else
    (void)gz;
    (void)len;
    (void)max;
    (void)hint;
    return -1;
#endif
}
