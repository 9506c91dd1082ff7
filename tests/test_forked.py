"""Work handed to a forked child: its result comes back whole, and its failures surface here."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from flagstone.forked import in_child


def test_a_result_larger_than_a_pipe_buffer_comes_back_whole() -> None:
    data = bytes(range(256)) * 40_000  # 10 MB: the child blocks on the pipe until it is read
    with in_child(lambda: data) as result:
        assert result() == data


def test_the_work_runs_in_another_process() -> None:
    with in_child(lambda: str(os.getpid()).encode()) as result:
        assert int(result()) != os.getpid()


def test_work_that_fails_in_the_child_is_done_again_here_and_fails_here() -> None:
    calls: list[int] = []

    def work() -> bytes:
        calls.append(os.getpid())  # recorded only in the process that runs it
        raise ValueError("no index")

    with in_child(work) as result, pytest.raises(ValueError, match="no index"):
        result()
    assert calls == [os.getpid()]


def test_a_result_never_asked_for_stops_the_child(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"

    def work() -> bytes:
        pid_file.write_text(str(os.getpid()))
        time.sleep(60)
        return b""

    with pytest.raises(RuntimeError), in_child(work):
        while not pid_file.exists() or not pid_file.read_text():
            time.sleep(0.01)
        raise RuntimeError("the build failed meanwhile")
    with pytest.raises(ProcessLookupError):  # stopped and reaped: not even a zombie is left
        os.kill(int(pid_file.read_text()), 0)


def test_afterwards_runs_in_the_child_once_the_result_is_in_and_is_waited_for(tmp_path: Path) -> None:
    saved = tmp_path / "saved"

    def afterwards() -> None:
        time.sleep(0.5)  # long enough that the result is in well before this ends
        saved.write_text(str(os.getpid()))

    with in_child(lambda: b"index", afterwards) as result:
        assert result() == b"index"
        assert not saved.exists()
    assert int(saved.read_text()) != os.getpid()  # done in the child, and done before the exit


def test_a_failure_afterwards_does_not_cost_the_result() -> None:
    def afterwards() -> None:
        raise OSError("disk full")

    with in_child(lambda: b"index", afterwards) as result:
        assert result() == b"index"
