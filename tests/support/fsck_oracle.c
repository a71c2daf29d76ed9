#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "fsck_oracle.h"

int sdb_test_fsck_clean(const char *image_path, char *report, size_t len)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "fsck.fat -n '%s' 2>&1", image_path);
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    size_t used = 0;
    int lines = 0;
    char line[512];
    if (len)
        report[0] = '\0';
    while (fgets(line, sizeof line, p)) {
        lines++;
        size_t n = strlen(line);
        if (used + n < len) {
            memcpy(report + used, line, n + 1);
            used += n;
        }
    }
    int status = pclose(p);
    if (status == -1 || !WIFEXITED(status))
        return -1;
    return WEXITSTATUS(status) == 0 && lines == 2;
}

int sdb_test_write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t put = fwrite(data, 1, len, f);
    return fclose(f) == 0 && put == len ? 0 : -1;
}

int sdb_test_fsck_clean_mem(const uint8_t *mem, size_t bytes, char *report, size_t len)
{
    char path[] = "/tmp/sdb-fsck-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return -1;
    close(fd);
    int rc = sdb_test_write_file(path, mem, bytes) ? -1 : sdb_test_fsck_clean(path, report, len);
    unlink(path);
    return rc;
}
