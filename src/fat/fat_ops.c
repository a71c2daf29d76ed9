/* Namespace operations: stat, readdir, mkdir, rmdir, unlink, rename. */
#include "fat_internal.h"

/* SDB_E_INVAL without a volume, SDB_FAT_EROFS on a read-only one. */
static int writable(const struct sdb_fat_vol *vol)
{
    return !vol ? SDB_E_INVAL : vol->read_only ? SDB_FAT_EROFS : SDB_OK;
}

static void fill_stat(const struct sdb_fat_vol *vol, const uint8_t *raw, struct sdb_fat_stat *st)
{
    st->attr = raw[11];
    st->is_dir = raw[11] & ATTR_DIR;
    st->first_clus = fat_entry_clus(vol, raw);
    st->size = st->is_dir ? 0 : rd32(raw + 28);
}

/* What sdb_fat_stat tells of path; *is_root for "/". */
static int stat_at(struct sdb_fat_vol *vol, const char *path, struct sdb_fat_stat *st,
                   bool *is_root)
{
    struct fat_loc loc;
    uint32_t parent;
    int err = fat_lookup(vol, path, &loc, &parent, is_root);
    if (err)
        return err;
    if (*is_root)
        *st = (struct sdb_fat_stat){
            .attr = ATTR_DIR, .is_dir = true, .first_clus = fat_root_clus(vol)};
    else
        fill_stat(vol, loc.raw, st);
    return SDB_OK;
}

int sdb_fat_stat(struct sdb_fat_vol *vol, const char *path, struct sdb_fat_stat *st)
{
    bool is_root;
    return vol && st ? stat_at(vol, path, st, &is_root) : SDB_E_INVAL;
}

/* First cluster of the directory at `path`. */
static int dir_at(struct sdb_fat_vol *vol, const char *path, uint32_t *dclus)
{
    struct sdb_fat_stat st;
    bool is_root;
    int err = stat_at(vol, path, &st, &is_root);
    if (err)
        return err;
    if (!st.is_dir)
        return SDB_FAT_ENOTDIR;
    *dclus = st.first_clus;
    return *dclus || is_root ? SDB_OK : SDB_FAT_ECORRUPT;
}

int sdb_fat_opendir(struct sdb_fat_vol *vol, struct sdb_fat_dir *d, const char *path)
{
    if (!vol || !d)
        return SDB_E_INVAL;
    d->vol = vol;
    d->index = 0;
    return dir_at(vol, path, &d->first_clus);
}

int sdb_fat_readdir(struct sdb_fat_dir *d, struct sdb_fat_dirent *ent)
{
    if (!d || !d->vol || !ent)
        return SDB_E_INVAL;
    struct fat_loc loc;
    int err = fat_dir_next(d->vol, d->first_clus, &d->index, &loc, ent->name, sizeof ent->name);
    if (err)
        return err;
    fat_sfn_to_str(loc.raw, 0, ent->short_name);
    fill_stat(d->vol, loc.raw, &ent->st);
    return SDB_OK;
}

int sdb_fat_mkdir(struct sdb_fat_vol *vol, const char *path)
{
    int err = writable(vol);
    if (err)
        return err;
    uint32_t parent;
    char name[SDB_FAT_NAME_MAX + 1];
    err = fat_lookup_parent(vol, path, &parent, name);
    if (err)
        return err;
    struct fat_loc loc;
    if ((err = fat_dir_find(vol, parent, name, &loc)) != SDB_FAT_ENOENT)
        return err ? err : SDB_FAT_EEXIST;
    /* The new directory's cluster is complete ("." and "..") before any entry
     * points at it: a cut leaves at worst a lost cluster. */
    uint32_t clus;
    if ((err = fat_alloc(vol, 0, true, &clus)))
        return err;
    if ((err = fat_win_claim(vol, fat_clus_lba(vol, clus)))) /* zeroed just now */
        return err;
    /* ".", "..", and the new name's entry: the same but for the name (which
     * the entry set replaces) and the cluster ".." names (0 for the root). */
    uint8_t *dot = vol->win, proto[ENTRY_SIZE];
    memset(dot, ' ', 11);
    dot[0] = '.';
    dot[11] = ATTR_DIR;
    fat_entry_stamp(dot);
    fat_entry_set_clus(vol, dot, clus);
    memcpy(proto, dot, ENTRY_SIZE);
    memcpy(dot + ENTRY_SIZE, dot, ENTRY_SIZE);
    dot[ENTRY_SIZE + 1] = '.';
    fat_entry_set_clus(vol, dot + ENTRY_SIZE, parent == fat_root_clus(vol) ? 0 : parent);
    if ((err = fat_win_store(vol)) || (err = fat_barrier(vol)))
        return err;
    if ((err = fat_dir_create(vol, parent, name, proto, false, &loc)))
        return err;
    fat_hint_new_dir(vol, clus);
    return SDB_OK;
}

