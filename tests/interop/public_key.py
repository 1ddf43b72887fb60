"""An independent signer for the public-key schemes, driven by tests/interop.rs: SendGrid (ECDSA
P-256), AWS SNS and PayPal (RSA, with a certificate), Google Pub/Sub push (an RS256 ID token
with a JSON Web Key Set). The providers' SDKs only verify, so the deliveries are signed here
with Python's `cryptography`, from each provider's documentation.

Usage: public_key.py sign FILE

Each input line is tab-separated, every field hex-encoded (so no byte of a payload can be lost
to quoting): scheme, key, seed, now_ms, then the scheme's fields (SCHEMES below).

- key: the name of the signing key, generated on first use and kept for the run, so several
  cases share it: `p256-N`, `rsa2048-N` or `rsa3072-N`. Pub/Sub's key sets name theirs in
  fields of the form `name=kid`, comma-separated.
- seed: seeds the choices left to this driver (member order, whitespace, escapes, how a time
  is written, the certificate's dates), so a run's texts replay with its seed; keys and ECDSA
  nonces are fresh each run.
- now_ms: the case's time, in milliseconds since the epoch. Timestamps are written from it and
  certificates are valid around it.
- An empty field is an absent one (an SNS message without Subject, a notification's Token).

Prints one JSON object per line: the delivery (headers and body as they travel) and the public
key or certificate, in PEM and, for SendGrid, as the base64 its dashboard shows; for Pub/Sub,
the key set as served and the tokens a receiver must refuse.
"""

import base64
import hashlib
import hmac
import json
import random
import sys
import zlib
from datetime import datetime, timedelta, timezone

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID

KEYS = {}


def private_key(name):
    """The key called `name`, generated the first time it is named."""
    if name not in KEYS:
        kind = name.split("-")[0]
        if kind == "p256":
            KEYS[name] = ec.generate_private_key(ec.SECP256R1())
        elif kind in ("rsa2048", "rsa3072"):
            KEYS[name] = rsa.generate_private_key(public_exponent=65537, key_size=int(kind[3:]))
        else:
            raise ValueError(f"unknown key {name}")
    return KEYS[name]


def b64(data):
    return base64.b64encode(data).decode("ascii")


def instant(c):
    return datetime.fromtimestamp(int(c.now_ms) // 1000, tz=timezone.utc).replace(
        microsecond=int(c.now_ms) % 1000 * 1000
    )


def rfc3339(c, styles):
    """The case's time in RFC 3339, in one of `styles`: `ms` (`.123Z`, as AWS writes it), `s`
    (`Z`, as PayPal does), `us` (`.123456Z`) or `offset` (whole seconds at a random offset)."""
    t = instant(c)
    style = c.rng.choice(styles)
    if style == "s":
        return t.strftime("%Y-%m-%dT%H:%M:%SZ")
    if style == "ms":
        return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"
    if style == "us":
        return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    minutes = c.rng.randrange(-12 * 60, 14 * 60 + 1, 15)
    zone = timezone(timedelta(minutes=minutes))
    text = t.astimezone(zone).strftime("%Y-%m-%dT%H:%M:%S%z")
    # strftime writes +0530; RFC 3339 wants +05:30.
    return text[:-2] + ":" + text[-2:]


def certificate(c, common_name):
    """A self-signed certificate for the case's key, valid from a random time up to a day before
    the case's time to a random time between two hours and a year after it."""
    key = private_key(c.key)
    now = instant(c).replace(microsecond=0)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(c.rng.getrandbits(120) + 1)
        .not_valid_before(now - timedelta(seconds=c.rng.randrange(0, 86_400)))
        .not_valid_after(now + timedelta(seconds=c.rng.randrange(7_200, 366 * 86_400)))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


# --- SendGrid: ECDSA P-256 / SHA-256 over timestamp || body, DER, base64 --------------------


