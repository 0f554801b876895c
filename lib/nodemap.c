/* nodemap.c: node identity of every location line per granularity (shared by
 * the graph and the stack-based reports), and printable node names. */
#include "internal.h"

#include <stdlib.h>

typedef struct gb {
    const pprof_profile *p;
    const pprof_graph_options *opt;
    pprof_nodemap *m;
    size_t cap_nodes, cap_extra;
    uint32_t *node_slots; /* hash of infos: node index + 1 */
    size_t node_mask;
    pprof_fill fill_nodes;
} gb;

const char *pprof_nodemap_string(const pprof_nodemap *m, pprof_str id)
{
    if (id < m->profile->n_strings)
        return m->profile->strings[id];
    return m->extra_strings[id - m->profile->n_strings];
}

size_t pprof_nodemap_string_len(const pprof_nodemap *m, pprof_str id)
{
    if (id < m->profile->n_strings)
        return m->profile->string_lens[id];
    return strlen(m->extra_strings[id - m->profile->n_strings]);
}

/* Appends string id, escaped for the terminal when text (a text report),
 * else as it is (JSON, DOT and callgrind escape for themselves). */
static void put_str(pprof_buf *buf, const pprof_nodemap *g, pprof_str id, bool text)
{
    if (text)
        pprof_escape_text(buf, pprof_nodemap_string(g, id), pprof_nodemap_string_len(g, id));
    else
        pprof_buf_append(buf, pprof_nodemap_string(g, id), pprof_nodemap_string_len(g, id));
}

