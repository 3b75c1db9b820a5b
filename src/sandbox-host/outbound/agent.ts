/**
 * Outbound fetch through undici, on one Agent per allow-list shared by every invocation.
 * This module loads undici (about 120 ms), so the fetch ops import it on first use.
 */
import { Agent, fetch, type Dispatcher, type RequestInit, type Response } from 'undici';
import { AllowList, parseAllowList } from './allow-list.ts';
import { guardedConnector } from './connector.ts';

const agents = new Map<string, Agent>();

/**
 * The Agent for this allow-list (already validated at start-up, so a bad entry here is a
 * bug and throws). Sharing it pools connections across invocations, as a browser or
 * Workers does; everything an invocation opened is aborted when it ends.
 */
function agentFor(fetchAllow: readonly string[]): Agent {
  const key = fetchAllow.join(',');
  let agent = agents.get(key);
  if (agent === undefined) {
    agent = new Agent({ connect: guardedConnector(new AllowList(parseAllowList(fetchAllow))) });
    agents.set(key, agent);
  }
  return agent;
}

/** undici's fetch through the guarded Agent; `urlList` receives the URL of every request sent, one per redirect hop. */
export function outboundFetch(fetchAllow: readonly string[], url: URL, init: RequestInit, urlList: string[]): Promise<Response> {
  return fetch(url, { ...init, dispatcher: agentFor(fetchAllow).compose(recordUrls(urlList)) });
}

function recordUrls(urls: string[]): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) => (options, handler) => {
    urls.push(new URL(options.path, options.origin).href);
    return dispatch(options, handler);
  };
}
