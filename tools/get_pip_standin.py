"""Stand-in for the pip bootstrap script of ansible-test, written only where the real one cannot be downloaded.

ansible-test bootstraps each virtualenv it makes with a script it downloads from ci-files.testing.ansible.com
and keeps at ~/.ansible/test/cache/get_pip_<version>.py; it uses that file when it is there. For each pip version
the installed ansible-test pins, this script leaves an existing file alone, and writes nothing where the real
script can be downloaded (ansible-test fetches it itself). Only where the file is absent and the download is
out of reach does it write a stand-in that does the same job from the package index (ensurepip, then pip
install of the pinned packages). It says what it did for each version.
"""
import os
import pathlib
import re
import sys
import urllib.request

STANDIN = '''import subprocess, sys
subprocess.check_call([sys.executable, "-m", "ensurepip", "--default-pip"])
args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
subprocess.check_call([sys.executable, "-m", "pip", "install"] + args)
'''
URL = "https://ci-files.testing.ansible.com/ansible-test/get-pip-%s.py"  # as in ansible-test's bootstrap


def pinned_pip_versions():
    import ansible_test
    source = pathlib.Path(ansible_test.__file__).parent / "_internal" / "python_requirements.py"
    return sorted(set(re.findall(r"pip='([0-9.]+)'", source.read_text())))


def unreachable(url):
    """Why ``url`` cannot be fetched, or None when it can."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=10):
            return None
    except Exception as error:  # pylint: disable=broad-except  # any failure means: not downloadable from here
        return str(error)


def main():
    versions = pinned_pip_versions()
    if not versions:
        sys.exit("could not find the pip version pinned by ansible-test")
    cache = pathlib.Path(os.path.expanduser("~/.ansible/test/cache"))
    for version in versions:
        target = cache / ("get_pip_%s.py" % version.replace(".", "_"))
        url = URL % version
        if target.exists():
            print("pip %s bootstrap script: %s is there, left as it is" % (version, target))
            continue
        reason = unreachable(url)
        if reason is None:
            print("pip %s bootstrap script: %s is reachable, ansible-test downloads it itself" % (version, url))
            continue
        cache.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name("%s.%d.tmp" % (target.name, os.getpid()))
        temporary.write_text(STANDIN)
        os.replace(temporary, target)  # whole or not at all, for an ansible-test reading it at the same time
        print("pip %s bootstrap script: %s is out of reach (%s); wrote a stand-in that installs pip from the "
              "package index: %s" % (version, url, reason, target))


if __name__ == "__main__":
    main()
