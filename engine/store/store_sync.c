/* The WAL flusher thread (see store_sync.h). */
#include "store/store_sync.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "base/xalloc.h"
#include "store/store_int.h"

#define LOG_MODULE "store"
/* SQLite's own default autocheckpoint threshold, in WAL frames: the slack
 * the final pass allows (store_syncer_may_commit) */
#define CKPT_FRAMES 1000
/* new WAL frames that wake the checkpointer thread, once the WAL holds
 * CKPT_FRAMES. Each pass ends with a sync of the database file, which the
 * disk serves before the WAL flushes queued behind it: short passes keep
 * that wait short. Acks at 64 connections on 187k orders, a pass every
 * 1,000 frames: p99 7.7-9.6 ms; every 128: 4.4-5.4 ms, for ≈ 3 µs more of
 * the checkpointer's CPU per ack. A shorter WAL is left alone: at a low
 * write rate each pass copied all of it, the next commit then started the
 * WAL over, and SQLite syncs the new header there, on the loop (with the
 * dispatcher delivering: 28 such syncs in 2.2 s, against 5). */
#define CKPT_PASS_FRAMES 128
/* a WAL this long starts over: ack groups are held (store_syncer_may_commit)
 * while the thread copies the last frames, since only a checkpoint with no
 * commit beside it can copy every frame, and only then does the next
 * transaction start the WAL over. */
#define CKPT_RESTART_FRAMES 8192
/* a WAL this long is checkpointed by the committing thread itself (groups
 * too large to be held kept it growing) */
#define CKPT_INLINE_FRAMES (4 * CKPT_RESTART_FRAMES)

struct store_syncer {
    int wal_fd;    /* the WAL file, only flushed */
    int notify_fd; /* eventfd: the thread tells the loop a flush ended */
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t wake;
    /* under mu */
    uint64_t requested; /* highest ticket committed and waiting for a flush */
    uint64_t durable;   /* highest ticket known to be on disk */
    uint64_t flushes;
    int failed_errno; /* sticky: a flush failed */
    bool stopping;
    /* the checkpointer: its own connection and thread, so copying the WAL
     * into the database file and its fsyncs mostly run beside the loop */
    sqlite3 *ckpt_db;
    pthread_t ckpt_thread;
    pthread_cond_t ckpt_wake, ckpt_idle;
    bool ckpt_wanted, ckpt_running;
    /* the pass asked with ack groups held, and its end (told to the loop
     * through notify_fd) */
    bool ckpt_final, ckpt_final_done;
    uint64_t checkpoints;
    /* loop thread only */
    struct store *store;
    uint64_t next_ticket;
    uint64_t inline_checkpoints;
    int ckpt_mark;  /* WAL frames when the checkpointer was last woken */
    int wal_frames; /* the WAL's length after the last commit */
    bool holding;   /* ack groups held for the thread's final pass */
    int final_at;   /* WAL frames at the last final pass (0: none since the WAL started over) */
};

/* SQLite syncs the database file only in a pass that copies the WAL's last
 * frame, so under a flow of commits every page the passes wrote waited for
 * the one that lets the WAL start over, while ack groups were held for it
 * (25-45 ms for 8,192 frames). Syncing after each pass here, where nobody
 * waits, leaves that pass only its own few pages. */
static void
sync_database_file(sqlite3 *db)
{
    sqlite3_file *f = NULL;

    if (sqlite3_file_control(db, "main", SQLITE_FCNTL_FILE_POINTER, &f) != SQLITE_OK || !f ||
        !f->pMethods)
        return;
    /* a failure here is found again by the next checkpoint's own sync */
    if (f->pMethods->xSync(f, SQLITE_SYNC_NORMAL | SQLITE_SYNC_DATAONLY) != SQLITE_OK)
        log_warn("syncing the database file after a checkpoint failed");
}

