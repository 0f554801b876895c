/* arena.c: the bump allocator a profile owns, and the array-growth helper. */
#include "internal.h"
#include "pager.h"

#include <sys/mman.h>

struct pprof_arena_chunk {
    pprof_arena_chunk *next;
    max_align_t data[];
};

#ifndef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
#define ARENA_CHUNK (1u << 20)
#else
#define ARENA_CHUNK (1u << 14) /* fuzzing: no 1 MiB allocation (mmap under ASan) per profile */
#endif

/* n bytes at a multiple of align (a power of two, at most 16). */
static void *arena_alloc(pprof_arena *a, size_t n, size_t align)
{
    size_t at = (a->used + align - 1) & ~(align - 1);
    if (!a->head || at > a->size || a->size - at < n) {
        size_t size = n > ARENA_CHUNK / 4 ? (n + 15) & ~(size_t)15 : ARENA_CHUNK;
        pprof_arena_chunk *c = malloc(sizeof *c + size);
        if (!c)
            return NULL;
        a->total += sizeof *c + size;
        if (size != ARENA_CHUNK && a->head) {
            /* A large block gets its own chunk behind the head, so the head's
             * free space stays usable. */
            c->next = a->head->next;
            a->head->next = c;
            return c->data;
        }
        c->next = a->head;
        a->head = c;
        a->used = at = 0;
        a->size = size;
    }
    void *p = (char *)a->head->data + at;
    a->used = at + n;
    /* (strings, many small ones: the pages they fill populated ahead) */
    pprof_fill_ahead(&a->fill, a->head->data, a->used, a->size);
    return p;
}

void *pprof_arena_alloc(pprof_arena *a, size_t n)
{
    return arena_alloc(a, n, 16);
}

void *pprof_arena_alloc_bytes(pprof_arena *a, size_t n)
{
    return arena_alloc(a, n, 1);
}

