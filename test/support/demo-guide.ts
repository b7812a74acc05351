/**
 * The guide `npm run demo` prints, as data a test can follow: the URL to open, the button to choose,
 * the user and password, who she is afterwards, and the commands of step 4 as typed. Fails with the
 * guide's text when a step is missing, so a reworded guide breaks the test instead of passing it by.
 */
export interface DemoGuide {
  readonly openUrl: string;
  readonly chooseButton: string;
  readonly user: string;
  readonly password: string;
  readonly signedInAs: string;
  /** The page of step 3 that lists her project, and the project. */
  readonly projectsPage: string;
  readonly project: string;
  /** Step 5: after the logout, the button that leads to her home's password page again. */
  readonly afterLogoutButton: string;
  readonly commands: readonly string[];
  readonly stopCommand: string;
}

function match(guide: string, pattern: RegExp, what: string): RegExpExecArray {
  const m = pattern.exec(guide);
  if (!m) throw new Error(`the demo guide has no ${what} (${pattern}):\n${guide}`);
  return m;
}

export function parseDemoGuide(output: string): DemoGuide {
  const guide = output.slice(match(output, /^The demo federation is running/m, 'heading').index);
  const step4 = match(guide, /^4\. .*\n((?: {3}\S.*\n)+)/m, 'step 4 with commands')[1]!;
  return {
    openUrl: match(guide, /^1\. Open (https:\/\/\S+?) ,/m, 'URL in step 1')[1]!,
    chooseButton: match(guide, /^2\. .*choose "([^"]+)"/m, 'button in step 2')[1]!,
    user: match(guide, /sign in as (\S+) with password (\S+)/, 'user and password in step 2')[1]!,
    password: match(guide, /sign in as (\S+) with password (\S+)/, 'user and password in step 2')[2]!,
    signedInAs: match(guide, /^3\. .* as (\S+?), on its /m, 'user name in step 3')[1]!,
    projectsPage: match(guide, /on its "([^"]+)" page \(Identity\), which\s+lists\s+(\S+?):/, 'projects page in step 3')[1]!,
    project: match(guide, /on its "([^"]+)" page \(Identity\), which\s+lists\s+(\S+?):/, 'projects page in step 3')[2]!,
    afterLogoutButton: match(guide, /^5\. Reload Horizon[\s\S]*?choosing "([^"]+)" asks for her home password/m, 'step 5')[1]!,
    commands: step4.split('\n').map((l) => l.trim()).filter((l) => /^(npx |export )/.test(l)),
    stopCommand: match(guide, /Stop everything: (npm run \S+)/, 'stop command')[1]!,
  };
}
