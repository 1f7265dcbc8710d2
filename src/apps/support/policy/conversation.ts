/** Who spoke: the customer (`user`), the support agent (`assistant`), or a person answering for it (`human`). */
export type ConversationRole = 'user' | 'assistant' | 'human';

export interface ConversationMessage {
  role: ConversationRole;
  content: string;
}

/**
 * What the policy knows of the conversation a tool call happens in. The composition builds it from the
 * thread: its text messages oldest first (tool calls and results left out), and the customer a
 * successful `find_user_id_by_email` / `find_user_id_by_name_zip` identified in this conversation.
 */
export interface Conversation {
  messages: readonly ConversationMessage[];
  identifiedUserId: string | null;
}
