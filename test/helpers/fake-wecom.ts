// A local fake of WeCom's (企业微信) server API for tests: gettoken, message/send (text, markdown, button_interaction
// template cards, image and file messages), message/update_template_card, media/get (the pictures and files users
// send) and media/upload (multipart), with WeCom's silent behaviours modelled, failure injection and records.
//
// What WeCom does that the fake copies:
// - Every answer is HTTP 200 with `errcode`/`errmsg` (errmsg carries a hint, the caller's IP and a link, as WeCom's
//   do: match it with startsWith or a regex). Only injected '5xx' answers have another status (and an HTML body).
// - gettoken hands back the same token while it lives (expires_in is what is left of it); an unknown token is 40014,
//   an expired or revoked one 42001, none at all 41001.
// - A text or markdown longer than 2048 bytes is cut to 2048 bytes without a word (at a character boundary here;
//   the record's `truncatedFrom` keeps the original size).
// - More than 30 messages a minute or 1000 an hour from the app to one person: the rest are dropped WITHOUT an error
//   (errcode 0). They land in `dropped`, not `messages`. Only delivered messages count towards the windows.
// - enable_duplicate_check: 1: an identical body within duplicate_check_interval seconds (default 1800) is not shown
//   again; the answer is errcode 0 with the first send's msgid (and response_code), recorded in `deduplicated`.
// - A button_interaction card's send answers one response_code, usable once (72 h) to update_template_card.
// - A media id (a user's picture or file, or one uploaded) lives three days: after that media/get and a message naming
//   it answer 40007 'invalid media_id'. media/get answers the bytes with a Content-disposition naming the media id.
// - media/upload takes multipart with the file in a part named `media` (with a filename); an image must be JPG or PNG
//   of at most 10 MB, a file at most 20 MB, and none 5 bytes or fewer.
//
// The codes the fake picks where WeCom's reference is vague (all HTTP 200):
// - 40058 'task_id exist' for a task_id used before by this app; 40058 'invalid task_id' for a bad one (charset
//   [A-Za-z0-9_-@], 1–128 bytes), 40058 for > 6 buttons, a button key over 1024 bytes, and other bad card fields.
// - 40058 'invalid response_code' for a response code never issued, already used, or older than 72 h.
// - 40056 'invalid agentid' (41011 when missing), 40008 'invalid message type', 44004 'empty content',
//   40031 'invalid userid list' (> 1000 users, @all, toparty/totag: the fake models touser only),
//   81013 'user & party & tag all invalid', 47001 'data format error' (body not a JSON object),
//   43002 'require POST method' / 43001 'require GET method', 40004 'invalid media type', 40005 'invalid file type',
//   40006 'invalid media size', 44001 'empty media data' (no `media` part, or not multipart).
import { FakeApi, listenFake, readBytes, readForm, type Injected } from './fake-api.ts';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

export type FailureKind =
  /** HTTP 500, 502 or 503 in turn (or `status`), with an HTML body. */
  | '5xx'
  /** errcode 45009 'api freq out of limit'. */
  | 'rate'
  /** errcode 45033 'api concurrent out of limit'. */
  | 'concurrent'
  /** errcode -1 'system busy'. */
  | 'busy'
  /** Revokes the token the request carried, then errcode 42001 (the token stays invalid: 42001 again until a new one). */
  | 'expired'
  /** errcode 60020 'not allow to access from your ip, …, from ip: <ip>'. */
  | 'ip'
  /** Handles the request normally but answers only after `slowMs` (the work is done even if the client gave up). */
  | 'slow'
  /** Any other errcode (`errcode`, default 40058, and `errmsg`), nothing done. */
  | 'errcode';

export interface FailOptions {
  /** Let the failure hit gettoken too (by default only the other routes fail; 'expired' never hits gettoken). */
  includeToken?: boolean;
  /** Only requests to this path (e.g. '/cgi-bin/message/update_template_card'); others pass the failure by. */
  path?: string;
  /** For 'slow': how long to hold the answer (default: the fake's slowMs, 3000 ms). */
  slowMs?: number;
  /** For '5xx': the exact status instead of cycling 500/502/503. */
  status?: number;
  /** For 'ip': the IP WeCom names (default: the fake's egressIp, 1.2.3.4). */
  ip?: string;
  /** For 'errcode'. */
  errcode?: number;
  errmsg?: string;
}

