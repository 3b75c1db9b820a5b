/** The management API (design.md §3): JSON, behind the admin token. */
import { Hono, type Context } from 'hono';
import { timingSafeEqual, createHash } from 'node:crypto';
import { AtollError } from '../../errors/index.ts';
import type { VersionRecord } from '../../registry/index.ts';
import { readRequestBody } from '../body.ts';
import { errorResponse, responseForThrown, REQUEST_ID_HEADER } from '../http-errors.ts';
import { newRequestId } from '../request-id.ts';
import type { GatewayContext } from '../context.ts';

type Vars = { Variables: { requestId: string } };
const MAX_LOG_LIMIT = 10_000;

export function apiRoutes(gateway: GatewayContext): Hono<Vars> {
  const api = new Hono<Vars>();
  const tokenDigest = digest(gateway.adminToken);
  const { deployments, registry, catalog, scheduler, meter, config } = gateway;

  api.use('*', async (c, next) => {
    const requestId = newRequestId();
    c.set('requestId', requestId);
    const header = c.req.header('authorization') ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7) : '';
    // Compare digests so the comparison takes the same time whatever the token's length.
    if (!timingSafeEqual(digest(token), tokenDigest)) {
      return errorResponse('UNAUTHORIZED', 'missing or wrong admin token (Authorization: Bearer <token>)', requestId);
    }
    await next();
    c.res.headers.set(REQUEST_ID_HEADER, requestId);
  });
  api.onError((error, c) => responseForThrown(error, c.get('requestId') ?? newRequestId()));
  api.notFound((c) => errorResponse('NOT_FOUND', `no API route ${c.req.method} ${c.req.path}`, c.get('requestId')));

  api.get('/server', async (c) => c.json({
    pid: process.pid,
    sandboxPids: gateway.hosts.pids(),
    workerPids: gateway.workers.pids(),
    sandboxHostRestarts: gateway.hosts.restarts,
    sandboxHosts: await gateway.hosts.memory(),
    uptimeSeconds: Math.round(process.uptime()),
    node: process.version,
    scheduler: scheduler.stats(),
  }));

  api.get('/functions', async (c) => {
    const functions = await registry.listFunctions();
    const rows = await Promise.all(functions.map(async (fn) => {
      const live = await registry.getVersion(fn.name, fn.liveVersion);
      return { name: fn.name, liveVersion: fn.liveVersion, runtime: live?.runtime, style: live?.style, limits: live?.limits, createdAt: iso(fn.createdAt), updatedAt: iso(fn.updatedAt) };
    }));
    return c.json({ functions: rows });
  });

  api.put('/functions/:name', async (c) => {
    const name = c.req.param('name');
    const body = await readJson(c, config.maxDeployBytes);
    const { version, created } = await deployments.deploy(name, body);
    return c.json(describeVersion(version, true, gateway), created ? 201 : 200);
  });

  api.get('/functions/:name', async (c) => {
    const name = c.req.param('name');
    const live = await deployments.live(name);
    const fn = (await registry.getFunction(name))!;
    return c.json({ name, liveVersion: fn.liveVersion, createdAt: iso(fn.createdAt), updatedAt: iso(fn.updatedAt), live: describeVersion(live, true, gateway) });
  });

  api.delete('/functions/:name', async (c) => {
    const name = c.req.param('name');
    await deployments.remove(name);
    return c.json({ name, deleted: true });
  });

  api.get('/functions/:name/versions', async (c) => {
    const name = c.req.param('name');
    const fn = await deployments.live(name);
    const versions = await registry.listVersions(name);
    const liveVersion = (await registry.getFunction(name))?.liveVersion ?? fn.version;
    return c.json({ versions: versions.map((v) => describeVersion(v, v.version === liveVersion, gateway)) });
  });

  api.post('/functions/:name/rollback', async (c) => {
    const name = c.req.param('name');
    const body = await readJson(c, 64 * 1024) as { version?: unknown } | null;
    const version = body && typeof body === 'object' ? body.version : undefined;
    if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
      throw new AtollError('INVALID_CONFIG', 'the body must be {"version": N} with N a positive integer');
    }
    const fn = await deployments.rollback(name, version);
    return c.json({ name, liveVersion: fn.liveVersion });
  });

  api.post('/functions/:name/invoke', async (c) => {
    const name = c.req.param('name');
    const requestId = c.get('requestId');
    const versionParam = c.req.query('version');
    const version = versionParam === undefined ? await catalog.live(name) : await catalog.version(name, parseVersion(versionParam));
    const raw = await readRequestBody(c.req.raw, config.maxBodyBytes);
    const payload = raw ? raw.toString('utf8') : 'null';
    try {
      JSON.parse(payload);
    } catch {
      throw new AtollError('BAD_REQUEST', 'the event must be JSON');
    }
    const clientContext = readClientContext(c.req.header('x-amz-client-context'));
    const startTime = Date.now();
    const outcome = await scheduler.invoke(version, { kind: 'event', requestId, payload, timeEpochMs: startTime, deadlineMs: startTime + version.limits.timeoutMs, clientContext }, undefined);
    const code = outcome.kind === 'failure' ? outcome.code : outcome.kind === 'result' ? 'OK' : 'INVALID_FUNCTION_RESPONSE';
    const finished = outcome.kind === 'failure' ? undefined : outcome.finished;
    meter.recordWhenOver({ requestId, function: name, version: version.version, startTime, wallMs: outcome.metrics.wallMs, cpuMs: outcome.metrics.cpuMs, memoryMb: version.limits.memoryMb, cold: outcome.metrics.cold, outcome: code }, finished);
    if (outcome.kind === 'failure') return errorResponse(outcome.code, outcome.message, requestId);
    if (outcome.kind !== 'result') return errorResponse('INVALID_FUNCTION_RESPONSE', 'the function did not return a result', requestId);
    return new Response(outcome.payload, { status: 200, headers: { 'content-type': 'application/json', 'x-atoll-version': String(version.version) } });
  });

  api.get('/functions/:name/logs', async (c) => {
    const name = c.req.param('name');
    await deployments.live(name);
    const limitParam = c.req.query('limit');
    const limit = limitParam === undefined ? 100 : Number(limitParam);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LOG_LIMIT) {
      throw new AtollError('BAD_REQUEST', `limit must be an integer from 1 to ${MAX_LOG_LIMIT}`);
    }
    // Records still batched in memory are written first, so a caller sees its own invocations.
    await meter.flush();
    const { invocations, logs } = await registry.queryLogs(name, { limit });
    return c.json({
      invocations: invocations.map((r) => ({ ...r, startTime: iso(r.startTime) })),
      logs: logs.map((l) => ({ ts: iso(l.ts), requestId: l.requestId, level: l.level, message: l.message, version: l.version })),
    });
  });

  return api;
}

