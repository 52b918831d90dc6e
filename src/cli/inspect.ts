import type { Client } from '../client/index.js';

const summarize = (caps: Record<string, unknown>) =>
  Object.entries(caps)
    .map(([name, value]) => {
      const flags =
        value && typeof value === 'object'
          ? Object.keys(value).filter((k) => (value as Record<string, unknown>)[k] === true)
          : [];
      return flags.length ? `${name} (${flags.join(', ')})` : name;
    })
    .join(', ');

/** Everything a server offers, for `mcpkit inspect`. */
export async function inspect(client: Client) {
  const caps = client.serverCapabilities ?? {};
  const [tools, resources, resourceTemplates, prompts] = await Promise.all([
    caps.tools ? client.allTools() : [],
    caps.resources ? client.allResources() : [],
    caps.resources ? client.allResourceTemplates() : [],
    caps.prompts ? client.allPrompts() : [],
  ]);
  return {
    server: client.serverInfo,
    era: client.era,
    protocolVersion: client.protocolVersion,
    capabilities: caps,
    ...(client.instructions ? { instructions: client.instructions } : {}),
    tools,
    resources,
    resourceTemplates,
    prompts,
  };
}

export function formatInspection(report: Awaited<ReturnType<typeof inspect>>): string {
  const lines: string[] = [];
  const { server } = report;
  lines.push(
    `Server:        ${server?.name ?? '(unnamed)'} ${server?.version ?? ''}${server?.title ? ` — ${server.title}` : ''}`,
  );
  lines.push(`Era:           ${report.era} (${report.protocolVersion})`);
  lines.push(`Capabilities:  ${summarize(report.capabilities as Record<string, unknown>) || '(none)'}`);
  if (report.instructions) lines.push(`Instructions:  ${report.instructions}`);
  lines.push('', `Tools (${report.tools.length})`);
  for (const t of report.tools) {
    lines.push(`  ${t.name}${t.description ? ` — ${t.description.split('\n')[0]}` : ''}`);
    lines.push(`    input:  ${JSON.stringify(t.inputSchema)}`);
    if (t.outputSchema) lines.push(`    output: ${JSON.stringify(t.outputSchema)}`);
  }
  lines.push('', `Resources (${report.resources.length})`);
  for (const r of report.resources)
    lines.push(`  ${r.uri}  ${r.name}${r.mimeType ? ` (${r.mimeType})` : ''}`);
  lines.push('', `Resource templates (${report.resourceTemplates.length})`);
  for (const t of report.resourceTemplates) lines.push(`  ${t.uriTemplate}  ${t.name}`);
  lines.push('', `Prompts (${report.prompts.length})`);
  for (const p of report.prompts) {
    const args = (p.arguments ?? []).map((a) => (a.required ? a.name : `${a.name}?`)).join(', ');
    lines.push(`  ${p.name}(${args})${p.description ? ` — ${p.description}` : ''}`);
  }
  return lines.join('\n');
}