static void *
checkpointer_main(void *arg)
{
    struct store_syncer *y = arg;

    pthread_mutex_lock(&y->mu);
    for (;;) {
        while (!y->ckpt_wanted && !y->stopping)
            pthread_cond_wait(&y->ckpt_wake, &y->mu);
        if (y->stopping)
            break;
        y->ckpt_wanted = false;
        y->ckpt_running = true;
        bool final = y->ckpt_final;
        y->ckpt_final = false;
        pthread_mutex_unlock(&y->mu);
        /* PASSIVE: copies what no reader still needs, never waits for the loop */
        int rc = sqlite3_wal_checkpoint_v2(y->ckpt_db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL,
                                           NULL);
        if (rc != SQLITE_OK && rc != SQLITE_BUSY)
            log_err("checkpoint failed: %s", sqlite3_errmsg(y->ckpt_db));
        else if (!final)
            sync_database_file(y->ckpt_db);
        pthread_mutex_lock(&y->mu);
        y->checkpoints++;
        y->ckpt_running = false;
        pthread_cond_broadcast(&y->ckpt_idle);
        if (final) {
            uint64_t one = 1;
            y->ckpt_final_done = true;
            if (write(y->notify_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
                log_err("cannot wake the event loop: %s", strerror(errno));
        }
    }
    pthread_mutex_unlock(&y->mu);
    return NULL;
}

/* SQLite calls this on the loop after every commit of its connection, in
 * place of the built-in autocheckpoint; frames: the WAL's length. */
static int
on_wal_commit(void *arg, sqlite3 *db, const char *name, int frames)
{
    struct store_syncer *y = arg;

    (void)db;
    (void)name;
    if (frames < y->ckpt_mark) {
        y->ckpt_mark = 0; /* the WAL started over */
        y->final_at = 0;
    }
    y->wal_frames = frames;
    if (frames >= CKPT_FRAMES && frames - y->ckpt_mark >= CKPT_PASS_FRAMES) {
        y->ckpt_mark = frames;
        pthread_mutex_lock(&y->mu);
        y->ckpt_wanted = true;
        pthread_cond_signal(&y->ckpt_wake);
        pthread_mutex_unlock(&y->mu);
    }
    return SQLITE_OK;
}

/* Before an ack group: the WAL starts over when the thread's final pass
 * copied every frame while the groups waited (store_syncer_may_commit).
 * Groups too large to wait (ACK_BATCH_MAX) or other writers can keep it
 * from ever getting there: past CKPT_INLINE_FRAMES the committing thread
 * copies the rest itself and the WAL starts over at this BEGIN. */
static void
checkpoint_if_long(struct store_syncer *y, struct store *s)
{
    if (!y->ckpt_db || y->wal_frames < CKPT_INLINE_FRAMES)
        return;
    /* the thread's pass in progress, if any, ends first (one checkpoint at
     * a time): the WAL's length stays bounded however slow that pass is */
    pthread_mutex_lock(&y->mu);
    y->ckpt_wanted = false;
    if (y->ckpt_final) {
        /* a final pass asked and not started: this one stands for it */
        y->ckpt_final = false;
        y->ckpt_final_done = true;
    }
    while (y->ckpt_running)
        pthread_cond_wait(&y->ckpt_idle, &y->mu);
    pthread_mutex_unlock(&y->mu);
    /* SQLITE_BUSY only if another process checkpoints: tried again before
     * the next group */
    if (sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL) ==
        SQLITE_OK) {
        y->inline_checkpoints++;
        y->wal_frames = 0;
    }
}

bool
store_syncer_may_commit(struct store_syncer *y)
{
    bool may = true;

    if (!y->ckpt_db)
        return true;
    pthread_mutex_lock(&y->mu);
    if (y->holding) {
        may = y->ckpt_final_done;
        if (may) {
            y->holding = false;
            y->ckpt_final_done = false;
        }
    } else if (y->wal_frames >= CKPT_RESTART_FRAMES && y->wal_frames < CKPT_INLINE_FRAMES &&
               y->wal_frames >= y->final_at + CKPT_FRAMES &&
               (!y->ckpt_running || y->wal_frames >= CKPT_RESTART_FRAMES + CKPT_FRAMES)) {
        /* the thread's next pass copies what the last one left, with
         * nothing committed beside it. While a pass runs, groups go on (the
         * final pass then copies only what they added) unless that pass is
         * so slow that they added CKPT_FRAMES: then they wait for both, and
         * the WAL stays near CKPT_RESTART_FRAMES. A pass that could not
         * copy everything (another process reading) is asked again only
         * CKPT_FRAMES later. */
        y->holding = true;
        y->final_at = y->wal_frames;
        y->ckpt_final = true;
        y->ckpt_final_done = false;
        y->ckpt_wanted = true;
        pthread_cond_signal(&y->ckpt_wake);
        may = false;
    }
    pthread_mutex_unlock(&y->mu);
    return may;
}

/* new: a second connection for checkpoints, or NULL (SQLite's own
 * autocheckpoint then stays on the loop's connection) */
static sqlite3 *
open_checkpointer(const char *path)
{
    sqlite3 *db = NULL;

    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
            SQLITE_OK ||
        /* a connection knows the WAL only once it has read the database:
         * until then its checkpoints do nothing */
        sqlite3_exec(db, "PRAGMA journal_mode", NULL, NULL, NULL) != SQLITE_OK) {
        log_warn("no checkpoint connection (%s): checkpoints stay on the event loop",
                 db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return NULL;
    }
    return db;
}

/* The WAL's length as a server that has run a while keeps it: the first
 * large transaction (an issuance, the fold of a flood of acks) takes it
 * past STORE_WAL_KEEP_BYTES, and each time it starts over SQLite cuts it
 * back to that. Never more than the database itself: a small county's
 * database never writes such transactions. */
static off_t
wal_working_size(const char *db_path)
{
    struct stat db;

    if (stat(db_path, &db) != 0)
        return 0;
    return db.st_size < STORE_WAL_KEEP_BYTES ? db.st_size : STORE_WAL_KEEP_BYTES;
}

/* Writes the WAL out to its working size once, at start. SQLite deletes the
 * WAL when the last connection closes, so after every restart it grew again
 * frame by frame: under the first flood of acks each fdatasync also
 * allocated blocks and wrote the inode (≈ 1 µs more of the flusher's CPU
 * per ack at 64 connections, 5-10 % fewer acks per second), and the first
 * issuance's commit put its 56 MB (187k orders) into new blocks (125-139
 * against 76-82 ms for that commit). The zeros lie past every frame SQLite
 * wrote: its recovery stops at the first frame whose salt does not match,
 * as at the stale frames a WAL that started over leaves behind. */
static void
presize_wal(int fd, off_t want)
{
    static const char zeros[1 << 16];
    struct stat st;
    off_t at;

    if (fstat(fd, &st) != 0 || st.st_size >= want)
        return;
    for (at = st.st_size; at < want;) {
        size_t n = want - at < (off_t)sizeof(zeros) ? (size_t)(want - at) : sizeof(zeros);
        ssize_t w = pwrite(fd, zeros, n, at);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            log_warn("cannot write the WAL out to %lld bytes (%s): it grows as acks come",
                     (long long)want, w < 0 ? strerror(errno) : "no progress");
            return;
        }
        at += w;
    }
    if (fdatasync(fd) != 0)
        log_warn("cannot flush the written-out WAL (%s)", strerror(errno));
}

