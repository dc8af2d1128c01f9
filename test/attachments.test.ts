// Report attachments through the neutral entry points: files a contact sends wait for their next /报送 (within
// DUCHA_ATTACH_WINDOW) and go with it, numbered across the item; a file sent in reply to the report's answer is added
// while it waits for signature; the leader signs the text and the files' hashes; /核验 checks both, and names a file
// changed on disk or a hash changed in the record; /附件 sends a file back to whoever may see the item.
import { createHash } from 'node:crypto';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Assignment } from '../src/domain/types.ts';
import { MAX_FILE_BYTES, MAX_REPORT_FILES } from '../src/files/limits.ts';
import { createHarness, type Harness } from './helpers/harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await createHarness({ env: { DUCHA_ATTACH_WINDOW: '10' } });
});
afterEach(async () => {
  await h.close();
});

/** A small but real PNG (the first bytes say so) and a PDF. */
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('整改后的路面照片'.repeat(40))]);
const PDF = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.from('整改方案：分三批推进。'.repeat(50))]);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A key item issued to jtj and received by its head. */
async function receivedItem(): Promise<void> {
  await h.command('zhang', '/新建 城区主干道积水整治 单位=jtj 期限=5工作日 类别=民生');
  await h.press('zhang', { card: h.lastCard('zhang', '发出'), label: '发出' });
  await h.press('li', { card: h.lastCard('li', '签收'), label: '签收' });
}

async function assignment(): Promise<Assignment> {
  return (await h.rt.store.getAssignment('d1', 'jtj'))!.doc;
}

const minutes = (n: number) => h.clock.advance(n * 60_000);

describe('files a contact sends before /报送', () => {
  it('wait, are said to wait, and go with the report numbered 附件1, 附件2, listed on the sign card and its dialog', async () => {
    await receivedItem();
    await h.sendFile('zhao', { bytes: PNG, image: true });
    expect(h.lastText('zhao')).toMatch(/^已收到文件「图片-20260928-0900\.png」（968 B）。请在 10 分钟内发送 \/报送/);
    await h.sendFile('zhao', { bytes: PDF, name: '整改方案.pdf' });
    expect(h.lastText('zhao')).toContain('现有待附文件 2 个');
    await h.command('zhao', '/报送 1 已完成排查，整改方案见附件。');
    expect(h.lastText('zhao')).toMatch(/已将进展报告（第 1 稿，附件 2 个）送李明签署/);
    expect(h.lastText('zhao')).toContain('附件2 整改方案.pdf');

    const r = (await assignment()).reports[0]!;
    expect(r.attachments).toEqual([
      expect.objectContaining({ n: 1, sha256: sha(PNG), mime: 'image/png', size: PNG.length, by: 'zhao' }),
      expect.objectContaining({ n: 2, sha256: sha(PDF), name: '整改方案.pdf', mime: 'application/pdf', size: PDF.length, by: 'zhao' }),
    ]);
    // Kept on disk under their sha256.
    expect(readdirSync(join(h.filesDir, sha(PDF).slice(0, 2)))).toContain(sha(PDF));

    const card = h.lastCard('li', '签署');
    expect(card.body).toContain('**附件**');
    expect(card.body).toContain('附件1 图片-20260928-0900.png（968 B）');
    expect(card.body).toContain('发送 /附件 1 1 可取回附件');
    expect(card.fields).toContainEqual({ label: '附件', value: '2 个（附件1、附件2）' });
    const confirm = card.buttons.find((b) => b.text === '签署')!.confirm!;
    expect(confirm.text).toContain('附件 2 个');
    expect(confirm.text).toContain('附件2 整改方案.pdf');
    expect(confirm.text).toContain('签署即确认报告全文和全部附件');

    // The audit's submit entry records the hashes; the file list is taken: a second report carries none.
    const submit = (await h.rt.store.audit('d1')).find((e) => e.action === 'submit')!;
    expect(JSON.parse(submit.detail!).attachments).toEqual([sha(PNG), sha(PDF)]);
    await h.command('zhao', '/报送 1 第二稿');
    expect((await assignment()).reports[1]!.attachments).toBeUndefined();
  });

  it('only within the window: a file sent longer ago is not taken', async () => {
    await receivedItem();
    await h.sendFile('zhao', { bytes: PDF, name: '旧方案.pdf' });
    minutes(11);
    // The old file no longer counts: the new one is the only one waiting.
    await h.sendFile('zhao', { bytes: PNG, image: true });
    expect(h.lastText('zhao')).toMatch(/^已收到文件「[^」]+」（[^）]+）。请在/);
    minutes(11);
    await h.command('zhao', '/报送 1 已完成排查。');
    expect((await assignment()).reports[0]!.attachments).toBeUndefined();
    const fresh = Buffer.from('%PDF-1.7 新方案');
    await h.sendFile('zhao', { bytes: fresh, name: '新方案.pdf' });
    await h.command('zhao', '/报送 1 第二稿，附新方案。');
    expect((await assignment()).reports[1]!.attachments!.map((f) => f.name)).toEqual(['新方案.pdf']);
  });

  it('given back when the /报送 is refused, and taken by the next one with the same numbers', async () => {
    await h.command('zhang', '/新建 城区主干道积水整治 单位=jtj 期限=5工作日 类别=民生');
    await h.press('zhang', { card: h.lastCard('zhang', '发出'), label: '发出' });
    await h.sendFile('zhao', { bytes: PDF, name: '方案.pdf' });
    // Not received yet: the report is refused, the file waits again.
    await h.command('zhao', '/报送 1 已完成排查。');
    expect(h.lastText('zhao')).toContain('尚未签收');
    await h.press('li', { card: h.lastCard('li', '签收'), label: '签收' });
    await h.command('zhao', '/报送 1 已完成排查。');
    expect((await assignment()).reports[0]!.attachments!.map((f) => [f.n, f.name])).toEqual([[1, '方案.pdf']]);
  });

  it('are refused past the limits, with a clear answer, and not kept', async () => {
    await receivedItem();
    await h.sendFile('zhao', { bytes: Buffer.alloc(MAX_FILE_BYTES + 1, 1), name: '录像.mp4' });
    expect(h.lastText('zhao')).toBe('文件「录像.mp4」超过 20 MB，未能收下。请压缩或拆分后重新发送。');
    expect(readdirSync(join(h.filesDir, 'tmp'))).toEqual([]);
    for (let i = 0; i < MAX_REPORT_FILES; i++) await h.sendFile('zhao', { bytes: Buffer.from(`照片 ${i}`), name: `照片${i}.txt` });
    await h.sendFile('zhao', { bytes: Buffer.from('一个太多'), name: '多余.txt' });
    expect(h.lastText('zhao')).toBe(`文件「多余.txt」未能收下：一份报告最多带 ${MAX_REPORT_FILES} 个附件，您已发送 ${MAX_REPORT_FILES} 个待附文件。`);
    await h.command('zhao', '/报送 1 见附件');
    expect((await assignment()).reports[0]!.attachments).toHaveLength(MAX_REPORT_FILES);
  });

  it('from anyone but a unit contact are not kept, with a polite answer', async () => {
    await receivedItem();
    await h.sendFile('li', { bytes: PDF, name: '方案.pdf' });
    expect(h.lastText('li')).toContain('只有承办单位的联络员发送的文件才会作为报告附件');
    expect(readdirSync(h.filesDir)).toEqual([]);
  });
});

