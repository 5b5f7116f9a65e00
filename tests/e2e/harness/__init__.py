"""Real servers for the end-to-end tests and the demo: memcached, the test
identity provider, an echo upstream, oidc-fcgi and nginx, each started as a
process on 127.0.0.1 with bounded readiness waits and stopped by PID."""
