// Top-level authentication flows the broker owns (the post-broker-login flow of partner realms), with
// their executions as one tree (see src/core/render/keycloak/login-flow.ts for the shape):
//   { alias, description, providerId, topLevel, builtIn, executions: [
//       { name: <provider id>, index, requirement, authenticator, config? }
//       { name: <sub-flow alias>, index, requirement, description, executions: [...] } ] }
// Ownership: flows keep no attributes, so the managed markers are words at the end of the top-level
// flow's description ("fedbroker.scs.community/managed-by=... fedbroker.scs.community/federation=...");
// its sub-flows and execution configs belong to it (Keycloak deletes them with it).
// Keycloak's execution API works per parent flow: executions are appended, `priority` orders them (a PUT
// without it resets it to 0, so every PUT sends the execution as read), configs are separate objects.
// Updates reconcile in place (the flow keeps its id and its identity-provider bindings): missing
// executions are added first, then requirements, configs and order fixed, and extra executions removed
// last, so a flow being repaired never loses a "deny" it had.
import { BrokerError } from '../../../core/errors.ts';
import { isManaged, markersFromText } from '../../../core/managed.ts';
import { compareFields } from '../../../core/plan/compare.ts';
import type { ObservedObject } from '../../../core/plan/model.ts';
import { urlPath, type KeycloakRest } from '../rest.ts';
import { isJsonObject, objectLabel, objectOf, observedObject, type Json, type JsonObject, type KindHandler } from './kind.ts';

/** One row of GET /authentication/flows/<alias>/executions (depth-first, `level` 0 = the flow's own children). */
interface ExecutionInfo extends JsonObject {
  readonly id: string;
  readonly level: number;
  readonly index: number;
  readonly requirement: string;
}

const flowsPath = '/authentication/flows';
const executionsPath = (alias: string) => urlPath`/authentication/flows/${alias}/executions`;
const configPath = (id: string) => urlPath`/authentication/config/${id}`;

const isSubFlow = (info: JsonObject) => info['authenticationFlow'] === true;
const wantsSubFlow = (execution: JsonObject) => Array.isArray(execution['executions']);
const childrenOf = (execution: JsonObject | undefined): JsonObject[] =>
  Array.isArray(execution?.['executions']) ? execution['executions'].filter(isJsonObject) : [];

async function readExecutions(rest: KeycloakRest, realm: string, alias: string): Promise<ExecutionInfo[]> {
  return rest.get<ExecutionInfo[]>(executionsPath(alias), { realm, object: `authenticationFlow "${alias}" executions` });
}

/** Names of the children of one parent: sub-flows by alias, authenticators by provider id ("#2" ... for repeats). */
function childNames(infos: readonly JsonObject[]): string[] {
  const seen = new Map<string, number>();
  return infos.map((info) => {
    const base = isSubFlow(info) ? String(info['displayName']) : String(info['providerId']);
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base}#${n}`;
  });
}

/** The flat, depth-first execution list as the tree the renderer emits; `configs` by config id. */
function executionTree(infos: readonly ExecutionInfo[], configs: ReadonlyMap<string, JsonObject>): JsonObject[] {
  const root: JsonObject[] = [];
  const lists: JsonObject[][] = [root];
  const rows: JsonObject[][] = [[]];
  for (const info of infos) {
    const siblings = lists[info.level] ?? root;
    const siblingRows = rows[info.level] ?? [];
    siblingRows.push(info);
    const name = childNames(siblingRows)[siblingRows.length - 1] as string;
    const node: JsonObject = isSubFlow(info)
      ? { name, index: info.index, requirement: info.requirement, description: info['description'] ?? '', executions: [] }
      : { name, index: info.index, requirement: info.requirement, authenticator: info['providerId'] ?? null };
    const configId = info['authenticationConfig'];
    if (typeof configId === 'string' && configs.has(configId)) node['config'] = objectOf(configs.get(configId)?.['config']);
    siblings.push(node);
    if (isSubFlow(info)) {
      lists[info.level + 1] = node['executions'] as JsonObject[];
      rows[info.level + 1] = [];
    }
  }
  return root;
}

async function readConfigs(rest: KeycloakRest, realm: string, infos: readonly ExecutionInfo[]): Promise<Map<string, JsonObject>> {
  const ids = infos.map((i) => i['authenticationConfig']).filter((id): id is string => typeof id === 'string');
  const configs = await Promise.all(ids.map(async (id) => [id, await rest.find<JsonObject>(configPath(id), { realm, object: `authenticator config ${id}` })] as const));
  return new Map(configs.filter((c): c is readonly [string, JsonObject] => c[1] !== undefined));
}

function flowFields(flow: JsonObject, executions: JsonObject[]): JsonObject {
  return {
    alias: flow['alias'] ?? null, description: flow['description'] ?? '', providerId: flow['providerId'] ?? null,
    topLevel: flow['topLevel'] ?? null, builtIn: flow['builtIn'] ?? null, executions,
  };
}

