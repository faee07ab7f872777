#ifndef SM_NOTIFIERS_NOTICE_RENDER_H
#define SM_NOTIFIERS_NOTICE_RENDER_H

/* Notice texts from templates (notifiers/templates/<kind>.txt, Chinese by
 * default). The syntax is a small mustache subset:
 *   {{name}}                 the value of name (string, number, true/false;
 *                            null renders empty)
 *   {{#list}}...{{/list}}    the inside once per element of the array list;
 *                            an element's keys shadow outer names, and
 *                            {{.}} is the element itself
 * No escaping: the output is plain text. Nothing else is special. */
#include <jansson.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/level.h"

#define NOTICE_TEMPLATE_MAX_LEN (64 * 1024)
#define NOTICE_RENDER_MAX_DEPTH 4

/* Appends tmpl rendered with vars (an object, borrowed) to out.
 * SM_ERR_INVAL, diag "unknown_placeholder" (naming it, with line and column)
 * for a name vars lacks; "not_a_scalar" / "not_a_list" for a value of the
 * wrong type. SM_ERR_PARSE for "unterminated_tag", "unclosed_section",
 * "mismatched_section", "bad_tag". SM_ERR_LIMIT when out's cap is hit or
 * sections nest deeper than NOTICE_RENDER_MAX_DEPTH. */
SM_NODISCARD enum sm_err notice_render(const char *tmpl, const json_t *vars,
                                       struct buf *out, struct sm_diag *diag);

/* borrowed: 黄色, 橙色, 红色, or 无 for LEVEL_NONE */
const char *notice_level_text(enum level l);

/* Reads <dir>/<kind>.txt into out (kind: [a-z_]+). SM_ERR_NOTFOUND when
 * there is no such template, SM_ERR_LIMIT beyond NOTICE_TEMPLATE_MAX_LEN. */
SM_NODISCARD enum sm_err notice_template_load(const char *dir, const char *kind,
                                              struct buf *out,
                                              struct sm_diag *diag);

/* Renders the template text tmpl (of kind, which names it in diag): its
 * first line becomes subject, the rest (after one blank line) becomes body.
 * Both are appended to. Errors as notice_render, and "no_body". */
SM_NODISCARD enum sm_err
notice_render_text(const char *tmpl, const char *kind, const json_t *vars,
                   struct buf *subject, struct buf *body, struct sm_diag *diag);

/* Loads the template of kind from dir and renders it (notice_render_text). */
SM_NODISCARD enum sm_err
notice_render_kind(const char *dir, const char *kind, const json_t *vars,
                   struct buf *subject, struct buf *body, struct sm_diag *diag);

/* A set of templates read once, so that sending a notice reads no file. */
struct notice_templates;
#define NOTICE_TEMPLATES_MAX 32

/* new (*out): reads <dir>/<kind>.txt for every kind of kinds (NULL-ended).
 * A kind without a file is left out of the set (notice_templates_get gives
 * NULL for it). Any other failure (bad kind, too long, unreadable) stops the
 * load with diag, and *out is untouched. Texts are not checked here. */
SM_NODISCARD enum sm_err notice_templates_load(const char *dir,
                                               const char *const *kinds,
                                               struct notice_templates **out,
                                               struct sm_diag *diag);
/* borrowed: the text of kind's template, NULL when the set has none */
const char *notice_templates_get(const struct notice_templates *t,
                                 const char *kind);
/* borrowed: the directory the set was read from ("" for NULL) */
const char *notice_templates_dir(const struct notice_templates *t);
/* NULL is a no-op. */
void notice_templates_free(struct notice_templates *t);

#endif
