// What can be known about a deployment from its configs alone: whether they agree on what they share, and the
// order the Workers must go out in. Pure: configs in, problems and an order out.
import type { WorkerConfig } from "./configs";

/** A KV id as Cloudflare issues it; anything else in a config is a placeholder title the deploy resolves. */
export const KV_ID = /^[0-9a-f]{32}$/;

/** One KV namespace the configs share, under one binding name. `id` is the configs' value (real id or placeholder title). */
export interface SharedKv {
  readonly binding: string;
  readonly id: string;
  readonly configs: readonly string[];
}

/** Groups the configs' KV bindings by binding name. */
export function sharedKv(configs: readonly WorkerConfig[]): SharedKv[] {
  const byBinding = new Map<string, { id: string; configs: string[] }>();
  for (const c of configs) {
    for (const k of c.kv) {
      const entry = byBinding.get(k.binding) ?? { id: k.id, configs: [] };
      entry.configs.push(c.configPath);
      byBinding.set(k.binding, entry);
    }
  }
  return [...byBinding].map(([binding, e]) => ({ binding, id: e.id, configs: e.configs }));
}

/** Every queue any config names (produced, consumed, or dead-lettered), sorted. */
export function queueNames(configs: readonly WorkerConfig[]): string[] {
  const names = new Set<string>();
  for (const c of configs) {
    for (const p of c.queueProducers) names.add(p.queue);
    for (const q of c.queueConsumers) {
      names.add(q.queue);
      if (q.deadLetterQueue !== null) names.add(q.deadLetterQueue);
    }
  }
  return [...names].sort();
}

/** Problems that would make a deploy fail or misbehave, each naming the configs involved. Empty: the configs agree. */
export function configProblems(configs: readonly WorkerConfig[]): string[] {
  const problems: string[] = [];
  const byName = new Map<string, WorkerConfig>();
  for (const c of configs) {
    const twin = byName.get(c.name);
    if (twin !== undefined) problems.push(`Worker name "${c.name}" is used by both ${twin.configPath} and ${c.configPath}`);
    byName.set(c.name, c);
  }

  // KV: one binding name means one namespace everywhere.
  const kvSeen = new Map<string, { id: string; config: string }>();
  for (const c of configs) {
    for (const k of c.kv) {
      if (k.id === "") problems.push(`${c.configPath}: KV binding ${k.binding} has no id`);
      const first = kvSeen.get(k.binding);
      if (first === undefined) kvSeen.set(k.binding, { id: k.id, config: c.configPath });
      else if (first.id !== k.id) {
        problems.push(`KV binding ${k.binding} has different ids: "${first.id}" in ${first.config}, "${k.id}" in ${c.configPath}`);
      }
    }
  }

  // Queues: everything produced is consumed (or is a dead-letter queue); everything consumed has a producer.
  const consumed = new Set(configs.flatMap((c) => c.queueConsumers.map((q) => q.queue)));
  const deadLetters = new Set(
    configs.flatMap((c) => c.queueConsumers.flatMap((q) => (q.deadLetterQueue === null ? [] : [q.deadLetterQueue]))),
  );
  const produced = new Set(configs.flatMap((c) => c.queueProducers.map((p) => p.queue)));
  for (const c of configs) {
    for (const p of c.queueProducers) {
      if (!consumed.has(p.queue) && !deadLetters.has(p.queue)) {
        problems.push(
          `${c.configPath}: ${p.binding} produces to queue "${p.queue}", which no Worker consumes (consumers: ${list(consumed)})`,
        );
      }
    }
    for (const q of c.queueConsumers) {
      if (!produced.has(q.queue))
        problems.push(`${c.configPath}: consumes queue "${q.queue}", which no Worker produces to (producers: ${list(produced)})`);
    }
  }

  // Service bindings point at Workers of this project.
  for (const c of configs) {
    for (const s of c.services) {
      if (!byName.has(s.service))
        problems.push(
          `${c.configPath}: service binding ${s.binding} points at Worker "${s.service}", which no config defines (Workers: ${list(byName.keys())})`,
        );
    }
  }

  // Durable Objects: the hosting Worker exports the class and its migrations create it.
  for (const c of configs) {
    for (const d of c.durableObjects) {
      const host = d.scriptName === null ? c : byName.get(d.scriptName);
      if (host === undefined) {
        problems.push(
          `${c.configPath}: Durable Object binding ${d.binding} names script_name "${d.scriptName}", which no config defines (Workers: ${list(byName.keys())})`,
        );
        continue;
      }
      if (!host.exports.includes(d.className)) {
        problems.push(
          `${c.configPath}: Durable Object binding ${d.binding} needs class ${d.className}, which ${host.name}'s main module (${host.main}) does not export`,
        );
      }
      if (!host.migratedClasses.includes(d.className)) {
        problems.push(
          `${c.configPath}: Durable Object binding ${d.binding} needs class ${d.className}, which no migration in ${host.configPath} creates`,
        );
      }
    }
  }
  const order = deployOrder(configs);
  if (!order.ok) problems.push(order.error);
  return problems;
}

