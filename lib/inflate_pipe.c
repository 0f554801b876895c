/* inflate_pipe.c: inflates gzip input in a second thread, handing chunks to
 * the decoder, so decompression and decoding overlap on two cores. */
#include "internal.h"

#include <pthread.h>
#include <zlib.h>

#define PIPE_SLOTS 4
#define PIPE_CHUNK (4u << 20)

struct pprof_pipe {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t can_fill, can_take;
    uint8_t *slot[PIPE_SLOTS];
    size_t slot_len[PIPE_SLOTS];
    size_t head, count;     /* ring of filled slots */
    bool done, cancel, held; /* held: the consumer still reads the head slot */
    int error;
    char msg[256];
    const uint8_t *in;
    size_t in_len;
    uint64_t max, total;
};

static void pipe_fail(struct pprof_pipe *p, int code, const char *msg)
{
    pthread_mutex_lock(&p->mu);
    p->error = code;
    snprintf(p->msg, sizeof p->msg, "decompressing profile: %s", msg);
    p->done = true;
    pthread_cond_broadcast(&p->can_take);
    pthread_mutex_unlock(&p->mu);
}

/* Waits for a free slot; returns its index, or -1 when cancelled. */
static int pipe_free_slot(struct pprof_pipe *p)
{
    pthread_mutex_lock(&p->mu);
    while (p->count == PIPE_SLOTS && !p->cancel)
        pthread_cond_wait(&p->can_fill, &p->mu);
    int idx = p->cancel ? -1 : (int)((p->head + p->count) % PIPE_SLOTS);
    pthread_mutex_unlock(&p->mu);
    return idx;
}

static void pipe_publish(struct pprof_pipe *p, size_t len)
{
    pthread_mutex_lock(&p->mu);
    p->slot_len[(p->head + p->count) % PIPE_SLOTS] = len;
    p->count++;
    pthread_cond_broadcast(&p->can_take);
    pthread_mutex_unlock(&p->mu);
}

static void *pipe_main(void *arg)
{
    struct pprof_pipe *p = arg;
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
        pipe_fail(p, PPROF_ENOMEM, "out of memory");
        return NULL;
    }
    z.next_in = (Bytef *)p->in;
    z.avail_in = (uInt)p->in_len;
    bool finished = false;
    while (!finished) {
        int idx = pipe_free_slot(p);
        if (idx < 0)
            break;
        z.next_out = p->slot[idx];
        z.avail_out = PIPE_CHUNK;
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
        size_t got = PIPE_CHUNK - z.avail_out;
        p->total += got;
        if (p->total > p->max) {
            char m[128];
            snprintf(m, sizeof m, "decompressed size exceeds the limit of %llu bytes", (unsigned long long)p->max);
            pipe_fail(p, PPROF_ELIMIT, m);
            break;
        }
        if (got)
            pipe_publish(p, got);
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
    pthread_mutex_lock(&p->mu);
    p->done = true;
    pthread_cond_broadcast(&p->can_take);
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

int pprof_pipe_start(pprof_pipe **out, const uint8_t *gz, size_t len, uint64_t max)
{
    *out = NULL;
    if (len > UINT32_MAX)
        return PPROF_ELIMIT;
    struct pprof_pipe *p = calloc(1, sizeof *p);
    if (!p)
        return PPROF_ENOMEM;
    for (int i = 0; i < PIPE_SLOTS; i++) {
        p->slot[i] = malloc(PIPE_CHUNK);
        if (!p->slot[i]) {
            for (int k = 0; k < i; k++)
                free(p->slot[k]);
            free(p);
            return PPROF_ENOMEM;
        }
    }
    p->in = gz;
    p->in_len = len;
    p->max = max;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->can_fill, NULL);
    pthread_cond_init(&p->can_take, NULL);
    if (pthread_create(&p->thread, NULL, pipe_main, p) != 0) {
        for (int i = 0; i < PIPE_SLOTS; i++)
            free(p->slot[i]);
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
    for (int i = 0; i < PIPE_SLOTS; i++)
        free(p->slot[i]);
    free(p);
}
