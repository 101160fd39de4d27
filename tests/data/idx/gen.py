#!/usr/bin/env python3
"""Writes the IDX fixtures of tests/unit/test_data.c: python3 gen.py (in this
folder). Every file is small enough to read with xxd; pixel k of image i is
(37 * i + 29 * k) % 256, so a test can compute any pixel it checks."""
import gzip
import struct


def idx(type_byte, dims, body):
    return bytes([0, 0, type_byte, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + bytes(body)


def pixels(n, per):
    return [(37 * i + 29 * k) % 256 for i in range(n) for k in range(per)]


def write(name, data):
    with open(name, "wb") as f:
        f.write(data)


def write_gz(name, data):
    # mtime 0 and no file name: the same bytes on every run
    with open(name, "wb") as f:
        with gzip.GzipFile(fileobj=f, mode="wb", mtime=0, filename="") as z:
            z.write(data)


images = idx(0x08, [4, 3, 3], pixels(4, 9))
labels = idx(0x08, [4], [0, 9, 3, 5])
write("img-4x3x3.idx", images)
write_gz("img-4x3x3.idx.gz", images)
write("lbl-4.idx", labels)
write_gz("lbl-4.idx.gz", labels)
# four images of 2 channels, rank 4 (N x C x H x W)
write("img-4x2x3x3.idx", idx(0x08, [4, 2, 3, 3], pixels(4, 18)))
# errors
write("lbl-3.idx", idx(0x08, [3], [0, 9, 3]))                  # count mismatch
write("lbl-4-range.idx", idx(0x08, [4], [0, 10, 3, 5]))        # 10 is out of range for 10 classes
write("img-truncated.idx", images[:-14])                       # ends inside image 3
with open("img-4x3x3.idx.gz", "rb") as f:
    gz = f.read()
write("img-truncated.idx.gz", gz[: len(gz) // 2])              # gzip stream cut in half
corrupt = bytearray(gz)
corrupt[-6] ^= 0xFF                                            # CRC-32 trailer no longer matches
write("img-badcrc.idx.gz", bytes(corrupt))
write("img-badmagic.idx", images[3::-1] + images[4:])          # magic written little-endian
write("img-float.idx", idx(0x0D, [4, 3, 3], [0] * 4 * 9 * 4))  # float32 values
write("img-trailing.idx", images + b"\x00")                    # a byte after the last image
write("img-header.idx", images[:6])                            # ends inside the dims
write("img-empty.idx", idx(0x08, [0, 3, 3], []))               # no images
write("lbl-rank2.idx", idx(0x08, [4, 1], [0, 9, 3, 5]))        # labels of rank 2
