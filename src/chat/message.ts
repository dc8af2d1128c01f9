// The neutral outbound messages: text, and cards with fields, a markdown body and buttons.

export interface Button {
  text: string;
  style: 'primary' | 'danger' | 'default';
  /** Signed action token: the adapter carries it verbatim and hands it back on a press. */
  token: string;
  /** Asked before the press is sent, where the platform can (Feishu's confirm dialog): a signature is deliberate. */
  confirm?: { title: string; text: string };
  /**
   * The press must carry typed text (a "no" says why): Feishu shows a text box with this button as its submit, the
   * console a text box in its dialog; WeCom, whose cards take no text, answers the press with the command to send.
   * At most one button of a card asks for input.
   */
  input?: ButtonInput;
}

export interface ButtonInput {
  /** What the text is handed back as (ActionEvent.input). */
  name: 'reason';
  label: string;
  placeholder: string;
  required: boolean;
  maxLength: number;
}

export type CardColor = 'red' | 'orange' | 'blue' | 'green' | 'grey';

export interface Card {
  title: string;
  subtitle?: string;
  color: CardColor;
  fields: { label: string; value: string }[];
  /** Markdown (bold, line breaks, lists) that every platform can show. */
  body?: string;
  buttons: Button[];
  /** The outcome line shown once the card's buttons are gone: who, when. */
  note?: string;
}

export type Message = { kind: 'text'; text: string } | { kind: 'card'; card: Card };

export function text(t: string): Message {
  return { kind: 'text', text: t };
}
