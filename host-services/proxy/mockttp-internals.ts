// The few places where the monitor reaches inside mockttp 4.6, kept together so an upgrade has one
// file to check. Each hook is verified at start; if mockttp's shape changed the monitor refuses to
// start (fail closed) rather than run as an open proxy.
//
//  1. `server` (private field): the combo server is captured the moment mockttp creates it, before
//     it listens, to (a) bind the listener to the configured host instead of every interface and
//     (b) put the client filter first on 'connection', ahead of mockttp's protocol sniffing.
//  2. `preprocessRequest` (private method, called per request): sees the client's
//     Proxy-Authorization before mockttp strips it (agent attribution), and hands over the request
//     whose body stream the passthrough will pipe upstream (http-tap.ts taps that stream).
//  3. `passthroughSocket` (private method, bound when the server is created): un-inspected tunnels
//     are observed here and, with an upstream proxy, dialled through it (mockttp dials directly).
//  4. `app` (private field, the request listener handed to the server at start): each HTTP
//     request's raw response object is noted on its way in, so `onRequestStart` gets it and the
//     response can be observed as mockttp writes it (http-tap.ts) instead of through mockttp's
//     response events (a timer, setImmediates and a head copy per response).
import type * as http from 'node:http';
import type * as net from 'node:net';
import type { Mockttp } from 'mockttp';
import { GuardianError } from '../../lib/errors.ts';

/** The parts of mockttp's OngoingRequest the monitor reads (headers already without proxy credentials). */
export interface StartedRequest {
  id: string;
  protocol: string;
  method: string;
  url: string;
  remoteIpAddress?: string;
  remotePort?: number;
  destination: { hostname: string; port: number };
  rawHeaders: Array<[string, string]>;
  /** lower-case names (mockttp's copy, proxy credentials removed) */
  headers: Record<string, string | string[] | undefined>;
  httpVersionMajor: number;
  /** live: mockttp appends `passthrough-error:<code>` here when the upstream fails */
  tags: string[];
  body: { asStream(): import('node:stream').Readable };
}

export type PassthroughFn = (type: 'raw' | 'tls', socket: net.Socket, hostname: string, port?: number) => void;

export interface InternalHooks {
  host: string;
  /** decide on a freshly accepted socket; false = destroyed before mockttp reads it */
  acceptSocket(socket: net.Socket): boolean;
  /** a CONNECT arrived (headers intact) on this socket */
  onConnect(req: http.IncomingMessage, socket: net.Socket): void;
  /**
   * mockttp accepted a request (HTTP or WebSocket upgrade); `proxyAuthorization` as the client sent
   * it; `response` is the raw response mockttp will write (HTTP requests only), not yet written to.
   */
  onRequestStart(started: StartedRequest, type: 'request' | 'websocket', proxyAuthorization: string | undefined, response: RawResponse | undefined): void;
  /** replaces mockttp's tunnel dial; `original` is mockttp's own */
  passthrough(original: PassthroughFn, type: 'raw' | 'tls', socket: net.Socket, hostname: string, port?: number): void;
}

/** http.ServerResponse or http2.Http2ServerResponse, as mockttp's request listener receives it */
export type RawResponse = http.ServerResponse;

type RequestListener = (this: unknown, req: http.IncomingMessage, res: RawResponse, next?: unknown) => unknown;

interface Internals {
  server?: net.Server;
  app?: RequestListener;
  preprocessRequest?: (req: http.IncomingMessage, type: string, emitter: unknown) => StartedRequest | null;
  passthroughSocket?: PassthroughFn;
}

export interface HookedServer {
  /** throws GuardianError when a hook did not take (mockttp internals changed) */
  verify(): void;
  server(): net.Server | undefined;
}

