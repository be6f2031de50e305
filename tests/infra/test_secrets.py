"""The secrets construct (`infra/cdk/secrets.py`): the generated app secret."""

from __future__ import annotations

import json

from tests.infra.cdk_template import Synth, resources_of


def test_app_secret_is_generated_json_with_both_keys(synth: Synth) -> None:
    secrets = resources_of(synth, "AWS::SecretsManager::Secret")
    app_secret = [s for s in secrets.values() if s["Properties"]["GenerateSecretString"].get("GenerateStringKey")]
    assert len(app_secret) == 1
    generator = app_secret[0]["Properties"]["GenerateSecretString"]
    assert generator["GenerateStringKey"] == "tokenSecret"
    template = json.dumps(generator["SecretStringTemplate"]).replace('\\"', '"')
    assert '{"lookupHashKey":' in template
    # placeholder for the WeChat AppSecret, filled by operations; never a value in the template
    assert template.endswith('"wechatAppSecret":""}"]]}'), template
    assert "SecretString" not in app_secret[0]["Properties"]  # never a literal value
    for secret in secrets.values():
        assert secret["DeletionPolicy"] == "Retain"
