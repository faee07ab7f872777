/* list: Excel workbooks built here with libzip: shared strings with rich
 * text and phonetic runs, inline strings, numbers in exponent form,
 * skipped empty cells, rows numbered by the sheet, the zip-bomb cap. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>

#include "check.h"
#include "base/xalloc.h"
#include "list/import.h"

static const char WORKBOOK[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
    "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
    "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
    "<sheets><sheet name=\"清单\" sheetId=\"1\" r:id=\"rId7\"/>"
    "<sheet name=\"说明\" sheetId=\"2\" r:id=\"rId8\"/></sheets></workbook>";

static const char RELS[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId8\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet2.xml\"/>"
    "<Relationship Id=\"rId7\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"/xl/worksheets/sheet1.xml\"/>"
    "</Relationships>";

/* 0..13: the Chinese headers; 14: a name as rich text with a phonetic hint */
static const char SST[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
    "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
    "<si><t>统一社会信用代码</t></si><si><t>企业名称</t></si><si><t>乡镇</t></si>"
    "<si><t>行业</t></si><si><t>绩效等级</t></si><si><t>生产线/工序</t></si>"
    "<si><t>二氧化硫</t></si><si><t>氮氧化物</t></si><si><t>颗粒物</t></si>"
    "<si><t>挥发性有机物</t></si><si><t>正常生产负荷</t></si><si><t>黄色预警措施</t></si>"
    "<si><t>橙色预警措施</t></si><si><t>红色预警措施</t></si>"
    "<si><r><rPr><b/></rPr><t>绛县鑫达</t></r><r><t xml:space=\"preserve\">铸造有限公司</t></r>"
    "<rPh sb=\"0\" eb=\"2\"><t>JIANGXIAN</t></rPh></si>"
    "<si><t>铸造</t></si><si><t>B</t></si><si><t>停产</t></si>"
    "</sst>";

static const char *
cell_ref(int col, int row, char *buf)
{
    snprintf(buf, 16, "%c%d", 'A' + col, row);
    return buf;
}

/* the sheet: header row 1, data rows 3 and 4 (row 2 is absent), the
 * grade cell of row 4 given as a bad one when `bad_grade` */
static char *
make_sheet(int bad_grade)
{
    char *s = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&s, &n);
    char r[16];

    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
          "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>",
          f);
    fputs("<row r=\"1\">", f);
    for (int c = 0; c < 14; c++)
        fprintf(f, "<c r=\"%s\" t=\"s\"><v>%d</v></c>", cell_ref(c, 1, r), c);
    fputs("</row>", f);
    for (int row = 3; row <= 4; row++) {
        fprintf(f, "<row r=\"%d\">", row);
        fprintf(f, "<c r=\"A%d\" t=\"inlineStr\"><is><t>91140826MA0K20002K</t></is></c>", row);
        fprintf(f, "<c r=\"B%d\" t=\"s\"><v>14</v></c>", row);
        fprintf(f, "<c r=\"C%d\"><v>1.40826102E8</v></c>", row); /* town as a number */
        fprintf(f, "<c r=\"D%d\" t=\"s\"><v>15</v></c>", row);
        if (row == 4 && bad_grade)
            fprintf(f, "<c r=\"E%d\" t=\"str\"><f>X1</f><v>E</v></c>", row);
        else
            fprintf(f, "<c r=\"E%d\" t=\"s\"><v>16</v></c>", row);
        fprintf(f, "<c r=\"F%d\" t=\"inlineStr\"><is><r><t>%s</t></r></is></c>", row,
                row == 3 ? "熔炼线" : "涂装线");
        /* so2 (G) left out: an empty cell is skipped in the sheet */
        fprintf(f, "<c r=\"H%d\"><v>30</v></c><c r=\"I%d\"><v>%s</v></c>"
                   "<c r=\"J%d\"><v>8</v></c><c r=\"K%d\"><v>2000</v></c>",
                row, row, row == 3 ? "10.5" : "5", row, row);
        fprintf(f, "<c r=\"L%d\" t=\"inlineStr\"><is><t>限产10%%</t></is></c>", row);
        fprintf(f, "<c r=\"M%d\" t=\"inlineStr\"><is><t>限产20%%；错峰</t></is></c>", row);
        fprintf(f, "<c r=\"N%d\" t=\"s\"><v>17</v></c>", row);
        fputs("</row>", f);
    }
    fputs("</sheetData></worksheet>", f);
    fclose(f);
    return s;
}

static void
add_part(zip_t *z, const char *name, const char *text)
{
    char *copy = strdup(text);
    zip_source_t *src = zip_source_buffer(z, copy, strlen(copy), 1);

    CHECK(src != NULL);
    CHECK(zip_file_add(z, name, src, ZIP_FL_OVERWRITE | ZIP_FL_ENC_UTF_8) >= 0);
}

static void
write_xlsx(const char *path, int bad_grade, const char *sheet_override)
{
    int err = 0;
    zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &err);
    char *sheet = make_sheet(bad_grade);

    CHECK(z != NULL);
    if (!z) {
        free(sheet);
        return;
    }
    add_part(z, "[Content_Types].xml", "<Types/>");
    add_part(z, "xl/workbook.xml", WORKBOOK);
    add_part(z, "xl/_rels/workbook.xml.rels", RELS);
    add_part(z, "xl/sharedStrings.xml", SST);
    add_part(z, "xl/worksheets/sheet1.xml", sheet_override ? sheet_override : sheet);
    add_part(z, "xl/worksheets/sheet2.xml", "<worksheet/>");
    CHECK_INT(zip_close(z), 0);
    free(sheet);
}

