"""Kubernetes API test server fixture (tests/k8s-server, built as
$KUBESLURM_BUILD/tests/kubeslurm-k8s-testserver).

K8sTestServer generates a throw-away CA and server certificate with the openssl CLI, starts the
server on a free port (HTTPS, bearer tokens), waits until it answers, writes kubeconfigs for
kubectl and kubeslurm-sync, offers seed / fault-injection helpers over the admin endpoints
(/_test/...), and kills the server on stop() or when the test process dies.

Usage (pytest):
    from k8sserver import k8s_server  # noqa: F401  (fixture)

    def test_x(k8s_server):
        k8s_server.add_node("n1", labels={"nvidia.com/gpu.clique": "c1.0"})
        out = k8s_server.kubectl("get", "node", "n1", "-o", "json")
        k8s_server.inject(status=429, count=3, retry_after=1)

Outside pytest:
    with K8sTestServer() as srv:
        print(srv.kubeconfig())

Tokens: srv.tokens["admin"] (everything incl. /_test), ["writer"] (read + write the API),
["reader"] (read only: writes get 403). Anything else gets 401.
"""
from __future__ import annotations

import ctypes
import json
import os
import pathlib
import secrets
import shutil
import signal
import ssl
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

SOURCE_DIR = pathlib.Path(__file__).resolve().parents[2]
KUBECTL = shutil.which("kubectl") or "/usr/bin/kubectl"
CLIENT_CERT_USER = "kubeslurm-sync"  # the test client certificate's CN; it has write rights


def _build_dir() -> pathlib.Path:
    return pathlib.Path(os.environ.get("KUBESLURM_BUILD", SOURCE_DIR / "build" / "release"))


def server_binary(build_dir: pathlib.Path | None = None) -> pathlib.Path:
    return pathlib.Path(build_dir or _build_dir()) / "tests" / "kubeslurm-k8s-testserver"


def _die_with_parent():
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _openssl(*args: str, cwd: pathlib.Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def make_test_pki(directory: pathlib.Path) -> dict[str, pathlib.Path]:
    """A CA and a server certificate for 127.0.0.1 / localhost (EC P-256: fast to generate)."""
    d = pathlib.Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    _openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.crt", "-days", "2",
             "-subj", "/CN=kubeslurm-test-ca", cwd=d)
    _openssl("req", *ec, "-keyout", "server.key", "-out", "server.csr",
             "-subj", "/CN=kubeslurm-test-apiserver", cwd=d)
    (d / "san.ext").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                               "extendedKeyUsage=serverAuth\n")
    _openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
             "-CAcreateserial", "-out", "server.crt", "-days", "2", "-extfile", "san.ext", cwd=d)
    # A client certificate for mutual TLS (CN = user name, as the API server reads it).
    _openssl("req", *ec, "-keyout", "client.key", "-out", "client.csr",
             "-subj", f"/CN={CLIENT_CERT_USER}", cwd=d)
    (d / "client.ext").write_text("extendedKeyUsage=clientAuth\n")
    _openssl("x509", "-req", "-in", "client.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
             "-CAcreateserial", "-out", "client.crt", "-days", "2", "-extfile", "client.ext",
             cwd=d)
    return {"ca": d / "ca.crt", "cert": d / "server.crt", "key": d / "server.key",
            "client_cert": d / "client.crt", "client_key": d / "client.key"}


