"""Packaging: `make install` layout, the generated example configuration, the systemd unit, the
Kubernetes manifests, the Slurm snippets (on a real slurmctld) and the man pages."""
import json
import os
import pathlib
import re
import shutil
import subprocess

import pytest

SOURCE_DIR = pathlib.Path(__file__).resolve().parents[2]
PACKAGING = SOURCE_DIR / "packaging"
COMMANDS = {"kubeslurm-topo": "usr/bin", "kubeslurm-burnin": "usr/bin", "kubeslurm-sync": "usr/sbin",
            "kubeslurm-gpucheck": "usr/libexec/kubeslurm"}
PLUGINS = {"plugins/spank_kubeslurm.so": "spank_kubeslurm.so",
           "plugins/select_cons_tres_topo.so": "select_cons_tres_topo.so"}
PLUGIN_DIR = "usr/lib64/slurm"


def slurm_make_args() -> list[str]:
    """The Slurm this run tests, as make arguments, so that every make here builds against the Slurm
    of the build directory: the line from KUBESLURM_SLURM_VERSION (set by the Makefile, e.g.
    24.11.5 -> SLURM=24.11), a site's own build from KUBESLURM_SLURM_PREFIX/KUBESLURM_SLURM_SRC."""
    args = []
    version = os.environ.get("KUBESLURM_SLURM_VERSION", "")
    if version:
        args.append("SLURM=" + ".".join(version.split(".")[:2]))
    for var in ("SLURM_PREFIX", "SLURM_SRC"):
        if os.environ.get(f"KUBESLURM_{var}"):
            args.append(f"{var}={os.environ[f'KUBESLURM_{var}']}")
    return args


def make(build_dir, *args, timeout=900) -> subprocess.CompletedProcess:
    r = subprocess.run(["make", "--no-print-directory", "-C", str(SOURCE_DIR), f"B={build_dir}",
                        *slurm_make_args(), *args], capture_output=True, text=True, timeout=timeout)
    assert r.returncode == 0, f"make {' '.join(args)} failed:\n{r.stdout[-4000:]}\n{r.stderr[-4000:]}"
    return r


def packaging_info(build_dir) -> dict[str, str]:
    """What `make packaging-info` says: the Slurm the packages are for and where they land."""
    out = make(build_dir, "-s", "packaging-info").stdout
    info = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
    # The packages must be for the Slurm this run tests, not whatever /usr holds.
    if os.environ.get("KUBESLURM_SLURM_VERSION"):
        assert info["SLURM_VERSION"] == os.environ["KUBESLURM_SLURM_VERSION"], info
    return info


@pytest.fixture(scope="module")
def conf_tool(build_dir) -> pathlib.Path:
    tool = build_dir / "tools" / "kubeslurm-conf-tool"
    make(build_dir, str(tool))
    return tool


def tool_keys(conf_tool) -> dict[str, dict]:
    out = subprocess.run([conf_tool, "keys"], check=True, capture_output=True, text=True).stdout
    keys = {}
    for line in out.splitlines():
        name, typ, default, constraint, _ = line.split("\t")
        keys[name] = dict(type=typ, default=default, constraint=constraint)
    return keys


def check_conf(conf_tool, path) -> subprocess.CompletedProcess:
    return subprocess.run([conf_tool, "check", str(path)], capture_output=True, text=True)


# ---- example configuration ----------------------------------------------------------------------

