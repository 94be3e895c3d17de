"""Starting and stopping a real Ferry agent (the Java jar) for tests.

The jar is $FERRY_AGENT_JAR, else java-agent/target/ferry-agent.jar of this
repository (built by `mvn -pl java-agent -am package`). Tests skip when
neither exists. The agent listens on 127.0.0.1 only, with its files, journal
and log under a test's temporary directory, and is stopped by its own pid.
"""

import os
import shutil
import socket
import subprocess
import time

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
DEFAULT_JAR = os.path.join(REPO, 'java-agent', 'target', 'ferry-agent.jar')


def agent_jar():
    jar = os.environ.get('FERRY_AGENT_JAR') or DEFAULT_JAR
    if not os.path.isfile(jar) or os.path.getsize(jar) == 0:
        pytest.skip('no agent jar at %s (build it with mvn -pl java-agent '
                    '-am package, or set FERRY_AGENT_JAR)' % jar)
    if not shutil.which('java'):
        pytest.skip('java not installed')
    return jar


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class RealAgent:
    """`java -jar ferry-agent.jar agent --config DIR/agent.yaml`."""

    def __init__(self, workdir, extra_yaml='', plaintext=True):
        self.dir = str(workdir)
        self.port = free_port()
        self.address = '127.0.0.1:%d' % self.port
        self.images = os.path.join(self.dir, 'img')
        os.makedirs(self.images, exist_ok=True)
        config = os.path.join(self.dir, 'agent.yaml')
        with open(config, 'w') as f:
            f.write('listen: %s\n' % self.address)
            f.write('insecure_plaintext: %s\n' % str(plaintext).lower())
            f.write('roots:\n  default: img\njournal_dir: journal\n')
            f.write(extra_yaml)
        self.log_path = os.path.join(self.dir, 'agent.log')
        self._log = open(self.log_path, 'wb')
        self.proc = subprocess.Popen(
            ['java', '-jar', agent_jar(), 'agent', '--config', config],
            stdout=self._log, stderr=subprocess.STDOUT, cwd=self.dir)
        self._await_listening()

    def _await_listening(self, timeout=90):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError('agent exited %s: %s' % (
                    self.proc.returncode, self.log()[-3000:]))
            if 'listening on' in self.log():
                return
            time.sleep(0.2)
        self.stop()
        raise RuntimeError('agent not listening after %ss: %s'
                           % (timeout, self.log()[-3000:]))

    def log(self):
        with open(self.log_path, 'rb') as f:
            return f.read().decode('utf-8', 'replace')

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self._log.close()
