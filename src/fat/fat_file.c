/*
 * File contents. Write order (POWERLOSS.md): data goes to the card at once,
 * clusters are allocated in the FAT cache, and the directory entry's size and
 * first cluster are written last: by sdb_fat_flush at once, by close into the
 * cache, on the card with the next flush of it (after the FAT copies and a
 * device sync). A cut before leaves the old size and a chain that may be
 * longer than it (check trims it), or for a new file lost clusters.
 *
 * Requests: data moves in as few card requests as the chain allows: a read or
 * write covers every consecutive cluster the caller's buffer reaches, and a
 * growing file is allocated contiguously (fat_alloc), so a whole buffer is
 * usually one request.
 */
#include "fat_internal.h"

/* The entry's size, first cluster and time into the cache: written by the
 * next flush, which writes the chain (every FAT copy) and syncs before it, so
 * data and chain land before the entry that names them. */
static int entry_update(struct sdb_fat_file *f)
{
    if (!f->entry_dirty)
        return SDB_OK;
    struct sdb_fat_vol *vol = f->vol;
    int err = fat_win_load(vol, f->entry_lba);
    if (err)
        return err;
    uint8_t *e = vol->win + f->entry_off;
    fat_entry_set_clus(vol, e, f->first_clus);
    wr32(e + 28, f->size);
    e[11] |= ATTR_ARCHIVE;
    wr16(e + 22, FAT_TIME);
    wr16(e + 24, FAT_DATE);
    if ((err = fat_win_defer(vol)))
        return err;
    f->entry_dirty = false;
    return SDB_OK;
}

int sdb_fat_flush(struct sdb_fat_file *f)
{
    if (!f || !f->vol)
        return SDB_E_INVAL;
    int err = entry_update(f);
    return err ? err : fat_cache_flush(f->vol);
}

int sdb_fat_close(struct sdb_fat_file *f)
{
    if (!f || !f->vol)
        return SDB_E_INVAL;
    int err = entry_update(f);
    f->vol = NULL;
    return err;
}

static int truncate_to(struct sdb_fat_file *f, uint32_t size);

static int open_entry(struct sdb_fat_vol *vol, struct sdb_fat_file *f, const struct fat_loc *loc,
                      unsigned flags, bool writing)
{
    if (loc->raw[11] & ATTR_DIR)
        return SDB_FAT_EISDIR;
    if (writing && (loc->raw[11] & ATTR_READ_ONLY))
        return SDB_FAT_EACCES;
    memset(f, 0, sizeof *f);
    f->vol = vol;
    f->entry_lba = loc->sfn_lba;
    f->entry_off = loc->sfn_off;
    f->flags = (uint8_t)flags;
    f->first_clus = fat_entry_clus(vol, loc->raw);
    f->size = rd32(loc->raw + 28);
    if (f->first_clus && !fat_valid_clus(vol, f->first_clus))
        return SDB_FAT_ECORRUPT;
    if (f->size && !f->first_clus)
        return SDB_FAT_ECORRUPT;
    if (flags & SDB_FAT_TRUNC)
        return truncate_to(f, 0);
    return SDB_OK;
}

/* A new empty file at path. With `unique` (a name the caller knows is new),
 * in a directory this mount made no lookup at all (fat_dir.c numbers its
 * alias). Called from two places, so its name buffer stays off the stack of a
 * plain open's lookup. */
__attribute__((noinline)) static int create_file(struct sdb_fat_vol *vol, const char *path,
                                                 bool unique, struct fat_loc *loc)
{
    char name[SDB_FAT_NAME_MAX + 1];
    uint32_t parent;
    int err = fat_lookup_parent(vol, path, &parent, name);
    if (err)
        return err;
    bool skip = unique && fat_dir_can_skip_lookup(vol, parent, name);
    if (unique && !skip && (err = fat_dir_find(vol, parent, name, loc)) != SDB_FAT_ENOENT)
        return err ? err : SDB_FAT_EEXIST;
    return fat_dir_create(vol, parent, name, NULL, skip, loc);
}

int sdb_fat_open(struct sdb_fat_vol *vol, struct sdb_fat_file *f, const char *path, unsigned flags)
{
    if (!vol || !f || !(flags & (SDB_FAT_READ | SDB_FAT_WRITE | SDB_FAT_APPEND)))
        return SDB_E_INVAL;
    bool writing = flags & (SDB_FAT_WRITE | SDB_FAT_CREATE | SDB_FAT_TRUNC | SDB_FAT_APPEND);
    if (writing && vol->read_only)
        return SDB_FAT_EROFS;
    struct fat_loc loc;
    uint32_t parent;
    bool is_root, create = flags & SDB_FAT_CREATE, excl = create && (flags & SDB_FAT_EXCL);
    int err;
    if (excl && (flags & SDB_FAT_UNIQUE)) {
        err = create_file(vol, path, true, &loc);
    } else {
        err = fat_lookup(vol, path, &loc, &parent, &is_root);
        if (err == SDB_OK && is_root)
            return SDB_FAT_EISDIR;
        if (err == SDB_OK && excl)
            return SDB_FAT_EEXIST;
        if (err == SDB_FAT_ENOENT && create)
            err = create_file(vol, path, false, &loc);
    }
    return err ? err : open_entry(vol, f, &loc, flags, writing);
}

