/* Incremental SHA-256 through OpenSSL's EVP interface. */
#include "base/sha256_stream.h"

#include <openssl/evp.h>

#include "base/crypto.h"

struct sm_sha256_stream *
sm_sha256_stream_new(void)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();

    if (!ctx)
        return NULL;
    if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(ctx);
        return NULL;
    }
    /* the context is the whole state: hand it out as the opaque type */
    return (struct sm_sha256_stream *)ctx;
}

void
sm_sha256_stream_add(struct sm_sha256_stream *h, const void *data, size_t len)
{
    if (len)
        (void)EVP_DigestUpdate((EVP_MD_CTX *)h, data, len);
}

void
sm_sha256_stream_finish(struct sm_sha256_stream *h, char hex[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;

    if (EVP_DigestFinal_ex((EVP_MD_CTX *)h, md, &n) != 1 || n != 32)
        n = 0;
    sm_hex(md, n, hex);
    EVP_MD_CTX_free((EVP_MD_CTX *)h);
}

void
sm_sha256_stream_free(struct sm_sha256_stream *h)
{
    EVP_MD_CTX_free((EVP_MD_CTX *)h);
}
