"""Offline hygiene: the network guard refuses non-loopback connections and tiktoken works offline."""

import os
import socket

import pytest
import tiktoken

from assistant import offline
from tests.netguard import NetworkBlocked


def test_guard_refuses_public_address():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        with pytest.raises(NetworkBlocked):
            s.connect(("93.184.216.34", 443))


def test_guard_refuses_private_address_and_dns():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        with pytest.raises(NetworkBlocked):
            s.connect(("10.0.0.1", 80))
    with pytest.raises(NetworkBlocked):
        socket.getaddrinfo("openaipublic.blob.core.windows.net", 443)


def test_guard_allows_loopback():
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    try:
        with socket.create_connection(server.getsockname(), timeout=2):
            pass
    finally:
        server.close()


def test_tiktoken_offline_from_seeded_cache(tmp_path, monkeypatch):
    cache = offline.seed_tiktoken_cache(tmp_path / "tk")
    assert (cache / "fb374d419588a4632f3f557e76b4b70aebbca790").exists()
    assert (cache / "9b5ad71b2ce5302211f9c61530b329a4922fc6a4").exists()
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(cache))
    from tiktoken import registry

    monkeypatch.setattr(registry, "ENCODINGS", {})  # force a fresh load from our cache
    enc = tiktoken.get_encoding("o200k_base")
    tokens = enc.encode("部门整体支出绩效自评报告")
    assert tokens and enc.decode(tokens) == "部门整体支出绩效自评报告"
    assert len(tiktoken.get_encoding("cl100k_base").encode("三公经费")) > 0


def test_offline_env_applied():
    assert os.environ["ANONYMIZED_TELEMETRY"] == "False"
    assert os.environ["HF_HUB_OFFLINE"] == "1"
