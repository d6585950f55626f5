"""The web pages as a person uses them, in headless Chromium: register, book, watch the seats move live,
cancel, run an event as its organizer, and a form without its CSRF token refused.

Elements are found the way a person finds them: by their label, button text and link text.
Usage: pages_test.py BASE_URL MAIL_OUTBOX_DIR SCREENSHOT_DIR
"""
import glob
import json
import os
import re
import sys
import time
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

base, outbox, shots = sys.argv[1:4]


def api(method, path, body=None, token=None):
    request = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode() if body is not None else None)
    request.add_header("Content-Type", "application/json")
    request.add_header("Accept", "application/json")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def login_token(email, password):
    return api("POST", "/auth/login", {"email": email, "password": password})["accessToken"]


def mailed_code(address, deadline=15):
    end = time.time() + deadline
    while time.time() < end:
        for name in sorted(glob.glob(os.path.join(outbox, "*.eml"))):
            text = open(name, encoding="utf-8", newline="").read()
            if f"To: {address}\r\n" in text and (match := re.search(r"code is (\d{6})", text)):
                return match.group(1)
        time.sleep(0.1)
    raise AssertionError(f"no code mailed to {address}")


options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,1000",
                 # Nothing may come from another host: every other address goes to a proxy that does not exist.
                 "--proxy-server=http://0.0.0.0:1", "--proxy-bypass-list=127.0.0.1"]:
    options.add_argument(argument)
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
# Pages change under a lookup while a form's answer loads: look again.
wait = WebDriverWait(driver, 15, ignored_exceptions=[NoSuchElementException, StaleElementReferenceException])
step = "starting"


def field(label):
    """The input a label names, as a screen reader finds it."""
    found = driver.find_element(By.XPATH, f"//label[normalize-space()='{label}']")
    return driver.find_element(By.ID, found.get_attribute("for"))


def button(text, within=None):
    return (within or driver).find_element(By.XPATH, f".//button[normalize-space()='{text}']")


def link(text):
    return driver.find_element(By.XPATH, f"//a[normalize-space()='{text}']")


def fill(label, value):
    element = field(label)
    element.clear()
    element.send_keys(value)


def text():
    return driver.find_element(By.TAG_NAME, "main").text


def shot(name):
    driver.save_screenshot(os.path.join(shots, f"{name}.png"))


def check_accessible():
    """Every visible field has a label; every action is a real button or link; no resource from elsewhere."""
    for element in driver.find_elements(By.CSS_SELECTOR, "input:not([type=hidden]), textarea, select"):
        identifier = element.get_attribute("id")
        assert identifier and driver.find_elements(By.CSS_SELECTOR, f"label[for='{identifier}']"), f"unlabelled field on {driver.current_url}"
    assert not driver.find_elements(By.CSS_SELECTOR, "[onclick], div[role=button], span[role=button]"), "actions are buttons or links"
    for resource in driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)"):
        assert resource.startswith(base), f"{resource} is loaded from another host"


def see(url):
    driver.get(base + url)
    check_accessible()


