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

/* A new empty file entry named `name` in parent. */
static int create_entry(struct sdb_fat_vol *vol, uint32_t parent, const char *name, bool unique,
                        struct fat_loc *loc)
{
    uint8_t proto[ENTRY_SIZE] = {0};
    proto[11] = ATTR_ARCHIVE;
    fat_entry_stamp(proto);
    return unique ? fat_dir_create_unique(vol, parent, name, proto, loc)
                  : fat_dir_create(vol, parent, name, proto, loc);
}

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
        return sdb_fat_truncate(f, 0);
    return SDB_OK;
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
    bool is_root;
    int err;
    unsigned unique = SDB_FAT_CREATE | SDB_FAT_EXCL | SDB_FAT_UNIQUE;
    if ((flags & unique) == unique) {
        /* A name the caller knows is new: in a directory this mount made, no
         * lookup at all (fat_dir.c numbers its alias). */
        char name[SDB_FAT_NAME_MAX + 1];
        if ((err = fat_lookup_parent(vol, path, &parent, name, sizeof name)))
            return err;
        if (fat_dir_can_skip_lookup(vol, parent, name)) {
            err = create_entry(vol, parent, name, true, &loc);
        } else {
            err = fat_dir_find(vol, parent, name, &loc);
            err = err == SDB_OK           ? SDB_FAT_EEXIST
                  : err == SDB_FAT_ENOENT ? create_entry(vol, parent, name, false, &loc)
                                          : err;
        }
        return err ? err : open_entry(vol, f, &loc, flags, writing);
    }
    err = fat_lookup(vol, path, &loc, &parent, &is_root);
    if (err == SDB_OK && is_root)
        return SDB_FAT_EISDIR;
    if (err == SDB_OK && (flags & SDB_FAT_CREATE) && (flags & SDB_FAT_EXCL))
        return SDB_FAT_EEXIST;
    if (err == SDB_FAT_ENOENT && (flags & SDB_FAT_CREATE)) {
        char name[SDB_FAT_NAME_MAX + 1];
        if ((err = fat_lookup_parent(vol, path, &parent, name, sizeof name)))
            return err;
        err = create_entry(vol, parent, name, false, &loc);
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

/* pos moved on by `moved` bytes inside a run of `run` clusters from f->clus:
 * keep f->clus at the cluster holding pos (or the run's last one). */
static void file_advance(struct sdb_fat_file *f, uint32_t moved, uint32_t run)
{
    f->pos += moved;
    uint32_t index = f->pos / sdb_fat_cluster_bytes(f->vol), step = index - f->clus_index;
    if (step >= run)
        step = run - 1;
    f->clus += step;
    f->clus_index += step;
}

int sdb_fat_read(struct sdb_fat_file *f, void *buf, uint32_t n, uint32_t *got)
{
    if (!f || !f->vol || (!buf && n))
        return SDB_E_INVAL;
    if (!(f->flags & SDB_FAT_READ))
        return SDB_FAT_EACCES;
    uint8_t *out = buf;
    uint32_t done = 0;
    if (n > f->size - f->pos)
        n = f->size - f->pos;
    while (done < n) {
        int err = seek_cluster(f, f->pos, false);
        uint32_t avail, run, lba;
        if (err || (err = file_run(f, n - done, false, &avail, &run, &lba)))
            return err;
        uint32_t off = f->pos % SDB_SECTOR_SIZE, want = n - done;
        if (want > avail)
            want = avail;
        if (off == 0 && want >= SDB_SECTOR_SIZE) {
            uint32_t sectors = want / SDB_SECTOR_SIZE;
            if ((err = sdb_bd_read(f->vol->bd, lba, sectors, out + done)))
                return err;
            want = sectors * SDB_SECTOR_SIZE;
        } else {
            if (want > SDB_SECTOR_SIZE - off)
                want = SDB_SECTOR_SIZE - off;
            if ((err = fat_win_load(f->vol, lba)))
                return err;
            memcpy(out + done, f->vol->win + off, want);
        }
        done += want;
        file_advance(f, want, run);
    }
    *got = done;
    return SDB_OK;
}

/* Write what one request can of src[0..*len) at pos; *len = bytes written,
 * *run = clusters of the run it went to. src has `slack` readable bytes
 * after *len: enough of them let a partial last sector past the file's end
 * go out whole. */
static int write_chunk(struct sdb_fat_file *f, const uint8_t *src, uint32_t *len, uint32_t slack,
                       uint32_t *run)
{
    struct sdb_fat_vol *vol = f->vol;
    uint32_t avail, lba;
    int err = seek_cluster(f, f->pos, true);
    if (err || (err = file_run(f, *len, true, &avail, run, &lba)))
        return err;
    uint32_t off = f->pos % SDB_SECTOR_SIZE, want = *len < avail ? *len : avail;
    uint32_t tail = want % SDB_SECTOR_SIZE, fill = tail ? SDB_SECTOR_SIZE - tail : 0;
    if (off == 0 && want == *len && fill && fill <= slack && f->pos + want >= f->size) {
        uint32_t sectors = want / SDB_SECTOR_SIZE + 1; /* the tail sector, whole */
        if ((err = sdb_bd_write(vol->bd, lba, sectors, src)))
            return err;
        fat_cache_forget(vol, lba, sectors);
        return SDB_OK;
    }
    if (off == 0 && want >= SDB_SECTOR_SIZE) {
        uint32_t sectors = want / SDB_SECTOR_SIZE;
        if ((err = sdb_bd_write(vol->bd, lba, sectors, src)))
            return err;
        fat_cache_forget(vol, lba, sectors);
        *len = sectors * SDB_SECTOR_SIZE;
        return SDB_OK;
    }
    if (want > SDB_SECTOR_SIZE - off)
        want = SDB_SECTOR_SIZE - off;
    /* A sector past the old end holds stale data: no need to read it, but the
     * cache must not leak another sector's bytes into it. */
    bool fresh = off == 0 && f->pos >= f->size;
    if ((err = fresh ? fat_win_claim(vol, lba) : fat_win_load(vol, lba)))
        return err;
    memcpy(vol->win + off, src, want);
    if ((err = fat_win_store(vol)))
        return err;
    *len = want;
    return SDB_OK;
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
    if ((uint64_t)f->pos + n > 0xFFFFFFFFu)
        return SDB_FAT_EFBIG;
    const uint8_t *src = buf;
    uint32_t done = 0;
    while (done < n) {
        uint32_t len = n - done, run;
        int err = write_chunk(f, src + done, &len, slack, &run);
        if (err)
            return err;
        done += len;
        file_advance(f, len, run);
        if (f->pos > f->size) {
            f->size = f->pos;
            f->entry_dirty = true;
        }
    }
    return SDB_OK;
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

int sdb_fat_truncate(struct sdb_fat_file *f, uint32_t size)
{
    if (!f || !f->vol)
        return SDB_E_INVAL;
    if (!(f->flags & (SDB_FAT_WRITE | SDB_FAT_APPEND | SDB_FAT_TRUNC)))
        return SDB_FAT_EACCES;
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
    int err = sdb_fat_flush(f);
    if (err || (err = fat_barrier(vol)))
        return err;
    if (f->pos > size)
        f->pos = size;
    f->clus = 0;
    if (keep == 0)
        return old_first ? fat_free_chain(vol, old_first) : SDB_OK;
    uint32_t last = old_first, next;
    for (uint32_t i = 1; i < keep; i++) {
        if ((err = fat_next(vol, last, &last)))
            return err;
        if (!last)
            return SDB_FAT_ECORRUPT;
    }
    if ((err = fat_next(vol, last, &next)))
        return err;
    if (!next)
        return SDB_OK;
    if ((err = fat_set(vol, last, fat_eoc(vol))))
        return err;
    return fat_free_chain(vol, next);
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
