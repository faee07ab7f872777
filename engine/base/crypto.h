#ifndef SM_BASE_CRYPTO_H
#define SM_BASE_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>

#include "base/compat.h"

#define SM_SHA256_HEX_LEN 64

/* n bytes as 2n lowercase hex characters plus NUL into hex[2n+1]. */
void sm_hex(const unsigned char *md, size_t n, char *hex);
/* SHA-256 of data into md[32]. */
void sm_sha256(const void *data, size_t len, unsigned char md[32]);
/* SHA-256 of data as 64 lowercase hex characters plus NUL into hex[65]. */
void sm_sha256_hex(const void *data, size_t len, char hex[65]);
/* HMAC-SHA256(key, data) as hex into hex[65]. */
void sm_hmac_sha256_hex(const void *key, size_t key_len, const void *data,
                        size_t len, char hex[65]);
/* Fills p with n bytes from the kernel's CSPRNG; false on failure. */
SM_NODISCARD bool sm_random_bytes(void *p, size_t n);
/* Constant-time equality of two equal-length buffers. */
bool sm_ct_equal(const void *a, const void *b, size_t n);
/* base64url without padding; out needs 4*ceil(n/3)+1 bytes. */
void sm_base64url(const unsigned char *in, size_t n, char *out);

#endif
