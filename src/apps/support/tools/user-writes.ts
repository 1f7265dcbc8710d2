import { pyDumps } from '../python/json.js';
import { userDump } from '../render.js';
import { ADDRESS_PARAMETERS, addressFrom, USER_ID } from './params.js';
import { userOrFail } from './store-rules.js';
import { defineTool } from './tool.js';

export const modifyUserAddress = defineTool({
  name: 'modify_user_address',
  kind: 'write',
  description:
    'Modify the default address of a user. The agent needs to explain the modification detail and ask for explicit user confirmation (yes/no) to proceed.',
  parameters: [USER_ID, ...ADDRESS_PARAMETERS],
  run: (store, args) =>
    store.write(async (tx) => {
      const user = userOrFail(await tx.lockUser(args.user_id));
      user.address = addressFrom(args);
      await tx.saveUser(user);
      return pyDumps(userDump(user));
    }),
});
