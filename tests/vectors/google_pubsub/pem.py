"""Writes each key of `jwks.json` as a PEM SubjectPublicKeyInfo, `<kid>.pem`, with Python's
`cryptography` (independent of hookseal's JWK reader), for the tests that pin Google's keys in a
keyring instead of fetching the key set.

Run from this directory after make.py: python3 pem.py.
"""

import base64
import json

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


def number(text: str) -> int:
    return int.from_bytes(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)), "big")


with open("jwks.json") as f:
    jwks = json.load(f)

for key in jwks["keys"]:
    public = rsa.RSAPublicNumbers(number(key["e"]), number(key["n"])).public_key()
    pem = public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    with open(f"{key['kid']}.pem", "wb") as f:
        f.write(pem)
