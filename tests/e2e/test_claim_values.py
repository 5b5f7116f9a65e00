"""Claim values from the provider cannot inject headers or smuggle raw bytes
into the identity headers the application receives."""

from harness.login import browser


def test_crlf_in_a_claim_does_not_inject_a_header(stack):
    sub = stack.new_user()
    stack.provider.set_user(
        sub, {"email": f"{sub}@example.test", "name": "Eve\r\nX-Injected: yes\r\nX-Remote-User: admin"}
    )
    session = browser()
    stack.log_in(session, sub)
    request = stack.upstream.received()[-1]
    assert request.header("X-Injected") is None
    assert request.header_values("X-Remote-User") == [sub]
    for value in request.header_values("X-Remote-Name"):
        assert "\r" not in value and "\n" not in value


def test_non_ascii_claim_arrives_as_ascii(stack):
    sub = stack.new_user()
    stack.provider.set_user(sub, {"email": f"{sub}@example.test", "name": "Zoë Ōsaka 日本"})
    session = browser()
    stack.log_in(session, sub)
    request = stack.upstream.received()[-1]
    assert request.header_values("X-Remote-User") == [sub]
    for value in request.header_values("X-Remote-Name"):
        assert value.isascii(), f"raw non-ASCII bytes in a header: {value!r}"
