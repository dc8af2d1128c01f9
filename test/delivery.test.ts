// The delivery worker: transient failures are retried until delivered once; a permanent one tells the office.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PermanentFailure } from '../src/delivery/errors.ts';
import { createHarness, type Harness } from './helpers/harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(async () => {
  await h.close();
});

describe('delivery', () => {
  it('retries a transient failure and delivers once', async () => {
    let failures = 2;
    h.feishu.failWith = (to) => (to === 'li' && failures-- > 0 ? new Error('connection reset') : undefined);
    await h.command('zhang', '/新建 重试 单位=jtj 期限=5d 类别=重大');
    await h.press('zhang', { card: h.lastCard('zhang', '发出'), label: '发出' });
    expect(failures).toBe(-1);
    expect(h.feishu.sent.filter((s) => s.person === 'li')).toHaveLength(1);
    expect(h.received('qian').filter((s) => s.message.kind === 'text')).toHaveLength(0);
  });

  it('tells every office clerk, in chat, what could not be delivered to whom', async () => {
    h.feishu.failWith = (to) => (to === 'li' ? new PermanentFailure('飞书错误 230013 机器人对该用户不可用') : undefined);
    await h.command('zhang', '/新建 送不到 单位=jtj 期限=5d 类别=重大');
    await h.press('zhang', { card: h.lastCard('zhang', '发出'), label: '发出' });
    // The report is queued from the worker's "failed" event, just after the failure.
    const told = (p: string) => h.received(p).some((s) => s.message.kind === 'text' && s.message.text.includes('送达失败'));
    await h.until('both clerks are told', () => told('zhang') && told('qian'));
    for (const clerk of ['zhang', 'qian']) {
      const text = h.lastText(clerk);
      expect(text).toContain('【送达失败】发给李明的一张卡片未能送达');
      expect(text).toContain('230013');
    }
    // Tried once only: a permanent failure is not retried.
    const failed = await h.rt.queues.deliver.getJobs(['failed']);
    expect(failed).toHaveLength(1);
    expect(failed[0]!.attemptsMade).toBe(1);
  });

  it('a person whose platform is off is reported, not retried', async () => {
    h.wecom.failWith = (to) => (to === 'sun' ? new PermanentFailure('平台 wecom 未启用，消息无法送达') : undefined);
    await h.command('zhang', '/新建 一般事项 单位=jtj 期限=5d 负责人=sun');
    await h.press('zhang', { card: h.lastCard('zhang', '发出'), label: '发出' });
    await h.until('the office is told', () => h.received('zhang').some((s) => s.message.kind === 'text'));
    expect(h.lastText('zhang')).toContain('孙丽');
  });
});

describe('a command that keeps failing', () => {
  it('is retried, then the sender is told in Chinese that something went wrong', async () => {
    // A corrupt record makes every attempt at /查看 throw.
    await h.redis.hset(h.rt.store.k.item('d1'), 'v', '1', 'doc', '{not json', 'status', 'open');
    await h.redis.hset(h.rt.store.k.numbers(2026), '1', 'd1');
    const { intakeCommand } = await import('../src/dispatch/dispatch.ts');
    await intakeCommand(h.rt, h.commandEvent('zhang', '/查看 1', 'ev-broken'));
    // The apology is queued from the worker's "failed" event, just after the last attempt.
    await h.until('the apology', () => h.received('zhang').length > 0);
    const failed = await h.rt.queues.inbound.getJobs(['failed']);
    expect(failed).toHaveLength(1);
    expect(failed[0]!.attemptsMade).toBe(5);
    expect(h.lastText('zhang')).toContain('系统处理时出错');
  });
});

describe('which platform reaches a person', () => {
  it('is the one they prefer, else the other one they have an id on, when only that is switched on', async () => {
    const { platformOf, unreachablePeople } = await import('../src/platforms/routing.ts');
    const on = (...ps: ('feishu' | 'wecom')[]) => new Map(ps.map((p) => [p, {} as never]));
    const both = { id: 'li', name: '李明', feishu: { open_id: 'ou_1' }, wecom: { userid: 'LiMing' }, prefer: 'wecom' as const };
    const wecomOnly = { id: 'liu', name: '刘洋', wecom: { userid: 'LiuYang' }, prefer: 'wecom' as const };
    expect(platformOf(both, on('feishu', 'wecom'))).toBe('wecom');
    expect(platformOf(both, on('feishu'))).toBe('feishu');
    expect(platformOf(wecomOnly, on('feishu'))).toBe('wecom');
    expect(unreachablePeople([both, wecomOnly], on('feishu')).map((p) => p.id)).toEqual(['liu']);
    expect(unreachablePeople([both, wecomOnly], on('wecom'))).toEqual([]);
  });
});
