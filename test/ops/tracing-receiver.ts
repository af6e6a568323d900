// An OTLP/HTTP trace receiver for tests, on 127.0.0.1: what a collector does with the exporter's
// POST /v1/traces (JSON encoding), down to the spans, their parents, attributes, status and events.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Value = string | number | boolean;

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  start: bigint;
  end: bigint;
  attributes: Record<string, Value>;
  status: { code: number; message?: string };
  events: { name: string; attributes: Record<string, Value> }[];
  resource: Record<string, Value>;
}

/** OTLP AnyValue (JSON encoding) as a plain value; arrays and maps are not used by the spans. */
function plain(value: Record<string, unknown>): Value {
  if ('stringValue' in value) return value.stringValue as string;
  if ('boolValue' in value) return value.boolValue as boolean;
  if ('intValue' in value) return Number(value.intValue);
  if ('doubleValue' in value) return Number(value.doubleValue);
  throw new Error(`unexpected attribute value ${JSON.stringify(value)}`);
}

function attributesOf(list: { key: string; value: Record<string, unknown> }[] | undefined): Record<string, Value> {
  return Object.fromEntries((list ?? []).map((a) => [a.key, plain(a.value)]));
}

/**
 * An OTLP/HTTP trace receiver: takes POST /v1/traces in the JSON encoding (what the exporter sends),
 * answers 200 {}; anything else is recorded as a protocol error and answered 400.
 */
export async function startReceiver(): Promise<{ base: string; spans: ReceivedSpan[]; requests: { path: string; contentType: string | undefined; authorization: string | undefined }[]; errors: string[]; close(): Promise<void> }> {
  const spans: ReceivedSpan[] = [];
  const requests: { path: string; contentType: string | undefined; authorization: string | undefined }[] = [];
  const errors: string[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ path: req.url ?? '', contentType: req.headers['content-type'], authorization: req.headers.authorization });
      if (req.method !== 'POST' || req.url !== '/v1/traces' || req.headers['content-type'] !== 'application/json') {
        errors.push(`${req.method} ${req.url} ${req.headers['content-type']}`);
        res.writeHead(400).end();
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        resourceSpans: { resource: { attributes: never }; scopeSpans: { spans: Record<string, never>[] }[] }[];
      };
      for (const rs of body.resourceSpans) {
        const resource = attributesOf(rs.resource.attributes);
        for (const ss of rs.scopeSpans) {
          for (const s of ss.spans as Record<string, unknown>[]) {
            spans.push({
              traceId: s.traceId as string,
              spanId: s.spanId as string,
              parentSpanId: (s.parentSpanId as string | undefined) ?? '',
              name: s.name as string,
              start: BigInt(s.startTimeUnixNano as string),
              end: BigInt(s.endTimeUnixNano as string),
              attributes: attributesOf(s.attributes as never),
              status: (s.status as { code: number; message?: string } | undefined) ?? { code: 0 },
              events: ((s.events as { name: string; attributes: never }[] | undefined) ?? []).map((e) => ({ name: e.name, attributes: attributesOf(e.attributes) })),
              resource,
            });
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans,
    requests,
    errors,
    close: () => closeServer(server),
  };
}

export function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A port nothing listens on: one a server had, closed again. */
export async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await closeServer(server);
  return port;
}
