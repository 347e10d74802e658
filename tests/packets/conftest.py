"""Fixtures for the packets tests: a private media root and packet files built in code."""

from __future__ import annotations

import pytest

from tests.packets import factory


@pytest.fixture
def cluster_packet(tmp_path):
    """A per-node (HA) v2 packet with secrets planted everywhere, nodes on two versions."""
    return factory.write(
        tmp_path / "mm_support_packet_Acme-Corp_2026-05-20T14-03.zip",
        factory.packet_bytes(
            layout="per_node", node_versions=("11.7.9", "11.6.1"), file_level="DEBUG"
        ),
    )
