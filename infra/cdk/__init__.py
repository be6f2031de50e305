"""AWS CDK app of the Yunchetong backend: `python -m infra.cdk.app` from the project root."""
