"""The providers' own Python SDKs, driven by tests/interop.rs.

Usage: sdks.py verify FILE | sdks.py sign FILE

Each input line is tab-separated, every field hex-encoded (so no byte of a payload can be lost
to quoting): sdk, key, id, timestamp, now_ms, method, url, payload, tampered[, signature].

- key: what the SDK is given: the shared secret, or the provider's public key (Ed25519).
- timestamp: the timestamp as it travels (seconds, or milliseconds for HubSpot).
- now_ms: the time to set the SDK's clock to, where it reads `time.time()`.
- method, url: the request line, where the scheme signs it (Twilio, Square, HubSpot): the URL
  the receiver saw (verify) or the one to sign (sign).
- tampered: the payload changed the way the test changes it for this SDK.

- verify: the SDK checks `signature` (made by hookseal) over `payload`, and must refuse it over
  `tampered`. Prints "ok" or "FAIL <why>" per line.
- sign: the SDK signs `payload`. Prints the hex of the signature header value per line.

Each SDK is imported on first use, so a run pays only for the SDKs it drives. Some SDKs print
their errors (discord-interactions does): the answers go to the real stdout, everything else to
stderr.
"""

import sys
from datetime import datetime, timezone
from types import SimpleNamespace
from unittest import mock
from urllib.parse import parse_qs, parse_qsl, urlparse


def clock(case):
    """Sets `time.time()` to the case's now while an SDK runs."""
    return mock.patch("time.time", return_value=int(case.now_ms) / 1000)


# --- Standard Webhooks, and Svix under Clerk's and Resend's names ---------------------------


def sw_check(c, payload, signature):
    import standardwebhooks

    headers = {"webhook-id": c.id, "webhook-timestamp": c.ts, "webhook-signature": signature}
    try:
        standardwebhooks.Webhook(c.key).verify(payload, headers, json_parse=False)
    except standardwebhooks.WebhookVerificationError:
        return False
    return True


def sw_sign(c):
    import standardwebhooks

    stamp = datetime.fromtimestamp(int(c.ts), tz=timezone.utc)
    return standardwebhooks.Webhook(c.key).sign(c.id, stamp, c.payload.decode("utf-8"))


def svix_check(c, payload, signature):
    import svix

    headers = {"svix-id": c.id, "svix-timestamp": c.ts, "svix-signature": signature}
    try:
        svix.Webhook(c.key).verify(payload, headers)
    except svix.WebhookVerificationError:
        return False
    return True


def svix_sign(c):
    import svix

    stamp = datetime.fromtimestamp(int(c.ts), tz=timezone.utc)
    return svix.Webhook(c.key).sign(c.id, stamp, c.payload.decode("utf-8"))


# --- Stripe, Slack --------------------------------------------------------------------------


def stripe_check(c, payload, header):
    import stripe

    try:
        stripe.WebhookSignature.verify_header(payload, header, c.key, tolerance=300)
    except stripe.SignatureVerificationError:
        return False
    return True


def stripe_sign(c):
    import stripe

    return stripe.WebhookSignature.generate_signature_header(
        c.payload.decode("utf-8"), c.key, timestamp=int(c.ts)
    )


def slack_check(c, payload, signature):
    from slack_sdk.signature import SignatureVerifier

    return SignatureVerifier(signing_secret=c.key).is_valid(
        body=payload, timestamp=c.ts, signature=signature
    )


def slack_sign(c):
    from slack_sdk.signature import SignatureVerifier

    return SignatureVerifier(signing_secret=c.key).generate_signature(
        timestamp=c.ts, body=c.payload
    )


# --- Twilio: a form's parameters, or a JSON body bound by the URL's bodySHA256 ---------------


class MultiDict(dict):
    """A decoded form as Flask's MultiDict looks to the SDK: names, each with all its values."""

    def getall(self, name):
        return self[name]


def form(payload):
    params = MultiDict()
    for name, value in parse_qsl(payload.decode("ascii"), keep_blank_values=True):
        params.setdefault(name, []).append(value)
    return params


def twilio_form_check(c, payload, signature):
    from twilio.request_validator import RequestValidator

    return RequestValidator(c.key).validate(c.url, form(payload), signature)


def twilio_form_sign(c):
    from twilio.request_validator import RequestValidator

    return RequestValidator(c.key).compute_signature(c.url, form(c.payload))


def twilio_json_check(c, payload, signature):
    from twilio.request_validator import RequestValidator

    # A str body is what makes the SDK check bodySHA256 against it.
    return RequestValidator(c.key).validate(c.url, payload.decode("utf-8"), signature)


def twilio_json_sign(c):
    from twilio.request_validator import RequestValidator

    validator = RequestValidator(c.key)
    # The test put the body's digest in the URL; the SDK must compute the same one.
    digest = parse_qs(urlparse(c.url).query)["bodySHA256"][0]
    if digest != validator.compute_hash(c.payload.decode("utf-8")):
        raise AssertionError("the SDK hashes the body differently")
    return validator.compute_signature(c.url, {})


