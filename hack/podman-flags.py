#!/usr/bin/env python3
"""Prints every command of the installed podman with each of its long
flags, one "COMMAND PATH --flag" line each, from podman's own --help
(run once with Podman 4.3.1 into cmd/pod/testdata/podman-4.3.1-flags.txt;
the flag-coverage test holds pod's commands against it)."""
import re
import subprocess


def help_text(path):
    return subprocess.run(["podman"] + path + ["--help"], capture_output=True, text=True, check=True).stdout


def walk(path, out):
    commands, section = [], None
    for line in help_text(path).splitlines():
        if line.startswith("Available Commands:"):
            section = "commands"
            continue
        if line.startswith("Options:"):
            section = "options"
            continue
        if re.match(r"^\S", line):
            section = None
        if section == "commands":
            m = re.match(r"^\s+(\S+)\s", line)
            if m:
                commands.append(m.group(1))
        elif section == "options" and path:
            m = re.match(r"^\s+(?:-\w, )?(--[a-z0-9][a-z0-9-]*)", line)
            if m and m.group(1) != "--help":
                out.append(" ".join(path) + " " + m.group(1))
    for c in commands:
        walk(path + [c], out)


lines = []
walk([], lines)
print("\n".join(dict.fromkeys(lines)))
