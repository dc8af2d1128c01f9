// Tests of WeCom callback crypto: Tencent's sample vector, round trips, 32-byte padding, and every strict refusal.
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { WecomCrypto, WecomCryptoError, type WecomCryptoFailure } from '../src/platforms/wecom/crypto.ts';

// Tencent sample vector A.
const TOKEN = 'QDG6eK';
const AES_KEY = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';
const CORP_ID = 'wx5823bf96d3bd56c7';
const SAMPLE = {
  msgSignature: '5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3',
  timestamp: '1409659589',
  nonce: '263014780',
  echostr: 'P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==',
};

const crypto = new WecomCrypto(TOKEN, AES_KEY, CORP_ID);
const KEY = Buffer.from(AES_KEY + '=', 'base64');
const IV = KEY.subarray(0, 16);
const R16 = Buffer.alloc(16, 7);

/** AES-256-CBC of raw bytes with the sample key and no padding added: for crafting bad ciphertexts. */
function encryptRaw(plain: Buffer): string {
  const c = createCipheriv('aes-256-cbc', KEY, IV);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(plain), c.final()]).toString('base64');
}

/** The raw plaintext (padding included) behind a base64 ciphertext made with the sample key. */
function decryptRaw(encrypt: string): Buffer {
  const d = createDecipheriv('aes-256-cbc', KEY, IV);
  d.setAutoPadding(false);
  return Buffer.concat([d.update(Buffer.from(encrypt, 'base64')), d.final()]);
}

/** 16 random ‖ 4-byte length (the real one unless `lengthField`) ‖ msg ‖ receiveid, unpadded. */
function content(msg: Buffer | string, receiveId = CORP_ID, lengthField?: number): Buffer {
  const body = typeof msg === 'string' ? Buffer.from(msg, 'utf8') : msg;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(lengthField ?? body.length);
  return Buffer.concat([R16, len, body, Buffer.from(receiveId, 'utf8')]);
}

/** Correct 32-byte PKCS#7. */
function pad32(b: Buffer): Buffer {
  const n = 32 - (b.length % 32);
  return Buffer.concat([b, Buffer.alloc(n, n)]);
}

/** The failure `fn` throws; fails the test if it returns or throws anything but a WecomCryptoError. */
function failureOf(fn: () => unknown): WecomCryptoFailure {
  let result: unknown;
  try {
    result = fn();
  } catch (e) {
    if (e instanceof WecomCryptoError) return e.failure;
    throw new Error(`threw something other than WecomCryptoError: ${String(e)}`);
  }
  throw new Error(`did not throw; returned ${JSON.stringify(result)?.slice(0, 80)}`);
}

describe('Tencent sample vector A', () => {
  it('computes the documented msg_signature', () => {
    expect(crypto.signature(SAMPLE.timestamp, SAMPLE.nonce, SAMPLE.echostr)).toBe(SAMPLE.msgSignature);
    expect(crypto.verify(SAMPLE.msgSignature, SAMPLE.timestamp, SAMPLE.nonce, SAMPLE.echostr)).toBe(true);
  });

  it('decrypts the echostr to the exact string (not a number)', () => {
    expect(crypto.decrypt(SAMPLE.echostr)).toBe('1616140317555161061');
    expect(crypto.open(SAMPLE.msgSignature, SAMPLE.timestamp, SAMPLE.nonce, SAMPLE.echostr)).toBe('1616140317555161061');
  });

  it('encrypting with the same random bytes reproduces the sample ciphertext', () => {
    const random16 = decryptRaw(SAMPLE.echostr).subarray(0, 16);
    expect(crypto.encrypt('1616140317555161061', random16)).toBe(SAMPLE.echostr);
  });
});

