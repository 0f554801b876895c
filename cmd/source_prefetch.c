/* source_prefetch.c: loads sources one after another in a second thread, a few ahead of the consumer that merges them. */
#include "cmd.h"

#include <pthread.h>
#include <stdlib.h>

enum { AHEAD = 2 }; /* profiles loaded but not yet taken: bounds the memory */

struct cmd_prefetch {
    cmd_load_fn load;
    void *ctx;
    size_t n, next_load, next_take;
    pprof_profile *ready[AHEAD];
    int rc[AHEAD];
    size_t count;  /* entries in ready */
    bool stop;     /* the consumer gave up */
    bool finished; /* the loader is done (all loaded, or one failed) */
    bool threaded; /* else next loads in the caller's thread */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t thread;
};

static void *loader(void *arg)
{
    cmd_prefetch *pf = arg;
    for (size_t i = 0; i < pf->n; i++) {
        pthread_mutex_lock(&pf->mu);
        while (pf->count == AHEAD && !pf->stop)
            pthread_cond_wait(&pf->cv, &pf->mu);
        bool stop = pf->stop;
        pthread_mutex_unlock(&pf->mu);
        if (stop)
            break;
        pprof_profile *p = NULL;
        int rc = pf->load(&p, i, pf->ctx);
        pthread_mutex_lock(&pf->mu);
        size_t at = (pf->next_take + pf->count) % AHEAD;
        pf->ready[at] = p;
        pf->rc[at] = rc;
        pf->count++;
        pthread_cond_broadcast(&pf->cv);
        pthread_mutex_unlock(&pf->mu);
    }
    pthread_mutex_lock(&pf->mu);
    pf->finished = true;
    pthread_cond_broadcast(&pf->cv);
    pthread_mutex_unlock(&pf->mu);
    return NULL;
}

int cmd_prefetch_start(cmd_prefetch **out, size_t n, cmd_load_fn load, void *ctx, bool threaded)
{
    cmd_prefetch *pf = calloc(1, sizeof *pf);
    if (!pf)
        return -1;
    pf->load = load;
    pf->ctx = ctx;
    pf->n = n;
    pf->threaded = threaded;
    if (!threaded) {
        *out = pf;
        return 0;
    }
    pthread_mutex_init(&pf->mu, NULL);
    pthread_cond_init(&pf->cv, NULL);
    if (pthread_create(&pf->thread, NULL, loader, pf) != 0) {
        pthread_mutex_destroy(&pf->mu);
        pthread_cond_destroy(&pf->cv);
        free(pf);
        return -1;
    }
    *out = pf;
    return 0;
}

int cmd_prefetch_next(cmd_prefetch *pf, pprof_profile **p)
{
    *p = NULL;
    if (!pf->threaded)
        return pf->next_load < pf->n ? pf->load(p, pf->next_load++, pf->ctx) : 0;
    pthread_mutex_lock(&pf->mu);
    while (pf->count == 0 && !pf->finished)
        pthread_cond_wait(&pf->cv, &pf->mu);
    int rc = 0;
    if (pf->count) {
        *p = pf->ready[pf->next_take];
        rc = pf->rc[pf->next_take];
        pf->ready[pf->next_take] = NULL;
        pf->next_take = (pf->next_take + 1) % AHEAD;
        pf->count--;
        pthread_cond_broadcast(&pf->cv);
    }
    pthread_mutex_unlock(&pf->mu);
    return rc;
}

void cmd_prefetch_stop(cmd_prefetch *pf)
{
    if (!pf)
        return;
    if (!pf->threaded) {
        free(pf);
        return;
    }
    pthread_mutex_lock(&pf->mu);
    pf->stop = true;
    pthread_cond_broadcast(&pf->cv);
    pthread_mutex_unlock(&pf->mu);
    pthread_join(pf->thread, NULL);
    for (size_t i = 0; i < AHEAD; i++)
        pprof_profile_free(pf->ready[i]);
    pthread_mutex_destroy(&pf->mu);
    pthread_cond_destroy(&pf->cv);
    free(pf);
}
