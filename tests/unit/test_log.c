/* Log lines: held lines are written in order before the next ordinary
 * line and by sm_log_flush, each with the usual prefix; nothing is written
 * while they are held. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "check.h"

/* stderr goes to a temporary file while f runs; its content (new) */
static char *
capture_stderr(void (*f)(void))
{
    char path[] = "/tmp/smogd-log-XXXXXX";
    int fd = mkstemp(path);
    int saved = dup(2);
    char *text = calloc(1, 8192);
    FILE *in;

    CHECK(fd >= 0 && saved >= 0 && text != NULL);
    fflush(stderr);
    dup2(fd, 2);
    f();
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    in = fopen(path, "r");
    CHECK(in != NULL);
    if (in) {
        size_t n = fread(text, 1, 8191, in);
        text[n] = '\0';
        fclose(in);
    }
    close(fd);
    unlink(path);
    return text;
}

static void
hold_two(void)
{
    sm_log_held(LOG_INFO, "http", "GET /healthz %d %s", 200, "-");
    sm_log_held_text(LOG_INFO, "http", "POST /v1/orders/7/ack 200 0.512ms enterprise:x", 46);
}

static void
hold_then_warn(void)
{
    hold_two();
    sm_log(LOG_WARNING, "store", "slow %s", "checkpoint");
}

static void
hold_then_flush(void)
{
    hold_two();
    sm_log_flush();
}

/* "2026-11-29T07:22:11.993Z " then rest */
static void
check_line(const char *line, const char *rest)
{
    CHECK(strlen(line) > 25);
    CHECK(line[4] == '-' && line[10] == 'T' && line[19] == '.' && line[23] == 'Z' &&
          line[24] == ' ');
    CHECK_STR(line + 25, rest);
}

static void
test_held_lines_keep_their_order(void)
{
    char *out = capture_stderr(hold_then_warn);
    char *l1 = strtok(out, "\n"), *l2 = strtok(NULL, "\n"), *l3 = strtok(NULL, "\n");

    CHECK(l1 && l2 && l3);
    if (l1 && l2 && l3) {
        check_line(l1, "info http: GET /healthz 200 -");
        check_line(l2, "info http: POST /v1/orders/7/ack 200 0.512ms enterprise:x");
        check_line(l3, "warn store: slow checkpoint");
    }
    CHECK(strtok(NULL, "\n") == NULL);
    free(out);
}

static void
test_held_lines_wait_for_the_flush(void)
{
    char *none = capture_stderr(hold_two);
    char *out;

    CHECK_STR(none, "");
    free(none);
    out = capture_stderr(sm_log_flush);
    CHECK(strstr(out, "info http: GET /healthz 200 -\n") != NULL);
    CHECK(strstr(out, "info http: POST /v1/orders/7/ack 200 0.512ms enterprise:x\n") != NULL);
    free(out);
    out = capture_stderr(hold_then_flush);
    CHECK(strstr(out, "GET /healthz") != NULL);
    free(out);
}

CHECK_MAIN(CHECK_CASE(test_held_lines_keep_their_order),
           CHECK_CASE(test_held_lines_wait_for_the_flush))
