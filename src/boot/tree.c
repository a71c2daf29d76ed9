/* Directory-tree helpers for the installer: mkdir -p, rm -r, compare files. */
#include <string.h>
#include "boot_internal.h"

bool tree_in_app(const char *rel)
{
    return !strncmp(rel, APP_DIR, 3) && (rel[3] == '\0' || rel[3] == '/');
}

bool tree_under(const char *path, const char *dir)
{
    size_t n = 0;
    for (; dir[n]; n++) {
        char a = path[n], d = dir[n];
        if (a != d && !(a >= 'A' && a <= 'Z' && a + 32 == d))
            return false;
    }
    return path[n] == '\0' || path[n] == '/';
}

int tree_unlink(struct sdboot *b, const char *path)
{
    int err = sdb_fat_unlink(&b->vol, path);
    /* without the odd check (SDBOOT_ODD_CHECK 0), a directory by that name,
     * or a file where its folder belongs, is not the file: left as it is */
    return err == SDB_FAT_ENOENT || ODD_TYPE(err) ? SDB_OK : err;
}

bool tree_exists(struct sdb_fat_vol *vol, const char *path, bool *is_dir)
{
    struct sdb_fat_stat st;
    if (sdb_fat_stat(vol, path, &st) != SDB_OK)
        return false;
    if (is_dir)
        *is_dir = st.is_dir;
    return true;
}

bool tree_has(struct sdb_fat_vol *vol, const char *path)
{
    return tree_exists(vol, path, NULL);
}

/* Create every directory of `path` (and `path` itself with include_last). */
int tree_mkdirs(struct sdb_fat_vol *vol, const char *path, bool include_last)
{
    char buf[SDB_FAT_PATH_MAX + 1];
    size_t len = strlen(path);
    if (len > SDB_FAT_PATH_MAX)
        return SDB_FAT_EPATH;
    memcpy(buf, path, len + 1);
    /* The deepest directory usually exists already (every file of a folder
     * after the first): one lookup instead of one per level. */
    const char *slash = strrchr(buf, '/');
    size_t last = include_last ? len : slash ? (size_t)(slash - buf) : 0;
    if (last > 0) {
        bool is_dir;
        buf[last] = '\0';
        bool there = tree_exists(vol, buf, &is_dir) && is_dir;
        buf[last] = path[last];
        if (there)
            return SDB_OK;
    }
    for (size_t i = 1; i <= len; i++) {
        if (buf[i] != '/' && !(i == len && include_last))
            continue;
        char saved = buf[i];
        buf[i] = '\0';
        bool is_dir;
        int err = SDB_OK;
        if (!tree_exists(vol, buf, &is_dir))
            err = sdb_fat_mkdir(vol, buf);
        else if (!is_dir)
            err = SDB_FAT_ENOTDIR;
        buf[i] = saved;
        if (err)
            return err;
    }
    return SDB_OK;
}

bool tree_join(char *out, size_t cap, const char *a, const char *c)
{
    size_t la = strlen(a), lc = strlen(c);
    size_t n = la < cap ? la : cap - 1, m = lc < cap - n ? lc : cap - 1 - n;
    memmove(out, a, n); /* out may be a (a copy onto itself) */
    memmove(out + n, c, m);
    out[n + m] = '\0';
    return la + lc < cap;
}

bool tree_copy(char *out, size_t cap, const char *a)
{
    return tree_join(out, cap, a, "");
}

int tree_path_append(char *path, const char *name)
{
    size_t len = strlen(path);
    if (len + 1 + strlen(name) > SDB_FAT_PATH_MAX)
        return SDBOOT_ETOODEEP;
    path[len] = '/';
    strcpy(path + len + 1, name);
    return SDB_OK;
}

/* The walk both of these share, depth first without recursion in cur (a
 * path buffer that starts with the root, root_len bytes): each time the first
 * entry of the deepest directory, skipping the top-level directory skip
 * (NULL: none). An empty directory is removed and the walk goes on in its
 * parent (remove) or again from the root; the root itself is removed only by
 * remove. A file: with remove unlinked, the walk going on in its directory;
 * else left in cur with *found. One path buffer, a directory handle. */
