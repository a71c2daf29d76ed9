/* Fault-injecting block device (see bd_fault.h for the model). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sdboot/bd_fault.h"

static struct sdb_bd_fault *as_fault(sdb_bd_t *bd)
{
    return (struct sdb_bd_fault *)bd;
}

static bool in_bad_range(const struct sdb_bd_fault *f, uint32_t lba, uint32_t count)
{
    for (unsigned i = 0; i < f->bad_ranges; i++) {
        uint64_t first = f->bad_first[i], end = first + f->bad_count[i];
        if ((uint64_t)lba < end && (uint64_t)lba + count > first)
            return true;
    }
    return false;
}

static int fault_read(sdb_bd_t *bd, uint32_t lba, uint32_t count, void *buf)
{
    struct sdb_bd_fault *f = as_fault(bd);
    if (f->powered_off)
        return SDB_BD_EPOWER;
    if (f->no_medium)
        return SDB_BD_ENOMEDIUM;
    if (in_bad_range(f, lba, count))
        return SDB_BD_EIO;
    return sdb_bd_read(f->lower, lba, count, buf);
}

/* Remember an unsynced write so a cut can take it back. Past the log's capacity
 * the oldest entry is treated as flushed by the card. */
static int log_write(struct sdb_bd_fault *f, uint32_t lba, const uint8_t *data)
{
    if (!f->log)
        return SDB_OK;
    if (f->log_used == f->log_entries) {
        memmove(&f->log[0], &f->log[1], (f->log_entries - 1) * sizeof f->log[0]);
        f->log_used--;
        f->cache_overflows++;
    }
    struct sdb_fault_log_entry *e = &f->log[f->log_used];
    int err = sdb_bd_read(f->lower, lba, 1, e->before);
    if (err)
        return err;
    e->lba = lba;
    memcpy(e->after, data, SDB_SECTOR_SIZE);
    f->log_used++;
    return SDB_OK;
}

/* At the cut: every sector touched since the last sync ends up holding its
 * newest kept write, or what it held before the first unsynced write. */
static int apply_cache_loss(struct sdb_bd_fault *f)
{
    for (size_t i = 0; i < f->log_used; i++) {
        uint32_t lba = f->log[i].lba;
        bool first_for_lba = true;
        for (size_t j = 0; j < i; j++)
            if (f->log[j].lba == lba)
                first_for_lba = false;
        if (!first_for_lba)
            continue;
        const uint8_t *final = f->log[i].before;
        for (size_t j = i; j < f->log_used; j++) {
            bool lost = j < 64 && (f->cut.lost >> j) & 1u;
            if (f->log[j].lba == lba && !lost)
                final = f->log[j].after;
        }
        int err = sdb_bd_write(f->lower, lba, 1, final);
        if (err)
            return err;
    }
    f->log_used = 0;
    return SDB_OK;
}

static int cut_power(struct sdb_bd_fault *f, uint32_t lba, const uint8_t *data)
{
    uint8_t sector[SDB_SECTOR_SIZE];
    int err = sdb_bd_read(f->lower, lba, 1, sector);
    if (err)
        return err;
    uint16_t tear = f->cut.tear > SDB_SECTOR_SIZE ? SDB_SECTOR_SIZE : f->cut.tear;
    memcpy(sector, data, tear);
    if (tear) {
        if ((err = log_write(f, lba, sector)) != SDB_OK)
            return err;
        if ((err = sdb_bd_write(f->lower, lba, 1, sector)) != SDB_OK)
            return err;
    }
    if (f->log && (err = apply_cache_loss(f)) != SDB_OK)
        return err;
    f->powered_off = true;
    return SDB_BD_EPOWER;
}

static int write_one(struct sdb_bd_fault *f, uint32_t lba, const uint8_t *data)
{
    f->writes_seen++;
    if (f->cut.at && f->writes_seen == f->cut.at) {
        int err = cut_power(f, lba, data);
        return err == SDB_BD_EPOWER || err == SDB_OK ? SDB_BD_EPOWER : err;
    }
    int err = log_write(f, lba, data);
    if (err)
        return err;
    err = sdb_bd_write(f->lower, lba, 1, data);
    if (err == SDB_OK)
        f->unsynced++;
    return err;
}

