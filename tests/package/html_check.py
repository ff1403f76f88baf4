#!/usr/bin/env python3
"""tests/package/html_check.py PAGE.html SCREENSHOT.png SEQ...

Loads a `tdxr replay --html` page in a real headless Chromium, driven over
the DevTools protocol on a pipe (--remote-debugging-pipe: no port, no
extra package), and checks what a CI artifact must be:
  - the page loads, with no console error, no exception, no log error
    (a Content-Security-Policy violation is one);
  - the page makes no request but its own file (no network, no external
    script, style, font or image);
  - a timeline (svg.tl) is drawn for each finding SEQ given, with the
    finding marked, and its first cause where it has one;
and saves a screenshot. Exit 0 pass, 1 fail, 77 when Chromium is absent.
"""
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time


def main():
    page, shot, seqs = os.path.abspath(sys.argv[1]), sys.argv[2], sys.argv[3:]
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        print("SKIP: no chromium (scripts/deps.sh installs it)")
        return 77
    profile = tempfile.mkdtemp(prefix="tdxr-chromium-")
    # Above the fds the child gets (3: commands in, 4: answers out).
    pipes = os.pipe() + os.pipe()
    to_chrome_r, to_chrome_w, from_chrome_r, from_chrome_w = (
        os.dup(fd) if fd < 10 else fd for fd in pipes)
    for fd in pipes:
        if fd not in (to_chrome_r, to_chrome_w, from_chrome_r, from_chrome_w):
            os.close(fd)
    for fd in (to_chrome_r, from_chrome_w):
        os.set_inheritable(fd, True)

    def child_fds():
        os.dup2(to_chrome_r, 3)
        os.dup2(from_chrome_w, 4)

    proc = subprocess.Popen(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--user-data-dir=" + profile, "--remote-debugging-pipe",
         "--window-size=1200,1400", "about:blank"],
        # close_fds runs after preexec_fn: keep 3 and 4 themselves.
        pass_fds=(3, 4, to_chrome_r, from_chrome_w), preexec_fn=child_fds,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(to_chrome_r)
    os.close(from_chrome_w)
    out = os.fdopen(to_chrome_w, "wb", buffering=0)
    inp = os.fdopen(from_chrome_r, "rb", buffering=0)
    buf = b""
    events = []
    next_id = [0]

    def read_msg(deadline):
        nonlocal buf
        while b"\0" not in buf:
            if time.time() > deadline:
                raise TimeoutError("no answer from chromium")
            chunk = inp.read(65536)
            if not chunk:
                raise EOFError("chromium closed the pipe")
            buf += chunk
        msg, buf = buf.split(b"\0", 1)
        return json.loads(msg)

    def call(method, params=None, session=None, timeout=30):
        next_id[0] += 1
        msg = {"id": next_id[0], "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        out.write(json.dumps(msg).encode() + b"\0")
        deadline = time.time() + timeout
        while True:
            m = read_msg(deadline)
            if m.get("id") == next_id[0]:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})
            events.append(m)

    def wait_event(name, timeout=30):
        deadline = time.time() + timeout
        for m in events:
            if m.get("method") == name:
                return m
        while True:
            m = read_msg(deadline)
            events.append(m)
            if m.get("method") == name:
                return m

    failures = []
    try:
        target = call("Target.createTarget", {"url": "about:blank"})["targetId"]
        sid = call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Runtime", "Log", "Network", "Page"):
            call(domain + ".enable", session=sid)
        events.clear()
        url = "file://" + page
        t0 = time.time()
        call("Page.navigate", {"url": url}, session=sid)
        wait_event("Page.loadEventFired")
        load_ms = (time.time() - t0) * 1000
        probe = """JSON.stringify({
          svgs: [...document.querySelectorAll('svg.tl')].map(s => s.dataset.finding),
          marked: [...document.querySelectorAll('svg.tl')].filter(
              s => s.querySelector('line.finding')).map(s => s.dataset.finding),
          causes: [...document.querySelectorAll('svg.tl')].filter(
              s => s.querySelector('line.cause')).map(s => s.dataset.finding),
          summary: (document.getElementById('summary') || {}).textContent || ''})"""
        res = json.loads(call("Runtime.evaluate", {"expression": probe, "returnByValue": True},
                              session=sid)["result"]["value"])
        png = call("Page.captureScreenshot", {"format": "png"}, timeout=90,
                   session=sid)["data"]
        with open(shot, "wb") as f:
            f.write(base64.b64decode(png))
        time.sleep(0.2)
        try:
            call("Runtime.evaluate", {"expression": "1"}, session=sid, timeout=5)
        except Exception:
            pass
    finally:
        try:
            out.write(json.dumps({"id": 999999, "method": "Browser.close"}).encode() + b"\0")
        except OSError:
            pass
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(profile, ignore_errors=True)

    for m in events:
        meth, p = m.get("method"), m.get("params", {})
        if meth == "Network.requestWillBeSent":
            u = p["request"]["url"]
            if u != url and not u.startswith("data:"):
                failures.append(f"the page requested {u}")
        elif meth == "Runtime.exceptionThrown":
            failures.append(f"exception: {p['exceptionDetails'].get('text')}")
        elif meth == "Runtime.consoleAPICalled" and p.get("type") in ("error", "warning", "assert"):
            failures.append(f"console {p['type']}: {p.get('args')}")
        elif meth == "Log.entryAdded" and p["entry"]["level"] in ("error", "warning"):
            failures.append(f"log {p['entry']['level']}: {p['entry']['text']}")
    if not res["summary"]:
        failures.append("no summary on the page")
    for s in seqs:
        if s not in res["svgs"]:
            failures.append(f"no timeline for finding seq {s} (drawn: {res['svgs']})")
        elif s not in res["marked"]:
            failures.append(f"timeline of seq {s} does not mark the finding")
    if not res["causes"] and seqs:
        failures.append("no timeline marks a first cause")
    for f in failures:
        print("FAIL:", f)
    print(f"html: loaded in {load_ms:.0f} ms, {len(res['svgs'])} timelines, "
          f"{len(failures)} failures; screenshot {shot}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
