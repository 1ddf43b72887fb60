"""Makes the Dropbox and Meta signature vectors and the Zoom handshake answer of
tests/it/handshakes.rs.

Neither Dropbox nor Meta publishes a vector (a secret, a body and its signature), their SDKs do
not verify webhooks, and Zoom publishes no answer to a `plainToken`; so these are computed
here with Python's standard `hmac` and `hashlib`, independently of hookseal.

Run `python3 make.py`; it prints the values the tests hold.
"""

import hashlib
import hmac

# Dropbox: X-Dropbox-Signature is the hex HMAC-SHA256 of the body under the app secret
# (dropbox.com/developers/reference/webhooks). The body has the shape the docs show.
DROPBOX_SECRET = b"dropbox-app-secret-0123456789"
DROPBOX_BODY = (
    b'{"list_folder": {"accounts": ["dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc"]}, '
    b'"delta": {"users": [12345678]}}'
)

# Meta: X-Hub-Signature-256 is "sha256=" and the hex HMAC-SHA256 of the body under the app
# secret (developers.facebook.com/docs/graph-api/webhooks/getting-started). A WhatsApp-shaped
# notification.
META_SECRET = b"meta-app-secret-0123456789abcdef"
META_BODY = (
    b'{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":'
    b'[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":'
    b'"15550783881","phone_number_id":"106540352242922"}},"field":"messages"}]}]}'
)

# Zoom: the answer to endpoint.url_validation carries encryptedToken, the hex HMAC-SHA256 of
# payload.plainToken under the secret token (Zoom's webhook docs, "Validate your webhook
# endpoint"). The plainToken is the one in Zoom's developer forum example.
ZOOM_SECRET = b"zoom-secret-token-0123456789"
ZOOM_PLAIN_TOKEN = b"qgg8vlvZRS6UYooatFL8Aw"

for name, secret, body, prefix in [
    ("zoom", ZOOM_SECRET, ZOOM_PLAIN_TOKEN, ""),
    ("dropbox", DROPBOX_SECRET, DROPBOX_BODY, ""),
    ("meta", META_SECRET, META_BODY, "sha256="),
]:
    print(name, prefix + hmac.new(secret, body, hashlib.sha256).hexdigest())
