"""``catalyst-gen preview``: one connector in the Camunda 7 Modeler, live, on 127.0.0.1.

============  ==============================================================
Module        Role
============  ==============================================================
``snapshot``  what the page shows, built in memory from the spec (or the
              located problems while the spec is broken), with a version
``page``      the HTML of both pages, everything from the spec escaped
``server``    the Starlette app, the file watcher and server-sent events
============  ==============================================================

The browser side (``js/``: the Modeler, element templates, reload on change)
is bundled with esbuild into ``static/``, which ships with the package, so
the preview works offline without Node.  Rebuild it with ``npm ci && npm run
build`` in ``js/``.
"""

from pathlib import Path

STATIC_DIR = Path(__file__).parent / "static"
