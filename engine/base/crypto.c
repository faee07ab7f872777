/* Hashes, HMAC and randomness from OpenSSL's libcrypto and the kernel. */
#include "base/crypto.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/random.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

void
sm_hex(const unsigned char *md, size_t n, char *hex)
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < n; i++) {
        hex[2 * i] = digits[md[i] >> 4];
        hex[2 * i + 1] = digits[md[i] & 15];
    }
    hex[2 * n] = '\0';
}

static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

/* OpenSSL 3's one-shot SHA256() looks the algorithm up on every call (half
 * of its cost for a token or an audit row); fetched once, kept for the life
 * of the process */
static void
fetch_sha256(void)
{
    sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

void
sm_sha256(const void *data, size_t len, unsigned char md[32])
{
    pthread_once(&sha256_once, fetch_sha256);
    if (!sha256_md || !EVP_Digest(data, len, md, NULL, sha256_md, NULL))
        SHA256(data, len, md);
}

void
sm_sha256_hex(const void *data, size_t len, char hex[65])
{
    unsigned char md[SHA256_DIGEST_LENGTH];

    sm_sha256(data, len, md);
    sm_hex(md, sizeof(md), hex);
}

void
sm_hmac_sha256_hex(const void *key, size_t key_len, const void *data,
                   size_t len, char hex[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;

    HMAC(EVP_sha256(), key, (int)key_len, data, len, md, &md_len);
    sm_hex(md, md_len, hex);
}

bool
sm_random_bytes(void *p, size_t n)
{
    unsigned char *c = p;

    while (n > 0) {
        ssize_t r = getrandom(c, n, 0);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        c += r;
        n -= (size_t)r;
    }
    return true;
}

bool
sm_ct_equal(const void *a, const void *b, size_t n)
{
    return CRYPTO_memcmp(a, b, n) == 0;
}

void
sm_base64url(const unsigned char *in, size_t n, char *out)
{
    static const char tbl[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    size_t o = 0, i = 0;

    for (; i + 2 < n; i += 3) {
        unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 | in[i + 2];
        out[o++] = tbl[v >> 18 & 63];
        out[o++] = tbl[v >> 12 & 63];
        out[o++] = tbl[v >> 6 & 63];
        out[o++] = tbl[v & 63];
    }
    if (n - i == 1) {
        unsigned v = (unsigned)in[i] << 16;
        out[o++] = tbl[v >> 18 & 63];
        out[o++] = tbl[v >> 12 & 63];
    } else if (n - i == 2) {
        unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8;
        out[o++] = tbl[v >> 18 & 63];
        out[o++] = tbl[v >> 12 & 63];
        out[o++] = tbl[v >> 6 & 63];
    }
    out[o] = '\0';
}
