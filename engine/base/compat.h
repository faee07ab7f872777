#ifndef SM_BASE_COMPAT_H
#define SM_BASE_COMPAT_H

#define SM_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define SM_NODISCARD    __attribute__((warn_unused_result))
#define SM_NORETURN     __attribute__((noreturn))
#define SM_UNUSED       __attribute__((unused))
#define SM_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