/* Remove loc's entry set, then free the chain `clus` (0: none) it named:
 * entry first, chain second, so a cut leaves lost clusters, never a name on
 * freed clusters. */
static int drop_entry(struct sdb_fat_vol *vol, const struct fat_loc *loc, uint32_t clus)
{
    int err = fat_dir_remove(vol, loc);
    if (err || !clus || (err = fat_barrier(vol)))
        return err;
    return fat_free_chain(vol, clus);
}

/* The entry at path, to be removed or moved: writable() first, then
 * SDB_FAT_EBUSY for the root. With `forget`, the remembered folder is
 * dropped first (it may be this entry or below it). */
static int entry_to_change(struct sdb_fat_vol *vol, const char *path, bool forget,
                           struct fat_loc *loc, uint32_t *parent)
{
    int err = writable(vol);
    if (err)
        return err;
    if (forget)
        vol->walk_len = 0;
    bool is_root;
    err = fat_lookup(vol, path, loc, parent, &is_root);
    return err ? err : is_root ? SDB_FAT_EBUSY : SDB_OK;
}

static int remove_entry(struct sdb_fat_vol *vol, const char *path, bool want_dir)
{
    struct fat_loc loc;
    uint32_t parent;
    int err = entry_to_change(vol, path, want_dir, &loc, &parent);
    if (err)
        return err;
    bool is_dir = loc.raw[11] & ATTR_DIR;
    if (want_dir && !is_dir)
        return SDB_FAT_ENOTDIR;
    if (!want_dir && is_dir)
        return SDB_FAT_EISDIR;
    if (!is_dir && (loc.raw[11] & ATTR_READ_ONLY))
        return SDB_FAT_EACCES;
    uint32_t clus = fat_entry_clus(vol, loc.raw);
    if (is_dir) {
        bool empty;
        if ((err = fat_dir_is_empty(vol, clus, &empty)))
            return err;
        if (!empty)
            return SDB_FAT_ENOTEMPTY;
    }
    return drop_entry(vol, &loc, clus);
}

int sdb_fat_unlink(struct sdb_fat_vol *vol, const char *path)
{
    return remove_entry(vol, path, false);
}

int sdb_fat_rmdir(struct sdb_fat_vol *vol, const char *path)
{
    return remove_entry(vol, path, true);
}

/* The ".." entry of directory dclus, in the cache (*dotdot points into vol->win). */
static int load_dotdot(struct sdb_fat_vol *vol, uint32_t dclus, uint8_t **dotdot)
{
    uint32_t lba;
    int err = fat_dir_slot_lba(vol, dclus, 1, &lba);
    if (err || (err = fat_win_load(vol, lba)))
        return err;
    *dotdot = vol->win + ENTRY_SIZE;
    return memcmp(*dotdot, "..         ", 11) ? SDB_FAT_ECORRUPT : SDB_OK;
}

/* SDB_FAT_EBUSY when directory cluster `inner` is `outer` or below it (walks
 * ".." up): a directory cannot move into itself. */
static int check_outside(struct sdb_fat_vol *vol, uint32_t inner, uint32_t outer)
{
    uint32_t root = fat_root_clus(vol), c = inner;
    for (unsigned depth = 0; depth <= SDB_FAT_MAX_DEPTH * 4; depth++) {
        if (c == outer || c == root || c == 0)
            return c == outer ? SDB_FAT_EBUSY : SDB_OK;
        uint8_t *dotdot;
        int err = load_dotdot(vol, c, &dotdot);
        if (err)
            return err;
        c = fat_entry_clus(vol, dotdot);
        if (c == 0)
            c = root;
    }
    return SDB_FAT_ELOOP;
}

/* The last steps of a move of src's chain `clus` (a directory when `is_dir`)
 * from src_parent to dst_parent, whose new name is on the card: a moved
 * directory's ".." names its new parent, then the old name goes. */
static int finish_move(struct sdb_fat_vol *vol, const struct fat_loc *src, uint32_t clus,
                       bool is_dir, uint32_t src_parent, uint32_t dst_parent)
{
    if (is_dir && dst_parent != src_parent) {
        uint8_t *dotdot;
        int err = load_dotdot(vol, clus, &dotdot);
        if (err)
            return err;
        fat_entry_set_clus(vol, dotdot, dst_parent == fat_root_clus(vol) ? 0 : dst_parent);
        if ((err = fat_win_store(vol)) || (err = fat_barrier(vol)))
            return err;
    }
    return fat_dir_remove(vol, src);
}

