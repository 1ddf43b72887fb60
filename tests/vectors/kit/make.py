"""Writes the test kit's keys: an RSA-2048 key with a self-signed certificate (AWS SNS, PayPal,
Google Pub/Sub) and a P-256 key (SendGrid). Test keys only: made here, never a provider's."""
import base64
import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

PKCS8 = dict(
    encoding=serialization.Encoding.PEM,
    format=serialization.PrivateFormat.PKCS8,
    encryption_algorithm=serialization.NoEncryption(),
)
SPKI = dict(
    encoding=serialization.Encoding.PEM,
    format=serialization.PublicFormat.SubjectPublicKeyInfo,
)

rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
open("rsa.key.pem", "wb").write(rsa_key.private_bytes(**PKCS8))
open("rsa.pub.pem", "wb").write(rsa_key.public_key().public_bytes(**SPKI))
name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "hookseal-test-kit")])
certificate = (
    x509.CertificateBuilder()
    .subject_name(name)
    .issuer_name(name)
    .public_key(rsa_key.public_key())
    .serial_number(x509.random_serial_number())
    .not_valid_before(datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc))
    .not_valid_after(datetime.datetime(2099, 12, 31, tzinfo=datetime.timezone.utc))
    .sign(rsa_key, hashes.SHA256())
)
open("rsa.crt", "wb").write(certificate.public_bytes(serialization.Encoding.PEM))

p256_key = ec.generate_private_key(ec.SECP256R1())
open("p256.key.pem", "wb").write(p256_key.private_bytes(**PKCS8))
der = p256_key.public_key().public_bytes(
    serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
)
# As SendGrid shows its verification key: the base64 of the SubjectPublicKeyInfo.
open("p256.pub.txt", "w").write(base64.b64encode(der).decode() + "\n")
