// Report attachments in WeCom, end to end: a contact sends a picture and a file (the callback XML of image and file
// messages, encrypted and signed as WeCom sends it), fetched at once with media/get; /报送 takes them, the leader signs
// with the template card, /核验 finds it intact and names a hash changed in the record; /附件 uploads each one
// (media/upload, multipart, checked part by part by the fake) and sends it as an image or file message; a media id WeCom
// has forgotten is uploaded again; a file WeCom cannot take is said instead.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Assignment } from '../src/domain/types.ts';
import { enqueueDeliveries } from '../src/delivery/delivery.ts';
import type { FakeWecom } from './helpers/fake-wecom.ts';
import { fileXml, imageXml, USERID, useFakeWecom, WecomSession } from './helpers/wecom-session.ts';

let fake: FakeWecom;
let s: WecomSession | undefined;

useFakeWecom(
  (f) => (fake = f),
  () => s,
  () => (s = undefined),
);

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('路面整改后的照片'.repeat(30))]);
const PDF = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.from('整改方案：分三批推进。'.repeat(40))]);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function received(): Promise<WecomSession> {
  s = await WecomSession.start(fake);
  await s.say('zhang', '/新建 城区主干道积水整治 单位=jtj 期限=5d 类别=民生');
  await s.press('zhang', '发出');
  await s.press('li', '签收');
  return s;
}

const lastText = (person: string) => s!.texts(person).at(-1) ?? '';

