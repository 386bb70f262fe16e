"""RPM and Debian packages: `make rpm` from the dist tarball, inspected with rpm -qp, installed into
a scratch root whose commands are then run; `make deb` inspected and unpacked the same way."""
import pathlib
import re
import shutil
import subprocess

import pytest

from test_packaging import COMMANDS, SOURCE_DIR, make

pytestmark = pytest.mark.skipif(not shutil.which("rpmbuild"), reason="rpmbuild is not installed")


def rpm_q(*args) -> str:
    r = subprocess.run(["rpm", *args], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return r.stdout


@pytest.fixture(scope="module")
def rpms(build_dir) -> dict[str, pathlib.Path]:
    """Builds the RPMs once (the whole project is compiled again from the tarball: minutes)."""
    out = make(build_dir, "rpm", timeout=3000).stdout
    print(out)
    found = sorted(pathlib.Path(f"{build_dir}-rpm/RPMS").rglob("*.rpm"))
    by_name = {rpm_q("-qp", "--qf", "%{NAME}", str(p)): p for p in found}
    assert "kubeslurm" in by_name, out
    return by_name


@pytest.fixture(scope="module")
def dist(rpms, build_dir) -> pathlib.Path:
    """The tree the tarball was made of (committed files only), left by `make dist`."""
    return SOURCE_DIR / "build/dist" / ("kubeslurm-" + make(build_dir, "print-version").stdout.strip())


@pytest.fixture(scope="module")
def buildable(dist) -> set[str]:
    """File names of the artefacts the committed tree can build (what the tarball holds)."""
    r = subprocess.run(["make", "-s", "--no-print-directory", "-C", str(dist), "B=build/probe",
                        f"SLURM_SRC={SOURCE_DIR / 'build/slurm/src'}", "packaging-buildable"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return {pathlib.Path(p).name for p in r.stdout.split()}


def slurm_version() -> str:
    n = re.search(r"SLURM_VERSION_NUMBER 0x([0-9a-fA-F]{6})", pathlib.Path(
        "/usr/include/slurm/slurm_version.h").read_text()).group(1)
    return f"{int(n[:2], 16)}.{int(n[2:4], 16):02d}.{int(n[4:], 16)}"


def test_subpackages_follow_what_was_built(rpms, buildable):
    expected = {"kubeslurm"}
    for artefact, sub in (("spank_kubeslurm.so", "kubeslurm-spank"),
                          ("select_cons_tres_topo.so", "kubeslurm-select"),
                          ("libkubeslurm-gpu.so", "kubeslurm-gpu")):
        if artefact in buildable:
            expected.add(sub)
        else:
            print(f"{sub}: not built ({artefact} is not buildable from the committed tree)")
    assert set(rpms) == expected


def test_release_carries_the_slurm_version(rpms):
    for path in rpms.values():
        release = rpm_q("-qp", "--qf", "%{RELEASE}", str(path))
        assert release.startswith(f"1.slurm{slurm_version()}"), release


def test_main_package_contents_and_config_file(rpms, buildable, dist):
    files = rpm_q("-qlp", str(rpms["kubeslurm"])).split()
    for name, bindir in COMMANDS.items():
        if name in buildable:
            assert f"/{bindir}/{name}" in files, name
    if "kubeslurm-gpucheck" in buildable:
        assert "/usr/bin/kubeslurm-gpucheck" in files
    for path in ("/etc/kubeslurm/kubeslurm.conf", "/usr/lib/systemd/system/kubeslurm-sync.service",
                 "/usr/share/kubeslurm/plugstack.conf.d/kubeslurm.conf", "/usr/share/kubeslurm/slurm.conf.kubeslurm",
                 "/usr/share/kubeslurm/kubernetes/20-rbac.yaml", "/usr/share/man/man5/kubeslurm.conf.5",
                 "/usr/share/man/man8/kubeslurm-sync.8", "/var/lib/kubeslurm"):
        assert path in files, path
    for conf in dist.glob("src/health/**/thresholds.d/*.conf"):
        assert f"/usr/share/kubeslurm/thresholds.d/{conf.name}" in files, conf.name
    flags = dict(line.rsplit(" ", 1) for line in rpm_q(
        "-qp", "--qf", "[%{FILENAMES} %{FILEFLAGS:fflags}\n]", str(rpms["kubeslurm"])).splitlines()
        if line.count(" ") == 1)
    assert "c" in flags["/etc/kubeslurm/kubeslurm.conf"] and "n" in flags["/etc/kubeslurm/kubeslurm.conf"]


def test_plugin_packages_require_their_slurm(rpms):
    version = slurm_version()
    major, minor, _ = version.split(".")
    if "kubeslurm-spank" not in rpms and "kubeslurm-select" not in rpms:
        pytest.skip("no plugin package was built from the committed tree")
    if "kubeslurm-spank" in rpms:
        req = rpm_q("-qp", "--requires", str(rpms["kubeslurm-spank"])).splitlines()
        assert f"slurm >= {major}.{minor}" in req and f"slurm < {major}.{int(minor) + 1:02d}" in req, req
        assert rpm_q("-qlp", str(rpms["kubeslurm-spank"])).split() == ["/usr/lib64/slurm/spank_kubeslurm.so"]
    if "kubeslurm-select" in rpms:
        req = rpm_q("-qp", "--requires", str(rpms["kubeslurm-select"])).splitlines()
        assert f"slurm = {version}" in req, req
        assert rpm_q("-qlp", str(rpms["kubeslurm-select"])).split() == ["/usr/lib64/slurm/select_cons_tres_topo.so"]


def test_gpu_package_has_no_hard_driver_requires(rpms):
    if "kubeslurm-gpu" not in rpms:
        pytest.skip("kubeslurm-gpu was not built (no CUDA/NCCL or no backend sources)")
    req = rpm_q("-qp", "--requires", str(rpms["kubeslurm-gpu"]))
    assert not re.search(r"lib(cuda|cudart|nvidia-ml|nccl)\.so", req), req
    assert "/usr/lib64/kubeslurm/libkubeslurm-gpu.so" in rpm_q("-qlp", str(rpms["kubeslurm-gpu"]))


def test_rpms_install_into_a_scratch_root_and_run(rpms, dist, tmp_path, build_dir):
    root = tmp_path / "root"
    r = subprocess.run(["rpm", "--root", str(root), "--dbpath", "/var/lib/rpm", "-i", "--nodeps", "--noscripts",
                        *map(str, rpms.values())], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    installed = rpm_q("--root", str(root), "--dbpath", "/var/lib/rpm", "-qa", "--qf", "%{NAME}\n").split()
    assert sorted(installed) == sorted(rpms)
    verify = subprocess.run(["rpm", "--root", str(root), "--dbpath", "/var/lib/rpm", "-Va", "--nodeps",
                             "--nouser", "--nogroup"], capture_output=True, text=True, timeout=300)
    assert verify.stdout.strip() == "", verify.stdout
    assert (root / "etc/kubeslurm/kubeslurm.conf").read_text() == (dist / "packaging/kubeslurm.conf").read_text()
    version = make(build_dir, "print-version").stdout.strip()
    ran = 0
    for name, bindir in COMMANDS.items():
        exe = root / bindir / name
        if not exe.exists():
            print(f"{name}: not in the packages (not buildable from the committed tree)")
            continue
        out = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=30)
        assert out.returncode == 0 and version in out.stdout + out.stderr, (name, out.stdout, out.stderr)
        out = subprocess.run([exe, "--help"], capture_output=True, text=True, timeout=30)
        assert out.returncode == 0 and "usage" in (out.stdout + out.stderr).lower(), (name, out.stderr)
        ran += 1
    if ran == 0:
        pytest.skip("no command is buildable from the committed tree yet")


def test_deb_package(build_dir, tmp_path):
    if not shutil.which("dpkg-deb"):
        pytest.skip("dpkg-deb is not installed")
    make(build_dir, "deb", timeout=3000)
    debs = sorted(pathlib.Path(f"{build_dir}-deb").glob("kubeslurm_*.deb"))
    assert len(debs) == 1
    info = subprocess.run(["dpkg-deb", "-I", str(debs[0])], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^ Package: kubeslurm$", info, re.M) and "slurm-wlm-basic-plugins (= " in info, info
    conffiles = subprocess.run(["dpkg-deb", "--ctrl-tarfile", str(debs[0])], capture_output=True, check=True).stdout
    assert b"conffiles" in conffiles
    subprocess.run(["dpkg-deb", "-x", str(debs[0]), str(tmp_path)], check=True)
    assert (tmp_path / "etc/kubeslurm/kubeslurm.conf").is_file()
    plugindir = subprocess.run(["make", "-s", "-C", str(SOURCE_DIR), "-pn"], capture_output=True, text=True).stdout
    m = re.search(r"^SLURM_PLUGINDIR := (\S+)$", plugindir, re.M)
    for so in ("spank_kubeslurm.so", "select_cons_tres_topo.so"):
        if (build_dir / "plugins" / so).exists() and m:
            assert (tmp_path / m.group(1).lstrip("/") / so).is_file(), so
    exe = tmp_path / "usr/sbin/kubeslurm-sync"
    if exe.exists():
        assert subprocess.run([exe, "--version"], capture_output=True, timeout=30).returncode == 0
