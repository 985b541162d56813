"""Starts and stops nokv-redis processes (and reference redis-servers) for the Python tests.

Every process binds 127.0.0.1 on a port the kernel picks (--addr 127.0.0.1:0); the port is read
from the gateway's first stdout line. Readiness is polled with a deadline, never slept for.
"""
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import time

READY_RE = re.compile(rb"nokv-redis listening on ([0-9.]+):(\d+)")
METRICS_RE = re.compile(rb"nokv-redis metrics on ([0-9.]+):(\d+)")


class Gateway:
    """One nokv-redis child process."""

    def __init__(self, binary, workdir=None, args=(), metrics=False, deadline_s=30):
        self.binary = binary
        self.own_workdir = workdir is None
        self.workdir = workdir or tempfile.mkdtemp(prefix="nokv-redis-test-")
        self.args = list(args)
        self.metrics = metrics
        self.deadline_s = deadline_s
        self.proc = None
        self.port = None
        self.metrics_port = None
        self.start()

    def start(self):
        cmd = [self.binary, "--workdir", self.workdir, "--addr", "127.0.0.1:0"] + self.args
        if self.metrics:
            cmd += ["--metrics-addr", "127.0.0.1:0"]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        want_lines = 2 if self.metrics else 1
        buf = b""
        deadline = time.monotonic() + self.deadline_s
        while buf.count(b"\n") < want_lines:
            left = deadline - time.monotonic()
            if left <= 0:
                self.kill()
                raise RuntimeError("gateway did not become ready: %r" % buf)
            ready, _, _ = select.select([self.proc.stdout], [], [], left)
            if not ready:
                continue
            chunk = os.read(self.proc.stdout.fileno(), 4096)
            if not chunk:
                err = self.proc.stderr.read().decode(errors="replace")
                raise RuntimeError("gateway exited during start: %s %s" % (buf, err))
            buf += chunk
        self.port = int(READY_RE.search(buf).group(2))
        if self.metrics:
            self.metrics_port = int(METRICS_RE.search(buf).group(2))
        # The listener is bound before the line is printed; one connect confirms it.
        socket.create_connection(("127.0.0.1", self.port), timeout=5).close()

    def stop(self, timeout_s=30):
        """SIGTERM and wait: a clean shutdown."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout_s)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise RuntimeError("gateway did not stop on SIGTERM")
        self._close_pipes()
        return self.proc.returncode if self.proc else None

    def kill(self):
        """SIGKILL: a crash."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._close_pipes()

    def _close_pipes(self):
        if self.proc:
            for f in (self.proc.stdout, self.proc.stderr):
                if f:
                    f.close()

    def restart(self):
        self.stop()
        self.start()

    def cleanup(self):
        self.kill()
        if self.own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class RedisServer:
    """A throwaway redis-server on a free 127.0.0.1 port (AOF on, no RDB saves): the reference
    the gateway's replies are compared with."""

    @staticmethod
    def available():
        return shutil.which("redis-server") is not None

    def __init__(self, deadline_s=20):
        self.port = free_port()
        self.workdir = tempfile.mkdtemp(prefix="nokv-reference-redis-")
        self.proc = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--dir",
             self.workdir, "--save", "", "--appendonly", "yes"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + deadline_s
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("redis-server did not start")
                time.sleep(0.02)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait()
        shutil.rmtree(self.workdir, ignore_errors=True)