export interface FakeWecomOptions {
  corpId?: string;
  /** The app's corpsecret. */
  secret?: string;
  agentId?: number;
  /** Known userids; without it any userid of [A-Za-z0-9_.-@] (1–64) is a member. `unknownUsers` wins over both. */
  users?: string[];
  /** Lifetime of an access_token, seconds (WeCom: 7200). */
  tokenTtlSec?: number;
  /** Default delay for 'slow' failures. */
  slowMs?: number;
  /** Per person from this app: WeCom drops what goes beyond (30 a minute, 1000 an hour). */
  perMinute?: number;
  perHour?: number;
  /** The IP errmsgs name as the caller's ('from ip: …'). */
  egressIp?: string;
  /** Clock for token lifetime, the per-person windows, the duplicate check and response codes' 72 h. */
  now?: () => number;
}

export interface DeliveredMessage {
  msgid: string;
  /** The recipients it reached (valid and within their limits), in the order given. One record per send. */
  touser: string[];
  /** Recipients WeCom answered as invaliduser. */
  invalid: string[];
  msgtype: 'text' | 'markdown' | 'template_card' | 'image' | 'file';
  /** The parsed sub-object: `{content}` for text and markdown (after truncation), the template_card for cards,
   *  `{media_id}` for an image or a file. */
  content: Record<string, unknown>;
  /** The whole request body as parsed. */
  body: Record<string, unknown>;
  /** For text and markdown cut to 2048 bytes: the content's original size in bytes. */
  truncatedFrom?: number;
  taskId?: string;
  responseCode?: string;
  at: number;
}

export interface DroppedMessage {
  msgid: string;
  /** One record per person a send was dropped for. */
  userid: string;
  /** Which window was full. */
  limit: 'minute' | 'hour';
  msgtype: DeliveredMessage['msgtype'];
  content: Record<string, unknown>;
  taskId?: string;
  at: number;
}

export interface DeduplicatedSend {
  /** The msgid of the first, delivered, send. */
  msgid: string;
  touser: string[];
  msgtype: DeliveredMessage['msgtype'];
  content: Record<string, unknown>;
  /** When the first send was. */
  firstAt: number;
  at: number;
}

export interface UpdateRecord {
  responseCode: string;
  /** The task_id of the card the response code belongs to. */
  taskId: string;
  userids: string[];
  invalid: string[];
  /** `button.replace_name` when the buttons were replaced by a word. */
  replaceName?: string;
  /** The full template_card when the card was redrawn. */
  card?: Record<string, unknown>;
  body: Record<string, unknown>;
  at: number;
}

export interface RequestRecord {
  method: string;
  path: string;
  query: Record<string, string>;
  /** The status answered (for 'slow', the one that will be answered). */
  status: number;
  /** The errcode answered, when JSON. */
  errcode?: number;
  injected?: FailureKind;
  /** The access_token the request carried. */
  token?: string;
  at: number;
}

/** A file uploaded to media/upload, as the multipart body carried it. */
export interface MediaUpload {
  mediaId: string;
  /** The `type` query parameter. */
  type: string;
  /** The part's field name (WeCom's is `media`), file name, type and bytes. */
  part: string;
  filename?: string;
  contentType?: string;
  bytes: Buffer;
  at: number;
}

interface Media {
  bytes: Buffer;
  type: string;
  contentType: string;
  createdAt: number;
}

export interface TokenRequest {
  corpId: string;
  ok: boolean;
  errcode: number;
  token?: string;
  at: number;
}

export interface CardView {
  msgid: string;
  taskId: string;
  /** The send's response code (whether or not it was used since). */
  responseCode: string;
  buttons: { text: string; key: string; style?: number }[];
  card: Record<string, unknown>;
  /** Updates made to this card that named this person. */
  updates: UpdateRecord[];
  at: number;
}

const MAX_TEXT_BYTES = 2048;
const MAX_USERS = 1000;
const MAX_BUTTONS = 6;
const MAX_KEY_BYTES = 1024;
const TASK_ID = /^[A-Za-z0-9_\-@]{1,128}$/;
const USERID = /^[A-Za-z0-9_.\-@]{1,64}$/;
const RESPONSE_CODE_TTL_MS = 72 * 3600 * 1000;
const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const MEDIA_TTL_MS = 3 * 24 * HOUR_MS;
const MEDIA_TYPES = new Set(['image', 'voice', 'video', 'file']);
const MEDIA_MAX: Record<string, number> = { image: 10 * 1024 * 1024, voice: 2 * 1024 * 1024, video: 10 * 1024 * 1024, file: 20 * 1024 * 1024 };

interface Answer {
  status: number;
  body: unknown;
  /** A binary answer (media/get), sent as it is with these headers. */
  bytes?: Buffer;
  headers?: Record<string, string>;
}

