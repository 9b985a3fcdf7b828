#!/usr/bin/env python3
"""Writes the seed corpus of the fuzz targets into tests/fuzz/corpus/<target>/:
a few small valid files of each kind (and the data specs as text). Plain
Python, no third-party packages. The run checkpoint comes from a real
`diffuse train` when the binary is given:
    python3 tests/fuzz/make_corpus.py [build/bin/diffuse]
"""
import gzip
import json
import os
import struct
import subprocess
import sys
import tempfile
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))


def put(target, name, data):
    folder = os.path.join(HERE, "corpus", target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def npy(shape, descr="<f4", version=1, values=None):
    header = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape)
    length_bytes = 2 if version == 1 else 4
    unpadded = 6 + 2 + length_bytes + len(header) + 1
    header += " " * ((64 - unpadded % 64) % 64) + "\n"
    count = 1
    for part in shape.strip("()").split(","):
        if part.strip():
            count *= int(part)
    fmt = "<%d%s" % (count, "f" if descr.endswith("4") else "d")
    data = struct.pack(fmt, *(values or [0.5 * i for i in range(count)]))
    size = struct.pack("<H" if version == 1 else "<I", len(header))
    return b"\x93NUMPY" + bytes([version, 0]) + size + header.encode() + data


def idx(dims, values):
    return bytes([0, 0, 8, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + bytes(values)


def png(width, height, color_type, bit_depth, rows, palette=None, interlace=0):
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, interlace)
    raw = b"".join(b"\x00" + row for row in rows)  # filter type 0 on every row
    out = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
    if palette:
        out += chunk(b"PLTE", palette)
    return out + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def safetensors(tensors, metadata=None):
    header, data = {}, b""
    if metadata:
        header["__metadata__"] = metadata
    for name, (dtype, shape, payload) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(payload)]}
        data += payload
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + data


def main():
    put("npy", "points.npy", npy("(4, 2)"))
    put("npy", "images.npy", npy("(2, 1, 3, 3)"))
    put("npy", "vector_f8.npy", npy("(3,)", "<f8"))
    put("npy", "scalar_v2.npy", npy("()", version=2))
    put("npy", "empty.npy", npy("(0, 2)"))

    pixels = [(i * 37) % 256 for i in range(2 * 4 * 4)]
    put("idx", "images_plain", b"\x00" + idx([2, 4, 4], pixels))
    put("idx", "images_gzip", b"\x01" + idx([2, 4, 4], pixels))
    put("idx", "labels_plain", b"\x00" + idx([5], [0, 1, 2, 3, 9]))
    put("idx", "labels_gzip", b"\x01" + idx([5], [0, 1, 2, 3, 9]))

    put("png", "gray8.png", png(3, 2, 0, 8, [b"\x00\x80\xff", b"\x10\x20\x30"]))
    put("png", "rgb8.png", png(2, 2, 2, 8, [b"\xff\x00\x00\x00\xff\x00", b"\x00\x00\xff\xff\xff\xff"]))
    put("png", "rgba8.png", png(1, 2, 6, 8, [b"\xff\x00\x00\x80", b"\x00\xff\x00\xff"]))
    put("png", "gray1.png", png(8, 2, 0, 1, [b"\xaa", b"\x55"]))
    put("png", "palette2.png", png(4, 1, 3, 2, [b"\x1b"], palette=b"\x00\x00\x00\xff\x00\x00\x00\xff\x00\x00\x00\xff"))
    put("png", "gray16_interlaced.png", png(2, 2, 0, 16, [b"\x00\x01\xff\xff", b"\x80\x00\x10\x00"], interlace=1))

    put("mixture_json", "two.json", '{"means": [[-2, 0], [2, 1]], "stds": [0.3, 0.5], "weights": [0.3, 0.7]}')
    put("mixture_json", "one_3d.json", '{"means": [[0, 0, 1]], "stds": [1], "weights": [1]}')
    put("mixture_json", "far.json", '{"means": [[1e8, 0], [-1e8, 3e7]], "stds": [1, 1], "weights": [0.5, 0.5]}')

    for i, spec in enumerate(["moons", "swissroll", "8gaussians", "checkerboard", "gmm:gmm.json", "npy:x.npy",
                              "idx:x.idx", "png:png", "fashion-mnist:.", "fashion-mnist-test"]):
        put("data_spec", "spec%d" % i, spec)

    f32 = lambda values: struct.pack("<%df" % len(values), *values)
    put("safetensors", "two.safetensors", safetensors(
        {"w": ("F32", [2, 2], f32([1, 2, 3, 4])), "steps": ("I64", [1], struct.pack("<q", 7))}, {"step": "7"}))
    put("safetensors", "f64_scalar.safetensors", safetensors({"x": ("F64", [], struct.pack("<d", 1.5))}))
    put("safetensors", "empty.safetensors", safetensors({}))

    if len(sys.argv) > 1:
        with tempfile.TemporaryDirectory() as tmp:
            run = os.path.join(tmp, "run")
            subprocess.run([sys.argv[1], "train", "--data", "moons", "--model", "mlp", "--width", "4", "--steps",
                            "1", "--batch", "8", "--samples", "4", "--out", run], check=True,
                           stdout=subprocess.DEVNULL, env=dict(os.environ, OMP_NUM_THREADS="1"))
            with open(os.path.join(run, "model.safetensors"), "rb") as f:
                put("checkpoint", "mlp_width4.safetensors", f.read())


if __name__ == "__main__":
    main()
