#ifndef OIDC_FCGI_CFASTCGI_SHIM_H
#define OIDC_FCGI_CFASTCGI_SHIM_H
#include <fcgiapp.h>
#include <fastcgi.h>

/* accept4(2) with SOCK_CLOEXEC: the connection and its close-on-exec flag in
   one system call. glibc declares accept4 only under _GNU_SOURCE, which the
   system modules are not built with; the symbol is always there. */
struct sockaddr;
extern int accept4(int fd, struct sockaddr *address, unsigned int *length, int flags);
static inline int oidc_fcgi_accept_cloexec(int fd, struct sockaddr *address, unsigned int *length) {
    return accept4(fd, address, length, 02000000 /* SOCK_CLOEXEC on Linux */);
}
#endif
