"""What this process knows of the page versions without asking Redis.

The page cache checks a cached page's versions on every visit. With Redis
that was a round trip per visit, about a third of a cached page's cost; now
each process remembers the versions it has read, and Redis tells it when one
changes: every bump publishes the changed keys on one channel, which each
process subscribes to. Before answering from memory a visit takes whatever
messages have arrived (a non-blocking read of the subscription), so it never
uses a version that a message has already withdrawn.

A bump returns only after a PING that follows its PUBLISH (app/services/
page_versions.bump): Redis writes a published message to every subscriber
before it reads its publisher's next command, so once the change's request
has answered, the message is waiting for every other process on this host;
a visitor's next request, which needs at least one more trip over the
network, finds it there.

Versions read before the subscription is confirmed, or while a message may
have been missed (an error on the subscription, a fork), are never kept; a
version read from Redis is trusted for ``trust_seconds`` at most, so even a
subscription silently cut off (a network that drops packets without closing
the connection) cannot keep an outdated page longer than that.
"""
import logging
import os
import threading
import time

log = logging.getLogger(__name__)


class VersionWatch:
    """Remembered versions (key -> token) of one Redis ``client``, forgotten
    when ``channel`` names their key."""

    def __init__(self, client, channel: str, trust_seconds: float):
        self._client, self.channel, self._trust = client, channel, trust_seconds
        self._lock = threading.Lock()
        self._known: dict[str, tuple[str, float]] = {}
        self._pubsub = None
        self._pid = None
        self._live = False  # the subscription is confirmed: every later message will come
        self._seq = 0  # grows with each message or loss: a read that straddles one is not kept

    def known(self, keys) -> tuple | None:
        """The tokens of ``keys`` when every one is known and current, else None."""
        with self._lock:
            if not self._take_messages():
                return None
            now, tokens = time.monotonic(), []
            for key in keys:
                entry = self._known.get(key)
                if entry is None or now - entry[1] > self._trust:
                    return None
                tokens.append(entry[0])
            return tuple(tokens)

    def mark(self) -> int | None:
        """Call before reading versions from Redis; pass the result to ``learn``."""
        with self._lock:
            return self._seq if self._take_messages() else None

    def learn(self, keys, tokens, mark: int | None) -> None:
        """Remember versions read from Redis since ``mark``, unless a message
        (or a loss) came in between: the read may predate that change."""
        with self._lock:
            if mark is None or not self._take_messages() or self._seq != mark:
                return
            now = time.monotonic()
            self._known.update((key, (token, now)) for key, token in zip(keys, tokens))

    def forget(self, keys) -> None:
        """This process changed ``keys``: drop them now, before any message."""
        with self._lock:
            for key in keys:
                self._known.pop(key, None)
            self._seq += 1

    def _take_messages(self) -> bool:
        """Apply the messages that have arrived; whether the subscription is
        live (the lock held)."""
        if self._pid != os.getpid():  # new, or a child that inherited the parent's subscription
            self._lost()
            self._pid = os.getpid()
        try:
            if self._pubsub is None:
                self._pubsub = self._client.pubsub()
                self._pubsub.subscribe(self.channel)
            while (message := self._pubsub.get_message(timeout=0)) is not None:
                if message["type"] == "subscribe":
                    self._live = True
                elif message["type"] == "message":
                    for key in message["data"].decode().split("\n"):
                        self._known.pop(key, None)
                    self._seq += 1
        except Exception:  # redis-py's errors: the subscription is gone, and messages with it
            log.warning("page cache: version messages unreadable; versions are read from the cache",
                        exc_info=True)
            if self._pubsub is not None:
                try:
                    self._pubsub.close()
                except Exception:
                    pass
            self._lost()
            return False
        return self._live

    def _lost(self) -> None:
        self._pubsub, self._live = None, False
        self._known.clear()
        self._seq += 1
