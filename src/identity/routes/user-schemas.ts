import { z } from 'zod';
import { isStorableText, UNSTORABLE_TEXT_MESSAGE } from '../../core/index.js';
import { ROLES } from '../roles.js';

const text = z.string().refine(isStorableText, UNSTORABLE_TEXT_MESSAGE);
const email = text
  .trim()
  .max(254)
  .regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'is not an email address');

export const userIdParams = z.object({ id: z.string().regex(/^usr_[A-Za-z0-9]{1,64}$/, 'is not a user id') });
export const newUserBody = z.strictObject({
  email,
  name: text.trim().min(1).max(200),
  role: z.enum(ROLES),
  password: text.optional(),
});
export const adminNewUserBody = newUserBody.extend({ tenant_id: z.string().regex(/^[A-Za-z0-9_-]{1,200}$/, 'is not a tenant id') });
export const userPatchBody = z
  .strictObject({
    role: z.enum(ROLES).optional(),
    name: text.trim().min(1).max(200).optional(),
    password: text.optional(),
    disabled: z.boolean().optional(),
  })
  .refine((body) => Object.keys(body).length > 0, 'give at least one of role, name, password, disabled');
export const userListQuery = z.strictObject({ role: z.enum(ROLES).optional() });
export const newKeyBody = z.strictObject({ name: text.trim().min(1).max(200).optional() });
export const loginBody = z.strictObject({ email: text.max(254), password: z.string().max(4096) });