try:
    step = "an organizer publishes an event through the API"
    organizer = login_token("organizer@example.com", "Organizer123!")
    title = f"Web Test Concert {int(time.time())}"
    event = api("POST", "/events", {"title": title, "description": "Music in the park.\nBring a blanket.", "totalSeats": 20,
                                    "status": "PUBLISHED", "eventDate": "2099-06-01T19:00:00Z"}, organizer)
    event_id = event["id"]

    step = "register with the mailed code"
    address = f"web-{int(time.time())}@example.com"
    see("/register")
    fill("Email", address)
    button("Send code").click()
    wait.until(lambda d: d.find_elements(By.XPATH, "//label[normalize-space()='Code']"))
    fill("Code", mailed_code(address))
    fill("First name", "Wendy")
    fill("Last name", "Web")
    fill("Country", "Germany")
    fill("Password", "Str0ng!Pass")
    check_accessible()
    shot("register")
    button("Create account").click()
    wait.until(lambda d: d.find_elements(By.XPATH, "//button[normalize-space()='Log out']"))
    assert "Wendy Web" in driver.find_element(By.TAG_NAME, "header").text, "logged in, by name"

    step = "the front page lists the event; book 2 seats"
    see("/")
    shot("home")
    link(title).click()
    wait.until(lambda d: "20 seats left" in d.find_element(By.ID, "seats-left").text)
    check_accessible()
    fill("Seats", "2")
    button("Book").click()
    wait.until(lambda d: d.find_elements(By.ID, "booking-reference"))
    reference = driver.find_element(By.ID, "booking-reference").text
    assert re.fullmatch(r"[0-9a-f-]{36}", reference), reference
    assert driver.find_element(By.ID, "booked-seats").text == "2" and title in text()
    shot("booked")

    step = "the count drops by 3, without a reload, when someone else books through the API"
    see(f"/events/{event_id}")
    wait.until(lambda d: d.find_element(By.ID, "seats-left").text == "18 seats left")
    driver.execute_script("window.notReloaded = true")
    time.sleep(0.5)  # the page's stream is open (its first message came with the page's own count)
    api("POST", "/bookings", {"eventId": event_id, "seatCount": 3}, login_token("alice@example.com", "Password123!"))
    wait.until(lambda d: d.find_element(By.ID, "seats-left").text == "15 seats left")
    assert driver.execute_script("return window.notReloaded === true"), "the page was not reloaded"
    shot("event-live")

    step = "cancel from my bookings"
    link("My bookings").click()
    wait.until(lambda d: reference in d.find_element(By.TAG_NAME, "main").text)
    check_accessible()
    shot("my-bookings")
    row = driver.find_element(By.XPATH, f"//tr[.//code[normalize-space()='{reference}']]")
    button("Cancel", within=row).click()
    wait.until(lambda d: "CANCELLED" in d.find_element(By.XPATH, f"//tr[.//code[normalize-space()='{reference}']]").text)
    assert api("GET", f"/events/{event_id}")["availableSeats"] == 17

    step = "hold a seat, then confirm it"
    small = api("POST", "/events", {"title": f"Web Test Recital {int(time.time())}", "totalSeats": 3, "status": "PUBLISHED",
                                    "eventDate": "2099-06-02T19:00:00Z"}, organizer)["id"]
    see(f"/events/{small}")
    fill("Seats", "1")
    button("Hold seats").click()
    wait.until(lambda d: d.find_elements(By.ID, "held-seats"))
    assert driver.find_element(By.ID, "held-seats").text == "1" and "UTC" in driver.find_element(By.ID, "held-until").text
    assert api("GET", f"/events/{small}")["availableSeats"] == 2, "held seats leave availableSeats"
    shot("hold")
    button("Confirm booking").click()
    wait.until(lambda d: d.find_elements(By.ID, "booking-reference"))

    step = "wait for seats of a sold-out event; they are offered when they come back"
    alice = login_token("alice@example.com", "Password123!")
    alices = api("POST", "/bookings", {"eventId": small, "seatCount": 2}, alice)["data"]["bookingReference"]
    see(f"/events/{small}")
    assert driver.find_element(By.ID, "seats-left").text == "Sold out"
    fill("Seats to wait for", "2")
    button("Join the waitlist").click()
    wait.until(lambda d: "number 1 in line" in d.find_element(By.TAG_NAME, "main").text)
    shot("waitlist")
    api("DELETE", f"/bookings/{alices}", token=alice)
    see("/my/bookings")
    held_row = driver.find_element(By.XPATH, "//h2[normalize-space()='Held seats']/following-sibling::table[1]//tr[td]")
    assert "2" in held_row.text
    button("Confirm", within=held_row).click()
    wait.until(lambda d: d.find_elements(By.ID, "booked-seats"))
    assert driver.find_element(By.ID, "booked-seats").text == "2"
    assert api("GET", f"/events/{small}")["availableSeats"] == 0

    step = "a form without its CSRF token is refused"
    see("/")
    driver.execute_script("document.querySelector('form[action=\"/logout\"] input[name=_csrf]').remove()")
    button("Log out").click()
    wait.until(lambda d: "This form was refused" in d.find_element(By.TAG_NAME, "main").text)
    shot("csrf-refused")
    see("/")
    assert "Wendy Web" in driver.find_element(By.TAG_NAME, "header").text, "the refused logout did nothing"

    step = "log out, and log in as the organizer by keyboard alone"
    button("Log out").click()
    wait.until(lambda d: d.find_elements(By.XPATH, "//a[normalize-space()='Log in']"))
    link("Log in").click()
    check_accessible()
    field("Email").send_keys("organizer@example.com")
    field("Email").send_keys(Keys.TAB)
    driver.switch_to.active_element.send_keys("Organizer123!")
    driver.switch_to.active_element.send_keys(Keys.ENTER)
    wait.until(lambda d: d.find_elements(By.XPATH, "//a[normalize-space()='My events']"))

    step = "the organizer creates and publishes an event"
    link("My events").click()
    check_accessible()
    new_title = f"Web Test Premiere {int(time.time())}"
    fill("Title", new_title)
    fill("Description", "Opening night.")
    fill("Seats", "30")
    driver.execute_script("arguments[0].value = '2099-07-01T20:00'", field("Date"))
    button("Create event").click()
    row_path = f"//tr[.//a[normalize-space()='{new_title}']]"
    wait.until(lambda d: d.find_elements(By.XPATH, row_path))
    assert "DRAFT" in driver.find_element(By.XPATH, row_path).text
    button("Publish", within=driver.find_element(By.XPATH, row_path)).click()
    wait.until(lambda d: "PUBLISHED" in d.find_element(By.XPATH, row_path).text)
    new_id = int(driver.find_element(By.XPATH, row_path + "//a").get_attribute("href").rsplit("/", 1)[1])
    assert api("GET", f"/events/{new_id}")["status"] == "PUBLISHED"
    assert api("GET", f"/events/{new_id}")["eventDate"] == "2099-07-01T20:00:00Z"
    shot("organizer-events")

    step = "the organizer checks an attendee in"
    see(f"/organizer/events/{event_id}/attendees")
    assert link("Download CSV")
    button("Check in").click()
    wait.until(lambda d: not d.find_elements(By.XPATH, "//button[normalize-space()='Check in']"))
    shot("attendees")

    step = "an event page on a phone"
    driver.set_window_size(390, 844)
    see(f"/events/{event_id}")
    shot("event-phone")
    print("web pages: every step passed; screenshots in", shots)
except Exception as error:
    shot("failure")
    print(f"FAILED at '{step}': {type(error).__name__}: {error}", file=sys.stderr)
    print(driver.find_element(By.TAG_NAME, "body").text[:2000], file=sys.stderr)
    sys.exit(1)
finally:
    driver.quit()
