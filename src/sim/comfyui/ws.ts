// WebSocket sessions keyed by sid (comfyui.md §8.1–8.2): owner-only vs broadcast routing, the
// feature_flags handshake, binary preview frames (§8.5) and the mid-run socket-drop fault.
import type { WebSocket } from 'ws';
import { pyJsonDumps } from './pyjson.ts';
import type { Transcript, TranscriptEntry } from './transcript.ts';

type TranscriptRecord = Omit<TranscriptEntry, 'seq' | 'at'>;

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
  /** Open `hold()`s; frames wait in `pending` while any is open. */
  private holds = 0;
  private readonly pending: {
    session: WsSession;
    payload: string | Buffer;
    record: TranscriptRecord;
    dropAfter: DropPlan | null;
  }[] = [];
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
    this.deliver(session, text, {
      channel: 'ws',
      dir: 'out',
      kind: 'text',
      sid: session.sid,
      type,
      data,
      body: text,
    });
  }

  sendBinary(session: WsSession, frame: Buffer): void {
    this.deliver(session, frame, {
      channel: 'ws',
      dir: 'out',
      kind: 'binary',
      sid: session.sid,
      type: String(frame.readUInt32BE(0)),
      bytes: frame.length,
    });
  }

  /**
   * Holds every outgoing frame until the returned release is called (idempotent). The real server
   * writes WS frames from its event loop, which is busy answering POST /prompt until the reply is
   * out, so a prompt's first frames always follow its HTTP reply (§8.3); the HTTP side holds the
   * hub across that window.
   */
  hold(): () => void {
    this.holds += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds -= 1;
      if (this.holds > 0) return;
      const pending = this.pending.splice(0);
      for (const frame of pending) this.write(frame.session, frame.payload, frame.record, frame.dropAfter);
    };
  }

  private deliver(session: WsSession, payload: string | Buffer, record: TranscriptRecord): void {
    // The drop plan counts frames as the run produces them; the socket dies once the Kth is written.
    const dropAfter = session.ws.readyState === session.ws.OPEN ? this.countForDrop(session) : null;
    if (this.holds > 0) {
      this.pending.push({ session, payload, record, dropAfter });
      return;
    }
    this.write(session, payload, record, dropAfter);
  }

  private countForDrop(session: WsSession): DropPlan | null {
    const plan = this.drop;
    if (!plan || (plan.sid !== null && plan.sid !== session.sid)) return null;
    plan.sent += 1;
    if (plan.sent < plan.k) return null;
    this.drop = null;
    return plan;
  }

  private write(
    session: WsSession,
    payload: string | Buffer,
    record: TranscriptRecord,
    dropAfter: DropPlan | null,
  ): void {
    // Recorded when written, so the transcript shows the order on the wire.
    this.transcript.record(record);
    if (session.ws.readyState !== session.ws.OPEN) return;
    session.ws.send(payload, { binary: typeof payload !== 'string' });
    if (!dropAfter) return;
    const targets = dropAfter.sid === null ? [...this.registered.values()] : [session];
    for (const t of targets) {
      if (dropAfter.mode === 'reset') t.ws.terminate();
      else t.ws.close(1001, 'simulated drop');
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
    this.pending.length = 0;
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
