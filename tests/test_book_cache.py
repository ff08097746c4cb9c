"""Caching of Yushu API answers: a TTL, the last good copy during outages, Redis."""
import redis

from tests.db_servers import need_redis
from tests.yushu_api import SEARCH_PATH, api_book, api_requests

ANSWER = {"books": [api_book(1)], "count": 1, "start": 0, "total": 1}


def test_search_answers_are_cached(make_app, httpserver):
    """A repeated search within the TTL does not ask the API again."""
    httpserver.expect_request(SEARCH_PATH).respond_with_json(ANSWER)
    client = make_app().test_client()
    for _ in range(3):
        assert client.get("/book/search?q=python").status_code == 200
    assert len(api_requests(httpserver)) == 1


def test_expired_answer_is_fetched_again(make_app, httpserver):
    """With a zero-second freshness the API is asked every time."""
    httpserver.expect_request(SEARCH_PATH).respond_with_json(ANSWER)
    client = make_app(BOOK_CACHE_TTL=-1).test_client()
    client.get("/book/search?q=python")
    client.get("/book/search?q=python")
    assert len(api_requests(httpserver)) == 2


def test_last_good_answer_served_when_api_fails(make_app, httpserver):
    """When the API breaks after a good answer, the page shows that answer, not a 503."""
    httpserver.expect_ordered_request(SEARCH_PATH).respond_with_json(ANSWER)
    httpserver.expect_ordered_request(SEARCH_PATH).respond_with_data("boom", status=500)
    client = make_app(BOOK_CACHE_TTL=-1).test_client()
    assert "Python 第1册" in client.get("/book/search?q=python").get_data(as_text=True)
    resp = client.get("/book/search?q=python")
    assert resp.status_code == 200 and "Python 第1册" in resp.get_data(as_text=True)
    assert len(api_requests(httpserver)) == 2


def test_failure_without_a_good_copy_names_the_source(make_app, httpserver):
    """An outage for a query never answered before keeps the page up (200) and says the source is unavailable."""
    httpserver.expect_request(SEARCH_PATH).respond_with_data("boom", status=500)
    resp = make_app().test_client().get("/book/search?q=python")
    assert resp.status_code == 200
    assert "鱼书 API暂时不可用" in resp.get_data(as_text=True)


def test_cache_can_live_in_redis(make_app, httpserver):
    """With CACHE_TYPE=RedisCache two app instances share cached answers."""
    url = need_redis()
    redis.Redis.from_url(url).flushdb()
    httpserver.expect_request(SEARCH_PATH).respond_with_json(ANSWER)
    config = {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": url}
    first, second = make_app(**config), make_app(**config)
    first.test_client().get("/book/search?q=python")
    resp = second.test_client().get("/book/search?q=python")
    assert "Python 第1册" in resp.get_data(as_text=True)
    assert len(api_requests(httpserver)) == 1
    assert any(key.startswith(b"fisher:book:") for key in redis.Redis.from_url(url).keys())
