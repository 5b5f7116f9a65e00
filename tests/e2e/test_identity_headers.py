"""A client cannot claim an identity by sending the identity headers itself."""

from harness.login import API_HEADERS, browser, get, is_redirect_to

FORGED = {
    "X-Remote-User": "admin",
    "X-Remote-Email": "admin@example.test",
    "X-Remote-Name": "Administrator",
}


def forged_seen(request) -> list[str]:
    values = []
    for name in ("X-Remote-User", "X-Remote-Email", "X-Remote-Name", "X_Remote_User"):
        values += request.header_values(name)
    return [v for v in values if v in FORGED.values()]


def test_forged_user_without_session_is_sent_to_login(stack):
    before = stack.upstream.count()
    response = get(browser(), stack.url + "/admin", headers={**FORGED, "X_Remote_User": "admin"})
    assert is_redirect_to(response, stack.authorization_endpoint())
    assert stack.upstream.count() == before, "the application must not be reached"


def test_forged_user_api_request_without_session_is_refused(stack):
    before = stack.upstream.count()
    response = get(browser(), stack.url + "/admin", headers={**API_HEADERS, **FORGED})
    assert response.status_code == 401
    assert stack.upstream.count() == before


def test_forged_user_with_session_is_replaced_by_the_real_one(stack):
    sub = stack.new_user()
    session = browser()
    stack.log_in(session, sub)
    response = get(session, stack.url + "/admin", headers={**FORGED, "X_Remote_User": "admin"})
    assert response.status_code == 200
    request = stack.upstream.received()[-1]
    assert request.header_values("X-Remote-User") == [sub]
    assert request.header_values("X-Remote-Email") == [f"{sub}@example.test"]
    assert forged_seen(request) == []


def test_a_claim_the_user_lacks_is_not_filled_from_the_client(stack):
    sub = "noname-" + stack.new_user()[5:]
    stack.provider.set_user(sub, {"email": f"{sub}@example.test"})  # no name claim
    session = browser()
    stack.log_in(session, sub)
    response = get(session, stack.url + "/me", headers=FORGED)
    assert response.status_code == 200
    request = stack.upstream.received()[-1]
    assert request.header_values("X-Remote-User") == [sub]
    assert "Administrator" not in request.header_values("X-Remote-Name")
    assert forged_seen(request) == []


def test_public_area_does_not_pass_forged_identity(stack):
    response = get(browser(), stack.url + "/public/x", headers=FORGED)
    assert response.status_code == 200
    assert forged_seen(stack.upstream.received()[-1]) == []
