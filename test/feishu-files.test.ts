// Report attachments in Feishu, end to end: a contact sends a picture and a file (signed, encrypted
// im.message.receive_v1 events of message_type image and file), the service fetches them from the message's resources
// at once; /报送 takes them, the leader signs by the card, /核验 finds it intact and names a file changed on disk;
// /附件 uploads each one (multipart, checked part by part by the fake) and sends it as an image or file message into
// the chat it was asked from, once however often a delivery is tried; a file Feishu cannot take is said instead.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Harness } from './helpers/harness.ts';
import type { FakeFeishu } from './helpers/fake-feishu.ts';
import { buttonsOf, FeishuSession, useFakeFeishu } from './helpers/feishu-session.ts';
import { enqueueDeliveries } from '../src/delivery/delivery.ts';

let fake: FakeFeishu;
let s: FeishuSession;
let h: Harness;

useFakeFeishu((f) => (fake = f), () => s);

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('路面整改后的照片'.repeat(30))]);
const PDF = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.from('整改方案：分三批推进。'.repeat(40))]);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const lastText = (person: string) => s.texts(person).at(-1) ?? '';

/** A key item issued to jtj and received by its head, in Feishu. */
async function received(): Promise<void> {
  s = await FeishuSession.start(fake);
  h = s.h;
  await s.say('zhang', '/新建 城区主干道积水整治 单位=jtj 期限=5d 类别=民生');
  await s.press('zhang', '发出');
  await s.press('li', '签收');
}

