// The previous release's markers, for upgrade tests: the managed systems of the composition root with
// every rendered object stripped of its marker version (the only difference between the markers the
// previous release wrote and this release's), so applying through them writes what the previous
// release wrote. Test-only: the broker itself always writes the current marker version.
import { withoutMarkerVersion } from '../../src/core/managed.ts';
import type { JsonValue } from '../../src/core/json.ts';
import type { DesiredObject } from '../../src/core/plan/model.ts';
import type { OnboardingDeps } from '../../src/services/onboarding.ts';
import type { ManagedSystem } from '../../src/services/systems/model.ts';

/** A desired object as the previous release rendered it. */
export function withPreviousMarkers(d: DesiredObject): DesiredObject {
  const strip = (fields: Readonly<Record<string, JsonValue>>) => withoutMarkerVersion(fields) as Readonly<Record<string, JsonValue>>;
  return { ...d, fields: strip(d.fields), ...(d.writeOnly && { writeOnly: strip(d.writeOnly) }) };
}

/** The same systems, rendering (and so applying) the previous release's markers. */
export function previousMarkerDeps(deps: OnboardingDeps): OnboardingDeps {
  return { systems: deps.systems.map((system): ManagedSystem => ({
    ...system,
    render: async (context) => {
      const rendered = await system.render(context);
      return { desired: rendered.desired.map(withPreviousMarkers), ...(rendered.heldBack && { heldBack: rendered.heldBack.map(withPreviousMarkers) }) };
    },
  })) };
}
