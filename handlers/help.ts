// /帮助: the usage of every command, or of one.
import { findCommand } from '../src/chat/commands.ts';
import { helpText, usageOf } from '../src/chat/parse-command.ts';
import type { CommandHandler } from '../src/dispatch/handler.ts';

export const help: CommandHandler = {
  command: 'help',
  async run(ctx) {
    const name = ctx.cmd.positional[0];
    const command = name ? findCommand(name.replace(/^[/／]/, '')) : undefined;
    return [ctx.reply(command ? usageOf(command) : helpText())];
  },
};
