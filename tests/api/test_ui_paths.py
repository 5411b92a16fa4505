"""The memory browser's files are served without a key: a name that cannot be a file (a NUL,
a name too long for the file system) is a plain 404, not a 500 with a traceback logged for
each request anyone sends."""

import logging

import pytest


@pytest.mark.parametrize("path", ["/ui/x%00", "/ui/app.js%00.css", "/ui/" + "a" * 5000 + ".js",
                                  "/ui/%ED%A0%80.js"])
async def test_a_name_that_cannot_be_a_file_is_404(client, caplog, path):
    with caplog.at_level(logging.ERROR):
        response = await client.get(path)
    assert response.status_code == 404, response.text
    assert "no file" in response.json()["detail"]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_the_page_is_still_served(client):
    assert (await client.get("/ui")).status_code == 200
