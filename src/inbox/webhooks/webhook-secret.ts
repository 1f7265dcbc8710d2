import { HubError, type SecretBox, sealedKeyId } from '../../core/index.js';
import { type Database, resealAllInboxWebhookSecrets } from '../../storage/index.js';

/** Binds a sealed signing secret to its tenant and webhook, so a value copied onto another row does not open there. */
export function webhookSecretContext(tenantId: string, webhookId: string): string {
  return `inbox-webhook:${tenantId}:${webhookId}`;
}

/**
 * Re-seals every webhook's signing secret under the box's current key (secret rotation, with the provider keys
 * and tool secrets); refuses, changing nothing, when one does not open. Returns how many were re-sealed.
 */
export async function resealWebhookSecrets(db: Database, box: SecretBox): Promise<number> {
  return resealAllInboxWebhookSecrets(db, ({ tenantId, id, sealedSecret }) => {
    if (sealedKeyId(sealedSecret) === box.keyId) return sealedSecret;
    const context = webhookSecretContext(tenantId, id);
    try {
      return box.seal(box.open(sealedSecret, context), context);
    } catch (error) {
      throw new HubError('CONFLICT', `Webhook ${id} of tenant ${tenantId} cannot be re-sealed: ${(error as Error).message}.`, {
        code: 'secret_unreadable',
      });
    }
  });
}
