/* Savepoints: one step of a shared transaction can be undone alone (the
 * batched acknowledgements use one per request). */
#include "store/store_int.h"

static const char SQL_STEP[] = "SAVEPOINT step";
static const char SQL_KEEP[] = "RELEASE step";
static const char SQL_UNDO[] = "ROLLBACK TO step";

enum sm_err
store_step_begin(struct store *s)
{
    /* outside a transaction a savepoint starts one that may write */
    if (store_sync_full(s) != SM_OK)
        return SM_ERR_DB;
    return store_exec_stmt(s, store_stmt(s, SQL_STEP));
}

enum sm_err
store_step_keep(struct store *s)
{
    return store_exec_stmt(s, store_stmt(s, SQL_KEEP));
}

enum sm_err
store_step_undo(struct store *s)
{
    enum sm_err err = store_exec_stmt(s, store_stmt(s, SQL_UNDO));

    s->audit_head_ok = false; /* the step may have appended audit rows */
    return err ? err : store_exec_stmt(s, store_stmt(s, SQL_KEEP));
}

bool
store_tx_alive(const struct store *s)
{
    return s->in_tx && !sqlite3_get_autocommit(s->db);
}
