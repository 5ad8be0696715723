"""Pytest plugin, on for every test run: any socket connection to a non-loopback address fails.

It patches `socket.socket.connect`/`connect_ex` and `socket.create_connection` at plugin load, before
any test module imports a client library, and applies the project's offline environment.
"""

from __future__ import annotations

import ipaddress
import os
import socket

import pytest

from assistant import offline


class NetworkBlocked(RuntimeError):
    pass


def _is_loopback(address) -> bool:
    if isinstance(address, (str, bytes)):  # AF_UNIX path
        return True
    host = address[0]
    if isinstance(host, bytes):
        host = host.decode()
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False  # a host name that is not localhost: would need DNS, refuse it


_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _guarded_connect(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address):
        raise NetworkBlocked(f"tests must stay offline: connection to {address!r} refused")
    return _real_connect(self, address)


def _guarded_connect_ex(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address):
        raise NetworkBlocked(f"tests must stay offline: connection to {address!r} refused")
    return _real_connect_ex(self, address)


_real_getaddrinfo = socket.getaddrinfo


def _guarded_getaddrinfo(host, *args, **kwargs):
    if host not in (None, "localhost", "127.0.0.1", "::1", "") and not _is_loopback((host, 0)):
        raise NetworkBlocked(f"tests must stay offline: name lookup of {host!r} refused")
    return _real_getaddrinfo(host, *args, **kwargs)


def install() -> None:
    socket.socket.connect = _guarded_connect
    socket.socket.connect_ex = _guarded_connect_ex
    socket.getaddrinfo = _guarded_getaddrinfo


def pytest_configure(config):
    os.environ.setdefault("ASSISTANT_DATA_DIR", str(offline.REPO_ROOT / ".data"))
    offline.apply()
    install()


@pytest.fixture
def network_guard():
    """The guard is always on; this fixture just names it for tests that assert on it."""
    return NetworkBlocked
