"""`set $oidc_auth_params "…";`: a location adds authorization request
parameters that shape the provider's sign-in page (prompt, ui_locales…) to
its logins; protocol parameters are refused as a configuration error."""

from urllib.parse import parse_qs, urlsplit

from harness.login import authorize_at_provider, browser, get, location


def test_a_locations_parameters_reach_the_provider_and_the_login_works(stack):
    session = browser()
    start = get(session, stack.url + "/localized/page")
    assert start.status_code == 302
    query = parse_qs(urlsplit(location(start)).query)
    assert query["ui_locales"] == ["de fr"] and query["prompt"] == ["login"]
    # The protocol's own parameters are untouched.
    assert query["redirect_uri"] == [stack.url + "/oidc/callback"] and query["code_challenge_method"] == ["S256"]
    answer = authorize_at_provider(session, location(start), sub=stack.new_user())
    assert get(session, location(answer)).status_code == 302
    assert get(session, stack.url + "/localized/page").status_code == 200


def test_a_protocol_parameter_is_a_configuration_error_not_a_login(stack):
    response = get(browser(), stack.url + "/bad-auth-params/x")
    assert response.status_code == 500, (response.status_code, response.headers)
    assert "Location" not in response.headers
    assert "OIDC_AUTH_PARAMS may not set" in stack.oidc.process.log_text()