class K8sTestServer:
    def __init__(self, build_dir: pathlib.Path | None = None, workdir: pathlib.Path | None = None,
                 bookmark_interval_ms: int = 1000, history: int = 100000,
                 extra_args: tuple[str, ...] = ()):
        self.binary = server_binary(build_dir)
        self._own_workdir = workdir is None
        self.workdir = pathlib.Path(workdir or tempfile.mkdtemp(prefix="ks-k8s-"))
        self.bookmark_interval_ms = bookmark_interval_ms
        self.history = history
        self.extra_args = tuple(extra_args)
        self.tokens = {role: f"{role}-{secrets.token_hex(12)}" for role in ("admin", "writer", "reader")}
        self.proc: subprocess.Popen | None = None
        self.port = 0
        self.pki: dict[str, pathlib.Path] = {}
        self._ssl: ssl.SSLContext | None = None

    # ---- lifecycle -------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    @property
    def ca_file(self) -> pathlib.Path:
        return self.pki["ca"]

    @property
    def admin_token(self) -> str:
        return self.tokens["admin"]

    def start(self, timeout: float = 20.0) -> "K8sTestServer":
        if not self.binary.exists():
            raise RuntimeError(f"{self.binary} not built (make B=... {self.binary})")
        self.pki = make_test_pki(self.workdir / "pki")
        ready = self.workdir / "ready"
        ready.unlink(missing_ok=True)
        args = [str(self.binary), "--host", "127.0.0.1", "--port", "0",
                "--ready-file", str(ready), "--cert", str(self.pki["cert"]),
                "--key", str(self.pki["key"]),
                "--bookmark-interval-ms", str(self.bookmark_interval_ms),
                "--history", str(self.history)]
        roles = {"admin": "admin", "writer": "write", "reader": "read"}
        for who, token in self.tokens.items():
            args += ["--token", f"{token}:{roles[who]}"]
        args += ["--client-ca", str(self.pki["ca"]), "--cert-user", f"{CLIENT_CERT_USER}:write"]
        args += list(self.extra_args)
        self._log = open(self.workdir / "server.log", "wb")
        self.proc = subprocess.Popen(args, stdout=self._log, stderr=subprocess.STDOUT,
                                     preexec_fn=_die_with_parent)
        self._ssl = ssl.create_default_context(cafile=str(self.pki["ca"]))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"test server exited ({self.proc.returncode}): {self.log()}")
            if ready.exists() and ready.read_text().strip():
                self.port = int(ready.read_text().strip())
                try:
                    self.request("GET", "/version")
                    return self
                except OSError:
                    pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"test server not ready after {timeout} s: {self.log()}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self.proc = None
        if getattr(self, "_log", None):
            self._log.close()
            self._log = None
        if self._own_workdir and os.environ.get("KEEP") != "1":
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> "K8sTestServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def log(self) -> str:
        p = self.workdir / "server.log"
        return p.read_text(errors="replace")[-4000:] if p.exists() else ""

    # ---- kubeconfig / kubectl ---------------------------------------------------------------

    def kubeconfig(self, token: str | None = None, name: str = "kubeconfig",
                   ca_inline: bool = False, client_cert: bool = False) -> pathlib.Path:
        """Writes a kubeconfig (YAML) for kubectl and kubeslurm-sync; default token: writer.
        client_cert=True authenticates with the test client certificate instead (as files, or
        inline -data with ca_inline=True)."""
        import base64

        def b64(p: pathlib.Path) -> str:
            return base64.b64encode(p.read_bytes()).decode()

        token = token or self.tokens["writer"]
        if ca_inline:
            ca_line = "certificate-authority-data: " + b64(self.pki["ca"])
        else:
            ca_line = f"certificate-authority: {self.pki['ca']}"
        if not client_cert:
            user_lines = f"token: {token}"
        elif ca_inline:
            user_lines = (f"client-certificate-data: {b64(self.pki['client_cert'])}\n"
                          f"    client-key-data: {b64(self.pki['client_key'])}")
        else:
            user_lines = (f"client-certificate: {self.pki['client_cert']}\n"
                          f"    client-key: {self.pki['client_key']}")
        path = self.workdir / name
        path.write_text(f"""apiVersion: v1
kind: Config
clusters:
- name: test
  cluster:
    server: {self.url}
    {ca_line}
users:
- name: test-user
  user:
    {user_lines}
contexts:
- name: test
  context:
    cluster: test
    user: test-user
current-context: test
""")
        return path

    def kubectl(self, *args: str, token: str | None = None, check: bool = True,
                timeout: float = 30, input: str | None = None) -> subprocess.CompletedProcess:
        cfg = self.kubeconfig(token, name=f"kubeconfig-{token or 'writer'}"[:60])
        env = dict(os.environ, KUBECONFIG=str(cfg), HOME=str(self.workdir))
        r = subprocess.run([KUBECTL, *args], env=env, capture_output=True, text=True,
                           timeout=timeout, input=input)
        if check and r.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} -> {r.returncode}: {r.stderr}")
        return r

    def kubectl_popen(self, *args: str, token: str | None = None) -> subprocess.Popen:
        """A long-running kubectl (e.g. `get -w`); the caller terminates it."""
        cfg = self.kubeconfig(token, name="kubeconfig-popen")
        env = dict(os.environ, KUBECONFIG=str(cfg), HOME=str(self.workdir))
        return subprocess.Popen([KUBECTL, *args], env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, preexec_fn=_die_with_parent)

    # ---- raw HTTP ---------------------------------------------------------------------------

    def request(self, method: str, path: str, body=None, token: str | None = None,
                content_type: str = "application/json", timeout: float = 30):
        """(status, parsed JSON or text). Default token: admin."""
        data = None
        if body is not None:
            data = body if isinstance(body, (bytes, str)) else json.dumps(body)
            data = data.encode() if isinstance(data, str) else data
        req = urllib.request.Request(self.url + path, data=data, method=method)
        req.add_header("Authorization", f"Bearer {token or self.admin_token}")
        if data is not None:
            req.add_header("Content-Type", content_type)
        try:
            with urllib.request.urlopen(req, context=self._ssl, timeout=timeout) as r:
                status, raw = r.status, r.read()
        except urllib.error.HTTPError as e:
            status, raw = e.code, e.read()
        try:
            return status, json.loads(raw) if raw else None
        except ValueError:
            return status, raw.decode(errors="replace")

    def _admin(self, method: str, path: str, body=None):
        status, out = self.request(method, path, body)
        if status >= 300:
            raise AssertionError(f"{method} {path} -> {status}: {out}")
        return out

    # ---- seeding ----------------------------------------------------------------------------

    @staticmethod
    def node_object(name: str, labels: dict | None = None, taints: list | None = None,
                    unschedulable: bool = False, ready: bool = True,
                    conditions: list | None = None) -> dict:
        conds = [{"type": "Ready", "status": "True" if ready else "False",
                  "reason": "KubeletReady" if ready else "KubeletNotReady",
                  "message": "", "lastHeartbeatTime": "2026-01-01T00:00:00Z",
                  "lastTransitionTime": "2026-01-01T00:00:00Z"}]
        conds += conditions or []
        node = {"apiVersion": "v1", "kind": "Node",
                "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name,
                                                      **(labels or {})}},
                "spec": {}, "status": {"conditions": conds}}
        if taints:
            node["spec"]["taints"] = taints
        if unschedulable:
            node["spec"]["unschedulable"] = True
        return node

    @staticmethod
    def pod_object(namespace: str, name: str, node_name: str = "", labels: dict | None = None,
                   hostname: str = "", phase: str = "Running") -> dict:
        spec = {"containers": [{"name": "slurmd", "image": "slurmd"}]}
        if node_name:
            spec["nodeName"] = node_name
        if hostname:
            spec["hostname"] = hostname
        return {"apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": name, "namespace": namespace, "labels": labels or {}},
                "spec": spec, "status": {"phase": phase}}

    def seed(self, objects: list[dict]) -> int:
        """Creates or replaces many objects at once (Node, Pod, Lease); returns the new RV."""
        out = self._admin("POST", "/_test/seed", {"items": objects})
        return int(out["resourceVersion"])

    def add_node(self, name: str, **kw) -> dict:
        self.seed([self.node_object(name, **kw)])
        return self.get_node(name)

    def add_nodes(self, names: list[str], labels_of=None, **kw) -> int:
        """Bulk seed; labels_of(name) -> dict gives per-node labels."""
        objs = [self.node_object(n, labels=labels_of(n) if labels_of else None, **kw)
                for n in names]
        return self.seed(objs)

    def add_pod(self, namespace: str, name: str, **kw) -> dict:
        self.seed([self.pod_object(namespace, name, **kw)])
        return self._admin("GET", f"/api/v1/namespaces/{namespace}/pods/{name}")

    def get_node(self, name: str) -> dict | None:
        status, out = self.request("GET", f"/api/v1/nodes/{name}")
        return out if status == 200 else None

    def patch_node(self, name: str, patch: dict,
                   patch_type: str = "application/merge-patch+json") -> dict:
        """A change made 'by Kubernetes' (admin token): watchers see MODIFIED."""
        return self._admin_patch(f"/api/v1/nodes/{name}", patch, patch_type)

    def patch_node_status(self, name: str, patch: dict,
                          patch_type: str = "application/strategic-merge-patch+json") -> dict:
        return self._admin_patch(f"/api/v1/nodes/{name}/status", patch, patch_type)

    def _admin_patch(self, path: str, patch: dict, patch_type: str) -> dict:
        status, out = self.request("PATCH", path, patch, content_type=patch_type)
        if status >= 300:
            raise AssertionError(f"PATCH {path} -> {status}: {out}")
        return out

    def set_labels(self, name: str, labels: dict) -> dict:
        return self.patch_node(name, {"metadata": {"labels": labels}})

    def cordon(self, name: str, on: bool = True) -> dict:
        return self.patch_node(name, {"spec": {"unschedulable": on or None}})

    def set_ready(self, name: str, ready: bool) -> dict:
        cond = {"type": "Ready", "status": "True" if ready else "False",
                "reason": "KubeletReady" if ready else "KubeletNotReady"}
        return self.patch_node_status(name, {"status": {"conditions": [cond]}})

    def delete_node(self, name: str) -> None:
        self._admin("DELETE", f"/api/v1/nodes/{name}")

    def resource_version(self) -> int:
        return int(self.stats()["resourceVersion"])

    # ---- faults and inspection --------------------------------------------------------------

    def compact(self) -> int:
        """Forgets the event history: watches and continue tokens from before now get 410."""
        return int(self._admin("POST", "/_test/compact")["compactedTo"])

    def inject(self, status: int = 500, count: int = 1, retry_after: float | None = None,
               path: str = "", method: str = "", drop: bool = False,
               watch: bool | None = None) -> None:
        """The next `count` matching API requests fail: HTTP `status` (with Retry-After when
        given) or, with drop=True, a connection closed without a response. path: prefix of the
        request path; method: GET/PATCH/...; watch: only watch (True) or non-watch (False)."""
        fault = {"status": status, "count": count, "path": path, "method": method,
                 "drop": drop}
        if retry_after is not None:
            fault["retryAfter"] = retry_after
        if watch is not None:
            fault["watch"] = watch
        self._admin("POST", "/_test/faults", fault)

    def clear_faults(self) -> None:
        self._admin("DELETE", "/_test/faults")

    def drop_watches(self) -> int:
        """Cuts every open watch stream abruptly (no final chunk)."""
        return int(self._admin("POST", "/_test/drop-watches")["dropped"])

    def stats(self) -> dict:
        """{"resourceVersion", "requests": {METHOD: n}, "watches": open, "faultsServed",
        "patches", "conflicts", "objects": {kind: n}}"""
        return self._admin("GET", "/_test/stats")

    def wait_for(self, predicate, timeout: float = 10.0, interval: float = 0.05):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            v = predicate()
            if v:
                return v
            time.sleep(interval)
        raise AssertionError(f"condition not met within {timeout} s")


@pytest.fixture
def k8s_server_factory():
    """Starts test servers (K8sTestServer kwargs) and stops them at the end of the test."""
    made: list[K8sTestServer] = []

    def make(**kw) -> K8sTestServer:
        s = K8sTestServer(**kw)
        made.append(s)
        return s.start()

    yield make
    for s in made:
        s.stop()


@pytest.fixture
def k8s_server(k8s_server_factory) -> K8sTestServer:
    """One running test server per test."""
    return k8s_server_factory()