/* Make f->clus the cluster holding byte `pos`; with `extend`, allocate up to it. */
static int seek_cluster(struct sdb_fat_file *f, uint32_t pos, bool extend)
{
    struct sdb_fat_vol *vol = f->vol;
    uint32_t index = pos / sdb_fat_cluster_bytes(vol);
    int err;
    if (!f->first_clus) {
        if (!extend)
            return SDB_FAT_ECORRUPT;
        if ((err = fat_alloc(vol, 0, false, &f->first_clus)))
            return err;
        f->entry_dirty = true;
        f->clus = 0;
    }
    if (!f->clus || f->clus_index > index) {
        f->clus = f->first_clus;
        f->clus_index = 0;
    }
    while (f->clus_index < index) {
        uint32_t next;
        if ((err = fat_next(vol, f->clus, &next)))
            return err;
        if (!next) {
            if (!extend)
                return SDB_FAT_ECORRUPT; /* chain shorter than the size */
            if ((err = fat_alloc(vol, f->clus, false, &next)))
                return err;
        }
        f->clus = next;
        f->clus_index++;
        if (f->clus_index > vol->nclusters)
            return SDB_FAT_ELOOP;
    }
    return SDB_OK;
}

#define RUN_MAX_CLUSTERS 256u /* longest run one request covers */

/* From pos (in f->clus), the consecutive clusters the next n bytes reach: the
 * sector to start at, *avail bytes one request can move, *run clusters. With
 * `extend`, missing clusters are allocated (contiguously when free). */
static int file_run(struct sdb_fat_file *f, uint32_t n, bool extend, uint32_t *avail, uint32_t *run,
                    uint32_t *lba)
{
    struct sdb_fat_vol *vol = f->vol;
    uint32_t cb = sdb_fat_cluster_bytes(vol), off = f->pos % cb;
    uint32_t need = n / cb + (n % cb + off + cb - 1) / cb; /* clusters [off, off + n) touches */
    if (need > RUN_MAX_CLUSTERS)
        need = RUN_MAX_CLUSTERS;
    uint32_t c = f->clus, k = 1;
    while (k < need) {
        uint32_t next;
        int err = fat_next(vol, c, &next);
        if (err)
            return err;
        if (!next && extend && (err = fat_alloc(vol, c, false, &next))) {
            if (err != SDB_FAT_ENOSPC)
                return err;
            break; /* write what fits; the next call reports the full card */
        }
        if (next != c + 1)
            break;
        c = next;
        k++;
    }
    *run = k;
    *avail = k * cb - off;
    *lba = fat_clus_lba(vol, f->clus) + off / SDB_SECTOR_SIZE;
    return SDB_OK;
}

/* Move n bytes between buf and the file at pos: read into buf with `got`
 * (set to n at the end), else written from it, allocating as it goes (buf then
 * has `slack` readable bytes after n: enough of them let a partial last sector
 * past the file's end go out whole). Each request reaches as far as the chain
 * is consecutive: whole sectors straight between buf and the card, a partial
 * one through the cache. pos moves on, f->clus stays at the cluster holding
 * it (or the run's last one). */
static int file_io(struct sdb_fat_file *f, uint8_t *buf, uint32_t n, uint32_t slack, uint32_t *got)
{
    struct sdb_fat_vol *vol = f->vol;
    bool write = !got;
    for (uint32_t done = 0; done < n;) {
        uint32_t avail, run, lba, len = n - done;
        int err = seek_cluster(f, f->pos, write);
        if (err || (err = file_run(f, len, write, &avail, &run, &lba)))
            return err;
        uint32_t off = f->pos % SDB_SECTOR_SIZE, want = len < avail ? len : avail;
        uint32_t sectors = want / SDB_SECTOR_SIZE, tail = want % SDB_SECTOR_SIZE;
        if (off == 0 && write && want == len && tail && SDB_SECTOR_SIZE - tail <= slack &&
            f->pos + want >= f->size)
            sectors++; /* the tail sector, whole */
        else
            tail = 0;
        if (off == 0 && sectors) {
            if ((err = write ? sdb_bd_write(vol->bd, lba, sectors, buf + done)
                             : sdb_bd_read(vol->bd, lba, sectors, buf + done)))
                return err;
            if (write)
                fat_cache_forget(vol, lba, sectors);
            if (!tail)
                want = sectors * SDB_SECTOR_SIZE;
        } else {
            if (want > SDB_SECTOR_SIZE - off)
                want = SDB_SECTOR_SIZE - off;
            /* A sector past the old end holds stale data: no need to read it,
             * but the cache must not leak another sector's bytes into it. */
            if ((err = write && off == 0 && f->pos >= f->size ? fat_win_claim(vol, lba)
                                                              : fat_win_load(vol, lba)))
                return err;
            if (!write) {
                memcpy(buf + done, vol->win + off, want);
            } else {
                memcpy(vol->win + off, buf + done, want);
                if ((err = fat_win_store(vol)))
                    return err;
            }
        }
        done += want;
        f->pos += want;
        uint32_t index = f->pos / sdb_fat_cluster_bytes(vol), step = index - f->clus_index;
        if (step >= run)
            step = run - 1;
        f->clus += step;
        f->clus_index += step;
        if (f->pos > f->size) { /* only a write gets past the end */
            f->size = f->pos;
            f->entry_dirty = true;
        }
    }
    if (got)
        *got = n;
    return SDB_OK;
}

