/* smogd contacts import FILE: enterprise contacts from CSV, all or nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/xalloc.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "dispatch/dispatch.h"
#include "store/store.h"
#include "store/store_dispatch.h"

#define CONTACTS_MAX_LINE   8192
#define CONTACTS_MAX_ROWS   100000
#define CONTACTS_MAX_ERRORS 50
#define CONTACTS_COLUMNS    5

static const char usage[] =
    "usage: smogd contacts import FILE [--db FILE] [--config FILE]\n\n"
    "Reads enterprise contacts from CSV (UTF-8), one enterprise per row, columns:\n"
    "  uscc, webhook_url, webhook_secret, email, phone\n"
    "A header row starting with \"uscc\" is skipped. Several e-mail addresses or phone\n"
    "numbers in one cell are separated by ';'. Empty cells mean none. A row replaces\n"
    "the enterprise's earlier contacts. Any error rejects the whole file, listing\n"
    "every error as file:line: column: message.\n";

/* Splits one CSV line (RFC 4180 quoting, no line breaks inside fields) into
 * at most max fields, in place. Returns the count, or -1 for a bad quote. */
static int
split_csv(char *line, char **fields, int max)
{
    int n = 0;
    char *p = line;

    for (;;) {
        char *out = p;

        if (n == max)
            return max + 1;
        fields[n++] = p;
        if (*p == '"') {
            p++;
            for (;;) {
                if (!*p)
                    return -1;
                if (*p == '"' && p[1] == '"') {
                    *out++ = '"';
                    p += 2;
                } else if (*p == '"') {
                    p++;
                    break;
                } else {
                    *out++ = *p++;
                }
            }
            if (*p && *p != ',')
                return -1;
        } else {
            while (*p && *p != ',')
                *out++ = *p++;
        }
        if (!*p) {
            *out = '\0';
            return n;
        }
        *out = '\0';
        p++;
    }
}

static char *
trim(char *s)
{
    char *e;

    while (*s == ' ' || *s == '\t')
        s++;
    e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
        *--e = '\0';
    return s;
}

/* new: a JSON array text of the ';'-separated items of cell; NULL with
 * *bad set to the first invalid item */
static char *
list_json(char *cell, bool (*ok)(const char *), const char **bad)
{
    json_t *arr = json_array();
    char *save = cell, *item, *text;

    *bad = NULL;
    while ((item = save) != NULL) {
        char *semi = strchr(item, ';');
        if (semi)
            *semi = '\0';
        save = semi ? semi + 1 : NULL;
        item = trim(item);
        if (!*item)
            continue;
        if (!ok(item)) {
            *bad = item;
            json_decref(arr);
            return NULL;
        }
        json_array_append_new(arr, json_string(item));
    }
    text = json_dumps(arr, JSON_COMPACT);
    json_decref(arr);
    return text;
}

struct import {
    struct contact_rec *rows;
    size_t n, cap;
    int errors;
};

static void
row_error(struct import *im, const char *file, int line, int column, const char *fmt,
          const char *what)
{
    if (im->errors++ < CONTACTS_MAX_ERRORS) {
        fprintf(stderr, "%s:%d: %d: ", file, line, column);
        fprintf(stderr, fmt, what);
        fputc('\n', stderr);
    }
}

