"""kombu's filesystem transport, with every file written whole before anyone can read it.

kombu 5.7's `filesystem://` creates a message file under its final name and only then writes it, and
its reader lists, moves and reads files without a lock: a reader that comes between the two reads an
empty payload and `loads('')` raises out of the worker's consumer loop (issue 19: the embedded worker
died after 6 and 20 minutes). The exchange tables in the control folder have the same hazard.

Here every write goes to a temporary name that no reader looks at (`.<uuid>.tmp`), then `os.replace`
gives it its final name: on POSIX a rename within one filesystem is atomic, so a reader sees no file or
the whole file. A message is claimed by renaming it into the claim folder (inside the broker folder,
so on the same filesystem): exactly one reader wins the rename. A file that still cannot be decoded
is moved to `rejected/` and logged, and the reader goes on to the next message: one bad file never
stops the worker.

Selected in partnercenter/settings/local.py with `CELERY_BROKER_TRANSPORT` when the broker URL is
`filesystem://`.
"""

from __future__ import annotations

import json
import logging
import os
import uuid
from pathlib import Path
from queue import Empty
from time import monotonic
from typing import Any

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import bytes_to_str, str_to_bytes
from kombu.utils.json import dumps, loads

logger = logging.getLogger(__name__)

TEMPORARY_SUFFIX = ".tmp"


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to a temporary file beside `path`, then rename it to `path` in one step."""
    temporary = path.with_name(f".{uuid.uuid4().hex}{TEMPORARY_SUFFIX}")
    try:
        with open(temporary, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


class Channel(filesystem.Channel):
    """Atomic writes, claim by rename, and undecodable files set aside instead of raised."""

    # kombu's stubs disagree with themselves: filesystem.Channel._put(queue, payload, **kwargs), the
    # signature kombu calls and we keep, against AbstractChannel._put(queue, message).
    def _put(self, queue: str, payload: Any, **kwargs: Any) -> None:  # type: ignore[override]
        # kombu's name (monotonic milliseconds, a uuid, the queue), the milliseconds zero-padded so that
        # a sorted listing is in publish order (kombu's "999_" sorts after "1000_").
        name = f"{round(monotonic() * 1000):015d}_{uuid.uuid4()}.{queue}.msg"
        try:
            write_atomically(Path(self.data_folder_out) / name, str_to_bytes(dumps(payload)))
        except OSError as exc:
            raise ChannelError(f"Cannot add file {name!r} to directory") from exc

    def _get(self, queue: str, timeout: float | None = None) -> Any:  # no wait: kombu polls
        wanted = f"{queue}.msg"
        folder = Path(self.data_folder_in)
        claims = self._claim_folder
        for name in sorted(os.listdir(folder)):
            if name.partition(".")[2] != wanted:
                continue
            claimed = claims / name
            try:
                os.rename(folder / name, claimed)
            except FileNotFoundError:
                continue  # another reader claimed it first
            try:
                payload = claimed.read_bytes()
            except OSError as exc:
                raise ChannelError(f"Cannot read file {claimed!s} from queue.") from exc
            try:
                message = loads(bytes_to_str(payload))
            except (ValueError, UnicodeDecodeError):
                self._reject(claimed, len(payload))
                continue
            if self.store_processed:
                os.replace(claimed, Path(self.processed_folder) / name)
            else:
                claimed.unlink(missing_ok=True)
            return message
        raise Empty()

    def _reject(self, claimed: Path, size: int) -> None:
        rejected = Path(self.processed_folder) / "rejected"
        rejected.mkdir(exist_ok=True)
        os.replace(claimed, rejected / claimed.name)
        logger.error("broker: skipped an undecodable message file (%d bytes), kept as %s", size, rejected / claimed.name)

    @property
    def _claim_folder(self) -> Path:
        claims = Path(self.processed_folder) / "claimed"
        claims.mkdir(parents=True, exist_ok=True)
        return claims

    def get_table(self, exchange: str) -> list[filesystem.exchange_queue_t]:
        file = self._exchange_file(exchange)
        try:
            table = json.loads(file.read_bytes())
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise ChannelError(f"Cannot open {file}") from exc
        return [filesystem.exchange_queue_t(*row) for row in table]

    def _queue_bind(self, exchange: str, routing_key: str, pattern: str, queue: str) -> None:
        file = self._exchange_file(exchange)
        self.control_folder.mkdir(parents=True, exist_ok=True)
        row = filesystem.exchange_queue_t(routing_key or "", pattern or "", queue or "")
        # Writers of one table take turns on a lock file; readers need no lock (the table is replaced whole).
        try:
            with open(file.with_name(f"{file.name}.lock"), "a") as lock_file:
                filesystem.lock(lock_file, filesystem.LOCK_EX)
                try:
                    rows = self.get_table(exchange)
                    if row not in rows:
                        write_atomically(file, str_to_bytes(dumps([row, *rows])))
                finally:
                    filesystem.unlock(lock_file)
        except OSError as exc:
            raise ChannelError(f"Cannot open {file}") from exc

    def _delete(self, queue: str, exchange: str, routing_key: str, pattern: str, *args: Any, **kwargs: Any) -> None:
        super(filesystem.Channel, self)._delete(queue, exchange, routing_key, pattern, *args, **kwargs)
        file = self._exchange_file(exchange)
        row = filesystem.exchange_queue_t(routing_key or "", pattern or "", queue or "")
        try:
            with open(file.with_name(f"{file.name}.lock"), "a") as lock_file:
                filesystem.lock(lock_file, filesystem.LOCK_EX)
                try:
                    rows = self.get_table(exchange)
                    if row in rows:
                        rows.remove(row)
                        write_atomically(file, str_to_bytes(dumps(rows)))
                finally:
                    filesystem.unlock(lock_file)
        except OSError as exc:
            raise ChannelError(f"Cannot open {file}") from exc


class Transport(filesystem.Transport):
    """`filesystem://` with atomic writes (see the module docstring)."""

    Channel = Channel
    driver_name = "filesystem-atomic"
