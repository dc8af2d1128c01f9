// Tests of Feishu inbound verification: decryption (documented vector, round trips, failures), raw-body signatures, verdicts, freshness.
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  DecryptError,
  decrypt,
  feishuSignature,
  isFresh,
  legacySignature,
  safeEqual,
  verifySignature,
} from '../src/platforms/feishu/verify.ts';
import {
  cardAction,
  encrypt,
  legacyCardAction,
  messageEvent,
  otherEvent,
  signedRequest,
  urlVerification,
} from './helpers/feishu-webhook.ts';

const KEY = 'encrypt-key-0123456789';
const TOKEN = 'verification-token-abc';

/** Encrypts raw bytes the Feishu way, for plaintexts that are not valid UTF-8. */
function encryptBytes(bytes: Buffer, encryptKey: string): string {
  const key = createHash('sha256').update(encryptKey).digest();
  const iv = randomBytes(16);
  const c = createCipheriv('aes-256-cbc', key, iv);
  return Buffer.concat([iv, c.update(bytes), c.final()]).toString('base64');
}

function decryptError(fn: () => unknown): DecryptError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DecryptError);
    return e as DecryptError;
  }
  throw new Error('expected a DecryptError');
}

describe('decrypt', () => {
  it('decrypts the documented vector', () => {
    expect(decrypt('P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=', 'test key')).toBe('hello world');
  });

  it('round-trips Chinese text and JSON bodies through the helper', () => {
    const text = '督查通知：请于本周五前签收，逾期将催办。🚩';
    expect(decrypt(encrypt(text, KEY), KEY)).toBe(text);
    const body = messageEvent({ token: TOKEN, openId: 'ou_1', text: '/new 事项 截止 周五' });
    expect(JSON.parse(decrypt(encrypt(JSON.stringify(body), KEY), KEY))).toEqual(body);
    // A key with non-ASCII characters, and a plaintext that is exactly one block long.
    expect(decrypt(encrypt('0123456789abcdef', '密钥'), '密钥')).toBe('0123456789abcdef');
  });

  it('uses a fresh IV each time', () => {
    expect(encrypt('same', KEY)).not.toBe(encrypt('same', KEY));
  });

  it('keeps a genuine U+FFFD in the plaintext', () => {
    expect(decrypt(encrypt('a\uFFFDb', KEY), KEY)).toBe('a\uFFFDb');
  });

  it('throws DecryptError with the wrong key', () => {
    decryptError(() => decrypt('P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=', 'test kez'));
    const long = JSON.stringify(messageEvent({ token: TOKEN, openId: 'ou_1', text: 'x'.repeat(200) }));
    decryptError(() => decrypt(encrypt(long, KEY), `${KEY}!`));
  });

  it('throws DecryptError on truncated ciphertext', () => {
    const full = encrypt('hello world, a message of more than one block', KEY);
    const blob = Buffer.from(full, 'base64');
    decryptError(() => decrypt(blob.subarray(0, blob.length - 16).toString('base64'), KEY)); // last block gone: bad padding
    decryptError(() => decrypt(blob.subarray(0, blob.length - 5).toString('base64'), KEY)); // not whole blocks
    decryptError(() => decrypt(blob.subarray(0, 16).toString('base64'), KEY)); // IV only
    decryptError(() => decrypt(blob.subarray(0, 10).toString('base64'), KEY)); // shorter than an IV
    decryptError(() => decrypt(full.slice(0, -4), KEY)); // cut base64 text
  });

  it('throws DecryptError on garbage and empty input', () => {
    decryptError(() => decrypt('', KEY));
    decryptError(() => decrypt('not base64 at all!', KEY));
    decryptError(() => decrypt('P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk', 'test key')); // padding stripped
    decryptError(() => decrypt(' P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=', 'test key'));
    decryptError(() => decrypt(randomBytes(64).toString('base64'), KEY));
    // The right length, but with characters that are not base64 (which a lenient decoder skips).
    const good = encrypt('hello world, a message of more than one block', KEY);
    decryptError(() => decrypt(`!${good.slice(1)}`, KEY));
    decryptError(() => decrypt(`${good.slice(0, 8)}\n\n\n\n${good.slice(12)}`, KEY));
    decryptError(() => decrypt('P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=', ''));
    decryptError(() => decrypt(undefined as unknown as string, KEY));
  });

  it('throws DecryptError when the plaintext is not UTF-8', () => {
    const e = decryptError(() => decrypt(encryptBytes(Buffer.from([0x7b, 0xff, 0xfe, 0xc3, 0x28, 0x7d]), KEY), KEY));
    expect(e.name).toBe('DecryptError');
    expect(e.message).toMatch(/UTF-8/);
  });
});

