"""A refused start says why in one or two plain lines on stderr and exits 2, never a traceback."""

import socket

import psycopg
from psycopg.types.json import Jsonb

from tests.cli.helpers import assert_refused, run_cli
from tests.live_server import free_port


def test_listening_beyond_loopback_without_a_key_is_refused(database_url):
    result = run_cli("serve", DATABASE_URL=database_url, HOST="0.0.0.0", PORT=str(free_port()))
    assert_refused(result, "refusing to listen on 0.0.0.0", "ADMIN_API_KEY")


def test_a_database_never_migrated_holds_no_key_either(empty_database_url):
    result = run_cli("serve", DATABASE_URL=empty_database_url, HOST="0.0.0.0",
                     PORT=str(free_port()))
    assert_refused(result, "refusing to listen on 0.0.0.0", "ADMIN_API_KEY")


def test_a_short_admin_key_is_refused_without_echoing_it(database_url):
    result = run_cli("serve", DATABASE_URL=database_url, ADMIN_API_KEY="tooshort123",
                     PORT=str(free_port()))
    stderr = assert_refused(result, "ADMIN_API_KEY", "16 characters")
    assert "tooshort123" not in stderr


def test_invalid_settings_name_the_variable_and_what_to_fix(database_url):
    result = run_cli("serve", DATABASE_URL=database_url, PORT="eighty",
                     LOG_LEVEL="loud")
    assert_refused(result, "PORT", "'eighty'", "LOG_LEVEL", "'loud'")


def test_every_command_refuses_invalid_settings_the_same_way(database_url):
    result = run_cli("keys", "list", DATABASE_URL=database_url, DB_POOL_MAX_SIZE="0")
    assert_refused(result, "DB_POOL_MAX_SIZE", "greater than or equal to 1")


def test_a_port_in_use_is_refused(database_url):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_cli("serve", DATABASE_URL=database_url, PORT=str(port))
    assert_refused(result, f"127.0.0.1:{port}", "PORT")


def test_a_model_that_cannot_be_loaded_is_refused(database_url, tmp_path):
    result = run_cli("serve", DATABASE_URL=database_url, PORT=str(free_port()),
                     EMBEDDING_MODEL_PATH=str(tmp_path / "no-model-here"))
    assert_refused(result, "embedding model", "EMBEDDING_MODEL_PATH")


def test_a_model_other_than_the_stored_vectors_is_refused(database_url):
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("INSERT INTO service_meta (key, value) VALUES ('embedding_model', %s)"
                     " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                     (Jsonb({"model": "openai:text-embedding-3-small", "dims": 1536}),))
    result = run_cli("serve", DATABASE_URL=database_url, PORT=str(free_port()))
    assert_refused(result, "text-embedding-3-small", "memory-service reindex")
