"""Per-host request pacing: how many requests may run against a host, and when the next may start.

Why separate from the crawl loop: politeness is the crawler's contract with the sites
it reads (a delay after every request, at most N parallel connections per host,
robots.txt Crawl-delay on top), and it must hold for feed, sitemap and page requests
alike. Loopback hosts can be exempted for local benchmarks.
"""
from __future__ import annotations

import ipaddress
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache


@lru_cache(maxsize=1024)   # asked several times per request by the scheduler
def is_loopback_host(host: str) -> bool:
    """host is "name[:port]" or "[ipv6][:port]", as made by ingest.urls.host_of."""
    name = host[1:host.find("]")] if host.startswith("[") else host.split(":", 1)[0]
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


@dataclass
class HostScheduler:
    default_delay: float = 1.0
    per_host: int = 1
    polite_loopback: bool = True
    clock: Callable[[], float] = time.monotonic
    _ready_at: dict[str, float] = field(default_factory=dict)
    _delay: dict[str, float] = field(default_factory=dict)
    _running: Counter[str] = field(default_factory=Counter)

    def set_delay(self, host: str, seconds: float | None) -> None:
        """Delay for one host (source setting or robots Crawl-delay); the larger one wins."""
        if seconds is not None:
            self._delay[host] = max(self._delay.get(host, 0.0), seconds)

    def delay(self, host: str) -> float:
        if not self.polite_loopback and is_loopback_host(host):
            return 0.0
        return self._delay.get(host, self.default_delay)

    def limit(self, host: str) -> int:
        return 1_000_000 if not self.polite_loopback and is_loopback_host(host) else self.per_host

    def wait_time(self, host: str) -> float:
        """Seconds until a request to `host` may start (inf while its parallel limit is used)."""
        if self._running[host] >= self.limit(host):
            return float("inf")
        return max(0.0, self._ready_at.get(host, 0.0) - self.clock())

    def start(self, host: str) -> None:
        self._running[host] += 1

    def finish(self, host: str) -> None:
        self._running[host] -= 1
        self._ready_at[host] = self.clock() + self.delay(host)

    @contextmanager
    def turn(self, host: str) -> Iterator[None]:
        """A request made outside the worker pool (robots.txt, feeds, sitemaps): wait for the
        host's delay, and count the request for the next delay. Parallel slots are not
        needed: the coordinator makes these one at a time."""
        wait = max(0.0, self._ready_at.get(host, 0.0) - self.clock())
        if wait > 0:
            time.sleep(wait)
        try:
            yield
        finally:
            self._ready_at[host] = self.clock() + self.delay(host)
