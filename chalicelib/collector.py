"""The cyclic garbage collector waits while a cold container initialises (ADR 0039).

Importing the app and serving its first request allocate about 100,000 objects that live as long
as the container (modules, classes, pydantic validators, botocore's service model) and almost no
cyclic garbage (about 400 objects here). Every collection meanwhile scans them for nothing: about
155 collections, 65 CPU ms of a cold `import app` + first POST + first GET (12 %). So collection is
paused from the first line of `app.py` and resumed at the end of the first request, after moving
what is alive then to the permanent generation that no collection scans (`gc.freeze()`), so later
collections look only at what requests allocate. The few cyclic objects initialisation dropped
are frozen with the rest: a fixed few kilobytes, once per container.
"""

from __future__ import annotations

import gc

_paused = False


def pause() -> None:
    """Stop collecting until `resume()`; a host that turned collection off itself keeps it off."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume() -> None:
    """Freeze what initialisation built and collect again; only the first call after `pause()` acts."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()