/** Makes the children of flow `alias` exactly `desired` (recursively), in that order. */
async function reconcile(rest: KeycloakRest, realm: string, alias: string, desired: readonly JsonObject[]): Promise<void> {
  const object = `authenticationFlow "${alias}"`;
  const children = async () => {
    const level0 = (await readExecutions(rest, realm, alias)).filter((i) => i.level === 0);
    const names = childNames(level0);
    return new Map(level0.map((info, i) => [names[i] as string, info]));
  };
  let current = await children();

  // 1. Add what is missing (appended at the end; the order is fixed below).
  for (const wanted of desired) {
    const name = String(wanted['name']);
    const have = current.get(name);
    if (have && isSubFlow(have) === wantsSubFlow(wanted)) continue;
    if (have) await rest.realm(urlPath`/authentication/executions/${have.id}`, { realm, object, method: 'DELETE', allowNotFound: true });
    const before = new Set([...current.values()].map((i) => i.id));
    const body = wantsSubFlow(wanted)
      ? { alias: name, type: 'basic-flow', provider: 'registration-page-form', description: String(wanted['description'] ?? '') }
      : { provider: String(wanted['authenticator']) };
    await rest.realm(`${executionsPath(alias)}/${wantsSubFlow(wanted) ? 'flow' : 'execution'}`, { realm, object: `${object} execution "${name}"`, method: 'POST', body });
    current = await children();
    const added = [...current.values()].find((i) => !before.has(i.id));
    if (!added) throw new BrokerError('ERR_KEYCLOAK_API', `Keycloak did not add execution "${name}" to ${object} in realm "${realm}" of cloud ${rest.cloud}`, { details: { cloud: rest.cloud, realm, object } });
    current.delete(String([...current.entries()].find(([, i]) => i.id === added.id)?.[0]));
    current.set(name, added);
  }

  // 2. Requirements, order (priority), configs and sub-flows of every wanted child.
  for (const [position, wanted] of desired.entries()) {
    const name = String(wanted['name']);
    const info = current.get(name) as ExecutionInfo;
    const target = { realm, object: `${object} execution "${name}"` };
    // Keycloak orders siblings by priority; executions that are not wanted go in step 3.
    const priority = (position + 1) * 10;
    if (info.requirement !== wanted['requirement'] || info['priority'] !== priority) {
      await rest.realm(executionsPath(alias), { ...target, method: 'PUT', body: { ...info, requirement: wanted['requirement'] ?? info.requirement, priority } });
    }
    if (isJsonObject(wanted['config'])) await syncConfig(rest, realm, alias, name, info, wanted['config'], target.object);
    if (wantsSubFlow(wanted)) {
      if ((info['description'] ?? '') !== (wanted['description'] ?? '') && typeof info['flowId'] === 'string') {
        const flow = await rest.get<JsonObject>(urlPath`/authentication/flows/${info['flowId']}`, target);
        await rest.realm(urlPath`/authentication/flows/${info['flowId']}`, { ...target, method: 'PUT', body: { ...flow, description: wanted['description'] ?? '' } });
      }
      await reconcile(rest, realm, name, childrenOf(wanted));
    }
  }

  // 3. Remove what is not wanted (a sub-flow goes with its executions and configs).
  const wantedNames = new Set(desired.map((d) => String(d['name'])));
  for (const [name, info] of current) {
    if (wantedNames.has(name)) continue;
    await rest.realm(urlPath`/authentication/executions/${info.id}`, { realm, object: `${object} execution "${name}"`, method: 'DELETE', allowNotFound: true });
  }
}

async function syncConfig(rest: KeycloakRest, realm: string, flow: string, name: string, info: ExecutionInfo, config: JsonObject, object: string): Promise<void> {
  const id = info['authenticationConfig'];
  if (typeof id !== 'string') {
    await rest.realm(urlPath`/authentication/executions/${info.id}/config`, { realm, object, method: 'POST', body: { alias: `${flow} ${name}`, config } });
    return;
  }
  const current = await rest.get<JsonObject>(configPath(id), { realm, object });
  if (compareFields(config, objectOf(current['config'])).length === 0) return;
  await rest.realm(configPath(id), { realm, object, method: 'PUT', body: { ...current, config: { ...objectOf(current['config']), ...config } } });
}

/**
 * Who still runs the flow: identity providers, the realm's own flow bindings and clients' flow overrides.
 * Keycloak answers a bare 500 to deleting a bound flow (and deletes nothing).
 */
