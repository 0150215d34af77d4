"""Notebook 01's checks: typical wrong answers get the hint meant for them."""

import gzip
import hashlib
import struct

import numpy as np
import pytest

from nnlib.course.checks import loading_mnist as check
from nnlib.data import IDX_DTYPES
from nnlib.errors import DataError

CODES = {dtype.newbyteorder("="): code for code, dtype in IDX_DTYPES.items()}


def read_header(raw):
    ndim = raw[3]
    return raw[2], struct.unpack(f">{ndim}I", raw[4 : 4 + 4 * ndim])


READ_HEADER_MISTAKES = {
    "you read the sizes little-endian": lambda raw: (
        raw[2],
        struct.unpack(f"<{raw[3]}I", raw[4 : 4 + 4 * raw[3]]),
    ),
    "that is byte 3, the number of dimensions": lambda raw: (raw[3], read_header(raw)[1]),
    "read that many 4-byte sizes": lambda raw: (raw[2], struct.unpack(">I", raw[4:8])),
    "4-byte big-endian integers starting at byte 4": lambda raw: (
        raw[2],
        tuple(struct.unpack(f">{raw[3]}I", raw[3 : 3 + 4 * raw[3]])),
    ),
    "return two things": lambda raw: read_header(raw)[1],
}


def encode_idx(array):
    header = bytes([0, 0, CODES[array.dtype], array.ndim])
    header += struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


ENCODE_MISTAKES = {
    "payload of the IDX bytes": lambda a: encode_idx(a)[: 4 + 4 * a.ndim] + a.tobytes(),
    "the sizes in the IDX bytes": lambda a: (
        encode_idx(a)[:4] + struct.pack(f"<{a.ndim}I", *a.shape) + encode_idx(a)[4 + 4 * a.ndim :]
    ),
    "must start with the magic bytes 00 00": lambda a: encode_idx(a)[2:],
    "byte 3 must be the number of dimensions": lambda a: encode_idx(a)[:3] + encode_idx(a)[4:],
    "byte 2 of the IDX bytes": lambda a: bytes([0, 0, 0x0E]) + encode_idx(a)[3:],
    "return bytes": lambda a: np.frombuffer(encode_idx(a), np.uint8),
    "do not give the array back": lambda a: encode_idx(a)[:-1] + b"\x07",
    "truncated": lambda a: encode_idx(a)[:-1],
}


def checked_payload(gz_bytes, sha256):
    payload = gzip.decompress(gz_bytes)
    digest = hashlib.sha256(payload).hexdigest()
    if digest != sha256:
        raise DataError(f"SHA-256 mismatch: expected {sha256}, got {digest}")
    return payload


def never_checks(gz_bytes, sha256):
    return gzip.decompress(gz_bytes)


def hashes_compressed(gz_bytes, sha256):
    if hashlib.sha256(gz_bytes).hexdigest() != sha256:
        raise DataError("mismatch")
    return gzip.decompress(gz_bytes)


def asserts(gz_bytes, sha256):
    payload = gzip.decompress(gz_bytes)
    assert hashlib.sha256(payload).hexdigest() == sha256
    return payload


def value_error(gz_bytes, sha256):
    payload = gzip.decompress(gz_bytes)
    if hashlib.sha256(payload).hexdigest() != sha256:
        raise ValueError("mismatch")
    return payload


def prefix_only(gz_bytes, sha256):
    payload = gzip.decompress(gz_bytes)
    if hashlib.sha256(payload).hexdigest()[:20] != sha256[:20]:
        raise DataError("mismatch")
    return payload


def returns_compressed(gz_bytes, sha256):
    checked_payload(gz_bytes, sha256)
    return gz_bytes


CHECKED_MISTAKES = {
    "your function accepted a file with one bit changed: it should raise DataError": never_checks,
    "you hashed the compressed bytes": hashes_compressed,
    "with assert: raise DataError instead": asserts,
    "with ValueError: raise DataError": value_error,
    "compare all 64 digits, not a prefix": prefix_only,
    "not the compressed bytes": returns_compressed,
}


def test_the_right_answers_pass():
    assert check.read_header(read_header).solved
    assert check.encode_idx(encode_idx).solved
    assert check.checked_payload(checked_payload).solved


@pytest.mark.parametrize("hint", READ_HEADER_MISTAKES)
def test_a_typical_header_mistake_gets_its_hint(hint):
    feedback = check.read_header(READ_HEADER_MISTAKES[hint])
    assert feedback.status == "hint" and hint in feedback.message, feedback


@pytest.mark.parametrize("hint", ENCODE_MISTAKES)
def test_a_typical_encoding_mistake_gets_its_hint(hint):
    feedback = check.encode_idx(ENCODE_MISTAKES[hint])
    assert feedback.status == "hint" and hint in feedback.message, feedback


@pytest.mark.parametrize("hint", CHECKED_MISTAKES)
def test_a_typical_verification_mistake_gets_its_hint(hint):
    feedback = check.checked_payload(CHECKED_MISTAKES[hint])
    assert feedback.status == "hint" and hint in feedback.message, feedback


def test_the_reference_encoding_is_what_parse_idx_reads():
    from nnlib.data import parse_idx

    for dtype in (np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64):
        array = np.arange(6, dtype=dtype).reshape(2, 3) - 2 * (dtype != np.uint8)
        np.testing.assert_array_equal(parse_idx(check._idx(array)), array)
        assert check._idx(array) == encode_idx(array)
