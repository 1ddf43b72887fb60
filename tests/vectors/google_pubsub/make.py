"""Writes the Google Pub/Sub push vectors: an RSA key set and ID tokens signed with Python's
`cryptography` (independent of hookseal), each with the claims a test needs.

Run from this directory: python3 make.py. The private key is generated afresh and not kept, so
running it again gives other keys and tokens (the tests read whatever is here).
"""

import base64
import json

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def number(n: int) -> str:
    return b64url(n.to_bytes((n.bit_length() + 7) // 8, "big"))


keys = {kid: rsa.generate_private_key(public_exponent=65537, key_size=2048) for kid in ("k1", "k2")}
other = rsa.generate_private_key(public_exponent=65537, key_size=2048)

jwks = {
    "keys": [
        {
            "kty": "RSA",
            "alg": "RS256",
            "use": "sig",
            "kid": kid,
            "n": number(key.public_key().public_numbers().n),
            "e": number(key.public_key().public_numbers().e),
        }
        for kid, key in keys.items()
    ]
}

IAT = 1_700_000_000
AUD = "https://hooks.example.com/pubsub/push?token=abc"
EMAIL = "push@example-project.iam.gserviceaccount.com"
CLAIMS = {
    "aud": AUD,
    "azp": "112233445566778899000",
    "email": EMAIL,
    "email_verified": True,
    "exp": IAT + 3600,
    "iat": IAT,
    "iss": "https://accounts.google.com",
    "sub": "112233445566778899000",
}


def token(claims=None, header=None, key=None, kid="k1"):
    head = {"alg": "RS256", "kid": kid, "typ": "JWT"}
    head.update(header or {})
    body = dict(CLAIMS)
    for name, value in (claims or {}).items():
        if value is None:
            body.pop(name, None)
        else:
            body[name] = value
    signed = b64url(json.dumps(head, separators=(",", ":")).encode()) + "." + b64url(
        json.dumps(body, separators=(",", ":")).encode()
    )
    signer = key or keys.get(kid) or keys["k1"]
    signature = signer.sign(signed.encode(), padding.PKCS1v15(), hashes.SHA256())
    return signed + "." + b64url(signature)


tokens = {
    "valid": token(),
    "valid_k2": token(kid="k2"),
    "issuer_without_scheme": token({"iss": "accounts.google.com"}),
    "other_issuer": token({"iss": "https://evil.example"}),
    "other_audience": token({"aud": "https://hooks.example.com/other"}),
    "other_email": token({"email": "attacker@evil-project.iam.gserviceaccount.com"}),
    "email_unverified": token({"email_verified": False}),
    "email_verified_string": token({"email_verified": "true"}),
    "no_email": token({"email": None}),
    "unknown_kid": token(kid="k9", key=keys["k1"]),
    "signed_by_another_key": token(key=other),
    "alg_hs256": token(header={"alg": "HS256"}),
    "alg_none": token(header={"alg": "none"}),
}

body = {
    "message": {
        "attributes": {"origin": "hookseal-test"},
        "data": b64url(b'{"order":17}') + "==",
        "messageId": "2070443601311540",
        "message_id": "2070443601311540",
        "publishTime": "2023-11-14T22:13:25.123Z",
        "publish_time": "2023-11-14T22:13:25.123Z",
    },
    "subscription": "projects/example-project/subscriptions/push-sub",
}

with open("jwks.json", "w") as f:
    json.dump(jwks, f, indent=2)
    f.write("\n")
with open("tokens.json", "w") as f:
    json.dump({"iat": IAT, "aud": AUD, "email": EMAIL, "tokens": tokens}, f, indent=2)
    f.write("\n")
with open("body.json", "w") as f:
    json.dump(body, f, indent=2)
    f.write("\n")
