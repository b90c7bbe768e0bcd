"""The one rendering function for every paper document: Jinja template -> (HTML, PDF bytes).

- A4, the DejaVu fonts embedded (through @font-face with local(): the same FontConfiguration
  goes to the stylesheet and to write_pdf, else WeasyPrint silently falls back), "pagina 2
  van 3" in the page margin through CSS counters.
- Accessible: PDF/UA-1 (WeasyPrint's variant: a tagged PDF with /MarkInfo and a structure tree,
  the document title shown by viewers), lang="nl" and a <title> in every template, tables with
  <th scope>. WeasyPrint takes /Lang from <html lang> and /Title from <title>.
- No file of the machine and nothing from outside: the document's URL fetcher serves only our
  own static files, addressed as `pgb-static:css/portal.css`, and raises on anything else
  (file://, http(s), data:, a path that climbs out of static/). User text reaches the HTML
  through Jinja's autoescape, so markup typed into a note is printed as text and never fetched.
  Only our own stylesheet (pdf_templates/document.css, no user text in it) gets a fetcher that
  may also read the installed font files its @font-face local() rules resolve to.

Works without a Flask app (worker processes render too): the templates get their own Jinja
environment with the same filters as the web pages (euro, day, month).
"""

from __future__ import annotations

import atexit
import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from portal.config import PROJECT_ROOT
from portal.dates import format_day, format_month
from portal.money import format_euro

PDF_TEMPLATES = PROJECT_ROOT / "pdf_templates"
WEB_TEMPLATES = PROJECT_ROOT / "templates"
STATIC_ROOT = PROJECT_ROOT / "static"
STATIC_SCHEME = "pgb-static:"
STYLESHEET = PDF_TEMPLATES / "document.css"
PDF_VARIANT = "pdf/ua-1"

CONTENT_TYPES = {".css": "text/css", ".png": "image/png", ".svg": "image/svg+xml",
                 ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".ttf": "font/ttf",
                 ".woff": "font/woff", ".woff2": "font/woff2"}


class FetchRefused(ValueError):
    """A document asked for something that is not one of our own static files."""


def static_path(url: str, root: Path = STATIC_ROOT) -> Path:
    """`pgb-static:css/x.css` -> the file inside static/. Raises FetchRefused for anything else."""
    if not isinstance(url, str) or not url.startswith(STATIC_SCHEME):
        raise FetchRefused(f"Alleen eigen bestanden uit static/ mogen in een document: {url!r}")
    relative = url[len(STATIC_SCHEME):].split("?", 1)[0].split("#", 1)[0].lstrip("/")
    base = root.resolve()
    path = (base / relative).resolve()
    if not relative or not path.is_relative_to(base) or not path.is_file():
        raise FetchRefused(f"Geen eigen statisch bestand: {url!r}")
    return path


FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
FONT_SUFFIXES = (".ttf", ".otf")


def font_path(url: str) -> Path:
    """A file:// URL of an installed font file (what @font-face local() resolves to)."""
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        raise FetchRefused(f"Geen lettertype: {url!r}")
    path = Path(unquote(parts.path)).resolve()
    if path.suffix.lower() not in FONT_SUFFIXES or not path.is_file() or not any(
            path.is_relative_to(d.resolve()) for d in FONT_DIRS):
        raise FetchRefused(f"Geen geïnstalleerd lettertype: {url!r}")
    return path


@functools.cache
def _fetcher_classes() -> tuple[Any, Any]:
    """Made at first use, so weasyprint is imported only when a PDF is made."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        """WeasyPrint's fetcher, cut down to our own static files (see static_path)."""

        def __init__(self, root: Path = STATIC_ROOT):
            super().__init__(allowed_protocols=(), fail_on_errors=False)
            self.root = root

        def fetch(self, url, headers=None):
            path = static_path(url, self.root)
            return URLFetcherResponse(url, path.read_bytes(),
                                      {"Content-Type": CONTENT_TYPES.get(path.suffix.lower(),
                                                                         "application/octet-stream")})

    class StylesheetFetcher(StaticOnlyFetcher):
        """For our own stylesheet only (never the document): also the installed font files
        that @font-face local() resolves to, so the fonts are embedded."""

        def fetch(self, url, headers=None):
            if isinstance(url, str) and url.startswith("file:"):
                path = font_path(url)
                return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": "font/ttf"})
            return super().fetch(url, headers)

    return StaticOnlyFetcher, StylesheetFetcher


