// Observes WebSocket traffic: the upgrade request is scanned like an outbound request head
// (protocol `websocket`), then every message as one `websocket` part, outbound when the agent sent
// it (mockttp: `received` from its client), inbound when it came from upstream (`sent` to the
// client). Messages arrive already decompressed (permessage-deflate) and are cut at maxScanBytes.
import type { ScanPart } from '../../lib/scan/types.ts';
import { normaliseAddress } from './client-filter.ts';
import { formatDest, headerParts, urlParts, urlPath, type RawHeaders } from './message-parts.ts';
import type { Sink } from './inspect-sink.ts';

export interface WsUpgrade {
  id: string;
  url: string;
  method: string;
  remoteIpAddress?: string;
  destination: { hostname: string; port: number };
  rawHeaders: RawHeaders;
}
export interface WsMessage {
  streamId: string;
  direction: 'sent' | 'received';
  content: Uint8Array;
}

interface Stream {
  agent?: string;
  source?: string;
  dest?: string;
  path?: string;
  /** messages seen before the upgrade event (events of different kinds are not ordered) */
  early: WsMessage[];
}

const MAX_EARLY = 32;
const MAX_STREAMS = 10_000;

export class WebSocketTap {
  private readonly streams = new Map<string, Stream>();

  constructor(private readonly sink: Sink) {}

  started(id: string, agent: string | undefined): void {
    const s = this.get(id);
    if (agent) s.agent = agent;
  }

  upgrade(req: WsUpgrade): void {
    const s = this.get(req.id);
    s.source = normaliseAddress(req.remoteIpAddress ?? 'unknown');
    s.dest = formatDest(req.destination.hostname, req.destination.port);
    s.path = urlPath(req.url);
    const max = this.sink.maxScanBytes;
    this.emit(s, 'outbound', [...urlParts(req.url, max), ...headerParts(req.rawHeaders, max)], req.method);
    for (const m of s.early.splice(0)) this.message(m);
  }

  message(msg: WsMessage): void {
    const s = this.get(msg.streamId);
    if (!s.dest) {
      if (s.early.length < MAX_EARLY) s.early.push(msg);
      return;
    }
    this.sink.counters.stats.ws_messages++;
    const max = this.sink.maxScanBytes;
    const cut = msg.content.length > max;
    const text = Buffer.from(msg.content.buffer, msg.content.byteOffset, Math.min(msg.content.length, max)).toString('utf8');
    if (text.length === 0) return;
    const part: ScanPart = { location: 'websocket', text, ...(cut ? { truncated: true } : {}) };
    this.emit(s, msg.direction === 'received' ? 'outbound' : 'inbound', [part]);
  }

  closed(id: string): void {
    this.streams.delete(id);
  }

  stop(): void {
    this.streams.clear();
  }

  private get(id: string): Stream {
    let s = this.streams.get(id);
    if (!s) {
      // Closes can be missed (a dropped TCP connection fires `abort`, handled too); cap the map anyway.
      if (this.streams.size >= MAX_STREAMS) this.streams.delete(this.streams.keys().next().value!);
      s = { early: [] };
      this.streams.set(id, s);
    }
    return s;
  }

  private emit(s: Stream, direction: 'outbound' | 'inbound', parts: ScanPart[], method?: string): void {
    this.sink.deliver({
      direction,
      protocol: 'websocket',
      platform: this.sink.platform,
      source: s.source ?? 'unknown',
      dest: s.dest ?? 'unknown',
      parts,
      ...(method ? { method } : {}),
      ...(s.path ? { path: s.path } : {}),
      ...(s.agent ? { agent: s.agent } : {}),
    });
  }
}