describe('round trips', () => {
  it('Chinese text and XML', () => {
    const xml =
      '<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName><FromUserName><![CDATA[zhangsan]]></FromUserName>' +
      '<CreateTime>1348831860</CreateTime><MsgType><![CDATA[text]]></MsgType>' +
      '<Content><![CDATA[督办 #12 已完成，请审核。😀 «引号» & <尖括号>]]></Content><MsgId>1234567890123456</MsgId><AgentID>1</AgentID></xml>';
    for (const msg of ['你好，督查室', xml, '', 'x', '\u0000\ufeffBOM kept']) {
      expect(crypto.decrypt(crypto.encrypt(msg))).toBe(msg);
    }
  });

  it('seal then open, and a fresh random prefix each time', () => {
    const sealed = crypto.seal('<xml><Content>回复</Content></xml>', '1700000000', 'nonce-1');
    expect(sealed.signature).toMatch(/^[0-9a-f]{40}$/);
    expect(crypto.open(sealed.signature, '1700000000', 'nonce-1', sealed.encrypt)).toBe('<xml><Content>回复</Content></xml>');
    expect(crypto.encrypt('same')).not.toBe(crypto.encrypt('same'));
  });

  it('pad = 32 (content already a multiple of 32)', () => {
    // 16 + 4 + 18 (corpid) = 38 bytes of overhead; 26 more makes 64.
    const msg = 'a'.repeat(26);
    const enc = crypto.encrypt(msg);
    const raw = decryptRaw(enc);
    expect(raw.length).toBe(96);
    expect(raw[raw.length - 1]).toBe(32);
    expect(raw.subarray(64).equals(Buffer.alloc(32, 32))).toBe(true);
    expect(crypto.decrypt(enc)).toBe(msg);
  });

  it('pad between 17 and 31', () => {
    // 38 bytes of overhead: n = 0..9 gives pad 26..17, n = 27..31 gives pad 31..27.
    for (const [n, expected] of [[0, 26], [1, 25], [9, 17], [27, 31], [31, 27]] as const) {
      const msg = 'b'.repeat(n);
      const raw = decryptRaw(crypto.encrypt(msg));
      const pad = raw[raw.length - 1]!;
      expect(pad).toBe(expected);
      expect(raw.subarray(raw.length - pad).equals(Buffer.alloc(pad, pad))).toBe(true);
      expect(crypto.decrypt(crypto.encrypt(msg))).toBe(msg);
    }
  });

  it('every pad value 1..32 decrypts', () => {
    const seen = new Set<number>();
    for (let n = 0; n < 32; n++) {
      const msg = 'c'.repeat(n);
      const enc = crypto.encrypt(msg);
      seen.add(decryptRaw(enc).at(-1)!);
      expect(crypto.decrypt(enc)).toBe(msg);
    }
    expect(seen.size).toBe(32);
  });
});

describe('signature', () => {
  it('bad signature is refused before decrypting', () => {
    const { encrypt, signature } = crypto.seal('hi', '1', '2');
    const flipped = (signature[0] === 'a' ? 'b' : 'a') + signature.slice(1);
    expect(crypto.verify(flipped, '1', '2', encrypt)).toBe(false);
    expect(failureOf(() => crypto.open(flipped, '1', '2', encrypt))).toBe('bad_signature');
    // Signature over different timestamp / nonce / ciphertext.
    expect(failureOf(() => crypto.open(signature, '9', '2', encrypt))).toBe('bad_signature');
    expect(failureOf(() => crypto.open(signature, '1', '9', encrypt))).toBe('bad_signature');
    expect(failureOf(() => crypto.open(signature, '1', '2', crypto.encrypt('hi')))).toBe('bad_signature');
    // Garbage ciphertext with a wrong signature: the signature failure comes first.
    expect(failureOf(() => crypto.open('0'.repeat(40), '1', '2', '!!not base64!!'))).toBe('bad_signature');
  });

  it('different lengths, uppercase hex and a different token do not verify', () => {
    const s = SAMPLE;
    expect(crypto.verify('', s.timestamp, s.nonce, s.echostr)).toBe(false);
    expect(crypto.verify(s.msgSignature.slice(0, 39), s.timestamp, s.nonce, s.echostr)).toBe(false);
    expect(crypto.verify(s.msgSignature + '0', s.timestamp, s.nonce, s.echostr)).toBe(false);
    expect(crypto.verify(s.msgSignature.toUpperCase(), s.timestamp, s.nonce, s.echostr)).toBe(false);
    const other = new WecomCrypto('other-token', AES_KEY, CORP_ID);
    expect(other.verify(s.msgSignature, s.timestamp, s.nonce, s.echostr)).toBe(false);
  });
});

