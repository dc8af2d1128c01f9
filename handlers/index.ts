// The registry: every command, card action and file the service answers, each in its own file beside this one.
import type { ActionName } from '../src/chat/action-token.ts';
import type { CommandName } from '../src/chat/parse-command.ts';
import type { ActionHandler, CommandHandler, FileHandler } from '../src/dispatch/handler.ts';
import { acceptReport } from './accept-report.ts';
import { agreeExtension } from './agree-extension.ts';
import { amend } from './amend.ts';
import { cancel } from './cancel.ts';
import { attachFile } from './attach-file.ts';
import { attachment } from './attachment.ts';
import { bulletin } from './bulletin.ts';
import { cancelDraft } from './cancel-draft.ts';
import { confirmSummons } from './confirm-summons.ts';
import { decideExtension } from './decide-extension.ts';
import { extend } from './extend.ts';
import { handover } from './handover.ts';
import { help } from './help.ts';
import { instructCommand } from './instruct.ts';
import { instructPress } from './instruct-press.ts';
import { readReviewPress } from './read-review.ts';
import { issueNotice } from './issue-notice.ts';
import { keepProposal } from './keep-proposal.ts';
import { list } from './list.ts';
import { newItem } from './new.ts';
import { onsite } from './onsite.ts';
import { outcome } from './outcome.ts';
import { receive } from './receive.ts';
import { replaceProposal } from './replace-proposal.ts';
import { report } from './report.ts';
import { returnCommand } from './return.ts';
import { returnReport } from './return-report.ts';
import { sendBackReport } from './send-back-report.ts';
import { show } from './show.ts';
import { signReport } from './sign-report.ts';
import { stats } from './stats.ts';
import { summon } from './summon.ts';
import { urge } from './urge.ts';
import { verify } from './verify.ts';
import { archive } from './archive.ts';
import { withdraw } from './withdraw.ts';

const commandHandlers: CommandHandler[] = [newItem, cancel, amend, withdraw, handover, list, show, attachment, report, urge, summon, outcome, onsite, extend, returnCommand, verify, archive, instructCommand, stats, bulletin, help];
const actionHandlers: ActionHandler[] = [
  issueNotice,
  cancelDraft,
  receive,
  signReport,
  sendBackReport,
  acceptReport,
  returnReport,
  confirmSummons,
  agreeExtension,
  decideExtension,
  replaceProposal,
  keepProposal,
  readReviewPress,
  instructPress,
];

export const COMMAND_HANDLERS = new Map<CommandName, CommandHandler>(commandHandlers.map((h) => [h.command, h]));
export const ACTION_HANDLERS = new Map<ActionName, ActionHandler>(actionHandlers.flatMap((h) => h.actions.map((a) => [a, h] as const)));

/** What a file a person sent becomes: an attachment of a report (now or at their next /报送). */
export const FILE_HANDLER: FileHandler = attachFile;
