#!/usr/bin/env python3
"""Writes the CLI reference (Markdown) from the binary's own --help, command by command:
`cli_reference.py BIN > docs/src/reference/cli.md`. Generated; do not edit the page by hand."""
import re, subprocess, sys

BIN = sys.argv[1]

def help_of(args):
    out = subprocess.run([BIN, "--lang", "en", *args, "--help"], capture_output=True, text=True, check=True)
    return out.stdout.rstrip()

def commands(text):
    """The subcommands a help text lists under Commands:, without help."""
    out, inside = [], False
    for line in text.splitlines():
        if line.strip() == "Commands:":
            inside = True
            continue
        if inside:
            m = re.match(r"^  (\S+)\s", line + " ")
            if not line.startswith("  "):
                break
            if m and m.group(1) != "help":
                out.append(m.group(1))
    return out

print("# Every command and option\n")
print("Generated from the program's own help (`energistasjon <command> --help`) by `scripts/book.sh`;")
print("run it to refresh this page. The options of `energistasjon` itself (`--region`, `--data-dir`,")
print("`--db`, `--lang`) go before the command and work with every command.\n")
top = help_of([])
print("## energistasjon\n\n```text\n" + top + "\n```\n")
def walk(path):
    text = help_of(path)
    print(f"## energistasjon {' '.join(path)}\n\n```text\n{text}\n```\n")
    for sub in commands(text):
        walk(path + [sub])
for cmd in commands(top):
    walk([cmd])
