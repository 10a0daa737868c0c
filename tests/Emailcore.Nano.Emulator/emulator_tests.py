#!/usr/bin/python3
"""The emulator tier's tests: the board's program (Emailcore.Nano.Emulator.pe) on nanoclr32-net against real peers.

Run by tools/emulator.sh with Debian's /usr/bin/python3 (the one python3-aiosmtpd installs into):
    emulator_tests.py PE_LIST_FILE [--bench]
    emulator_tests.py PE_LIST_FILE --run BOARD [VARIANT] [name=value ...]
PE_LIST_FILE names the .pe files the runner loads, one a line, in load order. Each test starts its own emulator
process and its own peers (swaks, smtplib, smtp-sink, aiosmtpd, dnsmasq) on loopback ports read back from the
system; the program prints the ports it took. Prints `PASS name` / `FAIL name: why` and `emulator: N passed, N failed`;
`--bench` prints the messages/s figure of docs/PERFORMANCE.md instead; `--run` starts one emulator session by hand
(boards/BOARD/main.cf with the settings given, TLS off) and shows its log until Ctrl-C.
"""

import asyncio
import email
import email.policy
import os
import re
import select
import shutil
import smtplib
import socket
import subprocess
import sys
import tempfile
import threading
import time

from aiosmtpd.controller import Controller

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
NET_TOOLS = os.environ.get('EMAILCORE_NANO_NET_TOOLS', os.path.join(REPO, '..', 'shared', 'tools', 'nanoframework-net'))
WAIT = 30
# The 79 KiB heap of a board without PSRAM, and the 10 MiB one for the PSRAM boards' profiles.
SMALL, LARGE = 'nanoclr32-net-79k', 'nanoclr32-net'
# The managed heap the GC counts on the 10 MiB build (tests/Emailcore.Nano.BoardHeap).
LARGE_HEAP = 10485252


class TestFailed(Exception):
    pass


def check(condition, why):
    if not condition:
        raise TestFailed(why)


def await_condition(condition, what, timeout=WAIT):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TestFailed('timed out waiting for ' + what)
        time.sleep(0.02)


def free_port():
    """A loopback port free for TCP and UDP at the moment of asking (listeners in main.cf cannot say port 0)."""
    with socket.socket() as tcp, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        tcp.bind(('127.0.0.1', 0))
        port = tcp.getsockname()[1]
        udp.bind(('127.0.0.1', port))
        return port


def listening(port):
    try:
        socket.create_connection(('127.0.0.1', port), timeout=1).close()
        return True
    except OSError:
        return False


def board_config(board, overrides):
    """boards/BOARD/main.cf with the test's settings in place of the board's own lines of the same name."""
    with open(os.path.join(REPO, 'boards', board, 'main.cf')) as f:
        lines = f.read().splitlines()
    kept = [line for line in lines if line.split('=', 1)[0].strip() not in overrides]
    # The emulator has no TLS (EmulatorTls): the board's `may` becomes none.
    settings = dict({'smtp_tls_security_level': 'none'}, **overrides)
    return ('\n'.join(kept + ['%s = %s' % item for item in settings.items()]) + '\n').encode()


