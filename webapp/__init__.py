"""kg's web application: the Flask app factory.

The app holds one :class:`kg.store.Store` (opened by the factory, or handed in
by tests) and the settings; blueprints only query it.  Nothing here imports the
store back ends' libraries: the store interface is the seam.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from kg import __version__
from kg.config import Settings, load_settings
from kg.store import Store, open_store


def create_app(settings: Settings | None = None, store: Store | None = None, writer: Any = None,
               publication: Any = None, **config: Any) -> Flask:
    """Build the app over a store (reads), a write path and the pipeline's publication.

    ``kg serve`` hands in a store that reads through query processes, a client of the writer
    process and the publication opened read-only.  Tests hand in a loaded store; without a writer
    the app makes one over the store, deriving in a background thread of this process.
    """
    settings = settings or load_settings()
    app = Flask(__name__)
    app.config.update(
        KG_SETTINGS=settings,
        MAX_CONTENT_LENGTH=settings.max_upload_bytes,
        JSON_SORT_KEYS=False,
        **config,
    )
    app.extensions["kg.store"] = store if store is not None else open_store(settings)
    if writer is None:
        from kg.write import Writer

        writer = Writer(app.extensions["kg.store"], settings, background=True)
    app.extensions["kg.writer"] = writer
    app.extensions["kg.publication"] = publication if publication is not None else writer.publication
    app.jinja_env.globals.update(kg_version=__version__, base_iri=settings.base_iri)

    from webapp import (
        assets,
        browse,
        catalog,
        compression,
        core,
        errors,
        i18n,
        openapi,
        search,
        security,
        site,
        sparql,
    )

    compression.init_app(app)   # first: its after-request hook then runs after every other one
    assets.init_app(app, settings)
    app.register_blueprint(core.bp)
    app.register_blueprint(catalog.bp)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(browse.bp)
    app.register_blueprint(search.bp)
    app.register_blueprint(openapi.bp)
    app.register_blueprint(site.bp)
    i18n.init_app(app)
    errors.register_error_handlers(app)
    security.init_app(app, settings)
    return app
