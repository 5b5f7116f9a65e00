#ifndef OIDC_FCGI_CJOSE_SHIM_H
#define OIDC_FCGI_CJOSE_SHIM_H
#include <cjose/cjose.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#endif
