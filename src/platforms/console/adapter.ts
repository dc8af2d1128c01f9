// The local console as a platform: what the core sends a person is added to their console history (once per
// delivery, however often the job runs), and a card redrawn is replaced there in place. A person is known by their
// directory id; a reply goes to the console of the person who typed the command. Messages are timed by the
// service's own clock, like the cards they carry (DUCHA_CLOCK moves both).
import type { Clock } from '../../infra/clock.ts';
import type { ReplyTarget } from '../../chat/event.ts';
import type { Card, Message } from '../../chat/message.ts';
import type { PlatformAdapter, SendOptions, SentRef } from '../../delivery/adapter.ts';
import type { Person } from '../../directory/directory.ts';
import type { ConsoleHistory } from './history.ts';

export class ConsoleAdapter implements PlatformAdapter {
  readonly platform = 'console' as const;

  constructor(
    private readonly history: ConsoleHistory,
    private readonly clock: Clock,
  ) {}

  async send(to: Person, message: Message, opts: SendOptions): Promise<SentRef> {
    return this.add(to.id, message, opts);
  }

  async reply(to: ReplyTarget, message: Message, opts: SendOptions): Promise<SentRef> {
    return this.add(to.chatId, message, opts);
  }

  async update(ref: SentRef, card: Card, viewer: Person): Promise<void> {
    await this.history.redraw(ref.extra?.person ?? viewer.id, ref.messageId, card);
  }

  private async add(person: string, message: Message, opts: SendOptions): Promise<SentRef> {
    const messageId = await this.history.add(person, message, { from: 'bot', dedupKey: `out:${opts.dedupKey}`, urgent: opts.urgent, at: this.clock.now() });
    return { platform: 'console', messageId, extra: { person } };
  }
}
