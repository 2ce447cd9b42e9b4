"""The site as other programs read it: an Atom feed of meetings and decisions, a sitemap, robots.txt, an icon.

The feed and the sitemap are built by the derivation pipeline (:mod:`kg.pages.summaries`); these
routes only lay them out, in the reader's language for the feed.  Links name the host the request
came to, so a deployment behind any name gives working links.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template, request, send_file

from kg.pages.summaries import summary
from webapp.browse import href
from webapp.context import get_publication, get_settings
from webapp.i18n import current_language
from webapp.params import whole_number

bp = Blueprint("site", __name__)

#: The sitemap protocol's limit of URLs per file; more are split into parts listed by an index.
SITEMAP_LIMIT = 50_000


def absolute(path: str) -> str:
    """A path on this site as an absolute URL on the host the request came to."""
    return request.host_url.rstrip("/") + path


@bp.get("/feed.atom")
def feed() -> Response:
    """New meetings and decisions as Atom 1.0, newest first."""
    data = summary(get_publication(), f"feed:{current_language()}")
    if data is None:
        abort(503, description="the feed is being prepared; try again shortly")
    body = render_template("feed.xml", feed=data, absolute=absolute, page_href=href)
    return Response(body, content_type="application/atom+xml; charset=utf-8")


@bp.get("/sitemap.xml")
def sitemap() -> Response:
    """Every page kg serves for a resource (split into parts past the protocol's limit)."""
    entries = summary(get_publication(), "sitemap")
    if entries is None:
        abort(503, description="the sitemap is being prepared; try again shortly")
    parts = max(1, -(-len(entries) // SITEMAP_LIMIT))
    part = whole_number("part", 0, low=0, high=parts)
    if parts > 1 and part == 0:
        body = render_template("sitemap.xml", index=[absolute(f"{request.path}?part={n}")
                                                     for n in range(1, parts + 1)], entries=[])
    else:
        chosen = entries[(max(part, 1) - 1) * SITEMAP_LIMIT: max(part, 1) * SITEMAP_LIMIT]
        body = render_template("sitemap.xml", index=[], entries=[(absolute(request.script_root + p), m)
                                                                 for p, m in chosen])
    return Response(body, content_type="application/xml; charset=utf-8")


@bp.get("/robots.txt")
def robots() -> Response:
    """Crawl the pages (the query page and search included), not the answers to queries; where the
    sitemap is."""
    root = request.script_root
    lines = ["User-agent: *", "Allow: /", f"Disallow: {root}/sparql?", f"Disallow: {root}/sparql/",
             f"Disallow: {root}/resource?", "", f"Sitemap: {absolute(root + '/sitemap.xml')}", ""]
    return Response("\n".join(lines), content_type="text/plain; charset=utf-8")


@bp.get("/favicon.ico")
def favicon() -> Response:
    """The icon browsers ask for at this fixed address (pages name the hashed SVG and this one)."""
    name = current_app.extensions["kg.assets"]["favicon.ico"]
    return send_file(get_settings().assets_dir.resolve() / name, mimetype="image/vnd.microsoft.icon",
                     max_age=86400, conditional=True)