async function bindingsOf(rest: KeycloakRest, observed: ObservedObject, id: string): Promise<string[]> {
  const realm = observed.scope;
  const [providers, settings, clients] = await Promise.all([
    rest.list<JsonObject>('/identity-provider/instances?briefRepresentation=false', { realm, object: 'identity providers' }),
    rest.get<JsonObject>('', { realm, object: 'realm' }),
    rest.list<JsonObject>('/clients', { realm, object: 'clients' }),
  ]);
  const users = providers
    .filter((p) => p['firstBrokerLoginFlowAlias'] === observed.name || p['postBrokerLoginFlowAlias'] === observed.name)
    .map((p) => `identity provider "${String(p['alias'])}"`);
  const realmBindings = ['browserFlow', 'registrationFlow', 'directGrantFlow', 'resetCredentialsFlow', 'clientAuthenticationFlow', 'dockerAuthenticationFlow', 'firstBrokerLoginFlow']
    .filter((key) => settings[key] === observed.name).map((key) => `realm binding ${key}`);
  const overrides = clients
    .filter((c) => Object.values(objectOf(c['authenticationFlowBindingOverrides'])).includes(id))
    .map((c) => `client "${String(c['clientId'])}" (flow override)`);
  return [...users, ...realmBindings, ...overrides];
}

export const authenticationFlows: KindHandler = {
  async observe(context) {
    const { rest, realm, federation } = context;
    const desired = new Set(context.desired.map((d) => d.name));
    const flows = await rest.get<JsonObject[]>(flowsPath, { realm, object: 'authentication flows' });
    const wanted = flows.filter((f) => f['topLevel'] === true
      && (isManaged(markersFromText(f['description']), federation) || desired.has(String(f['alias']))));
    return Promise.all(wanted.map(async (flow) => {
      const alias = String(flow['alias']);
      const infos = await readExecutions(rest, realm, alias);
      const fields = flowFields(flow, executionTree(infos, await readConfigs(rest, realm, infos)));
      return observedObject(context, 'authenticationFlow', alias, fields, isManaged(markersFromText(flow['description']), federation), String(flow['id']));
    }));
  },

  async create(rest, desired) {
    const realm = desired.scope;
    const f = desired.fields;
    await rest.realm(flowsPath, { realm, object: objectLabel(desired), method: 'POST', body: {
      alias: desired.name, description: f['description'] ?? '', providerId: f['providerId'] ?? 'basic-flow', topLevel: true, builtIn: false,
    } });
    await reconcile(rest, realm, desired.name, childrenOf(desired.fields as JsonObject));
  },

  async update(rest, desired, observed) {
    const realm = desired.scope;
    const target = { realm, object: objectLabel(desired) };
    const id = observed.id ?? String((await rest.get<JsonObject[]>(flowsPath, target)).find((f) => f['alias'] === desired.name)?.['id'] ?? '');
    const current = await rest.find<JsonObject>(urlPath`/authentication/flows/${id}`, target);
    if (!current) {
      throw new BrokerError('ERR_NOT_FOUND', `${objectLabel(desired)} is gone from realm "${realm}" of cloud ${rest.cloud}; plan again`, { details: { cloud: rest.cloud, ...target } });
    }
    const description = desired.fields['description'];
    if (typeof description === 'string' && current['description'] !== description) {
      await rest.realm(urlPath`/authentication/flows/${id}`, { ...target, method: 'PUT', body: { ...current, description } });
    }
    await reconcile(rest, realm, desired.name, childrenOf(desired.fields as JsonObject));
  },

  async remove(rest, observed) {
    const realm = observed.scope;
    const object = objectLabel(observed);
    const id = observed.id ?? String((await rest.get<JsonObject[]>(flowsPath, { realm, object })).find((f) => f['alias'] === observed.name)?.['id'] ?? '');
    if (id === '') return;
    const users = await bindingsOf(rest, observed, id);
    if (users.length > 0) {
      throw new BrokerError('ERR_CONFLICT', `${object} in realm "${realm}" of cloud ${rest.cloud} is still used by ${users.join(', ')}; unbind it first`,
        { details: { cloud: rest.cloud, realm, object, usedBy: users } });
    }
    await rest.realm(urlPath`/authentication/flows/${id}`, { realm, object, method: 'DELETE', allowNotFound: true });
  },
};

/** The aliases of the realm's flows that `representation` (an identity provider) runs but the realm lacks. */
export async function missingFlows(rest: KeycloakRest, realm: string, representation: Readonly<Record<string, Json>>): Promise<string[]> {
  const wanted = ['firstBrokerLoginFlowAlias', 'postBrokerLoginFlowAlias'].map((k) => representation[k]).filter((a): a is string => typeof a === 'string' && a !== '');
  if (wanted.length === 0) return [];
  const flows = new Set((await rest.get<JsonObject[]>(flowsPath, { realm, object: 'authentication flows' })).map((f) => String(f['alias'])));
  return wanted.filter((alias) => !flows.has(alias));
}
