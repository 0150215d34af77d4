"""Checks for the exercises of notebook 01, loading MNIST."""

import gzip
import hashlib
import struct

import numpy as np

from nnlib.course.checks import Feedback, Hint, NotSolved, answer, cases, reveal, run
from nnlib.data import IDX_DTYPES, parse_idx
from nnlib.errors import DataError

__all__ = ["read_header", "encode_idx", "checked_payload", "reveal"]

#: IDX type code of each element type, the inverse of ``nnlib.data.IDX_DTYPES``.
CODES = {dtype.newbyteorder("="): code for code, dtype in IDX_DTYPES.items()}


def _idx(array: np.ndarray) -> bytes:
    """The IDX bytes of ``array``: the reference the checks compare with."""
    code = CODES[array.dtype.newbyteorder("=")]
    header = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def _random_array(rng: np.random.Generator, dtype, max_ndim=3) -> np.ndarray:
    shape = tuple(int(s) for s in rng.integers(1, 6, int(rng.integers(1, max_ndim + 1))))
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        return rng.normal(0, 100, shape).astype(dtype)
    info = np.iinfo(dtype)
    return rng.integers(info.min, info.max, shape, endpoint=True).astype(dtype)


def read_header(read_header_fn) -> Feedback:
    """Exercise 1.1: ``read_header_fn(raw)`` returns ``(type_code, shape)`` for the
    decompressed bytes ``raw`` of an IDX file, e.g. ``(8, (60000, 28, 28))``."""

    def attempt():
        mnist = [(0x08, (60000, 28, 28)), (0x08, (60000,)), (0x08, (10000, 28, 28))]
        for i, rng in enumerate(cases(seed=101, n=6)):
            if i < len(mnist):  # MNIST's own headers first, then random ones
                code, shape = mnist[i]
            else:
                code = int(rng.choice(list(IDX_DTYPES)))
                shape = tuple(int(s) for s in rng.integers(1, 70000, int(rng.integers(1, 5))))
            header = bytes([0, 0, code, len(shape)]) + struct.pack(f">{len(shape)}I", *shape)
            raw = header + bytes(16)  # the start of a payload: the header must say where it ends
            got = answer(read_header_fn, raw)
            if not isinstance(got, tuple | list) or len(got) != 2:
                raise Hint("return two things, (type_code, shape), e.g. (8, (60000, 28, 28))")
            got_code, got_shape = got
            if got_code != code:
                if got_code == len(shape):
                    raise Hint(
                        f"type code {got_code}: that is byte 3, the number of dimensions. "
                        "The type code is byte 2 (counting from 0)"
                    )
                raise Hint(f"type code {got_code!r}, expected {code} (0x{code:02X}): byte 2")
            try:
                got_shape = tuple(int(s) for s in got_shape)
            except TypeError:
                raise Hint(f"the shape should be a tuple of sizes, got {got_shape!r}") from None
            little = struct.unpack(f"<{len(shape)}I", header[4:])
            if got_shape == shape:
                continue
            if got_shape == little:
                raise Hint(
                    f"shape {got_shape}, expected {shape}: you read the sizes little-endian "
                    "(your computer's order). IDX stores them big-endian: '>' in struct, "
                    "'>i4' in NumPy, 'big' in int.from_bytes"
                )
            if len(got_shape) != len(shape):
                raise Hint(
                    f"shape {got_shape} holds {len(got_shape)} size(s), but byte 3 says there are "
                    f"{len(shape)} dimensions: read that many 4-byte sizes, starting at byte 4"
                )
            raise Hint(
                f"shape {got_shape}, expected {shape}: the sizes are 4-byte big-endian "
                "integers starting at byte 4"
            )
        return "6 headers read right, MNIST's three among them"

    return run("Exercise 1.1 (read an IDX header)", attempt)


def encode_idx(encode_fn) -> Feedback:
    """Exercise 1.2: ``encode_fn(array)`` returns the IDX bytes of ``array`` (any dtype of
    ``nnlib.data.IDX_DTYPES``), which ``nnlib.data.parse_idx`` turns back into the array."""

    def attempt():
        dtypes = [np.uint8, np.float32, np.int16, np.int32, np.float64, np.int8]
        for dtype, rng in zip(dtypes, cases(seed=102, n=6), strict=True):
            array = _random_array(rng, dtype)
            right = _idx(array)
            got = answer(encode_fn, array.copy())
            if not isinstance(got, bytes | bytearray):
                raise Hint(f"return bytes (b'...'), got {type(got).__name__}")
            got = bytes(got)
            if got == right:
                continue
            _diagnose_idx(got, right, array)
        return "6 arrays of 6 element types encoded byte for byte as IDX; parse_idx reads them back"

    return run("Exercise 1.2 (write an IDX file)", attempt)


