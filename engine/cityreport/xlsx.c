/* A report as an Office Open XML workbook, written in memory with libzip:
 * the smallest package Excel, WPS and LibreOffice open (content types,
 * relationships, workbook, minimal styles, one sheet per part, inline
 * strings so no shared-string table is needed). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zip.h>

#include "base/xalloc.h"
#include "cityreport/cityreport_int.h"

#define XLSX_PART_MAX (64u * 1024 * 1024)
#define NS_MAIN "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#define NS_REL  "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#define NS_PKG  "http://schemas.openxmlformats.org/package/2006/relationships"
#define XML_DECL "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"

static const char *const sheet_names[] = { "报告", "违规企业", "时间线" };

static const char content_types_head[] =
    XML_DECL "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
             "<Default Extension=\"rels\" "
             "ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
             "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
             "<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/"
             "vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"
             "<Override PartName=\"/xl/styles.xml\" ContentType=\"application/"
             "vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>";

static const char root_rels[] =
    XML_DECL "<Relationships xmlns=\"" NS_PKG "\"><Relationship Id=\"rId1\" "
             "Type=\"" NS_REL "/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>";

static const char styles[] =
    XML_DECL "<styleSheet xmlns=\"" NS_MAIN "\">"
             "<fonts count=\"2\"><font><sz val=\"11\"/><name val=\"宋体\"/></font>"
             "<font><b/><sz val=\"11\"/><name val=\"宋体\"/></font></fonts>"
             "<fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill>"
             "<fill><patternFill patternType=\"gray125\"/></fill></fills>"
             "<borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border>"
             "</borders><cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" "
             "borderId=\"0\"/></cellStyleXfs><cellXfs count=\"2\"><xf numFmtId=\"0\" "
             "fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/><xf numFmtId=\"0\" "
             "fontId=\"1\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyFont=\"1\"/></cellXfs>"
             "</styleSheet>";

/* Text as XML character data; control characters XML 1.0 forbids are
 * dropped. */
static bool
xml_text(struct buf *b, const char *s)
{
    bool ok = true;

    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p && ok; p++) {
        if (*p == '&')
            ok = buf_addstr(b, "&amp;");
        else if (*p == '<')
            ok = buf_addstr(b, "&lt;");
        else if (*p == '>')
            ok = buf_addstr(b, "&gt;");
        else if (*p == '"')
            ok = buf_addstr(b, "&quot;");
        else if (*p >= 0x20 || *p == '\t' || *p == '\n' || *p == '\r')
            ok = buf_add(b, p, 1);
    }
    return ok;
}

static void
col_name(int col, char out[8])
{
    char rev[8];
    int n = 0, k = 0;

    for (col++; col > 0 && n < 7; col = (col - 1) / 26)
        rev[n++] = (char)('A' + (col - 1) % 26);
    while (n > 0)
        out[k++] = rev[--n];
    out[k] = '\0';
}

struct sheet {
    struct buf b;
    int row;
    bool ok;
};

static void
put_cell(struct sheet *sh, int col, const json_t *v, int style)
{
    char ref[16], name[8];

    col_name(col, name);
    snprintf(ref, sizeof(ref), "%s%d", name, sh->row);
    if (json_is_integer(v))
        sh->ok = sh->ok && buf_printf(&sh->b, "<c r=\"%s\" s=\"%d\"><v>%lld</v></c>", ref, style,
                                      (long long)json_integer_value(v));
    else if (json_is_real(v))
        sh->ok = sh->ok && buf_printf(&sh->b, "<c r=\"%s\" s=\"%d\"><v>%.10g</v></c>", ref, style,
                                      json_real_value(v));
    else if (json_is_string(v))
        sh->ok = sh->ok &&
                 buf_printf(&sh->b, "<c r=\"%s\" s=\"%d\" t=\"inlineStr\"><is><t xml:space=\"preserve\">",
                            ref, style) &&
                 xml_text(&sh->b, json_string_value(v)) && buf_addstr(&sh->b, "</t></is></c>");
}

static void
put_row(struct sheet *sh, const json_t *cells, int style)
{
    const json_t *v;
    size_t i;

    sh->row++;
    sh->ok = sh->ok && buf_printf(&sh->b, "<row r=\"%d\">", sh->row);
    json_array_foreach(cells, i, v) put_cell(sh, (int)i, v, style);
    sh->ok = sh->ok && buf_addstr(&sh->b, "</row>");
}

static void
put_table(struct sheet *sh, const json_t *t, bool caption)
{
    const json_t *row;
    size_t i;

    if (caption) {
        json_t *c = json_pack("[O]", json_object_get(t, "caption"));
        put_row(sh, c, 1);
        json_decref(c);
    }
    put_row(sh, json_object_get(t, "header"), 1);
    json_array_foreach(json_object_get(t, "rows"), i, row) put_row(sh, row, 0);
}

static void
sheet_begin(struct sheet *sh)
{
    buf_init(&sh->b, XLSX_PART_MAX);
    sh->row = 0;
    sh->ok = buf_addstr(&sh->b, XML_DECL "<worksheet xmlns=\"" NS_MAIN "\"><sheetData>");
}

static bool
sheet_end(struct sheet *sh)
{
    return sh->ok && buf_addstr(&sh->b, "</sheetData></worksheet>");
}

