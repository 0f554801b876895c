/* pager.h: prepares the pages one thread is about to write, in another thread. */
#ifndef PPROF_PAGER_H
#define PPROF_PAGER_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * On a virtual machine a fresh page costs its first access: a fault (or a
 * MADV_POPULATE_WRITE) maps it, and the first load or store of it, by any
 * thread, fills the host's tables (on the bench machine some 6 us a 4 KiB
 * page, paid even by a populated page). The cost is the address space's,
 * not a thread's: a page another thread populated and read once costs the
 * writer nothing. So the decoding thread asks (pprof_pager_ask) for the
 * ranges it writes next, and a host thread that has time (the inflating
 * one, lib/inflate_pipe.c) prepares them: populates each for writing and
 * reads a byte of each page. It never changes a byte. A page the writer
 * reaches first costs the writer, as without a pager; nothing breaks.
 *
 * One writer, one host. The writer must call pprof_pager_forget before it
 * frees, moves or unmaps memory it asked for (a grown array): the host may
 * be reading it.
 */
typedef struct pprof_pager pprof_pager;

/* 0 or PPROF_ENOMEM. */
int pprof_pager_new(pprof_pager **out);
void pprof_pager_free(pprof_pager *g);

/* The writer: asks for the whole pages of [p, p + len) to be prepared.
 * Returns the request's ticket, or 0 when nothing was asked (no whole
 * page, or the queue is full: the writer then pays for them). */
size_t pprof_pager_ask(pprof_pager *g, const void *p, size_t len);
/* Whether the request of this ticket has been run (false when it may
 * have been dropped by a forget since). */
bool pprof_pager_done(const pprof_pager *g, size_t ticket);
/* The writer: drops the requests not yet run and waits for the one being
 * run, if any, to end. */
void pprof_pager_forget(pprof_pager *g);

/* The host: the mutex and condition variable it waits on (for its own
 * work too): a request wakes it with them. Set before the first request. */
void pprof_pager_host(pprof_pager *g, pthread_mutex_t *mu, pthread_cond_t *cond);
/* The host, with its mutex held, in place of pthread_cond_wait: runs the
 * queued requests (the mutex released meanwhile), or waits for a wake-up
 * when there are none. Either way the caller then checks its own condition
 * again. g may be NULL (a plain wait). */
void pprof_pager_wait(pprof_pager *g, pthread_cond_t *cond, pthread_mutex_t *mu);
/* The host, mutex not held: runs the queued requests; false when there was
 * none. */
bool pprof_pager_run(pprof_pager *g);

/* What the host did (for tests and measurements): pages prepared, and
 * requests dropped by pprof_pager_forget or a full queue. */
typedef struct pprof_pager_stats {
    size_t pages, dropped, asked;
} pprof_pager_stats;
void pprof_pager_stats_get(const pprof_pager *g, pprof_pager_stats *out);

#endif
