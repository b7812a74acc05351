// Stopping a broker without losing work (SIGTERM, e.g. a rolling update): first every part stops
// taking new work and finishes what it has in flight, all at once, within a grace period; parts still
// busy when it ends are forced (their in-flight deliveries are handed back to the queue, see
// DeliveryQueue.drain); then connections and clients are released. The clock is passed in.

/** One named part of the stop. A failing step is reported, it does not stop the others. */
export interface DrainStep {
  readonly name: string;
  readonly run: () => Promise<void>;
}

export interface DrainPlan {
  /** Stop taking work and finish the work in flight (listener, pollers, sync job, delivery workers). */
  readonly finish: readonly DrainStep[];
  /** Only when the grace period ended first: cut what is still running. */
  readonly force: readonly DrainStep[];
  /** Last, in order: close clients and connections. */
  readonly release: readonly DrainStep[];
}

export interface DrainResult {
  /** Every `finish` step completed within the grace period. */
  readonly drained: boolean;
  /** `finish` steps still running when the grace period ended. */
  readonly late: readonly string[];
  /** Steps that threw, with their error's code or message. */
  readonly failed: readonly { readonly step: string; readonly error: string }[];
  readonly durationMs: number;
}

export interface DrainTimers {
  now(): number;
  /** Resolves after `ms`; must not keep the process alive on its own. */
  sleep(ms: number): Promise<void>;
}

export async function drain(plan: DrainPlan, graceMs: number, timers: DrainTimers): Promise<DrainResult> {
  const started = timers.now();
  const failed: { step: string; error: string }[] = [];
  const pending = new Set(plan.finish.map((s) => s.name));
  const finishing = Promise.all(plan.finish.map((s) => runStep(s, failed).then(() => { pending.delete(s.name); })));
  const inTime = await Promise.race([finishing.then(() => true), timers.sleep(graceMs).then(() => false)]);
  const late = [...pending];
  if (!inTime) for (const step of plan.force) await runStep(step, failed);
  for (const step of plan.release) await runStep(step, failed);
  return { drained: inTime && failed.length === 0, late, failed, durationMs: timers.now() - started };
}

async function runStep(step: DrainStep, failed: { step: string; error: string }[]): Promise<void> {
  try {
    await step.run();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    failed.push({ step: step.name, error: typeof code === 'string' ? code : (error as Error).message });
  }
}
