/* The server's page cache on huge pages. An acknowledgement reads one
 * order at random from a table of tens of megabytes (36 MB at 187k
 * orders); in SQLite's page cache, page by page from malloc, each B-tree
 * level it walks down is a TLB miss as well as a cache miss. One pool of
 * cache lines, allocated at start on 2 MiB pages (transparent huge pages,
 * where the kernel gives them), serves every connection's cache instead:
 * c256 acks about 1 us less of loop CPU each. Sized by the database file,
 * at most the cache SQLite is given (store.c: cache_size), and resident
 * from the start (SQLite links every line into its free list then);
 * beyond it SQLite takes pages from malloc as before. */
#include <fcntl.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "store/store.h"
#include "store/store_int.h"

#define LOG_MODULE "store"
#define HUGE_PAGE  ((size_t)2 << 20)
#define POOL_MAX   ((size_t)STORE_CACHE_KIB << 10)
#define POOL_MIN   ((size_t)8 << 20) /* below, a TLB covers the cache */

/* The file's page size from its header (bytes 16-17, big-endian; 1 means
 * 65536), or 0 when it cannot be read: lines of another size than the
 * file's pages would sit unused, resident. */
static size_t
file_page_size(const char *path)
{
    unsigned char h[18];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n = fd < 0 ? -1 : pread(fd, h, sizeof(h), 0);
    unsigned v;

    if (fd >= 0)
        close(fd);
    if (n != (ssize_t)sizeof(h))
        return 0;
    v = (unsigned)h[16] << 8 | h[17];
    return v == 1 ? 65536 : (v >= 512 && (v & (v - 1)) == 0 ? v : 0);
}

void
store_page_pool(const char *path)
{
    struct stat st;
    int hdr = 0;
    size_t want, page, line, lines, bytes;
    bool huge;
    void *pool;

    if (stat(path, &st) != 0 || (size_t)st.st_size < POOL_MIN)
        return; /* new, small or in memory: malloc's pages do */
    want = (size_t)st.st_size < POOL_MAX ? (size_t)st.st_size : POOL_MAX;
    page = file_page_size(path);
    if (!page || sqlite3_config(SQLITE_CONFIG_PCACHE_HDRSZ, &hdr) != SQLITE_OK)
        return;
    line = (page + (size_t)hdr + 7) & ~(size_t)7;
    lines = want / line;
    bytes = (lines * line + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
    pool = aligned_alloc(HUGE_PAGE, bytes);
    if (!pool)
        return;
    /* advice: without THP the pool works the same, on small pages */
    huge = madvise(pool, bytes, MADV_HUGEPAGE) == 0;
    if (sqlite3_config(SQLITE_CONFIG_PAGECACHE, pool, (int)line, (int)lines) != SQLITE_OK) {
        log_warn("no page cache pool: SQLite was already initialised");
        free(pool);
        return;
    }
    /* kept for the life of the process, as SQLite holds it; said once,
     * since it is resident from the start */
    log_info("page cache: a pool of %zu pages (%zu MiB) on %s pages", lines, bytes >> 20,
             huge ? "huge" : "small");
}
