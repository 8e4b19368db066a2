"""The embedded broker never hands a reader a half-written message (issue 19).

kombu's filesystem transport creates a message file under its final name and then writes it; a reader
in between read an empty file and the worker died with JSONDecodeError. The first two tests stop a
writer at exactly that point (no timing involved); the third races writer and reader processes over
large messages, and every message must arrive intact, exactly once.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from queue import Empty
from typing import Any

import pytest
from django.conf import settings
from kombu import Connection
from kombu.transport import filesystem

from partnercenter import filesystem_broker

QUEUE = "default"


def broker_options(root: Path) -> dict[str, Any]:
    for folder in ("queue", "processed", "control"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    return {"data_folder_in": str(root / "queue"), "data_folder_out": str(root / "queue"),
            "processed_folder": str(root / "processed"), "control_folder": str(root / "control"),
            "store_processed": False}


def channel(root: Path, transport: Any = filesystem_broker.Transport) -> Any:
    return Connection("filesystem://", transport=transport, transport_options=broker_options(root)).channel()


def writer_paused_after_creating_the_file(monkeypatch: pytest.MonkeyPatch, module: Any) -> tuple[threading.Event, threading.Event]:
    """`open()` inside `module` creates the file, then waits: the moment between creating and writing."""
    created, resume = threading.Event(), threading.Event()
    real_open = open

    def pausing_open(*args: Any, **kwargs: Any) -> Any:
        file = real_open(*args, **kwargs)
        if "w" in str(args[1] if len(args) > 1 else kwargs.get("mode", "r")):
            created.set()
            assert resume.wait(10), "the test never resumed the writer"
        return file

    monkeypatch.setattr(module, "open", pausing_open, raising=False)
    return created, resume


def test_kombus_own_transport_hands_a_reader_the_empty_file_it_is_still_writing(tmp_path, monkeypatch):
    writer, reader = channel(tmp_path, filesystem.Transport), channel(tmp_path, filesystem.Transport)
    created, resume = writer_paused_after_creating_the_file(monkeypatch, filesystem)
    thread = threading.Thread(target=writer._put, args=(QUEUE, {"body": "hello"}))
    thread.start()
    try:
        assert created.wait(10)
        with pytest.raises(json.JSONDecodeError):
            reader._get(QUEUE)  # what killed the embedded worker
    finally:
        resume.set()
        thread.join(10)


def test_ours_shows_a_reader_nothing_until_the_message_is_whole_then_the_whole_message_once(tmp_path, monkeypatch):
    writer, reader = channel(tmp_path), channel(tmp_path)
    created, resume = writer_paused_after_creating_the_file(monkeypatch, filesystem_broker)
    thread = threading.Thread(target=writer._put, args=(QUEUE, {"body": "hello"}))
    thread.start()
    try:
        assert created.wait(10)
        with pytest.raises(Empty):
            reader._get(QUEUE)
    finally:
        resume.set()
        thread.join(10)
    assert reader._get(QUEUE) == {"body": "hello"}
    with pytest.raises(Empty):
        reader._get(QUEUE)
    assert not list((tmp_path / "queue").iterdir()), "no temporary file is left behind"


def test_an_undecodable_file_is_set_aside_and_the_next_message_still_arrives(tmp_path, caplog):
    reader = channel(tmp_path)
    (tmp_path / "queue" / f"000000000000000_broken.{QUEUE}.msg").write_bytes(b'{"half": ')  # sorts first: read first
    channel(tmp_path)._put(QUEUE, {"body": "next"})
    assert reader._get(QUEUE) == {"body": "next"}
    assert [p.name for p in (tmp_path / "processed" / "rejected").iterdir()] == [f"000000000000000_broken.{QUEUE}.msg"]
    assert "skipped an undecodable message file" in caplog.text


def test_the_exchange_table_is_never_read_half_written(tmp_path, monkeypatch):
    binder, publisher = channel(tmp_path), channel(tmp_path)
    created, resume = writer_paused_after_creating_the_file(monkeypatch, filesystem_broker)
    thread = threading.Thread(target=binder._queue_bind, args=("celery", "celery", "", "celery"))
    thread.start()
    try:
        assert created.wait(10)
        assert publisher.get_table("celery") == []
    finally:
        resume.set()
        thread.join(10)
    assert publisher.get_table("celery") == [("celery", "", "celery")]


WRITERS, READERS, MESSAGES_PER_WRITER, PAYLOAD_BYTES = 4, 3, 150, 256 * 1024


def _write(root: str, writer: int) -> None:
    put = channel(Path(root))._put
    for number in range(MESSAGES_PER_WRITER):
        blob = f"{writer}:{number}:".ljust(PAYLOAD_BYTES, "x")
        put(QUEUE, {"id": f"{writer}:{number}", "blob": blob, "sha256": hashlib.sha256(blob.encode()).hexdigest()})


def _read(root: str, received: Any, results: Any, total: int) -> None:
    get = channel(Path(root))._get
    ids, errors = [], []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with received.get_lock():
            if received.value >= total:
                break
        try:
            message = get(QUEUE)
        except Empty:
            time.sleep(0.001)
            continue
        except Exception as error:  # noqa: BLE001 — reported to the test, which fails on it
            errors.append(repr(error))
            continue
        if hashlib.sha256(message["blob"].encode()).hexdigest() != message["sha256"]:
            errors.append(f"corrupt {message['id']}")
        ids.append(message["id"])
        with received.get_lock():
            received.value += 1
    results.put((ids, errors))


def test_writers_and_readers_racing_over_large_messages_receive_every_one_intact_exactly_once(tmp_path):
    context = multiprocessing.get_context("spawn")
    total = WRITERS * MESSAGES_PER_WRITER
    received, results = context.Value("i", 0), context.Queue()
    channel(tmp_path)  # creates the folders
    readers = [context.Process(target=_read, args=(str(tmp_path), received, results, total)) for _ in range(READERS)]
    writers = [context.Process(target=_write, args=(str(tmp_path), number)) for number in range(WRITERS)]
    for process in readers + writers:
        process.start()
    outcomes = [results.get(timeout=180) for _ in readers]
    for process in readers + writers:
        process.join(30)
        assert process.exitcode == 0
    ids = Counter(message_id for got, _ in outcomes for message_id in got)
    errors = [error for _, got in outcomes for error in got]
    assert errors == []
    assert set(ids) == {f"{w}:{n}" for w in range(WRITERS) for n in range(MESSAGES_PER_WRITER)}
    assert set(ids.values()) == {1}
    assert all(got for got, _ in outcomes), "every reader took part in the race"


def test_the_embedded_default_runs_celery_on_this_transport_and_other_brokers_on_their_own(tmp_path):
    probe = "from partnercenter.celery import app; print(type(app.connection_for_write().transport).__module__)"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "partnercenter.settings.local", "PARTNERCENTER_VAR_DIR": str(tmp_path)}
    env.pop("CELERY_BROKER_URL", None)

    def transport_module(**extra: str) -> str:
        return subprocess.run([sys.executable, "-c", probe], cwd=settings.BASE_DIR, env={**env, **extra},
                              capture_output=True, text=True, check=True).stdout.strip()

    assert transport_module() == "partnercenter.filesystem_broker"
    # redis://: kombu's Redis transport with one client per channel (partnercenter/redis_broker.py, a subclass)
    assert transport_module(CELERY_BROKER_URL="redis://127.0.0.1:7699/0") == "partnercenter.redis_broker"
