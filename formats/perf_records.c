/* perf_records.c: perf.data records: the size of each in the stream, sample decoding by sample_type, and the sample_id trailer's time. */
#include "perf_data.h"

#include <string.h>

/*
 * Every record starts {u32 type, u16 misc, u16 size}; size includes the
 * header. A SAMPLE holds, in this order and each only when its sample_type
 * bit is set: IDENTIFIER, IP, pid+tid (u32 each), TIME, ADDR, ID,
 * STREAM_ID, cpu+reserved (u32 each), PERIOD, READ (read_format), CALLCHAIN
 * (u64 nr, nr addresses), RAW (u32 size, bytes), BRANCH_STACK (u64 nr,
 * [u64 hw_idx], nr {from, to, flags}), then fields this reader does not
 * need (REGS_USER, STACK_USER, WEIGHT, ...), which end the record.
 * Non-sample records, when sample_id_all is set, end with a trailer of
 * TID, TIME, ID, STREAM_ID, CPU, IDENTIFIER (those of sample_type).
 */

/* Bytes of the READ field for read_format rf. */
static uint64_t read_size(uint64_t rf, const uint8_t *p, size_t avail, bool *ok)
{
    uint64_t per = 1 + !!(rf & RF_ID) + !!(rf & RF_LOST);
    uint64_t fixed = !!(rf & RF_TOTAL_TIME_ENABLED) + !!(rf & RF_TOTAL_TIME_RUNNING);
    *ok = true;
    if (!(rf & RF_GROUP))
        return 8 * (per + fixed);
    if (avail < 8) {
        *ok = false;
        return 0;
    }
    uint64_t nr = perf_u64(p);
    if (nr > avail / 8 / per) {
        *ok = false;
        return 0;
    }
    return 8 * (1 + fixed + nr * per);
}

int perf_sample_decode(perf_sample *out, const perf_file *f, const uint8_t *rec, size_t size, pprof_error *err)
{
    memset(out, 0, sizeof *out);
    out->misc = perf_u16(rec + 4);
    const uint8_t *p = rec + 8, *end = rec + size;
    /* The event: the only one, else by IDENTIFIER (first field) or ID. */
    const perf_attr *a = &f->attrs[0];
    uint64_t st = a->sample_type;
    if (f->n_attrs > 1) {
        uint64_t id;
        if (st & PS_IDENTIFIER) {
            if (end - p < 8)
                goto short_rec;
            id = perf_u64(p);
        } else {
            size_t pos = 8 * (!!(st & PS_IP) + !!(st & PS_TID) + !!(st & PS_TIME) + !!(st & PS_ADDR));
            if ((size_t)(end - p) < pos + 8)
                goto short_rec;
            id = perf_u64(p + pos);
        }
        out->attr = perf_file_attr_of(f, id);
        if (out->attr == SIZE_MAX)
            return pprof_error_set(err, PPROF_EFORMAT, "perf.data: sample of unknown event id %llu",
                                   (unsigned long long)id);
        a = &f->attrs[out->attr];
        st = a->sample_type;
    }
    size_t fixed = 8 * (!!(st & PS_IDENTIFIER) + !!(st & PS_IP) + !!(st & PS_TID) + !!(st & PS_TIME) +
                        !!(st & PS_ADDR) + !!(st & PS_ID) + !!(st & PS_STREAM_ID) + !!(st & PS_CPU) +
                        !!(st & PS_PERIOD));
    if ((size_t)(end - p) < fixed)
        goto short_rec;
    if (st & PS_IDENTIFIER)
        p += 8;
    if (st & PS_IP) {
        out->ip = perf_u64(p);
        p += 8;
    }
    if (st & PS_TID) {
        out->pid = (int32_t)perf_u32(p);
        out->tid = (int32_t)perf_u32(p + 4);
        p += 8;
    } else {
        out->pid = out->tid = -1;
    }
    if (st & PS_TIME) {
        out->time = perf_u64(p);
        p += 8;
    }
    p += 8 * (!!(st & PS_ADDR) + !!(st & PS_ID) + !!(st & PS_STREAM_ID) + !!(st & PS_CPU));
    if (st & PS_PERIOD) {
        out->period = perf_u64(p);
        p += 8;
    } else {
        out->period = a->freq || a->period == 0 ? 1 : a->period;
    }
    if (st & PS_READ) {
        bool ok;
        uint64_t n = read_size(a->read_format, p, (size_t)(end - p), &ok);
        if (!ok || n > (uint64_t)(end - p))
            goto short_rec;
        p += n;
    }
    if (st & PS_CALLCHAIN) {
        if (end - p < 8)
            goto short_rec;
        uint64_t nr = perf_u64(p);
        p += 8;
        if (nr > (uint64_t)(end - p) / 8)
            goto short_rec;
        out->chain = p;
        out->chain_nr = nr;
        p += nr * 8;
    }
    if (st & PS_RAW) {
        if (end - p < 4)
            goto short_rec;
        uint32_t n = perf_u32(p);
        if (n > (uint64_t)(end - p) - 4)
            goto short_rec;
        p += 4 + (size_t)n;
    }
    if (st & PS_BRANCH_STACK) {
        if (end - p < 8)
            goto short_rec;
        uint64_t nr = perf_u64(p);
        p += 8;
        if (a->branch_sample_type & BS_HW_INDEX) {
            if (end - p < 8)
                goto short_rec;
            p += 8;
        }
        if (nr > (uint64_t)(end - p) / 24)
            goto short_rec;
        if (a->branch_sample_type & BS_CALL_STACK) {
            out->lbr = p;
            out->lbr_nr = nr;
        }
        p += nr * 24;
    }
    return 0;
short_rec:
    return pprof_error_set(err, PPROF_EFORMAT,
                           "perf.data: SAMPLE record at offset %zu is %zu bytes, too short for its sample_type 0x%llx",
                           perf_file_pos(f, rec), size, (unsigned long long)st);
}

