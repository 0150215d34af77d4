"""The course website in a real browser: `make test-site` (after `make site`).

The built site (_build/site) is served on 127.0.0.1 by http.server in a thread:
served over HTTP, pages load their scripts, fonts and the search index the way a
hosted copy does, a missing file is a visible HTTP 404, and "leaves localhost" is
a plain host check. Every page is opened once, in one browser session whose
requests to anything but localhost are aborted (see conftest.py); most tests below
check one thing about all of them. Full-page screenshots of the home page and of
notebook 05 (the most formulas) go to _build/screenshots/.
"""

import functools
import http.server
import json
import re
import threading
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "_build" / "site"
SCREENSHOTS = ROOT / "_build" / "screenshots"
NOTEBOOKS = sorted(ROOT.glob("notebooks/[0-9][0-9]_*.ipynb"))
HOME = "README.html"

# TeX that MathJax did not typeset: $$...$$, $...$ (Pandoc's rule: no space inside
# the dollars, no digit after the closing one, so "$5 and $6" is not math), and
# Sphinx's own \( \) and \[ \] delimiters, which show only when MathJax did not run.
RAW_MATH = re.compile(
    r"\$\$.+?\$\$|(?<![\\$\w])\$[^\s$](?:[^$\n]*?[^\s\\$])?\$(?![\d$])|\\\(|\\\[|\\begin\{",
    re.S,
)

# The text of the page outside code, one string per block element, with each typeset
# formula as a placeholder (so a stray "$" beside one shows); hidden text (a collapsed
# solution) counts too.
TEXT_OUTSIDE_CODE = """() => {
  const code = new Set(['PRE', 'CODE', 'KBD', 'SAMP', 'SCRIPT', 'STYLE', 'TEMPLATE', 'TEXTAREA']);
  const blocks = new Map();
  const add = (element, text) => {
    const block = element.closest('p, li, td, th, h1, h2, h3, h4, h5, h6, dt, dd, div, nav');
    blocks.set(block, (blocks.get(block) || '') + text);
  };
  const accept = (node) => {
    if (node.nodeType === Node.TEXT_NODE) {
      add(node.parentElement, node.data);
    } else if (code.has(node.tagName)) {
      return NodeFilter.FILTER_REJECT;
    } else if (node.tagName === 'MJX-CONTAINER') {
      add((node.closest('.math') || node).parentElement, '<formula>');
      return NodeFilter.FILTER_REJECT;
    }
    return NodeFilter.FILTER_SKIP;
  };
  const show = NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT;
  const walker = document.createTreeWalker(document.body, show, { acceptNode: accept });
  while (walker.nextNode()) {}
  return [...blocks.values()];
}"""

IMAGES = """async () => {
  const images = [...document.images];
  images.forEach((image) => { image.loading = 'eager'; });
  await Promise.all(images.map((image) => image.decode().catch(() => null)));
  return images.map((image) => ({
    src: image.currentSrc || image.src,
    loaded: image.complete && image.naturalWidth > 0,
    output: image.closest('.cell_output') !== null,
  }));
}"""

MATH = """() => ({
  formulas: document.querySelectorAll('.math').length,
  untypeset: [...document.querySelectorAll('.math')]
    .filter((m) => !m.querySelector('mjx-container'))
    .map((m) => m.textContent.slice(0, 80)),
  errors: [...document.querySelectorAll('mjx-merror')].map((e) => e.textContent.slice(0, 80)),
})"""


@dataclass
class Visit:
    problems: list = field(default_factory=list)
    links: list = field(default_factory=list)
    ids: set = field(default_factory=set)
    texts: list = field(default_factory=list)
    images: list = field(default_factory=list)
    math: dict = field(default_factory=dict)
    sidebar: list = field(default_factory=list)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="module")
