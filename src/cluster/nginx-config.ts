/** One `server host:port ...;` line of an upstream block. */
export interface UpstreamServer {
  host: string;
  port: number;
}

/** How to run a configuration on this machine, in front of local instances. */
export interface LocalNginxOptions {
  /** Port on 127.0.0.1 to listen on. */
  listenPort: number;
  /** Ports of the instances on 127.0.0.1, in order. */
  appPorts: readonly number[];
  /** A folder of this nginx's own, for its pid file and temporary files. */
  runtimeDir: string;
}

/** The upstream of the shipped nginx.conf. */
export const UPSTREAM_NAME = 'app';

const SERVER_LINE = /^([ \t]*)server[ \t]+([^\s:;]+):(\d+)([^;]*);[ \t]*$/;
const LISTEN_LINE = /^([ \t]*)listen[ \t]+[^;]+;[ \t]*$/;
const STDOUT_ACCESS_LOG = /^([ \t]*)access_log[ \t]+\/dev\/stdout\b([^;]*);/;

interface ServerLine extends UpstreamServer {
  indent: string;
  /** What follows host:port, like ` max_fails=1`. */
  parameters: string;
}

/** The servers of an upstream block, in order. */
export function parseUpstreamServers(
  config: string,
  upstream = UPSTREAM_NAME,
): UpstreamServer[] {
  return serverLines(findUpstream(config, upstream).body).map(
    ({ host, port }) => ({ host, port }),
  );
}

/**
 * The same configuration with every upstream host replaced by the address
 * given for it (`app-1` to `127.0.0.1`, say), so that `nginx -t` can check it
 * where those names do not resolve. Nothing else changes.
 */
export function mapUpstreamHosts(
  config: string,
  addresses: Readonly<Record<string, string>>,
  upstream = UPSTREAM_NAME,
): string {
  return replaceUpstreamServers(config, upstream, (servers) =>
    servers.map(({ indent, host, port, parameters }) => {
      const address = addresses[host];
      if (address === undefined) {
        throw new Error(`No address given for upstream server ${host}`);
      }
      return `${indent}server ${address}:${port}${parameters};`;
    }),
  );
}

/**
 * Renders the shipped configuration for instances on this machine: the
 * upstream lists 127.0.0.1 with the given ports (each with the parameters of
 * the template's first server), nginx listens on 127.0.0.1 only, and its pid
 * file, temporary files and access log (`access.log`, instead of
 * /dev/stdout) go into `runtimeDir`, so that it runs without root and beside
 * any other nginx. Every other directive is kept as written.
 */
export function renderLocalNginxConfig(
  template: string,
  options: LocalNginxOptions,
): string {
  if (options.appPorts.length === 0) {
    throw new Error('An upstream needs at least one instance');
  }
  const withServers = replaceUpstreamServers(
    template,
    UPSTREAM_NAME,
    ([first]) =>
      options.appPorts.map(
        (port) => `${first.indent}server 127.0.0.1:${port}${first.parameters};`,
      ),
  );
  const dir = options.runtimeDir;
  let listens = 0;
  let hasHttp = false;
  const lines = withServers.split('\n').flatMap((line) => {
    const listen = LISTEN_LINE.exec(line);
    if (listen) {
      listens += 1;
      return [`${listen[1]}listen 127.0.0.1:${options.listenPort};`];
    }
    // A child process's stdout is a socket, which nginx cannot open().
    const accessLog = STDOUT_ACCESS_LOG.exec(line);
    if (accessLog) {
      return [`${accessLog[1]}access_log ${dir}/access.log${accessLog[2]};`];
    }
    if (/^http[ \t]*\{[ \t]*$/.test(line)) {
      hasHttp = true;
      return [
        line,
        `  client_body_temp_path ${dir}/client-body;`,
        `  proxy_temp_path ${dir}/proxy;`,
        `  fastcgi_temp_path ${dir}/fastcgi;`,
        `  uwsgi_temp_path ${dir}/uwsgi;`,
        `  scgi_temp_path ${dir}/scgi;`,
      ];
    }
    return [line];
  });
  if (listens !== 1) {
    throw new Error(
      `Expected one listen directive in the nginx configuration, found ${listens}`,
    );
  }
  if (!hasHttp) {
    throw new Error('The nginx configuration has no "http {" block');
  }
  return [`pid ${dir}/nginx.pid;`, ...lines].join('\n');
}

/** Replaces the server lines of an upstream with others, where the first one was. */
function replaceUpstreamServers(
  config: string,
  upstream: string,
  replace: (servers: ServerLine[]) => string[],
): string {
  const { start, end, body } = findUpstream(config, upstream);
  const servers = serverLines(body);
  if (servers.length === 0) {
    throw new Error(`upstream ${upstream} has no "server host:port" line`);
  }
  const replacement = replace(servers);
  let isFirst = true;
  const newBody = body.split('\n').flatMap((line) => {
    if (!SERVER_LINE.test(line)) {
      return [line];
    }
    const inserted = isFirst ? replacement : [];
    isFirst = false;
    return inserted;
  });
  return config.slice(0, start) + newBody.join('\n') + config.slice(end);
}

function serverLines(body: string): ServerLine[] {
  return body.split('\n').flatMap((line) => {
    const match = SERVER_LINE.exec(line);
    return match
      ? [
          {
            indent: match[1],
            host: match[2],
            port: Number(match[3]),
            parameters: match[4],
          },
        ]
      : [];
  });
}

function findUpstream(
  config: string,
  name: string,
): { start: number; end: number; body: string } {
  const opening = new RegExp(`^[ \\t]*upstream[ \\t]+${name}[ \\t]*\\{`, 'm');
  const match = opening.exec(config);
  if (!match) {
    throw new Error(`The nginx configuration has no "upstream ${name}" block`);
  }
  const start = match.index + match[0].length;
  const end = config.indexOf('}', start);
  if (end < 0) {
    throw new Error(`upstream ${name} is not closed`);
  }
  return { start, end, body: config.slice(start, end) };
}