type Route = { method: 'GET' | 'POST'; run: (q: Record<string, string>, raw: Buffer, contentType: string | undefined) => Answer | Promise<Answer> };

type QueuedFailure = Injected<FailureKind, FailOptions>;

interface TokenState {
  expiresAt: number;
  revoked: boolean;
}

const ok = (extra: Record<string, unknown> = {}): Answer => ({ status: 200, body: { errcode: 0, errmsg: 'ok', ...extra } });

export class FakeWecom extends FakeApi<FailureKind, FailOptions> {
  readonly corpId: string;
  readonly secret: string;
  readonly agentId: number;
  /** Delivered sends, in order: one record per send, `touser` the people it reached. */
  messages: DeliveredMessage[] = [];
  /** Sends WeCom dropped silently for a person over 30 a minute or 1000 an hour: one record per person. */
  dropped: DroppedMessage[] = [];
  /** Sends not shown again because of enable_duplicate_check. */
  deduplicated: DeduplicatedSend[] = [];
  updates: UpdateRecord[] = [];
  /** Every request, gettoken included, in arrival order. */
  requests: RequestRecord[] = [];
  tokenRequests: TokenRequest[] = [];
  /** Userids WeCom answers as invaliduser (not members, or outside the app's visible range). */
  unknownUsers = new Set<string>();
  /** Files uploaded to media/upload, in order; media ids fetched with media/get. */
  uploads: MediaUpload[] = [];
  mediaDownloads: string[] = [];
  /** Every media id WeCom knows: users' pictures and files (offerMedia) and uploads. */
  media = new Map<string, Media>();
  /** The clock; replace it (e.g. `fake.now = () => t`) to move time. reset() restores the one given at start. */
  now: () => number;

  private readonly users: Set<string> | undefined;
  private readonly tokenTtlMs: number;
  private readonly slowMs: number;
  private readonly perMinute: number;
  private readonly perHour: number;
  private readonly egressIp: string;
  private readonly startNow: () => number;
  private hintSeq = 0;
  private tokens = new Map<string, TokenState>();
  private taskIds = new Set<string>();
  private responseCodes = new Map<string, { taskId: string; issuedAt: number; used: boolean }>();
  /** Delivery times per person, for the minute and hour windows. */
  private sentAt = new Map<string, number[]>();
  /** Duplicate check: body → the first send's answer. */
  private bodies = new Map<string, { at: number; answer: Record<string, unknown>; msgid: string }>();

  private constructor(server: Server, url: string, opts: FakeWecomOptions) {
    super(server, url);
    this.corpId = opts.corpId ?? 'ww0123456789abcdef';
    this.secret = opts.secret ?? 'fake-corp-secret-0123456789abcdefghijklmnopq';
    this.agentId = opts.agentId ?? 1000002;
    this.users = opts.users ? new Set(opts.users) : undefined;
    this.tokenTtlMs = (opts.tokenTtlSec ?? 7200) * 1000;
    this.slowMs = opts.slowMs ?? 3000;
    this.perMinute = opts.perMinute ?? 30;
    this.perHour = opts.perHour ?? 1000;
    this.egressIp = opts.egressIp ?? '1.2.3.4';
    this.startNow = opts.now ?? Date.now;
    this.now = this.startNow;
  }

  static async start(opts: FakeWecomOptions = {}): Promise<FakeWecom> {
    let fake: FakeWecom | undefined;
    const { server, url } = await listenFake('fake-wecom', () => (req, res) => fake!.handle(req, res));
    fake = new FakeWecom(server, url, opts);
    return fake;
  }

  /** Every token issued so far expires now: requests bearing one get 42001, and gettoken issues a new one. */
  expireTokens(): void {
    for (const t of this.tokens.values()) t.revoked = true;
  }

  /** Tokens currently valid. */
  validTokens(): string[] {
    const now = this.now();
    return [...this.tokens].filter(([, s]) => !s.revoked && s.expiresAt > now).map(([t]) => t);
  }

  /** A new single-use response code for a card, as WeCom puts in a template_card_event when a button is pressed. */
  issueResponseCode(taskId: string): string {
    if (!this.taskIds.has(taskId)) throw new Error(`fake-wecom: no card with task_id ${taskId} was sent`);
    const code = randomCode();
    this.responseCodes.set(code, { taskId, issuedAt: this.now(), used: false });
    return code;
  }

