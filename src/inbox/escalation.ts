import type { EscalationRules } from '../agents/index.js';

/** Asking for a person, in the ways customers do (English). */
const ASKS_FOR_PERSON =
  /\b(?:(?:talk|speak|chat|connect|transfer|put)\s+(?:me\s+)?(?:through\s+)?(?:to|with)\s+(?:a\s+|an\s+|your\s+|the\s+)?(?:real\s+|live\s+|actual\s+)?(?:human|person|someone|somebody|representative|rep|agent|manager|supervisor|operator)|(?:real|live|actual)\s+(?:human|person|agent)|human\s+(?:agent|being|please)|customer\s+(?:service|support)\s+(?:representative|agent)|representative)\b/i;

export const asksForPerson = (content: string): boolean => ASKS_FOR_PERSON.test(content);

/**
 * Classifies how negative a customer's message is (0–1), through the hub (a cheap model, billed to the
 * conversation's key like any call); the composition root provides it.
 */
export type SentimentClassifier = (request: {
  tenantId: string;
  keyId: string;
  agent: string;
  threadId: string;
  model: string;
  content: string;
}) => Promise<number>;

/**
 * Whether a customer's message sends the conversation to a person before the agent answers: they asked for
 * one, or the classifier finds the message negative past the agent's threshold. A classifier that fails
 * escalates nothing (the agent answers; the failure is the caller's to log).
 */
export async function screenMessage(
  rules: EscalationRules | undefined,
  request: { tenantId: string; keyId: string; agent: string; threadId: string; content: string },
  classify: SentimentClassifier | undefined,
): Promise<{ reason: 'customer_request' | 'negative_sentiment'; score?: number } | undefined> {
  if (!rules) return undefined;
  if (rules.on_customer_request && asksForPerson(request.content)) return { reason: 'customer_request' };
  if (rules.negative_sentiment && classify) {
    const score = await classify({ ...request, model: rules.negative_sentiment.model });
    if (score >= rules.negative_sentiment.threshold) return { reason: 'negative_sentiment', score };
  }
  return undefined;
}

/** Parses a classifier model's answer: `{"negative": 0.9}`, or a bare number; anything else is not negative. */
export function parseSentiment(text: string | null): number {
  if (!text) return 0;
  const match = /"negative"\s*:\s*(-?\d+(?:\.\d+)?)/.exec(text) ?? /^\s*(-?\d+(?:\.\d+)?)\s*$/.exec(text);
  const value = match?.[1] ? Number(match[1]) : 0;
  return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
}

export const SENTIMENT_INSTRUCTIONS =
  'You rate how upset a customer is. Read their message and answer with only a JSON object {"negative": p}, ' +
  'where p is the probability (0 to 1) that the message is angry, distressed or hostile.';
