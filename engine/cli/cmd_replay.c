/* smogd replay SCENARIO and smogd demo: a whole episode on a virtual clock. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/xalloc.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/report_out.h"
#include "replay/replay.h"

static const char replay_usage[] =
    "usage: smogd replay SCENARIO [--report FILE] [--json] [--strict] [--db F]\n\n"
    "Runs a scenario (scenarios/README.md) against a fresh in-memory database on a virtual\n"
    "clock and prints its timeline, one line per event. Exit 0 when every expectation holds,\n"
    "1 naming each failed one (or a scenario that does not parse, with its line).\n"
    "  --report FILE  also write the episode report: FILE (HTML) and its .json figures\n"
    "  --json         print the result as JSON instead of the timeline\n"
    "  --strict       a step this build cannot run (readings, meter, ...) fails the replay\n"
    "  --db F         replay into a new database file F (kept, for smogd report)\n";

static const char demo_usage[] =
    "usage: smogd demo [--out DIR]\n\n"
    "Replays the bundled Jiang County episode (a yellow warning raised to orange and red, then\n"
    "lifted; 60 enterprises, late and missing acknowledgements) and writes its report to\n"
    "DIR/smogd-demo-report.html and .json (DIR defaults to the current directory).\n";

static void
print_event(void *arg, const json_t *ev)
{
    const char *at = json_string_value(json_object_get(ev, "at"));
    const json_t *o = json_object_get(ev, "orders");
    const json_t *drill = json_object_get(ev, "drill");
    char when[40];

    (void)arg;
    /* "2025-12-02T08:00:00+08:00" -> "2025-12-02 08:00+08:00" */
    snprintf(when, sizeof(when), "%.10s %.5s%s", at, at + 11, at + 19);
    printf("%s  %-9s %s  [level %s", when, json_string_value(json_object_get(ev, "kind")),
           json_string_value(json_object_get(ev, "text")),
           json_string_value(json_object_get(ev, "level")));
    if (drill)
        printf(", drill %s", json_string_value(json_object_get(drill, "level")));
    printf("; orders %lld active, %lld acknowledged, %lld overdue]\n",
           (long long)json_integer_value(json_object_get(o, "active")),
           (long long)json_integer_value(json_object_get(o, "acknowledged")),
           (long long)json_integer_value(json_object_get(o, "overdue")));
}

struct replay_job {
    const char *scenario, *db, *html, *json_out;
    bool as_json, strict, quiet;
};

/* Returns the exit code. */
static int
replay_job_run(const struct replay_job *job)
{
    struct scenario *sc = NULL;
    struct sm_diag d = { 0 };
    struct app a;
    struct replay_opts opts = { job->strict, NULL, NULL };
    struct replay_result res = { 0 };
    char msg[800];
    enum sm_err err;
    int rc = 1;

    err = scenario_load(job->scenario, &sc, &d);
    if (err) {
        sm_diag_format(&d, msg, sizeof(msg));
        fprintf(stderr, "smogd replay: %s\n", msg);
        return 1;
    }
    if (job->db && access(job->db, F_OK) == 0) {
        fprintf(stderr, "smogd replay: %s exists; replay writes a new database\n", job->db);
        scenario_free(sc);
        return 1;
    }
    err = replay_open(sc, job->db ? job->db : ":memory:", &a, stderr, &d);
    if (err) {
        sm_diag_format(&d, msg, sizeof(msg));
        fprintf(stderr, "smogd replay: %s\n", msg);
        app_close(&a);
        scenario_free(sc);
        return 1;
    }
    if (!job->as_json && !job->quiet) {
        printf("scenario: %s (%s)\n", sc->title, sc->name);
        opts.on_event = print_event;
    }
    err = replay_run(sc, &a, &opts, &res, &d);
    if (err) {
        sm_diag_format(&d, msg, sizeof(msg));
        fprintf(stderr, "smogd replay: %s\n", msg);
        goto out;
    }
    rc = res.failed ? 1 : 0;
    if (job->html || job->json_out) {
        struct report_meta meta = { a.cfg.county_code, a.cfg.county_name, a.cfg.tz_min,
                                    sc->title, sc->description };
        if (!res.episode_id) {
            fprintf(stderr, "smogd replay: no episode was opened, so there is no report\n");
            rc = 1;
        } else if (!cli_write_report(&a, res.episode_id, &meta, job->html, job->json_out)) {
            rc = 1;
        }
    }
    if (job->as_json) {
        json_t *out = json_pack("{s:s,s:s,s:b,s:i,s:i,s:i,s:O,s:O}", "scenario", sc->name, "title",
                                sc->title, "ok", res.failed == 0, "checks", res.checks, "failed",
                                res.failed, "skipped", res.skipped, "failures", res.failures,
                                "events", res.events);
        json_object_set_new(out, "episode_id",
                            res.episode_id ? json_integer(res.episode_id) : json_null());
        char *text = json_dumps(out, JSON_INDENT(2));
        printf("%s\n", text);
        free(text);
        json_decref(out);
    } else {
        size_t i;
        json_t *f;
        json_array_foreach(res.failures, i, f)
            fprintf(stderr, "FAILED %s:%lld: step %lld: %s\n", sc->name,
                    (long long)json_integer_value(json_object_get(f, "line")),
                    (long long)json_integer_value(json_object_get(f, "step")),
                    json_string_value(json_object_get(f, "message")));
        if (!job->quiet && res.skipped)
            printf("%s: %d checks, %d failed, %d steps skipped (not supported by this build)\n",
                   res.failed ? "FAILED" : "ok", res.checks, res.failed, res.skipped);
        else if (!job->quiet)
            printf("%s: %d checks, %d failed\n", res.failed ? "FAILED" : "ok", res.checks,
                   res.failed);
    }
out:
    replay_result_release(&res);
    app_close(&a);
    scenario_free(sc);
    return rc;
}

