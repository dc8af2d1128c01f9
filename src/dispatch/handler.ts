// The shapes of handlers: a command handler answers a typed command, an action handler a button press, a file
// handler a file a person sent.
// Handlers see people and items, never a platform.
import type { ActionName, ActionPayload } from '../chat/action-token.ts';
import type { CardKey } from '../chat/card-key.ts';
import type { ActionEvent, ActionInput, CommandEvent, FileEvent } from '../chat/event.ts';
import type { Message } from '../chat/message.ts';
import type { CommandName, ParseOk as ParsedCommand } from '../chat/parse-command.ts';
import type { Directory, Person } from '../directory/directory.ts';
import type { Actor } from '../domain/types.ts';
import type { Delivery } from '../delivery/delivery.ts';
import type { Runtime } from '../infra/runtime.ts';
import type { Op, Outcome } from '../store/apply-op.ts';

interface BaseContext {
  rt: Runtime;
  dir: Directory;
  person: Person;
  actor: Actor;
  op: Op;
}

export interface CommandContext extends BaseContext {
  event: CommandEvent;
  cmd: ParsedCommand;
  /** A reply to the chat the command came from. */
  reply(message: Message | string): Delivery;
}

export interface ActionContext extends BaseContext {
  event: ActionEvent;
  payload: ActionPayload;
  key: CardKey;
  /** What was typed with the press (a reason); absent where the platform could not carry it. */
  input?: ActionInput;
}

/** A file a person sent, as it is now kept (on disk, under its sha256). */
export interface ReceivedFile {
  sha256: string;
  name: string;
  size: number;
  mime: string;
}

export interface FileContext extends BaseContext {
  event: FileEvent;
  file: ReceivedFile;
  /** The card of a report the file was sent in reply to (a report's card or the answer to its /报送), if any. */
  about?: CardKey;
  /** A reply to the chat the file came from. */
  reply(message: Message | string): Delivery;
}

export interface CommandHandler {
  command: CommandName;
  run(ctx: CommandContext): Promise<Delivery[]>;
}

export interface ActionHandler {
  actions: ActionName[];
  run(ctx: ActionContext): Promise<Outcome>;
}

export interface FileHandler {
  run(ctx: FileContext): Promise<Delivery[]>;
}