/** Install the hooks on a mockttp instance created by getLocal() but not yet started. */
export function hookMockttp(proxy: Mockttp, hooks: InternalHooks): HookedServer {
  const inner = proxy as unknown as Internals;
  const problems: string[] = [];
  let captured: net.Server | undefined;
  let listenWrapped = false;

  if (!Object.prototype.hasOwnProperty.call(inner, 'server')) problems.push('server field');
  Object.defineProperty(inner, 'server', {
    configurable: true,
    enumerable: true,
    get: () => captured,
    set: (srv: net.Server | undefined) => {
      captured = srv;
      if (srv) prepareServer(srv);
    },
  });

  function prepareServer(srv: net.Server): void {
    const listen = srv.listen.bind(srv) as (...args: unknown[]) => net.Server;
    (srv as { listen: unknown }).listen = (...args: unknown[]): net.Server => {
      if (typeof args[0] === 'number') {
        listenWrapped = true;
        return listen({ port: args[0], host: hooks.host });
      }
      return listen(...args);
    };
    // httpolyglot copies listeners added to the outer server onto its sub-servers; `this` tells
    // them apart, and only sockets accepted by the outer server (every byte enters there) are judged.
    srv.prependListener('connection', function filter(this: unknown, socket: net.Socket) {
      if (this !== srv) return;
      let accept = false;
      try {
        accept = hooks.acceptSocket(socket);
      } catch {
        accept = false; // fail closed
      }
      if (!accept) socket.destroy();
    });
    srv.on('connect', (req: http.IncomingMessage, socket: unknown) => {
      try {
        if (socket && typeof (socket as net.Socket).remotePort === 'number') hooks.onConnect(req, socket as net.Socket);
      } catch {
        // attribution is best effort; the tunnel itself is mockttp's business
      }
    });
  }

  // The request listener runs mockttp's handleRequest, which calls preprocessRequest synchronously
  // before its first await: the pair noted here is the one preprocessRequest sees (checked by
  // identity, so a WebSocket upgrade, which comes another way, never picks up a stale response).
  let pendingReq: http.IncomingMessage | undefined;
  let pendingRes: RawResponse | undefined;
  const app = inner.app;
  if (typeof app !== 'function') problems.push('app request listener');
  else {
    inner.app = function (this: unknown, req: http.IncomingMessage, res: RawResponse, next?: unknown) {
      pendingReq = req;
      pendingRes = res;
      try {
        return app.call(this, req, res, next);
      } finally {
        pendingReq = undefined;
        pendingRes = undefined;
      }
    };
  }

  const preprocess = inner.preprocessRequest;
  if (typeof preprocess !== 'function') problems.push('preprocessRequest method');
  else {
    inner.preprocessRequest = function (this: unknown, req, type, emitter) {
      // Read before mockttp replaces req.headers with a copy that drops proxy credentials.
      const auth = req.headers['proxy-authorization'];
      const response = pendingReq === req ? pendingRes : undefined;
      const started = preprocess.call(this, req, type, emitter);
      if (started) {
        try {
          hooks.onRequestStart(started, type === 'websocket' ? 'websocket' : 'request', auth, response);
        } catch {
          // observation never breaks a request
        }
      }
      return started;
    };
  }

  const passthrough = inner.passthroughSocket;
  if (typeof passthrough !== 'function') problems.push('passthroughSocket method');
  else {
    const original: PassthroughFn = (type, socket, hostname, port) => passthrough.call(proxy, type, socket, hostname, port);
    inner.passthroughSocket = (type, socket, hostname, port) => hooks.passthrough(original, type, socket, hostname, port);
  }

  return {
    server: () => captured,
    verify() {
      if (!captured) problems.push('server capture');
      if (captured && !listenWrapped) problems.push('listen host binding');
      if (problems.length) {
        throw new GuardianError('INTERNAL', `mockttp internals differ from 4.6 (${problems.join(', ')}); refusing to run without the client filter`, {
          fix: 'install the mockttp version in package.json (npm ci)',
        });
      }
    },
  };
}
