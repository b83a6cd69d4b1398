"""A small real web site on 127.0.0.1 for crawler tests and benchmarks.

A threaded `http.server` (HTTP/1.1, keep-alive) serving real-looking pages and the usual troubles:
404, 500-then-200, 429 with Retry-After, a slow page, redirect chains and loops, a huge page, a PDF,
non-UTF-8 pages, a page rendered by JavaScript. It counts every request per path, so tests can
assert how many requests the crawler made.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

NAV = """<header class="site-header"><a class="logo" href="/">The Field Notes</a>
<nav><ul><li><a href="/">Home</a></li><li><a href="/topics">Topics</a></li>
<li><a href="/about">About us</a></li><li><a href="/subscribe">Subscribe</a></li>
<li><a href="/login">Sign in</a></li></ul></nav></header>
<div id="cookie-banner" class="cookie-consent"><p>We use cookies to improve your experience and
for marketing. By clicking Accept all you agree to our cookie policy.</p>
<button>Accept all</button><button>Manage preferences</button></div>"""

FOOTER = """<aside class="related"><h3>Related articles</h3><ul>
<li><a href="/r/1">Ten gadgets every hiker should own this winter</a></li>
<li><a href="/r/2">Why your sourdough keeps failing, according to bakers</a></li>
<li><a href="/r/3">The best budget headphones of the year, ranked</a></li></ul></aside>
<section id="comments" class="comments"><h3>Comments (3)</h3>
<div class="comment"><b>jdoe42</b> First! Great post, thanks for sharing.</div>
<div class="comment"><b>marta</b> I disagree with the second point, see my blog.</div>
<div class="comment"><b>spam_bot</b> Buy cheap watches online at discount prices today.</div>
</section>
<footer class="site-footer"><p>Copyright 2024 The Field Notes Media Group. All rights reserved.</p>
<ul><li><a href="/privacy">Privacy policy</a></li><li><a href="/terms">Terms of service</a></li>
<li><a href="/careers">Careers</a></li><li><a href="/contact">Contact</a></li></ul>
<p>Follow us on Twitter, Facebook and Instagram for daily updates.</p></footer>"""

ARTICLE_BODY = """<article><h1>How glaciers carve valleys</h1>
<p class="byline">By Ana Lopez, March 3 2024</p>
<p>Glaciers are slow rivers of ice that reshape mountains over thousands of years. As they move
downhill under their own weight, they pluck boulders from the bedrock and grind them against the
valley floor, turning narrow river valleys into broad U-shaped troughs.</p>
<h2>Plucking and abrasion</h2>
<p>Meltwater seeps into cracks in the rock beneath the ice and refreezes, loosening blocks that the
glacier then carries away. The debris frozen into the base of the ice acts like sandpaper, a process
geologists call <a href="https://en.wikipedia.org/wiki/Abrasion_(geology)">abrasion</a>, leaving
long parallel scratches known as striations.</p>
<ul><li>Plucking removes whole blocks of fractured bedrock.</li>
<li>Abrasion polishes and scratches the surface below.</li>
<li>Freeze-thaw cycles prepare the rock for both.</li></ul>
<h2>Measured erosion rates</h2>
<table><thead><tr><th>Glacier</th><th>Erosion rate (mm/yr)</th></tr></thead>
<tbody><tr><td>Franz Josef</td><td>5.2</td></tr>
<tr><td>Aletsch</td><td>1.1</td></tr></tbody></table>
<p>Researchers estimate rates by measuring the sediment carried out by meltwater streams each
summer, then dividing by the area of the glacier bed.</p>
<pre><code>rate_mm_per_year = sediment_volume_m3 / bed_area_m2 * 1000</code></pre>
<p>When the ice finally retreats, it leaves behind hanging valleys, cirques and moraines that tell
the story of its advance.</p></article>"""


def page(title: str, body: str, charset: str = "utf-8") -> str:
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="{charset}"><title>{title}</title>'
        '<link rel="stylesheet" href="/static/site.css"></head><body>'
        f"{NAV}<main>{body}</main>{FOOTER}</body></html>"
    )


ARTICLE = page("How glaciers carve valleys | The Field Notes", ARTICLE_BODY)

JS_APP = """<!DOCTYPE html><html><head><title>Tide tables app</title></head><body>
<div id="root"></div><noscript>You need to enable JavaScript to run this app.</noscript>
<script>
document.addEventListener('DOMContentLoaded', function () {
  fetch('/app-data.json').then(function (r) { return r.json(); }).then(function (d) {
    var html = '<article><h1>' + d.title + '</h1>';
    d.paragraphs.forEach(function (p) { html += '<p>' + p + '</p>'; });
    document.getElementById('root').innerHTML = html + '</article>';
  });
});
</script></body></html>"""

JS_DATA = {
    "title": "Understanding tide tables",
    "paragraphs": [
        "Tides rise and fall twice a day on most coasts because the moon and sun pull on the "
        "oceans, and the shape of each bay amplifies or dampens that pull in its own way.",
        "A tide table lists the predicted times and heights of high and low water for a harbour, "
        "computed from decades of gauge readings and the known orbits of the moon and the sun.",
        "Sailors add a safety margin to the predicted height because wind and air pressure can "
        "push the sea level well above or below the figures printed in the table.",
    ],
}

LATIN1_TEXT = (
    "Caf\u00e9 cr\u00e8me and cr\u00eape recipes \u2014 \u201cna\u00efve\u201d cooks welcome. " * 12
)
SJIS_TEXT = "日本の伝統的な庭園は、石と水と植物を使って自然の風景を小さく表現します。" * 6


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Site  # type: ignore[assignment]

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - silence stderr
        pass

    def _send(
        self,
        status: int,
        body: bytes,
        ctype: str = "text/html; charset=utf-8",
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location: str, status: int = 302) -> None:
        self._send(status, b"", headers={"Location": location})

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        path = self.path.split("?", 1)[0]
        if path == "/__stats":  # for benchmarks in another process; not counted
            self._send(200, json.dumps({"total": self.server.total}).encode(), "application/json")
            return
        n = self.server.hit(path)
        with self.server.track():
            self._route(path, n)

    def _route(self, path: str, n: int) -> None:
        if path == "/whoami":  # which Host header and path arrived
            self._send(200, f"<html><body><p>{self.headers.get('Host')}</p></body></html>".encode())
        elif path == "/article":
            self._send(200, ARTICLE.encode())
        elif path == "/app":
            self._send(200, JS_APP.encode())
        elif path == "/app-then-slow":  # an app shell that hangs when the browser comes back
            if n > 1:
                time.sleep(self.server.slow_s)
            self._send(200, JS_APP.encode())
        elif path == "/app-data.json":
            self._send(200, json.dumps(JS_DATA).encode(), "application/json")
        elif path == "/missing":
            self._send(404, page("Not found", "<h1>Page not found</h1>").encode())
        elif path == "/flaky":
            if n == 1:
                self._send(500, b"<h1>Internal Server Error</h1>")
            else:
                self._send(200, ARTICLE.encode())
        elif path == "/broken":
            self._send(500, b"<h1>Internal Server Error</h1>")
        elif path == "/ratelimited":
            if n == 1:
                self._send(429, b"slow down", headers={"Retry-After": "1"})
            else:
                self._send(200, ARTICLE.encode())
        elif path == "/slow":
            time.sleep(self.server.slow_s)
            self._send(200, ARTICLE.encode())
        elif path.startswith("/chain/"):
            step = int(path.rsplit("/", 1)[1])
            self._redirect(f"/chain/{step + 1}" if step < 3 else "/article", 301 if step else 302)
        elif path == "/loop/a":
            self._redirect("/loop/b")
        elif path == "/loop/b":
            self._redirect(f"http://127.0.0.1:{self.server.server_port}/loop/a#again", 307)
        elif path == "/to-private":
            self._redirect("http://169.254.169.254/latest/meta-data/")
        elif path == "/huge":
            self._send(200, page("Huge", "<p>" + "lorem ipsum " * 300_000 + "</p>").encode())
        elif path == "/huge-stream":  # no Content-Length: only a streaming limit can stop it
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            try:
                for _ in range(400):
                    self.wfile.write(b"<p>" + b"lorem ipsum " * 1000 + b"</p>")
            except (BrokenPipeError, ConnectionResetError):
                pass
        elif path == "/paper.pdf":
            self._send(200, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n", "application/pdf")
        elif path == "/mislabelled-pdf":
            self._send(200, b"%PDF-1.4\n1 0 obj<<>>endobj\n" + b"\x00" * 64, "text/html")
        elif path == "/latin":
            body = page(
                "Cr\u00eapes \u2014 recettes",
                f"<article><p>{LATIN1_TEXT}</p></article>",
                "windows-1252",
            )
            self._send(200, body.encode("cp1252"), "text/html; charset=windows-1252")
        elif path == "/sjis":  # charset only in <meta>, none in the header
            body = page(
                "日本庭園", f"<article><h1>日本庭園</h1><p>{SJIS_TEXT}</p></article>", "shift_jis"
            )
            self._send(200, body.encode("shift_jis"), "text/html")
        elif path.startswith("/held/"):  # slow enough for requests to overlap
            time.sleep(0.15)
            self._send(200, ARTICLE.encode())
        elif path.startswith("/static/"):
            i = path.rsplit("/", 1)[1]
            body = ARTICLE_BODY.replace("How glaciers carve valleys", f"Field note {i}")
            self._send(200, page(f"Field note {i}", body).encode())
        else:
            self._send(404, b"<h1>Not found</h1>")


class Site(ThreadingHTTPServer):
    daemon_threads = True
    # Many short keep-alive connections at once (benchmarks): keep the listen queue deep.
    request_queue_size = 1024

    def __init__(self, slow_s: float = 3.0) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.slow_s = slow_s
        self.hits: Counter[str] = Counter()
        self._lock = threading.Lock()
        self.inflight = 0
        self.max_inflight = 0
        self._thread: threading.Thread | None = None

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients hanging up early (timeouts, size limits) are expected here

    @contextlib.contextmanager
    def track(self) -> Iterator[None]:
        with self._lock:
            self.inflight += 1
            self.max_inflight = max(self.max_inflight, self.inflight)
        try:
            yield
        finally:
            with self._lock:
                self.inflight -= 1

    def hit(self, path: str) -> int:
        with self._lock:
            self.hits[path] += 1
            return self.hits[path]

    @property
    def total(self) -> int:
        with self._lock:
            return sum(self.hits.values())

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_port}{path}"

    def start(self) -> Site:
        self._thread = threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
