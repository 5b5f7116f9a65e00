/*
 * bench/trivial-responder.c: the least an auth_request answer can cost.
 *
 * A FastCGI responder (libfcgi) that answers the auth subrequest of
 * nginx/oidc-fcgi-server.conf with "200 + X-Remote-User: bench" and nothing
 * else: no cookie parsing, no session, no crypto. bench/run puts it where
 * oidc-fcgi would be, behind the same include files, so the difference to
 * oidc-fcgi is what oidc-fcgi does for a request.
 *
 * Built with -DWITH_MEMCACHED (and -lmemcached), every auth answer first
 * does one memcached GET of a value about as large as a session record
 * (stored once at start): the floor for any design that keeps sessions in
 * memcached.
 *
 *     trivial-responder SOCKET_PATH [THREADS] [MEMCACHED_HOST:PORT]
 *
 * THREADS (default 4) threads each call FCGX_Accept_r on the one listening
 * socket. Any OIDC_ACTION other than "auth" (the login, unavailable and
 * forbidden locations) and a failed memcached GET are answered 503, so a
 * benchmark that reaches them counts an error instead of a 200.
 */

#include <fcgiapp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef WITH_MEMCACHED
#include <libmemcached/memcached.h>
#define VALUE_BYTES 1300
static const char *memcached_address;
static const char key[] = "bench:trivial-responder:session";
#endif

static int listen_socket;

static const char ok[] = "Status: 200 OK\r\nX-Remote-User: bench\r\n\r\n";
static const char refused[] = "Status: 503 Service Unavailable\r\nContent-Type: text/plain\r\n\r\nnot an auth request\n";

#ifdef WITH_MEMCACHED
static const char store_failed[] = "Status: 503 Service Unavailable\r\nContent-Type: text/plain\r\n\r\nmemcached GET failed\n";

static memcached_st *connect_memcached(void) {
    char config[256];
    const char *colon = strrchr(memcached_address, ':');
    if (!colon) {
        fprintf(stderr, "memcached address must be HOST:PORT, got %s\n", memcached_address);
        exit(2);
    }
    snprintf(config, sizeof config, "--SERVER=%.*s:%s --TCP-NODELAY --CONNECT-TIMEOUT=500",
             (int)(colon - memcached_address), memcached_address, colon + 1);
    memcached_st *mc = memcached(config, strlen(config));
    if (!mc) {
        fprintf(stderr, "cannot configure libmemcached with %s\n", config);
        exit(2);
    }
    return mc;
}

/* One GET of the session-sized value; 1 when it came back whole. */
static int fetch_session(memcached_st *mc) {
    size_t length = 0;
    uint32_t flags = 0;
    memcached_return_t rc;
    char *value = memcached_get(mc, key, sizeof key - 1, &length, &flags, &rc);
    int whole = value != NULL && rc == MEMCACHED_SUCCESS && length == VALUE_BYTES;
    free(value);
    return whole;
}

static void store_session(void) {
    memcached_st *mc = connect_memcached();
    char value[VALUE_BYTES];
    for (size_t i = 0; i < sizeof value; i++) value[i] = (char)('A' + i % 26);
    memcached_return_t rc = memcached_set(mc, key, sizeof key - 1, value, sizeof value, 0, 0);
    if (rc != MEMCACHED_SUCCESS) {
        fprintf(stderr, "memcached SET at %s failed: %s\n", memcached_address, memcached_strerror(mc, rc));
        exit(2);
    }
    memcached_free(mc);
}
#endif

static void *serve(void *unused) {
    (void)unused;
    FCGX_Request request;
    if (FCGX_InitRequest(&request, listen_socket, 0) != 0) {
        fprintf(stderr, "FCGX_InitRequest failed\n");
        exit(1);
    }
#ifdef WITH_MEMCACHED
    memcached_st *mc = connect_memcached();
#endif
    while (FCGX_Accept_r(&request) >= 0) {
        const char *action = FCGX_GetParam("OIDC_ACTION", request.envp);
        const char *answer = ok;
        if (!action || strcmp(action, "auth") != 0) {
            answer = refused;
        }
#ifdef WITH_MEMCACHED
        else if (!fetch_session(mc)) {
            answer = store_failed;
        }
#endif
        FCGX_PutStr(answer, (int)strlen(answer), request.out);
        FCGX_Finish_r(&request);
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s SOCKET_PATH [THREADS] [MEMCACHED_HOST:PORT]\n", argv[0]);
        return 2;
    }
    const char *path = argv[1];
    int threads = argc > 2 ? atoi(argv[2]) : 4;
    if (threads < 1 || threads > 256) {
        fprintf(stderr, "THREADS must be 1-256\n");
        return 2;
    }
#ifdef WITH_MEMCACHED
    if (argc < 4) {
        fprintf(stderr, "built WITH_MEMCACHED: give the memcached HOST:PORT\n");
        return 2;
    }
    memcached_address = argv[3];
    store_session();
#endif
    signal(SIGPIPE, SIG_IGN);
    if (FCGX_Init() != 0) {
        fprintf(stderr, "FCGX_Init failed\n");
        return 1;
    }
    unlink(path);
    listen_socket = FCGX_OpenSocket(path, 256);
    if (listen_socket < 0) {
        fprintf(stderr, "cannot listen on %s\n", path);
        return 1;
    }
    chmod(path, 0666); /* nginx's workers run as another user */

    pthread_t *workers = calloc((size_t)threads, sizeof *workers);
    for (int i = 0; i < threads; i++) {
        if (pthread_create(&workers[i], NULL, serve, NULL) != 0) {
            fprintf(stderr, "pthread_create failed\n");
            return 1;
        }
    }
    fprintf(stderr, "listening on %s with %d threads\n", path, threads);
    for (int i = 0; i < threads; i++) pthread_join(workers[i], NULL);
    return 0;
}