describe('signatures over the raw body', () => {
  const ts = '1700000000';
  const nonce = 'n0nce';

  it('feishuSignature is hex sha256(timestamp + nonce + key + body)', () => {
    const body = '{"encrypt":"abc"}';
    const expected = createHash('sha256').update(ts + nonce + KEY + body).digest('hex');
    expect(feishuSignature(ts, nonce, KEY, body)).toBe(expected);
    expect(feishuSignature(ts, nonce, KEY, Buffer.from(body))).toBe(expected);
  });

  it('hashes a non-ASCII body as its UTF-8 bytes, string or Buffer alike', () => {
    const body = '{"text":"督查"}';
    const expected = createHash('sha256').update(Buffer.concat([Buffer.from(ts + nonce + KEY), Buffer.from(body, 'utf8')])).digest('hex');
    expect(feishuSignature(ts, nonce, KEY, body)).toBe(expected);
    expect(feishuSignature(ts, nonce, KEY, Buffer.from(body, 'utf8'))).toBe(expected);
  });

  it('legacySignature is hex sha1(timestamp + nonce + token + body)', () => {
    const body = '{"open_id":"ou_1"}';
    expect(legacySignature(ts, nonce, TOKEN, body)).toBe(createHash('sha1').update(ts + nonce + TOKEN + body).digest('hex'));
    expect(legacySignature(ts, nonce, TOKEN, body)).toMatch(/^[0-9a-f]{40}$/);
  });

  it('a re-serialised body with different whitespace does not verify', () => {
    const { headers, rawBody } = signedRequest(messageEvent({ token: TOKEN, openId: 'ou_1', text: 'hi' }), { encryptKey: KEY });
    expect(verifySignature(headers, rawBody, { encryptKey: KEY })).toBe('ok');
    const pretty = JSON.stringify(JSON.parse(rawBody), null, 1);
    expect(JSON.parse(pretty)).toEqual(JSON.parse(rawBody));
    expect(verifySignature(headers, pretty, { encryptKey: KEY })).toBe('bad');
    expect(verifySignature(headers, `${rawBody}\n`, { encryptKey: KEY })).toBe('bad');
    // Key order matters too: same object, different bytes.
    const { encrypt: enc } = JSON.parse(rawBody) as { encrypt: string };
    expect(verifySignature(headers, `{ "encrypt": "${enc}" }`, { encryptKey: KEY })).toBe('bad');
  });

  it('a legacy card body re-serialised does not verify either', () => {
    const { headers, rawBody } = signedRequest(legacyCardAction({ openId: 'ou_1', value: { k: '签收' } }), { legacyToken: TOKEN });
    expect(verifySignature(headers, rawBody, { verificationToken: TOKEN })).toBe('ok');
    expect(verifySignature(headers, JSON.stringify(JSON.parse(rawBody), null, 2), { verificationToken: TOKEN })).toBe('bad');
  });
});

