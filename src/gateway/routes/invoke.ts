/**
 * `ANY /fn/{name}[@{version}]/{path...}`: invoke a function over HTTP. The hot path of
 * Atoll: parse the target, find the version (in memory after the first request), read the
 * body under its limit, hand the request to the scheduler, meter, answer.
 */
import type { Context } from 'hono';
import type { HttpBindings } from '@hono/node-server';
import type { GuestRequest } from '../../sandbox-host/index.ts';
import { functionResponse } from '../function-response.ts';
import { errorResponse, responseForThrown } from '../http-errors.ts';
import { readIncomingBody, readRequestBody } from '../body.ts';
import { newRequestId } from '../request-id.ts';
import { parseInvokeTarget } from '../target.ts';
import type { GatewayContext } from '../context.ts';

type Env = { Bindings: Partial<HttpBindings> };

/** The handler for every method under /fn/. */
export function invokeRoute(gateway: GatewayContext) {
  const { catalog, scheduler, meter, config } = gateway;
  return async (c: Context<Env>): Promise<Response> => {
    const requestId = newRequestId();
    const startTime = Date.now();
    let fnName = '';
    let fnVersion = 0;
    let memoryMb = 0;
    try {
      const target = parseInvokeTarget(c.req.url);
      fnName = target.name;
      const version = target.version === undefined
        ? (catalog.cachedLive(target.name) ?? (await catalog.live(target.name)))
        : await catalog.version(target.name, target.version);
      fnVersion = version.version;
      memoryMb = version.limits.memoryMb;
      const incoming = c.env?.incoming;
      const body = incoming && 'socket' in incoming
        ? await readIncomingBody(incoming, config.maxBodyBytes)
        : await readRequestBody(c.req.raw, config.maxBodyBytes);
      const headers = incoming ? pairsFromRaw(incoming.rawHeaders) : [...c.req.raw.headers];
      const host = (incoming ? incoming.headers.host : c.req.header('host')) || 'localhost';
      const request: GuestRequest = {
        kind: 'http',
        requestId,
        method: c.req.method,
        url: `http://${host}${target.pathAndQuery}`,
        basePath: target.basePath,
        headers,
        sourceIp: incoming?.socket?.remoteAddress ?? '127.0.0.1',
        timeEpochMs: startTime,
        deadlineMs: startTime + version.limits.timeoutMs,
      };
      // @hono/node-server aborts it when the client disconnects before the response is out.
      const outcome = await scheduler.invoke(version, request, body, c.req.raw.signal);
      let response: Response;
      let code = 'OK';
      if (outcome.kind === 'response') {
        try {
          response = functionResponse(outcome.status, outcome.headers, outcome.bodyStream ?? outcome.body, requestId);
        } catch (error) {
          // The client never reads the stream: cancelling it lets the instance finish.
          void outcome.bodyStream?.cancel().catch(() => {});
          response = responseForThrown(error, requestId);
          code = 'INVALID_FUNCTION_RESPONSE';
        }
      } else if (outcome.kind === 'failure') {
        code = outcome.code;
        response = errorResponse(outcome.code, outcome.message, requestId);
      } else {
        code = 'INVALID_FUNCTION_RESPONSE';
        response = errorResponse('INVALID_FUNCTION_RESPONSE', 'the function answered an HTTP request with a direct-invoke result', requestId);
      }
      const { wallMs, cpuMs, cold } = outcome.metrics;
      const finished = outcome.kind === 'failure' ? undefined : outcome.finished;
      meter.recordWhenOver({ requestId, function: fnName, version: fnVersion, startTime, wallMs, cpuMs, memoryMb, cold, outcome: code }, finished);
      return response;
    } catch (error) {
      const response = responseForThrown(error, requestId);
      if (fnVersion !== 0) {
        const code = (error as { code?: string }).code ?? 'INTERNAL_ERROR';
        meter.record({ requestId, function: fnName, version: fnVersion, startTime, wallMs: Date.now() - startTime, cpuMs: 0, memoryMb, cold: false, outcome: code });
      }
      return response;
    }
  };
}

/** Node's flat [name, value, name, value...] into lowercased pairs. */
function pairsFromRaw(raw: string[]): [string, string][] {
  const pairs: [string, string][] = new Array(raw.length >> 1);
  for (let i = 0; i < raw.length; i += 2) pairs[i >> 1] = [raw[i]!.toLowerCase(), raw[i + 1]!];
  return pairs;
}
