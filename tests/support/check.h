#ifndef SM_TESTS_CHECK_H
#define SM_TESTS_CHECK_H

/* A minimal unit-test harness: each test is a function; CHECK records a
 * failure with file:line and goes on; the run ends with the plain closing
 * line "N passed, N failed". */
#include <math.h>
#include <stdio.h>
#include <string.h>

static int check_failures_in_test;

#define CHECK(cond)                                                          \
    do {                                                                     \
        if (!(cond)) {                                                       \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, \
                    #cond);                                                  \
            check_failures_in_test++;                                        \
        }                                                                    \
    } while (0)

#define CHECK_INT(a, b)                                                      \
    do {                                                                     \
        long long check_a_ = (long long)(a), check_b_ = (long long)(b);      \
        if (check_a_ != check_b_) {                                          \
            fprintf(stderr, "%s:%d: %s == %lld, expected %lld\n", __FILE__,  \
                    __LINE__, #a, check_a_, check_b_);                       \
            check_failures_in_test++;                                        \
        }                                                                    \
    } while (0)

#define CHECK_STR(a, b)                                                      \
    do {                                                                     \
        const char *check_a_ = (a), *check_b_ = (b);                         \
        if (!check_a_ || !check_b_ || strcmp(check_a_, check_b_) != 0) {     \
            fprintf(stderr, "%s:%d: %s == \"%s\", expected \"%s\"\n",        \
                    __FILE__, __LINE__, #a, check_a_ ? check_a_ : "(null)",  \
                    check_b_ ? check_b_ : "(null)");                         \
            check_failures_in_test++;                                        \
        }                                                                    \
    } while (0)

#define CHECK_NEAR(a, b, eps)                                                \
    do {                                                                     \
        double check_a_ = (a), check_b_ = (b);                               \
        if (fabs(check_a_ - check_b_) > (eps)) {                             \
            fprintf(stderr, "%s:%d: %s == %g, expected %g\n", __FILE__,      \
                    __LINE__, #a, check_a_, check_b_);                       \
            check_failures_in_test++;                                        \
        }                                                                    \
    } while (0)

struct check_case {
    const char *name;
    void (*fn)(void);
};

#define CHECK_CASE(f) { #f, f }

static inline int
check_run(const struct check_case *cases, size_t n)
{
    int passed = 0, failed = 0;

    for (size_t i = 0; i < n; i++) {
        check_failures_in_test = 0;
        cases[i].fn();
        if (check_failures_in_test) {
            fprintf(stderr, "FAIL %s\n", cases[i].name);
            failed++;
        } else {
            printf("ok   %s\n", cases[i].name);
            passed++;
        }
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}

#define CHECK_MAIN(...)                                                      \
    int main(void)                                                           \
    {                                                                        \
        static const struct check_case cases[] = { __VA_ARGS__ };            \
        return check_run(cases, sizeof(cases) / sizeof(cases[0]));           \
    }

#endif