describe('verifySignature', () => {
  const body = cardAction({ token: TOKEN, openId: 'ou_1', value: { act: 'ack' } });

  it('accepts the sha256 form when an encrypt key is set', () => {
    const { headers, rawBody } = signedRequest(body, { encryptKey: KEY, timestamp: '1700000000', nonce: 'abc' });
    expect(headers['x-lark-request-timestamp']).toBe('1700000000');
    expect(headers['x-lark-request-nonce']).toBe('abc');
    expect(verifySignature(headers, rawBody, { encryptKey: KEY })).toBe('ok');
    expect(verifySignature(headers, Buffer.from(rawBody), { encryptKey: KEY, verificationToken: TOKEN })).toBe('ok');
    expect(JSON.parse(decrypt((JSON.parse(rawBody) as { encrypt: string }).encrypt, KEY))).toEqual(body);
  });

  it('says bad for a wrong key, tampered headers or body', () => {
    const { headers, rawBody } = signedRequest(body, { encryptKey: KEY });
    expect(verifySignature(headers, rawBody, { encryptKey: 'other' })).toBe('bad');
    expect(verifySignature({ ...headers, 'x-lark-request-nonce': 'zzz' }, rawBody, { encryptKey: KEY })).toBe('bad');
    expect(verifySignature({ ...headers, 'x-lark-request-timestamp': '1' }, rawBody, { encryptKey: KEY })).toBe('bad');
    expect(verifySignature({ ...headers, 'x-lark-signature': 'f'.repeat(64) }, rawBody, { encryptKey: KEY })).toBe('bad');
    expect(verifySignature({ ...headers, 'x-lark-signature': 'short' }, rawBody, { encryptKey: KEY })).toBe('bad');
    expect(verifySignature(headers, rawBody.replace('"encrypt"', '"encrypT"'), { encryptKey: KEY })).toBe('bad');
  });

  it('with an encrypt key set, does not accept the legacy sha1 form', () => {
    const { headers, rawBody } = signedRequest(body, { legacyToken: TOKEN });
    expect(verifySignature(headers, rawBody, { verificationToken: TOKEN })).toBe('ok');
    expect(verifySignature(headers, rawBody, { encryptKey: KEY, verificationToken: TOKEN })).toBe('bad');
  });

  it('accepts the legacy sha1 form with only a verification token', () => {
    const legacy = legacyCardAction({ token: 'c-123', openId: 'ou_1', value: { act: 'ack' }, messageId: 'om_1' });
    expect(legacy).toMatchObject({ open_id: 'ou_1', open_message_id: 'om_1', token: 'c-123', action: { value: { act: 'ack' }, tag: 'button' } });
    const { headers, rawBody } = signedRequest(legacy, { legacyToken: TOKEN });
    expect(rawBody).toBe(JSON.stringify(legacy));
    expect(verifySignature(headers, rawBody, { verificationToken: TOKEN })).toBe('ok');
    expect(verifySignature(headers, rawBody, { verificationToken: 'wrong' })).toBe('bad');
    // A sha256 signature made with the token as if it were a key is not the legacy form.
    const forged = { ...headers, 'x-lark-signature': feishuSignature(headers['x-lark-request-timestamp']!, headers['x-lark-request-nonce']!, TOKEN, rawBody) };
    expect(verifySignature(forged, rawBody, { verificationToken: TOKEN })).toBe('bad');
  });

  it('says missing when any header is absent or empty', () => {
    const { headers, rawBody } = signedRequest(body, { encryptKey: KEY });
    expect(verifySignature({}, rawBody, { encryptKey: KEY })).toBe('missing');
    for (const h of ['x-lark-request-timestamp', 'x-lark-request-nonce', 'x-lark-signature']) {
      const without = { ...headers };
      delete without[h];
      expect(verifySignature(without, rawBody, { encryptKey: KEY })).toBe('missing');
      expect(verifySignature({ ...headers, [h]: '' }, rawBody, { encryptKey: KEY })).toBe('missing');
      expect(verifySignature({ ...headers, [h]: undefined }, rawBody, { encryptKey: KEY })).toBe('missing');
      expect(verifySignature({ ...headers, [h]: [] }, rawBody, { encryptKey: KEY })).toBe('missing');
    }
    const plain = signedRequest(body, {});
    expect(plain.headers['x-lark-signature']).toBeUndefined();
    expect(verifySignature(plain.headers, plain.rawBody, { verificationToken: TOKEN })).toBe('missing');
  });

  it('handles array-valued and differently-cased headers', () => {
    const { headers, rawBody } = signedRequest(body, { encryptKey: KEY });
    const sig = headers['x-lark-signature']!;
    expect(verifySignature({ ...headers, 'x-lark-signature': [sig] }, rawBody, { encryptKey: KEY })).toBe('ok');
    expect(verifySignature({ ...headers, 'x-lark-signature': [sig, sig] }, rawBody, { encryptKey: KEY })).toBe('bad');
    expect(verifySignature({ ...headers, 'x-lark-signature': sig.toUpperCase() }, rawBody, { encryptKey: KEY })).toBe('ok');
    const upper = {
      'X-Lark-Request-Timestamp': headers['x-lark-request-timestamp'],
      'X-Lark-Request-Nonce': headers['x-lark-request-nonce'],
      'X-Lark-Signature': sig,
    };
    expect(verifySignature(upper, rawBody, { encryptKey: KEY })).toBe('ok');
  });

  it('fails closed when no secret is configured', () => {
    const { headers, rawBody } = signedRequest(body, { encryptKey: KEY });
    expect(verifySignature(headers, rawBody, {})).toBe('bad');
    expect(verifySignature(headers, rawBody, { encryptKey: '', verificationToken: '' })).toBe('bad');
  });
});

describe('safeEqual', () => {
  it('compares exactly', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('', '')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'ab')).toBe(false);
    expect(safeEqual('', 'a')).toBe(false);
    expect(safeEqual('督查', '督查')).toBe(true);
    expect(safeEqual('督查', '督察')).toBe(false);
    expect(safeEqual('ABC', 'abc')).toBe(false);
  });
});

