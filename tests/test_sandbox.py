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


@pytest.mark.parametrize("name", ["test", "show_config", "__init__", "MT19937 ", 7, None])
def test_a_generator_state_cannot_name_anything_but_a_known_bit_generator(name: object) -> None:
    state = np.random.default_rng(1).bit_generator.state | {"bit_generator": name}
    with pytest.raises(_child.WireError):
        _child.decode({"$rng": state}, [])


@pytest.mark.parametrize("dtype", ["O", "|O", "<U4", "V8", "<c16", "[('a', '<f8')]", "<M8[s]",
                                   "f8", 8, None])
def test_array_dtypes_outside_the_numeric_spellings_are_refused(dtype: object) -> None:
    with pytest.raises(_child.WireError):
        _child.decode({"$nd": [dtype, [1], 0]}, [b"\0" * 8])


def test_student_text_loses_its_control_characters() -> None:
    hostile = "ok\x1b[2J\x1b[Hrow\r\n\x07\x9b31m\u202egnp.\x00"
    cleaned = _child.clean_text(hostile)
    assert all(ord(c) >= 32 and not 0x7F <= ord(c) <= 0x9F and c != "\u202e" for c in cleaned)
    assert "ok" in cleaned and "row" in cleaned
    assert _child.clean_text("line one\nline two", keep_newlines=True) == "line one\nline two"
    decoded = _child.decode(["\x1b[31mred", {"$obj": "x\x1b]0;title\x07"}], [])
    assert "\x1b" not in decoded[0] and "\x1b" not in decoded[1].description


def test_a_late_start_is_not_an_environment_failure(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A child started early waits while an earlier student's calls run: its "ready" has long
    been in the pipe when the parent looks, past any deadline counted from the start."""
    import time

    import regquiz.sandbox.process

    monkeypatch.setattr(regquiz.sandbox.process, "STARTUP_ALLOWANCE", 0.2)
    module = tmp_path / "m.py"
    module.write_text("def f():\n    return 1.5\n")
    with StudentProcess(module, "m", ["f"], Limits()) as process:
        process.start()
        time.sleep(2.0)  # far beyond the allowance, as a slow classmate's calls would take
        outcome = process.call("f", [])
    assert (outcome.status, outcome.value) == ("ok", 1.5)


def test_a_symlink_out_of_the_submission_folder_is_refused(tmp_path: Path) -> None:
    from regquiz.errors import BadSubmission
    from regquiz.submission import check_readable

    outside = tmp_path / "elsewhere.py"
    outside.write_text("x = 1\n")
    folder = tmp_path / "alice"
    folder.mkdir()
    (folder / "problem2.py").symlink_to(outside)
    with pytest.raises(BadSubmission, match="symbolic link"):
        check_readable(folder / "problem2.py")
    (folder / "inner.py").write_text("x = 1\n")
    (folder / "problem3.py").symlink_to(folder / "inner.py")
    check_readable(folder / "problem3.py")  # a link inside the folder is the student's own file


def test_helper_files_are_copied_but_not_links_or_other_files(tmp_path: Path) -> None:
    from regquiz.sandbox.workdir import fill_workdir

    home = tmp_path / "alice"
    home.mkdir()
    (home / "problem2.py").write_text("import helper\n")
    (home / "helper.py").write_text("x = 1\n")
    (home / "notes.txt").write_text("not code")
    (home / "stolen.py").symlink_to(Path(__file__))
    workdir = tmp_path / "workdir"
    workdir.mkdir()
    fill_workdir(workdir, home / "problem2.py", home, "problem2")
    assert sorted(p.name for p in workdir.iterdir()) == ["helper.py", "problem2.py"]


@pytest.mark.parametrize("value", [
    b"[" * 200_000 + b"]" * 200_000,  # deeper than the parent's json can parse
    b'{"$nd": ["<f8", [0, 1000000000000000000000000000000], 0]}',  # a shape numpy refuses
    b'{"$tuple": ' + b'{"$tuple": [' * 30 + b'1' + b']}' * 30 + b'}',
])
def test_a_forged_reply_the_parent_cannot_read_is_a_crash(tmp_path: Path, value: bytes) -> None:
    module = tmp_path / "m.py"
    frame = b'{"op": "result", "id": 1, "value": ' + value + b', "buffers": [0]}\n'
    module.write_text(
        "import os\n"
        "def f():\n"
        "    for fd in range(600, 700):  # the protocol pipes live up here\n"
        "        try:\n"
        f"            os.write(fd, {frame!r})\n"
        "        except OSError:\n"
        "            pass\n"
        "    os._exit(0)\n")
    with StudentProcess(module, "m", ["f"], Limits()) as process:
        outcome = process.call("f", [])
    assert outcome.status == "crashed"


def test_the_grading_process_never_imports_the_childs_module() -> None:
    """The trust boundary in the tree: only the child runs sandbox/child.py."""
    import sys

    from conftest import REPO, grade_file

    grade_file("problem2", REPO / "solutions" / "problem2.py")
    assert "regquiz.sandbox.child" not in sys.modules
    outside = [path for path in (REPO / "grader").rglob("*.py") if "sandbox" not in path.parts]
    for path in outside:
        text = path.read_text(encoding="utf-8")
        assert "sandbox.child" not in text and "sandbox import child" not in text, path
