/* An advisory lock file beside the database (see lockfile.h). flock locks
 * vanish with the process, so a crashed server never leaves a stale lock. */
#include "app/lockfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "base/xalloc.h"

struct app_lock {
    int fd;
};

/* The pid the holder wrote, or 0 when unreadable. */
static long
read_pid(int fd)
{
    char buf[32];
    ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

    if (n <= 0)
        return 0;
    buf[n] = '\0';
    return strtol(buf, NULL, 10);
}

enum sm_err
app_lock_acquire(const char *db_path, struct app_lock **out, struct sm_diag *diag)
{
    char *path = xasprintf("%s.lock", db_path);
    char pid[32];
    enum sm_err err = SM_OK;
    int fd, n;

    *out = NULL;
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0) {
        sm_diag_set(diag, "lock_unopenable", "cannot open %s: %s", path, strerror(errno));
        err = SM_ERR_IO;
        goto out;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK)
            sm_diag_set(diag, "db_in_use",
                        "%s is in use by another smogd (pid %ld, lock %s); stop it first",
                        db_path, read_pid(fd), path);
        else
            sm_diag_set(diag, "lock_failed", "cannot lock %s: %s", path, strerror(errno));
        err = errno == EWOULDBLOCK ? SM_ERR_BUSY : SM_ERR_IO;
        close(fd);
        goto out;
    }
    n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
    /* the pid is informative only; failing to write it is not fatal */
    if (ftruncate(fd, 0) == 0 && pwrite(fd, pid, (size_t)n, 0) != n)
        (void)0;
    *out = xmalloc(sizeof(**out));
    (*out)->fd = fd;
out:
    free(path);
    return err;
}

void
app_lock_release(struct app_lock *l)
{
    if (!l)
        return;
    close(l->fd); /* closing drops the flock */
    free(l);
}
