#ifndef OIDC_FCGI_CFASTCGI_SHIM_H
#define OIDC_FCGI_CFASTCGI_SHIM_H
#include <fcgiapp.h>
#include <fastcgi.h>
#endif
