"""Headless Chromium for the tests that look at a page as a person would: Debian's `chromium` package,
installed with apt-get when it is absent (quietly, once), driven by Playwright's Python client pointed at it.
Playwright never downloads a browser of its own here: there is no network for that, and it is not needed."""
from __future__ import annotations

import os
import shutil
import subprocess

# as root, with this machine's closed network: no sandbox (root), no GPU, and none of Chromium's own
# background connections (each would be refused, many at a time)
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
PACKAGES = ["chromium", "fonts-dejavu-core"]  # DejaVu Sans has the Arabic glyphs the pages need


def chromium_or_reason() -> tuple[str | None, str]:
    """The Chromium executable, installing it first if it is absent; else None and why it cannot be had."""
    found = shutil.which("chromium")
    if found:
        return found, ""
    if not shutil.which("apt-get"):
        return None, "chromium is not installed and there is no apt-get to install it with"
    if os.geteuid() != 0:
        return None, "chromium is not installed and installing it (apt-get install chromium) needs root"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *PACKAGES]
    result = subprocess.run(install, env=env, capture_output=True, text=True, timeout=900)
    if result.returncode != 0:  # a fresh machine may have no package lists yet
        subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True, text=True, timeout=900)
        result = subprocess.run(install, env=env, capture_output=True, text=True, timeout=900)
    found = shutil.which("chromium")
    if found:
        return found, ""
    last = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
    return None, f"chromium could not be installed with apt-get (exit {result.returncode}: {last[0]})"