def sendgrid(c):
    key = private_key(c.key)
    signature = key.sign(c.timestamp + c.body, ec.ECDSA(hashes.SHA256()))
    public = key.public_key()
    der = public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    pem = public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return {
        "headers": {
            "X-Twilio-Email-Event-Webhook-Signature": b64(signature),
            "X-Twilio-Email-Event-Webhook-Timestamp": c.timestamp.decode("ascii"),
        },
        "public_key": b64(der),
        "public_key_pem": pem.decode("ascii"),
    }


# --- AWS SNS: RSA PKCS#1 v1.5 over the message's members, SHA-1 (version 1) or SHA-256 (2) ---

# The members signed, in the order AWS lists them for each type ("Verifying the signatures of
# Amazon SNS messages"): Subject only when the notification has one.
SNS_SIGNED = {
    "Notification": ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"),
    "SubscriptionConfirmation": (
        "Message",
        "MessageId",
        "SubscribeURL",
        "Timestamp",
        "Token",
        "TopicArn",
        "Type",
    ),
}
SNS_SIGNED["UnsubscribeConfirmation"] = SNS_SIGNED["SubscriptionConfirmation"]

# The members whose `/` may be written `\/`: the texts hookseal decodes. It reads the others
# (Signature, SignatureVersion, SigningCertURL, MessageId, Timestamp) as written and refuses an
# escape in them; SNS writes none there (its base64 and URLs keep `/` as is).
SNS_TEXTS = ("Message", "Subject", "SubscribeURL", "Token", "TopicArn", "Type", "UnsubscribeURL")

# The order SNS writes a message's members in.
SNS_ORDER = (
    "Type",
    "MessageId",
    "Token",
    "TopicArn",
    "Subject",
    "Message",
    "SubscribeURL",
    "Timestamp",
    "SignatureVersion",
    "Signature",
    "SigningCertURL",
    "UnsubscribeURL",
)


def aws_sns(c):
    rng = c.rng
    kind = c.type.decode("utf-8")
    message = {
        "Type": kind,
        "MessageId": c.message_id.decode("utf-8"),
        "TopicArn": c.topic_arn.decode("utf-8"),
        "Message": c.message.decode("utf-8"),
        "Timestamp": rfc3339(c, ["ms", "ms", "s", "us", "offset"]),
        "SignatureVersion": c.signature_version.decode("ascii"),
        "SigningCertURL": c.cert_url.decode("ascii"),
    }
    for name, value in (
        ("Subject", c.subject),
        ("Token", c.token),
        ("SubscribeURL", c.subscribe_url),
        ("UnsubscribeURL", c.unsubscribe_url),
    ):
        if value:
            message[name] = value.decode("utf-8")
    to_sign = "".join(
        f"{name}\n{message[name]}\n" for name in SNS_SIGNED[kind] if name in message
    ).encode("utf-8")
    digest = {"1": hashes.SHA1(), "2": hashes.SHA256()}[message["SignatureVersion"]]
    signature = private_key(c.key).sign(to_sign, padding.PKCS1v15(), digest)
    message["Signature"] = b64(signature)

    names = [n for n in SNS_ORDER if n in message]
    if rng.random() < 0.5:
        rng.shuffle(names)
    ensure_ascii = c.ensure_ascii == b"1"
    slashes = rng.random() < 0.3
    members = []
    for name in names:
        value = json.dumps(message[name], ensure_ascii=ensure_ascii)
        if slashes and name in SNS_TEXTS:
            value = value.replace("/", "\\/")
        members.append((json.dumps(name), value))
    # SNS writes `"Name" : "value"` on lines indented by two spaces.
    layout = rng.choice(["sns", "compact", "spaced"])
    if layout == "sns":
        body = "{\n" + ",\n".join(f"  {n} : {v}" for n, v in members) + "\n}"
    elif layout == "compact":
        body = "{" + ",".join(f"{n}:{v}" for n, v in members) + "}"
    else:
        body = "{ " + ", ".join(f"{n}: {v}" for n, v in members) + " }"
    return {
        "body": body,
        "certificate": certificate(c, "sns.amazonaws.com"),
        "timestamp": message["Timestamp"],
    }


