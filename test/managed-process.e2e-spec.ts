import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ManagedProcess } from '../src/cluster/managed-process';
import { waitUntil } from './support/deadline';
import { useResources } from './support/resources';

const MODULE = resolve('dist/cluster/managed-process.js');

/**
 * A parent that starts one long-lived child and prints `child <pid>`; then
 * it waits, or, with `crash`, dies of an uncaught error as a command does
 * when its stdout has closed.
 */
function parentScript(options: { stopChildren: boolean; crash: boolean }) {
  return `
    const { ManagedProcess, stopChildrenOnExit } = require(${JSON.stringify(MODULE)});
    if (${options.stopChildren}) stopChildrenOnExit();
    const child = new ManagedProcess({
      name: 'child',
      command: process.execPath,
      args: ['-e', 'setInterval(() => {}, 1000)'],
    });
    console.log('child ' + child.pid);
    setInterval(() => {}, 1000);
    if (${options.crash}) setTimeout(() => { throw new Error('EPIPE'); }, 50);
  `;
}

/** Running, and not a zombie that no one has reaped yet. */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return (
      stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
    );
  } catch {
    return false;
  }
}

// The bench and the soak start Redis and app servers; they must not outlive
// the command, however it ends.
describe('a command that starts processes', () => {
  const resources = useResources();

  async function start(options: { stopChildren: boolean; crash: boolean }) {
    let childPid = 0;
    const parent = resources.forTest(
      new ManagedProcess({
        name: 'parent',
        command: process.execPath,
        args: ['-e', parentScript(options)],
        onLine: (_, line) => {
          const match = /^child (\d+)$/.exec(line);
          if (match) childPid = Number(match[1]);
        },
      }),
      (p) => p.stop(),
    );
    await parent.waitForOutput('child ', 10_000);
    await waitUntil(() => childPid > 0, 'the child pid');
    // Whatever a case leaves behind is stopped here, by its pid.
    resources.forTest(childPid, (pid) => {
      if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    });
    return { parent, childPid };
  }

  it('takes its children with it when it gets SIGTERM', async () => {
    const { parent, childPid } = await start({
      stopChildren: true,
      crash: false,
    });
    parent.kill('SIGTERM');
    expect((await parent.exited).code).toBe(143);
    await waitUntil(() => !isAlive(childPid), 'the child to stop');
  });

  it('takes its children with it when it dies of an uncaught error', async () => {
    const { parent, childPid } = await start({
      stopChildren: true,
      crash: true,
    });
    expect((await parent.exited).code).toBe(1);
    await waitUntil(() => !isAlive(childPid), 'the child to stop');
  });

  it('leaves them running without stopChildrenOnExit (what the cases above guard against)', async () => {
    const { parent, childPid } = await start({
      stopChildren: false,
      crash: true,
    });
    await parent.exited;
    expect(isAlive(childPid)).toBe(true);
  });
});
