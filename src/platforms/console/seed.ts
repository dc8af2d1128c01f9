// 生成示例事项: a few example items in different stages, made the way people make them (the office's commands and
// the leaders' and contacts' button presses and reports, through the same handlers), so the ledger is not empty and
// each person of the first units has something waiting in their console. What they are about fits each unit and
// any month (examples.ts).
import { randomUUID } from 'node:crypto';
import { cardKey, type CardKey } from '../../chat/card-key.ts';
import type { ActionName } from '../../chat/action-token.ts';
import { runAction, runCommand } from '../../dispatch/dispatch.ts';
import { currentYear } from '../../dispatch/handler-kit.ts';
import { numberArg } from '../../domain/item-number.ts';
import { noticeNumber } from '../../domain/types.ts';
import type { Runtime } from '../../infra/runtime.ts';
import { exampleTopics } from './examples.ts';

export async function seedExamples(rt: Runtime): Promise<string> {
  const dir = rt.directory();
  const clerk = dir.office[0];
  const units = dir.allUnits().filter((u) => u.contacts.length > 0);
  if (!clerk || units.length === 0) return '组织名录中没有督查室人员或联络员，无法生成示例事项';
  const unit = (i: number) => units[i % units.length]!;

  const sender = (person: string) => ({ platform: 'console' as const, ids: [person] });
  const command = async (person: string, text: string) => {
    await runCommand(rt, { kind: 'command', id: randomUUID(), sender: sender(person), text, replyTo: { platform: 'console', chatId: person, direct: true } });
  };
  const press = async (person: string, a: ActionName, key: CardKey) => {
    const answer = await runAction(rt, { kind: 'action', id: randomUUID(), sender: sender(person), token: rt.signer.sign({ a, k: cardKey(key), f: person }) });
    if (answer.toast.type !== 'success') throw new Error(`示例事项生成中断：${answer.toast.text}`);
  };
  /** Creates an item as the clerk and returns its id (the newest). */
  const create = async (text: string) => {
    const before = (await rt.store.itemIds())[0];
    await command(clerk, text);
    const id = (await rt.store.itemIds())[0];
    if (!id || id === before) throw new Error('示例事项生成中断：新建未成功');
    return id;
  };
  const issue = (item: string) => press(clerk, 'issue', { kind: 'preview', item });
  /** How the item is typed after a command: its 督字 number, given at 发出. */
  const typed = async (item: string) => {
    const h = await rt.store.getHeader(item);
    if (!h) throw new Error('示例事项生成中断：事项不存在');
    return numberArg(h.doc, currentYear(rt));
  };
  const receive = (item: string, u: string) => press(dir.unit(u)!.head, 'receive', { kind: 'notice', item, unit: u });
  const [a, b, c, d] = [unit(0), unit(1), unit(2), unit(3)];
  const [ta, tb, tc, td] = exampleTopics([a.name, b.name, c.name, d.name]);

  // Waiting for the head's signature.
  const first = await create(`/新建 （示例）${ta!.title} 单位=${a.id} 期限=10工作日 类别=民生 要求="${ta!.req}"`);
  await issue(first);
  await receive(first, a.id);
  await command(a.contacts[0]!, `/报送 ${await typed(first)} ${ta!.progress}`);

  // Signed by the head, waiting for the office to accept.
  const second = await create(`/新建 （示例）${tb!.title} 单位=${b.id} 期限=5工作日 类别=紧急`);
  await issue(second);
  await receive(second, b.id);
  await command(b.contacts[0]!, `/报送 ${await typed(second)} 办结 ${tb!.done}`);
  await press(b.head, 'sign', { kind: 'sign', item: second, unit: b.id, n: 1 });

  // Issued, not yet received.
  const third = await create(`/新建 （示例）${tc!.title} 单位=${c.id} 期限=15工作日`);
  await issue(third);

  // A draft, not issued.
  const fourth = await create(`/新建 （示例）${td!.title} 单位=${d.id} 期限=20工作日 类别=民生`);

  const numbers = await rt.store.getHeaders([first, second, third, fourth]);
  const no = (i: number) => (numbers[i] ? noticeNumber(numbers[i]) : '');
  return [
    '已生成 4 件示例事项：',
    `${no(0)} 待${dir.personName(a.head)}签署`,
    `${no(1)} 已签署，待督查室受理`,
    `${no(2)} 已发出，待签收`,
    `${no(3)} 草稿，待发出`,
  ].join('\n');
}