/** Why one Worker must go out before another. */
export type EdgeKind = "durable-object" | "service" | "queue";

/** `from` must be deployed after `to` (`from` calls `to`). */
export interface Dependency {
  readonly from: string;
  readonly to: string;
  readonly kind: EdgeKind;
  readonly via: string;
}

/** Every caller→callee relation the configs declare (self-references left out). */
export function dependencies(configs: readonly WorkerConfig[]): Dependency[] {
  const names = new Set(configs.map((c) => c.name));
  const consumersOf = new Map<string, string[]>();
  for (const c of configs) for (const q of c.queueConsumers) consumersOf.set(q.queue, [...(consumersOf.get(q.queue) ?? []), c.name]);
  const deps: Dependency[] = [];
  for (const c of configs) {
    for (const d of c.durableObjects) {
      if (d.scriptName !== null && d.scriptName !== c.name && names.has(d.scriptName))
        deps.push({ from: c.name, to: d.scriptName, kind: "durable-object", via: `${d.binding} (class ${d.className})` });
    }
    for (const s of c.services)
      if (s.service !== c.name && names.has(s.service)) deps.push({ from: c.name, to: s.service, kind: "service", via: s.binding });
    for (const p of c.queueProducers) {
      for (const consumer of consumersOf.get(p.queue) ?? [])
        if (consumer !== c.name) deps.push({ from: c.name, to: consumer, kind: "queue", via: `${p.binding} → ${p.queue}` });
    }
  }
  return deps;
}

/** The deploy order and the service targets that must exist (as a placeholder) before their callers go out. */
export interface DeployOrder {
  readonly order: readonly string[];
  /** Service bindings whose target comes later in the order (a cycle was broken there): the target needs a placeholder first. */
  readonly placeholders: readonly Dependency[];
}

/**
 * Callees before callers, derived from the configs. A Durable Object's host must be deployed (with its migration)
 * before a Worker binds the class by script_name: those edges never bend. A queue producer needs only the queue, and
 * a service binding only needs its target to exist (a placeholder will do), so where the relations form a cycle, the
 * cycle is cut at a queue edge if it has one, else at a service edge, whose target then gets a placeholder first.
 * Ties keep the configs' order.
 */
export function deployOrder(configs: readonly WorkerConfig[]): { ok: true; value: DeployOrder } | { ok: false; error: string } {
  let used = dependencies(configs);
  const names = configs.map((c) => c.name);
  const cut: Dependency[] = [];
  for (;;) {
    const sorted = topoSort(names, used);
    if (sorted.ok) {
      const position = new Map(sorted.value.map((n, i) => [n, i]));
      const placeholders = cut.filter((d) => d.kind === "service" && (position.get(d.to) ?? 0) > (position.get(d.from) ?? 0));
      return { ok: true, value: { order: sorted.value, placeholders } };
    }
    const pairs = sorted.cycle.slice(1).map((to, i) => ({ from: sorted.cycle[i] ?? "", to }));
    const kindsOf = (p: { from: string; to: string }) => used.filter((d) => d.from === p.from && d.to === p.to).map((d) => d.kind);
    const pick = pairs.find((p) => kindsOf(p).every((k) => k === "queue")) ?? pairs.find((p) => !kindsOf(p).includes("durable-object"));
    if (pick === undefined) {
      const why = pairs
        .map((p) => used.find((d) => d.from === p.from && d.to === p.to))
        .map((d) => (d === undefined ? "" : `${d.from} binds ${d.via} of ${d.to}`));
      return { ok: false, error: `Durable Object bindings form a cycle, so no Worker can be deployed first: ${why.join("; ")}` };
    }
    cut.push(...used.filter((d) => d.from === pick.from && d.to === pick.to));
    used = used.filter((d) => !(d.from === pick.from && d.to === pick.to));
  }
}

function topoSort(names: readonly string[], deps: readonly Dependency[]): { ok: true; value: string[] } | { ok: false; cycle: string[] } {
  const state = new Map<string, "visiting" | "done">();
  const out: string[] = [];
  const path: string[] = [];
  const visit = (name: string): string[] | null => {
    if (state.get(name) === "done") return null;
    if (state.get(name) === "visiting") return [...path.slice(path.indexOf(name)), name];
    state.set(name, "visiting");
    path.push(name);
    for (const d of deps) {
      if (d.from !== name) continue;
      const cycle = visit(d.to);
      if (cycle !== null) return cycle;
    }
    path.pop();
    state.set(name, "done");
    out.push(name);
    return null;
  };
  for (const name of names) {
    const cycle = visit(name);
    if (cycle !== null) return { ok: false, cycle };
  }
  return { ok: true, value: out };
}

function list(names: Iterable<string>): string {
  const all = [...names];
  return all.length === 0 ? "none" : all.join(", ");
}
