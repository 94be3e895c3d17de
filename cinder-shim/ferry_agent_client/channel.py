"""Opening a channel to the agent: mutual TLS, or plaintext on loopback only.

The agent's API moves and deletes data, so it is authenticated by mutual TLS
(DESIGN rule 9). Plaintext is accepted only when the agent listens on this
host's loopback, where the lab and the tests run it.
"""

import dataclasses
import ipaddress
from typing import Optional

import grpc


@dataclasses.dataclass(frozen=True)
class ChannelSettings:
    address: str                       # host:port, [v6]:port or unix:path
    cert_file: Optional[str] = None    # our client certificate (PEM)
    key_file: Optional[str] = None     # its private key (PEM)
    ca_file: Optional[str] = None      # CA that signed the agent's certificate
    server_name: Optional[str] = None  # overrides the name checked in its cert

    @property
    def uses_tls(self):
        return bool(self.cert_file or self.key_file or self.ca_file)


def _host_of(address):
    if address.startswith('unix:'):
        return None
    if address.startswith('['):
        return address[1:address.index(']')]
    return address.rsplit(':', 1)[0] if ':' in address else address


def is_loopback(address):
    if address.startswith('unix:'):
        return True
    host = _host_of(address)
    if host == 'localhost':
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _read(path, option):
    try:
        with open(path, 'rb') as f:
            return f.read()
    except OSError as e:
        raise ValueError('cannot read %s %s: %s' % (option, path,
                                                    e.strerror)) from e


def open_channel(settings):
    """A grpc.Channel to the agent, or ValueError naming the setting to fix."""
    if not settings.address:
        raise ValueError('ferry_agent_address is empty: set it to the '
                         'agent\'s host:port')
    if not settings.uses_tls:
        if not is_loopback(settings.address):
            raise ValueError(
                'agent %s is not on loopback and no TLS files are set: set '
                'ferry_tls_cert, ferry_tls_key and ferry_tls_ca (the agent '
                'requires mutual TLS)' % settings.address)
        return grpc.insecure_channel(settings.address)
    missing = [name for name, value in (('ferry_tls_cert', settings.cert_file),
                                        ('ferry_tls_key', settings.key_file),
                                        ('ferry_tls_ca', settings.ca_file))
               if not value]
    if missing:
        raise ValueError('mutual TLS needs all three files; missing: %s'
                         % ', '.join(missing))
    credentials = grpc.ssl_channel_credentials(
        root_certificates=_read(settings.ca_file, 'ferry_tls_ca'),
        private_key=_read(settings.key_file, 'ferry_tls_key'),
        certificate_chain=_read(settings.cert_file, 'ferry_tls_cert'))
    options = []
    if settings.server_name:
        options.append(('grpc.ssl_target_name_override', settings.server_name))
    return grpc.secure_channel(settings.address, credentials, options)
