"""``catalyst-gen preview``: the connector in the real Camunda 7 Modeler, live, on 127.0.0.1.

Three layers:

* the server in-process (Starlette's test client): the page, its security
  headers, escaping of a hostile spec, the located problems of a broken spec;
* the JavaScript bundle: rebuilt from its lockfile with ``npm ci`` + esbuild,
  it equals the committed bytes;
* the whole thing in Debian's Chromium, driven by puppeteer-core
  (``tests/oracle/preview/drive.mjs``): the template shows as applied to the
  task, an edit to the spec appears without a manual reload, a broken spec
  shows its located error and fixing it brings the page back.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import pytest
from helpers import REPO, LiveProcess, run_process, snapshot

JS_DIR = REPO / "catalyst_gen" / "preview" / "js"
STATIC_DIR = REPO / "catalyst_gen" / "preview" / "static"
DRIVER_DIR = REPO / "tests" / "oracle" / "preview"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_LOCK = Path("/tmp/catalyst-gen-chromium-install.lock")
ID = "together-ai"


def _set_tagline(spec: Path, tagline: str) -> None:
    text = spec.read_text(encoding="utf-8")
    new, count = re.subn(r"^tagline: .*$", f"tagline: {tagline}", text, count=1, flags=re.MULTILINE)
    assert count == 1
    spec.write_text(new, encoding="utf-8")


def _need(reason: str | None) -> None:
    """Skip locally when a tool is missing; in CI that is a failure, never a skip."""
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI must have it", pytrace=False)
        pytest.skip(reason)


def _npm_ci(folder: Path, timeout: float = 600) -> None:
    """``npm ci`` in ``folder`` unless node_modules already matches its lockfile (serialized on the lockfile)."""
    lock = folder / "package-lock.json"
    installed = folder / "node_modules" / ".package-lock.json"
    with open(lock, "rb") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            current = installed.is_file() and json.loads(installed.read_text())["packages"] == {
                k: v for k, v in json.loads(lock.read_text())["packages"].items() if k
            }
            if current:
                return
            proc = subprocess.run(
                [shutil.which("npm") or "npm", "ci", "--no-audit", "--no-fund"],
                cwd=folder,
                capture_output=True,
                text=True,
                timeout=timeout,
            )
            assert proc.returncode == 0, f"npm ci in {folder} failed:\n{proc.stdout}\n{proc.stderr}"
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --------------------------------------------------------------------------- the server in-process


@pytest.fixture
def client_for(project: Path) -> Iterator:
    """``client_for(connector_id)``: a test client of the preview app, lifespan (first snapshot, watcher) running."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # starlette 1.x would rather have httpx2 drive its test client
        from starlette.testclient import TestClient

    from catalyst_gen.preview.server import LivePreview, create_app
    from catalyst_gen.preview.snapshot import take_snapshot

    clients = []

    def make(connector_id: str = ID) -> TestClient:
        live = LivePreview(lambda: take_snapshot(project, connector_id), [project / "connectors"])
        client = TestClient(create_app(live), base_url="http://127.0.0.1")
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def test_page_shows_the_connector_with_a_strict_content_security_policy(project: Path, client_for):
    response = client_for().get("/")
    assert response.status_code == 200
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "default-src 'none'" in policy
    assert "unsafe-eval" not in policy and "http" not in policy, "no eval, no remote origin"
    assert re.findall(r"<script[^>]*>", response.text) == ['<script src="/static/preview.js" defer>']
    assert "<h1>Catalyst Connector: Together AI</h1>" in response.text  # the README, rendered
    assert "<table>" in response.text
    dist = project / "dist" / ID
    client = client_for()
    for artifact in sorted(dist.iterdir()):  # under their dist/ names: the README's relative links work
        assert client.get(f"/{artifact.name}").content == artifact.read_bytes()
    logo = client.get(f"/{ID}.svg")
    assert logo.headers["content-type"].startswith("image/svg+xml")
    assert logo.headers["content-security-policy"].startswith("default-src 'none'")
    assert f'<img src="{ID}-example.svg"' in response.text
    assert client.get("/connector.yaml").status_code == 404
    assert client.get("/static/preview.js").content == (STATIC_DIR / "preview.js").read_bytes()


