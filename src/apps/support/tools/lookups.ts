import { pyDumps } from '../python/json.js';
import { orderDump, productDump, userDump, variantDump } from '../render.js';
import { ORDER_ID, USER_ID } from './params.js';
import { foldForMatch } from './store-rules.js';
import { defineTool, ToolError } from './tool.js';

/** τ²'s read tools: identifying the customer and looking up users, orders, products and items. */

export const findUserIdByEmail = defineTool({
  name: 'find_user_id_by_email',
  kind: 'read',
  description: 'Find user id by email. If the user is not found, the function will return an error message.',
  parameters: [{ name: 'email', type: 'string', description: "The email of the user, such as 'something@example.com'." }],
  run: async (store, { email }) => {
    const wanted = foldForMatch(email);
    const found = (await store.userIdentities()).find((user) => foldForMatch(user.email) === wanted);
    if (!found) throw new ToolError('User not found');
    return found.id;
  },
});

export const findUserIdByNameZip = defineTool({
  name: 'find_user_id_by_name_zip',
  kind: 'read',
  description:
    'Find user id by first name, last name, and zip code. If the user is not found, the function will return an error message. By default, find user id by email, and only call this function if the user is not found by email or cannot remember email.',
  parameters: [
    { name: 'first_name', type: 'string', description: "The first name of the customer, such as 'John'." },
    { name: 'last_name', type: 'string', description: "The last name of the customer, such as 'Doe'." },
    { name: 'zip', type: 'string', description: "The zip code of the customer, such as '12345'." },
  ],
  run: async (store, { first_name, last_name, zip }) => {
    const first = foldForMatch(first_name);
    const last = foldForMatch(last_name);
    const found = (await store.userIdentities()).find(
      (user) => foldForMatch(user.firstName) === first && foldForMatch(user.lastName) === last && user.zip === zip,
    );
    if (!found) throw new ToolError('User not found');
    return found.id;
  },
});

export const getUserDetails = defineTool({
  name: 'get_user_details',
  kind: 'read',
  description: 'Get the details of a user, including their orders.',
  parameters: [USER_ID],
  run: async (store, { user_id }) => {
    const user = await store.getUser(user_id);
    if (!user) throw new ToolError('User not found');
    return pyDumps(userDump(user));
  },
});

export const getOrderDetails = defineTool({
  name: 'get_order_details',
  kind: 'read',
  description: 'Get the status and details of an order.',
  parameters: [ORDER_ID],
  run: async (store, { order_id }) => {
    const order = await store.getOrder(order_id);
    if (!order) throw new ToolError('Order not found');
    return pyDumps(orderDump(order));
  },
});

export const getProductDetails = defineTool({
  name: 'get_product_details',
  kind: 'read',
  description: 'Get the inventory details of a product.',
  parameters: [
    {
      name: 'product_id',
      type: 'string',
      description: "The product id, such as '6086499569'. Be careful the product id is different from the item id.",
    },
  ],
  run: async (store, { product_id }) => {
    const record = await store.getProduct(product_id);
    if (!record) throw new ToolError('Product not found');
    return pyDumps(productDump(record));
  },
});

export const getItemDetails = defineTool({
  name: 'get_item_details',
  kind: 'read',
  description: 'Get the inventory details of an item.',
  parameters: [
    {
      name: 'item_id',
      type: 'string',
      description: "The item id, such as '6086499569'. Be careful the item id is different from the product id.",
    },
  ],
  run: async (store, { item_id }) => {
    const record = await store.findProductWithItem(item_id);
    const variant = record?.product.variants[item_id];
    if (!variant) throw new ToolError('Item not found');
    return pyDumps(variantDump(variant));
  },
});

export const listAllProductTypes = defineTool({
  name: 'list_all_product_types',
  kind: 'read',
  description:
    'List the name and product id of all product types. Each product type has a variety of different items with unique item ids and options. There are only 50 product types in the store.',
  parameters: [],
  run: async (store) => {
    // A dict comprehension: a later product of the same name wins, then json.dumps sorts the names.
    const byName: Record<string, string> = Object.create(null);
    for (const product of await store.listProducts()) byName[product.name] = product.product_id;
    return pyDumps({ ...byName }, { sortKeys: true });
  },
});
