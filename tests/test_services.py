"""The private servers of the tests (scripts/postgres.sh, scripts/redis.sh): they answer on
127.0.0.1, and asked again once they run, the scripts only print the same URL."""

from __future__ import annotations

import os
import uuid

import redis
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.support.services import run_script, service_url


def printed_again(service: str) -> str:
    return run_script(service).stdout.strip().splitlines()[-1]


def test_redis_answers_on_loopback_and_its_script_prints_the_same_url_again():
    url = service_url("Redis")
    client = redis.Redis.from_url(url)
    key = f"test:{uuid.uuid4().hex}"
    try:
        assert client.connection_pool.connection_kwargs["host"] == "127.0.0.1"
        assert client.set(key, "uno", ex=60)
        assert client.get(key) == b"uno"
    finally:
        client.delete(key)
        client.close()
    if not os.environ.get("TEST_REDIS_URL"):
        assert printed_again("Redis") == url


def test_postgresql_answers_on_loopback_and_its_script_prints_the_same_url_again():
    url = service_url("PostgreSQL")
    assert make_url(url).host == "127.0.0.1"
    engine = create_engine(url, future=True)
    try:
        with engine.connect() as connection:
            database = connection.execute(text("SELECT current_database()")).scalar_one()
    finally:
        engine.dispose()
    assert database == make_url(url).database
    if not os.environ.get("TEST_POSTGRES_URL"):
        assert printed_again("PostgreSQL") == url