describe('attachments in Feishu', () => {
  it('a report with a picture and a file: fetched, signed, verified, a changed file named, each sent back', async () => {
    await received();
    await s.sendFile('zhao', { bytes: PNG, image: true });
    expect(lastText('zhao')).toMatch(/^已收到文件「图片-\d{8}-\d{4}\.png」/);
    await s.sendFile('zhao', { bytes: PDF, name: '整改方案.pdf' });
    expect(lastText('zhao')).toContain('已收到文件「整改方案.pdf」');
    // Fetched from each message's resources, by its type.
    expect(fake.downloads.map((d) => d.type)).toEqual(['image', 'file']);

    await s.say('zhao', '/报送 1 办结 全部整改到位，照片和方案见附件。');
    expect(lastText('zhao')).toContain('附件 2 个');
    const card = s.lastCard('li', '签署');
    expect(JSON.stringify(card.content)).toContain('附件2 整改方案.pdf');
    expect(JSON.stringify(card.content)).toContain('签署即确认报告全文和全部附件');
    expect((await s.press('li', '签署')).json.toast.type).toBe('success');
    expect(buttonsOf(fake.contentOf(card.messageId))).toHaveLength(0);
    const signed = (await h.rt.store.getAssignment('d1', 'jtj'))!.doc.reports[0]!.signature!;
    expect(signed.attachments).toEqual([sha(PNG), sha(PDF)]);

    await s.say('zhang', '/核验 1');
    expect(lastText('zhang')).toContain('结论：记录完整');
    expect(lastText('zhang')).toContain('附件 2 个');

    // /附件 1 1: the picture as an image message, into the chat the command came from.
    await s.say('zhang', '/附件 1 1');
    const image = fake.uploads.at(-1)!;
    expect(image).toMatchObject({ kind: 'image', fields: { image_type: 'message' }, part: 'image', contentType: 'image/png' });
    expect(image.filename).toMatch(/^图片-\d{8}-\d{4}\.png$/);
    expect(image.bytes.equals(PNG)).toBe(true);
    expect(fake.messages.at(-1)).toMatchObject({ msgType: 'image', receiveIdType: 'chat_id', receiveId: 'oc_zhang', content: { image_key: image.key } });
    // /附件 1 2: the plan as a file message.
    await s.say('zhang', '/附件 1 2');
    const file = fake.uploads.at(-1)!;
    expect(file).toMatchObject({ kind: 'file', fields: { file_type: 'pdf', file_name: '整改方案.pdf' }, part: 'file', filename: '整改方案.pdf', contentType: 'application/pdf' });
    expect(file.bytes.equals(PDF)).toBe(true);
    expect(fake.messages.at(-1)).toMatchObject({ msgType: 'file', receiveId: 'oc_zhang', content: { file_key: file.key } });

    // The plan changed on disk afterwards: /核验 names it.
    writeFileSync(h.rt.files.path(sha(PDF)), Buffer.concat([PDF, Buffer.from('（事后添加的一段）')]));
    await s.say('zhang', '/核验 1');
    expect(lastText('zhang')).toContain('结论：发现 1 处问题');
    expect(lastText('zhang')).toContain('市交通运输局第 1 稿报告的附件2「整改方案.pdf」的文件内容与其哈希不符');
  });

  it('/台账 导出 and /归档: the .xlsx and the PDF are uploaded as files (xls, pdf) and sent as file messages', async () => {
    await received();
    await s.say('zhang', '/台账 导出');
    expect(lastText('zhang')).toContain('正在生成台账表格');
    await h.until('the spreadsheet', () => fake.messages.some((m) => m.msgType === 'file'));
    const xlsx = fake.uploads.at(-1)!;
    expect(xlsx).toMatchObject({ kind: 'file', fields: { file_type: 'xls' }, part: 'file', contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' });
    expect(xlsx.filename).toMatch(/^督查台账-\d{8}-\d{4}\.xlsx$/);
    expect(xlsx.bytes.subarray(0, 2).toString()).toBe('PK');
    expect(fake.messages.at(-1)).toMatchObject({ msgType: 'file', receiveId: 'oc_zhang', content: { file_key: xlsx.key } });
    await s.say('zhang', '/归档 1');
    await h.until('the PDF', () => fake.uploads.length === 2 && fake.messages.filter((m) => m.msgType === 'file').length === 2);
    const pdf = fake.uploads.at(-1)!;
    expect(pdf).toMatchObject({ kind: 'file', fields: { file_type: 'pdf', file_name: '督字〔2026〕1号归档记录.pdf' }, contentType: 'application/pdf' });
    expect(pdf.bytes.subarray(0, 5).toString()).toBe('%PDF-');
    expect(fake.messages.at(-1)).toMatchObject({ msgType: 'file', content: { file_key: pdf.key } });
  });

  it('a file sent in reply to the answer to /报送 is added to the waiting report', async () => {
    await received();
    await s.say('zhao', '/报送 1 已完成排查。');
    const answer = fake.messages.filter((m) => m.receiveId === 'oc_zhao' && JSON.stringify(m.content).includes('送李明签署')).at(-1)!;
    await s.sendFile('zhao', { bytes: PDF, name: '补充方案.pdf', parentId: answer.messageId });
    expect(lastText('zhao')).toContain('已将「补充方案.pdf」作为附件1补充到');
    expect((await h.rt.store.getAssignment('d1', 'jtj'))!.doc.reports[0]!.attachments!.map((f) => f.name)).toEqual(['补充方案.pdf']);
    // The leader's card shows it now, and they are told.
    expect(JSON.stringify(fake.contentOf(s.lastCard('li', '签署').messageId))).toContain('附件1 补充方案.pdf');
    expect(lastText('li')).toContain('补充了附件1 补充方案.pdf');
  });

  it('a retried delivery uploads and shows the file once', async () => {
    await received();
    await s.sendFile('zhao', { bytes: PNG, image: true });
    await s.say('zhao', '/报送 1 见照片。');
    // The upload goes through; the message after it fails once, and the delivery is tried again.
    fake.failNext(1, '5xx', { path: '/open-apis/im/v1/messages', status: 500 });
    await s.say('zhang', '/附件 1 1');
    expect(fake.requests.filter((r) => r.path === '/open-apis/im/v1/messages' && r.injected === '5xx')).toHaveLength(1);
    expect(fake.uploads).toHaveLength(1);
    expect(fake.messages.filter((m) => m.msgType === 'image')).toHaveLength(1);
    // Asked again: the key kept is sent again, nothing uploaded.
    await s.say('zhang', '/附件 1 1');
    expect(fake.uploads).toHaveLength(1);
    expect(fake.messages.filter((m) => m.msgType === 'image')).toHaveLength(2);
  });

  it('a picture too large for an image goes as a file; a file too large for Feishu is said instead, nothing uploaded', async () => {
    await received();
    const to = { platform: 'feishu' as const, chatId: 'oc_zhang', direct: true };
    const big = Buffer.concat([PNG, Buffer.alloc(11 * 1024 * 1024, 7)]);
    const huge = Buffer.alloc(31 * 1024 * 1024, 7);
    for (const b of [big, huge]) await h.rt.files.putBytes(b);
    await enqueueDeliveries(h.rt.queues.deliver, 'test:big-picture', [
      { kind: 'file', to, file: { sha256: sha(big), name: '航拍.png', mime: 'image/png', size: big.length } },
    ]);
    await h.settle();
    expect(fake.uploads.map((u) => [u.kind, u.fields.file_type, u.filename])).toEqual([['file', 'stream', '航拍.png']]);
    await enqueueDeliveries(h.rt.queues.deliver, 'test:huge-file', [
      { kind: 'file', to, file: { sha256: sha(huge), name: '全部录像.zip', mime: 'application/zip', size: huge.length } },
    ]);
    await h.settle();
    expect(fake.uploads).toHaveLength(1);
    expect(lastText('zhang')).toBe('文件「全部录像.zip」有 31 MB，超过飞书单个文件 30 MB 的上限，无法在飞书中发送。请到督查室另行取用。');
  });

  it('a JSON file a contact sends is kept as a file, not taken for an error answer', async () => {
    await received();
    const json = Buffer.from(JSON.stringify({ code: 1, msg: '台账导出' }));
    await s.sendFile('zhao', { bytes: json, name: '台账.json', mime: 'application/json' });
    expect(lastText('zhao')).toContain('已收到文件「台账.json」');
    expect((await h.rt.files.read(sha(json))).equals(json)).toBe(true);
  });

  it('a download that fails is tried again; one Feishu cannot give, or from someone not a contact, is answered', async () => {
    await received();
    // The next request is the download: Feishu asks to slow down, the job is tried again.
    fake.failNext(1, 'rate429');
    await s.sendFile('zhao', { bytes: PDF, name: '方案.pdf' });
    expect(fake.requests.filter((r) => r.injected === 'rate429')).toHaveLength(1);
    expect(lastText('zhao')).toContain('已收到文件「方案.pdf」');
    await s.sendFile('zhao', { bytes: PDF, name: '丢失.pdf', offer: false });
    expect(lastText('zhao')).toBe('未能从平台取回您发送的文件「丢失.pdf」，请重新发送。');
    const before = fake.downloads.length;
    await s.sendFile('li', { bytes: PDF, name: '领导的文件.pdf' });
    expect(lastText('li')).toContain('只有承办单位的联络员发送的文件才会作为报告附件');
    expect(fake.downloads).toHaveLength(before);
  });
});
