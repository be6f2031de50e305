"""Rotate the direct-pay QR signing key (operations; needs PutSecretValue on the secret):

    MEDICAL_QR_SECRET_ID=<arn> python -m chalicelib.tools.rotate_qr_key

Prints the new key id. The old key stays published (and verifies its tokens) for a token's
validity, `MEDICAL_QR_VALID_HOURS` (ADR 0017).
"""

from __future__ import annotations

import sys

from chalicelib.integrations import qr_keys


def main() -> int:
    print(qr_keys.rotate())
    return 0


if __name__ == "__main__":
    sys.exit(main())
