import { describe, expect, it } from '@jest/globals';
import {
  mapUpstreamHosts,
  parseUpstreamServers,
  renderLocalNginxConfig,
} from './nginx-config';

const TEMPLATE = `worker_processes auto;
events {
  worker_connections 1024;
}
http {
  access_log /dev/stdout upstream;
  upstream app {
    # a comment: server not-a-server:1;
    hash $remote_addr consistent;
    server app-1:3000 max_fails=3 fail_timeout=10s;
    server app-2:3000 max_fails=3 fail_timeout=10s;
    keepalive 32;
  }
  server {
    listen 8080;
    location / {
      proxy_pass http://app;
    }
  }
}
`;

describe('parseUpstreamServers', () => {
  it('lists the servers of the upstream, not its comments', () => {
    expect(parseUpstreamServers(TEMPLATE)).toEqual([
      { host: 'app-1', port: 3000 },
      { host: 'app-2', port: 3000 },
    ]);
  });

  it('names a missing upstream', () => {
    expect(() => parseUpstreamServers('http {}')).toThrow(
      'The nginx configuration has no "upstream app" block',
    );
  });
});

describe('mapUpstreamHosts', () => {
  it('replaces only the host names', () => {
    const mapped = mapUpstreamHosts(TEMPLATE, {
      'app-1': '127.0.0.1',
      'app-2': '127.0.0.2',
    });
    expect(mapped).toBe(
      TEMPLATE.replace('app-1:3000', '127.0.0.1:3000').replace(
        'app-2:3000',
        '127.0.0.2:3000',
      ),
    );
  });

  it('refuses a host it has no address for', () => {
    expect(() => mapUpstreamHosts(TEMPLATE, { 'app-1': '127.0.0.1' })).toThrow(
      'No address given for upstream server app-2',
    );
  });
});

describe('renderLocalNginxConfig', () => {
  const rendered = renderLocalNginxConfig(TEMPLATE, {
    listenPort: 18080,
    appPorts: [4001, 4002, 4003],
    runtimeDir: '/run/x',
  });

  it('lists local instances with the parameters of the first server, where the servers were', () => {
    expect(rendered).toContain(
      [
        '    hash $remote_addr consistent;',
        '    server 127.0.0.1:4001 max_fails=3 fail_timeout=10s;',
        '    server 127.0.0.1:4002 max_fails=3 fail_timeout=10s;',
        '    server 127.0.0.1:4003 max_fails=3 fail_timeout=10s;',
        '    keepalive 32;',
      ].join('\n'),
    );
    expect(rendered).not.toContain('app-1');
  });

  it('listens on loopback only, and keeps its files in the runtime folder', () => {
    expect(rendered).toContain('    listen 127.0.0.1:18080;');
    expect(rendered.startsWith('pid /run/x/nginx.pid;\n')).toBe(true);
    expect(rendered).toContain(
      'http {\n  client_body_temp_path /run/x/client-body;',
    );
    expect(rendered).toContain('  access_log /run/x/access.log upstream;');
  });

  it('keeps every other line as written', () => {
    const changed = /server 127|listen|_temp_path|^pid|access_log/;
    const kept = (config: string) =>
      config
        .split('\n')
        .filter((line) => !changed.test(line) && !/server app-/.test(line));
    expect(kept(rendered)).toEqual(kept(TEMPLATE));
  });

  it('needs exactly one listen directive and one instance', () => {
    expect(() =>
      renderLocalNginxConfig(TEMPLATE.replace('listen 8080;', ''), {
        listenPort: 1,
        appPorts: [2],
        runtimeDir: '/x',
      }),
    ).toThrow(
      'Expected one listen directive in the nginx configuration, found 0',
    );
    expect(() =>
      renderLocalNginxConfig(TEMPLATE, {
        listenPort: 1,
        appPorts: [],
        runtimeDir: '/x',
      }),
    ).toThrow('An upstream needs at least one instance');
  });
});
