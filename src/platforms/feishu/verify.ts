// Checks inbound Feishu requests: raw-body signatures (sha256 and legacy sha1), decryption of {"encrypt"} bodies, freshness. Pure, no I/O.
import { createDecipheriv, hash, timingSafeEqual } from 'node:crypto';
import { AESCipher } from '@larksuiteoapi/node-sdk';

export type Headers = Record<string, string | string[] | undefined>;
export type RawBody = Buffer | string;
export type SignatureVerdict = 'ok' | 'missing' | 'bad';

export const TIMESTAMP_HEADER = 'x-lark-request-timestamp';
export const NONCE_HEADER = 'x-lark-request-nonce';
export const SIGNATURE_HEADER = 'x-lark-signature';

/** Thrown by `decrypt` for any failure: bad base64, short or misaligned blob, bad padding, non-UTF-8 plaintext. */
export class DecryptError extends Error {
  override readonly name = 'DecryptError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

function digestHex(algorithm: 'sha256' | 'sha1', prefix: string, rawBody: RawBody): string {
  // One-shot hashing (every webhook comes through here). The body exactly as received: bytes as they are,
  // a string as its UTF-8 bytes.
  return typeof rawBody === 'string'
    ? hash(algorithm, prefix + rawBody, 'hex')
    : hash(algorithm, Buffer.concat([Buffer.from(prefix, 'utf8'), rawBody]), 'hex');
}

/** Hex sha256(timestamp + nonce + encryptKey + raw body bytes): the signature Feishu sends when an encrypt key is set. */
export function feishuSignature(timestamp: string, nonce: string, encryptKey: string, rawBody: RawBody): string {
  return digestHex('sha256', timestamp + nonce + encryptKey, rawBody);
}

/** Hex sha1(timestamp + nonce + verificationToken + raw body bytes): the legacy card-callback signature. */
export function legacySignature(timestamp: string, nonce: string, verificationToken: string, rawBody: RawBody): string {
  return digestHex('sha1', timestamp + nonce + verificationToken, rawBody);
}

/** Constant-time string comparison (UTF-8 bytes); only the lengths being unequal can be told from the timing. */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  if (x.length !== y.length) {
    // Do the same amount of comparing work anyway, then fail.
    timingSafeEqual(x, x);
    return false;
  }
  return timingSafeEqual(x, y);
}

/** One header value: exact lower-case name first (as Koa/Node give them), otherwise a case-insensitive match.
 *  A repeated header (array of more than one value) counts as unusable and gives null. */
function headerValue(headers: Headers, name: string): string | undefined | null {
  let v = headers[name];
  if (v === undefined) {
    for (const k of Object.keys(headers)) {
      if (k.toLowerCase() === name) {
        v = headers[k];
        break;
      }
    }
  }
  if (Array.isArray(v)) {
    if (v.length === 0) return undefined;
    if (v.length > 1) return null;
    v = v[0];
  }
  return v === undefined || v === '' ? undefined : v;
}

/**
 * Verdict on the X-Lark-* signature headers over the raw body.
 * - any of timestamp / nonce / signature absent or empty → 'missing'
 * - encryptKey set → the sha256 form must match (the legacy sha1 form is NOT accepted then)
 * - no encryptKey but a verificationToken → the legacy sha1 form (card callbacks) must match
 * - neither secret configured → 'bad' (fails closed; nothing to check against)
 * Timestamp age is not checked here: use `isFresh` on the envelope's create_time.
 */
export function verifySignature(
  headers: Headers,
  rawBody: RawBody,
  secret: { encryptKey?: string; verificationToken?: string },
): SignatureVerdict {
  const timestamp = headerValue(headers, TIMESTAMP_HEADER);
  const nonce = headerValue(headers, NONCE_HEADER);
  const signature = headerValue(headers, SIGNATURE_HEADER);
  if (timestamp === undefined || nonce === undefined || signature === undefined) return 'missing';
  if (timestamp === null || nonce === null || signature === null) return 'bad';
  const expected = secret.encryptKey
    ? feishuSignature(timestamp, nonce, secret.encryptKey, rawBody)
    : secret.verificationToken
      ? legacySignature(timestamp, nonce, secret.verificationToken, rawBody)
      : undefined;
  if (expected === undefined) return 'bad';
  // Hex digests are compared case-insensitively: lower-case what was sent.
  return safeEqual(expected, signature.toLowerCase()) ? 'ok' : 'bad';
}

const utf8Strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** One cipher per key: the SDK hashes the key in its constructor, which is not worth doing per request. */
const ciphers = new Map<string, AESCipher>();
function cipherFor(encryptKey: string): AESCipher {
  let c = ciphers.get(encryptKey);
  if (!c) {
    c = new AESCipher(encryptKey);
    if (ciphers.size > 16) ciphers.clear();
    ciphers.set(encryptKey, c);
  }
  return c;
}

/**
 * Decrypts the `encrypt` field of an encrypted Feishu body (AES-256-CBC, key sha256(encryptKey), IV = first 16 bytes,
 * PKCS#7) with the SDK's AESCipher, but strictly: any failure throws DecryptError instead of yielding garbage or `{}`.
 */
export function decrypt(encrypt: string, encryptKey: string): string {
  if (typeof encrypt !== 'string' || encrypt === '') throw new DecryptError('nothing to decrypt');
  if (typeof encryptKey !== 'string' || encryptKey === '') throw new DecryptError('no encrypt key configured');
  // The lengths are checked from the text, without decoding it here as well as in the SDK: padded base64 comes in
  // groups of 4 characters, and n bytes take 4⌈n/3⌉ of them. A character that is not base64 makes the SDK's decoded
  // blob shorter than this, which the cipher then refuses (bad IV or block length, or bad padding).
  if (encrypt.length % 4 !== 0) throw new DecryptError('ciphertext is not well-formed base64');
  const bytes = (encrypt.length / 4) * 3 - (encrypt.endsWith('==') ? 2 : encrypt.endsWith('=') ? 1 : 0);
  if (bytes < 32) throw new DecryptError(`ciphertext too short (${bytes} bytes)`);
  if ((bytes - 16) % 16 !== 0) throw new DecryptError(`ciphertext not a whole number of blocks (${bytes} bytes)`);
  const cipher = cipherFor(encryptKey);
  let plain: string;
  try {
    plain = cipher.decrypt(encrypt);
  } catch (e) {
    throw new DecryptError('decryption failed (wrong key or corrupted ciphertext)', { cause: e });
  }
  // The SDK decodes with replacement characters; only when one shows up is it worth checking the bytes strictly.
  if (plain.includes('\uFFFD')) {
    try {
      const blob = Buffer.from(encrypt, 'base64');
      const decipher = createDecipheriv('aes-256-cbc', cipher.key, blob.subarray(0, 16));
      plain = utf8Strict.decode(Buffer.concat([decipher.update(blob.subarray(16)), decipher.final()]));
    } catch (e) {
      throw new DecryptError('decrypted bytes are not valid UTF-8 (wrong key or corrupted ciphertext)', { cause: e });
    }
  }
  return plain;
}

/** Whether an event's create_time (ms) lies within maxAgeMs of now, either way. Non-finite times are not fresh. */
export function isFresh(createTimeMs: number, now: number, maxAgeMs: number = 24 * 3600_000): boolean {
  if (!Number.isFinite(createTimeMs) || !Number.isFinite(now)) return false;
  return Math.abs(now - createTimeMs) <= maxAgeMs;
}