int sdb_fat_read(struct sdb_fat_file *f, void *buf, uint32_t n, uint32_t *got)
{
    if (!f || !f->vol || (!buf && n) || !got)
        return SDB_E_INVAL;
    if (!(f->flags & SDB_FAT_READ))
        return SDB_FAT_EACCES;
    return file_io(f, buf, n < f->size - f->pos ? n : f->size - f->pos, 0, got);
}

int sdb_fat_write(struct sdb_fat_file *f, const void *buf, uint32_t n)
{
    return sdb_fat_write_slack(f, buf, n, 0);
}

int sdb_fat_write_slack(struct sdb_fat_file *f, const void *buf, uint32_t n, uint32_t slack)
{
    if (!f || !f->vol || (!buf && n))
        return SDB_E_INVAL;
    if (!(f->flags & (SDB_FAT_WRITE | SDB_FAT_APPEND)))
        return SDB_FAT_EACCES;
    if (f->flags & SDB_FAT_APPEND)
        f->pos = f->size;
    if (n > UINT32_MAX - f->pos)
        return SDB_FAT_EFBIG;
    /* file_io only reads buf when writing */
    return file_io(f, (uint8_t *)(uintptr_t)buf, n, slack, NULL);
}

int sdb_fat_seek(struct sdb_fat_file *f, uint32_t pos)
{
    if (!f || !f->vol)
        return SDB_E_INVAL;
    if (pos > f->size)
        return SDB_E_INVAL;
    f->pos = pos;
    return SDB_OK;
}

/* sdb_fat_truncate of a file open for writing (open's TRUNC comes here
 * without the public checks, which it passes by its flags). */
static int truncate_to(struct sdb_fat_file *f, uint32_t size)
{
    if (size >= f->size && !(size == 0 && f->first_clus))
        return SDB_OK;
    struct sdb_fat_vol *vol = f->vol;
    uint32_t cb = sdb_fat_cluster_bytes(vol), keep = (size + cb - 1) / cb;
    uint32_t old_first = f->first_clus;
    /* The entry shrinks first: a cut after it leaves a chain longer than the
     * size (check trims it), never a size longer than the chain. */
    f->size = size;
    if (keep == 0)
        f->first_clus = 0;
    f->entry_dirty = true;
    int err = entry_update(f); /* then written by the barrier's flush */
    if (err || (err = fat_barrier(vol)))
        return err;
    if (f->pos > size)
        f->pos = size;
    f->clus = 0;
    /* Walk the keep clusters; what follows the last one (all of it for
     * keep 0) is freed after an end mark. */
    uint32_t last = 0, next = old_first;
    for (uint32_t i = 0; i < keep; i++) {
        if (!next)
            return SDB_FAT_ECORRUPT;
        last = next;
        if ((err = fat_next(vol, last, &next)))
            return err;
    }
    if (!next)
        return SDB_OK;
    if (last && (err = fat_set(vol, last, fat_eoc(vol))))
        return err;
    return fat_free_chain(vol, next);
}

int sdb_fat_truncate(struct sdb_fat_file *f, uint32_t size)
{
    if (!f || !f->vol)
        return SDB_E_INVAL;
    if (!(f->flags & (SDB_FAT_WRITE | SDB_FAT_APPEND | SDB_FAT_TRUNC)))
        return SDB_FAT_EACCES;
    return truncate_to(f, size);
}

int sdb_fat_overwrite_sector(struct sdb_fat_file *f, uint32_t offset,
                             const uint8_t data[SDB_SECTOR_SIZE])
{
    if (!f || !f->vol || !data)
        return SDB_E_INVAL;
    if (!(f->flags & SDB_FAT_WRITE))
        return SDB_FAT_EACCES;
    if (offset % SDB_SECTOR_SIZE || offset >= f->size)
        return SDB_FAT_EALIGN;
    int err = seek_cluster(f, offset, false);
    if (err)
        return err;
    uint32_t cb = sdb_fat_cluster_bytes(f->vol);
    uint32_t lba = fat_clus_lba(f->vol, f->clus) + offset % cb / SDB_SECTOR_SIZE;
    if ((err = sdb_bd_write(f->vol->bd, lba, 1, data)))
        return err;
    fat_cache_update(f->vol, lba, data);
    return SDB_OK;
}