def test_spec_text_is_escaped_and_never_runs(project: Path, client_for):
    spec = project / "connectors" / ID / "connector.yaml"
    hostile = "'</div><script>alert(1)</script><img src=x onerror=alert(2)>'"
    _set_tagline(spec, hostile)
    text = client_for().get("/").text
    assert "<script>alert" not in text and "<img src=x" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text  # shown, escaped, in the header and the README
    assert len(re.findall(r"<script", text)) == 1


def test_a_broken_spec_shows_its_located_problems_instead_of_the_page(
    project: Path, client_for, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.chdir(project)  # problems name files relative to the working directory, as the CLI does
    spec = project / "connectors" / ID / "connector.yaml"
    _set_tagline(spec, "[unclosed <b>")
    client = client_for()
    page = client.get("/")
    assert page.status_code == 200
    cli = run_process("validate", ID, cwd=project)
    assert cli.returncode == 1
    assert re.search(r"^connectors/together-ai/connector\.yaml:\d+:\d+: error: .+", cli.stderr, re.MULTILINE)
    shown = re.search(r'<pre id="problems">(.*?)</pre>', page.text, re.DOTALL)
    assert shown, page.text
    assert unescape(shown.group(1)) == cli.stderr.rstrip("\n"), "the same located text as the CLI"
    assert "hint: " in shown.group(1)
    assert 'data-example="' not in page.text  # no Modeler while broken
    assert client.get(f"/{ID}-example.bpmn").status_code == 503


def test_the_version_follows_what_the_page_shows(project: Path):
    """The spec, its preset and the templates change the page; another connector does not."""
    from catalyst_gen.preview.snapshot import take_snapshot

    seen = [take_snapshot(project, ID).version]

    def changed(path: Path, old: str, new: str) -> bool:
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {path}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        seen.append(take_snapshot(project, ID).version)
        return seen[-1] != seen[-2]

    connectors, templates = project / "connectors", project / "templates"
    assert not changed(connectors / "ollama" / "connector.yaml", "name: Ollama", "name: Ollama Local")
    assert changed(connectors / ID / "connector.yaml", "tagline: Access", "tagline: Reach")
    assert changed(connectors / "_presets" / "openai-chat.yaml", "You are a helpful assistant.", "You help.")
    assert changed(templates / "readme" / "section" / "quick_start.md.j2", "## {{ section", "### {{ section")
    assert take_snapshot(project, ID).version == seen[-1], "the same inputs give the same version"


def test_only_loopback_host_names_are_answered(client_for):
    client = client_for()
    assert client.get("/", headers={"host": "attacker.example"}).status_code == 400
    assert client.get("/", headers={"host": "localhost"}).status_code == 200


def test_command_errors_are_located_and_exit_1(project: Path):
    unknown = run_process("preview", "togther-ai", cwd=project, timeout=60)
    assert unknown.returncode == 1 and "together-ai" in unknown.stderr and "Traceback" not in unknown.stderr
    from catalyst_gen.preview.server import bind

    taken = bind(0)
    try:
        busy = run_process("preview", ID, "--port", str(taken.getsockname()[1]), cwd=project, timeout=60)
    finally:
        taken.close()
    assert busy.returncode == 1, busy.stdout + busy.stderr
    assert "cannot listen on 127.0.0.1:" in busy.stderr and "hint: " in busy.stderr


# --------------------------------------------------------------------------- the bundle


def test_bundle_rebuilds_from_the_lockfile_to_the_committed_bytes(tmp_path: Path):
    _need(None if shutil.which("npm") and shutil.which("node") else "node and npm are not installed")
    work = tmp_path / "js"
    work.mkdir()
    for name in ("package.json", "package-lock.json", "build.mjs"):
        shutil.copy2(JS_DIR / name, work / name)
    shutil.copytree(JS_DIR / "src", work / "src")
    _npm_ci(work)
    out = tmp_path / "static"
    out.mkdir()
    proc = subprocess.run(["node", "build.mjs", str(out)], cwd=work, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    for name in ("preview.js", "preview.css"):
        assert (out / name).read_bytes() == (STATIC_DIR / name).read_bytes(), (
            f"catalyst_gen/preview/static/{name} is not what js/ builds: run `npm ci && npm run build` in {JS_DIR}"
        )
    assert sorted(p.name for p in STATIC_DIR.iterdir()) == ["preview.css", "preview.js"]


# --------------------------------------------------------------------------- in Chromium


def _install_chromium() -> str | None:
    """Debian's Chromium, installed once (serialized across test runs); the reason when it cannot be had."""
    if CHROMIUM.exists():
        return None
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return f"{CHROMIUM} is missing and apt-get cannot install it here"
    with open(CHROMIUM_LOCK, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            if not CHROMIUM.exists():
                env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
                for command in (["apt-get", "update"], ["apt-get", "install", "-y", "chromium"]):
                    proc = subprocess.run(command, capture_output=True, text=True, timeout=900, env=env)
                    if proc.returncode != 0:
                        return f"{' '.join(command)} failed: {proc.stderr[-2000:]}"
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
    return None if CHROMIUM.exists() else f"{CHROMIUM} is still missing after apt-get install chromium"


class Browser:
    """The puppeteer-core driver (``drive.mjs``): one JSON command per line, one JSON answer per line."""

    def __init__(self, user_data_dir: Path):
        self.proc = subprocess.Popen(
            ["node", str(DRIVER_DIR / "drive.mjs"), str(CHROMIUM), str(user_data_dir)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def __call__(self, op: str, timeout: float = 60, **args: object) -> dict:
        import threading

        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(json.dumps({"op": op, "timeout": timeout, **args}) + "\n")
        self.proc.stdin.flush()
        answer: list[str] = []
        reader = threading.Thread(target=lambda: answer.append(self.proc.stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout + 15)  # the driver's own waits are bounded by `timeout`; this bounds the driver
        assert answer and answer[0], f"no answer from the browser driver to {op!r}"
        result = json.loads(answer[0])
        assert result.pop("ok"), f"{op} failed: {result}"
        return result

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                assert self.proc.stdin
                self.proc.stdin.write('{"op": "quit"}\n')
                self.proc.stdin.flush()
                self.proc.wait(20)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait(10)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Browser]:
    _need(None if shutil.which("node") and shutil.which("npm") else "node and npm are not installed")
    _need(_install_chromium())
    _npm_ci(DRIVER_DIR)
    profile = tmp_path / "chromium-profile"
    profile.mkdir()
    driver = Browser(profile)
    try:
        yield driver
    finally:
        driver.close()


def _entry(panel: dict, label: str) -> str | None:
    values = [e["value"] for e in panel["entries"] if e["label"] == label]
    assert values, f"no {label!r} in the properties panel: {panel}"
    return values[0]


def test_preview_in_chromium_applies_the_template_and_follows_the_spec(project: Path, browser: Browser, tmp_path):
    spec = project / "connectors" / ID / "connector.yaml"
    template = json.loads((project / "dist" / ID / f"{ID}.element.json").read_text(encoding="utf-8"))
    timeout_property = next(p for p in template["properties"] if p.get("label") == "Timeout (seconds)")
    dist_before = snapshot(project / "dist")

    with LiveProcess("preview", ID, "--port", "0", cwd=project) as server:
        url = server.wait_for(r"^previewing together-ai at (http://127\.0\.0\.1:\d+/) \(Ctrl-C to stop\)$").group(1)
        browser("open", url=url, timeout=60)

        panel = browser("panel")
        assert panel["headerType"] == [template["name"]], "the panel shows the task with the template applied"
        assert panel["headerLabel"] == ["Ask Together AI"]
        assert "Template" in panel["groups"]
        assert _entry(panel, "Timeout (seconds)") == timeout_property["value"]
        browser("screenshot", path=str(tmp_path / "preview.png"))
        assert browser("errors")["errors"] == [], "no script errors, no Content-Security-Policy violations"

        _set_tagline(spec, "Edited while the page was open")
        browser("text", selector=".readme p", contains="Edited while the page was open", timeout=60)
        assert browser("panel")["headerType"] == [template["name"]]

        _set_tagline(spec, "[unclosed")
        problems = browser("text", selector="#problems", contains="catalyst-gen: 1 problem found", timeout=60)
        assert re.search(r"connectors/together-ai/connector\.yaml:\d+:\d+: error: ", problems["text"])
        assert "hint: " in problems["text"]
        browser("screenshot", path=str(tmp_path / "problems.png"))

        _set_tagline(spec, "Fixed and back")
        browser("text", selector=".meta", contains="Fixed and back", timeout=60)
        assert browser("panel")["headerType"] == [template["name"]]

        assert server.stop() == 0
        assert server.lines[-1] == "preview stopped" and "Traceback" not in server.output
    assert snapshot(project / "dist") == dist_before, "preview writes nothing to dist/"