class Emulator:
    """One run of the board's program on the nanoCLR, waiting for its main.cf; its log lines are collected as they come."""

    def __init__(self, pes, variant):
        self.lines = []
        self.listeners = []
        self._cond = threading.Condition()
        runner = os.path.join(NET_TOOLS, 'nanoclr', variant)
        self._process = subprocess.Popen([runner] + pes, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=REPO)
        threading.Thread(target=self._read, daemon=True).start()
        self.control = int(self.wait_log(r'^emulator: control 127\.0\.0\.1:(\d+)').group(1))

    def start(self, board, overrides, port25=0):
        """The board's start-up with boards/BOARD/main.cf and the overrides; the program's reply."""
        body = board_config(board, overrides)
        reply = self.command('start %d %d' % (port25, len(body)), body)
        self.listeners = [int(p) for p in re.findall(r'listen=[0-9.]+:(\d+)', reply)]
        return reply

    def _read(self):
        for raw in self._process.stdout:
            with self._cond:
                self.lines.append(raw.decode('utf-8', 'replace').rstrip('\r\n'))
                self._cond.notify_all()

    @property
    def port(self):
        return self.listeners[0]

    def log(self):
        with self._cond:
            return '\n'.join(line for line in self.lines if not line.startswith('   '))

    def wait_log(self, pattern, timeout=WAIT, count=1):
        """The count-th line matching pattern, awaited."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [m for m in (regex.search(line) for line in self.lines) if m]
                if len(found) >= count:
                    return found[count - 1]
                left = deadline - time.monotonic()
                if left <= 0 or self._process.poll() is not None:
                    raise TestFailed('no log line %r; log tail:\n%s' % (pattern, '\n'.join(self.lines[-15:])))
                # Bounded, so that a runner that ended is noticed.
                self._cond.wait(min(left, 0.5))

    def command(self, line, body=b''):
        with socket.create_connection(('127.0.0.1', self.control), timeout=WAIT) as s:
            s.sendall(line.encode() + b'\n' + body)
            reply = b''
            while not reply.endswith(b'\n'):
                data = s.recv(4096)
                if not data:
                    break
                reply += data
        return reply.decode().strip()

    def close(self):
        self._process.kill()
        self._process.wait()


def booted(pes, variant, board, overrides, port25=0):
    """An emulator whose board has started (the reply checked)."""
    emu = Emulator(pes, variant)
    try:
        reply = emu.start(board, overrides, port25)
        check(reply.startswith('ok'), 'start: ' + reply)
    except BaseException:
        emu.close()
        raise
    return emu


class Sink:
    """aiosmtpd as the upstream server, saving every transaction's envelope and exact bytes. rejects: recipients
    answered with 550 5.1.1; stall: DATA waits for it to be set before its final reply."""

    def __init__(self, port=None, rejects=(), stall=None):
        self.messages = []
        self.in_data = 0
        self.port = port or free_port()
        sink = self

        class Handler:
            async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
                if address in rejects:
                    return '550 5.1.1 <%s>: Recipient address rejected: no such user' % address
                envelope.rcpt_tos.append(address)
                return '250 2.1.5 Ok'

            async def handle_DATA(self, server, session, envelope):
                sink.in_data += 1
                while stall is not None and not stall.is_set():
                    await asyncio.sleep(0.05)
                sink.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
                return '250 2.0.0 stored'

        self._controller = Controller(Handler(), hostname='127.0.0.1', port=self.port)
        self._controller.start()

    def wait(self, count=1):
        await_condition(lambda: len(self.messages) >= count, '%d message(s) at the sink' % count)
        return self.messages

    def close(self):
        self._controller.stop()


class SmtpSinkProcess:
    """Postfix's smtp-sink, dumping each transaction to a file (-d)."""

    def __init__(self):
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix='emailcore-emu-sink-')
        user = ['-u', 'root'] if os.geteuid() == 0 else []
        self._process = subprocess.Popen(['/usr/sbin/smtp-sink'] + user + ['-d', self.dir + '/%s.', '127.0.0.1:%d' % self.port, '16'],
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        await_condition(lambda: listening(self.port), 'smtp-sink to listen')

    def dumps(self):
        """The dump files' bytes; smtp-sink writes one while the message comes in, so read them once the relay logged status=sent."""
        out = []
        for name in sorted(os.listdir(self.dir)):
            with open(os.path.join(self.dir, name), 'rb') as f:
                out.append(f.read())
        return out

    def close(self):
        self._process.kill()
        self._process.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


class Dnsmasq:
    """dnsmasq on loopback with the test's records, behind a counting forwarder: UDP answers pass with their TC bit
    seen, TCP connections are counted, so a test can show that a truncated answer was asked again over TCP."""

    def __init__(self, records):
        self.upstream = free_port()
        user = ['--user=root'] if os.geteuid() == 0 else []
        self._process = subprocess.Popen(
            ['/usr/sbin/dnsmasq', '--keep-in-foreground', '--no-daemon', '--conf-file=/dev/null', '--no-resolv', '--no-hosts',
             '--no-poll', '--listen-address=127.0.0.1', '--bind-interfaces', '--port=%d' % self.upstream, '--pid-file',
             '--cache-size=0'] + user + records, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.truncated_udp = 0
        self.tcp_connections = 0
        self.port = free_port()
        self._udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._udp.bind(('127.0.0.1', self.port))
        self._tcp = socket.socket()
        self._tcp.bind(('127.0.0.1', self.port))
        self._tcp.listen(4)
        self._closed = False
        await_condition(lambda: listening(self.upstream), 'dnsmasq to listen')
        threading.Thread(target=self._forward_udp, daemon=True).start()
        threading.Thread(target=self._forward_tcp, daemon=True).start()

    def _forward_udp(self):
        while not self._closed:
            try:
                query, client = self._udp.recvfrom(65535)
            except OSError:
                return
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as up:
                up.settimeout(5)
                up.sendto(query, ('127.0.0.1', self.upstream))
                answer = up.recvfrom(65535)[0]
            self.truncated_udp += 1 if answer[2] & 0x02 else 0
            self._udp.sendto(answer, client)

    def _forward_tcp(self):
        while not self._closed:
            try:
                client, _ = self._tcp.accept()
            except OSError:
                return
            self.tcp_connections += 1
            with client, socket.create_connection(('127.0.0.1', self.upstream), timeout=5) as up:
                client.settimeout(5)
                try:
                    up.sendall(read_dns_tcp(client))
                    client.sendall(read_dns_tcp(up))
                except OSError:
                    pass

    def close(self):
        self._closed = True
        self._udp.close()
        self._tcp.close()
        self._process.kill()
        self._process.wait()


def read_dns_tcp(s):
    """One length-prefixed DNS message (RFC 1035 §4.2.2), prefix included."""
    data = b''
    while len(data) < 2 or len(data) < 2 + int.from_bytes(data[:2], 'big'):
        chunk = s.recv(65535)
        if not chunk:
            raise OSError('closed')
        data += chunk
    return data


class Client:
    """A raw SMTP client for the probes: exact bytes out, reply lines in."""

    def __init__(self, port, source='127.0.0.1'):
        self.sock = socket.socket()
        self.sock.bind((source, 0))
        self.sock.settimeout(WAIT)
        self.sock.connect(('127.0.0.1', port))
        self._buffer = b''

    def reply(self):
        """One whole reply (its last line), or '' when the server closed."""
        while True:
            if b'\r\n' in self._buffer:
                line, self._buffer = self._buffer.split(b'\r\n', 1)
                if line[3:4] != b'-':
                    return line.decode()
                continue
            data = self.sock.recv(4096)
            if not data:
                return ''
            self._buffer += data

    def send(self, data):
        self.sock.sendall(data)

    def say(self, line):
        self.send(line.encode() + b'\r\n')
        return self.reply()

    def close(self):
        self.sock.close()


def relay(port):
    return {'relayhost': '[127.0.0.1]:%d' % port}


def server(extra=None):
    """The LAN relay profile of a PSRAM board, listening on a free port, with the test's settings."""
    settings = {'smtpd_listen': '127.0.0.1:%d' % free_port(), 'myhostname': 'board.emulator.test'}
    settings.update(extra or {})
    return settings


MESSAGE = (b'From: Printer <printer@lan.example>\r\nTo: Ops <ops@far.example>\r\nSubject: scan 42\r\n'
           b'Message-ID: <scan42@printer.lan.example>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n'
           b'Content-Transfer-Encoding: 8bit\r\n\r\nPage 1 \xc3\xa9t\xc3\xa9\r\n.a line that starts with a dot\r\n'
           + b'x' * 990 + b'\r\n\r\nend\r\n')


def without_our_received(content):
    """The message as the client sent it: our Received field (RFC 5321 §4.4, at the top, folded) removed."""
    check(content.startswith(b'Received: from '), 'no Received field on top: %r' % content[:80])
    rest = content.split(b'\r\n', 1)[1]
    while rest[:1] in (b' ', b'\t'):
        rest = rest.split(b'\r\n', 1)[1]
    return rest


# ---------------------------------------------------------------------------------------------------------------
# The tests. Each takes the .pe list and starts what it needs.

def test_swaks_through_the_board_to_smtp_sink_intact(pes):
    sink = SmtpSinkProcess()
    emu = booted(pes, LARGE, 'esp32-wrover', server(relay(sink.port)))
    try:
        with tempfile.NamedTemporaryFile(suffix='.eml') as f:
            f.write(MESSAGE)
            f.flush()
            done = subprocess.run(['swaks', '--server', '127.0.0.1:%d' % emu.port, '--helo', 'printer.lan.example',
                                   '--from', 'printer@lan.example', '--to', 'ops@far.example', '--data', '@' + f.name],
                                  capture_output=True, timeout=WAIT)
        check(done.returncode == 0, 'swaks failed: ' + done.stdout.decode()[-500:])
        emu.wait_log(r'to=<ops@far\.example>, relay=127\.0\.0\.1\[127\.0\.0\.1\]:%d.*status=sent' % sink.port)
        await_condition(lambda: len(sink.dumps()) == 1, 'the dump file')
        dump = sink.dumps()[0]
        # smtp-sink's dump: its X- fields and Received field, then the message as it came, line ends as LF.
        check(b'X-Mail-Args: <printer@lan.example>' in dump and b'X-Rcpt-Args: <ops@far.example>' in dump, 'envelope: %r' % dump[:300])
        ours = dump[dump.index(b'\nReceived: from printer.lan.example') + 1:]
        ours = ours.replace(b'\n', b'\r\n')
        sent = without_our_received(ours)
        check(sent.rstrip(b'\r\n') == MESSAGE.rstrip(b'\r\n'), 'message changed on the way:\n%r\n%r' % (sent[:400], MESSAGE[:400]))
        check(b'by board.emulator.test' in ours.split(b';', 1)[0], 'our Received field: %r' % ours[:200])
    finally:
        emu.close()
        sink.close()


def test_smtplib_through_the_board_bytes_exact(pes):
    sink = Sink()
    emu = booted(pes, LARGE, 'esp32-wrover', server(relay(sink.port)))
    try:
        with smtplib.SMTP('127.0.0.1', emu.port, local_hostname='printer.lan.example', timeout=WAIT) as c:
            c.sendmail('printer@lan.example', ['ops@far.example', 'dev@far.example'], MESSAGE)
        mail_from, rcpts, content = sink.wait()[0]
        check(mail_from == 'printer@lan.example' and rcpts == ['ops@far.example', 'dev@far.example'], 'envelope %r %r' % (mail_from, rcpts))
        check(without_our_received(content) == MESSAGE, 'bytes differ:\n%r\n%r' % (content[:300], MESSAGE[:300]))
    finally:
        emu.close()
        sink.close()


def mx_records(host):
    return ['--local=/example.test/', '--mx-host=example.test,%s,10' % host, '--host-record=%s,127.0.0.1' % host]


def test_mx_routing_over_udp_against_dnsmasq_with_the_alert_profile(pes):
    sink = Sink()
    dns = Dnsmasq(mx_records('mx.example.test'))
    emu = booted(pes, LARGE, 'esp32-devkitc-wroom', {'dns_servers': '127.0.0.1:%d' % dns.port, 'alert_recipients': 'ops@example.test'},
                   port25=sink.port)
    try:
        # The boot alert goes by MX: example.test's MX host, its A record, then port 25 (the sink).
        emu.wait_log(r'to=<ops@example\.test>, relay=mx\.example\.test\[127\.0\.0\.1\]:25.*status=sent')
        mail_from, rcpts, content = sink.wait()[0]
        check(rcpts == ['ops@example.test'], 'recipients %r' % rcpts)
        check(dns.tcp_connections == 0 and dns.truncated_udp == 0, 'a small answer went over TCP')
    finally:
        emu.close()
        dns.close()
        sink.close()


def test_truncated_dns_answer_is_asked_again_over_tcp(pes):
    sink = Sink()
    # About 2.5 KB of MX records: more than the 1232 bytes of EDNS0 UDP the board offers, less than its 4096 limit.
    records = ['--local=/example.test/']
    for i in range(40, 0, -1):
        records.append('--mx-host=example.test,relay-%d-with-a-rather-long-label-for-size.example.test,%d' % (i, i))
    records.append('--host-record=relay-1-with-a-rather-long-label-for-size.example.test,127.0.0.1')
    dns = Dnsmasq(records)
    emu = booted(pes, LARGE, 'esp32-wrover', server({'dns_servers': '127.0.0.1:%d' % dns.port}), port25=sink.port)
    try:
        with smtplib.SMTP('127.0.0.1', emu.port, local_hostname='printer.lan.example', timeout=WAIT) as c:
            c.sendmail('printer@lan.example', ['ops@example.test'], MESSAGE)
        emu.wait_log(r'to=<ops@example\.test>, relay=relay-1-with-a-rather-long-label-for-size\.example\.test\[127\.0\.0\.1\]:25.*status=sent')
        sink.wait()
        check(dns.truncated_udp >= 1 and dns.tcp_connections >= 1, 'truncated over UDP %d, TCP connections %d' % (dns.truncated_udp, dns.tcp_connections))
    finally:
        emu.close()
        dns.close()
        sink.close()


def test_upstream_down_then_up_defers_then_delivers(pes):
    port = free_port()
    emu = booted(pes, LARGE, 'esp32-wrover', server(dict(relay(port), minimal_backoff_time='1s', maximal_backoff_time='1s')))
    sink = None
    try:
        with smtplib.SMTP('127.0.0.1', emu.port, local_hostname='printer.lan.example', timeout=WAIT) as c:
            c.sendmail('printer@lan.example', ['ops@far.example'], MESSAGE)
        emu.wait_log(r'to=<ops@far\.example>.*status=deferred')
        sink = Sink(port=port)
        emu.wait_log(r'to=<ops@far\.example>.*status=sent')
        check(without_our_received(sink.wait()[0][2]) == MESSAGE, 'the retried message differs')
    finally:
        emu.close()
        if sink:
            sink.close()


def test_bare_lf_smuggling_is_refused_and_nothing_is_relayed(pes):
    sink = Sink()
    emu = booted(pes, LARGE, 'esp32-wrover', server(relay(sink.port)))
    try:
        c = Client(emu.port)
        check(c.reply().startswith('220'), 'banner')
        check(c.say('EHLO printer.lan.example').startswith('250'), 'EHLO')
        check(c.say('MAIL FROM:<printer@lan.example>').startswith('250'), 'MAIL')
        check(c.say('RCPT TO:<ops@far.example>').startswith('250'), 'RCPT')
        check(c.say('DATA').startswith('354'), 'DATA')
        # A second transaction hidden behind <LF>.<LF> (SMTP smuggling): the data ends only at <CRLF>.<CRLF>.
        c.send(b'Subject: a\r\n\r\nfirst\n.\nMAIL FROM:<evil@lan.example>\r\nRCPT TO:<victim@far.example>\r\nDATA\r\n'
               b'Subject: smuggled\r\n\r\nsecond\r\n.\r\n')
        reply = c.reply()
        check(reply.startswith('550 5.5.2'), 'the message with bare LF got: ' + reply)
        check(c.say('MAIL FROM:<printer@lan.example>').startswith('250'), 'session usable after the refusal')
        check(c.say('RCPT TO:<ops@far.example>').startswith('250'), 'RCPT')
        check(c.say('DATA').startswith('354'), 'DATA')
        check(c.say('Subject: clean\r\n\r\nclean\r\n.').startswith('250'), 'the clean message')
        c.say('QUIT')
        c.close()
        emu.wait_log(r'to=<ops@far\.example>.*status=sent')
        messages = sink.wait()
        check(len(messages) == 1 and b'Subject: clean' in messages[0][2], 'relayed: %r' % [m[2][-60:] for m in messages])
        check('victim' not in emu.log(), 'the smuggled recipient reached the relay')
    finally:
        emu.close()
        sink.close()


def test_open_relay_probe_from_outside_mynetworks_is_denied(pes):
    sink = Sink()
    emu = booted(pes, LARGE, 'esp32-wrover', server(dict(relay(sink.port), mynetworks='127.0.0.1/32')))
    try:
        c = Client(emu.port, source='127.0.0.2')
        check(c.reply().startswith('220'), 'banner')
        check(c.say('EHLO outsider.example').startswith('250'), 'EHLO')
        check(c.say('MAIL FROM:<spammer@outsider.example>').startswith('250'), 'MAIL')
        reply = c.say('RCPT TO:<victim@far.example>')
        check(reply.startswith('554 5.7.1') and 'Relay access denied' in reply, 'RCPT from 127.0.0.2: ' + reply)
        c.say('QUIT')
        c.close()
        emu.wait_log(r'NOQUEUE: reject: RCPT from .*127\.0\.0\.2')
        # From inside mynetworks the same relay works, so the refusal above was the policy, not a broken path.
        with smtplib.SMTP('127.0.0.1', emu.port, local_hostname='printer.lan.example', timeout=WAIT) as s:
            s.sendmail('printer@lan.example', ['ops@far.example'], MESSAGE)
        check(sink.wait()[0][1] == ['ops@far.example'], 'the relay from 127.0.0.1')
    finally:
        emu.close()
        sink.close()


def test_connection_limit_answers_421(pes):
    emu = booted(pes, LARGE, 'esp32-wrover', server({'smtpd_client_connection_count_limit': '3'}))
    try:
        held = [Client(emu.port), Client(emu.port), Client(emu.port)]
        for c in held:
            check(c.reply().startswith('220'), 'banner within the limit')
        extra = Client(emu.port)
        reply = extra.reply()
        check(reply.startswith('421 4.3.2'), 'the fourth connection got: ' + reply)
        check(extra.reply() == '', 'the fourth connection is closed after its 421')
        extra.close()
        held[0].say('QUIT')
        held[0].close()
        await_condition(lambda: emu.command('heap').endswith('sessions=2'), 'the slot to be free')
        again = Client(emu.port)
        check(again.reply().startswith('220'), 'a freed slot is taken again')
        for c in [again] + held[1:]:
            c.close()
    finally:
        emu.close()


def timeout_case(pes, talk):
    emu = booted(pes, LARGE, 'esp32-wrover', server({'smtpd_timeout': '2s'}))
    try:
        c = Client(emu.port)
        check(c.reply().startswith('220'), 'banner')
        started = time.monotonic()
        reply = talk(c)
        took = time.monotonic() - started
        check(reply.startswith('421 4.4.2'), 'got: %r' % reply)
        check(1.5 <= took < 10, 'cut after %.1f s (smtpd_timeout = 2s)' % took)
        c.close()
    finally:
        emu.close()


def test_idle_client_is_cut_at_smtpd_timeout(pes):
    timeout_case(pes, lambda c: c.reply())


def test_slow_client_is_cut_at_smtpd_timeout_for_the_whole_command(pes):
    def trickle(c):
        # One byte every 0.3 s, until the server answers: each byte is quick, the command as a whole is not.
        for b in b'EHLO a-rather-slow-printer.lan.example\r\n':
            if select.select([c.sock], [], [], 0.3)[0]:
                break
            c.send(bytes([b]))
        return c.reply()
    timeout_case(pes, trickle)


def test_boot_alert_of_the_alert_profile_on_the_79k_heap(pes):
    """The one case that fits the 79 KiB heap with System.Net loaded: the board starts and its boot alert goes out.
    (A second delivery runs the queue runner out of memory there: budget.txt.)"""
    sink = Sink()
    emu = booted(pes, SMALL, 'esp32-devkitc-wroom', dict(relay(sink.port), alert_recipients='ops@far.example'))
    try:
        emu.wait_log(r'000001: to=<ops@far\.example>, relay=127\.0\.0\.1\[127\.0\.0\.1\]:%d.*status=sent' % sink.port)
        parsed = email.message_from_bytes(sink.wait()[0][2], policy=email.policy.default)
        check(parsed['Subject'] == 'Emailcore.Nano started', 'subject %r' % parsed['Subject'])
        print('emulator heap: esp32-devkitc-wroom on %s after the boot alert: %s' % (SMALL, emu.command('heap')))
    finally:
        emu.close()
        sink.close()


def test_alert_api_is_delivered(pes):
    sink = Sink()
    emu = booted(pes, LARGE, 'esp32-devkitc-wroom', dict(relay(sink.port), alert_recipients='ops@far.example', alert_sender='rack3@lan.example'))
    try:
        sink.wait(1)
        reply = emu.command('alert door', b'Door open\nRack 3 door opened.\n')
        check(reply.startswith('Queued '), 'alert: ' + reply)
        emu.wait_log(r'to=<ops@far\.example>.*status=sent', count=2)
        messages = sink.wait(2)
        parsed = [email.message_from_bytes(m[2], policy=email.policy.default) for m in messages]
        door = [p for p in parsed if p['Subject'] == 'Door open']
        check(len(door) == 1, 'subjects: %r' % [p['Subject'] for p in parsed])
        check(door[0]['Auto-Submitted'] == 'auto-generated' and 'Rack 3 door opened.' in door[0].get_content(), 'alert: %r' % messages[-1][2][:400])
        check(messages[-1][0] == 'rack3@lan.example', 'envelope sender %r' % messages[-1][0])
    finally:
        emu.close()
        sink.close()


def test_5xx_upstream_produces_a_dsn_python_parses(pes):
    sink = Sink(rejects=('nobody@far.example',))
    emu = booted(pes, LARGE, 'esp32-wrover', server(relay(sink.port)))
    try:
        with smtplib.SMTP('127.0.0.1', emu.port, local_hostname='printer.lan.example', timeout=WAIT) as c:
            c.sendmail('printer@lan.example', ['nobody@far.example'], MESSAGE)
        emu.wait_log(r'to=<nobody@far\.example>.*status=bounced')
        mail_from, rcpts, content = sink.wait()[0]
        check(mail_from in ('', '<>') and rcpts == ['printer@lan.example'], 'bounce envelope %r %r' % (mail_from, rcpts))
        dsn = email.message_from_bytes(content, policy=email.policy.default)
        check(dsn.get_content_type() == 'multipart/report' and dsn.get_param('report-type') == 'delivery-status', 'type %s' % dsn.get_content_type())
        status = [p for p in dsn.walk() if p.get_content_type() == 'message/delivery-status']
        check(len(status) == 1, 'no message/delivery-status part')
        fields = status[0].get_payload()
        per_recipient = fields[1]
        check(per_recipient['Final-Recipient'].endswith('nobody@far.example') and per_recipient['Action'] == 'failed'
              and per_recipient['Status'] == '5.1.1', 'per-recipient fields: %s' % per_recipient)
        check('550 5.1.1' in per_recipient['Diagnostic-Code'], 'Diagnostic-Code: %s' % per_recipient['Diagnostic-Code'])
    finally:
        emu.close()
        sink.close()


def test_tls_levels_are_refused_at_start(pes):
    emu = Emulator(pes, LARGE)
    try:
        reply = emu.start('esp32-wrover', {'smtp_tls_security_level': 'encrypt'})
        check(re.match(r'error: main\.cf:\d+: smtp_tls_security_level = encrypt: the emulator has no TLS', reply) is not None, reply)
    finally:
        emu.close()


def heap_at_full_load(pes, board):
    """The board heap probe's full load (tests/Emailcore.Nano.BoardHeap), made of real peers: the configured number of
    clients in the middle of DATA, the queue runner in the middle of a delivery (the sink holds its final reply), the
    DNS cache full (domains whose MX hosts refuse, two entries each, then the one that stalls), the spool index at its
    limit; then the heap read by GC.Run. The `emulator heap:` line is what budget.txt quotes. Run on the 10 MiB build,
    where the simulator's flash bytes cannot crowd the heap; they are not counted. Returns the bytes the board's
    managed_heap would have left, and its margin."""
    stall = threading.Event()
    sink = Sink(stall=stall)
    with open(os.path.join(REPO, 'boards', board, 'main.cf')) as f:
        listens = re.search(r'^smtpd_listen *= *\S', f.read(), re.M) is not None
    sessions = count_setting(board, 'smtpd_client_connection_count_limit') if listens else 0
    index = count_setting(board, 'spool_index_limit')
    refused = count_setting(board, 'dns_cache_entries') // 2 - 1
    records = ['--local=/load.test/', '--mx-host=stall.load.test,mx.stall.load.test,10', '--host-record=mx.stall.load.test,127.0.0.1']
    for i in range(1, refused + 1):
        # Nothing listens on 127.0.1.I: the delivery is refused at once and deferred, its MX and A answers cached.
        records += ['--mx-host=d%d.load.test,mx.d%d.load.test,10' % (i, i), '--host-record=mx.d%d.load.test,127.0.1.%d' % (i, i)]
    dns = Dnsmasq(records)
    stalled = 'ops@stall.load.test'
    # The alert profile's boot alert is the delivery that stalls; a listening board's first messages come by SMTP.
    settings = {'dns_servers': '127.0.0.1:%d' % dns.port, 'alert_recipients': '' if listens else stalled}
    emu = booted(pes, LARGE, board, server(settings) if listens else settings, port25=sink.port)
    clients = []
    try:
        if listens:
            with smtplib.SMTP('127.0.0.1', emu.port, local_hostname='printer.lan.example', timeout=WAIT) as s:
                for i in range(index - sessions):
                    to = 'ops@d%d.load.test' % (i + 1) if i < refused else stalled
                    s.sendmail('printer@lan.example', [to], b'Subject: reading %d\r\n\r\nsensor 3: 21.5 C\r\n' % i)
        else:
            # Distinct keys, so storm control lets every one through.
            for i in range(index - 1):
                reply = emu.command('alert load%d' % i, b'Reading %d\nsensor 3: 21.5 C\n' % i)
                check(reply.startswith('Queued'), 'alert %d: %s' % (i, reply))
        await_condition(lambda: sink.in_data == 1, 'the runner in the middle of a delivery')
        check(len(re.findall(r'status=deferred', emu.log())) == refused, 'deferred deliveries (cache entries): ' + emu.log()[-600:])
        for i in range(sessions):
            c = Client(emu.port)
            check(c.reply().startswith('220'), 'banner %d' % i)
            for line in ('EHLO printer.lan.example', 'MAIL FROM:<printer@lan.example>', 'RCPT TO:<%s>' % stalled):
                check(c.say(line)[:1] == '2', line)
            check(c.say('DATA').startswith('354'), 'DATA')
            c.send(b'Subject: scan %d\r\n\r\n' % i + b's' * 700 + b'\r\n')
            clients.append(c)
        heap = emu.command('heap')
        m = re.match(r'free=(\d+) largest=\d+ flash=(\d+) sessions=(\d+)', heap)
        check(m is not None, 'heap: ' + heap)
        free, flash, active = (int(x) for x in m.groups())
        check(active == sessions, 'sessions in DATA: %d of %d' % (active, sessions))
        budget = budget_setting(board, 'managed_heap')
        used = LARGE_HEAP - free - flash
        print('emulator heap: %s used_at_full_load=%d of managed_heap=%d, free %d (on %s; flash simulator %d bytes not counted; '
              'sessions in DATA %d, runner in DATA, DNS cache %d entries, index %d)'
              % (board, used, budget, budget - used, LARGE, flash, active, 2 * refused + 2, index))
        return budget - used, budget_setting(board, 'margin')
    finally:
        stall.set()
        for c in clients:
            c.close()
        emu.close()
        dns.close()
        sink.close()


def test_heap_at_full_load_esp32_wrover(pes):
    free, margin = heap_at_full_load(pes, 'esp32-wrover')
    check(free >= margin, '%d bytes free at full load, budget.txt asks for %d' % (free, margin))


def test_heap_at_full_load_esp32_s3(pes):
    free, margin = heap_at_full_load(pes, 'esp32-s3')
    check(free >= margin, '%d bytes free at full load, budget.txt asks for %d' % (free, margin))


def measure_alert_profile(pes):
    """Not a test: the 79 KiB alert profile at full load is below its margin once System.Net is loaded (budget.txt,
    README "Board memory"); the figure is printed on every run so that it stays in view until that is resolved."""
    free, margin = heap_at_full_load(pes, 'esp32-devkitc-wroom')
    if free < margin:
        print('emulator heap: esp32-devkitc-wroom BELOW MARGIN: %d bytes free at full load, budget.txt asks for %d (measurement, not counted as a test)' % (free, margin))


def count_setting(board, name):
    with open(os.path.join(REPO, 'boards', board, 'main.cf')) as f:
        m = re.search(r'^%s *= *(\d+)' % name, f.read(), re.M)
    check(m is not None, '%s not in boards/%s/main.cf' % (name, board))
    return int(m.group(1))


def budget_setting(board, name):
    with open(os.path.join(REPO, 'boards', board, 'budget.txt')) as f:
        return int(re.search(r'^%s (\d+)' % name, f.read(), re.M).group(1))


def bench(pes, count=100):
    """Messages per second through the board's program on the x86 interpreter: smtplib, one session, to aiosmtpd."""
    sink = Sink()
    emu = booted(pes, LARGE, 'esp32-wrover', server(relay(sink.port)))
    try:
        started = time.monotonic()
        with smtplib.SMTP('127.0.0.1', emu.port, local_hostname='printer.lan.example', timeout=WAIT) as c:
            for i in range(count):
                c.sendmail('printer@lan.example', ['ops@far.example'], MESSAGE)
        accepted = time.monotonic() - started
        await_condition(lambda: len(sink.messages) >= count, 'all messages at the sink', timeout=600)
        delivered = time.monotonic() - started
        print('emulator bench: %d messages of %d bytes, accepted %.1f/s, relayed to the sink %.1f/s (x86 interpreter, nanoclr32-net, esp32-wrover profile)'
              % (count, len(MESSAGE), count / accepted, count / delivered))
    finally:
        emu.close()
        sink.close()


def run_by_hand(pes, args):
    variant = args.pop(0) if args and args[0].startswith('nanoclr') else LARGE
    board, settings = args[0], dict(a.split('=', 1) for a in args[1:])
    emu = booted(pes, variant, board, settings)
    print('emulator: %s on %s, listening on %s (Ctrl-C ends it)' % (board, variant, ' '.join('127.0.0.1:%d' % p for p in emu.listeners) or 'nothing'), flush=True)
    shown = 0
    try:
        while emu._process.poll() is None:
            lines = emu.log().splitlines()
            for line in lines[shown:]:
                print(line, flush=True)
            shown = len(lines)
            time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    finally:
        emu.close()
    return 0


def main():
    with open(sys.argv[1]) as f:
        pes = [line.strip() for line in f if line.strip()]
    if '--bench' in sys.argv:
        bench(pes)
        return 0
    if '--run' in sys.argv:
        return run_by_hand(pes, sys.argv[sys.argv.index('--run') + 1:])
    names = [n for n in sorted(globals()) if n.startswith('test_')]
    only = [a for a in sys.argv[2:] if not a.startswith('--')]
    passed = failed = 0
    for name in names:
        if only and not any(o in name for o in only):
            continue
        started = time.monotonic()
        try:
            globals()[name](pes)
            passed += 1
            print('PASS %s (%.1f s)' % (name[5:], time.monotonic() - started), flush=True)
        except Exception as e:  # a failed check, or a peer that broke: either way this test failed
            failed += 1
            print('FAIL %s: %s: %s' % (name[5:], type(e).__name__, e), flush=True)
    if not only:
        measure_alert_profile(pes)
    print('emulator: %d passed, %d failed' % (passed, failed))
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == '__main__':
    sys.exit(main())
