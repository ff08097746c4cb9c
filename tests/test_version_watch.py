"""This process's memory of the page versions (app/libs/version_watch.py),
against a real Redis: a version is used only while no message has withdrawn
it, never when it was read across a change, and for a bounded time."""
import time
import uuid

import pytest
import redis

from app.libs.version_watch import VersionWatch
from tests.db_servers import need_redis


@pytest.fixture
def client():
    return redis.Redis.from_url(need_redis(), socket_timeout=2)


@pytest.fixture
def channel():
    return f"fisher-test-{uuid.uuid4().hex}:pagever"


def live_watch(client, channel, trust=60.0) -> VersionWatch:
    """A watch whose subscription Redis has confirmed."""
    watch = VersionWatch(client, channel, trust)
    deadline = time.monotonic() + 5
    while watch.mark() is None:
        assert time.monotonic() < deadline, "the subscription was never confirmed"
        time.sleep(0.01)
    return watch


def publish(client, channel, *keys) -> None:
    """What page_versions.bump sends: the keys, then a PING."""
    client.publish(channel, "\n".join(keys))
    client.ping()


def test_nothing_is_known_before_the_subscription_is_confirmed(client, channel):
    """Versions read under a None mark (no confirmed subscription: a change could be missed) are never kept."""
    watch = live_watch(client, channel)
    watch.learn(["pagever:home"], ["t1"], None)
    assert watch.known(["pagever:home"]) is None


def test_a_learned_version_is_known_until_a_message_withdraws_it(client, channel):
    """A published change withdraws the version at the next look, with no waiting."""
    watch = live_watch(client, channel)
    watch.learn(["pagever:home", "pagever:search"], ["t1", "t2"], watch.mark())
    assert watch.known(["pagever:home", "pagever:search"]) == ("t1", "t2")
    publish(client, channel, "pagever:home")
    assert watch.known(["pagever:home"]) is None
    assert watch.known(["pagever:search"]) == ("t2",)


def test_a_read_that_straddles_a_change_is_not_kept(client, channel):
    """Versions read before a message arrived may predate its change: learn() drops them."""
    watch = live_watch(client, channel)
    mark = watch.mark()
    publish(client, channel, "pagever:book:9787536692930")
    watch.learn(["pagever:home"], ["old"], mark)
    assert watch.known(["pagever:home"]) is None


def test_a_version_is_trusted_for_a_bounded_time(client, channel):
    """Even with no message, a version older than trust_seconds is read again."""
    watch = live_watch(client, channel, trust=0.05)
    watch.learn(["pagever:home"], ["t1"], watch.mark())
    assert watch.known(["pagever:home"]) == ("t1",)
    time.sleep(0.1)
    assert watch.known(["pagever:home"]) is None


def test_a_lost_subscription_forgets_everything_and_comes_back(client, channel):
    """Redis closing the subscription (a restart) drops what was known; the watch subscribes again."""
    watch = live_watch(client, channel)
    watch.learn(["pagever:home"], ["t1"], watch.mark())
    client.client_kill_filter(_type="pubsub")
    time.sleep(0.05)
    assert watch.known(["pagever:home"]) is None
    deadline = time.monotonic() + 5
    while (mark := watch.mark()) is None:
        assert time.monotonic() < deadline, "the watch never subscribed again"
        time.sleep(0.01)
    watch.learn(["pagever:home"], ["t2"], mark)
    assert watch.known(["pagever:home"]) == ("t2",)


def test_a_forked_process_does_not_use_what_its_parent_knew(client, channel):
    """In a child (another pid) the parent's versions and subscription are dropped."""
    watch = live_watch(client, channel)
    watch.learn(["pagever:home"], ["t1"], watch.mark())
    watch._pid = -1  # as after os.fork(): the pid the watch recorded is no longer ours
    assert watch.known(["pagever:home"]) is None


def test_forget_drops_a_version_at_once(client, channel):
    """This process's own bump drops the version before any message comes back."""
    watch = live_watch(client, channel)
    watch.learn(["pagever:home"], ["t1"], watch.mark())
    watch.forget(["pagever:home"])
    assert watch.known(["pagever:home"]) is None