def site_url():
    if not (SITE / HOME).is_file():
        pytest.fail(f"no site in {SITE}: run `make site` first (or `make test-site`)")
    handler = functools.partial(QuietHandler, directory=str(SITE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


def site_pages():
    """Every HTML page of the site, except index.html (a redirect to the README)."""
    pages = (p.relative_to(SITE).as_posix() for p in SITE.rglob("*.html"))
    return sorted(p for p in pages if p != "index.html" and not p.startswith("_static/"))


def open_fully(page, url):
    """Open a page and wait until MathJax has typeset it and every image has loaded."""
    page.goto(url, wait_until="load")
    page.evaluate("() => window.MathJax?.startup?.promise?.then(() => true) ?? null")
    images = page.evaluate(IMAGES)
    page.wait_for_load_state("networkidle")
    return images


@pytest.fixture(scope="module")
def visits(open_browser_session, site_url):
    """Open every page once; what each showed and what went wrong, by page."""
    result = {}
    with open_browser_session() as session:
        page = session.new_page()
        for name in site_pages():
            visit = Visit()
            visit.images = open_fully(page, site_url + name)
            visit.links = page.eval_on_selector_all("a[href]", "as => as.map(a => a.href)")
            ids = page.eval_on_selector_all("[id], a[name]", "es => es.map(e => e.id || e.name)")
            visit.ids = set(ids)
            visit.texts = page.evaluate(TEXT_OUTSIDE_CODE)
            visit.math = page.evaluate(MATH)
            visit.sidebar = page.eval_on_selector_all(
                "nav.bd-docs-nav a.reference.internal", "as => as.map(a => a.href)"
            )
            visit.problems = session.problems()
            session.clear()
            result[name] = visit
    return result


def page_name(url, site_url):
    """The site-relative file a URL of the site names (a folder means its index.html)."""
    path = unquote(urlsplit(url).path)[len(urlsplit(site_url).path) :]
    return path + "index.html" if path == "" or path.endswith("/") else path


def report(failures):
    return "\n".join(f"{page}: {what}" for page, what in failures)


def test_every_notebook_is_a_page_in_course_order(visits, site_url):
    assert NOTEBOOKS, "no notebooks/NN_*.ipynb"
    expected = [f"notebooks/{nb.stem}.html" for nb in NOTEBOOKS]
    sidebar = [page_name(url, site_url) for url in visits[HOME].sidebar]
    assert [p for p in sidebar if p.startswith("notebooks/")] == expected


def test_notebook_pages_have_launch_and_download_buttons(visits, site_url):
    """Colab opens the notebook at the release tag; both come from pyproject.toml."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    repository = urlsplit(project["urls"]["Repository"]).path.strip("/")
    yaml = pytest.importorskip(
        "yaml"
    )  # a site requirement: `make test` collects this file without it
    buttons = yaml.safe_load((ROOT / "book" / "_config.yml").read_text())["launch_buttons"]
    release = f"{buttons['colab_url']}/github/{repository}/blob/v{project['version']}"
    failures = []
    for notebook in NOTEBOOKS:
        name = f"notebooks/{notebook.stem}.html"
        links = visits[name].links
        colab = f"{release}/notebooks/{notebook.name}"
        if colab not in links:
            failures.append((name, f"no Colab launch button to {colab}"))
        if site_url + f"_sources/{notebook.parent.name}/{notebook.name}" not in links:
            failures.append((name, "no download button for the notebook"))
    assert not failures, "\n" + report(failures)


def test_home_page_is_the_readme(page, browser_session, site_url):
    page.goto(site_url)  # index.html redirects to README.html
    page.wait_for_url(f"**/{HOME}")
    title = (ROOT / "README.md").read_text().splitlines()[0].lstrip("# ")
    assert page.locator("article h1").first.inner_text().startswith(title)
    problems = browser_session.problems()
    assert not problems, "\n".join(problems)


def test_no_console_errors_failed_or_external_requests(visits):
    failures = [(name, p) for name, visit in visits.items() for p in visit.problems]
    assert not failures, "\n" + report(failures)


def test_internal_links_lead_to_existing_pages_and_anchors(visits, site_url):
    origin = urlsplit(site_url).netloc
    failures = []
    for name, visit in visits.items():
        for url in visit.links:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or parts.netloc != origin:
                continue  # a link off the site is not a request; it is not followed
            target = page_name(url, site_url)
            if not (SITE / target).is_file():
                failures.append((name, f"broken link {url}: no {target}"))
                continue
            anchor = unquote(parts.fragment)
            if anchor and target.endswith(".html"):
                ids = visits[target].ids if target in visits else html_ids(SITE / target)
                if anchor not in ids:
                    failures.append((name, f"broken link {url}: no #{anchor} in {target}"))
    assert not failures, "\n" + report(failures)


def html_ids(path):
    return set(re.findall(r'\b(?:id|name)="([^"]+)"', path.read_text()))


def test_math_is_typeset(visits):
    failures = []
    for name, visit in visits.items():
        raw = [r for text in visit.texts for r in RAW_MATH.findall(text)]
        if raw:
            failures.append((name, f"{len(raw)} pieces of raw TeX in the text, first {raw[0]!r}"))
        untypeset, total = visit.math["untypeset"], visit.math["formulas"]
        if untypeset:
            what = f"{len(untypeset)} of {total} formulas not typeset, first {untypeset[0]!r}"
            failures.append((name, what))
        failures += [(name, f"MathJax error: {e!r}") for e in visit.math["errors"]]
    assert not failures, "\n" + report(failures)
    assert visits["notebooks/05_backpropagation.html"].math["formulas"] > 0


def stored_pngs(notebook):
    cells = json.loads(notebook.read_text())["cells"]
    outputs = (o for c in cells if c["cell_type"] == "code" for o in c.get("outputs", []))
    return sum("image/png" in o.get("data", {}) for o in outputs)


def test_figures_show(visits):
    failures = []
    for name, visit in visits.items():
        broken = [image["src"] for image in visit.images if not image["loaded"]]
        failures += [(name, f"image did not load: {src}") for src in broken]
    for notebook in NOTEBOOKS:
        name = f"notebooks/{notebook.stem}.html"
        shown = sum(i["loaded"] and i["output"] for i in visits[name].images)
        stored = stored_pngs(notebook)
        if shown < stored:
            failures.append((name, f"{shown} figures shown, {stored} stored in {notebook.name}"))
    assert not failures, "\n" + report(failures)


@pytest.mark.parametrize("name", [HOME, "notebooks/05_backpropagation.html"])
def test_screenshot(page, browser_session, site_url, name):
    open_fully(page, site_url + name)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / (Path(name).stem + ".png"), full_page=True)
    assert page.locator("nav.bd-docs-nav").is_visible(), "no sidebar"
    problems = browser_session.problems()
    assert not problems, "\n".join(problems)
