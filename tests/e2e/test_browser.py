"""The same login in a real browser: headless Chromium types a user name into
the provider's form and ends on the protected page as that user."""

import shutil

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from harness.oidc_fcgi import SESSION_COOKIE

CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
WAIT = 15


@pytest.fixture
def driver(tmp_path):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--no-first-run", "--window-size=1200,900", f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(arg)
    service = Service(executable_path=CHROMEDRIVER, log_output=str(tmp_path / "chromedriver.log"))
    d = webdriver.Chrome(options=options, service=service)
    d.set_page_load_timeout(WAIT)
    try:
        yield d
    finally:
        d.quit()


# The browser's own behaviour (form, redirects, cookies) does not depend on
# the session store: run it against the memory-store stack only.
@pytest.mark.parametrize("stack", ["memory"], indirect=True)
def test_login_in_chromium(stack, driver):
    sub = stack.new_user()
    driver.get(stack.url + "/dashboard?tab=1")

    # At the provider's login form.
    WebDriverWait(driver, WAIT).until(EC.presence_of_element_located((By.NAME, "sub")))
    assert driver.current_url.startswith(stack.authorization_endpoint())
    field = driver.find_element(By.NAME, "sub")
    field.send_keys(sub)
    field.submit()

    # Back on the protected page, shown by the application, as the user.
    WebDriverWait(driver, WAIT).until(EC.presence_of_element_located((By.ID, "echo")))
    assert driver.current_url == stack.url + "/dashboard?tab=1"
    assert driver.find_element(By.ID, "user").text == sub
    echo = driver.find_element(By.ID, "echo").text
    assert f'"X-Remote-User", "{sub}"' in echo.replace("\n", "").replace("  ", "") or sub in echo
    request = stack.upstream.received()[-1]
    assert request.header("X-Remote-User") == sub
    assert request.header("X-Remote-Email") == f"{sub}@example.test"

    # The session cookie is HttpOnly: page scripts cannot read it.
    assert SESSION_COOKIE not in driver.execute_script("return document.cookie")
    cookie = driver.get_cookie(SESSION_COOKIE)
    assert cookie and cookie["httpOnly"] and cookie.get("sameSite") in ("Lax", "Strict")

    # Reloading stays logged in without visiting the provider.
    driver.get(stack.url + "/other")
    WebDriverWait(driver, WAIT).until(EC.presence_of_element_located((By.ID, "user")))
    assert driver.find_element(By.ID, "user").text == sub
