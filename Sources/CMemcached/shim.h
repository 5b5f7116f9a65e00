#ifndef OIDC_FCGI_CMEMCACHED_SHIM_H
#define OIDC_FCGI_CMEMCACHED_SHIM_H
#include <libmemcached/memcached.h>
#include <libmemcachedutil-1.0/util.h>
#endif
