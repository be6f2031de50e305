"""What the portal's browser tests share: a desktop browser context that remembers every address
the page was at, and signing in through the local stand-in."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from infra.local.stack import REGION
from tests.browser.conftest import DEADLINE_MS
from tests.local_stack import RunningStack

expect.set_options(timeout=DEADLINE_MS)  # a busy machine: a passing wait returns at once
DESKTOP = {"width": 1440, "height": 900}
SESSION_KEY = "ycht.staff"


@contextmanager
def desktop(browser: Any) -> Iterator[Any]:
    """A police workstation: wide screen, Chinese, Beijing time. `page.visited` lists every URL its
    main frame was at."""
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(DEADLINE_MS)
    page = context.new_page()
    page.visited = []
    page.on("framenavigated", lambda frame: page.visited.append(frame.url) if frame == page.main_frame else None)
    page.on("pageerror", lambda error: print(f"page error: {error}"))
    try:
        yield page
    finally:
        context.close()


def sign_in(page: Any, stack: RunningStack, path: str, subject: str) -> dict[str, Any]:
    """Open a portal page without a session, get sent to sign-in, pick the seeded account, come back."""
    page.goto(f"{stack.url}{path}")
    page.wait_for_url(f"{stack.url}/portal/signin?next=*")
    page.locator(f"#accounts button[data-subject={subject}]").click()
    page.wait_for_url(f"{stack.url}{path}")
    session: dict[str, Any] = page.evaluate(f"JSON.parse(sessionStorage.getItem('{SESSION_KEY}'))")
    return session


def assert_token_never_exposed(page: Any, token: str) -> None:
    """The bearer token was in no address the page was ever at, and nothing is in localStorage."""
    assert page.visited, "no navigation recorded"
    assert all(token not in url and "token=" not in url for url in page.visited), page.visited
    assert page.evaluate("localStorage.length") == 0


def table(stack: RunningStack) -> Any:
    """The local stack's table, to set a scene the API cannot make in a test's time (a missed deadline)."""
    resource = boto3.resource("dynamodb", endpoint_url=f"http://127.0.0.1:{stack.aws_port}", region_name=REGION,
                              aws_access_key_id="local", aws_secret_access_key="local")
    return resource.Table("yunchetong-local")


def scene_photo(seed: int) -> bytes:
    """A real JPEG (the thumbnails must show something): a coloured frame numbered by its seed."""
    image = Image.new("RGB", (640, 480), ((seed * 67) % 200 + 40, (seed * 131) % 200 + 40, 170))
    ImageDraw.Draw(image).rectangle((40, 40, 600, 440), outline=(255, 255, 255), width=8)
    ImageDraw.Draw(image).text((60, 60), f"shot {seed}", fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=70)
    return out.getvalue()



def contrast(foreground: str, background: str) -> float:
    """WCAG contrast ratio of two computed CSS colours ("rgb(r, g, b)" or "#rrggbb")."""

    def channels(colour: str) -> list[float]:
        if colour.startswith("#"):
            return [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        return [float(v) / 255 for v in colour[colour.index("(") + 1:colour.index(")")].split(",")[:3]]

    def luminance(colour: str) -> float:
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels(colour)]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)
