"""The sandbox's wire format and process hygiene, below the level of a whole check."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest

from regquiz.sandbox import wire as _child
from regquiz.sandbox.process import Limits, StudentProcess


def roundtrip(value: object) -> object:
    buffers: list[bytes] = []
    frame = _child.pack({"value": _child.encode(value, buffers)}, buffers)
    line, _, payload = frame.partition(b"\n")
    header = json.loads(line)
    return _child.decode(header["value"], _child.split_buffers(header, payload))


def test_values_cross_the_boundary_unchanged() -> None:
    rng = np.random.default_rng(3)
    value = (1, 2.5, None, True, "text", [np.arange(6).reshape(2, 3)], np.float64(0.25),
             np.asarray(7.0), np.zeros((0, 3)), np.array([True, False]))
    back = roundtrip(value)
    assert isinstance(back, tuple) and back[:5] == value[:5]
    np.testing.assert_array_equal(back[5][0], value[5][0])
    assert back[6] == 0.25 and back[7] == 7.0 and back[8].shape == (0, 3)
    assert back[9].dtype == np.bool_
    generator = roundtrip(rng)
    assert isinstance(generator, np.random.Generator)
    assert generator.random() == np.random.default_rng(3).random()


def test_unsupported_values_are_described_not_rebuilt() -> None:
    back = roundtrip([object(), np.array(["a"], dtype=object), 1 + 2j])
    assert all(isinstance(item, _child.Opaque) for item in back)
    assert "object" in back[0].description


@pytest.mark.parametrize("header", [
    {"value": {"$nd": ["|O", [1], 0]}, "buffers": [8]},
    {"value": {"$nd": ["<f8", [3], 0]}, "buffers": [8]},
    {"value": {"$nd": ["<f8", [1], 5]}, "buffers": [8]},
    {"value": {"$evil": 1}, "buffers": []},
    {"value": {"$nd": ["<f8", [-1], 0]}, "buffers": [8]},
])
def test_malformed_frames_are_refused(header: dict) -> None:
    payload = b"\0" * sum(header["buffers"])
    with pytest.raises((_child.WireError, TypeError, ValueError)):
        _child.decode(header["value"], _child.split_buffers(header, payload))


def test_buffer_lengths_must_add_up() -> None:
    with pytest.raises(_child.WireError):
        _child.split_buffers({"buffers": [8, 8]}, b"\0" * 15)


def test_an_ordinary_child_of_the_grader_survives_the_orphan_sweep(tmp_path: Path) -> None:
    bystander = subprocess.Popen(["sleep", "30"])
    module = tmp_path / "m.py"
    module.write_text("import os\ndef f():\n    os._exit(3)\n")
    try:
        with StudentProcess(module, "m", ["f"], Limits()) as process:
            outcome = process.call("f", [])
        assert outcome.status == "crashed" and "exited with code 3" in outcome.detail
        assert bystander.poll() is None
    finally:
        bystander.kill()
        bystander.wait()


def test_child_reports_functions_that_are_not_callable(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("f = 3\n")
    with StudentProcess(module, "m", ["f", "g"], Limits()) as process:
        assert process.call("f", []).status == "missing"
        assert "defines no function g()" in process.call("g", []).detail


def test_syntax_error_is_reported_with_its_line(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f(:\n    pass\n")
    with StudentProcess(module, "m", ["f"], Limits()) as process:
        outcome = process.call("f", [])
    assert outcome.status == "unloadable"
    assert outcome.error["type"] == "SyntaxError"


def test_a_torn_frame_on_the_protocol_pipe_is_a_crash_not_a_result(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "import os\n"
        "def f():\n"
        "    for fd in range(600, 700):  # the protocol pipes live up here\n"
        "        try:\n"
        "            os.write(fd, b'{\"op\": \"result\", \"id\": 1, \"val')\n"
        "        except OSError:\n"
        "            pass\n"
        "    os._exit(0)\n")
    with StudentProcess(module, "m", ["f"], Limits()) as process:
        outcome = process.call("f", [])
    assert outcome.status == "crashed"
    assert "exited with code 0" in outcome.detail
