"""Many requests at once, from several users: everyone is served as
themselves (no identity mix-up between worker threads or store connections)."""

from concurrent.futures import ThreadPoolExecutor

from harness.login import browser, get


def test_parallel_requests_keep_identities_apart(stack):
    users = []
    for _ in range(4):
        sub = stack.new_user()
        session = browser()
        stack.log_in(session, sub)
        users.append((sub, session))

    def fetch(i):
        sub, session = users[i % len(users)]
        response = get(session, f"{stack.url}/who/{sub}/{i}", headers={"Accept": "application/json"})
        return sub, response.status_code, response.json() if response.status_code == 200 else response.text

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(fetch, range(120)))

    for sub, status, body in results:
        assert status == 200, body
        headers = {k.lower(): v for k, v in body["headers"]}
        assert headers["x-remote-user"] == sub, (sub, headers)
        assert body["path"].startswith(f"/who/{sub}/")
