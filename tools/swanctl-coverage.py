#!/usr/bin/env python3
"""How many of strongSwan's scenario configs Petrel loads (issue 16, "swanctl.conf coverage").

Usage: tools/swanctl-coverage.py STRONGSWAN_CHECKOUT PETREL [--sample N] [--jobs N] [--list]

STRONGSWAN_CHECKOUT is a strongSwan source tree (its testing/tests/*/hosts/*/etc/swanctl/swanctl.conf are read,
never copied into this repo). PETREL is the command that runs Petrel (e.g. "dotnet src/Petrel/bin/Release/net10.0/petrel.dll").
Each config is copied to a temporary directory with its PH_IP_* placeholders filled with documentation
addresses and a stand-in certificate (one self-signed ECDSA certificate, made with openssl) under every
certificate name it references, then loaded with `petrel daemon --check`. Prints the count that loads and
the most common first errors of the rest (file and line taken off, so equal reasons group).
"""
import collections, concurrent.futures, glob, os, re, shlex, subprocess, sys, tempfile

def stand_in(tmp):
    key, cert = os.path.join(tmp, "standin.key"), os.path.join(tmp, "standin.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", key, "-out", cert, "-subj", "/C=CH/O=Petrel coverage/CN=stand-in", "-days", "30"],
                   check=True, capture_output=True)
    return open(key).read(), open(cert).read()

def fill(text):
    v4, v6 = {}, {}
    def four(m):
        return v4.setdefault(m.group(0), f"192.0.2.{len(v4) + 1}")
    def six(m):
        return v6.setdefault(m.group(0), f"2001:db8::{len(v6) + 1:x}")
    text = re.sub(r"PH_IP6_[A-Z0-9_]+", six, text)
    return re.sub(r"PH_IP_[A-Z0-9_]+", four, text)

# swanctl.conf keys naming files in the swanctl directory, and the subdirectory swanctl looks in.
FILE_KEYS = {"certs": "x509", "cacerts": "x509ca", "cacert": "x509ca", "pubkeys": "pubkey"}

def prepare(conf, tmp, key, cert):
    os.makedirs(tmp, exist_ok=True)
    text = fill(open(conf, errors="replace").read())
    for sub in ("x509", "x509ca", "private", "pubkey", "x509crl"):
        os.makedirs(os.path.join(tmp, sub), exist_ok=True)
    for m in re.finditer(r"^\s*(certs|cacerts|cacert|pubkeys)\s*=\s*(.+?)\s*$", text, re.M):
        for name in m.group(2).split(","):
            name = name.strip().strip('"')
            if not name or os.path.isabs(name) or "%" in name:
                continue
            path = os.path.join(tmp, FILE_KEYS[m.group(1)], name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            open(path, "w").write(cert)
    # The key of the stand-in certificate, as a host's private/ directory would hold its own.
    open(os.path.join(tmp, "private", "standin.key"), "w").write(key)
    # Included files next to the config come along (filled too).
    for inc in glob.glob(os.path.join(os.path.dirname(conf), "*.conf")):
        if os.path.basename(inc) != "swanctl.conf":
            open(os.path.join(tmp, os.path.basename(inc)), "w").write(fill(open(inc, errors="replace").read()))
    path = os.path.join(tmp, "swanctl.conf")
    open(path, "w").write(text)
    return path

def reason(stderr):
    line = stderr.strip().splitlines()[0] if stderr.strip() else "(no message)"
    line = re.sub(r"^petrel: ", "", line)
    line = re.sub(r"^\S+?:\d+: ", "", line)
    line = re.sub(r"^\S+?: ", "", line) if line.startswith("/") else line
    # Group by the key or feature: drop the section path and values.
    line = re.sub(r"connections\.[^ .:']+(\.[^ :']+)*", "connections.…", line)
    line = re.sub(r"secrets\.[^ .:']+", "secrets.…", line)
    line = re.sub(r"'[^']*' (is not|has)", "'…' \\1", line)
    return line[:150]

def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    tree, petrel = sys.argv[1], shlex.split(sys.argv[2])
    configs = sorted(glob.glob(os.path.join(tree, "testing/tests/*/*/hosts/*/etc/swanctl/swanctl.conf")))
    if not configs:
        sys.exit(f"no testing/tests/*/*/hosts/*/etc/swanctl/swanctl.conf under {tree}")
    if "--sample" in sys.argv:
        # Evenly spaced over the sorted list, so every run with the same N and tree takes the same configs.
        n = int(sys.argv[sys.argv.index("--sample") + 1])
        if n < len(configs):
            configs = [configs[i * len(configs) // n] for i in range(n)]
    jobs = int(sys.argv[sys.argv.index("--jobs") + 1]) if "--jobs" in sys.argv else 4
    loaded, reasons, failed = 0, collections.Counter(), []
    with tempfile.TemporaryDirectory(prefix="petrel-coverage-") as top:
        key, cert = stand_in(top)
        paths = [prepare(conf, os.path.join(top, str(i)), key, cert) for i, conf in enumerate(configs)]
        def check(path):
            return subprocess.run(petrel + ["daemon", "--check", "--config", path], capture_output=True, text=True, timeout=600)
        with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
            results = list(pool.map(check, paths))
        for conf, r in zip(configs, results):
            if r.returncode == 0:
                loaded += 1
            else:
                why = reason(r.stderr or r.stdout)
                reasons[why] += 1
                failed.append((os.path.relpath(conf, tree), why))
    print(f"{loaded} of {len(configs)} configs load ({100.0 * loaded / len(configs):.1f} %)")
    print("first errors of the rest, most common first:")
    for why, n in reasons.most_common(25):
        print(f"{n:5d}  {why}")
    if "--list" in sys.argv:
        for conf, why in failed:
            print(f"{conf}: {why}")

if __name__ == "__main__":
    main()