void pprof_arena_release(pprof_arena *a)
{
    pprof_arena_chunk *c = a->head;
    while (c) {
        pprof_arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    a->head = NULL;
    a->used = a->size = 0;
    a->total = 0;
    a->fill = (pprof_fill){0};
}

#define HUGE_PAGE ((size_t)2 << 20)
/* What glibc's malloc adds to a block it maps on its own (at and above
 * the mmap threshold): 16 bytes of header, rounded up to whole pages. */
#define MAP_EXTRA ((size_t)4096 + 16)

/* The whole pages of size page (a power of two) inside [p, p + len):
 * [*start, *end); false when there is none. */
static bool interior(const void *p, size_t len, uintptr_t page, uintptr_t *start, uintptr_t *end)
{
    *start = ((uintptr_t)p + page - 1) & ~(page - 1);
    *end = ((uintptr_t)p + len) & ~(page - 1);
    return *end > *start;
}

/* Advises the pages holding [p, p + len) and the page after, for huge
 * pages: all of a mapping malloc made for the block, so that the mapping
 * stays one area the kernel can move (realloc's mremap fails on a mapping
 * whose parts were advised apart). In the heap, the advice just covers
 * the block's pages. */
static void advise_block(void *p, size_t len, bool fresh)
{
#ifdef MADV_HUGEPAGE
    const uintptr_t page = 4096;
    uintptr_t start = (uintptr_t)p & ~(page - 1);
    uintptr_t end = (((uintptr_t)p + len + page - 1) & ~(page - 1)) + page;
    (void)madvise((void *)start, end - start, MADV_HUGEPAGE);
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif
    /* malloc wrote the block's header before the advice, so the first
     * 2 MiB already has a 4 KiB page: made a huge page here (Linux 6.1;
     * elsewhere madvise fails and that 2 MiB stays in small pages). */
    uintptr_t first = (start + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
    if (fresh && first == start && end - start >= HUGE_PAGE)
        (void)madvise((void *)first, HUGE_PAGE, MADV_COLLAPSE);
#else
    (void)p;
    (void)len;
#endif
}

int pprof_grow(void **ptr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap : 16;
    while (n < need) {
        if (n > SIZE_MAX / 2)
            return PPROF_ENOMEM;
        n *= 2;
    }
    if (n > SIZE_MAX / elem)
        return PPROF_ENOMEM;
    size_t bytes = n * elem, old = *cap * elem;
    void *p;
    if (bytes < PPROF_GROW_HUGE || bytes > SIZE_MAX - HUGE_PAGE - MAP_EXTRA) {
        p = realloc(*ptr, bytes);
    } else {
        /* A big array on huge pages: a page fault per 4 KiB page costs
         * some 10 us on a virtual machine, a 2 MiB page takes one (but is
         * resident whole: hence only big arrays). The
         * block is sized so that malloc maps exactly whole huge pages
         * (the kernel puts such a mapping on a 2 MiB boundary, and so
         * realloc's mremap); the capacity stays n (callers may bound
         * indexes by it). */
        size_t block = ((bytes + MAP_EXTRA + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1)) - MAP_EXTRA;
        /* A block malloc mapped on its own (any big one under pprof's
         * 1 MiB threshold) is moved, not copied: what it holds stays in
         * small pages, the rest is advised. (Copied into huge pages, it
         * was resident twice for the copy: 12 MiB of labels.pb.gz's
         * labels, their reserve.) */
        p = realloc(*ptr, block);
        if (p)
            advise_block(p, block, old == 0);
    }
    if (!p)
        return PPROF_ENOMEM;
    *ptr = p;
    *cap = n;
    return 0;
}

int pprof_grow_ahead(void **ptr, pprof_cap *cap, size_t need, size_t elem)
{
    if (need > cap->n && cap->fill.pager)
        pprof_pager_forget(cap->fill.pager); /* (it may move: nothing of it read now) */
    int rc = pprof_grow(ptr, &cap->n, need, elem);
    if (!rc)
        pprof_fill_step(&cap->fill, *ptr, need * elem, cap->n * elem);
    return rc;
}

void pprof_advise_huge(void *p, size_t len)
{
#ifdef MADV_HUGEPAGE
    /* Big tables are filled once, front to back: huge pages cut the page
     * faults, which otherwise cost more than the decoding itself. */
    uintptr_t start, end;
    if (len >= 4 * HUGE_PAGE && interior(p, len, HUGE_PAGE, &start, &end))
        madvise((void *)start, end - start, MADV_HUGEPAGE);
#else
    (void)p;
    (void)len;
#endif
}

void *pprof_alloc_huge(size_t n)
{
#ifdef MADV_HUGEPAGE
    const size_t huge = (size_t)2 << 20;
    if (n >= huge) {
        void *p = NULL;
        if (posix_memalign(&p, huge, n) != 0)
            return NULL;
        madvise(p, n & ~(huge - 1), MADV_HUGEPAGE);
        return p;
    }
#endif
    return malloc(n);
}

void *pprof_work_alloc(size_t n, bool zero)
{
    const size_t huge = (size_t)2 << 20;
    if (n < PPROF_WORK_HUGE || n > SIZE_MAX - huge)
        return zero ? calloc(n ? n : 1, 1) : malloc(n ? n : 1);
    void *p = pprof_alloc_huge(n < huge ? huge : n);
    if (p && zero)
        memset(p, 0, n);
    return p;
}

/* Populates the pages [start, end) (page-aligned) for writing. */
static void populate_pages(uintptr_t start, uintptr_t end)
{
#ifdef MADV_POPULATE_WRITE
    /* One call maps the pages a fault each would (Linux 5.14; elsewhere
     * madvise fails and the pages fault in as they are touched): on the
     * bench machine, a virtual one, 32 MiB faulted in 97-120 ms a page at a
     * time, 58-65 ms populated 64 KiB at a time. */
    (void)madvise((void *)start, end - start, MADV_POPULATE_WRITE);
#else
    (void)start;
    (void)end;
#endif
}

/* 32 KiB at a time, when the writes are within a page of what is
 * populated: at most 36 KiB an array resident before it is written (the
 * peak RSS budget of labels.pb.gz, 2x its raw size, is within 0.5 MB);
 * 8 pages a call cost about what 16 or 256 do. */
#define FILL_STEP ((size_t)32 << 10)
#define FILL_LEAD PPROF_FILL_LEAD

/* The pages of the block at base from the one holding byte `from` to the
 * last whole one before `to`, populated. */
static void populate_part(const void *base, size_t from, size_t to)
{
    uintptr_t start = ((uintptr_t)base + from) & ~(uintptr_t)4095;
    uintptr_t end = ((uintptr_t)base + to) & ~(uintptr_t)4095;
    if (end > start)
        populate_pages(start, end);
}

void pprof_fill_step(pprof_fill *f, void *base, size_t used, size_t cap)
{
    if (base != f->base) { /* (moved, or new: what it held came along) */
        f->base = base;
        f->done = used;
        f->ticket = 0;
    }
    if (!f->pager)
        f->ticket = 0; /* (a pager's requests go with it) */
    size_t lead = f->pager ? PPROF_FILL_PAGED_LEAD : FILL_LEAD;
    if (base && f->done < used + lead) {
        /* The writes enter the step last asked for: the host busy (the
         * request still queued), its pages are populated here, not
         * faulted in one at a time (a request it reaches later finds
         * them populated, and touches them, still first). */
        if (f->ticket && !pprof_pager_done(f->pager, f->ticket))
            populate_part(base, used > f->asked ? used - 1 : f->asked, f->done);
        f->ticket = 0;
        if (f->done < used)
            f->done = used;
        if (f->done < cap) {
            /* whole pages: the next step starts where this one ends */
            uintptr_t at = (uintptr_t)base + f->done;
            uintptr_t start = (at + 4095) & ~(uintptr_t)4095;
            size_t room = cap - f->done;
            uintptr_t end = (at + (room < FILL_STEP ? room : FILL_STEP)) & ~(uintptr_t)4095;
            if (end > start) {
                if (f->pager)
                    f->ticket = pprof_pager_ask(f->pager, (void *)start, end - start);
                if (!f->ticket)
                    populate_pages(start, end);
                f->asked = f->done;
                f->done = (size_t)(end - (uintptr_t)base);
            }
        }
    }
    /* due again when the writes come within the lead of what is done */
    f->next = f->done >= lead ? f->done - lead + 1 : 0;
}

void pprof_fill_set_pager(pprof_fill *f, pprof_pager *g)
{
    if (f->ticket && !pprof_pager_done(f->pager, f->ticket))
        f->done = f->asked; /* (the next step starts there) */
    f->ticket = 0;
    f->pager = g;
    size_t lead = g ? PPROF_FILL_PAGED_LEAD : FILL_LEAD;
    f->next = f->done >= lead ? f->done - lead + 1 : 0;
}

void pprof_populate(void *p, size_t len)
{
    uintptr_t start, end;
    if (len >= POPULATE_MIN && interior(p, len, 4096, &start, &end))
        populate_pages(start, end);
}