describe('strict decryption refusals', () => {
  it('wrong corpid → bad_receiveid', () => {
    const other = new WecomCrypto(TOKEN, AES_KEY, 'wwotherCorp000001');
    expect(failureOf(() => crypto.decrypt(other.encrypt('hello')))).toBe('bad_receiveid');
    expect(failureOf(() => other.decrypt(SAMPLE.echostr))).toBe('bad_receiveid');
    // A prefix, an extension and a case change of the corpid are all refused.
    for (const id of [CORP_ID.slice(0, -1), CORP_ID + 'x', CORP_ID.toUpperCase(), '']) {
      expect(failureOf(() => crypto.decrypt(encryptRaw(pad32(content('hello', id)))))).toBe('bad_receiveid');
    }
  });

  it('bad padding → bad_padding', () => {
    const c = content('hello'); // 43 bytes: correct pad is 21
    const body = Buffer.concat([c, Buffer.alloc(20, 21)]); // 63 bytes, one more to come
    // Pad value 0.
    expect(failureOf(() => crypto.decrypt(encryptRaw(Buffer.concat([body, Buffer.from([0])]))))).toBe('bad_padding');
    // Pad value 33 and 255.
    expect(failureOf(() => crypto.decrypt(encryptRaw(Buffer.concat([body, Buffer.from([33])]))))).toBe('bad_padding');
    expect(failureOf(() => crypto.decrypt(encryptRaw(Buffer.concat([body, Buffer.from([255])]))))).toBe('bad_padding');
    // Inconsistent pad bytes: last byte says 21, one of the other 20 differs.
    const inconsistent = Buffer.concat([body, Buffer.from([21])]);
    inconsistent[c.length] = 20;
    expect(failureOf(() => crypto.decrypt(encryptRaw(inconsistent)))).toBe('bad_padding');
    // A pad of 32 whose first byte is wrong.
    const full = Buffer.concat([content('a'.repeat(26)), Buffer.alloc(32, 32)]);
    full[64] = 31;
    expect(failureOf(() => crypto.decrypt(encryptRaw(full)))).toBe('bad_padding');
    // Sanity: the same bytes with correct padding decrypt.
    expect(crypto.decrypt(encryptRaw(Buffer.concat([body, Buffer.from([21])])))).toBe('hello');
  });

  it('a different key → refused (almost surely bad_padding), never decrypted', () => {
    const other = new WecomCrypto(TOKEN, 'A'.repeat(43), CORP_ID);
    expect(['bad_padding', 'bad_plaintext', 'bad_receiveid']).toContain(failureOf(() => other.decrypt(SAMPLE.echostr)));
  });

  it('truncated base64 → bad_base64 or bad_length', () => {
    for (const drop of [1, 2, 3, 4, 8, 43]) {
      const cut = SAMPLE.echostr.slice(0, -drop);
      expect(['bad_base64', 'bad_length']).toContain(failureOf(() => crypto.decrypt(cut)));
    }
  });

  it('non-canonical base64 → bad_base64', () => {
    const e = SAMPLE.echostr; // ends in 'qQ==' → 'qR==' sets a discarded bit
    for (const bad of [
      e.slice(0, -3) + 'R==',
      e.replace(/==$/, ''), // unpadded
      e.replace('+', '-'), // base64url
      e.replace('/', '_'),
      e.slice(0, 20) + '\n' + e.slice(20),
      ' ' + e,
      e + ' ',
      e.slice(0, 40) + '=' + e.slice(41),
    ]) {
      expect(failureOf(() => crypto.decrypt(bad))).toBe('bad_base64');
    }
  });

  it('ciphertext length not a multiple of 32 → bad_length', () => {
    for (const n of [16, 48, 80]) {
      expect(failureOf(() => crypto.decrypt(encryptRaw(Buffer.alloc(n, 1))))).toBe('bad_length');
    }
    expect(failureOf(() => crypto.decrypt(Buffer.alloc(33).toString('base64')))).toBe('bad_length');
    expect(failureOf(() => crypto.decrypt(''))).toBe('bad_length');
  });

  it('length field larger than the data → bad_plaintext', () => {
    const realLength = Buffer.byteLength('hello') + CORP_ID.length; // msg + receiveid bytes after the header
    for (const field of [realLength + 1, 1000, 0xffffffff]) {
      expect(failureOf(() => crypto.decrypt(encryptRaw(pad32(content('hello', CORP_ID, field)))))).toBe('bad_plaintext');
    }
    // Exactly filling the data leaves an empty receiveid: wrong corpid, not bad plaintext.
    expect(failureOf(() => crypto.decrypt(encryptRaw(pad32(content('hello', CORP_ID, realLength)))))).toBe('bad_receiveid');
  });

  it('plaintext shorter than its 20-byte header → bad_plaintext', () => {
    expect(failureOf(() => crypto.decrypt(encryptRaw(pad32(Buffer.alloc(19, 0)))))).toBe('bad_plaintext');
    expect(failureOf(() => crypto.decrypt(encryptRaw(Buffer.alloc(32, 32))))).toBe('bad_plaintext');
  });

  it('message that is not valid UTF-8 → bad_plaintext', () => {
    expect(failureOf(() => crypto.decrypt(encryptRaw(pad32(content(Buffer.from([0x68, 0xff, 0xfe]))))))).toBe('bad_plaintext');
    expect(failureOf(() => crypto.decrypt(encryptRaw(pad32(content(Buffer.from([0xe4, 0xb8]))))))).toBe('bad_plaintext');
  });

  it('garbage strings never throw anything but WecomCryptoError', () => {
    const garbage = [
      '',
      ' ',
      '=',
      '====',
      'A',
      'AA==',
      'AAAA',
      'not base64 at all!',
      '中文密文',
      '\u0000\u0000\u0000\u0000',
      '\ud800AAA',
      '<xml><Encrypt>x</Encrypt></xml>',
      'A'.repeat(43),
      'A'.repeat(44),
      'A'.repeat(2 * 1024 * 1024),
      'A'.repeat(2 * 1024 * 1024 - 1) + '=',
      '/'.repeat(1024),
      '+/+/'.repeat(11),
    ];
    for (const g of garbage) {
      expect(failureOf(() => crypto.decrypt(g))).toMatch(/^bad_/);
      expect(failureOf(() => crypto.open(crypto.signature('1', '2', g), '1', '2', g))).not.toBe('bad_signature');
    }
  });

  it('errors carry their failure code and name', () => {
    try {
      crypto.decrypt('!');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(WecomCryptoError);
      expect(e).toBeInstanceOf(Error);
      expect((e as WecomCryptoError).failure).toBe('bad_base64');
      expect((e as WecomCryptoError).name).toBe('WecomCryptoError');
    }
  });
});