describe('a file sent in reply to the answer to /报送', () => {
  it('is added to that report while it waits for signature (the leader is told, the card redrawn), and waits after', async () => {
    await receivedItem();
    await h.sendFile('zhao', { bytes: PNG, image: true });
    await h.command('zhao', '/报送 1 已完成排查。');
    const answer = h.feishu.sent.filter((s) => s.kind === 'reply' && s.to?.chatId === 'p2p-zhao').at(-1)!;
    await h.sendFile('zhao', { bytes: PDF, name: '补充方案.pdf', inReplyTo: answer.ref.messageId });
    expect(h.lastText('zhao')).toBe('已将「补充方案.pdf」作为附件2补充到督字〔2026〕1号「城区主干道积水整治」市交通运输局第 1 稿报告，报告连同全部附件待李明签署。');
    expect(h.lastText('li')).toContain('补充了附件2 补充方案.pdf');
    expect((await assignment()).reports[0]!.attachments!.map((f) => f.n)).toEqual([1, 2]);
    expect(h.feishu.updates.some((u) => u.card.body?.includes('附件2 补充方案.pdf'))).toBe(true);
    // The same file again: said, not added twice.
    await h.sendFile('zhao', { bytes: PDF, name: '补充方案.pdf', inReplyTo: answer.ref.messageId });
    expect(h.lastText('zhao')).toBe('文件「补充方案.pdf」已是第 1 稿报告的附件2，无需重复发送。');

    await h.press('li', { card: h.lastCard('li', '签署'), label: '签署' });
    const sig = (await assignment()).reports[0]!.signature!;
    expect(sig.attachments).toEqual([sha(PNG), sha(PDF)]);
    // The file added is in the trail (补充附件), and the record checks out with it.
    await h.command('zhang', '/核验 1');
    expect(h.lastText('zhang')).toContain('结论：记录完整');
    expect(h.lastText('zhang')).toContain('附件 2 个');
    // Signed: a file in reply now waits for the next /报送 instead.
    await h.sendFile('zhao', { bytes: Buffer.from('%PDF-1.4 晚到的附件'), name: '晚到.pdf', inReplyTo: answer.ref.messageId });
    expect(h.lastText('zhao')).toMatch(/^（第 1 稿报告已不在待签署状态，不能再补充附件，文件改为随下一次报送附上。）已收到文件「晚到.pdf」/);
    expect((await assignment()).reports[0]!.attachments).toHaveLength(2);
  });
});

