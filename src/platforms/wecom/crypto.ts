// WeCom (企业微信) callback crypto: msg_signature, and strict AES-256-CBC decryption/encryption of callback messages.
import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export type WecomCryptoFailure =
  | 'bad_signature'
  | 'bad_base64'
  | 'bad_length'
  | 'bad_padding'
  | 'bad_plaintext'
  | 'bad_receiveid';

/** Every refusal from `decrypt` and `open`; callers branch on `failure`. */
export class WecomCryptoError extends Error {
  override readonly name = 'WecomCryptoError';
  constructor(
    readonly failure: WecomCryptoFailure,
    message: string = failure,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** WeCom pads with PKCS#7 to a 32-byte block (not AES's 16), so a pad of 17..32 is valid. */
const BLOCK = 32;
/** 16 random bytes, then the 4-byte big-endian message length. */
const HEADER = 20;
const BASE64_CHARS = /^[A-Za-z0-9+/]*={0,2}$/;
const AES_KEY_CHARS = /^[A-Za-z0-9+/]{43}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export class WecomCrypto {
  readonly #token: string;
  readonly #key: Buffer;
  readonly #iv: Buffer;
  readonly #receiveId: Buffer;

  /** `receiveId` is what WeCom appends to every plaintext; for a self-built app, the corpid. */
  constructor(token: string, encodingAesKey: string, receiveId: string) {
    // Only the shape is checked here: Tencent's keys need not be canonical base64 in the last character.
    const key = AES_KEY_CHARS.test(encodingAesKey) ? Buffer.from(encodingAesKey + '=', 'base64') : undefined;
    if (!key || key.length !== 32) {
      throw new Error('WECOM_ENCODING_AES_KEY 无效：应为 43 个 base64 字符（字母、数字、+、/），解码后 32 字节；请从企业微信后台原样复制');
    }
    this.#token = token;
    this.#key = key;
    this.#iv = key.subarray(0, 16);
    this.#receiveId = Buffer.from(receiveId, 'utf8');
  }

  /** Lowercase hex sha1 of the four strings sorted and joined. */
  signature(timestamp: string, nonce: string, encrypt: string): string {
    return createHash('sha1').update([this.#token, timestamp, nonce, encrypt].sort().join('')).digest('hex');
  }

  /** Constant-time compare (timingSafeEqual on equal-length buffers; different length → false). */
  verify(msgSignature: string, timestamp: string, nonce: string, encrypt: string): boolean {
    const expected = Buffer.from(this.signature(timestamp, nonce, encrypt), 'utf8');
    const given = Buffer.from(String(msgSignature), 'utf8');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /**
   * Strict: base64 must be canonical-ish (only base64 alphabet + padding, decoded length a positive multiple of 32;
   * else 'bad_base64'/'bad_length'); padding checked exactly ('bad_padding'); length field must fit and the
   * message must be valid UTF-8 ('bad_plaintext'); trailing receiveid must equal the configured one byte for byte
   * ('bad_receiveid'). Returns the msg as a UTF-8 string. Throws WecomCryptoError, never anything else.
   * Use `open` for anything from the network: it checks the signature first, so padding errors are no oracle.
   */
  decrypt(encrypt: string): string {
    const data = decodeBase64(encrypt);
    if (data.length === 0 || data.length % BLOCK !== 0) {
      throw new WecomCryptoError('bad_length', `ciphertext is ${data.length} bytes, not a positive multiple of ${BLOCK}`);
    }

    let plain: Buffer;
    try {
      const decipher = createDecipheriv('aes-256-cbc', this.#key, this.#iv);
      decipher.setAutoPadding(false);
      plain = Buffer.concat([decipher.update(data), decipher.final()]);
    } catch (e) {
      throw new WecomCryptoError('bad_length', 'AES decryption failed', { cause: e });
    }

    const pad = plain[plain.length - 1] ?? 0;
    if (pad < 1 || pad > BLOCK) throw new WecomCryptoError('bad_padding', `pad value ${pad} is not in 1..${BLOCK}`);
    for (let i = plain.length - pad; i < plain.length; i++) {
      if (plain[i] !== pad) throw new WecomCryptoError('bad_padding', 'pad bytes differ');
    }
    const content = plain.subarray(0, plain.length - pad);

    if (content.length < HEADER) throw new WecomCryptoError('bad_plaintext', 'plaintext shorter than its header');
    const msgLength = content.readUInt32BE(16);
    if (msgLength > content.length - HEADER) {
      throw new WecomCryptoError('bad_plaintext', `length field ${msgLength} exceeds the ${content.length - HEADER} bytes present`);
    }
    const msg = content.subarray(HEADER, HEADER + msgLength);
    if (!content.subarray(HEADER + msgLength).equals(this.#receiveId)) {
      throw new WecomCryptoError('bad_receiveid', 'receiveid does not match the configured one');
    }
    try {
      return utf8.decode(msg);
    } catch (e) {
      throw new WecomCryptoError('bad_plaintext', 'message is not valid UTF-8', { cause: e });
    }
  }

  /** Encrypts msg with receiveid appended and 32-byte PKCS#7; `random16` for tests (default randomBytes(16)). Returns base64. */
  encrypt(msg: string, random16: Buffer = randomBytes(16)): string {
    if (random16.length !== 16) throw new RangeError(`random16 must be 16 bytes, got ${random16.length}`);
    const body = Buffer.from(msg, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(body.length);
    const content = Buffer.concat([random16, length, body, this.#receiveId]);
    const pad = BLOCK - (content.length % BLOCK);
    const cipher = createCipheriv('aes-256-cbc', this.#key, this.#iv);
    cipher.setAutoPadding(false);
    return Buffer.concat([cipher.update(content), cipher.update(Buffer.alloc(pad, pad)), cipher.final()]).toString('base64');
  }

  /** verify + decrypt in one: throws WecomCryptoError('bad_signature') first if the signature does not match. */
  open(msgSignature: string, timestamp: string, nonce: string, encrypt: string): string {
    if (!this.verify(msgSignature, timestamp, nonce, encrypt)) {
      throw new WecomCryptoError('bad_signature', 'msg_signature does not match');
    }
    return this.decrypt(encrypt);
  }

  /** For a passive reply or for tests: { encrypt, signature } of msg at timestamp/nonce. */
  seal(msg: string, timestamp: string, nonce: string): { encrypt: string; signature: string } {
    const encrypt = this.encrypt(msg);
    return { encrypt, signature: this.signature(timestamp, nonce, encrypt) };
  }
}

/** Standard base64 with its padding, exactly as Buffer would write it back; anything else is 'bad_base64'. */
function decodeBase64(text: string): Buffer {
  if (typeof text !== 'string' || text.length % 4 !== 0 || !BASE64_CHARS.test(text)) {
    throw new WecomCryptoError('bad_base64', 'not standard padded base64');
  }
  const data = Buffer.from(text, 'base64');
  if (data.toString('base64') !== text) throw new WecomCryptoError('bad_base64', 'not canonical base64');
  return data;
}
