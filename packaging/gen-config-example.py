#!/usr/bin/env python3
"""Generates the annotated example kubeslurm.conf and the key list of kubeslurm.conf(5) from the
key table compiled into kubeslurm (`conf-tool keys`) and the section headings of
src/common/config_keys.def.

    gen-config-example.py CONF_TOOL [--check]

Without --check it rewrites packaging/kubeslurm.conf and the generated part of
docs/man/kubeslurm.conf.5; with --check it only reports files that are out of date (exit 1)."""
import pathlib
import re
import subprocess
import sys
import textwrap

TOP = pathlib.Path(__file__).resolve().parents[1]
DEF_FILE = TOP / "src/common/config_keys.def"
CONF_FILE = TOP / "packaging/kubeslurm.conf"
MAN_FILE = TOP / "docs/man/kubeslurm.conf.5"
MAN_BEGIN, MAN_END = '.\\" BEGIN config-keys', '.\\" END config-keys'

HEADER = """\
# kubeslurm.conf: configuration of every kubeslurm component (see kubeslurm.conf(5)).
#
# Installed as /etc/kubeslurm/kubeslurm.conf. Slurm style: one Key=Value per line, '#' starts a
# comment, keys are case-insensitive. An unknown key or a bad value stops the component with an
# error naming this file, the line and the key.
#
# Every key is listed below with its default value, commented out: uncomment a line to change it.
# Arguments on the plugstack.conf line (required spank_kubeslurm.so Key=Value ...) override this
# file for the SPANK plugin.
#
# Generated from the key table in the code (make packaging-docs); do not edit by hand.
"""


def read_keys(tool: str) -> list[dict]:
    out = subprocess.run([tool, "keys"], check=True, capture_output=True, text=True).stdout
    keys = []
    for line in out.splitlines():
        name, typ, default, constraint, desc = line.split("\t")
        keys.append(dict(name=name, type=typ, default=default, constraint=constraint, desc=desc))
    return keys


def read_sections() -> dict[str, str]:
    """Key name -> the heading of its section in config_keys.def."""
    section, owner = "general", {}
    for line in DEF_FILE.read_text().splitlines():
        if m := re.match(r"//\s*-{2,}\s*(.*?)\s*-*\s*$", line):
            section = m.group(1)
        elif m := re.match(r"\s*KS_KEY\((\w+),", line):
            owner[m.group(1)] = section
    return owner


def value_text(k: dict) -> str:
    c = k["constraint"]
    return {
        "integer": f"integer {c}" if c else "integer",
        "choice": "one of " + c.replace("|", ", "),
        "yes|no": "yes or no",
        "path": "absolute path (empty: none)",
        "list": "comma-separated list",
        "partition:value list": "comma-separated partition:value" + (f" (value one of {c.replace('|', ', ')})" if c else ""),
        "port range": "port range lo-hi",
    }.get(k["type"], k["type"])


def with_headings(keys: list[dict], sections: dict[str, str]):
    """(heading or None, key) in table order; the heading comes with a section's first key."""
    current = None
    for k in keys:
        section = sections.get(k["name"], "other")
        yield (section if section != current else None), k
        current = section


def example_conf(keys: list[dict], sections: dict[str, str]) -> str:
    out = [HEADER]
    for section, k in with_headings(keys, sections):
        if section:
            out.append(f"\n# ==== {section} " + "=" * max(4, 92 - len(section)) + "\n")
        out.append("\n")
        for line in textwrap.wrap(k["desc"], 96):
            out.append(f"# {line}\n")
        out.append(f"# Value: {value_text(k)}.\n")
        out.append(f"#{k['name']}={k['default']}\n")
    return "".join(out)


def roff(text: str) -> str:
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return "\\&" + text if text[:1] in (".", "'") else text


def man_keys(keys: list[dict], sections: dict[str, str]) -> str:
    out = [MAN_BEGIN]
    for section, k in with_headings(keys, sections):
        if section:
            out += [".SS " + roff(section[:1].upper() + section[1:])]
        default = f"\\fI{roff(k['default'])}\\fR" if k["default"] else "empty"
        out += [".TP", f"\\fB{k['name']}\\fR=\\fIvalue\\fR (default: {default})", roff(k["desc"]),
                ".br", "Value: " + roff(value_text(k)) + "."]
    out.append(MAN_END)
    return "\n".join(out)


def spliced_man(keys, sections) -> str:
    text = MAN_FILE.read_text()
    head, sep, rest = text.partition(MAN_BEGIN)
    _, sep2, tail = rest.partition(MAN_END)
    if not sep or not sep2:
        sys.exit(f"{MAN_FILE}: generated-section markers not found")
    return head + man_keys(keys, sections) + tail


def main() -> int:
    if len(sys.argv) not in (2, 3) or (len(sys.argv) == 3 and sys.argv[2] != "--check"):
        print(__doc__, file=sys.stderr)
        return 64
    keys, sections = read_keys(sys.argv[1]), read_sections()
    wanted = {CONF_FILE: example_conf(keys, sections), MAN_FILE: spliced_man(keys, sections)}
    stale = [p for p, text in wanted.items() if not p.exists() or p.read_text() != text]
    if len(sys.argv) == 3:
        for p in stale:
            print(f"{p.relative_to(TOP)} is out of date: run make packaging-docs", file=sys.stderr)
        return 1 if stale else 0
    for p in stale:
        p.write_text(wanted[p])
        print(f"wrote {p.relative_to(TOP)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