describe('the signature covers the attachments, and /核验 checks them', () => {
  async function signedWithFiles(): Promise<void> {
    await receivedItem();
    await h.sendFile('zhao', { bytes: PNG, image: true });
    await h.sendFile('zhao', { bytes: PDF, name: '整改方案.pdf' });
    await h.command('zhao', '/报送 1 办结 全部整改到位。');
    await h.press('li', { card: h.lastCard('li', '签署'), label: '签署' });
  }
  const verify = async () => {
    await h.command('zhang', '/核验 1');
    return h.lastText('zhang');
  };

  it('records the hashes in the signature and the sign entry, and finds the record intact', async () => {
    await signedWithFiles();
    const sign = (await h.rt.store.audit('d1')).find((e) => e.action === 'sign')!;
    expect(JSON.parse(sign.detail!).attachments).toEqual([sha(PNG), sha(PDF)]);
    const text = await verify();
    expect(text).toContain('结论：记录完整');
    expect(text).toContain('附件 2 个：文件库中的文件与其哈希一致');
  });

  it('names a file changed on disk, and one removed', async () => {
    await signedWithFiles();
    const path = h.rt.files.path(sha(PDF));
    writeFileSync(path, Buffer.concat([PDF, Buffer.from('篡改')]));
    let text = await verify();
    expect(text).toContain('结论：发现 1 处问题');
    expect(text).toContain('市交通运输局第 1 稿报告的附件2「整改方案.pdf」的文件内容与其哈希不符：文件在报送后被改动过');
    const { rmSync } = await import('node:fs');
    rmSync(path);
    text = await verify();
    expect(text).toContain('市交通运输局第 1 稿报告的附件2「整改方案.pdf」在文件库中找不到');
  });

  it('names a hash changed in the record', async () => {
    await signedWithFiles();
    const key = h.rt.store.k.assignment('d1', 'jtj');
    const doc = JSON.parse((await h.redis.hget(key, 'doc'))!) as Assignment;
    const other = Buffer.from('%PDF-1.7 另一份方案');
    await h.rt.files.putBytes(other);
    doc.reports[0]!.attachments![1]!.sha256 = sha(other);
    await h.redis.hset(key, 'doc', JSON.stringify(doc));
    const text = await verify();
    expect(text).toContain('市交通运输局第 1 稿报告的附件2「整改方案.pdf」与报送和补充附件时记录的哈希不符：附件记录被改动过');
    expect(text).toContain('市交通运输局第 1 稿报告的签署（李明）与现有附件不一致');
    expect(text).toContain('市交通运输局的交办记录');
  });
});

describe('/附件 <no> <n>', () => {
  async function reported(): Promise<void> {
    await receivedItem();
    await h.sendFile('zhao', { bytes: PNG, image: true });
    await h.sendFile('zhao', { bytes: PDF, name: '整改方案.pdf' });
    await h.command('zhao', '/报送 1 见附件。');
  }

  it('sends the file back into the chat it was asked from, to whoever may see the item', async () => {
    await reported();
    await h.command('zhang', '/附件 1 2');
    const sent = h.feishu.sentFiles.at(-1)!;
    expect(sent.to?.chatId).toBe('p2p-zhang');
    expect(sent.file).toMatchObject({ name: '整改方案.pdf', mime: 'application/pdf', sha256: sha(PDF), size: PDF.length });
    expect(sent.bytes.equals(PDF)).toBe(true);
    // The responsible leader, before signing, sees the picture.
    await h.command('li', '/附件 1 附件1');
    expect(h.feishu.sentFiles.at(-1)!.file.mime).toBe('image/png');
  });

  it('/查看 lists every attachment by its number', async () => {
    await reported();
    await h.command('zhang', '/查看 1');
    const text = h.lastText('zhang');
    expect(text).toContain('附件（发送 /附件 1 <序号> 取回）：');
    expect(text).toMatch(/· 附件2 整改方案\.pdf（\d+ KB），市交通运输局第 1 稿报告，赵磊 .* 发送/);
  });

  it('refuses another unit, a number that is not there, and a missing number, clearly', async () => {
    await reported();
    await h.command('zhou', '/附件 1 1');
    expect(h.lastText('zhou')).toContain('无权查看其附件');
    await h.command('zhang', '/附件 1 5');
    expect(h.lastText('zhang')).toBe('督字〔2026〕1号没有附件5。现有附件：附件1、附件2（/查看 1 可看各附件的名称）');
    await h.command('zhang', '/附件 1');
    expect(h.lastText('zhang')).toContain('/附件 缺少附件序号，例如：/附件 1 1');
    await h.command('zhang', '/附件 1 照片');
    expect(h.lastText('zhang')).toContain('「照片」不是附件序号');
    expect(h.feishu.sentFiles).toHaveLength(0);
  });

  it('says so, in place of the file, when the file is gone from disk', async () => {
    await reported();
    const { rmSync } = await import('node:fs');
    rmSync(h.rt.files.path(sha(PDF)));
    await h.command('zhang', '/附件 1 2');
    expect(h.lastText('zhang')).toBe('附件「整改方案.pdf」的文件在文件库中找不到，无法发送。请告知督查室和系统管理员（可用 /核验 检查该事项）。');
    expect(h.feishu.sentFiles).toHaveLength(0);
  });
});
