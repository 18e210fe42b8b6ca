"""The IANA TLS registry numbers the lab's connections use, with their names.

Only the values OpenSSL 3.0 and today's browsers send are listed; an unknown number is
shown as its hex (the annotations never guess).
"""

from __future__ import annotations

CIPHER_SUITES = {
    0x1301: "TLS_AES_128_GCM_SHA256", 0x1302: "TLS_AES_256_GCM_SHA384",
    0x1303: "TLS_CHACHA20_POLY1305_SHA256",
    0xC02B: "ECDHE-ECDSA-AES128-GCM-SHA256", 0xC02C: "ECDHE-ECDSA-AES256-GCM-SHA384",
    0xC02F: "ECDHE-RSA-AES128-GCM-SHA256", 0xC030: "ECDHE-RSA-AES256-GCM-SHA384",
    0xCCA8: "ECDHE-RSA-CHACHA20-POLY1305", 0xCCA9: "ECDHE-ECDSA-CHACHA20-POLY1305",
    0x009E: "DHE-RSA-AES128-GCM-SHA256", 0x009F: "DHE-RSA-AES256-GCM-SHA384",
    0x009C: "AES128-GCM-SHA256 (RSA key exchange)", 0x009D: "AES256-GCM-SHA384 (RSA key exchange)",
    0xCCAA: "DHE-RSA-CHACHA20-POLY1305", 0xC024: "ECDHE-ECDSA-AES256-SHA384 (CBC)",
    0xC028: "ECDHE-RSA-AES256-SHA384 (CBC)", 0xC023: "ECDHE-ECDSA-AES128-SHA256 (CBC)",
    0xC027: "ECDHE-RSA-AES128-SHA256 (CBC)", 0x006B: "DHE-RSA-AES256-SHA256 (CBC)",
    0x0067: "DHE-RSA-AES128-SHA256 (CBC)", 0x00FF: "TLS_EMPTY_RENEGOTIATION_INFO_SCSV",
}
GROUPS = {
    0x0017: "secp256r1 (P-256)", 0x0018: "secp384r1 (P-384)", 0x0019: "secp521r1 (P-521)",
    0x001D: "x25519", 0x001E: "x448", 0x0100: "ffdhe2048", 0x0101: "ffdhe3072",
    0x0102: "ffdhe4096", 0x0103: "ffdhe6144", 0x0104: "ffdhe8192",
    0x11EC: "X25519MLKEM768 (hybrid post-quantum)",
}
SIGNATURE_SCHEMES = {
    0x0403: "ecdsa_secp256r1_sha256", 0x0503: "ecdsa_secp384r1_sha384",
    0x0603: "ecdsa_secp521r1_sha512", 0x0807: "ed25519", 0x0808: "ed448",
    0x0804: "rsa_pss_rsae_sha256", 0x0805: "rsa_pss_rsae_sha384", 0x0806: "rsa_pss_rsae_sha512",
    0x0809: "rsa_pss_pss_sha256", 0x080A: "rsa_pss_pss_sha384", 0x080B: "rsa_pss_pss_sha512",
    0x0401: "rsa_pkcs1_sha256", 0x0501: "rsa_pkcs1_sha384", 0x0601: "rsa_pkcs1_sha512",
    0x0303: "ecdsa_sha224", 0x0301: "rsa_pkcs1_sha224", 0x0302: "dsa_sha224",
    0x0402: "dsa_sha256", 0x0502: "dsa_sha384", 0x0602: "dsa_sha512",
    0x0203: "ecdsa_sha1", 0x0201: "rsa_pkcs1_sha1", 0x0202: "dsa_sha1",
    0x081A: "ecdsa_brainpoolP256r1tls13_sha256", 0x081B: "ecdsa_brainpoolP384r1tls13_sha384",
    0x081C: "ecdsa_brainpoolP512r1tls13_sha512",
}
EXTENSIONS = {
    0: "server_name", 5: "status_request", 10: "supported_groups", 11: "ec_point_formats",
    13: "signature_algorithms", 16: "application_layer_protocol_negotiation",
    18: "signed_certificate_timestamp", 21: "padding", 22: "encrypt_then_mac",
    23: "extended_master_secret", 35: "session_ticket", 41: "pre_shared_key",
    42: "early_data", 43: "supported_versions", 44: "cookie", 45: "psk_key_exchange_modes",
    47: "certificate_authorities", 49: "post_handshake_auth", 50: "signature_algorithms_cert",
    51: "key_share", 0xFF01: "renegotiation_info",
}
VERSIONS = {0x0301: "TLS 1.0", 0x0302: "TLS 1.1", 0x0303: "TLS 1.2", 0x0304: "TLS 1.3"}
CONTENT_TYPES = {20: "change_cipher_spec", 21: "alert", 22: "handshake", 23: "application_data"}


def name_of(table: dict[int, str], value: int) -> str:
    return table.get(value, f"unknown 0x{value:04x}")