/* ":" and v in decimal, without printf's cost: a report names many lines. */
static void put_colon_int(pprof_buf *buf, int64_t v)
{
    char tmp[24], *q = tmp + sizeof tmp;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do {
        *--q = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--q = '-';
    *--q = ':';
    pprof_buf_append(buf, q, (size_t)(tmp + sizeof tmp - q));
}

/* Go's filepath.Clean on a Unix path, into out (at least strlen(in)+2 bytes). */
static void clean_path(char *out, const char *in)
{
    size_t n = strlen(in);
    if (n == 0) {
        strcpy(out, ".");
        return;
    }
    bool rooted = in[0] == '/';
    size_t w = 0, r = 0, dotdot = 0;
    if (rooted) {
        out[w++] = '/';
        r = 1;
        dotdot = 1;
    }
    while (r < n) {
        if (in[r] == '/') {
            r++;
        } else if (in[r] == '.' && (r + 1 == n || in[r + 1] == '/')) {
            r++;
        } else if (in[r] == '.' && in[r + 1] == '.' && (r + 2 == n || in[r + 2] == '/')) {
            r += 2;
            if (w > dotdot) {
                w--;
                while (w > dotdot && out[w] != '/')
                    w--;
            } else if (!rooted) {
                if (w > 0)
                    out[w++] = '/';
                out[w++] = '.';
                out[w++] = '.';
                dotdot = w;
            }
        } else {
            if ((rooted && w != 1) || (!rooted && w != 0))
                out[w++] = '/';
            for (; r < n && in[r] != '/'; r++)
                out[w++] = in[r];
        }
    }
    if (w == 0)
        out[w++] = '.';
    out[w] = 0;
}

static uint64_t info_hash(const pprof_node_info *i)
{
    uint64_t h = pprof_hash_u64(i->name);
    h = pprof_hash_u64(h ^ i->orig_name);
    h = pprof_hash_u64(h ^ i->file);
    h = pprof_hash_u64(h ^ i->objfile);
    h = pprof_hash_u64(h ^ i->address);
    h = pprof_hash_u64(h ^ (uint64_t)i->start_line);
    h = pprof_hash_u64(h ^ (uint64_t)i->line);
    h = pprof_hash_u64(h ^ (uint64_t)i->column);
    return h;
}

static bool info_eq(const pprof_node_info *a, const pprof_node_info *b)
{
    return a->name == b->name && a->orig_name == b->orig_name && a->file == b->file &&
           a->objfile == b->objfile && a->address == b->address && a->start_line == b->start_line &&
           a->line == b->line && a->column == b->column;
}

static uint64_t node_entry_hash(const void *ctx, size_t i)
{
    return info_hash(&((const gb *)ctx)->m->nodes[i]);
}

static int node_rehash(gb *b, size_t slots)
{
    return pprof_slots_rebuild(&b->node_slots, &b->node_mask, slots, b->m->n_nodes, node_entry_hash, b);
}

/* A new node of info; *out gets its index. */
static int node_append(gb *b, const pprof_node_info *info, uint32_t *out)
{
    if (PPROF_GROW(b->m->nodes, b->cap_nodes, b->m->n_nodes + 1))
        return PPROF_ENOMEM;
    /* Written front to back, 48 bytes a node: populated ahead, not a page
     * fault per 4 KiB (m100.pb.gz: 43,000 nodes, 500 faults, a tenth of
     * the program's). */
    pprof_fill_ahead(&b->fill_nodes, b->m->nodes, (b->m->n_nodes + 1) * sizeof *b->m->nodes,
                     b->cap_nodes * sizeof *b->m->nodes);
    b->m->nodes[b->m->n_nodes] = *info;
    *out = (uint32_t)b->m->n_nodes++;
    return 0;
}

/* The node of info, whose info_hash is hash, added when new. */
static int node_intern(gb *b, const pprof_node_info *info, uint64_t hash, uint32_t *out)
{
    if (!b->node_slots || (b->m->n_nodes + 1) * 2 > b->node_mask + 1)
        if (node_rehash(b, b->node_slots ? (b->node_mask + 1) * 2 : 4096))
            return PPROF_ENOMEM;
    size_t h = hash & b->node_mask;
    while (b->node_slots[h]) {
        uint32_t i = b->node_slots[h] - 1;
        if (info_eq(&b->m->nodes[i], info)) {
            *out = i;
            return 0;
        }
        h = (h + 1) & b->node_mask;
    }
    int rc = node_append(b, info, out);
    if (!rc)
        b->node_slots[h] = *out + 1;
    return rc;
}

/* Trims and cleans a file name; returns a profile string id or a graph string id. */
static int file_id(gb *b, pprof_str f, pprof_str *cache, pprof_str *out)
{
    if (f == 0) {
        *out = 0;
        return 0;
    }
    if (cache[f] != PPROF_NONE) {
        *out = cache[f];
        return 0;
    }
    /* Trimmed (-trim_path, -source_path, /proc/self/cwd) before it is
     * cleaned, so names that become equal make one node, as in pprof. */
    const char *orig = b->p->strings[f];
    const char *s = b->opt->untrimmed_files ? orig : pprof_trim_source_path(orig, b->opt->trim_path, b->opt->source_path);
    size_t n = b->p->string_lens[f] - (size_t)(s - orig);
    char small[512];
    char *buf = n + 2 <= sizeof small ? small : malloc(n + 2);
    if (!buf)
        return PPROF_ENOMEM;
    clean_path(buf, s);
    pprof_str id = f;
    if (strcmp(buf, orig) != 0) {
        pprof_str found;
        if (pprof_profile_find_string(&found, b->p, buf, strlen(buf))) {
            id = found;
        } else {
            pprof_nodemap *g = b->m;
            char *copy = strdup(buf);
            if (!copy || PPROF_GROW(g->extra_strings, b->cap_extra, g->n_extra_strings + 1)) {
                free(copy);
                if (buf != small)
                    free(buf);
                return PPROF_ENOMEM;
            }
            g->extra_strings[g->n_extra_strings] = copy;
            id = (pprof_str)(b->p->n_strings + g->n_extra_strings++);
        }
    }
    if (buf != small)
        free(buf);
    cache[f] = id;
    *out = id;
    return 0;
}

/* The identity of the node for one line of a location (or the location
 * itself when line is NULL), with fields cleared per granularity. */
static int make_info(gb *b, const pprof_location *loc, const pprof_line *line, pprof_str *file_cache,
                     pprof_node_info *ni)
{
    const pprof_profile *p = b->p;
    const pprof_graph_options *o = b->opt;
    memset(ni, 0, sizeof *ni);
    pprof_str objfile = loc->mapping != PPROF_NONE ? p->mappings[loc->mapping].file : 0;
    bool keep_addr = o->granularity == PPROF_GRAN_ADDRESSES;
    if (keep_addr)
        ni->address = loc->address;
    if (!line) {
        ni->objfile = objfile;
        return 0;
    }
    const pprof_function *fn = &p->functions[line->function];
    bool keep_name = o->granularity != PPROF_GRAN_FILES;
    bool keep_file = o->granularity != PPROF_GRAN_FUNCTIONS;
    bool keep_line = o->granularity == PPROF_GRAN_LINES || o->granularity == PPROF_GRAN_ADDRESSES;
    if (keep_name)
        ni->name = fn->name;
    if (keep_file) {
        int rc = file_id(b, fn->filename, file_cache, &ni->file);
        if (rc)
            return rc;
    }
    if (keep_line) {
        ni->line = line->line;
        if (o->showcolumns || o->granularity == PPROF_GRAN_ADDRESSES)
            ni->column = line->column;
    }
    /* A nameless function is told apart by its binary; at file granularity
     * names are dropped on purpose and files stand alone, but a frame
     * without a file is named by its binary ([server]), as pprof does. */
    if (o->keep_objfile || (ni->name == 0 && ni->orig_name == 0 &&
                            (o->granularity != PPROF_GRAN_FILES || ni->file == 0))) {
        ni->objfile = objfile;
        ni->start_line = keep_name ? fn->start_line : 0;
    }
    return 0;
}

/* The nodes of the lines when every line's node is its function's name
 * alone (function granularity, every location with lines, every function
 * named, no objfile kept: make_info's info is then {.name}): a line costs
 * a look-up in fn_node (per function: its node, or FN_UNSET) instead of
 * the general loop's batches (on big100k.pb.gz 15 million instructions
 * for 91,000 lines, make_info and node_append included). */
static int named_lines(gb *b, uint32_t *fn_node, uint32_t *name_node, uint32_t fn_unset)
{
    const pprof_profile *p = b->p;
    const pprof_line *lines = p->lines;
    uint32_t *loc_nodes = b->m->loc_nodes;
    size_t w = 0;
    for (size_t i = 0; i < p->n_locations; i++) {
        const pprof_location *loc = &p->locations[i];
        b->m->loc_off[i] = (uint32_t)w;
        for (size_t k = loc->lines_off + (b->opt->noinlines ? loc->n_lines - 1 : 0),
                    end = loc->lines_off + loc->n_lines;
             k < end; k++) {
            /* A function's first line reads its record, at random in a
             * table of a megabyte or more: fetched for the line FN_AHEAD
             * on (the lines lie in location order, mostly), the misses
             * overlap instead of stalling the loop one by one. */
            enum { FN_AHEAD = 24 };
            if (k + FN_AHEAD < p->n_lines)
                __builtin_prefetch(&p->functions[lines[k + FN_AHEAD].function]);
            uint32_t f = lines[k].function, node = fn_node[f];
            if (node == fn_unset) {
                uint32_t *named = &name_node[p->functions[f].name];
                if (!*named) {
                    pprof_node_info ni = {.name = p->functions[f].name};
                    if (node_append(b, &ni, named))
                        return PPROF_ENOMEM;
                    ++*named;
                }
                node = fn_node[f] = *named - 1;
            }
            loc_nodes[w++] = node;
        }
    }
    b->m->loc_off[p->n_locations] = (uint32_t)w;
    b->m->n_loc_nodes = w;
    return 0;
}

static int build_nodes(gb *b)
{
    const pprof_profile *p = b->p;
    size_t nl = p->n_locations;
    /* (Its three tables, written through, on huge pages when big: on
     * big100k.pb.gz, 4.2 MB, this pass took 6.5 ms instead of 2.2.) */
    b->m->loc_off = pprof_work_alloc((nl + 1) * sizeof *b->m->loc_off, false);
    size_t total = 0, no_lines = 0;
    for (size_t i = 0; i < nl; i++) {
        uint32_t k = p->locations[i].n_lines;
        total += k == 0 ? 1 : (b->opt->noinlines ? 1 : k);
        no_lines += k == 0;
    }
    b->m->loc_nodes = pprof_work_alloc(total * sizeof *b->m->loc_nodes, false);
    /* Per profile string, its cleaned file name: only when nodes keep
     * files (at function granularity it was a megabyte of page faults on
     * 550,000 strings, for nothing). */
    bool files = b->opt->granularity != PPROF_GRAN_FUNCTIONS;
    pprof_str *file_cache = files ? malloc((p->n_strings ? p->n_strings : 1) * sizeof *file_cache) : NULL;
    if (!b->m->loc_off || !b->m->loc_nodes || (files && !file_cache)) {
        free(file_cache);
        return PPROF_ENOMEM;
    }
    if (files)
        memset(file_cache, 0xff, p->n_strings * sizeof *file_cache);
    /* At function granularity a named function's line is the function's
     * name alone (make_info): its node is looked up once per function,
     * not once per line (deep.pb.gz: 50,000 functions, 220,000 lines),
     * and by its name (name_node: node + 1, or 0), not hashed: the index
     * then holds only the other nodes. */
    /* Per function: its node, FN_UNSET until its first line is interned,
     * or PPROF_NONE when it has no name (each of its lines looked up).
     * Marked here in one sequential read of the functions: a look at a
     * line's function from the line was a cache miss, a third of this
     * pass on m100 (50,000 functions). */
    const uint32_t FN_UNSET = PPROF_NONE - 1;
    uint32_t *fn_node = NULL, *name_node = NULL;
    size_t nameless = 0;
    if (b->opt->granularity == PPROF_GRAN_FUNCTIONS && !b->opt->keep_objfile) {
        fn_node = malloc((p->n_functions ? p->n_functions : 1) * sizeof *fn_node);
        name_node = calloc(p->n_strings ? p->n_strings : 1, sizeof *name_node);
        if (!fn_node || !name_node) {
            free(fn_node);
            free(name_node);
            free(file_cache);
            return PPROF_ENOMEM;
        }
        for (size_t f = 0; f < p->n_functions; f++) {
            fn_node[f] = p->functions[f].name ? FN_UNSET : PPROF_NONE;
            nameless += p->functions[f].name == 0;
        }
    }
    /* The index sized once for the nodes to come (a node per line, or at
     * function granularity about one per function, or with name_node per
     * nameless function): grown by doubling, it was rebuilt a dozen times
     * on a million locations. */
    size_t expect = total, hashed;
    if ((b->opt->granularity == PPROF_GRAN_FUNCTIONS || b->opt->granularity == PPROF_GRAN_FILES) &&
        p->n_functions + no_lines < expect)
        expect = p->n_functions + no_lines;
    hashed = name_node && nameless + no_lines < expect ? nameless + no_lines : expect;
    size_t slots = 4096;
    while (slots < 2 * (hashed + 1))
        slots *= 2;
    /* The nodes' table too: grown by doubling, each copy below malloc's
     * mapping threshold touched new pages (m100.pb.gz: 190 page faults
     * of 500). Pages it does not fill are never touched (on huge pages,
     * whole 2 MiB ones). */
    b->cap_nodes = expect ? expect : 1;
    b->m->nodes = pprof_work_alloc(b->cap_nodes * sizeof *b->m->nodes, false);
    if (!b->m->nodes || node_rehash(b, slots)) {
        free(fn_node);
        free(name_node);
        free(file_cache);
        return PPROF_ENOMEM;
    }
    if (name_node && nameless == 0 && no_lines == 0) {
        int rc = named_lines(b, fn_node, name_node, FN_UNSET);
        free(fn_node);
        free(name_node);
        free(file_cache);
        return rc;
    }
    /* A batch of lines' infos made and hashed, their slots fetched, then
     * interned: the look-ups wait on memory at random, now at once. */
    enum { AHEAD = 16 };
    pprof_node_info ni[AHEAD];
    uint64_t hash[AHEAD];
    uint32_t fn[AHEAD]; /* with fn_node: the line's function, else PPROF_NONE */
    size_t n_ahead = 0, w = 0;
    int rc = 0;
    for (size_t i = 0; i < nl && !rc; i++) {
        const pprof_location *loc = &p->locations[i];
        b->m->loc_off[i] = (uint32_t)(w + n_ahead);
        uint32_t first = loc->n_lines == 0 ? 0 : b->opt->noinlines ? loc->n_lines - 1 : 0;
        uint32_t end = loc->n_lines == 0 ? 1 : loc->n_lines;
        for (uint32_t k = first; k < end && !rc; k++) {
            const pprof_line *line = loc->n_lines ? &p->lines[loc->lines_off + k] : NULL;
            fn[n_ahead] = fn_node && line && fn_node[line->function] != PPROF_NONE ? line->function : PPROF_NONE;
            if (fn[n_ahead] == PPROF_NONE) {
                rc = make_info(b, loc, line, file_cache, &ni[n_ahead]);
                hash[n_ahead] = info_hash(&ni[n_ahead]);
                __builtin_prefetch(&b->node_slots[hash[n_ahead] & b->node_mask]);
            } else if (fn_node[fn[n_ahead]] == FN_UNSET) {
                rc = make_info(b, loc, line, file_cache, &ni[n_ahead]);
                __builtin_prefetch(&name_node[ni[n_ahead].name]);
            }
            if (++n_ahead == AHEAD || (i + 1 == nl && k + 1 == end)) {
                for (size_t j = 0; j < n_ahead && !rc; j++) {
                    uint32_t *at = &b->m->loc_nodes[w++];
                    if (fn[j] == PPROF_NONE) {
                        rc = node_intern(b, &ni[j], hash[j], at);
                        continue;
                    }
                    if (fn_node[fn[j]] == FN_UNSET) {
                        uint32_t *named = &name_node[ni[j].name];
                        if (!*named && !(rc = node_append(b, &ni[j], named)))
                            ++*named;
                        fn_node[fn[j]] = *named - 1;
                    }
                    *at = fn_node[fn[j]];
                }
                n_ahead = 0;
            }
        }
    }
    b->m->loc_off[nl] = (uint32_t)w;
    b->m->n_loc_nodes = w;
    free(fn_node);
    free(name_node);
    free(file_cache);
    return rc;
}

static int info_name(pprof_buf *buf, const pprof_nodemap *g, const pprof_node_info *i, bool text)
{
    /* pprof's NameComponents joined by spaces: address, name, then the
     * first of file:line, file, (nothing if named), [binary], <unknown>. */
    size_t start = buf->len;
#define SEP() (buf->len > start ? pprof_buf_puts(buf, " ") : 0)
    if (i->address)
        pprof_buf_printf(buf, "%016llx", (unsigned long long)i->address);
    if (i->name) {
        SEP();
        put_str(buf, g, i->name, text);
    }
    if (i->line) {
        SEP();
        put_str(buf, g, i->file, text);
        put_colon_int(buf, i->line);
        if (i->column)
            put_colon_int(buf, i->column);
    } else if (i->file) {
        SEP();
        put_str(buf, g, i->file, text);
    } else if (i->name) {
        /* the name is enough */
    } else if (i->objfile) {
        const char *o = pprof_nodemap_string(g, i->objfile);
        size_t n = pprof_nodemap_string_len(g, i->objfile);
        size_t base = n;
        while (base > 0 && o[base - 1] != '/')
            base--;
        SEP();
        pprof_buf_puts(buf, "[");
        if (text)
            pprof_escape_text(buf, o + base, n - base);
        else
            pprof_buf_append(buf, o + base, n - base);
        pprof_buf_puts(buf, "]");
    } else {
        SEP();
        pprof_buf_puts(buf, "<unknown>");
    }
#undef SEP
    return buf->failed ? PPROF_ENOMEM : 0;
}


int pprof_nodemap_info_name(pprof_buf *buf, const pprof_nodemap *g, const pprof_node_info *i)
{
    return info_name(buf, g, i, false);
}

int pprof_nodemap_info_text(pprof_buf *buf, const pprof_nodemap *g, const pprof_node_info *i)
{
    return info_name(buf, g, i, true);
}

int pprof_nodemap_name(pprof_buf *buf, const pprof_nodemap *m, uint32_t node)
{
    return info_name(buf, m, &m->nodes[node], false);
}

int pprof_nodemap_text(pprof_buf *buf, const pprof_nodemap *m, uint32_t node)
{
    return info_name(buf, m, &m->nodes[node], true);
}

void pprof_nodemap_free(pprof_nodemap *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n_extra_strings; i++)
        free((void *)m->extra_strings[i]);
    free(m->extra_strings);
    free(m->nodes);
    free(m->loc_off);
    free(m->loc_nodes);
    free(m);
}

