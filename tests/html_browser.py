#!/usr/bin/env python3
"""Loads trailhound's HTML pages in headless Chromium, with the network blocked, and fails on
anything a self-contained, script-safe page must not do.

    html_browser.py TRAILHOUND PROJECT_ROOT [--realdata DIR] [--screenshot PNG] [--page HTML]...

Without --page it makes the pages itself (the sample's investigation, scan and timeline, the
hostile case of test-data/hostile/html-injection.json, and html_scale.py's investigation of
100,000 events); with --realdata, the flaws2
investigation too (skipped, exit 77, when that data is absent). --page checks given files.

A page fails on: a console error or an uncaught exception; a request for anything but the
page itself; a Content-Security-Policy violation (reported by the page's
`securitypolicyviolation` events); a script other than the page's one inline script; a
`window.__pwned` set by a log field; an element with an inline event handler, or an img,
iframe, object, embed, base, link or form element; a chart with no bars (or, where findings
are expected, no finding marks); the page's script or style not applied (their CSP hashes
wrong). Exit 77 when Chromium is absent.
"""
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

SKIP = 77


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


class Browser:
    """Chromium driven over the DevTools protocol on a pipe (fds 3 and 4)."""

    def __init__(self, exe, profile):
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()

        def child_fds():
            # Moved out of the way first: a pipe end may itself be fd 3 or 4.
            r, w = os.dup(to_chrome_r), os.dup(from_chrome_w)
            os.dup2(r, 3)
            os.dup2(w, 4)

        args = [exe, "--headless=new", "--remote-debugging-pipe", "--no-first-run",
                "--no-default-browser-check", "--disable-gpu", "--disable-extensions",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-default-apps", "--mute-audio",
                # The network, blocked: every host unresolvable, every proxy a closed port.
                "--proxy-server=127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND",
                "--user-data-dir=" + profile, "--window-size=1280,900",
                # Root (CI containers) cannot use the sandbox, and some kernels refuse the user
                # namespaces it needs; the pages are our own files, the network is blocked.
                "--no-sandbox"]
        self.proc = subprocess.Popen(args, preexec_fn=child_fds, pass_fds=(),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     close_fds=False)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.next_id = 0
        self.pending = b""
        self.events = []

    def send(self, method, params=None, session=None):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.to_chrome, json.dumps(msg).encode() + b"\0")
        return self.wait_reply(self.next_id)

    def read_message(self, deadline):
        while b"\0" not in self.pending:
            if time.time() > deadline:
                raise TimeoutError("no answer from Chromium")
            chunk = os.read(self.from_chrome, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium closed the pipe")
            self.pending += chunk
        raw, self.pending = self.pending.split(b"\0", 1)
        return json.loads(raw)

    def wait_reply(self, msg_id, timeout=30):
        deadline = time.time() + timeout
        while True:
            msg = self.read_message(deadline)
            if msg.get("id") == msg_id:
                if "error" in msg:
                    raise RuntimeError(f"DevTools error: {msg['error']}")
                return msg.get("result", {})
            self.events.append(msg)

    def wait_event(self, method, session, timeout=30):
        deadline = time.time() + timeout
        for i, e in enumerate(self.events):
            if e.get("method") == method and e.get("sessionId") == session:
                return self.events.pop(i)
        while True:
            msg = self.read_message(deadline)
            if msg.get("method") == method and msg.get("sessionId") == session:
                return msg
            self.events.append(msg)

    def drain(self, seconds):
        """Reads events for `seconds` more (late errors and requests)."""
        import select
        deadline = time.time() + seconds
        while time.time() < deadline:
            if b"\0" in self.pending:
                self.events.append(self.read_message(deadline + 5))
                continue
            ready, _, _ = select.select([self.from_chrome], [], [], max(0, deadline - time.time()))
            if not ready:
                break
            chunk = os.read(self.from_chrome, 1 << 20)
            if not chunk:
                break
            self.pending += chunk

    def close(self):
        try:
            self.send("Browser.close")
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


# Runs in every page before its own content (DevTools-injected, so not the page's script): it
# records CSP violations, which are the page trying to run or fetch what it did not bring.
WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__csp.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""

# Evaluated after load: what the page holds and whether its own script and style work.
INSPECT = """
(function () {
  var r = {};
  r.csp = window.__csp;
  r.pwned = typeof window.__pwned === 'undefined' ? null : String(window.__pwned);
  r.scripts = document.scripts.length;
  var handlers = [];
  document.querySelectorAll('*').forEach(function (el) {
    for (var i = 0; i < el.attributes.length; i++) {
      var n = el.attributes[i].name.toLowerCase();
      var v = el.attributes[i].value.toLowerCase();
      if (n.indexOf('on') === 0 || v.indexOf('javascript:') >= 0) handlers.push(el.tagName + ' ' + n);
    }
  });
  r.handlers = handlers;
  r.foreign = document.querySelectorAll('img,iframe,object,embed,base,link,form,frame,meta[http-equiv=refresh]').length;
  r.styles = document.querySelectorAll('style').length;
  r.bars = document.querySelectorAll('svg.chart rect.bin').length;
  r.marks = document.querySelectorAll('svg.chart path.finding').length;
  r.rows = document.querySelectorAll('#event-table tbody tr').length;
  r.styled = getComputedStyle(document.body).maxWidth === '1400px';
  var th = document.querySelector('table.sortable th');
  if (th) { th.click(); r.sorted = th.getAttribute('data-dir') === 'asc'; } else { r.sorted = null; }
  r.height = document.documentElement.scrollHeight;
  return JSON.stringify(r);
})()
"""


def check_page(browser, path, expect, screenshot=None):
    """Loads `path` in a new tab; returns the list of problems found."""
    url = "file://" + os.path.abspath(path)
    target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    for domain in ("Page", "Runtime", "Log", "Network", "Debugger"):
        browser.send(domain + ".enable", {}, session)
    browser.send("Page.addScriptToEvaluateOnNewDocument", {"source": WATCH}, session)
    browser.events.clear()
    browser.send("Page.navigate", {"url": url}, session)
    browser.wait_event("Page.loadEventFired", session)
    browser.drain(0.5)
    # The screenshot first: the inspection clicks a column.
    if screenshot:
        browser.send("Emulation.setDeviceMetricsOverride",
                     {"width": 1280, "height": 1500, "deviceScaleFactor": 1, "mobile": False}, session)
        shot = browser.send("Page.captureScreenshot", {"format": "png"}, session)
        with open(screenshot, "wb") as f:
            f.write(base64.b64decode(shot["data"]))
    result = browser.send("Runtime.evaluate", {"expression": INSPECT, "returnByValue": True}, session)
    info = json.loads(result["result"]["value"])
    problems = []
    page_scripts = 0
    for e in browser.events:
        if e.get("sessionId") != session:
            continue
        m, p = e.get("method"), e.get("params", {})
        if m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            problems.append("console error: " + json.dumps(p.get("args"))[:300])
        elif m == "Runtime.exceptionThrown":
            problems.append("exception: " + json.dumps(p.get("exceptionDetails"))[:300])
        elif m == "Log.entryAdded" and p["entry"].get("level") == "error":
            problems.append("console error: " + p["entry"].get("text", "")[:300])
        elif m == "Network.requestWillBeSent" and p["request"]["url"] != url:
            problems.append("request: " + p["request"]["url"][:200])
        elif m == "Debugger.scriptParsed" and p.get("url") == url:
            page_scripts += 1
    if info["csp"]:
        problems.append("CSP violations: " + "; ".join(info["csp"])[:300])
    if info["pwned"] is not None:
        problems.append("a script from the log ran: window.__pwned = " + info["pwned"])
    if page_scripts != 1 or info["scripts"] != 1:
        problems.append(f"scripts: {page_scripts} parsed from the page, {info['scripts']} in it; expected 1")
    if info["handlers"]:
        problems.append("event handlers or javascript: URLs: " + ", ".join(info["handlers"][:5]))
    if info["foreign"]:
        problems.append(f"{info['foreign']} img/iframe/object/embed/base/link/form elements")
    if info["styles"] != 1:
        problems.append(f"{info['styles']} style elements; expected 1")
    if info["bars"] == 0:
        problems.append("the chart has no bars")
    if expect.get("marks") and info["marks"] == 0:
        problems.append("the chart has no finding marks")
    if "rows" in expect and info["rows"] != expect["rows"]:
        problems.append(f"{info['rows']} event rows; expected {expect['rows']}")
    if not info["styled"]:
        problems.append("the page's style was not applied (its CSP hash?)")
    if info["sorted"] is not True:
        problems.append("the page's script did not run (clicking a column did not sort it)")
    browser.send("Target.closeTarget", {"targetId": target})
    return problems, info


def make_page(trailhound, root, args, out):
    r = subprocess.run([trailhound] + args + ["--format", "html", "-o", out, "--quiet"], cwd=root,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if r.returncode not in (0, 1) or not os.path.exists(out):
        sys.exit(f"trailhound {' '.join(args)} exited {r.returncode}: {r.stderr.decode()[:500]}")


def main():
    argv = sys.argv[1:]
    if len(argv) < 2:
        sys.exit(__doc__)
    trailhound, root = os.path.abspath(argv[0]), os.path.abspath(argv[1])
    realdata = screenshot = None
    given = []
    i = 2
    while i < len(argv):
        if argv[i] == "--realdata":
            realdata = argv[i + 1]
        elif argv[i] == "--screenshot":
            screenshot = os.path.abspath(argv[i + 1])
        elif argv[i] == "--page":
            given.append(os.path.abspath(argv[i + 1]))
        else:
            sys.exit(f"unknown argument {argv[i]}")
        i += 2
    exe = find_chromium()
    if exe is None:
        print("SKIP: chromium is not installed")
        return SKIP
    tmp = tempfile.mkdtemp(prefix="th-html-")
    pages = []  # (name, path, expectations, screenshot)
    sample = ["--config", "test-data/sample/trailhound.toml", "test-data/sample/AWSLogs"]
    if given:
        pages = [(os.path.basename(p), p, {}, None) for p in given]
    elif realdata is not None:
        flaws2 = os.path.join(realdata, "flaws2-cloudtrail")
        if not os.path.isdir(flaws2):
            print(f"SKIP: {flaws2} is absent")
            return SKIP
        ranges = os.path.join(realdata, "iplists", "aws-ip-ranges", "ip-ranges_2018-11-29.json")
        # The README's walk-through: the stolen key, with AWS's ranges of that day.
        out = os.path.join(tmp, "flaws2.html")
        make_page(trailhound, root, ["investigate", "--access-key", "ASIAZQNB3KHGIGYQXVVG",
                                     "--aws-ip-ranges", ranges, flaws2], out)
        pages.append(("flaws2 investigate", out, {"marks": True}, None))
        out = os.path.join(tmp, "flaws2-scan.html")
        make_page(trailhound, root, ["scan", "--aws-ip-ranges", ranges, flaws2], out)
        pages.append(("flaws2 scan", out, {"marks": True}, None))
        out = os.path.join(tmp, "flaws2-timeline.html")
        make_page(trailhound, root, ["timeline", flaws2], out)
        pages.append(("flaws2 timeline", out, {}, None))
    else:
        cases = [
            ("sample investigate", ["investigate", "--access-key", "AKIAEXAMPLEBOB000001"] + sample,
             {"marks": True}, screenshot),
            ("sample scan", ["scan"] + sample, {"marks": True}, None),
            ("sample timeline", ["timeline"] + sample, {}, None),
            ("hostile investigate",
             ["investigate", "--access-key", "AKIAHOSTILE000000001", "--threat-list",
              "html=test-data/hostile/html-threats.txt", "test-data/hostile/html-injection.json"],
             {"marks": True, "rows": 4}, None),
            ("hostile timeline", ["timeline", "test-data/hostile/html-injection.json"], {"rows": 4}, None),
        ]
        mmdb = os.path.join(root, "..", "shared", "geoip", "maxmind-test-data")
        if os.path.isdir(mmdb):  # country, ASN and anonymiser columns, when the data is there
            geo = []
            for db in ("GeoIP2-City-Test", "GeoLite2-ASN-Test", "GeoIP2-Anonymous-IP-Test"):
                geo += ["--geoip", os.path.join(mmdb, db + ".mmdb")]
            cases.append(("geoip investigate",
                          ["investigate", "test-data/geoip/trail.json", "--user", "dana",
                           "--threat-list", "bad=test-data/geoip/threats.txt"] + geo,
                          {"marks": True, "rows": 4}, None))
        for n, (name, args, expect, shot) in enumerate(cases):
            out = os.path.join(tmp, f"page{n}.html")
            make_page(trailhound, root, args, out)
            pages.append((name, out, expect, shot))
        # A principal with 100,000 events: the page html_scale.py makes and checks.
        out = os.path.join(tmp, "scale.html")
        scale = os.path.join(os.path.dirname(os.path.abspath(__file__)), "html_scale.py")
        r = subprocess.run([sys.executable, scale, trailhound, out], stdout=subprocess.PIPE)
        if r.returncode != 0:
            sys.exit("html_scale.py failed: " + r.stdout.decode()[-500:])
        pages.append(("100,000 events", out, {"rows": 5000}, None))
    profile = os.path.join(tmp, "profile")
    browser = Browser(exe, profile)
    failed = 0
    try:
        browser.send("Target.setDiscoverTargets", {"discover": False})
        for name, path, expect, shot in pages:
            problems, info = check_page(browser, path, expect, shot)
            size = os.path.getsize(path)
            if problems:
                failed += 1
                print(f"FAIL {name} ({path}, {size} bytes)")
                for p in problems:
                    print("  " + p)
            else:
                print(f"ok   {name}: {size} bytes, {info['bars']} bars, {info['marks']} finding marks, "
                      f"{info['rows']} event rows")
    finally:
        browser.close()
    if not given:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"html browser: {len(pages) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
