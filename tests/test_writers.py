"""Writing rendered lines: live to a pipe, in blocks to a file, the same bytes either way."""

from __future__ import annotations

import io
import os
import sys

from framing.io import writers


class CountingBytes(io.BytesIO):
    def __init__(self):
        super().__init__()
        self.writes = 0

    def write(self, data):
        self.writes += 1
        return super().write(data)


def test_lines_to_a_file_go_in_blocks_after_any_text():
    lines = [f'{{"n": {k}, "t": "é"}}\n'.encode() for k in range(1300)]
    out = io.TextIOWrapper(CountingBytes(), encoding="utf-8")
    out.write("header\n")  # text written before the lines stays before them
    writers.write_lines(iter(lines), out)
    assert out.buffer.getvalue() == b"header\n" + b"".join(lines)
    assert out.buffer.writes == 1 + 3  # the header, then 512 + 512 + 276 lines


def test_lines_to_a_pipe_are_flushed_one_by_one(monkeypatch):
    read_end, write_end = os.pipe()
    try:
        with os.fdopen(write_end, "w", encoding="utf-8", closefd=False) as pipe:
            monkeypatch.setattr(sys, "stdout", pipe)
            seen = []
            for k in range(3):
                writers.write_lines([f"line {k}\n".encode()], pipe)
                seen.append(os.read(read_end, 100))  # already there: flushed, not buffered
        assert seen == [b"line 0\n", b"line 1\n", b"line 2\n"]
    finally:
        os.close(read_end)
        os.close(write_end)


def test_standard_output_redirected_to_a_file_is_written_in_blocks(monkeypatch, tmp_path):
    with open(tmp_path / "out.jsonl", "w", encoding="utf-8") as handle:
        monkeypatch.setattr(sys, "stdout", handle)
        assert not writers._read_as_it_comes(handle)
    assert writers._read_as_it_comes(io.StringIO()) is False  # not stdout at all


def test_lines_to_a_text_only_stream_are_decoded():
    out = io.StringIO()
    writers.write_lines([b'{"t": "\xc3\xa9"}\n', b"{}\n"], out)
    assert out.getvalue() == '{"t": "é"}\n{}\n'