# --- PayPal: RSA-SHA256 over transmission_id|transmission_time|webhook_id|crc32(body) --------


def paypal(c):
    time = rfc3339(c, ["s", "s", "ms", "us"])
    crc = zlib.crc32(c.body) & 0xFFFFFFFF
    transmission_id = c.transmission_id.decode("ascii")
    webhook_id = c.webhook_id.decode("ascii")
    signed = f"{transmission_id}|{time}|{webhook_id}|{crc}".encode("ascii")
    signature = private_key(c.key).sign(signed, padding.PKCS1v15(), hashes.SHA256())
    return {
        "headers": {
            "PAYPAL-TRANSMISSION-SIG": b64(signature),
            "PAYPAL-TRANSMISSION-ID": transmission_id,
            "PAYPAL-TRANSMISSION-TIME": time,
            "PAYPAL-AUTH-ALGO": "SHA256withRSA",
            "PAYPAL-CERT-URL": c.cert_url.decode("ascii"),
        },
        "certificate": certificate(c, "messageverificationcerts.paypal.com"),
        "crc32": crc,
    }


# --- Google Pub/Sub push: an RS256 ID token (a JWT) in Authorization, its key in a JWKS ------


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def uint(n):
    """A JWK's unsigned integer: big-endian, no leading zero byte, base64url."""
    return b64url(n.to_bytes((n.bit_length() + 7) // 8, "big"))


def shuffled(rng, value):
    """`value` with the members of each of its objects in random order."""
    if isinstance(value, dict):
        items = [(name, shuffled(rng, v)) for name, v in value.items()]
        rng.shuffle(items)
        return dict(items)
    if isinstance(value, list):
        return [shuffled(rng, v) for v in value]
    return value


def json_text(rng, value, ensure_ascii):
    """`value` as JSON, its members in random order: compact (as Google writes its tokens),
    spaced, or indented and now and then ending in a line feed."""
    value = shuffled(rng, value)
    layout = rng.choice(["compact", "compact", "spaced", "indented"])
    if layout == "compact":
        return json.dumps(value, ensure_ascii=ensure_ascii, separators=(",", ":"))
    if layout == "spaced":
        return json.dumps(value, ensure_ascii=ensure_ascii)
    indent = rng.choice([1, 2, "\t"])
    return json.dumps(value, ensure_ascii=ensure_ascii, indent=indent) + rng.choice(["", "\n"])


def named_keys(field):
    """`name=kid,name=kid`: keys of the run and the ids a case's key set gives them."""
    return [tuple(pair.split("=", 1)) for pair in field.decode("ascii").split(",")]


def google_pubsub(c):
    rng = c.rng
    kid = c.kid.decode("ascii")
    iat = int(c.now_ms) // 1000
    sub = c.sub.decode("ascii")

    keys = []
    for name, key_id in named_keys(c.key_set):
        numbers = private_key(name).public_key().public_numbers()
        keys.append(
            {
                "kty": "RSA",
                "alg": "RS256",
                "use": "sig",
                "kid": key_id,
                "n": uint(numbers.n),
                "e": uint(numbers.e),
            }
        )
    jwks = json_text(rng, {"keys": keys}, True)

    # The claims of Google's ID tokens for push (azp and sub: the service account's unique id),
    # and one of no meaning to a receiver, with random text.
    claims = {
        "aud": c.aud.decode("ascii"),
        "azp": sub,
        "email": c.email.decode("ascii"),
        "email_verified": True,
        "exp": iat + 3600,
        "iat": iat,
        "iss": c.iss.decode("ascii"),
        "sub": sub,
        "note": c.note.decode("utf-8"),
    }

    def rs256(name):
        return lambda data: private_key(name).sign(data, padding.PKCS1v15(), hashes.SHA256())

    def token(sign, alg="RS256", key_id=kid, **changed):
        header = json_text(rng, {"alg": alg, "kid": key_id, "typ": "JWT"}, True)
        body = json_text(rng, {**claims, **changed}, rng.random() < 0.5)
        signed = b64url(header.encode("utf-8")) + "." + b64url(body.encode("utf-8"))
        return signed + "." + b64url(sign(signed.encode("ascii")))

    # HS256 keyed with the signing key's public key in PEM: the algorithm confusion a receiver
    # that takes `alg` from the token would fall for.
    pem = private_key(c.key).public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    outsider, outsider_kid = named_keys(c.outsider)[0]
    tokens = {
        "email_unverified": token(rs256(c.key), email_verified=False),
        "other_issuer": token(rs256(c.key), iss=c.other_iss.decode("ascii")),
        "outsider": token(rs256(outsider), key_id=outsider_kid),
        "hs256": token(lambda data: hmac.new(pem, data, hashlib.sha256).digest(), alg="HS256"),
    }
    valid = token(rs256(c.key))

    # The push body: the message (its data base64, as Pub/Sub writes it), the subscription, and
    # what Pub/Sub adds when the subscription asks for it.
    message_id = c.message_id.decode("ascii")
    publish_time = rfc3339(c, ["ms", "ms", "us", "s"])
    message = {
        "data": c.data.decode("ascii"),
        "messageId": message_id,
        "message_id": message_id,
        "publishTime": publish_time,
        "publish_time": publish_time,
    }
    attributes = json.loads(c.attributes)
    if attributes:
        message["attributes"] = attributes
    if rng.random() < 0.3:
        message["orderingKey"] = rng.choice(["customer-17", "région-7", "順序"])
    push = {"message": message, "subscription": c.subscription.decode("ascii")}
    if rng.random() < 0.3:
        push["deliveryAttempt"] = rng.randint(1, 5)
    return {
        "headers": {"Authorization": "Bearer " + valid},
        "body": json_text(rng, push, rng.random() < 0.5),
        "jwks": jwks,
        "tokens": tokens,
    }


# scheme: (signer, its fields after scheme, key, seed, now_ms)
SCHEMES = {
    "sendgrid": (sendgrid, ("timestamp", "body")),
    "aws-sns": (
        aws_sns,
        (
            "type",
            "signature_version",
            "message_id",
            "topic_arn",
            "subject",
            "message",
            "token",
            "subscribe_url",
            "unsubscribe_url",
            "cert_url",
            "ensure_ascii",
        ),
    ),
    "paypal": (paypal, ("transmission_id", "webhook_id", "body", "cert_url")),
    "google-pubsub": (
        google_pubsub,
        (
            "kid",
            "key_set",
            "outsider",
            "iss",
            "other_iss",
            "aud",
            "email",
            "sub",
            "note",
            "message_id",
            "data",
            "attributes",
            "subscription",
        ),
    ),
}


class Case:
    pass


def main():
    mode, path = sys.argv[1], sys.argv[2]
    if mode != "sign":
        raise SystemExit(f"unknown mode {mode}")
    with open(path, encoding="ascii") as f:
        for line in f:
            raw = [bytes.fromhex(x) for x in line.rstrip("\n").split("\t")]
            scheme = raw[0].decode("ascii")
            sign, fields = SCHEMES[scheme]
            c = Case()
            c.key, c.now_ms = raw[1].decode("ascii"), raw[3].decode("ascii")
            c.rng = random.Random(int(raw[2]))
            if len(raw) != 4 + len(fields):
                raise SystemExit(f"{scheme}: {len(raw)} fields, expected {4 + len(fields)}")
            for name, value in zip(fields, raw[4:]):
                setattr(c, name, value)
            print(json.dumps(sign(c)))


if __name__ == "__main__":
    main()
