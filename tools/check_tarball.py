"""Fails when a built collection tarball holds what must never ship, or anything an installed collection does not need.

    python tools/check_tarball.py snapkeep-nasha-X.Y.Z.tar.gz

Prints the tarball's files, then checks every member's path against a deny-list (credentials files, virtualenvs,
simulator state and code, test output, caches, nested build artefacts, development tools and documents) and every
file against an allow-list (what an installed collection uses: plugins, roles, playbooks, examples, user documents,
changelog, metadata, and the unit tests that ansible-test runs from an installed collection), and the text of every
file (a credential written as a literal value). Prints each problem found and exits 1 if there is any.
"""
import fnmatch
import re
import sys
import tarfile

# (reason, glob patterns matched against every path component, or against the whole path when they hold a "/")
FORBIDDEN = [
    ("credentials", ["ovh.conf", "*.ovh.conf", ".ovh.conf", "integration_config.yml", "tests/integration/inventory",
                     ".env", "*.env", ".netrc", ".pypirc", "*.pem", "*.key", "*.p12", "id_rsa*", "id_ed25519*",
                     "credentials", "credentials.json", "credentials.y*ml", "secrets.json", "secrets.y*ml", "*.secret",
                     "vault-password*", ".vault_pass*"]),
    ("virtualenv", [".venv", ".venv-*", "venv", "site-packages", "pyvenv.cfg", ".tox", ".nox"]),
    ("simulator state", [".sim", "*.state.json", "*.pid", "*.port"]),
    ("simulator code", ["simulator", "simulator/*", "nasha_sim*"]),
    ("test output", ["tests/output", "tests/output/*", ".pytest_cache", ".coverage*", "coverage.xml", "junit*.xml",
                     "bench", "*.log", ".build", ".cache", ".ansible", ".mypy_cache", ".ruff_cache"]),
    ("compiled or built file", ["__pycache__", "*.pyc", "*.pyo", "*.tar.gz", "*.whl", ".git", ".gitignore"]),
    # what only a checkout uses: make and its scripts, lint settings, CI, the tests that need the simulator and the
    # documents that describe those tests
    ("development only", ["Makefile", "tools", "tools/*", ".ansible-lint", ".ci", "tests/integration",
                          "tests/integration/*", "tests/reliability", "tests/reliability/*", "tests/report", "tests/report/*", "docs/performance.md",
                          "docs/reliability.md"]),
]

# Every file of the tarball matches one of these (whole path, "*" matches across "/"): a new kind of file is a
# decision to make here, not something that ships by accident.
ALLOWED_FILES = [
    "MANIFEST.json", "FILES.json", "README.md", "LICENSE", "requirements.txt", "CHANGELOG.md", "CHANGELOG.rst",
    "meta/runtime.yml", "meta/execution-environment.yml",
    "plugins/*.py", "plugins/*.yml",
    "roles/*/README.md", "roles/*/defaults/*", "roles/*/vars/*", "roles/*/meta/*", "roles/*/tasks/*",
    "roles/*/handlers/*", "roles/*/templates/*", "roles/*/files/*",
    "playbooks/*.yml", "playbooks/templates/*",
    "examples/*",
    "docs/*.md",
    "changelogs/changelog.yaml", "changelogs/config.yaml", "changelogs/fragments/*.yml", "changelogs/fragments/*.yaml",
    "tests/config.yml", "tests/unit/*",
]

# a credential given a literal value: in YAML, INI or JSON any scalar that is not a Jinja expression, a lookup or
# empty; in Python a quoted string (names and calls are how the code and its tests pass credentials around)
SECRET_NAMES = r"""["']?\b(?:ovh_)?(application_secret|consumer_key|client_secret)["']?\s*[:=]\s*"""
LITERAL_SECRET = re.compile(SECRET_NAMES + r"""["']?(?P<value>[^\s"',}]+)""")
QUOTED_SECRET = re.compile(SECRET_NAMES + r"""(?P<value>"[^"]+"|'[^']+')""")
# "nasha_": a variable of the collection's roles, named inside a Jinja expression that spans lines
NOT_A_LITERAL = ("{{", "$", "<", "lookup(", "None", "null", "~", "|", ">", "nasha_")


def normalised(name):
    name = name.rstrip("/")
    return name[2:] if name.startswith("./") else name


def path_problems(name):
    components = name.split("/")
    for reason, patterns in FORBIDDEN:
        for pattern in patterns:
            if "/" in pattern:
                hit = fnmatch.fnmatchcase(name, pattern)
            else:
                hit = any(fnmatch.fnmatchcase(component, pattern) for component in components)
            if hit:
                yield "%s: %s (matches %s)" % (name, reason, pattern)
                break


def text_problems(name, data):
    if b"\0" in data[:4096]:
        return
    text = data.decode("utf-8", errors="replace")
    pattern = QUOTED_SECRET if name.endswith(".py") else LITERAL_SECRET
    for number, line in enumerate(text.splitlines(), 1):
        for match in pattern.finditer(line):
            value = match.group("value").strip("\"'")
            if not value.startswith(NOT_A_LITERAL):
                yield "%s:%d: credentials (%s given a literal value)" % (name, number, match.group(1))


def tarball_problems(path):
    problems = []
    with tarfile.open(path, "r:gz") as tarball:
        members = tarball.getmembers()
        if not any(member.name.endswith("MANIFEST.json") for member in members):
            problems.append("%s: no MANIFEST.json, not a collection tarball" % path)
        reported = []  # paths already reported: what lies under them is not listed again
        for member in sorted(members, key=lambda member: normalised(member.name)):
            name = normalised(member.name)
            if any(name.startswith(parent + "/") for parent in reported):
                continue
            found = list(path_problems(name))
            if found:
                reported.append(name)
                problems.extend(found)
            elif member.isfile():
                if not any(fnmatch.fnmatchcase(name, pattern) for pattern in ALLOWED_FILES):
                    problems.append("%s: not in the allow-list of what an installed collection needs" % name)
                problems.extend(text_problems(name, tarball.extractfile(member).read()))
    return problems, len(members)


def file_list(path):
    with tarfile.open(path, "r:gz") as tarball:
        return sorted((normalised(member.name), member.size) for member in tarball.getmembers() if member.isfile())


def main(argv):
    if len(argv) != 2:
        sys.exit("usage: check_tarball.py COLLECTION_TARBALL")
    files = file_list(argv[1])
    print("%s holds %d files:" % (argv[1], len(files)))
    for name, size in files:
        print("  %8d  %s" % (size, name))
    problems, count = tarball_problems(argv[1])
    for problem in problems:
        print(problem)
    if problems:
        print("%d problem(s) in %s" % (len(problems), argv[1]))
        return 1
    print("%s: %d entries, none forbidden" % (argv[1], count))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
