#ifndef SM_LIST_COLUMNS_H
#define SM_LIST_COLUMNS_H

/* The contract's list columns (§5) and the header names that denote them. */
enum list_column {
    LIST_COL_USCC,
    LIST_COL_NAME,
    LIST_COL_TOWN,
    LIST_COL_INDUSTRY,
    LIST_COL_GRADE,
    LIST_COL_LINE,
    LIST_COL_SO2,
    LIST_COL_NOX,
    LIST_COL_PM,
    LIST_COL_VOCS,
    LIST_COL_POWER_KW,
    LIST_COL_YELLOW,
    LIST_COL_ORANGE,
    LIST_COL_RED,
    LIST_COL_COUNT
};

/* The column a header names, or -1. Matching ignores surrounding blanks,
 * ASCII case and a trailing unit in brackets ("SO2 (kg/d)", "排放量（kg/天）"). */
int list_column_lookup(const char *header);
/* English key ("uscc", ..., "power_kw", "yellow") */
const char *list_column_key(enum list_column c);
/* The contract's Chinese name ("统一社会信用代码", ...) */
const char *list_column_zh(enum list_column c);

#endif
