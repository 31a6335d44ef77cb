// WebSocket sessions keyed by sid (comfyui.md §8.1–8.2): owner-only vs broadcast routing, the
// feature_flags handshake, binary preview frames (§8.5) and the mid-run socket-drop fault.
import type { WebSocket } from 'ws';
import { pyJsonDumps } from './pyjson.ts';
import type { Transcript } from './transcript.ts';

export interface WsSession {
  sid: string;
  ws: WebSocket;
  /** Negotiated via the first `feature_flags` message: previews then arrive as type 4. */
  previewMetadata: boolean;
  firstTextSeen: boolean;
}

interface DropPlan {
  k: number;
  mode: 'close' | 'reset';
  /** Only frames to this sid count (null: any registered socket). */
  sid: string | null;
  sent: number;
}

export class WsHub {
  /** Registered sessions: the sid → socket dictionary the server routes by. */
  private readonly registered = new Map<string, WsSession>();
  /** Every open socket, registered or orphaned by a reconnect. */
  private readonly open = new Set<WsSession>();
  private drop: DropPlan | null = null;
  private readonly transcript: Transcript;
  /** Reproduce issue #16010: an old socket's close unregisters the sid even if a new socket took it. */
  reconnectBug: boolean;

  constructor(transcript: Transcript, reconnectBug: boolean) {
    this.transcript = transcript;
    this.reconnectBug = reconnectBug;
  }

  add(sid: string, ws: WebSocket): WsSession {
    const session: WsSession = { sid, ws, previewMetadata: false, firstTextSeen: false };
    this.registered.set(sid, session);
    this.open.add(session);
    this.transcript.record({ channel: 'ws', dir: 'in', kind: 'open', sid });
    return session;
  }

  remove(session: WsSession): void {
    this.open.delete(session);
    if (this.reconnectBug || this.registered.get(session.sid) === session)
      this.registered.delete(session.sid);
    this.transcript.record({ channel: 'ws', dir: 'in', kind: 'close', sid: session.sid });
  }

  get(sid: string): WsSession | undefined {
    return this.registered.get(sid);
  }

  get size(): number {
    return this.registered.size;
  }

  /** The sessions a message for `sid` reaches: that sid only, or every registered socket when null. */
  recipients(sid: string | null): WsSession[] {
    if (sid === null) return [...this.registered.values()];
    const s = this.registered.get(sid);
    return s ? [s] : [];
  }

  /** `send_sync(event, data, sid)`: JSON frame to the owner, or to everyone when sid is null. */
  send(type: string, data: unknown, sid: string | null): void {
    for (const session of this.recipients(sid)) this.sendJson(session, type, data);
  }

  sendJson(session: WsSession, type: string, data: unknown): void {
    const text = pyJsonDumps({ type, data });
    this.transcript.record({
      channel: 'ws',
      dir: 'out',
      kind: 'text',
      sid: session.sid,
      type,
      data,
      body: text,
    });
    this.deliver(session, text);
  }

  sendBinary(session: WsSession, frame: Buffer): void {
    this.transcript.record({
      channel: 'ws',
      dir: 'out',
      kind: 'binary',
      sid: session.sid,
      type: String(frame.readUInt32BE(0)),
      bytes: frame.length,
    });
    this.deliver(session, frame);
  }

  private deliver(session: WsSession, payload: string | Buffer): void {
    if (session.ws.readyState !== session.ws.OPEN) return;
    session.ws.send(payload, { binary: typeof payload !== 'string' });
    const plan = this.drop;
    if (plan && (plan.sid === null || plan.sid === session.sid)) {
      plan.sent += 1;
      if (plan.sent >= plan.k) {
        this.drop = null;
        const targets = plan.sid === null ? [...this.registered.values()] : [session];
        for (const t of targets) {
          if (plan.mode === 'reset') t.ws.terminate();
          else t.ws.close(1001, 'simulated drop');
        }
      }
    }
  }

  armDrop(k: number, mode: 'close' | 'reset', sid: string | null): void {
    this.drop = { k, mode, sid, sent: 0 };
  }

  disarmDrop(): void {
    this.drop = null;
  }

  /** Server restart: every socket dies abruptly. */
  terminateAll(): void {
    for (const s of this.open) s.ws.terminate();
    this.open.clear();
    this.registered.clear();
    this.drop = null;
  }
}

/** Binary frame type 1: u32 event, u32 image format (1 = JPEG, 2 = PNG), image bytes. */
export function previewFrame(jpeg: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(1, 0);
  head.writeUInt32BE(1, 4);
  return Buffer.concat([head, jpeg]);
}

/** Binary frame type 4: u32 event, u32 metadata length, metadata JSON, image bytes. */
export function previewFrameWithMetadata(jpeg: Buffer, metadata: Record<string, unknown>): Buffer {
  const json = Buffer.from(pyJsonDumps(metadata), 'utf8');
  const head = Buffer.alloc(8);
  head.writeUInt32BE(4, 0);
  head.writeUInt32BE(json.length, 4);
  return Buffer.concat([head, json, jpeg]);
}
