"""The console in headless Chromium (run by scripts/console-check, which starts the server).

Arguments: the server's base URL, a fresh Chromium profile directory, and a directory for
screenshots (empty: none). Exits non-zero with the failing step's message.
"""

import http.server
import json
import sys
import threading
import time
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

BASE, PROFILE, SHOTS = sys.argv[1], sys.argv[2], sys.argv[3]
ADMIN = ("CONSOLE-ADMIN", "console-admin-secret-0123")


class Receiver(http.server.BaseHTTPRequestHandler):
    """A webhook receiver that answers 500 until told otherwise."""

    failing = True
    received = 0

    def do_POST(self):  # noqa: N802 (http.server's name)
        self.rfile.read(int(self.headers.get("content-length", 0)))
        Receiver.received += 1
        self.send_response(500 if Receiver.failing else 200)
        self.end_headers()

    def log_message(self, *args):
        pass


def api(method, path, body=None, token=None, form=None):
    data, headers = None, {}
    if form is not None:
        data = "&".join(f"{k}={v}" for k, v in form.items()).encode()
        headers["content-type"] = "application/x-www-form-urlencoded"
    elif body is not None:
        data = json.dumps(body).encode()
        headers["content-type"] = "application/json"
    if token:
        headers["authorization"] = f"Bearer {token}"
    req = urllib.request.Request(BASE + path, data=data, method=method, headers=headers)
    with urllib.request.urlopen(req) as r:
        text = r.read()
        return json.loads(text) if text else None


def check(ok, what):
    if not ok:
        print(f"console-check: {what}", file=sys.stderr)
        sys.exit(1)