def url_fetcher(root: Path = STATIC_ROOT):
    """A new fetcher that serves only files inside `root` (static/ by default)."""
    return _fetcher_classes()[0](root)


def stylesheet_fetcher():
    """The fetcher of our own stylesheet: static files and installed fonts (see font_path)."""
    return _fetcher_classes()[1]()


def _environment() -> Environment:
    # The web's macros too: a document and its page share one macro (macros/year_figures.html).
    env = Environment(loader=FileSystemLoader([str(PDF_TEMPLATES), str(WEB_TEMPLATES)]),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["euro"] = format_euro
    env.filters["day"] = format_day
    env.filters["month"] = format_month
    return env


_ENV: Environment | None = None


def jinja_env() -> Environment:
    global _ENV
    if _ENV is None:
        _ENV = _environment()
    return _ENV


def qr_svg(text: str, title: str) -> Markup:
    """A QR code carrying `text`, as inline SVG with a <title> (the figure's alternative text)."""
    import segno

    return Markup(segno.make(text, error="m").svg_inline(scale=2, title=title, border=2))


def render_html(template: str, context: Mapping[str, Any]) -> str:
    """The document's HTML; `org` (the sender, PORTAL_ORG_*) is there unless given."""
    if "org" not in context:
        context = {**context, "org": sender()}
    return jinja_env().get_template(template).render(**context)


def sender():
    """The organisation that sends the documents: from the app's settings, or (a paper worker
    without an app) from the environment, read the same way."""
    from flask import current_app, has_app_context

    from portal.config import load_config
    from portal.organisation import organisation

    return organisation(current_app.config if has_app_context() else load_config())


_STYLE_CACHE: dict[str, Any] = {}


def _font_config_and_css():
    """One FontConfiguration and the parsed stylesheet, made once per process."""
    if "css" not in _STYLE_CACHE:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        font_config = FontConfiguration()
        css = CSS(string=STYLESHEET.read_text(encoding="utf-8"), font_config=font_config,
                  url_fetcher=stylesheet_fetcher())
        _STYLE_CACHE.update(font_config=font_config, css=css)
    return _STYLE_CACHE["font_config"], _STYLE_CACHE["css"]


# At the end of the process (while the interpreter is still whole): see release().
atexit.register(lambda: release())


def warm_up() -> None:
    """Load the fonts and parse the stylesheet now (a worker does it before its first task)."""
    _font_config_and_css()


def release() -> None:
    """Drop the FontConfiguration and remove its font folder in /tmp (WeasyPrint removes it in
    FontConfiguration.__del__, which does not run while rendered layouts still refer to it,
    nor in a worker process that ends through os._exit)."""
    import shutil

    font_config = _STYLE_CACHE.get("font_config")
    _STYLE_CACHE.clear()
    folder = getattr(font_config, "_folder", None)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)


def render_pdf(template: str, context: Mapping[str, Any], *, fetcher=None) -> tuple[str, bytes]:
    """Render `template` (in pdf_templates/) with `context`: the HTML and the PDF bytes."""
    from weasyprint import HTML

    html = render_html(template, context)
    font_config, css = _font_config_and_css()
    document = HTML(string=html, base_url=STATIC_SCHEME, url_fetcher=fetcher or url_fetcher())
    pdf = document.write_pdf(stylesheets=[css], font_config=font_config,
                             pdf_variant=PDF_VARIANT, pdf_tags=True)
    return html, pdf
