"""The memory browser at /ui: static files from app/ui, no build step, no other host.

Served without authentication: the page holds no data; it signs in with an API key and calls
the public API, which enforces the key's grants.
"""

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, RedirectResponse

from app.errors import NotFound
from app.memories.storable import escaped, unstorable

UI_DIR = Path(__file__).resolve().parents[1] / "ui"
MEDIA_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
               ".css": "text/css; charset=utf-8"}
# The browser itself refuses any request to another host, whatever the page's code does.
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
                               "object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-cache",  # revalidate: a new release's files are picked up at once
}

router = APIRouter(tags=["ui"], include_in_schema=False)


@router.get("/ui")
async def index() -> FileResponse:
    return _file("index.html")


@router.get("/ui/")
async def index_slash() -> RedirectResponse:
    # The page resolves its assets and the API relative to /ui, not /ui/.
    return RedirectResponse("../ui")


@router.get("/ui/{name:path}")
async def asset(name: str) -> FileResponse:
    return _file(name)


def _file(name: str) -> FileResponse:
    missing = NotFound(f"no file {escaped(name)!r} in the memory browser")
    # A NUL (or a name too long for the file system) made the lookup raise: a 500 and a
    # traceback in the log per request, for anyone, no key needed.
    if unstorable(name):
        raise missing
    try:
        path = (UI_DIR / name).resolve()
        media_type = MEDIA_TYPES.get(path.suffix)
        if not path.is_relative_to(UI_DIR) or media_type is None or not path.is_file():
            raise missing
    except (OSError, ValueError):
        raise missing from None
    return FileResponse(path, media_type=media_type, headers=HEADERS)
