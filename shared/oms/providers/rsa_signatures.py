"""SHA256withRSA (PKCS#1 v1.5), the signature Alipay (RSA2) and WeChat Pay API v3 put on what they send
and ask of what they receive; keys are PEM text, as the providers hand them out."""

from __future__ import annotations

import base64
import binascii
import functools
from typing import TYPE_CHECKING

from oms.problems import ProviderNotConfigured

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import rsa

# ``cryptography`` is imported where a key is first used, not at cold start: most invocations of the
# functions that carry this module (webhooks, jobs) never touch an RSA key.


@functools.lru_cache(maxsize=8)
def _public_key(pem: str) -> rsa.RSAPublicKey:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    try:
        key = serialization.load_pem_public_key(_pem(pem, "PUBLIC KEY").encode())
    except ValueError as error:
        raise ProviderNotConfigured("The provider's public key is not a PEM RSA public key.") from error
    if not isinstance(key, rsa.RSAPublicKey):
        raise ProviderNotConfigured("The provider's public key is not an RSA key.")
    return key


@functools.lru_cache(maxsize=8)
def _private_key(pem: str) -> rsa.RSAPrivateKey:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    try:
        key = serialization.load_pem_private_key(_pem(pem, "PRIVATE KEY").encode(), password=None)
    except ValueError as error:
        raise ProviderNotConfigured("The private key is not a PEM RSA private key.") from error
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ProviderNotConfigured("The private key is not an RSA key.")
    return key


def _pem(text: str, label: str) -> str:
    """The providers' consoles hand out keys as bare base64 too: wrap those in their PEM armour."""
    text = text.strip()
    return (
        text if text.startswith("-----BEGIN") else f"-----BEGIN {label}-----\n{text}\n-----END {label}-----\n"
    )


def verifies(public_key_pem: str, message: bytes, signature_b64: str) -> bool:
    """Whether ``signature_b64`` (base64) is the SHA256withRSA signature of ``message``."""
    try:
        signature = base64.b64decode(signature_b64, validate=True)
    except (binascii.Error, ValueError):
        return False
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    try:
        _public_key(public_key_pem).verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True


def sign(private_key_pem: str, message: bytes) -> str:
    """The base64 SHA256withRSA signature of ``message`` (what our calls to the providers carry)."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    signature = _private_key(private_key_pem).sign(message, padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(signature).decode()