static void
read_row(struct import *im, const char *file, int lineno, char *line, int64_t now)
{
    char *f[CONTACTS_COLUMNS + 1];
    struct contact_rec c = { 0 };
    const char *bad;
    int n = split_csv(line, f, CONTACTS_COLUMNS);

    if (n < 0) {
        row_error(im, file, lineno, 1, "%s", "unbalanced quote");
        return;
    }
    if (n != CONTACTS_COLUMNS) {
        row_error(im, file, lineno, 1, "%s", "needs 5 columns: uscc, webhook_url, "
                                             "webhook_secret, email, phone");
        return;
    }
    for (int i = 0; i < n; i++)
        f[i] = trim(f[i]);
    if (!contact_uscc_shape_ok(f[0])) {
        row_error(im, file, lineno, 1, "uscc \"%.40s\" is not an 18-character credit code", f[0]);
        return;
    }
    if (*f[1] && !contact_url_ok(f[1])) {
        row_error(im, file, lineno, 2, "webhook_url \"%.80s\" is not an http(s) URL", f[1]);
        return;
    }
    c.uscc = xstrdup(f[0]);
    c.webhook_url = *f[1] ? xstrdup(f[1]) : NULL;
    c.webhook_secret = *f[2] ? xstrdup(f[2]) : NULL;
    c.updated_ms = now;
    if (!(c.emails = list_json(f[3], contact_email_ok, &bad))) {
        row_error(im, file, lineno, 4, "\"%.80s\" is not an e-mail address", bad);
        contact_rec_release(&c);
        return;
    }
    if (!(c.phones = list_json(f[4], contact_phone_ok, &bad))) {
        row_error(im, file, lineno, 5, "\"%.80s\" is not a phone number (digits, optional +)",
                  bad);
        contact_rec_release(&c);
        return;
    }
    if (im->n == im->cap) {
        im->cap = im->cap ? im->cap * 2 : 64;
        im->rows = xrealloc(im->rows, im->cap * sizeof(*im->rows));
    }
    im->rows[im->n++] = c;
}

static int
import_file(const char *path, const char *config, const char *db)
{
    struct app a = { 0 };
    struct import im = { 0 };
    char line[CONTACTS_MAX_LINE];
    int lineno = 0, rc = 1;
    FILE *f;
    enum sm_err err;

    f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "smogd contacts import: cannot open %s\n", path);
        return 1;
    }
    if (!cli_open(&a, config, db)) {
        fclose(f);
        return 1;
    }
    int64_t now = clock_now(&a.clock);
    while (fgets(line, sizeof(line), f)) {
        char *l = line;

        lineno++;
        if (!strchr(line, '\n') && !feof(f)) {
            row_error(&im, path, lineno, 1, "%s", "line too long");
            break;
        }
        if (lineno == 1 && strncmp(l, "\xEF\xBB\xBF", 3) == 0)
            l += 3; /* a UTF-8 byte order mark from spreadsheet exports */
        if (!*trim(l))
            continue;
        if (lineno == 1 && strncasecmp(trim(l), "uscc", 4) == 0)
            continue;
        if (im.n >= CONTACTS_MAX_ROWS) {
            row_error(&im, path, lineno, 1, "%s", "too many rows");
            break;
        }
        read_row(&im, path, lineno, l, now);
    }
    fclose(f);
    if (im.errors) {
        fprintf(stderr, "smogd contacts import: %s rejected (%d error%s); nothing changed\n", path,
                im.errors, im.errors == 1 ? "" : "s");
        goto out;
    }
    err = store_begin(a.store);
    for (size_t i = 0; !err && i < im.n; i++)
        err = store_contact_put(a.store, &im.rows[i]);
    if (!err) {
        char detail[64];
        snprintf(detail, sizeof(detail), "{\"rows\":%zu}", im.n);
        struct audit_entry e = { now, "cli", "admin", "contacts.import", path, "ok", detail };
        err = store_audit_append(a.store, &e);
    }
    if (!err)
        err = store_commit(a.store);
    else
        store_rollback(a.store);
    if (err) {
        fprintf(stderr, "smogd contacts import: %s: %s\n", sm_strerror(err), store_errmsg(a.store));
        goto out;
    }
    printf("imported contacts of %zu enterprise%s from %s\n", im.n, im.n == 1 ? "" : "s", path);
    rc = 0;
out:
    for (size_t i = 0; i < im.n; i++)
        contact_rec_release(&im.rows[i]);
    free(im.rows);
    app_close(&a);
    return rc;
}

int
cmd_contacts(int argc, char **argv)
{
    const char *db = NULL, *config = NULL;
    const struct cli_opt opts[] = { { "--db", &db, NULL }, { "--config", &config, NULL } };
    const char *pos[2];
    int npos, rc = cli_parse("contacts", argc, argv, opts, 2, pos, 2, &npos);

    if (rc == -1) {
        fputs(usage, stdout);
        return 0;
    }
    if (rc)
        return rc;
    if (npos != 2 || strcmp(pos[0], "import") != 0) {
        fprintf(stderr, "smogd contacts: usage: smogd contacts import FILE [--db FILE]\n");
        return 2;
    }
    return import_file(pos[1], config, db);
}