int pprof_nodemap_build(pprof_nodemap **out, const pprof_profile *p, const pprof_graph_options *opt,
                        pprof_error *err)
{
    *out = NULL;
    gb b;
    memset(&b, 0, sizeof b);
    b.p = p;
    b.opt = opt;
    b.m = calloc(1, sizeof *b.m);
    if (!b.m)
        return pprof_error_set(err, PPROF_ENOMEM, "out of memory");
    b.m->profile = p;
    int rc = build_nodes(&b);
    free(b.node_slots);
    if (rc) {
        pprof_nodemap_free(b.m);
        return pprof_error_set(err, rc, "building nodes: %s", pprof_strerror(rc));
    }
    *out = b.m;
    return 0;
}

int pprof_node_texts_build(pprof_node_texts **out, const pprof_nodemap *m)
{
    *out = NULL;
    pprof_node_texts *t = calloc(1, sizeof *t);
    pprof_buf b = {0};
    if (!t || !(t->off = malloc((m->n_nodes ? m->n_nodes : 1) * sizeof *t->off))) {
        free(t);
        return PPROF_ENOMEM;
    }
    int rc = 0;
    for (size_t i = 0; i < m->n_nodes && !rc; i++) {
        t->off[i] = b.len;
        if (!(rc = info_name(&b, m, &m->nodes[i], true)))
            rc = pprof_buf_append(&b, "", 1); /* (its NUL, kept) */
    }
    if (rc || b.failed) {
        pprof_buf_release(&b);
        free(t->off);
        free(t);
        return PPROF_ENOMEM;
    }
    /* (kept as long as the profile: no room to spare) */
    char *data = b.len ? realloc(b.data, b.len) : NULL;
    t->data = data ? data : (char *)b.data;
    if (!t->data && !(t->data = calloc(1, 1))) {
        free(t->off);
        free(t);
        return PPROF_ENOMEM;
    }
    t->n = m->n_nodes;
    atomic_init(&t->refs, 1);
    *out = t;
    return 0;
}

pprof_node_texts *pprof_node_texts_ref(pprof_node_texts *t)
{
    if (t)
        atomic_fetch_add_explicit(&t->refs, 1, memory_order_relaxed);
    return t;
}

void pprof_node_texts_unref(pprof_node_texts *t)
{
    if (!t || atomic_fetch_sub_explicit(&t->refs, 1, memory_order_acq_rel) != 1)
        return;
    pprof_nodemap_free(t->nodemap);
    free(t->data);
    free(t->off);
    free(t);
}
