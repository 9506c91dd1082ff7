"""serve rebuilds when a page's spec changes, though the spec is outside source/ and includes/; every
build of the same spec is byte-identical."""

from __future__ import annotations

from pathlib import Path

from flagstone.server import Preview, ServeOptions
from tests.conftest import RunCli, tree, write_project
from tests.test_openapi_content import PAGE, SPEC
from tests.test_serve import Client, edit, wait_until


def test_serve_rebuilds_when_the_spec_is_saved(tmp_path: Path) -> None:
    project = write_project(
        tmp_path / "p", {"source/index.html.md": PAGE.format(openapi="../zoo.yaml"), "zoo.yaml": SPEC}
    )
    running = Preview(ServeOptions(project, port=0), log=lambda line: None)
    running.start()
    try:
        client = Client(running.url)
        assert b"List animals" in client.get("/index.html")
        edit(project / "zoo.yaml", "summary: List animals", "summary: Every animal")
        wait_until(lambda: b"Every animal" in client.get("/index.html"))
    finally:
        running.stop()


def test_generation_is_deterministic(tmp_path: Path, run_cli: RunCli) -> None:
    project = write_project(
        tmp_path / "p", {"source/index.html.md": PAGE.format(openapi="../zoo.yaml"), "zoo.yaml": SPEC}
    )
    assert run_cli("build", project, "-o", tmp_path / "a").status == 0
    assert run_cli("build", project, "-o", tmp_path / "b", "--no-cache").status == 0
    assert tree(tmp_path / "a") == tree(tmp_path / "b")
