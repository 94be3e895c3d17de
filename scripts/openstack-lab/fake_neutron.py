"""A fake Neutron for the lab: enough for Nova with `--nic none`.

Nova's server GETs ask Neutron for ports and networks even when the server
has none; without a network endpoint they fail with 500. This answers every
GET /v2.0/<resources> with an empty list and everything else with an empty
object. Listens on 127.0.0.1 only. --tag is unused: it marks the process's
command line so openstack-lab.sh can tell it is its own.
"""

import argparse
import http.server
import json
import re


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.0'

    def _send(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(data)))
        self.send_header('Connection', 'close')
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        path = self.path.split('?', 1)[0].rstrip('/')
        if path in ('', '/'):
            self._send(200, {'versions': [{'id': 'v2.0', 'status': 'CURRENT',
                                           'links': []}]})
            return
        m = re.fullmatch(r'/v2\.0/([a-z_-]+)(\.json)?', path)
        if m:
            self._send(200, {m.group(1): []})
            return
        self._send(404, {'NeutronError': {'message': 'not in the fake'}})

    def do_POST(self):
        self._send(400, {'NeutronError': {'message': 'the lab has no '
                                          'networking: use --nic none'}})

    do_PUT = do_DELETE = do_POST

    def log_message(self, fmt, *args):
        print('%s %s' % (self.address_string(), fmt % args), flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--port', type=int, required=True)
    p.add_argument('--tag', default='')
    a = p.parse_args()
    http.server.ThreadingHTTPServer(('127.0.0.1', a.port), Handler).serve_forever()


if __name__ == '__main__':
    main()
