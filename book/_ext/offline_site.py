"""Keep the course website offline: nothing on a page may load from the internet.

- An image with a remote URL (the Colab badges in the README and at the top of each
  notebook) becomes its alt text; the link around it stays a link.
- A page that would still load a remote script or stylesheet is a build warning
  (an error under `sphinx-build -W`).

It also drops the second copy of inline scripts that Sphinx 7.4 writes when an
extension adds one after the builder started (sphinx-togglebutton's, and
sphinx-thebe's `const THEBE_JS_URL`, which fails a second time as a console error).
"""

from docutils import nodes
from sphinx.util import logging

logger = logging.getLogger(__name__)


def _is_remote(uri):
    return uri.split(":", 1)[0] in ("http", "https") or uri.startswith("//")


def replace_remote_images(app, doctree):
    for image in list(doctree.findall(nodes.image)):
        if _is_remote(image["uri"]):
            image.replace_self(nodes.Text(image.get("alt", "")))


def drop_duplicate_scripts(app, pagename, templatename, context, doctree):
    scripts, seen = [], set()
    for script in context.get("script_files", []):
        key = (getattr(script, "filename", script) or "", repr(getattr(script, "attributes", {})))
        if key not in seen:
            seen.add(key)
            scripts.append(script)
    context["script_files"][:] = scripts  # in place: it is the builder's list


def check_page_assets(app, pagename, templatename, context, doctree):
    for asset in context.get("script_files", []) + context.get("css_files", []):
        uri = getattr(asset, "filename", asset) or ""
        if _is_remote(uri):
            logger.warning("page %s loads a remote asset: %s", pagename, uri)


def setup(app):
    app.connect("doctree-read", replace_remote_images)
    # after every other extension has added its scripts to the page
    app.connect("html-page-context", drop_duplicate_scripts, priority=900)
    app.connect("html-page-context", check_page_assets, priority=901)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