def test_example_config_and_man_page_are_generated_from_the_code(conf_tool):
    r = subprocess.run([shutil.which("python3") or "/usr/bin/python3",
                        str(PACKAGING / "gen-config-example.py"), str(conf_tool), "--check"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_example_config_lists_every_key_with_its_default(conf_tool):
    keys = tool_keys(conf_tool)
    shown = dict(re.findall(r"^#(\w+)=(.*)$", (PACKAGING / "kubeslurm.conf").read_text(), re.M))
    assert set(shown) == set(keys)
    for name, info in keys.items():
        assert shown[name] == info["default"], name


def test_example_config_parses_with_every_line_uncommented(conf_tool, tmp_path):
    text = (PACKAGING / "kubeslurm.conf").read_text()
    assert check_conf(conf_tool, PACKAGING / "kubeslurm.conf").returncode == 0
    explicit = tmp_path / "kubeslurm.conf"
    explicit.write_text(re.sub(r"^#(\w+=)", r"\1", text, flags=re.M))
    r = check_conf(conf_tool, explicit)
    assert r.returncode == 0, r.stderr
    # The check is the real parser: a bad value is reported with file, line and key.
    bad = text.replace("#CheckTimeout=60", "CheckTimeout=0")
    assert bad != text
    explicit.write_text(bad)
    r = check_conf(conf_tool, explicit)
    line = bad.splitlines().index("CheckTimeout=0") + 1
    assert r.returncode == 1 and f"{explicit}:{line}: CheckTimeout:" in r.stderr, r.stderr


# ---- make install -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def installed(build_dir, tmp_path_factory):
    root = tmp_path_factory.mktemp("destdir")
    # An administrator's configuration already there must survive the install.
    conf = root / "etc/kubeslurm/kubeslurm.conf"
    conf.parent.mkdir(parents=True)
    conf.write_text("LogLevel=debug\n")
    r = make(build_dir, "install-kubeslurm", f"DESTDIR={root}")
    return root, r.stdout


def test_install_places_every_built_artefact_and_names_the_missing_ones(build_dir, installed):
    root, out = installed
    for name, bindir in COMMANDS.items():
        built = build_dir / "bin" / name
        dest = root / bindir / name
        if built.exists():
            assert dest.read_bytes() == built.read_bytes() and os.access(dest, os.X_OK), name
        else:
            print(f"{name}: not built in {build_dir}, checking the skip line only")
            assert not dest.exists() and re.search(rf"skip .*/{name}: .* was not built here", out), out
    for rel, name in PLUGINS.items():
        built, dest = build_dir / rel, root / PLUGIN_DIR / name
        if built.exists():
            assert dest.read_bytes() == built.read_bytes(), name
        else:
            assert not dest.exists() and f"skip    /{PLUGIN_DIR}/{name}" in out, out
    gpu = root / "usr/lib64/kubeslurm/libkubeslurm-gpu.so"
    assert gpu.exists() == (build_dir / "lib/libkubeslurm-gpu.so").exists()
    if not gpu.exists():
        assert "libkubeslurm-gpu.so was not built here" in out


def test_install_links_the_checker_for_site_staff(build_dir, installed):
    root, _ = installed
    if not (build_dir / "bin/kubeslurm-gpucheck").exists():
        pytest.skip("kubeslurm-gpucheck is not built in this tree yet")
    link = root / "usr/bin/kubeslurm-gpucheck"
    assert link.is_symlink() and os.readlink(link) == "/usr/libexec/kubeslurm/kubeslurm-gpucheck"


def test_install_data_config_units_and_man_pages(installed):
    root, out = installed
    share = root / "usr/share/kubeslurm"
    shipped = sorted(SOURCE_DIR.glob("src/health/thresholds.d/*.conf")) + \
        sorted(SOURCE_DIR.glob("src/health/gpu/thresholds.d/*.conf"))
    for f in shipped:
        assert (share / "thresholds.d" / f.name).read_text() == f.read_text()
    if not shipped:
        assert "no thresholds files in the tree" in out
    assert (share / "plugstack.conf.d/kubeslurm.conf").is_file()
    assert (share / "slurm.conf.kubeslurm").is_file() and (share / "topology.conf.kubeslurm").is_file()
    assert sorted(p.name for p in (share / "kubernetes").iterdir()) == \
        sorted(p.name for p in (PACKAGING / "kubernetes").glob("*.yaml"))
    assert (share / "kubeslurm.conf.example").read_text() == (PACKAGING / "kubeslurm.conf").read_text()
    # The existing configuration was kept, not replaced by the example.
    assert (root / "etc/kubeslurm/kubeslurm.conf").read_text() == "LogLevel=debug\n"
    assert "keep    /etc/kubeslurm/kubeslurm.conf" in out
    unit = (root / "usr/lib/systemd/system/kubeslurm-sync.service").read_text()
    assert "ExecStart=/usr/sbin/kubeslurm-sync --config /etc/kubeslurm/kubeslurm.conf" in unit
    assert not re.search(r"@[a-z]+@", unit), "unsubstituted directory placeholder"
    for page in SOURCE_DIR.glob("docs/man/*.[1-8]"):
        assert (root / f"usr/share/man/man{page.suffix[1:]}" / page.name).is_file(), page.name
    assert (root / "var/lib/kubeslurm").is_dir()


def test_install_into_an_empty_root_installs_the_example_config(build_dir, tmp_path):
    make(build_dir, "install-kubeslurm", f"DESTDIR={tmp_path}", "sysconfdir=/etc/site")
    assert (tmp_path / "etc/site/kubeslurm/kubeslurm.conf").read_text() == \
        (PACKAGING / "kubeslurm.conf").read_text()


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_installed_commands_run(build_dir, installed, name):
    root, _ = installed
    exe = root / COMMANDS[name] / name
    if not exe.exists():
        pytest.skip(f"{name} is not built in this tree yet")
    version = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=30)
    assert version.returncode == 0, version.stderr
    assert make(build_dir, "print-version").stdout.strip() in version.stdout + version.stderr
    helptext = subprocess.run([exe, "--help"], capture_output=True, text=True, timeout=30)
    assert helptext.returncode == 0, helptext.stderr
    assert "usage" in (helptext.stdout + helptext.stderr).lower()


# ---- systemd unit -------------------------------------------------------------------------------

def test_systemd_unit_verifies_and_is_hardened(installed, tmp_path):
    if not shutil.which("systemd-analyze"):
        pytest.skip("systemd-analyze is not installed")
    root, _ = installed
    unit = (root / "usr/lib/systemd/system/kubeslurm-sync.service").read_text()
    for directive in ("NoNewPrivileges=yes", "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes",
                      "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6", "CapabilityBoundingSet=\n",
                      "StateDirectory=kubeslurm", "ReadWritePaths=/var/lib/kubeslurm"):
        assert directive in unit, directive
    # verify checks that ExecStart is executable: point it at a stand-in inside the scratch root.
    stub = root / "usr/sbin/kubeslurm-sync"
    if not stub.exists():
        stub.parent.mkdir(parents=True, exist_ok=True)
        stub.write_text("#!/bin/sh\n")
        stub.chmod(0o755)
    copy = tmp_path / "kubeslurm-sync.service"
    copy.write_text(unit.replace("ExecStart=/usr/sbin/", f"ExecStart={stub.parent}/"))
    r = subprocess.run(["systemd-analyze", "verify", "--man=no", str(copy)], capture_output=True, text=True)
    assert r.returncode == 0 and r.stderr.strip() == "" and r.stdout.strip() == "", r.stdout + r.stderr
    sec = subprocess.run(["systemd-analyze", "security", "--offline=yes", "--no-pager", str(copy)],
                         capture_output=True, text=True)
    m = re.search(r"Overall exposure level for \S+: ([\d.]+) (\w+)", sec.stdout + sec.stderr)
    assert m, sec.stdout + sec.stderr
    print(f"systemd exposure level: {m.group(1)} {m.group(2)}")
    assert m.group(2) == "OK", sec.stdout


# ---- Kubernetes manifests -------------------------------------------------------------------------

def load_manifests() -> list[dict]:
    if not shutil.which("kubectl"):
        pytest.skip("kubectl is not installed")
    # `kubectl create --dry-run=client` needs API discovery from a server; a local annotate parses
    # and decodes every object exactly as kubectl would send it, without one.
    r = subprocess.run(["kubectl", "annotate", "--local", "-o", "json", "-f", str(PACKAGING / "kubernetes"),
                        "kubeslurm.io/validated=yes"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    objs, dec, text, pos = [], json.JSONDecoder(), r.stdout, 0
    while pos < len(text.rstrip()):
        obj, end = dec.raw_decode(text, pos)
        objs.extend(obj["items"] if obj.get("kind") == "List" else [obj])
        pos = end
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return objs


def by_kind(objs, kind) -> list[dict]:
    return [o for o in objs if o["kind"] == kind]


def test_manifests_parse_and_reference_each_other():
    objs = load_manifests()
    kinds = sorted(o["kind"] for o in objs)
    assert kinds == sorted(["Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role",
                            "RoleBinding", "Role", "RoleBinding", "ConfigMap", "PersistentVolumeClaim",
                            "Deployment"])
    ns = by_kind(objs, "Namespace")[0]["metadata"]["name"]
    for o in objs:
        if o["kind"] not in ("Namespace", "ClusterRole", "ClusterRoleBinding"):
            # Node Events live in "default" (as kubelet's do): only their Role and binding are there.
            expected = "default" if o["metadata"]["name"] == "kubeslurm-sync-events" else ns
            assert o["metadata"]["namespace"] == expected, o["metadata"]
    sa = by_kind(objs, "ServiceAccount")[0]["metadata"]["name"]
    for binding in by_kind(objs, "ClusterRoleBinding") + by_kind(objs, "RoleBinding"):
        assert binding["subjects"] == [{"kind": "ServiceAccount", "name": sa, "namespace": ns}]
        role_kind = binding["roleRef"]["kind"]
        assert binding["roleRef"]["name"] in [r["metadata"]["name"] for r in by_kind(objs, role_kind)]
    pod = by_kind(objs, "Deployment")[0]["spec"]["template"]["spec"]
    assert pod["serviceAccountName"] == sa
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert volumes["config"]["configMap"]["name"] == by_kind(objs, "ConfigMap")[0]["metadata"]["name"]
    claim = volumes["state"]["persistentVolumeClaim"]["claimName"]
    assert claim == by_kind(objs, "PersistentVolumeClaim")[0]["metadata"]["name"]
    for c in pod["containers"] + pod.get("initContainers", []):
        for m in c["volumeMounts"]:
            assert m["name"] in volumes, m


def test_cluster_role_is_least_privilege():
    objs = load_manifests()
    rules = [r for cr in by_kind(objs, "ClusterRole") for r in cr["rules"]]
    granted = {(g, res): set(r["verbs"]) for r in rules for g in r["apiGroups"] for res in r["resources"]}
    assert granted == {("", "nodes"): {"get", "list", "watch", "patch"},
                       ("", "nodes/status"): {"patch"},
                       ("", "pods"): {"get", "list", "watch"}}
    assert not any("resourceNames" in r or "nonResourceURLs" in r for r in rules)
    # Leases: namespaced, and get/update only on the one Lease the daemon uses.
    events = [r for role in by_kind(objs, "Role") if role["metadata"]["name"] == "kubeslurm-sync-events"
              for r in role["rules"]]
    assert events == [{"apiGroups": [""], "resources": ["events"], "verbs": ["create"]}]
    leases = [role for role in by_kind(objs, "Role") if role["metadata"]["name"] != "kubeslurm-sync-events"]
    role_rules = [r for role in leases for r in role["rules"]]
    assert all(r["apiGroups"] == ["coordination.k8s.io"] and r["resources"] == ["leases"] for r in role_rules)
    verbs = {v: r.get("resourceNames") for r in role_rules for v in r["verbs"]}
    assert set(verbs) == {"get", "create", "update"}
    conf = by_kind(objs, "ConfigMap")[0]["data"]["kubeslurm.conf"]
    lease = re.search(r"^LeaseName=(\S+)", conf, re.M).group(1)
    assert verbs["get"] == verbs["update"] == [lease]
    lease_ns = re.search(r"^LeaseNamespace=(\S+)", conf, re.M).group(1)
    assert all(role["metadata"]["namespace"] == lease_ns for role in leases)
    for o in objs:
        assert "*" not in json.dumps(o.get("rules", [])), o["metadata"]["name"]


def test_deployment_probes_the_metrics_endpoint_of_its_config(conf_tool, tmp_path):
    objs = load_manifests()
    conf = by_kind(objs, "ConfigMap")[0]["data"]["kubeslurm.conf"]
    (tmp_path / "kubeslurm.conf").write_text(conf)
    r = check_conf(conf_tool, tmp_path / "kubeslurm.conf")
    assert r.returncode == 0, r.stderr
    host, port = re.search(r"^MetricsAddress=(\S+):(\d+)$", conf, re.M).groups()
    assert host == "0.0.0.0", "the kubelet probes the pod IP: the endpoint must not be loopback only"
    sync = next(c for c in by_kind(objs, "Deployment")[0]["spec"]["template"]["spec"]["containers"]
                if c["name"] == "sync")
    ports = {p["name"]: p["containerPort"] for p in sync["ports"]}
    for probe in ("livenessProbe", "readinessProbe"):
        get = sync[probe]["httpGet"]
        assert get["path"] == "/healthz" and ports[get["port"]] == int(port), probe
    # Two replicas elect a leader: each needs its own identity, the pod name.
    env = {e["name"]: e for e in sync["env"]}
    assert env["POD_NAME"]["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.name"

def test_deployment_meets_the_restricted_pod_security_level():
    objs = load_manifests()
    ns = by_kind(objs, "Namespace")[0]
    assert ns["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    pod = by_kind(objs, "Deployment")[0]["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] != 0
    assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
    assert not any(pod.get(k) for k in ("hostNetwork", "hostPID", "hostIPC"))
    for c in pod["containers"] + pod.get("initContainers", []):
        sc = c["securityContext"]
        assert sc["allowPrivilegeEscalation"] is False and sc["readOnlyRootFilesystem"] is True, c["name"]
        assert sc["capabilities"]["drop"] == ["ALL"] and "add" not in sc["capabilities"], c["name"]
        assert "memory" in c["resources"]["limits"], c["name"]
    assert not any("hostPath" in v for v in pod["volumes"])


# ---- Slurm snippets on a real slurmctld -------------------------------------------------------------

def snippet_settings() -> dict[str, str]:
    lines = (PACKAGING / "slurm/slurm.conf.kubeslurm").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line.strip() and not line.startswith("#"))


def plugstack_lines() -> list[str]:
    text = (PACKAGING / "slurm/plugstack.conf.d/kubeslurm.conf").read_text()
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


def test_slurm_snippets_are_accepted_by_slurm(cluster_factory, build_dir):
    s = snippet_settings()
    select, spank = build_dir / "plugins/select_cons_tres_topo.so", build_dir / "plugins/spank_kubeslurm.so"
    kw = dict(nodes=2, prolog_flags=s.pop("PrologFlags"), prolog_timeout=int(s.pop("PrologEpilogTimeout")),
              select_params=s.pop("SelectTypeParameters"), plugin_dirs=[str(build_dir / "plugins")])
    wanted_select = s.pop("SelectType")
    s.pop("PlugStackConfig")  # the harness writes its own plugstack.conf
    if select.exists():
        kw.update(select_type=wanted_select)
    else:
        print(f"{select} is not built: checking the other lines with select/cons_tres")
    if spank.exists():
        kw.update(plugstack=plugstack_lines())  # the plugin by name, found in PluginDir
    else:
        print(f"{spank} is not built: plugstack snippet not loaded")
    kw["extra_conf"] = [f"{k}={v}" for k, v in s.items()]
    c = cluster_factory(**kw)
    config = c.run(["scontrol", "show", "config"]).stdout
    assert re.search(r"^PrologFlags\s*=\s*Alloc,DeferBatch", config, re.M), config
    assert re.search(r"^SchedulerParameters\s*=\s*nohold_on_prolog_fail", config, re.M)
    assert re.search(rf"^PrologEpilogTimeout\s*=\s*{kw['prolog_timeout']}\b", config, re.M)
    if select.exists():
        assert re.search(rf"^SelectType\s*=\s*{wanted_select}$", config, re.M)
    if spank.exists():
        helptext = c.run(["sbatch", "--help"]).stdout
        assert "--topology" in helptext and "--gpu-check" in helptext, helptext
    job = c.sbatch(["-N2"], "#!/bin/sh\nsrun true\n")
    assert c.wait_job(job)["JobState"] == "COMPLETED"


def test_plugstack_snippet_names_the_plugin_as_required():
    assert plugstack_lines() == ["required spank_kubeslurm.so"]


# ---- man pages --------------------------------------------------------------------------------------

@pytest.mark.parametrize("page", ["kubeslurm-sync.8", "kubeslurm-topo.1", "kubeslurm-gpucheck.8",
                                  "kubeslurm-burnin.8", "kubeslurm.conf.5"])
def test_man_page_renders_without_warnings(page):
    if not shutil.which("groff"):
        pytest.skip("groff is not installed")
    path = SOURCE_DIR / "docs/man" / page
    r = subprocess.run(["groff", "-man", "-ww", "-z", str(path)], capture_output=True, text=True)
    assert r.returncode == 0 and r.stderr == "", r.stderr
    text = path.read_text()
    assert text.startswith(f".TH {path.stem.upper()} {path.suffix[1:]} ")
    for section in (".SH NAME", ".SH SYNOPSIS", ".SH DESCRIPTION", ".SH SEE ALSO"):
        assert section in text, section