describe('constructor', () => {
  it('accepts the sample key, which is not canonical base64 in its last character', () => {
    expect(() => new WecomCrypto(TOKEN, AES_KEY, CORP_ID)).not.toThrow();
  });

  it('bad EncodingAESKey throws a plain Error naming WECOM_ENCODING_AES_KEY, without echoing the key', () => {
    for (const bad of [
      '',
      AES_KEY.slice(0, 42),
      AES_KEY + 'A',
      AES_KEY + '=',
      AES_KEY.slice(0, 42) + '-',
      AES_KEY.slice(0, 42) + '=',
      ' ' + AES_KEY.slice(1),
      '中'.repeat(43),
    ]) {
      let thrown: unknown;
      try {
        new WecomCrypto(TOKEN, bad, CORP_ID);
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(Error);
      expect(thrown).not.toBeInstanceOf(WecomCryptoError);
      const message = (thrown as Error).message;
      expect(message).toContain('WECOM_ENCODING_AES_KEY');
      expect(message).toMatch(/[\u4e00-\u9fff]/);
      if (bad.length > 10) expect(message).not.toContain(bad.slice(0, 20));
    }
  });

  it('encrypt refuses a random prefix that is not 16 bytes', () => {
    expect(() => crypto.encrypt('x', Buffer.alloc(15))).toThrow(RangeError);
  });
});
