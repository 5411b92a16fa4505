"""Standard Webhooks signatures (https://www.standardwebhooks.com): secrets "whsec_<base64>",
and `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`."""

import base64
import binascii
import hashlib
import hmac
import re
import secrets

from app.errors import InvalidInput

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32  # generated; given ones may hold 24 to 64 (the specification's range)
_BASE64 = re.compile(r"^[A-Za-z0-9+/]+={0,2}$")


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def secret_key(secret: str) -> bytes:
    """The HMAC key of a "whsec_<base64>" secret; 422 saying what is wrong otherwise."""
    encoded = secret.removeprefix(SECRET_PREFIX)
    if encoded == secret or not _BASE64.match(encoded):
        raise InvalidInput("secret must be 'whsec_' followed by base64 (standard alphabet) "
                           "of 24 to 64 random bytes; omit it and the service makes one")
    try:
        key = base64.b64decode(encoded, validate=True)
    except binascii.Error as exc:
        raise InvalidInput(f"secret is not valid base64 after 'whsec_': {exc}") from exc
    if not 24 <= len(key) <= 64:
        raise InvalidInput(f"secret holds {len(key)} bytes; it must hold 24 to 64")
    return key


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signed_headers(secret: str, message_id: str, timestamp: int,
                   body: bytes) -> dict[str, str]:
    return {"webhook-id": message_id, "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(secret, message_id, timestamp, body),
            "content-type": "application/json", "user-agent": "memory-service-webhooks"}
