/**
 * A fake MCP tool server built with the official SDK, served over streamable HTTP (stateless: one server per
 * request) or over stdio (`mcp-stdio.ts`). Tools: `echo` (returns its text), `add` (sums two numbers), `fail` (an
 * `isError` result), `whoami` (echoes the Authorization header it got, to test secret scrubbing), `slow` (answers
 * after `ms`) and `picture` (image content only).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';

export function buildFakeMcpServer(request?: IncomingMessage): McpServer {
  const server = new McpServer({ name: 'fake-mcp', version: '1.0.0' });
  server.registerTool('echo', { description: 'Echoes text', inputSchema: { text: z.string() } }, ({ text }) => ({
    content: [{ type: 'text', text }],
  }));
  server.registerTool('add', { description: 'Adds two numbers', inputSchema: { a: z.number(), b: z.number() } }, ({ a, b }) => ({
    content: [{ type: 'text', text: String(a + b) }],
  }));
  server.registerTool('fail', { description: 'Always fails' }, () => ({
    content: [{ type: 'text', text: 'no such order' }],
    isError: true,
  }));
  server.registerTool('whoami', { description: 'Echoes the credentials it got' }, () => ({
    content: [{ type: 'text', text: `you are ${request?.headers.authorization ?? process.env.FAKE_MCP_TOKEN ?? 'nobody'}` }],
  }));
  server.registerTool('slow', { description: 'Answers late', inputSchema: { ms: z.number() } }, async ({ ms }) => {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return { content: [{ type: 'text', text: 'done' }] };
  });
  server.registerTool('picture', { description: 'Image only' }, () => ({
    content: [{ type: 'image', data: 'iVBORw0KGgo=', mimeType: 'image/png' }],
  }));
  return server;
}

export interface FakeMcpHttpServer {
  url: string;
  /** Requests seen, by JSON-RPC method. */
  methods: string[];
  close(): Promise<void>;
}

export async function startFakeMcpHttpServer(): Promise<FakeMcpHttpServer> {
  const methods: string[] = [];
  const http: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const body: unknown = text === '' ? undefined : JSON.parse(text);
      for (const message of Array.isArray(body) ? body : [body]) {
        const method = (message as { method?: unknown } | undefined)?.method;
        if (typeof method === 'string') methods.push(method);
      }
      if (request.method !== 'POST') {
        response.writeHead(405).end();
        return;
      }
      const server = buildFakeMcpServer(request);
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
      response.on('close', () => {
        void transport.close();
        void server.close();
      });
      server
        .connect(transport)
        .then(() => transport.handleRequest(request, response, body))
        .catch(() => {
          if (!response.headersSent) response.writeHead(500).end();
        });
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`,
    methods,
    close: async () => {
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
    },
  };
}