/** Lambda's Invoke API takes at most 3583 bytes of base64 client context. */
const MAX_CLIENT_CONTEXT_CHARS = 3583;

/** `X-Amz-Client-Context`, as Lambda's Invoke API takes it: base64 of a JSON object. Undefined when absent. */
function readClientContext(header: string | undefined): string | undefined {
  if (header === undefined || header === '') return undefined;
  if (header.length > MAX_CLIENT_CONTEXT_CHARS) throw new AtollError('BAD_REQUEST', `X-Amz-Client-Context is over ${MAX_CLIENT_CONTEXT_CHARS} characters`);
  const text = Buffer.from(header, 'base64').toString('utf8');
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
  } catch {
    throw new AtollError('BAD_REQUEST', 'X-Amz-Client-Context must be base64 of a JSON object');
  }
  return text;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function parseVersion(text: string): number {
  if (!/^[1-9][0-9]{0,8}$/.test(text)) throw new AtollError('FUNCTION_NOT_FOUND', `"${text}" is not a version`);
  return Number(text);
}

async function readJson(c: Context, limit: number): Promise<unknown> {
  const raw = await readRequestBody(c.req.raw, limit);
  if (!raw) throw new AtollError('INVALID_CONFIG', 'the request body is empty; expected JSON');
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new AtollError('INVALID_CONFIG', 'the request body is not valid JSON');
  }
}

function describeVersion(v: VersionRecord, live: boolean, gateway: GatewayContext) {
  return {
    name: v.name,
    version: v.version,
    live,
    runtime: v.runtime,
    style: v.style,
    entry: v.entry,
    handler: v.handler,
    limits: v.limits,
    concurrency: v.concurrency,
    outboundNetwork: v.outboundNetwork,
    env: Object.keys(v.env),
    createdAt: iso(v.createdAt),
    sha256: v.bundleHash,
    size: v.codeSize,
    url: `${gateway.baseUrl}/fn/${v.name}`,
  };
}