/* presize_wal under SQLite's write lock: another process (a CLI command)
 * may be writing frames at the WAL's end, and zeros written there without
 * the lock could land on them; SQLite's writers append only while holding
 * it. Rolled back: the transaction writes nothing. */
static void
presize_wal_locked(struct store *s, int fd, off_t want)
{
    if (want <= 0)
        return;
    /* store_exec logs why it could not; the WAL then grows as acks come */
    if (store_exec(s, "BEGIN IMMEDIATE") != SM_OK)
        return;
    presize_wal(fd, want);
    if (store_exec(s, "ROLLBACK") != SM_OK)
        log_warn("the write lock taken to write the WAL out was not released");
}

static void *
syncer_main(void *arg)
{
    struct store_syncer *y = arg;
    uint64_t one = 1;

    pthread_mutex_lock(&y->mu);
    for (;;) {
        while (y->requested == y->durable && !y->stopping)
            pthread_cond_wait(&y->wake, &y->mu);
        if (y->requested == y->durable || y->failed_errno)
            break; /* stopping with nothing left, or nothing more can be promised */
        /* every frame of tickets ≤ target was written before this point */
        uint64_t target = y->requested;
        pthread_mutex_unlock(&y->mu);
        int rc = fdatasync(y->wal_fd);
        int e = errno;
        pthread_mutex_lock(&y->mu);
        y->flushes++;
        if (rc == 0)
            y->durable = target;
        else
            y->failed_errno = e;
        pthread_mutex_unlock(&y->mu);
        /* an eventfd write only fails when the counter would overflow */
        if (write(y->notify_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
            log_err("cannot wake the event loop: %s", strerror(errno));
        pthread_mutex_lock(&y->mu);
    }
    pthread_mutex_unlock(&y->mu);
    return NULL;
}

enum sm_err
store_syncer_start(struct store *s, struct store_syncer **out)
{
    sqlite3_filename db = sqlite3_db_filename(s->db, "main");
    const char *wal;
    struct store_syncer *y;
    int fd, efd;

    *out = NULL;
    if (!db || !db[0])
        return SM_ERR_INVAL;
    wal = sqlite3_filename_wal(db);
    if (!wal || !wal[0])
        return SM_ERR_INVAL;
    fd = open(wal, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        log_warn("cannot open %s (%s): acknowledgements are flushed on the event loop", wal,
                 strerror(errno));
        return SM_ERR_IO;
    }
    presize_wal_locked(s, fd, wal_working_size(db));
    efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (efd < 0) {
        close(fd);
        return SM_ERR_IO;
    }
    y = xcalloc(1, sizeof(*y));
    y->wal_fd = fd;
    y->notify_fd = efd;
    y->store = s;
    pthread_mutex_init(&y->mu, NULL);
    pthread_cond_init(&y->wake, NULL);
    pthread_cond_init(&y->ckpt_wake, NULL);
    pthread_cond_init(&y->ckpt_idle, NULL);
    if (pthread_create(&y->thread, NULL, syncer_main, y) != 0) {
        pthread_cond_destroy(&y->ckpt_idle);
        pthread_cond_destroy(&y->ckpt_wake);
        pthread_cond_destroy(&y->wake);
        pthread_mutex_destroy(&y->mu);
        close(efd);
        close(fd);
        free(y);
        return SM_ERR_IO;
    }
    y->ckpt_db = open_checkpointer(db);
    if (y->ckpt_db && pthread_create(&y->ckpt_thread, NULL, checkpointer_main, y) != 0) {
        sqlite3_close(y->ckpt_db);
        y->ckpt_db = NULL;
    }
    if (y->ckpt_db)
        sqlite3_wal_hook(s->db, on_wal_commit, y);
    /* this connection is the one that logs acknowledgements (store_acklog.c),
     * and one server runs per file: the log holds only what its map names,
     * so its other transactions need not look (an EXISTS query each) */
    s->acklog_shared = false;
    *out = y;
    return SM_OK;
}

enum sm_err
store_syncer_stop(struct store_syncer *y)
{
    int failed;

    if (!y)
        return SM_OK;
    if (y->ckpt_db) /* SQLite's own checkpoints again on the loop's connection */
        sqlite3_wal_autocheckpoint(y->store->db, CKPT_FRAMES);
    pthread_mutex_lock(&y->mu);
    y->stopping = true;
    pthread_cond_signal(&y->wake);
    pthread_cond_signal(&y->ckpt_wake);
    pthread_mutex_unlock(&y->mu);
    pthread_join(y->thread, NULL);
    if (y->ckpt_db) {
        pthread_join(y->ckpt_thread, NULL);
        sqlite3_close(y->ckpt_db);
    }
    failed = y->failed_errno;
    pthread_cond_destroy(&y->ckpt_idle);
    pthread_cond_destroy(&y->ckpt_wake);
    pthread_cond_destroy(&y->wake);
    pthread_mutex_destroy(&y->mu);
    close(y->notify_fd);
    close(y->wal_fd);
    free(y);
    return failed ? SM_ERR_IO : SM_OK;
}

static int
failed_errno(struct store_syncer *y)
{
    int e;

    pthread_mutex_lock(&y->mu);
    e = y->failed_errno;
    pthread_mutex_unlock(&y->mu);
    return e;
}

enum sm_err
store_begin_deferred(struct store_syncer *y, struct store *s)
{
    enum sm_err err;

    if (failed_errno(y))
        return SM_ERR_IO;
    checkpoint_if_long(y, s);
    /* its acks go to the log (store_acklog.c); the log is not folded here */
    s->ack_log_tx = true;
    err = store_begin_normal(s);
    if (err)
        s->ack_log_tx = false;
    return err;
}

enum sm_err
store_commit_deferred(struct store_syncer *y, struct store *s, uint64_t *ticket)
{
    enum sm_err err = store_commit(s);

    if (err)
        return err;
    *ticket = ++y->next_ticket;
    pthread_mutex_lock(&y->mu);
    y->requested = *ticket;
    pthread_cond_signal(&y->wake);
    pthread_mutex_unlock(&y->mu);
    return SM_OK;
}

void
store_rollback_deferred(struct store *s)
{
    store_rollback(s);
}

int
store_syncer_fd(const struct store_syncer *y)
{
    return y->notify_fd;
}

enum sm_err
store_syncer_poll(struct store_syncer *y, uint64_t *durable)
{
    uint64_t n;
    int e;

    while (read(y->notify_fd, &n, sizeof(n)) == (ssize_t)sizeof(n))
        ;
    pthread_mutex_lock(&y->mu);
    *durable = y->durable;
    e = y->failed_errno;
    pthread_mutex_unlock(&y->mu);
    if (e) {
        log_err("flushing the WAL failed (%s): acknowledgements are refused with 503 until "
                "smogd is restarted and recovers the database from disk",
                strerror(e));
        return SM_ERR_IO;
    }
    return SM_OK;
}

void
store_syncer_checkpoints(struct store_syncer *y, uint64_t *off_loop, uint64_t *on_loop)
{
    pthread_mutex_lock(&y->mu);
    *off_loop = y->checkpoints;
    pthread_mutex_unlock(&y->mu);
    *on_loop = y->inline_checkpoints;
}

uint64_t
store_syncer_flushes(struct store_syncer *y)
{
    uint64_t n;

    pthread_mutex_lock(&y->mu);
    n = y->flushes;
    pthread_mutex_unlock(&y->mu);
    return n;
}
