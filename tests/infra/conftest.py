"""Set before aws_cdk is first imported: jsii starts its node process on import and prints an
end-of-life banner for Node 20 unless silenced."""

import os

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