# --- Square, HubSpot ------------------------------------------------------------------------


def square_check(c, payload, signature):
    from square.utils.webhooks_helper import verify_signature

    return verify_signature(
        request_body=payload.decode("utf-8"),
        signature_header=signature,
        signature_key=c.key,
        notification_url=c.url,
    )


def hubspot_check(c, payload, signature):
    from hubspot.utils.signature import Signature

    # v3 named every time: the SDK's default is v2.
    return Signature.is_valid(
        signature,
        c.key,
        payload.decode("utf-8"),
        http_uri=c.url,
        http_method=c.method,
        signature_version="v3",
        timestamp=c.ts,
    )


def hubspot_sign(c):
    from hubspot.utils.signature import Signature

    return Signature.get_signature(
        c.key, c.payload.decode("utf-8"), "v3", c.url, c.method, c.ts
    )


# --- WorkOS, Coinbase Commerce, Razorpay ----------------------------------------------------


def workos_check(c, payload, header):
    from workos.webhooks._verification import verify_header

    try:
        with clock(c):
            verify_header(event_body=payload, event_signature=header, secret=c.key, tolerance=180)
    except ValueError:
        return False
    return True


def coinbase_check(c, payload, signature):
    from coinbase_commerce.error import SignatureVerificationError
    from coinbase_commerce.webhook import WebhookSignature

    try:
        WebhookSignature.verify_sig_header(payload.decode("utf-8"), signature, c.key)
    except SignatureVerificationError:
        return False
    return True


def coinbase_sign(c):
    from coinbase_commerce.webhook import WebhookSignature

    # The SDK's own signature computation (private, but the header value is its output as is).
    return WebhookSignature._compute_signature(c.payload.decode("utf-8"), c.key)


def razorpay_check(c, payload, signature):
    import razorpay
    from razorpay.errors import SignatureVerificationError

    client = razorpay.Client(auth=("rzp_test_interop", "unused"))
    try:
        return client.utility.verify_webhook_signature(payload.decode("utf-8"), signature, c.key)
    except SignatureVerificationError:
        return False


# --- Ed25519: Discord, Telnyx ---------------------------------------------------------------


def discord_check(c, payload, signature):
    from discord_interactions import verify_key

    return verify_key(payload, signature, c.ts, c.key)


def telnyx_check(c, payload, signature):
    from telnyx.lib.webhook_verification import WebhookVerificationError, verify_webhook_signature

    headers = {"telnyx-signature-ed25519": signature, "telnyx-timestamp": c.ts}
    try:
        with clock(c):
            verify_webhook_signature(payload, headers, c.key)
    except WebhookVerificationError:
        return False
    return True


# name: (check, sign); sign is None where the SDK only verifies.
SDKS = {
    "standardwebhooks": (sw_check, sw_sign),
    "stripe": (stripe_check, stripe_sign),
    "slack": (slack_check, slack_sign),
    "twilio-form": (twilio_form_check, twilio_form_sign),
    "twilio-json": (twilio_json_check, twilio_json_sign),
    "square": (square_check, None),
    "hubspot": (hubspot_check, hubspot_sign),
    "workos": (workos_check, None),
    "coinbase-commerce": (coinbase_check, coinbase_sign),
    "razorpay": (razorpay_check, None),
    "discord": (discord_check, None),
    "telnyx": (telnyx_check, None),
    "clerk": (svix_check, svix_sign),
    "resend": (svix_check, svix_sign),
}

FIELDS = ("sdk", "key", "id", "ts", "now_ms", "method", "url")


def main():
    mode, path = sys.argv[1], sys.argv[2]
    out, sys.stdout = sys.stdout, sys.stderr
    with open(path, encoding="ascii") as f:
        for line in f:
            raw = [bytes.fromhex(x) for x in line.rstrip("\n").split("\t")]
            c = SimpleNamespace(**{k: v.decode("utf-8") for k, v in zip(FIELDS, raw)})
            c.payload, c.tampered = raw[7], raw[8]
            check, sign = SDKS[c.sdk]
            if mode == "verify":
                signature = raw[9].decode("utf-8")
                try:
                    if not check(c, c.payload, signature):
                        answer = "FAIL valid signature refused"
                    elif check(c, c.tampered, signature):
                        answer = "FAIL tampered payload accepted"
                    else:
                        answer = "ok"
                except Exception as e:  # report, do not stop: every line gets an answer
                    answer = " ".join(["FAIL", type(e).__name__, str(e).replace("\n", " ")])
                print(answer, file=out)
            else:
                print(sign(c).encode("utf-8").hex(), file=out)


if __name__ == "__main__":
    main()