uint64_t perf_sample_time(const perf_file *f, const uint8_t *rec, size_t size)
{
    uint64_t st = f->attrs[0].sample_type;
    if (f->n_attrs > 1 && (st & PS_IDENTIFIER) && size >= 16) {
        size_t k = perf_file_attr_of(f, perf_u64(rec + 8));
        if (k != SIZE_MAX)
            st = f->attrs[k].sample_type;
    }
    if (!(st & PS_TIME))
        return 0;
    size_t at = 8 + 8 * (!!(st & PS_IDENTIFIER) + !!(st & PS_IP) + !!(st & PS_TID));
    return size >= at + 8 ? perf_u64(rec + at) : 0;
}

uint64_t perf_record_time(const perf_file *f, const uint8_t *rec, size_t size)
{
    const perf_attr *a = &f->attrs[0];
    uint64_t st = a->sample_type;
    if (f->n_attrs > 1 && (st & PS_IDENTIFIER) && size >= 16) {
        size_t k = perf_file_attr_of(f, perf_u64(rec + size - 8));
        if (k != SIZE_MAX)
            a = &f->attrs[k], st = a->sample_type;
    }
    if (!a->sample_id_all || !(st & PS_TIME))
        return 0;
    size_t after = 8 * (1 + !!(st & PS_ID) + !!(st & PS_STREAM_ID) + !!(st & PS_CPU) + !!(st & PS_IDENTIFIER));
    size_t trailer = after + 8 * !!(st & PS_TID);
    if (size < 8 + trailer)
        return 0;
    return perf_u64(rec + size - after);
}

size_t perf_record_span(const uint8_t *rec, size_t avail)
{
    if (avail < 8)
        return 0;
    uint32_t type = perf_u32(rec);
    size_t size = perf_u16(rec + 6);
    if (size < 8 || size > avail)
        return 0;
    uint64_t extra = 0;
    if (type == PR_HEADER_TRACING_DATA && size >= 12)
        extra = ((uint64_t)perf_u32(rec + 8) + 7) & ~(uint64_t)7; /* the trace data follows, padded to 8 */
    else if (type == PR_AUXTRACE && size >= 16)
        extra = perf_u64(rec + 8); /* the aux data follows */
    if (extra > avail - size)
        return 0;
    return size + (size_t)extra;
}