/* Adds a part; the bytes are copied (libzip frees its copy). */
static bool
add_part(zip_t *za, const char *name, const char *data, size_t len)
{
    void *copy = xmalloc(len ? len : 1);
    zip_source_t *src;

    memcpy(copy, data, len);
    src = zip_source_buffer(za, copy, len, 1);
    if (!src) {
        free(copy);
        return false;
    }
    if (zip_file_add(za, name, src, ZIP_FL_ENC_UTF_8) < 0) {
        zip_source_free(src);
        return false;
    }
    return true;
}

static bool
add_text(zip_t *za, const char *name, const char *text)
{
    return add_part(za, name, text, strlen(text));
}

/* Writes the package parts naming sheets 1..n. */
static bool
add_package(zip_t *za, int n)
{
    struct buf ct, wb, rels;
    bool ok;

    buf_init(&ct, 0);
    buf_init(&wb, 0);
    buf_init(&rels, 0);
    ok = buf_addstr(&ct, content_types_head) &&
         buf_addstr(&wb, XML_DECL "<workbook xmlns=\"" NS_MAIN "\" xmlns:r=\"" NS_REL
                             "\"><sheets>") &&
         buf_addstr(&rels, XML_DECL "<Relationships xmlns=\"" NS_PKG "\">");
    for (int i = 1; ok && i <= n; i++)
        ok = buf_printf(&ct,
                        "<Override PartName=\"/xl/worksheets/sheet%d.xml\" ContentType=\"application/"
                        "vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>",
                        i) &&
             buf_printf(&wb, "<sheet name=\"%s\" sheetId=\"%d\" r:id=\"rId%d\"/>",
                        sheet_names[i - 1], i, i) &&
             buf_printf(&rels,
                        "<Relationship Id=\"rId%d\" Type=\"" NS_REL
                        "/worksheet\" Target=\"worksheets/sheet%d.xml\"/>",
                        i, i);
    ok = ok &&
         buf_printf(&rels, "<Relationship Id=\"rId%d\" Type=\"" NS_REL
                           "/styles\" Target=\"styles.xml\"/></Relationships>",
                    n + 1) &&
         buf_addstr(&ct, "</Types>") && buf_addstr(&wb, "</sheets></workbook>");
    ok = ok && add_text(za, "[Content_Types].xml", ct.data) &&
         add_text(za, "_rels/.rels", root_rels) && add_text(za, "xl/workbook.xml", wb.data) &&
         add_text(za, "xl/_rels/workbook.xml.rels", rels.data) &&
         add_text(za, "xl/styles.xml", styles);
    buf_release(&ct);
    buf_release(&wb);
    buf_release(&rels);
    return ok;
}

static bool
add_sheets(zip_t *za, const json_t *report)
{
    json_t *lay = cityreport_layout(report);
    const json_t *t;
    struct sheet sh[3];
    bool ok = true;
    size_t i;

    for (int k = 0; k < 3; k++)
        sheet_begin(&sh[k]);
    {
        json_t *title = json_pack("[s]", json_string_value(json_object_get(report, "title")));
        put_row(&sh[0], title, 1);
        json_decref(title);
    }
    json_array_foreach(json_object_get(lay, "main"), i, t) {
        sh[0].row++; /* a blank row between tables */
        put_table(&sh[0], t, true);
    }
    put_table(&sh[1], json_object_get(lay, "violations"), false);
    put_table(&sh[2], json_object_get(lay, "timeline"), false);
    for (int k = 0; k < 3; k++) {
        char name[40];
        snprintf(name, sizeof(name), "xl/worksheets/sheet%d.xml", k + 1);
        ok = ok && sheet_end(&sh[k]) && add_part(za, name, sh[k].b.data, sh[k].b.len);
        buf_release(&sh[k].b);
    }
    json_decref(lay);
    return ok && add_package(za, 3);
}

enum sm_err
cityreport_xlsx(const json_t *report, unsigned char **data, size_t *len)
{
    zip_error_t ze;
    zip_source_t *src;
    zip_t *za;
    zip_stat_t st;
    enum sm_err err = SM_ERR_IO;

    *data = NULL;
    *len = 0;
    zip_error_init(&ze);
    src = zip_source_buffer_create(NULL, 0, 0, &ze);
    if (!src)
        goto out;
    za = zip_open_from_source(src, ZIP_TRUNCATE, &ze);
    if (!za) {
        zip_source_free(src);
        goto out;
    }
    zip_source_keep(src); /* survives zip_close: it then holds the archive */
    if (!add_sheets(za, report)) {
        zip_discard(za);
        zip_source_free(src);
        goto out;
    }
    if (zip_close(za) < 0) {
        zip_discard(za);
        zip_source_free(src);
        goto out;
    }
    if (zip_source_stat(src, &st) == 0 && (st.valid & ZIP_STAT_SIZE) &&
        zip_source_open(src) == 0) {
        *data = xmalloc(st.size ? st.size : 1);
        if (zip_source_read(src, *data, st.size) == (zip_int64_t)st.size) {
            *len = st.size;
            err = SM_OK;
        } else {
            free(*data);
            *data = NULL;
        }
        zip_source_close(src);
    }
    zip_source_free(src);
out:
    zip_error_fini(&ze);
    return err;
}
