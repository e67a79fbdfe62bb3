"""The fetch guard (summarizer/text/fetch_guard.py) and where it is used.

No test needs the network: names are resolved by a FAKE resolver, "public" hosts are
answered by a FAKE internet (an httpx.MockTransport keyed by the address the guard
connects to), and the private target is a real FAKE web site on 127.0.0.1 whose hits
are counted. Each refusal test first shows that, without the guard, the same chain of
requests does reach that site.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from summarizer.batch.inputs import BatchInput, read_feed
from summarizer.errors import FetchError
from summarizer.settings import Settings
from summarizer.slack.feeds import summarize_items
from summarizer.text.fetch_guard import AsyncGuardedTransport, GuardedTransport, is_public_address
from summarizer.text.sources import aload_source, load_source

from .fakes.fake_web import FakeWeb

PUBLIC = "93.184.216.34"  # a public address; the FAKE internet answers for it


class FakeResolver:
    """A FAKE DNS: each name answers the next list of its script (the last one repeats)."""

    def __init__(self, **script: list[list[str]]) -> None:
        self.script = {name.replace("_", "."): answers for name, answers in script.items()}
        self.calls: list[str] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.calls.append(host)
        answers = self.script[host]
        return answers.pop(0) if len(answers) > 1 else answers[0]


class FakeInternet:
    """A FAKE network behind the guard: answers for PUBLIC, real connections otherwise.

    ``routes`` maps a path on PUBLIC to a response; every request is recorded (the URL
    the guard connected to, and its Host header and TLS name)."""

    def __init__(self, routes: dict[str, httpx.Response]) -> None:
        self.routes = routes
        self.seen: list[tuple[str, str, str | None]] = []

    def _record(self, request: httpx.Request) -> None:
        sni = request.extensions.get("sni_hostname")
        self.seen.append((str(request.url), request.headers["host"], sni))


class FakeInternetTransport(httpx.BaseTransport):
    """The FAKE internet as a transport: a real connection for any address but PUBLIC."""

    def __init__(self, internet: FakeInternet) -> None:
        self.internet = internet
        self._real = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.internet._record(request)
        if request.url.host == PUBLIC:
            return self.internet.routes[request.url.path]
        return self._real.handle_request(request)

    def close(self) -> None:
        self._real.close()


@pytest.fixture
def site() -> Iterator[FakeWeb]:
    with FakeWeb() as web:
        yield web


def _redirect(location: str) -> httpx.Response:
    return httpx.Response(302, headers={"Location": location})


# --- the address check -------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1",
        "0.0.0.0", "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255",
        "::1", "::", "fe80::1", "fc00::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1",
        "2002:7f00:1::1", "64:ff9b::7f00:1", "2001:db8::1", "not an address",
    ],
)  # fmt: skip
def test_non_public_addresses_are_refused(address: str) -> None:
    assert not is_public_address(address)


@pytest.mark.parametrize("address", [PUBLIC, "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert is_public_address(address)


# --- the transport ------------------------------------------------------------------------


def test_a_public_address_is_fetched_from_the_address_that_was_checked() -> None:
    internet = FakeInternet({"/news": httpx.Response(200, text="ok")})
    resolver = FakeResolver(news_example=[[PUBLIC]])
    transport = GuardedTransport(resolver=resolver, transport=FakeInternetTransport(internet))
    with httpx.Client(transport=transport) as client:
        response = client.get("https://news.example/news?id=1")
    assert response.text == "ok"
    assert str(response.url) == "https://news.example/news?id=1"
    # connected to the checked address, with the name kept for Host and TLS (SNI)
    assert internet.seen == [(f"https://{PUBLIC}/news?id=1", "news.example", "news.example")]
    assert resolver.calls == ["news.example"]


def test_a_redirect_from_a_public_host_to_loopback_is_refused(site: FakeWeb) -> None:
    target = f"{site.base_url}/article"
    internet = FakeInternet({"/latest": _redirect(target)})
    resolver = FakeResolver(public_example=[[PUBLIC]])
    # without the guard the redirect reaches the private site: the test can fail
    unguarded = httpx.Client(transport=FakeInternetTransport(internet), follow_redirects=True)
    with unguarded:
        assert unguarded.get(f"http://{PUBLIC}/latest").status_code == 200
    assert site.hits == ["/article"]
    guarded = GuardedTransport(resolver=resolver, transport=FakeInternetTransport(internet))
    with (
        httpx.Client(transport=guarded, follow_redirects=True) as client,
        pytest.raises(FetchError, match=r"127\.0\.0\.1 is not a public address"),
    ):
        client.get("http://public.example/latest")
    assert site.hits == ["/article"], "the guarded client never reached 127.0.0.1"


def test_a_redirect_to_a_name_of_a_private_address_is_refused() -> None:
    internet = FakeInternet({"/a": _redirect("http://intranet.example/admin")})
    resolver = FakeResolver(public_example=[[PUBLIC]], intranet_example=[["10.0.0.7"]])
    guarded = GuardedTransport(resolver=resolver, transport=FakeInternetTransport(internet))
    with (
        httpx.Client(transport=guarded, follow_redirects=True) as client,
        pytest.raises(FetchError, match=r"intranet\.example resolves to 10\.0\.0\.7"),
    ):
        client.get("http://public.example/a")
    assert [url for url, _, _ in internet.seen] == [f"http://{PUBLIC}/a"]


def test_dns_rebinding_is_refused(site: FakeWeb) -> None:
    """The name answers a public address first and 127.0.0.1 next: the guard connects to
    the address it checked, and checks again (refusing) on the next hop."""
    port = int(site.base_url.rsplit(":", 1)[1])
    internet = FakeInternet({"/start": _redirect(f"http://rebind.example:{port}/article")})
    resolver = FakeResolver(rebind_example=[[PUBLIC], ["127.0.0.1"]])
    guarded = GuardedTransport(resolver=resolver, transport=FakeInternetTransport(internet))
    with (
        httpx.Client(transport=guarded, follow_redirects=True) as client,
        pytest.raises(FetchError, match=r"rebind\.example resolves to 127\.0\.0\.1"),
    ):
        client.get(f"http://rebind.example:{port}/start")
    assert internet.seen == [(f"http://{PUBLIC}:{port}/start", f"rebind.example:{port}", None)]
    assert resolver.calls == ["rebind.example", "rebind.example"]
    assert site.hits == []


def test_a_name_with_any_private_address_is_refused() -> None:
    internet = FakeInternet({"/": httpx.Response(200)})
    resolver = FakeResolver(mixed_example=[[PUBLIC, "127.0.0.1"]])
    guarded = GuardedTransport(resolver=resolver, transport=FakeInternetTransport(internet))
    with (
        httpx.Client(transport=guarded) as client,
        pytest.raises(FetchError, match=r"127\.0\.0\.1"),
    ):
        client.get("http://mixed.example/")
    assert internet.seen == []


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://[::1]:{port}/article", "::1"),
        ("http://[fe80::1]/", "fe80::1"),
        ("http://[::ffff:127.0.0.1]:{port}/article", "::ffff:127.0.0.1"),
    ],
)
def test_ipv6_loopback_link_local_and_mapped_addresses_are_refused(
    site: FakeWeb, url: str, shown: str
) -> None:
    port = site.base_url.rsplit(":", 1)[1]
    with (
        httpx.Client(transport=GuardedTransport(resolver=FakeResolver())) as client,
        pytest.raises(FetchError, match=re.escape(f"{shown} is not a public address")),
    ):
        client.get(url.format(port=port))
    assert site.hits == []


def test_a_name_resolving_to_an_ipv4_mapped_loopback_is_refused() -> None:
    resolver = FakeResolver(mapped_example=[["::ffff:127.0.0.1"]])
    with (
        httpx.Client(transport=GuardedTransport(resolver=resolver)) as client,
        pytest.raises(FetchError, match=r"resolves to ::ffff:127\.0\.0\.1"),
    ):
        client.get("http://mapped.example/")


def test_an_unresolvable_name_is_a_fetch_error() -> None:
    def fails(host: str, port: int) -> list[str]:
        raise OSError("no such name")

    with (
        httpx.Client(transport=GuardedTransport(resolver=fails)) as client,
        pytest.raises(FetchError, match=r"cannot resolve the host of http://\*\*\*@nowhere\.ex"),
    ):
        client.get("http://user:pw@nowhere.example/")


async def test_the_async_transport_refuses_a_redirect_to_loopback(site: FakeWeb) -> None:
    internet = FakeInternet({"/latest": _redirect(f"{site.base_url}/article")})

    async def answer(request: httpx.Request) -> httpx.Response:
        if request.url.host == PUBLIC:
            return internet.routes[request.url.path]
        raise AssertionError(f"connected to {request.url}")

    transport = AsyncGuardedTransport(
        resolver=FakeResolver(public_example=[[PUBLIC]]), transport=httpx.MockTransport(answer)
    )
    async with httpx.AsyncClient(transport=transport, follow_redirects=True) as client:
        with pytest.raises(FetchError, match=r"127\.0\.0\.1 is not a public address"):
            await client.get("http://public.example/latest")
    assert site.hits == []


# --- where it is used -----------------------------------------------------------------------


def test_sources_fetch_through_the_guard_when_the_setting_is_on(site: FakeWeb) -> None:
    url = f"{site.base_url}/article"
    assert load_source(url, settings=Settings()).title == "Clashes in the north"  # off: fetched
    with pytest.raises(FetchError, match=r"127\.0\.0\.1 is not a public address"):
        load_source(url, settings=Settings(fetch_guard=True))
    with pytest.raises(FetchError, match=r"127\.0\.0\.1 is not a public address"):
        asyncio.run(aload_source(url, settings=Settings(fetch_guard=True)))
    assert site.hits == ["/article"]


def test_the_setting_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().fetch_guard is False
    monkeypatch.setenv("SUMMARIZER_FETCH_GUARD", "1")
    assert Settings().fetch_guard is True


def test_feeds_and_feed_item_links_go_through_the_guard(site: FakeWeb, tmp_path: Path) -> None:
    guarded = Settings(fetch_guard=True, cache_dir=tmp_path)
    with pytest.raises(FetchError, match=r"127\.0\.0\.1 is not a public address"):
        read_feed(f"{site.base_url}/feed.xml", settings=guarded)
    now = dt.datetime.now(dt.UTC)
    item = BatchInput(id="a", url=f"{site.base_url}/article", feed_date=now, fetched_at=now)
    batch = asyncio.run(summarize_items([item], settings=guarded))
    assert batch.summarized == []
    [failure] = batch.failures
    assert "127.0.0.1 is not a public address" in failure.error
    assert site.hits == []


def test_the_bot_fetches_through_the_guard_unless_told_otherwise(tmp_path: Path) -> None:
    from pydantic import SecretStr

    from summarizer.slack.bot import SummarizerBot
    from summarizer.slack.poster import SlackSettings

    from .fakes.fake_slack import FakeSlack

    with FakeSlack() as fake:
        slack = SlackSettings(
            bot_token=SecretStr(fake.token),
            signing_secret=SecretStr("fake-signing-secret"),
            ledger_path=tmp_path / "ledger.db",
        )
        for allow, guarded in ((False, True), (True, False)):
            with SummarizerBot(
                slack_settings=slack,
                settings=Settings(cache_dir=tmp_path),
                api_url=fake.base_url,
                allow_private_urls=allow,
            ) as bot:
                assert bot.settings.fetch_guard is guarded
