"""The stack synthesised once for every infra test module (about 15 s with cdk-nag).

The environment is set before aws_cdk is first imported: jsii starts its node process on import
and prints an end-of-life banner for Node 20 unless silenced."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

if TYPE_CHECKING:
    from tests.infra.cdk_template import Synth


@pytest.fixture(scope="session")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    from tests.infra.cdk_template import synthesise  # after the environment above

    return synthesise(tmp_path_factory.mktemp("cdk-synth"))

