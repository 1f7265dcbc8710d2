/** The fake MCP server of `mcp.ts` over stdio: `node --import tsx test/fake-upstreams/mcp-stdio.ts`. */
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { buildFakeMcpServer } from './mcp.js';

await buildFakeMcpServer().connect(new StdioServerTransport());