static enum sm_err
collect(void *arg, const struct list_row *row)
{
    list_doc_add(arg, row);
    return SM_OK;
}

static void
test_xlsx_good(void)
{
    char path[] = "/tmp/smogd-xlsx-XXXXXX";
    int fd = mkstemp(path);
    struct list_import_opts o;
    struct list_report rep;
    struct list_diags d;
    struct list_doc doc;

    close(fd);
    write_xlsx(path, 0, NULL);
    list_import_opts_init(&o);
    o.county = "140826";
    o.format = LIST_FORMAT_AUTO; /* no .xlsx extension: found by content */
    list_doc_init(&doc);
    CHECK_INT(list_import_file(path, &o, collect, &doc, &rep, &d), SM_OK);
    CHECK_INT(d.error_total, 0);
    CHECK_INT(doc.count, 2);
    if (doc.count == 2) {
        CHECK_STR(doc.rows[0].name, "绛县鑫达铸造有限公司");
        CHECK_STR(doc.rows[0].town, "140826102");
        CHECK_STR(doc.rows[0].line, "熔炼线");
        CHECK_INT(doc.rows[0].grade, GRADE_B);
        CHECK_NEAR(doc.rows[0].so2, 0, 1e-9);
        CHECK_NEAR(doc.rows[0].pm, 10.5, 1e-9);
        CHECK_STR(doc.rows[0].measures[1].text, "错峰");
        CHECK_INT(doc.rows[0].source_line, 3);
        CHECK_INT(doc.rows[1].source_line, 4);
    }
    /* pm 15.5, reduced at yellow 10 % of it */
    CHECK_NEAR(rep.baseline_kg_day[LIST_PM], 15.5, 1e-9);
    CHECK_NEAR(rep.reduced_kg_day[0][LIST_PM], 1.55, 1e-9);
    list_doc_release(&doc);
    list_report_release(&rep);
    list_diags_release(&d);
    unlink(path);
}

static void
test_xlsx_errors_carry_sheet_rows(void)
{
    char path[] = "/tmp/smogd-xlsx-XXXXXX";
    int fd = mkstemp(path);
    struct list_import_opts o;
    struct list_report rep;
    struct list_diags d;
    char got[1024], want[1024];

    close(fd);
    write_xlsx(path, 1, NULL);
    list_import_opts_init(&o);
    o.county = "140826";
    o.format = LIST_FORMAT_XLSX;
    CHECK_INT(list_import_file(path, &o, NULL, NULL, &rep, &d), SM_ERR_INVAL);
    CHECK_INT(d.error_total, 1);
    if (d.error_count == 1) {
        snprintf(want, sizeof(want),
                 "%s:4: 绩效等级: \"E\" is not a grade: A, B, B-, C, D, 引领性, 非引领性 or 保障类",
                 path);
        CHECK_STR(list_diags_format(&d, &d.errors[0], got, sizeof(got)), want);
    }
    list_report_release(&rep);
    list_diags_release(&d);
    unlink(path);
}

static void
test_xlsx_caps_and_garbage(void)
{
    char path[] = "/tmp/smogd-xlsx-XXXXXX";
    int fd = mkstemp(path);
    struct list_import_opts o;
    struct list_report rep;
    struct list_diags d;
    char *big;
    size_t n = 4u << 20;

    close(fd);
    /* 4 MiB of whitespace compresses to a few KiB: a small zip bomb */
    big = malloc(n + 64);
    memset(big, ' ', n);
    memcpy(big + n, "<worksheet/>", 13);
    write_xlsx(path, 0, big);
    free(big);
    list_import_opts_init(&o);
    o.format = LIST_FORMAT_XLSX;
    o.max_part_bytes = 1u << 20;
    CHECK_INT(list_import_file(path, &o, NULL, NULL, &rep, &d), SM_ERR_LIMIT);
    CHECK_STR(d.errors[0].code, "xlsx_part_too_large");
    list_report_release(&rep);
    list_diags_release(&d);
    unlink(path);

    CHECK_INT(list_import_memory("PK\x03\x04garbage", 11, "x.xlsx", NULL, NULL,
                                 NULL, &rep, &d),
              SM_ERR_PARSE);
    CHECK_STR(d.errors[0].code, "xlsx_malformed");
    list_report_release(&rep);
    list_diags_release(&d);
}

/* a row number that is not a number is refused for what it is, not read
 * as the number it starts with */
static void
test_xlsx_row_number_not_a_number(void)
{
    char path[] = "/tmp/smogd-xlsx-XXXXXX";
    int fd = mkstemp(path);
    struct list_import_opts o;
    struct list_report rep;
    struct list_diags d;
    char *sheet = make_sheet(0), *bad;
    char *at = strstr(sheet, "<row r=\"3\">");

    close(fd);
    CHECK(at != NULL);
    bad = xasprintf("%.*s<row r=\"3x\">%s", (int)(at - sheet), sheet, at + strlen("<row r=\"3\">"));
    write_xlsx(path, 0, bad);
    list_import_opts_init(&o);
    o.format = LIST_FORMAT_XLSX;
    CHECK_INT(list_import_file(path, &o, NULL, NULL, &rep, &d), SM_ERR_PARSE);
    CHECK_STR(d.errors[0].code, "xlsx_malformed");
    CHECK(strstr(d.errors[0].text, "row number is not a number") != NULL);
    list_report_release(&rep);
    list_diags_release(&d);
    unlink(path);
    free(bad);
    free(sheet);
}

CHECK_MAIN(CHECK_CASE(test_xlsx_good), CHECK_CASE(test_xlsx_errors_carry_sheet_rows),
           CHECK_CASE(test_xlsx_caps_and_garbage), CHECK_CASE(test_xlsx_row_number_not_a_number))
