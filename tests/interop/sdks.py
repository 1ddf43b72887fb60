"""The providers' own Python SDKs, driven by tests/interop.rs.

Usage: sdks.py verify FILE | sdks.py sign FILE

Each input line is tab-separated, every field hex-encoded (so no byte of a payload can be lost
to quoting): sdk, secret, id, timestamp, payload[, signature].

- verify: the SDK checks `signature` (made by hookseal) over `payload`, and must also refuse the
  payload with one byte appended. Prints "ok" or "FAIL <why>" per line.
- sign: the SDK signs `payload`. Prints the hex of the signature header value per line.
"""

import sys
from datetime import datetime, timezone

import standardwebhooks
import stripe
from slack_sdk.signature import SignatureVerifier


def unhex(field):
    return bytes.fromhex(field)


def sw_verify(secret, msg_id, ts, payload, signature):
    wh = standardwebhooks.Webhook(secret)
    headers = {"webhook-id": msg_id, "webhook-timestamp": ts, "webhook-signature": signature}
    wh.verify(payload, headers, json_parse=False)  # raises on failure
    try:
        wh.verify(payload + b"x", headers, json_parse=False)
    except standardwebhooks.WebhookVerificationError:
        return True
    raise AssertionError("tampered payload accepted")


def sw_sign(secret, msg_id, ts, payload):
    stamp = datetime.fromtimestamp(int(ts), tz=timezone.utc)
    return standardwebhooks.Webhook(secret).sign(msg_id, stamp, payload.decode("utf-8"))


def stripe_verify(secret, _id, _ts, payload, header):
    stripe.WebhookSignature.verify_header(payload, header, secret, tolerance=300)
    try:
        stripe.WebhookSignature.verify_header(payload + b"x", header, secret, tolerance=300)
    except stripe.SignatureVerificationError:
        return True
    raise AssertionError("tampered payload accepted")


def stripe_sign(secret, _id, ts, payload):
    return stripe.WebhookSignature.generate_signature_header(
        payload.decode("utf-8"), secret, timestamp=int(ts)
    )


def slack_verify(secret, _id, ts, payload, signature):
    verifier = SignatureVerifier(signing_secret=secret)
    if not verifier.is_valid(body=payload, timestamp=ts, signature=signature):
        raise AssertionError("valid signature refused")
    if verifier.is_valid(body=payload + b"x", timestamp=ts, signature=signature):
        raise AssertionError("tampered payload accepted")
    return True


def slack_sign(secret, _id, ts, payload):
    return SignatureVerifier(signing_secret=secret).generate_signature(timestamp=ts, body=payload)


SDKS = {
    "standardwebhooks": (sw_verify, sw_sign),
    "stripe": (stripe_verify, stripe_sign),
    "slack": (slack_verify, slack_sign),
}


def main():
    mode, path = sys.argv[1], sys.argv[2]
    with open(path, encoding="ascii") as f:
        for line in f:
            fields = [unhex(x) for x in line.rstrip("\n").split("\t")]
            sdk = fields[0].decode()
            secret, msg_id, ts = (x.decode("utf-8") for x in fields[1:4])
            payload = fields[4]
            verify, sign = SDKS[sdk]
            if mode == "verify":
                try:
                    verify(secret, msg_id, ts, payload, fields[5].decode("utf-8"))
                    print("ok")
                except Exception as e:  # report, do not stop: every line gets an answer
                    print("FAIL", type(e).__name__, str(e).replace("\n", " "))
            else:
                print(sign(secret, msg_id, ts, payload).encode("utf-8").hex())


if __name__ == "__main__":
    main()
