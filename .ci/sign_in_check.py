"""Wait for the server `make run` starts, then sign in as a demo user."""

from __future__ import annotations

import http.cookiejar
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

base = sys.argv[1]
jar = http.cookiejar.CookieJar()
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

deadline = time.monotonic() + 600  # the first run installs and migrates
while True:
    try:
        with opener.open(f"{base}/healthz", timeout=5) as response:
            if response.read() == b"ok":
                break
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        pass
    if time.monotonic() > deadline:
        sys.exit("server did not answer /healthz in time")
    time.sleep(2)

with opener.open(f"{base}/accounts/login/", timeout=10) as response:
    page = response.read().decode()
token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
if not token:
    sys.exit("no CSRF token on the sign-in page")
form = urllib.parse.urlencode(
    {
        "username": "manager",
        "password": "console-demo",
        "csrfmiddlewaretoken": token.group(1),
        "next": "/",
    }
).encode()
request = urllib.request.Request(
    f"{base}/accounts/login/", data=form, headers={"Referer": f"{base}/accounts/login/"}
)
with opener.open(request, timeout=10) as response:
    body = response.read().decode()
    final = response.geturl()
if "Sign out" not in body or "/accounts/login/" in final:
    sys.exit(f"demo sign-in failed (ended at {final})")
print(f"signed in as manager; landed on {final}")