static int rename_replace(struct sdb_fat_vol *vol, const struct fat_loc *src, struct fat_loc *dst)
{
    if (dst->raw[11] & ATTR_DIR)
        return SDB_FAT_EISDIR;
    if (src->raw[11] & ATTR_DIR)
        return SDB_FAT_ENOTDIR;
    /* Point the existing name at the source's data (one sector), drop the
     * source name, then free the replaced data. */
    uint32_t old_clus = fat_entry_clus(vol, dst->raw);
    fat_entry_set_clus(vol, dst->raw, fat_entry_clus(vol, src->raw));
    memcpy(dst->raw + 28, src->raw + 28, 4);
    dst->raw[11] = src->raw[11];
    int err = fat_dir_update(vol, dst);
    return err || (err = fat_barrier(vol)) ? err : drop_entry(vol, src, old_clus);
}

int sdb_fat_rename(struct sdb_fat_vol *vol, const char *from, const char *to, bool replace)
{
    struct fat_loc src, dst;
    uint32_t src_parent, dst_parent;
    char name[SDB_FAT_NAME_MAX + 1];
    /* a folder renamed: its old path names another */
    int err = entry_to_change(vol, from, true, &src, &src_parent);
    if (err || (err = fat_lookup_parent(vol, to, &dst_parent, name)))
        return err;
    bool src_is_dir = src.raw[11] & ATTR_DIR;
    if (src_is_dir && (err = check_outside(vol, dst_parent, fat_entry_clus(vol, src.raw))))
        return err;
    err = fat_dir_find(vol, dst_parent, name, &dst);
    bool same_entry = err == SDB_OK && dst.dclus == src.dclus && dst.sfn_slot == src.sfn_slot;
    if (err == SDB_OK && !same_entry) {
        if (!replace)
            return SDB_FAT_EEXIST;
        return rename_replace(vol, &src, &dst);
    }
    if (err && err != SDB_FAT_ENOENT)
        return err;
    /* New name first, old name second: a cut in between leaves two names on
     * one chain (check keeps the first one it walks). */
    if ((err = fat_dir_create(vol, dst_parent, name, src.raw, false, &dst)) ||
        (err = fat_barrier(vol)))
        return err;
    /* The directory may have grown, but src's slots did not move. */
    return finish_move(vol, &src, fat_entry_clus(vol, src.raw), src_is_dir, src_parent, dst_parent);
}

int sdb_fat_rename_inplace(struct sdb_fat_vol *vol, const char *dir_path, const char *old_name,
                           const char *new_name)
{
    if (!vol || !old_name || !new_name)
        return SDB_E_INVAL;
    if (vol->read_only)
        return SDB_FAT_EROFS;
    vol->walk_len = 0;
    uint32_t dclus;
    int err = dir_at(vol, dir_path, &dclus);
    if (err)
        return err;
    struct fat_loc loc, other;
    if ((err = fat_dir_find(vol, dclus, old_name, &loc)))
        return err;
    err = fat_dir_find(vol, dclus, new_name, &other);
    if (err == SDB_OK && other.sfn_slot != loc.sfn_slot)
        return SDB_FAT_EEXIST;
    if (err && err != SDB_FAT_ENOENT)
        return err;
    uint8_t entries[MAX_LFN_SLOTS + 1][ENTRY_SIZE];
    unsigned n;
    if ((err = fat_build_entries(vol, dclus, new_name, loc.raw, loc.sfn_slot, entries, &n)))
        return err;
    uint32_t old_n = loc.sfn_slot - loc.first_slot + 1;
    if (n != old_n || loc.first_slot / ENTRIES_PER_SECTOR != loc.sfn_slot / ENTRIES_PER_SECTOR)
        return SDB_FAT_ENOTINPLACE;
    if ((err = fat_win_load(vol, loc.sfn_lba)))
        return err;
    fat_hint_unfresh(vol, dclus); /* the new alias was not numbered by the hint */
    for (unsigned i = 0; i < n; i++)
        memcpy(vol->win + ((loc.first_slot + i) % ENTRIES_PER_SECTOR) * ENTRY_SIZE, entries[i],
               ENTRY_SIZE);
    return fat_win_store(vol);
}

int sdb_fat_rename_settle(struct sdb_fat_vol *vol, const char *from, const char *to)
{
    if (!vol)
        return SDB_E_INVAL;
    vol->walk_len = 0;
    struct fat_loc src, dst;
    uint32_t src_parent, dst_parent;
    bool is_root;
    int err = fat_lookup(vol, from, &src, &src_parent, &is_root);
    if (err == SDB_FAT_ENOENT || (err == SDB_OK && is_root))
        return SDB_OK;
    if (err || (err = fat_lookup(vol, to, &dst, &dst_parent, &is_root)))
        return err == SDB_FAT_ENOENT ? SDB_OK : err;
    uint32_t clus = fat_entry_clus(vol, src.raw);
    if (is_root || !clus || clus != fat_entry_clus(vol, dst.raw))
        return SDB_OK;
    return finish_move(vol, &src, clus, dst.raw[11] & ATTR_DIR, src_parent, dst_parent);
}
