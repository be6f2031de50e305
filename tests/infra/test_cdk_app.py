"""The `python -m infra.cdk.app` entry point."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from infra.cdk.stack import PROJECT_ROOT
from infra.workflows import WORKFLOWS
from tests.infra.cdk_template import SYNTH_ENV


def test_module_entry_point_synthesises_outside_the_project(tmp_path: Path) -> None:
    chalice_out = PROJECT_ROOT / "chalice.out"
    existed = chalice_out.exists()
    cache = PROJECT_ROOT / ".chalice" / "deployments"
    cached = sorted(cache.iterdir()) if cache.is_dir() else []
    outdir = tmp_path / "cdk.out"
    layer_dir = tmp_path / "layers"  # a built layer: the entry point refuses to synthesise without one
    (layer_dir / "python" / "somepkg").mkdir(parents=True)
    (layer_dir / "python" / "somepkg" / "__init__.py").write_text("")
    env = os.environ | SYNTH_ENV | {"CDK_OUTDIR": str(outdir), "LAYER_DIR": str(layer_dir)}
    result = subprocess.run(
        [sys.executable, "-m", "infra.cdk.app"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    template = json.loads((outdir / "Yunchetong-dev.template.json").read_text())
    assert template["Resources"]["APIHandler"]["Properties"]["Environment"]["Variables"]["STAGE"] == "dev"
    functions = [r["Properties"] for r in template["Resources"].values() if r["Type"] == "AWS::Lambda::Function"]
    deliverers = [f for f in functions if f["Handler"] == "functions.deliverer.handler.handler"]
    # the scheduled deliverer and the stream deliverer (first attempts)
    assert [d["Environment"]["Variables"]["INSURER_SECRET_PREFIX"] for d in deliverers] == ["yunchetong/dev/insurers"] * 2
    machines = [r["Properties"] for r in template["Resources"].values() if r["Type"] == "AWS::StepFunctions::StateMachine"]
    assert sorted(m["StateMachineName"] for m in machines) == sorted(f"yunchetong-dev-{w.name}" for w in WORKFLOWS)
    assert chalice_out.exists() == existed  # chalice.out/ went to a scratch directory
    assert (sorted(cache.iterdir()) if cache.is_dir() else []) == cached  # chalice packaged a copy