int
cmd_replay(int argc, char **argv)
{
    struct replay_job job = { 0 };
    const char *report = NULL;
    const struct cli_opt opts[] = {
        { "--report", &report, NULL }, { "--json", NULL, &job.as_json },
        { "--strict", NULL, &job.strict }, { "--db", &job.db, NULL },
    };
    const char *pos[1];
    int npos, rc = cli_parse("replay", argc, argv, opts, 4, pos, 1, &npos);
    char *json_path = NULL;

    if (rc == -1) {
        fputs(replay_usage, stdout);
        return 0;
    }
    if (rc)
        return rc;
    if (npos != 1) {
        fprintf(stderr, "smogd replay: needs the SCENARIO file (see smogd replay --help)\n");
        return 2;
    }
    job.scenario = pos[0];
    if (report) {
        json_path = cli_report_json_path(report);
        job.html = report;
        job.json_out = json_path;
    }
    rc = replay_job_run(&job);
    free(json_path);
    return rc;
}

/* The bundled episode: installed, else in the source tree. */
static const char *
demo_scenario(void)
{
    static const char *const candidates[] = {
        SMOGD_DATA_DIR "/scenarios/jiang-county/scenario.json",
        SMOGD_SOURCE_DIR "/scenarios/jiang-county/scenario.json",
    };
    for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++)
        if (access(candidates[i], R_OK) == 0)
            return candidates[i];
    return NULL;
}

int
cmd_demo(int argc, char **argv)
{
    struct replay_job job = { 0 };
    const char *dir = ".";
    const struct cli_opt opts[] = { { "--out", &dir, NULL } };
    const char *pos[1];
    int npos, rc = cli_parse("demo", argc, argv, opts, 1, pos, 0, &npos);
    char *html, *json_path;

    if (rc == -1) {
        fputs(demo_usage, stdout);
        return 0;
    }
    if (rc)
        return rc;
    job.scenario = demo_scenario();
    if (!job.scenario) {
        fprintf(stderr, "smogd demo: the bundled scenario is missing (looked in %s and %s)\n",
                SMOGD_DATA_DIR "/scenarios", SMOGD_SOURCE_DIR "/scenarios");
        return 1;
    }
    html = xasprintf("%s/smogd-demo-report.html", dir);
    json_path = xasprintf("%s/smogd-demo-report.json", dir);
    job.html = html;
    job.json_out = json_path;
    rc = replay_job_run(&job);
    if (rc == 0)
        printf("report written to %s (figures in %s)\n", html, json_path);
    free(html);
    free(json_path);
    return rc;
}
