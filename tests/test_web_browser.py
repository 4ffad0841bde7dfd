"""The web console in a real browser: Debian's chromium and chromium-driver through selenium.

Skipped, saying why, when the browser is missing (install: apt-get install -y chromium
chromium-driver; `make test` checks for them).
"""

from __future__ import annotations

import shutil
import socket
import threading
import time

import pytest
import uvicorn

from db.complaints import get_complaint
from db.database import open_database
from web import auth
from web.app import create_app

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
pytestmark = [
    pytest.mark.skipif(
        not (CHROMIUM and DRIVER),
        reason="브라우저 시험 건너뜀: chromium/chromedriver 없음 "
        "(apt-get install -y chromium chromium-driver)",
    ),
    pytest.mark.starts_process,
]
PASSWORD = "correct horse battery"


async def photo_source(file_id: str) -> bytes:
    """The bot's getFile as the console sees it: one known photo."""
    from tests.test_web import png
    from web.photos import PhotoUnavailable

    if file_id != "AgAC-known":
        raise PhotoUnavailable(file_id)
    return png(40, 30)


@pytest.fixture
def served(bot_settings):
    """The console on a free local port in a background thread, with one staff account."""
    import dataclasses

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = dataclasses.replace(bot_settings, web_port=port)
    db = open_database(settings.database_path)
    auth.add_account(db, "kim", PASSWORD, user_id=800)
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings, fetch_file=photo_source),
            host="127.0.0.1",
            port=port,
            log_level="warning",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        assert thread.is_alive(), "the console did not start (its free port was taken?)"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", db
    server.should_exit = True
    thread.join()
    db.close()


@pytest.fixture(scope="module")
def chromium():
    """One headless chromium for the module's tests: a start is about a second of CPU."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    yield driver
    driver.quit()


@pytest.fixture
def browser(chromium):
    """The module's chromium, left without the cookies of the test (each test signs in)."""
    yield chromium
    chromium.delete_all_cookies()


def follow(browser, element) -> None:
    """Clicks a link or a form's button and waits until the next page has replaced this one.

    Asked about the old page in the middle of the navigation, chromedriver may answer "Node
    with given id does not belong to the document" instead of a stale element (selenium's
    staleness_of let that error through and failed the test now and then): both mean replaced.
    """
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    page = browser.find_element(By.TAG_NAME, "html")
    element.click()

    def replaced(_driver) -> bool:
        try:
            page.is_enabled()
        except StaleElementReferenceException:
            return True
        except WebDriverException as error:
            if "does not belong to the document" not in (error.msg or ""):
                raise
            return True
        return False

    WebDriverWait(browser, 30).until(replaced)


def test_staff_signs_in_finds_a_complaint_and_answers_it(served, browser, file_complaint):
    from selenium.webdriver.common.by import By

    base, db = served
    complaint = file_complaint(db, "가로등이 고장났어요", department="도로과", region="전주시")
    browser.get(base + "/")
    assert browser.current_url.endswith("/login")
    form = browser.find_element(By.ID, "password-form")
    form.find_element(By.NAME, "username").send_keys("kim")
    form.find_element(By.NAME, "password").send_keys(PASSWORD)
    follow(browser, form.find_element(By.TAG_NAME, "button"))
    assert "민원함" in browser.find_element(By.TAG_NAME, "h1").text
    browser.find_element(By.NAME, "q").send_keys("가로등")
    follow(browser, browser.find_element(By.CSS_SELECTOR, "form.filters button"))
    follow(browser, browser.find_element(By.LINK_TEXT, complaint.receipt))
    reply = browser.find_element(By.CSS_SELECTOR, "textarea[name=text]")
    reply.send_keys("내일 고치겠습니다")
    follow(browser, reply.find_element(By.XPATH, "..").find_element(By.TAG_NAME, "button"))
    assert "답변을 등록했습니다" in browser.find_element(By.CSS_SELECTOR, "p.message").text
    assert "내일 고치겠습니다" in browser.find_element(By.ID, "history").text
    assert get_complaint(db, complaint.receipt).status == "접수"
    browser.get(base + "/dashboard")
    assert len(browser.find_elements(By.TAG_NAME, "svg")) == 3


def test_the_complaint_page_shows_its_photos_as_images(served, browser, file_complaint):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    base, db = served
    complaint = file_complaint(
        db,
        "도로가 파였어요",
        consent=True,
        attachments=["AgAC-known", "AgAC-gone"],
    )
    browser.get(base + "/login")
    form = browser.find_element(By.ID, "password-form")
    form.find_element(By.NAME, "username").send_keys("kim")
    form.find_element(By.NAME, "password").send_keys(PASSWORD)
    follow(browser, form.find_element(By.TAG_NAME, "button"))
    browser.get(f"{base}/complaints/{complaint.receipt}")
    images = browser.find_elements(By.CSS_SELECTOR, "#photos img")
    assert len(images) == 2

    def sizes(_):
        loaded = [
            browser.execute_script(
                "return arguments[0].complete && arguments[0].naturalWidth", image
            )
            for image in images
        ]
        return loaded if all(loaded) else False

    assert WebDriverWait(browser, 30).until(sizes) == [40, 320]  # the photo, the placeholder
