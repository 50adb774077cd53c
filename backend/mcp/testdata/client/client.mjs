// Drives `countersign mcp` with the official MCP TypeScript SDK client, the
// way an MCP host would: spawn over stdio, list the tools, call them. Prints
// one JSON object per line for backend/mcp's test to read.
//
// Usage: node client.mjs /path/to/countersign
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

const bin = process.argv[2];
const emit = (o) => process.stdout.write(JSON.stringify(o) + "\n");

const transport = new StdioClientTransport({
  command: bin,
  args: ["mcp", "--poll", "200ms"],
  env: process.env,
  stderr: "inherit",
});
const client = new Client({ name: "countersign-mcp-check", version: "1.0.0" });
await client.connect(transport);

const { tools } = await client.listTools();
emit({
  event: "tools",
  server: client.getServerVersion(),
  tools: tools.map((t) => ({
    name: t.name,
    description: t.description,
    required: t.inputSchema.required ?? [],
    properties: Object.fromEntries(
      Object.entries(t.inputSchema.properties ?? {}).map(([k, v]) => [k, v.description ?? ""]),
    ),
  })),
});

// The person will deny this one, after the first progress notification.
let progress = 0;
const denied = await client.callTool(
  {
    name: "propose_file_write",
    arguments: { path: "notes/todo.md", content: "- ship it\n", rationale: "The person asked for a to-do list." },
  },
  undefined,
  {
    onprogress: (p) => {
      progress++;
      if (progress === 1) emit({ event: "progress", progress: p });
    },
    resetTimeoutOnProgress: true,
    timeout: 120000,
  },
);
emit({ event: "result", call: "denied", progress, result: denied });

// The person will approve this one.
const approved = await client.callTool(
  { name: "propose_command", arguments: { argv: ["ls", "-a"], summary: "Check the working tree" } },
  undefined,
  { timeout: 120000 },
);
emit({ event: "result", call: "approved", result: approved });

const status = await client.callTool({ name: "get_proposal_status", arguments: { id: approved.structuredContent.id } });
emit({ event: "result", call: "status", result: status });

await client.close();
emit({ event: "done" });
