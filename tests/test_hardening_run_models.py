"""Issue 14, item 4 and the lexicon weights of item 14: a crafted model folder or lexicon is
refused with one line and exit 4: never a traceback, a MemoryError or a numpy warning.

Each crafted archive is resealed (its checksum in model.json recomputed), as an attacker who
knows the format would do, so the refusal comes from the loader's own checks."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import struct
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from framing.cli import cli
from framing.errors import ModelError
from framing.lexicon import Lexicon
from framing.lexicon.format import MAX_WEIGHT
from framing.model.storage import load_model

GOOD_TEXT = ("Delegations met in Istanbul for a new round of peace talks on Monday.\n\n"
             "Russian shelling killed three civilians in Kherson, officials said.\n")


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def check_one_line(result, name: str, fragment: str, code: int = 4) -> None:
    assert result.exit_code == code, (result.exit_code, result.stderr)
    assert "Traceback" not in result.stderr and "MemoryError" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("framing: error: "), lines
    assert name in lines[0] and fragment in lines[0], lines[0]


@pytest.fixture()
def model_copy(tmp_path, small_model_dir) -> Path:
    target = tmp_path / "crafted-model"
    shutil.copytree(small_model_dir, target)
    return target


def reseal(folder: Path, data: bytes | None = None, json_text=None) -> None:
    document = json.loads((folder / "model.json").read_text(encoding="utf-8"))
    if data is not None:
        (folder / "model.npz").write_bytes(data)
        document["arrays_sha256"] = hashlib.sha256(data).hexdigest()
    text = json.dumps(document)
    (folder / "model.json").write_text(json_text(text) if json_text else text, encoding="utf-8")


def arrays_of(folder: Path) -> dict:
    with np.load(folder / "model.npz") as arrays:
        return {name: arrays[name] for name in arrays.files}


def npy(array: np.ndarray, header: dict | None = None) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array)
    if header is None:
        return buffer.getvalue()
    head = io.BytesIO()
    np.lib.format.write_array_header_1_0(head, header)
    return head.getvalue() + array.tobytes()


def archive(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for name, data in members.items():
            target.writestr(name, data)
    return buffer.getvalue()


def bad_crc(folder: Path) -> None:
    """The first member's CRC-32 changed in both of its headers: the data do not match it."""
    data = bytearray((folder / "model.npz").read_bytes())
    first = zipfile.ZipFile(io.BytesIO(bytes(data))).infolist()[0]
    data[first.header_offset + 14] ^= 0xFF  # local file header
    central = data.find(b"PK\x01\x02")
    data[central + 16] ^= 0xFF  # central directory entry
    reseal(folder, bytes(data))


def bad_deflate(folder: Path) -> None:
    """A member whose deflate stream starts with a reserved block type."""
    members = {f"{name}.npy": npy(array) for name, array in arrays_of(folder).items()}
    data = bytearray(archive(members))
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("coef.npy")
    name_length, extra_length = struct.unpack(
        "<HH", data[info.header_offset + 26:info.header_offset + 30])
    start = info.header_offset + 30 + name_length + extra_length
    data[start:start + 16] = b"\xff" * 16
    reseal(folder, bytes(data))


def huge_shape(folder: Path) -> None:
    """coef's header declares 4 x 10^11 float64 (3.2 TB); the data are the real ones."""
    real = arrays_of(folder)
    members = {f"{name}.npy": npy(array) for name, array in real.items()}
    members["coef.npy"] = npy(real["coef"], {"descr": "<f8", "fortran_order": False,
                                             "shape": (4, 10**11)})
    reseal(folder, archive(members))


def short_data(folder: Path) -> None:
    """idf's header is right, but its data stop half way."""
    real = arrays_of(folder)
    members = {f"{name}.npy": npy(array) for name, array in real.items()}
    members["idf.npy"] = npy(real["idf"])[:-8 * (len(real["idf"]) // 2)]
    reseal(folder, archive(members))


def long_integer(field: str, digits: int):
    def craft(folder: Path) -> None:
        reseal(folder, json_text=lambda text: text.replace(
            f'"{field}": ', f'"{field}": {"9" * digits}, "was": ', 1))
    return craft


CRAFTED = {
    "bad-crc": (bad_crc, "Bad CRC-32"),
    "bad-deflate": (bad_deflate, "zlib.error"),
    "huge-shape": (huge_shape, "declares shape (4, 100000000000)"),
    "short-data": (short_data, "its shape needs"),
    "5000-digit-version": (long_integer("format_version", 5000), "a number in it is too long"),
    "4000-digit-weight": (long_integer("fusion_weight", 4000), "too large"),
}


@pytest.mark.parametrize("case", sorted(CRAFTED))
def test_crafted_model_folders_exit_4_with_one_line(tmp_path, small_gold, model_copy, case):
    craft, fragment = CRAFTED[case]
    craft(model_copy)
    good = tmp_path / "good.txt"
    good.write_text(GOOD_TEXT, encoding="utf-8")
    check_one_line(run("classify", "--model", model_copy, "--jobs", "1", good),
                   "crafted-model", fragment)
    check_one_line(run("evaluate", "--data", small_gold, "--model", model_copy),
                   "crafted-model", fragment)
    with pytest.raises(ModelError):
        load_model(model_copy)


def test_the_checked_loader_reads_what_numpy_reads(small_model_dir):
    model, real = load_model(small_model_dir), arrays_of(small_model_dir)
    assert np.array_equal(model.idf, real["idf"]) and model.idf.flags.writeable
    assert np.array_equal(model.head.coef, real["coef"])
    for name in ("intercept", "calibration_a", "calibration_b"):
        assert np.array_equal(getattr(model.head, name), real[name])


# -- lexicon weights -----------------------------------------------------------------------

def lexicon_text(weight: str) -> str:
    return ("# version: 9.9.9\nframe\tterm\tweight\tnote\n"
            f"civilian_harm\tkilled\t{weight}\t\ncivilian_harm\tcivilians\t{weight}\t\n"
            f"diplomacy\ttalks\t-{weight}\t\n")


@pytest.mark.parametrize("weight", ["1e308", "1.7976931348623157e308", "101", "1e6"])
def test_huge_lexicon_weights_are_refused_at_load(tmp_path, small_gold, model_copy, weight):
    lexicon = tmp_path / "huge.tsv"
    lexicon.write_text(lexicon_text(weight), encoding="utf-8")
    check_one_line(run("train", "--gold", small_gold, "--lexicon", lexicon, "--output",
                       tmp_path / "model", "--no-cross-validation"), "huge.tsv:3",
                   "out of range")
    assert not (tmp_path / "model").exists()
    # the same lexicon embedded in a model folder
    reseal(model_copy, json_text=lambda text: json.dumps(
        {**json.loads(text), "lexicon": lexicon_text(weight)}))
    good = tmp_path / "good.txt"
    good.write_text(GOOD_TEXT * 50, encoding="utf-8")
    check_one_line(run("classify", "--model", model_copy, "--method", "lexicon", good),
                   "crafted-model", "out of range")


def test_the_largest_weights_allowed_raise_no_numpy_warning(small_model_dir):
    lexicon = Lexicon.from_text(lexicon_text(f"{MAX_WEIGHT:g}"))
    from framing.model.frame_model import lexicon_scores

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow warning fails the test
        scores = lexicon_scores(lexicon, [GOOD_TEXT * 20_000])
    assert np.isfinite(scores).all() and scores[0].tolist()[3] == 1.0
