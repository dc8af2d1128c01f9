// Builds inbound Feishu webhook requests (envelopes, encryption, X-Lark-* signatures) as Feishu sends them, for tests and benchmarks.
import { createCipheriv, createHash, randomBytes, randomUUID } from 'node:crypto';

/** Computed here independently of src/platforms/feishu/verify.ts, so that tests of it check something. */
function hex(algorithm: 'sha256' | 'sha1', text: string): string {
  return createHash(algorithm).update(text, 'utf8').digest('hex');
}

function rand(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

export const randomChatId = (): string => `oc_${rand(16)}`;
export const randomMessageId = (): string => `om_${rand(16)}`;
export const randomEventId = (): string => rand(16);
export const DEFAULT_APP_ID = 'cli_a1b2c3d4e5f60718';
export const DEFAULT_TENANT_KEY = '2ed263bf32cf1651';

/** AES-256-CBC, key sha256(encryptKey), random 16-byte IV prefixed, PKCS#7, base64: Feishu's `encrypt` field. */
export function encrypt(plaintext: string, encryptKey: string): string {
  const key = createHash('sha256').update(encryptKey, 'utf8').digest();
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  return Buffer.concat([iv, cipher.update(plaintext, 'utf8'), cipher.final()]).toString('base64');
}

export interface SignOptions {
  /** When set: the body is sent as {"encrypt":"…"} with the sha256 signature. */
  encryptKey?: string;
  /** Seconds since the epoch, as a string; now by default. */
  timestamp?: string;
  /** Random by default. */
  nonce?: string;
  /** Without encryptKey: the plain body, signed the legacy way, sha1 with this verification token. */
  legacyToken?: string;
}

export interface SignedRequest {
  /** Lower-case names, as Koa exposes them; HTTP clients send them as they are. */
  headers: Record<string, string>;
  /** The exact bytes to send; the signature covers them. */
  rawBody: string;
}

/** The headers of a request whose exact bytes are `rawBody`, sha256-signed with the encrypt key as Feishu signs. */
export function signRaw(rawBody: string, encryptKey: string, opts: { timestamp?: string; nonce?: string } = {}): Record<string, string> {
  const timestamp = opts.timestamp ?? String(Math.floor(Date.now() / 1000));
  const nonce = opts.nonce ?? rand(8);
  return {
    'content-type': 'application/json; charset=utf-8',
    'x-lark-request-timestamp': timestamp,
    'x-lark-request-nonce': nonce,
    'x-lark-signature': hex('sha256', timestamp + nonce + encryptKey + rawBody),
  };
}

/**
 * The request Feishu would send for `body`. With encryptKey: encrypted and sha256-signed. With legacyToken (and no
 * encryptKey): plain JSON, sha1-signed. With neither: plain JSON with no signature headers.
 */
export function signedRequest(body: object, opts: SignOptions = {}): SignedRequest {
  const timestamp = opts.timestamp ?? String(Math.floor(Date.now() / 1000));
  const nonce = opts.nonce ?? rand(8);
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
  if (opts.encryptKey !== undefined) {
    const rawBody = JSON.stringify({ encrypt: encrypt(JSON.stringify(body), opts.encryptKey) });
    return { headers: signRaw(rawBody, opts.encryptKey, { timestamp, nonce }), rawBody };
  }
  const rawBody = JSON.stringify(body);
  if (opts.legacyToken !== undefined) {
    headers['x-lark-request-timestamp'] = timestamp;
    headers['x-lark-request-nonce'] = nonce;
    headers['x-lark-signature'] = hex('sha1', timestamp + nonce + opts.legacyToken + rawBody);
  }
  return { headers, rawBody };
}

export interface EnvelopeHeader {
  event_id: string;
  event_type: string;
  create_time: string;
  token: string;
  app_id: string;
  tenant_key: string;
}

export interface Envelope<E> {
  schema: '2.0';
  header: EnvelopeHeader;
  event: E;
}

interface HeaderOptions {
  eventId?: string;
  /** The Verification Token. */
  token: string;
  appId?: string;
  tenantKey?: string;
  /** Milliseconds; now by default. */
  createTime?: number;
}

function header(eventType: string, o: HeaderOptions): EnvelopeHeader {
  return {
    event_id: o.eventId ?? randomEventId(),
    event_type: eventType,
    create_time: String(o.createTime ?? Date.now()),
    token: o.token,
    app_id: o.appId ?? DEFAULT_APP_ID,
    tenant_key: o.tenantKey ?? DEFAULT_TENANT_KEY,
  };
}

export interface MentionOption {
  /** Placeholder in the text, e.g. "@_user_1". */
  key: string;
  openId: string;
  name: string;
}

export interface MessageEventOptions extends HeaderOptions {
  openId: string;
  userId?: string;
  chatId?: string;
  chatType?: 'p2p' | 'group';
  /** A text message (the default, empty text); give either text or post. */
  text?: string;
  /** A rich-text message: the post content object, e.g. {zh_cn:{title, content:[[{tag:"text",text}]]}}. */
  post?: object;
  /** A picture: its image_key (the bytes are the fake's, see FakeFeishu.offerResource). */
  image?: { image_key: string };
  /** A file: its file_key and file_name. */
  file?: { file_key: string; file_name: string };
  /** The message this one replies to (Feishu's parent_id and root_id). */
  parentId?: string;
  mentions?: MentionOption[];
  messageId?: string;
}

export interface MessageReceiveEvent {
  sender: {
    sender_id: { open_id: string; user_id?: string; union_id: string };
    sender_type: 'user';
    tenant_key: string;
  };
  message: {
    message_id: string;
    chat_id: string;
    chat_type: 'p2p' | 'group';
    message_type: 'text' | 'post' | 'image' | 'file';
    /** A JSON string. */
    content: string;
    root_id?: string;
    parent_id?: string;
    create_time: string;
    update_time: string;
    mentions?: { key: string; id: { open_id: string; union_id: string }; name: string; tenant_key: string }[];
  };
}

/** A schema 2.0 `im.message.receive_v1` envelope. */
export function messageEvent(o: MessageEventOptions): Envelope<MessageReceiveEvent> {
  if ([o.text, o.post, o.image, o.file].filter((x) => x !== undefined).length > 1) throw new Error('messageEvent: give one of text, post, image, file');
  const h = header('im.message.receive_v1', o);
  const [type, content]: [MessageReceiveEvent['message']['message_type'], object] =
    o.post !== undefined ? ['post', o.post] : o.image !== undefined ? ['image', o.image] : o.file !== undefined ? ['file', o.file] : ['text', { text: o.text ?? '' }];
  const senderId: MessageReceiveEvent['sender']['sender_id'] = { open_id: o.openId, union_id: `on_${rand(16)}` };
  if (o.userId !== undefined) senderId.user_id = o.userId;
  const message: MessageReceiveEvent['message'] = {
    message_id: o.messageId ?? randomMessageId(),
    chat_id: o.chatId ?? randomChatId(),
    chat_type: o.chatType ?? 'p2p',
    message_type: type,
    content: JSON.stringify(content),
    create_time: h.create_time,
    update_time: h.create_time,
    ...(o.parentId ? { root_id: o.parentId, parent_id: o.parentId } : {}),
  };
  if (o.mentions !== undefined && o.mentions.length > 0) {
    message.mentions = o.mentions.map((m) => ({
      key: m.key,
      id: { open_id: m.openId, union_id: `on_${rand(16)}` },
      name: m.name,
      tenant_key: h.tenant_key,
    }));
  }
  return {
    schema: '2.0',
    header: h,
    event: { sender: { sender_id: senderId, sender_type: 'user', tenant_key: h.tenant_key }, message },
  };
}

export interface CardActionOptions extends HeaderOptions {
  openId: string;
  userId?: string;
  value: object;
  messageId?: string;
  chatId?: string;
  /** The card-update token in event.token; random ("c-…") by default. */
  cardToken?: string;
  /** A form's submit button: its name, and what the form's inputs held (action.name, action.form_value). */
  form?: { name: string; value: Record<string, unknown> };
}

export interface CardActionEvent {
  operator: { tenant_key: string; open_id: string; union_id: string; user_id?: string };
  token: string;
  action: { value: object; tag: 'button'; name?: string; form_value?: Record<string, unknown> };
  host: 'im_message';
  context: { open_message_id: string; open_chat_id: string };
}

/** A schema 2.0 `card.action.trigger` envelope (a button press); header.token is the Verification Token. */
export function cardAction(o: CardActionOptions): Envelope<CardActionEvent> {
  const h = header('card.action.trigger', o);
  const operator: CardActionEvent['operator'] = { tenant_key: h.tenant_key, open_id: o.openId, union_id: `on_${rand(16)}` };
  if (o.userId !== undefined) operator.user_id = o.userId;
  return {
    schema: '2.0',
    header: h,
    event: {
      operator,
      token: o.cardToken ?? `c-${rand(20)}`,
      action: { value: o.value, tag: 'button', ...(o.form ? { name: o.form.name, form_value: o.form.value } : {}) },
      host: 'im_message',
      context: { open_message_id: o.messageId ?? randomMessageId(), open_chat_id: o.chatId ?? randomChatId() },
    },
  };
}

export interface LegacyCardActionOptions {
  /** The flat body's `token` field, which in real legacy callbacks is a card-update token ("c-…"); random when
   *  omitted. The Verification Token is not in the body: sign with signedRequest(…, { legacyToken }). */
  token?: string;
  openId: string;
  userId?: string;
  value: object;
  messageId?: string;
  chatId?: string;
  tenantKey?: string;
}

export interface LegacyCardActionBody {
  open_id: string;
  user_id?: string;
  open_message_id: string;
  open_chat_id: string;
  tenant_key: string;
  token: string;
  action: { value: object; tag: 'button' };
}

/** The flat legacy card callback body. */
export function legacyCardAction(o: LegacyCardActionOptions): LegacyCardActionBody {
  const body: LegacyCardActionBody = {
    open_id: o.openId,
    open_message_id: o.messageId ?? randomMessageId(),
    open_chat_id: o.chatId ?? randomChatId(),
    tenant_key: o.tenantKey ?? DEFAULT_TENANT_KEY,
    token: o.token ?? `c-${rand(20)}`,
    action: { value: o.value, tag: 'button' },
  };
  if (o.userId !== undefined) body.user_id = o.userId;
  return body;
}

/** The url_verification challenge, as sent when the request URL is saved. */
export function urlVerification(o: { token: string; challenge?: string }): { challenge: string; token: string; type: 'url_verification' } {
  return { challenge: o.challenge ?? randomUUID(), token: o.token, type: 'url_verification' };
}

/** A schema 2.0 envelope of some other event type (with an empty or given event). */
export function otherEvent(o: HeaderOptions & { eventType: string; event?: object }): Envelope<object> {
  return { schema: '2.0', header: header(o.eventType, o), event: o.event ?? {} };
}