static int walk(struct sdboot *b, char *cur, size_t root_len, const char *skip, bool remove,
                bool *found)
{
    for (unsigned guard = 0; guard < 100000; guard++) {
        struct sdb_fat_dir d;
        struct sdb_fat_dirent ent;
        bool top = strlen(cur) == root_len;
        int err = sdb_fat_opendir(&b->vol, &d, cur);
        do {
            err = err ? err : sdb_fat_readdir(&d, &ent);
        } while (!err && top && skip && ent.st.is_dir && !strcmp(ent.name, skip));
        if (err == SDB_FAT_ENOENT) { /* empty: remove it and go up */
            *found = false;
            if (top && !remove)
                return SDB_OK;
            if ((err = sdb_fat_rmdir(&b->vol, cur)) || top)
                return err;
            *(remove ? strrchr(cur, '/') : cur + root_len) = '\0';
            continue;
        }
        if (err)
            return err;
        size_t len = strlen(cur);
        if ((err = tree_path_append(cur, ent.name)))
            return err;
        if (!ent.st.is_dir && !remove) {
            *found = true;
            return SDB_OK;
        }
        if (!ent.st.is_dir) {
            if ((err = sdb_fat_unlink(&b->vol, cur)))
                return err;
            cur[len] = '\0';
        }
    }
    return SDB_FAT_ELOOP;
}

/* rm -r in b->path2. */
int tree_remove(struct sdboot *b, const char *path)
{
    bool is_dir, found;
    if (!tree_exists(&b->vol, path, &is_dir))
        return SDB_OK;
    if (!is_dir)
        return sdb_fat_unlink(&b->vol, path);
    tree_join(b->path2, sizeof b->path2, path, "");
    return walk(b, b->path2, strlen(b->path2), NULL, true, &found);
}

int tree_hash_file(struct sdboot *b, const char *path, uint64_t *size,
                   uint8_t digest[SDB_SHA256_LEN])
{
    struct sdb_fat_file f;
    struct sdb_sha256 h;
    int err = sdb_fat_open(&b->vol, &f, path, SDB_FAT_READ);
    if (err)
        return err;
    if ((err = sdb_sha256_init(&h))) {
        sdb_fat_close(&f);
        return err;
    }
    uint32_t got;
    *size = 0;
    while ((err = sdb_fat_read(&f, b->io, SDBOOT_IO_BUF, &got)) == SDB_OK && got) {
        *size += got;
        if ((err = sdb_sha256_update(&h, b->io, got)))
            break;
    }
    int herr = sdb_sha256_finish(&h, digest), cerr = sdb_fat_close(&f);
    return err ? err : herr ? herr : cerr;
}

int tree_same_content(struct sdboot *b, const char *a, const char *c, bool *same)
{
    struct sdb_fat_file fa, fc;
    *same = false;
    int err = sdb_fat_open(&b->vol, &fa, a, SDB_FAT_READ);
    if (err)
        return err;
    if ((err = sdb_fat_open(&b->vol, &fc, c, SDB_FAT_READ))) {
        sdb_fat_close(&fa);
        return err;
    }
    bool equal = sdb_fat_size(&fa) == sdb_fat_size(&fc);
    uint32_t half = SDBOOT_IO_BUF / 2;
    while (equal && !err) {
        uint32_t ga, gc;
        if ((err = sdb_fat_read(&fa, b->io, half, &ga)) ||
            (err = sdb_fat_read(&fc, b->io + half, half, &gc)))
            break;
        equal = ga == gc && !memcmp(b->io, b->io + half, ga);
        if (!ga)
            break;
    }
    sdb_fat_close(&fa);
    sdb_fat_close(&fc);
    *same = equal && !err;
    return err;
}

/* The first file under root into b->path (walk). */
int tree_next_file(struct sdboot *b, const char *root, const char *skip, bool *found)
{
    tree_join(b->path, sizeof b->path, root, "");
    return walk(b, b->path, strlen(b->path), skip, false, found);
}