describe('attachments in WeCom', () => {
  it('a report with a picture and a file: fetched, signed, verified, a changed hash named, each sent back', async () => {
    const w = await received();
    const imageId = await w.sendFile('zhao', { bytes: PNG, image: true });
    expect(lastText('zhao')).toMatch(/^已收到文件「图片-\d{8}-\d{4}\.png」/);
    const fileId = await w.sendFile('zhao', { bytes: PDF, name: '整改方案.pdf' });
    expect(fake.mediaDownloads).toEqual([imageId, fileId]);

    await w.say('zhao', '/报送 1 办结 全部整改到位，照片和方案见附件。');
    expect(lastText('zhao')).toContain('附件 2 个');
    // The sign card (with its markdown, the card being cut) lists the attachments.
    expect(JSON.stringify(fake.messagesTo(USERID.li!).slice(-2))).toContain('附件2 整改方案.pdf');
    await w.press('li', '签署');
    const doc = (await w.h.rt.store.getAssignment('d1', 'jtj'))!.doc;
    expect(doc.reports[0]!.signature!.attachments).toEqual([sha(PNG), sha(PDF)]);

    await w.say('zhang', '/核验 1');
    expect(lastText('zhang')).toContain('结论：记录完整');

    await w.say('zhang', '/附件 1 1');
    const image = fake.uploads.at(-1)!;
    expect(image).toMatchObject({ type: 'image', part: 'media', contentType: 'image/png' });
    expect(image.filename).toMatch(/^图片-\d{8}-\d{4}\.png$/);
    expect(image.bytes.equals(PNG)).toBe(true);
    expect(fake.messagesTo(USERID.zhang!).at(-1)).toMatchObject({ msgtype: 'image', content: { media_id: image.mediaId } });
    await w.say('zhang', '/附件 1 2');
    const file = fake.uploads.at(-1)!;
    expect(file).toMatchObject({ type: 'file', part: 'media', filename: '整改方案.pdf', contentType: 'application/pdf' });
    expect(file.bytes.equals(PDF)).toBe(true);
    expect(fake.messagesTo(USERID.zhang!).at(-1)).toMatchObject({ msgtype: 'file', content: { media_id: file.mediaId } });

    // A hash changed in the record afterwards (pointing at another file kept there): /核验 names it.
    const key = w.h.rt.store.k.assignment('d1', 'jtj');
    const changed = JSON.parse((await w.h.redis.hget(key, 'doc'))!) as Assignment;
    const other = Buffer.from('%PDF-1.7 另一份方案');
    await w.h.rt.files.putBytes(other);
    changed.reports[0]!.attachments![1]!.sha256 = sha(other);
    await w.h.redis.hset(key, 'doc', JSON.stringify(changed));
    await w.say('zhang', '/核验 1');
    expect(lastText('zhang')).toContain('结论：发现');
    expect(s!.texts('zhang').slice(-3).join('')).toContain('市交通运输局第 1 稿报告的附件2「整改方案.pdf」与报送和补充附件时记录的哈希不符');
  });

  it('/台账 导出 and /归档: the .xlsx and the PDF go through media/upload and file messages', async () => {
    const w = await received();
    await w.say('zhang', '/台账 导出');
    expect(lastText('zhang')).toContain('正在生成台账表格');
    await w.h.until('the spreadsheet', () => fake.uploads.length === 1 && fake.messagesTo(USERID.zhang!).at(-1)?.msgtype === 'file');
    const xlsx = fake.uploads.at(-1)!;
    expect(xlsx).toMatchObject({ type: 'file', part: 'media' });
    expect(xlsx.filename).toMatch(/^督查台账-\d{8}-\d{4}\.xlsx$/);
    expect(fake.messagesTo(USERID.zhang!).at(-1)).toMatchObject({ msgtype: 'file', content: { media_id: xlsx.mediaId } });
    await w.say('zhang', '/归档 1');
    await w.h.until('the PDF', () => fake.uploads.length === 2 && fake.messagesTo(USERID.zhang!).at(-1)?.msgtype === 'file');
    const pdf = fake.uploads.at(-1)!;
    expect(pdf).toMatchObject({ type: 'file', filename: '督字〔2026〕1号归档记录.pdf', contentType: 'application/pdf' });
    expect(pdf.bytes.subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('a callback delivered twice is one file; a download that fails is tried again', async () => {
    const w = await received();
    const mediaId = fake.offerMedia(PNG, { type: 'image', contentType: 'image/png' });
    const xml = imageXml(USERID.zhao!, mediaId, '7300000000000000001');
    fake.failNext(1, '5xx', { path: '/cgi-bin/media/get', status: 502 });
    expect((await w.post(xml)).status).toBe(200);
    expect((await w.post(xml)).status).toBe(200);
    await w.h.settle();
    expect(fake.requests.filter((r) => r.path === '/cgi-bin/media/get' && r.injected === '5xx')).toHaveLength(1);
    expect(fake.mediaDownloads).toEqual([mediaId]);
    expect(w.texts('zhao').filter((t) => t.startsWith('已收到文件'))).toHaveLength(1);
  });

  it('a JSON file a contact sends is kept as a file, not taken for WeCom\'s error answer', async () => {
    const w = await received();
    const json = Buffer.from(JSON.stringify({ errcode: 1, errmsg: '台账导出' }));
    const mediaId = fake.offerMedia(json, { contentType: 'application/json' });
    expect((await w.post(fileXml(USERID.zhao!, mediaId, '台账.json'))).status).toBe(200);
    await w.h.settle();
    expect(lastText('zhao')).toContain('已收到文件「台账.json」');
    expect((await w.h.rt.files.read(sha(json))).equals(json)).toBe(true);
  });

  it('uploads once per file while WeCom keeps it, and again once it has forgotten it', async () => {
    const w = await received();
    await w.sendFile('zhao', { bytes: PDF, name: '方案.pdf' });
    await w.say('zhao', '/报送 1 见方案。');
    await w.say('zhang', '/附件 1 1');
    await w.say('zhang', '/附件 1 1');
    expect(fake.uploads).toHaveLength(1);
    expect(fake.messagesTo(USERID.zhang!).filter((m) => m.msgtype === 'file')).toHaveLength(2);
    // Three days on, WeCom no longer knows the media id kept here: it is uploaded again, and the file is sent.
    const start = Date.now();
    fake.now = () => start + 3 * 24 * 3600_000 + 60_000;
    await w.say('zhang', '/附件 1 1');
    expect(fake.uploads).toHaveLength(2);
    expect(fake.messagesTo(USERID.zhang!).filter((m) => m.msgtype === 'file')).toHaveLength(3);
  });

  it('a picture over 2 MB goes as a file; a file over 20 MB is said instead, nothing uploaded', async () => {
    const w = await received();
    const to = { platform: 'wecom' as const, chatId: USERID.zhang!, direct: true };
    const big = Buffer.concat([PNG, Buffer.alloc(3 * 1024 * 1024, 7)]);
    const huge = Buffer.alloc(21 * 1024 * 1024, 7);
    for (const b of [big, huge]) await w.h.rt.files.putBytes(b);
    await enqueueDeliveries(w.h.rt.queues.deliver, 'test:big-picture', [
      { kind: 'file', to, file: { sha256: sha(big), name: '航拍.png', mime: 'image/png', size: big.length } },
      { kind: 'file', to, file: { sha256: sha(huge), name: '全部录像.zip', mime: 'application/zip', size: huge.length } },
    ]);
    await w.h.settle();
    expect(fake.uploads.map((u) => [u.type, u.filename])).toEqual([['file', '航拍.png']]);
    expect(lastText('zhang')).toBe('文件「全部录像.zip」有 21 MB，超过企业微信单个文件 20 MB 的上限，无法在企业微信中发送。请到督查室另行取用。');
  });
});
