"""Stand-in for the pip bootstrap script that ansible-test downloads from a host out of reach here.

ansible-test looks for a cached copy at ~/.ansible/test/cache/get_pip_<version>.py before downloading;
this script writes one there, for the pip version the installed ansible-test pins. The stand-in does the
same job from the package index: ensurepip, then pip install of the pinned packages.
"""
import os
import pathlib
import re
import sys

STANDIN = '''import subprocess, sys
subprocess.check_call([sys.executable, "-m", "ensurepip", "--default-pip"])
args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
subprocess.check_call([sys.executable, "-m", "pip", "install"] + args)
'''


def pinned_pip_versions():
    import ansible_test
    source = pathlib.Path(ansible_test.__file__).parent / "_internal" / "python_requirements.py"
    return sorted(set(re.findall(r"pip='([0-9.]+)'", source.read_text())))


def main():
    versions = pinned_pip_versions()
    if not versions:
        sys.exit("could not find the pip version pinned by ansible-test")
    cache = pathlib.Path(os.path.expanduser("~/.ansible/test/cache"))
    cache.mkdir(parents=True, exist_ok=True)
    for version in versions:
        target = cache / ("get_pip_%s.py" % version.replace(".", "_"))
        if not target.exists() or target.read_text() != STANDIN:
            target.write_text(STANDIN)


if __name__ == "__main__":
    main()