static int fault_write(sdb_bd_t *bd, uint32_t lba, uint32_t count, const void *buf)
{
    struct sdb_bd_fault *f = as_fault(bd);
    if (f->powered_off)
        return SDB_BD_EPOWER;
    if (f->no_medium)
        return SDB_BD_ENOMEDIUM;
    if (f->write_protect)
        return SDB_BD_EROFS;
    const uint8_t *p = buf;
    for (uint32_t i = 0; i < count; i++) {
        int err = write_one(f, lba + i, p + (size_t)i * SDB_SECTOR_SIZE);
        if (err)
            return err;
    }
    return SDB_OK;
}

static int fault_sync(sdb_bd_t *bd)
{
    struct sdb_bd_fault *f = as_fault(bd);
    if (f->powered_off)
        return SDB_BD_EPOWER;
    if (f->no_medium)
        return SDB_BD_ENOMEDIUM;
    int err = sdb_bd_sync(f->lower);
    if (err == SDB_OK) {
        f->unsynced = 0;
        f->log_used = 0;
    }
    return err;
}

static const struct sdb_bd_ops fault_ops = {fault_read, fault_write, fault_sync};

void sdb_bd_fault_init(struct sdb_bd_fault *f, sdb_bd_t *lower)
{
    memset(f, 0, sizeof *f);
    f->bd.ops = &fault_ops;
    f->bd.sector_count = lower->sector_count;
    f->lower = lower;
}

void sdb_bd_fault_set_cut(struct sdb_bd_fault *f, const struct sdb_fault_case *cut)
{
    f->cut = *cut;
}

void sdb_bd_fault_set_cache(struct sdb_bd_fault *f, struct sdb_fault_log_entry *log, size_t entries)
{
    f->log = entries ? log : NULL;
    f->log_entries = entries;
    f->log_used = 0;
}

int sdb_bd_fault_add_bad_range(struct sdb_bd_fault *f, uint32_t first, uint32_t count)
{
    if (f->bad_ranges == SDB_FAULT_MAX_BAD)
        return SDB_E_BUFSIZE;
    f->bad_first[f->bad_ranges] = first;
    f->bad_count[f->bad_ranges] = count;
    f->bad_ranges++;
    return SDB_OK;
}

int sdb_fault_case_format(const struct sdb_fault_case *c, char *out, size_t len)
{
    int n = snprintf(out, len, "w%lu", (unsigned long)c->at);
    if (n >= 0 && c->tear)
        n += snprintf(out + n, len > (size_t)n ? len - (size_t)n : 0, "/t%u", (unsigned)c->tear);
    if (n >= 0 && c->lost)
        n += snprintf(out + n, len > (size_t)n ? len - (size_t)n : 0, "/l%llx",
                      (unsigned long long)c->lost);
    return n;
}

static bool parse_number(const char **p, int base, unsigned long long *v)
{
    char *end;
    if (**p < '0' || **p > 'f')
        return false;
    *v = strtoull(*p, &end, base);
    if (end == *p)
        return false;
    *p = end;
    return true;
}

int sdb_fault_case_parse(const char *id, struct sdb_fault_case *c)
{
    struct sdb_fault_case out = {0};
    unsigned long long v;
    const char *p = id;
    if (!p || *p++ != 'w' || !parse_number(&p, 10, &v) || v == 0 || v > UINT32_MAX)
        return SDB_E_INVAL;
    out.at = (uint32_t)v;
    if (p[0] == '/' && p[1] == 't') {
        p += 2;
        if (!parse_number(&p, 10, &v) || v > SDB_SECTOR_SIZE)
            return SDB_E_INVAL;
        out.tear = (uint16_t)v;
    }
    if (p[0] == '/' && p[1] == 'l') {
        p += 2;
        if (!parse_number(&p, 16, &v))
            return SDB_E_INVAL;
        out.lost = v;
    }
    if (*p)
        return SDB_E_INVAL;
    *c = out;
    return SDB_OK;
}
