#!/usr/bin/env python3
"""The relay benchmark (issue 16): smtp-source -> X -> smtp-sink, where X is nothing (the ceiling), our relay, or a
throwaway Postfix configured as the same kind of durable relay. Every peer is measured in the same run, in
interleaved rounds; the table shows medians. Run through tools/benchmark.sh, which builds the relay first.

Environment: EMAILCORE_DLL (the relay to measure), BENCH_ROUNDS (3), BENCH_SCALE (1.0, multiplies message counts).
"""

import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
SCALE = float(os.environ.get("BENCH_SCALE", "1.0"))
DLL = os.environ["EMAILCORE_DLL"]
TICK = os.sysconf("SC_CLK_TCK")
TIMEOUT = 180

# (label, payload bytes, sessions, recipients, messages)
CASES = [
    ("1 KiB, 1 session", 1024, 1, 1, 400),
    ("1 KiB, 4 sessions", 1024, 4, 1, 800),
    ("1 KiB, 16 sessions", 1024, 16, 1, 800),
    ("100 KiB, 1 session", 102400, 1, 1, 100),
    ("100 KiB, 4 sessions", 102400, 4, 1, 200),
    ("100 KiB, 16 sessions", 102400, 16, 1, 200),
    ("1 KiB x 10 recipients, 4 sessions", 1024, 4, 10, 300),
]

PEERS = ["ceiling", "relay", "postfix"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, deadline):
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.recv(100)
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("nothing listens on 127.0.0.1:%d" % port)


class Sink:
    """smtp-sink on a port, dumping each transaction into a folder on tmpfs; counts completed DATA commands."""

    def __init__(self, port, root):
        self.port = port
        self.folder = tempfile.mkdtemp(prefix="sink-", dir=root)
        self.count = 0
        self._process = subprocess.Popen(
            ["smtp-sink", "-c", "-u", "root", "-d", self.folder + "/%H%M%S.", "127.0.0.1:%d" % port, "256"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        threading.Thread(target=self._read, daemon=True).start()
        wait_port(port, time.time() + 10)

    def _read(self):
        buffered = b""
        while True:
            chunk = self._process.stdout.read1(4096)
            if not chunk:
                return
            buffered = (buffered + chunk)[-200:]
            found = re.findall(rb"mesg=(\d+)", buffered)
            if found:
                self.count = int(found[-1])

    def transactions(self):
        """(message id, recipient) pairs and the distinct message ids of every dumped transaction."""
        pairs = []
        for name in os.listdir(self.folder):
            with open(os.path.join(self.folder, name), "rb") as f:
                head = f.read(16384)
            rcpts = re.findall(rb"^X-Rcpt-Args: <([^>]*)>", head, re.M)
            ids = re.findall(rb"^Message-Id: (\S+)", head, re.M | re.I)
            pairs.extend((ids[0] if ids else name.encode(), r) for r in rcpts)
        return pairs

    def stop(self):
        self._process.send_signal(signal.SIGTERM)
        self._process.wait(10)
        shutil.rmtree(self.folder, ignore_errors=True)


def proc_cpu(pid, children):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])
    if children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks


def family(pid):
    """The process and its children (Postfix's master and its daemons)."""
    pids = [pid]
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open("/proc/%s/stat" % entry) as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        pids.append(int(entry))
            except OSError:
                pass
    return pids


def cpu_ticks(pid):
    total = 0
    for p in family(pid):
        try:
            total += proc_cpu(p, children=(p == pid))
        except OSError:
            pass
    return total


def reset_peaks(pid):
    for p in family(pid):
        try:
            with open("/proc/%d/clear_refs" % p, "w") as f:
                f.write("5")
        except OSError:
            pass


def peak_rss_kib(pid):
    total = 0
    for p in family(pid):
        try:
            with open("/proc/%d/status" % p) as f:
                total += int(re.search(r"VmHWM:\s+(\d+)", f.read()).group(1))
        except (OSError, AttributeError):
            pass
    return total