describe('isFresh', () => {
  const now = Date.UTC(2025, 0, 6, 8, 0, 0);
  it('accepts events up to a day old by default', () => {
    expect(isFresh(now, now)).toBe(true);
    expect(isFresh(now - 7 * 3600_000, now)).toBe(true); // Feishu's last retry
    expect(isFresh(now - 24 * 3600_000, now)).toBe(true);
    expect(isFresh(now - 24 * 3600_000 - 1, now)).toBe(false);
    expect(isFresh(now - 48 * 3600_000, now)).toBe(false);
  });
  it('honours maxAgeMs and rejects far-future or non-numeric times', () => {
    expect(isFresh(now - 61_000, now, 60_000)).toBe(false);
    expect(isFresh(now - 59_000, now, 60_000)).toBe(true);
    expect(isFresh(now + 5_000, now)).toBe(true);
    expect(isFresh(now + 25 * 3600_000, now)).toBe(false);
    expect(isFresh(Number.NaN, now)).toBe(false);
    expect(isFresh(Number('not a number'), now)).toBe(false);
  });
  it('reads the helper envelopes create_time', () => {
    const env = otherEvent({ token: TOKEN, eventType: 'im.chat.member.bot.added_v1', createTime: now - 3600_000 });
    expect(isFresh(Number(env.header.create_time), now)).toBe(true);
  });
});

describe('envelope builders', () => {
  it('messageEvent builds im.message.receive_v1 with a JSON-string content', () => {
    const env = messageEvent({
      eventId: 'ev1',
      token: TOKEN,
      openId: 'ou_a',
      userId: 'u_a',
      chatId: 'oc_g',
      chatType: 'group',
      text: '@_user_1 /new 事项',
      mentions: [{ key: '@_user_1', openId: 'ou_bot', name: '督查助手' }],
      messageId: 'om_1',
      createTime: 1700000000000,
    });
    expect(env.schema).toBe('2.0');
    expect(env.header).toMatchObject({ event_id: 'ev1', event_type: 'im.message.receive_v1', token: TOKEN, create_time: '1700000000000' });
    expect(env.event.sender.sender_id).toMatchObject({ open_id: 'ou_a', user_id: 'u_a' });
    expect(env.event.message).toMatchObject({ message_id: 'om_1', chat_id: 'oc_g', chat_type: 'group', message_type: 'text' });
    expect(JSON.parse(env.event.message.content)).toEqual({ text: '@_user_1 /new 事项' });
    expect(env.event.message.mentions).toMatchObject([{ key: '@_user_1', id: { open_id: 'ou_bot' }, name: '督查助手' }]);

    const post = { zh_cn: { title: '', content: [[{ tag: 'text', text: '/list' }]] } };
    const p = messageEvent({ token: TOKEN, openId: 'ou_a', post });
    expect(p.event.message.message_type).toBe('post');
    expect(JSON.parse(p.event.message.content)).toEqual(post);
    expect(p.event.message.chat_type).toBe('p2p');
    expect(p.event.sender.sender_id.user_id).toBeUndefined();
    expect(p.header.event_id).not.toBe(messageEvent({ token: TOKEN, openId: 'ou_a' }).header.event_id);
  });

  it('cardAction builds card.action.trigger with a card-update token', () => {
    const env = cardAction({ token: TOKEN, openId: 'ou_a', value: { a: 1 }, messageId: 'om_9', chatId: 'oc_9' });
    expect(env.header).toMatchObject({ event_type: 'card.action.trigger', token: TOKEN });
    expect(env.event).toMatchObject({
      operator: { open_id: 'ou_a' },
      action: { value: { a: 1 }, tag: 'button' },
      context: { open_message_id: 'om_9', open_chat_id: 'oc_9' },
    });
    expect(env.event.token).toMatch(/^c-/);
    expect(env.event.token).not.toBe(TOKEN);
  });

  it('urlVerification and otherEvent', () => {
    expect(urlVerification({ token: TOKEN, challenge: 'ch1' })).toEqual({ challenge: 'ch1', token: TOKEN, type: 'url_verification' });
    const signed = signedRequest(urlVerification({ token: TOKEN, challenge: 'ch1' }), { encryptKey: KEY });
    expect(JSON.parse(decrypt((JSON.parse(signed.rawBody) as { encrypt: string }).encrypt, KEY))).toMatchObject({ challenge: 'ch1' });
    expect(otherEvent({ token: TOKEN, eventType: 'x.y' }).header.event_type).toBe('x.y');
  });
});
