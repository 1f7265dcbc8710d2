import type { Conversation } from './conversation.js';

/**
 * The `confirmed` rule's reading of a conversation: the customer's latest message says yes, and the
 * agent's message right before it stated the action (one of its words) and its key identifiers. A plain
 * heuristic on purpose: it refuses when unsure, and the agent can always ask again.
 */

const AFFIRMATIVE =
  /\b(?:yes|yeah|yep|yup|yea|ya|sure|ok|okay|confirm|confirmed|confirming|correct|right|proceed|absolutely|definitely|certainly|affirmative|alright|exactly|please|go ahead|please do|do it|sounds good|that works|of course|let's do it|go for it)\b/;

const NEGATIVE =
  /\b(?:no|nope|nah|not|don't|dont|do not|never|wait|hold on|stop|rather not|wrong|incorrect|isn't|isnt|wouldn't|shouldn't|can't|cannot|changed my mind|hang on|actually)\b/;

// Phrases that contain a negative word without saying no.
const HARMLESS = [/no longer needed/g, /no problem/g, /not a problem/g, /no worries/g];

/** The customer's reply says yes and nothing that takes it back. */
export function isAffirmative(reply: string): boolean {
  let text = reply.toLowerCase().replaceAll('\u2019', "'");
  for (const phrase of HARMLESS) text = text.replace(phrase, ' ');
  return AFFIRMATIVE.test(text) && !NEGATIVE.test(text);
}

/** The latest customer message and the agent's message just before it, if both exist. */
export function proposalAndReply(conversation: Conversation): { proposal: string; reply: string } | undefined {
  const messages = conversation.messages;
  let replyIndex = -1;
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    if (messages[index]?.role === 'user') {
      replyIndex = index;
      break;
    }
  }
  if (replyIndex < 0) return undefined;
  for (let index = replyIndex - 1; index >= 0; index -= 1) {
    const message = messages[index];
    if (message && message.role !== 'user') return { proposal: message.content, reply: messages[replyIndex]?.content ?? '' };
  }
  return undefined;
}

/** An identifier as the agent may write it: order ids with or without their `#`, any case. */
function mentions(text: string, identifier: string): boolean {
  const haystack = text.toLowerCase();
  const needle = identifier.toLowerCase();
  return haystack.includes(needle) || (needle.startsWith('#') && haystack.includes(needle.slice(1)));
}

export interface ConfirmationNeed {
  /** Words of which the proposal must use one, naming the action (e.g. `cancel`). */
  actionWords: RegExp;
  /** Identifiers the proposal must mention, e.g. the order id. */
  identifiers: string[];
}

export function isConfirmed(conversation: Conversation, need: ConfirmationNeed): boolean {
  const exchange = proposalAndReply(conversation);
  if (!exchange) return false;
  if (!need.actionWords.test(exchange.proposal.toLowerCase())) return false;
  if (!need.identifiers.every((identifier) => mentions(exchange.proposal, identifier))) return false;
  return isAffirmative(exchange.reply);
}