def _diagnose_idx(got: bytes, right: bytes, array: np.ndarray) -> None:
    """Raise the Hint that best explains why ``got`` is not ``right``."""
    header_size = 4 + 4 * array.ndim
    name = f"the IDX bytes of a {array.dtype} array of shape {array.shape}"
    if got[:2] != b"\x00\x00":
        raise Hint(f"{name} must start with the magic bytes 00 00, yours start {got[:2].hex(' ')}")
    if len(got) > 2 and got[2] != right[2]:
        raise Hint(
            f"byte 2 of {name} is {got[2]:02X}: the type code of {array.dtype} is {right[2]:02X} "
            "(see nnlib.data.IDX_DTYPES)"
        )
    if got[3:4] != right[3:4]:
        raise Hint(f"byte 3 must be the number of dimensions, {array.ndim}")
    little_sizes = struct.pack(f"<{array.ndim}I", *array.shape)
    if got[4:header_size] == little_sizes and little_sizes != right[4:header_size]:
        raise Hint(
            f"the sizes in {name} are little-endian: IDX stores each as a 4-byte big-endian "
            "integer, struct.pack('>...')"
        )
    if got[:header_size] != right[:header_size]:
        raise Hint(
            f"the header of {name} should be {right[:header_size].hex(' ')}, "
            f"yours is {got[:header_size].hex(' ')}"
        )
    if got[header_size:] == array.astype(array.dtype.newbyteorder("<")).tobytes():
        raise Hint(
            f"the payload of {name} is little-endian, your computer's byte order: IDX "
            "stores every element big-endian, array.astype(array.dtype.newbyteorder('>'))"
        )
    try:
        parse_idx(got)
    except DataError as err:
        raise Hint(f"parse_idx refuses {name}: {err}") from None
    raise Hint(f"{name} do not give the array back: its payload holds other numbers")


def _gz(payload: bytes) -> bytes:
    return gzip.compress(payload, mtime=0)


def checked_payload(checked_fn) -> Feedback:
    """Exercise 1.3: ``checked_fn(gz_bytes, sha256)`` decompresses ``gz_bytes`` and returns
    the payload if its SHA-256 is ``sha256``; otherwise it raises ``DataError``."""

    def attempt():
        for rng in cases(seed=103, n=4):
            payload = _idx(_random_array(rng, np.uint8))
            gz, sha = _gz(payload), hashlib.sha256(payload).hexdigest()
            try:
                got = answer(checked_fn, gz, sha)
            except DataError as err:
                if _accepts(checked_fn, gz, hashlib.sha256(gz).hexdigest()):
                    raise Hint(
                        "you hashed the compressed bytes: nnlib's checksums are of the "
                        "DECOMPRESSED payload (the same data, however it was compressed)"
                    ) from None
                raise Hint(
                    f"your function refused a file whose checksum is right ({err})"
                ) from None
            if got == gz:
                raise Hint("return the decompressed payload, not the compressed bytes")
            if got != payload:
                raise Hint("the bytes you return are not the decompressed payload")
            tampered = bytearray(payload)
            tampered[-1] ^= 1  # one bit of the last element flipped
            _must_refuse(checked_fn, _gz(bytes(tampered)), sha, "a file with one bit changed")
            other = sha[:-1] + ("0" if sha[-1] != "0" else "1")
            _must_refuse(
                checked_fn,
                gz,
                other,
                "a checksum that differs in its last digit (compare all 64 digits, not a prefix)",
            )
        return "4 good files accepted; files with one bit changed and near-miss checksums refused"

    return run("Exercise 1.3 (verify a download)", attempt)


def _accepts(fn, *args) -> bool:
    try:
        fn(*args)
    except Exception:
        return False
    return True


def _must_refuse(fn, gz: bytes, sha: str, what: str) -> None:
    try:
        fn(gz, sha)
    except DataError:
        return
    except (NotSolved, NotImplementedError):
        raise
    except AssertionError:
        raise Hint(
            f"your function refused {what} with assert: raise DataError instead (from "
            "nnlib.errors). Python skips every assert when run with -O, so an assert "
            "cannot guard data"
        ) from None
    except Exception as err:
        raise Hint(
            f"your function refused {what} with {type(err).__name__}: raise DataError "
            "(from nnlib.errors), the error nnlib raises for bad data files"
        ) from None
    raise Hint(f"your function accepted {what}: it should raise DataError")
