/* pager.c: prepares (populates, then reads a byte of each page) the memory a
 * writer asks for, in a host thread (see pager.h). */
#include "pager.h"
#include "pprof.h"

#include <stdatomic.h>
#include <stdint.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/mman.h>

/* A page's first access by any thread takes its cost off the others; the
 * writer then writes bytes the host read. Under ThreadSanitizer those
 * reads (relaxed atomic loads racing plain stores) would be reported:
 * the host then only populates. */
#if defined(__SANITIZE_THREAD__)
#define PAGER_READS 0
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define PAGER_READS 0
#endif
#endif
#ifndef PAGER_READS
#define PAGER_READS 1
#endif

#define PAGE ((uintptr_t)4096)
/* Requests queued at most: a writer asks for a step of each of its
 * growing arrays (some fifteen) at a time. */
#define PAGER_QUEUE 128
/* A request is prepared this much at a time, front to back: the writer
 * nears its start first, and a forget stops it between pieces. */
#define PAGER_PIECE ((uintptr_t)32 << 10)

typedef struct request {
    uintptr_t start, end; /* whole pages */
} request;

struct pprof_pager {
    request queue[PAGER_QUEUE];
    _Atomic size_t head;        /* requests asked (the writer's) */
    _Atomic size_t tail;        /* requests run or dropped (the host's) */
    _Atomic size_t drop_below;  /* requests before this one are dropped */
    atomic_bool running;        /* the host is running a request */
    atomic_bool sleeping;       /* the host waits on cond */
    pthread_mutex_t *mu;
    pthread_cond_t *cond;
    atomic_size_t pages, dropped, asked;
};

/* A mapping of its own (zeroed), not a block of malloc's: the decoder's
 * big arrays are sized so that malloc's heap suits them, and 3 KiB more
 * in it at the start moved later blocks onto fresh pages (big100k.pb.gz
 * -tree: 70 more page faults after decoding). */
int pprof_pager_new(pprof_pager **out)
{
    void *m = mmap(NULL, sizeof **out, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    *out = m == MAP_FAILED ? NULL : m;
    return *out ? 0 : PPROF_ENOMEM;
}

void pprof_pager_free(pprof_pager *g)
{
    if (g)
        (void)munmap(g, sizeof *g);
}

void pprof_pager_host(pprof_pager *g, pthread_mutex_t *mu, pthread_cond_t *cond)
{
    g->mu = mu;
    g->cond = cond;
}

size_t pprof_pager_ask(pprof_pager *g, const void *p, size_t len)
{
    uintptr_t start = ((uintptr_t)p + PAGE - 1) & ~(PAGE - 1);
    uintptr_t end = ((uintptr_t)p + len) & ~(PAGE - 1);
    if (end <= start)
        return 0;
    size_t head = atomic_load_explicit(&g->head, memory_order_relaxed);
    if (head - atomic_load_explicit(&g->tail, memory_order_acquire) == PAGER_QUEUE) {
        atomic_fetch_add_explicit(&g->dropped, 1, memory_order_relaxed);
        return 0;
    }
    g->queue[head % PAGER_QUEUE] = (request){start, end};
    atomic_fetch_add_explicit(&g->asked, 1, memory_order_relaxed);
    /* (sequentially consistent with the host's sleeping/head pair: either
     * it sees this request before it sleeps, or this sees it asleep) */
    atomic_store(&g->head, head + 1);
    if (atomic_load(&g->sleeping) && g->mu) {
        pthread_mutex_lock(g->mu);
        pthread_cond_broadcast(g->cond);
        pthread_mutex_unlock(g->mu);
    }
    return head + 1;
}

bool pprof_pager_done(const pprof_pager *g, size_t ticket)
{
    /* (a request asked before the last forget may have been dropped) */
    return atomic_load_explicit(&g->tail, memory_order_acquire) >= ticket &&
           ticket > atomic_load_explicit(&g->drop_below, memory_order_relaxed);
}

void pprof_pager_forget(pprof_pager *g)
{
    /* With the host's running/drop_below pair: either the host sees the
     * new bound before it starts a request, or this sees it running and
     * waits (a request is a few pieces of some 50 us). */
    atomic_store(&g->drop_below, atomic_load_explicit(&g->head, memory_order_relaxed));
    while (atomic_load(&g->running))
        sched_yield(); /* (the host may be off its core) */
}

/* Reads a byte of each page of [start, end) (never changing one). */
static void touch(uintptr_t start, uintptr_t end)
{
#if PAGER_READS
    for (uintptr_t a = start; a < end; a += PAGE)
        (void)__atomic_load_n((const volatile char *)a, __ATOMIC_RELAXED);
#else
    (void)start;
    (void)end;
#endif
}

/* Runs request r (number seq), a piece at a time, unless dropped. */
static void prepare(pprof_pager *g, request r, size_t seq)
{
    for (uintptr_t at = r.start; at < r.end; at += PAGER_PIECE) {
        if (seq < atomic_load(&g->drop_below)) {
            atomic_fetch_add_explicit(&g->dropped, 1, memory_order_relaxed);
            return;
        }
        uintptr_t end = r.end - at < PAGER_PIECE ? r.end : at + PAGER_PIECE;
#ifdef MADV_POPULATE_WRITE
        /* (fails on memory no longer mapped, and before Linux 5.14: then
         * nothing is read, and the writer's first write maps the page) */
        if (madvise((void *)at, end - at, MADV_POPULATE_WRITE) != 0)
            return;
        touch(at, end);
        atomic_fetch_add_explicit(&g->pages, (end - at) / PAGE, memory_order_relaxed);
#else
        (void)end;
        return;
#endif
    }
}

bool pprof_pager_run(pprof_pager *g)
{
    if (!g)
        return false;
    size_t tail = atomic_load_explicit(&g->tail, memory_order_relaxed);
    if (tail == atomic_load_explicit(&g->head, memory_order_acquire))
        return false;
    do {
        request r = g->queue[tail % PAGER_QUEUE];
        atomic_store(&g->running, true);
        prepare(g, r, tail);
        atomic_store(&g->running, false);
        atomic_store_explicit(&g->tail, ++tail, memory_order_release);
    } while (tail != atomic_load_explicit(&g->head, memory_order_acquire));
    return true;
}

void pprof_pager_wait(pprof_pager *g, pthread_cond_t *cond, pthread_mutex_t *mu)
{
    if (g) {
        atomic_store(&g->sleeping, true);
        size_t tail = atomic_load_explicit(&g->tail, memory_order_relaxed);
        if (tail != atomic_load(&g->head)) {
            atomic_store_explicit(&g->sleeping, false, memory_order_relaxed);
            pthread_mutex_unlock(mu);
            pprof_pager_run(g);
            pthread_mutex_lock(mu);
            return;
        }
    }
    pthread_cond_wait(cond, mu);
    if (g)
        atomic_store_explicit(&g->sleeping, false, memory_order_relaxed);
}

void pprof_pager_stats_get(const pprof_pager *g, pprof_pager_stats *out)
{
    out->pages = atomic_load_explicit(&g->pages, memory_order_relaxed);
    out->dropped = atomic_load_explicit(&g->dropped, memory_order_relaxed);
    out->asked = atomic_load_explicit(&g->asked, memory_order_relaxed);
}