  /** Whether a response code was issued and is still usable. */
  responseCodeUsable(code: string): boolean {
    const rc = this.responseCodes.get(code);
    return !!rc && !rc.used && this.now() - rc.issuedAt < RESPONSE_CODE_TTL_MS;
  }

  /** The sends delivered to a person, in order. */
  messagesTo(userid: string): DeliveredMessage[] {
    return this.messages.filter((m) => m.touser.includes(userid));
  }

  /** The template cards delivered to a person, in order. */
  cardsTo(userid: string): CardView[] {
    return this.messagesTo(userid)
      .filter((m) => m.msgtype === 'template_card')
      .map((m) => {
        const card = m.content;
        const list = Array.isArray(card.button_list) ? (card.button_list as Record<string, unknown>[]) : [];
        const buttons = list.map((b) => ({
          text: String(b.text ?? ''),
          key: String(b.key ?? ''),
          ...(typeof b.style === 'number' ? { style: b.style } : {}),
        }));
        return {
          msgid: m.msgid,
          taskId: m.taskId!,
          responseCode: m.responseCode!,
          buttons,
          card,
          updates: this.updates.filter((u) => u.taskId === m.taskId && u.userids.includes(userid)),
          at: m.at,
        };
      });
  }

  /** The last template card delivered to a person; throws if there is none. */
  lastCardTo(userid: string): CardView {
    const cards = this.cardsTo(userid);
    const last = cards[cards.length - 1];
    if (!last) throw new Error(`fake-wecom: ${userid} has received no template card`);
    return last;
  }

  /** A user sends a picture or a file: WeCom keeps it under a new media id (for three days), which the callback names. */
  offerMedia(bytes: Buffer, opts: { type?: 'image' | 'file'; contentType?: string } = {}): string {
    const mediaId = `1${randomBytes(40).toString('base64url')}`;
    this.media.set(mediaId, { bytes, type: opts.type ?? 'file', contentType: opts.contentType ?? 'application/octet-stream', createdAt: this.now() });
    return mediaId;
  }

  /** The upload a media id came from. */
  uploaded(mediaId: string): MediaUpload | undefined {
    return this.uploads.find((u) => u.mediaId === mediaId);
  }

  /** Forget everything: records, tokens, task ids, response codes, windows, duplicates, media, failures, unknown users, the clock. */
  reset(): void {
    this.uploads = [];
    this.mediaDownloads = [];
    this.media.clear();
    this.messages = [];
    this.dropped = [];
    this.deduplicated = [];
    this.updates = [];
    this.requests = [];
    this.tokenRequests = [];
    this.unknownUsers.clear();
    this.now = this.startNow;
    this.tokens.clear();
    this.taskIds.clear();
    this.responseCodes.clear();
    this.sentAt.clear();
    this.bodies.clear();
    this.clearFailures();
  }

  // ---- HTTP ----

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const method = req.method ?? 'GET';
    const path = url.pathname;
    const query = Object.fromEntries(url.searchParams);
    const token = url.searchParams.get('access_token') ?? undefined;
    const record: RequestRecord = { method, path, query, status: 0, at: this.now() };
    if (token !== undefined) record.token = token;
    this.requests.push(record);

    const raw = await readBytes(req);
    const isToken = path === '/cgi-bin/gettoken';
    const route = isToken ? undefined : this.route(path);
    let answer: Answer;
    let delayMs = 0;
    if (!isToken && !route) {
      answer = { status: 404, body: '<html><body><h1>404 Not Found</h1></body></html>' };
    } else {
      const injected = this.draw(isToken, path);
      if (injected) record.injected = injected.kind;
      const authFailure = isToken ? undefined : this.checkAuth(token);
      if (injected && injected.kind !== 'slow' && !(authFailure && injected.kind === 'expired')) {
        answer = this.injectedAnswer(injected, token);
      } else if (authFailure) {
        answer = authFailure;
      } else if (isToken) {
        answer = method === 'GET' ? this.gettoken(query) : this.error(43001, 'require GET method');
      } else if (method !== route!.method) {
        answer = route!.method === 'POST' ? this.error(43002, 'require POST method') : this.error(43001, 'require GET method');
      } else {
        answer = await route!.run(query, raw, req.headers['content-type']);
      }
      if (injected?.kind === 'slow') delayMs = injected.opts.slowMs ?? this.slowMs;
    }

