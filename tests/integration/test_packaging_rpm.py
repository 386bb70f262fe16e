"""RPM and Debian packages for the Slurm this run tests (KUBESLURM_SLURM_VERSION, e.g. 24.11.5):
`make rpm` from the dist tarball, inspected with rpm -qp, installed into a scratch root whose
commands are then run; `make deb` inspected and unpacked the same way. Each package pins the Slurm
it was built for: the select plugin the micro release, everything else the major.minor."""
import os
import pathlib
import re
import shutil
import subprocess

import pytest

from test_packaging import COMMANDS, SOURCE_DIR, make, packaging_info, slurm_make_args

need_rpmbuild = pytest.mark.skipif(not shutil.which("rpmbuild"), reason="rpmbuild is not installed")
need_dpkg = pytest.mark.skipif(not (shutil.which("dpkg-deb") and shutil.which("dpkg-shlibdeps")),
                               reason="dpkg-deb/dpkg-shlibdeps are not installed (dpkg-dev)")
# The GPU backend links CUDA/NCCL with CUDA's own run path; every other packaged ELF file has none.
RUNPATH_ALLOWED = {"libkubeslurm-gpu.so"}


def rpm_q(*args) -> str:
    r = subprocess.run(["rpm", *args], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return r.stdout


@pytest.fixture(scope="module")
def info(build_dir) -> dict[str, str]:
    return packaging_info(build_dir)


@pytest.fixture(scope="module")
def slurm(info) -> dict[str, str]:
    """The Slurm version the packages are for and the bounds the tests expect, computed here
    independently of the Makefile and the spec: 24.11.5 -> 24.11, next minor 24.12, next micro
    24.11.6 (22.05.8 -> 22.05, 22.06, 22.05.9)."""
    version = info["SLURM_VERSION"]
    major, minor, micro = (int(x) for x in version.split("."))
    return dict(version=version, majmin=f"{major}.{minor:02d}", next_minor=f"{major}.{minor + 1:02d}",
                next_micro=f"{major}.{minor:02d}.{micro + 1}", major=major, minor=minor, micro=micro)


def run_env(info) -> dict[str, str]:
    """The environment of a site whose libslurm is in the loader's path (the packaged programs
    carry no run path into a Slurm build prefix)."""
    env = dict(os.environ)
    if info["SLURM_LIBDIR"]:
        env["LD_LIBRARY_PATH"] = info["SLURM_LIBDIR"] + ":" + env.get("LD_LIBRARY_PATH", "")
    return env


def elf_files(root: pathlib.Path) -> list[pathlib.Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()
                  and p.read_bytes()[:4] == b"\x7fELF")


def assert_no_run_path(root: pathlib.Path, info):
    elves = elf_files(root)
    assert elves, f"no ELF file under {root}"
    for f in elves:
        dyn = subprocess.run(["readelf", "-d", str(f)], capture_output=True, text=True, check=True).stdout
        paths = re.findall(r"\((?:RPATH|RUNPATH)\)\s+Library r(?:un)?path: \[(.*)\]", dyn)
        for p in paths:
            assert str(SOURCE_DIR) not in p and not (info["SLURM_LIBDIR"] and info["SLURM_PREFIX"] in p), (f, p)
        assert not paths or f.name in RUNPATH_ALLOWED, (f, paths)


# ---- RPM -------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def rpms(build_dir, info) -> dict[str, pathlib.Path]:
    """Builds the RPMs once (the whole project is compiled again from the tarball: minutes)."""
    if not shutil.which("rpmbuild"):
        pytest.skip("rpmbuild is not installed")
    out = make(build_dir, "rpm", timeout=3000).stdout
    print(out)
    found = sorted(pathlib.Path(info["RPM_DIR"]).rglob("*.rpm"))
    by_name = {rpm_q("-qp", "--qf", "%{NAME}", str(p)): p for p in found}
    assert "kubeslurm" in by_name, out
    return by_name


@pytest.fixture(scope="module")
def dist(rpms, build_dir) -> pathlib.Path:
    """The tree the tarball was made of (committed files only), left by `make dist`."""
    return SOURCE_DIR / "build/dist" / ("kubeslurm-" + make(build_dir, "print-version").stdout.strip())


@pytest.fixture(scope="module")
def buildable(dist, info) -> set[str]:
    """File names of the artefacts the committed tree can build (what the tarball holds)."""
    r = subprocess.run(["make", "-s", "--no-print-directory", "-C", str(dist), "B=build/probe", *slurm_make_args(),
                        f"SLURM_PREFIX={info['SLURM_PREFIX']}", f"SLURM_SRC={info['SLURM_SRC']}",
                        "packaging-buildable"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return {pathlib.Path(p).name for p in r.stdout.split()}


def rpm_satisfies(requires: list[str], name: str, version: str) -> bool:
    """Whether package NAME at VERSION satisfies every versioned requirement on NAME."""
    ok = True
    for req in requires:
        m = re.fullmatch(rf"{re.escape(name)} (<|<=|=|>=|>) (\S+)", req.strip())
        if not m:
            continue
        cmp = int(rpm_q("--eval", f'%{{lua: print(rpm.vercmp("{version}", "{m.group(2)}"))}}').strip())
        ok &= {"<": cmp < 0, "<=": cmp <= 0, "=": cmp == 0, ">=": cmp >= 0, ">": cmp > 0}[m.group(1)]
    return ok


@need_rpmbuild
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


@need_rpmbuild
def test_release_and_file_names_carry_the_slurm_version(rpms, slurm):
    for path in rpms.values():
        release = rpm_q("-qp", "--qf", "%{RELEASE}", str(path))
        assert release.startswith(f"1.slurm{slurm['version']}"), release
        assert f".slurm{slurm['version']}." in path.name, path.name


@need_rpmbuild
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


@need_rpmbuild
def test_packages_require_their_slurm(rpms, slurm):
    """Main and SPANK packages: Slurm's major.minor; select: the exact micro release."""
    s = slurm
    line = [f"slurm >= {s['majmin']}", f"slurm < {s['next_minor']}"]
    same_line = [s["version"], f"{s['majmin']}.0", f"{s['majmin']}.{s['micro'] + 7}"]
    other_lines = [s["next_minor"] + ".0", f"{s['major'] + 1}.{s['minor']:02d}.0", f"{s['major'] - 1}.{s['minor']:02d}.9"]
    req = rpm_q("-qp", "--requires", str(rpms["kubeslurm"])).splitlines()
    assert all(r in req for r in line), req
    if "kubeslurm-spank" in rpms:
        req = rpm_q("-qp", "--requires", str(rpms["kubeslurm-spank"])).splitlines()
        assert all(r in req for r in line), req
        assert all(rpm_satisfies(req, "slurm", v) for v in same_line), req
        assert not any(rpm_satisfies(req, "slurm", v) for v in other_lines), req
        assert rpm_q("-qlp", str(rpms["kubeslurm-spank"])).split() == ["/usr/lib64/slurm/spank_kubeslurm.so"]
    if "kubeslurm-select" in rpms:
        req = rpm_q("-qp", "--requires", str(rpms["kubeslurm-select"])).splitlines()
        assert f"slurm = {s['version']}" in req, req
        assert rpm_satisfies(req, "slurm", s["version"]), req
        assert not any(rpm_satisfies(req, "slurm", v) for v in [s["next_micro"], *same_line[1:], *other_lines]
                       if v != s["version"]), req
        assert rpm_q("-qlp", str(rpms["kubeslurm-select"])).split() == ["/usr/lib64/slurm/select_cons_tres_topo.so"]
    else:
        print("kubeslurm-select: not built here")


@need_rpmbuild
def test_gpu_package_has_no_hard_driver_requires(rpms):
    if "kubeslurm-gpu" not in rpms:
        pytest.skip("kubeslurm-gpu was not built (no CUDA/NCCL or no backend sources)")
    req = rpm_q("-qp", "--requires", str(rpms["kubeslurm-gpu"]))
    assert not re.search(r"lib(cuda|cudart|cublas|cublasLt|nvidia-ml|nccl)\.so", req), req
    assert "/usr/lib64/kubeslurm/libkubeslurm-gpu.so" in rpm_q("-qlp", str(rpms["kubeslurm-gpu"]))


@need_rpmbuild
def test_rpms_install_into_a_scratch_root_and_run(rpms, dist, tmp_path, build_dir, info):
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
    assert_no_run_path(root, info)
    version = make(build_dir, "print-version").stdout.strip()
    ran = 0
    for name, bindir in COMMANDS.items():
        exe = root / bindir / name
        if not exe.exists():
            print(f"{name}: not in the packages (not buildable from the committed tree)")
            continue
        out = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=30, env=run_env(info))
        assert out.returncode == 0 and version in out.stdout + out.stderr, (name, out.stdout, out.stderr)
        out = subprocess.run([exe, "--help"], capture_output=True, text=True, timeout=30, env=run_env(info))
        assert out.returncode == 0 and "usage" in (out.stdout + out.stderr).lower(), (name, out.stderr)
        ran += 1
    if ran == 0:
        pytest.skip("no command is buildable from the committed tree yet")


# ---- Debian ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def debs(build_dir, info) -> dict[str, pathlib.Path]:
    """Builds the .debs once from the build directory (against a Slurm outside /usr the commands are
    linked again without the run path: seconds, nothing is compiled)."""
    if not (shutil.which("dpkg-deb") and shutil.which("dpkg-shlibdeps")):
        pytest.skip("dpkg-deb/dpkg-shlibdeps are not installed (dpkg-dev)")
    out = make(build_dir, "deb", timeout=3000).stdout
    print(out)
    found = sorted(pathlib.Path(info["DEB_DIR"]).glob("*.deb"))
    return {deb_field(p, "Package"): p for p in found}


def deb_field(path, field) -> str:
    return subprocess.run(["dpkg-deb", "-f", str(path), field], capture_output=True, text=True,
                          check=True).stdout.strip()


def deb_depends(path) -> list[str]:
    return [d.strip() for d in deb_field(path, "Depends").split(",") if d.strip()]


def deb_satisfies(depends: list[str], name: str, version: str) -> bool:
    """Whether package NAME at Debian VERSION satisfies every versioned relation on NAME."""
    ok = True
    for dep in depends:
        m = re.fullmatch(rf"{re.escape(name)} \((<<|<=|=|>=|>>) (\S+)\)", dep)
        if m:
            op = {"<<": "lt", "<=": "le", "=": "eq", ">=": "ge", ">>": "gt"}[m.group(1)]
            ok &= subprocess.run(["dpkg", "--compare-versions", version, op, m.group(2)]).returncode == 0
    return ok


@need_dpkg
def test_debs_are_named_for_their_slurm(debs, info, build_dir):
    version = make(build_dir, "print-version").stdout.strip() + "+slurm" + info["SLURM_VERSION"]
    assert info["DEB_VERSION"] == version
    select_built = (build_dir / "plugins/select_cons_tres_topo.so").exists()
    assert set(debs) == {"kubeslurm"} | ({"kubeslurm-select"} if select_built else set()), debs
    arch = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True, check=True).stdout.strip()
    for name, path in debs.items():
        assert deb_field(path, "Version") == version
        assert path.name == f"{name}_{version}_{arch}.deb"


@need_dpkg
def test_deb_depends_on_its_slurm(debs, slurm, info):
    """kubeslurm: slurm-client of the same major.minor, any Debian revision; kubeslurm-select:
    slurm-wlm-basic-plugins of the same micro release; libraries from dpkg-shlibdeps."""
    s = slurm
    main = deb_depends(debs["kubeslurm"])
    assert f"slurm-client (>= {s['majmin']})" in main and f"slurm-client (<< {s['next_minor']})" in main, main
    for ok in (f"{s['version']}-1", f"{s['version']}-4+deb13u1", f"{s['majmin']}.0-1", f"{s['majmin']}.{s['micro'] + 7}-2"):
        assert deb_satisfies(main, "slurm-client", ok), (ok, main)
    for bad in (f"{s['next_minor']}.0-1", f"{s['major'] + 1}.{s['minor']:02d}.0~rc1-1", f"{s['major'] - 1}.{s['minor']:02d}.9-1"):
        assert not deb_satisfies(main, "slurm-client", bad), (bad, main)
    assert any(d.startswith("libc6 ") for d in main), main  # dpkg-shlibdeps ran
    if not info["SLURM_LIBDIR"]:  # Slurm from Debian's packages: libslurm's own package too
        assert any(re.match(r"libslurm\d+ ", d) for d in main), main
    assert not any(re.match(r"lib(cuda|cudart|cublas|nvidia-ml|nccl)", d) for d in main), main
    if "kubeslurm-select" not in debs:
        pytest.skip("the select plugin is not built here")
    sel = deb_depends(debs["kubeslurm-select"])
    assert f"kubeslurm (= {info['DEB_VERSION']})" in sel, sel
    assert f"slurm-wlm-basic-plugins (>= {s['version']})" in sel, sel
    assert f"slurm-wlm-basic-plugins (<< {s['next_micro']}~)" in sel, sel
    for ok in (f"{s['version']}-1", f"{s['version']}-4+deb13u1", f"{s['version']}-4+deb13u12"):
        assert deb_satisfies(sel, "slurm-wlm-basic-plugins", ok), (ok, sel)
    bad = [f"{s['next_micro']}-1", f"{s['next_micro']}~rc1-1", f"{s['next_minor']}.0-1"]
    if s["micro"] > 0:
        bad.append(f"{s['majmin']}.{s['micro'] - 1}-9")
    for v in bad:
        assert not deb_satisfies(sel, "slurm-wlm-basic-plugins", v), (v, sel)


@need_dpkg
def test_debs_unpack_and_run(debs, info, build_dir, tmp_path):
    root = tmp_path / "root"
    for path in debs.values():
        subprocess.run(["dpkg-deb", "-x", str(path), str(root)], check=True)
    conffiles = subprocess.run(["dpkg-deb", "-I", str(debs["kubeslurm"]), "conffiles"], capture_output=True,
                               text=True, check=True).stdout.split()
    assert conffiles == ["/etc/kubeslurm/kubeslurm.conf"], conffiles
    assert (root / "etc/kubeslurm/kubeslurm.conf").is_file()
    plugindir = info["DEB_SLURM_PLUGINDIR"].lstrip("/")
    contents = {name: subprocess.run(["dpkg-deb", "-c", str(p)], capture_output=True, text=True, check=True).stdout
                for name, p in debs.items()}
    if (build_dir / "plugins/spank_kubeslurm.so").exists():
        assert f"./{plugindir}/spank_kubeslurm.so" in contents["kubeslurm"]
    if "kubeslurm-select" in debs:
        files = [line.split()[-1] for line in contents["kubeslurm-select"].splitlines() if not line.endswith("/")]
        assert files == [f"./{plugindir}/select_cons_tres_topo.so"], files
        assert "select_cons_tres_topo.so" not in contents["kubeslurm"]
    assert_no_run_path(root, info)
    version = make(build_dir, "print-version").stdout.strip()
    for name, bindir in COMMANDS.items():
        exe = root / bindir / name
        if exe.exists():
            out = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=30, env=run_env(info))
            assert out.returncode == 0 and version in out.stdout + out.stderr, (name, out.stderr)