def main():
    receiver = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    hook = f"http://127.0.0.1:{receiver.server_address[1]}/hook"

    token = api("POST", "/oauth/token", form={"grant_type": "client_credentials", "client_id": ADMIN[0],
                                              "client_secret": ADMIN[1]})["access_token"]
    api("POST", "/v2/integrations", {"data": {
        "type": "integration", "name": "Order webhook", "enabled": True, "observes": ["order.created"],
        "integration_type": "webhook", "configuration": {"url": hook, "secret_key": "whsec_c2VjcmV0LXNlY3JldA"}}},
        token)
    tk = api("POST", "/cartwire/v1/tokens", {"kind": "private", "name": "storefront"}, token)["token"]
    order = api("POST", f"/api/orders?bearer_token={tk}",
                {"name": "<script>alert(1)</script>", "customerId": "ann",
                 "cart": [{"configurationId": "chair-oak", "count": 2}]})
    # A client that holds no console role.
    api("POST", "/v1/securityprofiles", {"ID": "me-only", "Name": "Me", "Roles": ["MeAdmin"]}, token)
    api("POST", "/v1/adminusers", {"ID": "meonly", "Username": "meonly", "FirstName": "M", "LastName": "O",
                                   "Email": "m@example.com", "Active": True}, token)
    api("POST", "/v1/securityprofiles/assignments", {"SecurityProfileID": "me-only", "UserID": "meonly"}, token)
    client = api("POST", "/v1/apiclients", {"AppName": "no console", "AccessTokenDuration": 60, "Active": True, "AllowSeller": True,
                                            "ClientSecret": "no-console-secret", "DefaultContextUserName": "meonly"},
                 token)

    api("POST", "/v1/integrationEvents", {"ID": "checkout", "Name": "Checkout middleware", "EventType": "OrderCheckout",
                                         "CustomImplementationUrl": "https://middleware.example.com/api",
                                         "HashKey": "hash-key-never-shown", "ElevatedRoles": ["ProductReader"]}, token)

    opts = webdriver.ChromeOptions()
    for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 f"--user-data-dir={PROFILE}", "--window-size=1280,900"]:
        opts.add_argument(flag)
    opts.binary_location = "/usr/bin/chromium"
    driver = webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver"), options=opts)
    try:
        def shot(name):
            if SHOTS:
                height = driver.execute_script("return document.body.scrollHeight")
                driver.set_window_size(1280, max(700, min(height + 40, 2400)))
                driver.save_screenshot(f"{SHOTS}/{name}.png")
                driver.set_window_size(1280, 900)

        def at(suffix):
            """Waits (up to 10 s) for the browser to arrive at a URL ending with `suffix`."""
            deadline = time.time() + 10
            while time.time() < deadline:
                if driver.current_url.endswith(suffix):
                    return True
                time.sleep(0.1)
            return False

        def wait_for(xpath):
            """The elements at `xpath`, once there are some (up to 10 s)."""
            deadline = time.time() + 10
            while time.time() < deadline:
                found = driver.find_elements(By.XPATH, xpath)
                if found:
                    return found
                time.sleep(0.1)
            return []

        def sign_in(client_id, secret):
            driver.get(BASE + "/console/login")
            driver.find_element(By.ID, "client_id").send_keys(client_id)
            driver.find_element(By.ID, "client_secret").send_keys(secret)
            driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()

        driver.get(BASE + "/console/overview")
        check(at("/console/login"), "an anonymous visit goes to the sign-in page")
        shot("login")
        sign_in(ADMIN[0], "wrong")
        time.sleep(0.5)
        check("role=\"alert\"" in driver.page_source or driver.find_elements(By.CSS_SELECTOR, "[role=alert]"),
              "a wrong secret is said")
        sign_in(*ADMIN)
        check(at("/console/overview"), f"signed in: {driver.current_url}")

        # An integration through the form: six observed events are refused beside the field.
        driver.get(BASE + "/console/integrations/new")
        driver.find_element(By.ID, "name").send_keys("Customer feed")
        driver.find_element(By.ID, "observes").send_keys(
            "customer.created, customer.updated, customer.deleted, cart.updated, cart.deleted, order.paid")
        driver.find_element(By.ID, "url").send_keys("https://crm.example.com/hooks")
        driver.find_element(By.XPATH, "//button[text()='Create']").click()
        alert = wait_for("//input[@id='observes']/following-sibling::p[@role='alert'][1]")
        check(alert and "5" in alert[0].text,
              f"six events are refused beside the field: {[a.text for a in driver.find_elements(By.CSS_SELECTOR, '[role=alert]')]}")
        shot("integration-form")
        observes = driver.find_element(By.ID, "observes")
        observes.clear()
        observes.send_keys("customer.created")
        driver.find_element(By.XPATH, "//button[text()='Create']").click()
        check(wait_for("//button[text()='Disable']"), "the new integration's page")
        driver.find_element(By.XPATH, "//button[text()='Disable']").click()
        check(wait_for("//button[text()='Enable']"), "disabled")

        # The receiver fails: the delivery dies after the two retries.
        deadline = time.time() + 30
        while time.time() < deadline:
            driver.get(BASE + "/console/deliveries?status=dead")
            if driver.find_elements(By.CSS_SELECTOR, "td.status-dead"):
                break
            time.sleep(0.3)
        check(driver.find_elements(By.CSS_SELECTOR, "td.status-dead"), "the dead delivery is listed")
        shot("deliveries")
        driver.find_element(By.CSS_SELECTOR, "tbody tr td a").click()
        check(wait_for("//p[contains(., 'HTTP 500')]"), "the attempts show the receiver's 500")
        check("x-moltin-integration-trigger" in driver.page_source and "c2VjcmV0LXNlY3JldA" not in driver.page_source,
              "the delivery's request, its secret masked")
        shot("delivery")
        Receiver.failing = False
        driver.find_element(By.XPATH, "//button[text()='Retry now']").click()
        deadline = time.time() + 30
        while time.time() < deadline and "status-succeeded\">succeeded<" not in driver.page_source.replace("'", '"'):
            time.sleep(0.3)
            driver.refresh()
        check(driver.find_elements(By.CSS_SELECTOR, "td.status-succeeded"), "the retried delivery succeeded")

        for page, text in [("/console/events?key=order.*", "order.created"), ("/console/clients", "no console"),
                           ("/console/integration-events", "Integration events"), ("/console/callouts", "kept seven days")]:
            driver.get(BASE + page)
            check(text in driver.page_source, f"{page} shows {text}")
            shot(page.split("/")[2].split("?")[0])
        driver.get(BASE + "/console/clients")
        driver.find_element(By.LINK_TEXT, "no console").click()
        check(wait_for("//th[text()='Default context user']/following-sibling::td[text()='meonly']"), "a client's page")
        shot("client")
        driver.get(BASE + "/console/integration-events")
        driver.find_element(By.LINK_TEXT, "Checkout middleware").click()
        check(wait_for("//h2[text()='Latest calls']") and "hash-key-never-shown" not in driver.page_source,
              "an integration event's page, its hash key hidden")
        shot("integration-event")
        driver.get(BASE + "/console/overview")
        check("dead letters waiting" in driver.page_source, "the overview shows its figures")
        shot("overview")
        # At phone width nothing runs off the page but the tables, which scroll in their box.
        driver.set_window_size(390, 844)
        driver.refresh()
        wide = driver.execute_script("return document.documentElement.scrollWidth")
        check(wide <= 400, f"the overview fits a phone's width ({wide} px)")
        if SHOTS:
            driver.save_screenshot(f"{SHOTS}/overview-phone.png")
        driver.set_window_size(1280, 900)
        driver.get(BASE + "/console/orders")
        link = driver.find_element(By.CSS_SELECTOR, "tbody tr td a")
        check(link.text == "<script>alert(1)</script>", f"the order's name shows as text: {link.text!r}")
        shot("orders")
        # Filtered by source: the Threekit order stays, ActiveCampaign has none.
        Select(driver.find_element(By.ID, "source")).select_by_value("activecampaign")
        driver.find_element(By.XPATH, "//button[text()='Filter']").click()
        check(wait_for("//p[starts-with(., '0 orders')]"), "no ActiveCampaign order")
        Select(driver.find_element(By.ID, "source")).select_by_value("threekit")
        driver.find_element(By.XPATH, "//button[text()='Filter']").click()
        check(wait_for("//p[starts-with(., '1 orders')]"), "the Threekit order, by source")
        link = driver.find_element(By.CSS_SELECTOR, "tbody tr td a")
        link.click()
        wait_for("//h2[text()='Lines']")
        check(order["id"] in driver.page_source and "chair-oak" in driver.page_source, "the order's page")
        shot("order")
        driver.get(BASE + "/console/integrations")
        check("Order webhook" in driver.page_source, "the integration is listed")
        check("c2VjcmV0LXNlY3JldA" not in driver.page_source, "its secret is masked")
        shot("integrations")

        driver.find_element(By.XPATH, "//button[text()='Sign out']").click()
        check(at("/console/login"), "signed out")
        driver.get(BASE + "/console/orders")
        check(at("/console/login"), "signed out means signed out")

        sign_in(client["ID"], "no-console-secret")
        at("/console/overview")
        driver.get(BASE + "/console/deliveries")
        check("Not allowed" in driver.title and "WebhookReader" in driver.page_source,
              f"a client without the role is refused: {driver.title}")
    finally:
        driver.quit()
        receiver.shutdown()
    print("console-check: every page, a retried dead letter, escaping and refusal checked in Chromium")


main()
