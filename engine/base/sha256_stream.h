#ifndef SM_BASE_SHA256_STREAM_H
#define SM_BASE_SHA256_STREAM_H

#include <stddef.h>

/* SHA-256 over data fed in pieces (a digest over many rows without
 * holding them all in memory). */
struct sm_sha256_stream;

/* new: a stream ready for data; NULL when libcrypto cannot give one. */
struct sm_sha256_stream *sm_sha256_stream_new(void);
void sm_sha256_stream_add(struct sm_sha256_stream *h, const void *data, size_t len);
/* The digest of everything added, as 64 lowercase hex characters plus NUL;
 * frees h. */
void sm_sha256_stream_finish(struct sm_sha256_stream *h, char hex[65]);
/* Frees h without a digest (NULL is fine). */
void sm_sha256_stream_free(struct sm_sha256_stream *h);

#endif