    record.status = answer.status;
    const errcode = (answer.body as { errcode?: unknown } | null)?.errcode;
    if (typeof errcode === 'number') record.errcode = errcode;
    const send = () => {
      if (res.destroyed) return;
      if (answer.bytes) {
        res.writeHead(answer.status, { 'content-length': String(answer.bytes.length), ...answer.headers });
        res.end(answer.bytes);
        return;
      }
      const isJson = typeof answer.body !== 'string';
      res.writeHead(answer.status, {
        'content-type': isJson ? 'application/json; charset=UTF-8' : 'text/html; charset=utf-8',
        'error-code': String(record.errcode ?? ''),
      });
      res.end(isJson ? JSON.stringify(answer.body) : (answer.body as string));
    };
    this.answerAfter(delayMs, send);
  }

  private route(path: string): Route | undefined {
    const json = (handle: (b: Record<string, unknown>) => Answer): Route => ({
      method: 'POST',
      run: (_q, raw) => {
        const body = parseObject(raw.toString('utf8'));
        return body ? handle(body) : this.error(47001, 'data format error');
      },
    });
    if (path === '/cgi-bin/message/send') return json((b) => this.send(b));
    if (path === '/cgi-bin/message/update_template_card') return json((b) => this.updateCard(b));
    if (path === '/cgi-bin/media/get') return { method: 'GET', run: (q) => this.mediaGet(q) };
    if (path === '/cgi-bin/media/upload') return { method: 'POST', run: (q, raw, ct) => this.mediaUpload(q, raw, ct) };
    return undefined;
  }

  /** A media id WeCom still keeps (three days after it was made). */
  private liveMedia(mediaId: unknown): Media | undefined {
    const m = typeof mediaId === 'string' ? this.media.get(mediaId) : undefined;
    return m && this.now() - m.createdAt < MEDIA_TTL_MS ? m : undefined;
  }

  /** GET media/get?media_id=: the bytes, named by the media id as WeCom names them; 40007 for one gone or never made. */
  private mediaGet(q: Record<string, string>): Answer {
    const m = this.liveMedia(q.media_id);
    if (!m) return this.error(40007, 'invalid media_id');
    this.mediaDownloads.push(q.media_id!);
    const ext = m.contentType === 'image/jpeg' ? 'jpg' : m.contentType === 'image/png' ? 'png' : 'bin';
    return {
      status: 200,
      body: null,
      bytes: m.bytes,
      headers: { 'content-type': m.contentType, 'content-disposition': `attachment; filename="${q.media_id}.${ext}"`, 'cache-control': 'no-cache, must-revalidate' },
    };
  }

  /** POST media/upload?type=: multipart with the file in `media`; answers a new media id. */
  private async mediaUpload(q: Record<string, string>, raw: Buffer, contentType: string | undefined): Promise<Answer> {
    const type = q.type ?? '';
    if (!MEDIA_TYPES.has(type)) return this.error(40004, 'invalid media type');
    const form = await readForm(contentType, raw);
    const part = form?.find((p) => p.name === 'media' && p.bytes !== undefined);
    if (!part?.bytes || !part.filename) return this.error(44001, 'empty media data');
    if (part.bytes.length <= 5 || part.bytes.length > MEDIA_MAX[type]!) return this.error(40006, 'invalid media size');
    const jpgOrPng = (part.bytes[0] === 0xff && part.bytes[1] === 0xd8) || (part.bytes[0] === 0x89 && part.bytes[1] === 0x50);
    if (type === 'image' && !jpgOrPng) return this.error(40005, 'invalid file type');
    const mediaId = `3${randomBytes(40).toString('base64url')}`;
    const at = this.now();
    this.media.set(mediaId, { bytes: part.bytes, type, contentType: part.contentType ?? 'application/octet-stream', createdAt: at });
    const rec: MediaUpload = { mediaId, type, part: part.name, bytes: part.bytes, at };
    if (part.filename) rec.filename = part.filename;
    if (part.contentType) rec.contentType = part.contentType;
    this.uploads.push(rec);
    return ok({ type, media_id: mediaId, created_at: String(Math.floor(at / 1000)) });
  }

  private draw(isToken: boolean, path: string): QueuedFailure | undefined {
    const onPath = (opts: FailOptions) => opts.path === undefined || opts.path === path;
    return this.failures.draw(
      (kind, opts) => (!isToken || (opts.includeToken === true && kind !== 'expired')) && onPath(opts),
      true,
      (opts) => (!isToken || opts.includeToken === true) && onPath(opts),
    );
  }

  private injectedAnswer(f: QueuedFailure, token: string | undefined): Answer {
    switch (f.kind) {
      case '5xx': {
        const status = f.opts.status ?? this.failures.nextStatus();
        const title = status === 502 ? 'Bad Gateway' : status === 503 ? 'Service Unavailable' : 'Internal Server Error';
        return { status, body: `<html><head><title>${status} ${title}</title></head><body><h1>${status} ${title}</h1></body></html>` };
      }
      case 'rate':
        return this.error(45009, 'api freq out of limit');
      case 'concurrent':
        return this.error(45033, 'api concurrent out of limit');
      case 'busy':
        return this.error(-1, 'system busy');
      case 'ip':
        return this.error(60020, 'not allow to access from your ip', f.opts.ip);
      case 'errcode':
        return this.error(f.opts.errcode ?? 40058, f.opts.errmsg ?? 'injected error');
      case 'expired': {
        const state = token === undefined ? undefined : this.tokens.get(token);
        if (state) state.revoked = true;
        return this.checkAuth(token) ?? this.error(42001, 'access_token expired');
      }
      case 'slow':
        throw new Error('unreachable: slow is not an error answer');
    }
  }

  /** An errcode answer with WeCom's trailer: hint, the caller's IP, and where to read about it. */
  private error(errcode: number, errmsg: string, ip = this.egressIp): Answer {
    const hint = `${Math.floor(this.now() / 1000)}_${++this.hintSeq}_${randomBytes(16).toString('hex')}`;
    return {
      status: 200,
      body: { errcode, errmsg: `${errmsg}, hint: [${hint}], from ip: ${ip}, more info at https://open.work.weixin.qq.com/devtool/query?e=${errcode}` },
    };
  }

  private checkAuth(token: string | undefined): Answer | undefined {
    if (!token) return this.error(41001, 'access_token missing');
    const state = this.tokens.get(token);
    if (!state) return this.error(40014, 'invalid access_token');
    if (state.revoked || state.expiresAt <= this.now()) return this.error(42001, 'access_token expired');
    return undefined;
  }

  // ---- routes ----

  private gettoken(q: Record<string, string>): Answer {
    const corpId = q.corpid ?? '';
    const at = this.now();
    const refuse = (errcode: number, msg: string): Answer => {
      this.tokenRequests.push({ corpId, ok: false, errcode, at });
      return this.error(errcode, msg);
    };
    if (!corpId) return refuse(41002, 'corpid missing');
    if (!q.corpsecret) return refuse(41004, 'corpsecret missing');
    if (corpId !== this.corpId) return refuse(40013, 'invalid corpid');
    if (q.corpsecret !== this.secret) return refuse(40001, 'invalid credential');
    // WeCom hands back the same token while it lives, a new one once it has expired.
    let token: string | undefined;
    let expiresAt = 0;
    for (const [t, s] of this.tokens) {
      if (!s.revoked && s.expiresAt > at && s.expiresAt > expiresAt) [token, expiresAt] = [t, s.expiresAt];
    }
    if (!token) {
      token = randomBytes(48).toString('base64url');
      expiresAt = at + this.tokenTtlMs;
      this.tokens.set(token, { expiresAt, revoked: false });
    }
    this.tokenRequests.push({ corpId, ok: true, errcode: 0, token, at });
    return ok({ access_token: token, expires_in: Math.floor((expiresAt - at) / 1000) });
  }

  /** Answers an error for a bad agentid, else undefined. */
  private checkAgent(b: Record<string, unknown>): Answer | undefined {
    if (b.agentid === undefined || b.agentid === null || b.agentid === '') return this.error(41011, 'missing agentid');
    const id = typeof b.agentid === 'number' ? b.agentid : typeof b.agentid === 'string' && /^\d+$/.test(b.agentid) ? Number(b.agentid) : NaN;
    if (id !== this.agentId) return this.error(40056, 'invalid agentid');
    return undefined;
  }

  private isMember(userid: string): boolean {
    if (this.unknownUsers.has(userid)) return false;
    return this.users ? this.users.has(userid) : USERID.test(userid);
  }

  private send(b: Record<string, unknown>): Answer {
    const agent = this.checkAgent(b);
    if (agent) return agent;
    const msgtype = b.msgtype;
    if (msgtype !== 'text' && msgtype !== 'markdown' && msgtype !== 'template_card' && msgtype !== 'image' && msgtype !== 'file') {
      return this.error(40008, 'invalid message type');
    }
    if (b.toparty !== undefined || b.totag !== undefined) return this.error(40031, 'invalid userid list (the fake models touser only)');
    if (typeof b.touser !== 'string' || b.touser.trim() === '') return this.error(81013, 'user & party & tag all invalid');
    const users = [...new Set(b.touser.split('|').filter((u) => u !== ''))];
    if (users.includes('@all')) return this.error(40031, 'invalid userid list (@all is not modelled by the fake)');
    if (users.length > MAX_USERS) return this.error(40031, `invalid userid list (more than ${MAX_USERS} users)`);

    const sub = b[msgtype];
    if (!sub || typeof sub !== 'object' || Array.isArray(sub)) return this.error(msgtype === 'template_card' ? 40058 : 44004, msgtype === 'template_card' ? 'missing template_card' : 'empty content');
    let content = { ...(sub as Record<string, unknown>) };
    let truncatedFrom: number | undefined;
    let taskId: string | undefined;
    if (msgtype === 'template_card') {
      const bad = this.checkCard(content);
      if (bad) return bad;
      taskId = content.task_id as string;
    } else if (msgtype === 'image' || msgtype === 'file') {
      if (!this.liveMedia(content.media_id)) return this.error(40007, 'invalid media_id');
    } else {
      if (typeof content.content !== 'string' || content.content === '') return this.error(44004, 'empty content');
      const size = Buffer.byteLength(content.content, 'utf8');
      if (size > MAX_TEXT_BYTES) {
        truncatedFrom = size;
        content = { ...content, content: cutBytes(content.content, MAX_TEXT_BYTES) };
      }
    }

    const at = this.now();
    // The duplicate check: the same body within the interval is answered as before and shown to nobody again.
    const dupKey = JSON.stringify(b);
    if (b.enable_duplicate_check === 1 || b.enable_duplicate_check === '1') {
      const interval = Number(b.duplicate_check_interval ?? 1800);
      const seen = this.bodies.get(dupKey);
      if (seen && at - seen.at < Math.min(Math.max(interval, 0), 4 * 3600) * 1000) {
        this.deduplicated.push({ msgid: seen.msgid, touser: users, msgtype, content, firstAt: seen.at, at });
        return ok(seen.answer);
      }
    }

    if (taskId !== undefined && this.taskIds.has(taskId)) return this.error(40058, 'task_id exist');
    const invalid = users.filter((u) => !this.isMember(u));
    if (invalid.length === users.length) return this.error(81013, 'user & party & tag all invalid');

    const msgid = randomBytes(48).toString('base64url');
    const delivered: string[] = [];
    for (const u of users) {
      if (invalid.includes(u)) continue;
      const limit = this.take(u, at);
      if (limit) {
        const d: DroppedMessage = { msgid, userid: u, limit, msgtype, content, at };
        if (taskId !== undefined) d.taskId = taskId;
        this.dropped.push(d);
      } else {
        delivered.push(u);
      }
    }
    const answer: Record<string, unknown> = { invaliduser: invalid.join('|'), msgid };
    let responseCode: string | undefined;
    if (taskId !== undefined) {
      this.taskIds.add(taskId);
      responseCode = randomCode();
      this.responseCodes.set(responseCode, { taskId, issuedAt: at, used: false });
      answer.response_code = responseCode;
    }
    if (delivered.length > 0) {
      const rec: DeliveredMessage = { msgid, touser: delivered, invalid, msgtype, content, body: b, at };
      if (truncatedFrom !== undefined) rec.truncatedFrom = truncatedFrom;
      if (taskId !== undefined) rec.taskId = taskId;
      if (responseCode !== undefined) rec.responseCode = responseCode;
      this.messages.push(rec);
    }
    if (b.enable_duplicate_check === 1 || b.enable_duplicate_check === '1') this.bodies.set(dupKey, { at, answer, msgid });
    return ok(answer);
  }

  /** One delivery from a person's allowance: undefined when taken, else the window that is full (WeCom drops it). */
  private take(userid: string, at: number): 'minute' | 'hour' | undefined {
    const times = (this.sentAt.get(userid) ?? []).filter((t) => at - t < HOUR_MS);
    this.sentAt.set(userid, times);
    if (times.filter((t) => at - t < MINUTE_MS).length >= this.perMinute) return 'minute';
    if (times.length >= this.perHour) return 'hour';
    times.push(at);
    return undefined;
  }

  /** Validates a button_interaction template card; answers the error, or undefined when it is fine. */
  private checkCard(card: Record<string, unknown>): Answer | undefined {
    if (card.card_type !== 'button_interaction') return this.error(40058, 'invalid card_type (the fake models button_interaction only)');
    if (typeof card.task_id !== 'string' || card.task_id === '') return this.error(40058, 'missing task_id');
    if (!TASK_ID.test(card.task_id)) return this.error(40058, 'invalid task_id');
    const title = card.main_title as { title?: unknown; desc?: unknown } | undefined;
    const hasTitle = !!title && typeof title === 'object' && typeof title.title === 'string' && title.title !== '';
    if (!hasTitle && !(typeof card.sub_title_text === 'string' && card.sub_title_text !== '')) {
      return this.error(40058, 'missing main_title.title or sub_title_text');
    }
    if (card.horizontal_content_list !== undefined) {
      if (!Array.isArray(card.horizontal_content_list) || card.horizontal_content_list.length > 6) return this.error(40058, 'invalid horizontal_content_list size');
      for (const h of card.horizontal_content_list as unknown[]) {
        const e = h as { keyname?: unknown } | null;
        if (!e || typeof e !== 'object' || typeof e.keyname !== 'string' || e.keyname === '') return this.error(40058, 'invalid horizontal_content_list: keyname missing');
      }
    }
    const list = card.button_list;
    if (!Array.isArray(list) || list.length === 0 || list.length > MAX_BUTTONS) return this.error(40058, 'invalid button_list size');
    const keys = new Set<string>();
    for (const raw of list as unknown[]) {
      const btn = raw as { text?: unknown; key?: unknown; style?: unknown } | null;
      if (!btn || typeof btn !== 'object' || typeof btn.text !== 'string' || btn.text === '') return this.error(40058, 'invalid button: text missing');
      if (typeof btn.key !== 'string' || btn.key === '') return this.error(40058, 'invalid button: key missing');
      if (Buffer.byteLength(btn.key, 'utf8') > MAX_KEY_BYTES) return this.error(40058, 'invalid button: key longer than 1024 bytes');
      if (keys.has(btn.key)) return this.error(40058, 'invalid button: duplicate key');
      keys.add(btn.key);
      if (btn.style !== undefined && !(typeof btn.style === 'number' && Number.isInteger(btn.style) && btn.style >= 1 && btn.style <= 4)) {
        return this.error(40058, 'invalid button: style');
      }
    }
    return undefined;
  }

  private updateCard(b: Record<string, unknown>): Answer {
    const agent = this.checkAgent(b);
    if (agent) return agent;
    const code = b.response_code;
    const rc = typeof code === 'string' ? this.responseCodes.get(code) : undefined;
    if (typeof code !== 'string' || !rc || rc.used || this.now() - rc.issuedAt >= RESPONSE_CODE_TTL_MS) {
      return this.error(40058, 'invalid response_code');
    }
    if (!Array.isArray(b.userids) || b.userids.length === 0 || !b.userids.every((u) => typeof u === 'string')) {
      return this.error(81013, 'user & party & tag all invalid');
    }
    const userids = b.userids as string[];
    if (userids.length > MAX_USERS) return this.error(40031, `invalid userid list (more than ${MAX_USERS} users)`);
    const button = b.button as { replace_name?: unknown } | undefined;
    const card = b.template_card as Record<string, unknown> | undefined;
    let replaceName: string | undefined;
    if (button !== undefined) {
      if (!button || typeof button !== 'object' || typeof button.replace_name !== 'string' || button.replace_name === '') {
        return this.error(40058, 'invalid button.replace_name');
      }
      replaceName = button.replace_name;
    } else if (card !== undefined) {
      if (!card || typeof card !== 'object' || Array.isArray(card)) return this.error(40058, 'invalid template_card');
      const bad = this.checkCard(card);
      if (bad) return bad;
    } else {
      return this.error(40058, 'missing button or template_card');
    }
    const invalid = userids.filter((u) => !this.isMember(u));
    if (invalid.length === userids.length) return this.error(81013, 'user & party & tag all invalid');
    rc.used = true;
    const rec: UpdateRecord = { responseCode: code, taskId: rc.taskId, userids, invalid, body: b, at: this.now() };
    if (replaceName !== undefined) rec.replaceName = replaceName;
    if (card !== undefined && replaceName === undefined) rec.card = card;
    this.updates.push(rec);
    return ok({ invaliduser: invalid });
  }
}

function randomCode(): string {
  return randomBytes(32).toString('base64url');
}

/** The longest prefix of s within maxBytes UTF-8 bytes, never cutting a character. */
function cutBytes(s: string, maxBytes: number): string {
  let out = '';
  let size = 0;
  for (const ch of s) {
    const n = Buffer.byteLength(ch, 'utf8');
    if (size + n > maxBytes) break;
    out += ch;
    size += n;
  }
  return out;
}

function parseObject(raw: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(raw);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