class OurRelay:
    def __init__(self, root, sink_port):
        self.root = os.path.join(root, "emailcore")
        os.makedirs(self.root)
        self.port = free_port()
        config = os.path.join(self.root, "main.cf")
        with open(config, "w") as f:
            f.write("smtpd_listen = 127.0.0.1:%d\n" % self.port)
            f.write("queue_directory = %s/queue\nhome_mailbox = %s/mail\n" % (self.root, self.root))
            f.write("myhostname = emailcore.bench.example\nmydestination =\nmynetworks = 127.0.0.0/8\n")
            f.write("relayhost = [127.0.0.1]:%d\nsmtp_tls_security_level = none\n" % sink_port)
            f.write("smtpd_client_connection_count_limit = 64\ndns_servers = 127.0.0.1:%d\n" % free_port())
        self._log = open(os.path.join(self.root, "log"), "wb")
        self._process = subprocess.Popen(["dotnet", DLL, "relay", "--config", config], stdout=self._log, stderr=self._log)
        self.pid = self._process.pid
        wait_port(self.port, time.time() + 60)

    def stop(self):
        self._process.send_signal(signal.SIGTERM)
        try:
            self._process.wait(30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._log.close()


MASTER_CF = """\
127.0.0.1:{port} inet n - n - - smtpd
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
"""


class Postfix:
    """A throwaway Postfix: its own configuration, queue and data directories under the run's temp folder, loopback only."""

    def __init__(self, root, sink_port):
        self.root = os.path.join(root, "postfix")
        self.conf = os.path.join(self.root, "conf")
        data = os.path.join(self.root, "data")
        os.makedirs(self.conf)
        os.makedirs(data)
        os.makedirs(os.path.join(self.root, "queue"))
        shutil.chown(data, "postfix", "postfix")
        self.port = free_port()
        with open(os.path.join(self.conf, "main.cf"), "w") as f:
            f.write("compatibility_level = 3.6\n")
            f.write("queue_directory = %s/queue\ndata_directory = %s\nmeta_directory = /etc/postfix\n" % (self.root, data))
            f.write("mail_owner = postfix\nsetgid_group = postdrop\n")
            f.write("inet_interfaces = 127.0.0.1\ninet_protocols = ipv4\nmyhostname = postfix.bench.example\n")
            f.write("mydestination =\nmynetworks = 127.0.0.0/8\nrelayhost = [127.0.0.1]:%d\n" % sink_port)
            f.write("smtpd_relay_restrictions = permit_mynetworks, reject\n")
            f.write("alias_maps =\nalias_database =\nlocal_recipient_maps =\nbiff = no\n")
            f.write("maillog_file = %s/maillog\nmaillog_file_prefixes = %s\n" % (self.root, self.root))
            f.write("smtp_tls_security_level = none\nsmtpd_tls_security_level = none\n")
        with open(os.path.join(self.conf, "master.cf"), "w") as f:
            f.write(MASTER_CF.format(port=self.port))
        self._postfix("start")
        wait_port(self.port, time.time() + 30)
        with open(os.path.join(self.root, "queue", "pid", "master.pid")) as f:
            self.pid = int(f.read().strip())

    def _postfix(self, verb):
        result = subprocess.run(["postfix", "-c", self.conf, verb], capture_output=True, text=True)
        if result.returncode != 0:
            log = os.path.join(self.root, "maillog")
            tail = open(log).read()[-2000:] if os.path.exists(log) else ""
            raise RuntimeError("postfix %s failed: %s%s%s" % (verb, result.stdout, result.stderr, tail))

    def stop(self):
        self._postfix("stop")
        deadline = time.time() + 30
        while time.time() < deadline and os.path.exists("/proc/%d" % self.pid):
            time.sleep(0.1)


def run(peer, case, target, sink, pid):
    label, size, sessions, recipients, messages = case
    messages = max(sessions, int(messages * SCALE))
    before = sink.count
    if pid:
        reset_peaks(pid)
        cpu_before = cpu_ticks(pid)
    start = time.time()
    source = subprocess.run(
        ["smtp-source", "-s", str(sessions), "-m", str(messages), "-l", str(size), "-r", str(recipients), "-N",
         "-M", "source.bench.example", "-f", "bench@source.example", "-t", "rcpt@sink.example", "127.0.0.1:%d" % target],
        capture_output=True, text=True, timeout=TIMEOUT)
    if source.returncode != 0:
        raise RuntimeError("smtp-source against %s: %s" % (peer, source.stderr.strip()))
    deadline = start + TIMEOUT
    expected = messages * recipients
    while time.time() < deadline:
        if sink.count - before >= messages:
            pairs = sink.transactions()
            if len(pairs) >= expected:
                break
        time.sleep(0.005)
    elapsed = time.time() - start
    pairs = sink.transactions()
    ids = set(p[0] for p in pairs)
    exact = len(pairs) == expected and len(set(pairs)) == expected and len(ids) == messages
    result = {"rate": messages / elapsed, "exact": exact, "messages": messages, "pairs": len(pairs)}
    if pid:
        result["cpu"] = (cpu_ticks(pid) - cpu_before) * 1000.0 / TICK / messages
        result["rss"] = peak_rss_kib(pid) / 1024.0
    return result


def main():
    shm = "/dev/shm" if os.path.isdir("/dev/shm") else None
    root = tempfile.mkdtemp(prefix="emailcore-bench-")
    os.chmod(root, 0o755)
    sinks_root = tempfile.mkdtemp(prefix="emailcore-bench-sink-", dir=shm)
    relay = postfix = None
    results = {}
    try:
        relay_sink_port, postfix_sink_port = free_port(), free_port()
        relay = OurRelay(root, relay_sink_port)
        postfix = Postfix(root, postfix_sink_port)
        peers = {
            "ceiling": (None, None, None),
            "relay": (relay.port, relay_sink_port, relay.pid),
            "postfix": (postfix.port, postfix_sink_port, postfix.pid),
        }
        for round_number in range(ROUNDS):
            for c, case in enumerate(CASES):
                order = PEERS[(round_number + c) % 3:] + PEERS[:(round_number + c) % 3]
                for peer in order:
                    target, sink_port, pid = peers[peer]
                    sink = Sink(sink_port or free_port(), sinks_root)
                    try:
                        r = run(peer, case, target or sink.port, sink, pid)
                    finally:
                        sink.stop()
                    results.setdefault((case[0], peer), []).append(r)
                    print("round %d  %-36s %-8s %8.0f msg/s%s" % (round_number + 1, case[0], peer, r["rate"],
                          "" if r["exact"] else "  NOT EXACTLY ONCE (%d of %d)" % (r["pairs"], r["messages"] * case[3])),
                          file=sys.stderr, flush=True)
    finally:
        for peer in (relay, postfix):
            if peer is not None:
                peer.stop()
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(sinks_root, ignore_errors=True)

    def median(case, peer, key):
        return statistics.median(r[key] for r in results[(case, peer)])

    print()
    print("| load | ceiling msg/s | relay msg/s | Postfix msg/s | relay / ceiling | relay / Postfix "
          "| relay CPU ms/msg | Postfix CPU ms/msg | relay peak RSS MiB | Postfix peak RSS MiB | each message once |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for case in CASES:
        label = case[0]
        ceiling, ours, theirs = (median(label, p, "rate") for p in PEERS)
        exact = all(r["exact"] for p in PEERS for r in results[(label, p)])
        print("| %s | %.0f | %.0f | %.0f | %.2f | %.2f | %.2f | %.2f | %.0f | %.0f | %s |" % (
            label, ceiling, ours, theirs, ours / ceiling, ours / theirs,
            median(label, "relay", "cpu"), median(label, "postfix", "cpu"),
            max(r["rss"] for r in results[(label, "relay")]), max(r["rss"] for r in results[(label, "postfix")]),
            "yes" if exact else "**no**"))
    print()
    print("%d interleaved rounds, medians; %s; %d cores; relay %s" % (
        ROUNDS, time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), os.cpu_count(), DLL))
    if not all(r["exact"] for rs in results.values() for r in rs):
        sys.exit(1)


if __name__ == "__main__":
    main()
